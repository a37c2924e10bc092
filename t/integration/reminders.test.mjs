// reminders.test.mjs — reminders by email (docs/ADMIN.md, "Reminders by email"): with
// reminders on in the settings, each deal owner gets one email a day, over the org's
// SMTP server (a local sink here), listing their deliverables due within 48 hours and
// their overdue payments; running the job again the same day sends nothing more;
// owners with nothing due get nothing, and nothing is sent while reminders are off.
// The periodic job is run at once by making its queued run due.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startSmtpSink } from '../fakes/smtp_sink.mjs';

let stack, key, sink, org;

const runs = () => Number(stack.one(
  `SELECT count(*) FROM jobs WHERE unique_key = 'periodic:email_reminders' AND status = 'done'`));

/** Runs email_reminders now and waits until a run that started after this call ended. */
async function remind() {
  const before = runs();
  const running = stack.one(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:email_reminders' AND status = 'running'`) !== '0';
  const want = before + (running ? 2 : 1);
  await waitFor(() => {
    if (runs() >= want) return true;
    stack.sql(`UPDATE jobs SET run_at = now() WHERE unique_key = 'periodic:email_reminders' AND status = 'queued' AND run_at > now()`);
    stack.sql('NOTIFY jobs');
    return false;
  }, { what: 'a run of the reminders job', timeoutMs: 30000, intervalMs: 200 });
}

before(async () => {
  sink = await startSmtpSink();
  stack = await Stack.start({ config: '\njob_backoff_ms = 10\nhttp_timeout_s = 5\nworker_poll_s = 1\n' });
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'reminders', '--role', 'admin']).stdout.trim();
  org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  const set = await stack.api(key, 'PATCH', '/api/v1/admin/settings', {
    smtp_host: '127.0.0.1', smtp_port: sink.port, smtp_security: 'none', smtp_from: 'reminders@example.com' });
  assert.equal(set.status, 200, set.body);
  assert.equal(set.json().data.reminders_enabled, false);
  const agent = stack.one(`SELECT id FROM users WHERE email = 'agent@demo.test'`);
  const manager = stack.one(`SELECT id FROM users WHERE email = 'manager@demo.test'`);
  const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Reminder brand') RETURNING id`);
  const deal = (title, owner) => stack.one(`INSERT INTO deals (org_id, title, brand_id, currency, owner_id)
    VALUES ('${org}', '${title}', '${brand}', 'USD', '${owner}') RETURNING id`);
  const mine = deal('Spring launch', agent);
  const quiet = deal('Quiet deal', manager);
  stack.sql(`INSERT INTO deliverables (org_id, deal_id, platform, type, scheduled_at) VALUES
    ('${org}', '${mine}', 'instagram', 'reel', now() + interval '20 hours'),
    ('${org}', '${mine}', 'youtube', 'video', now() + interval '5 days'),
    ('${org}', '${quiet}', 'tiktok', 'short', now() + interval '6 days')`);
  stack.sql(`INSERT INTO deliverables (org_id, deal_id, platform, type, scheduled_at, posted_at) VALUES
    ('${org}', '${mine}', 'tiktok', 'post', now() + interval '10 hours', now())`);
  stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at) VALUES
    ('${org}', '${mine}', 'deposit', 125000, 'USD', current_date - 3),
    ('${org}', '${quiet}', 'final', 99000, 'USD', current_date + 10)`);
  stack.startWorker();
});

after(async () => {
  if (stack) await stack.stop();
  await sink?.close();
});

test('nothing is sent while reminders are off', async () => {
  await remind();
  assert.equal(sink.messages.length, 0);
  assert.equal(stack.one('SELECT count(*) FROM reminder_emails'), '0');
});

test('on: one email to the owner with what is due, and none again that day', async () => {
  const on = await stack.api(key, 'PATCH', '/api/v1/admin/settings', { reminders_enabled: true, reminders_time: '00:00' });
  assert.equal(on.status, 200, on.body);
  assert.equal(on.json().data.reminders_enabled, true);
  assert.equal(on.json().data.reminders_time, '00:00');
  await remind();
  await waitFor(() => sink.messages.length === 1, { what: 'the reminder email', timeoutMs: 30000 });
  const m = sink.messages[0];
  assert.deepEqual(m.to, ['agent@demo.test']);
  assert.equal(m.from, 'reminders@example.com');
  assert.match(m.subject, /^Switchboard reminders: 2 items need you$/);
  assert.match(m.body, /Deliverables due within 48 hours:\r\n- Spring launch — Instagram reel, due \d{4}-\d\d-\d\d \d\d:\d\d/);
  assert.match(m.body, /Payments overdue:\r\n- Spring launch — Deposit of 1,250\.00 USD, expected \d{4}-\d\d-\d\d/);
  assert.doesNotMatch(m.body, /video|Tiktok|Quiet deal/, 'not due within 48 hours, posted, or not theirs');

  await remind();
  await remind();
  assert.equal(sink.messages.length, 1, 'at most once a day per owner');
  assert.equal(stack.one(`SELECT status || '/' || items FROM reminder_emails WHERE org_id = '${org}'`), 'sent/2');
});

test('the settings page shows the reminders; bad input names its fields', async () => {
  const admin = await stack.as('admin');
  const page = await admin.get('/admin/settings');
  assert.equal(page.status, 200);
  assert.match(page.body, /id="f-reminders_enabled"[^>]* checked/);
  assert.match(page.body, /id="f-reminders_time"[^>]*value="00:00"/);
  const bad = await stack.api(key, 'PATCH', '/api/v1/admin/settings', { reminders_enabled: 'maybe', reminders_time: '25:00' });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['reminders_enabled', 'reminders_time']);
  const noSmtp = await stack.api(key, 'PATCH', '/api/v1/admin/settings', { smtp_host: '', smtp_from: '' });
  assert.equal(noSmtp.status, 400, 'reminders need an SMTP server');
  assert.match(noSmtp.json().error.fields.reminders_enabled, /SMTP/);
  // Off again.
  const fields = { name: 'Demo', timezone: stack.one(`SELECT timezone FROM orgs WHERE id = '${org}'`) };
  const off = await stack.api(key, 'PATCH', '/api/v1/admin/settings', { ...fields, reminders_enabled: false });
  assert.equal(off.status, 200, off.body);
  assert.equal(off.json().data.reminders_enabled, false);
});
