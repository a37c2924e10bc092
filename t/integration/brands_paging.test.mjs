// brands_paging.test.mjs — the brands list (GET /brands, GET /api/v1/brands) pages by
// keyset in name order, case-insensitively, then id (static/openapi.json): every page
// walked through next_cursor gives each live brand once, in order; brands added during
// the walk never shift it; bad limit, q and cursor (garbage, forged, another list's,
// another org's) answer 400 naming the field, on the page too; the search keeps
// working, LIKE metacharacters matched as typed; and an index serves the order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack, viewer, key, otherKey, demoOrg, otherOrg;


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
  stack = await Stack.start();
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

after(async () => stack && stack.stop());

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
    if (pages > 0) assert.match(res.body, /<a href="\/brands\?limit=6">First page<\/a>/);
    const next = /<a href="([^"]+)" id="next-page" rel="next">/.exec(res.body);
    if (next) assert.match(next[1], /^\/brands\?limit=6&amp;cursor=/);
    url = next ? next[1].replace(/&amp;/g, '&') : null;
    assert.ok(++pages < 50);
  }
  assert.deepEqual(names, expected.map((b) => b.name));
  // A search pages too, and its links keep it.
  const first = await viewer.get('/brands?q=an&limit=1');
  const next = /<a href="([^"]+)" id="next-page"/.exec(first.body);
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
  assert.match(html.body, /id="cursor-error">This page link \(cursor\) is not valid/);
  assert.match(html.body, /<a href="\/brands\?q=an">First page<\/a>/);
  assert.doesNotMatch(html.body, /id="brands-empty"/);
  const limit = await viewer.get('/brands?limit=500');
  assert.equal(limit.status, 400);
  assert.match(limit.body, /id="limit-error"/);
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
