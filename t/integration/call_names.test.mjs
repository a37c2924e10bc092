// call_names.test.mjs — each org's caller names and their counts (sql/0057), which a
// search by name reads before the calls, stay exactly what a recount of the calls
// gives after every kind of write; a name no call has any more is gone; and a search
// by them sees the tenant's own names only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, clearCalls, otherOrg } from '../lib/calls_fixtures.mjs';

let stack, viewer;

before(async () => {
  stack = await Stack.start({ workers: 1 });
  otherOrg(stack);
  viewer = await stack.as('viewer');
});

after(async () => {
  if (stack) await stack.stop();
});

const RECOUNT = `SELECT o.slug || '|' || c.caller_name || '|' || count(*) || '|' || count(*) FILTER (WHERE c.is_demo)
  FROM calls c JOIN orgs o ON o.id = c.org_id WHERE c.deleted_at IS NULL AND c.caller_name <> ''
  GROUP BY o.slug, c.caller_name ORDER BY 1`;
const KEPT = `SELECT o.slug || '|' || n.caller_name || '|' || n.calls || '|' || n.demo_calls
  FROM call_names n JOIN orgs o ON o.id = n.org_id ORDER BY 1`;

function assertKept(what) {
  assert.equal(stack.sql(KEPT), stack.sql(RECOUNT), what);
}

const kept = () => stack.sql(KEPT).split('\n').filter(Boolean);

test('the names and their counts follow every write to the calls', () => {
  assertKept('the seeded calls');
  clearCalls(stack);
  assert.deepEqual(kept(), [], 'no call, no name');
  const [ana1, , ana3, bo, , deleted] = insertCalls(stack, [
    { caller_name: 'Ana Ruiz' }, { caller_name: 'Ana Ruiz' }, { caller_name: 'Ana Ruiz', is_demo: true },
    { caller_name: 'Bo Li' }, { caller_name: '' }, { caller_name: 'Cy Deleted', deleted_at: '2024-05-02T00:00:00Z' },
  ]);
  insertCalls(stack, [{ caller_name: 'Ana Ruiz' }, { caller_name: 'Other Only' }], 'other');
  assertKept('inserted: a name several times in one statement, demo, empty and deleted calls, two orgs');
  assert.deepEqual(kept(), ['demo|Ana Ruiz|3|1', 'demo|Bo Li|1|0', 'other|Ana Ruiz|1|0', 'other|Other Only|1|0']);

  stack.sql(`UPDATE calls SET status = 'failed', duration_s = 1 WHERE id = '${ana1}'`);
  assertKept('an update that changes no name');
  stack.sql(`UPDATE calls SET caller_name = 'Ana Ruiz-Lopez' WHERE id = '${ana1}'`);
  assertKept('a renamed call');
  stack.sql(`UPDATE calls SET is_demo = false WHERE id = '${ana3}'`);
  assertKept('a demo call made real');
  stack.sql(`UPDATE calls SET deleted_at = now() WHERE id = '${bo}'`);
  assertKept('a call deleted (soft)');
  assert.ok(!kept().includes('demo|Bo Li|1|0'), 'the name of its only call is gone');
  stack.sql(`UPDATE calls SET deleted_at = NULL WHERE id IN ('${bo}', '${deleted}')`);
  assertKept('calls restored');
  // What erasing a call does to its name (sql/0042): blanked.
  stack.sql(`UPDATE calls SET caller_name = '' WHERE caller_name = 'Cy Deleted'`);
  assertKept('a name erased');
  assert.ok(!kept().some((k) => k.includes('Cy Deleted')), 'an erased name leaves no trace');
  stack.sql(`UPDATE calls SET caller_name = CASE WHEN caller_name = 'Ana Ruiz' THEN 'Bo Li' ELSE 'Ana Ruiz' END
    WHERE caller_name IN ('Ana Ruiz', 'Bo Li')`);
  assertKept('names swapped in one statement');
  stack.sql(`DELETE FROM calls WHERE caller_name = 'Bo Li' AND org_id = (SELECT id FROM orgs WHERE slug = 'demo')`);
  assertKept('calls deleted (hard)');
  stack.sql("DELETE FROM orgs WHERE slug = 'other'");
  assertKept('an org deleted with its calls');
  assert.ok(!kept().some((k) => k.startsWith('other|')));
});

test('a search by name sees its own org\'s names only, and what the calls say now', async () => {
  clearCalls(stack);
  otherOrg(stack);
  insertCalls(stack, [{ caller_name: 'Zed Quill', started_at: '2024-05-01T12:00:00Z' },
    { caller_name: 'zed quillon', started_at: '2024-05-02T12:00:00Z' }]);
  const [theirs] = insertCalls(stack, [{ caller_name: 'Zed Quillotheirs' }], 'other');
  const names = async (qs) => {
    const res = await viewer.get(`/api/v1/calls?${qs}`);
    assert.equal(res.status, 200, res.body);
    return res.json().data.map((c) => c.caller_name);
  };
  assert.deepEqual(await names('name=quill'), ['zed quillon', 'Zed Quill']);
  assert.deepEqual(await names('name=quill&sort=oldest'), ['Zed Quill', 'zed quillon']);
  assert.deepEqual(await names('name=Quillotheirs'), [], 'another org\'s name');
  const page = await viewer.get('/calls?name=quill');
  assert.match(page.body, /id="result-count"><strong>2<\/strong> calls match/);
  assert.doesNotMatch(page.body, new RegExp(theirs));
  stack.sql(`UPDATE calls SET caller_name = 'Someone Else' WHERE caller_name = 'zed quillon'`);
  assert.deepEqual(await names('name=quill'), ['Zed Quill'], 'a renamed call is not found by its old name');
  assert.deepEqual(await names('name=someone'), ['Someone Else'], 'but by its new one');
  assert.match((await viewer.get('/calls?name=quill')).body, /id="result-count"><strong>1<\/strong> call matches/);
  // Through the application's own role (the triggers run as the owner, who alone may
  // write the names): a call deleted by an admin leaves the search and the names.
  const key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'call-names-admin', '--role', 'admin']);
  assert.equal(key.status, 0, key.stderr);
  const [quill] = stack.sql("SELECT id FROM calls WHERE caller_name = 'Zed Quill'").split('\n');
  const del = await stack.api(key.stdout.trim(), 'DELETE', `/api/v1/calls/${quill}`);
  assert.equal(del.status, 200, del.body);
  assert.deepEqual(await names('name=quill'), []);
  assert.ok(!kept().some((k) => k.startsWith('demo|Zed Quill|')), 'the deleted call\'s name is gone');
  assertKept('a call deleted through the API');
});

// sql/0062: the names' epoch, which a search by surname checks on every page, moves
// once for each transaction that gives the org a name it did not have (at its commit,
// with the names), and for nothing else: not for more calls of known names, not for
// names that go away, not for another org's names.
test('the names\' epoch moves once for each transaction that adds names, and only then', () => {
  clearCalls(stack);
  otherOrg(stack);
  const epoch = (slug = 'demo') => Number(stack.sql(`SELECT coalesce((SELECT n FROM call_name_epochs
    WHERE org_id = (SELECT id FROM orgs WHERE slug = '${slug}')), 0)`));
  const [start, theirs] = [epoch(), epoch('other')];
  const [ivy] = insertCalls(stack, [{ caller_name: 'Ivy Stone' }, { caller_name: 'Jo Stone' }, { caller_name: 'Jo Stone' }]);
  assert.equal(epoch(), start + 1, 'two new names in one statement');
  insertCalls(stack, [{ caller_name: 'Ivy Stone' }, { caller_name: '' }]);
  assert.equal(epoch(), start + 1, 'a known name: its count moves, the epoch does not');
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status, started_at)
      SELECT id, 'inbound', 'twilio', 'epoch-kit', '+14155550100', '+14155559999', 'Kit Stone', 'completed', now() FROM orgs WHERE slug = 'demo';
    INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status, started_at)
      SELECT id, 'inbound', 'twilio', 'epoch-lu', '+14155550100', '+14155559999', 'Lu Stone', 'completed', now() FROM orgs WHERE slug = 'demo'`);
  assert.equal(epoch(), start + 2, 'two statements adding names in one transaction');
  stack.sql(`UPDATE calls SET caller_name = 'Ivy Stonehouse' WHERE id = '${ivy}'`);
  assert.equal(epoch(), start + 3, 'a call renamed to a new name');
  stack.sql("UPDATE calls SET deleted_at = now() WHERE caller_name IN ('Kit Stone', 'Ivy Stonehouse')");
  stack.sql("DELETE FROM calls WHERE caller_name = 'Lu Stone'");
  assert.ok(!kept().some((k) => /Kit Stone|Lu Stone|Stonehouse/.test(k)), 'those names are gone');
  assert.equal(epoch(), start + 3, 'names going away');
  stack.sql(`BEGIN; INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, caller_name, status, started_at)
      SELECT id, 'inbound', 'twilio', 'epoch-mo', '+14155550100', '+14155559999', 'Mo Stone', 'completed', now() FROM orgs WHERE slug = 'demo';
    ROLLBACK`);
  assert.equal(epoch(), start + 3, 'a transaction rolled back');
  insertCalls(stack, [{ caller_name: 'Nell Stone' }], 'other');
  assert.equal(epoch(), start + 3, 'another org\'s new name');
  assert.equal(epoch('other'), theirs + 1, 'moves that org\'s epoch');
  assertKept('after all of it');
});
