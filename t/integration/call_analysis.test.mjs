// call_analysis.test.mjs — real (webhook-ingested) calls get their analysis from
// Vapi's end-of-call report: the summary, the success evaluation, and the sentiment
// and action items found under the org's structuredData keys (a label or a score in
// -1..1); a call whose report carries no analysis says "not analysed", never a guess.
// The sentiment filter, the sentiment counts and the call page work with such calls.
// A worker runs for the whole file; a test waits for its event to be applied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, waitFor } from '../lib/stack.mjs';

const VAPI_SECRET = 'vapi-analysis-secret-0123456789';
let stack, orgId, otherId, adminKey, otherKey;

before(async () => {
  stack = await Stack.start({ workers: 2, config: '\njob_backoff_ms = 100\nworker_poll_s = 1\n' });
  assert.equal(stack.cli(['org', 'set', 'demo', 'vapi_secret'], { input: `${VAPI_SECRET}\n` }).status, 0);
  assert.equal(stack.cli(['org', 'set', 'other', 'name=Other'], {}).status, 0);
  assert.equal(stack.cli(['org', 'set', 'other', 'vapi_secret'], { input: `${VAPI_SECRET}\n` }).status, 0);
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherId = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  adminKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'analysis-admin', '--role', 'admin']).stdout.trim();
  otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'analysis-other', '--role', 'admin']).stdout.trim();
  stack.startWorker();
});

after(async () => {
  await stack?.stop();
});

let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;

// An end-of-call report as Vapi sends it (server message "end-of-call-report"): the
// call, its times and reason, the artifact (messages, transcript, recording) and the
// analysis ({summary, structuredData, successEvaluation}) when the assistant's
// analysis plan produced one.
function endOfCallReport(id, analysis, { startedAt = new Date(Date.now() - 180000).toISOString() } = {}) {
  const endedAt = new Date(Date.parse(startedAt) + 125000).toISOString();
  const message = {
    timestamp: Date.parse(endedAt) + 900,
    type: 'end-of-call-report',
    endedReason: 'customer-ended-call',
    call: {
      id,
      orgId: '4c1c52a4-0d0d-4c0e-9a43-1f1cf0a0e9a1',
      type: 'inboundPhoneCall',
      status: 'ended',
      phoneCallProvider: 'twilio',
      phoneCallTransport: 'pstn',
      customer: { number: '+14155550142' },
      phoneNumber: { number: '+14155550199' },
      createdAt: startedAt,
      updatedAt: endedAt,
    },
    phoneNumber: { number: '+14155550199' },
    customer: { number: '+14155550142' },
    startedAt,
    endedAt,
    durationSeconds: 125,
    cost: 0.1123,
    artifact: {
      messages: [
        { role: 'system', message: 'You are the front desk.', time: Date.parse(startedAt), secondsFromStart: 0 },
        { role: 'bot', message: 'Hello, Acme front desk.', time: Date.parse(startedAt) + 1500, secondsFromStart: 1.5 },
        { role: 'user', message: 'I would like a quote for next week.', time: Date.parse(startedAt) + 4000, secondsFromStart: 4 },
      ],
      transcript: 'AI: Hello, Acme front desk.\nUser: I would like a quote for next week.\n',
    },
  };
  if (analysis !== undefined) message.analysis = analysis;
  return { message };
}

function post(slug, body) {
  return stack.request('POST', `/webhooks/${slug}/vapi`, {
    headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET },
    body: JSON.stringify(body),
  });
}

async function ingest(body, slug = 'demo') {
  const res = await post(slug, body);
  assert.equal(res.status, 200, res.body);
  const eid = res.json().data.event_id;
  await waitFor(() => stack.sql(`SELECT applied_at IS NOT NULL OR error IS NOT NULL FROM webhook_events WHERE id = ${eid}`) === 't',
    { what: `event ${eid} to be applied` });
  assert.equal(stack.sql(`SELECT coalesce(error, '') FROM webhook_events WHERE id = ${eid}`), '');
  return stack.sql(`SELECT id FROM calls WHERE provider = 'vapi' AND provider_call_id = '${body.message.call.id}'`);
}

const callJson = async (id, key = adminKey) => (await stack.api(key, 'GET', `/api/v1/calls/${id}`)).json().data;

test('a sentiment label and action items under the default keys; summary and success evaluation', async () => {
  const callId = uniq('label');
  const id = await ingest(endOfCallReport(callId, {
    summary: 'The caller asked for a quote for next week.',
    structuredData: { sentiment: 'Positive', actionItems: ['Send the quote', '  ', 42, 'Call back on Tuesday'] },
    successEvaluation: 'true',
  }));
  const d = await callJson(id);
  assert.equal(d.analysis_status, 'analysed');
  assert.equal(d.sentiment_label, 'positive');
  assert.equal(d.sentiment_score, null);
  assert.deepEqual(d.action_items, ['Send the quote', 'Call back on Tuesday']);
  assert.equal(d.summary, 'The caller asked for a quote for next week.');
  assert.equal(d.success_evaluation, 'true');

  const admin = await stack.as('admin');
  const page = await admin.get(`/calls/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /sentiment-positive/);
  assert.match(page.body, /<li>Send the quote<\/li>/);
  assert.match(page.body, /<li>Call back on Tuesday<\/li>/);
  assert.match(page.body, /id="success-evaluation">true</);
  assert.doesNotMatch(page.body, /Not analysed/);

  // The sentiment filter finds it, on the page and in the JSON list.
  const list = (await stack.api(adminKey, 'GET', `/api/v1/calls?sentiment=positive&limit=100`)).json().data;
  assert.ok(list.some((c) => c.id === id), 'filtered list has the call');
  const neg = (await stack.api(adminKey, 'GET', `/api/v1/calls?sentiment=negative&limit=100`)).json().data;
  assert.ok(!neg.some((c) => c.id === id));
  assert.match((await admin.get('/calls?sentiment=positive')).body, new RegExp(id));
});

test('a score in -1..1 maps to the labels; out of range or unknown is no sentiment (analysed)', async () => {
  const cases = [
    [-0.6, 'negative', -0.6], [0.1, 'neutral', 0.1], [0.8, 'positive', 0.8], ['-0.4', 'negative', -0.4],
    [1.5, null, null], ['happy', null, null], [null, null, null],
  ];
  for (const [value, label, score] of cases) {
    const id = await ingest(endOfCallReport(uniq('score'), { summary: 'Call.', structuredData: { sentiment: value } }));
    const d = await callJson(id);
    assert.equal(d.analysis_status, 'analysed', String(value));
    assert.equal(d.sentiment_label, label, String(value));
    if (score === null) assert.equal(d.sentiment_score, null, String(value));
    else assert.ok(Math.abs(d.sentiment_score - score) < 1e-6, `${value}: ${d.sentiment_score}`);
    assert.deepEqual(d.action_items, []);
  }
});

test('no analysis in the report: "not analysed", nothing guessed; the sentiment counts add up', async () => {
  const day = stack.sql(`SELECT (now() AT TIME ZONE timezone)::date FROM orgs WHERE id = '${orgId}'`);
  const counts = () => stack.sql(`SELECT coalesce(sum(sentiment_negative), 0) || '|' || coalesce(sum(sentiment_none), 0)
    FROM call_rollup_days WHERE org_id = '${orgId}' AND day = '${day}'`);
  const before = counts().split('|').map(Number);
  for (const analysis of [undefined, {}, { summary: '' }]) {
    const id = await ingest(endOfCallReport(uniq('none'), analysis));
    const d = await callJson(id);
    assert.equal(d.analysis_status, 'not_analysed', JSON.stringify(analysis));
    assert.equal(d.sentiment_label, null);
    assert.equal(d.sentiment_score, null);
    assert.deepEqual(d.action_items, []);
    assert.equal(d.success_evaluation, null);
    const page = await (await stack.as('viewer')).get(`/calls/${id}`);
    assert.match(page.body, /id="not-analysed">Not analysed</);
    assert.doesNotMatch(page.body, /class="sentiment sentiment-/);
  }
  await ingest(endOfCallReport(uniq('neg'), { structuredData: { sentiment: 'negative' } }));
  await waitFor(() => {
    const after = counts().split('|').map(Number);
    return after[0] === before[0] + 1 && after[1] === before[1] + 3;
  }, { what: 'the day rollup to count 1 negative and 3 without sentiment' });
});

test('a status update after the report keeps the analysis; a later report replaces it', async () => {
  const callId = uniq('order');
  const id = await ingest(endOfCallReport(callId, { structuredData: { sentiment: 'negative', actionItems: ['Refund'] } }));
  await ingest({ message: { type: 'status-update', status: 'ended', call: { id: callId, type: 'inboundPhoneCall' } } });
  let d = await callJson(id);
  assert.equal(d.sentiment_label, 'negative');
  assert.deepEqual(d.action_items, ['Refund']);
  await ingest(endOfCallReport(callId, { structuredData: { sentiment: 'neutral', actionItems: [] } }));
  d = await callJson(id);
  assert.equal(d.sentiment_label, 'neutral');
  assert.deepEqual(d.action_items, []);
});

test('the org setting names the keys (page and JSON); bad keys are refused; another org keeps its own', async () => {
  const admin = await stack.as('admin');
  const page = await admin.get('/admin/settings');
  assert.match(page.body, /name="call_sentiment_key"[^>]*value="sentiment"/);
  assert.match(page.body, /name="call_action_items_key"[^>]*value="actionItems"/);
  assert.match(page.body, /name="vapi_base_url"[^>]*value="https:\/\/api.vapi.ai"/);

  const bad = await stack.api(adminKey, 'PATCH', '/api/v1/admin/settings', { call_sentiment_key: 'has space', call_action_items_key: '' });
  assert.equal(bad.status, 400, bad.body);
  const fields = bad.json().error.fields;
  assert.ok(fields.call_sentiment_key && fields.call_action_items_key, bad.body);
  const form = await admin.post('/admin/settings', { call_sentiment_key: 'bad key!', name: 'Demo', timezone: stack.sql(`SELECT timezone FROM orgs WHERE id = '${orgId}'`) });
  assert.equal(form.status, 400);
  assert.match(form.body, /value="bad key!"/);

  const ok = await stack.api(adminKey, 'PATCH', '/api/v1/admin/settings', { call_sentiment_key: 'mood', call_action_items_key: 'follow_ups' });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json().data.call_sentiment_key, 'mood');
  assert.equal(ok.json().data.call_action_items_key, 'follow_ups');
  assert.equal((await stack.api(otherKey, 'GET', '/api/v1/admin/settings')).json().data.call_sentiment_key, 'sentiment');

  const analysis = { structuredData: { mood: 'negative', follow_ups: ['Escalate'], sentiment: 'positive', actionItems: ['Wrong'] } };
  const mine = await callJson(await ingest(endOfCallReport(uniq('keys'), analysis)));
  assert.equal(mine.sentiment_label, 'negative');
  assert.deepEqual(mine.action_items, ['Escalate']);
  const theirs = await callJson(await ingest(endOfCallReport(uniq('keys-other'), analysis), 'other'), otherKey);
  assert.equal(theirs.sentiment_label, 'positive');
  assert.deepEqual(theirs.action_items, ['Wrong']);
  assert.equal((await stack.api(adminKey, 'GET', `/api/v1/calls/${theirs.id}`)).status, 404);
  assert.match(stack.sql(`SELECT detail::text FROM audit_log WHERE org_id = '${orgId}' AND action = 'org.settings_update' ORDER BY id DESC LIMIT 1`),
    /call_sentiment_key/);
  assert.equal((await stack.api(adminKey, 'PATCH', '/api/v1/admin/settings', { call_sentiment_key: 'sentiment', call_action_items_key: 'actionItems' })).status, 200);
  assert.ok(otherId);
});
