// seed.test.mjs — `switchboard seed --demo --calls N`: the same seed gives the same
// data, the data is plausible and well formed, stored recordings are real WAV files,
// re-seeding replaces rather than duplicates, bad sizes are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readSync, closeSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';

let stack;
let orgId;

before(async () => {
  stack = await Stack.start({ workers: 1 });
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
});

after(async () => {
  if (stack) await stack.stop();
});

function seed(...args) {
  const r = stack.cli(['seed', '--demo', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

const count = (where = 'true') => Number(stack.sql(`SELECT count(*) FROM calls WHERE org_id = '${orgId}' AND (${where})`));

// Every column, times included, must be byte-identical for the same seed, sizes and
// --at (the generator weights hours by the wall clock's time of day, so the default,
// "now", would move the data between two seeds in different minutes).
function fingerprint() {
  return stack.sql(`
    SELECT md5(coalesce((SELECT string_agg(concat_ws('|', c.id, direction, provider, provider_call_id, from_number,
               to_number, contact_id, caller_name, status, started_at, ended_at, duration_s,
               transcript::text, summary, ended_reason, sentiment_score, sentiment_label, action_items::text,
               is_demo, recording_status, recording_path, recording_bytes, recording_content_type,
               created_at, updated_at), E'\\n' ORDER BY c.id)
             FROM calls c WHERE c.org_id = '${orgId}'), '')
           || coalesce((SELECT string_agg(concat_ws('|', k.id, name, phone, email, company, created_at),
               E'\\n' ORDER BY k.id) FROM contacts k WHERE k.org_id = '${orgId}'), ''))`);
}

test('the same seed, size and --at give identical rows; another seed gives others', () => {
  const at = new Date(Math.floor(Date.now() / 60000) * 60000 - 3 * 3600 * 1000).toISOString().slice(0, 16) + 'Z';
  const out = seed('--calls', '2000', '--seed', '7', '--at', at);
  assert.match(out.stdout, /200 contacts, 2000 calls/);
  const first = fingerprint();
  assert.equal(count(`started_at >= '${at}'::timestamptz`), 0);
  seed('--calls', '2000', '--seed', '7', '--at', at);
  assert.equal(fingerprint(), first);
  seed('--calls', '2000', '--seed', '8', '--at', at);
  assert.notEqual(fingerprint(), first);
  seed('--calls', '2000', '--seed', '7', '--at', at.replace('Z', ':59Z')); // seconds are dropped
  assert.equal(fingerprint(), first);
});

test('--at takes only a UTC minute', () => {
  for (const bad of ['2026-12-01', '2026-12-01T14:30', '2026-12-01T24:00Z', '2026-02-30T10:00Z',
                     '2026-12-01T14:30+01:00', '2026-12-01 14:30Z', ' 2026-12-01T14:30Z']) {
    const r = stack.cli(['seed', '--demo', '--calls', '10', '--at', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--at must be a UTC time like/, bad);
  }
});

test('re-seeding replaces the generated data; seeding without --calls keeps it', () => {
  seed('--calls', '2000', '--seed', '7', '--contacts', '150');
  assert.equal(count(), 2000);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM contacts WHERE org_id = '${orgId}'`)), 150);
  seed('--calls', '2000', '--seed', '7');
  seed();
  assert.equal(count(), 2000);
  assert.equal(Number(stack.sql(`SELECT count(*) FROM contacts WHERE org_id = '${orgId}'`)), 200);
  assert.equal(Number(stack.sql(`SELECT count(DISTINCT phone) FROM contacts WHERE org_id = '${orgId}'`)), 200);
});

test('statuses, directions, durations and sentiment are plausible', () => {
  const share = (where) => count(where) / 2000;
  assert.ok(share("direction = 'inbound'") > 0.5 && share("direction = 'inbound'") < 0.7);
  assert.ok(share("status = 'completed'") > 0.55 && share("status = 'completed'") < 0.8);
  for (const s of ['no_answer', 'busy', 'failed', 'canceled']) assert.ok(count(`status = '${s}'`) > 10, s);
  assert.equal(count("status IN ('queued', 'ringing', 'in_progress') AND started_at < now() - interval '35 minutes'"), 0);
  assert.equal(count("status = 'completed' AND NOT duration_s BETWEEN 10 AND 1800"), 0);
  assert.equal(count("status <> 'completed' AND duration_s <> 0"), 0);
  assert.equal(count("started_at < now() - interval '91 days' OR started_at > now()"), 0);
  assert.equal(count("status = 'completed' AND (sentiment_score IS NULL OR sentiment_label IS NULL)"), 0);
  assert.equal(
    count(`sentiment_label IS DISTINCT FROM CASE WHEN sentiment_score > 0.25 THEN 'positive'
             WHEN sentiment_score < -0.25 THEN 'negative' WHEN sentiment_score IS NOT NULL THEN 'neutral' END`),
    0,
  );
  assert.ok(share('is_demo') > 0.003 && share('is_demo') < 0.05);
  assert.ok(count('contact_id IS NOT NULL') > 0);
  assert.equal(count(`contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.id = contact_id
             AND k.phone IN (from_number, to_number))`), 0);
  assert.equal(count("provider = 'twilio' AND provider_call_id !~ '^CA[0-9a-f]{32}$'"), 0);
  assert.equal(count("provider = 'vapi' AND provider_call_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"), 0);
  // More calls on weekdays and in business hours (New York time).
  const local = "started_at AT TIME ZONE 'America/New_York'";
  assert.ok(count(`extract(isodow FROM ${local}) <= 5`) / 5 > 2 * (count(`extract(isodow FROM ${local}) > 5`) / 2));
  assert.ok(share(`extract(hour FROM ${local}) BETWEEN 8 AND 17`) > 0.6);
});

test('transcripts are arrays of well-formed lines with increasing t_ms', () => {
  // In pages: stack.sql's output buffer is small.
  const rows = [];
  for (let page = 0; ; page++) {
    const text = stack.sql(`SELECT transcript FROM calls WHERE org_id = '${orgId}' AND status = 'completed'
                            ORDER BY id LIMIT 300 OFFSET ${page * 300}`);
    if (!text) break;
    rows.push(...text.split('\n').map((l) => JSON.parse(l)));
  }
  assert.ok(rows.length > 1000);
  for (const t of rows) {
    assert.ok(Array.isArray(t) && t.length >= 4 && t.length <= 30, JSON.stringify(t).slice(0, 100));
    let prev = -1;
    for (const line of t) {
      assert.deepEqual(Object.keys(line).sort(), ['confidence', 'speaker', 't_ms', 'text']);
      assert.ok(line.t_ms > prev);
      prev = line.t_ms;
      assert.ok(['caller', 'agent', 'system'].includes(line.speaker));
      assert.ok(line.confidence >= 0.8 && line.confidence <= 0.99);
      assert.ok(line.text.length > 0);
    }
  }
  assert.equal(count("status <> 'completed' AND transcript <> '[]'"), 0);
  assert.equal(count("status = 'completed' AND (summary = '' OR jsonb_array_length(action_items) > 3)"), 0);
  assert.ok(Number(stack.sql(`SELECT count(*) FROM calls WHERE org_id = '${orgId}'
    AND transcript_tsv @@ plainto_tsquery('english', 'appointment')`)) > 0);
});

test('stored recordings are real WAV files whose size matches recording_bytes', () => {
  const completed = count("status = 'completed'");
  const stored = count("recording_status = 'stored'");
  assert.ok(stored / completed > 0.1 && stored / completed < 0.3, `${stored} of ${completed}`);
  assert.equal(count("recording_status = 'stored' AND status <> 'completed'"), 0);
  assert.equal(count("recording_status = 'none' AND (recording_path IS NOT NULL OR recording_bytes <> 0)"), 0);
  const files = stack
    .sql(`SELECT DISTINCT recording_path, recording_bytes, recording_content_type FROM calls
          WHERE org_id = '${orgId}' AND recording_status = 'stored'`)
    .split('\n')
    .map((l) => l.split('|'));
  assert.ok(files.length > 0 && files.length <= 20);
  // Each file is named after a call of the set; the files of replaced data are gone.
  const own = count(`recording_path = org_id || '/' || id || '.wav'`);
  assert.equal(own, files.length);
  assert.deepEqual(
    readdirSync(path.join(stack.dir, 'recordings', orgId)).sort(),
    files.map(([rel]) => path.basename(rel)).sort(),
  );
  for (const [rel, bytes, type] of files) {
    assert.match(rel, new RegExp(`^${orgId}/[0-9a-f-]{36}\\.wav$`));
    assert.equal(type, 'audio/wav');
    const file = path.join(stack.dir, 'recordings', rel);
    assert.equal(statSync(file).size, Number(bytes));
    const head = Buffer.alloc(44);
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, 44, 0);
    closeSync(fd);
    assert.equal(head.toString('latin1', 0, 4), 'RIFF');
    assert.equal(head.readUInt32LE(4), Number(bytes) - 8);
    assert.equal(head.toString('latin1', 8, 16), 'WAVEfmt ');
    assert.equal(head.readUInt16LE(20), 1); // PCM
    assert.equal(head.readUInt16LE(22), 1); // mono
    assert.equal(head.readUInt32LE(24), 8000);
    assert.equal(head.readUInt16LE(34), 16);
    assert.equal(head.readUInt32LE(40), Number(bytes) - 44);
    const seconds = (Number(bytes) - 44) / 16000;
    assert.ok(seconds >= 2 && seconds <= 5, `${seconds} s`);
  }
});

test('bad sizes and options exit 2 with a message, changing nothing', () => {
  const before = count();
  for (const args of [['--calls', 'abc'], ['--calls', '-5'], ['--contacts', '1e3'], ['--seed', 'x'], ['--calls']]) {
    const r = stack.cli(['seed', '--demo', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /switchboard seed: /);
    assert.equal(r.stdout, '');
  }
  assert.match(stack.cli(['seed', '--demo', '--calls', 'abc']).stderr, /--calls must be a whole number/);
  assert.equal(count(), before);
});
