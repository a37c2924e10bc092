// recordings.test.mjs — recordings through short-lived signed URLs: from the page
// route (303) and the JSON API, served by nginx via X-Accel-Redirect with ranges,
// expired or tampered URLs → 403, another org's call → 404, every download audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';
import { wav } from '../fakes/provider.mjs';

let stack, viewer, orgId, otherOrgId, secretKey;
const audio = wav(500);

before(async () => {
  stack = await Stack.start({ workers: 2 });
  assert.equal(stack.cli(['org', 'set', 'other', 'name=Other']).status, 0);
  orgId = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
  otherOrgId = stack.sql("SELECT id FROM orgs WHERE slug = 'other'");
  secretKey = readFileSync(path.join(stack.dir, 'secret-key'), 'utf8').trim();
  viewer = await stack.as('viewer');
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
  assert.equal(downloads(id), 1);
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

test('every download writes an audit row', async () => {
  const id = recordedCall();
  const loc = (await viewer.get(`/calls/${id}/recording`)).headers.location;
  for (let i = 0; i < 3; i++) assert.equal((await stack.request('GET', loc)).status, 200);
  assert.equal(downloads(id), 3);
  const row = stack.sql(`SELECT org_id || '|' || entity FROM audit_log WHERE action = 'recording.download' AND entity_id = '${id}' LIMIT 1`);
  assert.equal(row, `${orgId}|call`);
});
