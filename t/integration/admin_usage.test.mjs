// admin_usage.test.mjs — /admin/usage, /admin/usage.csv and /api/v1/admin/usage:
// requests counted per user and API calls per key without a write per request
// (workers flush their counts every few seconds: polled for here), messages sent per
// channel, recording storage; managers and admins only; the CSV formula-safe and
// audited; bad ranges refused per field; another org's counts never shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, waitFor } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack;
const clients = {};
let managerKey;
let managerKeyId;
let viewerKey;
const today = new Date().toISOString().slice(0, 10);

const counted = (where) => Number(stack.one(`SELECT coalesce(sum(count), 0) FROM usage_daily u JOIN orgs o ON o.id = u.org_id WHERE o.slug = 'demo' AND ${where}`));

before(async () => {
  stack = await Stack.start({ workers: 2 });
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  // A key whose name a spreadsheet would run as a formula.
  managerKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', '=HYPERLINK("http://x")', '--role', 'manager']).stdout.trim();
  managerKeyId = stack.one(`SELECT id FROM api_keys WHERE name = '=HYPERLINK("http://x")'`);
  viewerKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'usage-viewer', '--role', 'viewer']).stdout.trim();
  otherOrg(stack);
});

after(async () => {
  if (stack) await stack.stop();
});

test('requests and API calls are counted per user, key and day, flushed within seconds', async () => {
  const agentId = stack.one("SELECT id FROM users WHERE email = 'agent@demo.test'");
  const agentBefore = counted(`u.kind = 'request' AND u.user_id = '${agentId}'`);
  for (let i = 0; i < 7; i++) assert.equal((await clients.agent.get('/calls')).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await stack.api(managerKey, 'GET', '/api/v1/calls')).status, 200);
  // Counted in the workers' memory and added in batches: poll until they arrive.
  await waitFor(() => counted(`u.kind = 'request' AND u.user_id = '${agentId}'`) >= agentBefore + 7, { timeoutMs: 30000, what: 'agent requests flushed' });
  await waitFor(() => counted(`u.kind = 'api_call' AND u.api_key_id = '${managerKeyId}'`) >= 5, { timeoutMs: 30000, what: 'API calls flushed' });
  assert.equal(counted(`u.kind = 'api_call' AND u.api_key_id = '${managerKeyId}'`), 5);
  // UTC days (a run across midnight may also see the next one).
  assert.equal(stack.one(`SELECT count(*) FROM usage_daily WHERE day < '${today}'`), '0');
  // No more than one row per (org, day, kind, user or key), however many flushes.
  assert.equal(stack.one(`SELECT count(*) FROM usage_daily WHERE api_key_id = '${managerKeyId}'`), '1');
  // Anonymous requests count nothing.
  const rows = stack.one('SELECT count(*) FROM usage_daily WHERE user_id IS NULL AND api_key_id IS NULL');
  assert.equal(rows, '0');
});

test('GET /api/v1/admin/usage: the documented shape, per day and per user', async () => {
  const msgOrg = stack.one("SELECT id FROM orgs WHERE slug = 'demo'");
  // Two SMS and an email sent today (the sender sets sent_at).
  stack.superSql(`
    INSERT INTO contacts (org_id, first_name, phone, email) VALUES ('${msgOrg}', 'Usage', '+14155550777', 'usage@example.com');
    INSERT INTO campaigns (org_id, name, channels, sms_body, email_subject, email_body, status)
      VALUES ('${msgOrg}', 'Usage campaign', ARRAY['sms','email'], 'hi', 'subj', 'body', 'completed');
    INSERT INTO campaign_messages (org_id, campaign_id, contact_id, channel, state, sent_at)
      SELECT '${msgOrg}', (SELECT id FROM campaigns WHERE name = 'Usage campaign'), c.id, ch, 'sent', now()
      FROM contacts c, unnest(ARRAY['sms','email']) ch WHERE c.email = 'usage@example.com';`);
  const res = await stack.api(managerKey, 'GET', `/api/v1/admin/usage?from=${today}&to=${today}`);
  assert.equal(res.status, 200, res.body);
  const d = res.json().data;
  assert.deepEqual(Object.keys(d).sort(), ['by_subject', 'day_zone', 'days', 'from', 'recordings_stored', 'to']);
  assert.equal(d.from, today);
  assert.equal(d.day_zone, 'UTC');
  assert.equal(d.days.length, 1);
  const day = d.days[0];
  assert.deepEqual(Object.keys(day).sort(), ['api_calls', 'date', 'messages_sent', 'recording_bytes', 'requests']);
  assert.ok(day.requests >= 7);
  assert.ok(day.api_calls >= 5);
  assert.deepEqual(day.messages_sent, { sms: 1, voice: 0, email: 1 });
  const key = d.by_subject.find((s) => s.api_key_id === managerKeyId);
  assert.deepEqual(Object.keys(key).sort(), ['api_key_id', 'count', 'date', 'kind', 'name', 'user_id']);
  assert.equal(key.kind, 'api_call');
  assert.equal(key.user_id, null);
  assert.equal(key.name, '=HYPERLINK("http://x")');
  const agent = d.by_subject.find((s) => s.kind === 'request' && s.name === 'Alex Agent' || s.kind === 'request' && s.user_id === stack.one("SELECT id FROM users WHERE email = 'agent@demo.test'"));
  assert.ok(agent && agent.count >= 7);
  assert.equal(typeof d.recordings_stored.bytes, 'number');
  // the default range: the last 30 days
  const def = await stack.api(managerKey, 'GET', '/api/v1/admin/usage');
  assert.equal(def.json().data.days.length, 30);
  assert.equal(def.json().data.to, today);
});

test('another org\'s counts are never shown', async () => {
  const other = stack.one("SELECT id FROM orgs WHERE slug = 'other'");
  stack.superSql(`INSERT INTO usage_daily (org_id, day, kind, user_id, count) VALUES ('${other}', current_date, 'request', gen_random_uuid(), 999999)`);
  const res = await stack.api(managerKey, 'GET', `/api/v1/admin/usage?from=${today}&to=${today}`);
  assert.ok(res.json().data.days[0].requests < 999999);
  assert.ok(!res.body.includes('999999'));
});

test('the page: chart (SVG) and tables for managers and admins; 403 for agents and viewers', async () => {
  for (const role of ['manager', 'admin']) {
    const res = await clients[role].get('/admin/usage');
    assert.equal(res.status, 200, role);
    assert.match(res.body, /<svg class="bar-chart"/);
    assert.match(res.body, /<rect class="bar"/);
    assert.match(res.body, /<table class="data-table">/);
    assert.ok(!/<canvas/.test(res.body));
  }
  assert.match((await clients.manager.get('/admin/usage')).body, /<a href="\/admin\/usage" aria-current="page">Usage<\/a>/);
  for (const role of ['agent', 'viewer']) {
    assert.equal((await clients[role].get('/admin/usage')).status, 403, role);
    assert.equal((await clients[role].get('/admin/usage.csv')).status, 403, role);
    assert.equal((await clients[role].request('GET', '/api/v1/admin/usage', { headers: { accept: 'application/json' } })).status, 403, role);
  }
  assert.equal((await stack.api(viewerKey, 'GET', '/api/v1/admin/usage')).status, 403);
});

test('bad ranges: 400 with a message per field', async () => {
  const cases = [['from=2026-13-01', 'from'], ['to=yesterday', 'to'], [`from=${today}&to=2020-01-01`, 'from'], ['from=2020-01-01&to=2022-01-01', 'from']];
  for (const [qs, field] of cases) {
    const api = await stack.api(managerKey, 'GET', `/api/v1/admin/usage?${qs}`);
    assert.equal(api.status, 400, qs);
    assert.ok(api.json().error.fields[field], `${qs}: ${field}`);
    const page = await clients.manager.get(`/admin/usage?${qs}`);
    assert.equal(page.status, 400, qs);
    assert.match(page.body, new RegExp(`href="#f-${field}"`));
  }
  const kept = await clients.manager.get('/admin/usage?from=2026-13-01');
  assert.match(kept.body, /value="2026-13-01"/, 'what was typed is kept');
});

test('CSV export: per day and counter, formula cells neutralised, audited', async () => {
  const before = Number(stack.one("SELECT count(*) FROM audit_log WHERE action = 'usage.export'"));
  const res = await clients.manager.get(`/admin/usage.csv?from=${today}&to=${today}`);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/csv/);
  assert.match(res.headers['content-disposition'], /attachment; filename="usage.csv"/);
  const lines = res.body.split('\r\n');
  assert.equal(lines[0], 'date,kind,user_id,api_key_id,name,count');
  const keyLine = lines.find((l) => l.includes(managerKeyId));
  assert.match(keyLine, new RegExp(`^${today},api_call,,${managerKeyId},"'=HYPERLINK\\(""http://x""\\)",\\d+$`));
  assert.ok(lines.includes(`${today},messages_sms,,,,1`));
  assert.ok(lines.includes(`${today},messages_email,,,,1`));
  for (const l of lines.slice(1)) assert.ok(!/(^|,)[=+\-@]/.test(l), `no formula cell: ${l}`);
  assert.equal(Number(stack.one("SELECT count(*) FROM audit_log WHERE action = 'usage.export'")), before + 1);
});
