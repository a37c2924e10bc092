// commit_aborted.test.mjs — a request whose transaction was aborted by a failed
// statement never answers success. PostgreSQL answers COMMIT of such a transaction
// with the tag ROLLBACK (and no error), so a handler that ignores one statement's
// failure would otherwise report 200 for work that was thrown away. The webhook's
// bookkeeping UPDATE (webhook_events.applied_at) is such a statement; a test-only
// CHECK makes it fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

const VAPI_SECRET = 'vapi-test-secret-commit-0123456789';
let stack;

before(async () => {
  stack = await Stack.start({ workers: 1 });
  const r = stack.cli(['org', 'set', 'demo', 'vapi_secret'], { input: `${VAPI_SECRET}\n` });
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  if (stack) await stack.stop();
});

const statusUpdate = (id) => JSON.stringify({
  message: { type: 'status-update', status: 'in-progress',
    call: { id, type: 'inboundPhoneCall', customer: { number: '+14155550100' }, phoneNumber: { number: '+14155550199' } } },
});

const vapi = (id) => stack.request('POST', '/webhooks/demo/vapi', {
  headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET },
  body: statusUpdate(id),
});

const calls = (id) => Number(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${id}'`));

test('a failed statement whose error was ignored turns the answer into an error, not 200', async () => {
  // NOT VALID: existing rows are not checked, every later UPDATE that marks an event applied fails.
  stack.sql('ALTER TABLE webhook_events ADD CONSTRAINT sbt_never_applied CHECK (applied_at IS NULL) NOT VALID');
  try {
    const id = `aborted-${process.pid}`;
    const res = await vapi(id);
    assert.equal(res.status, 500, `the webhook answered ${res.status}: ${res.body}`);
    assert.equal(calls(id), 0, 'nothing was kept');
    assert.ok(stack.logs().some((l) => /COMMIT rolled back/.test(l.msg)), 'the rollback is logged');
  } finally {
    stack.sql('ALTER TABLE webhook_events DROP CONSTRAINT sbt_never_applied');
  }
  // the same event applies once the statement succeeds
  const id = `applied-${process.pid}`;
  const res = await vapi(id);
  assert.equal(res.status, 200, res.body);
  assert.equal(calls(id), 1);
});
