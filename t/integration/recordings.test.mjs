// recordings.test.mjs — recordings through short-lived signed URLs: from the page
// route (303) and the JSON API, served by nginx via X-Accel-Redirect with ranges,
// expired or tampered URLs → 403, another org's call → 404, every download audited
// once: issuing a URL writes the row (with the user), fetching its ranges does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';
import { wav } from '../fakes/provider.mjs';

let stack, viewer, agent, orgId, otherOrgId, secretKey;
const audio = wav(500);

before(async () => {
  stack = await Stack.start({ workers: 2 });
  assert.equal(stack.cli(['org', 'set', 'other', 'name=Other']).status, 0);
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherOrgId = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  secretKey = readFileSync(path.join(stack.dir, 'secret-key'), 'utf8').trim();
  viewer = await stack.as('viewer');
  agent = await stack.as('agent');
});

after(async () => {
  await stack?.stop();
});

let seq = 0;
/** A call with a stored recording file (or with the given recording status). */
function recordedCall(org = orgId, { status = 'stored', ext = 'wav', type = 'audio/wav' } = {}) {
  const id = stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status)
    VALUES ('${org}', 'inbound', 'vapi', 'rec-${process.pid}-${++seq}', 'completed') RETURNING id`).split('\n')[0];
  if (status === 'stored') {
    mkdirSync(path.join(stack.dir, 'recordings', org), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(stack.dir, 'recordings', org, `${id}.${ext}`), audio, { mode: 0o644 });
    stack.sql(`UPDATE calls SET recording_status = 'stored', recording_path = '${org}/${id}.${ext}',
      recording_bytes = ${audio.length}, recording_content_type = '${type}' WHERE id = '${id}'`);
  } else {
    stack.sql(`UPDATE calls SET recording_status = '${status}' WHERE id = '${id}'`);
  }
  return id;
}

/** The URL the app would sign (same derivation as src/auth/signatures.c). */
function sign(relPath, expires) {
  const key = createHmac('sha256', secretKey).update('switchboard recording url v1').digest();
  const sig = createHmac('sha256', key).update(`${relPath}\n${expires}`).digest('hex');
  return `/recordings/${relPath}?expires=${expires}&sig=${sig}`;
}

const downloads = (id) => Number(stack.sql(`SELECT count(*) FROM audit_log WHERE action = 'recording.download' AND entity_id = '${id}'`));

test('GET /calls/{id}/recording → 303 to a signed URL that serves the file, audited', async () => {
  const id = recordedCall();
  const res = await viewer.get(`/calls/${id}/recording`);
  assert.equal(res.status, 303);
  const loc = res.headers.location;
  assert.match(loc, new RegExp(`^/recordings/${orgId}/${id}\\.wav\\?expires=\\d+&sig=[0-9a-f]{64}$`));
  const expires = Number(/expires=(\d+)/.exec(loc)[1]);
  const now = Date.now() / 1000;
  assert.ok(expires > now && expires <= now + 301);
  // No session needed: the browser's audio element fetches it as is.
  const file = await stack.request('GET', loc);
  assert.equal(file.status, 200);
  assert.ok(file.raw.equals(audio));
  assert.match(file.headers['content-type'], /^audio\//);
  assert.equal(downloads(id), 1);
});

test('GET /api/v1/calls/{id}/recording-url → {url, expires_at}', async () => {
  const id = recordedCall();
  const res = await viewer.get(`/api/v1/calls/${id}/recording-url`);
  assert.equal(res.status, 200);
  const { url, expires_at: expiresAt } = res.json().data;
  const u = new URL(url);
  assert.equal(u.protocol, 'https:');
  assert.equal(u.pathname, `/recordings/${orgId}/${id}.wav`);
  assert.equal(new Date(expiresAt).getTime() / 1000, Number(u.searchParams.get('expires')));
  assert.match(expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const file = await stack.request('GET', u.pathname + u.search);
  assert.equal(file.status, 200);
  assert.ok(file.raw.equals(audio));
  // With an API key too.
  const key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'rec', '--role', 'viewer']).stdout.trim();
  const viaKey = await stack.request('GET', `/api/v1/calls/${id}/recording-url`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(viaKey.status, 200);
});

test('range requests → 206 with Content-Range (the player can seek)', async () => {
  const id = recordedCall();
  const loc = (await viewer.get(`/calls/${id}/recording`)).headers.location;
  const res = await stack.request('GET', loc, { headers: { range: 'bytes=100-199' } });
  assert.equal(res.status, 206);
  assert.equal(res.headers['content-range'], `bytes 100-199/${audio.length}`);
  assert.ok(res.raw.equals(audio.subarray(100, 200)));
  const tail = await stack.request('GET', loc, { headers: { range: 'bytes=-10' } });
  assert.equal(tail.status, 206);
  assert.ok(tail.raw.equals(audio.subarray(audio.length - 10)));
});

test('expired or tampered URLs → 403, nothing served or audited', async () => {
  const id = recordedCall();
  const other = recordedCall();
  const rel = `${orgId}/${id}.wav`;
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await stack.request('GET', sign(rel, now + 60))).status, 200); // the helper signs right
  assert.equal((await stack.request('GET', sign(rel, now - 1))).status, 403);
  const good = sign(rel, now + 60);
  const sig = /sig=([0-9a-f]+)/.exec(good)[1];
  const tampered = [
    good.replace(/sig=[0-9a-f]/, (m) => (m.endsWith('0') ? m.slice(0, -1) + '1' : m.slice(0, -1) + '0')),
    good.replace(`expires=${now + 60}`, `expires=${now + 600}`),
    `/recordings/${orgId}/${other}.wav?expires=${now + 60}&sig=${sig}`,
    `/recordings/${rel}?expires=${now + 60}`,
    `/recordings/${rel}?sig=${sig}`,
    `/recordings/${rel}`,
  ];
  for (const url of tampered) assert.equal((await stack.request('GET', url)).status, 403, url);
  // These URLs were signed here, not issued by the app: fetches alone write no rows.
  assert.equal(downloads(id), 0);
  assert.equal(downloads(other), 0);
});

test("another org's call, no stored recording, bad ids → 404", async () => {
  const foreign = recordedCall(otherOrgId);
  for (const id of [foreign, recordedCall(orgId, { status: 'pending' }), recordedCall(orgId, { status: 'none' }),
    '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    assert.equal((await viewer.get(`/calls/${id}/recording`)).status, 404, id);
    assert.equal((await viewer.get(`/api/v1/calls/${id}/recording-url`)).status, 404, id);
  }
  // A correctly signed URL for a deleted call serves nothing.
  const gone = recordedCall();
  const loc = (await viewer.get(`/calls/${gone}/recording`)).headers.location;
  stack.sql(`UPDATE calls SET deleted_at = now() WHERE id = '${gone}'`);
  assert.equal((await stack.request('GET', loc)).status, 404);
});

test('signing in is required to get a URL', async () => {
  const id = recordedCall();
  const res = await stack.request('GET', `/calls/${id}/recording`);
  assert.equal(res.status, 303);
  assert.match(res.headers.location, /^\/login/);
  assert.equal((await stack.request('GET', `/api/v1/calls/${id}/recording-url`)).status, 401);
});

test('one audit row per listen: issuing a URL is audited, its fetches and ranges are not', async () => {
  const id = recordedCall();
  const loc = (await viewer.get(`/calls/${id}/recording`)).headers.location;
  assert.equal(downloads(id), 1);
  // A player's requests: the whole file, then seeks.
  assert.equal((await stack.request('GET', loc)).status, 200);
  for (const range of ['bytes=0-', 'bytes=100-199', 'bytes=4000-', 'bytes=-10', 'bytes=0-1']) {
    assert.equal((await stack.request('GET', loc, { headers: { range } })).status, 206, range);
  }
  assert.equal(downloads(id), 1);
  const row = stack.sql(`SELECT org_id || '|' || entity || '|' || actor || '|' || (user_id IS NOT NULL) || '|' || (detail->>'via')
    FROM audit_log WHERE action = 'recording.download' AND entity_id = '${id}'`);
  assert.equal(row, `${orgId}|call|viewer@demo.test|true|page`);

  // A player that comes back through the redirect (per seek) gets the same URL, no new row.
  const again = (await viewer.get(`/calls/${id}/recording`)).headers.location;
  assert.equal(again, loc);
  assert.equal(downloads(id), 1);

  // Another user's listen is another row (its URL differs only if issued in
  // another second: a URL signs the path and expiry, not the user).
  const other = (await agent.get(`/calls/${id}/recording`)).headers.location;
  assert.equal((await stack.request('GET', other, { headers: { range: 'bytes=0-' } })).status, 206);
  assert.equal(downloads(id), 2);
  assert.equal(stack.sql(`SELECT actor FROM audit_log WHERE action = 'recording.download' AND entity_id = '${id}' ORDER BY id DESC LIMIT 1`),
    'agent@demo.test');

  // Once the viewer's URL has less than half its lifetime left, the next listen is
  // a fresh URL and a new row (the old one still works until it expires).
  const soon = Math.floor(Date.now() / 1000) + 60;
  stack.sql(`UPDATE audit_log SET detail = jsonb_set(detail, '{expires}', '${soon}') WHERE action = 'recording.download'
    AND entity_id = '${id}' AND actor = 'viewer@demo.test'`);
  const fresh = (await viewer.get(`/calls/${id}/recording`)).headers.location;
  assert.ok(Number(/expires=(\d+)/.exec(fresh)[1]) > soon + 200, fresh);
  assert.equal((await stack.request('GET', fresh)).status, 200);
  assert.equal(downloads(id), 3);

  // The API issues (and audits) the same way.
  const viaApi = await viewer.get(`/api/v1/calls/${id}/recording-url`);
  assert.equal(viaApi.status, 200);
  assert.equal(new URL(viaApi.json().data.url).pathname + new URL(viaApi.json().data.url).search, fresh);
  assert.equal(downloads(id), 3);
  const id2 = recordedCall();
  assert.equal((await viewer.get(`/api/v1/calls/${id2}/recording-url`)).status, 200);
  assert.equal(stack.sql(`SELECT detail->>'via' FROM audit_log WHERE action = 'recording.download' AND entity_id = '${id2}'`), 'api');

  // Expired or tampered URLs are still refused, and write nothing.
  const expired = new URL(fresh, 'https://x').searchParams.get('expires');
  assert.equal((await stack.request('GET', fresh.replace(`expires=${expired}`, `expires=${Number(expired) + 1}`))).status, 403);
  assert.equal((await stack.request('GET', fresh.replace(/sig=[0-9a-f]{4}/, 'sig=0000'))).status, 403);
  assert.equal((await stack.request('GET', sign(`${orgId}/${id}.wav`, Math.floor(Date.now() / 1000) - 1))).status, 403);
  assert.equal(downloads(id), 3);
});

test('each API key is its own listener: one audit row per key, named in the row', async () => {
  const id = recordedCall();
  const keys = ['listener-a', 'listener-b'].map((name) =>
    stack.cli(['apikey', 'create', '--org', 'demo', '--name', name, '--role', 'viewer']).stdout.trim());
  const listen = (key) => stack.request('GET', `/api/v1/calls/${id}/recording-url`, { headers: { authorization: `Bearer ${key}` } });
  const first = await listen(keys[0]);
  assert.equal(first.status, 200);
  assert.equal((await listen(keys[0])).json().data.url, first.json().data.url, 'the same key gets its live URL again');
  assert.equal(downloads(id), 1);
  assert.equal((await listen(keys[1])).status, 200);
  assert.equal(downloads(id), 2, 'another key is another listener');
  const named = stack.sql(`SELECT count(DISTINCT detail->>'api_key_id') FROM audit_log
    WHERE action = 'recording.download' AND entity_id = '${id}' AND detail ? 'api_key_id'`);
  assert.equal(named, '2');
});
