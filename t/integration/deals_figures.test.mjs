// deals_figures.test.mjs — brands (pages, JSON, metrics against a hand computation),
// the cash-flow forecast (weeks, overdue, payments without a rate) and the overview's
// deal figures and links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack, manager, agent, viewer, key, otherKey, org, today;

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
  stack = await Stack.start();
  [manager, agent, viewer] = await Promise.all([stack.as('manager'), stack.as('agent'), stack.as('viewer')]);
  org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  today = stack.one(`SELECT (now() AT TIME ZONE timezone)::date FROM orgs WHERE slug = 'demo'`);
  stack.sql(`INSERT INTO orgs (slug, name) VALUES ('other', 'Other Co')`);
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'g', '--role', 'manager']).stdout.trim();
  otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
});
after(async () => stack && stack.stop());

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
  assert.match(r.body, /id="name-error"/);
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
