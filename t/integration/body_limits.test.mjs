// body_limits.test.mjs — only upload routes accept bodies past body_limit: a large
// multipart body to sign-in, a webhook or a JSON endpoint answers 413 before any of
// it is read or parsed, and the worker serves the next request as usual.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  stack = await Stack.start();
});

after(async () => {
  if (stack) await stack.stop();
});

/** A well-formed multipart body of about size bytes, one file part. */
function multipart(size) {
  const head = '--B\r\nContent-Disposition: form-data; name="email"\r\n\r\nx@example.test\r\n' +
    '--B\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n';
  return head + 'a'.repeat(size) + '\r\n--B--\r\n';
}

const MULTIPART = { 'content-type': 'multipart/form-data; boundary=B' };

for (const [what, path] of [['sign-in', '/login'], ['a webhook', '/webhooks/demo/vapi'], ['a JSON endpoint', '/api/v1/me/name']]) {
  test(`a 2 MiB multipart body to ${what} answers 413`, async () => {
    const res = await stack.request('POST', path, { headers: MULTIPART, body: multipart(2 * 1024 * 1024) });
    assert.equal(res.status, 413);
    assert.match(res.body, /too large/);
  });
}

test('a small multipart body is still read on an ordinary route', async () => {
  const res = await stack.request('POST', '/login', { headers: MULTIPART, body: multipart(100) });
  assert.notEqual(res.status, 413);
  assert.equal((await stack.request('GET', '/healthz')).status, 200);
});
