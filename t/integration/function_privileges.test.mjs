// function_privileges.test.mjs — SECURITY DEFINER functions run with the owner's
// rights, so none may be executable by PUBLIC (any role that can log in): a fresh
// role cannot read an org's sealed secrets through sb_webhook_org; the application
// role may repair only its own tenant's rollups, the owner any.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';

let stack, demoOrg, otherOrg;
const FRESH = `sbt_fresh_${process.pid}`;

before(async () => {
  stack = await Stack.start({ workers: 1 });
  assert.equal(stack.cli(['org', 'set', 'other', 'name=Other']).status, 0);
  demoOrg = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherOrg = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  psql('postgres', `CREATE ROLE ${FRESH} LOGIN; GRANT CONNECT ON DATABASE switchboard TO ${FRESH};
    GRANT USAGE ON SCHEMA public TO ${FRESH}`);
});

after(async () => {
  if (stack) await stack.stop();
});

// psql as any role of the stack's cluster; {status, out, err}.
function psql(user, sql) {
  const r = spawnSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(stack.dir, 'pgsock'),
    '-U', user, '-d', 'switchboard', '-c', sql], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

function ok(user, sql) {
  const r = psql(user, sql);
  assert.equal(r.status, 0, `${user}: ${sql}: ${r.err}`);
  return r.out;
}

test('no SECURITY DEFINER function is executable by PUBLIC', () => {
  // proacl NULL means the default privileges, which include EXECUTE for PUBLIC (grantee 0).
  const open = ok('switchboard', `SELECT p.oid::regprocedure FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                    WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
     ORDER BY 1`);
  assert.equal(open, '', `executable by PUBLIC:\n${open}`);
  assert.ok(Number(ok('switchboard', 'SELECT count(*) FROM pg_proc WHERE prosecdef')) > 10, 'the check saw the functions');
});

test('a fresh role can call neither sb_webhook_org nor sb_call_rollups_repair', () => {
  const secrets = psql(FRESH, "SELECT org_id FROM sb_webhook_org('demo')");
  assert.notEqual(secrets.status, 0);
  assert.match(secrets.err, /permission denied for function sb_webhook_org/);
  const repair = psql(FRESH, `SELECT sb_call_rollups_repair('${demoOrg}', current_date)`);
  assert.notEqual(repair.status, 0);
  assert.match(repair.err, /permission denied for function sb_call_rollups_repair/);
  // the application role keeps what it needs
  assert.equal(ok('switchboard_app', "SELECT org_id FROM sb_webhook_org('demo')"), demoOrg);
});

test('the application role repairs its own tenant only; the owner repairs any', () => {
  const asTenant = (org, call) => psql('switchboard_app',
    `BEGIN; SELECT set_config('app.org_id', '${org}', true); SELECT ${call}; COMMIT;`);
  const own = asTenant(demoOrg, `sb_call_rollups_repair('${demoOrg}', current_date)`);
  assert.equal(own.status, 0, own.err);
  const other = asTenant(demoOrg, `sb_call_rollups_repair('${otherOrg}', current_date)`);
  assert.notEqual(other.status, 0, 'another tenant refused');
  assert.match(other.err, /is not the current tenant/);
  const none = psql('switchboard_app', `SELECT sb_call_rollups_repair('${otherOrg}', current_date)`);
  assert.notEqual(none.status, 0, 'no tenant set: refused');
  assert.match(none.err, /is not the current tenant/);
  ok('switchboard', `SELECT sb_call_rollups_repair('${otherOrg}', current_date)`);
  ok('switchboard', `SELECT sb_call_rollups_repair('${demoOrg}', current_date)`);
});
