// account.test.mjs — /account for every user: changing one's password (the current one
// required; the other sessions end), one's sessions and ending them; the JSON twins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;
const PW = 'my first long password';

before(async () => {
  stack = await Stack.start();
});

after(async () => {
  if (stack) await stack.stop();
});

function addUser(email, role = 'viewer') {
  const r = stack.cli(['user', 'add', '--org', 'demo', '--email', email, '--role', role, '--password-stdin'], { input: PW + '\n' });
  assert.equal(r.status, 0, r.stderr);
}

async function signIn(email, password = PW) {
  const c = stack.client();
  assert.equal((await c.login(email, password)).status, 303);
  await c.get('/');
  return c;
}

const sidOf = (c) => stack.sql(`SELECT id FROM sessions WHERE token_hash = encode(sha256('${c.cookies.get('__Host-sb_session')}'), 'hex')`);

test('every role has an account page with its sessions', async () => {
  for (const role of ['viewer', 'agent', 'manager', 'admin']) {
    const c = await stack.as(role);
    const page = await c.get('/account');
    assert.equal(page.status, 200, role);
    assert.match(page.body, new RegExp(`${role}@demo\\.test`));
    assert.match(page.body, /this session/);
  }
  assert.equal((await stack.request('GET', '/account')).status, 303, 'signed out: to the sign-in page');
});

test('change password: current one required, a message per field, other sessions end', async () => {
  addUser('pw@demo.test');
  const here = await signIn('pw@demo.test');
  const elsewhere = await signIn('pw@demo.test');
  for (let i = 0; i < 6; i++) assert.equal((await elsewhere.get('/api/v1/me')).status, 200);
  const empty = await here.post('/account/password', { current_password: '', new_password: 'short' });
  assert.equal(empty.status, 400);
  assert.match(empty.body, /id="e-current_password"/);
  assert.match(empty.body, /id="e-new_password"/);
  const wrong = await here.post('/account/password', { current_password: 'not my password', new_password: 'a new long password' });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body, /is not your current password/);
  const uid = stack.sql("SELECT id FROM users WHERE email = 'pw@demo.test'");
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'password.change_failed' AND user_id = '${uid}'`), '1');
  const ok = await here.post('/account/password', { current_password: PW, new_password: 'a new long password' });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.location, '/account');
  assert.equal((await here.get('/api/v1/me')).status, 200, 'this session stays');
  for (let i = 0; i < 6; i++) assert.equal((await elsewhere.get('/api/v1/me')).status, 401, 'the other ended');
  assert.equal((await stack.client().login('pw@demo.test', PW)).status, 400);
  await signIn('pw@demo.test', 'a new long password');
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'user.password_change' AND entity_id = '${uid}'`), '1');
  assert.equal((await here.post('/account/password', { current_password: 'a new long password', new_password: 'x'.repeat(20), csrf_token: null })).status, 403);
});

test('sessions: listed and ended one by one; someone else\'s session is 404', async () => {
  addUser('sess2@demo.test');
  const a = await signIn('sess2@demo.test');
  const b = await signIn('sess2@demo.test');
  const list = (await a.get('/api/v1/account/sessions')).json().data;
  assert.equal(list.length, 2);
  assert.equal(list.filter((s) => s.current).length, 1);
  assert.equal((await a.post(`/account/sessions/${sidOf(b)}/revoke`)).status, 303);
  for (let i = 0; i < 6; i++) assert.equal((await b.get('/api/v1/me')).status, 401);
  const other = await stack.as('viewer');
  assert.equal((await a.post(`/account/sessions/${sidOf(other)}/revoke`)).status, 404);
  assert.equal((await other.get('/api/v1/me')).status, 200);
  // Ending one's own current session signs out.
  assert.equal((await a.post(`/account/sessions/${sidOf(a)}/revoke`)).status, 303);
  assert.equal((await a.get('/api/v1/me')).status, 401);
});

test('JSON: password change with the CSRF header; API keys have no account', async () => {
  addUser('json@demo.test');
  const c = await signIn('json@demo.test');
  const res = await c.request('POST', '/api/v1/account/password', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': c.csrf },
    body: JSON.stringify({ current_password: PW, new_password: 'short' }),
  });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.new_password);
  const key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'acct', '--role', 'viewer']).stdout.trim();
  assert.equal((await stack.api(key, 'GET', '/api/v1/account/sessions')).status, 400);
});
