// login_delays.test.mjs — knowing an email no longer keeps its owner out: while the
// email waits out a delay, a correct password from an address with no recent
// failures signs in, a wrong one from there is refused and raises the delay, and
// the failing address stays refused. Clients connect from other loopback addresses
// (127.0.0.2, ...), which nginx passes on as REMOTE_ADDR.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { Stack, Client } from '../lib/stack.mjs';

const WRONG = 'definitely not the password';
let stack;

before(async () => {
  stack = await Stack.start();
});

after(async () => {
  if (stack) await stack.stop();
});

beforeEach(() => {
  stack.sql('DELETE FROM login_attempts');
});

/** A client whose connections come from localAddress. */
function clientFrom(localAddress) {
  const agent = new https.Agent({ rejectUnauthorized: false, localAddress });
  const via = {
    request: (method, urlPath, opts = {}) =>
      new Promise((resolve, reject) => {
        const req = https.request(
          { host: '127.0.0.1', port: stack.httpsPort, method, path: urlPath, headers: opts.headers || {}, agent },
          (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        if (opts.body !== undefined) req.write(opts.body);
        req.end();
      }),
  };
  return new Client(via);
}

const failures = (email) => Number(stack.sql(`SELECT count(*) FROM login_attempts WHERE email = '${email}' AND NOT ok`));

test('a correct password from a clean address gets through an email delay; the failing address does not', async () => {
  const email = 'viewer@demo.test';
  const attacker = clientFrom('127.0.0.2');
  for (let i = 0; i < 5; i++) assert.equal((await attacker.login(email, WRONG)).status, 400);
  assert.equal((await attacker.login(email, stack.password)).status, 429, 'the failing address waits');

  const owner = clientFrom('127.0.0.3');
  const res = await owner.login(email, stack.password);
  assert.equal(res.status, 303, 'the owner signs in from a clean address');
  assert.equal(failures(email), 0, 'and a sign-in clears the email’s failures');
  assert.equal(stack.sql(`SELECT DISTINCT ip FROM login_attempts WHERE email = '${email}' AND ok`), '127.0.0.3');
});

test('a wrong password from a clean address during a delay is refused and raises the delay', async () => {
  const email = 'agent@demo.test';
  const attacker = clientFrom('127.0.0.4');
  for (let i = 0; i < 5; i++) assert.equal((await attacker.login(email, WRONG)).status, 400);
  const other = clientFrom('127.0.0.5');
  const res = await other.login(email, WRONG);
  assert.equal(res.status, 429);
  const wait = Number(res.headers['retry-after']);
  assert.ok(wait > 50 && wait <= 60, `Retry-After ${wait} ≈ 60 s after the 6th failure`);
  assert.equal(failures(email), 6);
  // That address has now failed recently, so its correct password waits too.
  assert.equal((await other.login(email, stack.password)).status, 429);
});

test('an address with no failures is not throttled by another address’s failures for other emails', async () => {
  const noisy = clientFrom('127.0.0.6');
  for (let i = 0; i < 20; i++) await noisy.login(`stranger${i}@example.test`, WRONG);
  assert.equal((await noisy.login('manager@demo.test', stack.password)).status, 429, 'the address limit is hard');
  assert.equal((await clientFrom('127.0.0.7').login('manager@demo.test', stack.password)).status, 303);
});
