// database.test.mjs — the application against PostgreSQL trouble (docs/ARCHITECTURE.md
// "Errors"): a database restart under load answers 503 + Retry-After (HTML, and JSON
// "unavailable" under /api/), /healthz names the database as down, no worker dies,
// service resumes by itself within 2 s of the database being back, and sessions
// survive. SQLSTATEs map to HTTP (unique → 409, check → 400, serialization failure
// retried once, statement timeout → 503), and each request is one transaction (a
// failure — even at COMMIT — leaves nothing written).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Stack, REPO, waitFor } from '../lib/stack.mjs';

let stack;
let admin;

before(async () => {
  stack = await Stack.start({ workers: 3 });
  admin = await stack.as('admin');
});

after(async () => {
  if (stack) {
    try {
      dropFixtures();
    } catch {}
    await stack.stop();
  }
});

// stack.pgStop()/pgStart() block the event loop; these run the same script
// asynchronously so request loops keep going while PostgreSQL stops and starts.
function pgAsync(cmd) {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', [path.join(REPO, 'script/lib/stack.sh'), cmd, stack.dir], {
      env: stack.stackEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (c) => (err += c));
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`stack.sh ${cmd}: ${code} ${err}`))));
  });
}

const workerExits = () => stack.logs().filter((l) => l.msg === 'worker exited');

async function metric(series) {
  const text = (await stack.request('GET', '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

test('PostgreSQL restart under load: 503 + Retry-After, no crash, back within 2 s, sessions kept', async (t) => {
  const pidsBefore = stack.workerPids().sort();
  const exitsBefore = workerExits().length;
  const dbErrors0 = await metric('switchboard_db_errors_total');
  const cookie = admin.cookieHeader();
  const targets = [
    { path: '/healthz', headers: {} },
    { path: '/api/v1/me', headers: { cookie } },
    { path: '/', headers: { cookie } },
  ];
  const results = []; // {path, startedAt, status, headers, body} or {error}
  let stop = false;
  const loopDeadline = Date.now() + 40000;
  async function loop(n) {
    for (let i = 0; !stop && i < 2000 && Date.now() < loopDeadline; i++) {
      const tgt = targets[(n + i) % targets.length];
      const startedAt = Date.now();
      try {
        const res = await stack.request('GET', tgt.path, { headers: tgt.headers, timeoutMs: 10000 });
        results.push({ path: tgt.path, startedAt, finishedAt: Date.now(), status: res.status, headers: res.headers, body: res.body });
      } catch (e) {
        results.push({ path: tgt.path, startedAt, finishedAt: Date.now(), error: e.message });
      }
      await new Promise((r) => setTimeout(r, 5)); // bounded rate: keep the 2-core machine usable
    }
  }
  const loops = Array.from({ length: 12 }, (_, n) => loop(n));
  await waitFor(() => results.length >= 60, { what: 'load to start' });

  await pgAsync('pg-stop');
  const downAt = Date.now();
  // let the loops hit the dead database for a while (bounded by count)
  await waitFor(() => results.filter((r) => r.startedAt > downAt).length >= 200, { what: 'requests during the outage', timeoutMs: 20000 });
  // The pool's own figures are still served while the database is down (they matter
  // most then); only the breaker states read from it are marked missing.
  const down = await stack.request('GET', '/metrics');
  assert.equal(down.status, 200, down.body);
  assert.match(down.body, /^switchboard_provider_breakers_readable 0$/m);
  assert.match(down.body, /^switchboard_db_errors_total /m);
  const startAt = Date.now();
  await pgAsync('pg-start'); // returns once PostgreSQL accepts connections
  const backAt = Date.now();
  // Keep the load going past the 2 s bound (the loops are bounded in count too).
  await waitFor(() => Date.now() > backAt + 2600 && results.filter((r) => r.startedAt > backAt + 2300).length >= 60,
    { what: 'load after the restart', timeoutMs: 20000 });
  // and the service answers a fresh check as well
  await waitFor(async () => (await stack.request('GET', '/healthz')).status === 200, { what: '/healthz 200' });
  stop = true;
  await Promise.all(loops);

  // every request got an answer, and only 200 or 503 (never 500/502)
  assert.deepEqual(results.filter((r) => r.error).map((r) => r.error), []);
  assert.deepEqual([...new Set(results.map((r) => r.status))].filter((s) => s !== 200 && s !== 503), []);

  // during the outage: 503 with Retry-After, in the right shape. A request counts as
  // during the outage when it was sent after PostgreSQL stopped and answered before it
  // was started again: on a busy machine one sent just before the start can be served
  // after it, and then rightly succeeds.
  const outage = results.filter((r) => r.startedAt > downAt && r.finishedAt < startAt);
  assert.ok(outage.length >= 150, `${outage.length} requests during the outage`);
  for (const r of outage) {
    assert.equal(r.status, 503, `${r.path} during the outage`);
    assert.ok(/^\d+$/.test(r.headers['retry-after'] || ''), `${r.path}: Retry-After`);
    if (r.path === '/healthz') {
      const j = JSON.parse(r.body);
      assert.equal(j.db, 'down');
      assert.notEqual(j.status, 'ok');
    } else if (r.path === '/api/v1/me') {
      assert.match(r.headers['content-type'], /application\/json/);
      assert.equal(JSON.parse(r.body).error.code, 'unavailable');
    } else {
      assert.match(r.headers['content-type'], /text\/html/);
      assert.match(r.body, /temporarily unavailable/i);
    }
  }
  // resumed by itself within 2 s of the database being back: the last failure
  // ended by then (a worker waits RECONNECT_INTERVAL between connection attempts)
  const failuresAfter = results.filter((r) => r.status !== 200 && r.finishedAt > backAt);
  const lastFailure = Math.max(backAt, ...failuresAfter.map((r) => r.finishedAt));
  const resumeMs = lastFailure - backAt;
  t.diagnostic(`last failure ${resumeMs} ms after PostgreSQL accepted connections (${failuresAfter.length} failures after)`);
  assert.ok(resumeMs < 2000 + 300, `service resumed ${resumeMs} ms after PostgreSQL was back`);
  const later = results.filter((r) => r.startedAt > backAt + 2300);
  assert.ok(later.length >= 60);
  assert.deepEqual(later.filter((r) => r.status !== 200).map((r) => `${r.path} ${r.status}`), []);

  // no worker crashed or was replaced
  assert.equal(workerExits().length, exitsBefore, 'no worker exited');
  assert.deepEqual(stack.workerPids().sort(), pidsBefore);
  // the session survived the restart
  const me = await admin.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json().data.user.email, 'admin@demo.test');
  assert.ok((await metric('switchboard_db_errors_total')) > dbErrors0, 'db errors counted');
});

test('after a restart while idle, the first requests on every worker succeed (no stale connection)', async () => {
  const cookie = admin.cookieHeader();
  // every worker holds a connection
  for (let i = 0; i < 12; i++) assert.equal((await stack.request('GET', '/api/v1/me', { headers: { cookie } })).status, 200);
  await pgAsync('pg-stop');
  await pgAsync('pg-start');
  // nothing reached the workers during the outage: each still holds its old,
  // now dead, connection. The database is back, so no request may fail.
  const statuses = [];
  for (let i = 0; i < 12; i++) {
    statuses.push((await stack.request('GET', i % 2 ? '/healthz' : '/api/v1/me', { headers: { cookie } })).status);
  }
  assert.deepEqual(statuses, Array(12).fill(200));
  assert.equal(workerExits().length, 0);
});

test('connections terminated by the server while idle are replaced without a failed request', async () => {
  const cookie = admin.cookieHeader();
  for (let i = 0; i < 12; i++) assert.equal((await stack.request('GET', '/api/v1/me', { headers: { cookie } })).status, 200);
  // as the superuser: end every application connection (an admin's pg_terminate_backend,
  // idle_session_timeout, a pooler restart...)
  // (the terminated backends by pid: an idle worker may connect again at once, to
  // flush its usage counts, and that new backend must not be waited for)
  const pids = stack.superSql("SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE usename = 'switchboard_app'");
  assert.ok(pids, 'the workers are connected');
  const killed = stack.superSql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN (${pids})`);
  assert.ok(Number(killed) >= 1, 'some connections were terminated');
  await waitFor(() => stack.superSql(`SELECT count(*) FROM pg_stat_activity WHERE pid IN (${pids})`) === '0', { what: 'the backends to exit' });
  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push((await stack.request('GET', i % 2 ? '/healthz' : '/', { headers: { cookie } })).status);
  assert.deepEqual(statuses, Array(12).fill(200));
  assert.equal(workerExits().length, 0);
});

// ---- SQLSTATE → HTTP through a real route -----------------------------------------
// No route can reach a unique or check violation with valid input (the handlers
// validate first), so a test-only trigger on users raises the SQLSTATE named in
// the new name: POST /api/v1/me/name then meets it exactly where a real constraint
// would fire.

function installFixtures() {
  stack.sql(`SET client_min_messages = warning;
    CREATE SEQUENCE IF NOT EXISTS sbt_attempts;
    CREATE TABLE IF NOT EXISTS sbt_side (note text);
    GRANT INSERT, SELECT ON sbt_side TO switchboard_app;
    CREATE OR REPLACE FUNCTION sbt_raise() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
      IF NEW.name LIKE 'raise:%' THEN
        RAISE EXCEPTION 'test fixture' USING ERRCODE = substr(NEW.name, 7);
      END IF;
      -- what PostgreSQL's own constraint errors do: the row's values in the DETAIL
      IF NEW.name LIKE 'detail:%' THEN
        RAISE EXCEPTION 'test fixture' USING ERRCODE = 'check_violation',
          DETAIL = 'Failing row contains (' || NEW.name || ').';
      END IF;
      -- fails the first attempt, lets the retry through (a sequence is not rolled back)
      IF NEW.name = 'retry-once' AND nextval('sbt_attempts') % 2 = 1 THEN
        RAISE EXCEPTION 'test fixture' USING ERRCODE = 'serialization_failure';
      END IF;
      IF NEW.name = 'side-write' THEN
        INSERT INTO sbt_side VALUES ('written by the failing request');
      END IF;
      RETURN NEW;
    END $$;
    -- fires at COMMIT: the handler has already said 200 by then
    CREATE OR REPLACE FUNCTION sbt_at_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
      IF NEW.name IN ('fail-at-commit', 'side-write') THEN
        RAISE EXCEPTION 'test fixture at commit' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS sbt_raise ON users;
    CREATE TRIGGER sbt_raise BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION sbt_raise();
    DROP TRIGGER IF EXISTS sbt_at_commit ON users;
    CREATE CONSTRAINT TRIGGER sbt_at_commit AFTER UPDATE ON users DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION sbt_at_commit();`);
}

function dropFixtures() {
  stack.sql(`SET client_min_messages = warning; DROP TRIGGER IF EXISTS sbt_raise ON users; DROP TRIGGER IF EXISTS sbt_at_commit ON users;
    DROP FUNCTION IF EXISTS sbt_raise(); DROP FUNCTION IF EXISTS sbt_at_commit();
    DROP TABLE IF EXISTS sbt_side; DROP SEQUENCE IF EXISTS sbt_attempts;`);
}

const adminName = () => stack.sql("SELECT name FROM users WHERE email = 'admin@demo.test'");

function setName(name) {
  return stack.request('POST', '/api/v1/me/name', {
    headers: { cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
}

test('SQLSTATE mapping through POST /api/v1/me/name', async (t) => {
  installFixtures();
  t.after(dropFixtures);
  const ok = await setName('Before Mapping');
  assert.equal(ok.status, 200);

  const cases = [
    ['unique_violation', 409, 'conflict'],
    ['exclusion_violation', 409, 'conflict'],
    ['check_violation', 400, 'invalid'],
    ['not_null_violation', 400, 'invalid'],
    ['string_data_right_truncation', 400, 'invalid'],
    ['invalid_datetime_format', 400, 'invalid'],
    ['query_canceled', 503, 'unavailable'],
    ['lock_not_available', 503, 'unavailable'],
    ['serialization_failure', 503, 'unavailable'],
    ['division_by_zero', 400, 'invalid'],
    ['undefined_column', 500, 'internal'],
  ];
  for (const [errcode, status, code] of cases) {
    const res = await setName(`raise:${errcode}`);
    assert.equal(res.status, status, `${errcode} → ${status}`);
    const body = res.json();
    assert.equal(body.error.code, code, `${errcode} → ${code}`);
    assert.ok(!JSON.stringify(body).includes('test fixture'), 'the database message is not shown to clients');
    if (status === 503) assert.ok(res.headers['retry-after'], `${errcode}: Retry-After`);
    assert.equal(adminName(), 'Before Mapping', `${errcode}: nothing written`);
  }
  assert.equal(workerExits().length, 0);
});

test('a failed statement is logged without the row values PostgreSQL puts in its detail', async (t) => {
  installFixtures();
  t.after(dropFixtures);
  const res = await setName('detail:private-value-7731');
  assert.equal(res.status, 400);
  await waitFor(() => stack.logs().some((l) => /failed/.test(l.msg || '') && /check_violation|23514/.test(JSON.stringify(l))),
    { what: 'the failed statement to be logged' });
  const leaked = stack.logs().filter((l) => JSON.stringify(l).includes('private-value-7731'));
  assert.deepEqual(leaked, [], 'no log line carries the row values');
});

test('a serialization failure is retried once and then succeeds', async (t) => {
  installFixtures();
  t.after(dropFixtures);
  const res = await setName('retry-once');
  assert.equal(res.status, 200);
  assert.equal(res.json().data.name, 'retry-once');
  assert.equal(adminName(), 'retry-once');
  // a fresh sequence: attempt 1 failed, attempt 2 committed, no third
  assert.equal(stack.sql('SELECT last_value FROM sbt_attempts'), '2');
});

test('each request is one transaction: a failure at COMMIT answers an error and writes nothing', async (t) => {
  installFixtures();
  t.after(dropFixtures);
  assert.equal((await setName('Committed Name')).status, 200);
  const res = await setName('fail-at-commit');
  assert.equal(res.status, 400, 'a failed COMMIT is not reported as success');
  assert.equal(res.json().error.code, 'invalid');
  assert.equal(adminName(), 'Committed Name');
  // a side effect of the same request (another table) is rolled back too
  const side = await setName('side-write');
  assert.equal(side.status, 400);
  assert.equal(stack.sql('SELECT count(*) FROM sbt_side'), '0');
  assert.equal(adminName(), 'Committed Name');
});

test('a 201-character name is refused with 400 and the name is unchanged', async () => {
  assert.equal((await setName('Valid Name')).status, 200);
  const res = await setName('n'.repeat(201));
  assert.equal(res.status, 400);
  const body = res.json();
  assert.equal(body.error.code, 'invalid');
  assert.ok(body.error.fields && body.error.fields.name, 'the field is named');
  assert.equal(adminName(), 'Valid Name');
  const edge = await setName('m'.repeat(200));
  assert.equal(edge.status, 200, '200 characters are allowed');
  assert.equal(adminName(), 'm'.repeat(200));
  const accented = await setName('é'.repeat(200));
  assert.equal(accented.status, 200, 'the limit counts characters, not bytes');
  assert.equal(adminName(), 'é'.repeat(200));
  assert.equal((await setName('é'.repeat(201))).status, 400);
});
