// csrf.test.mjs — every state-changing request from a browser session needs the
// CSRF token (form field csrf_token or header X-CSRF-Token); missing or wrong →
// 403, nothing changed, audited. Bearer API keys are exempt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  stack = await Stack.start();
});

after(async () => {
  if (stack) await stack.stop();
});

const nameOf = (email) => stack.sql(`SELECT name FROM users WHERE email = '${email}'`);
const maxAuditId = () => Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));

/** POST /api/v1/me/name as JSON with this client's cookies and optional extra headers. */
function postName(client, name, headers = {}) {
  return client.request('POST', '/api/v1/me/name', {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name }),
  });
}

function assertForbiddenJson(res) {
  assert.equal(res.status, 403);
  const body = res.json();
  assert.equal(body.error.code, 'forbidden');
  assert.equal(typeof body.request_id, 'string');
  assert.equal(body.request_id, res.headers['x-request-id']);
}

test('POST /api/v1/me/name without X-CSRF-Token → 403, name unchanged, audited', async () => {
  const c = await stack.as('viewer');
  const before = nameOf('viewer@demo.test');
  const since = maxAuditId();
  const res = await postName(c, 'Changed Without Token');
  assertForbiddenJson(res);
  assert.equal(nameOf('viewer@demo.test'), before);
  const rows = stack
    .sql(`SELECT action || '|' || actor || '|' || (detail->>'reason') || '|' || (detail->>'route') || '|' || request_id FROM audit_log WHERE id > ${since}`)
    .split('\n');
  assert.deepEqual(rows, [`security.forbidden|viewer@demo.test|csrf|api_me_name|${res.headers['x-request-id']}`]);
});

test('a wrong or empty X-CSRF-Token → 403 and nothing changed', async () => {
  const c = await stack.as('viewer');
  const before = nameOf('viewer@demo.test');
  for (const token of ['', 'not-a-token', c.csrf.slice(0, -1), c.csrf + 'x', c.csrf.toLowerCase()]) {
    if (token === c.csrf) continue;
    const res = await postName(c, 'Changed With Bad Token', { 'x-csrf-token': token });
    assertForbiddenJson(res);
  }
  assert.equal(nameOf('viewer@demo.test'), before);
});

test('the token of ANOTHER session → 403 (tokens are bound to the session)', async () => {
  const victim = await stack.as('agent');
  const attacker = await stack.as('manager');
  const other = await stack.as('agent'); // same user, other session: still a different token
  assert.notEqual(attacker.csrf, victim.csrf);
  assert.notEqual(other.csrf, victim.csrf);
  const before = nameOf('agent@demo.test');
  assertForbiddenJson(await postName(victim, 'Forged', { 'x-csrf-token': attacker.csrf }));
  assertForbiddenJson(await postName(victim, 'Forged', { 'x-csrf-token': other.csrf }));
  assert.equal(nameOf('agent@demo.test'), before);
});

test('the right X-CSRF-Token (or csrf_token form field) → 200 and the name changes', async () => {
  const c = await stack.as('manager');
  const res = await postName(c, 'Mia Manager', { 'x-csrf-token': c.csrf });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { data: { name: 'Mia Manager' } });
  assert.equal(nameOf('manager@demo.test'), 'Mia Manager');

  const form = await c.post('/api/v1/me/name', { name: 'Max Manager' });
  assert.equal(form.status, 200);
  assert.equal(nameOf('manager@demo.test'), 'Max Manager');

  const formNoToken = await c.post('/api/v1/me/name', { name: 'Nope', csrf_token: null });
  assertForbiddenJson(formNoToken);
  assert.equal(nameOf('manager@demo.test'), 'Max Manager');
});

test('the token stops working once the session ends', async () => {
  const c = await stack.as('viewer');
  const token = c.csrf;
  const session = c.cookies.get('sb_session');
  assert.equal((await c.post('/logout')).status, 303);
  const again = await stack.as('viewer');
  const before = nameOf('viewer@demo.test');
  assertForbiddenJson(await postName(again, 'Stale Token', { 'x-csrf-token': token }));
  assert.equal(nameOf('viewer@demo.test'), before);
  // And the old session itself is gone, so the old pair gets 401, not a write.
  const res = await stack.request('POST', '/api/v1/me/name', {
    headers: { cookie: `sb_session=${session}`, 'content-type': 'application/json', 'x-csrf-token': token },
    body: JSON.stringify({ name: 'Stale Session' }),
  });
  assert.equal(res.status, 401);
  assert.equal(nameOf('viewer@demo.test'), before);
});

test('POST /login without csrf_token, or with a token for another browser → 403, no session, nothing recorded', async () => {
  const c = stack.client();
  await c.get('/login');
  const attemptsBefore = Number(stack.sql('SELECT count(*) FROM login_attempts'));
  const since = maxAuditId();
  const res = await c.post('/login', { email: 'admin@demo.test', password: stack.password, csrf_token: null });
  assert.equal(res.status, 403);
  assert.equal((res.headers['set-cookie'] || []).some((l) => l.startsWith('sb_session=')), false);
  assert.match(res.headers['content-type'], /^text\/html/);

  // A token minted for another visitor's sb_csrf cookie does not fit this one.
  const other = stack.client();
  await other.get('/login');
  assert.notEqual(other.csrf, c.csrf);
  const crossed = await c.post('/login', { email: 'admin@demo.test', password: stack.password, csrf_token: other.csrf });
  assert.equal(crossed.status, 403);

  // No sb_csrf cookie at all (a cross-site form post from a fresh browser).
  const bare = await stack.request('POST', '/login', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'admin@demo.test', password: stack.password, csrf_token: c.csrf }).toString(),
  });
  assert.equal(bare.status, 403);

  assert.equal(Number(stack.sql('SELECT count(*) FROM login_attempts')), attemptsBefore);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'login.ok'`)), 0);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden' AND detail->>'reason' = 'csrf'`)), 3);

  // With the right token the same request succeeds.
  const ok = await c.post('/login', { email: 'admin@demo.test', password: stack.password });
  assert.equal(ok.status, 303);
});

test('API key requests (Authorization: Bearer) need no CSRF token', async () => {
  const key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'csrf-test', '--role', 'admin']).stdout.trim();
  assert.match(key, /^sb_/);
  const since = maxAuditId();
  const res = await stack.request('POST', '/api/v1/me/name', {
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Key' }),
  });
  // Not refused as a forgery: the handler answers (an API key has no user name to change).
  assert.equal(res.status, 400);
  assert.equal(res.json().error.code, 'invalid');
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden'`)), 0);
});
