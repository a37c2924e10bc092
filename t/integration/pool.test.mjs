// pool.test.mjs — `switchboard serve` as a process manager (docs/ARCHITECTURE.md
// "Request flow", docs/OPERATIONS.md "Signals"): pre-forked workers, respawn after
// kill -9 under load, recovery after every worker dies, graceful SIGHUP reload
// (templates re-read), SIGTERM drain of a request in flight, max_requests recycling,
// and /metrics in Prometheus format.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Stack, REPO, waitFor } from '../lib/stack.mjs';

const WORKERS = 3;
let stack;
let admin;
let tplDir; // a private copy of templates/, so a template change can be tested

before(async () => {
  tplDir = mkdtempSync('/tmp/sbt-tpl-');
  chmodSync(tplDir, 0o755);
  cpSync(path.join(REPO, 'templates'), tplDir, { recursive: true });
  // later lines override earlier ones in the config file
  stack = await Stack.start({ workers: WORKERS, config: `template_dir = ${tplDir}\n` });
  admin = await stack.as('admin');
});

after(async () => {
  if (stack) await stack.stop();
  if (tplDir) rmSync(tplDir, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------

const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

/** Drives `loops` concurrent request loops (alternating GET /healthz and GET / with
 * the admin session) until each has made `perLoop` requests or `maxMs` passed.
 * onProgress(done) is called after every answer. Returns {statuses, errors}. */
async function drive({ loops = 20, perLoop = 60, maxMs = 6000, onProgress } = {}) {
  const statuses = [];
  const errors = [];
  const deadline = Date.now() + maxMs;
  const cookie = admin.cookieHeader();
  async function loop(n) {
    for (let i = 0; i < perLoop && Date.now() < deadline; i++) {
      const overview = (i + n) % 2 === 1;
      try {
        const res = await stack.request('GET', overview ? '/' : '/healthz', {
          headers: overview ? { cookie } : {},
          timeoutMs: 10000,
        });
        statuses.push(res.status);
      } catch (e) {
        errors.push(e.message);
      }
      if (onProgress) await onProgress(statuses.length + errors.length);
    }
  }
  await Promise.all(Array.from({ length: loops }, (_, n) => loop(n)));
  return { statuses, errors };
}

const count = (xs, v) => xs.filter((x) => x === v).length;

async function metricsText() {
  const res = await stack.request('GET', '/metrics');
  assert.equal(res.status, 200, `/metrics answered ${res.status}`);
  return res.body;
}

/** The value of one metric series (exact name + labels as rendered), or NaN. */
function metricValue(text, series) {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return NaN;
}

const workerLogs = (msg) => stack.logs().filter((l) => l.msg === `worker ${msg}`);
/** The JSON log lines serve wrote after its first n lines of output. */
const logsAfter = (n) => stack.logLines.slice(n).flatMap((l) => {
  try {
    return [JSON.parse(l)];
  } catch {
    return [];
  }
});

// ---- tests --------------------------------------------------------------------

test('serve pre-forks the configured number of workers', async () => {
  const pids = await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && p;
  }, { what: `${WORKERS} workers` });
  assert.equal(pids.length, WORKERS);
  const started = workerLogs('started').map((l) => l.worker_pid);
  for (const pid of pids) assert.ok(started.includes(pid), `start of ${pid} logged`);
  const m = await metricsText();
  const total = ['idle', 'busy', 'starting'].reduce((s, st) => s + metricValue(m, `switchboard_workers{state="${st}"}`), 0);
  assert.equal(total, WORKERS);
});

test('kill -9 of a worker under load: every request answered, worker respawned, counters up', async () => {
  const before = stack.workerPids();
  assert.equal(before.length, WORKERS);
  const m0 = await metricsText();
  const restarts0 = metricValue(m0, 'switchboard_worker_restarts_total');
  const crashes0 = metricValue(m0, 'switchboard_worker_crashes_total');
  const victim = before[0];
  let killed = false;
  const { statuses, errors } = await drive({
    loops: 20,
    perLoop: 40,
    maxMs: 8000,
    onProgress: (done) => {
      if (!killed && done >= 150) {
        killed = true;
        process.kill(victim, 'SIGKILL');
      }
    },
  });
  assert.ok(killed, 'the worker was killed during the load');
  assert.deepEqual(errors, [], 'every request got an answer');
  const other = statuses.filter((s) => s !== 200 && s !== 502);
  assert.deepEqual(other, [], 'only 200, or 502 for what the killed worker had in flight');
  // a worker serves one request at a time: at most that one (plus nginx's retry of it) fails
  assert.ok(count(statuses, 502) <= 2, `${count(statuses, 502)} requests failed with 502`);
  assert.ok(count(statuses, 200) >= statuses.length - 2);

  const after = await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && !p.includes(victim) && p;
  }, { what: 'a replacement worker' });
  assert.ok(after.some((p) => !before.includes(p)), 'a new pid appeared');
  const exited = workerLogs('exited').find((l) => l.worker_pid === victim);
  assert.ok(exited, 'the death was logged');
  assert.equal(exited.cause, 'signal 9');
  const m1 = await metricsText();
  assert.ok(metricValue(m1, 'switchboard_worker_restarts_total') >= restarts0 + 1, 'restarts counter went up');
  assert.ok(metricValue(m1, 'switchboard_worker_crashes_total') >= crashes0 + 1, 'crashes counter went up');
});

test('kill -9 of every worker at once: the pool comes back', async () => {
  const before = stack.workerPids();
  assert.equal(before.length, WORKERS);
  for (const pid of before) process.kill(pid, 'SIGKILL');
  const after = await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && p.every((x) => !before.includes(x)) && p;
  }, { what: 'a complete new set of workers', timeoutMs: 20000 });
  assert.equal(after.length, WORKERS);
  await waitFor(async () => (await stack.request('GET', '/healthz')).status === 200, { what: '/healthz 200' });
  const me = await admin.get('/api/v1/me');
  assert.equal(me.status, 200, 'sessions still work');
  for (const pid of before) {
    const l = workerLogs('exited').find((x) => x.worker_pid === pid);
    assert.ok(l, `exit of ${pid} logged`);
    assert.equal(l.cause, 'signal 9');
  }
});

test('SIGHUP reloads: new workers, no failed request, templates re-read', async () => {
  const marker = `reload-marker-${process.pid}-${Date.now()}`;
  const loginBefore = await stack.request('GET', '/login');
  assert.equal(loginBefore.status, 200);
  assert.ok(!loginBefore.body.includes(marker));
  const tpl = path.join(tplDir, 'login.tpl');
  writeFileSync(tpl, readFileSync(tpl, 'utf8').replace('Sign in</h1>', `Sign in</h1><p>${marker}</p>`));
  // the running workers keep their cached template until the reload
  assert.ok(!(await stack.request('GET', '/login')).body.includes(marker));

  const before = stack.workerPids();
  let hupped = false;
  const { statuses, errors } = await drive({
    loops: 10,
    perLoop: 40,
    maxMs: 8000,
    onProgress: (done) => {
      if (!hupped && done >= 60) {
        hupped = true;
        process.kill(stack.serve.pid, 'SIGHUP');
      }
    },
  });
  assert.ok(hupped);
  assert.deepEqual(errors, []);
  assert.deepEqual(statuses.filter((s) => s !== 200), [], 'no request failed during the reload');
  const after = await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && p.every((x) => !before.includes(x)) && p;
  }, { what: 'the old generation to retire' });
  assert.ok(!sameSet(before, after));
  assert.ok(stack.logs().some((l) => /^reload: generation \d+ started/.test(l.msg)), 'reload logged');
  for (const pid of before) {
    const l = workerLogs('exited').find((x) => x.worker_pid === pid);
    assert.ok(l, `retirement of ${pid} logged`);
    assert.equal(l.cause, 'exit 0', 'old workers exit cleanly');
  }
  const loginAfter = await stack.request('GET', '/login');
  assert.equal(loginAfter.status, 200);
  assert.ok(loginAfter.body.includes(marker), 'the changed template is served after SIGHUP');
});

test('a reload with a broken template keeps the running workers; fixed, the next reload takes it', async () => {
  const broken = path.join(tplDir, 'broken-on-purpose.tpl');
  writeFileSync(broken, '{{%AUTOESCAPE context="HTML"}}{{#OPEN}}never closed');
  const before = await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && p;
  }, { what: `${WORKERS} workers` });
  const seen = stack.logLines.length;
  process.kill(stack.serve.pid, 'SIGHUP');
  const refused = await waitFor(() => logsAfter(seen).find((l) => /^reload: the new generation could not be prepared/.test(l.msg)),
    { what: 'the reload to be refused' });
  assert.equal(refused.level, 'error');
  assert.ok(logsAfter(seen).some((l) => /^1 template\(s\) failed to load from /.test(l.msg)), 'the reason is logged');
  assert.ok(sameSet(stack.workerPids(), before), 'the same workers serve');
  assert.equal((await stack.request('GET', '/login')).status, 200);
  // A worker replaced now starts from the templates in use, not the broken files.
  process.kill(before[0], 'SIGKILL');
  await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && !p.includes(before[0]);
  }, { what: 'a replacement worker' });
  for (let i = 0; i < 2 * WORKERS; i++) assert.equal((await stack.request('GET', '/login')).status, 200);

  unlinkSync(broken);
  const current = stack.workerPids();
  process.kill(stack.serve.pid, 'SIGHUP');
  await waitFor(() => {
    const p = stack.workerPids();
    return p.length === WORKERS && p.every((x) => !current.includes(x));
  }, { what: 'a new generation' });
  assert.equal((await stack.request('GET', '/login')).status, 200);
});

// ---- a FastCGI client, for a request held half-sent --------------------------------

const fcgiRecord = (type, body) => {
  const pad = (8 - (body.length % 8)) % 8;
  const head = Buffer.from([1, type, 0, 1, body.length >> 8, body.length & 255, pad, 0]);
  return Buffer.concat([head, body, Buffer.alloc(pad)]);
};
const fcgiParams = (pairs) =>
  Buffer.concat(Object.entries(pairs).map(([k, v]) => Buffer.concat([Buffer.from([k.length, v.length]), Buffer.from(k + v)])));
const FCGI_BEGIN = fcgiRecord(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])); // responder, close after
const SIGTERM_BIT = 1n << 14n; // signal 15

/** The worker blocked in read(2) (syscall 0) on a connection it has accepted, if any. */
const readingWorker = () =>
  stack.workerPids().find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/syscall`, 'utf8').startsWith('0 ');
    } catch {
      return false;
    }
  });
const pendingSignals = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => BigInt('0x' + status.match(new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm'))[1]);
  return field('SigPnd') | field('ShdPnd');
};

test('a reload signal that reaches a worker reading a request it has just accepted waits for that request', async () => {
  // Such a signal used to interrupt libfcgi's read of the request's parameters: the
  // connection was closed unanswered and nginx answered 502. It is now held back
  // everywhere but where a worker waits for a connection.
  const sock = net.createConnection(path.join(stack.dir, 'run', 'switchboard.sock'));
  const chunks = [];
  let closed = false;
  sock.on('data', (c) => chunks.push(c));
  sock.on('close', () => { closed = true; });
  sock.on('error', () => {});
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.write(FCGI_BEGIN); // the parameters are held back: the worker that accepts waits for them
  const pid = await waitFor(readingWorker, { what: 'a worker reading the half-sent request' });

  process.kill(stack.serve.pid, 'SIGHUP'); // the master sends the old generation SIGTERM
  await waitFor(() => closed || (pendingSignals(pid) & SIGTERM_BIT) !== 0n, { what: 'SIGTERM to reach the worker' });
  assert.equal(closed, false, 'the half-read request was dropped by the signal');

  sock.write(fcgiRecord(4, fcgiParams({ REQUEST_METHOD: 'GET', DOCUMENT_URI: '/healthz', REQUEST_URI: '/healthz',
    QUERY_STRING: '', REMOTE_ADDR: '127.0.0.1', HTTPS: 'on', CONTENT_LENGTH: '' })));
  sock.write(fcgiRecord(4, Buffer.alloc(0)));
  sock.write(fcgiRecord(5, Buffer.alloc(0)));
  await waitFor(() => closed, { what: 'the answer to the held request' });
  const answer = Buffer.concat(chunks).toString('latin1');
  assert.match(answer, /Status: 200/, 'the held request was answered');
  await waitFor(() => !stack.workerPids().includes(pid), { what: 'the old worker to exit after its request' });
  await waitFor(() => stack.workerPids().length === WORKERS, { what: 'one generation of workers again' });
});

test('a stop signal reaches a worker that keeps finding connections, within 32 of them', async () => {
  // A busy worker accepts its next connection without waiting, and the stop signals are
  // taken only in the wait (where a ready connection wins over a pending signal). So it
  // looks at its pending signals every 32 connections in a row: a reload or a stop under
  // a load that never lets up happens then, not when the load ends.
  const QUEUED = 40 * WORKERS;
  const lock = await stack.holdLock('auth_epoch'); // every signed-in request waits on it
  const held = Array.from({ length: WORKERS }, () => admin.get('/api/v1/me', { timeoutMs: 30000 }));
  await waitFor(() => lock.waiters() >= WORKERS, { what: 'every worker to wait on the lock' });
  const old = stack.workerPids();
  // The listen queue, while every worker is busy: whole /healthz requests.
  const answers = Array.from({ length: QUEUED }, () => new Promise((resolve) => {
    const sock = net.createConnection(path.join(stack.dir, 'run', 'switchboard.sock'));
    const chunks = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', () => {});
    sock.write(Buffer.concat([FCGI_BEGIN,
      fcgiRecord(4, fcgiParams({ REQUEST_METHOD: 'GET', DOCUMENT_URI: '/healthz', REQUEST_URI: '/healthz',
        QUERY_STRING: '', REMOTE_ADDR: '127.0.0.1', HTTPS: 'on', CONTENT_LENGTH: '' })),
      fcgiRecord(4, Buffer.alloc(0)), fcgiRecord(5, Buffer.alloc(0))]));
  }));
  for (const pid of old) process.kill(pid, 'SIGTERM'); // pending: held back while they serve
  await waitFor(() => old.every((pid) => (pendingSignals(pid) & SIGTERM_BIT) !== 0n), { what: 'SIGTERM pending in every worker' });
  const seen = stack.logLines.length;
  await lock.release();

  for (const res of await Promise.all(held)) assert.equal(res.status, 200);
  const bodies = await Promise.all(answers);
  assert.deepEqual(bodies.filter((b) => !/Status: 200/.test(b)).length, 0, 'every queued request was answered');
  await waitFor(() => stack.workerPids().length === WORKERS && stack.workerPids().every((p) => !old.includes(p)),
    { what: 'new workers in place of the stopped ones' });
  // A worker writes its request lines when it next waits (or exits): polled for.
  const served = await waitFor(() => {
    const lines = logsAfter(seen).filter((l) => l.msg === 'request' && l.route === 'healthz');
    return lines.length >= QUEUED && lines;
  }, { what: "every queued request's log line" });
  assert.equal(served.length, QUEUED);
  for (const pid of old) {
    const n = served.filter((l) => l.pid === pid).length;
    assert.ok(n <= 31, `worker ${pid} served ${n} queued requests after its signal (at most 31 after the held one)`);
  }
  assert.ok(served.some((l) => !old.includes(l.pid)), 'the new workers served the rest of the queue');
});

test('/metrics is valid Prometheus text with the documented series', async () => {
  await stack.request('GET', '/nope-404');
  // A worker counts a request after answering it, so another worker's /metrics may
  // come before the count: wait for it.
  const text = await waitFor(async () => {
    const t = await metricsText();
    return metricValue(t, 'switchboard_http_requests_total{route="unmatched",status="404"}') >= 1 && t;
  }, { what: 'the 404 to be counted' });
  const res = await stack.request('GET', '/metrics');
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  // requests by route and status
  const requests = text.split('\n').filter((l) => l.startsWith('switchboard_http_requests_total')).join('\n');
  for (const [series, min] of [['{route="healthz",status="200"}', 1], ['{route="overview",status="200"}', 1],
    ['{route="unmatched",status="404"}', 1]])
    assert.ok(metricValue(text, `switchboard_http_requests_total${series}`) >= min, `${series} in:\n${requests}`);
  // the latency histogram: cumulative buckets ending in +Inf = _count
  assert.match(text, /# TYPE switchboard_http_request_duration_seconds histogram/);
  const buckets = [...text.matchAll(/^switchboard_http_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)];
  assert.ok(buckets.length >= 5);
  for (let i = 1; i < buckets.length; i++) assert.ok(Number(buckets[i][2]) >= Number(buckets[i - 1][2]), 'cumulative');
  assert.equal(buckets.at(-1)[1], '+Inf');
  assert.equal(Number(buckets.at(-1)[2]), metricValue(text, 'switchboard_http_request_duration_seconds_count'));
  assert.ok(metricValue(text, 'switchboard_http_request_duration_seconds_sum') > 0);
  // the rest
  for (const s of ['switchboard_db_errors_total', 'switchboard_worker_restarts_total', 'switchboard_worker_crashes_total',
    'switchboard_workers{state="idle"}', 'switchboard_workers{state="busy"}', 'switchboard_up'])
    assert.ok(Number.isFinite(metricValue(text, s)), `${s} present`);
  assert.equal(metricValue(text, 'switchboard_up'), 1);
  // this request itself is being served: at least one busy worker
  const workers = text.split('\n').filter((l) => l.startsWith('switchboard_worker')).join('\n');
  assert.ok(metricValue(text, 'switchboard_workers{state="busy"}') >= 1, `a busy worker in:\n${workers}`);
  assert.ok(metricValue(text, 'switchboard_worker_restarts_total') >= 1 + WORKERS,
    `restarts from the kill tests in:\n${workers}`);
});

test('/metrics and /healthz answer from loopback (nginx connects from 127.0.0.1)', async () => {
  const res = await stack.request('GET', '/metrics');
  assert.equal(res.status, 200);
  const h = await stack.request('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(Object.keys(h.json().workers).sort(), ['busy', 'idle']);
  // the request log records the route (a line written after the answer: waited for)
  await waitFor(() => stack.logs().some((l) => l.msg === 'request' && l.route === 'metrics' && l.status === 200),
    { what: 'the request line of /metrics' });
});

test('SIGTERM drains: a request in flight completes, serve exits 0 and logs every exit', async () => {
  // Hold the auth epoch (sql/0055), which every signed-in request reads, remembered
  // session or not, so the next request waits in the database.
  const pgsock = path.join(stack.dir, 'pgsock');
  const holder = spawn('psql', ['-X', '-q', '-h', pgsock, '-U', 'switchboard', '-d', 'switchboard', '-c',
    'BEGIN; LOCK TABLE auth_epoch IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT;'], { stdio: 'ignore' });
  const holderDone = new Promise((r) => holder.once('exit', r));
  await waitFor(() => stack.sql("SELECT count(*) FROM pg_locks WHERE relation = 'auth_epoch'::regclass AND mode = 'AccessExclusiveLock' AND granted") === '1',
    { what: 'the lock' });
  const inflight = admin.get('/api/v1/me', { timeoutMs: 20000 });
  // (pg_locks, unlike pg_stat_activity, shows other roles' backends to the owner role)
  await waitFor(() => Number(stack.sql("SELECT count(*) FROM pg_locks WHERE relation = 'auth_epoch'::regclass AND NOT granted")) >= 1,
    { what: 'the request to wait on the lock' });
  const t0 = Date.now();
  stack.serve.kill('SIGTERM');
  const res = await inflight;
  assert.equal(res.status, 200, 'the request in flight completed');
  assert.equal(res.json().data.user.email, 'admin@demo.test');
  const exit = await stack.serveExit;
  assert.deepEqual(exit, { code: 0, sig: null });
  assert.ok(Date.now() - t0 < 10000 + 2000, 'within shutdown_timeout_s (10 s)');
  await holderDone;
  const logs = stack.logs();
  assert.ok(logs.some((l) => l.msg === 'serve: stopped'));
  assert.ok(logs.some((l) => /^shutting down: draining/.test(l.msg)));
  // every worker that was started was also seen to exit, each with a cause
  const started = workerLogs('started').map((l) => l.worker_pid);
  const exited = new Map(workerLogs('exited').map((l) => [l.worker_pid, l.cause]));
  for (const pid of started) {
    assert.ok(exited.has(pid), `exit of worker ${pid} logged`);
    assert.match(exited.get(pid), /^(exit \d+|signal \d+|recycled after max_requests)$/);
  }
  assert.ok(!logs.some((l) => l.level === 'warn' && /still busy/.test(l.msg)), 'no worker had to be killed');
});

test('max_requests recycles workers without dropping requests', async () => {
  await stack.stopServe(); // already stopped by the SIGTERM test; never run two pools
  stack.logLines.length = 0;
  await stack.restartServe({ SWITCHBOARD_MAX_REQUESTS: '20' });
  await waitFor(() => stack.workerPids().length === WORKERS, { what: 'workers' });
  const before = stack.workerPids();
  const statuses = [];
  for (let i = 0; i < 100; i++) statuses.push((await stack.request('GET', '/healthz')).status);
  assert.deepEqual(statuses.filter((s) => s !== 200), [], 'all 100 requests answered 200');
  await waitFor(() => stack.workerPids().length === WORKERS, { what: 'the pool to refill' });
  const after = stack.workerPids();
  assert.ok(before.some((p) => !after.includes(p)), 'some worker pids changed');
  const recycled = workerLogs('exited').filter((l) => l.cause === 'recycled after max_requests');
  assert.ok(recycled.length >= 1, 'a recycle was logged');
  // recycled workers served exactly 20 each, the live ones at most 19: 20k + 3*19 >= 100
  assert.ok(recycled.length >= 3, `${recycled.length} recycles`);
  const m = await metricsText();
  assert.ok(metricValue(m, 'switchboard_worker_recycles_total') >= 3);
  assert.equal(metricValue(m, 'switchboard_worker_crashes_total'), 0, 'a recycle is not a crash');
});

test('serve refuses to start with a broken template, and says why', async () => {
  await stack.stopServe();
  const broken = path.join(tplDir, 'broken-on-purpose.tpl');
  writeFileSync(broken, '{{%AUTOESCAPE context="HTML"}}{{#OPEN}}never closed');
  try {
    stack.logLines.length = 0;
    stack.startServe();
    assert.deepEqual(await stack.serveExit, { code: 1, sig: null });
    const logs = stack.logs();
    assert.ok(logs.some((l) => /^1 template\(s\) failed to load from /.test(l.msg)), 'the template is named as the cause');
    assert.ok(stack.logLines.some((l) => /^switchboard serve: the workers could not be prepared/.test(l)));
    assert.ok(!logs.some((l) => l.msg === 'worker started'), 'no worker was started');
  } finally {
    unlinkSync(broken);
  }
  await stack.restartServe();
});
