// roles_apikeys.test.mjs — role checks on admin routes (HTML and JSON, audited) and
// API keys: Bearer authentication, wrong/revoked keys, keys only on API routes,
// key roles, keys stored hashed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Stack } from '../lib/stack.mjs';

let stack;
const clients = {};

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
});

after(async () => {
  if (stack) await stack.stop();
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
