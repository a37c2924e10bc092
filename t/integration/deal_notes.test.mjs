// deal_notes.test.mjs — notes on a deal (docs/DEALS.md): the agent a deal is assigned
// to, managers and admins add them (page and JSON); they show newest first with author
// and time, and enter the deal's change history; bad input is 400 with the typed text
// kept; only a note's author or an admin edits or deletes it; another org's deal is 404.
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
const forbiddenSince = (since) =>
  stack.sql(`SELECT actor || '|' || (detail->>'reason') || '|' || (detail->>'route') FROM audit_log
    WHERE id > ${since} AND action = 'security.forbidden' ORDER BY id`).split('\n').filter(Boolean);
const lastAuditId = () => Number(stack.one('SELECT coalesce(max(id), 0) FROM audit_log'));
const noteCount = (deal) => Number(stack.one(`SELECT count(*) FROM deal_notes WHERE deal_id = '${deal}'`));

function insertDeal(title, email, org = 'demo') {
  return stack.one(`WITH b AS (INSERT INTO brands (org_id, name) SELECT id, '${title} brand' FROM orgs WHERE slug = '${org}'
    RETURNING id, org_id)
    INSERT INTO deals (org_id, owner_id, brand_id, title, currency, value_minor)
    SELECT b.org_id, u.id, b.id, '${title}', 'USD', 1000 FROM b JOIN users u ON u.org_id = b.org_id AND u.email = '${email}'
    RETURNING id`);
}

before(async () => {
  stack = await Stack.start();
  for (const role of ['viewer', 'agent', 'manager', 'admin']) clients[role] = await stack.as(role);
  ids.assigned = insertDeal('Agent deal', 'agent@demo.test');
  ids.others = insertDeal('Manager deal', 'manager@demo.test');
  otherOrg(stack);
  ids.foreign = insertDeal('Foreign deal', 'admin@other.test', 'other');
});

after(async () => {
  if (stack) await stack.stop();
});

test('the assigned agent adds notes on the page; they show newest first with author and time, and in the history', async () => {
  const { agent } = clients;
  await agent.get(`/deals/${ids.assigned}`);
  const first = await agent.post(`/deals/${ids.assigned}/notes`, { body: 'Brand asked for a <b>second</b> draft' });
  assert.equal(first.status, 303, first.body.slice(0, 300));
  assert.equal(first.headers.location, `/deals/${ids.assigned}`);
  const second = await agent.post(`/deals/${ids.assigned}/notes`, { body: 'Call booked for Monday' });
  assert.equal(second.status, 303);
  const page = await agent.get(`/deals/${ids.assigned}`);
  assert.equal(page.status, 200);
  const notes = /<ol class="deal-notes" id="notes">([\s\S]*?)<\/ol>/.exec(page.body)[1];
  const order = [...notes.matchAll(/<p class="note-body">([^<]*)<\/p>/g)].map((m) => m[1]);
  assert.deepEqual(order, ['Call booked for Monday', 'Brand asked for a &lt;b&gt;second&lt;/b&gt; draft']);
  assert.match(notes, /<strong>Demo Agent<\/strong>|<strong>[^<]+<\/strong> · <time datetime="\d{4}-\d\d-\d\dT/);
  assert.match(notes, /<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">/);
  assert.match(page.body, /<td>deal update<\/td><td>note<\/td><td>— → Call booked for Monday<\/td>/);
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action = 'deal.note.create'`), '2');
});

test('JSON twin: POST and GET /api/v1/deals/{id}/notes, newest first with author', async () => {
  const { agent, viewer } = clients;
  const made = await json(agent, 'POST', `/api/v1/deals/${ids.assigned}/notes`, { body: '  From the API  ' });
  assert.equal(made.status, 201, made.body);
  const note = made.json().data;
  assert.equal(note.body, 'From the API');
  assert.equal(note.deal_id, ids.assigned);
  assert.equal(note.author_id, stack.one(`SELECT id FROM users WHERE email = 'agent@demo.test'`));
  assert.equal(note.edited, false);
  assert.match(note.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const list = await json(viewer, 'GET', `/api/v1/deals/${ids.assigned}/notes`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json().data.map((n) => n.body), ['From the API', 'Call booked for Monday',
    'Brand asked for a <b>second</b> draft']);
});

test('bad input: 400 with a message per field; the page keeps the typed text', async () => {
  const { agent } = clients;
  const before = noteCount(ids.assigned);
  const empty = await json(agent, 'POST', `/api/v1/deals/${ids.assigned}/notes`, { body: '   ' });
  assert.equal(empty.status, 400);
  assert.equal(empty.json().error.fields.body, 'must not be empty');
  const long = 'é'.repeat(5001);
  const tooLong = await json(agent, 'POST', `/api/v1/deals/${ids.assigned}/notes`, { body: long });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.json().error.fields.body, 'must be at most 5000 characters');
  assert.equal((await json(agent, 'POST', `/api/v1/deals/${ids.assigned}/notes`, { body: 'é'.repeat(5000) })).status, 201);
  const page = await agent.post(`/deals/${ids.assigned}/notes`, { body: `${'x'.repeat(5001)}` });
  assert.equal(page.status, 400);
  assert.match(page.body, /<textarea id="f-body" name="body"[^>]*aria-invalid="true"[^>]*>x{5001}<\/textarea>/);
  assert.match(page.body, /<p class="field-error" id="e-body">must be at most 5000 characters<\/p>/);
  assert.equal(noteCount(ids.assigned), before + 1);
});

test('roles: an agent may not add notes to a deal not assigned to them, a viewer to none; another org is 404', async () => {
  const { agent, viewer, manager } = clients;
  const since = lastAuditId();
  assert.equal((await agent.post(`/deals/${ids.others}/notes`, { body: 'not mine' })).status, 403);
  assert.equal((await json(agent, 'POST', `/api/v1/deals/${ids.others}/notes`, { body: 'not mine' })).status, 403);
  assert.equal((await viewer.post(`/deals/${ids.assigned}/notes`, { body: 'viewer' })).status, 403);
  assert.deepEqual(forbiddenSince(since), ['agent@demo.test|owner|deal_note_create',
    'agent@demo.test|owner|api_deal_note_create', 'viewer@demo.test|role|deal_note_create']);
  assert.equal(noteCount(ids.others), 0);
  const agentPage = await agent.get(`/deals/${ids.others}`);
  assert.doesNotMatch(agentPage.body, /id="add-note"/);
  assert.doesNotMatch((await viewer.get(`/deals/${ids.assigned}`)).body, /id="add-note"/);
  assert.equal((await manager.post(`/deals/${ids.others}/notes`, { body: 'manager note' })).status, 303);
  for (const c of [agent, manager, clients.admin]) {
    assert.equal((await json(c, 'GET', `/api/v1/deals/${ids.foreign}/notes`)).status, 404);
    assert.equal((await json(c, 'POST', `/api/v1/deals/${ids.foreign}/notes`, { body: 'x' })).status, 404);
    assert.equal((await c.post(`/deals/${ids.foreign}/notes`, { body: 'x' })).status, 404);
  }
  assert.equal(noteCount(ids.foreign), 0);
});

test('edit and delete: only the author or an admin; delete asks first; the history keeps the old text', async () => {
  const { agent, manager, admin } = clients;
  const mine = stack.one(`SELECT id FROM deal_notes WHERE body = 'Call booked for Monday'`);
  const managers = stack.one(`SELECT id FROM deal_notes WHERE body = 'manager note'`);
  const since = lastAuditId();
  assert.equal((await manager.get(`/deal-notes/${mine}/edit`)).status, 403);
  assert.equal((await json(manager, 'PATCH', `/api/v1/deal-notes/${mine}`, { body: 'hijack' })).status, 403);
  assert.equal((await json(agent, 'DELETE', `/api/v1/deal-notes/${managers}`)).status, 403);
  assert.deepEqual(forbiddenSince(since).map((l) => l.split('|')[1]), ['note_author', 'note_author', 'note_author']);
  // the author edits on the page; a bad edit keeps what was typed
  const form = await agent.get(`/deal-notes/${mine}/edit`);
  assert.equal(form.status, 200);
  assert.match(form.body, />Call booked for Monday<\/textarea>/);
  const bad = await agent.post(`/deal-notes/${mine}`, { body: '' });
  assert.equal(bad.status, 400);
  const ok = await agent.post(`/deal-notes/${mine}`, { body: 'Call moved to Tuesday' });
  assert.equal(ok.status, 303);
  const page = await agent.get(`/deals/${ids.assigned}`);
  assert.match(page.body, /Call moved to Tuesday<\/p>/);
  assert.match(page.body, /<td>note<\/td><td>Call booked for Monday → Call moved to Tuesday<\/td>/);
  // an admin edits anyone's note (JSON) and deletes it after confirming
  const patched = await json(admin, 'PATCH', `/api/v1/deal-notes/${mine}`, { body: 'Tuesday, 10:00' });
  assert.equal(patched.status, 200, patched.body);
  assert.equal(patched.json().data.edited, true);
  const confirm = await admin.get(`/deal-notes/${mine}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /Delete this note\?/);
  assert.equal(noteCount(ids.assigned) > 0, true);
  const gone = await admin.post(`/deal-notes/${mine}/delete`);
  assert.equal(gone.status, 303);
  assert.equal(stack.one(`SELECT count(*) FROM deal_notes WHERE id = '${mine}'`), '0');
  assert.equal(stack.one(`SELECT old_value FROM deal_history WHERE field = 'note' AND new_value IS NULL`), 'Tuesday, 10:00');
  assert.equal((await json(agent, 'PATCH', `/api/v1/deal-notes/${mine}`, { body: 'x' })).status, 404);
  // the note's link is on the author's page, not on another agent's view
  assert.match((await manager.get(`/deals/${ids.others}`)).body, new RegExp(`/deal-notes/${managers}/delete`));
  assert.doesNotMatch((await agent.get(`/deals/${ids.others}`)).body, new RegExp(`/deal-notes/${managers}/edit`));
});
