// privacy.test.mjs — exporting everything about a contact or a user (a JSON download,
// admins only, audited, another org's ids 404), erasing a contact (its personal data
// gone from every table that held it, the analytics unchanged, its number linking no
// new call, one transaction with its audit row), and the retention job deleting old
// recordings and their files while marking the calls (docs/ADMIN.md, "Privacy").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { Stack, waitFor } from '../lib/stack.mjs';
import { insertCalls, campaignFor, otherOrg, lit } from '../lib/calls_fixtures.mjs';

let stack, admin, orgId, otherId, adminKey, viewerKey, recDir;

const PHONE = '+14155550177';
const EMAIL = 'erin.erasable@example.test';
const SECRET = 'Erasablesecretword';

before(async () => {
  stack = await Stack.start({ config: '\njob_backoff_ms = 100\nworker_poll_s = 1\n' });
  admin = await stack.as('admin');
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherOrg(stack);
  otherId = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  const key = (role) => {
    const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', `privacy-${role}`, '--role', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  adminKey = key('admin');
  viewerKey = key('viewer');
  recDir = /^recordings_dir\s*=\s*(.+)$/m.exec(readFileSync(stack.config, 'utf8'))[1].trim();
});

after(async () => {
  await stack?.stop();
});

const audits = (action, entityId) =>
  Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = '${action}'${entityId ? ` AND entity_id = '${entityId}'` : ''}`));

/** A contact of org with its personal data; returns its id. */
function contact(fields, org = orgId) {
  const f = { first_name: 'Erin', last_name: 'Erasable', phone: PHONE, email: EMAIL, company: 'Erasure Co',
    property_address: '1 Privacy Way', property_type: 'condo', time_zone: 'America/Los_Angeles', ...fields };
  const cols = Object.keys(f);
  return stack.sql(`INSERT INTO contacts (org_id, ${cols.join(', ')}, tags) VALUES ('${org}', ${cols.map((k) => lit(f[k])).join(', ')},
    '{vip,${SECRET.toLowerCase()}}') RETURNING id`).split('\n')[0];
}

/** The contact with calls (one recorded, with its file), a campaign message, a reply,
 * stored provider events, an outbound delivery and a CSV upload that name it. */
function contactWithHistory() {
  const id = contact({});
  stack.sql(`UPDATE contacts SET opt_out_sms = true WHERE id = '${id}'`);
  const [inbound, outbound, recorded] = insertCalls(stack, [
    { direction: 'inbound', from_number: PHONE, to_number: '+14155559999', caller_name: 'Erin Erasable', started_at: '2024-05-01T12:00:00Z',
      duration_s: 95, sentiment_score: 0.5, sentiment_label: 'positive', summary: `Erin said ${SECRET}`,
      transcript: [{ t_ms: 0, speaker: 'caller', text: `My secret is ${SECRET}`, confidence: 0.9 }], action_items: [`Call Erin about ${SECRET}`] },
    { direction: 'outbound', from_number: '+14155559999', to_number: PHONE, started_at: '2024-05-02T15:00:00Z', duration_s: 30,
      sentiment_label: 'negative', sentiment_score: -0.4 },
    { direction: 'inbound', from_number: PHONE, to_number: '+14155559999', caller_name: 'Erin E.', started_at: '2024-05-03T09:00:00Z',
      duration_s: 300, sentiment_label: 'neutral', sentiment_score: 0, recording_status: 'stored', recording_path: `${orgId}/erase-me.wav`,
      recording_content_type: 'audio/wav' },
  ]);
  stack.sql(`UPDATE calls SET recording_bytes = 4, recording_url = 'https://api.twilio.com/rec/${SECRET}' WHERE id = '${recorded}'`);
  // The provider's analysis (sql/0044) quotes the conversation too.
  stack.sql(`UPDATE calls SET analysis = '{"summary": "Erin said ${SECRET}", "structuredData": {"sentiment": "positive"}}' WHERE id = '${inbound}'`);
  mkdirSync(`${recDir}/${orgId}`, { recursive: true });
  writeFileSync(`${recDir}/${orgId}/erase-me.wav`, 'RIFF');
  const campaign = campaignFor(stack, '00000000-0000-4000-8000-00000000e4a5');
  const message = stack.sql(`INSERT INTO campaign_messages (org_id, campaign_id, contact_id, channel, to_address, state, sent_at)
    VALUES ('${orgId}', '${campaign}', '${id}', 'sms', '${PHONE}', 'sent', now()) RETURNING id`).split('\n')[0];
  stack.sql(`INSERT INTO message_replies (org_id, contact_id, campaign_message_id, from_address, body, provider_message_id)
    VALUES ('${orgId}', '${id}', '${message}', '${PHONE}', 'Reply with ${SECRET}', 'SM-erase-${process.pid}')`);
  const pcid = stack.sql(`SELECT provider_call_id FROM calls WHERE id = '${inbound}'`);
  stack.sql(`INSERT INTO webhook_events (org_id, provider, kind, event_key, body, applied_at, call) VALUES
    ('${orgId}', 'twilio', 'sms-inbound', 'ev-a-${process.pid}', 'From=%2B14155550177&Body=hello', now(), NULL),
    ('${orgId}', 'vapi', 'end-of-call-report', 'ev-b-${process.pid}', '{"message":{"summary":"${SECRET}"}}', now(),
     jsonb_build_object('provider_call_id', ${lit(pcid)}, 'caller_name', 'Erin')),
    ('${orgId}', 'vapi', 'status-update', 'ev-c-${process.pid}', '{"email":"${EMAIL}"}', NULL, NULL),
    ('${orgId}', 'vapi', 'status-update', 'ev-keep-${process.pid}', '{"from":"+14155550001"}', now(), NULL)`);
  const endpoint = stack.sql(`INSERT INTO webhook_endpoints (org_id, url, events, secret_sealed)
    VALUES ('${orgId}', 'https://hooks.example.test/in', '{call.completed}', 'sealed') RETURNING id`).split('\n')[0];
  stack.sql(`INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event_type, body)
    VALUES ('${orgId}', '${endpoint}', gen_random_uuid(), 'call.completed', '{"data":{"from_number":"${PHONE}","id":"${inbound}"}}')`);
  stack.sql(`INSERT INTO contact_imports (org_id, filename, body, rows, status)
    VALUES ('${orgId}', 'list.csv', E'first_name,last_name,phone,email\\nErin,Erasable,(415) 555-0177,${EMAIL}\\nBob,Keep,(415) 555-0001,bob@example.test', 2, 'imported')`);
  return { id, inbound, outbound, recorded, campaign, message };
}

/** Rows of every table holding any of the needles, as "table: count" (superuser: no RLS). */
function tablesHolding(needles) {
  const tables = stack.superSql(`SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`).split('\n').filter(Boolean);
  const cond = needles.map((n) => `strpos(lower(t::text), lower(${lit(n)})) > 0`).join(' OR ');
  const q = tables.map((t) => `SELECT ${lit(t)} AS t, count(*) AS n FROM public.${t} t WHERE ${cond}`).join(' UNION ALL ');
  return stack.superSql(`SELECT coalesce(string_agg(t || ': ' || n, ', ' ORDER BY t), 'none') FROM (${q}) x WHERE n > 0`);
}

const analytics = async (client) => {
  const range = 'start_date=2024-04-01&end_date=2024-06-30';
  const summary = (await client.get(`/api/v1/calls/analytics/summary?${range}`)).json().data;
  const top = summary.top_numbers;
  delete summary.top_numbers;
  return {
    summary, top,
    daily: (await client.get(`/api/v1/calls/analytics/daily?${range}`)).json().data,
    heatmap: (await client.get(`/api/v1/calls/analytics/heatmap?${range}`)).json().data,
    days: stack.sql('SELECT json_agg(r ORDER BY day, direction, status) FROM call_rollup_days r'),
    hours: stack.sql('SELECT json_agg(r ORDER BY day, hour) FROM call_rollup_hours r'),
  };
};

test('export: a contact as one JSON download, admins only, audited; another org\'s id answers 404', async () => {
  const h = contactWithHistory();
  const res = await admin.get(`/admin/privacy/contacts/${h.id}/export`);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(res.headers['content-disposition'], `attachment; filename="contact-${h.id}.json"`);
  const doc = res.json();
  assert.equal(doc.kind, 'contact');
  assert.equal(doc.contact.id, h.id);
  assert.equal(doc.contact.email, EMAIL);
  assert.equal(doc.contact.phone, PHONE);
  assert.deepEqual(doc.contact.property, { address: '1 Privacy Way', type: 'condo' });
  assert.ok(doc.contact.tags.includes('vip'));
  assert.deepEqual(doc.contact.opt_out, { sms: true, voice: false, email: false });
  assert.equal(doc.do_not_contact.listed, false);
  assert.deepEqual(doc.consent_history.map((e) => [e.channel, e.opted_out]), [['sms', true]]);
  assert.deepEqual(doc.calls.map((c) => c.id), [h.inbound, h.outbound, h.recorded]);
  assert.equal(doc.calls[0].transcript[0].text, `My secret is ${SECRET}`);
  assert.equal(doc.calls[0].summary, `Erin said ${SECRET}`);
  assert.equal(doc.calls[2].recording.status, 'stored');
  assert.equal(doc.calls[2].recording.bytes, 4);
  assert.equal(doc.campaign_messages.length, 1);
  assert.equal(doc.campaign_messages[0].to_address, PHONE);
  assert.equal(doc.replies[0].body, `Reply with ${SECRET}`);
  assert.equal(audits('privacy.export', h.id), 1);
  assert.equal(stack.sql(`SELECT entity || '|' || actor FROM audit_log WHERE action = 'privacy.export' AND entity_id = '${h.id}'`),
    'contact|admin@demo.test');
  // The JSON twin, with an API key: the same document.
  const api = await stack.api(adminKey, 'GET', `/api/v1/admin/privacy/contacts/${h.id}/export`);
  assert.equal(api.status, 200);
  assert.match(api.headers['content-disposition'], /^attachment/);
  assert.equal(api.json().calls.length, 3);
  // Another org's contact, an unknown id, a bad id: 404.
  const theirs = contact({ phone: '+14155550999', email: 'theirs@example.test' }, otherId);
  assert.equal((await admin.get(`/admin/privacy/contacts/${theirs}/export`)).status, 404);
  assert.equal((await stack.api(adminKey, 'GET', `/api/v1/admin/privacy/contacts/${theirs}/export`)).status, 404);
  assert.equal((await admin.get('/admin/privacy/contacts/00000000-0000-4000-8000-000000000000/export')).status, 404);
  assert.equal((await admin.get('/admin/privacy/contacts/nope/export')).status, 404);
  // Non-admins: 403, audited.
  const before = audits('security.forbidden');
  for (const role of ['viewer', 'agent', 'manager']) {
    const c = await stack.as(role);
    assert.equal((await c.get(`/admin/privacy/contacts/${h.id}/export`)).status, 403, role);
    assert.equal((await c.get(`/admin/privacy/contacts/${h.id}/erase`)).status, 403, role);
  }
  assert.equal((await stack.api(viewerKey, 'GET', `/api/v1/admin/privacy/contacts/${h.id}/export`)).status, 403);
  assert.ok(audits('security.forbidden') >= before + 7);
  // The contact page offers the export and the erasure to admins only.
  const page = await admin.get(`/contacts/${h.id}`);
  assert.match(page.body, new RegExp(`href="/admin/privacy/contacts/${h.id}/export"`));
  assert.match(page.body, new RegExp(`href="/admin/privacy/contacts/${h.id}/erase"`));
  const manager = await stack.as('manager');
  assert.doesNotMatch((await manager.get(`/contacts/${h.id}`)).body, /admin\/privacy/);
  stack.sql(`DELETE FROM contacts WHERE id = '${theirs}'`);
});

test('export: a user as one JSON download — profile, sessions, API keys without secrets, audit, deals', async () => {
  const manager = await stack.as('manager');
  const userId = stack.sql("SELECT id FROM users WHERE email = 'manager@demo.test'");
  stack.sql(`INSERT INTO api_keys (org_id, name, prefix, key_hash, role, created_by)
    VALUES ('${orgId}', 'Manager script', 'sb_abcdef12', repeat('a', 64), 'viewer', '${userId}')`);
  const brand = stack.sql(`INSERT INTO brands (org_id, name) VALUES ('${orgId}', 'Privacy Brand') RETURNING id`).split('\n')[0];
  const deal = stack.sql(`INSERT INTO deals (org_id, brand_id, title, currency, owner_id)
    VALUES ('${orgId}', '${brand}', 'Owned by the manager', 'USD', '${userId}') RETURNING id`).split('\n')[0];
  const page = await admin.get(`/admin/users/${userId}`);
  assert.match(page.body, new RegExp(`href="/admin/privacy/users/${userId}/export"`));
  const res = await admin.get(`/admin/privacy/users/${userId}/export`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-disposition'], `attachment; filename="user-${userId}.json"`);
  const doc = res.json();
  assert.equal(doc.kind, 'user');
  assert.equal(doc.user.email, 'manager@demo.test');
  assert.equal(doc.user.role, 'manager');
  assert.ok(doc.sessions.length >= 1);
  assert.ok(doc.sessions.every((s) => !('token_hash' in s)));
  assert.deepEqual(doc.api_keys.map((k) => [k.name, k.prefix]), [['Manager script', 'sb_abcdef12']]);
  assert.ok(!res.body.includes('a'.repeat(64)), 'no key hash');
  assert.ok(!/password_hash|token_hash|key_hash/.test(res.body));
  assert.ok(doc.audit.some((a) => a.action === 'login.ok'), JSON.stringify(doc.audit.map((a) => a.action)));
  assert.deepEqual(doc.deals.map((d) => d.id), [deal]);
  assert.equal(audits('privacy.export', userId), 1);
  const api = await stack.api(adminKey, 'GET', `/api/v1/admin/privacy/users/${userId}/export`);
  assert.equal(api.status, 200);
  assert.equal(api.json().user.id, userId);
  const theirs = stack.sql("SELECT id FROM users WHERE email = 'admin@other.test'");
  assert.equal((await admin.get(`/admin/privacy/users/${theirs}/export`)).status, 404);
  assert.equal((await manager.get(`/admin/privacy/users/${userId}/export`)).status, 403);
});

test('erase: a confirmation first; then the personal data is gone from every table, the analytics are unchanged', async () => {
  stack.sql(`DELETE FROM contacts WHERE email = '${EMAIL}'; DELETE FROM calls; DELETE FROM webhook_events; DELETE FROM contact_imports;
    DELETE FROM webhook_deliveries; DELETE FROM webhook_endpoints; DELETE FROM message_replies; DELETE FROM campaign_messages; DELETE FROM jobs`);
  const h = contactWithHistory();
  // Calls of other people on the same days, which must keep their numbers.
  insertCalls(stack, [
    { from_number: '+14155550001', started_at: '2024-05-01T13:00:00Z', duration_s: 20, sentiment_label: 'positive' },
    { from_number: '+14155550001', started_at: '2024-05-03T10:00:00Z', duration_s: 400 },
  ]);
  const beforeNumbers = stack.sql(`SELECT json_agg(r ORDER BY day, number) FROM call_rollup_numbers r WHERE number <> '${PHONE}'`);
  assert.ok(Number(stack.sql(`SELECT count(*) FROM call_rollup_numbers WHERE number = '${PHONE}'`)) > 0);
  const before = await analytics(admin);
  assert.equal(before.summary.total, 5);
  assert.equal(before.summary.recordings.count, 1);
  assert.ok(before.top.some((t) => t.number === PHONE), JSON.stringify(before.top));
  const needles = [PHONE.slice(1), EMAIL, 'Erasable', SECRET, '1 Privacy Way', 'Erasure Co', '555-0177'];
  assert.notEqual(tablesHolding(needles), 'none');

  // The confirmation page: what goes, and the word to type.
  const confirm = await admin.get(`/admin/privacy/contacts/${h.id}/erase`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="erase-word">Erin Erasable</);
  assert.match(confirm.body, /Calls \(3\)/);
  // No CSRF token: 403, nothing erased.
  assert.equal((await admin.post(`/admin/privacy/contacts/${h.id}/erase`, { confirm: 'Erin Erasable', csrf_token: null })).status, 403);
  // The wrong name: 400, the form again with what was typed.
  const wrong = await admin.post(`/admin/privacy/contacts/${h.id}/erase`, { confirm: 'Erin Somebody' });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body, /value="Erin Somebody"/);
  assert.match(wrong.body, /confirm must be the contact&#39;s name/);
  assert.equal(stack.sql(`SELECT erased_at IS NULL FROM contacts WHERE id = '${h.id}'`), 't');
  const bad = await stack.api(adminKey, 'POST', `/api/v1/admin/privacy/contacts/${h.id}/erase`, { confirm: 'no' });
  assert.equal(bad.status, 400);
  assert.ok(bad.json().error.fields.confirm);

  const res = await admin.post(`/admin/privacy/contacts/${h.id}/erase`, { confirm: 'erin erasable' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/contacts');
  // Gone from every table that held it: contacts, calls, rollup numbers, messages,
  // replies, provider events, deliveries, uploads.
  assert.equal(tablesHolding(needles), 'none');
  assert.equal(existsSync(`${recDir}/${orgId}/erase-me.wav`), false);
  assert.equal(stack.sql(`SELECT erased_at IS NOT NULL AND deleted_at IS NOT NULL AND phone IS NULL AND email IS NULL AND name = ''
    FROM contacts WHERE id = '${h.id}'`), 't');
  assert.equal(stack.sql(`SELECT string_agg(recording_status || ':' || coalesce(recording_deleted_reason, '-'), ',' ORDER BY started_at)
    FROM calls WHERE id IN ('${h.inbound}', '${h.outbound}', '${h.recorded}')`), 'none:-,none:-,deleted:erasure');
  assert.equal(stack.sql(`SELECT count(*) FROM calls WHERE erased_at IS NOT NULL`), '3');
  assert.equal(stack.sql(`SELECT count(*) FROM webhook_events WHERE body = '' AND org_id = '${orgId}'`), '3');
  assert.equal(stack.sql(`SELECT error FROM webhook_events WHERE event_key = 'ev-c-${process.pid}'`), 'erased');
  assert.equal(stack.sql(`SELECT body FROM webhook_events WHERE event_key = 'ev-keep-${process.pid}'`), '{"from":"+14155550001"}');
  assert.match(stack.sql(`SELECT body FROM contact_imports WHERE filename = 'list.csv'`), /^first_name,last_name,phone,email\nBob,Keep/);
  assert.equal(stack.sql(`SELECT state FROM campaign_messages WHERE id = '${h.message}'`), 'sent');
  // The analytics: every total, day and hour identical; the top numbers lost only the erased one.
  const after = await analytics(admin);
  assert.deepEqual(after.summary, before.summary);
  assert.deepEqual(after.daily, before.daily);
  assert.deepEqual(after.heatmap, before.heatmap);
  assert.equal(after.days, before.days);
  assert.equal(after.hours, before.hours);
  assert.deepEqual(after.top, before.top.filter((t) => t.number !== PHONE));
  assert.equal(stack.sql(`SELECT json_agg(r ORDER BY day, number) FROM call_rollup_numbers r`), beforeNumbers);
  // Audited once, with the counts, in the same transaction.
  const detail = JSON.parse(stack.sql(`SELECT detail FROM audit_log WHERE action = 'contact.erase' AND entity_id = '${h.id}'`));
  assert.deepEqual(detail, { calls: 3, messages: 1, replies: 1, events: 3, deliveries: 1, imports: 1, recordings: 1 });
  // The call page says why the recording is gone.
  const call = await admin.get(`/calls/${h.recorded}`);
  assert.match(call.body, /Recording deleted when the contact&#39;s personal data was erased \(\d{4}-\d\d-\d\d\)/);
  // A new call from the number links to no contact; a late event for an erased call
  // cannot put its personal data back.
  const [fresh] = insertCalls(stack, [{ from_number: PHONE, started_at: '2024-06-01T12:00:00Z' }]);
  assert.equal(stack.sql(`SELECT contact_id IS NULL FROM calls WHERE id = '${fresh}'`), 't');
  stack.sql(`UPDATE calls SET from_number = '${PHONE}', caller_name = 'Erin again', transcript = '[{"text":"back"}]',
    status = 'completed', duration_s = 95 WHERE id = '${h.inbound}'`);
  assert.equal(stack.sql(`SELECT from_number || '|' || caller_name || '|' || transcript::text FROM calls WHERE id = '${h.inbound}'`), '||[]');
  stack.sql(`DELETE FROM calls WHERE id = '${fresh}'`);
  // Erasing again: the page says so; the POST answers 409.
  assert.match((await admin.get(`/admin/privacy/contacts/${h.id}/erase`)).body, /id="already-erased"/);
  assert.equal((await stack.api(adminKey, 'POST', `/api/v1/admin/privacy/contacts/${h.id}/erase`, { confirm: 'ERASE' })).status, 409);
});

test('erase: the JSON twin (a contact without a name is confirmed with ERASE); 404 for another org; 403 for others', async () => {
  const id = contact({ first_name: '', last_name: '', phone: '+14155550178', email: 'nameless@example.test' });
  const theirs = contact({ phone: '+14155550179', email: 'theirs2@example.test' }, otherId);
  assert.equal((await stack.api(viewerKey, 'POST', `/api/v1/admin/privacy/contacts/${id}/erase`, { confirm: 'ERASE' })).status, 403);
  assert.equal((await stack.api(adminKey, 'POST', `/api/v1/admin/privacy/contacts/${theirs}/erase`, { confirm: 'ERASE' })).status, 404);
  assert.equal(stack.sql(`SELECT email FROM contacts WHERE id = '${theirs}'`), 'theirs2@example.test');
  const res = await stack.api(adminKey, 'POST', `/api/v1/admin/privacy/contacts/${id}/erase`, { confirm: 'ERASE' });
  assert.equal(res.status, 200);
  assert.equal(res.json().data.status, 'erased');
  assert.equal(res.json().data.calls, 0);
  assert.equal(stack.sql(`SELECT count(*) FROM contacts WHERE email = 'nameless@example.test'`), '0');
  assert.equal(audits('contact.erase', id), 1);
});

test('retention: the job deletes old recordings and their files, marks the calls, audits; the analytics stay', async () => {
  stack.sql('DELETE FROM jobs');
  stack.sql(`UPDATE orgs SET recording_retention_days = 2 WHERE id = '${orgId}'`);
  const started = (days) => stack.sql(`SELECT to_char((now() - interval '${days} days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);
  const [old, young] = insertCalls(stack, [
    { started_at: started(3), recording_status: 'stored', recording_path: `${orgId}/ret-old.wav`, duration_s: 61 },
    { started_at: started(1), recording_status: 'stored', recording_path: `${orgId}/ret-young.wav`, duration_s: 62 },
  ]);
  stack.sql(`UPDATE calls SET recording_bytes = 4 WHERE id IN ('${old}', '${young}')`);
  mkdirSync(`${recDir}/${orgId}`, { recursive: true });
  writeFileSync(`${recDir}/${orgId}/ret-old.wav`, 'RIFF');
  writeFileSync(`${recDir}/${orgId}/ret-young.wav`, 'RIFF');
  const days = stack.sql('SELECT json_agg(r ORDER BY day, direction, status) FROM call_rollup_days r');
  const w = stack.startWorker();
  try {
    await waitFor(() => stack.sql(`SELECT recording_status FROM calls WHERE id = '${old}'`) === 'deleted',
      { what: 'the old recording deleted', timeoutMs: 30000 });
  } finally {
    await stack.stopWorker(w);
  }
  assert.equal(stack.sql(`SELECT coalesce(recording_path, '-') || '|' || recording_deleted_reason || '|' || (recording_deleted_at IS NOT NULL)
    FROM calls WHERE id = '${old}'`), '-|retention|true');
  assert.equal(existsSync(`${recDir}/${orgId}/ret-old.wav`), false);
  assert.equal(existsSync(`${recDir}/${orgId}/ret-young.wav`), true);
  assert.equal(stack.sql(`SELECT recording_status FROM calls WHERE id = '${young}'`), 'stored');
  assert.equal(stack.sql(`SELECT detail->'call_ids' ? '${old}' FROM audit_log WHERE action = 'recordings.retention_purge'`), 't');
  assert.equal(stack.sql('SELECT json_agg(r ORDER BY day, direction, status) FROM call_rollup_days r'), days);
  const page = await admin.get(`/calls/${old}`);
  assert.match(page.body, /id="recording-deleted">Recording deleted under the retention policy \(\d{4}-\d\d-\d\d\)/);
  assert.doesNotMatch(page.body, /<audio/);
  const json = (await stack.api(adminKey, 'GET', `/api/v1/calls/${old}`)).json().data;
  assert.equal(json.recording_status, 'deleted');
  assert.equal(json.recording_deleted_reason, 'retention');
  assert.match(json.recording_deleted_at, /Z$/);
  assert.equal((await admin.get(`/calls/${old}/recording`)).status, 404);
});

test('erase: provider events after the erasure change nothing on the erased call; a new call from the number links to no one', async () => {
  const VAPI_SECRET = 'vapi-privacy-secret-0123456789';
  const r = stack.cli(['org', 'set', 'demo', 'vapi_secret'], { input: `${VAPI_SECRET}\n` });
  assert.equal(r.status, 0, r.stderr);
  const number = '+14155550188';
  const id = contact({ first_name: 'Walt', last_name: 'Webhook', phone: number, email: 'walt@example.test' });
  const vapi = (callId, endedAt) => stack.request('POST', '/webhooks/demo/vapi', {
    headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET },
    body: JSON.stringify({ message: { type: 'end-of-call-report', call: { id: callId, type: 'inboundPhoneCall', customer: { number } },
      startedAt: '2024-05-10T10:00:00.000Z', endedAt, endedReason: 'customer-ended-call',
      artifact: { messages: [{ role: 'user', message: 'Walt speaking', secondsFromStart: 1 }] }, analysis: { summary: 'Walt called' } } }),
  });
  const first = `walt-${process.pid}`;
  assert.equal((await vapi(first, '2024-05-10T10:02:00.000Z')).status, 200);
  const w = stack.startWorker();
  try {
    await waitFor(() => stack.sql(`SELECT count(*) FROM calls WHERE provider_call_id = '${first}'`) === '1', { what: 'the call applied' });
    assert.equal(stack.sql(`SELECT contact_id FROM calls WHERE provider_call_id = '${first}'`), id);
    const res = await stack.api(adminKey, 'POST', `/api/v1/admin/privacy/contacts/${id}/erase`, { confirm: 'Walt Webhook' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().data.calls, 1);
    // A late report for the erased call, and a new call from the same number.
    const second = `walt-new-${process.pid}`;
    const late = (await vapi(first, '2024-05-10T10:03:00.000Z')).json().data.event_id;
    const fresh = (await vapi(second, '2024-05-10T10:05:00.000Z')).json().data.event_id;
    await waitFor(() => stack.sql(`SELECT count(*) FROM webhook_events WHERE id IN (${late}, ${fresh}) AND applied_at IS NOT NULL`) === '2',
      { what: 'both events applied' }).catch((e) => {
      throw new Error(`${e.message}: ${stack.sql(`SELECT id, kind, applied_at, error FROM webhook_events WHERE id IN (${late}, ${fresh})`)} ${late} ${fresh}`);
    });
    assert.equal(stack.sql(`SELECT from_number || '|' || caller_name || '|' || summary || '|' || transcript::text || '|' || coalesce(contact_id::text, '-')
      FROM calls WHERE provider_call_id = '${first}'`), `|||[]|${id}`);
    assert.equal(stack.sql(`SELECT coalesce(contact_id::text, '-') || '|' || from_number FROM calls WHERE provider_call_id = '${second}'`), `-|${number}`);
  } finally {
    await stack.stopWorker(w);
  }
});
