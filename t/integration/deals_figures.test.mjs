// deals_figures.test.mjs — reading deals: brands and their paging, the forecast, the
// overview's figures and the demo deals. One stack for the file; each describe()
// starts with stack.reset(), so it sees the database as a freshly started stack
// would, whatever ran before it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

describe('brands, forecast and overview figures', () => {
  // Brands (pages, JSON, metrics against a hand computation), the cash-flow forecast
  // (weeks, overdue, payments without a rate) and the overview's deal figures and
  // links.
  let manager, agent, viewer, key, otherKey, org, today;

  function deal(brand, title, stage, { value = 100000, currency = 'USD', revisions = 0 } = {}) {
    return stack.one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, revisions_used)
              VALUES ('${org}', '${title}', '${brand}', '${stage}', '${currency}', ${value}, ${revisions}) RETURNING id`);
  }
  /** A payment expected `days` from the org's today. */
  function payment(dealId, amount, currency, days, extra = {}) {
    const cols = Object.keys(extra).map((k) => `, ${k}`).join('');
    const vals = Object.values(extra).map((v) => `, ${v}`).join('');
    return stack.one(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at${cols})
              VALUES ('${org}', '${dealId}', 'installment', ${amount}, '${currency}',
                      DATE '${today}' + ${days}${vals}) RETURNING id`);
  }

  before(async () => {
    await stack.reset();
    [manager, agent, viewer] = await Promise.all([stack.as('manager'), stack.as('agent'), stack.as('viewer')]);
    org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
    today = stack.one(`SELECT (now() AT TIME ZONE timezone)::date FROM orgs WHERE slug = 'demo'`);
    stack.sql(`INSERT INTO orgs (slug, name) VALUES ('other', 'Other Co')`);
    key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'g', '--role', 'manager']).stdout.trim();
    otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
  });
  test('brands: empty state, create with validation, search, edit with version, roles, JSON', async () => {
    let page = await viewer.get('/brands');
    assert.equal(page.status, 200);
    assert.match(page.body, /id="brands-empty"/);
    assert.doesNotMatch(page.body, /href="\/brands\/new"/, 'viewers get no write link');
    assert.equal((await viewer.get('/brands/new')).status, 403);
    assert.equal((await agent.post('/brands', { name: 'Nope' })).status, 403);
    assert.equal((await manager.get('/brands/new')).status, 200);
    let r = await manager.post('/brands', { name: '', aliases: '', contacts: '', notes: '' });
    assert.equal(r.status, 400);
    assert.match(r.body, /id="e-name">must be 1 to 200 characters</);
    r = await manager.post('/brands', { name: 'x'.repeat(201), aliases: 'a', contacts: '', notes: '' });
    assert.equal(r.status, 400);
    assert.match(r.body, /value="a"/, 'input kept');
    r = await manager.post('/brands', { name: 'Glow Labs', aliases: 'Glow, GlowCo', contacts: 'Ana Diaz, ana@glow.test, +1 415 555 0100\nBen', notes: 'Skincare' });
    assert.equal(r.status, 303);
    const id = r.headers.location.split('/').pop();
    r = await manager.post('/brands', { name: 'glow labs', aliases: '', contacts: '', notes: '' });
    assert.equal(r.status, 400, 'names are unique ignoring case');
    page = await viewer.get('/brands?q=glowco');
    assert.match(page.body, /Glow Labs/);
    assert.match((await viewer.get('/brands?q=zzz')).body, /id="brands-no-match"/);
    const show = await viewer.get(`/brands/${id}`);
    assert.match(show.body, /Ana Diaz, ana@glow.test, \+1 415 555 0100/);
    assert.match(show.body, /Not enough data yet/);
    const edit = await manager.get(`/brands/${id}/edit`);
    assert.match(edit.body, /name="version" value="1"/);
    assert.equal((await manager.post(`/brands/${id}`, { name: 'Glow Labs Inc', aliases: 'Glow', contacts: '', notes: '', version: '1' })).status, 303);
    const stale = await manager.post(`/brands/${id}`, { name: 'Stale', aliases: '', contacts: '', notes: '', version: '1' });
    assert.equal(stale.status, 409);
    assert.match(stale.body, /value="Glow Labs Inc"/);
    assert.ok(stack.one(`SELECT count(*) FROM deal_history WHERE entity = 'brand' AND entity_id = '${id}' AND field = 'name'`) >= 2);
    // JSON
    let j = await stack.api(key, 'POST', '/api/v1/brands', { name: 'Api Brand', aliases: ['A', 'B'], contacts: [{ name: 'Cy', email: 'cy@x.test' }] });
    assert.equal(j.status, 201, j.body);
    assert.deepEqual(j.json().data.aliases, ['A', 'B']);
    assert.deepEqual(j.json().data.contacts, [{ name: 'Cy', email: 'cy@x.test' }]);
    const apiId = j.json().data.id;
    assert.equal((await stack.api(key, 'POST', '/api/v1/brands', { name: '' })).status, 400);
    j = await stack.api(key, 'PATCH', `/api/v1/brands/${apiId}`, { version: 1, notes: 'hi' });
    assert.equal(j.json().data.notes, 'hi');
    assert.deepEqual(j.json().data.aliases, ['A', 'B'], 'absent fields kept');
    assert.equal((await stack.api(key, 'PATCH', `/api/v1/brands/${apiId}`, { version: 1, notes: 'x' })).status, 409);
    assert.ok((await stack.api(key, 'GET', '/api/v1/brands')).json().data.length >= 2);
    assert.equal((await stack.api(otherKey, 'GET', `/api/v1/brands/${apiId}`)).status, 404);
    assert.equal((await viewer.get('/brands/not-a-uuid')).status, 404);
  });

  test('brand metrics equal a hand computation', async () => {
    const b = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Metric Co') RETURNING id`);
    const d1 = deal(b, 'M1', 'paid', { revisions: 1 });
    deal(b, 'M2', 'paid', { revisions: 4 });
    deal(b, 'M3', 'invoiced', { revisions: 2 });
    // Delays +2, -1, 0 days (paid at noon in the org's zone): average 0.3, 2 of 3 on time.
    for (const [exp, paid] of [['2025-01-10', '2025-01-12'], ['2025-02-10', '2025-02-09'], ['2025-03-10', '2025-03-10']])
      stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at, paid_at, paid_minor, status)
               SELECT '${org}', '${d1}', 'final', 1000, 'USD', '${exp}', ('${paid} 12:00'::timestamp AT TIME ZONE o.timezone), 1000, 'paid'
                 FROM orgs o WHERE o.id = '${org}'`);
    payment(d1, 500, 'USD', -3); // unpaid: not in the metrics
    const m = (await stack.api(key, 'GET', `/api/v1/brands/${b}`)).json().data.metrics;
    assert.deepEqual(m, { paid_payments: 3, average_payment_delay_days: '0.3', payment_reliability_pct: '66.7',
      typical_revisions: 2, deals: 3 });
    const page = await viewer.get(`/brands/${b}`);
    assert.match(page.body, /id="delay-days">0.3</);
    assert.match(page.body, /id="reliability-pct">66.7</);
    assert.match(page.body, /id="typical-revisions">2</);
  });

  test('forecast: weeks, overdue apart, no-rate apart, against a hand computation', async () => {
    stack.sql(`UPDATE payments SET deleted_at = now() WHERE org_id = '${org}'`);
    const b = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Forecast Co') RETURNING id`);
    const d = deal(b, 'F1', 'invoiced');
    stack.sql(`INSERT INTO fx_rates (org_id, base, quote, rate, as_of) VALUES ('${org}', 'EUR', 'USD', 1.5, DATE '${today}' - 10)`);
    payment(d, 10000, 'USD', 0);
    payment(d, 20000, 'USD', 8);
    payment(d, 30000, 'EUR', 15);                                  // 450.00 USD
    payment(d, 40000, 'USD', 20, { paid_minor: 10000, status: "'partial'", paid_at: 'now()' }); // 300.00 owed
    payment(d, 50000, 'USD', -5);                                  // overdue
    payment(d, 60000, 'INR', 3);                                   // no rate: apart
    payment(d, 70000, 'USD', 45);                                  // beyond 30 days
    const f = (await stack.api(key, 'GET', '/api/v1/deals/forecast?days=30')).json().data;
    const expect = JSON.parse(stack.one(`SELECT json_object_agg(w, s) FROM (
      SELECT to_char(date_trunc('week', DATE '${today}' + k), 'YYYY-MM-DD') w, sum(v) s
        FROM (VALUES (0, 10000), (8, 20000), (15, 45000), (20, 30000)) x(k, v) GROUP BY 1) t`));
    const got = Object.fromEntries(f.weeks.filter((w) => w.count > 0).map((w) => [w.week_start, w.expected.amount_minor]));
    assert.deepEqual(got, expect);
    assert.equal(f.upcoming.amount_minor, 105000);
    assert.deepEqual(f.overdue, { amount_minor: 50000, currency: 'USD' });
    assert.equal(f.overdue_count, 1);
    assert.equal(f.later_count, 1);
    assert.equal(f.without_rate.length, 1);
    assert.deepEqual(f.without_rate[0].outstanding, { amount_minor: 60000, currency: 'INR' });
    assert.equal((await stack.api(key, 'GET', '/api/v1/deals/forecast?days=45')).status, 400);
    const f90 = (await stack.api(key, 'GET', '/api/v1/deals/forecast?days=90')).json().data;
    assert.equal(f90.upcoming.amount_minor, 175000);
    const page = await viewer.get('/deals/forecast?days=30');
    assert.equal(page.status, 200);
    assert.match(page.body, /<svg class="bar-chart"/);
    assert.match(page.body, /id="forecast-upcoming">\$1,050.00</);
    assert.match(page.body, /id="forecast-overdue">\$500.00</);
    assert.match(page.body, /₹600.00/);
    assert.doesNotMatch(page.body, /style=/);
    assert.equal((await viewer.get('/deals/forecast?days=7')).status, 400);
  });

  test('forecast: each currency is summed, then converted and rounded once; the no-rate list is capped', async () => {
    stack.sql(`UPDATE payments SET deleted_at = now() WHERE org_id = '${org}'`);
    const b = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Rounding Co') RETURNING id`);
    const d = deal(b, 'R1', 'invoiced');
    // EUR at 1.5 (the previous test's rate): €0.01 is $0.015, $0.02 rounded alone (half
    // to even). Two of them on one day are €0.02 = $0.03, not $0.04; three overdue on
    // different days are €0.03 = $0.045 → $0.04, not $0.06.
    payment(d, 1, 'EUR', 0);
    payment(d, 1, 'EUR', 0);
    for (const k of [-1, -2, -3]) payment(d, 1, 'EUR', k);
    const f = (await stack.api(key, 'GET', '/api/v1/deals/forecast?days=30')).json().data;
    assert.deepEqual(f.weeks.filter((w) => w.count > 0).map((w) => [w.count, w.expected.amount_minor]), [[2, 3]]);
    assert.deepEqual(f.upcoming, { amount_minor: 3, currency: 'USD' });
    assert.deepEqual(f.overdue, { amount_minor: 4, currency: 'USD' });
    assert.equal(f.overdue_count, 3);
    assert.deepEqual(f.without_rate, []);
    assert.equal(f.without_rate_count, 0);

    // 101 INR payments (no INR rate) and one undated: the first 100 by expected date are
    // listed, the count says 102; the undated one counts as undated too.
    stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
               SELECT '${org}', '${d}', 'installment', 100 * k, 'INR', DATE '${today}' + k - 50
                 FROM generate_series(1, 101) k`);
    stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency) VALUES ('${org}', '${d}', 'installment', 7, 'INR')`);
    const g = (await stack.api(key, 'GET', '/api/v1/deals/forecast?days=30')).json().data;
    assert.equal(g.without_rate.length, 100);
    assert.equal(g.without_rate_count, 102);
    assert.deepEqual(g.without_rate[0].outstanding, { amount_minor: 100, currency: 'INR' });
    assert.deepEqual(g.without_rate[99].outstanding, { amount_minor: 10000, currency: 'INR' });
    assert.equal(g.undated_count, 1);
    assert.deepEqual(g.overdue, { amount_minor: 4, currency: 'USD' }, 'INR left out, not guessed');
    assert.equal(g.overdue_count, 3);
    const page = await viewer.get('/deals/forecast?days=30');
    assert.equal(page.status, 200);
    assert.match(page.body, /id="forecast-no-rate-more">The first 100 of 102 payments/);
    assert.equal((page.body.match(/<tr><td><a href="\/deals\//g) || []).length, 100);
    assert.match(page.body, /id="forecast-upcoming">\$0.03</);
  });

  test('overview: pipeline by stage, payments due this week, overdue, late deliverables, with links', async () => {
    const b = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Overview Co') RETURNING id`);
    const d = deal(b, 'Late & Co <deal>', 'in_progress', { value: 250000 });
    stack.sql(`INSERT INTO deliverables (org_id, deal_id, platform, type, scheduled_at) VALUES ('${org}', '${d}', 'youtube', 'video', now() - interval '2 days')`);
    const counts = JSON.parse(stack.one(`SELECT json_object_agg(stage, n) FROM (SELECT stage, count(*) n FROM deals
    WHERE org_id = '${org}' AND deleted_at IS NULL AND NOT archived GROUP BY stage) t`));
    const page = await viewer.get('/');
    assert.equal(page.status, 200);
    for (const [stage, n] of Object.entries(counts)) {
      const m = new RegExp(`data-stage="${stage}"><th scope="row"><a href="/deals\\?stage=${stage}">[^<]+</a></th>\\s*<td class="num stage-count">(\\d+)<`).exec(page.body);
      assert.ok(m, stage);
      assert.equal(Number(m[1]), Number(n), stage);
    }
    assert.match(page.body, /id="late-count">1</);
    assert.match(page.body, new RegExp(`href="/deals/${d}">Late &amp; Co &lt;deal&gt;</a>`));
    const overdue = stack.one(`SELECT count(*) FROM payments WHERE org_id = '${org}' AND deleted_at IS NULL AND status <> 'paid'
                        AND expected_at < DATE '${today}' AND paid_minor < amount_minor`);
    assert.match(page.body, new RegExp(`id="overdue-count">${overdue}<`));
    assert.match(page.body, /id="org-name">/, 'the existing cards stay');
    assert.match(page.body, /id="today-inbound">/, 'the calls block stays');
  });
});

describe('brands list paging', () => {
  // The brands list (GET /brands, GET /api/v1/brands) pages by keyset in name order,
  // case-insensitively, then id (static/openapi.json): every page walked through
  // next_cursor gives each live brand once, in order; brands added during the walk
  // never shift it; bad limit, q and cursor (garbage, forged, another list's, another
  // org's) answer 400 naming the field, on the page too; the search keeps working, LIKE
  // metacharacters matched as typed; and an index serves the order.
  let viewer, key, otherKey, demoOrg, otherOrg;


  /** Letters and digits only, so the database's collation and JS agree on the order. */
  const NAMES = ['apple1', 'Apple2', 'BANANA', 'banana7', 'Cherry', 'date', 'Elder', 'fig', 'Grape', 'grape0', 'Honeydew',
    'kiwi', 'Kumquat', 'lemon', 'Lime', 'mango', 'Nectarine', 'olive', 'Papaya', 'peach', 'Quince', 'raisin', 'Sloe'];

  function insertBrand(org, name, aliases = '{}') {
    return stack.one(`INSERT INTO brands (org_id, name, aliases) VALUES ('${org}', '${name}', '${aliases}') RETURNING id`);
  }

  /** The org's live brands as the list must give them: [{id, name}] in (lower(name), id) order. */
  function expectedBrands(org) {
    return stack.sql(`SELECT id || '|' || name FROM brands WHERE org_id = '${org}' AND deleted_at IS NULL`)
      .split('\n').filter(Boolean).map((l) => { const [id, name] = l.split('|'); return { id, name }; })
      .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1
        : a.id < b.id ? -1 : 1));
  }

  /** Walks the JSON list from the first page; onPage(pageIndex) runs after each page. */
  async function walkJson(query, onPage = () => {}) {
    const seen = [];
    let cursor = null, pages = 0;
    do {
      const res = await stack.api(key, 'GET', `/api/v1/brands?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, res.body);
      const body = res.json();
      seen.push(...body.data);
      cursor = body.next_cursor;
      await onPage(pages++);
      assert.ok(pages < 100, 'the walk ends');
    } while (cursor);
    return { seen, pages };
  }

  before(async () => {
    await stack.reset();
    viewer = await stack.as('viewer');
    key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'paging', '--role', 'viewer']).stdout.trim();
    demoOrg = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
    stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'UTC')`);
    otherOrg = stack.one(`SELECT id FROM orgs WHERE slug = 'other'`);
    otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'viewer']).stdout.trim();
    for (const n of NAMES) insertBrand(demoOrg, n, n === 'fig' ? '{50%off}' : '{}');
    // Deleted brands stay out of the list; the other org's never show.
    stack.sql(`UPDATE brands SET deleted_at = now() WHERE id = '${insertBrand(demoOrg, 'Deleted1')}'`);
    for (const n of ['theirs1', 'theirs2', 'theirs3']) insertBrand(otherOrg, n);
  });

  test('JSON: every page through next_cursor, each live brand once, in name order', async () => {
    const expected = expectedBrands(demoOrg);
    assert.ok(expected.length >= NAMES.length);
    const { seen, pages } = await walkJson('limit=5');
    assert.equal(pages, Math.ceil(expected.length / 5));
    assert.deepEqual(seen.map((b) => b.id), expected.map((b) => b.id), 'no gaps, no duplicates, (lower(name), id) order');
    assert.equal(new Set(seen.map((b) => b.id)).size, seen.length);
    assert.ok(!seen.some((b) => /^(Deleted1|theirs\d)$/.test(b.name)));
    for (const b of seen) assert.equal(typeof b.deals, 'number');
    // The default page is 50 and says when it is the last.
    const all = (await stack.api(key, 'GET', '/api/v1/brands')).json();
    assert.equal(all.data.length, expected.length);
    assert.equal(all.next_cursor, null);
  });

  test('brands added during the walk never shift it: nothing repeated, nothing skipped', async () => {
    const before = expectedBrands(demoOrg);
    const added = [];
    const { seen } = await walkJson('limit=4', (page) => {
      if (page !== 1) return;
      // One sorts before everything already shown (an OFFSET would repeat a row),
      // one after the cursor (it must show up in its place).
      added.push({ id: insertBrand(demoOrg, 'aaaa0'), name: 'aaaa0', early: true });
      added.push({ id: insertBrand(demoOrg, 'zzzz9'), name: 'zzzz9', early: false });
    });
    const ids = seen.map((b) => b.id);
    assert.equal(new Set(ids).size, ids.length, 'no brand twice');
    const late = added.filter((b) => !b.early).map((b) => b.id);
    assert.deepEqual(ids, [...before.map((b) => b.id), ...late], 'every brand of the start once, the later one in place');
    assert.ok(!ids.includes(added[0].id), 'a brand before the cursor waits for the next walk');
    assert.deepEqual((await walkJson('limit=4')).seen.map((b) => b.id), expectedBrands(demoOrg).map((b) => b.id));
  });

  test('the page walks the same way through its Next links, keeping q and limit', async () => {
    const expected = expectedBrands(demoOrg);
    const names = [];
    let url = '/brands?limit=6', pages = 0;
    while (url) {
      const res = await viewer.get(url);
      assert.equal(res.status, 200, res.body.slice(0, 300));
      names.push(...[...res.body.matchAll(/<a href="\/brands\/[0-9a-f-]{36}">([^<]*)<\/a>/g)].map((m) => m[1]));
      if (pages > 0) assert.match(res.body, /<a class="button secondary" href="\/brands\?limit=6">First page<\/a>/);
      const next = /<a class="button secondary" rel="next" id="next-page" href="([^"]+)">/.exec(res.body);
      if (next) assert.match(next[1], /^\/brands\?limit=6&amp;cursor=/);
      url = next ? next[1].replace(/&amp;/g, '&') : null;
      assert.ok(++pages < 50);
    }
    assert.deepEqual(names, expected.map((b) => b.name));
    // A search pages too, and its links keep it.
    const first = await viewer.get('/brands?q=an&limit=1');
    const next = /id="next-page" href="([^"]+)"/.exec(first.body);
    assert.match(next[1], /^\/brands\?q=an&amp;limit=1&amp;cursor=/);
    const second = await viewer.get(next[1].replace(/&amp;/g, '&'));
    assert.equal(second.status, 200);
    assert.match(second.body, /BANANA|banana7|Nectarine|mango/);
  });

  test('search: name or alias contains, LIKE metacharacters as typed', async () => {
    const names = async (q) => (await stack.api(key, 'GET', `/api/v1/brands?q=${encodeURIComponent(q)}`)).json().data.map((b) => b.name);
    assert.deepEqual(await names('GRAPE'), ['Grape', 'grape0']);
    assert.deepEqual(await names('50%'), ['fig'], 'alias match');
    assert.deepEqual(await names('%'), ['fig'], '"%" is a character, not a wildcard');
    assert.deepEqual(await names('_'), [], '"_" is a character, not a wildcard');
    assert.deepEqual(await names('nothing-like-it'), []);
    const page = await viewer.get('/brands?q=nothing-like-it');
    assert.match(page.body, /id="brands-no-match"/);
  });

  test('bad limit, q and cursor answer 400 naming the field, never 500; the page says so too', async () => {
    const page1 = (await stack.api(key, 'GET', '/api/v1/brands?limit=2')).json();
    const good = page1.next_cursor;
    const [payload, mac] = good.split('.');
    const otherCursor = (await stack.api(otherKey, 'GET', '/api/v1/brands?limit=1')).json().next_cursor;
    assert.ok(otherCursor);
    const dealsCursor = (await stack.api(key, 'GET', '/api/v1/deals?limit=1')).json().next_cursor;
    const bad = {
      limit: ['0', '201', 'ten', '-1', '1.5'],
      q: ['x'.repeat(201)],
      cursor: ['junk', 'a.b', `${payload}.${mac.slice(0, -2)}AA`, `${payload.slice(0, -2)}AA.${mac}`, '.', `${good}x`,
        otherCursor, 'é'.repeat(300), ...(dealsCursor ? [dealsCursor] : [])],
    };
    for (const [field, values] of Object.entries(bad)) {
      for (const v of values) {
        const res = await stack.api(key, 'GET', `/api/v1/brands?${field}=${encodeURIComponent(v)}`);
        assert.equal(res.status, 400, `${field}=${v}: ${res.body}`);
        const err = res.json().error;
        assert.equal(err.code, 'invalid');
        assert.ok(err.fields[field], `${field}=${v} names ${field}: ${res.body}`);
      }
    }
    // A cursor of another org's brand is refused, not read as "the end".
    const theirs = await stack.api(key, 'GET', `/api/v1/brands?cursor=${encodeURIComponent(otherCursor)}`);
    assert.equal(theirs.status, 400);
    // The page: 400 with the message at the field and a way back to the first page.
    const html = await viewer.get('/brands?cursor=junk&q=an');
    assert.equal(html.status, 400);
    assert.match(html.body, /id="e-cursor">is not a page link of this list; start from the first page</);
    assert.match(html.body, /<a class="button secondary" href="\/brands\?q=an">First page<\/a>/);
    assert.doesNotMatch(html.body, /id="brands-empty"/);
    const limit = await viewer.get('/brands?limit=500');
    assert.equal(limit.status, 400);
    assert.match(limit.body, /id="e-limit">must be a whole number from 1 to 200</);
    // A good cursor still works after all that.
    assert.equal((await stack.api(key, 'GET', `/api/v1/brands?limit=2&cursor=${encodeURIComponent(good)}`)).status, 200);
  });

  test('another org walks only its own brands', async () => {
    const { seen } = await (async () => {
      const out = [];
      let cursor = null;
      do {
        const body = (await stack.api(otherKey, 'GET', `/api/v1/brands?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json();
        out.push(...body.data);
        cursor = body.next_cursor;
      } while (cursor);
      return { seen: out };
    })();
    assert.deepEqual(seen.map((b) => b.name), ['theirs1', 'theirs2', 'theirs3']);
  });

  test('an index serves the order and the cursor: a range scan, no sort', () => {
    const plan = stack.sql(`SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM brands
    WHERE org_id = '${demoOrg}' AND deleted_at IS NULL
      AND (name_key, id) > ('kiwi', '00000000-0000-0000-0000-000000000000'::uuid)
    ORDER BY name_key, id LIMIT 51`);
    assert.match(plan, /brands_org_name_id_idx/, plan);
    assert.doesNotMatch(plan, /Sort/, plan);
  });
});

describe('demo deals', () => {
  // `switchboard seed --demo --deals N`: deterministic ids and values, every stage
  // present, late/overdue/partial/disputed/FX rows present and consistent, re-seeding
  // replaces instead of duplicating, user-made deals kept.
  const fingerprint = () => stack.one(`SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
    SELECT d.id::text || d.title || d.stage || d.value_minor || d.currency || d.risk_level AS x FROM deals d WHERE 'demo' = ANY(d.tags)
    UNION ALL SELECT p.id::text || p.amount_minor || p.currency || p.status || p.paid_minor FROM payments p
    UNION ALL SELECT v.id::text || v.platform || v.type FROM deliverables v
    UNION ALL SELECT b.id::text || b.name FROM brands b WHERE b.notes = 'Demo brand.') t`);

  before(() => stack.reset());
  test('seed --deals: every stage, realistic children, FX recorded, deterministic, replaced on re-seed', () => {
    let r = stack.cli(['seed', '--demo', '--deals', '80', '--seed', '7']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /80 deals, 8 brands/);
    assert.equal(stack.one(`SELECT count(DISTINCT stage) FROM deals WHERE 'demo' = ANY(tags)`), '8');
    assert.equal(stack.one(`SELECT count(*) FROM brands WHERE notes = 'Demo brand.'`), '8');
    const kinds = JSON.parse(stack.one(`SELECT json_build_object(
      'late', (SELECT count(*) FROM deliverables WHERE posted_at IS NULL AND scheduled_at < now()),
      'due_soon', (SELECT count(*) FROM deliverables WHERE posted_at IS NULL AND scheduled_at BETWEEN now() AND now() + interval '48 hours'),
      'posted', (SELECT count(*) FROM deliverables WHERE posted_at IS NOT NULL),
      'paid_late', (SELECT count(*) FROM payments WHERE status = 'paid' AND paid_at::date > expected_at),
      'overdue', (SELECT count(*) FROM payments WHERE status = 'overdue'),
      'partial', (SELECT count(*) FROM payments WHERE status = 'partial'),
      'disputed', (SELECT count(*) FROM payments WHERE disputed),
      'foreign', (SELECT count(DISTINCT currency) FROM payments WHERE currency <> 'USD'),
      'rates', (SELECT count(*) FROM fx_rates WHERE source = 'demo-seed'))`));
    for (const [k, v] of Object.entries(kinds)) assert.ok(v > 0, `${k}: ${v}`);
    // Every foreign payment carries its conversion, and it is the rate times the amount.
    assert.equal(stack.one(`SELECT count(*) FROM payments WHERE currency <> 'USD' AND (fx_rate IS NULL
                      OR amount_org_minor <> round(amount_minor * fx_rate))`), '0');
    const fp = fingerprint();
    const counts = () => stack.one(`SELECT (SELECT count(*) FROM deals WHERE 'demo' = ANY(tags)) || '/' || (SELECT count(*) FROM payments)
                              || '/' || (SELECT count(*) FROM brands WHERE notes = 'Demo brand.')`);
    const initial = counts();
    // A deal a user made in the demo org survives re-seeding.
    const org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
    const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Mine') RETURNING id`);
    stack.sql(`INSERT INTO deals (org_id, title, brand_id, currency) VALUES ('${org}', 'My own deal', '${brand}', 'USD')`);
    r = stack.cli(['seed', '--demo', '--deals', '80', '--seed', '7']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fingerprint(), fp, 'same seed and size, same data');
    assert.equal(counts(), initial, 'nothing duplicated');
    assert.equal(stack.one(`SELECT count(*) FROM deals WHERE title = 'My own deal'`), '1');
    r = stack.cli(['seed', '--demo', '--deals', '80', '--seed', '8']);
    assert.notEqual(fingerprint(), fp, 'another seed, other data');
    assert.equal(stack.one(`SELECT count(*) FROM deals WHERE 'demo' = ANY(tags)`), '80');
    r = stack.cli(['seed', '--demo', '--deals', 'x']);
    assert.notEqual(r.status, 0);
  });

  test('the seeded data renders: overview, forecast, a brand page', async () => {
    const viewer = await stack.as('viewer');
    const home = await viewer.get('/');
    assert.equal(home.status, 200);
    assert.match(home.body, /id="pipeline-by-stage"/);
    assert.equal((await viewer.get('/deals/forecast?days=90')).status, 200);
    const b = stack.one(`SELECT id FROM brands WHERE notes = 'Demo brand.' LIMIT 1`);
    assert.equal((await viewer.get(`/brands/${b}`)).status, 200);
  });
});
