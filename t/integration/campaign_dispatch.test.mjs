// campaign_dispatch.test.mjs — the campaign sender against the fake provider
// (t/fakes/messaging.mjs, Twilio's and SendGrid's HTTP APIs): a launched campaign's
// SMS and email go out rendered for each contact with our id in the callback and
// custom args, and the campaign completes; 429 with Retry-After and 500 are retried,
// 400 fails at once with the provider's code; pause stops sending, resume carries on,
// cancel skips what is left; a contact put on the do-not-contact list after launch is
// skipped; the callbacks (Twilio SMS status and inbound SMS with STOP/START and
// replies, SendGrid's signed events) apply once, verified, each to its own org only;
// a voice campaign places Twilio calls speaking the script, which appear in Calls
// linked to the campaign and contact; the circuit breaker opens after five failures in a row, holds the messages back,
// half-opens with one probe and closes, shown in /metrics; workers killed with SIGKILL mid-request and at random points never make a
// recipient get a message twice, and every message ends final; the org's per-provider
// limit holds across campaigns and workers (counted in any second at the fake); a
// canceled campaign's messages in doubt are settled by asking the provider; a voice
// call in doubt is looked up in Twilio's Calls list before it is placed again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';
import { DEFAULT_ACCOUNTS as ACCOUNTS } from '../fakes/messaging.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';

let stack, provider, worker, key;
const FROM = '+14155550100';
const PUBLIC_URL = 'https://ops.example.test';
let phoneSeq = 0;

before(async () => {
  provider = await startProvider();
  stack = await Stack.start({ config: `\npublic_url = ${PUBLIC_URL}\nhttp_timeout_s = 3\njob_lease_s = 10\nprovider_breaker_open_s = 2\n` });
  const base = `http://127.0.0.1:${provider.port}`;
  const set = stack.cli(['org', 'set', 'demo', `twilio_base_url=${base}/`, `twilio_from_number=${FROM}`,
    `sendgrid_base_url=${base}`, 'sendgrid_from_email=campaigns@demo.test', 'twilio_rate_per_s=500', 'sendgrid_rate_per_s=500',
    'twilio_account_sid', 'twilio_auth_token',
    'sendgrid_api_key'], { input: `${ACCOUNTS.twilioSid}\n${ACCOUNTS.twilioToken}\n${ACCOUNTS.sendgridKey}\n` });
  assert.equal(set.status, 0, set.stderr);
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'dispatch', '--role', 'manager']).stdout.trim();
  worker = stack.startWorker();
});

after(async () => {
  provider?.messaging.releaseStalled();
  if (stack) await stack.stop();
  if (provider) await provider.close();
});

/** A new contact of the demo org with a phone number no other test uses. */
async function contact(fields = {}) {
  phoneSeq += 1;
  const phone = `+1415555${String(3000 + phoneSeq).padStart(4, '0')}`;
  const res = await stack.api(key, 'POST', '/api/v1/contacts', { first_name: `C${phoneSeq}`, phone,
    email: `c${phoneSeq}@example.com`, ...fields });
  assert.equal(res.status, 201, res.body);
  return { id: res.json().data.id, phone, email: `c${phoneSeq}@example.com` };
}

/** Quiet hours that are not now in the org's zone (three hours from now, for an hour). */
function awake() {
  const [start, end] = stack.one(`SELECT to_char(now() AT TIME ZONE timezone + interval '3 hours', 'HH24:MI') || ' ' ||
    to_char(now() AT TIME ZONE timezone + interval '4 hours', 'HH24:MI') FROM orgs WHERE slug = 'demo'`).split(' ');
  return { start, end };
}

async function launch(contacts, extra = {}) {
  const res = await stack.api(key, 'POST', '/api/v1/campaigns', {
    name: 'Dispatch', channels: ['sms'], audience: { contact_ids: contacts.map((c) => c.id) },
    sms_body: 'Hi {{first_name|there}}, a note from us.', rate_per_minute: 6000, quiet_hours: awake(), ...extra,
  });
  assert.equal(res.status, 201, res.body);
  const id = res.json().data.id;
  const go = await stack.api(key, 'POST', `/api/v1/campaigns/${id}/launch`);
  assert.equal(go.status, 200, go.body);
  return id;
}

const status = (id) => stack.one(`SELECT status FROM campaigns WHERE id = '${id}'`);
const states = (id) => stack.one(`SELECT coalesce(string_agg(channel || ':' || state || ':' || reason, ',' ORDER BY channel,
  state, reason), '') FROM campaign_messages WHERE campaign_id = '${id}'`);
const message = (id, contactId, channel = 'sms') => JSON.parse(stack.one(`SELECT row_to_json(m) FROM campaign_messages m
  WHERE campaign_id = '${id}' AND contact_id = '${contactId}' AND channel = '${channel}'`));
const completed = (id) => waitFor(() => status(id) === 'completed', { timeoutMs: 30000, what: `campaign ${id} to complete` });

test('an SMS and email campaign goes out rendered, with our ids, and completes', async () => {
  const a = await contact({ first_name: 'Ada' });
  const b = await contact({ first_name: '' });
  const id = await launch([a, b], { channels: ['sms', 'email'], email_subject: 'Hello {{first_name|friend}}',
    email_body: 'Dear {{first_name|friend}}, about your home.' });
  await completed(id);
  assert.equal(states(id), 'email:sent:,email:sent:,sms:sent:,sms:sent:');
  const [sms] = provider.messaging.requestsTo(a.phone, 'twilio.messages');
  assert.equal(sms.form.Body, 'Hi Ada, a note from us.');
  assert.equal(sms.form.From, FROM);
  const ma = message(id, a.id);
  assert.equal(sms.form.StatusCallback, `${PUBLIC_URL}/webhooks/demo/twilio/sms-status?message_id=${ma.id}`);
  assert.equal(provider.messaging.requestsTo(b.phone, 'twilio.messages')[0].form.Body, 'Hi there, a note from us.');
  assert.equal(ma.provider, 'twilio');
  assert.equal(ma.provider_message_id, provider.messaging.acceptedTo(a.phone)[0].sid);
  assert.equal(ma.attempts, 1);
  assert.ok(ma.sent_at);
  const [mail] = provider.messaging.requestsTo(b.email, 'sendgrid.send');
  assert.equal(mail.json.subject, 'Hello friend');
  assert.equal(mail.json.content[0].value, 'Dear friend, about your home.');
  assert.equal(mail.json.personalizations[0].custom_args.switchboard_message_id, message(id, b.id, 'email').id);
  assert.equal(message(id, b.id, 'email').provider_message_id, provider.messaging.acceptedTo(b.email)[0].sid);
  for (const c of [a, b]) {
    assert.equal(provider.messaging.requestsTo(c.phone).length, 1);
    assert.equal(provider.messaging.requestsTo(c.email).length, 1);
  }
});

test('429 with Retry-After is retried no sooner than it says, then sent', async () => {
  const a = await contact();
  provider.messaging.planTo('twilio.messages', a.phone, [{ status: 429, retryAfter: 2 }, 'ok']);
  const id = await launch([a]);
  await completed(id);
  const reqs = provider.messaging.requestsTo(a.phone);
  assert.equal(reqs.length, 2);
  assert.ok(reqs[1].at - reqs[0].at >= 2000, `retried after ${reqs[1].at - reqs[0].at} ms`);
  const m = message(id, a.id);
  assert.equal(m.state, 'sent');
  assert.equal(m.attempts, 2);
});

test('500 is retried with backoff; 400 fails at once with the provider code and no retry', async () => {
  const a = await contact();
  const b = await contact();
  provider.messaging.planTo('twilio.messages', a.phone, [500, 'ok']);
  provider.messaging.planTo('twilio.messages', b.phone, [400]);
  const id = await launch([a, b]);
  await completed(id);
  assert.equal(provider.messaging.requestsTo(a.phone).length, 2);
  assert.equal(message(id, a.id).state, 'sent');
  assert.equal(provider.messaging.requestsTo(b.phone).length, 1);
  const mb = message(id, b.id);
  assert.equal(mb.state, 'failed');
  assert.equal(mb.reason, 'twilio_21211');
  assert.ok(mb.failed_at);
  const stats = (await stack.api(key, 'GET', `/api/v1/campaigns/${id}/stats`)).json().data;
  assert.equal(stats.channels.sms.failed, 1);
  assert.equal(stats.channels.sms.sent, 1);
  // Two sends took two jobs at least; finished ones are not kept (one job a second
  // per running campaign would pile up).
  assert.ok(Number(stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'campaign_send:${id}' AND status = 'done'`)) <= 1);
});

test('pause stops sending, resume carries on to completion, cancel skips what is left', async () => {
  const people = [];
  for (let i = 0; i < 6; i++) people.push(await contact());
  const sent = (id) => Number(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id}' AND state = 'sent'`));
  const requests = () => people.reduce((n, p) => n + provider.messaging.requestsTo(p.phone).length, 0);
  // One a second: the first goes at once, the rest wait their turn.
  const id = await launch(people, { rate_per_minute: 60 });
  await waitFor(() => sent(id) >= 1, { what: 'the first message' });
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id}/pause`)).status, 200);
  // An attempt claimed before the pause may still finish; nothing after it starts.
  await waitFor(() => stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id}' AND attempt_open`) === '0',
    { what: 'attempts in flight to end' });
  const atPause = requests();
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(requests(), atPause, 'no request while paused');
  assert.ok(atPause < people.length);
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id}/resume`)).status, 200);
  await completed(id);
  assert.equal(sent(id), people.length);
  for (const p of people) assert.equal(provider.messaging.requestsTo(p.phone).length, 1);

  const more = [];
  for (let i = 0; i < 5; i++) more.push(await contact());
  const id2 = await launch(more, { rate_per_minute: 60 });
  await waitFor(() => sent(id2) >= 1, { what: 'the first message' });
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id2}/cancel`)).status, 200);
  await waitFor(() => stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id2}'
    AND state = 'queued'`) === '0', { timeoutMs: 5000, what: 'the queued messages to be skipped' });
  const skipped = Number(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id2}'
    AND state = 'skipped' AND reason = 'canceled'`));
  assert.ok(skipped >= 1, 'some were left to skip');
  assert.equal(sent(id2) + skipped, more.length);
  assert.equal(more.reduce((n, p) => n + provider.messaging.requestsTo(p.phone).length, 0), sent(id2));
  assert.equal(status(id2), 'canceled');
});

test('a contact opted out at launch or put on the do-not-contact list after it gets nothing', async () => {
  const a = await contact();
  const b = await contact({ opt_out: { sms: true } });
  const c = await contact();
  // Quiet now: nothing goes until the window is moved, so the change lands first.
  const { start, end } = awake(); // read once: the minute may turn between readings
  const now = stack.one(`SELECT to_char(now() AT TIME ZONE timezone - interval '1 hour', 'HH24:MI') FROM orgs WHERE slug = 'demo'`);
  const id = await launch([a, b, c], { quiet_hours: { start: now, end: start } });
  stack.sql(`UPDATE contacts SET do_not_contact = true WHERE id = '${c.id}'`);
  stack.sql(`UPDATE campaigns SET quiet_start = NULL, quiet_end = NULL WHERE id = '${id}';
    UPDATE orgs SET quiet_hours = '${start}-${end}' WHERE slug = 'demo'`);
  await completed(id);
  stack.sql(`UPDATE orgs SET quiet_hours = '21:00-08:00' WHERE slug = 'demo'`);
  assert.equal(message(id, a.id).state, 'sent');
  assert.deepEqual([message(id, b.id).state, message(id, b.id).reason], ['skipped', 'opted_out']);
  assert.deepEqual([message(id, c.id).state, message(id, c.id).reason], ['skipped', 'do_not_contact']);
  assert.equal(provider.messaging.requestsTo(b.phone).length, 0);
  assert.equal(provider.messaging.requestsTo(c.phone).length, 0);
});

test('never twice: workers killed mid-request and at random points; each recipient gets one message, all end final', async () => {
  await stack.stopWorker(worker);
  const people = [];
  for (let i = 0; i < 12; i++) people.push(await contact());
  const [stalled, lost, dropped] = people;
  // Reached the provider, nothing stored; stored but its answer never comes; stored
  // and the connection reset (email).
  provider.messaging.planTo('twilio.messages', stalled.phone, ['stall', 'ok']);
  provider.messaging.planTo('twilio.messages', lost.phone, ['accept-stall']);
  provider.messaging.planTo('sendgrid.send', dropped.email, ['accept-drop']);
  const id = await launch(people, { channels: ['sms', 'email'], email_subject: 'Hi {{first_name}}',
    email_body: 'Dear {{first_name}}', rate_per_minute: 600 });
  const seen = (p) => provider.messaging.requestsTo(p.phone).length > 0;
  let w = stack.startWorker();
  await waitFor(() => seen(stalled) && seen(lost), { timeoutMs: 30000, what: 'the stalled requests' });
  await stack.stopWorker(w, 'SIGKILL');
  // Kill again at random points, chosen by how much the provider has taken so far.
  const shares = [0.15 + 0.3 * Math.random(), 0.5 + 0.35 * Math.random()];
  for (const share of shares) {
    const target = Math.floor(people.length * 2 * share);
    w = stack.startWorker();
    await waitFor(() => provider.messaging.accepted.filter((m) => people.some((p) => p.phone === m.to || p.email === m.to))
      .length >= target, { timeoutMs: 60000, what: `${target} messages taken (kill points ${shares})` });
    await stack.stopWorker(w, 'SIGKILL');
  }
  provider.messaging.releaseStalled();
  w = stack.startWorker();
  await waitFor(() => status(id) === 'completed', { timeoutMs: 90000, what: 'the campaign to complete' });
  worker = w;
  assert.equal(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id}' AND state <> 'sent'`), '0',
    states(id));
  for (const p of people) {
    assert.equal(provider.messaging.acceptedTo(p.phone).length, 1, `${p.phone} got one SMS`);
    assert.equal(provider.messaging.acceptedTo(p.email).length, 1, `${p.email} got one email`);
    const m = message(id, p.id);
    assert.equal(m.provider_message_id, provider.messaging.acceptedTo(p.phone)[0].sid);
    assert.equal(m.attempt_open, false);
  }
  // The lost answer and the reset were settled by asking, not by sending again.
  assert.equal(provider.messaging.requestsTo(lost.phone).length, 1);
  assert.equal(provider.messaging.requestsTo(dropped.email).length, 1);
  assert.equal(provider.messaging.requestsTo(stalled.phone).length, 2, 'the stalled one was not taken, so it went again');
  assert.ok(provider.messaging.requests.some((r) => r.route === 'twilio.list' && r.to === lost.phone));
  assert.ok(provider.messaging.requests.some((r) => r.route === 'sendgrid.search'));
});

/** Twilio's X-Twilio-Signature of a POST to urlPath (with its query) on this stack. */
function twilioSignature(token, urlPath, params) {
  let s = `https://127.0.0.1:${stack.httpsPort}${urlPath}`;
  for (const k of Object.keys(params).sort()) s += k + params[k];
  return createHmac('sha1', token).update(s).digest('base64');
}

function twilioHook(urlPath, params, { token = ACCOUNTS.twilioToken, signature } = {}) {
  return stack.request('POST', urlPath, {
    headers: { 'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? twilioSignature(token, urlPath, params) },
    body: new URLSearchParams(params).toString(),
  });
}

test('Twilio SMS status callbacks move a message forward once, verified, in their own org only', async () => {
  const a = await contact();
  const b = await contact();
  const id = await launch([a, b]);
  await completed(id);
  const ma = message(id, a.id), mb = message(id, b.id);
  const path = (m, slug = 'demo') => `/webhooks/${slug}/twilio/sms-status?message_id=${m.id}`;
  const delivered = { MessageSid: ma.provider_message_id, MessageStatus: 'delivered', To: a.phone, From: FROM };
  assert.equal((await twilioHook(path(ma), delivered, { token: 'wrong-token' })).status, 403);
  assert.equal(message(id, a.id).state, 'sent');
  // Another org, signed with its own token, naming our message: nothing of ours moves.
  otherOrg(stack);
  assert.equal(stack.cli(['org', 'set', 'other', 'twilio_auth_token'], { input: 'other-org-token-0123456789\n' }).status, 0);
  const theirs = await twilioHook(path(ma, 'other'), delivered, { token: 'other-org-token-0123456789' });
  assert.equal(theirs.status, 200, theirs.body);
  assert.equal(theirs.json().data.applied, 0);
  assert.equal(message(id, a.id).state, 'sent');
  const res = await twilioHook(path(ma), delivered);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().data.status, 'applied');
  assert.equal(message(id, a.id).state, 'delivered');
  assert.ok(message(id, a.id).delivered_at);
  const again = await twilioHook(path(ma), delivered);
  assert.equal(again.json().data.status, 'duplicate');
  // Kept as it came, once, applied: the retry is the same row; the forged one is not kept.
  assert.equal(stack.one(`SELECT count(*) || '|' || bool_and(w.applied_at IS NOT NULL) FROM webhook_events w
    JOIN orgs o ON o.id = w.org_id WHERE o.slug = 'demo' AND w.provider = 'twilio' AND w.kind = 'sms-status'
    AND strpos(w.body, '${ma.provider_message_id}') > 0 AND strpos(w.body, 'MessageStatus=delivered') > 0`), '1|true');
  // A late "sent" never moves a delivered message back.
  await twilioHook(path(ma), { ...delivered, MessageStatus: 'sent' });
  assert.equal(message(id, a.id).state, 'delivered');
  const failed = { MessageSid: mb.provider_message_id, MessageStatus: 'undelivered', ErrorCode: '30003' };
  assert.equal((await twilioHook(path(mb), failed)).status, 200);
  assert.deepEqual([message(id, b.id).state, message(id, b.id).reason], ['failed', 'twilio_30003']);
});

test('inbound SMS: STOP opts out at once with history, START opts back in, other text is a reply, once', async () => {
  const a = await contact();
  const id = await launch([a]);
  await completed(id);
  const inbound = '/webhooks/demo/twilio/sms-inbound';
  const sms = (Body, MessageSid) => twilioHook(inbound, { From: a.phone, To: FROM, Body, MessageSid });
  const optedOut = () => stack.one(`SELECT opt_out_sms FROM contacts WHERE id = '${a.id}'`);
  assert.equal((await twilioHook(inbound, { From: a.phone, Body: 'STOP', MessageSid: 'SM1' }, { signature: 'x' })).status, 403);
  assert.equal(optedOut(), 'f');
  const stop = await sms('  stop ', 'SMstop1');
  assert.equal(stop.status, 200, stop.body);
  assert.equal(stop.json().data.status, 'opted_out');
  assert.equal(optedOut(), 't');
  assert.equal(stack.one(`SELECT string_agg(channel || ':' || opted_out || ':' || source, ',') FROM contact_consent_events
    WHERE contact_id = '${a.id}'`), 'sms:true:sms_stop');
  assert.equal((await sms('STOP', 'SMstop2')).json().data.applied, 0, 'a second STOP changes nothing');
  // Opted out: the next campaign skips the number.
  const id2 = await launch([a]);
  await completed(id2);
  assert.deepEqual([message(id2, a.id).state, message(id2, a.id).reason], ['skipped', 'opted_out']);
  assert.equal(provider.messaging.requestsTo(a.phone).length, 1);
  assert.equal((await sms('Start', 'SMstart1')).json().data.status, 'opted_in');
  assert.equal(optedOut(), 'f');
  const reply = await sms('Yes, call me tomorrow', 'SMreply1');
  assert.equal(reply.json().data.status, 'reply');
  assert.equal((await sms('Yes, call me tomorrow', 'SMreply1')).json().data.applied, 0, 'a retried callback');
  assert.equal(stack.one(`SELECT count(*) || ':' || min(body) || ':' || min(campaign_message_id::text)
    FROM message_replies WHERE contact_id = '${a.id}'`), `1:Yes, call me tomorrow:${message(id, a.id).id}`);
  assert.ok(message(id, a.id).replied_at);
  const stats = (await stack.api(key, 'GET', `/api/v1/campaigns/${id}/stats`)).json().data;
  assert.equal(stats.channels.sms.replied, 1);
});

test('SendGrid events: ECDSA-verified with the org key, delivered, bounced, unsubscribed; forged ones refused', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  assert.equal(stack.cli(['org', 'set', 'demo', `sendgrid_event_public_key=${pub}`]).status, 0);
  const a = await contact(), b = await contact(), c = await contact();
  const id = await launch([a, b, c], { channels: ['email'], email_subject: 'Hi', email_body: 'Hello {{first_name}}' });
  await completed(id);
  const ev = (p, event, extra = {}) => ({ email: p.email, event, timestamp: 1700000000, sg_event_id: `${event}-${p.id}`,
    switchboard_message_id: message(id, p.id, 'email').id, ...extra });
  const post = (events, { slug = 'demo', key: k = privateKey } = {}) => {
    const body = JSON.stringify(events);
    const ts = '1700000000';
    return stack.request('POST', `/webhooks/${slug}/sendgrid/events`, {
      headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-timestamp': ts,
        'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(ts + body), k).toString('base64') },
      body,
    });
  };
  const forger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  assert.equal((await post([ev(a, 'delivered')], { key: forger })).status, 403);
  assert.equal((await post([ev(a, 'delivered')], { slug: 'other' })).status, 403, 'the other org has no key');
  assert.equal(message(id, a.id, 'email').state, 'sent');
  const batch = [ev(a, 'delivered'), ev(b, 'bounce', { reason: '550 no such user' }), ev(c, 'unsubscribe'),
    { email: 'x@example.com', event: 'delivered', timestamp: 1700000000, sg_event_id: 'not-ours' }];
  const res = await post(batch);
  assert.equal(res.status, 200, res.body);
  // The batch is kept as it came; SendGrid's retry of the same batch is the same row.
  assert.equal((await post(batch)).json().data.status, 'duplicate');
  assert.equal(stack.one(`SELECT count(*) || '|' || bool_and(applied_at IS NOT NULL) FROM webhook_events
    WHERE provider = 'sendgrid' AND kind = 'events' AND strpos(body, 'bounce-${b.id}') > 0`), '1|true');
  assert.equal(message(id, a.id, 'email').state, 'delivered');
  assert.equal(message(id, b.id, 'email').state, 'failed');
  assert.equal(stack.one(`SELECT opt_out_email FROM contacts WHERE id = '${c.id}'`), 't');
  assert.equal(stack.one(`SELECT source FROM contact_consent_events WHERE contact_id = '${c.id}'`), 'sendgrid_unsubscribe');
  assert.equal((await post([ev(a, 'delivered')])).json().data.applied, 0, 'a retried delivery changes nothing');
});

test('the breaker opens after five failures in a row, holds messages back, probes, closes; /metrics shows it', async () => {
  const metric = async (state) => {
    const res = await stack.request('GET', '/metrics');
    assert.equal(res.status, 200);
    return res.body.includes(`switchboard_provider_breaker_state{org="demo",provider="twilio",state="${state}"} 1`);
  };
  const people = [];
  for (let i = 0; i < 8; i++) people.push(await contact());
  provider.messaging.plan('twilio.messages', [500]);
  const id = await launch(people);
  await waitFor(() => metric('open'), { timeoutMs: 30000, what: 'the breaker to open' });
  await waitFor(() => stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id}'
    AND reason = 'breaker_open'`) !== '0', { what: 'a message held back by the open breaker' });
  const whileOpen = provider.messaging.requests.filter((r) => r.route === 'twilio.messages').length;
  provider.messaging.plan('twilio.messages', ['ok']);
  await completed(id);
  assert.ok(await metric('closed'));
  assert.equal(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id}' AND state = 'sent'`), '8');
  for (const p of people) assert.equal(provider.messaging.acceptedTo(p.phone).length, 1);
  // Held back while open: no more than the five that opened it (and probes) went out
  // before the plan changed.
  const failedRequests = people.reduce((n, p) => n + provider.messaging.requestsTo(p.phone)
    .filter((r) => r.step === 500).length, 0);
  assert.ok(failedRequests <= whileOpen);
  assert.ok(failedRequests < 5 + 8, `${failedRequests} failed requests`);
});

test('a voice campaign places calls with TwiML from the script; they are in Calls, linked to the campaign', async () => {
  const a = await contact({ first_name: 'Vi' });
  const id = await launch([a], { channels: ['voice'], voice_script: 'Hello {{first_name}}, <this> & that.' });
  await completed(id);
  const [req] = provider.messaging.requestsTo(a.phone, 'twilio.calls');
  assert.equal(req.form.Twiml, '<Response><Say>Hello Vi, &lt;this&gt; &amp; that.</Say></Response>');
  assert.equal(req.form.From, FROM);
  const sid = provider.messaging.acceptedTo(a.phone)[0].sid;
  assert.match(sid, /^CA[0-9a-f]{32}$/);
  const m = message(id, a.id, 'voice');
  assert.deepEqual([m.state, m.provider_message_id], ['sent', sid]);
  assert.equal(stack.one(`SELECT direction || '|' || status || '|' || to_number || '|' || contact_id || '|' || campaign_id
    FROM calls WHERE provider = 'twilio' AND provider_call_id = '${sid}'`), `outbound|queued|${a.phone}|${a.id}|${id}`);
});

test('a voice call in doubt is looked up in Twilio\'s Calls list: one placed is linked, one not placed is placed once', async () => {
  const taken = await contact(), lost = await contact();
  // The first call is placed and its answer lost (connection reset); the second gets
  // no answer and is not placed (the worker times out after 3 s), then goes through.
  provider.messaging.planTo('twilio.calls', taken.phone, ['accept-drop', 'ok']);
  provider.messaging.planTo('twilio.calls', lost.phone, ['stall', 'ok']);
  const id = await launch([taken, lost], { channels: ['voice'], voice_script: 'Hello {{first_name}}.' });
  await waitFor(() => status(id) === 'completed', { timeoutMs: 60000, what: 'the campaign to complete' });
  provider.messaging.releaseStalled();
  const lookups = provider.messaging.requests.filter((r) => r.route === 'twilio.call-list');
  assert.ok(lookups.some((r) => r.to === taken.phone) && lookups.some((r) => r.to === lost.phone), 'both were looked up');
  assert.ok(lookups.every((r) => new URLSearchParams(r.query).get('From') === FROM), 'by our number');
  // Placed once, found, never placed again; linked in Calls as if its answer had come.
  assert.equal(provider.messaging.requestsTo(taken.phone, 'twilio.calls').length, 1);
  const [call] = provider.messaging.acceptedTo(taken.phone);
  const m = message(id, taken.id, 'voice');
  assert.deepEqual([m.state, m.provider_message_id, m.attempt_open], ['sent', call.sid, false]);
  assert.equal(stack.one(`SELECT contact_id || '|' || campaign_id FROM calls WHERE provider = 'twilio'
    AND provider_call_id = '${call.sid}'`), `${taken.id}|${id}`);
  // Not placed the first time: placed now, once.
  assert.equal(provider.messaging.requestsTo(lost.phone, 'twilio.calls').length, 2);
  assert.equal(provider.messaging.acceptedTo(lost.phone).length, 1);
  assert.deepEqual([message(id, lost.id, 'voice').state, message(id, lost.id, 'voice').provider_message_id],
    ['sent', provider.messaging.acceptedTo(lost.phone)[0].sid]);
});

/** The most requests of these in any one second (by the fake's arrival times). */
function busiestSecond(requests) {
  const at = requests.map((r) => r.at.getTime()).sort((x, y) => x - y);
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test('the org\'s Twilio limit holds across two campaigns sent by two workers at once', async () => {
  const LIMIT = 12;
  assert.equal(stack.cli(['org', 'set', 'demo', `twilio_rate_per_s=${LIMIT}`]).status, 0);
  // Both campaigns are launched while no worker runs, so both are due when the two
  // workers start and they send in the same seconds, however slow the machine: with a
  // worker running, the first campaign could be done before the second was launched.
  await stack.stopWorker(worker);
  worker = null;
  let extra;
  try {
    const a = [], b = [];
    for (let i = 0; i < 24; i++) a.push(await contact());
    for (let i = 0; i < 24; i++) b.push(await contact());
    // Each campaign alone may go at 100 a second; together they get the org's 12.
    const ids = [await launch(a), await launch(b)];
    worker = stack.startWorker();
    extra = stack.startWorker();
    const people = [...a, ...b];
    // Waited for at the fake first: a psql poll blocks this process, the fake's too, and
    // requests that arrive meanwhile would be timed together when it resumes.
    await waitFor(() => people.every((p) => provider.messaging.requestsTo(p.phone).length), { timeoutMs: 60000,
      what: 'a request to everyone' });
    for (const id of ids) await waitFor(() => status(id) === 'completed', { timeoutMs: 60000, what: `campaign ${id}` });
    const reqs = people.flatMap((p) => provider.messaging.requestsTo(p.phone, 'twilio.messages'));
    assert.equal(reqs.length, people.length, 'one request each');
    for (const p of people) assert.equal(provider.messaging.acceptedTo(p.phone).length, 1);
    // Both campaigns were sending in the same seconds (else the test proves nothing).
    const span = (xs) => xs.flatMap((p) => provider.messaging.requestsTo(p.phone)).map((r) => r.at.getTime());
    assert.ok(Math.min(...span(a)) < Math.max(...span(b)) && Math.min(...span(b)) < Math.max(...span(a)), 'overlapping');
    // The sender keeps under the limit (docs/CAMPAIGNS.md); the fake times a request
    // when this process gets to it, and on a loaded machine it stalls and stamps a few
    // together: half the limit of slack. Without the limit all 48 go within a second.
    const most = busiestSecond(reqs);
    assert.ok(most <= LIMIT * 1.5, `${most} requests in one second, limit ${LIMIT}`);
  } finally {
    if (extra) await stack.stopWorker(extra);
    if (!worker) worker = stack.startWorker();
    stack.cli(['org', 'set', 'demo', 'twilio_rate_per_s=500']);
  }
});

test('one worker sends an SMS and an email campaign of the org in the same batches, both providers at once', async () => {
  const LIMIT = 10;
  assert.equal(stack.cli(['org', 'set', 'demo', `twilio_rate_per_s=${LIMIT}`, `sendgrid_rate_per_s=${LIMIT}`]).status, 0);
  try {
    const a = [], b = [];
    for (let i = 0; i < 20; i++) a.push(await contact());
    for (let i = 0; i < 20; i++) b.push(await contact());
    const sms = await launch(a);
    const email = await launch(b, { channels: ['email'], email_subject: 'Hi', email_body: 'Hello {{first_name}}' });
    for (const id of [sms, email]) await waitFor(() => status(id) === 'completed', { timeoutMs: 60000, what: `campaign ${id}` });
    const ours = new Set([...a.map((p) => p.phone), ...b.map((p) => p.email)]);
    const order = provider.messaging.requests.filter((r) => ours.has(r.to) && ['twilio.messages', 'sendgrid.send'].includes(r.route))
      .map((r) => r.route);
    assert.equal(order.length, 40, 'one request each');
    // Each provider's slots go one per 1/9 s side by side, so the arrivals alternate
    // between the two. A job that sent its own campaign only would send one campaign
    // for its whole slice (three seconds, 27 requests at this limit) before the other.
    let switches = 0;
    for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) switches++;
    assert.ok(switches >= 10, `the providers' requests alternate (${switches} switches: ${order.join(' ')})`);
  } finally {
    stack.cli(['org', 'set', 'demo', 'twilio_rate_per_s=500', 'sendgrid_rate_per_s=500']);
  }
});

test('a canceled campaign\'s messages in doubt are settled by asking: taken ones sent, the others skipped', async () => {
  const taken = await contact(), lost = await contact();
  // Both requests get no answer (the worker times out after 3 s): the provider stored
  // the first, not the second.
  provider.messaging.planTo('twilio.messages', taken.phone, ['accept-stall']);
  provider.messaging.planTo('twilio.messages', lost.phone, ['stall']);
  const id = await launch([taken, lost]);
  await waitFor(() => provider.messaging.requestsTo(taken.phone).length && provider.messaging.requestsTo(lost.phone).length,
    { what: 'both requests' });
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id}/cancel`)).status, 200);
  await waitFor(() => stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${id}' AND state = 'queued'`) === '0',
    { timeoutMs: 30000, what: 'the messages in doubt to be settled' });
  provider.messaging.releaseStalled();
  assert.deepEqual([message(id, taken.id).state, message(id, taken.id).provider_message_id],
    ['sent', provider.messaging.acceptedTo(taken.phone)[0].sid]);
  assert.deepEqual([message(id, lost.id).state, message(id, lost.id).reason], ['skipped', 'canceled']);
  assert.equal(provider.messaging.requestsTo(taken.phone).length, 1, 'asked, not sent again');
  assert.equal(provider.messaging.requestsTo(lost.phone).length, 1, 'not sent after the cancel');
  assert.equal(status(id), 'canceled');
});
