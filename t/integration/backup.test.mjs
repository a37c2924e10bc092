// backup.test.mjs — `script/server backup FILE` / `restore FILE` (script/lib/stack.sh
// backup|restore DIR FILE): an instance with demo calls, deals and a recording is
// dumped, restored into a fresh cluster, and the restored app serves the same calls
// and deals (same ids, same order, over the JSON API), the same recording, and the
// same users (the source's password signs in).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, Stack, waitFor } from '../lib/stack.mjs';

const STACK_SH = path.join(REPO, 'script/lib/stack.sh');
const stacks = [];
const tmp = mkdtempSync('/tmp/sbt-backup-');

after(async () => {
  for (const s of stacks) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function stackSh(...args) {
  return execFileSync('bash', [STACK_SH, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every row of a cursor-paged list endpoint, in the order served. */
async function all(client, urlPath) {
  const ids = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const sep = urlPath.includes('?') ? '&' : '?';
    const res = await client.get(`${urlPath}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, `${urlPath}: ${res.body.slice(0, 200)}`);
    const body = res.json();
    ids.push(...body.data.map((r) => r.id));
    cursor = body.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error(`${urlPath}: more than 100 pages`);
}

async function served(stack) {
  const admin = await stack.as('admin');
  return {
    calls: await all(admin, '/api/v1/calls?include_demo=true'),
    deals: await all(admin, '/api/v1/deals'),
  };
}

test('a backup restored into a fresh cluster serves the same calls, deals, recordings and users', async () => {
  const source = await Stack.start({ workers: 2 });
  stacks.push(source);
  const seeded = source.cli(['seed', '--demo', '--calls', '300', '--deals', '40', '--seed', '5']);
  assert.equal(seeded.status, 0, seeded.stderr);
  const orgId = source.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  mkdirSync(path.join(source.dir, 'recordings', orgId), { recursive: true });
  const audio = Buffer.from(`not really audio ${Date.now()}`);
  writeFileSync(path.join(source.dir, 'recordings', orgId, 'backup-test.mp3'), audio);

  const before = await served(source);
  assert.ok(before.calls.length >= 300, `calls served: ${before.calls.length}`);
  assert.ok(before.deals.length > 0, 'deals served');
  const counts = "SELECT (SELECT count(*) FROM calls) || ' ' || (SELECT count(*) FROM deals) || ' ' || (SELECT count(*) FROM users)";
  const sourceCounts = source.sql(counts);

  const file = path.join(tmp, 'switchboard.backup');
  stackSh('backup', source.dir, file);

  const target = await Stack.start({ workers: 2 });
  stacks.push(target);
  assert.notEqual(target.sql(counts), sourceCounts, 'the fresh instance differs before the restore');
  // The documented order: stop the pool, restore, start it (the secret key changes).
  await target.stopServe();
  stackSh('restore', target.dir, file);
  target.startServe();
  await waitFor(async () => (await target.request('GET', '/healthz')).status === 200, { what: 'the restored pool' });

  assert.equal(target.sql(counts), sourceCounts);
  assert.equal(readFileSync(path.join(target.dir, 'demo-password'), 'utf8').trim(), source.password);
  assert.equal(readFileSync(path.join(target.dir, 'secret-key'), 'utf8'), readFileSync(path.join(source.dir, 'secret-key'), 'utf8'));
  target.password = source.password; // the restored users are the source's
  const after = await served(target);
  assert.deepEqual(after.calls, before.calls);
  assert.deepEqual(after.deals, before.deals);
  assert.deepEqual(readFileSync(path.join(target.dir, 'recordings', orgId, 'backup-test.mp3')), audio);

  // A provider secret sealed with the source's key still opens on the target.
  const set = source.cli(['org', 'set', 'demo', 'vapi_secret'], { input: 'backup-test-secret-0123456789\n' });
  assert.equal(set.status, 0, set.stderr);
  stackSh('backup', source.dir, file);
  await target.stopServe();
  stackSh('restore', target.dir, file);
  target.startServe();
  await waitFor(async () => (await target.request('GET', '/healthz')).status === 200, { what: 'the restored pool' });
  const webhook = await target.request('POST', '/webhooks/demo/vapi', {
    headers: { 'content-type': 'application/json', 'x-vapi-secret': 'backup-test-secret-0123456789' },
    body: JSON.stringify({ message: { type: 'status-update', status: 'ringing', call: {
      id: 'backup-test-call', type: 'inboundPhoneCall', customer: { number: '+14155550100' }, phoneNumber: { number: '+14155550199' },
    } } }),
  });
  assert.equal(webhook.status, 200, `the restored secret is accepted: ${webhook.body}`);
  assert.equal(webhook.json().data.status, 'accepted');
});
