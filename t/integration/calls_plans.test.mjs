// calls_plans.test.mjs — each shape of the calls list query uses its index. The plans
// checked are those of the application's own statements: auto_explain logs the plan
// of every statement the web workers run (as the application role, under RLS), with
// sequential scans disabled for that role so a missing index shows as a Seq Scan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Stack, waitFor } from '../lib/stack.mjs';
import { clearCalls, campaignFor } from '../lib/calls_fixtures.mjs';

let stack, client, logFile;
const CAMPAIGN = '0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11';

before(async () => {
  stack = await Stack.start({ workers: 1 });
  logFile = path.join(stack.dir, 'log', 'postgres.log');
  clearCalls(stack);
  campaignFor(stack, CAMPAIGN);
  // Enough rows, spread like real data, for the planner to prefer the indexes.
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status,
      started_at, duration_s, transcript, campaign_id)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), CASE WHEN g % 2 = 0 THEN 'inbound' ELSE 'outbound' END, 'twilio', 'p-' || g,
      '+1415555' || lpad((g % 5000)::text, 4, '0'), '+1212555' || lpad((g % 4000)::text, 4, '0'), 'Caller ' || md5(g::text),
      'completed', '2024-01-01'::timestamptz + g * interval '5 minutes', g % 1800,
      CASE WHEN g % 200 = 0 THEN '[{"t_ms":0,"speaker":"caller","text":"I want a refund"}]'::jsonb
           ELSE '[{"t_ms":0,"speaker":"agent","text":"hello there"}]'::jsonb END,
      CASE WHEN g % 300 = 0 THEN '${CAMPAIGN}'::uuid END
    FROM generate_series(1, 40000) g`);
  // What autovacuum would have done by now: statistics, and the GIN indexes'
  // pending lists merged (a long pending list makes the planner shun them).
  stack.sql('VACUUM ANALYZE calls, call_names');
  stack.superSql(`ALTER ROLE switchboard_app SET session_preload_libraries = 'auto_explain';
    ALTER ROLE switchboard_app SET auto_explain.log_min_duration = 0;
    ALTER ROLE switchboard_app SET auto_explain.log_format = 'json';
    ALTER ROLE switchboard_app SET auto_explain.log_nested_statements = on;
    ALTER ROLE switchboard_app SET enable_seqscan = off`);
  // New workers, new connections: the role's settings apply from their first statement.
  await stack.restartServe();
  client = await stack.as('viewer');
});

after(async () => {
  if (stack) await stack.stop();
});

// A phone number alone is read in two branches, one per side of the call; a search
// starts with its walk (calls_sql.c).
const LIST = /"Query Text": "(WITH (names|surname) AS MATERIALIZED \(SELECT (\* FROM sb_calls_matching_names|coalesce)|(WITH walk AS MATERIALIZED \(SELECT |SELECT (\* FROM \(\(SELECT )?)c\.id, c\.direction)/;
const COUNT = /"Query Text": "SELECT (CASE WHEN [^"]*? ELSE \()?count\(\*\) FROM \(SELECT \$1::text FROM calls c/;

/** The plans auto_explain logged for one request's statements that match which. */
async function plansOf(urlPath, which = LIST) {
  const from = statSync(logFile).size;
  const res = await client.get(urlPath);
  assert.equal(res.status, 200, res.body);
  // The log is written by the database backend as the statement ends; poll until it shows.
  return waitFor(() => {
    const text = readFileSync(logFile).subarray(from).toString('utf8');
    const plans = text.split(/\n(?=\d{4}-\d\d-\d\d )/).filter((e) => which.test(e));
    return plans.length ? plans : null;
  }, { what: `the plan of ${urlPath} in the database log` });
}

// The name and transcript searches run inside sql/0006's functions (see there why);
// the name's, and the names' way (sql/0057), read the org's names first.
const SEARCH = /"Query Text": "(\\n)?\s*SELECT (c\.)?id FROM (calls WHERE org_id = app_org_id\(\)|call_names n)/;
const NAMES = /"Query Text": "(\\n)?\s*SELECT n\.caller_name, n\.calls, n\.demo_calls FROM call_names n/;
const SURNAME = /"Query Text": "WITH surname AS MATERIALIZED/;
const searchPlans = (urlPath) => plansOf(urlPath, new RegExp(`${SEARCH.source}|${NAMES.source}`));

const indexNames = (plan) => [...plan.matchAll(/"Index Name": "([a-z_]+)"/g)].map((m) => m[1]);

const shapes = [
  ['/api/v1/calls', ['calls_org_started_idx']],
  ['/api/v1/calls?sort=oldest', ['calls_org_started_idx']],
  ['/api/v1/calls?sort=longest', ['calls_org_duration_idx']],
  ['/api/v1/calls?start_date=2024-02-01&end_date=2024-02-03', ['calls_org_started_idx']],
  ['/api/v1/calls?direction=inbound&status=completed&min_duration=10', ['calls_org_started_idx']],
  ['/api/v1/calls?phone=(415)+555-0042', ['calls_org_from_idx', 'calls_org_to_idx']],
  ['/api/v1/calls?phone=(212)+555-0042&sort=oldest', ['calls_org_from_idx', 'calls_org_to_idx']],
  // A name on few calls: through the org's names and each name's calls (sql/0057).
  ['/api/v1/calls?name=c4ca4238', ['call_names_trgm_idx', 'calls_org_name_idx', 'calls_org_started_idx']],
  // A name on no call (md5s have no z) in an order the names cannot give: its estimate
  // cannot depend on which names ANALYZE sampled, so the search surely takes the index
  // (see the search tests), which also reads the names.
  ['/api/v1/calls?name=c4ca4238zz&sort=longest', ['call_names_trgm_idx', 'calls_org_name_idx']],
  ['/api/v1/calls?q=refund', ['calls_transcript_tsv_idx']],
  ['/api/v1/calls?campaign_id=' + CAMPAIGN, ['calls_org_campaign_idx']],
  // The page's own statement (fewer columns, calls_page_stmt): the same indexes.
  ['/calls', ['calls_org_started_idx']],
  ['/calls?sort=longest', ['calls_org_duration_idx']],
  ['/calls?phone=(415)+555-0042', ['calls_org_from_idx', 'calls_org_to_idx']],
];

for (const [url, want] of shapes) {
  test(`${url} uses ${want.join(' + ')}`, async () => {
    const plans = await plansOf(url);
    const search = /name=|q=/.test(url) ? await searchPlans(url) : [];
    for (const plan of [...plans, ...search]) assert.doesNotMatch(plan, /"Node Type": "Seq Scan"/, 'no sequential scan');
    const used = [...plans, ...search].flatMap(indexNames);
    for (const name of want) assert.ok(used.includes(name), `${name} in ${used.join(', ')}`);
  });
}

/** How the API's search at urlPath found its calls: 'names' when sql/0057's names
 * function ran, 'index' when sql/0006's did (their statements are logged before the
 * list's, which ends after them), 'surname' when the surname's statement ran without
 * them (sql/0062), else 'walk'. */
async function searchedVia(urlPath) {
  const from = statSync(logFile).size;
  const res = await client.get(urlPath);
  assert.equal(res.status, 200, res.body);
  const text = await waitFor(() => {
    const t = readFileSync(logFile).subarray(from).toString('utf8');
    return LIST.test(t) ? t : null;
  }, { what: `the plan of ${urlPath} in the database log` });
  const via = NAMES.test(text) ? 'names' : SEARCH.test(text) ? 'index' : SURNAME.test(text) ? 'surname' : 'walk';
  return { via, ids: res.json().data.map((c) => c.id), next: res.json().next_cursor };
}

// sql/0056, sql/0057 and calls_sql.c's "Searches": a name that few of the org's names
// have is found through them; a term on most calls by reading the list's index in
// order and testing each call; a rare one through the GIN indexes.
test('a search goes by the names, walks for a common term and reads the GIN index for a rare one', async () => {
  for (const [url, want] of [
    ['/api/v1/calls?name=Caller', 'walk'], // 40,000 names
    ['/api/v1/calls?name=c4ca4238', 'names'],
    ['/api/v1/calls?name=c4ca4238&sort=oldest', 'names'],
    ['/api/v1/calls?name=c4ca4238zz', 'names'],
    ['/api/v1/calls?name=c4ca4238zz&sort=longest', 'index'],
    ['/api/v1/calls?name=nobody-is-called-this&sort=longest', 'index'],
    ['/api/v1/calls?q=hello', 'walk'],
    ['/api/v1/calls?q=refund', 'index'], // on one call in 200
    ['/api/v1/calls?q=zyzzyva', 'index'],
    ['/api/v1/calls?name=Caller&q=hello&sort=longest', 'walk'],
  ]) {
    assert.equal((await searchedVia(url)).via, want, url);
  }
  // Asked again, a search takes the choice its worker remembers (search_plans.h):
  // the same plan, without asking the planner.
  const from = statSync(logFile).size;
  assert.equal((await searchedVia('/api/v1/calls?name=Caller')).via, 'walk');
  const again = readFileSync(logFile).subarray(from).toString('utf8');
  assert.match(again, /"Query Text": "SELECT set_config\('app.calls_search', \$1, true\)"/);
  assert.doesNotMatch(again, /sb_calls_search_plan/);
  // A search its worker knows goes by the names runs their statement alone, without
  // the walk and the index (of two requests after one that chose, at least one knows).
  assert.equal((await searchedVia('/api/v1/calls?name=c4ca4238')).via, 'names');
  const fromNames = statSync(logFile).size;
  for (let i = 0; i < 2; i++) assert.equal((await searchedVia('/api/v1/calls?name=c4ca4238')).via, 'names');
  const texts = readFileSync(logFile).subarray(fromNames).toString('utf8').match(/"Query Text": "WITH [a-z]+ AS/g);
  assert.ok(texts.includes('"Query Text": "WITH names AS'), texts.join(', '));
});

// Whichever plan is taken, the page is the same; a walk that finds too few matches in
// its window (the term was rarer than estimated) gives way to the index.
test('a search forced to any plan gives the same pages; a short walk gives way to the index', async () => {
  const sqlIds = (where, order, limit) => stack.sql(`SELECT id FROM calls WHERE deleted_at IS NULL AND NOT is_demo
    AND ${where} ORDER BY ${order} LIMIT ${limit}`).split('\n').filter(Boolean);
  const pages = async (qs, n) => {
    const got = [];
    let url = `/api/v1/calls?${qs}`;
    for (let i = 0; i < n; i++) {
      const r = await searchedVia(url);
      got.push(r);
      if (!r.next) break;
      url = `/api/v1/calls?${qs}&cursor=${encodeURIComponent(r.next)}`;
    }
    return got;
  };
  try {
    for (const mode of ['walk', 'index', 'names']) {
      stack.superSql(`ALTER ROLE switchboard_app SET switchboard.calls_search = '${mode}'`);
      await stack.restartServe();
      client = await stack.as('viewer');
      // Common: three pages of 30, in order, by the forced plan.
      const common = await pages('name=caller+c&limit=30', 3);
      assert.deepEqual(common.flatMap((p) => p.ids),
        sqlIds("caller_name ILIKE '%caller c%'", 'started_at DESC, id DESC', 90), mode);
      for (const p of common) assert.equal(p.via, mode);
      // The page's count: every match by the index and the names; by the walk, what its
      // page shows.
      const total = Number(stack.sql(`SELECT count(*) FROM calls WHERE deleted_at IS NULL AND NOT is_demo
        AND caller_name ILIKE '%caller c%'`));
      const shown = (await client.get('/calls?name=caller+c&limit=30')).body.match(/id="result-count"><strong>([^<]+)</);
      assert.equal(shown?.[1], mode === 'walk' ? '30+' : total.toLocaleString('en-US'), mode);
      const longest = await pages('q=hello&sort=longest&limit=40', 2);
      assert.deepEqual(longest.flatMap((p) => p.ids),
        sqlIds("transcript_tsv @@ websearch_to_tsquery('english', 'hello')", 'duration_s DESC, id DESC', 80), mode);
      // Rare: the oldest call's name. Walking the newest calls, the window ends before
      // it; walking the oldest, the list ends (one match) before the page is full.
      const oldest = sqlIds("caller_name LIKE '%c4ca4238%'", 'started_at', 2);
      assert.equal(oldest.length, 1);
      for (const sort of ['newest', 'oldest']) {
        const [rare] = await pages(`name=c4ca4238&sort=${sort}`, 1);
        assert.deepEqual(rare.ids, oldest, `${mode} ${sort}`);
        assert.equal(rare.via, mode === 'names' ? 'names' : 'index', `${mode} ${sort}: the index gives the page`);
      }
      // Some matches within the walk's window (the newest 20,000 calls), some beyond it:
      // too few for a page, so the index gives them all.
      const spread = sqlIds("caller_name LIKE '%c4ca%'", 'started_at DESC, id DESC', 51);
      const beyond = stack.sql(`SELECT count(*) FROM (SELECT caller_name FROM calls WHERE deleted_at IS NULL AND NOT is_demo
        ORDER BY started_at DESC, id DESC OFFSET 20000) c WHERE caller_name LIKE '%c4ca%'`);
      assert.ok(spread.length >= 4 && spread.length < 51 && Number(beyond) > 0 && Number(beyond) < spread.length,
        `${spread.length} calls named *c4ca*, ${beyond} beyond the window`);
      const [some] = await pages('name=c4ca', 1);
      assert.deepEqual(some.ids, spread, mode);
      assert.equal(some.via, mode === 'names' ? 'names' : 'index', mode);
    }
  } finally {
    stack.superSql('ALTER ROLE switchboard_app RESET switchboard.calls_search');
    await stack.restartServe();
    client = await stack.as('viewer');
  }
});

// calls_sql.c, add_names_ctes: the names' way reads each name only a few calls deep
// at first (four times its share of a page, at least 8), and reads every name a page
// deep when one of them has more of the page than that. Twenty names spread evenly
// take the first way; one of them with the newest 45 calls the second, on the newest
// pages (and on the oldest pages' last ones). Every page, in both orders and two page
// sizes, is the one the table gives, and nothing is read twice or skipped.
test('the names\' way: a few calls deep per name, a page deep when one name fills the page', async () => {
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status,
      started_at, duration_s)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'twilio', 'quill-' || i || '-' || j, '+14155550100',
      '+12125550100', 'Quill ' || lpad(i::text, 2, '0'), 'completed',
      '2025-06-01'::timestamptz + (j * 20 + i) * interval '1 minute', 60
    FROM generate_series(1, 20) i, generate_series(1, 30) j;
    INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status,
      started_at, duration_s)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'twilio', 'quill-burst-' || g, '+14155550100',
      '+12125550100', 'Quill 07', 'completed', '2025-07-01'::timestamptz + g * interval '1 minute', 60
    FROM generate_series(1, 45) g;
    UPDATE calls SET deleted_at = now() WHERE provider_call_id IN ('quill-burst-44', 'quill-burst-20', 'quill-3-29')`);
  stack.sql('ANALYZE calls, call_names');
  const all = (order) => stack.sql(`SELECT id FROM calls WHERE deleted_at IS NULL AND NOT is_demo
    AND caller_name LIKE 'Quill %' ORDER BY ${order}`).split('\n').filter(Boolean);
  for (const [sort, order] of [['newest', 'started_at DESC, id DESC'], ['oldest', 'started_at, id']]) {
    const want = all(order);
    assert.equal(want.length, 20 * 30 + 45 - 3);
    for (const limit of [50, 5]) {
      const got = [];
      let url = `/api/v1/calls?name=quill&sort=${sort}&limit=${limit}`;
      const pages = limit === 50 ? 20 : 8; // every page of 50 (13); the first 8 of 5
      for (let page = 0; page < pages && url; page++) {
        const r = await searchedVia(url);
        assert.equal(r.via, 'names', url);
        got.push(...r.ids);
        url = r.next && `/api/v1/calls?name=quill&sort=${sort}&limit=${limit}&cursor=${encodeURIComponent(r.next)}`;
      }
      assert.deepEqual(got, want.slice(0, pages * limit), `${sort}, ${limit} a page`);
    }
  }
  const shown = (await client.get('/calls?name=quill')).body.match(/id="result-count"><strong>([^<]+)</);
  assert.equal(shown?.[1], '642');
});

// calls_sql.c, names_keyset_stmt with few: once a worker knows a search goes by at most
// four names (the depth is then a page), it reads each name a page deep in a simpler
// statement: the names, then each one's first page with its columns. Three names
// (one call deleted, one a demo call), every page in both orders and with a filter,
// the page's count; then three more names added while the choice is remembered: the
// pages are still the table's.
test('a few names: each read a page deep by the simpler statement, every page right', async () => {
  const org = "(SELECT id FROM orgs WHERE slug = 'demo')";
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status,
      started_at, duration_s, is_demo)
    SELECT ${org}, CASE WHEN j % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'twilio', 'wren-' || i || '-' || j,
      '+14155550100', '+12125550100', 'Wren ' || (ARRAY['Ash', 'Birch', 'Cedar'])[i], 'completed',
      '2025-08-01'::timestamptz + (j * 3 + i) * interval '1 minute' + CASE WHEN i = 2 THEN interval '2 days' ELSE '0' END,
      60, j = 7
    FROM generate_series(1, 3) i, generate_series(1, 40) j;
    UPDATE calls SET deleted_at = now() WHERE provider_call_id = 'wren-1-12'`);
  stack.sql('ANALYZE calls, call_names');
  const want = (order, where = 'true') => stack.sql(`SELECT id FROM calls WHERE deleted_at IS NULL AND NOT is_demo
    AND caller_name LIKE 'Wren %' AND ${where} ORDER BY ${order}`).split('\n').filter(Boolean);
  const listText = async (url) => {
    const from = statSync(logFile).size;
    const r = await searchedVia(url);
    const text = readFileSync(logFile).subarray(from).toString('utf8').match(/"Query Text": "WITH names AS[^"]*/g) ?? [];
    return { ...r, few: text.some((t) => / WHERE current_setting\('app\.calls_search', true\) = 'names'\) SELECT /.test(t)) };
  };
  const walk = async (qs, limit) => {
    const got = [];
    let url = `/api/v1/calls?${qs}&limit=${limit}`;
    for (let page = 0; page < 30 && url; page++) {
      const r = await listText(url);
      assert.equal(r.via, 'names', url);
      if (page > 0) assert.ok(r.few, `${url}: the few names' statement`);
      got.push(...r.ids);
      url = r.next && `/api/v1/calls?${qs}&limit=${limit}&cursor=${encodeURIComponent(r.next)}`;
    }
    return got;
  };
  for (const [sort, order] of [['newest', 'started_at DESC, id DESC'], ['oldest', 'started_at, id']]) {
    assert.equal(want(order).length, 3 * 40 - 3 - 1);
    for (const limit of [50, 7]) assert.deepEqual(await walk(`name=wren&sort=${sort}`, limit), want(order), `${sort}, ${limit}`);
    assert.deepEqual(await walk(`name=wren&sort=${sort}&direction=outbound`, 5), want(order, "direction = 'outbound'"), sort);
  }
  // The HTML page: its rows from the same statement, and the names' count.
  for (let i = 0; i < 2; i++) {
    const page = await client.get('/calls?name=wren');
    assert.equal(page.status, 200);
    assert.equal(page.body.match(/id="result-count"><strong>([^<]+)</)?.[1], '116');
    const ids = [...page.body.matchAll(/href="\/calls\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(ids)], want('started_at DESC, id DESC').slice(0, 50));
  }
  // More names than a few, while the worker still remembers the choice: each name is
  // read a page deep, so the pages stay right (only slower).
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status,
      started_at, duration_s)
    SELECT ${org}, 'inbound', 'twilio', 'wren-more-' || i || '-' || j, '+14155550100', '+12125550100',
      'Wren ' || (ARRAY['Dogwood', 'Elm', 'Fir'])[i], 'completed', '2025-08-01'::timestamptz + (j * 7 + i) * interval '1 minute', 60
    FROM generate_series(1, 3) i, generate_series(1, 20) j`);
  for (const [sort, order] of [['newest', 'started_at DESC, id DESC'], ['oldest', 'started_at, id']]) {
    assert.equal(want(order).length, 116 + 60);
    assert.deepEqual(await walk(`name=wren&sort=${sort}`, 50), want(order), sort);
  }
});

// sql/0062 and calls_sql.c, surname_keyset_stmt: a search whose names all end with it
// (seven names "... Quarry", one of them "Gil QUARRY") goes by that surname's own index
// once its worker knows: one range, in the list's order. Every page, in both orders,
// two page sizes and with a filter, is the table's, and the page's count is the
// names'. A new name without the word changes nothing but the epoch. Then a name
// that has the word elsewhere ("Hal Quarryman", the newest calls) comes while the
// worker still remembers: the very next page has its calls (the names' epoch moved
// and the names failed the check, so the page went by the names), and the worker
// chooses again, by the names from then on.
test('a surname: one range of its own index, and the names again once a name has the word elsewhere', async () => {
  const org = "(SELECT id FROM orgs WHERE slug = 'demo')";
  const insert = (names, calls, from, prefix) => stack.sql(`INSERT INTO calls (org_id, direction, provider,
      provider_call_id, from_number, to_number, caller_name, status, started_at, duration_s, is_demo)
    SELECT ${org}, CASE WHEN j % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'twilio', '${prefix}-' || i || '-' || j,
      '+14155550100', '+12125550100', (ARRAY[${names.map((n) => `'${n}'`).join(', ')}])[i], 'completed',
      '${from}'::timestamptz + (j * ${names.length} + i) * interval '1 minute', 60, j = 5
    FROM generate_series(1, ${names.length}) i, generate_series(1, ${calls}) j`);
  insert(['Ada Quarry', 'Bea Quarry', 'Cy Quarry', 'Dee Quarry', 'Eve Quarry', 'Fay Quarry', 'Gil QUARRY'], 20,
    '2025-09-01', 'quarry');
  stack.sql("UPDATE calls SET deleted_at = now() WHERE provider_call_id = 'quarry-2-9'");
  stack.sql('ANALYZE calls, call_names');
  const want = (order, where = 'true') => stack.sql(`SELECT id FROM calls WHERE deleted_at IS NULL AND NOT is_demo
    AND caller_name ILIKE '%quarry%' AND ${where} ORDER BY ${order}`).split('\n').filter(Boolean);
  const walk = async (qs, limit, via) => {
    const got = [];
    let url = `/api/v1/calls?${qs}&limit=${limit}`;
    for (let page = 0; page < 40 && url; page++) {
      const r = await searchedVia(url);
      if (page > 0) assert.equal(r.via, via, url);
      got.push(...r.ids);
      url = r.next && `/api/v1/calls?${qs}&limit=${limit}&cursor=${encodeURIComponent(r.next)}`;
    }
    return got;
  };
  const [newest, oldest] = ['started_at DESC, id DESC', 'started_at, id'];
  assert.equal(want(newest).length, 7 * 20 - 7 - 1);
  for (const [sort, order] of [['newest', newest], ['oldest', oldest]]) {
    for (const limit of [50, 7]) assert.deepEqual(await walk(`name=Quarry&sort=${sort}`, limit, 'surname'), want(order), `${sort}, ${limit}`);
    assert.deepEqual(await walk(`name=quarry&sort=${sort}&direction=outbound`, 5, 'surname'), want(order, "direction = 'outbound'"), sort);
  }
  const [plan] = await plansOf('/api/v1/calls?name=Quarry');
  assert.ok(indexNames(plan).includes('calls_org_surname_idx'), indexNames(plan).join(', '));
  assert.match(plan, /"Index Cond": "[^"]*\(caller_surname = /, 'the surname is an index condition');
  for (let i = 0; i < 2; i++) {
    const page = await client.get('/calls?name=Quarry');
    assert.equal(page.body.match(/id="result-count"><strong>([^<]+)</)?.[1], '132');
    const ids = [...page.body.matchAll(/href="\/calls\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(ids)], want(newest).slice(0, 50));
  }
  // A new name without the word, while the choice is remembered: the names' epoch
  // moves, the names are checked again, and the surname's way goes on; its worker
  // keeps the new epoch, so the request after checks nothing.
  const CHECK = /"Query Text": "[^"]*FROM call_name_epochs e[^"]*NOT EXISTS/;
  insert(['Ivy Stone'], 3, '2025-10-02', 'stone');
  let from = statSync(logFile).size;
  const checked = await searchedVia('/api/v1/calls?name=Quarry');
  assert.equal(checked.via, 'surname', 'a name without the word');
  assert.deepEqual(checked.ids, want(newest).slice(0, 50));
  assert.match(readFileSync(logFile).subarray(from).toString('utf8'), CHECK, 'the names checked again');
  from = statSync(logFile).size;
  const after = await searchedVia('/api/v1/calls?name=Quarry');
  assert.equal(after.via, 'surname');
  assert.doesNotMatch(readFileSync(logFile).subarray(from).toString('utf8'), CHECK, 'the new epoch kept');
  // A name with the word elsewhere, on the newest calls, while the choice is remembered.
  insert(['Hal Quarryman'], 4, '2025-10-01', 'quarryman');
  assert.equal(want(newest).length, 132 + 4);
  const next = await searchedVia('/api/v1/calls?name=Quarry');
  assert.equal(next.via, 'names', 'the epoch moved and the check failed: the names');
  assert.deepEqual(next.ids, want(newest).slice(0, 50));
  from = statSync(logFile).size;
  assert.deepEqual(await walk('name=Quarry', 50, 'names'), want(newest), 'every page, by the names');
  assert.match(readFileSync(logFile).subarray(from).toString('utf8'), /sb_calls_search_plan/, 'chosen again');
  assert.equal((await client.get('/calls?name=Quarry')).body.match(/id="result-count"><strong>([^<]+)</)?.[1], '136');
});

// A search's text matches literally: the application escapes LIKE's characters in it
// (params.c), so "Qz_Wy" does not find "Cy QzxWy". Such a pattern holds a backslash,
// and never goes the surname's way (sql/0062); its pages are the literal matches. A
// plain word of the same names ("QzxWy") does.
test('a search with LIKE\'s characters matches them literally, and not by the surname', async () => {
  const ids = (pattern) => stack.sql(`SELECT id FROM calls WHERE deleted_at IS NULL AND NOT is_demo
    AND caller_name ILIKE '%' || ${pattern} || '%' ORDER BY started_at DESC, id DESC`).split('\n').filter(Boolean);
  const add = (name, n, from) => stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number,
      to_number, caller_name, status, started_at, duration_s)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'twilio', md5('${name}' || g), '+14155550100',
      '+12125550100', '${name}', 'completed', '${from}'::timestamptz + g * interval '1 minute', 60
    FROM generate_series(1, ${n}) g`);
  add('Ann Qz_Wy', 4, '2025-12-01');
  add('Bo Qz_Wy', 3, '2025-12-02');
  add('Cy QzxWy', 2, '2025-12-03');
  assert.equal(ids("'Qz\\_Wy'").length, 7);
  for (let i = 0; i < 2; i++) {
    const r = await searchedVia('/api/v1/calls?name=Qz_Wy');
    assert.notEqual(r.via, 'surname');
    assert.deepEqual(r.ids, ids("'Qz\\_Wy'"), 'the underscore literally');
  }
  assert.equal(ids("'QzxWy'").length, 2);
  for (let i = 0; i < 2; i++) {
    const r = await searchedVia('/api/v1/calls?name=QzxWy');
    if (i > 0) assert.equal(r.via, 'surname');
    assert.deepEqual(r.ids, ids("'QzxWy'"));
  }
});

// More names than the names' way takes (sql/0057 walks past 100): a surname of 120
// names still goes by its own index once its worker knows, one range however many
// names; every page right in both orders.
test('a surname of more names than the names\' way takes: still one range', async () => {
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status,
      started_at, duration_s)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'twilio', 'ridge-' || i || '-' || j, '+14155550100',
      '+12125550100', 'P' || lpad(i::text, 3, '0') || ' Ridge', 'completed',
      '2025-11-01'::timestamptz + (j * 120 + i) * interval '1 minute', 60
    FROM generate_series(1, 120) i, generate_series(1, 2) j`);
  stack.sql('ANALYZE calls, call_names');
  for (const [sort, order] of [['newest', 'started_at DESC, id DESC'], ['oldest', 'started_at, id']]) {
    const want = stack.sql(`SELECT id FROM calls WHERE deleted_at IS NULL AND NOT is_demo AND caller_name LIKE '% Ridge'
      ORDER BY ${order}`).split('\n').filter(Boolean);
    assert.equal(want.length, 240);
    const got = [];
    let url = `/api/v1/calls?name=ridge&sort=${sort}`;
    for (let page = 0; page < 10 && url; page++) {
      const r = await searchedVia(url);
      if (page > 0) assert.equal(r.via, 'surname', url);
      got.push(...r.ids);
      url = r.next && `/api/v1/calls?name=ridge&sort=${sort}&cursor=${encodeURIComponent(r.next)}`;
    }
    assert.deepEqual(got, want, sort);
  }
});

test('the next page (keyset condition) still walks the index', async () => {
  for (const [sort, idx] of [['newest', 'calls_org_started_idx'], ['oldest', 'calls_org_started_idx'], ['longest', 'calls_org_duration_idx']]) {
    const first = await client.get(`/api/v1/calls?sort=${sort}&limit=5`);
    const cursor = first.json().next_cursor;
    const [plan] = await plansOf(`/api/v1/calls?sort=${sort}&limit=5&cursor=${encodeURIComponent(cursor)}`);
    assert.ok(indexNames(plan).includes(idx), sort);
    assert.match(plan, /"Index Cond": "[^"]*ROW\((started_at|duration_s), id\) [<>] ROW/, `${sort}: the cursor is an index condition`);
  }
});

test('the filtered count uses the filter\'s index too', async () => {
  const [count] = await plansOf('/calls?phone=4155550042&limit=5', COUNT);
  assert.ok(indexNames(count).includes('calls_org_from_idx'));
  assert.doesNotMatch(count, /"Node Type": "Seq Scan"/);
});

// PostgreSQL plans a prepared statement's first five executions for their values,
// then keeps a generic plan unless it costs out worse. A custom plan shows the values
// in its conditions, a generic one $n. The list must become generic: with its LIMIT
// as a parameter it never did (the generic plan had to guess the row count), and
// every request paid for planning.
test('the list and count statements settle on a generic plan (no planning per request)', async () => {
  const phone = /"Index Cond": "[^"]*from_number = \$\d+/;
  for (const [url, which, generic] of [
    ['/calls?phone=4155550042', LIST, phone],
    ['/calls?phone=4155550042', COUNT, phone],
  ]) {
    let plan;
    for (let i = 0; i < 7; i++) [plan] = await plansOf(url, which);
    assert.match(plan, generic, `${url}: the 7th execution's plan is generic`);
  }
  // Every "Next page" is the keyset statement, with a different cursor each time.
  let url = '/api/v1/calls?limit=20';
  let plan;
  for (let i = 0; i < 7; i++) {
    const cursor = (await client.get(url)).json().next_cursor;
    url = `/api/v1/calls?limit=20&cursor=${encodeURIComponent(cursor)}`;
    [plan] = await plansOf(url);
  }
  assert.match(plan, /"Index Cond": "[^"]*ROW\(started_at, id\) < ROW\([^"]*\$\d+/, 'the 7th next page\'s plan is generic');
});

// A number on hundreds of calls, on either side (an org's own line): read in two
// branches, one per index, merged in order; every call once (one from and to the same
// number too), page after page, in both orders; the count agrees; and the plan is the
// generic one from the first request (the page asks for it), with no sort of the
// number's calls: a page reads about a page of each index.
test('a busy number: two index walks merged, every call once, in order, generic at once', async () => {
  const N = '+13105550001';
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, status, started_at, duration_s)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'twilio', 'busy-' || g,
      CASE WHEN g % 3 = 0 THEN '+13105559999' ELSE '${N}' END, CASE WHEN g % 3 = 1 THEN '+13105558888' ELSE '${N}' END,
      'completed', '2025-03-01'::timestamptz + (g / 2) * interval '1 minute', 30
    FROM generate_series(1, 900) g`);
  const want = stack.sql(`SELECT id FROM calls WHERE '${N}' IN (from_number, to_number) AND deleted_at IS NULL
    ORDER BY started_at DESC, id DESC`).split('\n');
  assert.equal(want.length, 900);
  const walk = async (sort) => {
    const got = [];
    let url = `/api/v1/calls?phone=3105550001&sort=${sort}&limit=100`;
    for (let page = 0; page < 20; page++) {
      const res = await client.get(url);
      assert.equal(res.status, 200, res.body);
      got.push(...res.json().data.map((c) => c.id));
      const cursor = res.json().next_cursor;
      if (!cursor) break;
      url = `/api/v1/calls?phone=3105550001&sort=${sort}&limit=100&cursor=${encodeURIComponent(cursor)}`;
    }
    return got;
  };
  assert.deepEqual(await walk('newest'), want);
  assert.deepEqual(await walk('oldest'), [...want].reverse());
  const page = await client.get('/calls?phone=3105550001');
  assert.match(page.body, /<strong>900<\/strong> calls match/);

  const [list] = await plansOf('/calls?phone=3105550001&sort=oldest&start_date=2025-03-01');
  assert.match(list, /"Node Type": "Merge Append"/);
  assert.doesNotMatch(list, /"Node Type": "Sort"/, 'no sort of the number\'s calls');
  for (const idx of ['calls_org_from_idx', 'calls_org_to_idx']) assert.ok(indexNames(list).includes(idx), idx);
  assert.match(list, /"Index Cond": "[^"]*from_number = \$\d+/, 'generic on its first execution');
  const [count] = await plansOf('/calls?phone=3105550001&sort=oldest&start_date=2025-03-01', COUNT);
  assert.doesNotMatch(count, /"Node Type": "Seq Scan"/);
});

// A statement's cached plan is generic after a few executions: the list's must still
// walk its keyset index with no filter to help it (no seq scan to fall back on here).
test('generic plans of the list use the keyset indexes', async () => {
  stack.superSql(`ALTER ROLE switchboard_app SET enable_seqscan = on;
    ALTER ROLE switchboard_app SET plan_cache_mode = force_generic_plan`);
  await stack.restartServe();
  client = await stack.as('viewer');
  for (const [url, idx] of [['/calls', 'calls_org_started_idx'], ['/api/v1/calls?sort=oldest', 'calls_org_started_idx'],
    ['/api/v1/calls?sort=longest', 'calls_org_duration_idx'], ['/api/v1/calls?direction=inbound&status=completed', 'calls_org_started_idx']]) {
    const [plan] = await plansOf(url);
    assert.ok(indexNames(plan).includes(idx), `${url}: ${indexNames(plan).join(', ')}`);
    assert.doesNotMatch(plan, /"Node Type": "Seq Scan"/, url);
  }
});

// The generic plan of a phone number alone must not depend on how the numbers are
// spread. Here nearly every call goes to one of two numbers (an org's own lines), so
// a generic estimate for "to_number = $n" is half the calls; still, a number on one
// call is read through the to index, not the org's whole started_at index filtered
// (read only, that looked cheapest), nor every call through any index (the count's
// generic plan did that, so the count is planned for its value).
test('a phone number\'s generic plan reads its own indexes, however skewed the numbers are', async () => {
  stack.sql(`UPDATE calls SET to_number = CASE WHEN random() < 0.5 THEN '+12125550000' ELSE '+12125550001' END
    WHERE provider_call_id LIKE 'p-%'`);
  stack.sql(`UPDATE calls SET to_number = '+16465550177' WHERE provider_call_id = 'p-777'`);
  stack.sql('VACUUM ANALYZE calls, call_names');
  // As deployed: sequential scans allowed, plans chosen as PostgreSQL would (the test
  // before forced generic plans for the whole role).
  stack.superSql(`ALTER ROLE switchboard_app SET enable_seqscan = on;
    ALTER ROLE switchboard_app RESET plan_cache_mode`);
  await stack.restartServe(); // fresh connections: no plan cached from before the skew
  client = await stack.as('viewer');
  const res = await client.get('/api/v1/calls?phone=6465550177');
  assert.equal(res.status, 200);
  assert.equal(res.json().data.length, 1);
  for (const which of [LIST, COUNT]) {
    const [plan] = await plansOf('/calls?phone=6465550177', which);
    const used = indexNames(plan);
    assert.ok(used.includes('calls_org_to_idx'), `to side: ${used.join(', ')}`);
    for (const whole of ['calls_org_started_idx', 'calls_transcript_tsv_idx'])
      assert.ok(!used.includes(whole), `not a scan of every call: ${used.join(', ')}`);
    assert.doesNotMatch(plan, /"Node Type": "Seq Scan"/);
  }
});
