// http_basics.test.mjs — the HTTP contract every route shares (docs/ARCHITECTURE.md
// "Request flow"): 404/405, request ids end to end, security headers, HTTP→HTTPS,
// static files, the JSON envelope, flash messages and POST → 303 → GET.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Stack, REPO, waitFor } from '../lib/stack.mjs';
import { insertCalls } from '../lib/calls_fixtures.mjs';

let stack;
let admin;

before(async () => {
  stack = await Stack.start();
  admin = await stack.as('admin');
});

after(async () => {
  if (stack) await stack.stop();
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
  assert.ok(c.cookies.has('sb_flash'), 'the flash travels in a cookie');
  const first = await c.get('/login');
  assert.equal(first.status, 200);
  assert.match(first.body, /class="flash flash-ok"[^>]*>You have signed out\.</);
  assert.equal(c.cookies.has('sb_flash'), false, 'reading the flash clears it');
  const second = await c.get('/login');
  assert.doesNotMatch(second.body, /You have signed out/);
  // A forged flash cookie is ignored (it is signed).
  const forged = `ok.${Buffer.from('<b>Hacked</b>').toString('base64url')}.00000000000000000000000000000000`;
  const res = await stack.request('GET', '/login', { headers: { cookie: `sb_flash=${forged}` } });
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
