// admin_ops.test.mjs — the admin pages of operations: system health (/admin and its
// JSON), the audit log (filters, keyset pages, CSV export, audited itself), and the
// jobs (kinds, dead letters with retry and discard, periodic jobs); admins only, CSRF
// on every write, another org's jobs answer 404; the overview's attention item.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Stack, waitFor } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack, admin, orgId, otherId, adminKey, viewerKey;

before(async () => {
  stack = await Stack.start({ config: '\njob_backoff_ms = 100\nworker_poll_s = 1\n' });
  admin = await stack.as('admin');
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherOrg(stack);
  otherId = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  const key = (role) => {
    const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', `ops-${role}`, '--role', role]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  adminKey = key('admin');
  viewerKey = key('viewer');
});

after(async () => {
  await stack?.stop();
});

/** A dead job of org (the demo org by default); returns its id. */
function deadJob(kind = 'recording_download', org = orgId, error = 'HTTP 404 from the provider') {
  return stack.sql(`INSERT INTO jobs (org_id, kind, status, attempts, max_attempts, last_error)
    VALUES ('${org}', '${kind}', 'dead', 5, 5, '${error}') RETURNING id`).split('\n')[0];
}

const audits = (action) => Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = '${action}'`));

test('non-admins get 403 on every admin page, audited; signed-out visitors go to sign in', async () => {
  const before = audits('security.forbidden');
  for (const role of ['viewer', 'agent', 'manager']) {
    const c = await stack.as(role);
    for (const p of ['/admin', '/admin/audit', '/admin/audit/export.csv', '/admin/jobs', '/api/v1/admin/health',
      '/api/v1/admin/audit', '/api/v1/admin/jobs']) {
      assert.equal((await c.get(p)).status, 403, `${role} ${p}`);
    }
    assert.equal((await c.post('/admin/jobs/1/retry')).status, 403);
  }
  assert.ok(audits('security.forbidden') >= before + 3 * 8);
  assert.equal((await stack.api(viewerKey, 'GET', '/api/v1/admin/health')).status, 403);
  const anon = await stack.request('GET', '/admin/jobs');
  assert.equal(anon.status, 303);
  assert.match(anon.headers.location, /^\/login/);
});

test('health: the page and its JSON twin have every figure, sane', async () => {
  for (let i = 0; i < 3; i++) await admin.get('/');
  const page = await admin.get('/admin');
  assert.equal(page.status, 200);
  for (const id of ['health-db', 'health-workers', 'health-dead', 'health-recordings', 'health-requests', 'health-queue', 'health-providers'])
    assert.match(page.body, new RegExp(`id="${id}"`));
  assert.match(page.body, /<script type="module" src="\/static\/js\/admin_health\.js/);
  assert.doesNotMatch(page.body, /<script>/); // no inline script (CSP)
  const res = await stack.api(adminKey, 'GET', '/api/v1/admin/health');
  assert.equal(res.status, 200);
  const d = res.json().data;
  assert.equal(d.database.up, true);
  assert.ok(d.database.size_bytes > 1000000);
  assert.ok(d.workers.busy >= 1, 'this request is served by a busy worker');
  assert.ok(d.workers.busy + d.workers.idle >= 1);
  assert.ok(d.workers.restarts >= 0 && d.workers.crashes >= 0);
  assert.deepEqual(d.requests.map((w) => w.minutes), [5, 15, 60]);
  for (const w of d.requests) {
    assert.ok(w.requests >= 4, `window ${w.minutes}: ${w.requests}`);
    assert.ok(w.error_rate >= 0 && w.error_rate <= 1);
    assert.ok(w.p50_ms > 0 && w.p50_ms <= w.p95_ms && w.p95_ms <= w.p99_ms, JSON.stringify(w));
  }
  // Longer windows hold at least what shorter ones do.
  assert.ok(d.requests[0].requests <= d.requests[1].requests && d.requests[1].requests <= d.requests[2].requests);
  assert.ok(Array.isArray(d.queue) && Array.isArray(d.providers));
  assert.ok(d.recordings.files >= 0 && d.recordings.bytes >= 0);
  assert.ok(d.recordings.disk_total_bytes > 0);
});

test('health: 5xx answers count in the error rate', async () => {
  const rate = async () => (await stack.api(adminKey, 'GET', '/api/v1/admin/health')).json().data.requests[0];
  const before = await rate();
  stack.pgStop();
  try {
    await waitFor(async () => (await stack.request('GET', '/healthz')).status === 503, { what: 'the database to be down' });
    assert.equal((await admin.get('/contacts')).status, 503);
  } finally {
    stack.pgStart();
  }
  await waitFor(async () => (await stack.api(adminKey, 'GET', '/api/v1/admin/health')).status === 200, { what: 'the database back' });
  const afterw = await rate();
  assert.ok(afterw.errors >= before.errors + 2, `${before.errors} -> ${afterw.errors}`);
  assert.ok(afterw.error_rate > 0);
});

test('health: queue depth, oldest age, dead jobs and breakers of this org only', async () => {
  stack.sql(`DELETE FROM jobs`);
  stack.sql(`INSERT INTO jobs (org_id, kind, run_at) VALUES ('${orgId}', 'campaign_send', now() - interval '90 seconds'),
    ('${orgId}', 'campaign_send', now() + interval '1 hour'), ('${otherId}', 'campaign_send', now() - interval '1 day')`);
  deadJob();
  deadJob('recording_download', otherId);
  stack.sql(`INSERT INTO provider_breakers (org_id, provider, state, failures, opened_at) VALUES ('${orgId}', 'twilio', 'open', 5, now())
    ON CONFLICT (org_id, provider) DO UPDATE SET state = 'open', failures = 5, opened_at = now()`);
  const d = (await stack.api(adminKey, 'GET', '/api/v1/admin/health')).json().data;
  const send = d.queue.find((k) => k.kind === 'campaign_send');
  assert.equal(send.queued, 2);
  assert.ok(send.oldest_age_s >= 90 && send.oldest_age_s < 3600, String(send.oldest_age_s));
  assert.equal(d.queue.find((k) => k.kind === 'recording_download').dead, 1);
  assert.equal(d.dead_jobs, 1);
  assert.deepEqual(d.providers.map((p) => [p.provider, p.state, p.failures]), [['twilio', 'open', 5]]);
  assert.match(d.providers[0].opened_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // The overview tells admins, and only them.
  const o = await admin.get('/');
  assert.match(o.body, /id="attention-dead-jobs"/);
  assert.match(o.body, /id="attention-providers"/);
  assert.match(o.body, /twilio/);
  const viewer = await stack.as('viewer');
  assert.doesNotMatch((await viewer.get('/')).body, /id="attention"/);
  stack.sql(`DELETE FROM provider_breakers; DELETE FROM jobs`);
  assert.doesNotMatch((await admin.get('/')).body, /id="attention"/);
});

test('jobs: kinds, dead letters in keyset pages, and another org\'s jobs are not there', async () => {
  stack.sql('DELETE FROM jobs');
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const id = deadJob(i % 2 ? 'campaign_send' : 'recording_download', orgId, `error ${i}`);
    stack.sql(`UPDATE jobs SET updated_at = now() - ${i} * interval '1 minute' WHERE id = ${id}`);
    ids.push(id);
  }
  const other = deadJob('recording_download', otherId, 'other org');
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 5; page++) {
    const res = await stack.api(adminKey, 'GET', `/api/v1/admin/jobs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200);
    const body = res.json();
    seen.push(...body.data.dead.map((j) => j.id));
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, ids, 'newest death first, each once');
  assert.ok(!seen.includes(other));
  const kinds = (await stack.api(adminKey, 'GET', '/api/v1/admin/jobs')).json().data.kinds;
  assert.deepEqual(kinds.map((k) => [k.kind, k.dead]), [['campaign_send', 2], ['recording_download', 3]]);
  const filtered = (await stack.api(adminKey, 'GET', '/api/v1/admin/jobs?kind=campaign_send')).json().data.dead;
  assert.equal(filtered.length, 2);
  assert.ok(filtered.every((j) => j.kind === 'campaign_send' && /^error/.test(j.last_error)));
  const page = await admin.get('/admin/jobs?limit=2');
  assert.equal(page.status, 200);
  assert.match(page.body, /id="next-page"/);
  assert.match(page.body, /error 0/);
  assert.doesNotMatch(page.body, /error 4/);
  assert.doesNotMatch(page.body, /other org/);
  assert.equal((await admin.get('/admin/jobs?limit=0')).status, 400);
  assert.equal((await stack.api(adminKey, 'GET', '/api/v1/admin/jobs?cursor=forged')).json().error.fields.cursor !== undefined, true);
  // Another org's job, a job that is not dead, and nonsense ids: 404.
  assert.equal((await admin.get(`/admin/jobs/${other}/discard`)).status, 404);
  assert.equal((await admin.post(`/admin/jobs/${other}/retry`)).status, 404);
  assert.equal((await admin.post(`/admin/jobs/${other}/discard`)).status, 404);
  assert.equal((await stack.api(adminKey, 'POST', `/api/v1/admin/jobs/${other}/retry`)).status, 404);
  assert.equal((await admin.post('/admin/jobs/abc/retry')).status, 404);
  assert.equal((await admin.post('/admin/jobs/99999999999999999999/retry')).status, 404);
  assert.equal(stack.sql(`SELECT status FROM jobs WHERE id = ${other}`), 'dead');
});

test('jobs: retry and discard a dead job, with CSRF, confirmation and audit rows', async () => {
  stack.sql('DELETE FROM jobs');
  const a = deadJob('campaign_send'), b = deadJob('campaign_send');
  await admin.get('/admin/jobs');
  // Without the CSRF token nothing changes.
  assert.equal((await admin.post(`/admin/jobs/${a}/retry`, { csrf_token: null })).status, 403);
  assert.equal((await admin.post(`/admin/jobs/${b}/discard`, { csrf_token: 'forged' })).status, 403);
  assert.equal(stack.sql(`SELECT count(*) FROM jobs WHERE status = 'dead'`), '2');
  const retried = await admin.post(`/admin/jobs/${a}/retry`);
  assert.equal(retried.status, 303);
  assert.equal(retried.headers.location, '/admin/jobs');
  assert.equal(stack.sql(`SELECT status || '|' || attempts FROM jobs WHERE id = ${a}`), 'queued|0');
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'job.retry' AND entity_id = '${a}'`), '1');
  // Retrying it again: it is no longer dead.
  assert.equal((await admin.post(`/admin/jobs/${a}/retry`)).status, 404);
  const confirm = await admin.get(`/admin/jobs/${b}/discard`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="confirm-discard"/);
  assert.equal(stack.sql(`SELECT status FROM jobs WHERE id = ${b}`), 'dead', 'asking deletes nothing');
  const discarded = await admin.post(`/admin/jobs/${b}/discard`);
  assert.equal(discarded.status, 303);
  assert.equal(stack.sql(`SELECT count(*) FROM jobs WHERE id = ${b}`), '0');
  assert.equal(stack.sql(`SELECT detail->>'kind' FROM audit_log WHERE action = 'job.discard' AND entity_id = '${b}'`), 'campaign_send');
  // The JSON twins, with an API key (no CSRF).
  const c = deadJob('campaign_send');
  const r1 = await stack.api(adminKey, 'POST', `/api/v1/admin/jobs/${c}/retry`);
  assert.equal(r1.status, 200);
  assert.deepEqual(r1.json().data, { id: c, status: 'queued' });
  const d = deadJob('campaign_send');
  const r2 = await stack.api(adminKey, 'POST', `/api/v1/admin/jobs/${d}/discard`);
  assert.equal(r2.status, 200);
  assert.equal(r2.json().data.status, 'discarded');
  assert.equal((await stack.api(viewerKey, 'POST', `/api/v1/admin/jobs/${d}/discard`)).status, 403);
  stack.sql('DELETE FROM jobs');
});

test('periodic jobs: each kind queued once, runs, and queues its next run; retention and overdue do their work', async () => {
  stack.sql('DELETE FROM jobs');
  // A recording past the org's retention (2 days) and one within it; a payment past due.
  stack.sql(`UPDATE orgs SET recording_retention_days = 2 WHERE id = '${orgId}'`);
  const oldCall = stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, recording_status, recording_path, recording_bytes)
    VALUES ('${orgId}', 'inbound', 'vapi', 'ret-old-${process.pid}', 'completed', now() - interval '3 days', 'stored', '${orgId}/ret-old.wav', 4) RETURNING id`).split('\n')[0];
  const newCall = stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, recording_status, recording_path, recording_bytes)
    VALUES ('${orgId}', 'inbound', 'vapi', 'ret-new-${process.pid}', 'completed', now() - interval '1 day', 'stored', '${orgId}/ret-new.wav', 4) RETURNING id`).split('\n')[0];
  const { mkdirSync, writeFileSync, existsSync } = await import('node:fs');
  const recDir = /^recordings_dir\s*=\s*(.+)$/m.exec(readFileSync(stack.config, 'utf8'))[1].trim();
  const dir = `${recDir}/${orgId}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/ret-old.wav`, 'RIFF');
  writeFileSync(`${dir}/ret-new.wav`, 'RIFF');
  const brandId = stack.sql(`INSERT INTO brands (org_id, name) VALUES ('${orgId}', 'Overdue Brand ${process.pid}') RETURNING id`).split('\n')[0];
  const dealId = stack.sql(`INSERT INTO deals (org_id, brand_id, title, currency) VALUES ('${orgId}', '${brandId}', 'Overdue deal', 'USD') RETURNING id`).split('\n')[0];
  const payment = stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
    VALUES ('${orgId}', '${dealId}', 'final', 1000, 'USD', current_date - 10) RETURNING id`).split('\n')[0];
  const w = stack.startWorker();
  try {
    const kinds = ['rollup_repair', 'recording_retention', 'overdue_payments', 'vapi_recovery'];
    await waitFor(() => kinds.every((k) => stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:${k}' AND status = 'done'`) === '1'),
      { what: 'a first run of each periodic job', timeoutMs: 30000 });
    // Each queued its next run, later, and there is one live run per kind.
    await waitFor(() => kinds.every((k) => stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:${k}' AND status = 'queued' AND run_at > now() + interval '30 minutes'`) === '1'),
      { what: 'the next runs' });
    for (const k of kinds)
      assert.equal(stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:${k}' AND status IN ('queued', 'running')`), '1');
    assert.equal(stack.sql(`SELECT recording_status || '|' || coalesce(recording_path, '') FROM calls WHERE id = '${oldCall}'`), 'deleted|');
    assert.equal(stack.sql(`SELECT recording_status FROM calls WHERE id = '${newCall}'`), 'stored');
    assert.equal(existsSync(`${dir}/ret-old.wav`), false);
    assert.equal(existsSync(`${dir}/ret-new.wav`), true);
    assert.equal(stack.sql(`SELECT detail->'call_ids' ? '${oldCall}' FROM audit_log WHERE action = 'recordings.retention_purge' AND org_id = '${orgId}'`), 't');
    assert.equal(stack.sql(`SELECT status FROM payments WHERE id = '${payment}'`), 'overdue');
    assert.equal(stack.sql(`SELECT detail->'payment_ids' ? '${payment}' FROM audit_log WHERE action = 'payments.mark_overdue' AND org_id = '${orgId}'`), 't');
    // The jobs page shows the last and next runs.
    const jobs = (await stack.api(adminKey, 'GET', '/api/v1/admin/jobs')).json().data.periodic;
    assert.deepEqual(jobs.map((j) => j.kind), [...kinds, 'alerts_evaluate', 'email_reminders']);
    for (const j of jobs) {
      assert.equal(j.last_status, 'done');
      assert.match(j.last_run_at, /Z$/);
      assert.ok(Date.parse(j.next_run_at) > Date.parse(j.last_run_at), JSON.stringify(j));
    }
    const page = await admin.get('/admin/jobs');
    assert.match(page.body, /data-kind="recording_retention"/);
    // Made due again, a kind runs again and queues the next.
    stack.sql(`UPDATE jobs SET run_at = now() WHERE unique_key = 'periodic:overdue_payments' AND status = 'queued'`);
    stack.sql(`SELECT pg_notify('jobs', '')`);
    await waitFor(() => stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:overdue_payments' AND status = 'done'`) === '2',
      { what: 'a second run' });
    await waitFor(() => stack.sql(`SELECT count(*) FROM jobs WHERE unique_key = 'periodic:overdue_payments' AND status = 'queued' AND run_at > now() + interval '30 minutes'`) === '1',
      { what: 'the run after' });
  } finally {
    await stack.stopWorker(w);
  }
  stack.sql(`DELETE FROM payments WHERE id = '${payment}'; DELETE FROM calls WHERE id IN ('${oldCall}', '${newCall}'); DELETE FROM jobs`);
});

test('audit: writes and security events are recorded', async () => {
  const c = stack.client();
  await c.login('admin@demo.test', 'wrong password entirely');
  assert.ok(audits('login.failed') >= 1);
  assert.ok(audits('login.ok') >= 1);
  // A write whose handler writes no audit row of its own still leaves one: the
  // route's name as action, in the write's transaction.
  const v = await stack.as('viewer');
  const res = await v.post('/api/v1/me/name', { name: 'Vera Viewer' });
  assert.equal(res.status, 200, res.body);
  assert.equal(stack.sql(`SELECT entity || '|' || (user_id IS NOT NULL) FROM audit_log
    WHERE action = 'api_me_name' AND actor = 'viewer@demo.test' ORDER BY id DESC LIMIT 1`), 'me|true');
  // A refused write leaves its 403, not a write.
  const n = audits('api_me_name');
  assert.equal((await v.post('/api/v1/me/name', { name: 'X', csrf_token: null })).status, 403);
  assert.equal(audits('api_me_name'), n);
});

test('audit: filters, keyset pages newest first, another org invisible', async () => {
  stack.sql(`DELETE FROM audit_log WHERE action LIKE 'test.%'`);
  const userId = stack.sql("SELECT id FROM users WHERE email = 'viewer@demo.test'");
  stack.sql(`INSERT INTO audit_log (org_id, user_id, actor, action, entity, entity_id, at)
    SELECT '${orgId}', CASE WHEN i % 2 = 0 THEN '${userId}'::uuid END, 'viewer@demo.test', 'test.' || (i % 3), 'thing', i::text,
           timestamptz '2026-03-10 12:00Z' - i * interval '6 hours' FROM generate_series(1, 30) i`);
  stack.sql(`INSERT INTO audit_log (org_id, actor, action, entity, at) VALUES ('${otherId}', 'x@other.test', 'test.0', 'thing', '2026-03-09 12:00Z')`);
  const list = async (qs) => {
    const rows = [];
    let cursor = null;
    for (;;) {
      const res = await stack.api(adminKey, 'GET', `/api/v1/admin/audit?${qs}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, res.body);
      rows.push(...res.json().data);
      cursor = res.json().next_cursor;
      if (!cursor) return rows;
    }
  };
  const all = await list('entity=thing');
  assert.equal(all.length, 30);
  assert.deepEqual(all.map((r) => Number(r.entity_id)), Array.from({ length: 30 }, (_, i) => i + 1), 'newest first, each once');
  assert.ok(all.every((r) => r.actor !== 'x@other.test'));
  const byAction = await list('action=test.0&entity=thing');
  assert.equal(byAction.length, 10);
  const byUser = await list(`user_id=${userId}&entity=thing`);
  assert.equal(byUser.length, 15);
  assert.ok(byUser.every((r) => r.user_id === userId));
  // 2026-03-09 in the org's zone (the demo org's), both ends included.
  const tz = stack.sql(`SELECT timezone FROM orgs WHERE id = '${orgId}'`);
  const expected = Number(stack.sql(`SELECT count(*) FROM audit_log WHERE org_id = '${orgId}' AND entity = 'thing'
    AND (at AT TIME ZONE '${tz}')::date BETWEEN '2026-03-08' AND '2026-03-09'`));
  const byDate = await list('entity=thing&from=2026-03-08&to=2026-03-09');
  assert.equal(byDate.length, expected);
  assert.ok(expected >= 7);
  const one = await list('entity=thing&entity_id=7');
  assert.equal(one.length, 1);
  // Bad filters: 400 with a message per field.
  const bad = await stack.api(adminKey, 'GET', '/api/v1/admin/audit?from=2026-13-01&to=yesterday&user_id=nope&limit=500');
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['from', 'limit', 'to', 'user_id']);
  const reversed = await stack.api(adminKey, 'GET', '/api/v1/admin/audit?from=2026-03-09&to=2026-03-08');
  assert.equal(reversed.json().error.fields.to, 'must be on or after from');
  const page = await admin.get('/admin/audit?entity=thing&limit=5');
  assert.equal(page.status, 200);
  assert.match(page.body, /id="next-page"/);
  assert.match(page.body, /test\.1/);
  assert.equal((await admin.get('/admin/audit?from=bad')).status, 400);
});

test('audit: the plans of the filters use their indexes on a realistic log', async () => {
  stack.sql(`INSERT INTO audit_log (org_id, user_id, actor, action, entity, entity_id, at)
    SELECT CASE WHEN i % 5 = 0 THEN '${otherId}'::uuid ELSE '${orgId}'::uuid END, NULL, 'bulk', 'bulk.' || (i % 40), 'bulk' || (i % 20),
           i::text, now() - i * interval '1 second' FROM generate_series(1, 200000) i`);
  stack.sql('ANALYZE audit_log');
  const plan = (where) => stack.sql(`SET row_security = off; EXPLAIN SELECT id FROM audit_log WHERE org_id = '${orgId}' ${where} ORDER BY at DESC, id DESC LIMIT 51`);
  assert.match(plan(''), /audit_log_org_at_idx/);
  assert.match(plan("AND action = 'bulk.7'"), /audit_log_org_action_at_idx/);
  assert.match(plan("AND entity = 'bulk3'"), /audit_log_org_entity_at_idx/);
  const userId = stack.sql("SELECT id FROM users WHERE email = 'viewer@demo.test'");
  assert.match(plan(`AND user_id = '${userId}'`), /audit_log_org_user_at_idx/);
  assert.doesNotMatch(plan("AND action = 'bulk.7'"), /Seq Scan|Sort/);
  stack.sql("DELETE FROM audit_log WHERE actor = 'bulk'");
});

test('audit: the CSV export streams every matching row, formula cells neutralised, and is audited', async () => {
  stack.sql(`INSERT INTO audit_log (org_id, actor, action, entity, entity_id, at)
    VALUES ('${orgId}', '=HYPERLINK("http://evil")', 'test.csv', 'csv', '+1', now()),
           ('${orgId}', '@SUM(A1)', 'test.csv', 'csv', '-2', now() - interval '1 minute')`);
  const before = audits('audit.export');
  const res = await admin.get('/admin/audit/export.csv?action=test.csv');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/csv/);
  assert.match(res.headers['content-disposition'], /audit\.csv/);
  const lines = res.body.trim().split('\r\n');
  assert.equal(lines[0], 'id,at,user_id,actor,action,entity,entity_id,ip,request_id,detail');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /,"'=HYPERLINK\(""http:\/\/evil""\)",test\.csv,csv,"?'\+1"?,/);
  assert.match(lines[2], /,"?'@SUM\(A1\)"?,test\.csv,csv,"?'-2"?,/);
  assert.equal(audits('audit.export'), before + 1);
  assert.equal(stack.sql(`SELECT detail->>'query' FROM audit_log WHERE action = 'audit.export' ORDER BY id DESC LIMIT 1`), 'action=test.csv');
  // Every row of a larger log, in batches.
  stack.sql(`INSERT INTO audit_log (org_id, actor, action, entity) SELECT '${orgId}', 'many', 'test.many', 'csv' FROM generate_series(1, 4500)`);
  const many = await admin.get('/admin/audit/export.csv?action=test.many');
  assert.equal(many.body.trim().split('\r\n').length, 4501);
  assert.equal((await admin.get('/admin/audit/export.csv?to=soon')).status, 400);
});
