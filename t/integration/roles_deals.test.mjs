// roles_deals.test.mjs — the roles of SPEC §1 on deals, pages and JSON alike:
// creating a deal needs a manager or an admin (agents edit only the deals assigned to
// them); deleting and restoring a deal needs an admin; every such refusal is a 403
// with a security.forbidden audit row, and the page offers only what the role may
// do. A soft-deleted deal is readable by managers and admins only: to viewers and
// agents it answers 404 exactly like an id that does not exist, and nothing about
// it (its children included) is shown or audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack;
const clients = {};
const keys = {};
const ids = {};
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

const userId = (email) => stack.one(`SELECT id FROM users WHERE email = '${email}'`);
const lastAuditId = () => Number(stack.one('SELECT coalesce(max(id), 0) FROM audit_log'));
const forbiddenSince = (since) =>
  stack.sql(`SELECT actor || '|' || (detail->>'reason') || '|' || (detail->>'route') FROM audit_log
    WHERE id > ${since} AND action = 'security.forbidden' ORDER BY id`).split('\n').filter(Boolean);
const dealCount = (title) => Number(stack.one(`SELECT count(*) FROM deals WHERE title = '${title}'`));
const isDeleted = (id) => stack.one(`SELECT deleted_at IS NOT NULL FROM deals WHERE id = '${id}'`) === 't';

/** A deal inserted directly (owner role, no RLS), owned by email, deleted or not. */
function insertDeal(title, email, deleted = false) {
  return stack.one(`INSERT INTO deals (org_id, owner_id, brand_id, title, currency, value_minor, deleted_at)
    SELECT o.id, u.id, '${ids.brand}', '${title}', 'USD', 1000, ${deleted ? 'now()' : 'NULL'}
    FROM orgs o JOIN users u ON u.org_id = o.id AND u.email = '${email}' WHERE o.slug = 'demo' RETURNING id`);
}

/** A JSON request of a signed-in client (the CSRF header on writes). */
const json = (c, method, urlPath, body) => c.request(method, urlPath, {
  headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': c.csrf }),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** A request with an API key of role. */
const withKey = (role, method, urlPath, body) => stack.request(method, urlPath, {
  headers: { authorization: `Bearer ${keys[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const dealForm = (over = {}) => ({
  title: 'Form deal', brand_id: ids.brand, owner_id: ids.agentUser, stage: 'inbound', contract_status: 'none',
  deal_type: 'fixed', value: '10', currency: 'USD', revisions_used: '0', ...over,
});
const dealJson = (over = {}) => ({ title: 'JSON deal', brand_id: ids.brand, owner_id: ids.agentUser,
  value: { amount_minor: 1000, currency: 'USD' }, ...over });

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  for (const role of ['viewer', 'agent', 'manager', 'admin'])
    keys[role] = stack.cli(['apikey', 'create', '--org', 'demo', '--name', `roles-deals-${role}`, '--role', role]).stdout.trim();
  ids.agentUser = userId('agent@demo.test');
  ids.brand = stack.one(`INSERT INTO brands (org_id, name) SELECT id, 'Roles Brand' FROM orgs WHERE slug = 'demo' RETURNING id`);
});

after(async () => {
  if (stack) await stack.stop();
});

// ---- 1. creating deals: managers and admins ----

test('an agent may not create a deal: the form, the form post and the JSON create are 403, audited', async () => {
  const { agent } = clients;
  const since = lastAuditId();
  const form = await agent.get('/deals/new');
  assert.equal(form.status, 403);
  assert.doesNotMatch(form.body, /id="deal-form"/);
  assert.equal((await agent.post('/deals', dealForm({ title: 'Agent form deal' }))).status, 403);
  const api = await json(agent, 'POST', '/api/v1/deals', dealJson({ title: 'Agent JSON deal' }));
  assert.equal(api.status, 403);
  assert.equal(api.json().error.code, 'forbidden');
  assert.equal((await withKey('agent', 'POST', '/api/v1/deals', dealJson({ title: 'Agent key deal' }))).status, 403);
  assert.deepEqual(forbiddenSince(since), [
    'agent@demo.test|role|deals_new',
    'agent@demo.test|role|deals_create',
    'agent@demo.test|role|api_deals_create',
    'roles-deals-agent|role|api_deals_create',
  ]);
  for (const t of ['Agent form deal', 'Agent JSON deal', 'Agent key deal']) assert.equal(dealCount(t), 0, t);
});

test('managers and admins create deals (page and JSON), for an agent to work on', async () => {
  for (const role of ['manager', 'admin']) {
    const c = clients[role];
    assert.equal((await c.get('/deals/new')).status, 200, role);
    const page = await c.post('/deals', dealForm({ title: `Made by ${role}` }));
    assert.equal(page.status, 303, `${role}: ${page.body.slice(0, 300)}`);
    assert.equal(stack.one(`SELECT owner_id FROM deals WHERE title = 'Made by ${role}'`), ids.agentUser);
    const api = await json(c, 'POST', '/api/v1/deals', dealJson({ title: `Made by ${role} (JSON)` }));
    assert.equal(api.status, 201, `${role}: ${api.body.slice(0, 300)}`);
    assert.equal(api.json().data.owner_id, ids.agentUser);
    const key = await withKey(role, 'POST', '/api/v1/deals', dealJson({ title: `Made by a ${role} key` }));
    assert.equal(key.status, 201, `${role} key: ${key.body.slice(0, 300)}`);
  }
  ids.assigned = stack.one(`SELECT id FROM deals WHERE title = 'Made by manager'`);
});

test('the agent still edits the deals assigned to them, and only those', async () => {
  const { agent } = clients;
  const edit = await agent.get(`/deals/${ids.assigned}/edit`);
  assert.equal(edit.status, 200);
  const version = /name="version" value="(\d+)"/.exec(edit.body)[1];
  const saved = await agent.post(`/deals/${ids.assigned}`, dealForm({ title: 'Made by manager, edited by agent', version }));
  assert.equal(saved.status, 303, saved.body.slice(0, 300));
  const managerDeal = insertDeal('Not the agents', 'manager@demo.test');
  const since = lastAuditId();
  assert.equal((await agent.get(`/deals/${managerDeal}/edit`)).status, 403);
  assert.deepEqual(forbiddenSince(since), ['agent@demo.test|owner|deals_edit']);
});

test('the "New deal" button is shown to managers and admins only', async () => {
  for (const [role, shown] of [['viewer', false], ['agent', false], ['manager', true], ['admin', true]]) {
    const body = (await clients[role].get('/deals')).body;
    if (shown) assert.match(body, /id="new-deal"/, role);
    else assert.doesNotMatch(body, /id="new-deal"|href="\/deals\/new"/, role);
  }
});

// ---- 2. deleting and restoring deals: admins ----

test('an agent (even the owner) and a manager may not delete or restore: 403 on every route, audited, nothing changed', async () => {
  const live = insertDeal('Keep me alive', 'agent@demo.test');
  const gone = insertDeal('Keep me deleted', 'agent@demo.test', true);
  for (const role of ['agent', 'manager']) {
    const c = clients[role];
    const since = lastAuditId();
    assert.equal((await c.get(`/deals/${live}/delete`)).status, 403, role);
    assert.equal((await c.post(`/deals/${live}/delete`)).status, 403, role);
    assert.equal((await json(c, 'DELETE', `/api/v1/deals/${live}`)).status, 403, role);
    assert.equal((await c.post(`/deals/${gone}/restore`)).status, 403, role);
    assert.equal((await json(c, 'POST', `/api/v1/deals/${gone}/restore`)).status, 403, role);
    assert.deepEqual(forbiddenSince(since), ['deals_delete_confirm', 'deals_delete', 'api_deals_delete', 'deals_restore',
      'api_deals_restore'].map((route) => `${role}@demo.test|role|${route}`));
  }
  for (const role of ['agent', 'manager']) {
    const since = lastAuditId();
    assert.equal((await withKey(role, 'DELETE', `/api/v1/deals/${live}`)).status, 403, `${role} key`);
    assert.equal((await withKey(role, 'POST', `/api/v1/deals/${gone}/restore`)).status, 403, `${role} key`);
    assert.deepEqual(forbiddenSince(since), [`roles-deals-${role}|role|api_deals_delete`, `roles-deals-${role}|role|api_deals_restore`]);
  }
  assert.equal(isDeleted(live), false);
  assert.equal(isDeleted(gone), true);
});

test('an admin deletes and restores, page and JSON (session and key)', async () => {
  const { admin } = clients;
  const id = insertDeal('Admin round trip', 'agent@demo.test');
  assert.match((await admin.get(`/deals/${id}/delete`)).body, /Delete this deal\?/);
  assert.equal((await admin.post(`/deals/${id}/delete`)).status, 303);
  assert.equal(isDeleted(id), true);
  assert.equal((await admin.post(`/deals/${id}/restore`)).status, 303);
  assert.equal(isDeleted(id), false);
  assert.equal((await json(admin, 'DELETE', `/api/v1/deals/${id}`)).status, 200);
  const restored = await json(admin, 'POST', `/api/v1/deals/${id}/restore`);
  assert.equal(restored.status, 200);
  assert.equal(restored.json().data.deleted, false);
  assert.equal((await withKey('admin', 'DELETE', `/api/v1/deals/${id}`)).status, 200);
  assert.equal((await withKey('admin', 'POST', `/api/v1/deals/${id}/restore`)).status, 200);
  assert.deepEqual(stack.sql(`SELECT action FROM deal_history WHERE entity_id = '${id}' ORDER BY id`).split('\n'),
    ['delete', 'restore', 'delete', 'restore', 'delete', 'restore']);
});

test('the delete and restore buttons are shown to admins only', async () => {
  const live = insertDeal('Buttons live', 'agent@demo.test');
  const gone = insertDeal('Buttons deleted', 'agent@demo.test', true);
  const agentPage = (await clients.agent.get(`/deals/${live}`)).body;
  assert.match(agentPage, /id="edit-deal"/, 'the owner agent edits');
  assert.doesNotMatch(agentPage, /id="delete-deal"|\/delete"/, 'but does not delete');
  const managerPage = (await clients.manager.get(`/deals/${live}`)).body;
  assert.match(managerPage, /id="edit-deal"/);
  assert.doesNotMatch(managerPage, /id="delete-deal"|\/delete"/);
  assert.match((await clients.admin.get(`/deals/${live}`)).body, /id="delete-deal"/);
  const managerGone = (await clients.manager.get(`/deals/${gone}`)).body;
  assert.match(managerGone, /id="deleted-banner"/);
  assert.doesNotMatch(managerGone, /id="restore-deal"|\/restore"/);
  assert.doesNotMatch(managerGone, /id="purge-deal"/);
  const adminGone = (await clients.admin.get(`/deals/${gone}`)).body;
  assert.match(adminGone, /id="restore-deal"/);
  assert.match(adminGone, /id="purge-deal"/);
});

// ---- 3. a deleted deal is read by managers and admins only ----

test('a deleted deal is 404 to viewers and agents (its owner too), like an unknown id, pages and JSON, unaudited', async () => {
  const id = insertDeal('Secret deleted deal', 'agent@demo.test', true);
  const org = stack.one(`SELECT org_id FROM deals WHERE id = '${id}'`);
  const deliverable = stack.one(`INSERT INTO deliverables (org_id, deal_id, platform, type) VALUES ('${org}', '${id}', 'instagram', 'reel') RETURNING id`);
  const payment = stack.one(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency) VALUES ('${org}', '${id}', 'deposit', 500, 'USD') RETURNING id`);
  const reads = (deal, d, p) => [`/deals/${deal}`, `/api/v1/deals/${deal}`, `/api/v1/deals/${deal}/deliverables`,
    `/api/v1/deliverables/${d}`, `/api/v1/payments/${p}`];
  const unknown = reads(NO_SUCH_ID, NO_SUCH_ID, NO_SUCH_ID);
  const since = lastAuditId();
  for (const role of ['viewer', 'agent']) {
    for (const [i, url] of reads(id, deliverable, payment).entries()) {
      const res = await clients[role].get(url);
      assert.equal(res.status, 404, `${role} ${url}`);
      assert.doesNotMatch(res.body, /Secret deleted deal/, `${role} ${url}`);
      const missing = await clients[role].get(unknown[i]);
      assert.equal(missing.status, 404);
      if (url.startsWith('/api/')) assert.deepEqual(res.json().error, missing.json().error, `${role} ${url}: as if absent`);
      else assert.equal(res.body.replaceAll(res.headers['x-request-id'], ''), missing.body.replaceAll(missing.headers['x-request-id'], ''),
        `${role} ${url}: as if absent`);
    }
    for (const url of reads(id, deliverable, payment).filter((u) => u.startsWith('/api/')))
      assert.equal((await withKey(role, 'GET', url)).status, 404, `${role} key ${url}`);
  }
  assert.deepEqual(forbiddenSince(since), [], 'a 404 is not a refusal');
  ids.deletedRead = { id, deliverable, payment };
});

test('managers and admins read a deleted deal with its deleted state (pages, JSON, keys)', async () => {
  const { id, deliverable, payment } = ids.deletedRead;
  for (const role of ['manager', 'admin']) {
    const c = clients[role];
    const page = await c.get(`/deals/${id}`);
    assert.equal(page.status, 200, role);
    assert.match(page.body, /Secret deleted deal/);
    assert.match(page.body, /id="deleted-banner"/);
    const deal = await c.get(`/api/v1/deals/${id}`);
    assert.equal(deal.status, 200, role);
    assert.equal(deal.json().data.deleted, true);
    assert.equal(deal.json().data.deliverables.length, 1);
    assert.equal((await withKey(role, 'GET', `/api/v1/deals/${id}`)).json().data.deleted, true, `${role} key`);
    const list = await c.get(`/api/v1/deals/${id}/deliverables`);
    assert.equal(list.status, 200, role);
    assert.deepEqual(list.json().data.map((d) => d.id), [deliverable]);
    assert.equal((await c.get(`/api/v1/deliverables/${deliverable}`)).status, 200, role);
    assert.equal((await c.get(`/api/v1/payments/${payment}`)).status, 200, role);
  }
});
