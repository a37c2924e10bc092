// analytics.test.mjs — the analytics page and the overview's call figures in Chromium
// (light, dark, phone): no console errors, no CSP violations (an inline style in the
// SVG would be one), the chart and its table readable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot, signIn } from './browser.mjs';

let stack, browser, base;

before(async () => {
  stack = await Stack.start();
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
  await stack?.stop();
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
