// tenancy.test.mjs — one org never sees another's rows: through the app (sessions
// of a second org), and in PostgreSQL itself (row-level security enabled and
// forced, the application role owns nothing and cannot bypass it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';

let stack;
let demoId;
let otherId;
const BOSS = { email: 'boss@other.test', password: 'a long password here' };

before(async () => {
  stack = await Stack.start();
  const r = stack.cli(['user', 'add', '--org', 'other', '--email', BOSS.email, '--role', 'admin', '--name', 'Boss', '--password-stdin'], {
    input: `${BOSS.password}\n`,
  });
  assert.equal(r.status, 0, r.stderr);
  demoId = stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`);
  otherId = stack.sql(`SELECT id FROM orgs WHERE slug = 'other'`);
  assert.match(otherId, /^[0-9a-f-]{36}$/);
});

after(async () => {
  if (stack) await stack.stop();
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
