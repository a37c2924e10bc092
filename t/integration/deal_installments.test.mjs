// deal_installments.test.mjs — installment schedules (docs/DEALS.md): a deal's value
// split into N payments, equal (the remainder cents on the last or the first payment)
// or custom amounts that must add up to the value exactly; one transaction (nothing
// is written when anything is refused); the payments are ordinary payments with a
// method, editable afterwards, and the schedule says whether it still adds up. Roles
// (agents only on their own deals, viewers never) and another org's ids (404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack, manager, agent, viewer, key, otherKey;
let dealId, agentDealId, otherDealId, managerDealId;

const userId = (role) => stack.one(`SELECT id FROM users WHERE email = '${role}@demo.test'`);
function insertDeal(slug, title, { owner = null, value = 100000 } = {}) {
  const org = stack.one(`SELECT id FROM orgs WHERE slug = '${slug}'`);
  const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', '${title} brand') RETURNING id`);
  return stack.one(`INSERT INTO deals (org_id, title, brand_id, owner_id, stage, currency, value_minor, contract_status)
    VALUES ('${org}', '${title}', '${brand}', ${owner ? `'${owner}'` : 'NULL'}, 'contracted', 'USD', ${value}, 'signed')
    RETURNING id`);
}
const payments = (deal) => stack.sql(`SELECT installment_no || '/' || installment_count || '|' || amount_minor || '|'
  || expected_at || '|' || method || '|' || kind FROM payments WHERE deal_id = '${deal}' AND deleted_at IS NULL
  ORDER BY installment_no`).split('\n').filter(Boolean);
const count = (deal) => Number(stack.one(`SELECT count(*) FROM payments WHERE deal_id = '${deal}' AND deleted_at IS NULL`));
const json = (c, method, p, body) => c.request(method, p, {
  headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': c.csrf }),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

before(async () => {
  stack = await Stack.start();
  [manager, agent, viewer] = await Promise.all([stack.as('manager'), stack.as('agent'), stack.as('viewer')]);
  stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'Europe/Paris')`);
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'inst', '--role', 'manager']).stdout.trim();
  otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
  dealId = insertDeal('demo', 'Split deal', { value: 100000 });
  managerDealId = insertDeal('demo', 'Manager deal', { owner: userId('manager'), value: 50000 });
  agentDealId = insertDeal('demo', 'Agent deal', { owner: userId('agent'), value: 1000 });
  otherDealId = insertDeal('other', 'Their deal');
});

after(async () => {
  if (stack) await stack.stop();
});

test('equal split through the page: the remainder cent on the last payment, monthly dates clamped', async () => {
  const form = await manager.get(`/deals/${dealId}/installments/new`);
  assert.equal(form.status, 200);
  assert.match(form.body, /id="installments-form"/);
  assert.match(form.body, /name="csrf_token"/);
  const res = await manager.post(`/deals/${dealId}/installments`, {
    mode: 'equal', method: 'bank_transfer', count: '3', first_date: '2027-01-31', interval: 'monthly', remainder: 'last',
  });
  assert.equal(res.status, 303, res.body);
  assert.deepEqual(payments(dealId), [
    '1/3|33333|2027-01-31|bank_transfer|installment',
    '2/3|33333|2027-02-28|bank_transfer|installment',
    '3/3|33334|2027-03-31|bank_transfer|installment',
  ]);
  const page = await manager.get(`/deals/${dealId}`);
  assert.match(page.body, /id="installments-table"/);
  assert.match(page.body, /adds up/);
  assert.match(page.body, /Bank transfer/);
  // The payments are ordinary payments: JSON, status, edit with a method.
  const show = await json(manager, 'GET', `/api/v1/deals/${dealId}/installments`);
  assert.equal(show.status, 200);
  const s = show.json().data;
  assert.equal(s.adds_up, true);
  assert.equal(s.total.amount_minor, 100000);
  assert.equal(s.payments.length, 3);
  assert.equal(s.payments[2].method, 'bank_transfer');
  const p = (await json(manager, 'GET', `/api/v1/payments/${s.payments[0].id}`)).json().data;
  assert.equal(p.kind, 'installment');
  assert.deepEqual(p.installment, { number: 1, of: 3 });
  assert.equal(p.method, 'bank_transfer');
});

test('remainder first, weekly; a second schedule is refused (409) unless replaced', async () => {
  let res = await json(manager, 'POST', `/api/v1/deals/${managerDealId}/installments`,
    { mode: 'equal', method: 'paypal', count: 3, first_date: '2027-03-01', interval: 'weekly', remainder: 'first' });
  assert.equal(res.status, 201, res.body);
  assert.deepEqual(payments(managerDealId), [
    '1/3|16668|2027-03-01|paypal|installment',
    '2/3|16666|2027-03-08|paypal|installment',
    '3/3|16666|2027-03-15|paypal|installment',
  ]);
  assert.equal(res.json().data.adds_up, true);
  res = await json(manager, 'POST', `/api/v1/deals/${managerDealId}/installments`,
    { mode: 'equal', method: 'card', count: 2, first_date: '2027-03-01' });
  assert.equal(res.status, 409);
  assert.equal(count(managerDealId), 3);
  res = await json(manager, 'POST', `/api/v1/deals/${managerDealId}/installments`,
    { mode: 'equal', method: 'card', count: 2, first_date: '2027-04-01', replace: true });
  assert.equal(res.status, 201, res.body);
  assert.deepEqual(payments(managerDealId), ['1/2|25000|2027-04-01|card|installment', '2/2|25000|2027-05-01|card|installment']);
  // The replaced ones are in the history as deleted.
  assert.equal(Number(stack.one(`SELECT count(*) FROM deal_history WHERE deal_id = '${managerDealId}'
    AND entity = 'payment' AND action = 'delete'`)), 3);
});

test('custom amounts must add up exactly: 400 with the sum, nothing written; per-row field errors', async () => {
  const deal = insertDeal('demo', 'Custom deal', { value: 10000 });
  let res = await json(manager, 'POST', `/api/v1/deals/${deal}/installments`, { mode: 'custom', method: 'check',
    payments: [{ amount_minor: 4000, expected_at: '2027-01-01' }, { amount_minor: 5000, expected_at: '2027-02-01' }] });
  assert.equal(res.status, 400);
  const err = res.json().error;
  assert.equal(err.code, 'invalid');
  assert.match(err.fields.payments, /add up to the deal value, 100\.00 USD.*90\.00.*10\.00 short/);
  assert.equal(count(deal), 0);
  // Row errors name the row; nothing written either.
  res = await json(manager, 'POST', `/api/v1/deals/${deal}/installments`, { mode: 'custom', method: 'check',
    payments: [{ amount_minor: 5000, expected_at: '2027-01-01' }, { amount_minor: 0, expected_at: '2027-13-01' }] });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields['payments[1].amount_minor']);
  assert.ok(res.json().error.fields['payments[1].expected_at']);
  assert.equal(count(deal), 0);
  res = await json(manager, 'POST', `/api/v1/deals/${deal}/installments`, { mode: 'custom', method: 'check',
    payments: [{ amount_minor: 2500, expected_at: '2027-01-01' }, { amount_minor: 7500, expected_at: '2027-06-01' }] });
  assert.equal(res.status, 201, res.body);
  assert.deepEqual(payments(deal), ['1/2|2500|2027-01-01|check|installment', '2/2|7500|2027-06-01|check|installment']);
  // The page form: a sum that does not match is shown again with what was typed.
  const deal2 = insertDeal('demo', 'Custom page deal', { value: 10000 });
  const page = await manager.post(`/deals/${deal2}/installments`, { mode: 'custom', method: 'wise',
    amount_1: '30.00', date_1: '2027-01-10', amount_2: '60.00', date_2: '2027-02-10' });
  assert.equal(page.status, 400);
  assert.match(page.body, /id="e-payments"/);
  assert.match(page.body, /value="60.00"/);
  assert.equal(count(deal2), 0);
  const ok = await manager.post(`/deals/${deal2}/installments`, { mode: 'custom', method: 'wise',
    amount_1: '30.00', date_1: '2027-01-10', amount_2: '70.00', date_2: '2027-02-10' });
  assert.equal(ok.status, 303, ok.body);
  assert.equal(count(deal2), 2);
});

test('validation per field: 400 with a message at each, the form again with the input', async () => {
  const deal = insertDeal('demo', 'Invalid deal', { value: 10000 });
  const res = await json(manager, 'POST', `/api/v1/deals/${deal}/installments`,
    { mode: 'equal', method: 'cash-in-envelope', count: 61, first_date: '2027-02-30', interval: 'daily', remainder: 'middle' });
  assert.equal(res.status, 400);
  const f = res.json().error.fields;
  for (const k of ['method', 'count', 'first_date', 'interval', 'remainder']) assert.ok(f[k], k);
  assert.equal((await json(manager, 'POST', `/api/v1/deals/${deal}/installments`, { mode: 'thirds', method: 'card' }))
    .json().error.fields.mode, 'must be equal or custom');
  const page = await manager.post(`/deals/${deal}/installments`, { mode: 'equal', method: '', count: 'x', first_date: '' });
  assert.equal(page.status, 400);
  assert.match(page.body, /id="e-method"/);
  assert.match(page.body, /id="e-count"/);
  assert.match(page.body, /id="e-first_date"/);
  assert.match(page.body, /value="x"/);
  assert.equal(count(deal), 0);
  // A deal of 2 cents cannot be split in 3.
  const tiny = insertDeal('demo', 'Tiny deal', { value: 2 });
  const t = await json(manager, 'POST', `/api/v1/deals/${tiny}/installments`, { method: 'card', count: 3, first_date: '2027-01-01' });
  assert.equal(t.status, 400);
  assert.ok(t.json().error.fields.count);
});

test('editing a payment afterwards: amount, date, method; the schedule states it no longer adds up', async () => {
  const s = (await json(manager, 'GET', `/api/v1/deals/${dealId}/installments`)).json().data;
  const id = s.payments[1].id;
  const before = (await json(manager, 'GET', `/api/v1/payments/${id}`)).json().data;
  let res = await json(manager, 'PATCH', `/api/v1/payments/${id}`, { version: before.version, method: 'bitcoin' });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.method);
  res = await json(manager, 'PATCH', `/api/v1/payments/${id}`,
    { version: before.version, method: 'zelle', amount: { amount_minor: 30000, currency: 'USD' }, expected_at: '2027-03-05' });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json().data.method, 'zelle');
  assert.deepEqual(res.json().data.installment, { number: 2, of: 3 });
  const after = (await json(manager, 'GET', `/api/v1/deals/${dealId}/installments`)).json().data;
  assert.equal(after.adds_up, false);
  assert.equal(after.difference_minor, -3333);
  const page = await manager.get(`/deals/${dealId}`);
  assert.match(page.body, /\$33\.33 short of the deal value/);
  // The edit form offers the method, and the history records its change.
  const form = await manager.get(`/payments/${id}/edit`);
  assert.match(form.body, /<select id="f-method" name="method">/);
  assert.match(stack.one(`SELECT old_value || '>' || new_value FROM deal_history WHERE entity_id = '${id}' AND field = 'method'`),
    /bank_transfer>zelle/);
});

test('roles: viewers never, agents on their own deals only, API keys; another org is 404', async () => {
  const body = { method: 'card', count: 2, first_date: '2027-01-01' };
  assert.equal((await viewer.get(`/deals/${agentDealId}/installments/new`)).status, 403);
  assert.equal((await json(viewer, 'POST', `/api/v1/deals/${agentDealId}/installments`, body)).status, 403);
  assert.equal((await json(agent, 'POST', `/api/v1/deals/${managerDealId}/installments`, body)).status, 403);
  const own = await json(agent, 'POST', `/api/v1/deals/${agentDealId}/installments`, body);
  assert.equal(own.status, 201, own.body);
  assert.equal(count(agentDealId), 2);
  assert.equal((await json(viewer, 'GET', `/api/v1/deals/${agentDealId}/installments`)).status, 200);
  const k = await stack.api(key, 'POST', `/api/v1/deals/${insertDeal('demo', 'Key deal', { value: 900 })}/installments`, body);
  assert.equal(k.status, 201, k.body);
  // Another org's deal: 404 to pages, JSON and keys alike; and ours to their key.
  assert.equal((await manager.get(`/deals/${otherDealId}/installments/new`)).status, 404);
  assert.equal((await json(manager, 'POST', `/api/v1/deals/${otherDealId}/installments`, body)).status, 404);
  assert.equal((await json(manager, 'GET', `/api/v1/deals/${otherDealId}/installments`)).status, 404);
  assert.equal((await stack.api(otherKey, 'GET', `/api/v1/deals/${dealId}/installments`)).status, 404);
  assert.equal((await stack.api(otherKey, 'POST', `/api/v1/deals/${dealId}/installments`, body)).status, 404);
  assert.equal(count(otherDealId), 0);
  // No CSRF token: 403, nothing written.
  const d = insertDeal('demo', 'No token deal', { value: 900 });
  assert.equal((await manager.post(`/deals/${d}/installments`, { ...body, csrf_token: null })).status, 403);
  assert.equal(count(d), 0);
});
