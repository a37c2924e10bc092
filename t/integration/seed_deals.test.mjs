// seed_deals.test.mjs — `switchboard seed --demo --deals N`: deterministic ids and
// values, every stage present, late/overdue/partial/disputed/FX rows present and
// consistent, re-seeding replaces instead of duplicating, user-made deals kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;
const fingerprint = () => stack.one(`SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
    SELECT d.id::text || d.title || d.stage || d.value_minor || d.currency || d.risk_level AS x FROM deals d WHERE 'demo' = ANY(d.tags)
    UNION ALL SELECT p.id::text || p.amount_minor || p.currency || p.status || p.paid_minor FROM payments p
    UNION ALL SELECT v.id::text || v.platform || v.type FROM deliverables v
    UNION ALL SELECT b.id::text || b.name FROM brands b WHERE b.notes = 'Demo brand.') t`);

before(async () => { stack = await Stack.start(); });
after(async () => stack && stack.stop());

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
