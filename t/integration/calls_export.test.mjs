// calls_export.test.mjs — GET /calls/export.csv, read by one COPY: for every filter the
// file is byte for byte what the export has always written (the list's rows, in the
// list's order, each cell from PostgreSQL's own text of the value), filter values full
// of quotes, backslashes, percent signs, semicolons and SQL reach the database as
// values and nothing else, another org's calls never appear, every export is audited,
// a download abandoned midway leaves the pool serving the next one, and a client that
// stops reading does not hold its worker or transaction (nginx spools the rest).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, clearCalls, otherOrg, lit, campaignFor } from '../lib/calls_fixtures.mjs';

let stack, viewer;

before(async () => {
  stack = await Stack.start();
  viewer = await stack.as('viewer');
  otherOrg(stack);
});

after(async () => {
  if (stack) await stack.stop();
});

const HEADER = 'id,direction,provider,provider_call_id,from_number,to_number,caller_name,status,started_at,' +
  'ended_at,duration_s,sentiment_score,sentiment_label,has_recording,contact_id,campaign_id,created_at\r\n';

/** The export's cell: RFC 4180, and a leading = + - @ tab or CR neutralised by a quote. */
function csvField(v) {
  const formula = /^[=+\-@\t\r]/.test(v);
  if (!formula && !/[,"\r\n]/.test(v)) return v;
  return `"${formula ? "'" : ''}${v.replace(/"/g, '""')}"`;
}

/** Every id the JSON list gives for qs, in its order, page after page. */
async function listIds(qs) {
  const ids = [];
  for (let cursor = null; ;) {
    const res = await viewer.get(`/api/v1/calls?${qs}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.body);
    ids.push(...res.json().data.map((c) => c.id));
    cursor = res.json().next_cursor;
    if (!cursor) return ids;
  }
}

/** The file the export has always written for these calls: each value as PostgreSQL
 * prints it in UTC (times cut to the second, ISO-8601), the sentiment through
 * round(x::numeric, 3), then csvField. */
function expectedCsv(ids) {
  if (!ids.length) return HEADER;
  const iso = (col) => `overlay(left(${col}::text, 19) placing 'T' from 11 for 1) || 'Z'`;
  const rows = JSON.parse(stack.sql(`SET TimeZone = 'UTC';
    SELECT json_agg(json_build_array(c.id::text, c.direction, c.provider, c.provider_call_id, c.from_number, c.to_number,
      c.caller_name, c.status, ${iso('c.started_at')}, coalesce(${iso('c.ended_at')}, ''), c.duration_s::text,
      coalesce(round(c.sentiment_score::numeric, 3)::text, ''), coalesce(c.sentiment_label, ''),
      CASE WHEN c.recording_status = 'stored' THEN 'true' ELSE 'false' END, coalesce(c.contact_id::text, ''),
      coalesce(c.campaign_id::text, ''), ${iso('c.created_at')}) ORDER BY array_position(ids.a, c.id))
    FROM calls c, (SELECT ARRAY[${ids.map(lit).join(',')}]::uuid[] AS a) ids WHERE c.id = ANY(ids.a)`));
  return HEADER + rows.map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

const lastAuditId = () => Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));

describe('the export is the list, byte for byte, for every filter', () => {
  const camp = '6f1d2c3b-4a59-4e68-9d7c-0b1a2c3d4e5f';
  const nasty = `O'Brien "Q" \\back\\slash 50%_off; DROP TABLE calls; -- $1 current_setting('app.org_id')`;
  const transcriptWords = `refund'); SELECT pg_sleep(5); -- "quoted" 100% \\n $$dollar$$`;

  before(() => {
    clearCalls(stack);
    campaignFor(stack, camp);
    const names = ['Alice Martin', nasty, 'Bob; DELETE FROM calls', 'Zoë 日本', '=SUM(A1)', '', 'carol "the" caller', '50% Off'];
    const rows = [];
    for (let i = 0; i < 240; i++) {
      rows.push({
        direction: i % 3 ? 'inbound' : 'outbound',
        provider: i % 2 ? 'vapi' : 'twilio',
        provider_call_id: `exp-${i},"${i}"`,
        from_number: i % 5 ? `+1415555${String(1000 + (i % 17)).padStart(4, '0')}` : '+442079460958',
        to_number: '+18005550000',
        caller_name: names[i % names.length],
        status: ['completed', 'busy', 'no_answer', 'failed', 'canceled', 'in_progress'][i % 6],
        // Several calls per second, some at the same instant (the id breaks ties),
        // fractions of a second, and a few before 2000.
        started_at: i % 40 === 7 ? `1999-12-31T23:59:${String(i % 60).padStart(2, '0')}.75Z`
          : new Date(Date.UTC(2024, 4, 1 + (i % 9), (i * 7) % 24, (i * 13) % 60, Math.floor(i / 3) % 60, (i % 4) * 250)).toISOString(),
        ended_at: i % 4 ? null : '2025-01-01T00:00:00.999Z',
        duration_s: (i * 37) % 900,
        sentiment_score: i % 7 === 0 ? null : Math.round((((i * 0.0137) % 2) - 1) * 1e6) / 1e6,
        sentiment_label: ['positive', 'neutral', 'negative', null][i % 4],
        recording_status: i % 3 === 0 ? 'stored' : 'none',
        campaign_id: i % 6 === 1 ? camp : null,
        is_demo: i % 25 === 0,
        transcript: i % 10 === 3 ? [{ t_ms: 0, speaker: 'caller', text: transcriptWords }] : [],
      });
    }
    insertCalls(stack, rows);
    stack.sql("UPDATE calls SET sentiment_score = -0.0005 WHERE provider_call_id = 'exp-8,\"8\"'");
    stack.sql("UPDATE calls SET sentiment_score = 0.9995 WHERE provider_call_id = 'exp-9,\"9\"'");
    stack.sql("UPDATE calls SET deleted_at = now() WHERE provider_call_id = 'exp-10,\"10\"'");
    // Another org's calls match every filter too, but the campaign's: a call can only
    // name a campaign of its own org (calls_campaign_fk), so theirs have their own.
    const theirs = campaignFor(stack, '7a2e3d4c-5b6a-4f79-8e0d-1c2b3a4d5e6f', 'other');
    insertCalls(stack, rows.slice(0, 40).map((r) => ({ ...r, provider_call_id: `other-${r.provider_call_id}`,
      campaign_id: r.campaign_id && theirs })), 'other');
  });

  const filters = [
    '', 'include_demo=true', 'sort=oldest', 'sort=longest', 'sort=longest&include_demo=true',
    'start_date=2024-05-03', 'end_date=2024-05-04', 'start_date=2024-05-02&end_date=2024-05-05',
    'start_date=2024-05-02T06:30&end_date=2024-05-06T18:00:00', 'start_date=2024-05-02T06:30:00Z&end_date=2024-05-06T18:00:00%2B02:00',
    'direction=inbound', 'direction=outbound&sort=oldest', 'status=completed', 'status=busy,no_answer,canceled',
    'phone=%28415%29%20555-1003', 'phone=%2B44%2020%207946%200958', `name=${encodeURIComponent(nasty)}`,
    `name=${encodeURIComponent("O'Brien")}`, `name=${encodeURIComponent('50%')}`, `name=${encodeURIComponent('\\back')}`,
    `name=${encodeURIComponent('; DELETE')}`, `name=${encodeURIComponent("') OR true --")}`, 'name=alice',
    'sentiment=negative', 'sentiment=positive&sort=longest', 'min_duration=100', 'max_duration=200',
    'min_duration=50&max_duration=400&sort=oldest', 'has_recording=true', 'has_recording=false', `campaign_id=${camp}`,
    `q=${encodeURIComponent(transcriptWords)}`, `q=${encodeURIComponent("refund'); SELECT")}`, 'q=quoted',
    `direction=inbound&status=completed,busy&min_duration=10&has_recording=false&start_date=2024-05-02&name=a&include_demo=true`,
  ];

  for (const qs of filters) {
    test(`?${qs}`, async () => {
      const since = lastAuditId();
      const ids = await listIds(qs);
      const res = await viewer.get(`/calls/export.csv?${qs}`);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.raw.toString('utf8'), expectedCsv(ids));
      const audit = stack.sql(`SELECT detail->>'filters' FROM audit_log WHERE id > ${since} AND action = 'calls.export'`);
      const given = Object.fromEntries([...new URLSearchParams(qs)].filter(([, v]) => v !== ''));
      assert.deepEqual(JSON.parse(audit), given, 'one audit row, with the filters');
    });
  }

  test('the filters found what they name: the nasty values matched as values', async () => {
    const live = "deleted_at IS NULL AND NOT is_demo AND org_id = (SELECT id FROM orgs WHERE slug = 'demo')";
    const named = Number(stack.sql(`SELECT count(*) FROM calls WHERE caller_name = ${lit(nasty)} AND ${live}`));
    assert.ok(named > 0);
    assert.equal((await listIds(`name=${encodeURIComponent(nasty)}`)).length, named);
    const said = Number(stack.sql(`SELECT count(*) FROM calls WHERE transcript::text LIKE '%refund%' AND ${live}`));
    assert.ok(said > 0);
    assert.equal((await listIds(`q=${encodeURIComponent(transcriptWords)}`)).length, said);
    assert.equal((await listIds(`name=${encodeURIComponent("') OR true --")}`)).length, 0);
    assert.equal(stack.sql("SELECT count(*) FROM calls WHERE provider_call_id LIKE 'exp-%'"), '240', 'nothing was dropped or deleted');
  });

  test("another org's calls never appear", async () => {
    const res = await viewer.get('/calls/export.csv?include_demo=true');
    const ids = res.body.split('\r\n').slice(1, -1).map((l) => l.slice(0, 36));
    assert.equal(ids.length, 239);
    const orgs = stack.sql(`SELECT DISTINCT o.slug FROM calls c JOIN orgs o ON o.id = c.org_id WHERE c.id IN (${ids.map(lit).join(',')})`);
    assert.equal(orgs, 'demo');
  });
});

describe('a download abandoned midway', () => {
  before(() => {
    clearCalls(stack);
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s, caller_name,
                                  from_number, to_number)
      SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'vapi', 'bulk-' || g, 'completed',
             '2024-01-01'::timestamptz + g * interval '1 second', g % 600, 'Caller number ' || g, '+14155550100', '+18005550000'
      FROM generate_series(1, 60000) g`);
  });

  /** Starts an export, reads its first bytes, then drops the connection. */
  function abandon(urlPath) {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: stack.httpsPort, path: urlPath, rejectUnauthorized: false,
        headers: { cookie: viewer.cookieHeader() } }, (res) => {
        res.once('data', (chunk) => {
          req.destroy();
          resolve({ status: res.statusCode, first: chunk.toString('utf8') });
        });
        res.on('error', () => {});
      });
      req.on('error', (e) => (e.code === 'ECONNRESET' ? null : reject(e)));
      req.end();
    });
  }

  /** Polls until fn() is true or the deadline passes. */
  async function eventually(fn, what, ms = 20000) {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('a client that stops reading does not hold the worker: the COPY ends and the pool serves others', async () => {
    const copying = () => stack.superSql(`SELECT count(*) FROM pg_stat_activity
      WHERE usename = 'switchboard_app' AND query LIKE 'COPY%' AND state = 'active'`);
    let res;
    const done = new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: stack.httpsPort, path: '/calls/export.csv?sort=oldest',
        rejectUnauthorized: false, headers: { cookie: viewer.cookieHeader() } }, (r) => {
        res = r;
        r.pause();
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        r.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    await eventually(() => res !== undefined, 'the response head');
    // The 9 MB file is far more than every buffer on the way: with the client paused,
    // only nginx's temporary file lets the COPY finish and the worker go.
    await eventually(() => copying() === '0', 'the COPY to end while the client reads nothing');
    for (let i = 0; i < 4; i++) assert.equal((await viewer.get('/calls')).status, 200, 'the pool serves others');
    res.resume();
    const lines = (await done).split('\r\n');
    assert.equal(lines.length, 60002, 'the header, 60,000 rows and the final CRLF');
    assert.match(lines[60000], /,bulk-60000,/);
  });

  test('leaves the worker serving, its audit row kept, and the next export whole', async () => {
    const workers = stack.workerPids().sort();
    const since = lastAuditId();
    const cut = await abandon('/calls/export.csv?sort=oldest');
    assert.equal(cut.status, 200);
    assert.ok(cut.first.startsWith(HEADER));
    // The abandoned COPY ends (cancelled, or finished into nginx's buffers); no statement of the app stays active.
    await eventually(() => stack.superSql(`SELECT count(*) FROM pg_stat_activity WHERE usename = 'switchboard_app'
      AND state = 'active' AND query LIKE 'COPY%'`) === '0', 'the COPY to end');
    await eventually(() => stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'calls.export'`) === '1',
      'the abandoned export to be audited');
    for (let i = 0; i < 3; i++) {
      const res = await viewer.get('/calls/export.csv?sort=oldest');
      assert.equal(res.status, 200);
      const lines = res.body.split('\r\n');
      assert.equal(lines.length, 60002, 'the header, 60,000 rows and the final CRLF');
      assert.match(lines[1], /,vapi,bulk-1,"'\+14155550100",/);
      assert.match(lines[60000], /,bulk-60000,/);
    }
    assert.deepEqual(stack.workerPids().sort(), workers, 'no worker died');
    assert.equal((await viewer.get('/api/v1/calls?limit=1')).status, 200);
    assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'calls.export'`), '4');
  });
});

describe('the calls table is vacuumed at 2% of new rows (sql/0060)', () => {
  // The export's index-only scan reads the heap too for rows on pages not yet marked
  // all-visible; at autovacuum's default 20% a million-call org had up to 200,000 such
  // rows (docs/ARCHITECTURE.md, "Calls CSV export"). Autovacuum's timing is its own, so
  // the test checks the setting it reads.
  test('autovacuum_vacuum_insert_scale_factor is 0.02 on calls, and only there', () => {
    assert.equal(stack.sql(`SELECT array_to_string(reloptions, ',') FROM pg_class
      WHERE oid = 'public.calls'::regclass`), 'autovacuum_vacuum_insert_scale_factor=0.02');
    assert.equal(stack.sql(`SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace
      AND array_to_string(reloptions, ',') LIKE '%autovacuum%' AND oid <> 'public.calls'::regclass`), '0');
  });
});
