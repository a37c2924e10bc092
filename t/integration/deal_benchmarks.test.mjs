// deal_benchmarks.test.mjs — rate benchmarks (docs/DEALS.md): the median and the
// interquartile range of the value per deliverable for a type and platform, over the
// org's live deals of the last 12 months in one currency, on the deal form (server
// rendered, chosen with a GET form) and as GET /api/v1/deals/benchmarks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack;
const clients = {};

const json = (c, urlPath) => c.request('GET', urlPath, { headers: { accept: 'application/json' } });

/** A deal of org worth value_minor in currency, created `age` ago, with deliverables [type, platform, quantity]. */
function deal(valueMinor, deliverables, { currency = 'USD', age = '1 day', org = 'demo', deleted = false } = {}) {
  const id = stack.one(`WITH b AS (INSERT INTO brands (org_id, name) SELECT id, 'Bench ' || gen_random_uuid() FROM orgs
      WHERE slug = '${org}' RETURNING id, org_id)
    INSERT INTO deals (org_id, brand_id, title, currency, value_minor, created_at, deleted_at)
    SELECT org_id, id, 'Bench deal', '${currency}', ${valueMinor}, now() - interval '${age}', ${deleted ? 'now()' : 'NULL'}
    FROM b RETURNING id`);
  for (const [type, platform, quantity] of deliverables)
    stack.sql(`INSERT INTO deliverables (org_id, deal_id, type, platform, quantity)
      SELECT org_id, id, '${type}', '${platform}', ${quantity} FROM deals WHERE id = '${id}'`);
  return id;
}

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'manager']) clients[role] = await stack.as(role);
  // Values per deliverable for reel on instagram, USD, last 12 months: 100, 200, 300, 400 (dollars).
  deal(10000, [['reel', 'instagram', 1]]);
  deal(40000, [['reel', 'instagram', 1], ['story', 'instagram', 1]]); // 400 / 2 = 200 each
  deal(90000, [['reel', 'instagram', 3]]); // 300 each
  deal(40000, [['reel', 'instagram', 1]], { age: '11 months' });
  // Left out: too old, another currency, deleted, no value, another org, another type.
  deal(999900, [['reel', 'instagram', 1]], { age: '13 months' });
  deal(999900, [['reel', 'instagram', 1]], { currency: 'EUR' });
  deal(999900, [['reel', 'instagram', 1]], { deleted: true });
  deal(0, [['reel', 'instagram', 1]]);
  otherOrg(stack);
  deal(999900, [['reel', 'instagram', 1]], { org: 'other' });
  deal(999900, [['video', 'youtube', 1]]);
});

after(async () => {
  if (stack) await stack.stop();
});

test('JSON: the median and quartiles of the value per deliverable (percentile_cont), in minor units', async () => {
  const res = await json(clients.viewer, '/api/v1/deals/benchmarks?type=reel&platform=instagram&currency=USD');
  assert.equal(res.status, 200, res.body);
  // percentile_cont over 10000, 20000, 30000, 40000: 17500, 25000, 32500.
  assert.deepEqual(res.json().data, { type: 'reel', platform: 'instagram', currency: 'USD', count: 4,
    p25_minor: 17500, median_minor: 25000, p75_minor: 32500,
    median_display: '$250.00', p25_display: '$175.00', p75_display: '$325.00' });
  const story = (await json(clients.viewer, '/api/v1/deals/benchmarks?type=story&platform=instagram')).json().data;
  assert.equal(story.count, 1);
  assert.equal(story.median_minor, 20000);
  const none = (await json(clients.viewer, '/api/v1/deals/benchmarks?type=live&platform=tiktok')).json().data;
  assert.deepEqual([none.count, none.median_minor, none.p25_minor, none.p75_minor], [0, null, null, null]);
  const eur = (await json(clients.viewer, '/api/v1/deals/benchmarks?type=reel&platform=instagram&currency=EUR')).json().data;
  assert.deepEqual([eur.count, eur.median_minor], [1, 999900]);
});

test('JSON: bad parameters are 400 with a message per field', async () => {
  const res = await json(clients.viewer, '/api/v1/deals/benchmarks?type=tweet&platform=&currency=XYZ');
  assert.equal(res.status, 400);
  assert.deepEqual(Object.keys(res.json().error.fields).sort(), ['currency', 'platform', 'type']);
});

test('the deal form shows the benchmark for the chosen type and platform without JavaScript', async () => {
  const dflt = await clients.manager.get('/deals/new');
  assert.equal(dflt.status, 200);
  assert.match(dflt.body, /id="rate-benchmark"/);
  assert.match(dflt.body, /No post on instagram in USD in the last 12 months\./);
  const chosen = await clients.manager.get('/deals/new?bench_type=reel&bench_platform=instagram');
  assert.match(chosen.body, /median <strong id="bench-median">\$250\.00<\/strong>, middle half \$175\.00 – \$325\.00/);
  assert.match(chosen.body, /<option selected>reel<\/option>/);
  assert.match(chosen.body, /<select id="bench-type" name="bench_type" form="benchmark-form">/);
  assert.match(chosen.body, /<form id="benchmark-form" method="get" hidden><\/form>/);
});

test('the query plan at 100k deals uses the index on deliverables by type and platform', async () => {
  stack.sql(`WITH o AS (SELECT id FROM orgs WHERE slug = 'other'),
      b AS (SELECT id FROM brands WHERE org_id = (SELECT id FROM o) LIMIT 1),
      d AS (INSERT INTO deals (org_id, brand_id, title, currency, value_minor)
        SELECT (SELECT id FROM o), (SELECT id FROM b), 'Bulk ' || g, 'USD', 1000 + g FROM generate_series(1, 100000) g
        RETURNING id, org_id, value_minor)
    INSERT INTO deliverables (org_id, deal_id, type, platform, quantity)
    SELECT org_id, id, (ARRAY['post','reel','story','short','video','live','other'])[1 + value_minor % 7],
      (ARRAY['instagram','youtube','tiktok','other'])[1 + value_minor % 4], 1 FROM d`);
  stack.sql('ANALYZE deals; ANALYZE deliverables');
  const org = stack.one(`SELECT id FROM orgs WHERE slug = 'other'`);
  const plan = stack.sql(`BEGIN; SELECT set_config('app.org_id', '${org}', true);
    EXPLAIN WITH hit AS (SELECT DISTINCT deal_id FROM deliverables WHERE org_id = app_org_id() AND deleted_at IS NULL
      AND type = 'reel' AND platform = 'instagram'),
    unit AS (SELECT d.value_minor::float8 / (SELECT sum(v.quantity) FROM deliverables v
      WHERE v.org_id = d.org_id AND v.deal_id = d.id AND v.deleted_at IS NULL) AS minor
      FROM hit JOIN deals d ON d.id = hit.deal_id AND d.org_id = app_org_id()
      WHERE d.deleted_at IS NULL AND d.currency = 'USD' AND d.value_minor > 0 AND d.created_at >= now() - interval '12 months')
    SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY minor) FROM unit; ROLLBACK;`);
  assert.match(plan, /deliverables_org_type_platform_idx/, plan);
  const res = await json(clients.viewer, '/api/v1/deals/benchmarks?type=reel&platform=instagram&currency=USD');
  assert.equal(res.json().data.count, 4, 'the other org\'s deals stay out');
});
