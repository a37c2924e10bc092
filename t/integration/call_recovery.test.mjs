// call_recovery.test.mjs — missed-webhook recovery: the periodic vapi_recovery job asks
// the (fake) Vapi for the calls created since the last one seen (GET /call with
// createdAtGt and limit, the org's Vapi API key as bearer, the org's base URL), pages
// through them, and ingests the ended ones the webhooks missed through the webhook
// events path: the analysis comes with them, and the webhook arriving too, before or
// after, applies nothing twice. Another org's calls and cursor are left alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';

const VAPI_SECRET = 'vapi-recovery-secret-0123456789';
const API_KEY = 'vapi-recovery-api-key-abcdef';
let stack, provider, orgId, otherId, adminKey, worker;

before(async () => {
  stack = await Stack.start({ workers: 2, config: '\njob_backoff_ms = 100\nworker_poll_s = 1\n' });
  provider = await startProvider();
  provider.vapi.apiKey = API_KEY;
  assert.equal(stack.cli(['org', 'set', 'demo', 'vapi_secret', 'vapi_api_key'], { input: `${VAPI_SECRET}\n${API_KEY}\n` }).status, 0);
  assert.equal(stack.cli(['org', 'set', 'demo', `vapi_base_url=${provider.url('')}`]).status, 0);
  assert.equal(stack.cli(['org', 'set', 'other', 'name=Other']).status, 0);
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherId = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  adminKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'recovery-admin', '--role', 'admin']).stdout.trim();
  worker = stack.startWorker();
  await waitFor(() => stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:vapi_recovery' AND status = 'done'`) === '1',
    { what: 'the first recovery run', timeoutMs: 30000 });
});

after(async () => {
  await provider?.close();
  await stack?.stop();
});

let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;
let clock = Date.now() - 30 * 60 * 1000;

// A Call object as GET /call lists it (Vapi's Call schema): ids, type, status,
// times, customer and number, the end reason, the analysis and the artifact.
function vapiCall(id, { status = 'ended', analysis, createdAt } = {}) {
  clock += 1000;
  const created = createdAt || new Date(clock).toISOString();
  const started = new Date(Date.parse(created) + 2000).toISOString();
  const c = {
    id,
    orgId: '4c1c52a4-0d0d-4c0e-9a43-1f1cf0a0e9a1',
    type: 'inboundPhoneCall',
    status,
    phoneCallProvider: 'twilio',
    phoneCallTransport: 'pstn',
    createdAt: created,
    updatedAt: started,
    startedAt: started,
    customer: { number: '+14155550177' },
    phoneNumber: { number: '+14155550199' },
    cost: 0.05,
  };
  if (status === 'ended') {
    c.endedAt = new Date(Date.parse(started) + 61000).toISOString();
    c.endedReason = 'assistant-ended-call';
    c.artifact = {
      messages: [{ role: 'bot', message: 'Hello from Acme.', time: Date.parse(started), secondsFromStart: 0.5 },
        { role: 'user', message: 'Please call me back.', time: Date.parse(started) + 3000, secondsFromStart: 3 }],
      transcript: 'AI: Hello from Acme.\nUser: Please call me back.\n',
    };
    c.analysis = analysis === undefined ? { summary: 'Asked for a call back.', structuredData: { sentiment: 0.7, actionItems: ['Call back'] }, successEvaluation: 'true' } : analysis;
    if (c.analysis === null) delete c.analysis;
  }
  return c;
}

// The end-of-call report the webhook would have brought for the same call.
function reportOf(c) {
  return {
    message: {
      timestamp: Date.parse(c.endedAt) + 500, type: 'end-of-call-report', endedReason: c.endedReason,
      call: { ...c, analysis: undefined, artifact: undefined }, startedAt: c.startedAt, endedAt: c.endedAt,
      durationSeconds: 61, analysis: c.analysis, artifact: c.artifact,
    },
  };
}

async function webhook(c) {
  const res = await stack.request('POST', '/webhooks/demo/vapi', {
    headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET }, body: JSON.stringify(reportOf(c)),
  });
  assert.equal(res.status, 200, res.body);
  const eid = res.json().data.event_id;
  await waitFor(() => stack.sql(`SELECT applied_at IS NOT NULL FROM webhook_events WHERE id = ${eid}`) === 't', { what: 'webhook applied' });
}

// Runs the recovery job now and waits for it and the events it stored to be applied.
async function recover() {
  const done = Number(stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:vapi_recovery' AND status = 'done'`));
  stack.sql(`UPDATE jobs SET run_at = now() WHERE unique_key = 'periodic:vapi_recovery' AND status = 'queued'`);
  await waitFor(() => Number(stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:vapi_recovery' AND status = 'done'`)) > done,
    { what: 'a recovery run', timeoutMs: 30000 });
  await waitFor(() => stack.sql(`SELECT count(*) FROM webhook_events WHERE applied_at IS NULL AND error IS NULL`) === '0',
    { what: 'recovered events applied' });
}

const row = (id) => stack.sql(`SELECT status || '|' || coalesce(sentiment_label, '') || '|' || action_items::text || '|' || ended_reason
  || '|' || duration_s FROM calls WHERE provider = 'vapi' AND provider_call_id = '${id}'`);
const events = (id) => Number(stack.sql(`SELECT count(*) FROM webhook_events WHERE call->>'provider_call_id' = '${id}'`));
const dayCount = () => Number(stack.sql(`SELECT coalesce(sum(n), 0) FROM call_rollup_days WHERE org_id = '${orgId}'`));

test('the job is listed on /admin/jobs with the other periodic jobs', async () => {
  const jobs = (await stack.api(adminKey, 'GET', '/api/v1/admin/jobs')).json().data.periodic;
  assert.ok(jobs.some((j) => j.kind === 'vapi_recovery'), JSON.stringify(jobs));
  const page = await (await stack.as('admin')).get('/admin/jobs');
  assert.match(page.body, /data-kind="vapi_recovery"/);
});

test('missed calls are recovered with their analysis; the bearer is the org key; the cursor moves', async () => {
  const a = vapiCall(uniq('missed'));
  const live = vapiCall(uniq('live'), { status: 'in-progress' });
  provider.vapi.calls.push(a, live);
  const before = provider.received.length;
  await recover();
  assert.equal(row(a.id), 'completed|positive|["Call back"]|assistant-ended-call|61');
  const d = (await stack.api(adminKey, 'GET', `/api/v1/calls/${stack.sql(`SELECT id FROM calls WHERE provider_call_id = '${a.id}'`)}`)).json().data;
  assert.equal(d.analysis_status, 'analysed');
  assert.equal(d.summary, 'Asked for a call back.');
  assert.equal(d.transcript.length, 2);
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${live.id}'`), '0', 'a call still going waits');
  const asked = provider.received.slice(before).filter((r) => r.path.startsWith('/call?'));
  assert.ok(asked.length >= 1);
  for (const r of asked) {
    assert.equal(r.headers.authorization, `Bearer ${API_KEY}`);
    assert.match(r.path, /createdAtGt=\d{4}-\d\d-\d\dT[\d:.]+Z/);
    assert.match(r.path, /limit=\d+/);
  }
  // The cursor stays before the call still going; once it ends, it is recovered.
  assert.equal(stack.sql(`SELECT vapi_recovered_until < '${live.createdAt}'::timestamptz FROM orgs WHERE id = '${orgId}'`), 't');
  live.status = 'ended';
  Object.assign(live, vapiCall(live.id, { createdAt: live.createdAt }));
  await recover();
  assert.match(row(live.id), /^completed\|positive/);
  const cursorMs = () => Number(stack.sql(`SELECT round(extract(epoch FROM vapi_recovered_until) * 1000) FROM orgs WHERE id = '${orgId}'`));
  assert.equal(cursorMs(), Date.parse(live.createdAt), `cursor ${cursorMs()} ${live.createdAt}`);
});

test('the webhook arriving after recovery applies nothing twice', async () => {
  const c = vapiCall(uniq('after'));
  provider.vapi.calls.push(c);
  await recover();
  const total = dayCount();
  const first = row(c.id);
  await webhook(c);
  assert.equal(row(c.id), first);
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${c.id}'`), '1');
  assert.equal(dayCount(), total, 'counted once');
  await recover(); // asked again: already complete, nothing stored
  assert.equal(events(c.id), 2);
});

test('the webhook arriving before recovery: recovery stores nothing for it', async () => {
  const c = vapiCall(uniq('before'));
  await webhook(c);
  const first = row(c.id);
  const total = dayCount();
  provider.vapi.calls.push(c);
  await recover();
  assert.equal(events(c.id), 1, 'recovery skipped a call its report was applied for');
  assert.equal(row(c.id), first);
  assert.equal(dayCount(), total);
  // A report without analysis gets it from recovery when Vapi has it by then.
  const late = vapiCall(uniq('late'));
  await webhook({ ...late, analysis: null });
  assert.match(row(late.id), /^completed\|\|\[\]/);
  provider.vapi.calls.push(late);
  await recover();
  assert.match(row(late.id), /^completed\|positive\|\["Call back"\]/);
});

test('pages through more calls than one page, newest first, and stops', async () => {
  const many = [];
  for (let i = 0; i < 230; i++) many.push(vapiCall(uniq('page'), { analysis: { structuredData: { sentiment: 'negative' } } }));
  provider.vapi.calls.push(...many);
  const before = provider.received.length;
  await recover();
  const n = Number(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id LIKE 'page-${process.pid}-%' AND sentiment_label = 'negative'`));
  assert.equal(n, 230);
  const asked = provider.received.slice(before).filter((r) => r.path.startsWith('/call?'));
  assert.ok(asked.length >= 3 && asked.length <= 4, `${asked.length} pages`);
  assert.ok(asked.slice(1).every((r) => /createdAtLe=/.test(r.path)), 'later pages go older');
});

test('a failing provider leaves the cursor; another org (no key) is not asked; its data untouched', async () => {
  const cursor = stack.sql(`SELECT vapi_recovered_until FROM orgs WHERE id = '${orgId}'`);
  const otherCalls = stack.sql(`SELECT count(*) FROM calls WHERE org_id = '${otherId}'`);
  const c = vapiCall(uniq('fail'));
  provider.vapi.calls.push(c);
  provider.vapi.fail = 503;
  await recover();
  assert.equal(stack.sql(`SELECT vapi_recovered_until FROM orgs WHERE id = '${orgId}'`), cursor);
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${c.id}'`), '0');
  provider.vapi.fail = null;
  provider.vapi.apiKey = 'another-key';
  await recover(); // 401: the key is wrong
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${c.id}'`), '0');
  provider.vapi.apiKey = API_KEY;
  await recover();
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${c.id}' AND org_id = '${orgId}'`), '1');
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE org_id = '${otherId}'`), otherCalls);
  assert.equal(stack.sql(`SELECT vapi_recovered_until IS NULL FROM orgs WHERE id = '${otherId}'`), 't');
  assert.equal(stack.sql(`SELECT count(*) FROM webhook_events WHERE org_id = '${otherId}'`), '0');
});

test('the base URL must be a public address unless the configuration relaxes it (last: changes the config)', async () => {
  await stack.stopWorker(worker);
  appendFileSync(stack.config, '\nrecording_url_allow_private = false\n');
  worker = stack.startWorker();
  const c = vapiCall(uniq('private'));
  provider.vapi.calls.push(c);
  const before = provider.hits('/call').length + provider.received.filter((r) => r.path.startsWith('/call?')).length;
  await recover();
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${c.id}'`), '0');
  assert.equal(provider.received.filter((r) => r.path.startsWith('/call?')).length + provider.hits('/call').length, before,
    'no request reached the private address');
  await waitFor(() => worker.logs().some((l) => /loopback, private or link-local/.test(JSON.stringify(l))),
    { what: 'the refusal in the worker log' });
});
