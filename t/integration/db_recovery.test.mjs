// db_recovery.test.mjs — after PostgreSQL restarts under load, the service is back
// as soon as the database is: /healthz recovers, and no request that starts after
// the database accepts connections again is answered 503 (a worker never refuses
// without trying to connect, and a statement whose connection turns out dead is
// run again on a new one when nothing of its transaction had been sent).
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
  if (stack) await stack.stop();
});

// stack.pgStop()/pgStart() block the event loop, which would stop the request
// loops; this runs the same script asynchronously. 'pg-start' resolves once
// pg_ctl has seen PostgreSQL accept connections.
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

test('restarts under load: every request started once PostgreSQL is back succeeds, /healthz recovers', async () => {
  const cookie = admin.cookieHeader();
  const targets = ['/healthz', '/api/v1/me', '/calls'];
  for (let cycle = 0; cycle < 3; cycle++) {
    const results = []; // {path, phase, status}
    let phase = 'before';
    let stop = false;
    const loop = async (n) => {
      for (let i = 0; !stop; i++) {
        const p = targets[(n + i) % targets.length];
        const startedIn = phase;
        const res = await stack.request('GET', p, { headers: p === '/healthz' ? {} : { cookie }, timeoutMs: 10000 });
        results.push({ path: p, phase: startedIn, status: res.status });
        await new Promise((r) => setImmediate(r));
      }
    };
    const loops = Array.from({ length: 6 }, (_, n) => loop(n));
    try {
      await waitFor(() => results.length >= 30, { what: 'load to start' });
      await pgAsync('pg-stop');
      phase = 'down';
      await waitFor(() => results.filter((r) => r.phase === 'down' && r.status === 503).length >= 30,
        { what: 'requests refused during the outage' });
      await pgAsync('pg-start');
      phase = 'up';
      await waitFor(() => results.filter((r) => r.phase === 'up').length >= 60, { what: 'requests after the restart' });
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    const up = results.filter((r) => r.phase === 'up');
    assert.deepEqual(up.filter((r) => r.status !== 200).map((r) => `${r.path} ${r.status}`), [],
      `cycle ${cycle}: requests that started after PostgreSQL accepted connections`);
    await waitFor(async () => (await stack.request('GET', '/healthz')).status === 200, { what: '/healthz to recover' });
  }
  assert.equal(stack.logs().filter((l) => l.msg === 'worker exited').length, 0, 'no worker died');
});
