// nginx_hardening.test.mjs — the hardening of the rendered nginx config:
//   - no compression of the app's responses (BREACH: a page carries the CSRF token
//     beside reflected input), while static files stay compressed;
//   - Mozilla's "intermediate" TLS: TLSv1.2 with AEAD ECDHE suites only, TLSv1.3;
//   - limit_req on /webhooks/ (tight here so a short burst shows it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ workers: 2, stackEnv: { SB_WEBHOOK_RATE: '1r/s', SB_WEBHOOK_BURST: '3' } });
});

after(async () => {
  await stack?.stop();
});

test('pages and JSON from the app are never compressed; static files are', async () => {
  const admin = await stack.as('admin');
  const gz = { 'accept-encoding': 'gzip, deflate, br' };
  const page = await admin.get('/calls?name=x', { headers: gz });
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /text\/html/);
  assert.match(page.body, /name="csrf_token"/, 'the page carries the CSRF token');
  assert.ok(page.body.length > 1024, 'large enough that gzip would apply');
  assert.equal(page.headers['content-encoding'], undefined);

  for (const p of ['/', '/no-such-page', '/api/v1/calls?include_demo=true&limit=50', '/login']) {
    const res = await admin.get(p, { headers: gz });
    assert.equal(res.headers['content-encoding'], undefined, p);
  }

  const css = await stack.request('GET', '/static/css/app.css', { headers: gz });
  assert.equal(css.status, 200);
  assert.equal(css.headers['content-encoding'], 'gzip');
  assert.match(css.headers.vary || '', /Accept-Encoding/i);
});

function handshake(options) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port: stack.httpsPort, rejectUnauthorized: false, ...options });
    s.on('secureConnect', () => {
      const r = { ok: true, protocol: s.getProtocol(), cipher: s.getCipher().standardName };
      s.end();
      resolve(r);
    });
    s.on('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

test('TLS: Mozilla intermediate (TLSv1.2 AEAD ECDHE suites, TLSv1.3)', async () => {
  const t13 = await handshake({ minVersion: 'TLSv1.3' });
  assert.ok(t13.ok, t13.error);
  assert.equal(t13.protocol, 'TLSv1.3');

  for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
    const r = await handshake({ maxVersion: 'TLSv1.2', ciphers: cipher });
    assert.ok(r.ok, `${cipher}: ${r.error}`);
    assert.equal(r.protocol, 'TLSv1.2');
  }
  // CBC and SHA-1/SHA-2 MAC suites that nginx's default (HIGH:!aNULL:!MD5) would accept.
  for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256',
    'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-CCM']) {
    const r = await handshake({ maxVersion: 'TLSv1.2', ciphers: cipher });
    assert.equal(r.ok, false, `${cipher} must be refused (got ${r.cipher})`);
  }
  const old = await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  assert.equal(old.ok, false, 'TLS 1.0/1.1 refused');
});

test('webhooks are rate limited per address (429 past the burst)', async () => {
  const post = () => stack.request('POST', '/webhooks/demo/vapi', {
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const statuses = (await Promise.all(Array.from({ length: 12 }, post))).map((r) => r.status);
  const limited = statuses.filter((s) => s === 429).length;
  assert.ok(limited >= 6, `expected most of a 12-request burst over rate 1r/s burst 3 refused: ${statuses}`);
  assert.ok(statuses.some((s) => s !== 429), `the burst's first requests reach the app: ${statuses}`);
});
