// calls_export.test.mjs — GET /calls/export.csv: RFC 4180 on awkward data (commas,
// quotes, newlines, formula-like cells, unicode), the list's filters, streaming
// across batches (row count equals the filtered count), every export audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, clearCalls } from '../lib/calls_fixtures.mjs';

let stack, viewer;

before(async () => {
  stack = await Stack.start();
  viewer = await stack.as('viewer');
  clearCalls(stack);
});

after(async () => {
  if (stack) await stack.stop();
});

/** A strict RFC 4180 parser: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"' && field === '') (quoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else if (c === '"' || c === '\n' || c === '\r') throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    else (field += c), i++;
  }
  assert.equal(field, '', 'the file ends with CRLF');
  assert.equal(row.length, 0);
  return rows;
}

const HEADER = ['id', 'direction', 'provider', 'provider_call_id', 'from_number', 'to_number', 'caller_name', 'status',
  'started_at', 'ended_at', 'duration_s', 'sentiment_score', 'sentiment_label', 'has_recording', 'contact_id', 'campaign_id',
  'created_at'];

test('awkward values survive a round trip; formula-like cells are neutralised', async () => {
  const awkward = ['Smith, John', 'He said "hi"', 'line one\nline two', 'cr\rhere', '=cmd|\' /C calc\'!A0', '+1 call me',
    '-1', '@SUM(A1)', '\tTabbed', 'Zoë 日本 🎧', "O'Brien", ''];
  const ids = insertCalls(stack, awkward.map((name, i) => ({ caller_name: name, provider_call_id: `awk,"${i}"`,
    started_at: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`, sentiment_score: -0.5, sentiment_label: 'negative' })));
  const since = Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));
  const res = await viewer.get('/calls/export.csv?sort=oldest&name=&phone=');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  assert.match(res.headers['content-disposition'], /^attachment; filename="calls\.csv"$/);
  assert.ok(res.headers['x-request-id']);
  const rows = parseCsv(res.raw.toString('utf8'));
  assert.deepEqual(rows[0], HEADER);
  const body = rows.slice(1);
  assert.deepEqual(body.map((r) => r[0]), ids);
  const expect = (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  assert.deepEqual(body.map((r) => r[6]), awkward.map(expect));
  assert.deepEqual(body.map((r) => r[3]), awkward.map((_, i) => `awk,"${i}"`));
  assert.equal(body[0][4], "'+14155550100", 'phone numbers start with + and are neutralised too');
  assert.equal(body[0][11], "'-0.500");
  assert.equal(body[0][13], 'false');
  assert.equal(body[0][8], '2024-05-01T10:00:00Z');
  assert.equal(body[0][9], '');
  for (const r of body) assert.equal(r.length, HEADER.length);
  const audit = stack.sql(`SELECT action || '|' || actor || '|' || detail::text FROM audit_log WHERE id > ${since}`);
  assert.equal(audit, 'calls.export|viewer@demo.test|{"filters": {"sort": "oldest"}}');
});

test('the filtered set, across batches: the row count equals the API\'s count, in order, no duplicates', async () => {
  clearCalls(stack);
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s, caller_name, is_demo)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'twilio',
           'bulk-' || g, 'completed', '2024-01-01'::timestamptz + (g % 500) * interval '1 minute', g % 600, 'Caller ' || g, g % 50 = 0
    FROM generate_series(1, 3500) g`);
  const want = Number(stack.sql(`SELECT count(*) FROM calls WHERE direction = 'inbound' AND NOT is_demo AND deleted_at IS NULL`));
  const since = Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));
  const res = await viewer.get('/calls/export.csv?direction=inbound&limit=5&sort=newest');
  assert.equal(res.status, 200);
  const rows = parseCsv(res.body).slice(1);
  assert.equal(rows.length, want, 'limit is ignored: every matching call');
  assert.equal(new Set(rows.map((r) => r[0])).size, rows.length);
  assert.ok(rows.every((r) => r[1] === 'inbound'));
  for (let i = 1; i < rows.length; i++)
    assert.ok(rows[i - 1][8] > rows[i][8] || (rows[i - 1][8] === rows[i][8] && rows[i - 1][0] > rows[i][0]), `newest first at ${i}`);
  const all = await viewer.get('/calls/export.csv?include_demo=true&sort=longest');
  assert.equal(parseCsv(all.body).length - 1, 3500);
  const audit = stack.sql(`SELECT detail->'filters' FROM audit_log WHERE id > ${since} AND action = 'calls.export' ORDER BY id`).split('\n');
  assert.deepEqual(audit.map((a) => JSON.parse(a)), [{ direction: 'inbound', sort: 'newest' }, { include_demo: 'true', sort: 'longest' }]);
});

test('bad filters: 400 page naming the field, nothing audited; signed out: sign in first', async () => {
  const since = Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));
  const res = await viewer.get('/calls/export.csv?min_duration=abc');
  assert.equal(res.status, 400);
  assert.match(res.body, /id="e-min_duration"/);
  assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'calls.export'`), '0');
  assert.equal((await stack.request('GET', '/calls/export.csv')).status, 303);
});

test('an empty result is just the header', async () => {
  const res = await viewer.get('/calls/export.csv?name=nobody-at-all');
  assert.equal(res.status, 200);
  assert.equal(res.body, HEADER.join(',') + '\r\n');
});
