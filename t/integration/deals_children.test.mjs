// deals_children.test.mjs — deliverables and payments under a deal: every form and JSON
// route, each validation error, illegal transitions (409), stale edits (409), roles and
// ownership, another org's ids (404), history rows, risk refresh, FX conversion with
// its rate and date, and the FX rate form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack, manager, agent, viewer, key, otherKey;
let dealId, agentDealId, otherDealId;

const userId = (role) => stack.one(`SELECT id FROM users WHERE email = '${role}@demo.test'`);

/** Inserts a deal by SQL (the deal pages are not needed here); returns its id. */
function insertDeal(slug, title, { owner = null, currency = 'USD', stage = 'in_progress' } = {}) {
  const org = stack.one(`SELECT id FROM orgs WHERE slug = '${slug}'`);
  const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', '${title} brand') RETURNING id`);
  return stack.one(`INSERT INTO deals (org_id, title, brand_id, owner_id, stage, currency, value_minor, contract_status)
              VALUES ('${org}', '${title}', '${brand}', ${owner ? `'${owner}'` : 'NULL'}, '${stage}', '${currency}',
                      500000, 'signed') RETURNING id`);
}


const history = (entityId) =>
  stack.sql(`SELECT field || '|' || coalesce(old_value, '∅') || '|' || coalesce(new_value, '∅') FROM deal_history
              WHERE entity_id = '${entityId}' AND action = 'update' ORDER BY id`).trim().split('\n').filter(Boolean);

before(async () => {
  stack = await Stack.start();
  [manager, agent, viewer] = await Promise.all([stack.as('manager'), stack.as('agent'), stack.as('viewer')]);
  stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'Europe/Paris')`);
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'g', '--role', 'manager']).stdout.trim();
  otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
  dealId = insertDeal('demo', 'Spring launch', { owner: userId('manager') });
  agentDealId = insertDeal('demo', 'Agent deal', { owner: userId('agent') });
  otherDealId = insertDeal('other', 'Their deal');
});

after(async () => stack && stack.stop());

test('deliverable: add through the form, validation errors kept with the input', async () => {
  const form = await manager.get(`/deals/${dealId}/deliverables/new`);
  assert.equal(form.status, 200);
  assert.match(form.body, /Add a deliverable/);
  let res = await manager.post(`/deals/${dealId}/deliverables`, {
    platform: 'instagram', type: 'reel', quantity: '0', scheduled_at: '',
    posting_window_start: '2030-03-10T10:00', posting_window_end: '2030-03-09T10:00', sla_hours: '', notes: 'x',
  });
  assert.equal(res.status, 400);
  assert.match(res.body, /id="quantity-error"/);
  assert.match(res.body, /value="2030-03-09T10:00"/);
  res = await manager.post(`/deals/${dealId}/deliverables`, {
    platform: 'instagram', type: 'reel', quantity: '2', scheduled_at: '',
    posting_window_start: '2030-03-10T10:00', posting_window_end: '2030-03-09T10:00', sla_hours: '', notes: 'x',
  });
  assert.equal(res.status, 400);
  assert.match(res.body, /id="posting_window_end-error">The posting window cannot end before it starts/);
  for (const [field, value] of [['platform', 'myspace'], ['type', 'blog'], ['sla_hours', '0'], ['scheduled_at', 'tomorrow']]) {
    const r = await manager.post(`/deals/${dealId}/deliverables`, { platform: 'youtube', type: 'video', quantity: '1', [field]: value });
    assert.equal(r.status, 400, field);
    assert.match(r.body, new RegExp(`id="${field}-error"`), field);
  }
  res = await manager.post(`/deals/${dealId}/deliverables`, {
    platform: 'youtube', type: 'video', quantity: '2', scheduled_at: '2030-03-08T09:00',
    posting_window_start: '2030-03-09T10:00', posting_window_end: '2030-03-10T10:00', sla_hours: '24', notes: 'hero video',
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, `/deals/${dealId}`);
  const id = stack.one(`SELECT id FROM deliverables WHERE deal_id = '${dealId}'`);
  assert.ok(id);
  assert.equal(stack.one(`SELECT count(*) FROM deal_history WHERE entity_id = '${id}' AND action = 'create'`), '1');
  assert.ok(history(id).includes('quantity|∅|2'));
});

test('deliverable JSON: create, show with deadline, patch, actions and illegal moves', async () => {
  let res = await stack.api(key, 'POST', `/api/v1/deals/${dealId}/deliverables`, { platform: 'tiktok', type: 'short', quantity: 0 });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.quantity);
  res = await stack.api(key, 'POST', `/api/v1/deals/${dealId}/deliverables`,
    { platform: 'tiktok', type: 'short', quantity: 1, scheduled_at: '2020-01-01T00:00:00Z' });
  assert.equal(res.status, 201, res.body);
  const d = res.json().data;
  assert.equal(d.deadline.state, 'late');
  assert.match(d.deadline.reason, /^late by \d+ days?$/);
  assert.equal(d.approval_status, 'pending_submission');
  // Risk refreshed in the same transaction: a late deliverable makes the deal high.
  assert.equal(stack.one(`SELECT risk_level FROM deals WHERE id = '${dealId}'`), 'high');
  assert.equal((await stack.api(key, 'GET', `/api/v1/deliverables/${d.id}`)).json().data.id, d.id);
  // Stale version → 409; approve before submit → 409.
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 9, quantity: 3 })).status, 409);
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 1, action: 'approve' });
  assert.equal(res.status, 409);
  assert.match(res.json().error.message, /Only a submitted deliverable can be approved/);
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 1, quantity: 3 });
  assert.equal(res.status, 200);
  assert.equal(res.json().data.quantity, 3);
  assert.equal(res.json().data.platform, 'tiktok', 'absent fields keep their value');
  assert.ok(history(d.id).includes('quantity|1|3'));
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 2, action: 'submit' });
  assert.equal(res.json().data.approval_status, 'submitted');
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 3, action: 'reject' });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.reason);
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 3, action: 'reject', reason: 'Wrong logo' });
  assert.equal(res.json().data.approval_status, 'rejected');
  assert.equal(res.json().data.rejection_reason, 'Wrong logo');
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 4, action: 'posted', posted_at: '2020-01-02T00:00:00Z', post_url: 'ftp://x' });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.post_url);
  res = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 4, action: 'posted', posted_at: '2020-01-02T00:00:00Z', post_url: 'https://tiktok.com/@me/1' });
  assert.equal(res.status, 200);
  assert.equal(res.json().data.deadline.state, 'completed');
  assert.equal(stack.one(`SELECT risk_level FROM deals WHERE id = '${dealId}'`), 'low');
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 5, action: 'posted', posted_at: '2020-01-02T00:00:00Z', post_url: 'https://x.y' })).status, 409);
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 5, action: 'dance' })).status, 400);
});

test('deliverable pages: edit (stale → 409 with current values), submit, approve, reject, posted', async () => {
  const res0 = await stack.api(key, 'POST', `/api/v1/deals/${dealId}/deliverables`, { platform: 'instagram', type: 'story', quantity: 1 });
  const id = res0.json().data.id;
  const edit = await manager.get(`/deliverables/${id}/edit`);
  assert.equal(edit.status, 200);
  assert.match(edit.body, /name="version" value="1"/);
  const fields = { platform: 'instagram', type: 'story', quantity: '4', scheduled_at: '', posting_window_start: '', posting_window_end: '', sla_hours: '', notes: '' };
  assert.equal((await manager.post(`/deliverables/${id}`, { ...fields, version: '1' })).status, 303);
  const stale = await manager.post(`/deliverables/${id}`, { ...fields, quantity: '9', version: '1' });
  assert.equal(stale.status, 409);
  assert.match(stale.body, /id="stale-notice"/);
  assert.match(stale.body, /name="quantity" type="number" value="4"/);
  assert.equal((await manager.post(`/deliverables/${id}/approve`, {})).status, 409);
  assert.equal((await manager.get(`/deliverables/${id}/reject`)).status, 409);
  let r = await manager.post(`/deliverables/${id}/submit`, {});
  assert.equal(r.status, 303);
  assert.equal((await manager.get(`/deliverables/${id}/reject`)).status, 200);
  r = await manager.post(`/deliverables/${id}/reject`, { reason: '' });
  assert.equal(r.status, 400);
  assert.match(r.body, /id="reason-error"/);
  r = await manager.post(`/deliverables/${id}/reject`, { reason: 'Too dark' });
  assert.equal(r.status, 303);
  assert.equal((await manager.post(`/deliverables/${id}/submit`, {})).status, 303);
  assert.equal((await manager.post(`/deliverables/${id}/approve`, {})).status, 303);
  assert.equal((await manager.get(`/deliverables/${id}/posted`)).status, 200);
  r = await manager.post(`/deliverables/${id}/posted`, { posted_at: '2030-01-01T10:00', post_url: 'javascript:alert(1)' });
  assert.equal(r.status, 400);
  assert.match(r.body, /id="post_url-error"/);
  r = await manager.post(`/deliverables/${id}/posted`, { posted_at: '2030-01-01T10:00', post_url: 'https://instagram.com/p/1' });
  assert.equal(r.status, 303);
  assert.equal(stack.one(`SELECT approval_status || ' ' || post_url FROM deliverables WHERE id = '${id}'`), 'approved https://instagram.com/p/1');
  assert.ok(history(id).includes('approval_status|submitted|approved'));
});

test('payments: form validation (bad money, unknown currency), FX conversion recorded or reported missing', async () => {
  assert.equal((await manager.get(`/deals/${dealId}/payments/new`)).status, 200);
  const base = { kind: 'deposit', currency: 'USD', expected_at: '2030-04-01', fees: '0', tax_withheld: '0', notes: '' };
  for (const amount of ['12.345', '-5', '1,2', '', '0']) {
    const r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount });
    assert.equal(r.status, 400, amount);
    assert.match(r.body, /id="amount-error"/, amount);
    assert.match(r.body, new RegExp(`name="amount" type="text" value="${amount.replace('.', '\\.')}"`), amount);
  }
  let r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount: '10', currency: 'JPY' });
  assert.equal(r.status, 400);
  assert.match(r.body, /id="currency-error"/);
  r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount: '10', fees: '8', tax_withheld: '3' });
  assert.equal(r.status, 400);
  assert.match(r.body, /id="fees-error"/);
  // No EUR→USD rate yet: saved unconverted, and the flash says so.
  r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount: '1,000.50', currency: 'EUR' });
  assert.equal(r.status, 303);
  const page = await manager.get('/deals/fx-rates');
  assert.match(page.body, /No exchange rate for EUR→USD on or before 2030-04-01/);
  const unconverted = stack.one(`SELECT id FROM payments WHERE deal_id = '${dealId}' AND currency = 'EUR'`);
  assert.equal(stack.one(`SELECT coalesce(fx_rate::text, 'none') FROM payments WHERE id = '${unconverted}'`), 'none');
  assert.match((await manager.get(`/payments/${unconverted}/edit`)).body,
    /id="fx-missing">No exchange rate for EUR→USD on or before 2030-04-01/);
  // Rates: the form, its validation, and then a conversion with the rate on or before the date.
  assert.equal((await viewer.get('/deals/fx-rates')).status, 403);
  r = await manager.post('/deals/fx-rates', { base: 'EUR', quote: 'EUR', rate: '1.1', as_of: '2030-03-01' });
  assert.equal(r.status, 400);
  r = await manager.post('/deals/fx-rates', { base: 'EUR', quote: 'USD', rate: '-1', as_of: '2030-03-01' });
  assert.equal(r.status, 400);
  assert.equal((await manager.post('/deals/fx-rates', { base: 'EUR', quote: 'USD', rate: '1.1', as_of: '2030-03-01' })).status, 303);
  assert.equal((await stack.api(key, 'POST', '/api/v1/fx-rates', { base: 'EUR', quote: 'USD', rate: '1.2', as_of: '2030-05-01' })).status, 201);
  r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount: '1,000.50', currency: 'EUR' });
  assert.equal(r.status, 303);
  const row = stack.one(`SELECT fx_rate::text || ' ' || fx_rate_date || ' ' || org_currency || ' ' || amount_org_minor
                     FROM payments WHERE deal_id = '${dealId}' AND currency = 'EUR' AND fx_rate IS NOT NULL`);
  assert.equal(row, '1.10000000 2030-03-01 USD 110055'); // 1000.50 × 1.1 = 1100.55
});

test('payments JSON and actions: invoice sent, partial, paid, dispute, resolve; illegal → 409; history; risk', async () => {
  let res = await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'final', amount: '12.345', currency: 'USD' });
  assert.equal(res.status, 400);
  assert.ok(res.json().error.fields.amount);
  res = await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'final', amount: { amount_minor: 1.5, currency: 'USD' } });
  assert.equal(res.status, 400, 'money objects need whole minor units');
  res = await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'final', amount: { amount_minor: 200000, currency: 'USD' }, expected_at: '2020-01-31' });
  assert.equal(res.status, 201, res.body);
  const p = res.json().data;
  assert.deepEqual(p.amount, { amount_minor: 200000, currency: 'USD' });
  assert.equal(p.status, 'overdue');
  assert.equal(stack.one(`SELECT risk_level FROM deals WHERE id = '${dealId}'`), 'high');
  assert.match(stack.one(`SELECT array_to_string(risk_reasons, ';') FROM deals WHERE id = '${dealId}'`), /overdue/);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 1, action: 'resolve' });
  assert.equal(res.status, 409);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 1, action: 'invoice_sent' });
  assert.equal(res.status, 200);
  assert.ok(res.json().data.invoice_sent_at);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 2, action: 'invoice_sent' });
  assert.equal(res.status, 409);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 2, action: 'paid', paid_at: '2020-02-05T12:00:00Z', amount_paid: '500' });
  assert.equal(res.json().data.status, 'partial');
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 3, action: 'dispute' });
  assert.equal(res.status, 400);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 3, action: 'dispute', reason: 'Short paid' });
  assert.equal(res.json().data.disputed, true);
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 4, action: 'dispute', reason: 'again' })).status, 409);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 4, action: 'resolve' });
  assert.equal(res.json().data.disputed, false);
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 5, action: 'paid', paid_at: '2020-02-10T12:00:00Z', amount_paid: '2000' });
  assert.equal(res.json().data.status, 'paid');
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 6, action: 'paid', paid_at: '2020-02-10T12:00:00Z', amount_paid: '1' })).status, 409);
  const h = history(p.id);
  assert.ok(h.some((l) => l.startsWith('invoice_sent_at|∅|')), h.join('\n'));
  assert.ok(h.includes('status|overdue|partial'), 'overdue outranks sent; partial outranks overdue');
  assert.ok(h.includes('paid_minor|50000|200000'));
  res = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 6, notes: 'thanks' });
  assert.equal(res.json().data.notes, 'thanks');
  assert.equal(res.json().data.amount.amount_minor, 200000, 'a partial PATCH keeps the amount');
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 6, notes: 'stale' })).status, 409);
});

test('payment pages: edit, stale edit, paid and dispute forms, resolve', async () => {
  const p = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'installment', amount: '300', currency: 'USD', expected_at: '2031-01-01' })).json().data;
  const edit = await manager.get(`/payments/${p.id}/edit`);
  assert.equal(edit.status, 200);
  assert.match(edit.body, /value="300.00"/);
  const fields = { kind: 'installment', amount: '350', currency: 'USD', expected_at: '2031-01-01', fees: '0', tax_withheld: '0', notes: '' };
  assert.equal((await manager.post(`/payments/${p.id}`, { ...fields, version: '1' })).status, 303);
  const stale = await manager.post(`/payments/${p.id}`, { ...fields, amount: '999', version: '1' });
  assert.equal(stale.status, 409);
  assert.match(stale.body, /value="350.00"/);
  assert.equal((await manager.post(`/payments/${p.id}/invoice-sent`, {})).status, 303);
  assert.equal((await manager.get(`/payments/${p.id}/paid`)).status, 200);
  let r = await manager.post(`/payments/${p.id}/paid`, { paid_at: 'soon', amount_paid: '1.2.3' });
  assert.equal(r.status, 400);
  assert.match(r.body, /id="paid_at-error"/);
  assert.match(r.body, /id="amount_paid-error"/);
  assert.equal((await manager.post(`/payments/${p.id}/paid`, { paid_at: '2031-01-02T09:00', amount_paid: '350' })).status, 303);
  assert.equal(stack.one(`SELECT status FROM payments WHERE id = '${p.id}'`), 'paid');
  assert.equal((await manager.get(`/payments/${p.id}/dispute`)).status, 200);
  assert.equal((await manager.post(`/payments/${p.id}/dispute`, { reason: '' })).status, 400);
  assert.equal((await manager.post(`/payments/${p.id}/dispute`, { reason: 'Chargeback' })).status, 303);
  assert.equal((await manager.post(`/payments/${p.id}/resolve`, {})).status, 303);
  assert.equal((await manager.post(`/payments/${p.id}/resolve`, {})).status, 409);
});

test('roles, ownership and tenancy', async () => {
  const mine = { platform: 'youtube', type: 'video', quantity: '1' };
  assert.equal((await viewer.get(`/deals/${dealId}/deliverables/new`)).status, 403);
  assert.equal((await viewer.post(`/deals/${dealId}/deliverables`, mine)).status, 403);
  assert.equal((await agent.post(`/deals/${dealId}/deliverables`, mine)).status, 403, "someone else's deal");
  assert.equal((await agent.post(`/deals/${agentDealId}/deliverables`, mine)).status, 303, 'own deal');
  assert.equal((await agent.post(`/deals/${agentDealId}/payments`, { kind: 'deposit', amount: '5', currency: 'USD' })).status, 303);
  const pay = stack.one(`SELECT id FROM payments WHERE deal_id = '${dealId}' LIMIT 1`);
  assert.equal((await agent.get(`/payments/${pay}/edit`)).status, 403);
  // Another org's ids are simply not there.
  assert.equal((await stack.api(key, 'POST', `/api/v1/deals/${otherDealId}/deliverables`, { platform: 'youtube', type: 'video' })).status, 404);
  assert.equal((await stack.api(otherKey, 'GET', `/api/v1/payments/${pay}`)).status, 404);
  const del = stack.one(`SELECT id FROM deliverables WHERE deal_id = '${dealId}' LIMIT 1`);
  assert.equal((await stack.api(otherKey, 'GET', `/api/v1/deliverables/${del}`)).status, 404);
  assert.equal((await stack.api(otherKey, 'PATCH', `/api/v1/deliverables/${del}`, { version: 1 })).status, 404);
  assert.equal((await manager.get('/deliverables/not-a-uuid/edit')).status, 404);
  // A viewer's key reads but cannot write.
  const viewerKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'v', '--role', 'viewer']).stdout.trim();
  assert.equal((await stack.api(viewerKey, 'GET', `/api/v1/payments/${pay}`)).status, 200);
  assert.equal((await stack.api(viewerKey, 'PATCH', `/api/v1/payments/${pay}`, { version: 1, notes: 'x' })).status, 403);
  assert.equal((await stack.api(viewerKey, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'final', amount: '1' })).status, 403);
  assert.equal((await stack.api(viewerKey, 'POST', '/api/v1/fx-rates', { base: 'EUR', quote: 'USD', rate: '1', as_of: '2030-01-01' })).status, 403);
  assert.equal((await stack.api(key, 'GET', `/api/v1/deals/${dealId}/deliverables`)).json().data.length >= 2, true);
});

test('the deal page offers each row the moves its state allows, and they work from there', async () => {
  const id = insertDeal('demo', 'Row actions', { owner: userId('manager') });
  const org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  const dv = stack.one(`INSERT INTO deliverables (org_id, deal_id, platform, type, quantity)
                  VALUES ('${org}', '${id}', 'youtube', 'video', 1) RETURNING id`);
  const py = stack.one(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
                  VALUES ('${org}', '${id}', 'deposit', 100000, 'USD', current_date + 10) RETURNING id`);
  let page = await manager.get(`/deals/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.body, new RegExp(`action="/deliverables/${dv}/submit"`));
  assert.doesNotMatch(page.body, new RegExp(`action="/deliverables/${dv}/approve"`), 'nothing to approve yet');
  assert.match(page.body, new RegExp(`href="/payments/${py}/paid"`));
  assert.match(page.body, new RegExp(`action="/payments/${py}/invoice-sent"`));
  assert.match(page.body, new RegExp(`href="/payments/${py}/dispute"`));
  const submitted = await manager.post(`/deliverables/${dv}/submit`, {});
  assert.equal(submitted.status, 303);
  page = await manager.get(`/deals/${id}`);
  assert.match(page.body, new RegExp(`action="/deliverables/${dv}/approve"`));
  assert.match(page.body, new RegExp(`href="/deliverables/${dv}/reject"`));
  assert.doesNotMatch(page.body, new RegExp(`action="/deliverables/${dv}/submit"`));
  const viewerPage = await viewer.get(`/deals/${id}`);
  assert.doesNotMatch(viewerPage.body, /class="row-actions"/, 'viewers get no actions');
});
