// slow_requests.test.mjs — a request slower than slow_request_ms is logged a second
// time with each of its round trips to the database (docs/OPERATIONS.md "Logs").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, waitFor } from '../lib/stack.mjs';

let stack;
let admin;

before(async () => {
  stack = await Stack.start({ workers: 2, config: 'slow_request_ms = 200\n' });
  admin = await stack.as('admin');
});

after(async () => {
  if (stack) await stack.stop();
});

// Every signed-in request reads the auth epoch (sql/0055), remembered session or not,
// so a lock on it holds any request back.
test('a slow request is logged with the name, size and time of each round trip', async () => {
  const lock = await stack.holdLock('auth_epoch');
  const pending = admin.get('/api/v1/me', { timeoutMs: 20000 });
  await waitFor(() => lock.waiters() >= 1, { what: 'the request to wait on the lock' });
  // It has waited at least this long once the lock goes: well over the 200 ms threshold.
  await waitFor(() => lock.waitedMs(400), { what: 'the request to have waited 400 ms' });
  await lock.release();
  const res = await pending;
  assert.equal(res.status, 200);
  const id = res.headers['x-request-id'];
  assert.ok(id, 'the response names its request id');

  const slow = await waitFor(() => stack.logs().find((l) => l.msg === 'slow request' && l.request_id === id),
    { what: 'the slow-request line' });
  assert.equal(slow.level, 'warn');
  assert.equal(slow.route, 'api_me');
  assert.equal(slow.status, 200);
  assert.equal(slow.threshold_ms, 200);
  assert.ok(slow.duration_ms >= 400, `duration ${slow.duration_ms} ms`);
  assert.ok(Array.isArray(slow.sql) && slow.sql.length >= 1, 'round trips listed');
  for (const t of slow.sql) {
    assert.match(t.statement, /^[A-Za-z_][A-Za-z0-9_ ]*$/, `a statement name, not SQL with values: ${t.statement}`);
    assert.ok(t.statements >= 1 && t.ms >= 0);
  }
  assert.ok(slow.sql.some((t) => t.ms >= 400), 'the round trip that waited on the lock shows its wait');
  const listed = slow.sql.reduce((sum, t) => sum + t.ms, 0);
  assert.ok(Math.abs(listed - slow.db_ms) < 0.01 * slow.sql.length + 0.01, `round trips ${listed} ms = db ${slow.db_ms} ms`);
  assert.equal(slow.sql_not_listed, 0);
  // the ordinary request line is there too (written after the slow one)
  await waitFor(() => stack.logs().some((l) => l.msg === 'request' && l.request_id === id), { what: 'the request line' });
});

test('slow_request_ms = 0 turns the slow-request line off', async () => {
  await stack.stopServe();
  await stack.restartServe({ SWITCHBOARD_SLOW_REQUEST_MS: '0' });
  const lock = await stack.holdLock('auth_epoch');
  const pending = admin.get('/api/v1/me', { timeoutMs: 20000 });
  await waitFor(() => lock.waitedMs(400), { what: 'the request to have waited 400 ms' });
  await lock.release();
  const res = await pending;
  assert.equal(res.status, 200);
  const id = res.headers['x-request-id'];
  await waitFor(() => stack.logs().some((l) => l.msg === 'request' && l.request_id === id), { what: 'the request line' });
  assert.ok(!stack.logs().some((l) => l.msg === 'slow request' && l.request_id === id));
});
