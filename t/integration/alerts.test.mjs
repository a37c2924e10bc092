// alerts.test.mjs — /admin/alerts and /api/v1/admin/alerts (docs/ADMIN.md, "Alerts"):
// channels (a Slack-compatible webhook, email over SMTP to a local sink) get a test
// alert; a rule fires once when its condition holds, is not sent again within its
// cooldown while the condition lasts, and sends "resolved" when it clears; the pool's
// request figures reach the evaluator (a p95 latency rule); every field of a bad
// input is named; the pages list, create, edit and delete after a confirmation;
// admins only, CSRF, another org's ids are 404. The evaluation job is run at once by
// making its queued run due (as the periodic-job tests do).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Stack, waitFor } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';
import { startSmtpSink } from '../fakes/smtp_sink.mjs';

let stack, key, receiver, sink, org;
const channels = {};

async function startReceiver() {
  const r = { requests: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.requests.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = (p) => `http://127.0.0.1:${r.server.address().port}${p}`;
  r.texts = (p) => r.requests.filter((q) => q.path === p).map((q) => JSON.parse(q.body).text);
  return r;
}

const evaluations = () => Number(stack.one(
  `SELECT count(*) FROM jobs WHERE unique_key = 'periodic:alerts_evaluate' AND status = 'done'`));

/** Runs the alerts_evaluate job now (its queued run made due) and waits until a run
 * that started after this call has finished. */
async function evaluate() {
  const before = evaluations();
  stack.sql(`UPDATE jobs SET run_at = now() WHERE unique_key = 'periodic:alerts_evaluate' AND status = 'queued'`);
  stack.sql('NOTIFY jobs');
  // A run already under way when we asked may have read the old state: wait for the next.
  const running = stack.one(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:alerts_evaluate' AND status = 'running'`) !== '0';
  const want = before + (running ? 2 : 1);
  await waitFor(() => {
    if (evaluations() >= want) return true;
    stack.sql(`UPDATE jobs SET run_at = now() WHERE unique_key = 'periodic:alerts_evaluate' AND status = 'queued' AND run_at > now()`);
    stack.sql('NOTIFY jobs');
    return false;
  }, { what: 'an evaluation of the alert rules', timeoutMs: 30000, intervalMs: 200 });
}

const deliveredEvents = (kind) => stack.one(
  `SELECT count(*) FROM alert_events WHERE kind = '${kind}' AND status IN ('sent', 'partial', 'failed')`);

before(async () => {
  receiver = await startReceiver();
  sink = await startSmtpSink();
  stack = await Stack.start({ config: '\nwebhook_url_allow_http = true\nwebhook_url_allow_private = true\n'
    + 'job_backoff_ms = 10\nhttp_timeout_s = 5\nworker_poll_s = 1\n' });
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'alerts', '--role', 'admin']).stdout.trim();
  org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  stack.startWorker();
  const set = await stack.api(key, 'PATCH', '/api/v1/admin/settings', {
    smtp_host: '127.0.0.1', smtp_port: sink.port, smtp_security: 'none', smtp_from: 'alerts@example.com' });
  assert.equal(set.status, 200, set.body);
  assert.equal(set.json().data.smtp_port, sink.port);
});

after(async () => {
  if (stack) await stack.stop();
  receiver?.server.close();
  await sink?.close();
});

test('a test alert reaches the Slack webhook and the email recipients; both are in the history', async () => {
  const slack = await stack.api(key, 'POST', '/api/v1/admin/alerts/channels',
    { kind: 'slack', name: 'Ops Slack', target: receiver.url('/slack') });
  assert.equal(slack.status, 201, slack.body);
  const email = await stack.api(key, 'POST', '/api/v1/admin/alerts/channels',
    { kind: 'email', name: 'On call', target: 'oncall@example.com, ops@example.com' });
  assert.equal(email.status, 201, email.body);
  channels.slack = slack.json().data;
  channels.email = email.json().data;
  assert.equal(channels.email.enabled, true);

  for (const ch of [channels.slack, channels.email]) {
    const t = await stack.api(key, 'POST', `/api/v1/admin/alerts/channels/${ch.id}/test`);
    assert.equal(t.status, 202, t.body);
  }
  await waitFor(() => receiver.texts('/slack').length === 1 && sink.messages.length === 1,
    { what: 'the test alert by webhook and by email', timeoutMs: 30000 });
  assert.match(receiver.texts('/slack')[0], /Test alert from Switchboard, sent by API key [0-9a-f-]{36}: this channel/);
  assert.equal(receiver.requests[0].headers['content-type'], 'application/json');
  const m = sink.messages[0];
  assert.equal(m.from, 'alerts@example.com');
  assert.deepEqual(m.to, ['oncall@example.com', 'ops@example.com']);
  assert.match(m.subject, /^Switchboard alert: Test alert from Switchboard/);
  assert.match(m.headers.to, /oncall@example\.com, ops@example\.com/);
  assert.match(m.body, /Organisation: /);

  await waitFor(() => deliveredEvents('test') === '2', { what: 'the history to say sent', timeoutMs: 30000 });
  const { history } = (await stack.api(key, 'GET', '/api/v1/admin/alerts')).json().data;
  const tests = history.filter((h) => h.kind === 'test');
  assert.equal(tests.length, 2);
  for (const h of tests) {
    assert.equal(h.status, 'sent', JSON.stringify(h));
    const [d] = Object.values(h.deliveries);
    assert.equal(d.ok, true);
  }
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'alert_channel.test'`), '2');
});

test('a rule fires once, is not sent again within its cooldown, and resolves', async () => {
  const made = await stack.api(key, 'POST', '/api/v1/admin/alerts/rules',
    { metric: 'provider_circuit_open', threshold: 1, window_minutes: 0, cooldown_minutes: 60 });
  assert.equal(made.status, 201, made.body);
  const rule = made.json().data;
  assert.equal(rule.state, 'ok');
  const slackBefore = receiver.texts('/slack').length, mailBefore = sink.messages.length;

  await evaluate(); // nothing open yet
  assert.equal((await stack.api(key, 'GET', `/api/v1/admin/alerts/rules/${rule.id}`)).json().data.state, 'ok');

  stack.sql(`INSERT INTO provider_breakers (org_id, provider, state, failures, opened_at)
    VALUES ('${org}', 'twilio', 'open', 5, now())
    ON CONFLICT (org_id, provider) DO UPDATE SET state = 'open', opened_at = now()`);
  await evaluate();
  await waitFor(() => receiver.texts('/slack').length === slackBefore + 1 && sink.messages.length === mailBefore + 1,
    { what: 'the firing by both channels', timeoutMs: 30000 });
  const fired = receiver.texts('/slack').at(-1);
  assert.match(fired, /FIRING: Provider circuit open is 1\.0 \(threshold 1/);
  assert.match(fired, /Open: twilio/);
  assert.match(sink.messages.at(-1).subject, /FIRING/);
  const firing = (await stack.api(key, 'GET', `/api/v1/admin/alerts/rules/${rule.id}`)).json().data;
  assert.equal(firing.state, 'firing');
  assert.match(firing.last_fired_at, /Z$/);

  // The condition lasts; within the cooldown nothing more is sent.
  await evaluate();
  await evaluate();
  assert.equal(stack.one(`SELECT count(*) FROM alert_events WHERE rule_id = '${rule.id}' AND kind = 'fired'`), '1');
  assert.equal(stack.one(`SELECT count(*) FROM jobs WHERE kind = 'alert_deliver' AND status IN ('queued', 'running')`), '0');
  assert.equal(receiver.texts('/slack').length, slackBefore + 1, 'no second delivery within the cooldown');
  assert.equal(sink.messages.length, mailBefore + 1);

  // It clears: one "resolved".
  stack.sql(`UPDATE provider_breakers SET state = 'closed', opened_at = NULL WHERE org_id = '${org}'`);
  await evaluate();
  await waitFor(() => receiver.texts('/slack').length === slackBefore + 2 && sink.messages.length === mailBefore + 2,
    { what: 'the resolution by both channels', timeoutMs: 30000 });
  assert.match(receiver.texts('/slack').at(-1), /RESOLVED: Provider circuit open is 0\.0/);
  const ok = (await stack.api(key, 'GET', `/api/v1/admin/alerts/rules/${rule.id}`)).json().data;
  assert.equal(ok.state, 'ok');
  await evaluate();
  assert.equal(receiver.texts('/slack').length, slackBefore + 2, 'resolved once');
  const kinds = stack.sql(`SELECT string_agg(kind, ',' ORDER BY created_at) FROM alert_events WHERE rule_id = '${rule.id}'`).trim();
  assert.equal(kinds, 'fired,resolved');

  // Within the cooldown of the last firing, a new breach waits (pending), unsent.
  stack.sql(`UPDATE provider_breakers SET state = 'open', opened_at = now() WHERE org_id = '${org}'`);
  await evaluate();
  assert.equal((await stack.api(key, 'GET', `/api/v1/admin/alerts/rules/${rule.id}`)).json().data.state, 'pending');
  assert.equal(stack.one(`SELECT count(*) FROM alert_events WHERE rule_id = '${rule.id}' AND kind = 'fired'`), '1');
  stack.sql(`UPDATE provider_breakers SET state = 'closed', opened_at = NULL WHERE org_id = '${org}'`);
  assert.equal((await stack.api(key, 'DELETE', `/api/v1/admin/alerts/rules/${rule.id}`)).status, 200);
});

test('the pool\'s request figures reach the evaluator: a p95 latency rule fires', async () => {
  const made = await stack.api(key, 'POST', '/api/v1/admin/alerts/rules',
    { metric: 'p95_latency', threshold: '0.001', window_minutes: 5, cooldown_minutes: 60 });
  assert.equal(made.status, 201, made.body);
  const rule = made.json().data;
  for (let i = 0; i < 5; i++) await stack.api(key, 'GET', '/api/v1/admin/ping');
  await waitFor(() => Number(stack.one('SELECT coalesce(sum(requests), 0) FROM pool_request_minutes')) >= 5,
    { what: 'the pool to copy its figures', timeoutMs: 30000 });
  await evaluate();
  const r = (await stack.api(key, 'GET', `/api/v1/admin/alerts/rules/${rule.id}`)).json().data;
  assert.equal(r.state, 'firing', JSON.stringify(r));
  assert.ok(r.last_value > 0.001, JSON.stringify(r));
  await waitFor(() => receiver.texts('/slack').some((t) => /FIRING: p95 latency is/.test(t)),
    { what: 'the latency alert', timeoutMs: 30000 });
  const off = await stack.api(key, 'PATCH', `/api/v1/admin/alerts/rules/${rule.id}`, { enabled: false });
  assert.equal(off.status, 200, off.body);
  assert.equal(off.json().data.enabled, false);
  assert.equal(off.json().data.state, 'ok');
});

test('database down: sent from memory while the database is away, recorded and resolved when it is back', async () => {
  const made = await stack.api(key, 'POST', '/api/v1/admin/alerts/rules',
    { metric: 'database_down', threshold: 2, window_minutes: 0, cooldown_minutes: 60 });
  assert.equal(made.status, 201, made.body);
  const rule = made.json().data;
  await evaluate(); // the worker's copy of the rules now has it
  const mails = sink.messages.length;
  stack.pgStop();
  try {
    await waitFor(() => receiver.texts('/slack').some((t) => /FIRING: Database down is \d+/.test(t)) &&
      sink.messages.length > mails, { what: 'the database-down alert by both channels', timeoutMs: 30000 });
    assert.match(sink.messages.at(-1).subject, /FIRING: Database down/);
  } finally {
    stack.pgStart();
  }
  await waitFor(() => receiver.texts('/slack').some((t) => /RESOLVED: Database down/.test(t)),
    { what: 'the resolution once the database is back', timeoutMs: 30000 });
  const kinds = () => stack.sql(`SELECT string_agg(kind || ':' || status, ',' ORDER BY created_at, kind) FROM alert_events
    WHERE rule_id = '${rule.id}'`).trim();
  await waitFor(() => kinds() === 'fired:sent,resolved:sent', { what: `the history (${kinds()})`, timeoutMs: 30000 });
  assert.equal(receiver.texts('/slack').filter((t) => /FIRING: Database down/.test(t)).length, 1, 'once in the outage');
  assert.equal((await stack.api(key, 'DELETE', `/api/v1/admin/alerts/rules/${rule.id}`)).status, 200);
});

test('a channel that fails is retried, and the history keeps its error', async () => {
  sink.fail = true;
  try {
    const t = await stack.api(key, 'POST', `/api/v1/admin/alerts/channels/${channels.email.id}/test`);
    assert.equal(t.status, 202, t.body);
    const id = t.json().data.event_id;
    await waitFor(() => stack.one(`SELECT status FROM jobs WHERE unique_key = 'alert_deliver:${id}'`) === 'dead',
      { what: 'the delivery to be given up', timeoutMs: 30000 });
    assert.equal(stack.one(`SELECT attempts FROM jobs WHERE unique_key = 'alert_deliver:${id}'`), '5');
    const ev = (await stack.api(key, 'GET', '/api/v1/admin/alerts')).json().data.history.find((h) => h.id === id);
    assert.equal(ev.status, 'failed');
    const [d] = Object.values(ev.deliveries);
    assert.equal(d.ok, false);
    assert.match(d.error, /^SMTP: .*\(server answered 550\)/);
  } finally {
    sink.fail = false;
  }
});

test('bad input answers 400 naming each field', async () => {
  const bad = await stack.api(key, 'POST', '/api/v1/admin/alerts/rules',
    { metric: 'nope', threshold: '-1', window_minutes: 99, cooldown_minutes: 0 });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['cooldown_minutes', 'metric', 'threshold', 'window_minutes']);
  const rate = await stack.api(key, 'POST', '/api/v1/admin/alerts/rules',
    { metric: 'error_rate', threshold: 150, window_minutes: 0, cooldown_minutes: 5 });
  assert.equal(rate.status, 400);
  assert.deepEqual(Object.keys(rate.json().error.fields).sort(), ['threshold', 'window_minutes']);
  const ch = await stack.api(key, 'POST', '/api/v1/admin/alerts/channels', { kind: 'pager', name: '', target: '' });
  assert.equal(ch.status, 400);
  assert.deepEqual(Object.keys(ch.json().error.fields).sort(), ['kind', 'name']);
  const url = await stack.api(key, 'POST', '/api/v1/admin/alerts/channels', { kind: 'slack', name: 'x', target: 'ftp://example.com/x' });
  assert.equal(url.status, 400);
  assert.deepEqual(Object.keys(url.json().error.fields), ['target']);
  const mail = await stack.api(key, 'POST', '/api/v1/admin/alerts/channels', { kind: 'email', name: 'x', target: 'not an address' });
  assert.equal(mail.status, 400);
  assert.match(mail.json().error.fields.target, /email addresses/);
  const patch = await stack.api(key, 'PATCH', `/api/v1/admin/alerts/channels/${channels.email.id}`, { target: 'a@b, nope' });
  assert.equal(patch.status, 400);
  assert.deepEqual(Object.keys(patch.json().error.fields), ['target']);
  const smtp = await stack.api(key, 'PATCH', '/api/v1/admin/settings', { smtp_port: 0, smtp_security: 'ssl', smtp_from: 'x' });
  assert.equal(smtp.status, 400);
  assert.deepEqual(Object.keys(smtp.json().error.fields).sort(), ['smtp_from', 'smtp_port', 'smtp_security']);
});

test('the pages: list, add with validation, edit, delete after a confirmation; CSRF', async () => {
  const admin = await stack.as('admin');
  const page = await admin.get('/admin/alerts');
  assert.equal(page.status, 200);
  assert.match(page.body, /aria-current="page">Alerts</);
  assert.match(page.body, /id="alert-channels"/);
  assert.match(page.body, /id="alert-history"/);
  assert.match(page.body, /Send test alert/);

  const bad = await admin.post('/admin/alerts/rules', { metric: 'queue_age', threshold: 'lots', window_minutes: '2', cooldown_minutes: '30', enabled: 'on' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /id="rule-errors"/);
  assert.match(bad.body, /must be a number above 0/);
  assert.match(bad.body, /value="lots"/, 'what was typed is kept');
  const made = await admin.post('/admin/alerts/rules', { metric: 'queue_age', threshold: '300', window_minutes: '2', cooldown_minutes: '30', enabled: 'on' });
  assert.equal(made.status, 303);
  const id = stack.one(`SELECT id FROM alert_rules WHERE metric = 'queue_age'`);
  const edit = await admin.get(`/admin/alerts/rules/${id}`);
  assert.equal(edit.status, 200);
  assert.match(edit.body, /value="300"/);
  const saved = await admin.post(`/admin/alerts/rules/${id}`, { metric: 'queue_age', threshold: '600', window_minutes: '2', cooldown_minutes: '30' });
  assert.equal(saved.status, 303);
  assert.equal(stack.one(`SELECT threshold::int || '/' || enabled FROM alert_rules WHERE id = '${id}'`), '600/false', 'unticked: disabled');

  const badCh = await admin.post('/admin/alerts/channels', { kind: 'slack', name: 'Page hook', target: 'nope' });
  assert.equal(badCh.status, 400);
  assert.match(badCh.body, /id="channel-errors"/);
  assert.match(badCh.body, /value="Page hook"/);

  assert.equal((await admin.post(`/admin/alerts/rules/${id}/delete`, { csrf_token: null })).status, 403, 'CSRF');
  const confirm = await admin.get(`/admin/alerts/rules/${id}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="confirm-delete"/);
  assert.equal((await admin.post(`/admin/alerts/rules/${id}/delete`)).status, 303);
  assert.equal((await admin.get(`/admin/alerts/rules/${id}`)).status, 404);
  const n = receiver.texts('/slack').length;
  assert.equal((await admin.post(`/admin/alerts/channels/${channels.slack.id}/test`)).status, 303);
  await waitFor(() => receiver.texts('/slack').length === n + 1, { what: 'the page\'s test alert', timeoutMs: 30000 });
  assert.match(receiver.texts('/slack').at(-1), /sent by admin@demo\.test/);
  const chConfirm = await admin.get(`/admin/alerts/channels/${channels.email.id}/delete`);
  assert.equal(chConfirm.status, 200);
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE entity_id = '${id}' AND action LIKE 'alert_rule.%'`), '3');
});

test('admins only; another org\'s rules and channels are 404', async () => {
  for (const role of ['manager', 'agent', 'viewer']) {
    const c = await stack.as(role);
    assert.equal((await c.get('/admin/alerts')).status, 403, role);
  }
  const mgr = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'mgr-alerts', '--role', 'manager']).stdout.trim();
  assert.equal((await stack.api(mgr, 'GET', '/api/v1/admin/alerts')).status, 403);
  const slug = otherOrg(stack);
  const theirs = stack.one(`INSERT INTO alert_channels (org_id, kind, name, target)
    VALUES ((SELECT id FROM orgs WHERE slug = '${slug}'), 'email', 'Theirs', 'x@example.com') RETURNING id`);
  const theirRule = stack.one(`INSERT INTO alert_rules (org_id, metric, threshold, window_minutes, cooldown_minutes)
    VALUES ((SELECT id FROM orgs WHERE slug = '${slug}'), 'queue_age', 60, 0, 60) RETURNING id`);
  assert.equal((await stack.api(key, 'GET', `/api/v1/admin/alerts/channels/${theirs}`)).status, 404);
  assert.equal((await stack.api(key, 'POST', `/api/v1/admin/alerts/channels/${theirs}/test`)).status, 404);
  assert.equal((await stack.api(key, 'DELETE', `/api/v1/admin/alerts/channels/${theirs}`)).status, 404);
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/admin/alerts/rules/${theirRule}`, { enabled: false })).status, 404);
  assert.equal((await stack.api(key, 'DELETE', `/api/v1/admin/alerts/rules/${theirRule}`)).status, 404);
  const all = await stack.api(key, 'GET', '/api/v1/admin/alerts');
  assert.ok(!all.body.includes(theirs) && !all.body.includes(theirRule));
  // Deleting a channel keeps the history.
  const before = stack.one(`SELECT count(*) FROM alert_events`);
  assert.equal((await stack.api(key, 'DELETE', `/api/v1/admin/alerts/channels/${channels.email.id}`)).status, 200);
  assert.equal(stack.one(`SELECT count(*) FROM alert_events`), before);
});
