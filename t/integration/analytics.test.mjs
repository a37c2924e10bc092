// analytics.test.mjs — call analytics from the rollups (sql/0004): every figure of the
// three JSON endpoints equals a brute-force recount over the calls table, across days,
// time zones (DST included), statuses, demo and deleted calls, updates, repairs, a big
// insert; validation, roles, API keys, the page, the overview, and org isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';

let stack, admin, demoOrg, otherOrg;
// Around the end of US daylight saving time (2025-11-02), so local days differ in length.
const START = '2025-10-27';
const END = '2025-11-08';
const q = (start, end) => `?start_date=${start}&end_date=${end}`;

/** Inserts n varied calls for org starting at ts, ids prefixed. */
function insertCalls(org, prefix, n, from = '2025-10-28 00:00Z', spanMin = 60 * 24 * 10) {
  stack.sql(`
    INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, status,
                       started_at, duration_s, sentiment_label, recording_status, recording_bytes,
                       is_demo, deleted_at)
    SELECT '${org}', CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'vapi', '${prefix}' || g,
           CASE WHEN g % 29 = 0 THEN '' ELSE '+1415555' || lpad((g % 13)::text, 4, '0') END,
           '+1212555' || lpad((g % 7)::text, 4, '0'),
           (ARRAY['queued','ringing','in_progress','completed','busy','no_answer','failed','canceled'])[1 + g % 8],
           timestamptz '${from}' + make_interval(mins => (g * 997) % ${spanMin}),
           (g * 37) % 1800,
           (ARRAY['positive','neutral','negative',NULL])[1 + g % 4],
           CASE WHEN g % 5 = 0 THEN 'stored' ELSE 'none' END,
           CASE WHEN g % 5 = 0 THEN g * 1000 ELSE 0 END,
           g % 11 = 0, CASE WHEN g % 17 = 0 THEN now() END
      FROM generate_series(1, ${n}) g`);
}

/** Every figure, counted straight from calls (the org's current zone). */
function brute(start, end, slug = 'demo') {
  return JSON.parse(stack.sql(`
    WITH c AS (
      SELECT c.*, (c.started_at AT TIME ZONE o.timezone) AS lt,
             CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END AS num
        FROM calls c JOIN orgs o ON o.id = c.org_id
       WHERE o.slug = '${slug}' AND c.deleted_at IS NULL AND NOT c.is_demo
         AND (c.started_at AT TIME ZONE o.timezone)::date BETWEEN '${start}' AND '${end}')
    SELECT json_build_object(
      'total', (SELECT count(*) FROM c),
      'inbound', (SELECT count(*) FROM c WHERE direction = 'inbound'),
      'outbound', (SELECT count(*) FROM c WHERE direction = 'outbound'),
      'by_status', (SELECT coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, count(*) n FROM c GROUP BY status) x),
      'dur', (SELECT json_build_object('sum', coalesce(sum(duration_s), 0), 'n', count(*), 'min', min(duration_s),
                                       'max', max(duration_s)) FROM c WHERE status = 'completed'),
      'sentiment', (SELECT json_build_object('positive', count(*) FILTER (WHERE sentiment_label = 'positive'),
                                             'neutral', count(*) FILTER (WHERE sentiment_label = 'neutral'),
                                             'negative', count(*) FILTER (WHERE sentiment_label = 'negative'),
                                             'unknown', count(*) FILTER (WHERE sentiment_label IS NULL)) FROM c),
      'rec', (SELECT json_build_object('count', count(*), 'bytes', coalesce(sum(recording_bytes), 0))
                FROM c WHERE recording_status = 'stored'),
      'top', (SELECT coalesce(json_agg(json_build_object('number', num, 'count', n) ORDER BY n DESC, num), '[]')
                FROM (SELECT num, count(*) n FROM c WHERE num <> '' GROUP BY num HAVING count(*) >= 2
                       ORDER BY n DESC, num LIMIT 10) t),
      'daily', (SELECT coalesce(json_object_agg(d, json_build_object('total', t, 'inbound', i, 'outbound', o, 'answered', a)), '{}')
                  FROM (SELECT lt::date::text d, count(*) t, count(*) FILTER (WHERE direction = 'inbound') i,
                               count(*) FILTER (WHERE direction = 'outbound') o,
                               count(*) FILTER (WHERE status = 'completed') a FROM c GROUP BY 1) x),
      'heat', (SELECT coalesce(json_object_agg(k, n), '{}')
                 FROM (SELECT extract(isodow FROM lt)::int || ':' || extract(hour FROM lt)::int k, count(*) n
                         FROM c GROUP BY 1) h))`));
}

function days(start, end) {
  const out = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86400000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Asserts the three endpoints against the brute-force recount; returns the summary. */
async function assertMatches(client, start, end, what) {
  const b = brute(start, end);
  const summary = (await client.get(`/api/v1/calls/analytics/summary${q(start, end)}`)).json().data;
  const statuses = ['queued', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled'];
  const answered = b.by_status.completed || 0;
  assert.deepEqual(summary, {
    start_date: start,
    end_date: end,
    total: b.total,
    by_direction: { inbound: b.inbound, outbound: b.outbound },
    by_status: Object.fromEntries(statuses.map((s) => [s, b.by_status[s] || 0])),
    answered,
    answered_rate: b.total ? Math.round((1000 * answered) / b.total) / 10 : 0,
    duration: {
      avg_s: b.dur.n ? Math.round(b.dur.sum / b.dur.n) : null,
      min_s: b.dur.min,
      max_s: b.dur.max,
    },
    sentiment: b.sentiment,
    recordings: b.rec,
    top_numbers: b.top,
  }, `${what}: summary`);
  const daily = (await client.get(`/api/v1/calls/analytics/daily${q(start, end)}`)).json().data;
  assert.deepEqual(daily, days(start, end).map((date) => ({
    date, ...(b.daily[date] || { total: 0, inbound: 0, outbound: 0, answered: 0 }),
  })), `${what}: daily`);
  const heat = (await client.get(`/api/v1/calls/analytics/heatmap${q(start, end)}`)).json().data;
  assert.equal(heat.length, 168);
  assert.deepEqual(heat, heat.map((c) => ({ weekday: c.weekday, hour: c.hour, count: b.heat[`${c.weekday}:${c.hour}`] || 0 })),
    `${what}: heatmap`);
  assert.deepEqual(heat.map((c) => `${c.weekday}:${c.hour}`).slice(0, 2), ['1:0', '1:1']);
  return summary;
}

/** Runs SQL as the application role under RLS, as a request would. */
function sqlAsApp(org, query) {
  return execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(stack.dir, 'pgsock'),
    '-U', 'switchboard_app', '-d', 'switchboard', '-c', `SET app.org_id = '${org}'`, '-c', query],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

before(async () => {
  stack = await Stack.start();
  admin = await stack.as('admin');
  demoOrg = stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`);
  stack.sql(`UPDATE orgs SET timezone = 'America/New_York' WHERE slug = 'demo'`);
  otherOrg = stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'Europe/Paris') RETURNING id`)
    .split('\n')[0];
  insertCalls(demoOrg, 'an-', 400);
  insertCalls(otherOrg, 'ot-', 150);
});

after(async () => {
  if (stack) await stack.stop();
});

test('every figure equals a brute-force recount, another org never counted', async () => {
  const s = await assertMatches(admin, START, END, 'New York');
  assert.ok(s.total > 250 && s.by_direction.outbound > 0 && s.recordings.count > 0 && s.top_numbers.length === 10);
  assert.ok(brute(START, END, 'other').total > 0, 'the other org has calls of its own');
  // A sub-range and a single day.
  await assertMatches(admin, '2025-11-02', '2025-11-02', 'DST day');
  await assertMatches(admin, '2025-10-30', '2025-11-03', 'sub-range');
  // An empty range: zeros and nulls, not errors.
  const empty = await assertMatches(admin, '2020-01-01', '2020-01-31', 'empty');
  assert.equal(empty.total, 0);
  assert.equal(empty.duration.avg_s, null);
});

test('days follow the org time zone, and changing it rebuilds the rollups', async () => {
  // 19:00 UTC on 10 June is that day in New York but 11 June 00:30 in Kolkata; no other
  // call is near it.
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
             VALUES ('${demoOrg}', 'inbound', 'twilio', 'tz-edge', 'completed', '2025-06-10 19:00Z', 61)`);
  const perDay = async () => (await admin.get(`/api/v1/calls/analytics/daily${q('2025-06-10', '2025-06-11')}`))
    .json().data.map((d) => d.total);
  const hour = async () => (await admin.get(`/api/v1/calls/analytics/heatmap${q('2025-06-10', '2025-06-11')}`))
    .json().data.filter((c) => c.count > 0).map((c) => [c.weekday, c.hour]);
  assert.deepEqual(await perDay(), [1, 0]);
  assert.deepEqual(await hour(), [[2, 15]], 'Tuesday 15:00 in New York');
  const r = stack.cli(['org', 'set', 'demo', 'timezone=Asia/Kolkata']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await perDay(), [0, 1]);
  assert.deepEqual(await hour(), [[3, 0]], 'Wednesday 00:00 in Kolkata');
  await assertMatches(admin, START, END, 'Kolkata');
  assert.equal(stack.cli(['org', 'set', 'demo', 'timezone=America/New_York']).status, 0);
  await assertMatches(admin, START, END, 'back to New York');
});

test('soft delete, status changes and stored recordings update the figures at once', async () => {
  const before = await assertMatches(admin, START, END, 'before');
  // The longest answered call goes: the maximum must move down exactly.
  const longest = stack.sql(`SELECT provider_call_id FROM calls c WHERE org_id = '${demoOrg}' AND status = 'completed'
      AND deleted_at IS NULL AND NOT is_demo AND started_at < '2025-11-07Z' ORDER BY duration_s DESC LIMIT 1`);
  stack.sql(`UPDATE calls SET deleted_at = now() WHERE provider_call_id = '${longest}'`);
  const afterDelete = await assertMatches(admin, START, END, 'after soft delete');
  assert.equal(afterDelete.total, before.total - 1);
  assert.ok(afterDelete.duration.max_s <= before.duration.max_s);
  stack.sql(`UPDATE calls SET status = 'failed' WHERE provider_call_id IN ('an-3', 'an-11', 'an-19')`);
  stack.sql(`UPDATE calls SET recording_status = 'stored', recording_bytes = 12345 WHERE provider_call_id = 'an-2'`);
  stack.sql(`UPDATE calls SET summary = 'no figure changes' WHERE org_id = '${demoOrg}'`);
  stack.sql(`DELETE FROM calls WHERE provider_call_id = 'an-4'`);
  await assertMatches(admin, START, END, 'after updates');
  // The application role (RLS, no rights on the rollup tables) keeps them right too.
  sqlAsApp(demoOrg, `UPDATE calls SET deleted_at = now() WHERE provider_call_id IN ('an-7', 'an-8');
    UPDATE calls SET status = 'completed', duration_s = 1799 WHERE provider_call_id = 'an-10';
    INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
      VALUES (app_org_id(), 'outbound', 'twilio', 'app-1', 'completed', '2025-11-01 12:00Z', 5)`);
  await assertMatches(admin, START, END, 'after writes as switchboard_app');
  assert.throws(() => sqlAsApp(demoOrg, `UPDATE call_rollup_days SET n = 0`), /permission denied/);
  assert.equal(sqlAsApp(demoOrg, `SELECT count(DISTINCT org_id) FROM call_rollup_days`), '1', 'RLS on the rollups');
});

test('sb_call_rollups_repair restores a corrupted day', async () => {
  const day = '2025-11-02';
  stack.sql(`UPDATE call_rollup_days SET n = n + 100, duration_min = 0, duration_max = 99999
             WHERE org_id = '${demoOrg}' AND day = '${day}'`);
  stack.sql(`UPDATE call_rollup_hours SET n = n + 7 WHERE org_id = '${demoOrg}' AND day = '${day}'`);
  stack.sql(`DELETE FROM call_rollup_numbers WHERE org_id = '${demoOrg}' AND day = '${day}'`);
  const b = brute(day, day);
  const bad = (await admin.get(`/api/v1/calls/analytics/summary${q(day, day)}`)).json().data;
  assert.equal(bad.total, b.total + 100 * Number(stack.sql(
    `SELECT count(*) FROM call_rollup_days WHERE org_id = '${demoOrg}' AND day = '${day}'`)));
  stack.sql(`SELECT sb_call_rollups_repair('${demoOrg}', '${day}')`);
  await assertMatches(admin, day, day, 'repaired day');
  await assertMatches(admin, START, END, 'whole range after repair');
});

test('a 20,000-row insert in one statement keeps every total exact', async () => {
  insertCalls(demoOrg, 'big-', 20000, '2025-10-26 00:00Z', 60 * 24 * 14);
  const s = await assertMatches(admin, '2025-10-20', '2025-11-10', 'after 20,000 rows');
  assert.ok(s.total > 15000);
});

// Over 20,000 calls in the range: top numbers come from the threshold walk over the
// per-number totals (sql/0011). A number with the highest total but almost all of it
// outside the range must not be ranked by its total.
test('top numbers of a busy range are exact, whatever the numbers did outside it', async () => {
  const call = (num, at, id) => `('${demoOrg}', 'inbound', 'twilio', '${id}', '${num}', 'completed', ${at}, 10)`;
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, status, started_at, duration_s)
    SELECT '${demoOrg}'::uuid, 'inbound', 'twilio', 'tail-' || g, '+1999' || lpad((g % 21000)::text, 7, '0'), 'completed',
           timestamptz '2025-12-01 12:00Z' + make_interval(mins => g % (60 * 24 * 19)), 10
      FROM generate_series(1, 24000) g
    UNION ALL
    SELECT '${demoOrg}', 'inbound', 'twilio', 'hot-' || h || '-' || k, '+1888555' || lpad(h::text, 4, '0'), 'completed',
           timestamptz '2025-12-02 12:00Z' + make_interval(hours => k), 10
      FROM generate_series(1, 12) h, generate_series(1, 14) k WHERE k <= h + 2
    UNION ALL
    SELECT '${demoOrg}', 'inbound', 'twilio', 'old-' || g, '+17775550000', 'completed',
           timestamptz '2025-06-01 12:00Z' + make_interval(mins => g), 10
      FROM generate_series(1, 500) g`);
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, status, started_at, duration_s)
             VALUES ${call('+17775550000', "'2025-12-05 12:00Z'", 'old-in-range')}`);
  const s = await assertMatches(admin, '2025-12-01', '2025-12-20', 'busy range');
  assert.ok(s.total > 20000);
  assert.equal(s.top_numbers.length, 10);
  assert.deepEqual(s.top_numbers[0], { number: '+18885550012', count: 14 });
  assert.ok(!s.top_numbers.some((t) => t.number === '+17775550000'), 'ranked by its count in the range, not its total');
});

test('the default range is the last 30 days ending today; the overview shows today', async () => {
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
             SELECT '${demoOrg}', d, 'twilio', 'today-' || i || '-' || g,
                    CASE WHEN g = 1 THEN 'completed' ELSE 'no_answer' END, now() - interval '1 second', 30
               FROM unnest(ARRAY['inbound', 'inbound', 'outbound']) WITH ORDINALITY u(d, i), generate_series(1, 2) g`);
  const today = stack.sql(`SELECT ((now() AT TIME ZONE timezone)::date)::text FROM orgs WHERE slug = 'demo'`);
  const start = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86400000).toISOString().slice(0, 10);
  const s = (await admin.get('/api/v1/calls/analytics/summary')).json().data;
  assert.equal(s.start_date, start);
  assert.equal(s.end_date, today);
  await assertMatches(admin, start, today, 'default range');
  const t = brute(today, today);
  const page = await admin.get('/');
  assert.equal(page.status, 200);
  assert.match(page.body, new RegExp(`id="today-inbound">${t.inbound}<`));
  assert.match(page.body, new RegExp(`id="today-outbound">${t.outbound}<`));
  const rate = (Math.round((1000 * (t.by_status.completed || 0)) / t.total) / 10).toFixed(1);
  assert.match(page.body, new RegExp(`id="today-answered-rate">${rate.replace('.', '\\.')}<`));
  assert.ok(page.body.includes(`href="/calls?start_date=${today}&amp;end_date=${today}&amp;direction=inbound"`));
  assert.ok(page.body.includes(`href="/calls?start_date=${today}&amp;end_date=${today}&amp;status=completed"`));
  assert.ok(page.body.includes('href="/calls/analytics"'));
  assert.match(page.body, /id="org-name"/, 'the org card stays');
});

test('the page shows the figures, an SVG chart with a table, the heatmap and top numbers', async () => {
  const res = await admin.get(`/calls/analytics${q(START, END)}`);
  assert.equal(res.status, 200);
  const b = brute(START, END);
  assert.match(res.body, new RegExp(`id="total">${b.total}<`));
  assert.match(res.body, new RegExp(`id="inbound">${b.inbound}<`));
  assert.match(res.body, /<svg class="bar-chart" role="img" aria-labelledby="daily-chart-title daily-chart-desc"/);
  assert.match(res.body, /<title id="daily-chart-title">/);
  assert.equal((res.body.match(/<rect class="bar"/g) || []).length, days(START, END).length);
  assert.doesNotMatch(res.body, /style=/, 'no inline styles (CSP)');
  assert.match(res.body, /<details class="chart-table">/);
  assert.equal((res.body.match(/<td class="heat-\d"/g) || []).length, 168);
  assert.ok(res.body.includes(`>${b.top[0].number}</a>`));
  assert.ok(res.body.includes(`href="/calls?start_date=${START}&amp;end_date=${END}&amp;phone=${encodeURIComponent(b.top[0].number)}"`));
  assert.ok(res.body.includes('href="/calls"'), 'a way back to the list');
  assert.match(res.body, /value="2025-10-27"/);
  // Defaults when no dates are given.
  const def = await admin.get('/calls/analytics');
  assert.equal(def.status, 200);
});

test('bad ranges answer 400 naming the field (HTML and JSON)', async () => {
  const cases = [
    ['start_date=2025-13-01&end_date=2025-11-01', 'start_date'],
    ['start_date=2025-02-30', 'start_date'],
    ['start_date=yesterday', 'start_date'],
    ['end_date=2025-11-01%27', 'end_date'],
    ['start_date=2025-11-02&end_date=2025-11-01', 'end_date'],
    ['start_date=2024-01-01&end_date=2025-01-01', 'end_date'], // 367 days
  ];
  for (const [query, field] of cases) {
    const html = await admin.get(`/calls/analytics?${query}`);
    assert.equal(html.status, 400, query);
    assert.match(html.body, new RegExp(`id="${field}-error"`), `${query}: message at the field`);
    assert.match(html.body, new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
    for (const ep of ['summary', 'daily', 'heatmap']) {
      const res = await admin.get(`/api/v1/calls/analytics/${ep}?${query}`);
      assert.equal(res.status, 400, `${ep} ${query}`);
      const err = res.json().error;
      assert.equal(err.code, 'invalid');
      assert.ok(err.fields[field], `${ep} ${query}: names ${field}`);
    }
  }
  // The typed value comes back escaped.
  const xss = await admin.get('/calls/analytics?start_date=%3Cscript%3E');
  assert.equal(xss.status, 400);
  assert.ok(xss.body.includes('value="&lt;script&gt;"'));
  // 366 days counting both ends is allowed.
  assert.equal((await admin.get('/api/v1/calls/analytics/summary?start_date=2024-01-01&end_date=2024-12-31')).status, 200);
});

test('every role may read analytics; API keys too; nobody else', async () => {
  for (const role of ['viewer', 'agent', 'manager']) {
    const c = await stack.as(role);
    assert.equal((await c.get(`/calls/analytics${q(START, END)}`)).status, 200, role);
    assert.equal((await c.get(`/api/v1/calls/analytics/daily${q(START, END)}`)).status, 200, role);
  }
  const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'analytics', '--role', 'viewer']);
  assert.equal(r.status, 0, r.stderr);
  const key = r.stdout.trim();
  const res = await stack.request('GET', `/api/v1/calls/analytics/summary${q(START, END)}`,
    { headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  assert.equal(res.json().data.total, brute(START, END).total);
  assert.equal((await stack.request('GET', '/api/v1/calls/analytics/heatmap')).status, 401);
  const anon = await stack.request('GET', '/calls/analytics');
  assert.equal(anon.status, 303);
  // Another org's key sees only its own calls.
  const other = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'viewer']);
  assert.equal(other.status, 0, other.stderr);
  const o = await stack.request('GET', `/api/v1/calls/analytics/summary${q(START, END)}`,
    { headers: { authorization: `Bearer ${other.stdout.trim()}` } });
  assert.equal(o.json().data.total, brute(START, END, 'other').total);
});
