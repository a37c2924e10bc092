// admin_api_keys.test.mjs — /admin/api-keys and /api/v1/admin/api-keys: creating a key
// (shown once, stored hashed, prefix visible, role, name, optional expiry), the list
// with the last use, revoking (refused on the next request by every worker, keys the
// workers remember included); validation per field, 403, 404 for another org, CSRF.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack, admin;

before(async () => {
  stack = await Stack.start();
  admin = await stack.as('admin');
});

after(async () => {
  if (stack) await stack.stop();
});

const sha256hex = (s) => createHash('sha256').update(s).digest('hex');
const keyOnPage = (body) => {
  const m = /id="new-key" class="one-time" value="(sb_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"/.exec(body);
  assert.ok(m, 'the new key is shown');
  return m[1];
};

async function createViaJson(body) {
  return admin.request('POST', '/api/v1/admin/api-keys', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
    body: JSON.stringify(body),
  });
}

test('create from the page: shown once, stored hashed with its prefix, audited, usable with its role', async () => {
  const page = await admin.get('/admin/api-keys');
  assert.equal(page.status, 200);
  const res = await admin.post('/admin/api-keys', { name: 'Reporting', role: 'viewer', expires_on: '' });
  assert.equal(res.status, 201);
  assert.equal(res.headers['cache-control'], 'no-store');
  const key = keyOnPage(res.body);
  const row = stack.sql(`SELECT prefix || '|' || role || '|' || (key_hash = '${sha256hex(key)}') || '|' || (created_by IS NOT NULL) FROM api_keys WHERE name = 'Reporting'`);
  assert.equal(row, `${key.slice(0, 11)}|viewer|true|true`);
  assert.equal(stack.sql(`SELECT count(*) FROM api_keys WHERE key_hash = '${key}'`), '0');
  const id = stack.sql("SELECT id FROM api_keys WHERE name = 'Reporting'");
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'api_key.create' AND entity_id = '${id}'`), '1');
  assert.equal((await stack.api(key, 'GET', '/api/v1/me')).json().data.user.role, 'viewer');
  assert.equal((await stack.api(key, 'GET', '/api/v1/admin/users')).status, 403);
  // The list shows the prefix and the last use (time and address), never the key.
  const list = await admin.get('/admin/api-keys');
  assert.match(list.body, new RegExp(key.slice(0, 11)));
  assert.doesNotMatch(list.body, new RegExp(key.slice(12)));
  assert.match(list.body, /127\.0\.0\.1/);
  const json = (await admin.get('/api/v1/admin/api-keys')).json();
  const k = json.data.find((x) => x.id === id);
  assert.equal(k.prefix, key.slice(0, 11));
  assert.equal(k.last_used_ip, '127.0.0.1');
  assert.ok(k.last_used_at);
  assert.equal(k.status, 'active');
  assert.equal(k.key, undefined);
});

test('create: a message per field, the form keeps what was typed', async () => {
  const bad = await admin.post('/admin/api-keys', { name: '', role: 'root', expires_on: '2020-13-40' });
  assert.equal(bad.status, 400);
  for (const f of ['name', 'role', 'expires_on']) assert.match(bad.body, new RegExp(`id="e-${f}"`), f);
  const past = await admin.post('/admin/api-keys', { name: 'Kept name', role: 'viewer', expires_on: '2020-01-01' });
  assert.equal(past.status, 400);
  assert.match(past.body, /value="Kept name"/);
  assert.match(past.body, /id="e-expires_on"/);
  const json = await createViaJson({ name: 'x'.repeat(101), role: 'viewer' });
  assert.equal(json.status, 400);
  assert.deepEqual(Object.keys(json.json().error.fields), ['name']);
  assert.equal(stack.sql("SELECT count(*) FROM api_keys WHERE name = 'Kept name'"), '0');
});

test('an expiry: the key works until then, and not after (remembered by a worker or not)', async () => {
  const res = await createViaJson({ name: 'Expiring', role: 'manager', expires_on: '2099-12-31' });
  assert.equal(res.status, 201);
  const { key, id, expires_at: expires } = res.json().data;
  // The end of that day in the org's time zone.
  assert.equal(expires, stack.sql(`SELECT to_char(('2100-01-01'::timestamp AT TIME ZONE timezone) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM orgs WHERE slug = 'demo'`));
  for (let i = 0; i < 9; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 200);
  stack.sql(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = '${id}'`);
  for (let i = 0; i < 9; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await admin.get('/api/v1/admin/api-keys')).json().data.find((x) => x.id === id).status, 'expired');
});

test('revoke: asks first, then the key stops working on the next request on every worker', async () => {
  const res = await createViaJson({ name: 'Revoked soon', role: 'admin' });
  const { key, id } = res.json().data;
  // Every worker (3) remembers it.
  for (let i = 0; i < 12; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/admin/ping')).status, 200);
  const confirm = await admin.get(`/admin/api-keys/${id}/revoke`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /Revoke the API key/);
  assert.equal((await admin.post(`/admin/api-keys/${id}/revoke`)).status, 303);
  for (let i = 0; i < 12; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/admin/ping')).status, 401);
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'api_key.revoke' AND entity_id = '${id}'`), '1');
  assert.match((await admin.get(`/admin/api-keys/${id}/revoke`)).body, /already revoked/);
  // Through the API, with the key revoking itself.
  const other = (await createViaJson({ name: 'Self revoking', role: 'admin' })).json().data;
  const self = await stack.api(other.key, 'POST', `/api/v1/admin/api-keys/${other.id}/revoke`);
  assert.equal(self.status, 200);
  assert.equal(self.json().data.status, 'revoked');
  assert.equal((await stack.api(other.key, 'GET', '/api/v1/me')).status, 401);
});

test('non-admins 403, CSRF refused, another org 404', async () => {
  for (const role of ['manager', 'viewer']) {
    const c = await stack.as(role);
    assert.equal((await c.get('/admin/api-keys')).status, 403);
    assert.equal((await c.get('/api/v1/admin/api-keys')).status, 403);
    assert.equal((await c.post('/admin/api-keys', { name: 'nope', role: 'admin' })).status, 403);
  }
  assert.equal((await admin.post('/admin/api-keys', { name: 'no csrf', role: 'admin', csrf_token: null })).status, 403);
  assert.equal(stack.sql("SELECT count(*) FROM api_keys WHERE name IN ('nope', 'no csrf')"), '0');
  const { key, id } = (await createViaJson({ name: 'Csrf target', role: 'viewer' })).json().data;
  assert.equal((await admin.post(`/admin/api-keys/${id}/revoke`, { csrf_token: 'forged' })).status, 403);
  assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 200);

  otherOrg(stack, 'keys-elsewhere');
  stack.cli(['apikey', 'create', '--org', 'keys-elsewhere', '--name', 'foreign', '--role', 'admin']);
  const foreign = stack.sql("SELECT id FROM api_keys WHERE name = 'foreign'");
  assert.equal((await admin.get(`/admin/api-keys/${foreign}/revoke`)).status, 404);
  assert.equal((await admin.post(`/admin/api-keys/${foreign}/revoke`)).status, 404);
  assert.equal(stack.sql(`SELECT revoked_at IS NULL FROM api_keys WHERE id = '${foreign}'`), 't');
  assert.doesNotMatch((await admin.get('/admin/api-keys')).body, /foreign/);
  assert.equal((await admin.post('/admin/api-keys/not-a-uuid/revoke')).status, 404);
});
