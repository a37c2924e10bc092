// account_hardening.test.mjs — signing in ends the browser's previous session even
// when it belonged to another org, and a password hash weaker than the configured
// scrypt cost is made again at sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

const PW = 'another long password 42';
let stack;

before(async () => {
  // The demo users are hashed at the test cost (2^14); this instance asks for 2^15.
  stack = await Stack.start({ config: '\nscrypt_log2_n = 15\n' });
  const add = stack.cli(['user', 'add', '--org', 'other-org', '--email', 'boss@other.test', '--role', 'admin',
    '--password-stdin'], { input: PW + '\n' });
  assert.equal(add.status, 0, add.stderr);
});

after(async () => {
  if (stack) await stack.stop();
});

const sessionsOf = (email) =>
  Number(stack.sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`));

test('signing in as a user of another org ends the session the browser had', async () => {
  stack.sql('DELETE FROM sessions');
  const c = stack.client();
  assert.equal((await c.login('admin@demo.test', stack.password)).status, 303);
  assert.equal(sessionsOf('admin@demo.test'), 1);
  await c.get('/'); // the session's CSRF token for the next form
  const res = await c.post('/login', { email: 'boss@other.test', password: PW });
  assert.equal(res.status, 303);
  assert.equal(sessionsOf('boss@other.test'), 1);
  assert.equal(sessionsOf('admin@demo.test'), 0, 'the demo org session survived the sign-in to other-org');
});

test('a hash below the configured cost is upgraded at sign-in, and still verifies', async () => {
  const before = stack.sql("SELECT password_hash FROM users WHERE email = 'viewer@demo.test'");
  assert.match(before, /^\$scrypt\$ln=14,/);
  const c = stack.client();
  assert.equal((await c.login('viewer@demo.test', stack.password)).status, 303);
  const after = stack.sql("SELECT password_hash FROM users WHERE email = 'viewer@demo.test'");
  assert.match(after, /^\$scrypt\$ln=15,r=8,p=1\$/);
  assert.notEqual(after, before);
  const again = stack.client();
  assert.equal((await again.login('viewer@demo.test', stack.password)).status, 303);
  assert.equal(stack.sql("SELECT password_hash FROM users WHERE email = 'viewer@demo.test'"), after, 'hashed once, not at every sign-in');
});
