// campaign_counters.test.mjs — the counts the campaign page reads are kept by the writes
// (sql/0054): after launches, sends, callbacks, replies, skips, a cancel, deletes of
// contacts and of a campaign, and many concurrent writers, the counters equal a count of
// the messages themselves, per campaign, channel and state; and another org's counters
// are not visible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';

let stack, org;

before(async () => {
  stack = await Stack.start();
  org = stack.one("SELECT id FROM orgs WHERE slug = 'demo'");
  stack.sql(`INSERT INTO contacts (org_id, first_name, phone, email)
    SELECT '${org}', 'Counted ' || g, '+1415556' || lpad(g::text, 4, '0'), 'counted' || g || '@example.com'
    FROM generate_series(1, 400) g`);
});

after(async () => {
  if (stack) await stack.stop();
});

/** Counters against the messages: rows that differ (empty when they agree). */
function drift() {
  return stack.sql(`WITH c AS (SELECT campaign_id, channel, state, sum(n) AS n, sum(replied) AS replied
      FROM campaign_message_counts GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(replied) <> 0),
    m AS (SELECT campaign_id, channel, state, count(*) AS n, count(replied_at) AS replied FROM campaign_messages
      GROUP BY 1, 2, 3)
    SELECT coalesce(c.campaign_id, m.campaign_id) || ' ' || coalesce(c.channel, m.channel) || ' ' ||
      coalesce(c.state, m.state) || ' counted ' || coalesce(c.n, 0) || '/' || coalesce(c.replied, 0) ||
      ' real ' || coalesce(m.n, 0) || '/' || coalesce(m.replied, 0)
    FROM c FULL JOIN m USING (campaign_id, channel, state)
    WHERE c.n IS DISTINCT FROM m.n OR c.replied IS DISTINCT FROM m.replied`).trim();
}

function campaign(name, contacts) {
  const id = stack.one(`INSERT INTO campaigns (org_id, name, channels, audience_tag, sms_body, email_subject, email_body,
      status, launched_at) VALUES ('${org}', '${name}', '{sms,email}', 'x', 'Hi', 'Hi', 'Hi', 'running', now()) RETURNING id`);
  stack.sql(`INSERT INTO campaign_messages (org_id, campaign_id, contact_id, channel, to_address)
    SELECT '${org}', '${id}', c.id, ch, coalesce(CASE ch WHEN 'sms' THEN c.phone ELSE c.email END, '')
    FROM (SELECT id, phone, email FROM contacts WHERE org_id = '${org}' AND deleted_at IS NULL ORDER BY id LIMIT ${contacts}) c,
    unnest(ARRAY['sms', 'email']) ch`);
  return id;
}

test('the counters follow every kind of write, and a count of the messages agrees', async () => {
  const a = campaign('Counted A', 200), b = campaign('Counted B', 50);
  assert.equal(drift(), '');
  const stats = async (id) => (await stack.api(key(), 'GET', `/api/v1/campaigns/${id}/stats`)).json().data;
  assert.equal((await stats(a)).channels.sms.queued, 200);
  // A batch sent, some delivered, a failure, skips, replies; a claim-like update that
  // moves nothing counted.
  stack.sql(`UPDATE campaign_messages SET attempt_open = true, attempts = attempts + 1 WHERE campaign_id = '${a}'`);
  stack.sql(`UPDATE campaign_messages SET state = 'sent', sent_at = now(), attempt_open = false
    WHERE campaign_id = '${a}' AND channel = 'sms'`);
  stack.sql(`UPDATE campaign_messages SET state = 'delivered' WHERE id IN (SELECT id FROM campaign_messages
    WHERE campaign_id = '${a}' AND channel = 'sms' ORDER BY id LIMIT 120)`);
  stack.sql(`UPDATE campaign_messages SET state = 'failed', reason = 'twilio_30003' WHERE id IN (SELECT id FROM campaign_messages
    WHERE campaign_id = '${a}' AND channel = 'sms' AND state = 'sent' ORDER BY id LIMIT 7)`);
  stack.sql(`UPDATE campaign_messages SET state = 'skipped', reason = 'opted_out' WHERE id IN (SELECT id FROM campaign_messages
    WHERE campaign_id = '${a}' AND channel = 'email' ORDER BY id LIMIT 30)`);
  stack.sql(`UPDATE campaign_messages SET replied_at = now() WHERE id IN (SELECT id FROM campaign_messages
    WHERE campaign_id = '${a}' AND state = 'delivered' ORDER BY id LIMIT 9)`);
  // A cancel: what is left is skipped.
  stack.sql(`UPDATE campaign_messages SET state = 'skipped', reason = 'canceled' WHERE campaign_id = '${b}' AND state = 'queued'`);
  assert.equal(drift(), '');
  const s = await stats(a);
  assert.deepEqual(s.channels.sms, { queued: 0, sent: 73, delivered: 120, failed: 7, skipped: 0, replied: 9 });
  assert.deepEqual(s.channels.email, { queued: 170, sent: 0, delivered: 0, failed: 0, skipped: 30, replied: 0 });
  // Contacts deleted (their messages go by cascade), then a whole campaign.
  stack.sql(`DELETE FROM contacts WHERE id IN (SELECT contact_id FROM campaign_messages WHERE campaign_id = '${a}'
    ORDER BY contact_id LIMIT 3)`);
  assert.equal(drift(), '');
  stack.sql(`DELETE FROM campaigns WHERE id = '${b}'`);
  assert.equal(stack.one(`SELECT count(*) FROM campaign_message_counts WHERE campaign_id = '${b}'`), '0');
  assert.equal(drift(), '');
});

test('many writers at once (separate sessions, each its own slot) still add up', async () => {
  const c = campaign('Counted C', 400);
  const ids = stack.sql(`SELECT id FROM campaign_messages WHERE campaign_id = '${c}' ORDER BY id`).trim().split('\n');
  // Eight psql sessions at once, each moving its share of messages one statement per
  // message (as callbacks do), queued → sent → delivered, some replied.
  const share = (k) => ids.filter((_, i) => i % 8 === k);
  const script = (mine) => mine.map((id, i) => `UPDATE campaign_messages SET state = 'sent' WHERE id = '${id}';
    UPDATE campaign_messages SET state = 'delivered'${i % 5 === 0 ? ', replied_at = now()' : ''} WHERE id = '${id}';`).join('\n');
  await Promise.all([...Array(8).keys()].map((k) => new Promise((resolve, reject) => {
    const p = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(stack.dir, 'pgsock'), '-U', 'switchboard',
      '-d', 'switchboard'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql ${k}: ${err}`))));
    p.stdin.end(script(share(k)));
  })));
  assert.equal(drift(), '');
  assert.equal(stack.one(`SELECT sum(n) FROM campaign_message_counts WHERE campaign_id = '${c}' AND state = 'delivered'`),
    String(ids.length));
  assert.ok(Number(stack.one(`SELECT count(DISTINCT slot) FROM campaign_message_counts WHERE campaign_id = '${c}'`)) > 1,
    'the writers used slots of their own');
});

test('the application role sees its own org\'s counters only', () => {
  const other = stack.one(`INSERT INTO orgs (slug, name) VALUES ('counted-other', 'Other') RETURNING id`);
  stack.sql(`INSERT INTO campaigns (org_id, name, channels, audience_tag, sms_body, status)
    VALUES ('${other}', 'Theirs', '{sms}', 'x', 'Hi', 'draft')`);
  const theirs = stack.one(`SELECT id FROM campaigns WHERE org_id = '${other}'`);
  stack.sql(`INSERT INTO campaign_message_counts (org_id, campaign_id, channel, state, slot, n)
    VALUES ('${other}', '${theirs}', 'sms', 'queued', 0, 5)`);
  // As the application role, the tenant set as the app sets it.
  const r = spawnSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(stack.dir, 'pgsock'),
    '-U', 'switchboard_app', '-d', 'switchboard', '-f', '-'], { encoding: 'utf8',
    input: `BEGIN; SELECT set_config('app.org_id', '${org}', true) \\g /dev/null\nSELECT count(*) FILTER (WHERE org_id <> '${org}') || '|' || count(*) FROM campaign_message_counts;\nCOMMIT;\n` });
  assert.equal(r.status, 0, r.stderr);
  const [foreign, mine] = r.stdout.trim().split('|').map(Number);
  assert.equal(foreign, 0);
  assert.ok(mine > 0, 'its own are visible');
});

let apiKey;
function key() {
  if (!apiKey) apiKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'counters', '--role', 'viewer']).stdout.trim();
  return apiKey;
}
