// deal_terms.test.mjs — a deal's affiliate and performance terms (docs/DEALS.md):
// commission rate, https tracking URL and a bonus (condition and amount) through the
// page form and PATCH /api/v1/deals/{id}/terms, validated per field with what was typed
// kept, in the change history; they belong to the deal types they fit; a bonus counts
// in the forecast only once marked earned (a payment of kind "bonus"), and unmarking
// takes it out again; roles as for any deal write; another org's deal is 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack;
const clients = {};
const ids = {};

const json = (c, method, urlPath, body) => c.request(method, urlPath, {
  headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': c.csrf }),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const version = (deal) => Number(stack.one(`SELECT version FROM deals WHERE id = '${deal}'`));

function insertDeal(title, email, type, org = 'demo') {
  return stack.one(`WITH b AS (INSERT INTO brands (org_id, name) SELECT id, '${title} brand' FROM orgs WHERE slug = '${org}'
    RETURNING id, org_id)
    INSERT INTO deals (org_id, owner_id, brand_id, title, currency, value_minor, deal_type)
    SELECT b.org_id, u.id, b.id, '${title}', 'USD', 100000, '${type}' FROM b
    JOIN users u ON u.org_id = b.org_id AND u.email = '${email}' RETURNING id`);
}

/** The org's day, offset by n days, as YYYY-MM-DD. */
const day = (n) => stack.one(`SELECT ((now() AT TIME ZONE timezone)::date + ${n})::text FROM orgs WHERE slug = 'demo'`);

async function upcoming(c) {
  const res = await json(c, 'GET', '/api/v1/deals/forecast?days=30');
  assert.equal(res.status, 200, res.body);
  const f = res.json().data;
  assert.equal(f.currency, 'USD');
  return f.upcoming.amount_minor;
}

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  ids.hybrid = insertDeal('Hybrid deal', 'agent@demo.test', 'hybrid');
  ids.fixed = insertDeal('Fixed deal', 'agent@demo.test', 'fixed');
  ids.bonus = insertDeal('Bonus deal', 'manager@demo.test', 'performance_bonus');
  ids.affiliate = insertDeal('Affiliate deal', 'manager@demo.test', 'affiliate');
  otherOrg(stack);
  ids.foreign = insertDeal('Foreign deal', 'admin@other.test', 'hybrid', 'other');
});

after(async () => {
  if (stack) await stack.stop();
});

test('the assigned agent saves terms on the page; the deal page shows them and the history has each field', async () => {
  const { agent } = clients;
  const form = await agent.get(`/deals/${ids.hybrid}/terms`);
  assert.equal(form.status, 200);
  assert.match(form.body, /id="terms-form"/);
  const v = version(ids.hybrid);
  const saved = await agent.post(`/deals/${ids.hybrid}/terms`, { version: String(v), commission_rate: '12.5%',
    tracking_url: 'https://brand.example/?ref=creator&utm=a', bonus_condition: '100,000 views in 30 days',
    bonus_amount: '500.00' });
  assert.equal(saved.status, 303, saved.body.slice(0, 400));
  assert.equal(version(ids.hybrid), v + 1);
  assert.equal(stack.one(`SELECT commission_rate_bp || '|' || tracking_url || '|' || bonus_condition || '|' || bonus_minor
    FROM deals WHERE id = '${ids.hybrid}'`), '1250|https://brand.example/?ref=creator&utm=a|100,000 views in 30 days|50000');
  const page = await agent.get(`/deals/${ids.hybrid}`);
  assert.match(page.body, /id="terms-rate">12\.5%</);
  assert.match(page.body, /<a href="https:\/\/brand\.example\/\?ref=creator&amp;utm=a" rel="noopener noreferrer nofollow">/);
  assert.match(page.body, /id="terms-bonus">\$500\.00 when 100,000 views in 30 days/);
  assert.match(page.body, /id="bonus-not-earned">Not earned yet: not counted in the forecast\./);
  assert.match(page.body, /id="earn-bonus"/);
  for (const f of ['commission_rate_bp', 'tracking_url', 'bonus_condition', 'bonus_minor'])
    assert.equal(stack.one(`SELECT count(*) FROM deal_history WHERE deal_id = '${ids.hybrid}' AND field = '${f}'`), '1', f);
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'deal.terms.update'`), '1');
});

test('bad input: 400 with a message per field, the form again with what was typed, nothing saved', async () => {
  const { agent } = clients;
  const before = stack.one(`SELECT row_to_json(d)::text FROM deals d WHERE id = '${ids.hybrid}'`);
  const bad = await agent.post(`/deals/${ids.hybrid}/terms`, { version: String(version(ids.hybrid)),
    commission_rate: '120', tracking_url: 'http://brand.example/x', bonus_condition: '', bonus_amount: '-5' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /id="e-commission_rate">must be a percentage from 0 to 100/);
  assert.match(bad.body, /id="e-tracking_url">must be an absolute https:\/\/ URL/);
  assert.match(bad.body, /id="e-bonus_amount">must be an amount above 0/);
  assert.match(bad.body, /value="http:\/\/brand\.example\/x"/);
  assert.match(bad.body, /value="120"/);
  assert.equal(stack.one(`SELECT row_to_json(d)::text FROM deals d WHERE id = '${ids.hybrid}'`), before);

  const api = await json(agent, 'PATCH', `/api/v1/deals/${ids.hybrid}/terms`, { commission_rate: '1.234',
    tracking_url: 'https://has space.example', bonus_condition: 'x'.repeat(501) });
  assert.equal(api.status, 400);
  const fields = api.json().error.fields;
  assert.match(fields.commission_rate, /at most 2 decimals/);
  assert.match(fields.tracking_url, /https:\/\//);
  assert.match(fields.bonus_condition, /at most 500 characters/);
  // A condition without an amount, and an amount without a condition.
  const half = await json(agent, 'PATCH', `/api/v1/deals/${ids.hybrid}/terms`, { bonus_amount: null });
  assert.equal(half.status, 400);
  assert.match(half.json().error.fields.bonus_amount, /must be given with a bonus condition/);
  // Terms that do not fit the deal's type.
  const fixed = await json(agent, 'PATCH', `/api/v1/deals/${ids.fixed}/terms`, { commission_rate: 10,
    bonus_condition: 'Sales', bonus_amount: { amount_minor: 100 } });
  assert.equal(fixed.status, 400);
  assert.match(fixed.json().error.fields.commission_rate, /affiliate and hybrid deals/);
  assert.match(fixed.json().error.fields.bonus_amount, /performance_bonus and hybrid deals/);
  const aff = await json(clients.manager, 'PATCH', `/api/v1/deals/${ids.affiliate}/terms`, { bonus_condition: 'Sales',
    bonus_amount: { amount_minor: 100 } });
  assert.equal(aff.status, 400);
  assert.equal(stack.one(`SELECT bonus_minor IS NULL FROM deals WHERE id = '${ids.affiliate}'`), 't');
  assert.equal(stack.one(`SELECT bonus_minor IS NULL AND commission_rate_bp IS NULL FROM deals WHERE id = '${ids.fixed}'`), 't');
});

test('a stale edit is 409 (the page shows the stored terms; JSON the current deal)', async () => {
  const { agent } = clients;
  const stale = await agent.post(`/deals/${ids.hybrid}/terms`, { version: '1', commission_rate: '3' });
  assert.equal(stale.status, 409);
  assert.match(stale.body, /id="terms-notice"/);
  const api = await json(agent, 'PATCH', `/api/v1/deals/${ids.hybrid}/terms`, { version: 1, commission_rate: 3 });
  assert.equal(api.status, 409);
  assert.equal(stack.one(`SELECT commission_rate_bp FROM deals WHERE id = '${ids.hybrid}'`), '1250');
});

test('JSON twin: GET and PATCH /api/v1/deals/{id}/terms; the deal JSON carries them; null clears', async () => {
  const { manager, viewer } = clients;
  const made = await json(manager, 'PATCH', `/api/v1/deals/${ids.bonus}/terms`, { bonus_condition: 'Top 10 in the app store',
    bonus_amount: { amount_minor: 250000 } });
  assert.equal(made.status, 200, made.body);
  const { version: v, ...t } = made.json().data;
  assert.equal(v, version(ids.bonus), 'the deal version the terms were read at');
  assert.deepEqual(t, { commission_rate_bp: null, commission_rate: null, tracking_url: null,
    bonus: { condition: 'Top 10 in the app store', amount: { amount_minor: 250000, currency: 'USD' }, earned: false,
      earned_at: null, earned_by: null, payment_id: null } });
  const read = await json(viewer, 'GET', `/api/v1/deals/${ids.hybrid}/terms`);
  assert.equal(read.status, 200);
  assert.equal(read.json().data.commission_rate_bp, 1250);
  assert.equal(read.json().data.commission_rate, 12.5);
  assert.equal(read.json().data.tracking_url, 'https://brand.example/?ref=creator&utm=a');
  const deal = await json(viewer, 'GET', `/api/v1/deals/${ids.hybrid}`);
  assert.equal(deal.json().data.terms.bonus.amount.amount_minor, 50000);
  const cleared = await json(manager, 'PATCH', `/api/v1/deals/${ids.affiliate}/terms`, { commission_rate: '7',
    tracking_url: 'https://shop.example/r/1' });
  assert.equal(cleared.status, 200);
  const again = await json(manager, 'PATCH', `/api/v1/deals/${ids.affiliate}/terms`, { tracking_url: null });
  assert.equal(again.status, 200);
  assert.equal(again.json().data.tracking_url, null);
  assert.equal(again.json().data.commission_rate_bp, 700);
});

test('the forecast counts a bonus only once it is marked earned, and not after it is unmarked', async () => {
  const { agent, manager } = clients;
  const base = await upcoming(manager);
  // Not earned: not in the forecast.
  assert.equal(stack.one(`SELECT count(*) FROM payments WHERE deal_id = '${ids.hybrid}' AND kind = 'bonus'`), '0');
  const form = await agent.get(`/deals/${ids.hybrid}/bonus/earned`);
  assert.equal(form.status, 200);
  assert.match(form.body, /id="earn-summary">The bonus of \$500\.00/);
  const badDate = await agent.post(`/deals/${ids.hybrid}/bonus/earned`, { expected_at: '2025-02-30' });
  assert.equal(badDate.status, 400);
  assert.match(badDate.body, /id="e-expected_at">must be a date/);
  assert.match(badDate.body, /value="2025-02-30"/);
  assert.equal(await upcoming(manager), base);
  const earned = await agent.post(`/deals/${ids.hybrid}/bonus/earned`, { expected_at: day(5) });
  assert.equal(earned.status, 303, earned.body.slice(0, 300));
  assert.equal(stack.one(`SELECT kind || '|' || amount_minor || '|' || expected_at FROM payments
    WHERE deal_id = '${ids.hybrid}' AND deleted_at IS NULL`), `bonus|50000|${day(5)}`);
  assert.equal(await upcoming(manager), base + 50000);
  const page = await agent.get(`/deals/${ids.hybrid}`);
  assert.match(page.body, /id="bonus-earned">earned</);
  assert.doesNotMatch(page.body, /id="unearn-bonus"/, 'an agent does not unmark');
  // Twice is 409; an earned bonus's amount stays as earned.
  assert.equal((await json(agent, 'POST', `/api/v1/deals/${ids.hybrid}/bonus/earned`, {})).status, 409);
  const change = await json(agent, 'PATCH', `/api/v1/deals/${ids.hybrid}/terms`, { bonus_amount: { amount_minor: 1 } });
  assert.equal(change.status, 400);
  assert.match(change.json().error.fields.bonus_amount, /fixed once the bonus is marked earned/);
  // The JSON says who and when.
  const t = (await json(manager, 'GET', `/api/v1/deals/${ids.hybrid}/terms`)).json().data;
  assert.equal(t.bonus.earned, true);
  assert.equal(t.bonus.earned_by, stack.one(`SELECT name FROM users WHERE email = 'agent@demo.test'`));
  assert.match(t.bonus.payment_id, /^[0-9a-f-]{36}$/);
  // Unmarking (managers and admins): confirm page, then the payment goes, and the forecast drops it.
  assert.equal((await agent.get(`/deals/${ids.hybrid}/bonus/unearned`)).status, 403);
  const confirm = await manager.get(`/deals/${ids.hybrid}/bonus/unearned`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="confirm-unearn"/);
  const un = await manager.post(`/deals/${ids.hybrid}/bonus/unearned`, {});
  assert.equal(un.status, 303);
  assert.equal(stack.one(`SELECT count(*) FROM payments WHERE deal_id = '${ids.hybrid}' AND deleted_at IS NULL`), '0');
  assert.equal(await upcoming(manager), base);
  assert.equal(stack.one(`SELECT string_agg(old_value || '>' || new_value, ',' ORDER BY id) FROM deal_history
    WHERE deal_id = '${ids.hybrid}' AND field = 'bonus_earned'`), 'false>true,true>false');
  // JSON: earn and unmark; a received payment keeps it earned.
  const api = await json(manager, 'POST', `/api/v1/deals/${ids.bonus}/bonus/earned`, { expected_at: day(3) });
  assert.equal(api.status, 200, api.body);
  assert.equal(await upcoming(manager), base + 250000);
  stack.sql(`UPDATE payments SET paid_minor = 1000, status = 'partial' WHERE deal_id = '${ids.bonus}' AND kind = 'bonus'`);
  assert.equal((await json(manager, 'DELETE', `/api/v1/deals/${ids.bonus}/bonus/earned`)).status, 409);
  stack.sql(`UPDATE payments SET paid_minor = 0, status = 'expected' WHERE deal_id = '${ids.bonus}' AND kind = 'bonus'`);
  const del = await json(manager, 'DELETE', `/api/v1/deals/${ids.bonus}/bonus/earned`);
  assert.equal(del.status, 200, del.body);
  assert.equal(del.json().data.bonus.earned, false);
  assert.equal(await upcoming(manager), base);
  // A deal without a bonus has nothing to earn.
  assert.equal((await json(manager, 'POST', `/api/v1/deals/${ids.affiliate}/bonus/earned`, {})).status, 409);
});

test('roles and tenants: viewers read only, an agent only the deals assigned to them, another org\'s deal is 404', async () => {
  const { viewer, agent, admin } = clients;
  assert.equal((await viewer.get(`/deals/${ids.hybrid}/terms`)).status, 403);
  assert.equal((await json(viewer, 'PATCH', `/api/v1/deals/${ids.hybrid}/terms`, { commission_rate: 1 })).status, 403);
  assert.equal((await json(agent, 'PATCH', `/api/v1/deals/${ids.affiliate}/terms`, { commission_rate: 1 })).status, 403);
  assert.equal((await json(agent, 'POST', `/api/v1/deals/${ids.bonus}/bonus/earned`, {})).status, 403);
  for (const [method, path] of [['GET', `/api/v1/deals/${ids.foreign}/terms`], ['PATCH', `/api/v1/deals/${ids.foreign}/terms`],
    ['POST', `/api/v1/deals/${ids.foreign}/bonus/earned`], ['DELETE', `/api/v1/deals/${ids.foreign}/bonus/earned`]]) {
    const res = await json(admin, method, path, method === 'GET' ? undefined : {});
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  const page = await admin.get(`/deals/${ids.foreign}/terms`);
  assert.equal(page.status, 404, page.body.slice(0, 500));
  assert.equal(stack.one(`SELECT commission_rate_bp IS NULL FROM deals WHERE id = '${ids.foreign}'`), 't');
});
