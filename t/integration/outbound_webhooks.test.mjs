// outbound_webhooks.test.mjs — /admin/webhooks and /api/v1/admin/webhooks (docs/ADMIN.md,
// "Outbound webhooks"): an endpoint registered with its secret shown once receives the
// org's events (a deal's stage change made through the API, a completed call) signed
// `Switchboard-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`; a failing
// endpoint is retried and then disabled; enabling it again and redelivering sends the
// same event; the test event; no private address unless allowed; admins only, CSRF,
// other orgs' endpoints are 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { Stack, waitFor } from '../lib/stack.mjs';
import { insertCalls, otherOrg } from '../lib/calls_fixtures.mjs';

let stack, worker, key, receiver;

/** A local receiver: records every request; `fail` makes it answer 500. */
async function startReceiver() {
  const r = { requests: [], fail: false };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.requests.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(r.fail ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(r.fail ? 'down' : 'ok');
    });
  });
  await new Promise((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = (path) => `http://127.0.0.1:${r.server.address().port}${path}`;
  r.at = (path) => r.requests.filter((q) => q.path === path);
  return r;
}

before(async () => {
  receiver = await startReceiver();
  // The receiver is plain http on loopback: allowed here only (both default to no).
  stack = await Stack.start({ config: '\nwebhook_url_allow_http = true\nwebhook_url_allow_private = true\n'
    + 'webhook_disable_after = 3\njob_backoff_ms = 10\nhttp_timeout_s = 5\n' });
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'hooks', '--role', 'admin']).stdout.trim();
  worker = stack.startWorker();
});

after(async () => {
  if (stack) await stack.stop();
  receiver?.server.close();
});

const verify = (secret, req) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(req.headers['switchboard-signature'] || '');
  assert.ok(m, `signature header: ${req.headers['switchboard-signature']}`);
  const want = createHmac('sha256', secret).update(`${m[1]}.${req.body}`).digest('hex');
  assert.equal(m[2], want, 'the signature verifies with the endpoint secret');
};

async function createEndpoint(path, events) {
  const res = await stack.api(key, 'POST', '/api/v1/admin/webhooks', { url: receiver.url(path), events, description: path });
  assert.equal(res.status, 201, res.body);
  return res.json().data;
}

test('an endpoint gets the events it asked for, signed; the secret is shown once', async () => {
  const ep = await createEndpoint('/all', ['deal.stage_changed', 'call.completed']);
  assert.match(ep.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.equal(ep.enabled, true);
  const shown = await stack.api(key, 'GET', `/api/v1/admin/webhooks/${ep.id}`);
  assert.equal(shown.status, 200);
  assert.ok(!shown.body.includes(ep.secret), 'the secret is never shown again');
  assert.ok(!(await stack.api(key, 'GET', '/api/v1/admin/webhooks')).body.includes(ep.secret));
  assert.equal(stack.one(`SELECT count(*) FROM webhook_endpoints WHERE secret_sealed LIKE '%${ep.secret.slice(6, 20)}%'`), '0',
    'stored sealed, not in clear');

  // a deal's stage changed through the API
  const org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Hook brand ${Date.now()}') RETURNING id`);
  const deal = stack.one(`INSERT INTO deals (org_id, title, brand_id, currency) VALUES ('${org}', 'Hooked', '${brand}', 'USD') RETURNING id`);
  const moved = await stack.api(key, 'PATCH', `/api/v1/deals/${deal}`, { stage: 'negotiating', version: 1 });
  assert.equal(moved.status, 200, moved.body);
  // a call that completed (as the webhook applier writes it)
  const [call] = insertCalls(stack, [{ status: 'completed' }]);
  insertCalls(stack, [{ status: 'no_answer' }]); // not an event

  await waitFor(() => receiver.at('/all').length >= 2, { what: 'two deliveries', timeoutMs: 30000 });
  const got = receiver.at('/all').map((q) => ({ q, json: JSON.parse(q.body) }));
  const stage = got.find((g) => g.json.type === 'deal.stage_changed');
  const done = got.find((g) => g.json.type === 'call.completed');
  assert.ok(stage && done, `types: ${got.map((g) => g.json.type)}`);
  assert.deepEqual({ id: stage.json.data.id, from: stage.json.data.from_stage, to: stage.json.data.to_stage },
    { id: deal, from: 'inbound', to: 'negotiating' });
  assert.equal(done.json.data.id, call);
  for (const { q, json } of [stage, done]) {
    verify(ep.secret, q);
    assert.equal(q.headers['content-type'], 'application/json');
    assert.equal(q.headers['switchboard-event'], json.type);
    assert.match(json.id, /^[0-9a-f-]{36}$/);
    assert.match(json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  await waitFor(async () => {
    const d = (await stack.api(key, 'GET', `/api/v1/admin/webhooks/${ep.id}`)).json().data.deliveries;
    return d.length === 2 && d.every((x) => x.status === 'delivered' && x.response_status === 200 && x.attempts === 1);
  }, { what: 'the delivery log to say delivered', timeoutMs: 30000 });
  assert.equal(receiver.at('/all').length, 2, 'nothing else was sent (the unanswered call is not an event)');
});

test('a failing endpoint is retried, then disabled; enabled again and redelivered, the same event arrives', async () => {
  const ep = await createEndpoint('/flaky', ['contact.opted_out']);
  receiver.fail = true;
  try {
    const made = await stack.api(key, 'POST', '/api/v1/contacts', { first_name: 'Hook', phone: '+14155557301' });
    assert.equal(made.status, 201, made.body);
    const out = await stack.api(key, 'PATCH', `/api/v1/contacts/${made.json().data.id}`, { opt_out: { sms: true } });
    assert.equal(out.status, 200, out.body);
    const off = await waitFor(async () => {
      const e = (await stack.api(key, 'GET', `/api/v1/admin/webhooks/${ep.id}`)).json().data;
      return !e.enabled && e;
    }, { what: 'the endpoint to be disabled', timeoutMs: 30000 });
    assert.match(off.disabled_reason, /3 failed attempts in a row.*HTTP 500/);
    assert.equal(receiver.at('/flaky').length, 3, 'three attempts, then no more');
    const [d] = off.deliveries;
    await waitFor(async () => (await stack.api(key, 'GET', `/api/v1/admin/webhooks/${ep.id}`)).json().data.deliveries[0].status === 'failed',
      { what: 'the delivery to be given up', timeoutMs: 30000 });
    assert.equal(d.event_type, 'contact.opted_out');

    const refused = await stack.api(key, 'POST', `/api/v1/admin/webhook-deliveries/${d.id}/redeliver`);
    assert.equal(refused.status, 409, 'no redelivery to a disabled endpoint');
  } finally {
    receiver.fail = false;
  }
  const on = await stack.api(key, 'PATCH', `/api/v1/admin/webhooks/${ep.id}`, { enabled: true });
  assert.equal(on.status, 200, on.body);
  assert.equal(on.json().data.consecutive_failures, 0);
  assert.equal(on.json().data.disabled_reason, '');
  const first = (await stack.api(key, 'GET', `/api/v1/admin/webhooks/${ep.id}`)).json().data.deliveries[0];
  const again = await stack.api(key, 'POST', `/api/v1/admin/webhook-deliveries/${first.id}/redeliver`);
  assert.equal(again.status, 202, again.body);
  await waitFor(() => receiver.at('/flaky').length === 4, { what: 'the redelivery', timeoutMs: 30000 });
  const bodies = receiver.at('/flaky').map((q) => JSON.parse(q.body));
  assert.equal(bodies[3].id, bodies[0].id, 'the same event id');
  assert.equal(bodies[3].data.channel, 'sms');
});

test('the pages: list, create with the secret shown once, validation, test event, delete after a confirmation', async () => {
  const admin = await stack.as('admin');
  const form = (fields, events) => {
    const p = new URLSearchParams({ csrf_token: admin.csrf, ...fields });
    for (const e of events) p.append('events', e);
    return admin.request('POST', '/admin/webhooks', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: p.toString() });
  };
  const bad = await form({ url: 'not a url', description: 'x' }, []);
  assert.equal(bad.status, 400);
  assert.match(bad.body, /id="webhook-errors"/);
  assert.match(bad.body, /must be an absolute https:\/\/ URL/);
  assert.match(bad.body, /must name at least one event/);
  assert.match(bad.body, /value="not a url"/, 'what was typed is kept');

  const made = await form({ url: receiver.url('/page'), description: 'From the page' }, ['payment.paid']);
  assert.equal(made.status, 201);
  const secret = /id="webhook-secret-value">([^<]+)</.exec(made.body)?.[1];
  assert.match(secret || '', /^whsec_/);
  const id = stack.one(`SELECT id FROM webhook_endpoints WHERE description = 'From the page'`);
  const page = await admin.get(`/admin/webhooks/${id}`);
  assert.equal(page.status, 200);
  assert.ok(!page.body.includes(secret), 'not shown twice');
  assert.match(page.body, /id="deliveries-empty"/);
  const list = await admin.get('/admin/webhooks');
  assert.equal(list.status, 200);
  assert.ok(list.body.includes(receiver.url('/page')));

  const sent = await admin.post(`/admin/webhooks/${id}/test`);
  assert.equal(sent.status, 303);
  await waitFor(() => receiver.at('/page').length === 1, { what: 'the test event', timeoutMs: 30000 });
  const ev = receiver.at('/page')[0];
  verify(secret, ev);
  assert.equal(JSON.parse(ev.body).type, 'webhook.test');

  assert.equal((await admin.post(`/admin/webhooks/${id}/test`, { csrf_token: null })).status, 403, 'CSRF');
  const confirm = await admin.get(`/admin/webhooks/${id}/delete`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /id="confirm-delete"/);
  assert.equal((await admin.post(`/admin/webhooks/${id}/delete`)).status, 303);
  assert.equal((await admin.get(`/admin/webhooks/${id}`)).status, 404);
  assert.equal(stack.one(`SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = '${id}'`), '0');
  assert.equal(stack.one(`SELECT count(*) FROM audit_log WHERE action LIKE 'webhook_endpoint.%' AND entity_id = '${id}'`), '3');
});

test('no private address unless allowed: the attempt is refused before connecting', async () => {
  await stack.stopWorker(worker);
  const strict = stack.startWorker({ SWITCHBOARD_WEBHOOK_URL_ALLOW_PRIVATE: 'false' });
  try {
    const ep = await createEndpoint('/private', ['payment.paid']);
    assert.equal((await stack.api(key, 'POST', `/api/v1/admin/webhooks/${ep.id}/test`)).status, 202);
    const d = await waitFor(async () => {
      const x = (await stack.api(key, 'GET', `/api/v1/admin/webhooks/${ep.id}`)).json().data.deliveries[0];
      return x?.attempts >= 1 && x;
    }, { what: 'an attempt', timeoutMs: 30000 });
    assert.match(d.last_error, /127\.0\.0\.1 is a loopback, private or link-local address/);
    assert.equal(receiver.at('/private').length, 0);
    await stack.api(key, 'DELETE', `/api/v1/admin/webhooks/${ep.id}`);
  } finally {
    await stack.stopWorker(strict);
    worker = stack.startWorker();
  }
});

test('admins only; other orgs\' endpoints are 404; bad JSON input names its fields', async () => {
  for (const role of ['manager', 'agent', 'viewer']) {
    const c = await stack.as(role);
    assert.equal((await c.get('/admin/webhooks')).status, 403, role);
  }
  const mgr = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'mgr-hooks', '--role', 'manager']).stdout.trim();
  assert.equal((await stack.api(mgr, 'GET', '/api/v1/admin/webhooks')).status, 403);

  const slug = otherOrg(stack);
  const theirs = stack.one(`INSERT INTO webhook_endpoints (org_id, url, events, secret_sealed)
    VALUES ((SELECT id FROM orgs WHERE slug = '${slug}'), 'https://example.com/x', '{payment.paid}', 'c2VhbGVk') RETURNING id`);
  assert.equal((await stack.api(key, 'GET', `/api/v1/admin/webhooks/${theirs}`)).status, 404);
  assert.equal((await stack.api(key, 'PATCH', `/api/v1/admin/webhooks/${theirs}`, { enabled: false })).status, 404);
  assert.equal((await stack.api(key, 'DELETE', `/api/v1/admin/webhooks/${theirs}`)).status, 404);
  assert.equal((await stack.api(key, 'POST', `/api/v1/admin/webhooks/${theirs}/test`)).status, 404);
  assert.ok(!(await stack.api(key, 'GET', '/api/v1/admin/webhooks')).body.includes(theirs));

  const bad = await stack.api(key, 'POST', '/api/v1/admin/webhooks', { url: 'ftp://example.com/x', events: ['nope'] });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields).sort(), ['events', 'url']);
  const none = await stack.api(key, 'POST', '/api/v1/admin/webhooks', { url: 'https://example.com/x', events: [] });
  assert.equal(none.status, 400);
  assert.match(none.json().error.fields.events, /at least one/);
});
