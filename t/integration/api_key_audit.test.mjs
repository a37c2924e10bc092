// api_key_audit.test.mjs — using an API key is a security event: one audit row per
// key per minute (action api_key.use, the key as entity, the address), and the key
// records when and from where it was last used.
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

function createKey(name) {
  const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', name, '--role', 'viewer']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const uses = (name) => Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'api_key.use' AND actor = '${name}'`));
const me = (key) => stack.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${key}` } });

test('a key is audited once a minute, each key on its own', async () => {
  const a = createKey('audited-a'), b = createKey('audited-b');
  for (let i = 0; i < 3; i++) assert.equal((await me(a)).status, 200);
  assert.equal(uses('audited-a'), 1);
  assert.equal(uses('audited-b'), 0);
  assert.equal((await me(b)).status, 200);
  assert.equal(uses('audited-b'), 1);
  const row = stack.sql(`SELECT entity || '|' || (entity_id = k.id::text) || '|' || ip || '|' || (a.org_id = k.org_id)
                           FROM audit_log a JOIN api_keys k ON k.name = a.actor
                          WHERE a.action = 'api_key.use' AND a.actor = 'audited-a'`);
  assert.equal(row, 'api_key|true|127.0.0.1|true');
  assert.equal(stack.sql("SELECT last_used_ip FROM api_keys WHERE name = 'audited-a'"), '127.0.0.1');
  // A minute later the next use is audited again.
  stack.sql("UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE name = 'audited-a'");
  assert.equal((await me(a)).status, 200);
  assert.equal(uses('audited-a'), 2);
});

test('a revoked or unknown key writes no use', async () => {
  const before = Number(stack.sql("SELECT count(*) FROM audit_log WHERE action = 'api_key.use'"));
  assert.equal((await me('sb_00000000_' + 'x'.repeat(43))).status, 401);
  assert.equal(Number(stack.sql("SELECT count(*) FROM audit_log WHERE action = 'api_key.use'")), before);
});
