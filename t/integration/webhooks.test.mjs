// webhooks.test.mjs — Vapi and Twilio webhooks: signatures (forged or missing →
// nothing stored), raw events stored and answered, then applied by the worker
// idempotently and order-safely, malformed bodies → 400, and an end-of-call report
// whose recording the worker downloads from the fake provider into recordings_dir.
// A worker runs for the whole file; a test waits for its event to be applied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';

const VAPI_SECRET = 'vapi-test-secret-0123456789';
const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_TOKEN = 'twilio-token-0123456789abcdef0123';
let stack, provider, orgId;

before(async () => {
  stack = await Stack.start({ workers: 2, config: '\njob_backoff_ms = 100\nworker_poll_s = 1\n' });
  provider = await startProvider();
  const r = stack.cli(['org', 'set', 'demo', 'vapi_secret', 'twilio_account_sid', 'twilio_auth_token'],
    { input: `${VAPI_SECRET}\n${TWILIO_SID}\n${TWILIO_TOKEN}\n` });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(stack.cli(['org', 'set', 'other', 'name=Other']).status, 0);
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  stack.startWorker();
});

after(async () => {
  await provider?.close();
  await stack?.stop();
});

let seq = 0;
const uniq = (p) => `${p}-${process.pid}-${++seq}`;

function vapi(body, { secret = VAPI_SECRET, slug = 'demo', raw } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (secret !== null) headers['x-vapi-secret'] = secret;
  return stack.request('POST', `/webhooks/${slug}/vapi`, { headers, body: raw ?? JSON.stringify(body) });
}

// Waits until the worker has settled (applied or refused) the event a 200 answer names.
async function settled(res) {
  assert.equal(res.status, 200, res.body);
  const id = res.json().data.event_id;
  assert.ok(id, res.body);
  await waitFor(() => stack.sql(`SELECT applied_at IS NOT NULL OR error IS NOT NULL FROM webhook_events WHERE id = ${id}`) === 't',
    { what: `event ${id} to be applied` });
  return res;
}
const applied = async (res) => settled(await res);

function twilioSignature(token, url, params) {
  let s = url;
  for (const k of Object.keys(params).sort()) s += k + params[k];
  return createHmac('sha1', token).update(s).digest('base64');
}

function twilio(params, opts = {}) {
  const { slug = 'demo', token = TWILIO_TOKEN } = opts;
  const urlPath = `/webhooks/${slug}/twilio/voice-status`;
  const sig = 'signature' in opts ? opts.signature : twilioSignature(token, `https://127.0.0.1:${stack.httpsPort}${urlPath}`, params);
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (sig !== null) headers['x-twilio-signature'] = sig;
  return stack.request('POST', urlPath, { headers, body: new URLSearchParams(params).toString() });
}

const call = (provider, id) =>
  stack.sql(`SELECT status || '|' || direction || '|' || from_number || '|' || to_number || '|' || duration_s
             || '|' || recording_status FROM calls WHERE provider = '${provider}' AND provider_call_id = '${id}'`);
const count = (q) => Number(stack.sql(`SELECT count(*) FROM ${q}`));

const statusUpdate = (id, status, type = 'inboundPhoneCall') => ({
  message: { type: 'status-update', status, call: { id, type, customer: { number: '+14155550100' }, phoneNumber: { number: '+14155550199' } } },
});

function report(id, recordingUrl) {
  return {
    message: {
      type: 'end-of-call-report',
      call: { id, type: 'outboundPhoneCall', customer: { number: '+14155550123' } },
      startedAt: '2026-03-01T10:00:00.000Z',
      endedAt: '2026-03-01T10:02:05.000Z',
      endedReason: 'customer-ended-call',
      artifact: {
        recordingUrl,
        messages: [
          { role: 'system', message: 'You are a helpful agent.', secondsFromStart: 0 },
          { role: 'bot', message: 'Hello, this is Acme.', secondsFromStart: 1.5 },
          { role: 'user', message: 'Hi, I need help with my order.', secondsFromStart: 3.25 },
          { role: 'tool_calls', message: 'ignored', secondsFromStart: 4 },
        ],
      },
      analysis: { summary: 'Customer asked about an order.' },
    },
  };
}

test('Vapi status-update creates the call; status moves forward', async () => {
  const id = uniq('vapi');
  const res = await applied(vapi(statusUpdate(id, 'ringing')));
  assert.equal(res.json().data.status, 'accepted');
  assert.equal(call('vapi', id), 'ringing|inbound|+14155550100|+14155550199|0|none');
  await applied(vapi(statusUpdate(id, 'in-progress')));
  assert.equal(call('vapi', id).split('|')[0], 'in_progress');
  assert.equal(count(`webhook_events WHERE org_id = '${orgId}' AND body LIKE '%${id}%' AND applied_at IS NOT NULL`), 2);
});

test('an end-of-call report completes the call; the worker stores its recording', async () => {
  const id = uniq('vapi');
  const recPath = `/rec/${id}.wav`;
  await applied(vapi(report(id, provider.url(recPath))));
  const row = stack.sql(`SELECT id || '|' || status || '|' || direction || '|' || to_number || '|' || duration_s || '|'
    || ended_reason || '|' || summary || '|' || (recording_status IN ('pending', 'stored')) FROM calls WHERE provider_call_id = '${id}'`).split('|');
  const callId = row[0];
  assert.deepEqual(row.slice(1), ['completed', 'outbound', '+14155550123', '125', 'customer-ended-call',
    'Customer asked about an order.', 'true']);
  const transcript = JSON.parse(stack.sql(`SELECT transcript FROM calls WHERE id = '${callId}'`));
  assert.deepEqual(transcript, [
    { t_ms: 0, speaker: 'system', text: 'You are a helpful agent.', confidence: 1 },
    { t_ms: 1500, speaker: 'agent', text: 'Hello, this is Acme.', confidence: 1 },
    { t_ms: 3250, speaker: 'caller', text: 'Hi, I need help with my order.', confidence: 1 },
  ]);
  assert.equal(count(`jobs WHERE kind = 'recording_download' AND payload->>'call_id' = '${callId}'`), 1);
  await waitFor(() => stack.sql(`SELECT recording_status FROM calls WHERE id = '${callId}'`) === 'stored', { what: 'the recording to be stored' });
  const stored = stack.sql(`SELECT recording_path || '|' || recording_bytes || '|' || recording_content_type FROM calls WHERE id = '${callId}'`);
  assert.equal(stored, `${orgId}/${callId}.wav|${provider.audio.length}|audio/wav`);
  const file = readFileSync(path.join(stack.dir, 'recordings', orgId, `${callId}.wav`));
  assert.ok(file.equals(provider.audio));
  assert.equal(stack.sql(`SELECT status FROM jobs WHERE payload->>'call_id' = '${callId}'`), 'done');
});

test('a recording URL outside recording_url_hosts: the call is applied, nothing is queued', async () => {
  for (const url of ['https://evil.example/rec.wav', 'ftp://127.0.0.1/rec.wav', 'https://storage.vapi.ai@evil.example/x.wav']) {
    const id = uniq('vapi');
    const res = await applied(vapi(report(id, url)));
    assert.equal(res.json().data.status, 'accepted');
    const [callId, status, recording] = stack.sql(`SELECT id || '|' || status || '|' || recording_status FROM calls
      WHERE provider_call_id = '${id}'`).split('|');
    assert.deepEqual([status, recording], ['completed', 'none'], url);
    assert.equal(count(`jobs WHERE payload->>'call_id' = '${callId}'`), 0, `${url}: no download job`);
    assert.equal(count(`webhook_events WHERE body LIKE '%${id}%' AND applied_at IS NOT NULL`), 1, 'the raw event is kept');
  }
  const warned = stack.logs().filter((l) => /^webhook: recording of vapi call .* not downloaded: /.test(l.msg));
  assert.ok(warned.some((l) => /host 'evil\.example' is not in recording_url_hosts/.test(l.msg)), 'the reason is logged');
  assert.ok(warned.every((l) => !l.msg.includes('rec.wav')), 'the URL itself is not logged');
});

test("a host in the org's own recording download hosts is downloaded though recording_url_hosts lacks it", async () => {
  stack.sql("UPDATE orgs SET recording_download_hosts = 'localhost' WHERE slug = 'demo'");
  try {
    const id = uniq('vapi');
    await applied(vapi(report(id, provider.url(`/rec/${id}.wav`).replace('127.0.0.1', 'localhost'))));
    await waitFor(() => stack.sql(`SELECT recording_status FROM calls WHERE provider_call_id = '${id}'`) === 'stored', { what: 'the recording' });
    const other = uniq('vapi');
    await applied(vapi(report(other, 'https://elsewhere.example/x.wav')));
    const otherId = stack.sql(`SELECT id FROM calls WHERE provider_call_id = '${other}'`);
    assert.equal(count(`jobs WHERE payload->>'call_id' = '${otherId}'`), 0, 'a host in neither list: no job');
  } finally {
    stack.sql("UPDATE orgs SET recording_download_hosts = '' WHERE slug = 'demo'");
  }
});

test('the same event twice: acknowledged, stored once, nothing changes', async () => {
  const id = uniq('vapi');
  const body = report(id, provider.url(`/rec/${id}.wav`));
  await applied(vapi(body));
  await waitFor(() => stack.sql(`SELECT recording_status FROM calls WHERE provider_call_id = '${id}'`) === 'stored', { what: 'the recording' });
  const before = stack.sql(`SELECT updated_at FROM calls WHERE provider_call_id = '${id}'`);
  const res = await vapi(body);
  assert.equal(res.status, 200);
  assert.equal(res.json().data.status, 'duplicate');
  assert.equal(stack.sql(`SELECT updated_at FROM calls WHERE provider_call_id = '${id}'`), before);
  assert.equal(count(`webhook_events WHERE body LIKE '%${id}%'`), 1);
  assert.equal(count(`calls WHERE provider_call_id = '${id}'`), 1);
  assert.equal(count(`jobs j JOIN calls c ON c.id::text = j.payload->>'call_id' WHERE c.provider_call_id = '${id}'`), 1);
});

test('out of order: a late ringing never moves a completed call back', async () => {
  const id = uniq('vapi');
  await applied(vapi(statusUpdate(id, 'ended')));
  await applied(vapi(statusUpdate(id, 'ringing')));
  assert.equal(call('vapi', id).split('|')[0], 'completed');
  // The report after 'ended' still brings its data in.
  await applied(vapi(report(id)));
  assert.equal(stack.sql(`SELECT status || '|' || summary FROM calls WHERE provider_call_id = '${id}'`), 'completed|Customer asked about an order.');
});

test('other Vapi message types are stored and acknowledged', async () => {
  const res = await vapi({ message: { type: 'speech-update', status: 'started', role: 'user', call: { id: uniq('x') } } });
  assert.equal(res.status, 200);
  assert.equal(res.json().data.status, 'ignored');
  assert.equal(count(`webhook_events WHERE kind = 'speech-update'`), 1);
});

test('forged or missing signatures → 403 and nothing stored', async () => {
  stack.sql('DELETE FROM audit_caps');
  const audited = count(`audit_log WHERE action = 'webhook.signature_invalid'`);
  const before = [count('webhook_events'), count('calls')];
  const id = uniq('forged');
  assert.equal((await vapi(statusUpdate(id, 'ringing'), { secret: 'wrong' })).status, 403);
  assert.equal((await vapi(statusUpdate(id, 'ringing'), { secret: null })).status, 403);
  const params = { CallSid: id, CallStatus: 'ringing', From: '+14155550100', To: '+14155550199', Direction: 'inbound' };
  assert.equal((await twilio(params, { token: 'not-the-token' })).status, 403);
  assert.equal((await twilio(params, { signature: null })).status, 403);
  // Signed for other parameters, or for another org's URL.
  assert.equal((await twilio(params, { signature: twilioSignature(TWILIO_TOKEN, `https://127.0.0.1:${stack.httpsPort}/webhooks/demo/twilio/voice-status`, { ...params, CallStatus: 'completed' }) })).status, 403);
  // An org without secrets cannot be written to at all.
  assert.equal((await vapi(statusUpdate(id, 'ringing'), { slug: 'other', secret: '' })).status, 403);
  assert.equal((await twilio(params, { slug: 'other' })).status, 403);
  assert.deepEqual([count('webhook_events'), count('calls')], before);
  // Audited once a minute per org and address: the demo org's and the other org's.
  assert.equal(count(`audit_log WHERE action = 'webhook.signature_invalid'`), audited + 2);
});

test('an unknown org is answered like a wrong signature (slugs cannot be probed), nothing stored', async () => {
  const before = count('webhook_events');
  const unknown = await vapi(statusUpdate(uniq('x'), 'ringing'), { slug: 'no-such-org' });
  const forged = await vapi(statusUpdate(uniq('x'), 'ringing'), { secret: 'wrong' });
  assert.equal(unknown.status, 403);
  const shape = (res) => ({ status: res.status, type: res.headers['content-type'], error: { ...res.json().error } });
  assert.deepEqual(shape(unknown), shape(forged));
  assert.equal((await twilio({ CallSid: 'CA1', CallStatus: 'ringing' }, { slug: 'no-such-org' })).status, 403);
  assert.equal(count('webhook_events'), before);
});

test('a Twilio callback replayed with its parameters reordered or padded is the same event', async () => {
  const sid = `CA${uniq('replay').replace(/\W/g, '')}`;
  const params = { CallSid: sid, AccountSid: TWILIO_SID, CallStatus: 'completed', CallDuration: '42', From: '+14155550100', To: '+14155550199', Direction: 'inbound' };
  const urlPath = '/webhooks/demo/twilio/voice-status';
  const sig = twilioSignature(TWILIO_TOKEN, `https://127.0.0.1:${stack.httpsPort}${urlPath}`, params);
  const send = (body) => stack.request('POST', urlPath, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, body });
  const body = new URLSearchParams(params).toString();
  const first = await applied(send(body));
  assert.equal(first.json().data.status, 'accepted');
  const endedAt = stack.sql(`SELECT ended_at FROM calls WHERE provider_call_id = '${sid}'`);
  const reordered = new URLSearchParams(Object.entries(params).reverse()).toString();
  for (const replay of [reordered, body + '&&', '&' + reordered + '&']) {
    const res = await send(replay);
    assert.equal(res.status, 200, replay);
    assert.equal(res.json().data.status, 'duplicate', replay);
  }
  assert.equal(stack.sql(`SELECT ended_at FROM calls WHERE provider_call_id = '${sid}'`), endedAt, 'ended_at did not move');
  assert.equal(count(`webhook_events WHERE body LIKE '%${sid}%'`), 1);
});

test('a Twilio callback with an empty or repeated parameter name is refused', async () => {
  const urlPath = '/webhooks/demo/twilio/voice-status';
  const before = count('webhook_events');
  for (const body of ['CallSid=CA9&CallStatus=ringing&=x', 'CallSid=CA9&CallStatus=ringing&CallStatus=ringing']) {
    const params = [...new URLSearchParams(body)];
    let s = `https://127.0.0.1:${stack.httpsPort}${urlPath}`;
    for (const [k, v] of params.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))) s += k + v;
    const sig = createHmac('sha1', TWILIO_TOKEN).update(s).digest('base64');
    const res = await stack.request('POST', urlPath, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, body });
    assert.equal(res.status, 400, body);
  }
  assert.equal(count('webhook_events'), before);
});

test('a flood of forged signatures writes one audit row a minute, and the next says how many were left out', async () => {
  const rows = () => count(`audit_log WHERE action = 'webhook.signature_invalid' AND org_id = '${orgId}'`);
  stack.sql('DELETE FROM audit_caps');
  const before = rows();
  for (let i = 0; i < 10; i++) assert.equal((await vapi(statusUpdate(uniq('f'), 'ringing'), { secret: 'wrong' })).status, 403);
  assert.equal(rows(), before + 1);
  stack.sql("UPDATE audit_caps SET written_at = now() - interval '2 minutes'"); // a minute passes
  assert.equal((await vapi(statusUpdate(uniq('f'), 'ringing'), { secret: 'wrong' })).status, 403);
  assert.equal(rows(), before + 2);
  assert.equal(stack.sql(`SELECT detail->>'left_out_before' FROM audit_log WHERE action = 'webhook.signature_invalid' ORDER BY id DESC LIMIT 1`), '9');
});

test('malformed bodies → 400 and nothing applied', async () => {
  const calls = count('calls');
  assert.equal((await vapi(null, { raw: '{"message": {' })).status, 400);
  let res = await vapi({ message: { type: 'status-update', status: 'ringing', call: {} } });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields['message.call.id']);
  res = await vapi({ message: { type: 'status-update', status: 'dancing', call: { id: uniq('bad') } } });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields['message.status']);
  res = await vapi({ message: { type: 'end-of-call-report', call: { id: uniq('bad') }, startedAt: 'yesterday-ish', endedAt: 'x' } });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields['message.startedAt']);
  res = await twilio({ CallSid: uniq('CA'), CallStatus: 'exploded' });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.CallStatus);
  res = await twilio({ CallSid: uniq('CA'), CallStatus: 'completed', CallDuration: 'long' });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.CallDuration);
  res = await twilio({ CallStatus: 'ringing' });
  assert.ok(res.json().error.fields.CallSid);
  assert.equal(count('calls'), calls);
  // The raw events were kept with the reason.
  assert.ok(count(`webhook_events WHERE error IS NOT NULL AND applied_at IS NULL`) >= 6);
});

test('Twilio status callbacks: ringing, then completed with a recording downloaded with basic auth', async () => {
  const sid = uniq('CA');
  const base = { AccountSid: TWILIO_SID, CallSid: sid, From: '+14155550111', To: '+14155550222', Direction: 'outbound-api' };
  await applied(twilio({ ...base, CallStatus: 'ringing' }));
  assert.equal(call('twilio', sid), 'ringing|outbound|+14155550111|+14155550222|0|none');
  const recPath = `/2010-04-01/Accounts/${TWILIO_SID}/Recordings/RE${sid}`;
  const done = { ...base, CallStatus: 'completed', CallDuration: '42', RecordingUrl: provider.url(recPath), RecordingSid: `RE${sid}` };
  await applied(twilio(done));
  assert.match(call('twilio', sid), /^completed\|outbound\|\+14155550111\|\+14155550222\|42\|(pending|stored)$/);
  // A late in-progress changes nothing; a replay is a duplicate.
  await applied(twilio({ ...base, CallStatus: 'in-progress' }));
  const res = await twilio(done);
  assert.equal(res.json().data.status, 'duplicate');
  assert.equal(call('twilio', sid).split('|')[0], 'completed');
  const callId = stack.sql(`SELECT id FROM calls WHERE provider_call_id = '${sid}'`);
  await waitFor(() => stack.sql(`SELECT recording_status FROM calls WHERE id = '${callId}'`) === 'stored', { what: 'the Twilio recording' });
  const auth = provider.hits(recPath)[0].headers.authorization;
  assert.equal(auth, `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`);
});
