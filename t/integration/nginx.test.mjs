// nginx.test.mjs — what the rendered nginx config itself promises: HTTP/2 over TLS,
// limit_req on /login and /api/, recordings only through the app's X-Accel-Redirect, gzip
// of static files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import http2 from 'node:http2';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  // Tight limits so a short burst shows them (other suites use generous ones).
  stack = await Stack.start({
    workers: 2,
    stackEnv: { SB_LOGIN_RATE: '1r/s', SB_LOGIN_BURST: '3', SB_API_RATE: '1r/s', SB_API_BURST: '3' },
  });
});

after(async () => {
  await stack?.stop();
});

test('TLS offers HTTP/2 (ALPN h2) and pages are served over it', async () => {
  const alpn = await new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: stack.httpsPort, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] });
    s.on('secureConnect', () => {
      resolve(s.alpnProtocol);
      s.end();
    });
    s.on('error', reject);
  });
  assert.equal(alpn, 'h2');
  const client = http2.connect(`https://127.0.0.1:${stack.httpsPort}`, { rejectUnauthorized: false });
  try {
    const status = await new Promise((resolve, reject) => {
      const req = client.request({ ':path': '/login' });
      req.on('response', (h) => resolve(h[':status']));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    assert.equal(status, 200);
  } finally {
    client.close();
  }
});

test('limit_req answers 429 to a burst on /login and on /api/', async () => {
  for (const path of ['/login', '/api/v1/me']) {
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await stack.request('GET', path)).status);
    assert.ok(statuses.includes(429), `${path}: a burst over the limit is refused (${statuses.join(',')})`);
    assert.notEqual(statuses[0], 429, `${path}: the first request passes`);
  }
  // Other pages are not rate limited.
  const healthz = [];
  for (let i = 0; i < 12; i++) healthz.push((await stack.request('GET', '/healthz')).status);
  assert.deepEqual([...new Set(healthz)], [200]);
});

test('recordings are served only through the app: files are never reachable directly', async () => {
  const org = '00000000-0000-4000-8000-000000000001';
  const file = `${org}/00000000-0000-4000-8000-000000000002.wav`;
  // The internal location answers nothing to a direct request ...
  assert.equal((await stack.request('GET', `/internal/recordings/${file}`)).status, 404);
  // ... and /recordings/ goes to the app, which wants a valid signature.
  assert.equal((await stack.request('GET', `/recordings/${file}`)).status, 403);
  assert.equal((await stack.request('GET', `/recordings/${file}?expires=9999999999&sig=00`)).status, 403);
});

test('static files are gzip-compressed when the client accepts it', async () => {
  // (The app's own responses never are: t/integration/nginx_hardening.test.mjs.)
  const res = await stack.request('GET', '/static/css/app.css', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.match(res.headers.vary || '', /Accept-Encoding/i);
});
