// campaign_page.test.mjs — the campaign page and its JSON twin (GET
// /api/v1/campaigns/{id}/stats, docs/CAMPAIGNS.md "The campaign page"): after a real
// send through the fake provider (t/fakes/messaging.mjs) with a delivery callback, a
// provider refusal, skipped contacts and replies, the JSON gives the counts per
// channel and state (its original members unchanged), the funnel, the errors by
// reason, the latest replies with their total, the breaker of each provider and the
// quiet hours now; the page shows the same. A breaker open or half-open shows as
// such; another org's campaign answers 404, page and JSON alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';
import { DEFAULT_ACCOUNTS as ACCOUNTS } from '../fakes/messaging.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack, provider, key, viewer, campaignId;
const FROM = '+14155550100';
const people = {};

before(async () => {
  provider = await startProvider();
  stack = await Stack.start({ config: '\npublic_url = https://ops.example.test\nhttp_timeout_s = 3\n' });
  const base = `http://127.0.0.1:${provider.port}`;
  const set = stack.cli(['org', 'set', 'demo', `twilio_base_url=${base}/`, `twilio_from_number=${FROM}`,
    `sendgrid_base_url=${base}`, 'sendgrid_from_email=campaigns@demo.test', 'twilio_account_sid', 'twilio_auth_token',
    'sendgrid_api_key'], { input: `${ACCOUNTS.twilioSid}\n${ACCOUNTS.twilioToken}\n${ACCOUNTS.sendgridKey}\n` });
  assert.equal(set.status, 0, set.stderr);
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'page', '--role', 'manager']).stdout.trim();
  viewer = await stack.as('viewer');
  stack.startWorker();
});

after(async () => {
  if (stack) await stack.stop();
  if (provider) await provider.close();
});

async function contact(name, fields) {
  const res = await stack.api(key, 'POST', '/api/v1/contacts', { first_name: name, ...fields });
  assert.equal(res.status, 201, res.body);
  return { id: res.json().data.id, ...fields };
}

/** Quiet hours that are not now in the org's zone (three hours from now, for an hour). */
function awake() {
  const [start, end] = stack.one(`SELECT to_char(now() AT TIME ZONE timezone + interval '3 hours', 'HH24:MI') || ' ' ||
    to_char(now() AT TIME ZONE timezone + interval '4 hours', 'HH24:MI') FROM orgs WHERE slug = 'demo'`).split(' ');
  return { start, end };
}

function twilioHook(urlPath, params) {
  let s = `https://127.0.0.1:${stack.httpsPort}${urlPath}`;
  for (const k of Object.keys(params).sort()) s += k + params[k];
  return stack.request('POST', urlPath, {
    headers: { 'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': createHmac('sha1', ACCOUNTS.twilioToken).update(s).digest('base64') },
    body: new URLSearchParams(params).toString(),
  });
}

const stats = async (id = campaignId, k = key) => stack.api(k, 'GET', `/api/v1/campaigns/${id}/stats`);

test('after a send: counts, funnel, errors by reason, replies, breakers; the page shows the same', async () => {
  people.ok = await contact('Ada', { phone: '+14155556001' });
  people.refused = await contact('Bob', { phone: '+14155556002' });
  people.optedOut = await contact('Cy', { phone: '+14155556003', opt_out: { sms: true } });
  people.noPhone = await contact('Di', { email: 'di@example.com' });
  provider.messaging.planTo('twilio.messages', people.refused.phone, [400]);
  const made = await stack.api(key, 'POST', '/api/v1/campaigns', { name: 'Page', channels: ['sms'],
    audience: { contact_ids: Object.values(people).map((p) => p.id) }, sms_body: 'Hi {{first_name}}',
    rate_per_minute: 6000, quiet_hours: awake() });
  assert.equal(made.status, 201, made.body);
  campaignId = made.json().data.id;
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${campaignId}/launch`)).status, 200);
  await waitFor(() => stack.one(`SELECT status FROM campaigns WHERE id = '${campaignId}'`) === 'completed',
    { timeoutMs: 30000, what: 'the campaign to complete' });
  const sid = stack.one(`SELECT provider_message_id FROM campaign_messages WHERE campaign_id = '${campaignId}'
    AND contact_id = '${people.ok.id}'`);
  const msgId = stack.one(`SELECT id FROM campaign_messages WHERE provider_message_id = '${sid}'`);
  const cb = await twilioHook(`/webhooks/demo/twilio/sms-status?message_id=${msgId}`,
    { MessageSid: sid, MessageStatus: 'delivered', To: people.ok.phone, From: FROM });
  assert.equal(cb.status, 200, cb.body);
  for (const [body, id] of [['Sounds good', 'SMpage1'], ['Call me at five', 'SMpage2']]) {
    const r = await twilioHook('/webhooks/demo/twilio/sms-inbound', { From: people.ok.phone, To: FROM, Body: body, MessageSid: id });
    assert.equal(r.json().data.status, 'reply', r.body);
  }

  const res = await stats();
  assert.equal(res.status, 200, res.body);
  const s = res.json().data;
  // The shape other tests and clients rely on, unchanged.
  assert.deepEqual(s.channels, { sms: { queued: 0, sent: 0, delivered: 1, failed: 1, skipped: 2, replied: 1 } });
  assert.deepEqual(s.totals, { queued: 0, sent: 0, delivered: 1, failed: 1, skipped: 2, replied: 1 });
  assert.deepEqual(s.reasons, { sms: { twilio_21211: 1, no_phone: 1, opted_out: 1 } });
  assert.equal(s.campaign_id, campaignId);
  assert.deepEqual([s.status, s.status_label, s.final], ['completed', 'Completed', true]);
  assert.deepEqual([s.audience_size, s.messages, s.settled], [4, 4, 4]);
  assert.deepEqual(s.funnel, { messages: 4, sent: 1, delivered: 1, replied: 1 });
  assert.deepEqual(s.errors, [
    { channel: 'sms', state: 'failed', reason: 'twilio_21211', label: 'Twilio error 21211', count: 1 },
    { channel: 'sms', state: 'skipped', reason: 'no_phone', label: 'No phone number', count: 1 },
    { channel: 'sms', state: 'skipped', reason: 'opted_out', label: 'Opted out of this channel', count: 1 },
  ]);
  assert.equal(s.replies.total, 2);
  assert.deepEqual(s.replies.latest.map((r) => [r.body, r.contact_id, r.contact_name, r.channel]),
    [['Call me at five', people.ok.id, 'Ada', 'sms'], ['Sounds good', people.ok.id, 'Ada', 'sms']]);
  assert.match(s.replies.latest[0].received_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(s.breakers, [{ provider: 'twilio', state: 'closed', label: 'Closed', failures: 0, probe_at: null,
    probe_at_local: null }]);
  assert.equal(typeof s.quiet_now.quiet, 'boolean');
  assert.match(s.quiet_now.opens_at, /^\d\d:\d\d$/);

  const page = await viewer.get(`/campaigns/${campaignId}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<span data-v="settled">4<\/span> of <span data-v="messages">4<\/span> messages done/);
  assert.match(page.body, /data-v="channels.sms.delivered">1</);
  assert.match(page.body, /data-v="funnel.replied">1<\/td><td class="num"><span data-v="funnel_pct.replied">25<\/span>%/);
  assert.match(page.body, /<td>SMS<\/td><td>Failed<\/td><td>Twilio error 21211 <span class="muted reason-code">\(twilio_21211\)<\/span><\/td><td class="num">1<\/td>/);
  assert.match(page.body, new RegExp(`<a href="/contacts/${people.ok.id}">Ada</a> · <time datetime="[^"]+">[^<]+</time></p><p class="message-text">Call me at five</p>`));
  assert.match(page.body, /data-breaker="twilio">Closed</);
  assert.doesNotMatch(page.body, /data-stats-url|campaign_live\.js|id="campaign-refresh"/, 'a final campaign is not refreshed');
});

test('many replies: the latest ten, newest first, and how many more', async () => {
  const msg = stack.one(`SELECT id FROM campaign_messages WHERE campaign_id = '${campaignId}' AND contact_id = '${people.ok.id}'`);
  const org = stack.one("SELECT id FROM orgs WHERE slug = 'demo'");
  stack.sql(`INSERT INTO message_replies (org_id, contact_id, campaign_message_id, from_address, body, provider_message_id, received_at)
    SELECT '${org}', '${people.ok.id}', '${msg}', '${people.ok.phone}', 'Reply ' || g, 'SMmany' || g, now() + make_interval(mins => g)
    FROM generate_series(1, 12) g`);
  const s = (await stats()).json().data;
  assert.equal(s.replies.total, 14);
  assert.equal(s.replies.latest.length, 10);
  assert.deepEqual(s.replies.latest.slice(0, 2).map((r) => r.body), ['Reply 12', 'Reply 11']);
  const page = await viewer.get(`/campaigns/${campaignId}`);
  assert.match(page.body, /id="campaign-replies-more">And <span data-v="replies_more">4<\/span> more/);
});

test('all replies: a page and its JSON twin, newest first, a page at a time with a signed cursor', async () => {
  // 14 replies now (the two of the first test and the twelve above).
  const first = await stack.api(key, 'GET', `/api/v1/campaigns/${campaignId}/replies?limit=5`);
  assert.equal(first.status, 200, first.body);
  const p1 = first.json();
  assert.deepEqual(p1.data.map((r) => r.body), ['Reply 12', 'Reply 11', 'Reply 10', 'Reply 9', 'Reply 8']);
  assert.deepEqual(Object.keys(p1.data[0]).sort(), ['body', 'channel', 'contact_id', 'contact_name', 'from', 'id', 'received_at']);
  assert.equal(p1.data[0].contact_id, people.ok.id);
  const seen = [...p1.data];
  let cursor = p1.next_cursor;
  while (cursor) {
    const res = await stack.api(key, 'GET', `/api/v1/campaigns/${campaignId}/replies?limit=5&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(res.status, 200, res.body);
    seen.push(...res.json().data);
    cursor = res.json().next_cursor;
  }
  assert.equal(seen.length, 14);
  assert.equal(new Set(seen.map((r) => r.id)).size, 14, 'no reply twice');
  assert.deepEqual(seen.slice(-2).map((r) => r.body).sort(), ['Call me at five', 'Sounds good']);
  // Bad parameters are 400 by field; another org's campaign is 404.
  const bad = await stack.api(key, 'GET', `/api/v1/campaigns/${campaignId}/replies?limit=0&cursor=nope`);
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['cursor', 'limit']);
  otherOrg(stack);
  const otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'replies', '--role', 'admin']).stdout.trim();
  assert.equal((await stack.api(otherKey, 'GET', `/api/v1/campaigns/${campaignId}/replies`)).status, 404);
  // The page: linked from the campaign page, the list, and the next page.
  const show = await viewer.get(`/campaigns/${campaignId}`);
  assert.match(show.body, new RegExp(`<p id="campaign-replies-all"><a href="/campaigns/${campaignId}/replies">All replies</a>`));
  const page = await viewer.get(`/campaigns/${campaignId}/replies?limit=10`);
  assert.equal(page.status, 200);
  assert.equal((page.body.match(/<p class="message-text">/g) || []).length, 10);
  assert.match(page.body, /<p class="message-text">Reply 12<\/p>/);
  const next = /id="next-page" href="([^"]+)"/.exec(page.body)[1].replaceAll('&amp;', '&');
  const page2 = await viewer.get(next);
  assert.equal((page2.body.match(/<p class="message-text">/g) || []).length, 4);
  assert.match(page2.body, />First page</);
  assert.doesNotMatch(page2.body, /id="next-page"/);
});

test('a breaker open until its probe, then half-open, shows as such; closed again when its row says so', async () => {
  const org = stack.one("SELECT id FROM orgs WHERE slug = 'demo'");
  stack.sql(`INSERT INTO provider_breakers (org_id, provider, state, failures, opened_at, probe_at)
    VALUES ('${org}', 'twilio', 'open', 5, now(), now() + interval '1 hour')
    ON CONFLICT (org_id, provider) DO UPDATE SET state = 'open', failures = 5, opened_at = now(), probe_at = now() + interval '1 hour'`);
  let [b] = (await stats()).json().data.breakers;
  assert.deepEqual([b.provider, b.state, b.label, b.failures], ['twilio', 'open', 'Open', 5]);
  assert.match(b.probe_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const local = stack.one(`SELECT to_char(probe_at AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI') FROM provider_breakers b
    JOIN orgs o ON o.id = b.org_id WHERE o.slug = 'demo' AND provider = 'twilio'`);
  assert.equal(b.probe_at_local, local);
  let page = await viewer.get(`/campaigns/${campaignId}`);
  assert.match(page.body, new RegExp(`class="badge breaker-open" data-breaker="twilio">Open until ${local}<`));
  stack.sql(`UPDATE provider_breakers SET state = 'half_open' WHERE org_id = '${org}' AND provider = 'twilio'`);
  [b] = (await stats()).json().data.breakers;
  assert.deepEqual([b.state, b.label], ['half_open', 'Half-open: one trial message']);
  page = await viewer.get(`/campaigns/${campaignId}`);
  assert.match(page.body, /class="badge breaker-half_open" data-breaker="twilio">Half-open: one trial message</);
  stack.sql(`UPDATE provider_breakers SET state = 'closed', failures = 0, probe_at = NULL WHERE org_id = '${org}'`);
  [b] = (await stats()).json().data.breakers;
  assert.deepEqual([b.state, b.probe_at], ['closed', null]);
});

test('a running campaign refreshes itself; an email campaign names SendGrid; quiet hours now say when they end', async () => {
  const mail = await contact('Eve', { email: 'eve@example.com' });
  // Quiet all day but an hour: the message is held, the campaign stays running. The
  // hours are read once: a minute that turns between two readings would move them.
  const hours = awake();
  const made = await stack.api(key, 'POST', '/api/v1/campaigns', { name: 'Held', channels: ['sms', 'email'],
    audience: { contact_ids: [mail.id, people.ok.id] }, sms_body: 'Hi', email_subject: 'Hi', email_body: 'Hello',
    quiet_hours: { start: hours.end, end: hours.start } });
  assert.equal(made.status, 201, made.body);
  const id = made.json().data.id;
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id}/launch`)).status, 200);
  const s = (await stats(id)).json().data;
  assert.deepEqual(s.breakers.map((b) => b.provider), ['twilio', 'sendgrid']);
  assert.deepEqual(s.quiet_now, { quiet: true, opens_at: hours.start });
  assert.equal(s.final, false);
  const page = await viewer.get(`/campaigns/${id}`);
  assert.match(page.body, new RegExp(`data-stats-url="/api/v1/campaigns/${id}/stats"`));
  assert.match(page.body, /<script type="module" src="\/static\/js\/campaign_live\.js\?v=[^"]+"><\/script>/);
  assert.match(page.body, new RegExp(`id="campaign-refresh">Refresh<`));
  assert.match(page.body, new RegExp(`id="campaign-quiet-now">[^<]*held until ${hours.start}\\.`));
  assert.match(page.body, /<tr id="progress-total"><th scope="row">All channels<\/th>/);
  assert.match(page.body, /id="campaign-quiet">This campaign's own: \d\d:\d\d to \d\d:\d\d \(in each contact's time zone, else the organisation's\)/);
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id}/cancel`)).status, 200);
});

test('another org\'s campaign answers 404, page and JSON; a draft has no progress', async () => {
  otherOrg(stack);
  const theirs = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
  const res = await stats(campaignId, theirs);
  assert.equal(res.status, 404, res.body);
  assert.equal(res.json().error.code, 'not_found');
  const other = stack.client();
  assert.equal((await other.login('admin@other.test', 'another long password')).status, 303);
  assert.equal((await other.get(`/campaigns/${campaignId}`)).status, 404);
  assert.equal((await stats('00000000-0000-0000-0000-000000000000')).status, 404);
  assert.equal((await stats('not-an-id')).status, 404);
  const draft = await stack.api(key, 'POST', '/api/v1/campaigns', { name: 'Draft', channels: ['sms'],
    audience: { contact_ids: [people.ok.id] }, sms_body: 'Hi' });
  const page = await viewer.get(`/campaigns/${draft.json().data.id}`);
  assert.doesNotMatch(page.body, /id="campaign-live"|campaign_live\.js/);
  const d = (await stats(draft.json().data.id)).json().data;
  assert.deepEqual([d.messages, d.settled, d.errors, d.replies.total], [0, 0, [], 0]);
});

test('the form names the org\'s quiet hours and, during them, when held messages go; none is said as none', async () => {
  const manager = await stack.as('manager');
  const around = stack.one(`SELECT to_char(now() AT TIME ZONE timezone - interval '1 hour', 'HH24:MI') || '-' ||
    to_char(now() AT TIME ZONE timezone + interval '1 hour', 'HH24:MI') FROM orgs WHERE slug = 'demo'`);
  assert.equal(stack.cli(['org', 'set', 'demo', `quiet_hours=${around}`]).status, 0);
  let form = await manager.get('/campaigns/new');
  assert.equal(form.status, 200);
  const [start, end] = around.split('-');
  assert.match(form.body, new RegExp(`id="org-quiet">\\(${start} to ${end}\\)<`));
  assert.match(form.body, new RegExp(`id="org-quiet-now">[^<]*holds its messages until ${end},`));
  assert.equal(stack.cli(['org', 'set', 'demo', 'quiet_hours=00:00-00:00']).status, 0);
  form = await manager.get('/campaigns/new');
  assert.match(form.body, /id="org-quiet">\(none: messages go at any hour\)</);
  assert.doesNotMatch(form.body, /id="org-quiet-now"/);
  const made = await stack.api(key, 'POST', '/api/v1/campaigns', { name: 'Org hours', channels: ['sms'],
    audience: { contact_ids: [people.ok.id] }, sms_body: 'Hi' });
  const page = await viewer.get(`/campaigns/${made.json().data.id}`);
  assert.match(page.body, /id="campaign-quiet">The organisation's: none: messages go at any hour<\/dd>/);
  assert.equal(stack.cli(['org', 'set', 'demo', 'quiet_hours=21:00-08:00']).status, 0);
});
