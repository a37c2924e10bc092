// deals.test.mjs — the deals pages and JSON API (area F): create through the form and
// the API with every validation error, edit with history rows and stale versions,
// stage moves (legal, illegal with the allowed moves), delete/restore/purge (admins), roles,
// another org's ids, the sealed affiliate code, filters and keyset pages, CSV and
// the board's counts and sums.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack, admin, manager, agent, viewer;
const ids = {};

const one = (stack, q) => stack.sql(q).split('\n')[0];
const userId = (email) => one(stack, `SELECT id FROM users WHERE email = '${email}'`);
const brand = (org, name) =>
  one(stack, `INSERT INTO brands (org_id, name) SELECT id, '${name}' FROM orgs WHERE slug = '${org}' RETURNING id`);

/** A deal inserted directly (owner role, no RLS): fixtures for lists and roles. */
function insertDeal(fields) {
  const f = { org: 'demo', stage: 'inbound', value_minor: 0, currency: 'USD', ...fields };
  const cols = Object.keys(f).filter((k) => !['org', 'owner'].includes(k));
  const vals = cols.map((k) => (f[k] === null ? 'NULL' : `'${String(f[k]).replace(/'/g, "''")}'`));
  const owner = f.owner ? `'${userId(f.owner)}'` : 'NULL';
  return one(stack, `INSERT INTO deals (org_id, owner_id, ${cols.join(', ')})
    SELECT o.id, ${owner}, ${vals.join(', ')} FROM orgs o WHERE o.slug = '${f.org}' RETURNING id`);
}

const formOf = (over = {}) => ({
  title: 'Spring launch', brand_id: ids.acme, owner_id: ids.agentUser, stage: 'inbound', contract_status: 'none',
  deal_type: 'fixed', value: '1,250.50', currency: 'USD', revisions_used: '0', tags: 'launch, spring', ...over,
});

before(async () => {
  stack = await Stack.start();
  [admin, manager, agent, viewer] = await Promise.all(['admin', 'manager', 'agent', 'viewer'].map((r) => stack.as(r)));
  otherOrg(stack);
  ids.agentUser = userId('agent@demo.test');
  ids.managerUser = userId('manager@demo.test');
  ids.acme = brand('demo', 'Acme Cosmetics');
  ids.zen = brand('demo', 'Zen Tea');
  ids.otherBrand = brand('other', 'Elsewhere Inc');
  ids.otherDeal = insertDeal({ org: 'other', title: 'Other org deal', brand_id: ids.otherBrand });
  ids.managerDeal = insertDeal({ title: 'Manager owned', brand_id: ids.zen, owner: 'manager@demo.test', value_minor: 90000 });
});

after(async () => {
  if (stack) await stack.stop();
});

test('the new form creates a deal: 303, flash, history "create", owner default me', async () => {
  const form = await manager.get('/deals/new');
  assert.equal(form.status, 200);
  assert.match(form.body, /id="deal-form"/);
  assert.match(form.body, new RegExp(`<option value="${ids.managerUser}" selected>`));
  // A manager creates it for the agent, who works on it from here on.
  const res = await manager.post('/deals', formOf({ affiliate_code: 'SPRING-SECRET-2025' }));
  assert.equal(res.status, 303, res.body);
  const id = /\/deals\/([0-9a-f-]{36})$/.exec(res.headers.location)[1];
  ids.created = id;
  assert.match((await manager.get(`/deals/${id}`)).body, /The deal was created/);
  const page = await agent.get(`/deals/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /Spring launch/);
  assert.match(page.body, /\$1,250\.50/);
  assert.match(page.body, /id="edit-deal"/);
  assert.equal(one(stack, `SELECT value_minor || ' ' || stage || ' ' || array_to_string(tags, '|') FROM deals WHERE id = '${id}'`),
    '125050 inbound launch|spring');
  assert.equal(one(stack, `SELECT action FROM deal_history WHERE entity_id = '${id}'`), 'create');
});

test('the affiliate code is sealed in the database and readable through the app', async () => {
  const hex = one(stack, `SELECT encode(affiliate_code_sealed, 'hex') FROM deals WHERE id = '${ids.created}'`);
  assert.ok(hex.length >= 58);
  assert.ok(!Buffer.from(hex, 'hex').toString('latin1').includes('SPRING-SECRET'));
  const masked = await manager.get(`/deals/${ids.created}`);
  assert.match(masked.body, /••••2025/);
  assert.doesNotMatch(masked.body, /SPRING-SECRET/);
  assert.match(masked.body, /id="reveal-affiliate"/);
  const revealed = await manager.get(`/deals/${ids.created}?reveal=1`);
  assert.match(revealed.body, /SPRING-SECRET-2025/);
  const agentView = await agent.get(`/deals/${ids.created}?reveal=1`);
  assert.doesNotMatch(agentView.body, /SPRING-SECRET/);
  // Moved to another row, the sealed value does not open (the context binds the id).
  stack.sql(`UPDATE deals SET affiliate_code_sealed = (SELECT affiliate_code_sealed FROM deals WHERE id = '${ids.created}')
             WHERE id = '${ids.managerDeal}'`);
  const broken = await manager.get(`/deals/${ids.managerDeal}`);
  assert.match(broken.body, /Cannot be opened with the configured secret key/);
  stack.sql(`UPDATE deals SET affiliate_code_sealed = NULL WHERE id = '${ids.managerDeal}'`);
});

test('form validation: each field named, input kept, 400', async () => {
  const cases = [
    [{ title: '' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ brand_id: '' }, 'brand_id'],
    [{ brand_id: ids.otherBrand }, 'brand_id'],
    [{ owner_id: 'nope' }, 'owner_id'],
    [{ stage: 'won' }, 'stage'],
    [{ contract_status: 'maybe' }, 'contract_status'],
    [{ deal_type: 'barter' }, 'deal_type'],
    [{ value: '12.345' }, 'value'],
    [{ value: '-5' }, 'value'],
    [{ value: '1,23' }, 'value'],
    [{ value: '' }, 'value'],
    [{ currency: 'JPY' }, 'currency'],
    [{ usage_rights_start: '2025-02-30' }, 'usage_rights_start'],
    [{ usage_rights_start: '2025-03-10', usage_rights_end: '2025-03-01' }, 'usage_rights_end'],
    [{ exclusivity_category: 'beauty' }, 'exclusivity_platforms'],
    [{ exclusivity_platforms: 'myspace', exclusivity_category: 'x', exclusivity_start: '2025-01-01', exclusivity_end: '2025-02-01' }, 'exclusivity_platforms'],
    [{ exclusivity_category: 'y'.repeat(101), exclusivity_platforms: 'tiktok', exclusivity_start: '2025-01-01', exclusivity_end: '2025-02-01' }, 'exclusivity_category'],
    [{ revision_limit: '1001' }, 'revision_limit'],
    [{ revisions_used: '-1' }, 'revisions_used'],
    [{ revision_extra_fee: 'abc' }, 'revision_extra_fee'],
    [{ next_action: 'n'.repeat(501) }, 'next_action'],
    [{ next_action_due_at: 'tomorrow' }, 'next_action_due_at'],
    [{ tags: 't'.repeat(51) }, 'tags'],
    [{ categories: Array.from({ length: 51 }, (_, i) => `c${i}`).join(',') }, 'categories'],
    [{ affiliate_code: 'a'.repeat(201) }, 'affiliate_code'],
  ];
  for (const [over, field] of cases) {
    const res = await manager.post('/deals', formOf(over));
    assert.equal(res.status, 400, `${field}: ${JSON.stringify(over).slice(0, 80)}`);
    assert.match(res.body, new RegExp(`id="e-${field}"`), field);
  }
  const kept = await manager.post('/deals', formOf({ title: 'Keep <me>', value: '12.345' }));
  assert.match(kept.body, /value="Keep &lt;me&gt;"/);
  assert.match(kept.body, /value="12\.345"/);
  // An agent cannot hand their deal over to someone else.
  const version = one(stack, `SELECT version FROM deals WHERE id = '${ids.created}'`);
  const other = await agent.post(`/deals/${ids.created}`, formOf({ owner_id: ids.managerUser, version }));
  assert.equal(other.status, 400);
  assert.match(other.body, /id="e-owner_id"/);
  assert.equal(one(stack, `SELECT owner_id FROM deals WHERE id = '${ids.created}'`), ids.agentUser);
});

test('JSON create: 201 with the SPEC fields; validation 400 names fields', async () => {
  const res = await manager.request('POST', '/api/v1/deals', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': manager.csrf },
    body: JSON.stringify({ title: 'API deal', brand_id: ids.zen, value: { amount_minor: 500000, currency: 'EUR' }, tags: ['api'],
      exclusivity: { category: 'Tea', platforms: ['instagram'], start: '2030-01-01', end: '2030-06-30' } }),
  });
  assert.equal(res.status, 201, res.body);
  const d = res.json().data;
  assert.deepEqual(Object.keys(d).sort(), ['archived', 'brand_id', 'brand_name', 'categories', 'contract_status', 'created_at',
    'deal_type', 'deleted', 'exclusivity', 'id', 'next_action', 'next_action_due_at', 'owner_id', 'revision_limit',
    'revisions_used', 'risk_level', 'risk_reasons', 'stage', 'tags', 'title', 'updated_at', 'usage_rights_end',
    'usage_rights_start', 'value', 'version'].sort());
  assert.deepEqual(d.value, { amount_minor: 500000, currency: 'EUR' });
  assert.equal(d.owner_id, ids.managerUser);
  assert.deepEqual(d.exclusivity.platforms, ['instagram']);
  ids.apiDeal = d.id;
  const bad = await manager.request('POST', '/api/v1/deals', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': manager.csrf },
    body: JSON.stringify({ title: '', brand_id: ids.zen, value: { amount_minor: -5, currency: 'USD' }, stage: 'won', tags: 'x' }),
  });
  assert.equal(bad.status, 400);
  const fields = bad.json().error.fields;
  for (const f of ['title', 'value', 'stage', 'tags']) assert.ok(fields[f], f);
});

test('exclusivity conflicts raise risk on both deals and show on the page', async () => {
  const res = await manager.request('POST', '/api/v1/deals', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': manager.csrf },
    body: JSON.stringify({ title: 'Rival tea', brand_id: ids.acme, value: { amount_minor: 100, currency: 'USD' },
      exclusivity: { category: 'tea', platforms: ['instagram', 'tiktok'], start: '2030-03-01', end: '2030-03-31' } }),
  });
  assert.equal(res.status, 201);
  ids.rival = res.json().data.id;
  assert.equal(res.json().data.risk_level, 'med');
  const first = (await manager.get(`/api/v1/deals/${ids.apiDeal}`)).json().data;
  assert.equal(first.risk_level, 'med');
  assert.equal(first.conflicts.length, 1);
  const page = await manager.get(`/deals/${ids.apiDeal}`);
  assert.match(page.body, /class="flash flash-error conflict"/);
});

test('editing records one history row per changed field; stale version is 409 with current values', async () => {
  const edit = await agent.get(`/deals/${ids.created}/edit`);
  assert.equal(edit.status, 200);
  const version = /name="version" value="(\d+)"/.exec(edit.body)[1];
  const res = await agent.post(`/deals/${ids.created}`, formOf({ version, title: 'Spring launch v2', value: '2000', tags: 'launch, spring' }));
  assert.equal(res.status, 303, res.body);
  const rows = stack.sql(`SELECT field || '=' || coalesce(old_value, '∅') || '>' || coalesce(new_value, '∅') FROM deal_history
    WHERE entity_id = '${ids.created}' AND action = 'update' ORDER BY id`).split('\n');
  assert.deepEqual(rows, ['title=Spring launch>Spring launch v2', 'value_minor=125050>200000']);
  // The old version again: nothing overwritten, the form shows the current values.
  const stale = await agent.post(`/deals/${ids.created}`, formOf({ version, title: 'Lost update' }));
  assert.equal(stale.status, 409);
  assert.match(stale.body, /changed by someone else since you opened it/);
  assert.match(stale.body, /value="Spring launch v2"/);
  assert.equal(one(stack, `SELECT title FROM deals WHERE id = '${ids.created}'`), 'Spring launch v2');
  const page = await agent.get(`/deals/${ids.created}`);
  assert.match(page.body, /Spring launch → Spring launch v2/);
});

test('PATCH: partial update, stale 409 with current, illegal stage 409 with allowed moves', async () => {
  const cur = (await manager.get(`/api/v1/deals/${ids.apiDeal}`)).json().data;
  const patch = (body) => manager.request('PATCH', `/api/v1/deals/${ids.apiDeal}`, {
    headers: { 'content-type': 'application/json', 'x-csrf-token': manager.csrf }, body: JSON.stringify(body) });
  const ok = await patch({ version: cur.version, next_action: 'Send brief', stage: 'negotiating' });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json().data.stage, 'negotiating');
  assert.equal(ok.json().data.title, 'API deal');
  assert.equal(ok.json().data.version, cur.version + 1);
  const stale = await patch({ version: cur.version, title: 'Nope' });
  assert.equal(stale.status, 409);
  assert.equal(stale.json().error.fields.current.title, 'API deal');
  const illegal = await patch({ version: cur.version + 1, stage: 'paid' });
  assert.equal(illegal.status, 409);
  assert.match(illegal.json().error.message, /Allowed moves: contracted, lost/);
  const noVersion = await patch({ title: 'x' });
  assert.equal(noVersion.status, 400);
  assert.ok(noVersion.json().error.fields.version);
});

test('stage moves from the form: legal 303, illegal 409 naming the allowed moves', async () => {
  const v = one(stack, `SELECT version FROM deals WHERE id = '${ids.created}'`);
  const bad = await agent.post(`/deals/${ids.created}/stage`, { stage: 'paid', version: v, return_to: 'board' });
  assert.equal(bad.status, 409);
  assert.match(bad.body, /Allowed moves: negotiating, lost/);
  assert.match(bad.body, /id="deal-board"/);
  const good = await agent.post(`/deals/${ids.created}/stage`, { stage: 'negotiating', version: v, return_to: 'board' });
  assert.equal(good.status, 303);
  assert.equal(good.headers.location, '/deals/board');
  assert.equal(one(stack, `SELECT field || ':' || old_value || '>' || new_value FROM deal_history WHERE entity_id = '${ids.created}'
    AND field = 'stage'`), 'stage:inbound>negotiating');
  const stale = await agent.post(`/deals/${ids.created}/stage`, { stage: 'contracted', version: v });
  assert.equal(stale.status, 409);
  assert.match(stale.body, /changed by someone else/);
  const noStage = await agent.post(`/deals/${ids.created}/stage`, { stage: 'won', version: v }, { headers: { accept: 'application/json' } });
  assert.equal(noStage.status, 400);
  assert.ok(noStage.json().error.fields.stage);
  const noVersion = await agent.post(`/deals/${ids.created}/stage`, { stage: 'lost' }, { headers: { accept: 'application/json' } });
  assert.equal(noVersion.status, 400);
  assert.ok(noVersion.json().error.fields.version);
});

test('roles: viewer cannot write, agent edits only own deals and creates none, API keys by role', async () => {
  assert.equal((await viewer.get('/deals/new')).status, 403);
  assert.equal((await viewer.post('/deals', formOf())).status, 403);
  assert.equal((await viewer.post(`/deals/${ids.created}/delete`)).status, 403);
  assert.equal((await agent.get('/deals/new')).status, 403);
  assert.equal((await agent.post('/deals', formOf())).status, 403);
  assert.equal((await agent.get(`/deals/${ids.managerDeal}/edit`)).status, 403);
  assert.equal((await agent.post(`/deals/${ids.managerDeal}`, formOf({ version: '1' }))).status, 403);
  assert.equal((await agent.post(`/deals/${ids.managerDeal}/delete`)).status, 403);
  assert.equal((await agent.post(`/deals/${ids.created}/delete`)).status, 403, 'deletes are for admins');
  assert.equal((await manager.post(`/deals/${ids.created}/delete`)).status, 403, 'deletes are for admins');
  assert.equal((await agent.get(`/deals/${ids.created}/edit`)).status, 200);
  assert.equal((await viewer.get(`/deals/${ids.managerDeal}`)).status, 200);
  assert.equal((await agent.get('/deals/deleted')).status, 403);
  const readKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'deals-read', '--role', 'viewer']).stdout.trim();
  const agentKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'deals-agent', '--role', 'agent']).stdout.trim();
  const mgrKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'deals-mgr', '--role', 'manager']).stdout.trim();
  const withKey = (key, method, path, body) => stack.request(method, path, {
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  assert.equal((await withKey(readKey, 'GET', '/api/v1/deals')).status, 200);
  assert.equal((await withKey(readKey, 'POST', '/api/v1/deals', { title: 'k', brand_id: ids.zen })).status, 403);
  assert.equal((await withKey(agentKey, 'POST', '/api/v1/deals', { title: 'k', brand_id: ids.zen, value: { amount_minor: 1, currency: 'USD' } })).status, 403);
  const created = await withKey(mgrKey, 'POST', '/api/v1/deals', { title: 'Key deal', brand_id: ids.zen, value: { amount_minor: 1, currency: 'USD' } });
  assert.equal(created.status, 201, created.body);
  assert.equal(created.json().data.owner_id, null);
});

test("another org's deal is 404 everywhere", async () => {
  const id = ids.otherDeal;
  for (const [m, p] of [['GET', `/deals/${id}`], ['GET', `/deals/${id}/edit`], ['GET', `/deals/${id}/delete`], ['GET', `/api/v1/deals/${id}`]])
    assert.equal((await admin.request(m, p)).status, 404, `${m} ${p}`);
  for (const p of [`/deals/${id}`, `/deals/${id}/stage`, `/deals/${id}/delete`, `/deals/${id}/restore`, `/deals/${id}/purge`])
    assert.equal((await admin.post(p, { version: '1', stage: 'lost' })).status, 404, p);
  const h = { 'content-type': 'application/json', 'x-csrf-token': admin.csrf };
  assert.equal((await admin.request('PATCH', `/api/v1/deals/${id}`, { headers: h, body: '{"version":1}' })).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/deals/${id}`, { headers: h })).status, 404);
  assert.equal((await admin.get('/deals/not-a-uuid')).status, 404);
  const list = (await admin.get('/api/v1/deals?limit=200')).json().data.map((d) => d.id);
  assert.ok(!list.includes(id));
});

test('delete, deleted list, restore, purge (admin only, deleted only)', async () => {
  const id = insertDeal({ title: 'Doomed deal', brand_id: ids.zen, owner: 'agent@demo.test' });
  assert.match((await admin.get(`/deals/${id}/delete`)).body, /Delete this deal\?/);
  const del = await admin.post(`/deals/${id}/delete`);
  assert.equal(del.status, 303);
  assert.equal((await agent.get(`/deals/${id}/edit`)).status, 404);
  assert.equal((await agent.get(`/deals/${id}`)).status, 404, 'a deleted deal is for managers and admins');
  const deleted = await manager.get('/deals/deleted');
  assert.match(deleted.body, /Doomed deal/);
  assert.doesNotMatch((await manager.get('/deals')).body, /Doomed deal/);
  assert.equal((await manager.post(`/deals/${id}/purge`)).status, 403);
  assert.equal((await manager.post(`/deals/${id}/restore`)).status, 403);
  assert.equal((await admin.post(`/deals/${id}/restore`)).status, 303);
  assert.equal((await admin.post(`/deals/${id}/restore`)).status, 409);
  assert.equal((await admin.post(`/deals/${id}/purge`)).status, 409);
  const h = { 'content-type': 'application/json', 'x-csrf-token': admin.csrf };
  assert.equal((await admin.request('DELETE', `/api/v1/deals/${id}`, { headers: h })).status, 200);
  const restored = await admin.request('POST', `/api/v1/deals/${id}/restore`, { headers: h });
  assert.equal(restored.status, 200);
  assert.equal(restored.json().data.deleted, false);
  await admin.post(`/deals/${id}/delete`);
  const purge = await admin.post(`/deals/${id}/purge`);
  assert.equal(purge.status, 303);
  assert.equal(one(stack, `SELECT count(*) FROM deals WHERE id = '${id}'`), '0');
  assert.deepEqual(stack.sql(`SELECT action FROM deal_history WHERE entity_id = '${id}' ORDER BY id`).split('\n'),
    ['delete', 'restore', 'delete', 'restore', 'delete', 'purge']);
});

test('list filters, sorts and keyset pages; bad filters are 400 naming the field', async () => {
  stack.sql(`INSERT INTO deals (org_id, brand_id, title, value_minor, currency, tags, risk_level, next_action_due_at, archived)
    SELECT o.id, '${ids.acme}', 'Bulk ' || g, g * 100, 'USD', ARRAY['bulk'], CASE WHEN g % 3 = 0 THEN 'high' ELSE 'low' END,
      '2031-01-01 12:00:00+00'::timestamptz + g * interval '1 day', g = 25 FROM orgs o, generate_series(1, 25) g WHERE o.slug = 'demo'`);
  const get = async (qs) => (await admin.get(`/api/v1/deals?${qs}`)).json();
  assert.equal((await get('tag=bulk&limit=200')).data.length, 24);
  assert.equal((await get('tag=bulk&archived=true&limit=200')).data.length, 25);
  assert.equal((await get('tag=bulk&risk=high&limit=200')).data.length, 8);
  assert.deepEqual((await get('tag=bulk&min_value=500&max_value=700&sort=value')).data.map((d) => d.title), ['Bulk 7', 'Bulk 6', 'Bulk 5']);
  assert.deepEqual((await get('tag=bulk&due_before=2031-01-04&sort=due')).data.map((d) => d.title), ['Bulk 1', 'Bulk 2']);
  assert.deepEqual((await get('q=zen%20tea')).data.map((d) => d.brand_name).filter((b) => b !== 'Zen Tea'), []);
  assert.deepEqual((await get('q=BULK%201&sort=value')).data.map((d) => d.title).slice(0, 2), ['Bulk 19', 'Bulk 18']);
  assert.equal((await get(`brand_id=${ids.zen}&stage=inbound&owner_id=${ids.managerUser}`)).data[0].title, 'Manager owned');
  for (const sort of ['updated', 'value', 'due']) {
    const seen = [];
    let url = `tag=bulk&limit=7&sort=${sort}`;
    for (;;) {
      const page = await get(url);
      seen.push(...page.data.map((d) => d.id));
      if (!page.next_cursor) break;
      url = `tag=bulk&limit=7&sort=${sort}&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    assert.equal(seen.length, 24, sort);
    assert.equal(new Set(seen).size, 24, sort);
  }
  const bad = [['stage=won', 'stage'], ['risk=extreme', 'risk'], ['min_value=12.5', 'min_value'], ['max_value=-1', 'max_value'],
    ['min_value=9&max_value=1', 'max_value'], ['due_before=2025-13-01', 'due_before'], ['sort=oldest', 'sort'],
    ['limit=0', 'limit'], ['cursor=abc', 'cursor'], ['brand_id=x', 'brand_id'], ['archived=maybe', 'archived']];
  for (const [qs, field] of bad) {
    const res = await admin.get(`/api/v1/deals?${qs}`);
    assert.equal(res.status, 400, qs);
    assert.ok(res.json().error.fields[field], qs);
    const page = await admin.get(`/deals?${qs}`);
    assert.equal(page.status, 400, qs);
    assert.match(page.body, new RegExp(`id="e-${field}"`), qs);
  }
});

test('board: a column shows its 30 most recently updated deals and links the rest', async () => {
  stack.sql(`INSERT INTO deals (org_id, brand_id, title, stage, value_minor, currency, tags, updated_at)
    SELECT o.id, '${ids.acme}', 'Crowd ' || g, 'delivered', 100, 'USD', ARRAY['crowd'], now() + g * interval '1 second'
      FROM orgs o, generate_series(1, 40) g WHERE o.slug = 'demo'`);
  const total = Number(stack.sql(`SELECT count(*) FROM deals d JOIN orgs o ON o.id = d.org_id
    WHERE o.slug = 'demo' AND stage = 'delivered' AND deleted_at IS NULL AND NOT archived`));
  const body = (await viewer.get('/deals/board')).body;
  const column = body.match(/<section class="board-column" data-stage="delivered"[^]*?<\/section>/)[0];
  assert.equal(Number(column.match(/data-count>(\d+)</)[1]), total);
  const titles = [...column.matchAll(/class="board-title" href="\/deals\/[0-9a-f-]+">([^<]+)</g)].map((m) => m[1]);
  assert.equal(titles.length, 30);
  assert.deepEqual(titles.slice(0, 3), ['Crowd 40', 'Crowd 39', 'Crowd 38'], 'most recently updated first');
  assert.match(column, new RegExp(`<a href="/deals\\?stage=delivered">${total - 30} more in the list</a>`));
  const small = body.match(/<section class="board-column" data-stage="lost"[^]*?<\/section>/)[0];
  assert.doesNotMatch(small, /more in the list/, 'a column that fits has no link');
  stack.sql("UPDATE deals SET archived = true WHERE tags @> ARRAY['crowd']");
});

test('CSV export: awkward data quoted, formulas neutralised, audited', async () => {
  insertDeal({ title: '=HYPERLINK("x"), "quoted"\nline', brand_id: ids.zen, value_minor: 123456, tags: '{csv}' });
  const res = await admin.get('/deals/export.csv?tag=csv');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /text\/csv/);
  const lines = res.body.split('\r\n');
  assert.match(lines[0], /^id,title,brand,/);
  assert.match(res.body, /,"'=HYPERLINK\(""x""\), ""quoted""\nline",Zen Tea,/);
  assert.match(res.body, /,1234\.56,USD,/);
  assert.equal(one(stack, "SELECT count(*) FROM audit_log WHERE action = 'deals.export'"), '1');
});

test('board: a column per stage with counts and per-currency sums', async () => {
  stack.sql("UPDATE deals SET archived = true WHERE title LIKE 'Bulk %' OR tags @> ARRAY['csv']");
  const res = await viewer.get('/deals/board');
  assert.equal(res.status, 200);
  const counts = Object.fromEntries([...res.body.matchAll(/data-stage="([a-z_]+)" aria-labelledby[^]*?data-count>(\d+)</g)].map((m) => [m[1], Number(m[2])]));
  const expected = Object.fromEntries(stack.sql(`SELECT stage, count(*) FROM deals d JOIN orgs o ON o.id = d.org_id
    WHERE o.slug = 'demo' AND deleted_at IS NULL AND NOT archived GROUP BY stage`).split('\n').map((l) => l.split('|')).map(([s, n]) => [s, Number(n)]));
  for (const s of ['inbound', 'negotiating', 'contracted', 'in_progress', 'delivered', 'invoiced', 'paid', 'lost'])
    assert.equal(counts[s], expected[s] || 0, s);
  assert.match(res.body, /€5,000\.00/);
  assert.doesNotMatch(res.body, /class="board-move"/); // viewers get no move forms
  const agentBoard = await agent.get('/deals/board');
  assert.match(agentBoard.body, /class="board-move"/);
});
