// server_setup.test.mjs — what script/server's set-up (script/lib/stack.sh, the same
// script the test stacks use) promises about the user's own instance:
//   - its PostgreSQL cluster runs with the durable defaults (fsync, synchronous_commit,
//     full_page_writes on), and a cluster made by an older version without them is
//     switched back; only throw-away clusters (SB_PG_UNSAFE_FAST=1) turn them off;
//   - a checkout in a directory other users cannot traverse (/root/switchboard) works
//     as it is: the cluster, the sockets, nginx's temporary files, the recordings and a
//     copy of the static files live outside it, and nginx's workers are not root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync, chmodSync, cpSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync,
} from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { REPO, BIN, freePorts, startNginx } from '../lib/stack.mjs';

const isRoot = process.getuid && process.getuid() === 0;

// The environment of script/server: no throw-away knobs from the test runner.
function serverEnv(extra = {}) {
  const env = { ...process.env, SB_BIN: BIN, ...extra };
  delete env.SB_PG_UNSAFE_FAST;
  return env;
}

function stackSh(repo, env, ...args) {
  return execFileSync('bash', [path.join(repo, 'script/lib/stack.sh'), ...args], {
    env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function show(dir, setting) {
  return execFileSync('psql', ['-X', '-A', '-t', '-q', '-h', path.join(dir, 'pgsock'), '-U', 'postgres', '-d', 'postgres',
    '-c', `SHOW ${setting}`], { encoding: 'utf8' }).trim();
}

const DURABLE = ['fsync', 'synchronous_commit', 'full_page_writes'];

test('script/server and make bench do not ask for a throw-away cluster', () => {
  for (const f of ['script/server', 'bench/run.sh']) {
    assert.doesNotMatch(readFileSync(path.join(REPO, f), 'utf8'), /SB_PG_UNSAFE_FAST/, f);
  }
});

test("the local instance's cluster is durable, and an older non-durable one is made durable", () => {
  const dir = mkdtempSync('/tmp/sbt-durable-');
  chmodSync(dir, 0o755);
  const env = serverEnv({ SB_HTTPS_PORT: '1', SB_HTTP_PORT: '1' }); // ports only rendered, never bound
  try {
    stackSh(REPO, env, 'init', dir);
    for (const s of DURABLE) assert.equal(show(dir, s), 'on', s);
    const conf = path.join(dir, 'pg', 'postgresql.conf');
    assert.doesNotMatch(readFileSync(conf, 'utf8'), /^(fsync|synchronous_commit|full_page_writes)\s*=\s*off/m);

    // What an earlier version wrote into postgresql.conf.
    appendFileSync(conf, 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n');
    stackSh(REPO, env, 'pg-stop', dir);
    stackSh(REPO, env, 'pg-start', dir);
    assert.equal(show(dir, 'fsync'), 'off', 'the old settings took effect');
    stackSh(REPO, env, 'init', dir); // what script/server runs on every start
    for (const s of DURABLE) assert.equal(show(dir, s), 'on', s);

    // A throw-away cluster may trade durability for speed, only when asked.
    stackSh(REPO, env, 'pg-stop', dir);
    stackSh(REPO, { ...env, SB_PG_UNSAFE_FAST: '1' }, 'pg-start', dir);
    for (const s of DURABLE) assert.equal(show(dir, s), 'off', s);
  } finally {
    spawnSync('bash', [path.join(REPO, 'script/lib/stack.sh'), 'pg-stop', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

function psqlValue(dir, sql) {
  return execFileSync('psql', ['-X', '-A', '-t', '-q', '-h', path.join(dir, 'pgsock'), '-U', 'postgres', '-d', 'postgres',
    '-c', sql], { encoding: 'utf8' }).trim();
}

async function stopProcs(procs) {
  for (const p of procs) {
    if (p.exitCode !== null || p.signalCode !== null) continue;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM'); // nginx: fast shutdown, workers included; serve: drains and exits
    await done;
  }
}

function get(port, urlPath) {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: urlPath, rejectUnauthorized: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('a checkout inside a directory only root can traverse (like /root/switchboard) runs as it is', {
  skip: !isRoot && 'needs root (the postgres and www-data users)',
}, async () => {
  // /tmp/sbt-home-*/ (mode 700) plays /root; the copy of the checkout's run-time files
  // inside it plays /root/switchboard.
  const home = mkdtempSync('/tmp/sbt-home-');
  const stateRoot = mkdtempSync('/tmp/sbt-state-'); // instead of /var/lib/switchboard
  chmodSync(home, 0o700);
  chmodSync(stateRoot, 0o755);
  const repo = path.join(home, 'switchboard');
  for (const d of ['script', 'nginx', 'static', 'templates', 'sql']) cpSync(path.join(REPO, d), path.join(repo, d), { recursive: true });
  const varDir = path.join(repo, 'var');
  const [firstHttpsPort, firstHttpPort] = await freePorts();
  const env = serverEnv({
    SB_STATE_ROOT: stateRoot, SB_HTTPS_PORT: String(firstHttpsPort), SB_HTTP_PORT: String(firstHttpPort),
    SB_WORKERS: '2', SB_SCRYPT_LOG2_N: '14',
  });
  const procs = [];
  try {
    stackSh(repo, env, 'init', varDir);
    stackSh(repo, env, 'setup-db', varDir);

    // The pieces other users reach are outside the checkout, linked from var/.
    for (const piece of ['pg', 'pgsock', 'run', 'recordings']) {
      const p = path.join(varDir, piece);
      assert.ok(lstatSync(p).isSymbolicLink(), `var/${piece} is a link`);
      assert.ok(readlinkSync(p).startsWith(stateRoot + '/'), `var/${piece} → ${readlinkSync(p)}`);
    }
    const pgOwner = execFileSync('stat', ['-c', '%U', readlinkSync(path.join(varDir, 'pg'))], { encoding: 'utf8' }).trim();
    assert.equal(pgOwner, 'postgres');
    assert.equal(statSync(home).mode & 0o777, 0o700, "the home directory's permissions are untouched");
    assert.equal(show(varDir, 'fsync'), 'on');

    const conf = path.join(varDir, 'switchboard.conf');
    const serve = spawn(BIN, ['--config', conf, 'serve'], { stdio: 'ignore' });
    procs.push(serve);
    // Waits for /healthz through nginx; on fresh ports if another process took one.
    const { proc: nginx, httpsPort } = await startNginx({
      dir: varDir, httpsPort: firstHttpsPort, httpPort: firstHttpPort,
      render: (https, http) => stackSh(repo, { ...env, SB_HTTPS_PORT: String(https), SB_HTTP_PORT: String(http) }, 'nginx-conf', varDir),
    });
    procs.push(nginx);
    assert.equal((await get(httpsPort, '/login')).status, 200);
    const css = await get(httpsPort, '/static/css/app.css');
    assert.equal(css.status, 200);
    assert.equal(css.body, readFileSync(path.join(REPO, 'static/css/app.css'), 'utf8'));

    const workers = execFileSync('ps', ['-o', 'user=', '--ppid', String(nginx.pid)], { encoding: 'utf8' })
      .split('\n').map((s) => s.trim()).filter(Boolean);
    assert.ok(workers.length > 0);
    for (const u of workers) assert.notEqual(u, 'root', 'nginx workers run unprivileged');

    // Deleting var/ starts afresh: the next init replaces the orphaned state directory.
    await stopProcs(procs);
    const before = psqlValue(varDir, 'SELECT system_identifier FROM pg_control_system()');
    stackSh(repo, env, 'pg-stop', varDir);
    rmSync(varDir, { recursive: true, force: true });
    stackSh(repo, env, 'init', varDir);
    assert.notEqual(psqlValue(varDir, 'SELECT system_identifier FROM pg_control_system()'), before, 'a new cluster');
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    spawnSync('bash', [path.join(repo, 'script/lib/stack.sh'), 'pg-stop', varDir], { env });
    rmSync(home, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
  }
});
