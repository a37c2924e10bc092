// deals.test.mjs — writing deals and their deliverables and payments: pages, JSON API,
// roles, history and stale versions. One stack for the file; each describe() starts
// with stack.reset(), so it sees the database as a freshly started stack would,
// whatever ran before it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

describe('deals', () => {
  // The deals pages and JSON API: create through the form and the API with every
  // validation error, edit with history rows and stale versions, stage moves (legal,
  // illegal with the allowed moves), delete/restore/purge, roles, another org's ids,
  // the sealed affiliate code, filters and keyset pages, CSV and the board's counts and
  // sums.
  let admin, manager, agent, viewer;
  const ids = {};

  const userId = (email) => stack.one(`SELECT id FROM users WHERE email = '${email}'`);
  const brand = (org, name) =>
    stack.one(`INSERT INTO brands (org_id, name) SELECT id, '${name}' FROM orgs WHERE slug = '${org}' RETURNING id`);

  /** A deal inserted directly (owner role, no RLS): fixtures for lists and roles. */
  function insertDeal(fields) {
    const f = { org: 'demo', stage: 'inbound', value_minor: 0, currency: 'USD', ...fields };
    const cols = Object.keys(f).filter((k) => !['org', 'owner'].includes(k));
    const vals = cols.map((k) => (f[k] === null ? 'NULL' : `'${String(f[k]).replace(/'/g, "''")}'`));
    const owner = f.owner ? `'${userId(f.owner)}'` : 'NULL';
    return stack.one(`INSERT INTO deals (org_id, owner_id, ${cols.join(', ')})
    SELECT o.id, ${owner}, ${vals.join(', ')} FROM orgs o WHERE o.slug = '${f.org}' RETURNING id`);
  }

  const formOf = (over = {}) => ({
    title: 'Spring launch', brand_id: ids.acme, owner_id: ids.agentUser, stage: 'inbound', contract_status: 'none',
    deal_type: 'fixed', value: '1,250.50', currency: 'USD', revisions_used: '0', tags: 'launch, spring', ...over,
  });

  before(async () => {
    await stack.reset();
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
    assert.equal(stack.one(`SELECT value_minor || ' ' || stage || ' ' || array_to_string(tags, '|') FROM deals WHERE id = '${id}'`),
      '125050 inbound launch|spring');
    assert.equal(stack.one(`SELECT action FROM deal_history WHERE entity_id = '${id}'`), 'create');
  });

  test('the affiliate code is sealed in the database and readable through the app', async () => {
    const hex = stack.one(`SELECT encode(affiliate_code_sealed, 'hex') FROM deals WHERE id = '${ids.created}'`);
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
    const version = stack.one(`SELECT version FROM deals WHERE id = '${ids.created}'`);
    const other = await agent.post(`/deals/${ids.created}`, formOf({ owner_id: ids.managerUser, version }));
    assert.equal(other.status, 400);
    assert.match(other.body, /id="e-owner_id"/);
    assert.equal(stack.one(`SELECT owner_id FROM deals WHERE id = '${ids.created}'`), ids.agentUser);
  });

  test('JSON create: 201 with the documented fields; validation 400 names fields', async () => {
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
    assert.equal(stack.one(`SELECT title FROM deals WHERE id = '${ids.created}'`), 'Spring launch v2');
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
    const v = stack.one(`SELECT version FROM deals WHERE id = '${ids.created}'`);
    const bad = await agent.post(`/deals/${ids.created}/stage`, { stage: 'paid', version: v, return_to: 'board' });
    assert.equal(bad.status, 409);
    assert.match(bad.body, /Allowed moves: negotiating, lost/);
    assert.match(bad.body, /id="deal-board"/);
    const good = await agent.post(`/deals/${ids.created}/stage`, { stage: 'negotiating', version: v, return_to: 'board' });
    assert.equal(good.status, 303);
    assert.equal(good.headers.location, '/deals/board');
    assert.equal(stack.one(`SELECT field || ':' || old_value || '>' || new_value FROM deal_history WHERE entity_id = '${ids.created}'
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
    assert.equal(stack.one(`SELECT count(*) FROM deals WHERE id = '${id}'`), '0');
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

  // The cards read the brand's name kept on the deal (sql/0038), not the brand itself.
  test('board: a card shows its brand as named now, its moves and the next action cut short', async () => {
    const b = brand('demo', 'Board Brand Old');
    const next = 'Call back about the draft '.padEnd(120, 'x');
    const id = insertDeal({ title: 'Board card deal', brand_id: b, stage: 'negotiating', next_action: next,
      next_action_due_at: '2030-01-02T15:00:00Z' });
    const card = async () => (await agent.get('/deals/board')).body
      .match(new RegExp(`<li class="board-card" id="card-${id}"[^]*?</li>`))[0];
    stack.sql(`UPDATE brands SET name = 'Board Brand New' WHERE id = '${b}'`);
    let c = await card();
    assert.match(c, /<p class="muted">Board Brand New<\/p>/);
    assert.match(c, /data-stage="negotiating"/);
    assert.match(c, new RegExp(`Next: ${next.slice(0, 80)}… <time datetime="2030-01-02T15:00:00Z">`));
    assert.deepEqual([...c.matchAll(/<option value="([a-z_]+)">/g)].map((m) => m[1]), ['contracted', 'lost']);
    assert.match(c, new RegExp(`name="version" value="1"`));
    // Another brand: its name; a name written by hand: the brand's all the same.
    stack.sql(`UPDATE deals SET brand_id = '${ids.zen}' WHERE id = '${id}'`);
    assert.match(await card(), /<p class="muted">Zen Tea<\/p>/);
    stack.sql(`UPDATE deals SET brand_name = 'Forged' WHERE id = '${id}'`);
    assert.equal(stack.one(`SELECT brand_name FROM deals WHERE id = '${id}'`), 'Zen Tea');
    stack.sql(`UPDATE deals SET next_action = 'Short', brand_id = '${b}' WHERE id = '${id}'`);
    c = await card();
    assert.match(c, /Next: Short <time/);
    assert.match(c, /Board Brand New/);
    assert.equal(stack.one(`SELECT count(*) FROM deals d JOIN brands b ON b.id = d.brand_id WHERE d.brand_name <> b.name`), '0');
    stack.sql(`UPDATE deals SET archived = true WHERE id = '${id}'`);
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
    assert.equal(stack.one("SELECT count(*) FROM audit_log WHERE action = 'deals.export'"), '1');
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
});

describe('deliverables and payments', () => {
  // Deliverables and payments under a deal: every form and JSON route, each validation
  // error, illegal transitions (409), stale edits (409), roles and ownership, another
  // org's ids (404), history rows, risk refresh, FX conversion with its rate and date,
  // and the FX rate form.
  let manager, agent, viewer, key, otherKey;
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
    await stack.reset();
    [manager, agent, viewer] = await Promise.all([stack.as('manager'), stack.as('agent'), stack.as('viewer')]);
    stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'Europe/Paris')`);
    key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'g', '--role', 'manager']).stdout.trim();
    otherKey = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'admin']).stdout.trim();
    dealId = insertDeal('demo', 'Spring launch', { owner: userId('manager') });
    agentDealId = insertDeal('demo', 'Agent deal', { owner: userId('agent') });
    otherDealId = insertDeal('other', 'Their deal');
  });

  test('deliverable: add through the form, validation errors kept with the input', async () => {
    const form = await manager.get(`/deals/${dealId}/deliverables/new`);
    assert.equal(form.status, 200);
    assert.match(form.body, /Add a deliverable/);
    let res = await manager.post(`/deals/${dealId}/deliverables`, {
      platform: 'instagram', type: 'reel', quantity: '0', scheduled_at: '',
      posting_window_start: '2030-03-10T10:00', posting_window_end: '2030-03-09T10:00', sla_hours: '', notes: 'x',
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /id="e-quantity">must be a whole number from 1 to 1000</);
    assert.match(res.body, /value="2030-03-09T10:00"/);
    res = await manager.post(`/deals/${dealId}/deliverables`, {
      platform: 'instagram', type: 'reel', quantity: '2', scheduled_at: '',
      posting_window_start: '2030-03-10T10:00', posting_window_end: '2030-03-09T10:00', sla_hours: '', notes: 'x',
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /id="e-posting_window_end">must not be before the posting window opens</);
    for (const [field, value] of [['platform', 'myspace'], ['type', 'blog'], ['sla_hours', '0'], ['scheduled_at', 'tomorrow']]) {
      const r = await manager.post(`/deals/${dealId}/deliverables`, { platform: 'youtube', type: 'video', quantity: '1', [field]: value });
      assert.equal(r.status, 400, field);
      assert.match(r.body, new RegExp(`id="e-${field}"`), field);
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
    assert.match(r.body, /id="e-reason">must say why the deliverable is rejected</);
    r = await manager.post(`/deliverables/${id}/reject`, { reason: 'Too dark' });
    assert.equal(r.status, 303);
    assert.equal((await manager.post(`/deliverables/${id}/submit`, {})).status, 303);
    assert.equal((await manager.post(`/deliverables/${id}/approve`, {})).status, 303);
    assert.equal((await manager.get(`/deliverables/${id}/posted`)).status, 200);
    r = await manager.post(`/deliverables/${id}/posted`, { posted_at: '2030-01-01T10:00', post_url: 'javascript:alert(1)' });
    assert.equal(r.status, 400);
    assert.match(r.body, /id="e-post_url"/);
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
      assert.match(r.body, /id="e-amount"/, amount);
      assert.match(r.body, new RegExp(`name="amount" type="text" value="${amount.replace('.', '\\.')}"`), amount);
    }
    let r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount: '10', currency: 'JPY' });
    assert.equal(r.status, 400);
    assert.match(r.body, /id="e-currency">must be USD, EUR, GBP or INR</);
    r = await manager.post(`/deals/${dealId}/payments`, { ...base, amount: '10', fees: '8', tax_withheld: '3' });
    assert.equal(r.status, 400);
    assert.match(r.body, /id="e-fees"/);
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
    assert.match(r.body, /id="e-paid_at"/);
    assert.match(r.body, /id="e-amount_paid"/);
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
});

describe('stale edits', () => {
  // A write based on an old version of a brand, deliverable or payment is refused
  // exactly like a stale deal edit (docs/ARCHITECTURE.md "Errors"): JSON 409 with
  // error.fields.version and error.fields.current (the stored row, as GET answers it),
  // the form re-rendered (409) with the stored values, their version and a notice, an
  // action form answered with the deal page as it is now; nothing is overwritten, no
  // history row is written; another org's ids stay 404 whatever the version.
  let manager, key, otherKey, dealId;

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
    await stack.reset();
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
    assert.match(stale.body, /name="name" type="text" value="Form Brand" required maxlength="200"/);
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
      ['/api/v1/deliverables/{id}', 'Deliverable'], ['/api/v1/payments/{id}', 'Payment'], ['/api/v1/contacts/{id}', 'Contact'],
      ['/api/v1/campaigns/{id}', 'Campaign']]) {
      const conflict = doc.paths[p].patch.responses['409'];
      assert.match(conflict.description, new RegExp(`error\\.fields\\.current is the stored \\w+ \\(schema ${schema}\\)`), p);
      assert.equal(conflict.content['application/json'].schema.$ref, '#/components/schemas/Error', p);
    }
    const current = doc.components.schemas.Error.properties.error.properties.fields.properties.current;
    assert.deepEqual(current.oneOf.map((s) => s.$ref.split('/').pop()), ['Deal', 'Brand', 'Deliverable', 'Payment', 'Contact',
      'Campaign']);
  });
});
