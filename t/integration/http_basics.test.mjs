// http_basics.test.mjs — HTTP as every route shares it, and hostile or malformed
// requests. One stack for the file; each describe() starts with stack.reset(), so
// it sees the database as a freshly started stack would, whatever ran before it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import tls from 'node:tls';
import { Stack, REPO, waitFor } from '../lib/stack.mjs';
import { insertCalls } from '../lib/calls_fixtures.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

describe('the HTTP contract', () => {
  // The HTTP contract every route shares (docs/ARCHITECTURE.md "Request flow"):
  // 404/405, request ids end to end, security headers, HTTP→HTTPS, static files, the
  // JSON envelope, flash messages and POST → 303 → GET.
  let admin;

  before(async () => {
    await stack.reset();
    admin = await stack.as('admin');
  });

  /** Checks the headers every HTML response must carry. */
  function assertHtmlSecurity(res, what) {
    assert.match(res.headers['content-type'] || '', /^text\/html/, `${what}: HTML`);
    const csp = res.headers['content-security-policy'];
    assert.ok(csp, `${what}: Content-Security-Policy`);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name.toLowerCase(), values];
      }),
    );
    const scripts = directives['script-src'] || directives['default-src'];
    assert.ok(scripts, `${what}: scripts are restricted`);
    assert.ok(!scripts.includes("'unsafe-inline'"), `${what}: no 'unsafe-inline' for scripts`);
    assert.ok(!scripts.includes("'unsafe-eval'"), `${what}: no 'unsafe-eval' for scripts`);
    assert.ok(!scripts.includes('*'), `${what}: no wildcard script source`);
    assert.deepEqual(directives['frame-ancestors'], ["'none'"], `${what}: frame-ancestors 'none'`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    assert.ok(res.headers['referrer-policy'], `${what}: Referrer-Policy`);
    assert.match(res.headers['strict-transport-security'] || '', /max-age=\d{7,}/, `${what}: HSTS`);
    assert.match(res.headers['x-request-id'] || '', /^[0-9a-f]{32}$/, `${what}: X-Request-Id`);
  }

  test('unknown path → 404 HTML page quoting the request id', async () => {
    const res = await stack.request('GET', '/no/such/page');
    assert.equal(res.status, 404);
    assertHtmlSecurity(res, '404');
    const id = res.headers['x-request-id'];
    assert.ok(res.body.includes(id), 'the page shows the request id');
    assert.match(res.body, /Not Found/);
    // Signed in, the 404 is shown inside the layout, still with the id.
    const signed = await admin.get('/no/such/page');
    assert.equal(signed.status, 404);
    assert.ok(signed.body.includes(signed.headers['x-request-id']));
    assertHtmlSecurity(signed, 'signed-in 404');
  });

  test('unknown path under /api/ → 404 JSON {"error":{"code":"not_found"}}', async () => {
    for (const p of ['/api/v1/nope', '/api/whatever']) {
      const res = await stack.request('GET', p);
      assert.equal(res.status, 404);
      assert.match(res.headers['content-type'], /^application\/json/);
      const body = res.json();
      assert.equal(body.error.code, 'not_found');
      assert.equal(typeof body.error.message, 'string');
      assert.equal(body.request_id, res.headers['x-request-id']);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('Accept: application/json on an HTML route gets a JSON error', async () => {
    const res = await stack.request('GET', '/no/such/page', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(res.json().error.code, 'not_found');
    // A browser's Accept (HTML first) still gets the page.
    const browser = await stack.request('GET', '/no/such/page', { headers: { accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8' } });
    assert.match(browser.headers['content-type'], /^text\/html/);
    // A JSON client that is not signed in gets 401 JSON rather than a login redirect.
    const anon = await stack.request('GET', '/', { headers: { accept: 'application/json' } });
    assert.equal(anon.status, 401);
    assert.equal(anon.json().error.code, 'unauthorized');
  });

  test('wrong method → 405 with Allow listing the methods', async () => {
    const cases = [
      ['DELETE', '/login', ['GET', 'HEAD', 'POST']],
      ['PUT', '/login', ['GET', 'HEAD', 'POST']],
      ['POST', '/healthz', ['GET', 'HEAD']],
      ['GET', '/logout', ['POST']],
    ];
    for (const [method, p, allowed] of cases) {
      const res = await stack.request(method, p, method === 'GET' ? {} : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(res.status, 405, `${method} ${p}`);
      const allow = (res.headers.allow || '').split(',').map((m) => m.trim()).filter(Boolean).sort();
      assert.deepEqual(allow, [...allowed].sort(), `${method} ${p}: Allow`);
      assert.ok(res.body.includes(res.headers['x-request-id']));
    }
    const api = await stack.request('DELETE', '/api/v1/me');
    assert.equal(api.status, 405);
    assert.equal(api.json().error.code, 'invalid');
    assert.match(api.headers.allow, /\bGET\b/);
  });

  test('every response has X-Request-Id, and nginx, the app log and the header agree', async () => {
    const responses = await Promise.all([
      stack.request('GET', '/login?probe=request-id'),
      stack.request('GET', '/nope-request-id'),
      stack.request('GET', '/api/v1/me'),
      stack.request('GET', '/healthz'),
      stack.request('GET', '/static/css/app.css'),
      admin.get('/'),
    ]);
    const ids = responses.map((r) => r.headers['x-request-id']);
    for (const id of ids) assert.match(id || '', /^[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');

    // The app's JSON log line carries the same id as the header (static files never reach the app).
    const appIds = ids.filter((_, i) => i !== 4);
    const lines = await waitFor(() => {
      const logs = stack.logs();
      const found = appIds.map((id) => logs.find((l) => l.msg === 'request' && l.request_id === id));
      return found.every(Boolean) && found;
    }, { what: 'the app to log every request' });
    assert.deepEqual(lines.map((l) => l.path), ['/login', '/nope-request-id', '/api/v1/me', '/healthz', '/']);
    assert.deepEqual(lines.map((l) => l.status), responses.filter((_, i) => i !== 4).map((r) => r.status));

    // nginx's own access log has the same $request_id (it is buffered: flushed within a second).
    // (Where it is comes from the rendered config, so the layout of the stack directory may change.)
    const accessLog = /^\s*access_log\s+(\/\S+)/m.exec(readFileSync(path.join(stack.dir, 'nginx.conf'), 'utf8'))[1];
    const nginxLines = await waitFor(() => {
      let text;
      try {
        text = readFileSync(accessLog, 'utf8');
      } catch {
        return false;
      }
      const entries = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const found = ids.filter((_, i) => i !== 4).map((id) => entries.find((e) => e.request_id === id));
      return found.every(Boolean) && found;
    }, { what: 'nginx to log the requests', timeoutMs: 10000 });
    assert.deepEqual(nginxLines.map((e) => e.uri), ['/login', '/nope-request-id', '/api/v1/me', '/healthz', '/']);
  });

  test('every HTML response carries CSP (no inline scripts), nosniff, Referrer-Policy, frame-ancestors and HSTS', async () => {
    const viewer = await stack.as('viewer');
    const pages = {
      'login form': await stack.request('GET', '/login'),
      'login 400': await stack.client().login('', ''),
      'overview': await admin.get('/'),
      'admin': await admin.get('/admin'),
      '403 page': await viewer.get('/admin'),
      '404 page': await stack.request('GET', '/missing'),
      '405 page': await stack.request('DELETE', '/login'),
      'csrf 403': await stack.request('POST', '/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.test&password=x' }),
    };
    for (const [what, res] of Object.entries(pages)) assertHtmlSecurity(res, what);
    // The pages themselves contain no inline script to need it.
    for (const [what, res] of Object.entries(pages)) {
      assert.doesNotMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/i, `${what}: no inline <script>`);
      assert.doesNotMatch(res.body, /\son[a-z]+=/i, `${what}: no inline event handlers`);
    }
    // HSTS on the other kinds of response too.
    for (const p of ['/api/v1/me', '/static/css/app.css', '/healthz']) {
      const res = await stack.request('GET', p);
      assert.match(res.headers['strict-transport-security'] || '', /max-age=/, p);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
    }
    // Dynamic pages are never cached by shared caches.
    assert.match(pages.overview.headers['cache-control'], /no-store/);
  });

  test('HTTP on the plain port → 301 to the same URL on https', async () => {
    const res = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: stack.httpPort, path: '/login?next=%2Fadmin', method: 'GET', agent: false }, (r) => {
        r.resume();
        r.on('end', () => resolve(r));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, `https://127.0.0.1:${stack.httpsPort}/login?next=%2Fadmin`);
  });

  test('/static/css/app.css is served by nginx: immutable cache, gzip on request', async () => {
    const file = readFileSync(path.join(REPO, 'static/css/app.css'));
    const plain = await stack.request('GET', '/static/css/app.css');
    assert.equal(plain.status, 200);
    assert.match(plain.headers['content-type'], /^text\/css/);
    assert.match(plain.headers['cache-control'], /\bimmutable\b/);
    assert.match(plain.headers['cache-control'], /max-age=\d{7,}/);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.raw.equals(file), 'the file itself');

    const gz = await stack.request('GET', '/static/css/app.css?v=1', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gz.headers.vary || '', /Accept-Encoding/i);
    assert.match(gz.headers['cache-control'], /\bimmutable\b/);
    assert.ok(gz.raw.length < file.length, 'compressed');
    assert.ok(gunzipSync(gz.raw).equals(file), 'decompresses to the file');

    // Not the app: a request to the app made afterwards is logged, the static ones never are.
    const marker = (await stack.request('GET', '/healthz')).headers['x-request-id'];
    await waitFor(() => stack.logs().some((l) => l.request_id === marker), { what: 'the app log' });
    for (const r of [plain, gz]) assert.equal(stack.logs().some((l) => l.request_id === r.headers['x-request-id']), false);
    const missing = await stack.request('GET', '/static/nope.css');
    assert.equal(missing.status, 404);
  });

  test('JSON responses are {"data": ...}', async () => {
    const me = await admin.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.match(me.headers['content-type'], /^application\/json/);
    const body = me.json();
    assert.deepEqual(Object.keys(body), ['data']);
    assert.equal(body.data.user.email, 'admin@demo.test');
    assert.equal(body.data.org.slug, 'demo');
    const ping = await admin.get('/api/v1/admin/ping');
    assert.deepEqual(Object.keys(ping.json()), ['data']);
    // Errors use the other envelope, never "data".
    const bad = await admin.request('POST', '/api/v1/me/name', {
      headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
      body: '{"name": 42}',
    });
    assert.equal(bad.status, 400);
    const err = bad.json();
    assert.deepEqual(Object.keys(err).sort(), ['error', 'request_id']);
    assert.equal(err.error.code, 'invalid');
    assert.equal(typeof err.error.fields.name, 'string');
    // Malformed JSON is a 400 too, never a 500.
    const broken = await admin.request('POST', '/api/v1/me/name', {
      headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
      body: '{"name": ',
    });
    assert.equal(broken.status, 400);
    assert.equal(broken.json().error.code, 'invalid');
  });

  test('a flash message after logout is shown once, then gone', async () => {
    const c = await stack.as('agent');
    const out = await c.post('/logout');
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, '/login');
    assert.ok(c.cookies.has('__Host-sb_flash'), 'the flash travels in a cookie');
    const first = await c.get('/login');
    assert.equal(first.status, 200);
    assert.match(first.body, /class="flash flash-ok"[^>]*>You have signed out\.</);
    assert.equal(c.cookies.has('__Host-sb_flash'), false, 'reading the flash clears it');
    const second = await c.get('/login');
    assert.doesNotMatch(second.body, /You have signed out/);
    // A forged flash cookie is ignored (it is signed).
    const forged = `ok.${Buffer.from('<b>Hacked</b>').toString('base64url')}.00000000000000000000000000000000`;
    const res = await stack.request('GET', '/login', { headers: { cookie: `__Host-sb_flash=${forged}` } });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.body, /Hacked/);
  });

  test('POST → 303 → GET: sign-in redirects, then the page is a GET', async () => {
    const c = stack.client();
    await c.get('/login');
    const post = await c.post('/login', { email: 'viewer@demo.test', password: stack.password, next: '/' });
    assert.equal(post.status, 303);
    assert.equal(post.headers.location, '/');
    assert.equal(post.body, '', 'a redirect has no page to re-submit');
    const page = await c.get(post.headers.location);
    assert.equal(page.status, 200);
    assert.match(page.body, /id="user-role">viewer</);
    // Sign-out follows the same pattern.
    const out = await c.post('/logout');
    assert.equal(out.status, 303);
    const after = await c.get(out.headers.location);
    assert.equal(after.status, 200);
    assert.match(after.body, /<form method="post" action="\/login"/);
  });

  test('a response larger than one FastCGI record (64 KB) arrives whole, with its length', async () => {
    // The worker writes a response as FastCGI records of at most 64 KB, all in one go;
    // a page of 200 calls with long names spans several records.
    const ids = insertCalls(stack, Array.from({ length: 205 }, (_, i) => ({
      started_at: `2024-05-01T12:${String(i % 60).padStart(2, '0')}:00Z`,
    })));
    stack.sql(`UPDATE calls SET caller_name = left(id::text, 8) || ' ' || repeat('é', 180)
    WHERE id IN (${ids.map((id) => `'${id}'`).join(', ')})`);
    const res = await admin.get('/api/v1/calls?limit=200');
    assert.equal(res.status, 200);
    const bytes = Buffer.byteLength(res.body);
    assert.ok(bytes > 2 * 65535, `${bytes} bytes`);
    assert.equal(Number(res.headers['content-length']), bytes);
    const body = res.json();
    assert.equal(body.data.length, 200);
    assert.ok(body.data.every((c) => c.caller_name.endsWith('é'.repeat(180))));
    const head = await stack.request('HEAD', '/api/v1/calls?limit=200', { headers: { cookie: admin.cookieHeader() } });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(Number(head.headers['content-length']), bytes, 'HEAD: the length GET would have');
  });
});

describe('malformed requests', () => {
  // Hostile and malformed requests against the real stack (nginx + pool + PostgreSQL).
  // None may produce a 5xx or go unanswered; where the app sees the request it answers
  // the documented 4xx (400 / 413 / 415, docs/ARCHITECTURE.md "Request flow"), where
  // nginx rejects first its own 4xx is accepted. Afterwards the pool is healthy and no
  // worker died on a signal.
  let admin; // a signed-in Client: cookie header + CSRF token for bodies that must reach the parser

  before(async () => {
    await stack.reset();
    admin = await stack.as('admin');
  });

  // ---- raw request helpers -------------------------------------------------------

  /** Like stack.raw(), but without half-closing the connection after the request:
   * nginx treats a client's FIN as an abort (499) for requests it forwards, so
   * stack.raw() never sees the app's answer. Sends Connection: close and reads until
   * nginx closes; returns {status, text} (status 0 if closed without an answer). */
  function send(bytes, { timeoutMs = 20000 } = {}) {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port: stack.httpsPort, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      const chunks = [];
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('no answer within ' + timeoutMs + ' ms'));
      }, timeoutMs);
      sock.on('secureConnect', () => sock.write(bytes));
      sock.on('data', (c) => chunks.push(c));
      sock.on('error', () => {}); // a reset after nginx answered early: keep what arrived
      sock.on('close', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        resolve({ status: m ? Number(m[1]) : 0, text });
      });
    });
  }

  const CRLF = '\r\n';

  /** Builds raw HTTP/1.1 bytes. body may be a string or Buffer; contentLength:false omits it. */
  function rawReq(method, target, { headers = {}, body, contentLength, version = 'HTTP/1.1', host = true } = {}) {
    const lines = [`${method} ${target} ${version}`];
    if (host) lines.push('Host: 127.0.0.1');
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    const b = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
    if (contentLength !== false && (body !== undefined || contentLength !== undefined))
      lines.push(`Content-Length: ${contentLength ?? b.length}`);
    lines.push('Connection: close');
    return Buffer.concat([Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'latin1'), b]);
  }

  /** Headers that make a body reach POST /api/v1/me/name's parser and handler. */
  function sessionHeaders(extra = {}) {
    return { Cookie: admin.cookieHeader(), 'X-CSRF-Token': admin.csrf, ...extra };
  }

  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const json = { 'Content-Type': 'application/json' };
  const bin = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1'))));

  function nested(depth) {
    return '{"name":' + '['.repeat(depth) + '"x"' + ']'.repeat(depth) + '}';
  }

  function multipart(boundary, { close = true } = {}) {
    let b = `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.test\r\n`;
    b += `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\nxxxxxxxxxxxxxx`;
    if (close) b += `\r\n--${boundary}--\r\n`;
    return b;
  }

  // Expected codes: the app's documented answer, plus nginx's own 4xx where nginx can
  // reject the request before the app sees it.
  const NGINX_REJECT = [400, 414, 431, 494];

  // Each case: name, build() → raw bytes, expect: allowed statuses.
  const cases = [
    // -- query strings (GET /login is public, so the query reaches the parser) --
    { name: 'query %zz', raw: () => rawReq('GET', '/login?next=%zz'), expect: [400] },
    { name: 'query lone %', raw: () => rawReq('GET', '/login?next=%'), expect: [400] },
    { name: 'query %0 (one hex digit)', raw: () => rawReq('GET', '/login?next=%0'), expect: [400] },
    { name: 'query %0 mid-string', raw: () => rawReq('GET', '/login?a=%0&b=1'), expect: [400] },
    { name: 'query %g1', raw: () => rawReq('GET', '/login?a=%g1'), expect: [400] },
    { name: 'query key %zz', raw: () => rawReq('GET', '/login?%zz=1'), expect: [400] },
    { name: 'query %00 (NUL)', raw: () => rawReq('GET', '/login?next=%00'), expect: [400] },
    { name: 'query %ff (invalid UTF-8)', raw: () => rawReq('GET', '/login?next=%ff'), expect: [400] },
    { name: 'query overlong UTF-8 %c0%af', raw: () => rawReq('GET', '/login?next=%c0%af'), expect: [400] },
    { name: 'query UTF-16 surrogate %ed%a0%80', raw: () => rawReq('GET', '/login?next=%ed%a0%80'), expect: [400] },
    { name: 'query truncated UTF-8 %e2%82', raw: () => rawReq('GET', '/login?next=%e2%82'), expect: [400] },
    { name: 'query raw 0xff byte', raw: () => bin('GET /login?next=', Buffer.from([0xff, 0xfe]), ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), expect: [400] },
    { name: 'query raw NUL byte', raw: () => bin('GET /login?a=', Buffer.from([0]), ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), expect: [400] },
    { name: '2000 query parameters', raw: () => rawReq('GET', '/login?' + Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&')), expect: [400] },
    { name: '2000 query parameters on GET / (signed in)', raw: () => rawReq('GET', '/?' + Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&'), { headers: sessionHeaders() }), expect: [400] },
    { name: 'query %zz on /api/v1/me (signed in)', raw: () => rawReq('GET', '/api/v1/me?x=%zz', { headers: sessionHeaders() }), expect: [400] },
    { name: '10 MB query string', raw: () => rawReq('GET', '/login?q=' + 'a'.repeat(10 * 1024 * 1024)), expect: NGINX_REJECT },
    { name: '20 KB query string', raw: () => rawReq('GET', '/login?q=' + 'a'.repeat(20000)), expect: NGINX_REJECT },

    // -- headers and cookies --
    { name: 'huge header (64 KB)', raw: () => rawReq('GET', '/login', { headers: { 'X-Big': 'a'.repeat(65536) } }), expect: NGINX_REJECT },
    { name: '200 headers of 1 KB', raw: () => rawReq('GET', '/login', { headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`X-H${i}`, 'b'.repeat(1024)])) }), expect: [200, ...NGINX_REJECT] },
    { name: 'huge cookie header (64 KB)', raw: () => rawReq('GET', '/login', { headers: { Cookie: 'a=' + 'c'.repeat(65536) } }), expect: NGINX_REJECT },
    { name: '1500 cookies', raw: () => rawReq('GET', '/login', { headers: { Cookie: Array.from({ length: 1500 }, (_, i) => `c${i}=1`).join('; ') } }), expect: [400] },
    { name: 'cookie with invalid UTF-8', raw: () => bin('GET /login HTTP/1.1\r\nHost: x\r\nCookie: a=', Buffer.from([0xc3, 0x28]), '\r\nConnection: close\r\n\r\n'), expect: [400] },
    { name: 'cookie with invalid UTF-8 on /api/v1/me', raw: () => bin('GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: __Host-sb_session=', Buffer.from([0xff]), '\r\nConnection: close\r\n\r\n'), expect: [400] },
    { name: 'cookie without =', raw: () => rawReq('GET', '/login', { headers: { Cookie: ';;;; noequals ;=;==' } }), expect: [200] },
    { name: 'non-token session cookie on GET /', raw: () => rawReq('GET', '/', { headers: { Cookie: '__Host-sb_session=../../etc/passwd' } }), expect: [303] },
    { name: 'non-token session cookie on /api/v1/me', raw: () => rawReq('GET', '/api/v1/me', { headers: { Cookie: '__Host-sb_session=not-a-uuid-at-all' } }), expect: [401] },
    { name: '43-char garbage session cookie on /api/v1/me', raw: () => rawReq('GET', '/api/v1/me', { headers: { Cookie: '__Host-sb_session=' + "'; DROP TABLE sessions; --".padEnd(43, 'x') } }), expect: [401] },
    { name: 'quoted huge-ish session cookie', raw: () => rawReq('GET', '/api/v1/me', { headers: { Cookie: '__Host-sb_session="' + 'z'.repeat(4000) + '"' } }), expect: [401] },
    { name: 'Authorization: Bearer garbage', raw: () => rawReq('GET', '/api/v1/me', { headers: { Authorization: 'Bearer !!!garbage\u0001' } }), expect: [400, 401] },
    { name: 'Authorization: Bearer (empty)', raw: () => rawReq('GET', '/api/v1/me', { headers: { Authorization: 'Bearer ' } }), expect: [401] },
    { name: 'Authorization: Basic junk', raw: () => rawReq('GET', '/api/v1/me', { headers: { Authorization: 'Basic %%%%' } }), expect: [401] },
    { name: 'Authorization: 8 KB bearer', raw: () => rawReq('GET', '/api/v1/me', { headers: { Authorization: 'Bearer ' + 'k'.repeat(8000) } }), expect: [401] },
    { name: 'garbage X-CSRF-Token with session POST', raw: () => rawReq('POST', '/api/v1/me/name', { headers: { ...sessionHeaders(), 'X-CSRF-Token': '\x7f'.repeat(50), ...json }, body: '{"name":"X"}' }), expect: [403] },

    // -- form bodies on POST /login (parsed before the CSRF check) --
    { name: 'form %zz', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=%zz&password=x' }), expect: [400] },
    { name: 'form lone %', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=%' }), expect: [400] },
    { name: 'form %0', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=a%0' }), expect: [400] },
    { name: 'form %00 (NUL)', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=a%00b' }), expect: [400] },
    { name: 'form raw NUL byte', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=a\u0000b' }), expect: [400] },
    { name: 'form invalid UTF-8 %ff', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=%ff%fe' }), expect: [400] },
    { name: 'form raw invalid UTF-8', raw: () => rawReq('POST', '/login', { headers: form, body: Buffer.from([0x65, 0x3d, 0xc3, 0x28]) }), expect: [400] },
    { name: 'form 2000 fields', raw: () => rawReq('POST', '/login', { headers: form, body: Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&') }), expect: [400] },
    { name: 'form %zz on /api/v1/me/name (signed in)', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(form), body: 'name=%zz' }), expect: [400] },
    { name: 'form NUL on /api/v1/me/name (signed in)', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(form), body: 'name=a%00' }), expect: [400] },

    // -- content types --
    { name: 'text/plain on POST /login', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'text/plain' }, body: 'email=a' }), expect: [415] },
    { name: 'application/xml on POST /login', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'application/xml' }, body: '<a/>' }), expect: [415] },
    { name: 'no Content-Type with a body on POST /login', raw: () => rawReq('POST', '/login', { body: 'email=a' }), expect: [415] },
    { name: 'text/plain on POST /api/v1/me/name', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders({ 'Content-Type': 'text/plain' }), body: 'name=x' }), expect: [415] },
    { name: 'application/xml on POST /api/v1/me/name', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders({ 'Content-Type': 'application/xml' }), body: '<name>x</name>' }), expect: [415] },
    { name: 'garbage Content-Type', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': ';;;=\u0001' }, body: 'x' }), expect: [415] },

    // -- multipart --
    { name: 'multipart truncated (no closing boundary)', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' }, body: multipart('XyZ', { close: false }) }), expect: [400] },
    { name: 'multipart without boundary parameter', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data' }, body: multipart('XyZ') }), expect: [400] },
    { name: 'multipart with a 200-char boundary', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': `multipart/form-data; boundary=${'b'.repeat(200)}` }, body: multipart('b'.repeat(200)) }), expect: [400] },
    { name: 'multipart with empty quoted boundary', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data; boundary=""' }, body: '----\r\n' }), expect: [400] },
    { name: 'multipart part without Content-Disposition', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data; boundary=B' }, body: '--B\r\nX-Foo: bar\r\n\r\nv\r\n--B--\r\n' }), expect: [400] },
    { name: 'multipart headers never end', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data; boundary=B' }, body: '--B\r\nContent-Disposition: form-data; name="a"' }), expect: [400] },
    { name: 'multipart empty body', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data; boundary=B' }, body: '' }), expect: [400] },
    { name: 'multipart invalid UTF-8 field', raw: () => rawReq('POST', '/login', { headers: { 'Content-Type': 'multipart/form-data; boundary=B' }, body: bin('--B\r\nContent-Disposition: form-data; name="email"\r\n\r\n', Buffer.from([0xff]), '\r\n--B--\r\n') }), expect: [400] },

    // -- JSON bodies on POST /api/v1/me/name (signed in, CSRF header) --
    { name: 'JSON trailing garbage', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":"x"} garbage' }), expect: [400] },
    { name: 'JSON two objects', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":"x"}{"name":"y"}' }), expect: [400] },
    { name: 'JSON 100 levels deep', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: nested(100) }), expect: [400] },
    { name: 'JSON 10000 levels deep', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '['.repeat(10000) }), expect: [400] },
    { name: 'JSON array instead of object', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '[{"name":"x"}]' }), expect: [400] },
    { name: 'JSON number instead of object', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '42' }), expect: [400] },
    { name: 'JSON string instead of object', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '"name"' }), expect: [400] },
    { name: 'JSON null', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: 'null' }), expect: [400] },
    { name: 'JSON name is a number', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":12}' }), expect: [400] },
    { name: 'JSON invalid UTF-8', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: bin('{"name":"', Buffer.from([0xc0, 0x80]), '"}') }), expect: [400] },
    { name: 'JSON escaped NUL', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":"a\\u0000b"}' }), expect: [400] },
    { name: 'JSON lone surrogate escape', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":"\\ud800"}' }), expect: [200, 400] },
    { name: 'JSON truncated', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":"x' }), expect: [400] },
    { name: 'JSON single quotes', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: "{'name':'x'}" }), expect: [400] },
    { name: 'JSON on POST /login', raw: () => rawReq('POST', '/login', { headers: json, body: '{"email":' }), expect: [400] },

    // -- Content-Length and body size --
    { name: 'Content-Length: abc', raw: () => rawReq('POST', '/login', { headers: form, body: 'a=1', contentLength: 'abc' }), expect: NGINX_REJECT },
    { name: 'Content-Length: -1', raw: () => rawReq('POST', '/login', { headers: form, body: 'a=1', contentLength: '-1' }), expect: NGINX_REJECT },
    { name: 'Content-Length: 1e3', raw: () => rawReq('POST', '/login', { headers: form, body: 'a=1', contentLength: '1e3' }), expect: NGINX_REJECT },
    { name: 'two different Content-Lengths', raw: () => rawReq('POST', '/login', { headers: { ...form, 'Content-Length': '3' }, body: 'a=1', contentLength: '4' }), expect: NGINX_REJECT },
    { name: 'Content-Length smaller than body', raw: () => rawReq('POST', '/login', { headers: form, body: 'email=%zzzzzz', contentLength: 8 }), expect: [400] },
    { name: 'body over body_limit (app 413)', raw: () => rawReq('POST', '/login', { headers: form, body: 'a=' + 'x'.repeat(2 * 1024 * 1024) }), expect: [413] },
    { name: 'JSON over body_limit (app 413)', raw: () => rawReq('POST', '/api/v1/me/name', { headers: sessionHeaders(json), body: '{"name":"' + 'x'.repeat(1100 * 1024) + '"}' }), expect: [413] },
    { name: 'declared body over nginx limit (413)', raw: () => rawReq('POST', '/login', { headers: form, body: 'a=1', contentLength: 50 * 1024 * 1024 }), expect: [413] },
    { name: 'chunked form body', raw: () => rawReq('POST', '/login', { headers: { ...form, 'Transfer-Encoding': 'chunked' }, body: '7\r\nemail=%\r\n2\r\nzz\r\n0\r\n\r\n', contentLength: false }), expect: [400] },
    { name: 'chunked body over body_limit', raw: () => rawReq('POST', '/login', { headers: { ...form, 'Transfer-Encoding': 'chunked' }, body: (2 * 1024 * 1024).toString(16) + '\r\n' + 'x'.repeat(2 * 1024 * 1024) + '\r\n0\r\n\r\n', contentLength: false }), expect: [413] },
    { name: 'chunked with bad chunk size', raw: () => rawReq('POST', '/login', { headers: { ...form, 'Transfer-Encoding': 'chunked' }, body: 'zz\r\nabc\r\n0\r\n\r\n', contentLength: false }), expect: NGINX_REJECT },

    // -- methods, paths, protocol --
    { name: 'method FOO on /', raw: () => rawReq('FOO', '/'), expect: [405] },
    { name: 'method FOO on /login', raw: () => rawReq('FOO', '/login'), expect: [405] },
    { name: 'method PUT on /api/v1/me', raw: () => rawReq('PUT', '/api/v1/me', { headers: json, body: '{}' }), expect: [405] },
    { name: 'lower-case method', raw: () => rawReq('get', '/login'), expect: NGINX_REJECT },
    { name: 'method with junk', raw: () => rawReq('G@T', '/login'), expect: NGINX_REJECT },
    { name: 'path with .. above root', raw: () => rawReq('GET', '/../../etc/passwd'), expect: [400, 404] },
    { name: 'path with .. inside', raw: () => rawReq('GET', '/api/v1/../../login'), expect: [200] },
    { name: 'path with encoded ..', raw: () => rawReq('GET', '/%2e%2e/%2e%2e/etc/passwd'), expect: [400, 404] },
    { name: 'path with //', raw: () => rawReq('GET', '//login'), expect: [200] },
    { name: 'path with encoded slashes', raw: () => rawReq('GET', '/api%2Fv1%2Fme'), expect: [401, 404] },
    { name: 'path with %00', raw: () => rawReq('GET', '/login%00.html'), expect: [400, 404] },
    { name: 'path with %zz', raw: () => rawReq('GET', '/lo%zzgin'), expect: [400, 404] },
    { name: 'very long path (12 KB)', raw: () => rawReq('GET', '/' + 'p'.repeat(12000)), expect: [404, ...NGINX_REJECT] },
    { name: 'very long path (100 KB)', raw: () => rawReq('GET', '/' + 'p'.repeat(100000)), expect: NGINX_REJECT },
    { name: 'absolute-form target', raw: () => rawReq('GET', 'https://evil.example/login'), expect: [200, 400] },
    { name: 'HTTP/1.0 without Host', raw: () => rawReq('GET', '/healthz', { version: 'HTTP/1.0', host: false }), expect: [200] },
    { name: 'HTTP/1.1 without Host', raw: () => rawReq('GET', '/healthz', { host: false }), expect: [400] },
    { name: 'no version (HTTP/0.9 style)', raw: () => Buffer.from('GET /login\r\n\r\n'), expect: [0, 400] },
    // nginx drops invalid header lines (ignore_invalid_headers) and forwards the rest
    { name: 'header without colon', raw: () => Buffer.from('GET /login HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n'), expect: [200, ...NGINX_REJECT] },
    { name: 'header with NUL', raw: () => bin('GET /login HTTP/1.1\r\nHost: x\r\nX-A: a', Buffer.from([0]), 'b\r\nConnection: close\r\n\r\n'), expect: NGINX_REJECT },
    { name: 'Accept: application/json on unknown path', raw: () => rawReq('GET', '/nope', { headers: { Accept: 'application/json' } }), expect: [404] },
  ];

  test('the table has at least 60 hostile requests', () => {
    assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  });

  test('hostile requests: never a 5xx, never unanswered, documented 4xx', async () => {
    const failures = [];
    for (const c of cases) {
      let res;
      try {
        res = await send(c.raw());
      } catch (e) {
        failures.push(`${c.name}: ${e.message}`);
        continue;
      }
      const ok = c.expect.includes(res.status);
      if (!ok || res.status >= 500 || (res.status === 0 && !c.expect.includes(0)))
        failures.push(`${c.name}: got ${res.status}, expected one of ${c.expect.join('/')}` +
          (res.status ? ` — ${res.text.split('\r\n')[0]}` : ''));
    }
    assert.deepEqual(failures, []);
  });

  test('a 400 under /api/ is the documented JSON error', async () => {
    const res = await stack.request('POST', '/api/v1/me/name', {
      headers: sessionHeaders(json),
      body: '{"name":"x"} trailing',
    });
    assert.equal(res.status, 400);
    const body = res.json();
    assert.equal(body.error.code, 'invalid');
    assert.equal(typeof body.error.message, 'string');
    assert.ok(res.headers['x-request-id'], 'X-Request-Id on the error');
  });

  test('a 415 and a 413 under /api/ are JSON errors too', async () => {
    const r415 = await stack.request('POST', '/api/v1/me/name', {
      headers: sessionHeaders({ 'Content-Type': 'text/plain' }),
      body: 'name=x',
    });
    assert.equal(r415.status, 415);
    assert.ok(r415.json().error, 'JSON error body');
    const r413 = await stack.request('POST', '/api/v1/me/name', {
      headers: sessionHeaders(json),
      body: '{"name":"' + 'x'.repeat(1100 * 1024) + '"}',
    });
    assert.equal(r413.status, 413);
    assert.ok(r413.json().error, 'JSON error body');
  });

  test('a chunked JSON body reaches the handler intact', async () => {
    const body = '{"name":"Chunked Ada"}';
    const raw = rawReq('POST', '/api/v1/me/name', {
      headers: { ...sessionHeaders(json), 'Transfer-Encoding': 'chunked' },
      body: `5\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`,
      contentLength: false,
    });
    const res = await send(raw);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.text, /"name":"Chunked Ada"/);
  });

  test('a body over nginx\'s own limit is refused with 413', async () => {
    let res;
    try {
      res = await stack.request('POST', '/login', {
        headers: form,
        body: Buffer.alloc(22 * 1024 * 1024, 0x61),
        timeoutMs: 30000,
      });
    } catch (e) {
      // nginx may close after answering while the client is still writing
      assert.match(e.code || e.message, /EPIPE|ECONNRESET/);
      return;
    }
    assert.equal(res.status, 413);
  });

  test('the signed-in session still works and the rejected bodies changed nothing', async () => {
    const me = await admin.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().data.user.email, 'admin@demo.test');
    // the chunked request above was the last accepted write
    assert.equal(me.json().data.user.name, 'Chunked Ada');
    assert.equal(stack.sql("SELECT name FROM users WHERE email = 'admin@demo.test'"), 'Chunked Ada');
  });

  test('after the batch: /healthz is 200 and no worker died on a signal', async () => {
    const h = await stack.request('GET', '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.json().db, 'ok');
    const crashes = stack
      .logs()
      .filter((l) => l.msg === 'worker exited' && /^signal/.test(String(l.cause)));
    assert.deepEqual(crashes, []);
    const exits = stack.logs().filter((l) => l.msg === 'worker exited');
    assert.deepEqual(exits, [], 'no worker exited at all during the batch');
    const errors = stack.logs().filter((l) => l.msg === 'request' && l.status >= 500);
    assert.deepEqual(errors, [], 'no 5xx in the request log');
  });
});
