// calls_detail.test.mjs — GET /calls/{id} and GET /api/v1/calls/{id}: metadata,
// player, transcript order, action items, related calls, contact; 404 for a bad id,
// another org's call and a deleted one; soft delete by admins only (audited), after
// which the call is gone from the list, the API and the export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, clearCalls, otherOrg } from '../lib/calls_fixtures.mjs';

let stack, admin;
const ids = {};

before(async () => {
  stack = await Stack.start();
  admin = await stack.as('admin');
  otherOrg(stack);
  clearCalls(stack);
  const contact = stack.sql(`INSERT INTO contacts (org_id, name, phone) VALUES ((SELECT id FROM orgs WHERE slug = 'demo'),
    'Riya <Shah>', '+14155550100') RETURNING id`);
  [ids.main, ids.older, ids.outbound, ids.unrelated] = insertCalls(stack, [
    { direction: 'inbound', from_number: '+14155550100', to_number: '+18005550000', caller_name: 'Riya Shah',
      started_at: '2024-05-01T13:00:00Z', ended_at: '2024-05-01T13:02:05Z', duration_s: 125, sentiment_score: 0.42,
      sentiment_label: 'positive', summary: 'Wants a refund <quickly>.', ended_reason: 'customer-ended-call',
      recording_status: 'stored', recording_path: 'x/y.wav', recording_content_type: 'audio/wav', contact_id: contact,
      action_items: ['Send refund form', { text: 'Call back Friday' }],
      transcript: [
        { t_ms: 65000, speaker: 'caller', text: 'Third, a minute in', confidence: 0.8 },
        { t_ms: 0, speaker: 'agent', text: 'Hello, <b>Switchboard</b> here', confidence: 0.99 },
        { t_ms: 1500, speaker: 'caller', text: 'Hi, I need a refund' },
        { t_ms: 70000, speaker: 'system', text: 'Call transferred' },
      ] },
    { direction: 'inbound', from_number: '+14155550100', started_at: '2024-04-01T10:00:00Z', status: 'no_answer' },
    { direction: 'outbound', from_number: '+18005550000', to_number: '+14155550100', started_at: '2024-04-15T10:00:00Z' },
    { direction: 'inbound', from_number: '+13125550199', started_at: '2024-04-20T10:00:00Z' },
  ]);
  [ids.deleted] = insertCalls(stack, [{ from_number: '+14155550100', deleted_at: '2024-05-02T00:00:00Z' }]);
  [ids.other] = insertCalls(stack, [{ from_number: '+14155550100' }], 'other');
});

after(async () => {
  if (stack) await stack.stop();
});

test('the page: metadata, player, transcript in time order with seek buttons, action items, related calls, contact', async () => {
  const page = await admin.get(`/calls/${ids.main}`);
  assert.equal(page.status, 200);
  const b = page.body;
  assert.match(b, /<h1>Riya Shah<\/h1>/);
  assert.match(b, new RegExp(`<audio id="call-audio" controls preload="none" src="/calls/${ids.main}/recording"></audio>`));
  const lines = [...b.matchAll(/<li class="line speaker-(\w+)"><button type="button" class="seek" data-t-ms="(\d+)"[^>]*><time>([\d:]+)<\/time><\/button>\s*<span class="speaker">\w+<\/span> <span class="text">([^<]*)<\/span>/g)]
    .map((m) => [m[1], Number(m[2]), m[3], m[4]]);
  assert.deepEqual(lines, [
    ['agent', 0, '0:00', 'Hello, &lt;b&gt;Switchboard&lt;/b&gt; here'],
    ['caller', 1500, '0:01', 'Hi, I need a refund'],
    ['caller', 65000, '1:05', 'Third, a minute in'],
    ['system', 70000, '1:10', 'Call transferred'],
  ]);
  assert.match(b, /Wants a refund &lt;quickly&gt;\./);
  assert.match(b, /customer-ended-call/);
  assert.match(b, /sentiment-positive">positive<\/span> <span class="muted">\(0.420\)/);
  assert.match(b, /<li>Send refund form<\/li><li>Call back Friday<\/li>/);
  assert.match(b, /id="contact">Riya &lt;Shah&gt; <span class="phone">\+14155550100<\/span>/);
  const related = [...b.matchAll(/<tr data-id="([0-9a-f-]{36})">/g)].map((m) => m[1]);
  assert.deepEqual(related, [ids.outbound, ids.older], 'same number, newest first, not itself, not deleted');
  assert.match(b, /href="\/calls\/[0-9a-f-]+\/delete"/, 'admins see the delete button');
  assert.match(b, /src="\/static\/js\/call_detail.js\?v=/);
  const viewer = await stack.as('viewer');
  const vpage = await viewer.get(`/calls/${ids.main}`);
  assert.equal(vpage.status, 200);
  assert.doesNotMatch(vpage.body, /id="delete-call"/);
});

test('a call without recording or transcript says so', async () => {
  const page = await admin.get(`/calls/${ids.unrelated}`);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /<audio/);
  assert.match(page.body, /No recording \(none\)/);
  assert.match(page.body, /No transcript for this call/);
  assert.match(page.body, /No other calls with this number/);
});

test('the JSON detail: list fields plus transcript, action_items, related_calls, summary, recording_status', async () => {
  const res = await admin.get(`/api/v1/calls/${ids.main}`);
  assert.equal(res.status, 200);
  const d = res.json().data;
  assert.equal(d.id, ids.main);
  assert.equal(d.duration_s, 125);
  assert.equal(d.ended_at, '2024-05-01T13:02:05Z');
  assert.equal(d.has_recording, true);
  assert.equal(d.recording_status, 'stored');
  assert.equal(d.summary, 'Wants a refund <quickly>.');
  assert.equal(d.contact_id.length, 36);
  assert.deepEqual(d.transcript.map((l) => l.t_ms), [0, 1500, 65000, 70000]);
  assert.deepEqual(d.transcript[0], { t_ms: 0, speaker: 'agent', text: 'Hello, <b>Switchboard</b> here', confidence: 0.99 });
  assert.equal(d.transcript[1].confidence, null);
  assert.deepEqual(d.action_items, ['Send refund form', { text: 'Call back Friday' }]);
  assert.deepEqual(d.related_calls.map((c) => c.id), [ids.outbound, ids.older]);
  assert.equal(d.related_calls[0].transcript, undefined, 'related calls are list items');
});

for (const [what, id] of [['not a UUID', 'nope'], ['unknown', '00000000-0000-4000-8000-000000000000'], ['another org', 'other'],
  ['deleted', 'deleted'], ['upper-case junk', 'ZZZZZZZZ-0000-4000-8000-000000000000']]) {
  test(`404 for ${what} id (page, JSON, delete confirmation)`, async () => {
    const real = ids[id] || id;
    assert.equal((await admin.get(`/calls/${real}`)).status, 404);
    const j = await admin.get(`/api/v1/calls/${real}`);
    assert.equal(j.status, 404);
    assert.equal(j.json().error.code, 'not_found');
    assert.equal((await admin.get(`/calls/${real}/delete`)).status, 404);
    assert.equal((await admin.post(`/calls/${real}/delete`)).status, 404);
  });
}

const maxAudit = () => Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));

test('manager, agent and viewer cannot delete (403, audited); nothing changes', async () => {
  for (const role of ['manager', 'agent', 'viewer']) {
    const c = await stack.as(role);
    const since = maxAudit();
    assert.equal((await c.get(`/calls/${ids.unrelated}/delete`)).status, 403, role);
    assert.equal((await c.post(`/calls/${ids.unrelated}/delete`)).status, 403, role);
    const api = await c.request('DELETE', `/api/v1/calls/${ids.unrelated}`, { headers: { 'x-csrf-token': c.csrf } });
    assert.equal(api.status, 403, role);
    assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden'`), '3');
  }
  assert.equal(stack.sql(`SELECT deleted_at IS NULL FROM calls WHERE id = '${ids.unrelated}'`), 't');
});

test('admin: confirmation page, then POST deletes (CSRF required), audited, gone everywhere', async () => {
  const confirm = await admin.get(`/calls/${ids.older}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /Delete this call\?/);
  assert.match(confirm.body, /It disappears from lists, analytics and exports\./);
  assert.match(confirm.body, new RegExp(`<form method="post" action="/calls/${ids.older}/delete"`));
  assert.equal((await admin.post(`/calls/${ids.older}/delete`, { csrf_token: 'forged' })).status, 403);
  assert.equal(stack.sql(`SELECT deleted_at IS NULL FROM calls WHERE id = '${ids.older}'`), 't');

  const since = maxAudit();
  const res = await admin.post(`/calls/${ids.older}/delete`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/calls');
  const list = await admin.get('/calls');
  assert.match(list.body, /The call was deleted\./);
  assert.doesNotMatch(list.body, new RegExp(ids.older));
  assert.equal(stack.sql(`SELECT deleted_at IS NOT NULL FROM calls WHERE id = '${ids.older}'`), 't');
  assert.equal(stack.sql(`SELECT action || '|' || entity || '|' || entity_id || '|' || actor FROM audit_log WHERE id > ${since}`),
    `call.delete|call|${ids.older}|admin@demo.test`);
  assert.equal((await admin.get(`/calls/${ids.older}`)).status, 404);
  const api = await admin.get('/api/v1/calls?include_demo=true&limit=200');
  assert.ok(!api.json().data.some((c) => c.id === ids.older));
  const csv = await admin.get('/calls/export.csv');
  assert.equal(csv.status, 200);
  assert.ok(!csv.body.includes(ids.older));
  assert.ok(csv.body.includes(ids.main));
  const detail = await admin.get(`/api/v1/calls/${ids.main}`);
  assert.ok(!detail.json().data.related_calls.some((c) => c.id === ids.older), 'not among related calls');
  // A second delete finds nothing.
  assert.equal((await admin.post(`/calls/${ids.older}/delete`)).status, 404);
});

test('DELETE /api/v1/calls/{id}: admin session with CSRF header, or an admin API key', async () => {
  const noCsrf = await admin.request('DELETE', `/api/v1/calls/${ids.outbound}`);
  assert.equal(noCsrf.status, 403);
  const res = await admin.request('DELETE', `/api/v1/calls/${ids.outbound}`, { headers: { 'x-csrf-token': admin.csrf } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { data: { deleted: true } });
  const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'deleter', '--role', 'admin']);
  const key = r.stdout.trim();
  const byKey = await stack.request('DELETE', `/api/v1/calls/${ids.unrelated}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(byKey.status, 200);
  const again = await stack.request('DELETE', `/api/v1/calls/${ids.unrelated}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(again.status, 404);
  const otherOrgCall = await stack.request('DELETE', `/api/v1/calls/${ids.other}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(otherOrgCall.status, 404);
  assert.equal(stack.sql(`SELECT deleted_at IS NULL FROM calls WHERE id = '${ids.other}'`), 't');
});
