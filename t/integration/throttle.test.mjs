// throttle.test.mjs — login throttling: 20 failures per address within 15 minutes →
// 429 with Retry-After, even for the right password; past 5 failures per email a
// delay that doubles with each further failure, which only a correct password from
// an address with no recent failures gets through (login_delays.test.mjs); the state
// lives in PostgreSQL, so every worker (and a restarted pool) agrees.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

const WORKERS = 4;
let stack;

before(async () => {
  stack = await Stack.start({ workers: WORKERS });
});

after(async () => {
  if (stack) await stack.stop();
});

beforeEach(() => {
  stack.sql('DELETE FROM login_attempts');
});

const WRONG = 'definitely not the password';

/** One sign-in attempt on a fresh connection (no keep-alive, so any worker may answer). */
async function attempt(email, password, { close = true } = {}) {
  const c = stack.client();
  const headers = close ? { connection: 'close' } : {};
  await c.get('/login', { headers });
  return c.post('/login', { email, password }, { headers });
}

function retryAfter(res) {
  const v = res.headers['retry-after'];
  assert.ok(v !== undefined, 'a 429 carries Retry-After');
  assert.match(v, /^\d+$/, 'Retry-After is whole seconds');
  const n = Number(v);
  assert.ok(n > 0 && n <= 900, `Retry-After ${n} is within the 15-minute window`);
  return n;
}

const count = (q) => Number(stack.sql(q));

test('5 failures for one email → 429 with Retry-After, also for the correct password from the failing address', async () => {
  const email = 'viewer@demo.test';
  for (let i = 1; i <= 5; i++) {
    const res = await attempt(email, WRONG);
    assert.equal(res.status, 400, `failure ${i} is an ordinary failure`);
  }
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE email = '${email}' AND NOT ok`), 5);

  const right = await attempt(email, stack.password);
  assert.equal(right.status, 429, 'the right password is refused while throttled');
  retryAfter(right);
  assert.equal(right.headers['set-cookie']?.some((c) => c.startsWith('__Host-sb_session=')) ?? false, false, 'no session');
  assert.match(right.body, /Too many failed sign-in attempts/);
  assert.match(right.body, /value="viewer@demo\.test"/, 'the form is shown again with the email');
  assert.equal(count(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}' AND s.created_at > now() - interval '1 minute'`), 0);

  // The email is matched case-insensitively (and trimmed): no way around it.
  const upper = await attempt('  VIEWER@Demo.Test ', stack.password);
  assert.equal(upper.status, 429);

  // Another email from the same address is not affected by this email's failures.
  const other = await attempt('manager@demo.test', stack.password);
  assert.equal(other.status, 303);
});

test('past the limit each failure doubles the wait after the last one, and the wait ends', async () => {
  const email = 'agent@demo.test';
  for (let i = 0; i < 5; i++) assert.equal((await attempt(email, WRONG)).status, 400);
  const first = retryAfter(await attempt(email, stack.password));
  assert.ok(first > 20 && first <= 30, `Retry-After ${first} ≈ 30 s after the 5th failure`);
  // A 6th failure (recorded as the last one, as a clean address could make it)
  // doubles the wait.
  stack.sql(`INSERT INTO login_attempts (email, ip, ok) VALUES ('${email}', '192.0.2.9', false)`);
  const second = retryAfter(await attempt(email, stack.password));
  assert.ok(second > 50 && second <= 60, `Retry-After ${second} ≈ 60 s after the 6th failure`);
  // Once the last failure is older than its wait, the correct password works again.
  stack.sql(`UPDATE login_attempts SET at = now() - interval '61 seconds' WHERE email = '${email}'`);
  assert.equal((await attempt(email, stack.password)).status, 303);
});

test('other emails from the same address work until the address limit (20 failures)', async () => {
  // 5 failures throttle victim@; 14 more failures, each for a different unknown
  // email, leave the address at 19: still allowed.
  for (let i = 0; i < 5; i++) assert.equal((await attempt('victim@demo.test', WRONG)).status, 400);
  assert.equal((await attempt('victim@demo.test', WRONG)).status, 429);
  for (let i = 0; i < 14; i++) {
    assert.equal((await attempt(`stranger${i}@example.test`, WRONG)).status, 400, `stranger ${i}`);
  }
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE NOT ok`), 19);
  assert.equal((await attempt('admin@demo.test', stack.password)).status, 303, 'an address at 19 failures may still sign in');
  // The 20th failure from the address throttles everyone from it, right password or not.
  assert.equal((await attempt('stranger-last@example.test', WRONG)).status, 400);
  const res = await attempt('manager@demo.test', stack.password);
  assert.equal(res.status, 429);
  retryAfter(res);
  assert.equal((await attempt('never-seen@example.test', WRONG)).status, 429);
});

test('a successful sign-in clears that email’s failures (and only that email’s)', async () => {
  const email = 'manager@demo.test';
  for (let i = 0; i < 4; i++) assert.equal((await attempt(email, WRONG)).status, 400);
  for (let i = 0; i < 2; i++) assert.equal((await attempt('someone-else@example.test', WRONG)).status, 400);
  assert.equal((await attempt(email, stack.password)).status, 303);
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE email = '${email}' AND NOT ok`), 0);
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE email = '${email}' AND ok`), 1);
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE email = 'someone-else@example.test' AND NOT ok`), 2);
  // Had the 4 old failures survived, 4 more would throttle; they did not.
  for (let i = 0; i < 4; i++) assert.equal((await attempt(email, WRONG)).status, 400);
  assert.equal((await attempt(email, stack.password)).status, 303);
});

test('audit_log records login.failed and login.throttled', async () => {
  const email = 'admin@demo.test';
  const before = count(`SELECT coalesce(max(id), 0) FROM audit_log`);
  for (let i = 0; i < 5; i++) assert.equal((await attempt(email, WRONG)).status, 400);
  assert.equal((await attempt(email, stack.password)).status, 429);
  assert.equal((await attempt('ghost@example.test', WRONG)).status, 400);

  const failed = stack.sql(
    `SELECT actor || '|' || coalesce(org_id::text, '') || '|' || ip || '|' || (request_id <> '')::text FROM audit_log WHERE id > ${before} AND action = 'login.failed' ORDER BY id`,
  ).split('\n');
  assert.equal(failed.length, 6);
  const demoOrg = stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`);
  for (const row of failed.slice(0, 5)) assert.equal(row, `${email}|${demoOrg}|127.0.0.1|true`);
  assert.equal(failed[5], 'ghost@example.test||127.0.0.1|true', 'an unknown email is audited without an org');

  const throttled = stack.sql(`SELECT actor || '|' || (detail->>'retry_after_s') FROM audit_log WHERE id > ${before} AND action = 'login.throttled'`).split('\n');
  assert.equal(throttled.length, 1);
  const [actor, secs] = throttled[0].split('|');
  assert.equal(actor, email);
  assert.ok(Number(secs) > 0);
  assert.equal(count(`SELECT count(*) FROM audit_log WHERE id > ${before} AND action = 'login.ok'`), 0);
});

test('the throttle holds across workers and across a restart of the pool (state in PostgreSQL)', async () => {
  const email = 'agent@demo.test';
  // Concurrent failures on separate connections spread over the workers.
  const failures = await Promise.all(Array.from({ length: 5 }, () => attempt(email, WRONG)));
  assert.deepEqual(failures.map((r) => r.status), [400, 400, 400, 400, 400]);
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE email = '${email}' AND NOT ok`), 5);

  // Many concurrent keep-alive-less attempts with the right password: every
  // worker refuses, whichever one answers.
  const rights = await Promise.all(Array.from({ length: 3 * WORKERS }, () => attempt(email, stack.password)));
  assert.deepEqual(rights.map((r) => r.status), Array(3 * WORKERS).fill(429));
  const before = new Set(stack.workerPids());
  assert.equal(before.size, WORKERS);

  // A whole new set of worker processes still refuses: nothing was kept in memory.
  await stack.restartServe();
  const after = stack.workerPids();
  assert.ok(after.length > 0 && after.every((p) => !before.has(p)), 'all workers are new processes');
  const res = await attempt(email, stack.password);
  assert.equal(res.status, 429);
  retryAfter(res);
});

test('parallel guesses cannot slip past the limit: at most 5 failures are ever checked for one email', async () => {
  const email = 'viewer@demo.test';
  const results = await Promise.all(Array.from({ length: 4 * WORKERS }, () => attempt(email, WRONG)));
  const statuses = results.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 400).length, 5, `statuses: ${statuses.join(',')}`);
  assert.equal(statuses.filter((s) => s === 429).length, 4 * WORKERS - 5);
  assert.equal(count(`SELECT count(*) FROM login_attempts WHERE email = '${email}' AND NOT ok`), 5);
});
