// cli.test.mjs — the `switchboard` binary (README.md "Commands"): help and usage
// errors, configuration validation (one line per problem, exit non-zero, never a crash,
// never a secret), migrate --status and the checksum guard, user / apikey / org.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { Stack, BIN, REPO } from '../lib/stack.mjs';

let stack;
let tmp;

before(async () => {
  stack = await Stack.start({ workers: 2 });
  tmp = mkdtempSync('/tmp/sbt-cli-');
  chmodSync(tmp, 0o755);
});

after(async () => {
  if (stack) await stack.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs the binary with a clean SWITCHBOARD_* environment plus env. */
function run(args, { env = {}, input = '', config } = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));
  const argv = config === null ? args : ['--config', config || stack.config, ...args];
  const r = spawnSync(BIN, argv, { input, encoding: 'utf8', env: { ...clean, ...env }, timeout: 60000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const lines = (text) => text.split('\n').filter(Boolean);

function assertNoCrash(r, what) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
  assert.ok(r.status !== null && r.status < 128, `${what}: exit ${r.status}`);
}

// ---- help and usage --------------------------------------------------------------

test('--help and --version print on stdout and exit 0', () => {
  const h = run(['--help'], { config: null });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: switchboard/);
  for (const c of ['serve', 'migrate', 'seed', 'user', 'apikey', 'org']) assert.match(h.stdout, new RegExp(`\\b${c}\\b`));
  assert.equal(h.stderr, '');
  const v = run(['--version'], { config: null });
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^switchboard \d+\.\d+/);
  assert.equal(v.stderr, '');
});

test('COMMAND --help exits 0 with usage on stdout, without needing a config', () => {
  for (const c of ['serve', 'migrate', 'seed', 'user', 'apikey', 'org']) {
    const r = run([c, '--help'], { config: null, env: { SWITCHBOARD_CONFIG: '/nonexistent/switchboard.conf' } });
    assert.equal(r.status, 0, `${c} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage: switchboard .*${c}`), c);
    assert.equal(r.stderr, '', c);
  }
  const sub = run(['user', 'add', '--help'], { config: null });
  assert.equal(sub.status, 0);
  assert.match(sub.stdout, /--password-stdin/);
});

test('usage errors exit 2 with a message on stderr', () => {
  const cases = [
    [[], 'no command'],
    [['frobnicate'], 'unknown command'],
    [['--bogus'], 'unknown global option'],
    [['migrate', '--bogus'], 'unknown option'],
    [['serve', 'extra'], 'unexpected argument'],
    [['user'], 'missing subcommand'],
    [['user', 'frob', '--email', 'a@b.c'], 'unknown subcommand'],
    [['user', 'add', '--org'], 'option missing its argument'],
    [['user', 'add', '--email', 'x@demo.test', '--role', 'agent', '--password-stdin'], 'missing --org'],
    [['user', 'add', '--org', 'demo', '--email', 'x@demo.test', '--role', 'boss', '--password-stdin'], 'bad role'],
    [['user', 'passwd', '--password-stdin'], 'missing --email'],
    [['apikey'], 'missing subcommand'],
    [['apikey', 'create', '--org', 'demo'], 'missing --name/--role'],
    [['apikey', 'create', '--org', 'demo', '--name', 'k', '--role', 'root'], 'bad role'],
    [['apikey', 'list'], 'list without --org'],
    [['apikey', 'list', '--org', 'demo', 'extra'], 'list with an argument'],
    [['apikey', 'revoke', '--org', 'demo'], 'revoke without a key'],
    [['apikey', 'revoke', 'sb_00000000'], 'revoke without --org'],
    [['apikey', 'revoke', '--org', 'demo', 'a', 'b'], 'revoke with two keys'],
    [['apikey', 'delete'], 'unknown apikey subcommand'],
    [['org'], 'missing subcommand'],
    [['org', 'show'], 'missing slug'],
    [['org', 'show', 'a', 'b'], 'extra slug'],
    [['org', 'set', 'demo'], 'no assignment'],
    [['org', 'set', 'demo', 'timezone'], 'no ='],
    [['org', 'set', 'demo', 'colour=red'], 'unknown org setting'],
    [['seed'], 'seed without --demo'],
    [['seed', '--demo', '--calls', 'many'], 'bad number'],
  ];
  for (const [args, what] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${what} (${args.join(' ')}): exit ${r.status}, stderr ${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0, `${what}: a message on stderr`);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  }
  const noPath = run(['--config'], { config: null });
  assert.equal(noPath.status, 2);
  assert.match(noPath.stderr, /--config needs a PATH/);
});

// ---- configuration validation ----------------------------------------------------

const SECRET_SHORT = 'tiny-Secret-Q7';

test('config: environment overrides are validated, one line per problem, no secret printed', () => {
  const cases = [
    [{ SWITCHBOARD_SECRET_KEY: SECRET_SHORT }, ['config: SWITCHBOARD_SECRET_KEY: must be at least 32 bytes']],
    [{ SWITCHBOARD_WORKERS: '0' }, ['config: SWITCHBOARD_WORKERS: is out of range']],
    [{ SWITCHBOARD_WORKERS: 'abc' }, ['config: SWITCHBOARD_WORKERS: must be a whole number']],
    [{ SWITCHBOARD_WORKERS: '99999' }, ['config: SWITCHBOARD_WORKERS: is out of range']],
    [{ SWITCHBOARD_WORKERS: '99999999999999999999999' }, ['config: SWITCHBOARD_WORKERS: must be a whole number']],
    [{ SWITCHBOARD_BODY_LIMIT: '-5' }, ['config: SWITCHBOARD_BODY_LIMIT: is out of range']],
    [{ SWITCHBOARD_LISTEN: 'nowhere' }, ['config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)']],
    [{ SWITCHBOARD_LOG_LEVEL: 'chatty' }, ['config: SWITCHBOARD_LOG_LEVEL: must be debug, info, warn or error']],
    [{ SWITCHBOARD_DATABASE_URL: '' }, ['config: SWITCHBOARD_DATABASE_URL: is required']],
    // several problems at once: every one is reported, each on its own line
    [{ SWITCHBOARD_SECRET_KEY: SECRET_SHORT, SWITCHBOARD_WORKERS: '0', SWITCHBOARD_MAX_REQUESTS: 'x' },
      ['config: SWITCHBOARD_WORKERS: is out of range', 'config: SWITCHBOARD_MAX_REQUESTS: must be a whole number',
        'config: SWITCHBOARD_SECRET_KEY: must be at least 32 bytes']],
  ];
  for (const [env, expected] of cases) {
    const what = JSON.stringify(env);
    const r = run(['migrate', '--status'], { env });
    assertNoCrash(r, what);
    assert.equal(r.status, 1, `${what}: exit ${r.status}`);
    assert.deepEqual(lines(r.stderr).sort(), [...expected].sort(), what);
    assert.equal(r.stdout, '', `${what}: nothing done`);
    assert.ok(!r.stderr.includes(SECRET_SHORT) && !r.stdout.includes(SECRET_SHORT), `${what}: secret not printed`);
  }
  // the same validation guards `serve`: it exits before binding anything
  const s = run(['serve'], { env: { SWITCHBOARD_SECRET_KEY: SECRET_SHORT } });
  assert.equal(s.status, 1);
  assert.deepEqual(lines(s.stderr), ['config: SWITCHBOARD_SECRET_KEY: must be at least 32 bytes']);
});

test('config: file problems are reported with file:line, never with a secret', () => {
  const secret = readFileSync(stack.config, 'utf8').match(/^secret_key = (.*)$/m)[1];
  const bad = path.join(tmp, 'bad.conf');
  const base = readFileSync(stack.config, 'utf8');
  const baseLines = base.split('\n').length - (base.endsWith('\n') ? 1 : 0);
  writeFileSync(bad, base +
    'no_such_setting = 1\n' + // +1
    'this line has no equals sign ' + secret + '\n' + // +2
    'workers = lots\n' + // +3
    'secret_kye = ' + secret + '\n' + // +4: a misspelt key must not echo the value
    '   # a comment and an empty line are fine\n\n');
  const r = run(['migrate', '--status'], { config: bad });
  assertNoCrash(r, 'bad file');
  assert.equal(r.status, 1);
  assert.deepEqual(lines(r.stderr), [
    `config: ${bad}:${baseLines + 1}: unknown setting 'no_such_setting'`,
    `config: ${bad}:${baseLines + 2}: expected 'key = value'`,
    `config: ${bad}:${baseLines + 3}: SWITCHBOARD_WORKERS: must be a whole number`,
    `config: ${bad}:${baseLines + 4}: unknown setting 'secret_kye'`,
  ]);
  assert.ok(!r.stderr.includes(secret), 'the secret key never appears');

  // an over-long line is one problem, not pieces of a secret parsed as lines
  const longSecret = 'A'.repeat(8300) + '=leak' + 'B'.repeat(40) + '=tail';
  const long = path.join(tmp, 'long.conf');
  writeFileSync(long, base + `secret_key = ${longSecret}\n`);
  const l = run(['migrate', '--status'], { config: long });
  assertNoCrash(l, 'long line');
  assert.equal(l.status, 1);
  assert.deepEqual(lines(l.stderr), [`config: ${long}:${baseLines + 1}: line longer than 8190 bytes`]);
  assert.ok(!/leak|BBBB|AAAA/.test(l.stderr));

  // an explicit config that does not exist
  const missing = run(['migrate', '--status'], { config: path.join(tmp, 'missing.conf') });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^config: .*missing\.conf: cannot open: No such file or directory$/m);
});

// ---- migrate -------------------------------------------------------------------

test('migrate --status lists 0001_init.sql as applied; migrate again is a no-op', () => {
  const r = run(['migrate', '--status']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^0001_init\.sql\s+applied$/m);
  assert.doesNotMatch(r.stdout, /pending/);
  const again = run(['migrate']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /up to date/);
});

test('migrate refuses an applied migration that was changed', () => {
  const sqlDir = path.join(tmp, 'sql');
  cpSync(path.join(REPO, 'sql'), sqlDir, { recursive: true });
  appendFileSync(path.join(sqlDir, '0001_init.sql'), '\n-- edited after it was applied\n');
  const before = stack.sql('SELECT count(*) FROM schema_migrations');
  for (const args of [['migrate'], ['migrate', '--status']]) {
    const r = run(args, { env: { SWITCHBOARD_SQL_DIR: sqlDir } });
    assertNoCrash(r, args.join(' '));
    assert.notEqual(r.status, 0, `${args.join(' ')} must refuse`);
    assert.match(r.stderr, /0001_init\.sql/);
    assert.match(r.stderr, /changed|checksum/);
  }
  assert.equal(stack.sql('SELECT count(*) FROM schema_migrations'), before);
});

// ---- users -----------------------------------------------------------------------

const PW = 'correct horse battery';

test('user add / passwd / disable', async () => {
  // too short: refused, nothing created
  const short = run(['user', 'add', '--org', 'demo', '--email', 'cli@demo.test', '--role', 'agent', '--password-stdin'], { input: 'short-pw\n' });
  assert.equal(short.status, 1);
  assert.match(short.stderr, /at least 12 characters/);
  assert.equal(stack.sql("SELECT count(*) FROM users WHERE email = 'cli@demo.test'"), '0');
  // 11 characters is still too short; 12 multi-byte characters are enough
  assert.equal(run(['user', 'add', '--org', 'demo', '--email', 'cli@demo.test', '--role', 'agent', '--password-stdin'], { input: 'elevenchars\n' }).status, 1);

  const add = run(['user', 'add', '--org', 'demo', '--email', 'cli@demo.test', '--role', 'agent', '--name', 'Cli User', '--password-stdin'], { input: PW + '\n' });
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /created user cli@demo\.test/);
  assert.ok(!add.stdout.includes(PW) && !add.stderr.includes(PW), 'the password is not printed');
  assert.equal(stack.sql("SELECT role || ' ' || name FROM users WHERE email = 'cli@demo.test'"), 'agent Cli User');
  assert.ok(!stack.sql("SELECT password_hash FROM users WHERE email = 'cli@demo.test'").includes(PW));

  const dup = run(['user', 'add', '--org', 'demo', '--email', 'CLI@demo.test', '--role', 'agent', '--password-stdin'], { input: PW + '\n' });
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /already exists/);

  const badEmail = run(['user', 'add', '--org', 'demo', '--email', 'not-an-email', '--role', 'agent', '--password-stdin'], { input: PW + '\n' });
  assert.equal(badEmail.status, 1);
  assert.equal(stack.sql("SELECT count(*) FROM users WHERE email = 'not-an-email'"), '0');

  // user add creates a missing org, with the user, in one transaction
  const neworg = run(['user', 'add', '--org', 'cli-org', '--email', 'boss@cli-org.test', '--role', 'admin', '--password-stdin'], { input: PW + '\n' });
  assert.equal(neworg.status, 0, neworg.stderr);
  assert.equal(stack.sql("SELECT count(*) FROM orgs WHERE slug = 'cli-org'"), '1');

  // the new user can sign in
  const c = stack.client();
  assert.equal((await c.login('cli@demo.test', PW)).status, 303);
  assert.equal((await c.get('/api/v1/me')).status, 200);

  // passwd: short refused (old password still works), then changed; sessions end
  const shortPw = run(['user', 'passwd', '--email', 'cli@demo.test', '--password-stdin'], { input: 'x\n' });
  assert.equal(shortPw.status, 1);
  const PW2 = 'another long passphrase';
  const pw = run(['user', 'passwd', '--email', 'cli@demo.test', '--password-stdin'], { input: PW2 + '\n' });
  assert.equal(pw.status, 0, pw.stderr);
  assert.equal((await c.get('/api/v1/me')).status, 401, 'passwd ended the session');
  assert.notEqual((await stack.client().login('cli@demo.test', PW)).status, 303, 'old password refused');
  const c2 = stack.client();
  assert.equal((await c2.login('cli@demo.test', PW2)).status, 303, 'new password works');
  const nobody = run(['user', 'passwd', '--email', 'nobody@demo.test', '--password-stdin'], { input: PW2 + '\n' });
  assert.equal(nobody.status, 1);
  assert.match(nobody.stderr, /no user/);

  // disable: sessions end, sign-in refused
  const dis = run(['user', 'disable', '--email', 'cli@demo.test']);
  assert.equal(dis.status, 0, dis.stderr);
  assert.equal(stack.sql("SELECT disabled FROM users WHERE email = 'cli@demo.test'"), 't');
  assert.equal((await c2.get('/api/v1/me')).status, 401);
  assert.notEqual((await stack.client().login('cli@demo.test', PW2)).status, 303);
});

// ---- API keys --------------------------------------------------------------------

test('apikey create prints the key once and stores only its hash', async () => {
  const r = run(['apikey', 'create', '--org', 'demo', '--name', 'cli key', '--role', 'viewer']);
  assert.equal(r.status, 0, r.stderr);
  const key = lines(r.stdout)[0];
  assert.equal(lines(r.stdout).length, 1, 'only the key on stdout');
  assert.match(key, /^sb_[A-Za-z0-9_-]{20,}$/);
  assert.ok(!r.stderr.includes(key), 'not repeated on stderr');
  const stored = stack.sql("SELECT row_to_json(k)::text FROM api_keys k WHERE name = 'cli key'");
  assert.ok(stored.length > 0);
  assert.ok(!stored.includes(key), 'the key itself is not stored');
  const me = await stack.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${key}` } });
  assert.equal(me.status, 200);
  assert.equal(me.json().data.user.role, 'viewer');
  const noOrg = run(['apikey', 'create', '--org', 'no-such-org', '--name', 'k', '--role', 'viewer']);
  assert.equal(noOrg.status, 1);
  assert.match(noOrg.stderr, /no org/);
  assert.equal(noOrg.stdout, '');
});

test('apikey --help names create, list and revoke', () => {
  const r = run(['apikey', '--help'], { config: null });
  assert.equal(r.status, 0);
  for (const sub of ['create', 'list', 'revoke']) assert.match(r.stdout, new RegExp(`switchboard apikey ${sub}`));
});

test('apikey list shows each key with its status and last use; revoke stops it at once', async () => {
  const key = lines(run(['apikey', 'create', '--org', 'demo', '--name', 'listed key', '--role', 'manager']).stdout)[0];
  const prefix = key.slice(0, 11);
  for (let i = 0; i < 6; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 200);
  const list = run(['apikey', 'list', '--org', 'demo']);
  assert.equal(list.status, 0, list.stderr);
  const rows = lines(list.stdout).map((l) => l.split('\t'));
  assert.deepEqual(rows[0], ['ID', 'PREFIX', 'NAME', 'ROLE', 'STATUS', 'CREATED', 'EXPIRES', 'LAST_USED', 'LAST_USED_IP']);
  const row = rows.find((r) => r[2] === 'listed key');
  assert.ok(row, 'the key is listed');
  assert.equal(row[1], prefix);
  assert.equal(row[3], 'manager');
  assert.equal(row[4], 'active');
  assert.match(row[7], /^\d{4}-\d\d-\d\dT/);
  assert.equal(row[8], '127.0.0.1');
  assert.ok(!list.stdout.includes(key.slice(12)), 'never the secret');

  const byPrefix = run(['apikey', 'revoke', '--org', 'demo', prefix]);
  assert.equal(byPrefix.status, 0, byPrefix.stderr);
  for (let i = 0; i < 6; i++) assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 401);
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'api_key.revoke' AND entity_id = '${row[0]}' AND actor = 'cli'`), '1');
  assert.equal(lines(run(['apikey', 'list', '--org', 'demo']).stdout).find((l) => l.includes('listed key')).split('\t')[4], 'revoked');

  const other = lines(run(['apikey', 'create', '--org', 'demo', '--name', 'by id', '--role', 'viewer']).stdout)[0];
  const id = stack.sql("SELECT id FROM api_keys WHERE name = 'by id'");
  assert.equal(run(['apikey', 'revoke', '--org', 'demo', id]).status, 0);
  assert.equal((await stack.api(other, 'GET', '/api/v1/me')).status, 401);
  // Unknown keys, and keys of another org, are not found.
  const unknown = run(['apikey', 'revoke', '--org', 'demo', 'sb_ffffffff']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no API key/);
  run(['user', 'add', '--org', 'cli-other', '--email', 'admin@cli-other.test', '--role', 'admin', '--password-stdin'], { input: 'another long password\n' });
  const foreign = lines(run(['apikey', 'create', '--org', 'cli-other', '--name', 'foreign', '--role', 'viewer']).stdout)[0];
  assert.equal(run(['apikey', 'revoke', '--org', 'demo', foreign.slice(0, 11)]).status, 1);
  assert.equal((await stack.api(foreign, 'GET', '/api/v1/me')).status, 200);
  assert.equal(run(['apikey', 'list', '--org', 'no-such-org']).status, 1);
});

// ---- org settings ------------------------------------------------------------------

const orgRow = (slug) => stack.sql(`SELECT name, timezone, currency, quiet_hours, recording_retention_days FROM orgs WHERE slug = '${slug}'`);

test('org set / show: settings, encrypted provider secrets, hint only', () => {
  const token = 'tw-auth-token-0123456789abcdef';
  // A secret on the command line (visible to every local user) is refused, nothing set.
  const onArgv = run(['org', 'set', 'demo', 'timezone=Europe/Paris', `twilio_auth_token=${token}`]);
  assert.equal(onArgv.status, 2);
  assert.match(onArgv.stderr, /twilio_auth_token is a secret: name it alone and give its value on standard input/);
  assert.ok(!onArgv.stderr.includes(token));
  assert.notEqual(orgRow('demo').split('|')[1], 'Europe/Paris');
  // Named alone, with its value on standard input; a missing line is an error.
  const noValue = run(['org', 'set', 'demo', 'twilio_auth_token'], { input: '' });
  assert.equal(noValue.status, 1);
  assert.match(noValue.stderr, /no value for twilio_auth_token on standard input/);
  const set = run(['org', 'set', 'demo', 'timezone=Europe/Paris', 'currency=EUR', 'quiet_hours=20:30-07:45',
    'recording_retention_days=90', 'twilio_auth_token', 'name=Demo Company'], { input: `${token}\n` });
  assert.equal(set.status, 0, set.stderr);
  assert.ok(!set.stdout.includes(token) && !set.stderr.includes(token));
  assert.equal(orgRow('demo'), 'Demo Company|Europe/Paris|EUR|20:30-07:45|90');

  // the secret is sealed: no plaintext in the table, in any encoding we can think of
  const row = stack.sql("SELECT encode(s.ciphertext, 'hex') || ' ' || encode(s.ciphertext, 'escape') || ' ' || s.hint FROM org_secrets s JOIN orgs o ON o.id = s.org_id WHERE o.slug = 'demo' AND s.key = 'twilio_auth_token'");
  assert.ok(row.length > 0, 'stored');
  assert.ok(!row.includes(token));
  assert.ok(!row.includes(Buffer.from(token).toString('hex')));
  assert.equal(stack.sql(`SELECT count(*) FROM org_secrets WHERE position(convert_to('${token}', 'UTF8') in ciphertext) > 0`), '0');

  const show = run(['org', 'show', 'demo']);
  assert.equal(show.status, 0, show.stderr);
  assert.ok(!show.stdout.includes(token), 'org show never prints the secret');
  assert.match(show.stdout, /^twilio_auth_token\s+\*{4}cdef$/m, 'only a hint');
  assert.match(show.stdout, /^timezone\s+Europe\/Paris$/m);
  assert.match(show.stdout, /^currency\s+EUR$/m);
  assert.match(show.stdout, /^vapi_secret\s+\(not set\)$/m);
  // The per-provider send limits: the cautious defaults, and a value set.
  assert.match(show.stdout, /^twilio_rate_per_s\s+1$/m);
  assert.match(show.stdout, /^sendgrid_rate_per_s\s+100$/m);
  assert.equal(run(['org', 'set', 'demo', 'twilio_rate_per_s=25']).status, 0);
  assert.match(run(['org', 'show', 'demo']).stdout, /^twilio_rate_per_s\s+25$/m);

  const missing = run(['org', 'show', 'no-such-org']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no org/);
});

test('org set: recording download hosts (validated) and retention kept forever when empty', () => {
  const ok = run(['org', 'set', 'demo', 'recording_download_hosts=storage.vapi.ai, .twilio.com', 'recording_retention_days=']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(stack.sql("SELECT recording_download_hosts || '|' || coalesce(recording_retention_days::text, 'forever') FROM orgs WHERE slug = 'demo'"),
    'storage.vapi.ai,.twilio.com|forever');
  const show = run(['org', 'show', 'demo']);
  assert.match(show.stdout, /^recording_retention_days\s+\(keep forever\)$/m);
  for (const bad of ['bad host!', 'a..b', '-x.com', 'ok.com,', 'x_y.com']) {
    const r = run(['org', 'set', 'demo', `recording_download_hosts=${bad}`]);
    assert.equal(r.status, 1, bad);
    assert.match(r.stderr, /recording_download_hosts: invalid value/, bad);
  }
  assert.equal(run(['org', 'set', 'demo', 'recording_download_hosts=', 'recording_retention_days=90']).status, 0);
});

test('org set: bad values exit non-zero and change nothing (all or none)', () => {
  const before = orgRow('demo');
  const secretsBefore = stack.sql("SELECT string_agg(key || encode(ciphertext, 'hex'), ',' ORDER BY key) FROM org_secrets");
  const bad = [
    ['timezone=Not/AZone'],
    ['currency=usd'],
    ['currency=EURO'],
    ['quiet_hours=25:00-08:00'],
    ['quiet_hours=8-9'],
    ['recording_retention_days=0'],
    ['recording_retention_days=abc'],
    ['twilio_rate_per_s=0'],
    ['sendgrid_rate_per_s=10001'],
    ['name='],
    // a valid change together with a bad one: neither is applied
    ['name=Renamed', 'timezone=Not/AZone'],
    ['twilio_auth_token', 'currency=usd'],
  ];
  for (const args of bad) {
    const r = run(['org', 'set', 'demo', ...args], { input: 'new-token-value-123456\n' });
    assertNoCrash(r, args.join(' '));
    assert.notEqual(r.status, 0, `${args.join(' ')} must fail`);
    assert.ok(r.stderr.trim().length > 0, `${args.join(' ')}: says why`);
    assert.ok(!r.stderr.includes('new-token-value-123456'));
    assert.equal(orgRow('demo'), before, `${args.join(' ')}: nothing changed`);
  }
  assert.equal(stack.sql("SELECT string_agg(key || encode(ciphertext, 'hex'), ',' ORDER BY key) FROM org_secrets"), secretsBefore);
  // a failing set on a new slug does not leave the org behind
  const r = run(['org', 'set', 'ghost-org', 'timezone=Not/AZone']);
  assert.notEqual(r.status, 0);
  assert.equal(stack.sql("SELECT count(*) FROM orgs WHERE slug = 'ghost-org'"), '0');
  const badSlug = run(['org', 'set', 'Bad Slug!', 'name=x']);
  assert.notEqual(badSlug.status, 0);
  assertNoCrash(badSlug, 'bad slug');
});
