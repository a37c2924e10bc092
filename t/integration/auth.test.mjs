// auth.test.mjs — who may do what: sign-in and sessions, CSRF, roles and API keys, and
// the tenancy boundary. One stack for the file; each describe() starts with
// stack.reset(), so it sees the database as a freshly started stack would, whatever
// ran before it.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

describe('sign-in and sessions', () => {
  // Sign in, sign out, sessions (cookie flags, rotation, idle and absolute expiry),
  // redirects for anonymous visitors, `next`, disabled users.

  before(async () => {
    await stack.reset();
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
  const getWithSession = (urlPath, token) => stack.request('GET', urlPath, { headers: { cookie: `__Host-sb_session=${token}` } });

  test('GET /login renders the form with a csrf_token and sets __Host-sb_csrf', async () => {
    const res = await stack.request('GET', '/login');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.body, /<form method="post" action="\/login"/);
    assert.match(res.body, /name="email"/);
    assert.match(res.body, /name="password" type="password"/);
    const m = /name="csrf_token" value="([A-Za-z0-9_-]{20,})"/.exec(res.body);
    assert.ok(m, 'the form carries a csrf_token');
    const line = setCookie(res, '__Host-sb_csrf');
    assert.ok(line, '__Host-sb_csrf is set on the first visit');
    const attrs = cookieAttrs(line);
    assert.ok(attrs.httponly && attrs.secure, '__Host-sb_csrf is HttpOnly and Secure');
    assert.equal(attrs.path, '/');
    // A second visit with the cookie keeps the binding: same token, no new cookie.
    const binding = line.split(';')[0];
    const again = await stack.request('GET', '/login', { headers: { cookie: binding } });
    assert.equal(setCookie(again, '__Host-sb_csrf'), undefined);
    assert.equal(/name="csrf_token" value="([^"]+)"/.exec(again.body)[1], m[1]);
  });

  test('login success: 303 to / with an HttpOnly, Secure, SameSite=Lax, Path=/ session cookie', async () => {
    const c = stack.client();
    const res = await c.login('admin@demo.test', stack.password);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    const line = setCookie(res, '__Host-sb_session');
    assert.ok(line, '__Host-sb_session is set');
    const token = line.split(';')[0].slice('__Host-sb_session='.length);
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
    const oldToken = c.cookies.get('__Host-sb_session');
    assert.equal(sessionRows(oldToken), 1);
    const res = await c.login('manager@demo.test', stack.password);
    assert.equal(res.status, 303);
    const newToken = c.cookies.get('__Host-sb_session');
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
    c.cookies.set('__Host-sb_session', planted);
    const res = await c.login('agent@demo.test', stack.password);
    assert.equal(res.status, 303);
    const token = c.cookies.get('__Host-sb_session');
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
      assert.equal(setCookie(res, '__Host-sb_session'), undefined, 'no session on failure');
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
    const token = c.cookies.get('__Host-sb_session');
    assert.equal(sessionRows(token), 1);
    const res = await c.post('/logout');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    const cleared = setCookie(res, '__Host-sb_session');
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
    const token = c.cookies.get('__Host-sb_session');
    const noToken = await c.post('/logout', { csrf_token: null });
    assert.equal(noToken.status, 403);
    const wrongToken = await c.post('/logout', { csrf_token: 'x'.repeat(43) });
    assert.equal(wrongToken.status, 403);
    assert.equal(setCookie(noToken, '__Host-sb_session'), undefined);
    assert.equal(sessionRows(token), 1);
    assert.equal((await getWithSession('/', token)).status, 200);
  });

  test('idle expiry: a session unused for longer than the idle timeout ends', async () => {
    const c = await stack.as('viewer');
    const token = c.cookies.get('__Host-sb_session');
    // Recent use keeps it alive.
    stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '5 minutes' WHERE token_hash = '${sha256hex(token)}'`);
    assert.equal((await getWithSession('/', token)).status, 200);
    stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = '${sha256hex(token)}'`);
    const res = await getWithSession('/', token);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    assert.equal(sessionRows(token), 0, 'the expired row is deleted');
    const cleared = (res.headers['set-cookie'] || []).find((h) => h.startsWith('__Host-sb_session='));
    assert.ok(cleared && /Max-Age=0/.test(cleared), 'the dead session cookie is cleared');
  });

  test('signing out after the session expired leads to the sign-in page, not a 403', async () => {
    const c = await stack.as('viewer');
    const token = c.cookies.get('__Host-sb_session');
    stack.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = '${sha256hex(token)}'`);
    const res = await c.post('/logout'); // the token on the page belonged to the dead session
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    assert.equal(c.cookies.has('__Host-sb_session'), false);
  });

  test('use touches last_seen_at, so an active session does not idle out', async () => {
    const c = await stack.as('viewer');
    const token = c.cookies.get('__Host-sb_session');
    stack.sql(`UPDATE sessions SET last_seen_at = now() - interval '20 minutes' WHERE token_hash = '${sha256hex(token)}'`);
    assert.equal((await getWithSession('/', token)).status, 200);
    const age = Number(stack.sql(`SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE token_hash = '${sha256hex(token)}'`));
    assert.ok(age < 60, `last_seen_at was refreshed (age ${age}s)`);
  });

  test('absolute expiry: a session past expires_at ends even if it was just used', async () => {
    const c = await stack.as('manager');
    const token = c.cookies.get('__Host-sb_session');
    const lifetime = Number(stack.sql(`SELECT round(extract(epoch FROM expires_at - created_at)) FROM sessions WHERE token_hash = '${sha256hex(token)}'`));
    assert.equal(lifetime, 43200, 'default absolute lifetime is 12 hours');
    stack.sql(`UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now() WHERE token_hash = '${sha256hex(token)}'`);
    const res = await getWithSession('/', token);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    assert.equal(sessionRows(token), 0);
    // JSON clients get a 401 instead of a redirect.
    const c2 = await stack.as('manager');
    const t2 = c2.cookies.get('__Host-sb_session');
    stack.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = '${sha256hex(t2)}'`);
    const api = await stack.request('GET', '/api/v1/me', { headers: { cookie: `__Host-sb_session=${t2}` } });
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
    const token = c.cookies.get('__Host-sb_session');
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
    assert.equal(setCookie(res, '__Host-sb_session'), undefined);
    assert.equal(Number(stack.sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`)), 0);
  });

  test('a session whose user was disabled directly in the database is refused too', async () => {
    const email = 'quiet-leaver@demo.test';
    const password = 'another long password here';
    assert.equal(stack.cli(['user', 'add', '--org', 'demo', '--email', email, '--role', 'viewer', '--password-stdin'], { input: `${password}\n` }).status, 0);
    const c = stack.client();
    assert.equal((await c.login(email, password)).status, 303);
    const token = c.cookies.get('__Host-sb_session');
    stack.sql(`UPDATE users SET disabled = true WHERE email = '${email}'`);
    const res = await getWithSession('/', token);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    const left = stack.sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`);
    assert.equal(left, '0', 'the session row of a disabled user is deleted when presented');
  });
});

describe('CSRF', () => {
  // Every state-changing request from a browser session needs the CSRF token (form
  // field csrf_token or header X-CSRF-Token); missing or wrong → 403, nothing changed,
  // audited. Bearer API keys are exempt.

  before(async () => {
    await stack.reset();
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
    const session = c.cookies.get('__Host-sb_session');
    assert.equal((await c.post('/logout')).status, 303);
    const again = await stack.as('viewer');
    const before = nameOf('viewer@demo.test');
    assertForbiddenJson(await postName(again, 'Stale Token', { 'x-csrf-token': token }));
    assert.equal(nameOf('viewer@demo.test'), before);
    // And the old session itself is gone, so the old pair gets 401, not a write.
    const res = await stack.request('POST', '/api/v1/me/name', {
      headers: { cookie: `__Host-sb_session=${session}`, 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ name: 'Stale Session' }),
    });
    assert.equal(res.status, 401);
    assert.equal(nameOf('viewer@demo.test'), before);
  });

  test('POST /login without csrf_token, or with a token for another browser → 403, no session, nothing recorded', async () => {
    const c = stack.client();
    await c.get('/login');
    const attemptsBefore = Number(stack.sql('SELECT count(*) FROM login_attempts'));
    stack.sql('DELETE FROM audit_caps'); // no refusal of an earlier test still counts this minute
    const since = maxAuditId();
    const res = await c.post('/login', { email: 'admin@demo.test', password: stack.password, csrf_token: null });
    assert.equal(res.status, 403);
    assert.equal((res.headers['set-cookie'] || []).some((l) => l.startsWith('__Host-sb_session=')), false);
    assert.match(res.headers['content-type'], /^text\/html/);

    // A token minted for another visitor's __Host-sb_csrf cookie does not fit this one.
    const other = stack.client();
    await other.get('/login');
    assert.notEqual(other.csrf, c.csrf);
    const crossed = await c.post('/login', { email: 'admin@demo.test', password: stack.password, csrf_token: other.csrf });
    assert.equal(crossed.status, 403);

    // No __Host-sb_csrf cookie at all (a cross-site form post from a fresh browser).
    const bare = await stack.request('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'admin@demo.test', password: stack.password, csrf_token: c.csrf }).toString(),
    });
    assert.equal(bare.status, 403);

    assert.equal(Number(stack.sql('SELECT count(*) FROM login_attempts')), attemptsBefore);
    assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'login.ok'`)), 0);
    // Refusals of callers nobody signed in are audited once a minute per address (the
    // rest are counted into the next row), so three in a row write one.
    assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden' AND detail->>'reason' = 'csrf'`)), 1);

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

  test('cookies carry the __Host- prefix: Secure, Path=/, no Domain', async () => {
    const c = stack.client();
    const form = await c.get('/login');
    const csrf = (form.headers['set-cookie'] || []).find((l) => l.startsWith('__Host-sb_csrf='));
    assert.ok(csrf, 'the pre-session cookie is __Host-sb_csrf');
    const res = await c.post('/login', { email: 'viewer@demo.test', password: stack.password });
    const session = (res.headers['set-cookie'] || []).find((l) => l.startsWith('__Host-sb_session='));
    assert.ok(session, 'the session cookie is __Host-sb_session');
    for (const line of [csrf, session]) {
      assert.match(line, /; Path=\/;/);
      assert.match(line, /; Secure/);
      assert.doesNotMatch(line, /Domain=/i);
    }
  });

  test('a planted pre-session cookie of the wrong shape binds nothing, even with its matching token', async () => {
    const secretKey = readFileSync(path.join(stack.dir, 'secret-key'), 'utf8').trim();
    const planted = 'a';
    const token = createHmac('sha256', secretKey).update(`csrf:${planted}`).digest('base64url');
    const res = await stack.request('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-sb_csrf=${planted}` },
      body: new URLSearchParams({ email: 'viewer@demo.test', password: stack.password, csrf_token: token }).toString(),
    });
    assert.equal(res.status, 403);
  });
});

describe('roles and API keys', () => {
  // Role checks on admin routes (HTML and JSON, audited) and API keys: Bearer
  // authentication, wrong/revoked keys, keys only on API routes, key roles, keys stored
  // hashed.
  const clients = {};

  before(async () => {
    await stack.reset();
    for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  });

  const maxAuditId = () => Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));

  function createKey(role, name = `key-${role}`) {
    const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', name, '--role', role]);
    assert.equal(r.status, 0, r.stderr);
    const key = r.stdout.trim();
    assert.match(key, /^sb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    return key;
  }

  const bearer = (method, urlPath, key, opts = {}) =>
    stack.request(method, urlPath, { ...opts, headers: { authorization: `Bearer ${key}`, ...(opts.headers || {}) } });

  function assertJsonError(res, status, code) {
    assert.equal(res.status, status);
    assert.match(res.headers['content-type'], /^application\/json/);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['error', 'request_id']);
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0);
    assert.equal(body.request_id, res.headers['x-request-id']);
    return body;
  }

  for (const role of ['viewer', 'agent', 'manager']) {
    test(`${role}: 403 on GET /admin (HTML) and GET /api/v1/admin/ping (JSON), audited`, async () => {
      const c = clients[role];
      const since = maxAuditId();
      const page = await c.get('/admin');
      assert.equal(page.status, 403);
      assert.match(page.headers['content-type'], /^text\/html/);
      assert.match(page.body, /403/);
      assert.doesNotMatch(page.body, /System health/);
      assert.ok(page.body.includes(page.headers['x-request-id']), 'the page quotes the request id');

      assert.match(page.body, /You do not have permission to do that\./);

      const api = await c.get('/api/v1/admin/ping');
      assert.equal(assertJsonError(api, 403, 'forbidden').error.message, 'You do not have permission to do that.');

      const rows = stack
        .sql(`SELECT actor || '|' || (detail->>'reason') || '|' || (detail->>'route') || '|' || request_id || '|' || (org_id IS NOT NULL) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden' ORDER BY id`)
        .split('\n');
      assert.deepEqual(rows, [
        `${role}@demo.test|role|admin|${page.headers['x-request-id']}|true`,
        `${role}@demo.test|role|api_admin_ping|${api.headers['x-request-id']}|true`,
      ]);
      // The nav does not offer what the role cannot open.
      const home = await c.get('/');
      assert.doesNotMatch(home.body, /href="\/admin"/);
    });
  }

  test('admin: 200 on GET /admin and GET /api/v1/admin/ping, nothing audited as forbidden', async () => {
    const c = clients.admin;
    const since = maxAuditId();
    const page = await c.get('/admin');
    assert.equal(page.status, 200);
    assert.match(page.body, /System health/);
    const api = await c.get('/api/v1/admin/ping');
    assert.equal(api.status, 200);
    assert.deepEqual(api.json(), { data: { ok: true } });
    assert.equal(Number(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden'`)), 0);
    assert.match((await c.get('/')).body, /href="\/admin"/);
  });

  test('a viewer key works on /api/v1/me for its org', async () => {
    const key = createKey('viewer', 'reporting');
    const res = await bearer('GET', '/api/v1/me', key);
    assert.equal(res.status, 200);
    const { data } = res.json();
    assert.equal(data.org.slug, 'demo');
    assert.equal(data.org.id, stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`));
    assert.equal(data.user.role, 'viewer');
    assert.equal(data.user.id, null, 'a key is not a user');
    assert.equal(data.user.name, 'reporting');
    assert.equal(data.user.api_key_id, stack.sql(`SELECT id FROM api_keys WHERE name = 'reporting'`));
    // Use is recorded.
    assert.equal(stack.sql(`SELECT last_used_at IS NOT NULL FROM api_keys WHERE name = 'reporting'`), 't');
    // A key needs no cookies; the case of "Bearer" does not matter.
    const lower = await stack.request('GET', '/api/v1/me', { headers: { authorization: `bearer ${key}` } });
    assert.equal(lower.status, 200);
  });

  test('a wrong, garbage or revoked key → 401 with WWW-Authenticate', async () => {
    const key = createKey('admin', 'to-revoke');
    assert.equal((await bearer('GET', '/api/v1/me', key)).status, 200);
    const prefix = key.split('_').slice(0, 2).join('_');
    const wrongSecret = `${prefix}_${'A'.repeat(43)}`;
    const candidates = {
      'wrong secret': wrongSecret,
      garbage: 'garbage',
      'long garbage': 'x'.repeat(300),
      'bad bytes': 'sb_%00%ff\u00e9',
      truncated: key.slice(0, -1),
    };
    for (const [what, k] of Object.entries(candidates)) {
      const res = await bearer('GET', '/api/v1/me', k);
      assertJsonError(res, 401, 'unauthorized');
      assert.match(res.headers['www-authenticate'] || '', /^Bearer/, `${what}: WWW-Authenticate`);
    }
    // An empty Bearer is not anonymous access either.
    const empty = await stack.request('GET', '/api/v1/me', { headers: { authorization: 'Bearer ' } });
    assert.equal(empty.status, 401);

    stack.sql(`UPDATE api_keys SET revoked_at = now() WHERE name = 'to-revoke'`);
    const revoked = await bearer('GET', '/api/v1/admin/ping', key);
    assertJsonError(revoked, 401, 'unauthorized');
    assert.match(revoked.headers['www-authenticate'] || '', /^Bearer/);
    // A wrong key is refused even with a valid session cookie alongside it.
    const mixed = await clients.admin.get('/api/v1/me', { headers: { authorization: `Bearer ${wrongSecret}` } });
    assert.equal(mixed.status, 401);
  });

  test('an API key on an HTML route is refused with 401', async () => {
    const key = createKey('admin', 'html-probe');
    for (const p of ['/', '/admin']) {
      const res = await bearer('GET', p, key);
      assert.equal(res.status, 401, `${p} with a key`);
      assert.doesNotMatch(res.body, /System health|Overview/);
      assert.match(res.headers['www-authenticate'] || '', /^Bearer/, 'every 401 names the scheme (RFC 9110 §15.5.2)');
    }
    // Writing through an HTML form route with a key is refused too.
    const out = await bearer('POST', '/logout', key, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    assert.equal(out.status, 401);
  });

  test('key roles: an admin key passes /api/v1/admin/ping, a viewer key gets 403 (audited)', async () => {
    const admin = createKey('admin', 'ops-admin');
    const res = await bearer('GET', '/api/v1/admin/ping', admin);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { data: { ok: true } });

    const viewer = createKey('viewer', 'ops-viewer');
    const since = maxAuditId();
    const denied = await bearer('GET', '/api/v1/admin/ping', viewer);
    assertJsonError(denied, 403, 'forbidden');
    assert.equal(
      stack.sql(`SELECT actor || '|' || (detail->>'reason') FROM audit_log WHERE id > ${since} AND action = 'security.forbidden'`),
      'ops-viewer|role',
    );
    for (const role of ['agent', 'manager']) {
      assertJsonError(await bearer('GET', '/api/v1/admin/ping', createKey(role, `ops-${role}`)), 403, 'forbidden');
    }
  });

  test('keys are stored hashed: the key text appears nowhere in api_keys', async () => {
    const key = createKey('viewer', 'hash-check');
    const secret = key.split('_').slice(2).join('_');
    assert.equal(Number(stack.sql(`SELECT count(*) FROM api_keys k WHERE k::text LIKE '%${key}%' OR k::text LIKE '%${secret}%'`)), 0);
    const sha = createHash('sha256').update(key).digest('hex');
    assert.equal(stack.sql(`SELECT key_hash FROM api_keys WHERE name = 'hash-check'`), sha);
    assert.equal(stack.sql(`SELECT prefix FROM api_keys WHERE name = 'hash-check'`), key.split('_').slice(0, 2).join('_'));
    // Two keys never share a secret.
    const again = createKey('viewer', 'hash-check-2');
    assert.notEqual(again, key);
  });
});

describe('tenancy', () => {
  // One org never sees another's rows: through the app (sessions of a second org), and
  // in PostgreSQL itself (row-level security enabled and forced, the application role
  // owns nothing and cannot bypass it).
  let demoId;
  let otherId;
  const BOSS = { email: 'boss@other.test', password: 'a long password here' };

  before(async () => {
    await stack.reset();
    const r = stack.cli(['user', 'add', '--org', 'other', '--email', BOSS.email, '--role', 'admin', '--name', 'Boss', '--password-stdin'], {
      input: `${BOSS.password}\n`,
    });
    assert.equal(r.status, 0, r.stderr);
    demoId = stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`);
    otherId = stack.sql(`SELECT id FROM orgs WHERE slug = 'other'`);
    assert.match(otherId, /^[0-9a-f-]{36}$/);
  });

  /** Runs SQL as the application role (switchboard_app), like the app does. A
   * multi-line query is fed as a script (so psql meta-commands work). */
  function appSql(query) {
    const script = query.includes('\n');
    const r = spawnSync(
      'psql',
      ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(stack.dir, 'pgsock'), '-U', 'switchboard_app', '-d', 'switchboard',
        ...(script ? ['-f', '-'] : ['-c', query])],
      { encoding: 'utf8', input: script ? query : undefined },
    );
    return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  }

  function appSqlOk(query) {
    const r = appSql(query);
    assert.equal(r.status, 0, `${query}: ${r.err}`);
    return r.out;
  }

  test('a session of org "other" sees only its own org', async () => {
    const c = stack.client();
    const res = await c.login(BOSS.email, BOSS.password);
    assert.equal(res.status, 303);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    const { data } = me.json();
    assert.equal(data.org.slug, 'other');
    assert.equal(data.org.id, otherId);
    assert.equal(data.user.email, BOSS.email);
    assert.equal(data.user.role, 'admin');
    // The admin page counts users under RLS: only the boss, not demo's users.
    const admin = await c.get('/admin');
    assert.equal(admin.status, 200);
    assert.match(admin.body, /<p class="big">1 users<\/p>/);
    const home = await c.get('/');
    assert.match(home.body, /id="org-name">other</);
    assert.doesNotMatch(home.body, /demo/i);

    // And demo's admin sees demo's users, not the boss.
    const demoAdmin = await stack.as('admin');
    const demoCount = stack.sql(`SELECT count(*) FROM users WHERE org_id = '${demoId}'`);
    assert.match((await demoAdmin.get('/admin')).body, new RegExp(`<p class="big">${demoCount} users</p>`));
    assert.equal((await demoAdmin.get('/api/v1/me')).json().data.org.slug, 'demo');
  });

  test('an API key of org "other" acts for org "other" only', async () => {
    const key = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'other-key', '--role', 'admin']).stdout.trim();
    const res = await stack.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.equal(res.json().data.org.id, otherId);
  });

  test('as switchboard_app, app.org_id decides which users are visible', () => {
    const demoUsers = stack.sql(`SELECT count(*) FROM users WHERE org_id = '${demoId}'`);
    const otherUsers = stack.sql(`SELECT count(*) FROM users WHERE org_id = '${otherId}'`);
    assert.ok(Number(demoUsers) >= 4);
    assert.equal(otherUsers, '1');
    assert.equal(appSqlOk(`SET app.org_id = '${demoId}'; SELECT count(*) FROM users`), demoUsers);
    assert.equal(appSqlOk(`SET app.org_id = '${otherId}'; SELECT count(*) FROM users`), otherUsers);
    assert.equal(appSqlOk(`SET app.org_id = '${demoId}'; SELECT count(*) FROM users WHERE org_id = '${otherId}'`), '0');
    assert.equal(appSqlOk(`SET app.org_id = '${demoId}'; SELECT string_agg(slug, ',') FROM orgs`), 'demo');
    // Transaction-local, as the app sets it: visible inside, gone after.
    const script = `BEGIN;
SELECT set_config('app.org_id', '${otherId}', true) \\g /dev/null
SELECT count(*) FROM users;
COMMIT;
SELECT count(*) FROM users;
`;
    assert.equal(appSqlOk(script), `${otherUsers}\n0`);
  });

  test('as switchboard_app without app.org_id, tenant tables show zero rows', () => {
    for (const t of ['users', 'orgs', 'sessions', 'api_keys', 'audit_log', 'org_secrets']) {
      assert.equal(appSqlOk(`SELECT count(*) FROM ${t}`), '0', t);
    }
    assert.equal(appSqlOk(`SET app.org_id = ''; SELECT count(*) FROM users`), '0');
    // login_attempts is reachable only through the SECURITY DEFINER functions.
    const direct = appSql('SELECT count(*) FROM login_attempts');
    assert.notEqual(direct.status, 0);
    assert.match(direct.err, /permission denied/);
  });

  test('as switchboard_app, writing another org’s rows fails (RLS WITH CHECK) or touches nothing', () => {
    const ins = appSql(
      `SET app.org_id = '${demoId}'; INSERT INTO users (org_id, email, role, password_hash) VALUES ('${otherId}', 'mole@other.test', 'admin', 'x')`,
    );
    assert.notEqual(ins.status, 0);
    assert.match(ins.err, /row-level security/);
    assert.equal(stack.sql(`SELECT count(*) FROM users WHERE email = 'mole@other.test'`), '0');

    // Moving a visible row into another org is refused as well.
    const move = appSql(`SET app.org_id = '${demoId}'; UPDATE users SET org_id = '${otherId}' WHERE email = 'viewer@demo.test'`);
    assert.notEqual(move.status, 0);
    assert.match(move.err, /row-level security/);

    // Updates and deletes aimed at the other org match no row.
    assert.equal(appSqlOk(`SET app.org_id = '${demoId}'; WITH u AS (UPDATE users SET name = 'pwned' WHERE org_id = '${otherId}' RETURNING 1) SELECT count(*) FROM u`), '0');
    assert.equal(appSqlOk(`SET app.org_id = '${demoId}'; WITH d AS (DELETE FROM users WHERE email = '${BOSS.email}' RETURNING 1) SELECT count(*) FROM d`), '0');
    assert.equal(stack.sql(`SELECT name FROM users WHERE email = '${BOSS.email}'`), 'Boss');

    // Without any org, even an insert for "its own" org has nothing to match.
    const none = appSql(`INSERT INTO api_keys (org_id, name, prefix, key_hash, role) VALUES ('${demoId}', 'x', 'sb_x', '${'a'.repeat(64)}', 'admin')`);
    assert.notEqual(none.status, 0);
    assert.match(none.err, /row-level security/);
  });

  test('switchboard_app owns nothing, is not a superuser and cannot bypass RLS', () => {
    assert.equal(stack.sql(`SELECT count(*) FROM pg_tables WHERE tableowner = 'switchboard_app'`), '0');
    assert.equal(
      stack.sql(`SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'switchboard_app'`),
      '0',
      'no table, view, sequence or index either',
    );
    assert.equal(stack.sql(`SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = 'switchboard_app'`), '0');
    assert.equal(stack.sql(`SELECT rolsuper || '|' || rolbypassrls || '|' || rolcreaterole || '|' || rolcreatedb FROM pg_roles WHERE rolname = 'switchboard_app'`), 'false|false|false|false');
    // …and is not a member of a role that could.
    assert.equal(
      stack.sql(`SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'switchboard_app' AND (g.rolsuper OR g.rolbypassrls OR g.rolname = 'switchboard')`),
      '0',
    );
    // The app really connects as that role.
    assert.match(stack.sql(`SELECT count(*) FROM pg_stat_activity WHERE usename = 'switchboard_app'`), /^[1-9]/);
  });

  test('every table with an org_id column has row-level security enabled and forced', () => {
    const rows = stack
      .sql(
        `SELECT c.relname || '|' || c.relrowsecurity || '|' || c.relforcerowsecurity
         FROM information_schema.columns col
         JOIN pg_class c ON c.relname = col.table_name AND c.relnamespace = col.table_schema::regnamespace
        WHERE col.table_schema = 'public' AND col.column_name = 'org_id' AND c.relkind IN ('r', 'p')
        ORDER BY 1`,
      )
      .split('\n');
    const names = rows.map((r) => r.split('|')[0]);
    for (const t of ['api_keys', 'audit_log', 'org_secrets', 'sessions', 'users']) assert.ok(names.includes(t), `${t} has org_id`);
    for (const r of rows) assert.match(r, /\|true\|true$/, `RLS enabled and forced: ${r}`);
    // Each of them has a policy, and so does orgs (keyed on id).
    const unpoliced = stack.sql(
      `SELECT string_agg(c.relname, ',') FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        AND (c.relname = 'orgs' OR EXISTS (SELECT 1 FROM information_schema.columns col
                                             WHERE col.table_schema = 'public' AND col.table_name = c.relname AND col.column_name = 'org_id'))
        AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)`,
    );
    assert.equal(unpoliced, '');
    assert.equal(stack.sql(`SELECT relrowsecurity || '|' || relforcerowsecurity FROM pg_class WHERE oid = 'public.orgs'::regclass`), 'true|true');
  });
});
