// auth.test.mjs — sign in, sign out, sessions (cookie flags, rotation, idle and
// absolute expiry), redirects for anonymous visitors, `next`, disabled users.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  stack = await Stack.start();
});

after(async () => {
  if (stack) await stack.stop();
});

// Every test starts with a clean throttle: the failures of one test must not
// throttle the next (they all come from 127.0.0.1).
beforeEach(() => {
  stack.sql('DELETE FROM login_attempts');
});

const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

/** The Set-Cookie line for one cookie name, or undefined. */
function setCookie(res, name) {
  return (res.headers['set-cookie'] || []).find((c) => c.startsWith(`${name}=`));
}

/** The attributes of a Set-Cookie line, lower-cased names → value (true if bare). */
function cookieAttrs(line) {
  const [, ...attrs] = line.split(';');
  const out = {};
  for (const a of attrs) {
    const [k, ...v] = a.trim().split('=');
    out[k.toLowerCase()] = v.length ? v.join('=') : true;
  }
  return out;
}

const sessionRows = (token) => Number(stack.sql(`SELECT count(*) FROM sessions WHERE token_hash = '${sha256hex(token)}'`));

/** A GET with exactly this session cookie (no jar). */
const getWithSession = (urlPath, token) => stack.request('GET', urlPath, { headers: { cookie: `sb_session=${token}` } });

test('GET /login renders the form with a csrf_token and sets sb_csrf', async () => {
  const res = await stack.request('GET', '/login');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/html/);
  assert.match(res.body, /<form method="post" action="\/login"/);
  assert.match(res.body, /name="email"/);
  assert.match(res.body, /name="password" type="password"/);
  const m = /name="csrf_token" value="([A-Za-z0-9_-]{20,})"/.exec(res.body);
  assert.ok(m, 'the form carries a csrf_token');
  const line = setCookie(res, 'sb_csrf');
  assert.ok(line, 'sb_csrf is set on the first visit');
  const attrs = cookieAttrs(line);
  assert.ok(attrs.httponly && attrs.secure, 'sb_csrf is HttpOnly and Secure');
  assert.equal(attrs.path, '/');
  // A second visit with the cookie keeps the binding: same token, no new cookie.
  const binding = line.split(';')[0];
  const again = await stack.request('GET', '/login', { headers: { cookie: binding } });
  assert.equal(setCookie(again, 'sb_csrf'), undefined);
  assert.equal(/name="csrf_token" value="([^"]+)"/.exec(again.body)[1], m[1]);
});

test('login success: 303 to / with an HttpOnly, Secure, SameSite=Lax, Path=/ session cookie', async () => {
  const c = stack.client();
  const res = await c.login('admin@demo.test', stack.password);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/');
  const line = setCookie(res, 'sb_session');
  assert.ok(line, 'sb_session is set');
  const token = line.split(';')[0].slice('sb_session='.length);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256-bit random token, base64url');
  const attrs = cookieAttrs(line);
  assert.equal(attrs.httponly, true);
  assert.equal(attrs.secure, true);
  assert.equal(attrs.samesite.toLowerCase(), 'lax');
  assert.equal(attrs.path, '/');
  // Stored hashed: the row is keyed by sha256(token), the token itself is nowhere.
  assert.equal(sessionRows(token), 1);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM sessions s WHERE s::text LIKE '%${token}%'`)), 0);
  const home = await c.get('/');
  assert.equal(home.status, 200);
  assert.match(home.body, /admin@demo\.test/);
  assert.equal(stack.sql(`SELECT action FROM audit_log WHERE action = 'login.ok' AND actor = 'admin@demo.test' ORDER BY id DESC LIMIT 1`), 'login.ok');
});

test('login rotates the session: a signed-in browser gets a new token and the old one stops working', async () => {
  const c = await stack.as('manager');
  const oldToken = c.cookies.get('sb_session');
  assert.equal(sessionRows(oldToken), 1);
  const res = await c.login('manager@demo.test', stack.password);
  assert.equal(res.status, 303);
  const newToken = c.cookies.get('sb_session');
  assert.ok(newToken);
  assert.notEqual(newToken, oldToken);
  assert.equal(sessionRows(oldToken), 0, 'the old session row is gone');
  const stale = await getWithSession('/', oldToken);
  assert.equal(stale.status, 303);
  assert.equal(stale.headers.location, '/login');
  const fresh = await getWithSession('/', newToken);
  assert.equal(fresh.status, 200);
});

test('login ignores a session id planted before sign-in (no fixation)', async () => {
  const c = stack.client();
  const planted = 'A'.repeat(43);
  c.cookies.set('sb_session', planted);
  const res = await c.login('agent@demo.test', stack.password);
  assert.equal(res.status, 303);
  const token = c.cookies.get('sb_session');
  assert.notEqual(token, planted);
  assert.equal(sessionRows(planted), 0);
  assert.equal((await getWithSession('/', planted)).status, 303);
  assert.equal((await getWithSession('/', token)).status, 200);
});

test('login failure: wrong password and unknown email give the same 400 and re-render the typed email', async () => {
  const c = stack.client();
  await c.get('/login');
  const wrong = await c.post('/login', { email: 'admin@demo.test', password: 'not the password at all' });
  const unknown = await c.post('/login', { email: 'nobody@demo.test', password: 'not the password at all' });
  for (const res of [wrong, unknown]) {
    assert.equal(res.status, 400);
    assert.equal(setCookie(res, 'sb_session'), undefined, 'no session on failure');
    assert.match(res.body, /The email or password is incorrect\./);
    assert.match(res.body, /<form method="post" action="\/login"/);
    assert.doesNotMatch(res.body, /not the password at all/, 'the password is never echoed');
  }
  assert.match(wrong.body, /value="admin@demo\.test"/);
  assert.match(unknown.body, /value="nobody@demo\.test"/);
  // Same message, same page: only the echoed email (and request id / token) differ.
  const msg = (b) => /role="alert"[^>]*>([^<]*)</.exec(b)[1];
  assert.equal(msg(wrong.body), msg(unknown.body));
});

test('login failure escapes the typed email', async () => {
  const c = stack.client();
  await c.get('/login');
  const evil = '"><script>alert(1)</script>@x.test';
  const res = await c.post('/login', { email: evil, password: 'whatever whatever' });
  assert.equal(res.status, 400);
  assert.doesNotMatch(res.body, /<script>alert\(1\)<\/script>/);
  assert.match(res.body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;@x\.test"/);
});

test('validation: a message at each empty field, 400, nothing recorded', async () => {
  const c = stack.client();
  await c.get('/login');
  const noEmail = await c.post('/login', { email: '', password: 'something long' });
  assert.equal(noEmail.status, 400);
  assert.match(noEmail.body, /id="email-error">Enter your email address\.</);
  assert.doesNotMatch(noEmail.body, /id="password-error"/);
  assert.match(noEmail.body, /id="email"[^>]*aria-invalid="true"/);

  const noPassword = await c.post('/login', { email: 'admin@demo.test', password: '' });
  assert.equal(noPassword.status, 400);
  assert.match(noPassword.body, /id="password-error">Enter your password\.</);
  assert.doesNotMatch(noPassword.body, /id="email-error"/);
  assert.match(noPassword.body, /value="admin@demo\.test"/);

  const both = await c.post('/login', {});
  assert.equal(both.status, 400);
  assert.match(both.body, /id="email-error"/);
  assert.match(both.body, /id="password-error"/);

  const notAnEmail = await c.post('/login', { email: 'admin', password: 'something long' });
  assert.equal(notAnEmail.status, 400);
  assert.match(notAnEmail.body, /id="email-error">Enter a valid email address/);
  // Input errors are not sign-in failures: they never count towards throttling.
  assert.equal(Number(stack.sql('SELECT count(*) FROM login_attempts')), 0);
});

test('next: a local path is honoured, other hosts are refused', async () => {
  const cases = [
    ['/admin?tab=1', '/admin?tab=1'],
    ['//evil.example', '/'],
    ['https://evil.example', '/'],
    ['/\\evil.example', '/'],
    ['evil.example', '/'],
  ];
  for (const [next, expected] of cases) {
    const c = stack.client();
    const form = await c.get(`/login?next=${encodeURIComponent(next)}`);
    assert.equal(form.status, 200);
    const hidden = /name="next" value="([^"]*)"/.exec(form.body)[1];
    assert.equal(hidden.replace(/&amp;/g, '&'), expected, `form keeps only a safe next for ${next}`);
    // The POST is checked on its own too (the hidden field can be forged).
    const res = await c.post('/login', { email: 'admin@demo.test', password: stack.password, next });
    assert.equal(res.status, 303, `sign-in with next=${next}`);
    assert.equal(res.headers.location, expected, `next=${next}`);
  }
});

test('anonymous GET / → 303 /login; anonymous GET of another page → 303 /login?next=<that page>', async () => {
  const home = await stack.request('GET', '/');
  assert.equal(home.status, 303);
  assert.equal(home.headers.location, '/login');
  const admin = await stack.request('GET', '/admin?tab=users&x=1');
  assert.equal(admin.status, 303);
  const loc = new URL(admin.headers.location, 'https://h');
  assert.equal(loc.pathname, '/login');
  assert.equal(loc.searchParams.get('next'), '/admin?tab=users&x=1');
  // …and following it round-trips: sign in lands on that page.
  const c = stack.client();
  const form = await c.get(admin.headers.location);
  assert.equal(form.status, 200);
  const res = await c.post('/login', {
    email: 'admin@demo.test',
    password: stack.password,
    next: /name="next" value="([^"]*)"/.exec(form.body)[1].replace(/&amp;/g, '&'),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/admin?tab=users&x=1');
});

test('logout (POST with csrf) ends the session: cookie cleared, row gone, old cookie redirected to /login', async () => {
  const c = await stack.as('viewer');
  const token = c.cookies.get('sb_session');
  assert.equal(sessionRows(token), 1);
  const res = await c.post('/logout');
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/login');
  const cleared = setCookie(res, 'sb_session');
  assert.ok(cleared, 'the session cookie is cleared');
  assert.equal(cookieAttrs(cleared)['max-age'], '0');
  assert.equal(sessionRows(token), 0);
  const stale = await getWithSession('/', token);
  assert.equal(stale.status, 303);
  assert.equal(stale.headers.location, '/login');
  assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'logout' AND actor = 'viewer@demo.test'`)) >= 1, true);
});

test('logout without CSRF → 403 and the session is still valid', async () => {
  const c = await stack.as('agent');
  const token = c.cookies.get('sb_session');
  const noToken = await c.post('/logout', { csrf_token: null });
  assert.equal(noToken.status, 403);
  const wrongToken = await c.post('/logout', { csrf_token: 'x'.repeat(43) });
  assert.equal(wrongToken.status, 403);
  assert.equal(setCookie(noToken, 'sb_session'), undefined);
  assert.equal(sessionRows(token), 1);
  assert.equal((await getWithSession('/', token)).status, 200);
});

test('idle expiry: a session unused for longer than the idle timeout ends', async () => {
  const c = await stack.as('viewer');
  const token = c.cookies.get('sb_session');
  // Recent use keeps it alive.
  stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '5 minutes' WHERE token_hash = '${sha256hex(token)}'`);
  assert.equal((await getWithSession('/', token)).status, 200);
  stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = '${sha256hex(token)}'`);
  const res = await getWithSession('/', token);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/login');
  assert.equal(sessionRows(token), 0, 'the expired row is deleted');
  const cleared = (res.headers['set-cookie'] || []).find((h) => h.startsWith('sb_session='));
  assert.ok(cleared && /Max-Age=0/.test(cleared), 'the dead session cookie is cleared');
});

test('signing out after the session expired leads to the sign-in page, not a 403', async () => {
  const c = await stack.as('viewer');
  const token = c.cookies.get('sb_session');
  stack.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = '${sha256hex(token)}'`);
  const res = await c.post('/logout'); // the token on the page belonged to the dead session
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/login');
  assert.equal(c.cookies.has('sb_session'), false);
});

test('use touches last_seen_at, so an active session does not idle out', async () => {
  const c = await stack.as('viewer');
  const token = c.cookies.get('sb_session');
  stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '20 minutes' WHERE token_hash = '${sha256hex(token)}'`);
  assert.equal((await getWithSession('/', token)).status, 200);
  const age = Number(stack.sql(`SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE token_hash = '${sha256hex(token)}'`));
  assert.ok(age < 60, `last_seen_at was refreshed (age ${age}s)`);
});

test('absolute expiry: a session past expires_at ends even if it was just used', async () => {
  const c = await stack.as('manager');
  const token = c.cookies.get('sb_session');
  const lifetime = Number(stack.sql(`SELECT round(extract(epoch FROM expires_at - created_at)) FROM sessions WHERE token_hash = '${sha256hex(token)}'`));
  assert.equal(lifetime, 43200, 'default absolute lifetime is 12 hours');
  stack.sql(`UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now() WHERE token_hash = '${sha256hex(token)}'`);
  const res = await getWithSession('/', token);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/login');
  assert.equal(sessionRows(token), 0);
  // JSON clients get a 401 instead of a redirect.
  const c2 = await stack.as('manager');
  const t2 = c2.cookies.get('sb_session');
  stack.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = '${sha256hex(t2)}'`);
  const api = await stack.request('GET', '/api/v1/me', { headers: { cookie: `sb_session=${t2}` } });
  assert.equal(api.status, 401);
  assert.equal(api.json().error.code, 'unauthorized');
  assert.equal(sessionRows(t2), 0);
});

test('a disabled user cannot sign in and their sessions end', async () => {
  const email = 'leaver@demo.test';
  const password = 'a long password for the leaver';
  const add = stack.cli(['user', 'add', '--org', 'demo', '--email', email, '--role', 'agent', '--name', 'Lee Leaver', '--password-stdin'], {
    input: `${password}\n`,
  });
  assert.equal(add.status, 0, add.stderr);
  const c = stack.client();
  assert.equal((await c.login(email, password)).status, 303);
  const token = c.cookies.get('sb_session');
  assert.equal((await getWithSession('/', token)).status, 200);

  const dis = stack.cli(['user', 'disable', '--email', email]);
  assert.equal(dis.status, 0, dis.stderr);
  assert.equal(sessionRows(token), 0);
  const stale = await getWithSession('/', token);
  assert.equal(stale.status, 303);
  assert.equal(stale.headers.location, '/login');

  const again = stack.client();
  const res = await again.login(email, password);
  assert.equal(res.status, 400, 'the right password of a disabled user is refused');
  assert.match(res.body, /The email or password is incorrect\./);
  assert.equal(setCookie(res, 'sb_session'), undefined);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`)), 0);
});

test('a session whose user was disabled directly in the database is refused too', async () => {
  const email = 'quiet-leaver@demo.test';
  const password = 'another long password here';
  assert.equal(stack.cli(['user', 'add', '--org', 'demo', '--email', email, '--role', 'viewer', '--password-stdin'], { input: `${password}\n` }).status, 0);
  const c = stack.client();
  assert.equal((await c.login(email, password)).status, 303);
  const token = c.cookies.get('sb_session');
  stack.sql(`UPDATE users SET disabled = true WHERE email = '${email}'`);
  const res = await getWithSession('/', token);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/login');
  const left = stack.sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`);
  assert.equal(left, '0', 'the session row of a disabled user is deleted when presented');
});
