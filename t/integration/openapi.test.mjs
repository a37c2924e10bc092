// openapi.test.mjs — GET /api/v1/openapi.json (static/openapi.json) is kept true: the
// document parses, is OpenAPI 3.1 and every $ref resolves; its operations are exactly
// the /api/v1 routes of the route tables under src/app/ (a new endpoint without
// documentation fails here, and so does documentation of a route that is gone); every
// operation is called for real with an admin API key against fixture rows and must
// answer one of its documented statuses with a JSON body that validates against the
// documented schema; bad query parameters answer 400 with the Error schema; no
// credentials answer 401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack, REPO } from '../lib/stack.mjs';
import { insertCalls } from '../lib/calls_fixtures.mjs';

const DOC_PATH = '/api/v1/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let stack, key, adminSession, doc;
const ids = {};


// ---- a small JSON Schema validator: the subset the document uses ----

/** Resolves a local JSON pointer ("#/components/schemas/Call"); undefined if absent. */
function resolvePointer(root, ref) {
  if (!ref.startsWith('#/')) return undefined;
  let node = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

const deref = (node) => {
  while (node && node.$ref) node = resolvePointer(doc, node.$ref);
  return node;
};

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const typeMatches = (t, v) => t === typeOf(v) || (t === 'number' && typeOf(v) === 'integer');

const FORMATS = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/,
  uri: /^https?:\/\/\S+$/,
};

/** Returns a list of "path: problem" strings; empty when v validates against schema. */
function validate(schema, v, at = '$', errors = []) {
  if (schema === undefined) {
    errors.push(`${at}: unresolved schema`);
    return errors;
  }
  if (schema.$ref) {
    const target = resolvePointer(doc, schema.$ref);
    if (target === undefined) errors.push(`${at}: unresolved $ref ${schema.$ref}`);
    else validate(target, v, at, errors);
  }
  if (schema.allOf) for (const s of schema.allOf) validate(s, v, at, errors);
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((s) => validate(s, v, at).length === 0).length;
    if (passing !== 1) errors.push(`${at}: matches ${passing} of the oneOf schemas`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, v))) {
      errors.push(`${at}: ${JSON.stringify(v)} is not of type ${types.join('|')}`);
      return errors;
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === v)) errors.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof v === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(v)) errors.push(`${at}: "${v}" does not match ${schema.pattern}`);
    if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format].test(v)) errors.push(`${at}: "${v}" is not a ${schema.format}`);
    if (schema.minLength !== undefined && [...v].length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errors.push(`${at}: ${v} < ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum) errors.push(`${at}: ${v} > ${schema.maximum}`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) v.forEach((item, i) => validate(schema.items, item, `${at}[${i}]`, errors));
  }
  if (typeOf(v) === 'object') {
    for (const r of schema.required || []) if (!(r in v)) errors.push(`${at}: required property "${r}" is missing`);
    for (const [k, s] of Object.entries(schema.properties || {})) if (k in v) validate(s, v[k], `${at}.${k}`, errors);
  }
  return errors;
}

function assertValid(schema, value, what) {
  const errors = validate(schema, value);
  assert.deepEqual(errors, [], `${what}: ${errors.slice(0, 10).join('; ')}\n${JSON.stringify(value).slice(0, 2000)}`);
}

// ---- the document's operations ----

function operations() {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths))
    for (const m of METHODS)
      if (item[m]) ops.push({ method: m.toUpperCase(), path: p, op: item[m], params: [...(item.parameters || []), ...(item[m].parameters || [])].map(deref) });
  return ops;
}

/** The documented JSON schema of status for op (undefined if the status is not documented). */
function responseSchema(op, status) {
  const r = deref(op.responses[String(status)]);
  return r && r.content && r.content['application/json'] && r.content['application/json'].schema;
}

/** Calls op as documented and checks status, Content-Type and body; returns the body. */
async function check(label, op, res, { expect } = {}) {
  const documented = Object.keys(op.responses);
  assert.ok(documented.includes(String(res.status)), `${label}: status ${res.status} is not documented (${documented}): ${res.body.slice(0, 500)}`);
  if (expect !== undefined) assert.equal(res.status, expect, `${label}: ${res.body.slice(0, 500)}`);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/, `${label}: Content-Type`);
  let body;
  assert.doesNotThrow(() => (body = JSON.parse(res.body)), `${label}: body is not JSON`);
  const schema = responseSchema(op, res.status);
  assert.ok(schema, `${label}: no schema documented for ${res.status}`);
  assertValid(schema, body, `${label} → ${res.status}`);
  return body;
}

// ---- fixtures ----

before(async () => {
  stack = await Stack.start();
  const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'docs', '--role', 'admin']);
  assert.equal(r.status, 0, r.stderr);
  key = r.stdout.trim();
  adminSession = await stack.as('admin');

  const org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  ids.org = org;
  const transcript = [
    { t_ms: 0, speaker: 'agent', text: 'Hello, Switchboard.', confidence: 0.98 },
    { t_ms: 1500, speaker: 'caller', text: 'Hi, about the launch.', confidence: 0.91 },
  ];
  [ids.call, ids.relatedCall, ids.freshCall] = insertCalls(stack, [
    {
      caller_name: 'Docs Caller', sentiment_score: 0.6, sentiment_label: 'positive', transcript, summary: 'Launch talk',
      ended_reason: 'customer-ended-call', action_items: ['Send the brief'], ended_at: '2024-05-01T12:01:00Z',
      recording_status: 'stored', recording_path: `${org}/docs.mp3`, recording_content_type: 'audio/mpeg',
    },
    { started_at: '2024-04-30T10:00:00Z', status: 'no_answer', duration_s: 0 },
    { caller_name: 'To be deleted' },
  ]);

  ids.brand = stack.one(`INSERT INTO brands (org_id, name, aliases, contacts) VALUES ('${org}', 'Docs Brand', '{DB}',
    '[{"name":"Pat","email":"pat@example.com"}]') RETURNING id`);
  const deal = (title, extra = '') =>
    stack.one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, contract_status, tags${extra ? ', deleted_at' : ''})
         VALUES ('${org}', '${title}', '${ids.brand}', 'contracted', 'USD', 500000, 'signed', '{docs}'${extra}) RETURNING id`);
  ids.deal = deal('Docs deal');
  ids.freshDeal = deal('Docs deal to delete');
  ids.deletedDeal = deal('Docs deal to restore', ', now()');
  ids.termsDeal = stack.one(`UPDATE deals SET deal_type = 'hybrid' WHERE id = '${deal('Docs terms deal')}' RETURNING id`);
  const contact = (phone) => stack.one(`INSERT INTO contacts (org_id, first_name, last_name, phone, tags)
    VALUES ('${org}', 'Docs', 'Contact', '${phone}', '{docs}') RETURNING id`);
  ids.contact = contact('+14155550911');
  ids.freshContact = contact('+14155550912');
  // Erased by the privacy operation (its example confirms with ERASE: the contact has no name).
  ids.eraseContact = stack.one(`INSERT INTO contacts (org_id, phone) VALUES ('${org}', '+14155550913') RETURNING id`);
  // Campaigns in the status each operation needs (the audience: the contacts tagged docs).
  const campaign = (status) => stack.one(`INSERT INTO campaigns (org_id, name, channels, audience_tag, sms_body, status)
    VALUES ('${org}', 'Docs campaign', '{sms}', 'docs', 'Hi {{first_name}}', '${status}') RETURNING id`);
  ids.campaign = campaign('draft');
  ids.freshCampaign = campaign('draft');
  ids.launchCampaign = campaign('draft');
  ids.pauseCampaign = campaign('running');
  ids.resumeCampaign = campaign('paused');
  ids.cancelCampaign = campaign('running');
  ids.deliverable = stack.one(`INSERT INTO deliverables (org_id, deal_id, platform, type, scheduled_at)
    VALUES ('${org}', '${ids.deal}', 'instagram', 'reel', now() + interval '3 days') RETURNING id`);
  // Admin pages: users (one per destructive operation), a session, a key to revoke.
  const user = (email) => {
    const r = stack.cli(['user', 'add', '--org', 'demo', '--email', email, '--role', 'viewer', '--password-stdin'], { input: 'docs user password\n' });
    assert.equal(r.status, 0, r.stderr);
    return stack.one(`SELECT id FROM users WHERE email = '${email}'`);
  };
  ids.user = user('docs.user@demo.test');
  ids.disableUser = user('docs.disable@demo.test');
  ids.sessionUser = user('docs.session@demo.test');
  ids.admin = stack.one("SELECT id FROM users WHERE email = 'admin@demo.test'");
  const sessionClient = stack.client();
  assert.equal((await sessionClient.login('docs.session@demo.test', 'docs user password')).status, 303);
  ids.session = stack.one(`SELECT id FROM sessions WHERE user_id = '${ids.sessionUser}'`);
  ids.apiKey = stack.one(`SELECT id FROM api_keys WHERE name = 'docs'`);
  stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'docs-revoked', '--role', 'viewer']);
  ids.revokeKey = stack.one(`SELECT id FROM api_keys WHERE name = 'docs-revoked'`);
  [ids.note, ids.freshNote] = ['Call the brand', 'Delete me'].map((body) => stack.one(`INSERT INTO deal_notes
    (org_id, deal_id, author_name, body) VALUES ('${org}', '${ids.deal}', 'Docs script', '${body}') RETURNING id`));
  ids.payment = stack.one(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
    VALUES ('${org}', '${ids.deal}', 'deposit', 100000, 'USD', current_date + 10) RETURNING id`);
  // Outbound webhook endpoints (no worker runs here: nothing is sent) and a delivery.
  const endpoint = () => stack.one(`INSERT INTO webhook_endpoints (org_id, url, events, secret_sealed)
    VALUES ('${org}', 'https://example.com/docs-hooks', '{payment.paid}', 'c2VhbGVk') RETURNING id`);
  ids.webhook = endpoint();
  ids.freshWebhook = endpoint();
  ids.webhookDelivery = stack.one(`INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event_type, body, attempts,
    response_status, last_attempt_at) VALUES ('${org}', '${ids.webhook}', gen_random_uuid(), 'payment.paid', '{}', 1, 500, now())
    RETURNING id`);
  // Alert rules and channels (no worker: nothing is evaluated or sent).
  const alertRule = () => stack.one(`INSERT INTO alert_rules (org_id, metric, threshold, window_minutes, cooldown_minutes)
    VALUES ('${org}', 'queue_age', 300, 5, 60) RETURNING id`);
  ids.alertRule = alertRule();
  ids.freshAlertRule = alertRule();
  const alertChannel = () => stack.one(`INSERT INTO alert_channels (org_id, kind, name, target)
    VALUES ('${org}', 'email', 'Docs on call', 'oncall@example.com') RETURNING id`);
  ids.alertChannel = alertChannel();
  ids.freshAlertChannel = alertChannel();
  const deadJob = () => stack.one(`INSERT INTO jobs (org_id, kind, status, attempts, max_attempts, last_error, payload)
    VALUES ('${org}', 'campaign_send', 'dead', 5, 5, 'HTTP 500', '{"message_id": 1}') RETURNING id`);
  ids.retryJob = deadJob();
  ids.discardJob = deadJob();

  const res = await stack.request('GET', DOC_PATH);
  assert.equal(res.status, 200, res.body.slice(0, 300));
  doc = JSON.parse(res.body);
});

after(async () => {
  if (stack) await stack.stop();
});

// ---- the document itself ----

test('the document is served over HTTPS as JSON, without credentials, and is OpenAPI 3.1', async () => {
  const res = await stack.request('GET', DOC_PATH);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json\b/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(res.headers['strict-transport-security'] || '', /max-age=/);
  assert.ok(res.headers['x-request-id'], 'X-Request-Id');
  const d = JSON.parse(res.body);
  assert.match(d.openapi, /^3\.1/);
  assert.ok(d.info && d.info.title && d.info.version, 'info');
  assert.deepEqual(d.servers, [{ url: '/' }]);
  assert.deepEqual(d.components.securitySchemes.bearerAuth, { ...d.components.securitySchemes.bearerAuth, type: 'http', scheme: 'bearer' });
  assert.deepEqual(d.components.securitySchemes.cookieAuth, { ...d.components.securitySchemes.cookieAuth, type: 'apiKey', in: 'cookie', name: '__Host-sb_session' });
  // The same bytes as the file in the repository (nginx serves it, nothing rewrites it).
  assert.equal(res.body, readFileSync(path.join(REPO, 'static/openapi.json'), 'utf8'));
});

test('every $ref in the document resolves', () => {
  const bad = [];
  let count = 0;
  const walk = (node, at) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}[${i}]`));
    else if (node && typeof node === 'object') {
      if (typeof node.$ref === 'string') {
        count++;
        if (resolvePointer(doc, node.$ref) === undefined) bad.push(`${at}: ${node.$ref}`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${at}.${k}`);
    }
  };
  walk(doc, '$');
  assert.ok(count > 50, `only ${count} $refs`);
  assert.deepEqual(bad, []);
});

test('the documented operations are exactly the /api/v1 routes of the route tables under src/app/', () => {
  const appDir = path.join(REPO, 'src/app');
  const src = readdirSync(appDir, { recursive: true }).filter((f) => f.endsWith('.c'))
    .map((f) => readFileSync(path.join(appDir, f), 'utf8')).join('\n');
  const routes = new Set();
  for (const m of src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)"\s*,\s*"(\/api\/v1\/[^"]*)"/g)) routes.add(`${m[1]} ${m[2]}`);
  assert.ok(routes.size >= 20, `parsed only ${routes.size} routes`);
  const documented = new Set(operations().filter((o) => o.path !== DOC_PATH).map((o) => `${o.method} ${o.path}`));
  const undocumented = [...routes].filter((r) => !documented.has(r)).sort();
  const stale = [...documented].filter((r) => !routes.has(r)).sort();
  assert.deepEqual({ undocumented, stale }, { undocumented: [], stale: [] });
});

test('every operation is well formed: operationId, 401, a JSON 2xx schema, path parameters declared, request examples valid', () => {
  const seen = new Set();
  for (const { method, path: p, op, params } of operations()) {
    const label = `${method} ${p}`;
    assert.ok(op.operationId && !seen.has(op.operationId), `${label}: unique operationId`);
    seen.add(op.operationId);
    assert.ok(op.responses['401'], `${label}: documents 401`);
    const ok = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
    assert.equal(ok.length, 1, `${label}: one success status`);
    assert.ok(responseSchema(op, ok[0]), `${label}: success schema`);
    for (const [s, r] of Object.entries(op.responses))
      if (/^[45]/.test(s)) assert.equal(deref(responseSchema(op, s)), doc.components.schemas.Error, `${label} ${s}: Error schema`);
    const pathNames = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const n of pathNames) assert.ok(params.some((x) => x.in === 'path' && x.name === n && x.required), `${label}: path parameter ${n}`);
    for (const q of params) assert.ok(q.schema && (q.in !== 'path' || pathNames.includes(q.name)), `${label}: parameter ${q.name}`);
    if (['POST', 'PATCH', 'PUT'].includes(method) && op.requestBody) {
      const media = deref(op.requestBody).content['application/json'];
      assert.ok(media && media.schema && media.example !== undefined, `${label}: JSON request body with an example`);
      assertValid(media.schema, media.example, `${label} request example`);
    }
  }
});

// ---- every operation, for real ----

/** The fixture id each {id} stands for (destructive operations get their own row). */
function fixtureId(method, p) {
  const table = {
    'GET /api/v1/calls/{id}': ids.call,
    'DELETE /api/v1/calls/{id}': ids.freshCall,
    'GET /api/v1/calls/{id}/recording-url': ids.call,
    'GET /api/v1/deals/{id}': ids.deal,
    'PATCH /api/v1/deals/{id}': ids.deal,
    'DELETE /api/v1/deals/{id}': ids.freshDeal,
    'POST /api/v1/deals/{id}/restore': ids.deletedDeal,
    'GET /api/v1/deals/{id}/deliverables': ids.deal,
    'POST /api/v1/deals/{id}/deliverables': ids.deal,
    'POST /api/v1/deals/{id}/payments': ids.deal,
    'GET /api/v1/deals/{id}/notes': ids.deal,
    'POST /api/v1/deals/{id}/notes': ids.deal,
    'PATCH /api/v1/deal-notes/{id}': ids.note,
    'DELETE /api/v1/deal-notes/{id}': ids.freshNote,
    'GET /api/v1/deals/{id}/installments': ids.deal,
    'GET /api/v1/deals/{id}/terms': ids.termsDeal,
    'PATCH /api/v1/deals/{id}/terms': ids.termsDeal,
    'POST /api/v1/deals/{id}/bonus/earned': ids.termsDeal,
    'DELETE /api/v1/deals/{id}/bonus/earned': ids.termsDeal,
    'POST /api/v1/deals/{id}/installments': ids.deal,
    'GET /api/v1/brands/{id}': ids.brand,
    'PATCH /api/v1/brands/{id}': ids.brand,
    'GET /api/v1/deliverables/{id}': ids.deliverable,
    'PATCH /api/v1/deliverables/{id}': ids.deliverable,
    'GET /api/v1/contacts/{id}': ids.contact,
    'PATCH /api/v1/contacts/{id}': ids.contact,
    'DELETE /api/v1/contacts/{id}': ids.freshContact,
    'GET /api/v1/payments/{id}': ids.payment,
    'PATCH /api/v1/payments/{id}': ids.payment,
    'GET /api/v1/campaigns/{id}': ids.campaign,
    'PATCH /api/v1/campaigns/{id}': ids.campaign,
    'DELETE /api/v1/campaigns/{id}': ids.freshCampaign,
    'POST /api/v1/campaigns/{id}/launch': ids.launchCampaign,
    'POST /api/v1/campaigns/{id}/pause': ids.pauseCampaign,
    'POST /api/v1/campaigns/{id}/resume': ids.resumeCampaign,
    'POST /api/v1/campaigns/{id}/cancel': ids.cancelCampaign,
    'GET /api/v1/campaigns/{id}/stats': ids.launchCampaign,
    'GET /api/v1/campaigns/{id}/replies': ids.launchCampaign,
    'GET /api/v1/admin/webhooks/{id}': ids.webhook,
    'PATCH /api/v1/admin/webhooks/{id}': ids.webhook,
    'DELETE /api/v1/admin/webhooks/{id}': ids.freshWebhook,
    'POST /api/v1/admin/webhooks/{id}/test': ids.webhook,
    'POST /api/v1/admin/webhook-deliveries/{id}/redeliver': ids.webhookDelivery,
    'GET /api/v1/admin/alerts/rules/{id}': ids.alertRule,
    'PATCH /api/v1/admin/alerts/rules/{id}': ids.alertRule,
    'DELETE /api/v1/admin/alerts/rules/{id}': ids.freshAlertRule,
    'GET /api/v1/admin/alerts/channels/{id}': ids.alertChannel,
    'PATCH /api/v1/admin/alerts/channels/{id}': ids.alertChannel,
    'DELETE /api/v1/admin/alerts/channels/{id}': ids.freshAlertChannel,
    'POST /api/v1/admin/alerts/channels/{id}/test': ids.alertChannel,
    'GET /api/v1/admin/users/{id}': ids.user,
    'GET /api/v1/admin/users/{id}/sessions': ids.sessionUser,
    'POST /api/v1/admin/users/{id}/role': ids.user,
    'POST /api/v1/admin/users/{id}/disable': ids.disableUser,
    'POST /api/v1/admin/users/{id}/enable': ids.user,
    'POST /api/v1/admin/users/{id}/reset-link': ids.user,
    'POST /api/v1/admin/users/{id}/sessions/{sid}/revoke': ids.sessionUser,
    'POST /api/v1/admin/api-keys/{id}/revoke': ids.revokeKey,
    'POST /api/v1/admin/jobs/{id}/retry': ids.retryJob,
    'POST /api/v1/admin/jobs/{id}/discard': ids.discardJob,
    'GET /api/v1/admin/privacy/contacts/{id}/export': ids.contact,
    'GET /api/v1/admin/privacy/users/{id}/export': ids.user,
    'POST /api/v1/admin/privacy/contacts/{id}/erase': ids.eraseContact,
  };
  const id = table[`${method} ${p}`];
  assert.ok(id, `no fixture for ${method} ${p}: add one to fixtureId()`);
  return id;
}

/** p with {id} (the fixture's, or id) and {sid} (the fixture session, or sid) filled in. */
function fill(method, p, id, sid) {
  let url = p.includes('{id}') ? p.replace('{id}', id === undefined ? fixtureId(method, p) : id) : p;
  return url.replace('{sid}', sid === undefined ? ids.session : sid);
}

/** Account operations act for a signed-in user: an API key gets a documented 400. */
const accountOnly = (p) => p === '/api/v1/me/name' || p.startsWith('/api/v1/account/');

/** The documented example with the fixture's references filled in (brand_id, version). */
async function bodyFor(method, p, op, url) {
  if (!op.requestBody) return undefined;
  const body = structuredClone(deref(op.requestBody).content['application/json'].example);
  if ('brand_id' in body) body.brand_id = ids.brand;
  if (method === 'PATCH' && 'version' in body) {
    const cur = await stack.api(key, 'GET', url);
    assert.equal(cur.status, 200, `GET ${url} for its version`);
    body.version = JSON.parse(cur.body).data.version;
  }
  return body;
}

test('every documented operation answers as documented (admin API key)', async () => {
  const done = [];
  for (const { method, path: p, op } of operations()) {
    if (p === DOC_PATH) continue;
    const url = fill(method, p);
    const body = await bodyFor(method, p, op, url);
    const res = await stack.api(key, method, url, body);
    const success = Number(Object.keys(op.responses).find((s) => /^2/.test(s)));
    // An API key has no user whose name could change: that one is a documented 400
    // (and is called with a session below).
    const expect = accountOnly(p) ? 400 : success;
    await check(`${method} ${url}`, op, res, { expect });
    done.push(`${method} ${p}`);
  }
  assert.ok(done.length >= 20, `called ${done.length}`);
});

test('POST /api/v1/me/name answers as documented for a session with the CSRF header', async () => {
  const op = doc.paths['/api/v1/me/name'].post;
  const example = op.requestBody.content['application/json'].example;
  const res = await adminSession.request('POST', '/api/v1/me/name', {
    headers: { 'content-type': 'application/json', 'x-csrf-token': adminSession.csrf },
    body: JSON.stringify(example),
  });
  const body = await check('POST /api/v1/me/name (session)', op, res, { expect: 200 });
  assert.equal(body.data.name, example.name);
  const me = await adminSession.get('/api/v1/me');
  await check('GET /api/v1/me (session)', doc.paths['/api/v1/me'].get, me, { expect: 200 });
});

test('the fixtures make the detail answers non-trivial (schemas checked against real content)', async () => {
  const call = JSON.parse((await stack.api(key, 'GET', `/api/v1/calls/${ids.call}`)).body).data;
  assert.equal(call.transcript.length, 2);
  assert.ok(call.related_calls.length >= 1, 'related calls');
  const deal = JSON.parse((await stack.api(key, 'GET', `/api/v1/deals/${ids.deal}`)).body).data;
  assert.ok(deal.deliverables.length >= 1 && deal.payments.length >= 1, JSON.stringify(deal).slice(0, 500));
  const list = JSON.parse((await stack.api(key, 'GET', '/api/v1/calls?limit=1')).body);
  assert.equal(typeof list.next_cursor, 'string', 'a second page exists');
  const page2 = await stack.api(key, 'GET', `/api/v1/calls?limit=1&cursor=${encodeURIComponent(list.next_cursor)}`);
  await check('GET /api/v1/calls page 2', doc.paths['/api/v1/calls'].get, page2, { expect: 200 });
});

// ---- bad input and no credentials ----

/** A value the parameter's documented schema rejects, or undefined. */
function invalidValue(schema) {
  const s = deref(schema);
  if (s.$ref) return invalidValue(s);
  if (s.enum) return s.type === 'integer' ? 7 : 'not-a-valid-value';
  if (s.type === 'integer') return s.maximum !== undefined ? s.maximum + 1 : 'x1';
  if (s.format === 'uuid' || s.format === 'date') return 'not-a-valid-value';
  if (s.pattern) return 'not-a-valid-value';
  if (s.maxLength !== undefined) return 'x'.repeat(s.maxLength + 1);
  return undefined;
}

test('an invalid documented query parameter answers 400 with the Error schema', async () => {
  let checked = 0;
  const listsChecked = new Set();
  for (const { method, path: p, op, params } of operations()) {
    if (method !== 'GET') continue;
    for (const q of params.filter((x) => x.in === 'query')) {
      const bad = invalidValue(q.schema);
      if (bad === undefined) continue;
      const url = `${p}?${q.name}=${encodeURIComponent(bad)}`;
      const res = await stack.api(key, 'GET', url);
      const label = `GET ${url}`;
      assert.equal(res.status, 400, `${label}: ${res.body.slice(0, 300)}`);
      const body = await check(label, op, res, { expect: 400 });
      assert.equal(body.error.code, 'invalid', label);
      assert.ok(q.name in body.error.fields, `${label}: error.fields names ${q.name}: ${res.body}`);
      checked++;
      if (/List|list/.test(op.operationId)) listsChecked.add(p);
    }
  }
  assert.deepEqual([...listsChecked].sort(), ['/api/v1/admin/api-keys', '/api/v1/admin/audit', '/api/v1/admin/users',
    '/api/v1/brands', '/api/v1/calls', '/api/v1/campaigns', '/api/v1/campaigns/{id}/replies', '/api/v1/contacts', '/api/v1/deals',
    '/api/v1/deals/deleted']);
  assert.ok(checked >= 20, `checked ${checked}`);
});

test('an invalid request body answers 400 with the Error schema', async () => {
  const cases = [
    ['POST', '/api/v1/deals', '/api/v1/deals', { title: '', brand_id: 'nope' }],
    ['POST', '/api/v1/brands', '/api/v1/brands', { name: '' }],
    ['POST', '/api/v1/deals/{id}/deliverables', `/api/v1/deals/${ids.deal}/deliverables`, { platform: 'myspace', type: 'reel' }],
    ['POST', '/api/v1/deals/{id}/payments', `/api/v1/deals/${ids.deal}/payments`, { kind: 'gift', amount: '1' }],
    ['POST', '/api/v1/fx-rates', '/api/v1/fx-rates', { base: 'EUR', quote: 'EUR', rate: '0', as_of: 'soon' }],
    ['POST', '/api/v1/campaigns', '/api/v1/campaigns', { name: '', channels: ['fax'], audience: { tag: 'docs' } }],
  ];
  for (const [method, p, url, body] of cases) {
    const op = doc.paths[p][method.toLowerCase()];
    const res = await stack.api(key, method, url, body);
    const out = await check(`${method} ${url}`, op, res, { expect: 400 });
    assert.ok(Object.keys(out.error.fields).length > 0, `${method} ${url}: fields named`);
  }
});

/** The `required` names of a schema, through $ref and allOf. */
function requiredOf(schema) {
  const s = deref(schema);
  return [...(s.required || []), ...(s.allOf || []).flatMap(requiredOf)];
}

test('each documented required body field is required: the example without it answers 400 naming it', async () => {
  let checked = 0;
  for (const { method, path: p, op } of operations()) {
    // An API key is refused before the body is read (it has no user name to change).
    if (!op.requestBody || accountOnly(p)) continue;
    const url = fill(method, p);
    for (const field of requiredOf(deref(op.requestBody).content['application/json'].schema)) {
      const body = await bodyFor(method, p, op, url);
      delete body[field];
      const res = await stack.api(key, method, url, body);
      const label = `${method} ${url} without ${field}`;
      const out = await check(label, op, res, { expect: 400 });
      assert.ok(field in out.error.fields, `${label}: error.fields names it: ${res.body}`);
      checked++;
    }
  }
  assert.ok(checked >= 12, `checked ${checked}`);
});

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

test('every operation documenting 404 answers it for an unknown id', async () => {
  for (const { method, path: p, op } of operations()) {
    if (!op.responses['404'] || !p.includes('{id}')) continue;
    const url = fill(method, p, NO_SUCH_ID, NO_SUCH_ID);
    const body = op.requestBody ? structuredClone(deref(op.requestBody).content['application/json'].example) : undefined;
    const out = await check(`${method} ${url}`, op, await stack.api(key, method, url, body), { expect: 404 });
    assert.equal(out.error.code, 'not_found');
  }
});

test('every operation documenting 409 answers it for a stale version or an illegal move', async () => {
  for (const { method, path: p, op } of operations()) {
    if (!op.responses['409']) continue;
    // A live deal cannot be restored; the PATCHes get a version the row never had; the
    // campaign actions' fixtures were moved by the test above to a status that refuses
    // the same action again (a second launch, pause, resume, cancel); a launched
    // campaign cannot be deleted.
    const campaignMove = /^\/api\/v1\/campaigns\/\{id\}(\/(launch|pause|resume|cancel))?$/.test(p) && method !== 'PATCH';
    // The org's last active admin cannot be demoted or disabled; a link for a user
    // disabled by the test above is refused.
    const lastAdmin = p === '/api/v1/admin/users/{id}/role' || p === '/api/v1/admin/users/{id}/disable';
    if (lastAdmin || p === '/api/v1/admin/users/{id}/reset-link') {
      const target = lastAdmin ? ids.admin : ids.disableUser;
      const res = await stack.api(key, method, fill(method, p, target), lastAdmin ? { role: 'viewer' } : undefined);
      assert.equal((await check(`${method} ${p} (409 case)`, op, res, { expect: 409 })).error.code, 'conflict');
      continue;
    }
    const url = p.replace('{id}', p === '/api/v1/deals/{id}/restore' ? ids.deal
      : method === 'DELETE' && campaignMove ? ids.launchCampaign : fixtureId(method, p));
    let res;
    if (method === 'PATCH') {
      const body = await bodyFor(method, p, op, url);
      body.version += 1000;
      res = await stack.api(key, method, url, body);
    } else if (p === '/api/v1/admin/webhook-deliveries/{id}/redeliver') {
      // no redelivery to a disabled endpoint
      stack.sql(`UPDATE webhook_endpoints SET enabled = false WHERE id = '${ids.webhook}'`);
      res = await stack.api(key, method, url);
      stack.sql(`UPDATE webhook_endpoints SET enabled = true WHERE id = '${ids.webhook}'`);
    } else if (p === '/api/v1/admin/privacy/contacts/{id}/erase') {
      // erased by the test above: erasing again is refused
      res = await stack.api(key, method, url, { confirm: 'ERASE' });
    } else if (p === '/api/v1/deals/{id}/bonus/earned') {
      // The second of two marks (or of two unmarks) is refused.
      await stack.api(key, method, url, method === 'POST' ? {} : undefined);
      res = await stack.api(key, method, url, method === 'POST' ? {} : undefined);
    } else if (p === '/api/v1/deals/{id}/installments') {
      // A deal with a schedule already, and no replace: the second of two is refused.
      const body = { ...deref(op.requestBody).content['application/json'].example, replace: false };
      await stack.api(key, method, url, body);
      res = await stack.api(key, method, url, body);
    } else {
      assert.ok(p === '/api/v1/deals/{id}/restore' || campaignMove, `${method} ${p}: no 409 case known; add one here`);
      res = await stack.api(key, method, url);
    }
    const out = await check(`${method} ${url}`, op, res, { expect: 409 });
    assert.equal(out.error.code, 'conflict');
  }
  // An illegal stage move names the allowed ones.
  const cur = JSON.parse((await stack.api(key, 'GET', `/api/v1/deals/${ids.deal}`)).body).data;
  const res = await stack.api(key, 'PATCH', `/api/v1/deals/${ids.deal}`, { version: cur.version, stage: 'paid' });
  const out = await check('PATCH deal to an illegal stage', doc.paths['/api/v1/deals/{id}'].patch, res, { expect: 409 });
  assert.ok(out.error.fields.allowed_moves, res.body);
});

test('every operation documenting 403 answers it to a viewer key (or a session without the CSRF header)', async () => {
  const viewerKey = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'docs-viewer', '--role', 'viewer']).stdout.trim();
  for (const { method, path: p, op } of operations()) {
    if (!op.responses['403']) continue;
    const url = fill(method, p);
    const body = op.requestBody ? structuredClone(deref(op.requestBody).content['application/json'].example) : undefined;
    let res;
    if (accountOnly(p)) {
      res = await adminSession.request(method, url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } else {
      res = await stack.api(viewerKey, method, url, body);
    }
    const out = await check(`${method} ${url} (viewer)`, op, res, { expect: 403 });
    assert.equal(out.error.code, 'forbidden');
  }
});

test('without credentials every operation answers 401 with the Error schema', async () => {
  for (const { method, path: p, op } of operations()) {
    if (p === DOC_PATH) continue;
    const url = fill(method, p, NO_SUCH_ID, NO_SUCH_ID);
    const res = await stack.request(method, url, method === 'GET' || method === 'DELETE' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' });
    await check(`${method} ${url} (anonymous)`, op, res, { expect: 401 });
  }
});
