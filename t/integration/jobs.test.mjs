// jobs.test.mjs — the job queue and `switchboard worker` against the fake provider:
// retry with back-off then success, no retry on 4xx / wrong type / oversize, dead
// after max attempts, lease expiry after a worker is killed mid-job, unique keys,
// NOTIFY wake-up, the periodic rollup repair (more in admin_ops.test.mjs), and a clean exit on SIGTERM; the
// download allow-list: refused hosts, schemes, redirects and private addresses die
// at once without a request (the stack allows http://127.0.0.1, see t/lib/stack.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';

let stack, provider, orgId;

before(async () => {
  stack = await Stack.start({
    workers: 1,
    config: '\nhttp_timeout_s = 2\njob_lease_s = 4\njob_backoff_ms = 100\nworker_poll_s = 1\nrecording_max_bytes = 1048576\n',
  });
  provider = await startProvider({ hugeBytes: 3 * 1024 * 1024 });
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
});

after(async () => {
  await provider?.close();
  await stack?.stop();
});

let seq = 0;
/** A call whose recording is at the fake provider's recPath (or at url), and its download job. */
function downloadJob(recPath, { maxAttempts = 5, url = provider.url(recPath), callProvider = 'vapi' } = {}) {
  const callId = stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, recording_url, recording_status)
    VALUES ('${orgId}', 'inbound', '${callProvider}', 'job-${process.pid}-${++seq}', 'completed', '${url}', 'pending')
    RETURNING id`).split('\n')[0];
  const jobId = stack.sql(`INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)
    VALUES ('${orgId}', 'recording_download', '{"call_id":"${callId}"}', 'recording_download:${callId}', ${maxAttempts})
    RETURNING id`).split('\n')[0];
  return { callId, jobId };
}

const job = (id) => {
  const [status, attempts, lastError] = stack.sql(`SELECT status || '|' || attempts || '|' || coalesce(last_error, '') FROM jobs WHERE id = ${id}`).split('|');
  return { status, attempts: Number(attempts), lastError };
};
const recording = (callId) => stack.sql(`SELECT recording_status FROM calls WHERE id = '${callId}'`);
const finished = (id) => ['done', 'dead'].includes(job(id).status);

async function withWorker(fn, env = {}) {
  const w = stack.startWorker(env);
  try {
    return await fn(w);
  } finally {
    await stack.stopWorker(w);
  }
}

test('5xx is retried with back-off, then the download succeeds', async () => {
  provider.plan('/r/retry.wav', [500, 503, 'ok']);
  const { callId, jobId } = downloadJob('/r/retry.wav');
  await withWorker(async (w) => {
    // The job is done in the database a moment before its log line reaches us.
    const jobLines = () => w.logs().filter((l) => l.msg === 'job' && String(l.id) === jobId);
    await waitFor(() => finished(jobId) && jobLines().some((l) => l.outcome === 'done'), { what: 'the job to finish' });
    const lines = jobLines();
    assert.deepEqual(lines.map((l) => [l.attempt, l.outcome]), [[1, 'retry'], [2, 'retry'], [3, 'done']]);
    assert.ok(lines.every((l) => l.kind === 'recording_download' && typeof l.duration_ms === 'number'));
  });
  assert.equal(job(jobId).status, 'done');
  assert.equal(job(jobId).attempts, 3);
  assert.equal(recording(callId), 'stored');
  assert.equal(provider.hits('/r/retry.wav').length, 3);
  const file = path.join(stack.dir, 'recordings', orgId, `${callId}.wav`);
  assert.ok(readFileSync(file).equals(provider.audio));
  // No temporary file is left behind.
  assert.deepEqual(readdirSync(path.join(stack.dir, 'recordings', orgId)).filter((f) => f.endsWith('.tmp')), []);
});

test('4xx, a non-audio type or an oversize body fail at once: no retry, recording failed', async () => {
  provider.plan('/r/missing.wav', [404]);
  provider.plan('/r/garbage.wav', ['garbage']);
  provider.plan('/r/huge.wav', ['huge']);
  const jobs = ['/r/missing.wav', '/r/garbage.wav', '/r/huge.wav'].map((p) => ({ p, ...downloadJob(p) }));
  await withWorker(() => waitFor(() => jobs.every((j) => finished(j.jobId)), { what: 'the jobs to finish' }));
  for (const j of jobs) {
    assert.deepEqual([job(j.jobId).status, job(j.jobId).attempts], ['dead', 1], j.p);
    assert.equal(recording(j.callId), 'failed');
    assert.equal(provider.hits(j.p).length, 1);
    assert.ok(!existsSync(path.join(stack.dir, 'recordings', orgId, `${j.callId}.wav`)));
  }
  assert.match(job(jobs[0].jobId).lastError, /HTTP 404/);
  assert.match(job(jobs[1].jobId).lastError, /content type/);
  assert.match(job(jobs[2].jobId).lastError, /larger than 1048576/);
});

test('a job that keeps failing is dead after max_attempts', async () => {
  provider.plan('/r/down.wav', [500]);
  const { callId, jobId } = downloadJob('/r/down.wav', { maxAttempts: 3 });
  await withWorker(() => waitFor(() => finished(jobId), { what: 'the job to die' }));
  assert.deepEqual([job(jobId).status, job(jobId).attempts], ['dead', 3]);
  assert.match(job(jobId).lastError, /HTTP 500/);
  assert.equal(recording(callId), 'failed');
  assert.equal(provider.hits('/r/down.wav').length, 3);
});

test('a timeout is retried', async () => {
  provider.plan('/r/slow-then-ok.wav', ['stall', 'ok']);
  const { callId, jobId } = downloadJob('/r/slow-then-ok.wav');
  await withWorker(() => waitFor(() => finished(jobId), { what: 'the job to finish' }));
  assert.deepEqual([job(jobId).status, job(jobId).attempts], ['done', 2]);
  assert.equal(recording(callId), 'stored');
});

test('a killed worker’s job runs again on another worker once its lease expires', async () => {
  provider.plan('/r/stall.wav', ['stall', 'ok']);
  const { callId, jobId } = downloadJob('/r/stall.wav');
  const first = stack.startWorker();
  await waitFor(() => provider.hits('/r/stall.wav').length === 1, { what: 'the first worker to start the download' });
  assert.equal(job(jobId).status, 'running');
  await stack.stopWorker(first, 'SIGKILL');
  assert.equal(job(jobId).status, 'running'); // held by a dead worker until the lease ends
  await withWorker(() => waitFor(() => finished(jobId), { what: 'the second worker to finish the job' }));
  assert.deepEqual([job(jobId).status, job(jobId).attempts], ['done', 2]);
  assert.equal(recording(callId), 'stored');
  assert.notEqual(stack.sql(`SELECT locked_by FROM jobs WHERE id = ${jobId}`), '');
});

test('unique keys: a live job is not queued twice, a finished one can be again', async () => {
  const key = `test:${process.pid}`;
  const insert = () => stack.sql(`INSERT INTO jobs (kind, unique_key) VALUES ('noop_test', '${key}')
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING RETURNING id`);
  const id = insert();
  assert.ok(id);
  assert.equal(insert(), '');
  assert.throws(() => stack.sql(`INSERT INTO jobs (kind, unique_key) VALUES ('noop_test', '${key}')`), /duplicate key/);
  stack.sql(`UPDATE jobs SET status = 'dead' WHERE id = ${id}`);
  assert.ok(insert());
  stack.sql(`DELETE FROM jobs WHERE unique_key = '${key}'`);
});

test('an unknown kind dies at once', async () => {
  const id = stack.sql(`INSERT INTO jobs (kind) VALUES ('no_such_kind') RETURNING id`).split('\n')[0];
  await withWorker(() => waitFor(() => finished(id), { what: 'the job to die' }));
  assert.deepEqual([job(id).status, job(id).lastError], ['dead', 'unknown job kind']);
});

test('NOTIFY wakes an idle worker (its poll is an hour)', async () => {
  provider.plan('/r/notify.wav', ['ok']);
  await withWorker(async () => {
    // Idle: its last statement was a claim that found nothing, and it now waits.
    await waitFor(() => stack.sql(`SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
      AND state = 'idle' AND query LIKE 'UPDATE jobs SET status = ''running''%'`) === '1', { what: 'the worker to be idle' });
    const { callId, jobId } = downloadJob('/r/notify.wav');
    await waitFor(() => finished(jobId), { what: 'the notified worker to run the job' });
    assert.equal(recording(callId), 'stored');
  }, { SWITCHBOARD_WORKER_POLL_S: '3600' });
});

test('the periodic rollup repair runs and queues its next run an hour later, one at a time', async () => {
  await withWorker(async () => {
    await withWorker(() => waitFor(() => stack.sql(`SELECT count(*) FROM jobs WHERE kind = 'rollup_repair' AND status = 'done'`) !== '0', { what: 'a rollup repair' }));
  });
  assert.equal(stack.sql(`SELECT DISTINCT unique_key FROM jobs WHERE kind = 'rollup_repair'`), 'periodic:rollup_repair');
  assert.equal(stack.sql(`SELECT count(*) FROM jobs WHERE kind = 'rollup_repair' AND status IN ('queued', 'running')`), '1');
  assert.equal(stack.sql(`SELECT run_at > now() + interval '50 minutes' FROM jobs WHERE kind = 'rollup_repair' AND status = 'queued'`), 't');
});

test('SIGHUP re-reads the configuration and keeps working; SIGTERM exits cleanly', async () => {
  const w = stack.startWorker();
  await waitFor(() => w.logs().some((l) => /started/.test(l.msg || '')), { what: 'the worker to start' });
  w.proc.kill('SIGHUP');
  await waitFor(() => w.logs().some((l) => /reloaded/.test(l.msg || '')), { what: 'the reload' });
  provider.plan('/r/after-hup.wav', ['ok']);
  const { jobId } = downloadJob('/r/after-hup.wav');
  await waitFor(() => finished(jobId), { what: 'a job after the reload' });
  assert.equal(job(jobId).status, 'done');
  const { code } = await stack.stopWorker(w, 'SIGTERM');
  assert.equal(code, 0);
  assert.ok(w.logs().some((l) => /stopped/.test(l.msg || '')));
});

test('a URL whose host or scheme is not allowed dies at once: nothing requested, logged without the URL', async () => {
  const { port } = provider;
  const cases = [
    // Same fake, but named by a host that recording_url_hosts does not list.
    { p: '/r/other-host.wav', url: `http://localhost:${port}/r/other-host.wav?token=s3cret-token`, error: /^recording URL refused: host 'localhost' is not in recording_url_hosts$/ },
    { p: '/r/ftp.wav', url: `ftp://127.0.0.1:${port}/r/ftp.wav`, error: /^recording URL refused: scheme 'ftp' is not allowed/ },
    { p: '/r/file.wav', url: 'file:///etc/passwd', error: /^recording URL refused: not an absolute http\(s\) URL$/ },
  ].map((c) => ({ ...c, ...downloadJob(c.p, { url: c.url }) }));
  await withWorker(async (w) => {
    await waitFor(() => cases.every((c) => finished(c.jobId)), { what: 'the jobs to die' });
    await waitFor(() => cases.every((c) => w.logs().some((l) => l.msg === 'job' && String(l.id) === c.jobId)), { what: 'their log lines' });
    for (const c of cases) {
      const line = w.logs().find((l) => l.msg === 'job' && String(l.id) === c.jobId);
      assert.equal(line.outcome, 'dead', c.url);
      assert.match(line.error, c.error);
    }
    assert.ok(!w.lines.some((l) => l.includes('s3cret-token')), 'the URL (and its query) is not logged');
  });
  for (const c of cases) {
    assert.deepEqual([job(c.jobId).status, job(c.jobId).attempts], ['dead', 1], c.url);
    assert.match(job(c.jobId).lastError, c.error);
    assert.equal(recording(c.callId), 'failed');
    assert.equal(provider.hits(c.p).length + provider.hits(`${c.p}?token=s3cret-token`).length, 0, c.url);
  }
});

test('redirects: followed within the allow-list, refused (and not requested) outside it', async () => {
  const { port } = provider;
  provider.plan('/r/moved.wav', [{ redirect: '/r/moved-here.wav' }]);
  provider.plan('/r/moved-here.wav', ['ok']);
  provider.plan('/r/escape.wav', [{ redirect: `http://localhost:${port}/r/escaped.wav` }]);
  provider.plan('/r/escaped.wav', ['ok']);
  provider.plan('/r/loop.wav', [{ redirect: '/r/loop.wav' }]);
  const inside = downloadJob('/r/moved.wav');
  const outside = downloadJob('/r/escape.wav');
  const loop = downloadJob('/r/loop.wav');
  await withWorker(() => waitFor(() => [inside, outside, loop].every((j) => finished(j.jobId)), { what: 'the jobs to finish' }));
  assert.equal(job(inside.jobId).status, 'done');
  assert.equal(recording(inside.callId), 'stored');
  assert.ok(readFileSync(path.join(stack.dir, 'recordings', orgId, `${inside.callId}.wav`)).equals(provider.audio));

  assert.deepEqual([job(outside.jobId).status, job(outside.jobId).attempts], ['dead', 1]);
  assert.equal(job(outside.jobId).lastError, "redirect refused: host 'localhost' is not in recording_url_hosts");
  assert.equal(recording(outside.callId), 'failed');
  assert.equal(provider.hits('/r/escape.wav').length, 1);
  assert.equal(provider.hits('/r/escaped.wav').length, 0);

  assert.deepEqual([job(loop.jobId).status, job(loop.jobId).lastError], ['dead', 'too many redirects']);
  assert.equal(provider.hits('/r/loop.wav').length, 4); // the first request and 3 redirects
});

test("the org's own recording download hosts (/admin/settings) replace recording_url_hosts for its recordings", async () => {
  const { port } = provider;
  provider.plan('/r/org-list.wav', ['ok']);
  stack.sql(`UPDATE orgs SET recording_download_hosts = 'localhost' WHERE id = '${orgId}'`);
  try {
    const listed = downloadJob('/r/org-list.wav', { url: `http://localhost:${port}/r/org-list.wav` });
    const unlisted = downloadJob('/r/org-unlisted.wav');
    await withWorker(() => waitFor(() => [listed, unlisted].every((j) => finished(j.jobId)), { what: 'the jobs to finish' }));
    assert.equal(job(listed.jobId).status, 'done');
    assert.equal(recording(listed.callId), 'stored');
    assert.deepEqual([job(unlisted.jobId).status, job(unlisted.jobId).attempts], ['dead', 1]);
    assert.equal(job(unlisted.jobId).lastError, "recording URL refused: host '127.0.0.1' is not in the org's recording download hosts");
    assert.equal(provider.hits('/r/org-unlisted.wav').length, 0);
  } finally {
    stack.sql(`UPDATE orgs SET recording_download_hosts = '' WHERE id = '${orgId}'`);
  }
});

test("provider credentials go to the recording URL's own origin only, never across a redirect", async () => {
  assert.equal(stack.cli(['org', 'set', 'demo', 'twilio_account_sid', 'twilio_auth_token'],
    { input: 'AC0123456789abcdef0123456789abcdef\ntok-secret-1234\n' }).status, 0);
  const storage = await startProvider();
  try {
    provider.plan('/r/twilio.wav', [{ redirect: storage.url('/s/twilio.wav') }]);
    const { callId, jobId } = downloadJob('/r/twilio.wav', { callProvider: 'twilio' });
    await withWorker(() => waitFor(() => finished(jobId), { what: 'the job to finish' }));
    assert.equal(job(jobId).status, 'done');
    assert.equal(recording(callId), 'stored');
    const basic = `Basic ${Buffer.from('AC0123456789abcdef0123456789abcdef:tok-secret-1234').toString('base64')}`;
    assert.equal(provider.hits('/r/twilio.wav')[0].headers.authorization, basic);
    assert.equal(storage.hits('/s/twilio.wav').length, 1);
    assert.equal(storage.hits('/s/twilio.wav')[0].headers.authorization, undefined); // another port: another origin
  } finally {
    await storage.close();
  }
});

test('private addresses are refused unless recording_url_allow_private; plain http unless allowed', async () => {
  provider.plan('/r/private.wav', ['ok']);
  provider.plan('/r/plain.wav', ['ok']);
  const priv = downloadJob('/r/private.wav');
  await withWorker(() => waitFor(() => finished(priv.jobId), { what: 'the job to die' }),
    { SWITCHBOARD_RECORDING_URL_ALLOW_PRIVATE: 'false' });
  assert.deepEqual([job(priv.jobId).status, job(priv.jobId).attempts], ['dead', 1]);
  assert.match(job(priv.jobId).lastError, /^recording URL refused: 127\.0\.0\.1 is a loopback, private or link-local address/);
  assert.equal(provider.hits('/r/private.wav').length, 0);

  const plain = downloadJob('/r/plain.wav');
  await withWorker(() => waitFor(() => finished(plain.jobId), { what: 'the job to die' }),
    { SWITCHBOARD_RECORDING_URL_ALLOW_HTTP: 'false' });
  assert.deepEqual([job(plain.jobId).status, job(plain.jobId).lastError],
    ['dead', "recording URL refused: scheme 'http' is not allowed (https only; see recording_url_allow_http)"]);
  assert.equal(provider.hits('/r/plain.wav').length, 0);
});
