// admin_settings.test.mjs — /admin/settings and /api/v1/admin/settings: the form and
// its JSON twin, a message per bad field with what was typed kept, admins only
// (managers and below 403), CSRF, audit rows, write-only provider secrets (never
// echoed: only a hint and when it was set; empty keeps, "clear" removes), and a time
// zone change that every worker follows at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;
const clients = {};
let adminKey;
let managerKey;

const json = (c, method, urlPath, body) => c.request(method, urlPath, {
  headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': c.csrf }),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** The form's current fields (what the browser would send back). */
function formFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input id="f-([a-z_]+)" name="\1" type="(?:text|time|url|tel|email)" value="([^"]*)"/g)) fields[m[1]] = m[2].replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
  for (const m of html.matchAll(/<textarea id="f-([a-z_]+)" name="\1"[^>]*>([^<]*)<\/textarea>/g)) fields[m[1]] = m[2];
  const cur = /<select id="f-currency"[\s\S]*?<option value="([A-Z]{3})" selected>/.exec(html);
  if (cur) fields.currency = cur[1];
  return fields;
}

const auditCount = (action) => Number(stack.one(`SELECT count(*) FROM audit_log WHERE action = '${action}'`));

before(async () => {
  stack = await Stack.start({ workers: 3 });
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  adminKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'settings-admin', '--role', 'admin']).stdout.trim();
  managerKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'settings-manager', '--role', 'manager']).stdout.trim();
});

after(async () => {
  if (stack) await stack.stop();
});

test('GET /admin/settings shows the current settings to admins', async () => {
  const res = await clients.admin.get('/admin/settings');
  assert.equal(res.status, 200);
  const f = formFields(res.body);
  assert.equal(f.name, stack.one("SELECT name FROM orgs WHERE slug = 'demo'"));
  assert.equal(f.timezone, stack.one("SELECT timezone FROM orgs WHERE slug = 'demo'"));
  assert.match(res.body, /name="csrf_token"/);
  for (const k of ['vapi_secret', 'vapi_api_key', 'twilio_account_sid', 'twilio_auth_token', 'sendgrid_api_key'])
    assert.match(res.body, new RegExp(`name="${k}" type="password" value=""`));
});

test('managers, agents and viewers get 403 on the page and the API; audited', async () => {
  const before = auditCount('security.forbidden');
  for (const role of ['manager', 'agent', 'viewer']) {
    assert.equal((await clients[role].get('/admin/settings')).status, 403, role);
    assert.equal((await clients[role].post('/admin/settings', { name: 'Hijack' })).status, 403, role);
    assert.equal((await json(clients[role], 'GET', '/api/v1/admin/settings')).status, 403, role);
    assert.equal((await json(clients[role], 'PATCH', '/api/v1/admin/settings', { name: 'Hijack' })).status, 403, role);
  }
  assert.equal((await stack.api(managerKey, 'GET', '/api/v1/admin/settings')).status, 403);
  assert.equal((await stack.api(managerKey, 'PATCH', '/api/v1/admin/settings', { name: 'Hijack' })).status, 403);
  assert.notEqual(stack.one("SELECT name FROM orgs WHERE slug = 'demo'"), 'Hijack');
  assert.ok(auditCount('security.forbidden') >= before + 14);
  const anon = await stack.request('GET', '/admin/settings');
  assert.equal(anon.status, 303);
});

test('POST without or with a wrong CSRF token is refused and changes nothing', async () => {
  const page = await clients.admin.get('/admin/settings');
  const f = formFields(page.body);
  for (const token of [null, 'forged-token']) {
    const res = await clients.admin.post('/admin/settings', { ...f, name: 'No CSRF', csrf_token: token });
    assert.equal(res.status, 403);
  }
  const noHeader = await clients.admin.request('PATCH', '/api/v1/admin/settings', {
    headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'No CSRF' }) });
  assert.equal(noHeader.status, 403);
  assert.notEqual(stack.one("SELECT name FROM orgs WHERE slug = 'demo'"), 'No CSRF');
});

test('the form saves every setting, redirects with a flash, and is audited', async () => {
  const page = await clients.admin.get('/admin/settings');
  const before = auditCount('org.settings_update');
  const res = await clients.admin.post('/admin/settings', {
    ...formFields(page.body), name: 'Demo Holdings', currency: 'EUR', quiet_hours_start: '20:30', quiet_hours_end: '07:45',
    recording_retention_days: '', recording_download_hosts: 'storage.vapi.ai, .Twilio.com\nrecordings.example.org',
    twilio_base_url: 'http://127.0.0.1:9/', twilio_from_number: '+14155550100', sendgrid_from_email: 'ops@example.com',
  });
  assert.equal(res.status, 303, res.body);
  assert.equal(res.headers.location, '/admin/settings');
  assert.equal(stack.one("SELECT concat_ws('|', name, currency, quiet_hours, coalesce(recording_retention_days::text, 'forever'), recording_download_hosts, twilio_base_url, twilio_from_number, sendgrid_from_email) FROM orgs WHERE slug = 'demo'"),
    'Demo Holdings|EUR|20:30-07:45|forever|storage.vapi.ai,.twilio.com,recordings.example.org|http://127.0.0.1:9|+14155550100|ops@example.com');
  assert.equal(auditCount('org.settings_update'), before + 1);
  const detail = JSON.parse(stack.one("SELECT detail FROM audit_log WHERE action = 'org.settings_update' ORDER BY id DESC LIMIT 1"));
  assert.ok(detail.changed.includes('name') && detail.changed.includes('currency') && detail.changed.includes('recording_retention_days'));
  const after = await clients.admin.get('/admin/settings');
  assert.match(after.body, /Settings saved\./);
  assert.equal(formFields(after.body).recording_retention_days, '');
  // saving the same values again changes nothing and writes no audit row
  const again = await clients.admin.post('/admin/settings', formFields(after.body));
  assert.equal(again.status, 303);
  assert.equal(auditCount('org.settings_update'), before + 1);
});

test('bad input: 400, a message at each field, what was typed kept, nothing saved', async () => {
  const page = await clients.admin.get('/admin/settings');
  const before = stack.one("SELECT row_to_json(o)::text FROM orgs o WHERE slug = 'demo'");
  const bad = {
    name: '', timezone: 'Mars/Olympus_Mons', currency: 'XYZ', quiet_hours_start: '25:00', quiet_hours_end: 'soon',
    recording_retention_days: '0', recording_download_hosts: 'ok.example.com, bad host!, -x.com',
    twilio_base_url: 'ftp://twilio', sendgrid_base_url: 'https://api.sendgrid.com/v3', twilio_from_number: '555',
    sendgrid_from_email: 'nobody', sendgrid_event_public_key: 'has spaces in it', twilio_auth_token: 'a b',
  };
  const res = await clients.admin.post('/admin/settings', { ...formFields(page.body), ...bad });
  assert.equal(res.status, 400);
  for (const field of Object.keys(bad))
    assert.match(res.body, new RegExp(`id="e-${field}"`), `message at ${field}`);
  assert.match(res.body, /value="Mars\/Olympus_Mons"/, 'the time zone typed is kept');
  assert.match(res.body, /ok\.example\.com, bad host!, -x\.com/);
  assert.ok(!res.body.includes('value="a b"'), 'a secret typed is never sent back');
  assert.equal(stack.one("SELECT row_to_json(o)::text FROM orgs o WHERE slug = 'demo'"), before);

  const api = await json(clients.admin, 'PATCH', '/api/v1/admin/settings', { timezone: 'Not/AZone', recording_retention_days: 4000, currency: 'usd' });
  assert.equal(api.status, 400);
  const err = api.json().error;
  assert.equal(err.code, 'invalid');
  assert.deepEqual(Object.keys(err.fields).sort(), ['currency', 'recording_retention_days', 'timezone']);
  assert.equal((await json(clients.admin, 'PATCH', '/api/v1/admin/settings', [1, 2])).status, 400);
  assert.equal(stack.one("SELECT row_to_json(o)::text FROM orgs o WHERE slug = 'demo'"), before);
});

test('secrets are write-only: hint and date shown, never the value; empty keeps; clear removes', async () => {
  const secrets = {
    vapi_secret: 'vapi-SECRET-value-0001-wxyz', twilio_account_sid: 'AC0123456789abcdef0123456789abcd',
    twilio_auth_token: 'twilio-TOKEN-value-0002-9876', sendgrid_api_key: 'SG.sendgrid-KEY-value-0003-5555',
  };
  const page = await clients.admin.get('/admin/settings');
  const res = await clients.admin.post('/admin/settings', { ...formFields(page.body), ...secrets });
  assert.equal(res.status, 303);
  const shown = await clients.admin.get('/admin/settings');
  const api = await stack.api(adminKey, 'GET', '/api/v1/admin/settings');
  assert.equal(api.status, 200);
  for (const [k, v] of Object.entries(secrets)) {
    assert.ok(!shown.body.includes(v), `${k} not in the page`);
    assert.ok(!api.body.includes(v), `${k} not in the JSON`);
    assert.ok(!shown.body.includes(v.slice(0, 12)), `${k}: no prefix either`);
    assert.match(shown.body, new RegExp(`\\*{4}${v.slice(-4)}`));
    assert.equal(api.json().data.secrets[k].hint, `****${v.slice(-4)}`);
    assert.equal(api.json().data.secrets[k].set, true);
    assert.match(api.json().data.secrets[k].updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  assert.equal(stack.one(`SELECT count(*) FROM org_secrets WHERE position(convert_to('${secrets.vapi_secret}', 'UTF8') in ciphertext) > 0`), '0');
  const audit = stack.one("SELECT string_agg(detail::text, ' ') FROM audit_log");
  for (const v of Object.values(secrets)) assert.ok(!audit.includes(v), 'no secret in the audit log');
  assert.ok(!stack.logs().includes(secrets.twilio_auth_token), 'no secret in the logs');

  // Empty fields keep what is set.
  const ciphers = stack.one("SELECT string_agg(key || encode(ciphertext, 'hex'), ',' ORDER BY key) FROM org_secrets s JOIN orgs o ON o.id = s.org_id WHERE o.slug = 'demo'");
  assert.equal((await clients.admin.post('/admin/settings', formFields(shown.body))).status, 303);
  assert.equal(stack.one("SELECT string_agg(key || encode(ciphertext, 'hex'), ',' ORDER BY key) FROM org_secrets s JOIN orgs o ON o.id = s.org_id WHERE o.slug = 'demo'"), ciphers);

  // The checkbox clears one; JSON null clears another.
  assert.equal((await clients.admin.post('/admin/settings', { ...formFields(shown.body), clear_vapi_secret: '1' })).status, 303);
  const patched = await stack.api(adminKey, 'PATCH', '/api/v1/admin/settings', { sendgrid_api_key: null, name: 'Demo Holdings API' });
  assert.equal(patched.status, 200, patched.body);
  const d = patched.json().data;
  assert.equal(d.name, 'Demo Holdings API');
  assert.deepEqual(d.secrets.vapi_secret, { set: false, hint: null, updated_at: null });
  assert.equal(d.secrets.sendgrid_api_key.set, false);
  assert.equal(d.secrets.twilio_auth_token.set, true);
  assert.equal(stack.one("SELECT string_agg(key, ',' ORDER BY key) FROM org_secrets s JOIN orgs o ON o.id = s.org_id WHERE o.slug = 'demo'"), 'twilio_account_sid,twilio_auth_token');
  const last = JSON.parse(stack.one("SELECT detail FROM audit_log WHERE action = 'org.settings_update' ORDER BY id DESC LIMIT 1"));
  assert.deepEqual(last.secrets, { sendgrid_api_key: 'cleared' });
  assert.ok(!JSON.stringify(patched.json()).includes(secrets.twilio_auth_token));
});

test('GET /api/v1/admin/settings has the documented shape', async () => {
  const res = await stack.api(adminKey, 'GET', '/api/v1/admin/settings');
  assert.equal(res.status, 200);
  const d = res.json().data;
  assert.deepEqual(Object.keys(d).sort(), ['currency', 'name', 'quiet_hours_end', 'quiet_hours_start', 'recording_download_hosts',
    'recording_retention_days', 'secrets', 'sendgrid_base_url', 'sendgrid_event_public_key', 'sendgrid_from_email', 'timezone',
    'twilio_base_url', 'twilio_from_number', 'smtp_host', 'smtp_port', 'smtp_security', 'smtp_from', 'reminders_enabled', 'reminders_time',
    'vapi_base_url', 'call_sentiment_key', 'call_action_items_key'].sort());
  assert.deepEqual(Object.keys(d.secrets).sort(), ['sendgrid_api_key', 'smtp_password', 'smtp_username', 'twilio_account_sid',
    'twilio_auth_token', 'vapi_api_key', 'vapi_secret']);
  const set = await stack.api(adminKey, 'PATCH', '/api/v1/admin/settings', { recording_retention_days: 90 });
  assert.equal(set.json().data.recording_retention_days, 90);
  const forever = await stack.api(adminKey, 'PATCH', '/api/v1/admin/settings', { recording_retention_days: '' });
  assert.equal(forever.json().data.recording_retention_days, null);
});

test('a time zone change is followed by every worker at once (the dashboards show the new zone)', async () => {
  const c = clients.admin;
  // Every worker remembers the session and the org's zone first.
  for (let i = 0; i < 12; i++) assert.equal((await c.get('/calls/analytics')).status, 200);
  const zoneShown = async () => /Asia\/Kolkata/.test((await c.get('/calls/analytics')).body);
  assert.equal(await zoneShown(), false);
  const r = await json(c, 'PATCH', '/api/v1/admin/settings', { timezone: 'Asia/Kolkata' });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json().data.timezone, 'Asia/Kolkata');
  // No waiting: each of many requests, whichever worker serves it, shows the new zone.
  for (let i = 0; i < 12; i++) assert.ok(await zoneShown(), `request ${i} shows the new zone`);
  const me = await json(c, 'GET', '/api/v1/me');
  if (me.status === 200) assert.equal(me.json().data.org.timezone, 'Asia/Kolkata');
});
