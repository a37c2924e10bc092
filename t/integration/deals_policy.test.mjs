// deals_policy.test.mjs — who may do what to a deal, decided in one place and audited:
// an agent's refused edit of a deal they do not own writes a security.forbidden row
// (reason "owner"), like every refusal of the pipeline (reason "role" for a restore,
// which is for admins); the deleted list is its own manager-only address, and
// deleted=true on the live list points there; API keys write deals only with a
// manager or admin key (the route's minimum role, or ROUTE_KEY_MANAGER).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';

let stack, manager, agent;
const ids = {};

const lastAuditId = () => Number(stack.one('SELECT coalesce(max(id), 0) FROM audit_log'));
const forbiddenSince = (since) =>
  stack.sql(`SELECT actor || '|' || (detail->>'reason') || '|' || (detail->>'route') FROM audit_log
    WHERE id > ${since} AND action = 'security.forbidden' ORDER BY id`).split('\n').filter(Boolean);

before(async () => {
  stack = await Stack.start();
  [manager, agent] = await Promise.all(['manager', 'agent'].map((r) => stack.as(r)));
  ids.brand = stack.one(`INSERT INTO brands (org_id, name) SELECT id, 'Policy Brand' FROM orgs WHERE slug = 'demo' RETURNING id`);
  const deal = (title, deleted) => stack.one(`INSERT INTO deals (org_id, owner_id, brand_id, title, currency, deleted_at)
    SELECT o.id, u.id, '${ids.brand}', '${title}', 'USD', ${deleted ? 'now()' : 'NULL'}
    FROM orgs o JOIN users u ON u.org_id = o.id AND u.email = 'manager@demo.test' WHERE o.slug = 'demo' RETURNING id`);
  ids.managerDeal = deal('Manager only', false);
  ids.deletedDeal = deal('Gone but restorable', true);
});

after(async () => {
  if (stack) await stack.stop();
});

test("an agent's refused edit of a deal they do not own is audited as security.forbidden", async () => {
  const since = lastAuditId();
  const edit = await agent.post(`/deals/${ids.managerDeal}`, { title: 'Mine now', brand_id: ids.brand, value: '1', version: '1' });
  assert.equal(edit.status, 403);
  assert.equal((await agent.get(`/deals/${ids.managerDeal}/edit`)).status, 403);
  assert.equal((await agent.post(`/deals/${ids.deletedDeal}/restore`)).status, 403);
  assert.deepEqual(forbiddenSince(since), [
    'agent@demo.test|owner|deals_update',
    'agent@demo.test|owner|deals_edit',
    'agent@demo.test|role|deals_restore',
  ]);
  assert.equal(stack.one(`SELECT title FROM deals WHERE id = '${ids.managerDeal}'`), 'Manager only');
});

test('the deleted list is its own manager-only address; deleted=true on the live list points there', async () => {
  const since = lastAuditId();
  assert.equal((await agent.get('/deals/deleted')).status, 403);
  assert.deepEqual(forbiddenSince(since), ['agent@demo.test|role|deals_deleted_list']);
  const page = await manager.get('/deals/deleted');
  assert.equal(page.status, 200);
  assert.match(page.body, /Gone but restorable/);
  assert.doesNotMatch(page.body, /Manager only/);
  assert.match((await manager.get('/deals')).body, /id="deleted-link"[^>]*>Deleted deals|href="\/deals\/deleted" id="deleted-link"/);
  const json = await manager.get('/api/v1/deals/deleted');
  assert.equal(json.status, 200);
  assert.deepEqual(json.json().data.map((d) => d.id), [ids.deletedDeal]);
  const refused = await manager.get('/api/v1/deals?deleted=true');
  assert.equal(refused.status, 400);
  assert.match(refused.json().error.fields.deleted, /\/api\/v1\/deals\/deleted/);
  const refusedPage = await manager.get('/deals?deleted=true');
  assert.equal(refusedPage.status, 400);
  assert.match(refusedPage.body, /id="e-deleted">deleted [^<]*\/deals\/deleted</);
  assert.equal((await manager.get('/api/v1/deals?deleted=false')).status, 200);
});

test('API keys write deals only with a manager or admin key, refused before the handler and audited', async () => {
  const agentKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'policy-agent', '--role', 'agent']).stdout.trim();
  const withKey = (method, path, body) => stack.request(method, path, {
    headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const since = lastAuditId();
  assert.equal((await withKey('POST', '/api/v1/deals', { title: 'k', brand_id: ids.brand })).status, 403);
  assert.equal((await withKey('PATCH', `/api/v1/deals/${ids.managerDeal}`, { version: 1, title: 'k' })).status, 403);
  assert.equal((await withKey('DELETE', `/api/v1/deals/${ids.managerDeal}`)).status, 403);
  assert.equal((await withKey('POST', `/api/v1/deals/${ids.deletedDeal}/restore`)).status, 403);
  assert.deepEqual(forbiddenSince(since).map((row) => row.split('|').slice(1).join('|')), [
    'role|api_deals_create', 'role|api_deals_update', 'role|api_deals_delete', 'role|api_deals_restore',
  ]);
  assert.equal((await withKey('GET', `/api/v1/deals/${ids.managerDeal}`)).status, 200);
});

test("the deal page's stage moves carry the deal and its version, shown to who may write", async () => {
  const version = stack.one(`SELECT version FROM deals WHERE id = '${ids.managerDeal}'`);
  const moves = (await manager.get(`/deals/${ids.managerDeal}`)).body.match(/id="stage-moves">[^]*?<\/div>/)[0];
  assert.match(moves, new RegExp(`action="/deals/${ids.managerDeal}/stage"`));
  assert.match(moves, new RegExp(`name="version" value="${version}"`));
  assert.match(moves, /data-stage="negotiating"/);
  assert.doesNotMatch((await agent.get(`/deals/${ids.managerDeal}`)).body, /id="stage-moves"/);
});
