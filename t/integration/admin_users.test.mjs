// admin_users.test.mjs — /admin/users and /api/v1/admin/users: the list, creating a
// user with a password or by a one-time invitation link, changing a role, disabling
// (sessions end at once on every worker), reset links (single use, expiry), a user's
// sessions and revoking them; the last-admin rule, also under concurrency; 403 for
// non-admins, 404 for another org's ids, CSRF.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack, admin;
const PW = 'a fine long password';

before(async () => {
  stack = await Stack.start();
  admin = await stack.as('admin');
});

after(async () => {
  if (stack) await stack.stop();
});

const userId = (email) => stack.sql(`SELECT id FROM users WHERE email = '${email}'`);
const audits = (action, id) => Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = '${action}' AND entity_id = '${id}'`));

/** Creates a user through the JSON API with a password; returns its id. */
async function createUser(email, role = 'viewer') {
  const res = await admin.request('POST', '/api/v1/admin/users', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
    body: JSON.stringify({ email, name: 'T ' + email, role, password: PW }),
  });
  assert.equal(res.status, 201, res.body);
  return res.json().data.id;
}

async function signIn(email, password = PW) {
  const c = stack.client();
  const res = await c.login(email, password);
  assert.equal(res.status, 303, `sign-in of ${email}`);
  await c.get('/');
  return c;
}

/** The one-time link's path and query from a page or JSON answer. */
const linkPath = (text) => {
  const m = /https:\/\/[^/"]+(\/account\/setup\?token=[A-Za-z0-9_-]{43})/.exec(text);
  assert.ok(m, 'a one-time link is shown');
  return m[1];
};

test('the list shows name, email, role, status and last sign-in; JSON is paginated', async () => {
  const page = await admin.get('/admin/users');
  assert.equal(page.status, 200);
  assert.match(page.body, /admin@demo\.test/);
  assert.match(page.body, /Last sign-in/);
  const first = (await admin.get('/api/v1/admin/users?limit=2')).json();
  assert.equal(first.data.length, 2);
  assert.ok(first.next_cursor);
  assert.deepEqual(Object.keys(first.data[0]).sort(), ['created_at', 'email', 'id', 'last_sign_in_at', 'name', 'role', 'status']);
  const second = (await admin.get(`/api/v1/admin/users?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`)).json();
  assert.ok(second.data.every((u) => !first.data.some((f) => f.id === u.id)), 'the next page repeats nobody');
  assert.equal((await admin.get('/api/v1/admin/users?limit=0')).status, 400);
  assert.equal((await admin.get('/api/v1/admin/users?cursor=nonsense')).json().error.fields.cursor !== undefined, true);
});

test('non-admins get 403 (audited), API keys need the admin role', async () => {
  for (const role of ['manager', 'agent', 'viewer']) {
    const c = await stack.as(role);
    const before = Number(stack.sql("SELECT count(*) FROM audit_log WHERE action = 'security.forbidden'"));
    assert.equal((await c.get('/admin/users')).status, 403);
    assert.equal((await c.get('/api/v1/admin/users')).status, 403);
    assert.equal((await c.post('/admin/users', { email: 'x@demo.test', role: 'viewer', invite: 'invite' })).status, 403);
    assert.ok(Number(stack.sql("SELECT count(*) FROM audit_log WHERE action = 'security.forbidden'")) >= before + 3);
  }
  const viewerKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'vk', '--role', 'viewer']).stdout.trim();
  assert.equal((await stack.api(viewerKey, 'GET', '/api/v1/admin/users')).status, 403);
  const adminKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'ak', '--role', 'admin']).stdout.trim();
  assert.equal((await stack.api(adminKey, 'GET', '/api/v1/admin/users')).status, 200);
  assert.equal(stack.sql("SELECT count(*) FROM users WHERE email = 'x@demo.test'"), '0');
});

test('create with a password: validation per field, the form keeps what was typed', async () => {
  await admin.get('/admin/users/new');
  const bad = await admin.post('/admin/users', { email: 'not-an-email', name: 'Typed Name', role: 'root', invite: 'false', password: 'short' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /id="e-email"/);
  assert.match(bad.body, /id="e-role"/);
  assert.match(bad.body, /id="e-password"/);
  assert.match(bad.body, /value="Typed Name"/);
  const json = await admin.request('POST', '/api/v1/admin/users', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
    body: JSON.stringify({ email: 'admin@demo.test', role: 'viewer', password: PW }),
  });
  assert.equal(json.status, 400);
  assert.equal(json.json().error.fields.email, 'is already in use');

  const ok = await admin.post('/admin/users', { email: 'created@demo.test', name: 'Created', role: 'agent', invite: 'false', password: PW });
  assert.equal(ok.status, 303);
  const id = userId('created@demo.test');
  assert.equal(ok.headers.location, `/admin/users/${id}`);
  assert.equal(audits('user.create', id), 1);
  assert.doesNotMatch(stack.sql(`SELECT password_hash FROM users WHERE id = '${id}'`), /fine long/);
  const c = await signIn('created@demo.test');
  assert.equal((await c.get('/api/v1/me')).json().data.user.role, 'agent');
});

test('CSRF: a write without the token is refused and changes nothing', async () => {
  const id = await createUser('csrf@demo.test');
  assert.equal((await admin.post('/admin/users', { email: 'nocsrf@demo.test', role: 'viewer', invite: 'invite', csrf_token: null })).status, 403);
  assert.equal((await admin.post(`/admin/users/${id}/role`, { role: 'admin', csrf_token: 'wrong' })).status, 403);
  assert.equal((await admin.post(`/admin/users/${id}/disable`, { csrf_token: null })).status, 403);
  assert.equal((await admin.post(`/admin/users/${id}/reset-link`, { csrf_token: null })).status, 403);
  assert.equal(stack.sql(`SELECT role || disabled FROM users WHERE id = '${id}'`), 'viewerfalse');
  assert.equal(stack.sql("SELECT count(*) FROM users WHERE email = 'nocsrf@demo.test'"), '0');
});

test('invite: the link is shown once, sets a password, signs in, and works only once', async () => {
  const res = await admin.post('/admin/users', { email: 'invited@demo.test', name: 'Invited', role: 'manager', invite: 'invite' });
  assert.equal(res.status, 201);
  assert.equal(res.headers['cache-control'], 'no-store');
  const link = linkPath(res.body);
  const id = userId('invited@demo.test');
  assert.equal(stack.sql(`SELECT invited FROM users WHERE id = '${id}'`), 't');
  assert.equal(audits('user.invite', id), 1);
  // Stored hashed: the token itself is nowhere in the database.
  const token = link.split('=')[1];
  assert.equal(stack.sql(`SELECT count(*) FROM user_tokens WHERE token_hash = encode(sha256('${token}'), 'hex')`), '1');
  assert.equal(stack.sql(`SELECT count(*) FROM user_tokens WHERE token_hash = '${token}'`), '0');
  // Invited users cannot sign in yet.
  assert.equal((await stack.client().login('invited@demo.test', '')).status, 400);
  assert.match((await admin.get('/admin/users')).body, /invited/);

  const invitee = stack.client();
  const form = await invitee.get(link);
  assert.equal(form.status, 200);
  assert.match(form.body, /invited@demo\.test/);
  const short = await invitee.post('/account/setup', { token, password: 'short' });
  assert.equal(short.status, 400);
  assert.match(short.body, /id="e-password"/);
  const done = await invitee.post('/account/setup', { token, password: PW });
  assert.equal(done.status, 303);
  assert.equal(done.headers.location, '/');
  const me = (await invitee.get('/api/v1/me')).json().data.user;
  assert.equal(me.email, 'invited@demo.test');
  assert.equal(me.role, 'manager');
  assert.equal(stack.sql(`SELECT invited FROM users WHERE id = '${id}'`), 'f');
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'user.invite_accepted' AND user_id = '${id}'`)), 1);
  // Single use.
  assert.equal((await stack.client().get(link)).status, 404);
  const again = stack.client();
  await again.get('/login');
  assert.equal((await again.post('/account/setup', { token, password: 'another fine password' })).status, 404);
  await signIn('invited@demo.test');
});

test('a link expires (72 hours), and unknown or malformed tokens answer 404', async () => {
  const res = await admin.request('POST', '/api/v1/admin/users', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
    body: JSON.stringify({ email: 'late@demo.test', role: 'viewer', invite: true }),
  });
  assert.equal(res.status, 201);
  const { link, valid_hours: hours } = res.json().data;
  assert.equal(hours, 72);
  const id = userId('late@demo.test');
  const left = Number(stack.sql(`SELECT extract(epoch FROM expires_at - created_at) FROM user_tokens WHERE user_id = '${id}'`));
  assert.equal(left, 72 * 3600);
  stack.sql(`UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = '${id}'`);
  const c = stack.client();
  assert.equal((await c.get(linkPath(link))).status, 404);
  await c.get('/login');
  assert.equal((await c.post('/account/setup', { token: linkPath(link).split('=')[1], password: PW })).status, 404);
  assert.equal((await c.get('/account/setup?token=short')).status, 404);
  assert.equal((await c.get('/account/setup')).status, 404);
});

test('reset link: ends the old password and all sessions, single use; a newer link replaces an older one', async () => {
  const id = await createUser('reset@demo.test');
  const old = await signIn('reset@demo.test');
  const first = await admin.post(`/admin/users/${id}/reset-link`);
  assert.equal(first.status, 201);
  const second = await admin.post(`/admin/users/${id}/reset-link`);
  const stale = linkPath(first.body), link = linkPath(second.body);
  assert.equal((await stack.client().get(stale)).status, 404, 'the older link was replaced');
  assert.equal(audits('user.reset_link', id), 2);
  const c = stack.client();
  assert.match((await c.get(link)).body, /Set a new password/);
  assert.equal((await c.post('/account/setup', { token: link.split('=')[1], password: 'the brand new password' })).status, 303);
  assert.equal((await old.get('/api/v1/me')).status, 401, 'the old session ended');
  assert.equal((await stack.client().login('reset@demo.test', PW)).status, 400, 'the old password is gone');
  await signIn('reset@demo.test', 'the brand new password');
  assert.equal((await stack.client().get(link)).status, 404);
});

test('role change: validated, audited, effective at once', async () => {
  const id = await createUser('role@demo.test');
  const c = await signIn('role@demo.test');
  assert.equal((await c.get('/deals/new')).status, 403);
  const bad = await admin.post(`/admin/users/${id}/role`, { role: 'owner' });
  assert.equal(bad.status, 400);
  const ok = await admin.post(`/admin/users/${id}/role`, { role: 'manager' });
  assert.equal(ok.status, 303);
  assert.equal(audits('user.role', id), 1);
  for (let i = 0; i < 6; i++) assert.equal((await c.get('/api/v1/me')).json().data.user.role, 'manager');
  const json = await admin.request('POST', `/api/v1/admin/users/${id}/role`, {
    headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
    body: JSON.stringify({ role: 'nope' }),
  });
  assert.equal(json.status, 400);
  assert.ok(json.json().error.fields.role);
});

test('disable ends every session at once on every worker; enable lets them sign in again', async () => {
  const id = await createUser('dis@demo.test');
  const sessions = [await signIn('dis@demo.test'), await signIn('dis@demo.test')];
  // Warm every worker's memory of both sessions (the stack runs 3 workers).
  for (const c of sessions) for (let i = 0; i < 9; i++) assert.equal((await c.get('/api/v1/me')).status, 200);
  const confirm = await admin.get(`/admin/users/${id}/disable`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /Disable dis@demo\.test\?/);
  assert.equal((await admin.post(`/admin/users/${id}/disable`)).status, 303);
  assert.equal(stack.sql(`SELECT count(*) FROM sessions WHERE user_id = '${id}'`), '0');
  for (const c of sessions) for (let i = 0; i < 9; i++) assert.equal((await c.get('/api/v1/me')).status, 401);
  assert.equal((await stack.client().login('dis@demo.test', PW)).status, 400);
  assert.equal(audits('user.disable', id), 1);
  assert.match((await admin.get('/admin/users')).body, /disabled/);
  assert.equal((await admin.post(`/admin/users/${id}/enable`)).status, 303);
  await signIn('dis@demo.test');
});

test('an admin cannot disable themselves', async () => {
  const me = userId('admin@demo.test');
  const res = await admin.post(`/admin/users/${me}/disable`);
  assert.equal(res.status, 400);
  assert.match(res.body, /cannot disable your own account/);
});

/** A change that went through: 303 back to the user's page. */
const won = (res) => res.status === 303 && /^\/admin\/users\//.test(res.headers.location);
const activeAdmins = () => stack.sql(`SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id
  WHERE o.slug = 'solo' AND u.role = 'admin' AND NOT u.disabled`);

test('the last active admin cannot be demoted or disabled, even by two concurrent requests', async () => {
  otherOrg(stack, 'solo');
  const solo = await signIn('admin@solo.test', 'another long password');
  const soloId = userId('admin@solo.test');
  const demote = await solo.post(`/admin/users/${soloId}/role`, { role: 'viewer' });
  assert.equal(demote.status, 409);
  assert.match(demote.body, /last active admin/);
  const json = await solo.request('POST', `/api/v1/admin/users/${soloId}/role`, {
    headers: { 'content-type': 'application/json', 'x-csrf-token': solo.csrf },
    body: JSON.stringify({ role: 'viewer' }),
  });
  assert.equal(json.status, 409);
  assert.equal(json.json().error.code, 'conflict');
  // Two admins demote each other at the same moment: one wins, one is refused.
  const b = await solo.request('POST', '/api/v1/admin/users', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': solo.csrf },
    body: JSON.stringify({ email: 'second@solo.test', role: 'admin', password: PW }),
  });
  assert.equal(b.status, 201);
  const secondId = b.json().data.id;
  const second = await signIn('second@solo.test');
  for (let round = 0; round < 3; round++) {
    const [r1, r2] = await Promise.all([
      solo.post(`/admin/users/${secondId}/role`, { role: 'viewer' }),
      second.post(`/admin/users/${soloId}/role`, { role: 'viewer' }),
    ]);
    // The loser is refused: 409 when both ran together, or 403 when its request came
    // after the winner's commit had made it a viewer.
    assert.equal([r1, r2].filter(won).length, 1, `${r1.status} ${r2.status}`);
    const lost = won(r1) ? r2 : r1;
    assert.ok([403, 409].includes(lost.status), `the loser answered ${lost.status}`);
    assert.equal(activeAdmins(), '1');
    // Put it back for the next round (the winner promotes the other again).
    const winner = won(r1) ? solo : second, loserId = won(r1) ? secondId : soloId;
    await winner.get('/admin/users');
    assert.equal((await winner.post(`/admin/users/${loserId}/role`, { role: 'admin' })).status, 303);
  }
  // The same for disabling each other.
  const [d1, d2] = await Promise.all([
    solo.post(`/admin/users/${secondId}/disable`),
    second.post(`/admin/users/${soloId}/disable`),
  ]);
  // The loser: 409, or (its session already ended by the winner) sent to sign in.
  assert.equal([d1, d2].filter(won).length, 1, `${d1.status} ${d2.status}`);
  const lost = won(d1) ? d2 : d1;
  assert.ok(lost.status === 409 || (lost.status === 303 && /^\/login/.test(lost.headers.location)), `the loser answered ${lost.status}`);
  assert.equal(activeAdmins(), '1');
  // And the database holds it whatever the application does.
  assert.throws(() => stack.sql("UPDATE users SET role = 'viewer' WHERE org_id = (SELECT id FROM orgs WHERE slug = 'solo') AND role = 'admin' AND NOT disabled"),
    /last admin/);
});

test('sessions: listed with address and browser, revoked one by one; another org or user answers 404', async () => {
  const id = await createUser('sess@demo.test');
  const a = await signIn('sess@demo.test');
  const b = await signIn('sess@demo.test');
  for (let i = 0; i < 6; i++) assert.equal((await a.get('/api/v1/me')).status, 200);
  const list = (await admin.get(`/api/v1/admin/users/${id}/sessions`)).json().data;
  assert.equal(list.length, 2);
  assert.equal(list[0].ip, '127.0.0.1');
  const page = await admin.get(`/admin/users/${id}`);
  assert.match(page.body, /127\.0\.0\.1/);
  const aHash = stack.sql(`SELECT id FROM sessions WHERE token_hash = encode(sha256('${a.cookies.get('__Host-sb_session')}'), 'hex')`);
  assert.equal((await admin.post(`/admin/users/${id}/sessions/${aHash}/revoke`)).status, 303);
  for (let i = 0; i < 6; i++) assert.equal((await a.get('/api/v1/me')).status, 401);
  assert.equal((await b.get('/api/v1/me')).status, 200);
  assert.equal(audits('session.revoke', id), 1);
  // b's session under another user's id: 404, and it lives on.
  const bSid = stack.sql(`SELECT id FROM sessions WHERE user_id = '${id}'`);
  const otherUser = userId('viewer@demo.test');
  assert.equal((await admin.post(`/admin/users/${otherUser}/sessions/${bSid}/revoke`)).status, 404);
  assert.equal((await b.get('/api/v1/me')).status, 200);
});

test("another org's users are 404 everywhere", async () => {
  otherOrg(stack, 'elsewhere');
  const foreign = userId('admin@elsewhere.test');
  assert.equal((await admin.get(`/admin/users/${foreign}`)).status, 404);
  assert.equal((await admin.get(`/api/v1/admin/users/${foreign}`)).status, 404);
  assert.equal((await admin.get(`/api/v1/admin/users/${foreign}/sessions`)).status, 404);
  assert.equal((await admin.get(`/admin/users/${foreign}/disable`)).status, 404);
  for (const tail of ['role', 'disable', 'enable', 'reset-link']) {
    assert.equal((await admin.post(`/admin/users/${foreign}/${tail}`, { role: 'viewer' })).status, 404, tail);
  }
  assert.equal((await admin.get('/admin/users/not-a-uuid')).status, 404);
  assert.equal(stack.sql(`SELECT role || disabled FROM users WHERE id = '${foreign}'`), 'adminfalse');
  assert.doesNotMatch((await admin.get('/admin/users?limit=200')).body, /elsewhere\.test/);
});
