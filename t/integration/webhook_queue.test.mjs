// webhook_queue.test.mjs — a webhook is answered once its raw event is stored, and
// `switchboard worker` applies stored events in batches: durable before it is applied,
// applied once however often it arrives, nothing half-done after a 5xx, a bad event
// failing alone, out-of-order events converging, a batch of known and new calls, the
// call's page and API showing the event, events waiting while the worker is down, and
// the top-numbers blocks brought up to date after the batches that touched them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, waitFor } from '../lib/stack.mjs';

const VAPI_SECRET = 'vapi-queue-secret-0123456789';
let stack, orgId, worker;

before(async () => {
  stack = await Stack.start({ workers: 2, config: '\nworker_poll_s = 1\n' });
  const r = stack.cli(['org', 'set', 'demo', 'vapi_secret'], { input: `${VAPI_SECRET}\n` });
  assert.equal(r.status, 0, r.stderr);
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
});

after(async () => {
  await stack?.stop();
});

let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;

const vapi = (body) => stack.request('POST', '/webhooks/demo/vapi', {
  headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const statusUpdate = (id, status) => ({
  message: { type: 'status-update', status, call: { id, type: 'inboundPhoneCall', customer: { number: '+14155550100' } } },
});

const report = (id, { startedAt = '2026-03-01T10:00:00.000Z', endedAt = '2026-03-01T10:02:05.000Z',
  number = '+14155550123' } = {}) => ({
  message: {
    type: 'end-of-call-report',
    call: { id, type: 'inboundPhoneCall', customer: { number } },
    startedAt,
    endedAt,
    endedReason: 'customer-ended-call',
    artifact: { messages: [{ role: 'user', message: `Hello from ${id}`, secondsFromStart: 1 }] },
    analysis: { summary: `Summary of ${id}` },
  },
});

const accepted = (res) => {
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().data.status, 'accepted', res.body);
  return res.json().data.event_id;
};

const eventState = (eventId) => stack.sql(`SELECT CASE WHEN applied_at IS NOT NULL THEN 'applied'
  WHEN error IS NOT NULL THEN 'failed' ELSE 'pending' END FROM webhook_events WHERE id = ${eventId}`);
const waitSettled = (eventId) => waitFor(() => eventState(eventId) !== 'pending', { what: `event ${eventId} to be settled` });
const callRow = (id) => stack.sql(`SELECT status || '|' || duration_s || '|' || summary FROM calls WHERE provider_call_id = '${id}'`);
const count = (q) => Number(stack.sql(`SELECT count(*) FROM ${q}`));
const rollupCalls = () => Number(stack.sql(`SELECT coalesce(sum(n), 0) FROM call_rollup_days WHERE org_id = '${orgId}'`));

// One worker at a time, so that its log is the one that applied the events.
function startWorker() {
  worker ||= stack.startWorker();
}
async function stopWorker() {
  if (worker) await stack.stopWorker(worker);
  worker = null;
}

test('while the worker is down, an answered event is stored and waits; the worker applies it when it comes back', async () => {
  await stopWorker();
  const ids = [uniq('wait'), uniq('wait'), uniq('wait')];
  const events = [];
  for (const id of ids) events.push(accepted(await vapi(report(id))));
  // Answered means committed: every event is there, pending, and no call exists yet.
  for (const e of events) assert.equal(eventState(e), 'pending');
  for (const id of ids) assert.equal(count(`calls WHERE provider_call_id = '${id}'`), 0);
  const rollups = rollupCalls();
  startWorker();
  for (const e of events) await waitSettled(e);
  for (const e of events) assert.equal(eventState(e), 'applied');
  for (const id of ids) assert.equal(callRow(id), `completed|125|Summary of ${id}`);
  assert.equal(rollupCalls(), rollups + 3, 'the rollups count each call once');
});

test('the same event posted twice, and concurrently, is stored once and applied once', async () => {
  startWorker();
  const id = uniq('twice');
  const body = JSON.stringify(report(id));
  const rollups = rollupCalls();
  const answers = await Promise.all(Array.from({ length: 8 }, () => vapi(body)));
  for (const a of answers) assert.equal(a.status, 200, a.body);
  const outcomes = answers.map((a) => a.json().data.status).sort();
  assert.deepEqual(outcomes, ['accepted', ...Array(7).fill('duplicate')]);
  const eventId = answers.find((a) => a.json().data.status === 'accepted').json().data.event_id;
  await waitSettled(eventId);
  const updated = stack.sql(`SELECT updated_at FROM calls WHERE provider_call_id = '${id}'`);
  const again = await vapi(body);
  assert.equal(again.json().data.status, 'duplicate');
  // A later event waits behind nothing: once it is applied, the duplicate surely was not.
  await waitSettled(accepted(await vapi(report(uniq('after')))));
  assert.equal(count(`webhook_events WHERE body LIKE '%${id}%'`), 1);
  assert.equal(count(`calls WHERE provider_call_id = '${id}'`), 1);
  assert.equal(stack.sql(`SELECT updated_at FROM calls WHERE provider_call_id = '${id}'`), updated);
  assert.equal(rollupCalls(), rollups + 2);
});

test('a 5xx while storing leaves nothing behind, and the provider\'s retry is applied', async () => {
  startWorker();
  const id = uniq('fail-store');
  stack.superSql(`CREATE FUNCTION test_refuse_store() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.body LIKE '%fail-store%' THEN RAISE EXCEPTION 'storage refused'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER test_refuse_store BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION test_refuse_store();`);
  let res;
  try {
    res = await vapi(report(id));
  } finally {
    stack.superSql('DROP TRIGGER test_refuse_store ON webhook_events; DROP FUNCTION test_refuse_store();');
  }
  assert.ok(res.status >= 500, `${res.status} ${res.body}`);
  assert.equal(count(`webhook_events WHERE body LIKE '%${id}%'`), 0);
  assert.equal(count(`calls WHERE provider_call_id = '${id}'`), 0);
  // The pool worker that answered the 5xx serves the next requests as before (its
  // failed transaction was rolled back, not left open): one of the two workers takes
  // each of these, so a worker left broken would most likely answer one of them 500.
  for (let i = 0; i < 6; i++) accepted(await vapi(report(uniq('after-fail'))));
  const retry = accepted(await vapi(report(id)));
  await waitSettled(retry);
  assert.equal(eventState(retry), 'applied');
  assert.equal(callRow(id), `completed|125|Summary of ${id}`);
});

test('an event the database refuses fails alone: the rest of its batch is applied, and it is not retried', async () => {
  await stopWorker();
  const good1 = uniq('good');
  const bad = uniq('bad');
  const good2 = uniq('good');
  const e1 = accepted(await vapi(report(good1)));
  // Well-formed, but a call cannot end before it started (calls_ended_at check).
  const eb = accepted(await vapi(report(bad, { startedAt: '2026-03-01T10:05:00Z', endedAt: '2026-03-01T10:00:00Z' })));
  const e2 = accepted(await vapi(report(good2)));
  startWorker();
  for (const e of [e1, eb, e2]) await waitSettled(e);
  assert.equal(eventState(e1), 'applied');
  assert.equal(eventState(e2), 'applied');
  assert.equal(eventState(eb), 'failed');
  assert.match(stack.sql(`SELECT error FROM webhook_events WHERE id = ${eb}`), /check constraint/);
  assert.equal(count(`calls WHERE provider_call_id IN ('${good1}', '${good2}')`), 2);
  assert.equal(count(`calls WHERE provider_call_id = '${bad}'`), 0);
  // Reported in the worker's log; later batches leave it alone: it stays failed, and
  // is reported once (the line of a later event shows the log has been read past it).
  const error = stack.sql(`SELECT error FROM webhook_events WHERE id = ${eb}`);
  const lines = (what) => worker.logs().filter((l) => l.msg === what);
  await waitFor(() => lines(`webhook event ${eb} not applied: ${error}`).length > 0, { what: 'the failure in the log' });
  const later = accepted(await vapi(report(uniq('later'), { startedAt: '2026-03-01T11:00:00Z', endedAt: '2026-03-01T10:00:00Z' })));
  await waitFor(() => eventState(later) === 'failed' && lines(`webhook event ${later} not applied: ${error}`).length > 0,
    { what: 'a later failure in the log' });
  assert.equal(eventState(eb), 'failed');
  assert.equal(lines(`webhook event ${eb} not applied: ${error}`).length, 1);
});

test('out-of-order events converge, applied in one batch or one by one', async () => {
  await stopWorker();
  const inBatch = uniq('order');
  const oneByOne = uniq('order');
  // The report, then late status updates: all waiting, then applied in one batch.
  const batch = [];
  batch.push(accepted(await vapi(report(inBatch))));
  batch.push(accepted(await vapi(statusUpdate(inBatch, 'ringing'))));
  batch.push(accepted(await vapi(statusUpdate(inBatch, 'in-progress'))));
  startWorker();
  for (const e of batch) await waitSettled(e);
  // The same events, each applied before the next arrives.
  for (const body of [statusUpdate(oneByOne, 'in-progress'), report(oneByOne), statusUpdate(oneByOne, 'ringing')])
    await waitSettled(accepted(await vapi(body)));
  assert.equal(callRow(inBatch), `completed|125|Summary of ${inBatch}`);
  assert.equal(callRow(oneByOne), `completed|125|Summary of ${oneByOne}`);
  const numbers = (id) => stack.sql(`SELECT from_number || '|' || started_at FROM calls WHERE provider_call_id = '${id}'`);
  assert.equal(numbers(inBatch), numbers(oneByOne).replace(oneByOne, inBatch));
});

test('a batch with a known call and a new one updates the first and creates the second', async () => {
  // The batch's new calls are inserted and, only when the batch names calls that
  // already exist, those are updated (sql/0058): both halves in one batch here.
  startWorker();
  const known = uniq('mixed');
  const fresh = uniq('mixed');
  await waitSettled(accepted(await vapi(statusUpdate(known, 'ringing'))));
  assert.equal(callRow(known), 'ringing|0|');
  await stopWorker();
  const batch = [accepted(await vapi(report(known))), accepted(await vapi(report(fresh)))];
  startWorker();
  for (const e of batch) await waitSettled(e);
  for (const e of batch) assert.equal(eventState(e), 'applied');
  assert.equal(callRow(known), `completed|125|Summary of ${known}`);
  assert.equal(callRow(fresh), `completed|125|Summary of ${fresh}`);
  assert.equal(count(`calls WHERE provider_call_id IN ('${known}', '${fresh}')`), 2);
});

test('the call\'s page and its JSON show the event once the worker applied it', async () => {
  startWorker();
  const id = uniq('shown');
  accepted(await vapi(report(id)));
  const viewer = await stack.as('viewer');
  let callId = '';
  await waitFor(async () => {
    callId = stack.sql(`SELECT id FROM calls WHERE provider_call_id = '${id}'`);
    if (!callId) return false;
    const res = await viewer.get(`/api/v1/calls/${callId}`);
    return res.status === 200 && res.json().data.status === 'completed';
  }, { what: 'the call in the API' });
  const d = (await viewer.get(`/api/v1/calls/${callId}`)).json().data;
  assert.equal(d.duration_s, 125);
  assert.deepEqual(d.transcript.map((l) => l.text), [`Hello from ${id}`]);
  const page = await viewer.get(`/calls/${callId}`);
  assert.equal(page.status, 200);
  assert.match(page.body, new RegExp(`Hello from ${id}`));
});

test('a number that called twice gets its top-numbers blocks after the batch, as a repair computes them', async () => {
  startWorker();
  const number = `+1415${String(process.pid % 1000).padStart(3, '0')}${String(++seq).padStart(4, '0')}`;
  const ids = [uniq('blocks'), uniq('blocks')];
  const events = [];
  for (const id of ids) events.push(accepted(await vapi(report(id, { number }))));
  for (const e of events) await waitSettled(e);
  for (const e of events) assert.equal(eventState(e), 'applied');
  // New calls' ids are time-ordered (UUID version 7).
  for (const id of ids) assert.equal(stack.sql(`SELECT substr(id::text, 15, 1) FROM calls WHERE provider_call_id = '${id}'`), '7');
  const due = () => count(`call_number_blocks_due WHERE org_id = '${orgId}' AND number = '${number}'`);
  const blocks = () => stack.sql(`SELECT string_agg(level || ':' || block || ':' || n || ':' || days::text || ':' || counts::text,
    ',' ORDER BY level, block) FROM call_rollup_number_blocks WHERE org_id = '${orgId}' AND number = '${number}'`);
  await waitFor(() => due() === 0 && blocks() !== '', { what: 'the blocks of the number' });
  const refreshed = blocks();
  assert.match(refreshed, /^1:\d+:2:/, 'the one-day block counts both calls');
  const day = stack.sql(`SELECT (c.started_at AT TIME ZONE o.timezone)::date FROM calls c JOIN orgs o ON o.id = c.org_id
    WHERE c.provider_call_id = '${ids[0]}'`);
  stack.sql(`SELECT sb_call_rollups_repair_day('${orgId}', '${day}')`);
  assert.equal(blocks(), refreshed);
});
