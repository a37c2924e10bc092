// commit_aborted.test.mjs — a request whose transaction was aborted by a failed
// statement never answers success. PostgreSQL answers COMMIT of such a transaction
// with the tag ROLLBACK (and no error), so a handler that ignores one statement's
// failure would otherwise report 200 for work that was thrown away. A webhook's
// request runs a statement after storing its event (the NOTIFY that wakes the worker,
// in the same pipeline as the INSERT and COMMIT); with EXECUTE on pg_notify taken away
// for the test, that statement fails after the event was stored, and the answer must be
// an error with nothing kept. A pipeline's failure is logged under its first
// statement's name (webhook_store).
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

const events = (id) => Number(stack.sql(`SELECT count(*) FROM webhook_events WHERE body LIKE '%${id}%'`));

test('a statement that fails after the event was stored turns the answer into an error, and nothing is kept', async () => {
  stack.superSql('REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC');
  try {
    const id = `aborted-${process.pid}`;
    const res = await vapi(id);
    assert.equal(res.status, 500, `the webhook answered ${res.status}: ${res.body}`);
    assert.equal(events(id), 0, 'nothing was kept');
    assert.ok(stack.logs().some((l) => /sql webhook_store failed: 42501 permission denied for function pg_notify/.test(l.msg)), 'the failure is logged');
  } finally {
    stack.superSql('GRANT EXECUTE ON FUNCTION pg_notify(text, text) TO PUBLIC');
  }
  // the same event is stored once the statement succeeds
  const id = `aborted-${process.pid}`;
  const res = await vapi(id);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().data.status, 'accepted');
  assert.equal(events(id), 1);
});
