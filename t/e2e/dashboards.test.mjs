// dashboards.test.mjs — the dashboards in Chromium: sign-in, calls, analytics, deals
// and a deal's deliverables and payments. One stack for the file; each describe()
// starts with stack.reset(), so it sees the database as a freshly started stack
// would, whatever ran before it (each launches its own browser).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot, signIn } from './browser.mjs';
import { insertCalls, clearCalls } from '../lib/calls_fixtures.mjs';

let stack;

before(async () => {
  stack = await Stack.start({ resettable: true });
});

after(async () => {
  if (stack) await stack.stop();
});

describe('sign-in', () => {
  // A person signs in through the form, lands on the overview, opens the user menu and
  // signs out, in light, dark and phone-sized Chromium.
  let browser, base;

  before(async () => {
    await stack.reset();
    base = `https://localhost:${stack.httpsPort}`;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
  });

  test('sign in, see the overview, sign out', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/`);
    assert.match(new URL(page.url()).pathname, /^\/login/, 'signed-out visitors are sent to the sign-in page');
    await shot(page, '01-login');

    await page.getByLabel('Email').fill('admin@demo.test');
    await page.getByLabel('Password').fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /incorrect/);
    assert.equal(await page.getByLabel('Email').inputValue(), 'admin@demo.test', 'the email typed is kept');
    await shot(page, '02-login-error');
    // The refused sign-in answers 400 (the form again, with its message): Chromium
    // logs that document status as a console error. Anything else is a problem.
    assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
    page.problems.length = 0;

    await page.getByLabel('Password').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Overview');
    assert.equal(await page.locator('#org-name').innerText(), 'Demo Company');
    assert.equal(await page.locator('#user-role').innerText(), 'admin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
    await shot(page, '03-overview');

    await page.locator('details.user-menu summary').click();
    assert.match(await page.locator('.user-menu-panel').innerText(), /admin@demo\.test/);
    await shot(page, '04-user-menu');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    assert.match(await page.getByRole('status').innerText(), /signed out/);
    await shot(page, '05-signed-out');

    await page.goto(`${base}/`);
    assert.match(new URL(page.url()).pathname, /^\/login/, 'the session has ended');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the admin page is reachable from the navigation for admins only', async () => {
    for (const [role, canSee] of [['admin', true], ['viewer', false]]) {
      const page = await newPage(browser);
      await page.goto(`${base}/login`);
      await page.getByLabel('Email').fill(`${role}@demo.test`);
      await page.getByLabel('Password').fill(stack.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' });
      assert.equal(await link.count(), canSee ? 1 : 0);
      if (canSee) {
        await link.click();
        await page.waitForURL(`${base}/admin`);
        assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'System health');
        await shot(page, '06-admin');
      } else {
        const res = await page.goto(`${base}/admin`);
        assert.equal(res.status(), 403);
        await shot(page, '07-forbidden');
      }
      // A 403 page is an expected console error for the document itself; nothing else may fail.
      assert.deepEqual(page.problems.filter((p) => !/status of 403/.test(p)), []);
      await page.context().close();
    }
  });

  test('dark mode and a phone-sized screen render without problems', async () => {
    const page = await newPage(browser, { colorScheme: 'dark', viewport: { width: 390, height: 844 }, isMobile: true });
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('viewer@demo.test');
    await page.getByLabel('Password').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(246, 247, 249)', 'the dark palette applies');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
    await shot(page, '08-overview-dark-phone');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe('calls', () => {
  // The calls dashboard in Chromium: filter the list without a reload (the URL
  // follows), page on, open a call, click a transcript line and see the player seek;
  // screenshots of the list, the filtered list and the detail.
  let browser, base, callId;

  /** A small PCM WAV file: seconds of a quiet 440 Hz tone, 8 kHz mono 16-bit. */
  function wav(seconds) {
    const rate = 8000, n = rate * seconds, buf = Buffer.alloc(44 + n * 2);
    buf.write('RIFF', 0); buf.writeUInt32LE(36 + n * 2, 4); buf.write('WAVE', 8); buf.write('fmt ', 12);
    buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22); buf.writeUInt32LE(rate, 24);
    buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34); buf.write('data', 36);
    buf.writeUInt32LE(n * 2, 40);
    for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
    return buf;
  }

  before(async () => {
    await stack.reset();
    base = `https://localhost:${stack.httpsPort}`;
    browser = await launch();
    clearCalls(stack);
    const names = ['Ana Lima', 'Ben Okafor', 'Chen Wei', 'Dana Cruz', 'Eli Novak', 'Fay Moreau'];
    const rows = [];
    for (let i = 0; i < 60; i++)
      rows.push({ caller_name: names[i % names.length], direction: i % 3 ? 'inbound' : 'outbound',
        status: ['completed', 'completed', 'no_answer', 'busy'][i % 4], duration_s: (i * 37) % 900,
        from_number: `+1415555${String(100 + (i % 9)).padStart(4, '0')}`, to_number: '+18005550000',
        started_at: new Date(Date.UTC(2024, 4, 1 + (i % 20), 9 + (i % 8), i)).toISOString(),
        sentiment_label: ['positive', 'neutral', 'negative'][i % 3], sentiment_score: [0.6, 0, -0.5][i % 3] });
    insertCalls(stack, rows);
    [callId] = insertCalls(stack, [{ caller_name: 'Grace Hopper', from_number: '+14155550142', started_at: '2024-06-01T15:00:00Z',
      duration_s: 8, sentiment_label: 'positive', sentiment_score: 0.7, summary: 'Asked about the invoice; agent resent it.',
      recording_status: 'stored', recording_content_type: 'audio/wav', action_items: ['Resend invoice 1042'],
      transcript: [{ t_ms: 0, speaker: 'agent', text: 'Thanks for calling, this is Sam.' },
        { t_ms: 2500, speaker: 'caller', text: 'Hi, I never got my invoice.' },
        { t_ms: 5200, speaker: 'agent', text: 'Sorry about that, I am sending it again now.' },
        { t_ms: 7000, speaker: 'system', text: 'Call ended by caller.' }] }]);
    const org = stack.sql("SELECT id FROM orgs WHERE slug = 'demo'");
    const rel = `${org}/${callId}.wav`;
    mkdirSync(path.join(stack.dir, 'recordings', org), { recursive: true });
    writeFileSync(path.join(stack.dir, 'recordings', rel), wav(8));
    stack.sql(`UPDATE calls SET recording_path = '${rel}', recording_bytes = ${44 + 8 * 8000 * 2} WHERE id = '${callId}'`);
  });

  after(async () => {
    await browser?.close();
  });

  const signInAsManager = (page) => signIn(page, base, 'manager@demo.test', stack.password);

  test('filter the list without a reload, then page on', async () => {
    const page = await newPage(browser);
    await signInAsManager(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calls', exact: true }).click();
    await page.waitForURL(`${base}/calls`);
    await page.locator('#calls-table').waitFor();
    assert.equal(await page.locator('#calls-table tbody tr').count(), 50);
    await shot(page, 'calls-01-list');

    // A marker on the window survives only if the page is not reloaded.
    await page.evaluate(() => (window.__noReload = true));
    await page.getByLabel('Caller name').fill('chen');
    await page.getByLabel('Phone number').fill('(415) 555-0102');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\/calls\?phone=%28415%29\+555-0102&name=chen$/);
    await page.locator('#result-count').waitFor();
    assert.equal(await page.evaluate(() => window.__noReload), true, 'no reload');
    const rows = page.locator('#calls-table tbody tr');
    assert.ok((await rows.count()) > 0);
    for (const text of await rows.allInnerTexts()) {
      assert.match(text, /Chen Wei/);
      assert.match(text, /\+14155550102/);
    }
    await shot(page, 'calls-02-filtered');

    // A select filters at once; a bad value shows the message at the field, still no reload.
    await page.getByLabel('Min. seconds').fill('abc');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('#e-min_duration').waitFor();
    assert.equal(await page.evaluate(() => window.__noReload), true);
    await page.getByLabel('Min. seconds').fill('');
    await page.getByLabel('Caller name').fill('');
    await page.getByLabel('Phone number').fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(`${base}/calls`);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByRole('link', { name: 'First page' }).waitFor();
    assert.equal(await page.locator('#calls-table tbody tr').count(), 11);
    assert.equal(await page.evaluate(() => window.__noReload), true);
    // Chromium logs the deliberate 400 above as a failed resource load; nothing else.
    const bad = page.problems.filter((p) => /status of 400/.test(p));
    assert.equal(bad.length, 1);
    assert.deepEqual(page.problems.filter((p) => !bad.includes(p)), []);
  });

  test('without JavaScript the form still filters (a plain GET)', async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await signInAsManager(page);
    await page.goto(`${base}/calls`);
    await page.getByLabel('Direction').selectOption('outbound');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/direction=outbound/);
    for (const t of await page.locator('#calls-table tbody tr').allInnerTexts()) assert.match(t, /outbound/);
  });

  test('open a call, click a transcript line, the player seeks', async () => {
    const page = await newPage(browser);
    await signInAsManager(page);
    await page.goto(`${base}/calls?name=grace`);
    await page.getByRole('link', { name: /2024-06-01/ }).click();
    await page.waitForURL(`${base}/calls/${callId}`);
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    const audio = page.locator('#call-audio');
    assert.equal(await audio.getAttribute('preload'), 'none');
    assert.equal(await audio.getAttribute('src'), `/calls/${callId}/recording`);
    await page.locator('button[data-t-ms="5200"]').click();
    // The seek is checked on the element (currentTime): it holds whether or not the
    // recording route can serve the file yet.
    const t = await page.waitForFunction(() => document.getElementById('call-audio').currentTime > 5, null, { timeout: 5000 });
    assert.ok(await t.jsonValue());
    const current = await audio.evaluate((a) => a.currentTime);
    assert.ok(current >= 5.2 && current < 8, `currentTime ${current}`);
    await shot(page, 'calls-03-detail');
    // The recording route is tested elsewhere; a failed load of it is not this page's problem.
    // (Leaving a page can abort its favicon request; that is not an error either.)
    const problems = page.problems.filter((p) => !p.includes(`/calls/${callId}/recording`) && !/favicon.*ERR_ABORTED/.test(p));
    assert.deepEqual(problems, []);
  });
});

describe('analytics', () => {
  // The analytics page and the overview's call figures in Chromium (light, dark,
  // phone): no console errors, no CSP violations (an inline style in the SVG would be
  // one), the chart and its table readable.
  let browser, base;

  before(async () => {
    await stack.reset();
    base = `https://localhost:${stack.httpsPort}`;
    browser = await launch();
    // 28 days of calls ending now (inside the default 30-day range at any hour of the
    // day), busier in office hours, and a few today.
    stack.sql(`
    INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, status,
                       started_at, duration_s, sentiment_label, recording_status, recording_bytes)
    SELECT o.id, CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'vapi', 'e2e-' || g,
           '+1415555' || lpad((g % 23)::text, 4, '0'), '+1212555' || lpad((g % 9)::text, 4, '0'),
           (ARRAY['completed','completed','completed','no_answer','busy','failed'])[1 + g % 6],
           now() - make_interval(days => g % 28, hours => (g * 7) % 10),
           (g * 41) % 900, (ARRAY['positive','neutral','negative',NULL])[1 + g % 4],
           CASE WHEN g % 4 = 0 THEN 'stored' ELSE 'none' END, CASE WHEN g % 4 = 0 THEN g * 50000 ELSE 0 END
      FROM orgs o, generate_series(1, 900) g WHERE o.slug = 'demo'`);
  });

  after(async () => {
    await browser?.close();
  });

  const signInAsManager = (page) => signIn(page, base, 'manager@demo.test', stack.password);

  for (const [name, options] of [
    ['light', {}],
    ['dark', { colorScheme: 'dark' }],
    ['phone', { viewport: { width: 390, height: 844 }, isMobile: true }],
  ]) {
    test(`overview and analytics (${name})`, async () => {
      const page = await newPage(browser, options);
      await signInAsManager(page);
      assert.ok(Number(await page.locator('#today-inbound').innerText()) >= 0);
      await shot(page, `analytics-01-overview-${name}`);
      await page.getByRole('link', { name: 'Call analytics' }).click();
      await page.waitForURL(`${base}/calls/analytics`);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Call analytics');
      assert.equal(await page.locator('#total').innerText(), '900');
      const chart = page.getByRole('img', { name: /Calls per day/ });
      assert.ok(await chart.isVisible(), 'the chart is an accessible image');
      assert.ok((await chart.boundingBox()).height > 50, 'the chart has a height');
      await page.getByText('Calls per day as a table').click();
      assert.ok(await page.locator('#daily-table').isVisible());
      await shot(page, `analytics-02-page-${name}`);
      // A bad range: the form again with the message at the field.
      await page.getByLabel('From', { exact: true }).fill('2025-03-01');
      await page.getByLabel('To', { exact: true }).fill('2025-02-01');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.locator('#end_date-error').waitFor();
      await shot(page, `analytics-03-error-${name}`);
      // The 400 document status is logged by Chromium as a console error; nothing else may be.
      assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
      await page.context().close();
    });
  }
});

describe('deals', () => {
  // Deals in Chromium: create a deal through the form (a validation error first, then
  // its fix), move it on the board by drag and drop and with the keyboard-friendly
  // select, see the history on the deal page; screenshots of each.
  let browser, base;

  before(async () => {
    await stack.reset();
    base = `https://localhost:${stack.httpsPort}`;
    browser = await launch();
    stack.sql(`INSERT INTO brands (org_id, name) SELECT id, n FROM orgs, unnest(ARRAY['Acme Cosmetics', 'Zen Tea']) n WHERE slug = 'demo'`);
    stack.sql(`INSERT INTO deals (org_id, brand_id, title, stage, value_minor, currency, next_action, next_action_due_at)
    SELECT o.id, b.id, t, s, v, 'USD', 'Follow up', now() + interval '3 days'
    FROM orgs o JOIN brands b ON b.org_id = o.id AND b.name = 'Zen Tea',
      (VALUES ('Tea reel', 'negotiating', 150000), ('Matcha story', 'contracted', 90000), ('Chai live', 'paid', 40000)) d(t, s, v)
    WHERE o.slug = 'demo'`);
  });

  after(async () => {
    await browser?.close();
  });

  const signInAsManager = (page) => signIn(page, base, 'manager@demo.test', stack.password);

  test('create a deal through the form, fixing a validation error', async () => {
    const page = await newPage(browser);
    await signInAsManager(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deals', exact: true }).click();
    await page.waitForURL(`${base}/deals`);
    await page.locator('#deals-table').waitFor();
    await shot(page, 'deals-01-list');
    await page.locator('#new-deal').click();
    await page.waitForURL(`${base}/deals/new`);
    await page.getByLabel('Title').fill('Summer glow campaign');
    await page.getByLabel('Brand').selectOption({ label: 'Acme Cosmetics' });
    await page.getByLabel('Value').fill('12.345');
    await page.getByLabel('Tags (comma-separated)').fill('summer, glow');
    await page.locator('#save-deal').click();
    await page.locator('#e-value').waitFor();
    assert.match(await page.locator('#e-value').innerText(), /decimals/i);
    assert.equal(await page.getByLabel('Title').inputValue(), 'Summer glow campaign');
    await shot(page, 'deals-02-form-error');
    await page.getByLabel('Value').fill('2,500.00');
    await page.locator('#save-deal').click();
    await page.waitForURL(/\/deals\/[0-9a-f-]{36}$/);
    assert.equal(await page.locator('#deal-value').innerText(), '$2,500.00');
    assert.match(await page.locator('.flash').first().innerText(), /created/);
    await shot(page, 'deals-03-created');
    // The form's 400 (the validation error) is logged by the browser.
    assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
  });

  test('move deals on the board: drag and drop, then the select; an illegal drop is explained', async () => {
    // Wide enough for all eight fixed-width columns (15rem each), so a drag never has to
    // scroll the board sideways.
    const page = await newPage(browser, { viewport: { width: 2100, height: 900 } });
    await signInAsManager(page);
    await page.goto(`${base}/deals/board`);
    const card = page.locator('.board-card', { hasText: 'Summer glow campaign' });
    await card.waitFor();
    await shot(page, 'deals-04-board');
    // Drag inbound → negotiating.
    await card.dragTo(page.locator('.board-column[data-stage="negotiating"]'));
    await page.locator('.board-column[data-stage="negotiating"] .board-card', { hasText: 'Summer glow campaign' }).waitFor();
    assert.equal(await page.locator('.board-column[data-stage="inbound"] [data-count]').innerText(), '0');
    // An illegal drop (negotiating → paid) is refused with the allowed moves.
    const moved = page.locator('.board-card', { hasText: 'Summer glow campaign' });
    await moved.dragTo(page.locator('.board-column[data-stage="paid"]'));
    await page.locator('#board-js-notice:not([hidden])').waitFor();
    assert.match(await page.locator('#board-js-notice').innerText(), /Allowed moves: contracted, lost/);
    await shot(page, 'deals-05-board-refused');
    // The keyboard path: the card's select and Move button (a plain form POST).
    const again = page.locator('.board-card', { hasText: 'Summer glow campaign' });
    await again.getByLabel(/Move “Summer glow campaign” to/).selectOption('contracted');
    await again.getByRole('button', { name: 'Move' }).click();
    await page.waitForURL(`${base}/deals/board`);
    await page.locator('.board-column[data-stage="contracted"] .board-card', { hasText: 'Summer glow campaign' }).waitFor();
    assert.equal(await page.locator('.board-column[data-stage="contracted"] [data-count]').innerText(), '2');
    await shot(page, 'deals-06-board-moved');
    await page.locator('.board-card', { hasText: 'Summer glow campaign' }).getByRole('link').click();
    await page.locator('#history').waitFor();
    assert.match(await page.locator('#history').innerText(), /stage\s+negotiating → contracted/);
    await shot(page, 'deals-07-deal-page');
    // The refused drop logs its 409; a form navigation cancels loads still in flight.
    assert.deepEqual(page.problems.filter((p) => !/409|net::ERR_ABORTED/.test(p)), []);
  });
});

describe('deliverables and payments of a deal', () => {
  // On a deal inserted by SQL, add a deliverable and a payment through the forms in
  // Chromium (one validation error and its fix), then see the overview's figures
  // change; screenshots; no console errors or CSP violations.
  let browser, base, dealId, today;

  before(async () => {
    await stack.reset();
    base = `https://localhost:${stack.httpsPort}`;
    browser = await launch();
    const org = stack.one(`SELECT id FROM orgs WHERE slug = 'demo'`);
    today = stack.one(`SELECT (now() AT TIME ZONE timezone)::date FROM orgs WHERE id = '${org}'`);
    const brand = stack.one(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Northwind Outdoors') RETURNING id`);
    dealId = stack.one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, contract_status)
                VALUES ('${org}', 'Trail shoes review', '${brand}', 'in_progress', 'USD', 300000, 'signed') RETURNING id`);
  });

  after(async () => {
    await browser?.close();
  });

  const signInAsManager = (page) => signIn(page, base, 'manager@demo.test', stack.password);

  test('add a deliverable and a payment through the forms; the overview follows', async () => {
    const page = await newPage(browser);
    await signInAsManager(page);
    assert.equal(await page.locator('#late-count').innerText(), '0');
    assert.equal(await page.locator('#due-week-count').innerText(), '0');
    await shot(page, 'deals-flow-01-overview-before');

    await page.goto(`${base}/deals/${dealId}/deliverables/new`);
    await page.getByLabel('Platform').selectOption('youtube');
    await page.getByLabel('Type').selectOption('video');
    await page.getByLabel('Quantity').fill('1');
    await page.getByLabel('Scheduled for').fill('2020-01-06T10:00');
    await shot(page, 'deals-flow-02-deliverable-form');
    await page.getByRole('button', { name: 'Add deliverable' }).click();
    await page.waitForURL(`${base}/deals/${dealId}`);
    assert.equal(stack.one(`SELECT platform || ' ' || type FROM deliverables WHERE deal_id = '${dealId}'`), 'youtube video');

    await page.goto(`${base}/deals/${dealId}/payments/new`);
    await page.getByLabel('Kind').selectOption('final');
    await page.getByLabel('Amount', { exact: true }).fill('1,500.125');
    await page.getByLabel('Expected on').fill(today);
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.waitForURL(`${base}/deals/${dealId}/payments`);
    assert.match(await page.locator('#e-amount').innerText(), /decimals/);
    assert.equal(await page.getByLabel('Amount', { exact: true }).inputValue(), '1,500.125', 'the input is kept');
    await shot(page, 'deals-flow-03-payment-error');
    await page.getByLabel('Amount', { exact: true }).fill('1,500.25');
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.waitForURL(`${base}/deals/${dealId}`);
    assert.equal(stack.one(`SELECT amount_minor FROM payments WHERE deal_id = '${dealId}'`), '150025');

    await page.goto(`${base}/`);
    assert.equal(await page.locator('#late-count').innerText(), '1');
    assert.equal(await page.locator('#due-week-count').innerText(), '1');
    assert.equal(await page.locator('#due-week-value').innerText(), '$1,500.25');
    assert.equal(await page.locator('tr[data-stage="in_progress"] .stage-count').innerText(), '1');
    await page.getByRole('link', { name: 'Trail shoes review' }).first().click();
    await page.waitForURL(`${base}/deals/${dealId}`);
    await page.goto(`${base}/`);
    await shot(page, 'deals-flow-04-overview-after');
    await page.goto(`${base}/deals/forecast`);
    assert.equal(await page.locator('#forecast-upcoming').innerText(), '$1,500.25');
    await shot(page, 'deals-flow-05-forecast');
    // The one 400 is the re-rendered payment form (validation errors answer 400 by design).
    const expected400 = page.problems.filter((p) => /status of 400/.test(p));
    assert.equal(expected400.length, 1);
    assert.deepEqual(page.problems.filter((p) => !expected400.includes(p)), []);
  });
});
