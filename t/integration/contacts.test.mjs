// contacts.test.mjs — contacts through pages and the JSON API: the documented shape,
// create with a message per bad field (JSON and form, the form keeping what was
// typed), partial PATCH with the consent history it writes, stale versions, the list's
// search, tag, do-not-contact filters, orders and keyset pages, the formula-safe CSV
// export, soft delete with its confirmation page, roles, CSRF, another org's ids, and
// calls linked to their contact by phone number as they arrive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, otherOrg } from '../lib/calls_fixtures.mjs';

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

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  keys.manager = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'contacts-manager', '--role', 'manager']).stdout.trim();
  keys.viewer = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'contacts-viewer', '--role', 'viewer']).stdout.trim();
  otherOrg(stack);
  ids.other = stack.one(`INSERT INTO contacts (org_id, first_name, last_name, phone)
    SELECT id, 'Other', 'Tenant', '+14155550999' FROM orgs WHERE slug = 'other' RETURNING id`);
});

after(async () => {
  if (stack) await stack.stop();
});

test('POST /api/v1/contacts answers 201 with the documented shape', async () => {
  const res = await stack.api(keys.manager, 'POST', '/api/v1/contacts', {
    first_name: 'Ada', last_name: 'Lovelace', phone: '(415) 555-0142', email: 'Ada@Example.com', company: 'Engines Ltd',
    property: { address: '12 Analytical Way', type: 'single_family' }, tags: ['VIP', 'spring', 'vip'],
    time_zone: 'America/Los_Angeles', opt_out: { email: true },
  });
  assert.equal(res.status, 201, res.body);
  const c = res.json().data;
  ids.ada = c.id;
  assert.deepEqual(Object.keys(c).sort(), ['company', 'created_at', 'do_not_contact', 'email', 'first_name', 'id',
    'last_name', 'opt_out', 'phone', 'property', 'tags', 'time_zone', 'updated_at', 'version'].sort());
  assert.equal(c.phone, '+14155550142');
  assert.equal(c.email, 'ada@example.com');
  assert.deepEqual(c.property, { address: '12 Analytical Way', type: 'single_family' });
  assert.deepEqual(c.tags, ['vip', 'spring']);
  assert.deepEqual(c.opt_out, { sms: false, voice: false, email: true });
  assert.equal(c.do_not_contact, false);
  assert.equal(c.version, 1);
  assert.match(c.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(stack.one(`SELECT name FROM contacts WHERE id = '${c.id}'`), 'Ada Lovelace');
  assert.equal(stack.one(`SELECT count(*) FROM contact_consent_events WHERE contact_id = '${c.id}' AND channel = 'email' AND opted_out AND source = 'api'`), '1');
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'contact.create' AND entity_id = '${c.id}'`), '1');
});

test('bad JSON input is a 400 naming each field, and nothing is written', async () => {
  const before = stack.one('SELECT count(*) FROM contacts');
  const res = await stack.api(keys.manager, 'POST', '/api/v1/contacts', {
    first_name: 'x'.repeat(101), phone: '12', email: 'not-an-email', property: { type: 'castle' }, tags: 'a',
    time_zone: 'Mars/Olympus', opt_out: { sms: 'yes' },
  });
  assert.equal(res.status, 400, res.body);
  const f = res.json().error.fields;
  assert.equal(res.json().error.code, 'invalid');
  for (const k of ['first_name', 'phone', 'email', 'property.type', 'tags', 'opt_out.sms']) assert.ok(f[k], `${k}: ${res.body}`);
  const tz = await stack.api(keys.manager, 'POST', '/api/v1/contacts', { phone: '+14155550143', time_zone: 'Mars/Olympus' });
  assert.equal(tz.status, 400);
  assert.ok(tz.json().error.fields.time_zone);
  const none = await stack.api(keys.manager, 'POST', '/api/v1/contacts', { first_name: 'Nobody' });
  assert.equal(none.status, 400);
  assert.match(none.json().error.fields.phone, /phone or email/);
  const dup = await stack.api(keys.manager, 'POST', '/api/v1/contacts', { phone: '+1 415 555 0142' });
  assert.equal(dup.status, 400);
  assert.match(dup.json().error.fields.phone, /another contact/);
  assert.equal(stack.one('SELECT count(*) FROM contacts'), before);
});

test('PATCH changes only what it names, records consent history, and checks a stale version', async () => {
  const res = await stack.api(keys.manager, 'PATCH', `/api/v1/contacts/${ids.ada}`, { opt_out: { sms: true } });
  assert.equal(res.status, 200, res.body);
  const c = res.json().data;
  assert.deepEqual(c.opt_out, { sms: true, voice: false, email: true });
  assert.equal(c.first_name, 'Ada');
  assert.equal(c.version, 2);
  const stale = await stack.api(keys.manager, 'PATCH', `/api/v1/contacts/${ids.ada}`, { version: 1, company: 'Late' });
  assert.equal(stale.status, 409);
  assert.equal(stale.json().error.fields.current.version, 2);
  const dnc = await stack.api(keys.manager, 'PATCH', `/api/v1/contacts/${ids.ada}`, { version: 2, do_not_contact: true });
  assert.equal(dnc.status, 200);
  assert.equal(stack.one(`SELECT string_agg(channel || ':' || opted_out, ',' ORDER BY id) FROM contact_consent_events WHERE contact_id = '${ids.ada}'`),
    'email:true,sms:true,all:true');
  const page = await clients.viewer.get(`/contacts/${ids.ada}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /Put on the do-not-contact list/);
  assert.match(page.body, /id="contact-dnc"/);
  const bad = await stack.api(keys.manager, 'PATCH', `/api/v1/contacts/${ids.ada}`, { email: 'nope' });
  assert.equal(bad.status, 400);
  assert.ok(bad.json().error.fields.email);
});

test('the form: 400 with a message at each field and what was typed; then 303 and the page', async () => {
  const m = clients.manager;
  assert.equal((await m.get('/contacts/new')).status, 200);
  const bad = await m.post('/contacts', { first_name: 'Grace <b>', phone: 'call me', email: 'grace@', property_type: 'igloo' });
  assert.equal(bad.status, 400);
  for (const f of ['phone', 'email', 'property_type']) assert.match(bad.body, new RegExp(`id="e-${f}"`));
  assert.match(bad.body, /value="Grace &lt;b&gt;"/);
  assert.match(bad.body, /value="call me"/);
  const ok = await m.post('/contacts', { first_name: 'Grace', last_name: 'Hopper', phone: '+1 212 555 0101', tags: 'navy, cobol',
    property_type: 'condo', opt_out_voice: 'on' });
  assert.equal(ok.status, 303, ok.body);
  ids.grace = ok.headers.location.split('/').pop();
  const page = await m.get(ok.headers.location);
  assert.match(page.body, /Grace Hopper/);
  assert.match(page.body, /id="opt-out-voice">Opted out/);
  const edit = await m.get(`/contacts/${ids.grace}/edit`);
  assert.equal(edit.status, 200);
  const saved = await m.post(`/contacts/${ids.grace}`, { version: '1', first_name: 'Grace', last_name: 'Hopper',
    phone: '+12125550101', company: 'US Navy', tags: 'navy' });
  assert.equal(saved.status, 303, saved.body);
  const stale = await m.post(`/contacts/${ids.grace}`, { version: '1', first_name: 'Old', phone: '+12125550101' });
  assert.equal(stale.status, 409);
  assert.match(stale.body, /id="stale-notice"/);
  assert.equal(stack.one(`SELECT company || '|' || opt_out_voice FROM contacts WHERE id = '${ids.grace}'`), 'US Navy|false');
});

test('the list: search, tag, do-not-contact, orders and keyset pages (JSON and page)', async () => {
  const m = clients.manager;
  const q = await json(m, 'GET', '/api/v1/contacts?q=lovel');
  assert.equal(q.status, 200);
  assert.deepEqual(q.json().data.map((c) => c.id), [ids.ada]);
  assert.deepEqual((await json(m, 'GET', '/api/v1/contacts?tag=NAVY')).json().data.map((c) => c.id), [ids.grace]);
  assert.deepEqual((await json(m, 'GET', '/api/v1/contacts?do_not_contact=true')).json().data.map((c) => c.id), [ids.ada]);
  // Every contact once, in order, across pages of 7, whichever order.
  const total = Number(stack.one("SELECT count(*) FROM contacts WHERE org_id = (SELECT id FROM orgs WHERE slug = 'demo') AND deleted_at IS NULL"));
  for (const sort of ['name', 'newest']) {
    const seen = [];
    let cursor = null;
    do {
      const r = await json(m, 'GET', `/api/v1/contacts?sort=${sort}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, r.body);
      seen.push(...r.json().data.map((c) => c.id));
      cursor = r.json().next_cursor;
    } while (cursor);
    assert.equal(seen.length, total, sort);
    assert.equal(new Set(seen).size, total, sort);
  }
  const bad = await json(m, 'GET', '/api/v1/contacts?limit=0&sort=age&cursor=xyz');
  assert.equal(bad.status, 400);
  for (const k of ['limit', 'sort', 'cursor']) assert.ok(bad.json().error.fields[k], k);
  const page = await m.get('/contacts?q=hopper');
  assert.equal(page.status, 200);
  assert.match(page.body, /Grace Hopper/);
  assert.match(page.body, /href="\/contacts"[^>]*>Contacts</);
  const badPage = await m.get('/contacts?limit=abc');
  assert.equal(badPage.status, 400);
  assert.match(badPage.body, /id="e-limit"/);
  assert.match((await m.get('/contacts?q=zzzz-nothing')).body, /id="contacts-no-match"/);
});

test('the CSV export neutralises formula cells and is audited', async () => {
  await stack.api(keys.manager, 'POST', '/api/v1/contacts', { first_name: '=HYPERLINK("x")', last_name: '@evil', company: '-2+3',
    email: 'formula@example.com' });
  const res = await clients.viewer.get('/contacts/export.csv?q=formula');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /text\/csv/);
  const lines = res.body.trim().split('\r\n');
  assert.match(lines[0], /^id,first_name,last_name,phone,email,company/);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /,"'=HYPERLINK\(""x""\)","'@evil",,formula@example.com,"'-2\+3",/);
  const all = await clients.viewer.get('/contacts/export.csv?tag=navy');
  assert.match(all.body, /"'\+12125550101"/);
  assert.equal(stack.one("SELECT count(*) FROM audit_log WHERE action = 'contacts.export'"), '2');
});

test('roles: viewers and agents read, managers write, admins delete (with a confirmation page)', async () => {
  for (const role of ['viewer', 'agent']) {
    const c = clients[role];
    assert.equal((await c.get('/contacts')).status, 200);
    assert.equal((await c.get('/contacts/new')).status, 403);
    assert.equal((await c.post('/contacts', { phone: '+14155550177' })).status, 403);
    assert.equal((await json(c, 'PATCH', `/api/v1/contacts/${ids.grace}`, { company: 'x' })).status, 403);
    assert.doesNotMatch((await c.get('/contacts')).body, /href="\/contacts\/import"/);
  }
  assert.equal((await stack.api(keys.viewer, 'POST', '/api/v1/contacts', { phone: '+14155550178' })).status, 403);
  assert.equal((await clients.manager.post(`/contacts/${ids.grace}/delete`, {})).status, 403);
  assert.equal((await clients.manager.get(`/contacts/${ids.grace}/delete`)).status, 403);
  const admin = clients.admin;
  const confirm = await admin.get(`/contacts/${ids.grace}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="confirm-delete"/);
  const del = await admin.post(`/contacts/${ids.grace}/delete`, {});
  assert.equal(del.status, 303);
  assert.equal((await admin.get(`/contacts/${ids.grace}`)).status, 404);
  assert.equal(stack.one(`SELECT deleted_at IS NOT NULL FROM contacts WHERE id = '${ids.grace}'`), 't');
  // The number is free again.
  const again = await stack.api(keys.manager, 'POST', '/api/v1/contacts', { phone: '+12125550101' });
  assert.equal(again.status, 201, again.body);
  const apiDel = await json(admin, 'DELETE', `/api/v1/contacts/${again.json().data.id}`);
  assert.equal(apiDel.status, 200);
});

test('CSRF: a form or JSON write without the token is refused and changes nothing', async () => {
  const m = clients.manager;
  const before = stack.one('SELECT count(*) FROM contacts');
  assert.equal((await m.post('/contacts', { phone: '+14155550181', csrf_token: null })).status, 403);
  assert.equal((await m.post('/contacts', { phone: '+14155550181', csrf_token: 'forged' })).status, 403);
  const noHeader = await m.request('PATCH', `/api/v1/contacts/${ids.ada}`, {
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ company: 'x' }) });
  assert.equal(noHeader.status, 403);
  assert.equal(stack.one('SELECT count(*) FROM contacts'), before);
});

test("another org's contact, and ids that do not exist or are not ids, answer 404", async () => {
  const a = clients.admin;
  for (const id of [ids.other, NO_SUCH_ID, 'not-a-uuid']) {
    assert.equal((await a.get(`/contacts/${id}`)).status, 404, id);
    assert.equal((await a.get(`/contacts/${id}/edit`)).status, 404, id);
    assert.equal((await json(a, 'GET', `/api/v1/contacts/${id}`)).status, 404, id);
    assert.equal((await json(a, 'PATCH', `/api/v1/contacts/${id}`, { company: 'x' })).status, 404, id);
    assert.equal((await json(a, 'DELETE', `/api/v1/contacts/${id}`)).status, 404, id);
    assert.equal((await a.post(`/contacts/${id}/delete`, {})).status, 404, id);
  }
  assert.doesNotMatch((await json(a, 'GET', '/api/v1/contacts?q=tenant')).body, /Other/);
  assert.equal(stack.one(`SELECT deleted_at IS NULL FROM contacts WHERE id = '${ids.other}'`), 't');
});

test("a call is linked to the contact with the customer's number when it arrives", async () => {
  const before = await clients.viewer.get(`/contacts/${ids.ada}`);
  assert.match(before.body, /id="contact-no-calls"/);
  assert.doesNotMatch(before.body, /id="contact-calls"/, 'no empty calls table above the empty state');
  const [inbound, outbound, stranger, other] = [
    ...insertCalls(stack, [{ direction: 'inbound', from_number: '+14155550142' },
      { direction: 'outbound', from_number: '+14155559999', to_number: '+14155550142' },
      { direction: 'inbound', from_number: '+14155550999' }]),
    ...insertCalls(stack, [{ direction: 'inbound', from_number: '+14155550999' }], 'other'),
  ];
  const contactOf = (id) => stack.one(`SELECT coalesce(contact_id::text, '') FROM calls WHERE id = '${id}'`);
  assert.equal(contactOf(inbound), ids.ada);
  assert.equal(contactOf(outbound), ids.ada);
  assert.equal(contactOf(stranger), '', "another org's contact with that number is not this call's");
  assert.equal(contactOf(other), ids.other);
  const page = await clients.viewer.get(`/contacts/${ids.ada}`);
  assert.match(page.body, new RegExp(`href="/calls/${inbound}"`));
  assert.match(page.body, new RegExp(`href="/calls/${outbound}"`));
  assert.doesNotMatch(page.body, /id="contact-no-calls"/);
});
