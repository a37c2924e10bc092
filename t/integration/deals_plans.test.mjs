// deals_plans.test.mjs — each shape of the deals list query (every filter it takes,
// every sort, every sort's next page), the board, the overview's deal figures, the
// brands list and a deal's deliverables and payments use their index. The plans checked
// are those of the application's own statements: auto_explain logs the plan of every
// statement the web workers run (as the application role, under RLS), with sequential
// scans disabled for that role so a missing index shows as a Seq Scan. The same
// approach as calls_plans.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Stack, waitFor } from '../lib/stack.mjs';

let stack, viewer, manager, logFile, brandId, ownerId, dealId;

/** New workers, new connections: the role's settings apply from their first statement. */
async function restartServe() {
  await stack.restartServe();
  [viewer, manager] = await Promise.all([stack.as('viewer'), stack.as('manager')]);
}

before(async () => {
  stack = await Stack.start({ workers: 1 });
  logFile = path.join(stack.dir, 'log', 'postgres.log');
  // Enough rows, spread like real data, for the planner to prefer the indexes: 30,000
  // deals in the demo org (and 5,000 in another, so org_id matters) over 400 brands,
  // the org's users, every stage and risk, 4 currencies, 60 + 13 tags, two thirds with a
  // next action due, 5 % archived, 2 % deleted; two deliverables and two payments each,
  // most posted or paid.
  stack.sql(`INSERT INTO orgs (slug, name) VALUES ('other', 'Other Co');
    INSERT INTO brands (org_id, name, aliases)
      SELECT o.id, o.slug || ' Brand ' || g, CASE WHEN g % 7 = 0 THEN ARRAY['alias' || g] ELSE '{}' END
      FROM orgs o, generate_series(1, 400) g WHERE o.slug IN ('demo', 'other');
    CREATE TEMP TABLE b AS SELECT org_id, id, row_number() OVER (PARTITION BY org_id ORDER BY name) - 1 AS n FROM brands;
    CREATE TEMP TABLE u AS SELECT org_id, id, row_number() OVER (PARTITION BY org_id ORDER BY email) - 1 AS n FROM users;
    INSERT INTO deals (org_id, title, brand_id, owner_id, stage, value_minor, currency, risk_level, tags,
        next_action_due_at, archived, deleted_at, updated_at, created_at)
      SELECT o.id, 'Deal ' || md5(g::text), b.id, u.id,
        (ARRAY['inbound','negotiating','contracted','in_progress','delivered','invoiced','paid','lost'])[1 + g % 8],
        (g * 7919) % 5000000, (ARRAY['USD','EUR','GBP','INR'])[1 + g % 4], (ARRAY['low','med','high'])[1 + g % 3],
        ARRAY['tag' || (g % 60), 'tag' || (g % 13 + 100)],
        CASE WHEN g % 3 <> 0 THEN '2024-01-01'::timestamptz + (g % 20000) * interval '37 minutes' END,
        g % 20 = 0, CASE WHEN g % 50 = 1 THEN now() END,
        '2024-01-01'::timestamptz + g * interval '3 minutes', '2024-01-01'::timestamptz
      FROM orgs o CROSS JOIN generate_series(1, CASE WHEN o.slug = 'demo' THEN 30000 ELSE 5000 END) g
      JOIN b ON b.org_id = o.id AND b.n = g % 400
      LEFT JOIN u ON u.org_id = o.id AND u.n = g % 5
      WHERE o.slug IN ('demo', 'other');
    INSERT INTO deliverables (org_id, deal_id, platform, type, scheduled_at, posted_at)
      SELECT d.org_id, d.id, 'instagram', 'post', now() + (k * 13 + hashtext(d.id::text) % 400) * interval '1 day' - interval '300 days',
        CASE WHEN (hashtext(d.id::text) + k) % 10 < 8 THEN now() - interval '1 day' END
      FROM deals d, generate_series(1, 2) k;
    INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at, status, paid_at, paid_minor)
      SELECT d.org_id, d.id, 'installment', 10000 + k, d.currency, current_date + (hashtext(d.id::text) % 400) + k * 30,
        CASE WHEN (hashtext(d.id::text) + k) % 10 < 8 THEN 'paid' ELSE 'expected' END,
        CASE WHEN (hashtext(d.id::text) + k) % 10 < 8 THEN now() END,
        CASE WHEN (hashtext(d.id::text) + k) % 10 < 8 THEN 10000 + k ELSE 0 END
      FROM deals d, generate_series(1, 2) k`);
  // What autovacuum would have done by now: statistics, the visibility map (index-only
  // scans) and the GIN indexes' pending lists merged. A VACUUM that runs while another
  // transaction still might not see the new rows leaves their pages not all-visible.
  for (const t of ['brands', 'deals', 'deliverables', 'payments']) {
    await waitFor(() => {
      stack.sql(`VACUUM ANALYZE ${t}`);
      return stack.one(`SELECT relallvisible >= relpages FROM pg_class WHERE relname = '${t}'`) === 't';
    }, { what: `${t} all-visible`, intervalMs: 500 });
  }
  brandId = stack.one(`SELECT id FROM brands WHERE name = 'demo Brand 7'`);
  ownerId = stack.one(`SELECT id FROM users WHERE email = 'agent@demo.test'`);
  dealId = stack.one(`SELECT id FROM deals WHERE title = 'Deal ' || md5('10') AND org_id = (SELECT id FROM orgs WHERE slug = 'demo')`);
  stack.superSql(`ALTER ROLE switchboard_app SET session_preload_libraries = 'auto_explain';
    ALTER ROLE switchboard_app SET auto_explain.log_min_duration = 0;
    ALTER ROLE switchboard_app SET auto_explain.log_format = 'json';
    ALTER ROLE switchboard_app SET auto_explain.log_nested_statements = on;
    ALTER ROLE switchboard_app SET enable_seqscan = off`);
  await restartServe();
});

after(async () => {
  if (stack) await stack.stop();
});

const LIST = /"Query Text": "SELECT d\.id, d\.title/;
// The text search and the tag filter of live deals run inside sql/0009's and 0014's
// functions (see there why); their plans are logged as nested statements.
const SEARCH = /"Query Text": "(\\n)?\s*SELECT id FROM deals WHERE org_id = app_org_id\(\) AND deleted_at IS NULL AND title ILIKE/;
const TAGGED = /"Query Text": "(\\n)?\s*SELECT id FROM deals WHERE org_id = app_org_id\(\) AND deleted_at IS NULL AND tags @>/;
const BOARD_TOTALS = /"Query Text": "SELECT t\.stage, t\.currency, t\.n, t\.value_minor FROM deal_stage_totals/;
const BOARD_CARDS = /"Query Text": "SELECT s\.id, s\.title, s\.brand_name/;
const FIGURES = /"Query Text": "WITH o AS [^"]*SELECT 'stage'/;
const ITEMS = /"Query Text": "WITH o AS [^"]*\(SELECT 'overdue'/;
const BRANDS = /"Query Text": "SELECT b\.id, b\.name/;
const DELIV_OF_DEAL = /"Query Text": "SELECT d\.id, d\.deal_id, d\.platform.* FROM deliverables d WHERE d\.deal_id = \$1/;
const SHOW_DELIV = /"Query Text": "SELECT id, platform, type, quantity/;
const SHOW_PAY = /"Query Text": "SELECT id, kind, amount_minor/;

/** The plans auto_explain logged for one request's statements that match which. */
async function plansOf(urlPath, which = LIST, client = viewer) {
  const from = statSync(logFile).size;
  const res = await client.get(urlPath);
  assert.equal(res.status, 200, `${urlPath}: ${res.body.slice(0, 300)}`);
  // The log is written by the database backend as the statement ends; poll until it shows.
  return waitFor(() => {
    const text = readFileSync(logFile).subarray(from).toString('utf8');
    const plans = text.split(/\n(?=\d{4}-\d\d-\d\d )/).filter((e) => which.test(e));
    return plans.length ? plans : null;
  }, { what: `the plan of ${urlPath} in the database log` });
}

const indexNames = (plan) => [...plan.matchAll(/"Index Name": "([a-z_]+)"/g)].map((m) => m[1]);
/** Each of want (a name, or a list of names any of which will do) is used by plans. */
function assertIndexes(plans, want, what) {
  const used = plans.flatMap(indexNames);
  for (const w of want) {
    const any = Array.isArray(w) ? w : [w];
    assert.ok(any.some((n) => used.includes(n)), `${what}: ${any.join(' or ')} in ${used.join(', ')}`);
  }
}
const assertNoSeqScan = (plans, what) => {
  for (const plan of plans) assert.doesNotMatch(plan, /"Node Type": "Seq Scan"/, `${what}: no sequential scan`);
};

// [url, indexes the list's plan must use, extra statements (their plans must use theirs)]
const shapes = () => [
  ['/api/v1/deals', ['deals_org_updated_idx']],
  ['/deals', ['deals_org_updated_idx']],
  ['/api/v1/deals?sort=value', ['deals_org_value_idx']],
  ['/api/v1/deals?sort=due', ['deals_org_due_key_idx']],
  ['/deals?sort=due', ['deals_org_due_key_idx']],
  // A stage of live, unarchived deals: the stage index or the board's (both lead with stage).
  ['/api/v1/deals?stage=paid', [['deals_org_stage_idx', 'deals_org_board_idx']]],
  ['/api/v1/deals?stage=paid&archived=true', ['deals_org_stage_idx']],
  ['/api/v1/deals?brand_id=BRAND', ['deals_org_brand_idx']],
  ['/api/v1/deals?owner_id=OWNER', ['deals_org_owner_idx']],
  ['/api/v1/deals?risk=high', ['deals_org_risk_idx']],
  ['/api/v1/deals?risk=high&sort=value', [['deals_org_risk_idx', 'deals_org_value_idx']]],
  ['/api/v1/deals?min_value=1000&max_value=20000&sort=value', ['deals_org_value_idx']],
  ['/api/v1/deals?min_value=1000&max_value=20000', [['deals_org_value_idx', 'deals_org_updated_idx']]],
  ['/api/v1/deals?due_before=2024-01-03&sort=due', [['deals_org_due_key_idx', 'deals_org_next_due_idx']]],
  ['/api/v1/deals?due_before=2024-01-03', [['deals_org_next_due_idx', 'deals_org_updated_idx']]],
  ['/api/v1/deals?tag=tag7', ['deals_pkey'], [[TAGGED, ['deals_tags_idx']]]],
  ['/api/v1/deals?tag=tag7&sort=due', [], [[TAGGED, ['deals_tags_idx']]]],
  ['/api/v1/deals?q=c4ca4238', ['deals_pkey'], [[SEARCH, ['deals_title_trgm_idx', 'brands_name_trgm_idx']]]],
  ['/api/v1/deals?q=Brand+77&sort=value', [], [[SEARCH, ['deals_title_trgm_idx', 'brands_name_trgm_idx']]]],
  ['/api/v1/deals?archived=true', ['deals_org_updated_idx']],
];

for (const [shape, want, extra = []] of shapes()) {
  test(`${shape} uses ${want.flat().join(' + ') || 'an index'}${extra.length ? ' (and its function its own)' : ''}`, async () => {
    const url = shape.replace('BRAND', brandId).replace('OWNER', ownerId);
    const plans = await plansOf(url);
    assertNoSeqScan(plans, url);
    assert.ok(plans.flatMap(indexNames).length, `${url}: an index`);
    assertIndexes(plans, want, url);
    for (const [which, idx] of extra) {
      const nested = await plansOf(url, which);
      assertNoSeqScan(nested, url);
      assertIndexes(nested, idx, url);
    }
  });
}

test('the restore list (deleted deals, managers) has its own index', async () => {
  for (const url of ['/api/v1/deals/deleted', '/api/v1/deals/deleted?tag=tag7&q=Deal']) {
    const plans = await plansOf(url, LIST, manager);
    assertNoSeqScan(plans, url);
    assertIndexes(plans, ['deals_org_deleted_idx'], url);
  }
});

// The keyset condition must be an index condition: else each next page re-reads every
// row of the pages before it (a Filter), however the index orders them.
const NEXT_PAGES = [
  ['', 'deals_org_updated_idx', /ROW\(updated_at, id\) < ROW/],
  ['sort=value', 'deals_org_value_idx', /ROW\(value_minor, id\) < ROW/],
  ['sort=due', 'deals_org_due_key_idx', /ROW\(CASE WHEN \(next_action_due_at IS NULL\) THEN [^"]*? END, id\) > ROW/],
  ['stage=paid&archived=true', 'deals_org_stage_idx', /ROW\(updated_at, id\) < ROW/],
  ['brand_id=BRAND', 'deals_org_brand_idx', /ROW\(updated_at, id\) < ROW/],
];

test('the next page (keyset condition) of each sort is an index condition', async () => {
  for (const [q, idx, cond] of NEXT_PAGES) {
    const query = q.replace('BRAND', brandId);
    const first = await viewer.get(`/api/v1/deals?${query}&limit=5`);
    const cursor = first.json().next_cursor;
    assert.ok(cursor, query);
    const [plan] = await plansOf(`/api/v1/deals?${query}&limit=5&cursor=${encodeURIComponent(cursor)}`);
    assert.ok(indexNames(plan).includes(idx), `${query}: ${indexNames(plan).join(', ')}`);
    const conds = [...plan.matchAll(/"Index Cond": "([^"]*)"/g)].map((m) => m[1]).join('\n');
    assert.match(conds, cond, `${query}: the cursor is an index condition`);
    assertNoSeqScan([plan], query);
  }
});

// The due order's keyset runs over the CASE of 0014 (deals without a next action last,
// "infinity"): every page of a walk gives each deal once, in the order of the sort key,
// across the boundary into the deals without a due time.
test('sort=due pages walk every deal once, in order, into those without a due time', async () => {
  const expected = stack.sql(`SELECT id FROM deals WHERE brand_id = '${brandId}' AND deleted_at IS NULL AND NOT archived
    ORDER BY next_action_due_at NULLS LAST, id`).split('\n').filter(Boolean);
  assert.ok(expected.length > 40);
  const seen = [];
  let cursor = null;
  do {
    const res = await viewer.get(`/api/v1/deals?brand_id=${brandId}&sort=due&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.body);
    seen.push(...res.json().data.map((d) => d.id));
    cursor = res.json().next_cursor;
    assert.ok(seen.length <= expected.length, 'the walk ends');
  } while (cursor);
  assert.deepEqual(seen, expected);
});

// The totals are the org's few rows of deal_stage_totals (sql/0017), never the deals.
test('the board: totals read the org\'s stage totals, cards are a short scan per stage', async () => {
  const totals = await plansOf('/deals/board', BOARD_TOTALS);
  assertNoSeqScan(totals, 'totals');
  assertIndexes(totals, ['deal_stage_totals_pkey'], 'totals');
  assert.doesNotMatch(totals[0], /"Relation Name": "deals"/, 'totals: never the deals');
  const cards = await plansOf('/deals/board', BOARD_CARDS);
  assertNoSeqScan(cards, 'cards');
  // deals_org_board_idx holds every column of a card, the brand's name too (sql/0038):
  // the cards are read from it alone, no brand looked up.
  assertIndexes(cards, ['deals_org_board_idx'], 'cards');
  assert.match(cards[0], /"Node Type": "Index Only Scan"/, 'cards: from the index alone');
  assert.doesNotMatch(cards[0], /"Relation Name": "brands"/, 'cards: no brand looked up');
  assert.match(cards[0], /"Index Cond": "[^"]*\(stage = st\.stage\)/, 'cards: one range per stage');
  assert.match(cards[0], /"Node Type": "Limit"/, 'cards: each stage stops after its cards');
});

// The figures read the aggregates of sql/0017, and deliverables only for the part of
// the current hour already past; the items, a few rows each, the base tables' indexes.
test('the overview\'s deal figures use the aggregates, the items the payments and deliverables indexes', async () => {
  const figures = await plansOf('/', FIGURES);
  assertNoSeqScan(figures, 'figures');
  assertIndexes(figures, ['deal_stage_totals_pkey', 'deal_open_payment_days_pkey', 'deal_open_deliverable_hours_pkey',
    'deliverables_org_due_key_idx'], 'figures');
  assert.doesNotMatch(figures.join('\n'), /"Relation Name": "payments"/, 'figures: never the payments');
  const items = await plansOf('/', ITEMS);
  assertNoSeqScan(items, 'items');
  assertIndexes(items, ['payments_org_unpaid_due_idx', 'deliverables_org_due_key_idx'], 'items');
  // Late deliverables: "due < now()" searches the index (a COALESCE key was a Filter
  // under RLS, and the count read every unposted deliverable of the org).
  const lateCond = /"Index Name": "deliverables_org_due_key_idx",[^}]*"Index Cond": "[^"]*CASE WHEN \(posting_window_end IS NULL\)[^"]*< now\(\)/;
  assert.match(figures.join('\n'), lateCond, 'figures: late deliverables by index condition');
  assert.match(items.join('\n'), lateCond, 'items: late deliverables by index condition');
  // The oldest overdue and this week's payments: the dates bound the index scan (they
  // were a filter when joined from a CTE, and every open payment was read).
  const itemPlans = items.join('\n');
  assert.match(itemPlans, /"Index Name": "payments_org_unpaid_due_idx",[^}]*"Index Cond": "[^"]*expected_at < \$\d+/, 'items: overdue bounded');
  assert.match(itemPlans, /"Index Name": "payments_org_unpaid_due_idx",[^}]*"Index Cond": "[^"]*expected_at >= \$\d+\) AND \(expected_at <= \$\d+/,
    'items: this week bounded');
  // ... and read in (expected_at, id) order, so each part stops after its five (sql/0018).
  assert.doesNotMatch(itemPlans, /"Node Type": "(Incremental )?Sort"/, 'items: no sort');
});

// deals_figures.test.mjs ("brands list paging") checks the order's index with EXPLAIN;
// this checks the application's statement, under RLS, with its per-brand deal count,
// and its next page.
test('the brands list and its next page walk brands_org_name_id_idx; the deal counts use an index', async () => {
  const first = await plansOf('/api/v1/brands?limit=5', BRANDS);
  assertNoSeqScan(first, 'brands');
  assertIndexes(first, ['brands_org_name_id_idx', ['deals_org_brand_idx', 'deals_org_board_idx']], 'brands');
  const cursor = (await viewer.get('/api/v1/brands?limit=5')).json().next_cursor;
  const next = await plansOf(`/api/v1/brands?limit=5&cursor=${encodeURIComponent(cursor)}`, BRANDS);
  assertNoSeqScan(next, 'brands next page');
  assertIndexes(next, ['brands_org_name_id_idx'], 'brands next page');
});

// lower() is not leakproof, so under RLS a cursor on "(lower(b.name), b.id)" was checked
// row by row from the first brand on every next page; the stored name_key (sql/0015)
// lets the cursor start the index range.
test('the brands next page starts its index range at the cursor', async () => {
  const cursor = (await viewer.get('/api/v1/brands?limit=5')).json().next_cursor;
  const [plan] = await plansOf(`/api/v1/brands?limit=5&cursor=${encodeURIComponent(cursor)}`, BRANDS);
  assert.match(plan, /"Index Cond": "[^"]*ROW\(name_key, id\) > ROW/, 'brands: the cursor is an index condition');
});

// The brand select of the deals' filter form and of a deal's form lists every live
// brand by name (deal_people_options, ordered by the stored name_key), the one chosen
// selected.
test('the forms\' brand options: every live brand, by name, the current one selected', async () => {
  const byName = (a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
  for (const [url, client] of [['/deals', viewer], ['/deals/new', manager], [`/deals?brand_id=${brandId}`, viewer]]) {
    const page = (await client.get(url)).body;
    const names = [...page.matchAll(/<option value="[0-9a-f-]{36}"(?: selected)?>(demo Brand \d+)<\/option>/g)].map((m) => m[1]);
    assert.equal(names.length, 400, url);
    assert.deepEqual(names, [...names].sort(byName), url);
    const selected = [...page.matchAll(/<option value="([0-9a-f-]{36})" selected>demo Brand /g)].map((m) => m[1]);
    assert.deepEqual(selected, url.includes('brand_id') ? [brandId] : [], url);
  }
});

test('a deal\'s deliverables and payments lists use their deal index', async () => {
  const deliv = await plansOf(`/api/v1/deals/${dealId}/deliverables`, DELIV_OF_DEAL);
  assertNoSeqScan(deliv, 'deliverables');
  assertIndexes(deliv, ['deliverables_deal_idx'], 'deliverables');
  for (const [which, idx] of [[SHOW_DELIV, 'deliverables_deal_idx'], [SHOW_PAY, 'payments_deal_idx']]) {
    const plans = await plansOf(`/api/v1/deals/${dealId}`, which);
    assertNoSeqScan(plans, idx);
    assertIndexes(plans, [idx], idx);
  }
});

// PostgreSQL plans a prepared statement's first five executions for their values, then
// keeps a generic plan unless it costs out worse. A custom plan shows the values in its
// conditions, a generic one $n. The list's LIMIT is in its text (sql_limit), so its
// plan can become generic and requests stop paying for planning.
test('the list settles on a generic plan, its next page too', async () => {
  let plan;
  for (let i = 0; i < 7; i++) [plan] = await plansOf('/api/v1/deals?stage=paid&archived=true&limit=20');
  assert.match(plan, /"Index Cond": "[^"]*stage = \$\d+/, 'the 7th execution\'s plan is generic');
  // Every "Next page" is the keyset statement, with a different cursor each time.
  for (const [sort, cond] of [['updated', /ROW\(updated_at, id\) < ROW\([^"]*\$\d+/],
    ['due', /ROW\(CASE WHEN \(next_action_due_at IS NULL\)[^"]*? END, id\) > ROW\([^"]*\$\d+/]]) {
    let url = `/api/v1/deals?sort=${sort}&limit=20`;
    for (let i = 0; i < 7; i++) {
      const cursor = (await viewer.get(url)).json().next_cursor;
      url = `/api/v1/deals?sort=${sort}&limit=20&cursor=${encodeURIComponent(cursor)}`;
      [plan] = await plansOf(url);
    }
    assert.match(plan, cond, `${sort}: the 7th next page's plan is generic and the cursor an index condition`);
  }
});

// With sequential scans allowed, as in production: the board and the overview still
// read the big tables through their indexes at this size.
test('with sequential scans allowed, the board and overview do not read deals, payments or deliverables whole', async () => {
  stack.superSql('ALTER ROLE switchboard_app SET enable_seqscan = on');
  await restartServe();
  const big = /"Node Type": "Seq Scan",[^}]*"Relation Name": "(deals|payments|deliverables)"/;
  for (const [url, which] of [['/deals/board', BOARD_TOTALS], ['/deals/board', BOARD_CARDS], ['/', FIGURES], ['/', ITEMS],
    ['/api/v1/deals', LIST], ['/api/v1/deals?sort=due', LIST]]) {
    const plans = await plansOf(url, which);
    for (const plan of plans) assert.doesNotMatch(plan, big, `${url}: ${which}`);
  }
});

// A statement's cached plan is generic after a few executions: the list's must still
// walk its keyset index with no filter value to help it.
test('generic plans of the list use the keyset indexes', async () => {
  stack.superSql(`ALTER ROLE switchboard_app SET enable_seqscan = on;
    ALTER ROLE switchboard_app SET plan_cache_mode = force_generic_plan`);
  await restartServe();
  for (const [url, idx] of [['/deals', 'deals_org_updated_idx'], ['/api/v1/deals?sort=value', 'deals_org_value_idx'],
    ['/api/v1/deals?sort=due', 'deals_org_due_key_idx'], ['/api/v1/deals?brand_id=BRAND', 'deals_org_brand_idx']]) {
    const u = url.replace('BRAND', brandId);
    const [plan] = await plansOf(u);
    assert.ok(indexNames(plan).includes(idx), `${u}: ${indexNames(plan).join(', ')}`);
    assert.doesNotMatch(plan, /"Node Type": "Seq Scan"/, u);
  }
});
