// session_cache.test.mjs — a worker remembers the sessions it looked up and starts a
// request's statements without waiting for a lookup; in the same round trip the
// database checks that the auth epoch (sql/0055) has not moved since the lookup. These
// tests warm every worker's memory, change the session or its user or org behind the
// workers' backs, and expect every later request to see the change at once. The
// metrics prove the memory was used, so the tests cannot pass by never remembering
// anything. The last ones check the epoch itself: it moves for every change a worker
// could have remembered, and for nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Stack } from '../lib/stack.mjs';

let stack;
const REQUESTS = 12; // several per worker (the stack runs 3)

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

async function counter(name) {
  const text = (await stack.request('GET', '/metrics')).body;
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `${name} on /metrics`);
  return Number(m[1]);
}

/** REQUESTS sequential GETs of urlPath with the client's cookies; their responses. */
async function many(client, urlPath) {
  const out = [];
  for (let i = 0; i < REQUESTS; i++) out.push(await client.get(urlPath));
  return out;
}

const sessionToken = (client) => client.cookies.get('__Host-sb_session');
const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

test('a remembered session serves requests, and a role, name or org change shows at once', async () => {
  await stack.reset();
  const c = await stack.as('manager');
  const recalled = await counter('switchboard_sessions_recalled_total');
  for (const res of await many(c, '/api/v1/me')) assert.equal(res.status, 200);
  assert.ok(await counter('switchboard_sessions_recalled_total') > recalled, 'workers used remembered sessions');

  const refused = await counter('switchboard_sessions_refused_total');
  stack.sql(`UPDATE users SET role = 'viewer', name = 'Renamed Manager' WHERE email = 'manager@demo.test'`);
  stack.sql(`UPDATE orgs SET name = 'Renamed Org', timezone = 'Europe/Berlin' WHERE slug = 'demo'`);
  for (const res of await many(c, '/api/v1/me')) {
    assert.equal(res.status, 200);
    const me = res.json().data;
    assert.equal(me.user.role, 'viewer');
    assert.equal(me.user.name, 'Renamed Manager');
    assert.equal(me.org.name, 'Renamed Org');
    assert.equal(me.org.timezone, 'Europe/Berlin');
  }
  assert.ok(await counter('switchboard_sessions_refused_total') > refused, 'the database refused the stale memories');
  // The role is enforced, not only shown: a manager page is now forbidden.
  for (const res of await many(c, '/api/v1/deals/deleted')) assert.equal(res.status, 403);
});

test('a disabled user, a signed-out session and an idle session are refused at once by every worker', async () => {
  await stack.reset();
  const disabled = await stack.as('agent');
  const signedOut = await stack.as('viewer');
  const idle = await stack.as('manager');
  for (const c of [disabled, signedOut, idle]) {
    for (const res of await many(c, '/api/v1/me')) assert.equal(res.status, 200);
  }

  stack.sql(`UPDATE users SET disabled = true WHERE email = 'agent@demo.test'`);
  for (const res of await many(disabled, '/api/v1/me')) assert.equal(res.status, 401);

  const token = sessionToken(signedOut);
  assert.equal((await signedOut.post('/logout')).status, 303);
  for (let i = 0; i < REQUESTS; i++) {
    const res = await stack.request('GET', '/calls', { headers: { cookie: `__Host-sb_session=${token}` } });
    assert.equal(res.status, 303, 'a signed-out cookie goes to the sign-in page');
    assert.match(res.headers.location, /^\/login/);
  }

  stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '30 days' WHERE token_hash = '${sha256hex(sessionToken(idle))}'`);
  for (const res of await many(idle, '/api/v1/me')) assert.equal(res.status, 401);
});

test('a remembered session still marks itself used, as the lookup does', async () => {
  await stack.reset();
  const c = await stack.as('viewer');
  for (const res of await many(c, '/api/v1/me')) assert.equal(res.status, 200);
  const hash = sha256hex(sessionToken(c));
  stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '1 minute' WHERE token_hash = '${hash}'`);
  const recalled = await counter('switchboard_sessions_recalled_total');
  for (const res of await many(c, '/calls')) assert.equal(res.status, 200);
  assert.ok(await counter('switchboard_sessions_recalled_total') > recalled);
  const age = Number(stack.sql(`SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE token_hash = '${hash}'`));
  assert.ok(age < 30, `last_seen_at was touched (age ${age} s)`);
});

test('a remembered API key: revoking it or changing its role shows at once, and its use is still audited', async () => {
  await stack.reset();
  const created = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'remembered', '--role', 'manager']);
  assert.equal(created.status, 0, created.stderr);
  const key = created.stdout.trim();
  const recalled = await counter('switchboard_sessions_recalled_total');
  for (let i = 0; i < REQUESTS; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/deals/deleted')).status, 200);
  assert.ok(await counter('switchboard_sessions_recalled_total') > recalled, 'workers used remembered keys');
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'api_key.use' AND actor = 'remembered'`)), 1,
    'one use audit a minute, remembered or not');

  // A minute later (moved back by hand) the next use is audited again.
  stack.sql(`UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE name = 'remembered'`);
  for (let i = 0; i < REQUESTS; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 200);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'api_key.use' AND actor = 'remembered'`)), 2);

  stack.sql(`UPDATE api_keys SET role = 'viewer' WHERE name = 'remembered'`);
  for (let i = 0; i < REQUESTS; i++) {
    const res = await stack.api(key, 'GET', '/api/v1/deals/deleted');
    assert.equal(res.status, 403, 'the new role is enforced by every worker');
  }
  stack.sql(`UPDATE api_keys SET revoked_at = now() WHERE name = 'remembered'`);
  for (let i = 0; i < REQUESTS; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 401);
});

const epoch = () => Number(stack.sql('SELECT n FROM auth_epoch'));

test('the auth epoch moves for a change a worker may remember, and only then', async () => {
  await stack.reset();
  await stack.as('manager'); // a session to touch
  const created = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'epoch', '--role', 'viewer']);
  assert.equal(created.status, 0, created.stderr);

  // Writes that change no remembered fact leave it alone.
  const still = [
    `UPDATE users SET last_login_at = now()`,
    `UPDATE users SET role = role, name = name, disabled = disabled`,
    `UPDATE sessions SET last_seen_at = now()`,
    `UPDATE orgs SET updated_at = now()`,
    `UPDATE api_keys SET last_used_at = now()`,
    `DELETE FROM sessions WHERE false`,
    `DELETE FROM api_keys WHERE false`,
  ];
  for (const q of still) {
    const before = epoch();
    stack.sql(q);
    assert.equal(epoch(), before, `unchanged by: ${q}`);
  }

  // Each of these would make a remembered session or key wrong.
  const moves = [
    `UPDATE users SET role = 'viewer' WHERE email = 'manager@demo.test'`,
    `UPDATE users SET name = 'Someone Else' WHERE email = 'manager@demo.test'`,
    `UPDATE users SET email = 'moved@demo.test' WHERE email = 'manager@demo.test'`,
    `UPDATE users SET disabled = true WHERE email = 'moved@demo.test'`,
    `UPDATE orgs SET name = 'Other Name' WHERE slug = 'demo'`,
    `UPDATE orgs SET timezone = 'Europe/Paris' WHERE slug = 'demo'`,
    `UPDATE orgs SET slug = 'demo2' WHERE slug = 'demo'`,
    `UPDATE sessions SET expires_at = expires_at - interval '1 second'`,
    `UPDATE sessions SET last_seen_at = last_seen_at - interval '1 minute'`,
    `UPDATE api_keys SET role = 'agent' WHERE name = 'epoch'`,
    `UPDATE api_keys SET name = 'epoch2' WHERE name = 'epoch'`,
    `UPDATE api_keys SET expires_at = now() + interval '1 day' WHERE name = 'epoch2'`,
    `UPDATE api_keys SET last_used_at = now() - interval '1 hour' WHERE name = 'epoch2'`,
    `UPDATE api_keys SET revoked_at = now() WHERE name = 'epoch2'`,
    `DELETE FROM api_keys WHERE name = 'epoch2'`,
    `DELETE FROM sessions`,
  ];
  for (const q of moves) {
    const before = epoch();
    stack.sql(q);
    assert.ok(epoch() > before, `moved by: ${q}`);
  }
});

test('a session remembered by every worker stops at its expiry, not a moment later', async () => {
  await stack.reset();
  const c = await stack.as('viewer');
  const hash = sha256hex(sessionToken(c));
  // Expiring in 6 s: the next lookups trust the session for less than that.
  stack.sql(`UPDATE sessions SET expires_at = now() + interval '6 seconds' WHERE token_hash = '${hash}'`);
  const expires = Date.now() + 6000;
  const recalled = await counter('switchboard_sessions_recalled_total');
  for (const res of await many(c, '/api/v1/me')) assert.equal(res.status, 200);
  assert.ok(await counter('switchboard_sessions_recalled_total') > recalled, 'workers used remembered sessions');
  // Past the expiry (plus a margin for the clocks), every worker refuses it.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires + 500 - Date.now())));
  for (const res of await many(c, '/api/v1/me')) assert.equal(res.status, 401);
});
