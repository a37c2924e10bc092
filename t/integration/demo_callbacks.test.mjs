// demo_callbacks.test.mjs — the fake provider's delivery callbacks (t/fakes/messaging.mjs,
// on in script/server's demo): a campaign's SMS and email, sent to the fake, come back
// as Twilio status callbacks and SendGrid events, signed as the real providers sign,
// through nginx to the real callback routes, and every message ends "delivered", as a
// user of the demo expects to see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { Stack, waitFor } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';
import { DEFAULT_ACCOUNTS as ACCOUNTS } from '../fakes/messaging.mjs';

let stack, provider, key;

before(async () => {
  stack = await Stack.start();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const site = `https://127.0.0.1:${stack.httpsPort}`;
  provider = await startProvider({ callbacks: { delayMs: 50, sendgridPrivateKey: privateKey,
    sendgridEventsUrl: `${site}/webhooks/demo/sendgrid/events` } });
  const base = `http://127.0.0.1:${provider.port}`;
  const set = stack.cli(['org', 'set', 'demo', `twilio_base_url=${base}`, 'twilio_from_number=+15005550006',
    `sendgrid_base_url=${base}`, 'sendgrid_from_email=campaigns@demo.test', 'quiet_hours=00:00-00:00',
    `sendgrid_event_public_key=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
    'twilio_account_sid', 'twilio_auth_token', 'sendgrid_api_key'],
  { input: `${ACCOUNTS.twilioSid}\n${ACCOUNTS.twilioToken}\n${ACCOUNTS.sendgridKey}\n` });
  assert.equal(set.status, 0, set.stderr);
  // The sender names this site in each SMS's StatusCallback (as script/server does).
  appendFileSync(stack.config, `\npublic_url = ${site}\n`);
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'demo-callbacks', '--role', 'manager']).stdout.trim();
  stack.startWorker();
});

after(async () => {
  if (stack) await stack.stop();
  if (provider) await provider.close();
});

test('a demo campaign\'s SMS and email are delivered through the fake\'s signed callbacks', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const res = await stack.api(key, 'POST', '/api/v1/contacts', { first_name: `Demo${i}`, phone: `+1415555077${i}`,
      email: `demo${i}@example.com` });
    assert.equal(res.status, 201, res.body);
    ids.push(res.json().data.id);
  }
  const made = await stack.api(key, 'POST', '/api/v1/campaigns', { name: 'Demo delivery', channels: ['sms', 'email'],
    audience: { contact_ids: ids }, sms_body: 'Hi {{first_name}}', email_subject: 'Hello', email_body: 'Hi {{first_name}}',
    rate_per_minute: 6000 });
  assert.equal(made.status, 201, made.body);
  const id = made.json().data.id;
  assert.equal((await stack.api(key, 'POST', `/api/v1/campaigns/${id}/launch`)).status, 200);
  const states = () => stack.one(`SELECT string_agg(channel || ':' || state, ',' ORDER BY channel, state)
    FROM campaign_messages WHERE campaign_id = '${id}'`);
  await waitFor(() => states() === 'email:delivered,email:delivered,email:delivered,sms:delivered,sms:delivered,sms:delivered',
    { timeoutMs: 60000, what: `every message delivered (now ${states()})` });
  // Each SMS: "sent" then "delivered"; each email: one batch of processed and delivered.
  const sent = provider.messaging.callbacksSent;
  assert.deepEqual(sent.map((c) => c.status), sent.map(() => 200), JSON.stringify(sent));
  assert.equal(sent.filter((c) => c.kind === 'twilio').length, 6);
  assert.equal(sent.filter((c) => c.kind === 'sendgrid').length, 3);
  const stats = (await stack.api(key, 'GET', `/api/v1/campaigns/${id}/stats`)).json().data;
  assert.equal(stats.channels.sms.delivered, 3);
  assert.equal(stats.channels.email.delivered, 3);
  // Kept as they came: the status callbacks and the event batches.
  assert.equal(stack.one(`SELECT count(*) FILTER (WHERE provider = 'twilio' AND kind = 'sms-status') || '|' ||
    count(*) FILTER (WHERE provider = 'sendgrid') FROM webhook_events`), '6|3');
});
