// stale_edits.test.mjs — a write based on an old version of a brand, deliverable or
// payment is refused exactly like a stale deal edit (docs/ARCHITECTURE.md "Errors"):
// JSON 409 with error.fields.version and error.fields.current (the stored row, as GET
// answers it), the form re-rendered (409) with the stored values, their version and a
// notice, an action form answered with the deal page as it is now; nothing is
// overwritten, no history row is written; another org's ids stay 404 whatever the
// version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack, manager, key, otherKey, dealId;

const historyCount = (id) => Number(stack.one(`SELECT count(*) FROM deal_history WHERE entity_id = '${id}'`));

/** The 409 of every stale write has one shape: the deal's. */
function assertStaleShape(res, entity) {
  assert.equal(res.status, 409, res.body);
  const body = res.json();
  assert.equal(body.error.code, 'conflict');
  assert.equal(body.error.message, `The ${entity} was changed by someone else.`);
  assert.deepEqual(Object.keys(body.error.fields).sort(), ['current', 'version']);
  assert.match(body.error.fields.version, new RegExp(`^The ${entity} changed since you read it`));
  assert.ok(body.request_id);
  return body.error.fields.current;
}

/** The stale form: 409, the notice, the stored version in the hidden field. */
function assertStaleForm(res, entity, version) {
  assert.equal(res.status, 409, res.body.slice(0, 500));
  assert.match(res.body, new RegExp(`id="stale-notice">This ${entity} was changed by someone else since you opened it\\. `
    + 'The form now shows the current values; make your change again\\.'));
  assert.match(res.body, new RegExp(`name="version" value="${version}"`));
}

before(async () => {
  stack = await Stack.start();
  manager = await stack.as('manager');
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'stale', '--role', 'manager']).stdout.trim();
  stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'UTC')`);
  otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
  const org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Stale deal brand') RETURNING id`);
  dealId = stack.one(`INSERT INTO deals (org_id, title, brand_id, owner_id, stage, currency, value_minor, contract_status)
                VALUES ('${org}', 'Stale deal', '${brand}', (SELECT id FROM users WHERE email = 'manager@demo.test'),
                        'in_progress', 'USD', 500000, 'signed') RETURNING id`);
});

after(async () => stack && stack.stop());

test('the deal itself: the shape every other stale edit follows', async () => {
  const d = (await stack.api(key, 'GET', `/api/v1/deals/${dealId}`)).json().data;
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/deals/${dealId}`, { version: d.version, title: 'Stale deal v2' })).status, 200);
  const current = assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/deals/${dealId}`, { version: d.version, title: 'Lost' }), 'deal');
  assert.equal(current.title, 'Stale deal v2');
});

test('brand: stale PATCH → 409 with the current brand, nothing overwritten', async () => {
  const b = (await stack.api(key, 'POST', '/api/v1/brands', { name: 'Stale Brand', aliases: ['SB'], notes: 'first' })).json().data;
  const saved = await stack.api(key, 'PATCH', `/api/v1/brands/${b.id}`, { version: 1, notes: 'second' });
  assert.equal(saved.status, 200);
  const h = historyCount(b.id);
  const current = assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/brands/${b.id}`, { version: 1, notes: 'lost', name: 'Lost' }), 'brand');
  assert.deepEqual(current, saved.json().data, 'current is the brand as PATCH answers it');
  assert.equal(current.version, 2);
  assert.equal(current.notes, 'second');
  // Stale wins over invalid fields, as for deals: the edit was made over old values.
  assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/brands/${b.id}`, { version: 1, name: '' }), 'brand');
  assert.equal(stack.one(`SELECT name || '|' || notes || '|' || version FROM brands WHERE id = '${b.id}'`), 'Stale Brand|second|2');
  assert.equal(historyCount(b.id), h, 'no history row for a refused write');
  // The current version goes through.
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/brands/${b.id}`, { version: 2, notes: 'third' })).status, 200);
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/brands/${b.id}`, { notes: 'no version' })).status, 400);
});

test('brand: the stale form shows the current values, their version and the notice', async () => {
  const b = (await stack.api(key, 'POST', '/api/v1/brands', { name: 'Form Brand', notes: 'one' })).json().data;
  const edit = await manager.get(`/brands/${b.id}/edit`);
  assert.match(edit.body, /name="version" value="1"/);
  const form = { name: 'Form Brand', aliases: 'FB', contacts: 'Pat, pat@example.com', notes: 'two', version: '1' };
  assert.equal((await manager.post(`/brands/${b.id}`, form)).status, 303);
  const stale = await manager.post(`/brands/${b.id}`, { ...form, name: 'Overwritten', notes: 'lost' });
  assertStaleForm(stale, 'brand', 2);
  assert.match(stale.body, /name="name" type="text" maxlength="200" required value="Form Brand"/);
  assert.match(stale.body, />two<\/textarea>/);
  assert.doesNotMatch(stale.body, /Overwritten|>lost</);
  assert.equal(stack.one(`SELECT name || '|' || notes FROM brands WHERE id = '${b.id}'`), 'Form Brand|two');
  // Sending the form again from there saves.
  assert.equal((await manager.post(`/brands/${b.id}`, { ...form, notes: 'three', version: '2' })).status, 303);
  assert.equal(stack.one(`SELECT notes FROM brands WHERE id = '${b.id}'`), 'three');
});

test('deliverable: stale PATCH (fields or an action) → 409 with the current deliverable', async () => {
  const d = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/deliverables`, { platform: 'youtube', type: 'video', quantity: 1 })).json().data;
  const saved = await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 1, quantity: 2 });
  assert.equal(saved.status, 200);
  const h = historyCount(d.id);
  let current = assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 1, quantity: 9 }), 'deliverable');
  assert.deepEqual(current, saved.json().data, 'current is the deliverable as PATCH answers it');
  current = assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 1, action: 'submit' }), 'deliverable');
  assert.equal(current.approval_status, 'pending_submission');
  assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/deliverables/${d.id}`, { version: 1, quantity: 0 }), 'deliverable');
  assert.equal(stack.one(`SELECT quantity || '|' || approval_status || '|' || version FROM deliverables WHERE id = '${d.id}'`),
    '2|pending_submission|2');
  assert.equal(historyCount(d.id), h);
});

test('deliverable: the stale form and a stale action form', async () => {
  const d = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/deliverables`, { platform: 'instagram', type: 'reel', quantity: 1, notes: 'a' })).json().data;
  const fields = { platform: 'instagram', type: 'reel', quantity: '3', scheduled_at: '', posting_window_start: '',
    posting_window_end: '', sla_hours: '', notes: 'b', version: '1' };
  assert.equal((await manager.post(`/deliverables/${d.id}`, fields)).status, 303);
  const stale = await manager.post(`/deliverables/${d.id}`, { ...fields, quantity: '7', notes: 'lost', platform: 'tiktok' });
  assertStaleForm(stale, 'deliverable', 2);
  assert.match(stale.body, /name="quantity" type="number" value="3"/);
  assert.match(stale.body, /<option value="instagram" selected>/);
  assert.doesNotMatch(stale.body, /value="7"/);
  assert.equal(stack.one(`SELECT quantity || '|' || notes FROM deliverables WHERE id = '${d.id}'`), '3|b');
  // An action form read at version 2, sent after someone else moved it on.
  assert.equal((await manager.post(`/deliverables/${d.id}/submit`, {})).status, 303);
  const reject = await manager.post(`/deliverables/${d.id}/reject`, { reason: 'Too dark', version: '2' });
  assert.equal(reject.status, 409);
  assert.match(reject.body, /id="deal-notice">This deliverable was changed by someone else; this page shows it as it is now\./);
  assert.equal(stack.one(`SELECT approval_status FROM deliverables WHERE id = '${d.id}'`), 'submitted');
  assert.equal((await manager.post(`/deliverables/${d.id}/reject`, { reason: 'Too dark', version: '3' })).status, 303);
});

test('payment: stale PATCH (fields or an action) → 409 with the current payment', async () => {
  const p = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'deposit', amount: '100', currency: 'USD', expected_at: '2031-01-01' })).json().data;
  const saved = await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 1, notes: 'kept' });
  assert.equal(saved.status, 200);
  const h = historyCount(p.id);
  let current = assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 1, amount: '999' }), 'payment');
  assert.deepEqual(current, saved.json().data, 'current is the payment as PATCH answers it');
  current = assertStaleShape(await stack.api(key, 'PATCH', `/api/v1/payments/${p.id}`, { version: 1, action: 'invoice_sent' }), 'payment');
  assert.equal(current.invoice_sent_at, null);
  assert.equal(stack.one(`SELECT amount_minor || '|' || notes || '|' || (invoice_sent_at IS NULL) || '|' || version FROM payments WHERE id = '${p.id}'`),
    '10000|kept|true|2');
  assert.equal(historyCount(p.id), h);
});

test('payment: the stale form and a stale action form', async () => {
  const p = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'installment', amount: '300', currency: 'USD', expected_at: '2031-02-01' })).json().data;
  const fields = { kind: 'installment', amount: '350', currency: 'USD', expected_at: '2031-02-01', fees: '0', tax_withheld: '0', notes: 'n1', version: '1' };
  assert.equal((await manager.post(`/payments/${p.id}`, fields)).status, 303);
  const stale = await manager.post(`/payments/${p.id}`, { ...fields, amount: '999', notes: 'lost' });
  assertStaleForm(stale, 'payment', 2);
  assert.match(stale.body, /value="350.00"/);
  assert.doesNotMatch(stale.body, /value="999"/);
  assert.equal(stack.one(`SELECT amount_minor || '|' || notes FROM payments WHERE id = '${p.id}'`), '35000|n1');
  assert.equal((await manager.post(`/payments/${p.id}/invoice-sent`, {})).status, 303);
  const paid = await manager.post(`/payments/${p.id}/paid`, { paid_at: '2031-02-02T10:00', amount_paid: '350', version: '2' });
  assert.equal(paid.status, 409);
  assert.match(paid.body, /id="deal-notice">This payment was changed by someone else; this page shows it as it is now\./);
  assert.equal(stack.one(`SELECT paid_minor FROM payments WHERE id = '${p.id}'`), '0');
});

test("another org's ids are 404 whatever the version: no current values leak", async () => {
  const b = (await stack.api(key, 'POST', '/api/v1/brands', { name: 'Private Brand' })).json().data;
  const d = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/deliverables`, { platform: 'other', type: 'other' })).json().data;
  const p = (await stack.api(key, 'POST', `/api/v1/deals/${dealId}/payments`, { kind: 'final', amount: '5', currency: 'USD' })).json().data;
  for (const [path, body] of [[`/api/v1/brands/${b.id}`, { name: 'Mine now' }], [`/api/v1/deliverables/${d.id}`, { quantity: 5 }],
    [`/api/v1/payments/${p.id}`, { notes: 'mine' }]]) {
    for (const version of [1, 99]) {
      const res = await stack.api(otherKey, 'PATCH', path, { ...body, version });
      assert.equal(res.status, 404, `${path} v${version}: ${res.body}`);
      assert.doesNotMatch(res.body, /current|Private Brand/);
    }
  }
  assert.equal(stack.one(`SELECT name || '|' || version FROM brands WHERE id = '${b.id}'`), 'Private Brand|1');
});

test('the API document says so for every versioned PATCH', async () => {
  const doc = (await stack.request('GET', '/api/v1/openapi.json')).json();
  for (const [p, schema] of [['/api/v1/deals/{id}', 'Deal'], ['/api/v1/brands/{id}', 'Brand'],
    ['/api/v1/deliverables/{id}', 'Deliverable'], ['/api/v1/payments/{id}', 'Payment']]) {
    const conflict = doc.paths[p].patch.responses['409'];
    assert.match(conflict.description, new RegExp(`error\\.fields\\.current is the stored \\w+ \\(schema ${schema}\\)`), p);
    assert.equal(conflict.content['application/json'].schema.$ref, '#/components/schemas/Error', p);
  }
  const current = doc.components.schemas.Error.properties.error.properties.fields.properties.current;
  assert.deepEqual(current.oneOf.map((s) => s.$ref.split('/').pop()), ['Deal', 'Brand', 'Deliverable', 'Payment']);
});
