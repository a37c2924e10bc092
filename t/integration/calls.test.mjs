// calls.test.mjs — the calls dashboard: the list, a call's page, the CSV export and the
// analytics. One stack for the file; each describe() starts with stack.reset(), so it
// sees the database as a freshly started stack would, whatever ran before it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';
import { insertCalls, clearCalls, otherOrg, campaignFor } from '../lib/calls_fixtures.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

describe('the calls list', () => {
  // GET /calls and GET /api/v1/calls: every filter alone and combined, bad values (400
  // naming the field, HTML and JSON), keyset pagination (no duplicates or gaps, stable
  // under inserts), sorts, demo calls, the empty state, roles, API keys, and another
  // org's calls never showing.
  let admin, viewer;
  const ids = {};

  before(async () => {
    await stack.reset();
    admin = await stack.as('admin');
    viewer = await stack.as('viewer');
    otherOrg(stack);
    clearCalls(stack);
    stack.sql("UPDATE orgs SET timezone = 'America/New_York' WHERE slug = 'demo'");
    const camp = campaignFor(stack, '0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11');
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
    // A name with the other filters (read name by name, each name's calls filtered).
    ['name=a&direction=inbound', ['carol ALICEson', 'Alice Martin']],
    ['name=e&status=completed&min_duration=30', ['Dave', 'Alice Martin']],
    ['name=o&include_demo=true', ['Demo Person', 'carol ALICEson', 'Bob 50% O_Brien']],
    ['name=a&phone=4155550100&start_date=2024-05-01&end_date=2024-05-01', ['Alice Martin']],
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

  // The list's rows are written in C (calls.c, rows_html), not by the template: every
  // cell as the template wrote it, and a value with markup and whitespace controls
  // escaped as the template's auto-escaping escapes it.
  test('the list\'s rows: every cell, and values escaped as the template escapes them', async () => {
    const [odd] = insertCalls(stack, [{ caller_name: 'Ann <b>"O\'Neil"</b> & co\tx\ny', status: 'no_answer',
      started_at: '2024-05-06T12:00:00Z', duration_s: 3725, is_demo: true }]);
    try {
      const body = (await viewer.get('/calls?include_demo=true')).body;
      const row = (id) => body.match(new RegExp(`<tr data-id="${id}">.*?</tr>`))?.[0];
      assert.equal(row(ids.alice), `<tr data-id="${ids.alice}"><td><a href="/calls/${ids.alice}"><time datetime="2024-05-01T13:00:00Z">2024-05-01 09:00</time></a></td>`
        + '<td><span class="dir dir-inbound">inbound</span></td><td class="phone">+14155550100</td><td class="phone">+18005550000</td>'
        + '<td>Alice Martin</td><td><span class="status status-completed">completed</span></td><td class="num">2:05</td>'
        + '<td><span class="sentiment sentiment-positive">positive</span></td>'
        + '<td><span class="rec" title="Recording available" aria-label="Recording available">&#9835;</span></td></tr>');
      assert.equal(row(odd), `<tr data-id="${odd}"><td><a href="/calls/${odd}"><time datetime="2024-05-06T12:00:00Z">2024-05-06 08:00</time></a>`
        + ' <span class="badge">demo</span></td><td><span class="dir dir-inbound">inbound</span></td>'
        + '<td class="phone">+14155550100</td><td class="phone">+14155559999</td>'
        + '<td>Ann &lt;b&gt;&quot;O&#39;Neil&quot;&lt;/b&gt; &amp; co x y</td>'
        + '<td><span class="status status-no_answer">no answer</span></td><td class="num">1:02:05</td><td></td><td></td></tr>');
      assert.match(row(ids.dave), /<td class="num">1:00:00<\/td>/);
      assert.match(row(ids.bob), /<td class="num">0:00<\/td>/);
      // One row a line, as the template's section gave them.
      assert.match(body, /<tbody>\n    <tr data-id="[^\n]*<\/tr>\n<tr data-id=/);
    } finally {
      stack.sql(`DELETE FROM calls WHERE id = '${odd}'`);
    }
  });

  // A search finds its calls by one of three plans (calls_sql.c, "Searches"), chosen by
  // how common the term is; the rows, their order and the page's count are the same
  // by each. A search that walks is not counted (counting would read what the walk
  // avoided): its first page says all of them, or "50+". The index counts them all,
  // and the names (a name alone) add up their counts.
  test('searches give the same rows by any plan, and the page counts what it can', async () => {
    const searches = filterCases.filter(([qs]) => /(^|&)(name|q)=/.test(qs));
    assert.ok(searches.length >= 8);
    try {
      for (const mode of ['walk', 'index', 'names']) {
        stack.superSql(`ALTER ROLE switchboard_app SET switchboard.calls_search = '${mode}'`);
        await stack.restartServe();
        for (const [qs, want] of searches) {
          for (const sort of ['newest', 'oldest']) {
            const res = await listCalls(`${qs}&sort=${sort}`);
            assert.equal(res.status, 200, res.body);
            assert.deepEqual(names(res), sort === 'newest' ? want : [...want].reverse(), `${mode}: ${qs} ${sort}`);
          }
          // Page by page, one call at a time.
          const got = [];
          let next = `${qs}&limit=1`;
          while (next) {
            const res = await listCalls(next);
            got.push(...names(res));
            const cursor = res.json().next_cursor;
            next = cursor && `${qs}&limit=1&cursor=${encodeURIComponent(cursor)}`;
          }
          assert.deepEqual(got, want, `${mode}: ${qs} one by one`);
        }
        const all = await viewer.get('/calls?name=alice');
        assert.match(all.body, /id="result-count"><strong>2<\/strong> calls match/, mode);
        const first = await viewer.get('/calls?name=alice&limit=1');
        if (mode !== 'walk') assert.match(first.body, /id="result-count"><strong>2<\/strong> calls match/, mode);
        else assert.match(first.body, /id="result-count"><strong>1\+<\/strong> calls match/, 'a walk says the least');
        // Demo calls counted in, by any plan.
        const withDemo = await viewer.get('/calls?name=o&include_demo=true&limit=1');
        if (mode !== 'walk') assert.match(withDemo.body, /id="result-count"><strong>3<\/strong> calls match/, mode);
        else assert.match(withDemo.body, /id="result-count"><strong>1\+<\/strong> calls match/);
        const next = first.body.match(/rel="next" id="next-page" href="([^"]+)"/);
        assert.ok(next, 'a next page');
        const second = await viewer.get(next[1].replaceAll('&amp;', '&'));
        assert.equal(second.status, 200);
        // The last page: a walk cannot fill it, so the index gives it, and its count.
        assert.match(second.body, /id="result-count"><strong>2<\/strong> calls match/, mode);
      }
    } finally {
      stack.superSql('ALTER ROLE switchboard_app RESET switchboard.calls_search');
      await stack.restartServe();
    }
  });

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
});

describe('the call page', () => {
  // GET /calls/{id} and GET /api/v1/calls/{id}: metadata, player, transcript order,
  // action items, related calls, contact; 404 for a bad id, another org's call and a
  // deleted one; soft delete by admins only (audited), after which the call is gone
  // from the list, the API and the export.
  let admin;
  const ids = {};

  before(async () => {
    await stack.reset();
    admin = await stack.as('admin');
    otherOrg(stack);
    clearCalls(stack);
    const contact = stack.sql(`INSERT INTO contacts (org_id, name, phone) VALUES ((SELECT id FROM orgs WHERE slug = 'demo'),
    'Riya <Shah>', '+14155550100') RETURNING id`);
    [ids.main, ids.older, ids.outbound, ids.unrelated] = insertCalls(stack, [
      { direction: 'inbound', from_number: '+14155550100', to_number: '+18005550000', caller_name: 'Riya Shah',
        started_at: '2024-05-01T13:00:00Z', ended_at: '2024-05-01T13:02:05Z', duration_s: 125, sentiment_score: 0.42,
        sentiment_label: 'positive', summary: 'Wants a refund <quickly>.', ended_reason: 'customer-ended-call',
        recording_status: 'stored', recording_path: 'x/y.wav', recording_content_type: 'audio/wav', contact_id: contact,
        action_items: ['Send refund form', { text: 'Call back Friday' }],
        transcript: [
          { t_ms: 65000, speaker: 'caller', text: 'Third, a minute in', confidence: 0.8 },
          { t_ms: 0, speaker: 'agent', text: 'Hello, <b>Switchboard</b> here', confidence: 0.99 },
          { t_ms: 1500, speaker: 'caller', text: 'Hi, I need a refund' },
          { t_ms: 70000, speaker: 'system', text: 'Call transferred' },
        ] },
      { direction: 'inbound', from_number: '+14155550100', started_at: '2024-04-01T10:00:00Z', status: 'no_answer' },
      { direction: 'outbound', from_number: '+18005550000', to_number: '+14155550100', started_at: '2024-04-15T10:00:00Z' },
      { direction: 'inbound', from_number: '+13125550199', started_at: '2024-04-20T10:00:00Z' },
    ]);
    [ids.deleted] = insertCalls(stack, [{ from_number: '+14155550100', deleted_at: '2024-05-02T00:00:00Z' }]);
    [ids.other] = insertCalls(stack, [{ from_number: '+14155550100' }], 'other');
  });

  test('the page: metadata, player, transcript in time order with seek buttons, action items, related calls, contact', async () => {
    const page = await admin.get(`/calls/${ids.main}`);
    assert.equal(page.status, 200);
    const b = page.body;
    assert.match(b, /<h1>Riya Shah<\/h1>/);
    assert.match(b, new RegExp(`<audio id="call-audio" controls preload="none" src="/calls/${ids.main}/recording"></audio>`));
    const lines = [...b.matchAll(/<li class="line speaker-(\w+)"><button type="button" class="seek" data-t-ms="(\d+)"[^>]*><time>([\d:]+)<\/time><\/button>\s*<span class="speaker">\w+<\/span> <span class="text">([^<]*)<\/span>/g)]
      .map((m) => [m[1], Number(m[2]), m[3], m[4]]);
    assert.deepEqual(lines, [
      ['agent', 0, '0:00', 'Hello, &lt;b&gt;Switchboard&lt;/b&gt; here'],
      ['caller', 1500, '0:01', 'Hi, I need a refund'],
      ['caller', 65000, '1:05', 'Third, a minute in'],
      ['system', 70000, '1:10', 'Call transferred'],
    ]);
    assert.match(b, /Wants a refund &lt;quickly&gt;\./);
    assert.match(b, /customer-ended-call/);
    assert.match(b, /sentiment-positive">positive<\/span> <span class="muted">\(0.420\)/);
    assert.match(b, /<li>Send refund form<\/li><li>Call back Friday<\/li>/);
    assert.match(b, /id="contact">Riya &lt;Shah&gt; <span class="phone">\+14155550100<\/span>/);
    const related = [...b.matchAll(/<tr data-id="([0-9a-f-]{36})">/g)].map((m) => m[1]);
    assert.deepEqual(related, [ids.outbound, ids.older], 'same number, newest first, not itself, not deleted');
    assert.match(b, /href="\/calls\/[0-9a-f-]+\/delete"/, 'admins see the delete button');
    assert.match(b, /src="\/static\/js\/call_detail.js\?v=/);
    const viewer = await stack.as('viewer');
    const vpage = await viewer.get(`/calls/${ids.main}`);
    assert.equal(vpage.status, 200);
    assert.doesNotMatch(vpage.body, /id="delete-call"/);
  });

  test('a call without recording or transcript says so', async () => {
    const page = await admin.get(`/calls/${ids.unrelated}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body, /<audio/);
    assert.match(page.body, /No recording \(none\)/);
    assert.match(page.body, /No transcript for this call/);
    assert.match(page.body, /No other calls with this number/);
  });

  test('the JSON detail: list fields plus transcript, action_items, related_calls, summary, recording_status', async () => {
    const res = await admin.get(`/api/v1/calls/${ids.main}`);
    assert.equal(res.status, 200);
    const d = res.json().data;
    assert.equal(d.id, ids.main);
    assert.equal(d.duration_s, 125);
    assert.equal(d.ended_at, '2024-05-01T13:02:05Z');
    assert.equal(d.has_recording, true);
    assert.equal(d.recording_status, 'stored');
    assert.equal(d.summary, 'Wants a refund <quickly>.');
    assert.equal(d.contact_id.length, 36);
    assert.deepEqual(d.transcript.map((l) => l.t_ms), [0, 1500, 65000, 70000]);
    assert.deepEqual(d.transcript[0], { t_ms: 0, speaker: 'agent', text: 'Hello, <b>Switchboard</b> here', confidence: 0.99 });
    assert.equal(d.transcript[1].confidence, null);
    assert.deepEqual(d.action_items, ['Send refund form', { text: 'Call back Friday' }]);
    assert.deepEqual(d.related_calls.map((c) => c.id), [ids.outbound, ids.older]);
    assert.equal(d.related_calls[0].transcript, undefined, 'related calls are list items');
  });

  for (const [what, id] of [['not a UUID', 'nope'], ['unknown', '00000000-0000-4000-8000-000000000000'], ['another org', 'other'],
    ['deleted', 'deleted'], ['upper-case junk', 'ZZZZZZZZ-0000-4000-8000-000000000000']]) {
    test(`404 for ${what} id (page, JSON, delete confirmation)`, async () => {
      const real = ids[id] || id;
      assert.equal((await admin.get(`/calls/${real}`)).status, 404);
      const j = await admin.get(`/api/v1/calls/${real}`);
      assert.equal(j.status, 404);
      assert.equal(j.json().error.code, 'not_found');
      assert.equal((await admin.get(`/calls/${real}/delete`)).status, 404);
      assert.equal((await admin.post(`/calls/${real}/delete`)).status, 404);
    });
  }

  const maxAudit = () => Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));

  test('manager, agent and viewer cannot delete (403, audited); nothing changes', async () => {
    for (const role of ['manager', 'agent', 'viewer']) {
      const c = await stack.as(role);
      const since = maxAudit();
      assert.equal((await c.get(`/calls/${ids.unrelated}/delete`)).status, 403, role);
      assert.equal((await c.post(`/calls/${ids.unrelated}/delete`)).status, 403, role);
      const api = await c.request('DELETE', `/api/v1/calls/${ids.unrelated}`, { headers: { 'x-csrf-token': c.csrf } });
      assert.equal(api.status, 403, role);
      assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'security.forbidden'`), '3');
    }
    assert.equal(stack.sql(`SELECT deleted_at IS NULL FROM calls WHERE id = '${ids.unrelated}'`), 't');
  });

  test('admin: confirmation page, then POST deletes (CSRF required), audited, gone everywhere', async () => {
    const confirm = await admin.get(`/calls/${ids.older}/delete`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /Delete this call\?/);
    assert.match(confirm.body, /It disappears from lists, analytics and exports\./);
    assert.match(confirm.body, new RegExp(`<form method="post" action="/calls/${ids.older}/delete"`));
    assert.equal((await admin.post(`/calls/${ids.older}/delete`, { csrf_token: 'forged' })).status, 403);
    assert.equal(stack.sql(`SELECT deleted_at IS NULL FROM calls WHERE id = '${ids.older}'`), 't');

    const since = maxAudit();
    const res = await admin.post(`/calls/${ids.older}/delete`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/calls');
    const list = await admin.get('/calls');
    assert.match(list.body, /The call was deleted\./);
    assert.doesNotMatch(list.body, new RegExp(ids.older));
    assert.equal(stack.sql(`SELECT deleted_at IS NOT NULL FROM calls WHERE id = '${ids.older}'`), 't');
    assert.equal(stack.sql(`SELECT action || '|' || entity || '|' || entity_id || '|' || actor FROM audit_log WHERE id > ${since}`),
      `call.delete|call|${ids.older}|admin@demo.test`);
    assert.equal((await admin.get(`/calls/${ids.older}`)).status, 404);
    const api = await admin.get('/api/v1/calls?include_demo=true&limit=200');
    assert.ok(!api.json().data.some((c) => c.id === ids.older));
    const csv = await admin.get('/calls/export.csv');
    assert.equal(csv.status, 200);
    assert.ok(!csv.body.includes(ids.older));
    assert.ok(csv.body.includes(ids.main));
    const detail = await admin.get(`/api/v1/calls/${ids.main}`);
    assert.ok(!detail.json().data.related_calls.some((c) => c.id === ids.older), 'not among related calls');
    // A second delete finds nothing.
    assert.equal((await admin.post(`/calls/${ids.older}/delete`)).status, 404);
  });

  test('DELETE /api/v1/calls/{id}: admin session with CSRF header, or an admin API key', async () => {
    const noCsrf = await admin.request('DELETE', `/api/v1/calls/${ids.outbound}`);
    assert.equal(noCsrf.status, 403);
    const res = await admin.request('DELETE', `/api/v1/calls/${ids.outbound}`, { headers: { 'x-csrf-token': admin.csrf } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { data: { deleted: true } });
    const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'deleter', '--role', 'admin']);
    const key = r.stdout.trim();
    const byKey = await stack.request('DELETE', `/api/v1/calls/${ids.unrelated}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(byKey.status, 200);
    const again = await stack.request('DELETE', `/api/v1/calls/${ids.unrelated}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(again.status, 404);
    const otherOrgCall = await stack.request('DELETE', `/api/v1/calls/${ids.other}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(otherOrgCall.status, 404);
    assert.equal(stack.sql(`SELECT deleted_at IS NULL FROM calls WHERE id = '${ids.other}'`), 't');
  });
});

describe('the CSV export', () => {
  // GET /calls/export.csv: RFC 4180 on awkward data (commas, quotes, newlines,
  // formula-like cells, unicode), the list's filters, streaming across batches (row
  // count equals the filtered count), every export audited.
  let viewer;

  before(async () => {
    await stack.reset();
    viewer = await stack.as('viewer');
    clearCalls(stack);
  });

  /** A strict RFC 4180 parser: CRLF records, quoted fields with doubled quotes. */
  function parseCsv(text) {
    const rows = [];
    let row = [], field = '', i = 0, quoted = false;
    while (i < text.length) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (c === '"') (quoted = false), i++;
        else (field += c), i++;
      } else if (c === '"' && field === '') (quoted = true), i++;
      else if (c === ',') row.push(field), (field = ''), i++;
      else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
      else if (c === '"' || c === '\n' || c === '\r') throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
      else (field += c), i++;
    }
    assert.equal(field, '', 'the file ends with CRLF');
    assert.equal(row.length, 0);
    return rows;
  }

  const HEADER = ['id', 'direction', 'provider', 'provider_call_id', 'from_number', 'to_number', 'caller_name', 'status',
    'started_at', 'ended_at', 'duration_s', 'sentiment_score', 'sentiment_label', 'has_recording', 'contact_id', 'campaign_id',
    'created_at'];

  test('awkward values survive a round trip; formula-like cells are neutralised', async () => {
    const awkward = ['Smith, John', 'He said "hi"', 'line one\nline two', 'cr\rhere', '=cmd|\' /C calc\'!A0', '+1 call me',
      '-1', '@SUM(A1)', '\tTabbed', 'Zoë 日本 🎧', "O'Brien", ''];
    const ids = insertCalls(stack, awkward.map((name, i) => ({ caller_name: name, provider_call_id: `awk,"${i}"`,
      started_at: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`, sentiment_score: -0.5, sentiment_label: 'negative' })));
    const since = Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));
    const res = await viewer.get('/calls/export.csv?sort=oldest&name=&phone=');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(res.headers['content-disposition'], /^attachment; filename="calls\.csv"$/);
    assert.ok(res.headers['x-request-id']);
    const rows = parseCsv(res.raw.toString('utf8'));
    assert.deepEqual(rows[0], HEADER);
    const body = rows.slice(1);
    assert.deepEqual(body.map((r) => r[0]), ids);
    const expect = (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    assert.deepEqual(body.map((r) => r[6]), awkward.map(expect));
    assert.deepEqual(body.map((r) => r[3]), awkward.map((_, i) => `awk,"${i}"`));
    assert.equal(body[0][4], "'+14155550100", 'phone numbers start with + and are neutralised too');
    assert.equal(body[0][11], "'-0.500");
    assert.equal(body[0][13], 'false');
    assert.equal(body[0][8], '2024-05-01T10:00:00Z');
    assert.equal(body[0][9], '');
    for (const r of body) assert.equal(r.length, HEADER.length);
    const audit = stack.sql(`SELECT action || '|' || actor || '|' || detail::text FROM audit_log WHERE id > ${since}`);
    assert.equal(audit, 'calls.export|viewer@demo.test|{"filters": {"sort": "oldest"}}');
  });

  test('the filtered set, across batches: the row count equals the API\'s count, in order, no duplicates', async () => {
    clearCalls(stack);
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s, caller_name, is_demo)
    SELECT (SELECT id FROM orgs WHERE slug = 'demo'), CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'twilio',
           'bulk-' || g, 'completed', '2024-01-01'::timestamptz + (g % 500) * interval '1 minute', g % 600, 'Caller ' || g, g % 50 = 0
    FROM generate_series(1, 3500) g`);
    const want = Number(stack.sql(`SELECT count(*) FROM calls WHERE direction = 'inbound' AND NOT is_demo AND deleted_at IS NULL`));
    const since = Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));
    const res = await viewer.get('/calls/export.csv?direction=inbound&limit=5&sort=newest');
    assert.equal(res.status, 200);
    const rows = parseCsv(res.body).slice(1);
    assert.equal(rows.length, want, 'limit is ignored: every matching call');
    assert.equal(new Set(rows.map((r) => r[0])).size, rows.length);
    assert.ok(rows.every((r) => r[1] === 'inbound'));
    for (let i = 1; i < rows.length; i++)
      assert.ok(rows[i - 1][8] > rows[i][8] || (rows[i - 1][8] === rows[i][8] && rows[i - 1][0] > rows[i][0]), `newest first at ${i}`);
    const all = await viewer.get('/calls/export.csv?include_demo=true&sort=longest');
    assert.equal(parseCsv(all.body).length - 1, 3500);
    const audit = stack.sql(`SELECT detail->'filters' FROM audit_log WHERE id > ${since} AND action = 'calls.export' ORDER BY id`).split('\n');
    assert.deepEqual(audit.map((a) => JSON.parse(a)), [{ direction: 'inbound', sort: 'newest' }, { include_demo: 'true', sort: 'longest' }]);
  });

  test('bad filters: 400 page naming the field, nothing audited; signed out: sign in first', async () => {
    const since = Number(stack.sql('SELECT coalesce(max(id), 0) FROM audit_log'));
    const res = await viewer.get('/calls/export.csv?min_duration=abc');
    assert.equal(res.status, 400);
    assert.match(res.body, /id="e-min_duration"/);
    assert.equal(stack.sql(`SELECT count(*) FROM audit_log WHERE id > ${since} AND action = 'calls.export'`), '0');
    assert.equal((await stack.request('GET', '/calls/export.csv')).status, 303);
  });

  test('an empty result is just the header', async () => {
    const res = await viewer.get('/calls/export.csv?name=nobody-at-all');
    assert.equal(res.status, 200);
    assert.equal(res.body, HEADER.join(',') + '\r\n');
  });
});

describe('analytics', () => {
  // Call analytics from the rollups (sql/0004): every figure of the three JSON
  // endpoints equals a brute-force recount over the calls table, across days, time
  // zones (DST included), statuses, demo and deleted calls, updates, repairs, a big
  // insert; validation, roles, API keys, the page, the overview, and org isolation.
  let admin, demoOrg, otherOrg;
  // Around the end of US daylight saving time (2025-11-02), so local days differ in length.
  const START = '2025-10-27';
  const END = '2025-11-08';
  const q = (start, end) => `?start_date=${start}&end_date=${end}`;

  /** Inserts n varied calls for org starting at ts, ids prefixed. */
  function insertCalls(org, prefix, n, from = '2025-10-28 00:00Z', spanMin = 60 * 24 * 10) {
    stack.sql(`
    INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, status,
                       started_at, duration_s, sentiment_label, recording_status, recording_bytes,
                       is_demo, deleted_at)
    SELECT '${org}', CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'vapi', '${prefix}' || g,
           CASE WHEN g % 29 = 0 THEN '' ELSE '+1415555' || lpad((g % 13)::text, 4, '0') END,
           '+1212555' || lpad((g % 7)::text, 4, '0'),
           (ARRAY['queued','ringing','in_progress','completed','busy','no_answer','failed','canceled'])[1 + g % 8],
           timestamptz '${from}' + make_interval(mins => (g * 997) % ${spanMin}),
           (g * 37) % 1800,
           (ARRAY['positive','neutral','negative',NULL])[1 + g % 4],
           CASE WHEN g % 5 = 0 THEN 'stored' ELSE 'none' END,
           CASE WHEN g % 5 = 0 THEN g * 1000 ELSE 0 END,
           g % 11 = 0, CASE WHEN g % 17 = 0 THEN now() END
      FROM generate_series(1, ${n}) g`);
  }

  /** Every figure, counted straight from calls (the org's current zone). */
  function brute(start, end, slug = 'demo') {
    return JSON.parse(stack.sql(`
    WITH c AS (
      SELECT c.*, (c.started_at AT TIME ZONE o.timezone) AS lt,
             CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END AS num
        FROM calls c JOIN orgs o ON o.id = c.org_id
       WHERE o.slug = '${slug}' AND c.deleted_at IS NULL AND NOT c.is_demo
         AND (c.started_at AT TIME ZONE o.timezone)::date BETWEEN '${start}' AND '${end}')
    SELECT json_build_object(
      'total', (SELECT count(*) FROM c),
      'inbound', (SELECT count(*) FROM c WHERE direction = 'inbound'),
      'outbound', (SELECT count(*) FROM c WHERE direction = 'outbound'),
      'by_status', (SELECT coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, count(*) n FROM c GROUP BY status) x),
      'dur', (SELECT json_build_object('sum', coalesce(sum(duration_s), 0), 'n', count(*), 'min', min(duration_s),
                                       'max', max(duration_s)) FROM c WHERE status = 'completed'),
      'sentiment', (SELECT json_build_object('positive', count(*) FILTER (WHERE sentiment_label = 'positive'),
                                             'neutral', count(*) FILTER (WHERE sentiment_label = 'neutral'),
                                             'negative', count(*) FILTER (WHERE sentiment_label = 'negative'),
                                             'unknown', count(*) FILTER (WHERE sentiment_label IS NULL)) FROM c),
      'rec', (SELECT json_build_object('count', count(*), 'bytes', coalesce(sum(recording_bytes), 0))
                FROM c WHERE recording_status = 'stored'),
      'top', (SELECT coalesce(json_agg(json_build_object('number', num, 'count', n) ORDER BY n DESC, num), '[]')
                FROM (SELECT num, count(*) n FROM c WHERE num <> '' GROUP BY num HAVING count(*) >= 2
                       ORDER BY n DESC, num LIMIT 10) t),
      'daily', (SELECT coalesce(json_object_agg(d, json_build_object('total', t, 'inbound', i, 'outbound', o, 'answered', a)), '{}')
                  FROM (SELECT lt::date::text d, count(*) t, count(*) FILTER (WHERE direction = 'inbound') i,
                               count(*) FILTER (WHERE direction = 'outbound') o,
                               count(*) FILTER (WHERE status = 'completed') a FROM c GROUP BY 1) x),
      'heat', (SELECT coalesce(json_object_agg(k, n), '{}')
                 FROM (SELECT extract(isodow FROM lt)::int || ':' || extract(hour FROM lt)::int k, count(*) n
                         FROM c GROUP BY 1) h))`));
  }

  function days(start, end) {
    const out = [];
    for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86400000)
      out.push(new Date(t).toISOString().slice(0, 10));
    return out;
  }

  /** Asserts the three endpoints against the brute-force recount; returns the summary. */
  async function assertMatches(client, start, end, what) {
    const b = brute(start, end);
    const summary = (await client.get(`/api/v1/calls/analytics/summary${q(start, end)}`)).json().data;
    const statuses = ['queued', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled'];
    const answered = b.by_status.completed || 0;
    assert.deepEqual(summary, {
      start_date: start,
      end_date: end,
      total: b.total,
      by_direction: { inbound: b.inbound, outbound: b.outbound },
      by_status: Object.fromEntries(statuses.map((s) => [s, b.by_status[s] || 0])),
      answered,
      answered_rate: b.total ? Math.round((1000 * answered) / b.total) / 10 : 0,
      duration: {
        avg_s: b.dur.n ? Math.round(b.dur.sum / b.dur.n) : null,
        min_s: b.dur.min,
        max_s: b.dur.max,
      },
      sentiment: b.sentiment,
      recordings: b.rec,
      top_numbers: b.top,
    }, `${what}: summary`);
    const daily = (await client.get(`/api/v1/calls/analytics/daily${q(start, end)}`)).json().data;
    assert.deepEqual(daily, days(start, end).map((date) => ({
      date, ...(b.daily[date] || { total: 0, inbound: 0, outbound: 0, answered: 0 }),
    })), `${what}: daily`);
    const heat = (await client.get(`/api/v1/calls/analytics/heatmap${q(start, end)}`)).json().data;
    assert.equal(heat.length, 168);
    assert.deepEqual(heat, heat.map((c) => ({ weekday: c.weekday, hour: c.hour, count: b.heat[`${c.weekday}:${c.hour}`] || 0 })),
      `${what}: heatmap`);
    assert.deepEqual(heat.map((c) => `${c.weekday}:${c.hour}`).slice(0, 2), ['1:0', '1:1']);
    return summary;
  }

  /** Runs SQL as the application role under RLS, as a request would. */
  function sqlAsApp(org, query) {
    return execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(stack.dir, 'pgsock'),
      '-U', 'switchboard_app', '-d', 'switchboard', '-c', `SET app.org_id = '${org}'`, '-c', query],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  before(async () => {
    await stack.reset();
    admin = await stack.as('admin');
    demoOrg = stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`);
    stack.sql(`UPDATE orgs SET timezone = 'America/New_York' WHERE slug = 'demo'`);
    otherOrg = stack.sql(`INSERT INTO orgs (slug, name, timezone) VALUES ('other', 'Other Co', 'Europe/Paris') RETURNING id`)
      .split('\n')[0];
    insertCalls(demoOrg, 'an-', 400);
    insertCalls(otherOrg, 'ot-', 150);
  });

  test('every figure equals a brute-force recount, another org never counted', async () => {
    const s = await assertMatches(admin, START, END, 'New York');
    assert.ok(s.total > 250 && s.by_direction.outbound > 0 && s.recordings.count > 0 && s.top_numbers.length === 10);
    assert.ok(brute(START, END, 'other').total > 0, 'the other org has calls of its own');
    // A sub-range and a single day.
    await assertMatches(admin, '2025-11-02', '2025-11-02', 'DST day');
    await assertMatches(admin, '2025-10-30', '2025-11-03', 'sub-range');
    // An empty range: zeros and nulls, not errors.
    const empty = await assertMatches(admin, '2020-01-01', '2020-01-31', 'empty');
    assert.equal(empty.total, 0);
    assert.equal(empty.duration.avg_s, null);
  });

  test('days follow the org time zone, and changing it rebuilds the rollups', async () => {
    // 19:00 UTC on 10 June is that day in New York but 11 June 00:30 in Kolkata; no other
    // call is near it.
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
             VALUES ('${demoOrg}', 'inbound', 'twilio', 'tz-edge', 'completed', '2025-06-10 19:00Z', 61)`);
    const perDay = async () => (await admin.get(`/api/v1/calls/analytics/daily${q('2025-06-10', '2025-06-11')}`))
      .json().data.map((d) => d.total);
    const hour = async () => (await admin.get(`/api/v1/calls/analytics/heatmap${q('2025-06-10', '2025-06-11')}`))
      .json().data.filter((c) => c.count > 0).map((c) => [c.weekday, c.hour]);
    assert.deepEqual(await perDay(), [1, 0]);
    assert.deepEqual(await hour(), [[2, 15]], 'Tuesday 15:00 in New York');
    const r = stack.cli(['org', 'set', 'demo', 'timezone=Asia/Kolkata']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await perDay(), [0, 1]);
    assert.deepEqual(await hour(), [[3, 0]], 'Wednesday 00:00 in Kolkata');
    await assertMatches(admin, START, END, 'Kolkata');
    assert.equal(stack.cli(['org', 'set', 'demo', 'timezone=America/New_York']).status, 0);
    await assertMatches(admin, START, END, 'back to New York');
  });

  test('soft delete, status changes and stored recordings update the figures at once', async () => {
    const before = await assertMatches(admin, START, END, 'before');
    // The longest answered call goes: the maximum must move down exactly.
    const longest = stack.sql(`SELECT provider_call_id FROM calls c WHERE org_id = '${demoOrg}' AND status = 'completed'
      AND deleted_at IS NULL AND NOT is_demo AND started_at < '2025-11-07Z' ORDER BY duration_s DESC LIMIT 1`);
    stack.sql(`UPDATE calls SET deleted_at = now() WHERE provider_call_id = '${longest}'`);
    const afterDelete = await assertMatches(admin, START, END, 'after soft delete');
    assert.equal(afterDelete.total, before.total - 1);
    assert.ok(afterDelete.duration.max_s <= before.duration.max_s);
    stack.sql(`UPDATE calls SET status = 'failed' WHERE provider_call_id IN ('an-3', 'an-11', 'an-19')`);
    stack.sql(`UPDATE calls SET recording_status = 'stored', recording_bytes = 12345 WHERE provider_call_id = 'an-2'`);
    stack.sql(`UPDATE calls SET summary = 'no figure changes' WHERE org_id = '${demoOrg}'`);
    stack.sql(`DELETE FROM calls WHERE provider_call_id = 'an-4'`);
    await assertMatches(admin, START, END, 'after updates');
    // The application role (RLS, no rights on the rollup tables) keeps them right too.
    sqlAsApp(demoOrg, `UPDATE calls SET deleted_at = now() WHERE provider_call_id IN ('an-7', 'an-8');
    UPDATE calls SET status = 'completed', duration_s = 1799 WHERE provider_call_id = 'an-10';
    INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
      VALUES (app_org_id(), 'outbound', 'twilio', 'app-1', 'completed', '2025-11-01 12:00Z', 5)`);
    await assertMatches(admin, START, END, 'after writes as switchboard_app');
    assert.throws(() => sqlAsApp(demoOrg, `UPDATE call_rollup_days SET n = 0`), /permission denied/);
    assert.equal(sqlAsApp(demoOrg, `SELECT count(DISTINCT org_id) FROM call_rollup_days`), '1', 'RLS on the rollups');
  });

  test('sb_call_rollups_repair restores a corrupted day', async () => {
    const day = '2025-11-02';
    stack.sql(`UPDATE call_rollup_days SET n = n + 100, duration_min = 0, duration_max = 99999
             WHERE org_id = '${demoOrg}' AND day = '${day}'`);
    stack.sql(`UPDATE call_rollup_hours SET n = n + 7 WHERE org_id = '${demoOrg}' AND day = '${day}'`);
    stack.sql(`DELETE FROM call_rollup_numbers WHERE org_id = '${demoOrg}' AND day = '${day}'`);
    const b = brute(day, day);
    const bad = (await admin.get(`/api/v1/calls/analytics/summary${q(day, day)}`)).json().data;
    assert.equal(bad.total, b.total + 100 * Number(stack.sql(
      `SELECT count(*) FROM call_rollup_days WHERE org_id = '${demoOrg}' AND day = '${day}'`)));
    stack.sql(`SELECT sb_call_rollups_repair('${demoOrg}', '${day}')`);
    await assertMatches(admin, day, day, 'repaired day');
    await assertMatches(admin, START, END, 'whole range after repair');
  });

  test('a 20,000-row insert in one statement keeps every total exact', async () => {
    insertCalls(demoOrg, 'big-', 20000, '2025-10-26 00:00Z', 60 * 24 * 14);
    const s = await assertMatches(admin, '2025-10-20', '2025-11-10', 'after 20,000 rows');
    assert.ok(s.total > 15000);
  });

  // Whole months of a range are read from call_rollup_months and call_rollup_month_hours
  // (sql/0061), kept from the day tables by triggers; the days at either end from the
  // day tables. Each figure against the brute-force recount, and the month tables row for
  // row against a recount from the day tables, through every kind of write.
  test('ranges of whole months and parts of months are exact, through every kind of write', async () => {
    const ranges = [['2025-06-01', '2025-08-31'], ['2025-05-25', '2025-09-05'], ['2025-06-01', '2025-06-30'],
      ['2025-06-15', '2025-07-14'], ['2025-06-01', '2025-06-20'], ['2025-06-10', '2025-06-30'],
      ['2025-05-01', '2025-12-31']];
    const empty = (cols) => cols.map((c) => `${c} = 0`).join(' AND ') + ' AND duration_min IS NULL AND duration_max IS NULL';
    const sums = ['n', 'duration_sum', 'sentiment_positive', 'sentiment_neutral', 'sentiment_negative', 'sentiment_none',
      'recordings', 'recording_bytes'];
    const drift = () => stack.sql(`
      WITH want AS (SELECT org_id, sb_month_of(day) AS month, direction, status, ${sums.map((c) => `sum(${c}) AS ${c}`).join(', ')},
                           min(duration_min) AS duration_min, max(duration_max) AS duration_max
                      FROM call_rollup_days GROUP BY 1, 2, 3, 4),
           w AS (SELECT * FROM want WHERE NOT (${empty(sums)})),
           h AS (SELECT org_id, month, direction, status, ${sums.join(', ')}, duration_min, duration_max
                   FROM call_rollup_months WHERE NOT (${empty(sums)})),
           wh AS (SELECT org_id, sb_month_of(day) AS month, sb_isodow_of(day) AS isodow, hour, sum(n) AS n
                    FROM call_rollup_hours GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0),
           hh AS (SELECT org_id, month, isodow, hour, n FROM call_rollup_month_hours WHERE n <> 0)
      SELECT (SELECT count(*) FROM (SELECT * FROM w EXCEPT SELECT * FROM h) a) + (SELECT count(*) FROM (SELECT * FROM h EXCEPT SELECT * FROM w) b)
           + (SELECT count(*) FROM (SELECT * FROM wh EXCEPT SELECT * FROM hh) c) + (SELECT count(*) FROM (SELECT * FROM hh EXCEPT SELECT * FROM wh) d)`);
    const check = async (what) => {
      for (const [start, end] of ranges) await assertMatches(admin, start, end, `${what}, ${start}..${end}`);
      assert.equal(drift(), '0', `${what}: the month tables are the sums of the day tables`);
    };
    insertCalls(demoOrg, 'mo-', 900, '2025-05-20 00:00Z', 60 * 24 * 110);
    assert.ok(Number(stack.sql(`SELECT count(*) FROM call_rollup_months WHERE org_id = '${demoOrg}' AND month = '2025-07-01'`)) > 8);
    await check('inserted');
    // The edges of a month move: its longest answered call deleted, its shortest made long.
    const edge = (order) => stack.sql(`SELECT provider_call_id FROM calls WHERE org_id = '${demoOrg}' AND status = 'completed'
      AND deleted_at IS NULL AND NOT is_demo AND started_at >= '2025-07-05Z' AND started_at < '2025-07-25Z'
      ORDER BY duration_s ${order}, id LIMIT 1`);
    const july = async () => (await admin.get(`/api/v1/calls/analytics/summary${q('2025-07-01', '2025-07-31')}`)).json().data.duration;
    const before = await july();
    stack.sql(`DELETE FROM calls WHERE provider_call_id = '${edge('DESC')}'`);
    stack.sql(`UPDATE calls SET duration_s = 1700 WHERE provider_call_id = '${edge('ASC')}'`);
    const after = await july();
    assert.ok(after.max_s <= before.max_s && after.min_s >= before.min_s);
    assert.notDeepEqual(after, before);
    stack.sql(`UPDATE calls SET deleted_at = now() WHERE provider_call_id IN ('mo-20', 'mo-21', 'mo-22')`);
    stack.sql(`UPDATE calls SET status = 'failed' WHERE provider_call_id IN ('mo-30', 'mo-31')`);
    stack.sql(`UPDATE calls SET started_at = started_at - interval '40 days' WHERE provider_call_id IN ('mo-40', 'mo-41')`);
    stack.sql(`UPDATE calls SET recording_status = 'stored', recording_bytes = 777 WHERE provider_call_id = 'mo-42'`);
    sqlAsApp(demoOrg, `UPDATE calls SET status = 'completed', duration_s = 1 WHERE provider_call_id = 'mo-50';
      INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
        VALUES (app_org_id(), 'outbound', 'twilio', 'mo-app', 'completed', '2025-08-15 12:00Z', 1799)`);
    await check('after updates and deletes');
    // A corrupted day of July, and its repair; a change of time zone rebuilds every day.
    stack.sql(`UPDATE call_rollup_days SET n = n + 100, duration_min = 0 WHERE org_id = '${demoOrg}' AND day = '2025-07-10'`);
    stack.sql(`UPDATE call_rollup_hours SET n = n + 7 WHERE org_id = '${demoOrg}' AND day = '2025-07-10'`);
    assert.equal(drift(), '0', 'the months follow even a corrupting write of the days');
    stack.sql(`SELECT sb_call_rollups_repair('${demoOrg}', '2025-07-10')`);
    await check('after a repair');
    assert.equal(stack.cli(['org', 'set', 'demo', 'timezone=Asia/Kolkata']).status, 0);
    await check('in Kolkata');
    assert.equal(stack.cli(['org', 'set', 'demo', 'timezone=America/New_York']).status, 0);
    await check('back in New York');
    assert.throws(() => sqlAsApp(demoOrg, `UPDATE call_rollup_months SET n = 0`), /permission denied/);
    assert.equal(sqlAsApp(demoOrg, `SELECT count(DISTINCT org_id) FROM call_rollup_month_hours`), '1', 'RLS on the months');
  });

  // Over 20,000 calls in the range: top numbers come from the threshold walk over the
  // per-number totals (sql/0011). A number with the highest total but almost all of it
  // outside the range must not be ranked by its total.
  test('top numbers of a busy range are exact, whatever the numbers did outside it', async () => {
    const call = (num, at, id) => `('${demoOrg}', 'inbound', 'twilio', '${id}', '${num}', 'completed', ${at}, 10)`;
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, status, started_at, duration_s)
    SELECT '${demoOrg}'::uuid, 'inbound', 'twilio', 'tail-' || g, '+1999' || lpad((g % 21000)::text, 7, '0'), 'completed',
           timestamptz '2025-12-01 12:00Z' + make_interval(mins => g % (60 * 24 * 19)), 10
      FROM generate_series(1, 24000) g
    UNION ALL
    SELECT '${demoOrg}', 'inbound', 'twilio', 'hot-' || h || '-' || k, '+1888555' || lpad(h::text, 4, '0'), 'completed',
           timestamptz '2025-12-02 12:00Z' + make_interval(hours => k), 10
      FROM generate_series(1, 12) h, generate_series(1, 14) k WHERE k <= h + 2
    UNION ALL
    SELECT '${demoOrg}', 'inbound', 'twilio', 'old-' || g, '+17775550000', 'completed',
           timestamptz '2025-06-01 12:00Z' + make_interval(mins => g), 10
      FROM generate_series(1, 500) g`);
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, status, started_at, duration_s)
             VALUES ${call('+17775550000', "'2025-12-05 12:00Z'", 'old-in-range')}`);
    const s = await assertMatches(admin, '2025-12-01', '2025-12-20', 'busy range');
    assert.ok(s.total > 20000);
    assert.equal(s.top_numbers.length, 10);
    assert.deepEqual(s.top_numbers[0], { number: '+18885550012', count: 14 });
    assert.ok(!s.top_numbers.some((t) => t.number === '+17775550000'), 'ranked by its count in the range, not its total');
  });

  test('the default range is the last 30 days ending today; the overview shows today', async () => {
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
             SELECT '${demoOrg}', d, 'twilio', 'today-' || i || '-' || g,
                    CASE WHEN g = 1 THEN 'completed' ELSE 'no_answer' END, now() - interval '1 second', 30
               FROM unnest(ARRAY['inbound', 'inbound', 'outbound']) WITH ORDINALITY u(d, i), generate_series(1, 2) g`);
    const today = stack.sql(`SELECT ((now() AT TIME ZONE timezone)::date)::text FROM orgs WHERE slug = 'demo'`);
    const start = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86400000).toISOString().slice(0, 10);
    const s = (await admin.get('/api/v1/calls/analytics/summary')).json().data;
    assert.equal(s.start_date, start);
    assert.equal(s.end_date, today);
    await assertMatches(admin, start, today, 'default range');
    const t = brute(today, today);
    const page = await admin.get('/');
    assert.equal(page.status, 200);
    assert.match(page.body, new RegExp(`id="today-inbound">${t.inbound}<`));
    assert.match(page.body, new RegExp(`id="today-outbound">${t.outbound}<`));
    const rate = (Math.round((1000 * (t.by_status.completed || 0)) / t.total) / 10).toFixed(1);
    assert.match(page.body, new RegExp(`id="today-answered-rate">${rate.replace('.', '\\.')}<`));
    assert.ok(page.body.includes(`href="/calls?start_date=${today}&amp;end_date=${today}&amp;direction=inbound"`));
    assert.ok(page.body.includes(`href="/calls?start_date=${today}&amp;end_date=${today}&amp;status=completed"`));
    assert.ok(page.body.includes('href="/calls/analytics"'));
    assert.match(page.body, /id="org-name"/, 'the org card stays');
  });

  test('the page shows the figures, an SVG chart with a table, the heatmap and top numbers', async () => {
    const res = await admin.get(`/calls/analytics${q(START, END)}`);
    assert.equal(res.status, 200);
    const b = brute(START, END);
    assert.match(res.body, new RegExp(`id="total">${b.total}<`));
    assert.match(res.body, new RegExp(`id="inbound">${b.inbound}<`));
    assert.match(res.body, /<svg class="bar-chart" role="img" aria-labelledby="daily-chart-title daily-chart-desc"/);
    assert.match(res.body, /<title id="daily-chart-title">/);
    assert.equal((res.body.match(/<rect class="bar"/g) || []).length, days(START, END).length);
    assert.doesNotMatch(res.body, /style=/, 'no inline styles (CSP)');
    assert.match(res.body, /<details class="chart-table">/);
    assert.equal((res.body.match(/<td class="heat-\d"/g) || []).length, 168);
    assert.ok(res.body.includes(`>${b.top[0].number}</a>`));
    assert.ok(res.body.includes(`href="/calls?start_date=${START}&amp;end_date=${END}&amp;phone=${encodeURIComponent(b.top[0].number)}"`));
    assert.ok(res.body.includes('href="/calls"'), 'a way back to the list');
    assert.match(res.body, /value="2025-10-27"/);
    // Defaults when no dates are given.
    const def = await admin.get('/calls/analytics');
    assert.equal(def.status, 200);
  });

  test("the default range follows the org's time zone at once (workers remember today until midnight)", async () => {
    const todayIn = () => stack.sql(`SELECT ((now() AT TIME ZONE timezone)::date)::text FROM orgs WHERE slug = 'demo'`);
    const endDates = async () => {
      const ends = new Set();
      for (let i = 0; i < 12; i++) ends.add((await admin.get('/api/v1/calls/analytics/summary')).json().data.end_date);
      return [...ends];
    };
    try {
      // 25 hours apart: the two zones' dates always differ.
      stack.sql(`UPDATE orgs SET timezone = 'Pacific/Pago_Pago' WHERE slug = 'demo'`);
      assert.deepEqual(await endDates(), [todayIn()]);
      stack.sql(`UPDATE orgs SET timezone = 'Pacific/Kiritimati' WHERE slug = 'demo'`);
      const kiritimati = todayIn();
      assert.deepEqual(await endDates(), [kiritimati]);
      const page = await admin.get('/calls/analytics');
      assert.ok(page.body.includes(`value="${kiritimati}"`), 'the page too');
    } finally {
      stack.sql(`UPDATE orgs SET timezone = 'America/New_York' WHERE slug = 'demo'`);
    }
  });

  test('bad ranges answer 400 naming the field (HTML and JSON)', async () => {
    const cases = [
      ['start_date=2025-13-01&end_date=2025-11-01', 'start_date'],
      ['start_date=2025-02-30', 'start_date'],
      ['start_date=yesterday', 'start_date'],
      ['end_date=2025-11-01%27', 'end_date'],
      ['start_date=2025-11-02&end_date=2025-11-01', 'end_date'],
      ['start_date=2024-01-01&end_date=2025-01-01', 'end_date'], // 367 days
    ];
    for (const [query, field] of cases) {
      const html = await admin.get(`/calls/analytics?${query}`);
      assert.equal(html.status, 400, query);
      assert.match(html.body, new RegExp(`id="${field}-error"`), `${query}: message at the field`);
      assert.match(html.body, new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
      for (const ep of ['summary', 'daily', 'heatmap']) {
        const res = await admin.get(`/api/v1/calls/analytics/${ep}?${query}`);
        assert.equal(res.status, 400, `${ep} ${query}`);
        const err = res.json().error;
        assert.equal(err.code, 'invalid');
        assert.ok(err.fields[field], `${ep} ${query}: names ${field}`);
      }
    }
    // The typed value comes back escaped.
    const xss = await admin.get('/calls/analytics?start_date=%3Cscript%3E');
    assert.equal(xss.status, 400);
    assert.ok(xss.body.includes('value="&lt;script&gt;"'));
    // 366 days counting both ends is allowed.
    assert.equal((await admin.get('/api/v1/calls/analytics/summary?start_date=2024-01-01&end_date=2024-12-31')).status, 200);
  });

  test('every role may read analytics; API keys too; nobody else', async () => {
    for (const role of ['viewer', 'agent', 'manager']) {
      const c = await stack.as(role);
      assert.equal((await c.get(`/calls/analytics${q(START, END)}`)).status, 200, role);
      assert.equal((await c.get(`/api/v1/calls/analytics/daily${q(START, END)}`)).status, 200, role);
    }
    const r = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'analytics', '--role', 'viewer']);
    assert.equal(r.status, 0, r.stderr);
    const key = r.stdout.trim();
    const res = await stack.request('GET', `/api/v1/calls/analytics/summary${q(START, END)}`,
      { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.equal(res.json().data.total, brute(START, END).total);
    assert.equal((await stack.request('GET', '/api/v1/calls/analytics/heatmap')).status, 401);
    const anon = await stack.request('GET', '/calls/analytics');
    assert.equal(anon.status, 303);
    // Another org's key sees only its own calls.
    const other = stack.cli(['apikey', 'create', '--org', 'other', '--name', 'o', '--role', 'viewer']);
    assert.equal(other.status, 0, other.stderr);
    const o = await stack.request('GET', `/api/v1/calls/analytics/summary${q(START, END)}`,
      { headers: { authorization: `Bearer ${other.stdout.trim()}` } });
    assert.equal(o.json().data.total, brute(START, END, 'other').total);
  });
});

describe('top numbers of any range', () => {
  // sql/0023: the top numbers come from per-number counts over overlapping blocks of
  // days (call_rollup_number_blocks), kept by a trigger on call_rollup_numbers. Every
  // range below is compared with a count straight from calls, and the blocks
  // themselves with a recount, after each kind of write and after a repair.
  let admin, org;
  const END = '2025-12-31';
  const q = (start, end) => `?start_date=${start}&end_date=${end}`;
  const day = (d, plus) => new Date(Date.parse(`${d}T00:00:00Z`) + plus * 86400000).toISOString().slice(0, 10);

  /** n calls of 300 numbers scattered over the 420 days before END, ids prefixed. */
  function scatter(prefix, n, mult = 104729) {
    stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, status,
                                  started_at, duration_s)
      SELECT '${org}', CASE WHEN g % 4 = 0 THEN 'outbound' ELSE 'inbound' END, 'twilio', '${prefix}' || g,
             '+1666555' || lpad(((g * 7919) % 300)::text, 4, '0'), '+1777555' || lpad(((g * 31) % 300)::text, 4, '0'),
             'completed', timestamptz '${END} 12:00Z' - make_interval(mins => (g * ${mult}) % (420 * 24 * 60)), 30
        FROM generate_series(1, ${n}) g`);
  }

  /** The top ten straight from calls, as the API shows them. */
  function bruteTop(start, end) {
    return JSON.parse(stack.sql(`
      SELECT coalesce(json_agg(json_build_object('number', num, 'count', n) ORDER BY n DESC, num), '[]')
        FROM (SELECT num, count(*) n
                FROM (SELECT CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END AS num
                        FROM calls c JOIN orgs o ON o.id = c.org_id
                       WHERE c.org_id = '${org}' AND c.deleted_at IS NULL AND NOT c.is_demo
                         AND (c.started_at AT TIME ZONE o.timezone)::date BETWEEN '${start}' AND '${end}') x
               WHERE num <> '' GROUP BY num HAVING count(*) >= 2 ORDER BY n DESC, num LIMIT 10) t`));
  }

  // A day, the presets, ranges just over a level's span, and ranges that start on
  // either side of a block boundary at several strides; each also ending in the past.
  const ranges = [];
  for (const len of [1, 2, 3, 6, 7, 8, 11, 16, 29, 30, 31, 46, 65, 90, 91, 129, 184, 257, 365, 366]) {
    ranges.push([day(END, 1 - len), END]);
    ranges.push([day(END, -40 - len), day(END, -41)]);
  }
  for (const stride of [2, 4, 8, 15, 23, 45, 92]) {
    // 2025-12-07 is day 9472 from 2000-01-01; k * stride lands on block boundaries.
    const boundary = day('2000-01-01', Math.floor(9472 / stride) * stride);
    for (const shift of [-1, 0, 1]) ranges.push([day(boundary, shift), day(boundary, shift + stride)]);
  }

  async function assertAllRanges(what) {
    for (const [start, end] of ranges) {
      const res = await admin.get(`/api/v1/calls/analytics/summary${q(start, end)}`);
      assert.equal(res.status, 200, `${what} ${start}..${end}`);
      assert.deepEqual(res.json().data.top_numbers, bruteTop(start, end), `${what}: ${start}..${end}`);
    }
  }

  /** Rows of the blocks table that a recount from calls does not have, and the reverse. */
  function blocksDiff() {
    return Number(stack.sql(`
      WITH c AS (SELECT (c.started_at AT TIME ZONE o.timezone)::date AS d,
                        CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END AS num
                   FROM calls c JOIN orgs o ON o.id = c.org_id
                  WHERE c.org_id = '${org}' AND c.deleted_at IS NULL AND NOT c.is_demo),
      dn AS (SELECT num, d, count(*) AS n FROM c WHERE num <> '' GROUP BY 1, 2),
      e AS (SELECT dn.*, l.level, k
              FROM dn, sb_call_block_levels() l,
                   generate_series(ceil((dn.d - date '2000-01-01' - l.length + 1)::numeric / l.stride)::int,
                                   floor((dn.d - date '2000-01-01')::numeric / l.stride)::int) k),
      want AS (SELECT num, level, k AS block, sum(n)::bigint AS n, array_agg(d ORDER BY d) AS days,
                      array_agg(n ORDER BY d)::bigint[] AS counts
                 FROM e GROUP BY 1, 2, 3 HAVING sum(n) >= 2),
      have AS (SELECT number AS num, level, block, n, days, counts FROM call_rollup_number_blocks WHERE org_id = '${org}')
      SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) x)
           + (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) y)`));
  }

  before(async () => {
    await stack.reset();
    admin = await stack.as('admin');
    org = stack.sql(`SELECT id FROM orgs WHERE slug = 'demo'`);
    stack.sql(`UPDATE orgs SET timezone = 'America/New_York' WHERE slug = 'demo'`);
    clearCalls(stack);
    scatter('s-', 6000);
  });

  test('every range, a day to a year and ending in the past, equals a direct count', async () => {
    assert.equal(blocksDiff(), 0);
    assert.ok(Number(stack.sql(`SELECT count(*) FROM call_rollup_number_blocks WHERE org_id = '${org}'`)) > 1000);
    await assertAllRanges('scattered');
    assert.equal(bruteTop(day(END, -29), END).length, 10, 'the 30-day range has ten numbers to rank');
  });

  test('new calls, one by one and in bulk, keep every range exact', async () => {
    scatter('b-', 1500, 7907);
    // One statement per call, as webhooks write them.
    for (const [i, num] of ['+16665550007', '+16665550007', '+16665550007', '+16665558888', '+16665558888'].entries()) {
      stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, status, started_at)
                 VALUES ('${org}', 'inbound', 'vapi', 'one-${i}', '${num}', 'completed', '${END} 15:00Z')`);
    }
    assert.equal(blocksDiff(), 0);
    await assertAllRanges('after inserts');
    assert.ok(bruteTop(END, END).some((t) => t.number === '+16665558888' && t.count === 2));
  });

  test('soft and hard deletes, moved calls and changed numbers keep every range exact', async () => {
    stack.sql(`UPDATE calls SET deleted_at = now() WHERE org_id = '${org}' AND provider_call_id LIKE 's-%'
                 AND (substr(provider_call_id, 3)::int % 7) = 0`);
    stack.sql(`DELETE FROM calls WHERE org_id = '${org}' AND provider_call_id LIKE 'b-%'
                 AND (substr(provider_call_id, 3)::int % 5) = 0`);
    stack.sql(`UPDATE calls SET started_at = started_at - interval '9 days'
                WHERE org_id = '${org}' AND provider_call_id LIKE 's-%' AND (substr(provider_call_id, 3)::int % 11) = 0`);
    stack.sql(`UPDATE calls SET from_number = '+16665559999'
                WHERE org_id = '${org}' AND provider_call_id LIKE 's-%' AND (substr(provider_call_id, 3)::int % 13) = 1`);
    stack.sql(`UPDATE calls SET deleted_at = NULL WHERE org_id = '${org}' AND provider_call_id LIKE 's-%'
                 AND (substr(provider_call_id, 3)::int % 14) = 0`);
    // A number back to one call has no block left.
    stack.sql(`UPDATE calls SET deleted_at = now() WHERE org_id = '${org}' AND provider_call_id = 'one-4'`);
    assert.equal(stack.sql(`SELECT count(*) FROM call_rollup_number_blocks WHERE number = '+16665558888'`), '0');
    assert.equal(blocksDiff(), 0);
    await assertAllRanges('after deletes and updates');
  });

  test('sb_call_rollups_repair rebuilds the blocks of the day it repairs', async () => {
    const d = day(END, -20);
    const nums = `SELECT number FROM call_rollup_numbers WHERE org_id = '${org}' AND day = '${d}'`;
    // Blocks holding that day, of numbers that called on it: what the repair recomputes.
    stack.sql(`DELETE FROM call_rollup_number_blocks WHERE org_id = '${org}' AND number IN (${nums})
                 AND level IN (1, 9, 16) AND '${d}'::date = ANY (days);
      UPDATE call_rollup_number_blocks SET n = n + 5
       WHERE org_id = '${org}' AND number IN (${nums}) AND level = 5 AND '${d}'::date = ANY (days)`);
    assert.ok(blocksDiff() > 0, 'corrupted');
    stack.sql(`SELECT sb_call_rollups_repair('${org}', '${d}')`);
    assert.equal(blocksDiff(), 0);
    await assertAllRanges('after repair');
  });
});
