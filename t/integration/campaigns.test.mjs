// campaigns.test.mjs — the campaign builder through the JSON API and the pages: the
// documented shape, a message per bad field (JSON and form, the form keeping what was
// typed), PATCH of drafts with stale versions, the status moves and their 409s, a
// launch making one message per recipient and channel (skipped ones with their
// reason) and a second launch refused, the stats, the list's keyset pages, delete of
// a draft with its confirmation page, roles, CSRF, and another org's ids (404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg, insertCalls } from '../lib/calls_fixtures.mjs';

let stack;
const clients = {};
const keys = {};
const ids = {};
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** A JSON request of a signed-in client (the CSRF header on writes). */
const json = (c, method, urlPath, body) => c.request(method, urlPath, {
  headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': c.csrf }),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const contact = async (fields) => {
  const res = await stack.api(keys.manager, 'POST', '/api/v1/contacts', fields);
  assert.equal(res.status, 201, res.body);
  return res.json().data.id;
};

const draft = (extra = {}) => ({
  name: 'Spring outreach', channels: ['sms'], audience: { contact_ids: [ids.ada] },
  sms_body: 'Hi {{first_name|there}}, about {{property_address}}?', ...extra,
});

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  keys.manager = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'camp-manager', '--role', 'manager']).stdout.trim();
  keys.viewer = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'camp-viewer', '--role', 'viewer']).stdout.trim();
  keys.admin = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'camp-admin', '--role', 'admin']).stdout.trim();
  ids.ada = await contact({ first_name: 'Ada', last_name: 'Lovelace', phone: '+14155550201', email: 'ada@example.com',
    property: { address: '12 Analytical Way', type: 'condo' }, tags: ['spring'] });
  ids.bob = await contact({ first_name: 'Bob', phone: '+14155550202', tags: ['spring'], opt_out: { sms: true } });
  ids.cy = await contact({ first_name: 'Cy', email: 'cy@example.com', tags: ['spring'] });
  ids.dee = await contact({ first_name: 'Dee', phone: '+14155550204', email: 'dee@example.com', tags: ['spring'],
    do_not_contact: true });
  otherOrg(stack);
  ids.otherContact = stack.one(`INSERT INTO contacts (org_id, first_name, phone)
    SELECT id, 'Other', '+14155550999' FROM orgs WHERE slug = 'other' RETURNING id`);
  ids.otherCampaign = stack.one(`INSERT INTO campaigns (org_id, name, channels, sms_body)
    SELECT id, 'Theirs', '{sms}', 'hi' FROM orgs WHERE slug = 'other' RETURNING id`);
});

after(async () => {
  if (stack) await stack.stop();
});

test('POST /api/v1/campaigns answers 201 with the documented shape, as a draft, audited', async () => {
  const res = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({
    channels: ['email', 'sms'], email_subject: 'Hello {{first_name}}', email_body: 'Dear {{first_name|friend}}',
    quiet_hours: { start: '20:30', end: '09:00' }, rate_per_minute: 120,
  }));
  assert.equal(res.status, 201, res.body);
  const c = res.json().data;
  ids.first = c.id;
  for (const k of ['id', 'name', 'channels', 'audience', 'sms_body', 'email_subject', 'email_body', 'voice_script',
    'schedule_at', 'quiet_hours', 'rate_per_minute', 'status', 'version', 'created_at', 'updated_at']) assert.ok(k in c, k);
  assert.deepEqual(c.channels, ['sms', 'email']);
  assert.deepEqual(c.audience, { contact_ids: [ids.ada] });
  assert.equal(c.audience_size, 1);
  assert.equal(c.schedule_at, null);
  assert.deepEqual(c.quiet_hours, { start: '20:30', end: '09:00' });
  assert.equal(c.rate_per_minute, 120);
  assert.equal(c.status, 'draft');
  assert.equal(c.version, 1);
  assert.match(c.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'campaign.create' AND entity_id = '${c.id}'`), '1');
  const tagged = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ audience: { tag: 'Spring' }, quiet_hours: null }));
  assert.equal(tagged.status, 201, tagged.body);
  assert.deepEqual(tagged.json().data.audience, { tag: 'spring' });
  assert.equal(tagged.json().data.audience_size, 4);
  assert.equal(tagged.json().data.quiet_hours, null);
  assert.equal(tagged.json().data.rate_per_minute, 60);
});

test('every field is validated: 400 with error.fields naming each bad one, nothing written', async () => {
  const before = stack.one('SELECT count(*) FROM campaigns');
  const cases = [
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ channels: [] }, 'channels'],
    [{ channels: ['fax'] }, 'channels'],
    [{ channels: 'sms' }, 'channels'],
    [{ audience: { contact_ids: [] } }, 'audience'],
    [{ audience: { contact_ids: ['nope'] } }, 'audience.contact_ids'],
    [{ audience: { contact_ids: [NO_SUCH_ID] } }, 'audience.contact_ids'],
    [{ audience: { contact_ids: [ids.otherContact] } }, 'audience.contact_ids'],
    [{ audience: { tag: 'nobody-has-this' } }, 'audience.tag'],
    [{ audience: { tag: '' } }, 'audience.tag'],
    [{ audience: { tag: 'a', contact_ids: [ids.ada] } }, 'audience'],
    [{ audience: 'everyone' }, 'audience'],
    [{ sms_body: '' }, 'sms_body'],
    [{ sms_body: 'x'.repeat(501) }, 'sms_body'],
    [{ sms_body: 'Hi {{nickname}}' }, 'sms_body'],
    [{ sms_body: 'Hi {{first_name' }, 'sms_body'],
    [{ channels: ['email'], email_subject: '', email_body: 'b' }, 'email_subject'],
    [{ channels: ['email'], email_subject: 's', email_body: '' }, 'email_body'],
    [{ channels: ['email'], email_subject: 's {{x}}', email_body: 'b' }, 'email_subject'],
    [{ channels: ['voice'], voice_script: '' }, 'voice_script'],
    [{ channels: ['voice'], voice_script: 'v'.repeat(5001) }, 'voice_script'],
    [{ schedule_at: 'tomorrow' }, 'schedule_at'],
    [{ schedule_at: '2020-01-01T09:00:00Z' }, 'schedule_at'],
    [{ quiet_hours: { start: '25:00', end: '08:00' } }, 'quiet_hours.start'],
    [{ quiet_hours: { start: '21:00' } }, 'quiet_hours.end'],
    [{ quiet_hours: { start: '21:00', end: '21:00' } }, 'quiet_hours.end'],
    [{ quiet_hours: '21-8' }, 'quiet_hours'],
    [{ rate_per_minute: 0 }, 'rate_per_minute'],
    [{ rate_per_minute: 120001 }, 'rate_per_minute'],
    [{ rate_per_minute: '60' }, 'rate_per_minute'],
  ];
  for (const [extra, field] of cases) {
    const res = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft(extra));
    assert.equal(res.status, 400, `${JSON.stringify(extra)}: ${res.body}`);
    assert.equal(res.json().error.code, 'invalid');
    assert.ok(res.json().error.fields[field], `${JSON.stringify(extra)} → ${field}: ${res.body}`);
  }
  const many = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', { name: '', channels: ['fax'], rate_per_minute: -1 });
  assert.equal(many.status, 400);
  for (const k of ['name', 'channels', 'rate_per_minute']) assert.ok(many.json().error.fields[k], k);
  const tooMany = Array.from({ length: 10001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const big = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ audience: { contact_ids: tooMany } }));
  assert.equal(big.status, 400);
  assert.match(big.json().error.fields['audience.contact_ids'], /at most 10000/);
  const unknown = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ audience: { contact_ids: tooMany.slice(1) } }));
  assert.equal(unknown.status, 400);
  assert.match(unknown.json().error.fields['audience.contact_ids'], /do not exist/);
  const notObject = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', [1, 2]);
  assert.equal(notObject.status, 400);
  assert.equal(stack.one('SELECT count(*) FROM campaigns'), before);
  // A field with no value writes its fallback, else nothing: accepted.
  const ok = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ sms_body: '{{ company | us }} says hi' }));
  assert.equal(ok.status, 201, ok.body);
});

test('PATCH edits a draft (partial; a stale version is a 409 with the stored campaign)', async () => {
  const res = await stack.api(keys.manager, 'PATCH', `/api/v1/campaigns/${ids.first}`, { name: 'Spring outreach, v2' });
  assert.equal(res.status, 200, res.body);
  const c = res.json().data;
  assert.equal(c.name, 'Spring outreach, v2');
  assert.deepEqual(c.channels, ['sms', 'email']);
  assert.deepEqual(c.quiet_hours, { start: '20:30', end: '09:00' });
  assert.equal(c.version, 2);
  const stale = await stack.api(keys.manager, 'PATCH', `/api/v1/campaigns/${ids.first}`, { version: 1, name: 'Late' });
  assert.equal(stale.status, 409);
  assert.equal(stale.json().error.fields.current.version, 2);
  const aud = await stack.api(keys.manager, 'PATCH', `/api/v1/campaigns/${ids.first}`,
    { audience: { contact_ids: [ids.ada, ids.bob, ids.cy, ids.dee, ids.ada] } });
  assert.equal(aud.status, 200, aud.body);
  assert.equal(aud.json().data.audience.contact_ids.length, 4);
  assert.equal(aud.json().data.audience_size, 4);
  const bad = await stack.api(keys.manager, 'PATCH', `/api/v1/campaigns/${ids.first}`, { sms_body: '{{bogus}}' });
  assert.equal(bad.status, 400);
  assert.ok(bad.json().error.fields.sms_body);
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'campaign.update' AND entity_id = '${ids.first}'`), '2');
});

test('launch: one message per recipient and channel, skipped ones with their reason; a second launch is 409', async () => {
  const res = await stack.api(keys.manager, 'POST', `/api/v1/campaigns/${ids.first}/launch`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().data.status, 'running');
  assert.equal(res.json().data.audience_size, 4);
  assert.match(res.json().data.launched_at, /Z$/);
  const rows = stack.sql(`SELECT c.first_name, m.channel, m.state, m.reason FROM campaign_messages m
    JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = '${ids.first}' ORDER BY 1, 2`).trim().split('\n');
  assert.deepEqual(rows, [
    'Ada|email|queued|', 'Ada|sms|queued|',
    'Bob|email|skipped|no_email', 'Bob|sms|skipped|opted_out',
    'Cy|email|queued|', 'Cy|sms|skipped|no_phone',
    'Dee|email|skipped|do_not_contact', 'Dee|sms|skipped|do_not_contact',
  ]);
  const again = await stack.api(keys.manager, 'POST', `/api/v1/campaigns/${ids.first}/launch`);
  assert.equal(again.status, 409);
  assert.equal(again.json().error.code, 'conflict');
  assert.equal(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${ids.first}'`), '8');
  assert.equal(stack.one(`SELECT detail::text FROM audit_log WHERE action = 'campaign.launch' AND entity_id = '${ids.first}'`),
    '{"to": "running", "from": "draft", "messages": 8, "recipients": 4}');
  // The contact's page lists its messages.
  const bob = await clients.viewer.get(`/contacts/${ids.bob}`);
  assert.match(bob.body, /id="contact-messages"/);
  assert.match(bob.body, new RegExp(`href="/campaigns/${ids.first}">Spring outreach, v2</a></td><td>sms</td><td>skipped</td><td>opted_out<`));
  // Launched: no more edits or deletes.
  assert.equal((await stack.api(keys.manager, 'PATCH', `/api/v1/campaigns/${ids.first}`, { name: 'x' })).status, 409);
  assert.equal((await stack.api(keys.admin, 'DELETE', `/api/v1/campaigns/${ids.first}`)).status, 409);
  // The database never holds two messages for one recipient and channel.
  assert.throws(() => stack.sql(`INSERT INTO campaign_messages (org_id, campaign_id, contact_id, channel)
    SELECT org_id, campaign_id, contact_id, channel FROM campaign_messages WHERE campaign_id = '${ids.first}' LIMIT 1`));
});

test('stats: counts per channel and state', async () => {
  const res = await stack.api(keys.viewer, 'GET', `/api/v1/campaigns/${ids.first}/stats`);
  assert.equal(res.status, 200, res.body);
  const s = res.json().data;
  assert.deepEqual(s.channels.sms, { queued: 1, sent: 0, delivered: 0, failed: 0, skipped: 3, replied: 0 });
  assert.deepEqual(s.channels.email, { queued: 2, sent: 0, delivered: 0, failed: 0, skipped: 2, replied: 0 });
  assert.equal(s.channels.voice, undefined);
  assert.deepEqual(s.totals, { queued: 3, sent: 0, delivered: 0, failed: 0, skipped: 5, replied: 0 });
  assert.deepEqual(s.reasons.sms, { do_not_contact: 1, no_phone: 1, opted_out: 1 });
  const page = await clients.viewer.get(`/campaigns/${ids.first}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /id="progress-sms"><th scope="row">SMS<\/th><td class="num" data-v="channels.sms.queued">1<\/td>/);
  assert.match(page.body, /Opted out of this channel/);
});

test('status moves: pause, resume, cancel; 409 for every move the status does not allow', async () => {
  const act = (id, a) => stack.api(keys.manager, 'POST', `/api/v1/campaigns/${id}/${a}`);
  assert.equal((await act(ids.first, 'resume')).status, 409);
  const paused = await act(ids.first, 'pause');
  assert.equal(paused.status, 200);
  assert.equal(paused.json().data.status, 'paused');
  assert.equal((await act(ids.first, 'pause')).status, 409);
  assert.equal((await act(ids.first, 'launch')).status, 409);
  assert.equal((await act(ids.first, 'resume')).json().data.status, 'running');
  assert.equal((await act(ids.first, 'cancel')).json().data.status, 'canceled');
  for (const a of ['launch', 'pause', 'resume', 'cancel']) assert.equal((await act(ids.first, a)).status, 409, a);
  // A draft can only be launched.
  const d = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft());
  for (const a of ['pause', 'resume', 'cancel']) assert.equal((await act(d.json().data.id, a)).status, 409, a);
  assert.equal(stack.one(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE entity_id = '${ids.first}'
    AND action IN ('campaign.pause', 'campaign.resume', 'campaign.cancel')`), 'campaign.pause,campaign.resume,campaign.cancel');
});

test('a campaign to start later is scheduled at launch; its messages are made then', async () => {
  const at = new Date(Date.now() + 3 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const res = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ schedule_at: at, audience: { tag: 'spring' } }));
  assert.equal(res.status, 201, res.body);
  assert.equal(res.json().data.schedule_at, at);
  const l = await stack.api(keys.manager, 'POST', `/api/v1/campaigns/${res.json().data.id}/launch`);
  assert.equal(l.json().data.status, 'scheduled');
  assert.equal(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${res.json().data.id}'`), '4');
  const p = await stack.api(keys.manager, 'POST', `/api/v1/campaigns/${res.json().data.id}/pause`);
  assert.equal(p.json().data.status, 'paused');
  assert.equal((await stack.api(keys.manager, 'POST', `/api/v1/campaigns/${res.json().data.id}/resume`)).json().data.status, 'scheduled');
});

test('an audience left without contacts cannot be launched', async () => {
  const lone = await contact({ first_name: 'Lone', phone: '+14155550299' });
  const res = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ audience: { contact_ids: [lone] } }));
  assert.equal(res.status, 201);
  assert.equal((await json(clients.admin, 'DELETE', `/api/v1/contacts/${lone}`)).status, 200);
  const l = await stack.api(keys.manager, 'POST', `/api/v1/campaigns/${res.json().data.id}/launch`);
  assert.equal(l.status, 409);
  assert.equal(stack.one(`SELECT status FROM campaigns WHERE id = '${res.json().data.id}'`), 'draft');
});

test('the form: 400 with a message at each field and what was typed; then 303, the page with its preview, launch', async () => {
  const m = clients.manager;
  const form = await m.get('/campaigns/new');
  assert.equal(form.status, 200);
  assert.match(form.body, /Demo provider: no real messages are sent/);
  assert.match(form.body, /Ada Lovelace/, 'the picker lists contacts');
  const noTime = await m.post('/campaigns', { name: 'x', channels: 'sms', contact_ids: ids.ada, sms_body: 'x', schedule: 'later' });
  assert.equal(noTime.status, 400);
  assert.match(noTime.body, /id="e-schedule_at"[^>]*>is required to start at a time/);
  const bad = await m.post('/campaigns', { name: 'Bad <b>', sms_body: 'Hi {{nick}}', audience: 'contacts',
    schedule: 'later', schedule_at: 'soon', quiet: 'custom', quiet_start: '9pm', quiet_end: '', rate_per_minute: 'lots' });
  assert.equal(bad.status, 400);
  for (const f of ['channels', 'contact_ids', 'sms_body', 'schedule_at', 'quiet_start', 'quiet_end', 'rate_per_minute'])
    assert.equal(bad.body.split(`id="e-${f}"`).length, 2, `one message for ${f}`);
  assert.match(bad.body, /href="#f-sms_body"/, 'the summary links to the field');
  assert.match(bad.body, /value="Bad &lt;b&gt;"/);
  assert.match(bad.body, /Hi \{\{nick\}\}<\/textarea>/);
  assert.match(bad.body, /value="lots"/);
  const find = await m.post('/campaigns', { name: 'Kept', find: 'lovelace', find_contacts: '1', channels: 'sms' });
  assert.equal(find.status, 200);
  assert.match(find.body, /value="Kept"/);
  assert.match(find.body, /Ada Lovelace/);
  assert.doesNotMatch(find.body, />Cy </);
  const ok = await m.post('/campaigns', { name: 'Form campaign', channels: 'sms', audience: 'contacts', contact_ids: ids.ada,
    sms_body: 'Hi {{first_name}} ✓', schedule: 'now', quiet: 'org', rate_per_minute: '30' });
  assert.equal(ok.status, 303, ok.body);
  const id = ok.headers.location.split('/').pop();
  const page = await m.get(ok.headers.location);
  assert.match(page.body, /id="preview-sms">Hi Ada ✓</);
  assert.match(page.body, /id="preview-sms-count">8 characters · 1 part \(UCS-2\)/);
  assert.doesNotMatch(page.body, /Sending is not available/);
  assert.match(page.body, /Demo provider: no real messages are sent/);
  assert.match(page.body, /id="action-launch"/);
  assert.doesNotMatch(page.body, /id="action-pause"/);
  const edit = await m.get(`/campaigns/${id}/edit`);
  assert.equal(edit.status, 200);
  assert.match(edit.body, new RegExp(`id="f-pick-${ids.ada}" name="contact_ids" value="${ids.ada}" checked`));
  const saved = await m.post(`/campaigns/${id}`, { version: '1', name: 'Form campaign 2', channels: 'sms', audience: 'tag',
    audience_tag: 'spring', sms_body: 'Hello', schedule: 'now', quiet: 'custom', quiet_start: '22:00', quiet_end: '07:30' });
  assert.equal(saved.status, 303, saved.body);
  assert.equal(stack.one(`SELECT audience_tag || '|' || quiet_start || '|' || quiet_end FROM campaigns WHERE id = '${id}'`),
    'spring|22:00:00|07:30:00');
  const stale = await m.post(`/campaigns/${id}`, { version: '1', name: 'Old', channels: 'sms', audience: 'tag', audience_tag: 'spring',
    sms_body: 'x' });
  assert.equal(stale.status, 409);
  assert.match(stale.body, /id="stale-notice"/);
  const launched = await m.post(`/campaigns/${id}/launch`, {});
  assert.equal(launched.status, 303);
  const after = await m.get(`/campaigns/${id}`);
  assert.match(after.body, /id="campaign-status">Running</);
  assert.match(after.body, /id="action-pause"/);
  assert.doesNotMatch(after.body, /id="action-launch"/);
  assert.doesNotMatch(after.body, /id="edit-campaign"/);
  assert.equal((await m.post(`/campaigns/${id}/launch`, {})).status, 409);
  assert.equal((await m.get(`/campaigns/${id}/edit`)).status, 409);
});

test('the list: newest first, keyset pages, an empty state for an org without campaigns', async () => {
  const m = clients.manager;
  const total = Number(stack.one("SELECT count(*) FROM campaigns WHERE org_id = (SELECT id FROM orgs WHERE slug = 'demo')"));
  const seen = [];
  let cursor = null;
  do {
    const r = await json(m, 'GET', `/api/v1/campaigns?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.body);
    seen.push(...r.json().data.map((c) => c.id));
    cursor = r.json().next_cursor;
  } while (cursor);
  assert.equal(seen.length, total);
  assert.equal(new Set(seen).size, total);
  assert.ok(!seen.includes(ids.otherCampaign));
  const newest = stack.one("SELECT id FROM campaigns WHERE org_id = (SELECT id FROM orgs WHERE slug = 'demo') ORDER BY created_at DESC, id DESC LIMIT 1");
  assert.equal(seen[0], newest);
  const page = await m.get('/campaigns?limit=2');
  assert.equal(page.status, 200);
  assert.match(page.body, /<th scope="col">Status<\/th>/);
  assert.match(page.body, /Next page/);
  assert.match(page.body, /href="\/campaigns"[^>]*aria-current="page"/);
  const bad = await json(m, 'GET', '/api/v1/campaigns?limit=0&cursor=xyz');
  assert.equal(bad.status, 400);
  for (const k of ['limit', 'cursor']) assert.ok(bad.json().error.fields[k], k);
  assert.equal((await m.get('/campaigns?cursor=xyz')).status, 400);
  // The other org sees its one campaign; a third org, none: the empty state.
  otherOrg(stack, 'third');
  const third = stack.client();
  assert.equal((await third.login('admin@third.test', 'another long password')).status, 303);
  const empty = await third.get('/campaigns');
  assert.equal(empty.status, 200);
  assert.match(empty.body, /id="campaigns-empty"/);
  assert.doesNotMatch(empty.body, /id="campaigns"/);
});

test('roles: everyone reads; managers create, edit and launch; admins delete drafts (with a confirmation page)', async () => {
  const d = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ name: 'To delete' }));
  const id = d.json().data.id;
  for (const role of ['viewer', 'agent']) {
    const c = clients[role];
    assert.equal((await c.get('/campaigns')).status, 200);
    assert.equal((await c.get(`/campaigns/${id}`)).status, 200);
    assert.doesNotMatch((await c.get(`/campaigns/${id}`)).body, /id="action-launch"/);
    assert.equal((await json(c, 'GET', `/api/v1/campaigns/${id}/stats`)).status, 200);
    assert.equal((await c.get('/campaigns/new')).status, 403);
    assert.equal((await c.post('/campaigns', { name: 'x' })).status, 403);
    assert.equal((await c.post(`/campaigns/${id}/launch`, {})).status, 403);
    assert.equal((await json(c, 'PATCH', `/api/v1/campaigns/${id}`, { name: 'x' })).status, 403);
    assert.equal((await json(c, 'POST', `/api/v1/campaigns/${id}/launch`)).status, 403);
    assert.doesNotMatch((await c.get('/campaigns')).body, /href="\/campaigns\/new"/);
  }
  assert.equal((await stack.api(keys.viewer, 'POST', '/api/v1/campaigns', draft())).status, 403);
  assert.equal((await stack.api(keys.manager, 'DELETE', `/api/v1/campaigns/${id}`)).status, 403);
  assert.equal((await clients.manager.get(`/campaigns/${id}/delete`)).status, 403);
  assert.equal((await clients.manager.post(`/campaigns/${id}/delete`, {})).status, 403);
  const confirm = await clients.admin.get(`/campaigns/${id}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="confirm-delete"/);
  const del = await clients.admin.post(`/campaigns/${id}/delete`, {});
  assert.equal(del.status, 303);
  assert.equal((await clients.admin.get(`/campaigns/${id}`)).status, 404);
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'campaign.delete' AND entity_id = '${id}'`), '1');
  const d2 = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ name: 'API delete' }));
  assert.equal((await stack.api(keys.admin, 'DELETE', `/api/v1/campaigns/${d2.json().data.id}`)).status, 200);
});

test('calls.campaign_id is a key: a campaign of the call\'s own org, and deleting it keeps the call', async () => {
  assert.throws(() => insertCalls(stack, [{ campaign_id: NO_SUCH_ID }]), /calls_campaign_fk/);
  assert.throws(() => insertCalls(stack, [{ campaign_id: ids.otherCampaign }]), /calls_campaign_fk/, 'another org\'s campaign');
  const d = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ name: 'Linked calls' }));
  const id = d.json().data.id;
  const [live, gone] = insertCalls(stack, [{ campaign_id: id }, { campaign_id: id, deleted_at: '2024-05-06T00:00:00Z' }]);
  assert.equal((await stack.api(keys.admin, 'DELETE', `/api/v1/campaigns/${id}`)).status, 200);
  assert.equal(stack.one(`SELECT count(*) || ':' || count(campaign_id) || ':' || min(org_id::text)
    FROM calls WHERE id IN ('${live}', '${gone}')`), `2:0:${stack.one("SELECT id FROM orgs WHERE slug = 'demo'")}`);
});

test('CSRF: a form or JSON write without the token is refused and changes nothing', async () => {
  const m = clients.manager;
  const d = await stack.api(keys.manager, 'POST', '/api/v1/campaigns', draft({ name: 'CSRF target' }));
  const id = d.json().data.id;
  const before = stack.one('SELECT count(*) FROM campaigns');
  const form = { name: 'Forged', channels: 'sms', audience: 'contacts', contact_ids: ids.ada, sms_body: 'x' };
  assert.equal((await m.post('/campaigns', { ...form, csrf_token: null })).status, 403);
  assert.equal((await m.post('/campaigns', { ...form, csrf_token: 'forged' })).status, 403);
  assert.equal((await m.post(`/campaigns/${id}/launch`, { csrf_token: 'forged' })).status, 403);
  const noHeader = await m.request('POST', `/api/v1/campaigns/${id}/launch`, { headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(noHeader.status, 403);
  assert.equal(stack.one('SELECT count(*) FROM campaigns'), before);
  assert.equal(stack.one(`SELECT status FROM campaigns WHERE id = '${id}'`), 'draft');
});

test("another org's campaign, and ids that do not exist or are not ids, answer 404 on every route", async () => {
  const a = clients.admin;
  for (const id of [ids.otherCampaign, NO_SUCH_ID, 'not-a-uuid']) {
    for (const p of [`/campaigns/${id}`, `/campaigns/${id}/edit`, `/campaigns/${id}/delete`])
      assert.equal((await a.get(p)).status, 404, p);
    for (const p of ['', '/delete', '/launch', '/pause', '/resume', '/cancel'])
      assert.equal((await a.post(`/campaigns/${id}${p}`, { name: 'x' })).status, 404, p);
    assert.equal((await json(a, 'GET', `/api/v1/campaigns/${id}`)).status, 404, id);
    assert.equal((await json(a, 'GET', `/api/v1/campaigns/${id}/stats`)).status, 404, id);
    assert.equal((await json(a, 'PATCH', `/api/v1/campaigns/${id}`, { name: 'x' })).status, 404, id);
    assert.equal((await json(a, 'DELETE', `/api/v1/campaigns/${id}`)).status, 404, id);
    for (const act of ['launch', 'pause', 'resume', 'cancel'])
      assert.equal((await json(a, 'POST', `/api/v1/campaigns/${id}/${act}`)).status, 404, act);
  }
  assert.equal(stack.one(`SELECT status || '|' || name FROM campaigns WHERE id = '${ids.otherCampaign}'`), 'draft|Theirs');
  assert.equal(stack.one(`SELECT count(*) FROM campaign_messages WHERE campaign_id = '${ids.otherCampaign}'`), '0');
});
