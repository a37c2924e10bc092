// file_modes.test.mjs — what nginx reaches through the file system is shared with
// nginx's group only: the FastCGI socket is 0660 in a 0750 directory (FastCGI has
// no authentication, so any local user who could connect would pass for nginx),
// and downloaded recordings are 0640 in 0750 directories, still served by nginx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';

const VAPI_SECRET = 'vapi-test-secret-modes-0123456789';
let stack, provider;

before(async () => {
  stack = await Stack.start({ workers: 1, config: '\njob_backoff_ms = 100\nworker_poll_s = 1\n' });
  provider = await startProvider();
  const r = stack.cli(['org', 'set', 'demo', 'vapi_secret'], { input: `${VAPI_SECRET}\n` });
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await provider?.close();
  await stack?.stop();
});

// The group nginx's workers run in: that of the `user` directive's user, or ours
// when nginx runs without one (not as root).
function nginxGid() {
  const m = /^\s*user\s+([^\s;]+)/m.exec(readFileSync(path.join(stack.dir, 'nginx.conf'), 'utf8'));
  return m ? Number(execFileSync('id', ['-g', m[1]], { encoding: 'utf8' }).trim()) : process.getegid();
}

const mode = (st) => st.mode & 0o7777;

test('the FastCGI socket is 0660 in a 0750 directory, both in the group nginx runs as', () => {
  const sock = statSync(path.join(stack.dir, 'run', 'switchboard.sock'));
  const dir = statSync(path.join(stack.dir, 'run'));
  assert.ok(sock.isSocket());
  assert.equal(mode(sock).toString(8), '660');
  assert.equal(mode(dir).toString(8), '750');
  assert.equal(sock.gid, nginxGid());
  assert.equal(dir.gid, nginxGid());
});

test('a downloaded recording is 0640 in a 0750 directory of that group, and nginx serves it', async () => {
  const id = `modes-${process.pid}`;
  const body = JSON.stringify({ message: {
    type: 'end-of-call-report',
    call: { id, type: 'outboundPhoneCall', customer: { number: '+14155550123' } },
    startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:01:00.000Z',
    artifact: { recordingUrl: provider.url(`/rec/${id}.wav`), messages: [] },
  } });
  const res = await stack.request('POST', '/webhooks/demo/vapi', {
    headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET }, body });
  assert.equal(res.status, 200, res.body);
  const worker = stack.startWorker(); // applies the event, then downloads the recording
  let callId, orgId;
  try {
    await waitFor(() => {
      [callId, orgId] = stack.sql(`SELECT id || '|' || org_id FROM calls WHERE provider_call_id = '${id}'
        AND recording_status = 'stored'`).split('|');
      return orgId;
    }, { what: 'the recording to be stored' });
  } finally {
    await stack.stopWorker(worker);
  }
  const file = statSync(path.join(stack.dir, 'recordings', orgId, `${callId}.wav`));
  const dir = statSync(path.join(stack.dir, 'recordings', orgId));
  assert.equal(mode(file).toString(8), '640');
  assert.equal(mode(dir).toString(8), '750');
  assert.equal(file.gid, nginxGid());
  assert.equal(dir.gid, nginxGid());

  const admin = await stack.as('admin');
  const signed = await admin.get(`/calls/${callId}/recording`);
  assert.equal(signed.status, 303);
  const audio = await admin.get(new URL(signed.headers.location, 'https://x').pathname + new URL(signed.headers.location, 'https://x').search);
  assert.equal(audio.status, 200);
  assert.ok(audio.raw.equals(provider.audio), 'nginx read the file');
});
