// calls_list.test.mjs — GET /calls and GET /api/v1/calls: every filter alone and
// combined, bad values (400 naming the field, HTML and JSON), keyset pagination
// (no duplicates or gaps, stable under inserts), sorts, demo calls, the empty
// state, roles, API keys, and another org's calls never showing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, clearCalls, otherOrg } from '../lib/calls_fixtures.mjs';

let stack, admin, viewer;
const ids = {};

before(async () => {
  stack = await Stack.start();
  admin = await stack.as('admin');
  viewer = await stack.as('viewer');
  otherOrg(stack);
  clearCalls(stack);
  stack.sql("UPDATE orgs SET timezone = 'America/New_York' WHERE slug = 'demo'");
  const camp = '0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11';
  const rows = [
    { key: 'alice', direction: 'inbound', from_number: '+14155550100', to_number: '+18005550000', caller_name: 'Alice Martin',
      status: 'completed', started_at: '2024-05-01T13:00:00Z', duration_s: 125, sentiment_score: 0.8, sentiment_label: 'positive',
      recording_status: 'stored', transcript: [{ t_ms: 0, speaker: 'caller', text: 'I would like a refund for my order', confidence: 0.9 }] },
    { key: 'bob', direction: 'outbound', from_number: '+18005550000', to_number: '+442079460958', caller_name: 'Bob 50% O_Brien',
      status: 'no_answer', started_at: '2024-05-02T03:30:00Z', duration_s: 0, sentiment_label: 'neutral', sentiment_score: 0 },
    { key: 'carol', direction: 'inbound', from_number: '+13125550199', to_number: '+18005550000', caller_name: 'carol ALICEson',
      status: 'busy', started_at: '2024-05-03T15:00:00Z', duration_s: 30, sentiment_label: 'negative', sentiment_score: -0.6,
      campaign_id: camp, transcript: [{ t_ms: 500, speaker: 'agent', text: 'Your delivery is delayed, sorry' }] },
    { key: 'dave', direction: 'outbound', from_number: '+18005550000', to_number: '+14155550100', caller_name: 'Dave',
      status: 'completed', started_at: '2024-05-04T12:00:00Z', duration_s: 3600, campaign_id: camp, recording_status: 'stored' },
    { key: 'demo', direction: 'inbound', from_number: '+14155550111', caller_name: 'Demo Person', is_demo: true,
      status: 'completed', started_at: '2024-05-05T12:00:00Z', duration_s: 90 },
    { key: 'deleted', direction: 'inbound', caller_name: 'Deleted Person', started_at: '2024-05-05T13:00:00Z',
      deleted_at: '2024-05-06T00:00:00Z' },
  ];
  const got = insertCalls(stack, rows.map(({ key, ...r }) => r));
  rows.forEach((r, i) => (ids[r.key] = got[i]));
  ids.other = insertCalls(stack, [{ caller_name: 'Alice Elsewhere', from_number: '+14155550100', started_at: '2024-05-01T14:00:00Z' }], 'other')[0];
});

after(async () => {
  if (stack) await stack.stop();
});

/** GET /api/v1/calls?qs in a signed-in session (admin's unless another client is given). */
const listCalls = (qs, client = admin) => client.get(`/api/v1/calls${qs ? '?' + qs : ''}`);
const names = (res) => res.json().data.map((c) => c.caller_name);

test('the JSON list has exactly the documented fields, newest first, demo and deleted hidden', async () => {
  const res = await listCalls('');
  assert.equal(res.status, 200);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['data', 'next_cursor']);
  assert.equal(body.next_cursor, null);
  assert.deepEqual(names(res), ['Dave', 'carol ALICEson', 'Bob 50% O_Brien', 'Alice Martin']);
  const alice = body.data[3];
  assert.deepEqual(Object.keys(alice).sort(), ['caller_name', 'campaign_id', 'contact_id', 'created_at', 'direction', 'duration_s',
    'ended_at', 'from_number', 'has_recording', 'id', 'provider', 'provider_call_id', 'sentiment_label', 'sentiment_score',
    'started_at', 'status', 'to_number'].sort());
  assert.equal(alice.id, ids.alice);
  assert.equal(alice.started_at, '2024-05-01T13:00:00Z');
  assert.equal(alice.ended_at, null);
  assert.equal(alice.duration_s, 125);
  assert.equal(alice.sentiment_score, 0.8);
  assert.equal(alice.has_recording, true);
  assert.equal(alice.contact_id, null);
  assert.match(alice.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

const filterCases = [
  ['direction=inbound', ['carol ALICEson', 'Alice Martin']],
  ['direction=outbound', ['Dave', 'Bob 50% O_Brien']],
  ['status=completed', ['Dave', 'Alice Martin']],
  ['status=busy,no_answer', ['carol ALICEson', 'Bob 50% O_Brien']],
  ['phone=(415)+555-0100', ['Dave', 'Alice Martin']],
  ['phone=415.555.0100', ['Dave', 'Alice Martin']],
  ['phone=%2B44+20+7946+0958', ['Bob 50% O_Brien']],
  ['name=alice', ['carol ALICEson', 'Alice Martin']],
  ['name=50%25', ['Bob 50% O_Brien']],
  ['name=O_B', ['Bob 50% O_Brien']],
  ['name=_', ['Bob 50% O_Brien']],
  ['sentiment=negative', ['carol ALICEson']],
  ['min_duration=30', ['Dave', 'carol ALICEson', 'Alice Martin']],
  ['max_duration=30', ['carol ALICEson', 'Bob 50% O_Brien']],
  ['min_duration=30&max_duration=30', ['carol ALICEson']],
  ['has_recording=true', ['Dave', 'Alice Martin']],
  ['has_recording=false', ['carol ALICEson', 'Bob 50% O_Brien']],
  ['campaign_id=0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11', ['Dave', 'carol ALICEson']],
  ['q=refund', ['Alice Martin']],
  ['q=delays', ['carol ALICEson']], // stemming: "delayed" matches "delays"
  ['q=refund+OR+delayed', ['carol ALICEson', 'Alice Martin']],
  // Days are in the org's zone (America/New_York): Bob at 03:30Z on 2 May is 1 May there.
  ['start_date=2024-05-02&end_date=2024-05-02', []],
  ['start_date=2024-05-01&end_date=2024-05-01', ['Bob 50% O_Brien', 'Alice Martin']],
  ['start_date=2024-05-03', ['Dave', 'carol ALICEson']],
  ['end_date=2024-05-01', ['Bob 50% O_Brien', 'Alice Martin']],
  ['start_date=2024-05-02T03:30:00Z&end_date=2024-05-03T15:00:00Z', ['Bob 50% O_Brien']],
  ['start_date=2024-05-01T09:00', ['Dave', 'carol ALICEson', 'Bob 50% O_Brien', 'Alice Martin']],
  ['start_date=2024-05-01T09:01', ['Dave', 'carol ALICEson', 'Bob 50% O_Brien']],
  ['include_demo=true', ['Demo Person', 'Dave', 'carol ALICEson', 'Bob 50% O_Brien', 'Alice Martin']],
  ['include_demo=false', ['Dave', 'carol ALICEson', 'Bob 50% O_Brien', 'Alice Martin']],
  // Combined.
  ['direction=inbound&has_recording=true&phone=4155550100', ['Alice Martin']],
  ['name=alice&status=busy&campaign_id=0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11&sentiment=negative&q=delivery', ['carol ALICEson']],
  ['phone=4155550100&include_demo=true&sort=longest&min_duration=60', ['Dave', 'Alice Martin']],
  ['direction=outbound&status=completed&start_date=2024-05-04&end_date=2024-05-04&max_duration=3600', ['Dave']],
  // Sorts.
  ['sort=oldest', ['Alice Martin', 'Bob 50% O_Brien', 'carol ALICEson', 'Dave']],
  ['sort=longest', ['Dave', 'Alice Martin', 'carol ALICEson', 'Bob 50% O_Brien']],
  ['sort=newest', ['Dave', 'carol ALICEson', 'Bob 50% O_Brien', 'Alice Martin']],
];

for (const [qs, want] of filterCases) {
  test(`filter ${qs}`, async () => {
    const res = await listCalls(qs);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(names(res), want);
    // The page shows the same rows, in the same order.
    const page = await viewer.get(`/calls?${qs}`);
    assert.equal(page.status, 200);
    const rows = [...page.body.matchAll(/<tr data-id="([0-9a-f-]{36})">/g)].map((m) => m[1]);
    assert.deepEqual(rows, res.json().data.map((c) => c.id));
  });
}

const badCases = [
  ['start_date', 'yesterday'], ['start_date', '2024-02-30'], ['start_date', '2024-05-01T24:00Z'],
  ['end_date', '2024/05/01'], ['end_date', '2024-13-01'],
  ['direction', 'sideways'], ['status', 'done'], ['status', 'completed,,busy'],
  ['phone', 'call me'], ['phone', '12345'], ['name', 'x'.repeat(201)], ['name', 'a%01b'],
  ['sentiment', 'angry'], ['min_duration', '-1'], ['min_duration', '1e3'], ['max_duration', '86401'],
  ['max_duration', '99999999999999999999999'], ['has_recording', 'yes'], ['campaign_id', '123'],
  ['q', 'y'.repeat(201)], ['sort', 'random'], ['include_demo', 'maybe'], ['limit', '0'], ['limit', '201'],
  ['limit', 'all'], ['cursor', 'not-a-cursor'],
];

for (const [field, value] of badCases) {
  test(`bad ${field}=${value.slice(0, 20)}: 400 naming the field (JSON and HTML)`, async () => {
    const qs = `${field}=${value.includes('%') ? value : encodeURIComponent(value)}`;
    const res = await listCalls(qs);
    assert.equal(res.status, 400, res.body);
    const body = res.json();
    assert.equal(body.error.code, 'invalid');
    assert.deepEqual(Object.keys(body.error.fields), [field]);
    const page = await viewer.get(`/calls?${qs}`);
    assert.equal(page.status, 400);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.match(page.body, new RegExp(`id="e-${field === 'cursor' ? 'cursor' : field}"|id="f-cursor"`));
    assert.match(page.body, /<form class="call-filters"/, 'the form is shown again');
    assert.doesNotMatch(page.body, /<table class="calls-table"/);
  });
}

test('the page keeps the user\'s input in the form, bad values too', async () => {
  const page = await viewer.get('/calls?phone=call+me&name=%3Cb%3EAl&direction=sideways&min_duration=5');
  assert.equal(page.status, 400);
  assert.match(page.body, /name="phone"[^>]*value="call me"/);
  assert.match(page.body, /name="name"[^>]*value="&lt;b&gt;Al"/);
  assert.match(page.body, /<option value="sideways" selected>sideways<\/option>/);
  assert.match(page.body, /name="min_duration"[^>]*value="5"/);
  assert.match(page.body, /id="e-phone"/);
  assert.match(page.body, /id="e-direction"/);
  assert.doesNotMatch(page.body, /id="e-min_duration"/);
  const api400 = await listCalls('phone=call+me&direction=sideways&limit=0');
  assert.deepEqual(Object.keys(api400.json().error.fields).sort(), ['direction', 'limit', 'phone']);
});

test('the HTML list: local time, mm:ss, status, recording icon, count only when filtered', async () => {
  const page = await viewer.get('/calls');
  assert.equal(page.status, 200);
  assert.match(page.body, /<a href="\/calls" aria-current="page">Calls<\/a>/);
  // 13:00Z on 1 May is 09:00 in New York.
  assert.match(page.body, new RegExp(`<a href="/calls/${ids.alice}"><time datetime="2024-05-01T13:00:00Z">2024-05-01 09:00</time>`));
  assert.match(page.body, /<td class="num">2:05<\/td>/);
  assert.match(page.body, /<td class="num">1:00:00<\/td>/);
  assert.match(page.body, /status-no_answer">no answer</);
  assert.match(page.body, /aria-label="Recording available"/);
  assert.doesNotMatch(page.body, /id="result-count"/, 'no count for the unfiltered list');
  const filtered = await viewer.get('/calls?direction=inbound');
  assert.match(filtered.body, /id="result-count"><strong>2<\/strong> calls match/);
  assert.match(filtered.body, /href="\/calls\/export.csv\?direction=inbound"/);
});

test('empty states say what to change', async () => {
  const none = await viewer.get('/calls?name=nobody-has-this-name');
  assert.equal(none.status, 200);
  assert.match(none.body, /No calls match these filters/);
  assert.match(none.body, /<strong>0<\/strong> calls match/);
  const res = await listCalls('name=nobody-has-this-name');
  assert.deepEqual(res.json(), { data: [], next_cursor: null });
});

test('keyset pagination: every call once, stable when calls arrive between pages', async () => {
  clearCalls(stack);
  const rows = [];
  for (let i = 0; i < 57; i++)
    rows.push({ caller_name: `P${String(i).padStart(2, '0')}`, started_at: `2024-06-01T00:${String(i % 10).padStart(2, '0')}:00Z`,
      duration_s: i % 7 });
  const inserted = insertCalls(stack, rows);
  for (const sort of ['newest', 'oldest', 'longest']) {
    const seen = [];
    let cursor = null, pages = 0;
    do {
      const res = await listCalls(`sort=${sort}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, res.body);
      const body = res.json();
      seen.push(...body.data);
      cursor = body.next_cursor;
      pages++;
      // New calls arriving meanwhile (newer, older and longer than everything).
      if (pages === 2)
        insertCalls(stack, [{ caller_name: `late-${sort}-new`, started_at: '2030-01-01T00:00:00Z', duration_s: 9999 },
          { caller_name: `late-${sort}-old`, started_at: '2000-01-01T00:00:00Z', duration_s: 0 }]);
    } while (cursor && pages < 20);
    const got = seen.filter((c) => c.caller_name.startsWith('P')).map((c) => c.id);
    assert.equal(new Set(got).size, got.length, `${sort}: no duplicates`);
    assert.deepEqual([...got].sort(), [...inserted].sort(), `${sort}: no gaps`);
    const key = sort === 'longest' ? (c) => [c.duration_s, c.id] : (c) => [c.started_at, c.id];
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [key(seen[i - 1]), key(seen[i])];
      const cmp = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
      assert.ok(sort === 'oldest' ? cmp < 0 : cmp > 0, `${sort}: ordered at ${i}`);
    }
  }
});

test('the page links to the next page with the filters and cursor; cursors are signed and bound to the sort', async () => {
  const page = await viewer.get('/calls?limit=10&sort=oldest&direction=inbound');
  const m = /id="next-page" href="([^"]+)"/.exec(page.body);
  assert.ok(m, 'a next link');
  const href = m[1].replace(/&amp;/g, '&');
  assert.match(href, /^\/calls\?direction=inbound&sort=oldest&limit=10&cursor=/);
  const next = await viewer.get(href);
  assert.equal(next.status, 200);
  assert.match(next.body, /First page/);
  const cursor = new URL(href, 'https://x').searchParams.get('cursor');
  const other = await listCalls(`sort=newest&cursor=${encodeURIComponent(cursor)}`);
  assert.equal(other.status, 400);
  assert.match(other.json().error.fields.cursor, /sort/);
  const tampered = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
  const bad = await listCalls(`sort=oldest&cursor=${encodeURIComponent(tampered)}`);
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json().error.fields), ['cursor']);
});

test('count shows 10,000+ above the cap', async () => {
  clearCalls(stack);
  stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), 'inbound', 'twilio', 'bulk-' || g, 'completed',
           '2024-01-01'::timestamptz + g * interval '1 minute', g % 300 FROM generate_series(1, 10050) g`);
  const page = await viewer.get('/calls?direction=inbound&limit=5');
  assert.match(page.body, /<strong>10,000\+<\/strong> calls match/);
  const fewer = await viewer.get('/calls?direction=inbound&min_duration=299');
  assert.match(fewer.body, /<strong>33<\/strong> calls match/);
});

test('every role can read; API keys can read the API; another org never shows', async () => {
  for (const role of ['viewer', 'agent', 'manager', 'admin']) {
    const c = role === 'admin' ? admin : await stack.as(role);
    assert.equal((await c.get('/calls')).status, 200, role);
    assert.equal((await c.get('/api/v1/calls?limit=1')).status, 200, role);
  }
  const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'calls-reader', '--role', 'viewer']);
  assert.equal(r.status, 0, r.stderr);
  const key = r.stdout.trim();
  const res = await stack.request('GET', '/api/v1/calls?limit=3', { headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  assert.equal(res.json().data.length, 3);
  // A key is for the API only.
  const html = await stack.request('GET', '/calls', { headers: { authorization: `Bearer ${key}` } });
  assert.equal(html.status, 401);
  // Another org's call: not in any list or search of ours.
  const all = await listCalls('phone=4155550100&include_demo=true&limit=200');
  assert.ok(!all.json().data.some((c) => c.id === ids.other));
  const byName = await listCalls('name=Elsewhere');
  assert.deepEqual(byName.json().data, []);
  // Signed out: the page sends to sign-in, the API answers 401.
  assert.equal((await stack.request('GET', '/calls')).status, 303);
  assert.equal((await stack.request('GET', '/api/v1/calls')).status, 401);
});

test('the calls page and the analytics page link to each other', async () => {
  const list = await admin.get('/calls');
  assert.match(list.body, /<a href="\/calls\/analytics">Analytics<\/a>/);
  const analytics = await admin.get('/calls/analytics');
  assert.match(analytics.body, /<a href="\/calls">Calls<\/a>/);
});
