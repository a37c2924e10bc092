// campaign_live.test.mjs — a campaign from a CSV to its completion in Chromium: a
// manager imports contacts through /contacts/import (maps a column by hand), builds an
// SMS campaign for the imported tag, launches it while the organisation's quiet hours
// hold its messages back (the page says until when), and then, quiet hours lifted,
// watches the campaign page's figures, bars and status reach completion through the
// live refresh alone: no reload, no navigation, no console error or CSP violation.
// Then the page passes axe (WCAG A/AA) and fits the window at a desktop and a phone
// width, in screenshots under t/out/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';
import { startProvider } from '../fakes/provider.mjs';
import { DEFAULT_ACCOUNTS as ACCOUNTS } from '../fakes/messaging.mjs';
import { launch, newPage, shot, signIn, axeCheck, overflowX, SHOTS } from './browser.mjs';

let stack, provider, browser, base, campaignId;

/** Quiet hours around now in the org's zone (from an hour ago to an hour ahead). */
function quietNow() {
  return stack.one(`SELECT to_char(now() AT TIME ZONE timezone - interval '1 hour', 'HH24:MI') || '-' ||
    to_char(now() AT TIME ZONE timezone + interval '1 hour', 'HH24:MI') FROM orgs WHERE slug = 'demo'`);
}

before(async () => {
  provider = await startProvider();
  stack = await Stack.start();
  base = `https://localhost:${stack.httpsPort}`;
  const fake = `http://127.0.0.1:${provider.port}`;
  const set = stack.cli(['org', 'set', 'demo', `twilio_base_url=${fake}`, 'twilio_from_number=+15005550006',
    `sendgrid_base_url=${fake}`, 'sendgrid_from_email=campaigns@demo.test', `quiet_hours=${quietNow()}`,
    'twilio_account_sid', 'twilio_auth_token', 'sendgrid_api_key'],
  { input: `${ACCOUNTS.twilioSid}\n${ACCOUNTS.twilioToken}\n${ACCOUNTS.sendgridKey}\n` });
  assert.equal(set.status, 0, set.stderr);
  stack.startWorker();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  await provider?.close();
});

test('import a CSV, build an SMS campaign for its tag, launch it, watch it complete live', async () => {
  const page = await newPage(browser);
  const file = path.join(SHOTS, 'campaign-live-e2e.csv');
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(file, 'Full Name,Cell,Email,Labels\r\n' +
    'Ana Lima,(415) 555-0701,,spring\r\n' +
    'Ben Okafor,(415) 555-0702,,spring\r\n' +
    'Chen Wei,(415) 555-0703,,spring\r\n' +
    'Dana Scott,,dana@example.com,spring\r\n');
  await signIn(page, base, 'manager@demo.test', stack.password);
  await page.getByRole('link', { name: 'Contacts', exact: true }).click();
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.locator('#import-preview').waitFor();
  await page.getByLabel('Cell').selectOption({ label: 'Phone' });
  assert.equal(await page.getByLabel('Labels').inputValue(), 'tags');
  await page.getByRole('button', { name: /^Import 4 rows$/ }).click();
  await page.locator('#import-result').waitFor();
  assert.equal(await page.locator('#import-created').innerText(), '4');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('link', { name: 'New campaign' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill('Spring offers');
  await page.getByLabel('Every contact with a tag').check();
  await page.getByLabel('Tag', { exact: true }).fill('spring');
  await page.getByLabel('SMS text').fill('Hi {{first_name|there}}, spring offers are in.');
  await page.getByLabel('Messages per minute').fill('600');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('#campaign-name').waitFor();
  campaignId = page.url().split('/').pop();
  await page.getByRole('button', { name: 'Launch' }).click();
  await page.locator('#campaign-live').waitFor();
  const url = page.url();

  // Held back by the quiet hours: the page says so, and nothing has gone yet.
  assert.equal(await page.locator('#campaign-status').innerText(), 'Running');
  assert.match(await page.locator('#campaign-quiet-now').innerText(), /held until \d\d:\d\d/);
  assert.deepEqual(await page.locator('#progress-sms td').allInnerTexts(), ['3', '0', '0', '0', '1', '0']);
  assert.match(await page.locator('#campaign-summary').innerText(), /^1 of 4 messages done \(25%\)/);
  assert.equal(await page.locator('#campaign-summary').getAttribute('aria-live'), 'polite');
  assert.match(await page.locator('#campaign-errors').innerText(), /SMS\s+Skipped\s+No phone number/);
  assert.ok(await page.locator('#campaign-replies-none').isVisible());
  assert.match(await page.locator('#campaign-breakers').innerText(), /Twilio\s+Closed/);
  await shot(page, 'campaign-live-held');
  // The refresh runs meanwhile and changes nothing but its counter.
  await page.waitForFunction(() => Number(document.getElementById('campaign-live').dataset.refreshed || 0) >= 1,
    null, { timeout: 15000 });
  await page.evaluate(() => { window.sbStillHere = true; });
  let navigations = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations += 1; });

  // The quiet hours lifted, the worker sends and the page follows by itself.
  assert.equal(stack.cli(['org', 'set', 'demo', 'quiet_hours=00:00-00:00']).status, 0);
  await page.waitForFunction(() => document.getElementById('campaign-live').dataset.final === 'true', null, { timeout: 45000 });
  assert.equal(await page.locator('#campaign-status').innerText(), 'Completed');
  assert.deepEqual(await page.locator('#progress-sms td').allInnerTexts(), ['0', '3', '0', '0', '1', '0']);
  assert.match(await page.locator('#campaign-summary').innerText(), /^4 of 4 messages done \(100%\) · Completed/);
  assert.equal(await page.locator('#campaign-done-bar').evaluate((b) => b.value), 4);
  assert.equal(await page.locator('#funnel-sent td').first().innerText(), '3');
  assert.equal(await page.locator('meter[data-meter="sent"]').evaluate((m) => m.value), 3);
  assert.ok(await page.locator('#campaign-quiet-now').isHidden(), 'the quiet-hours note goes with the quiet hours');
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0, 'a completed campaign offers no actions');
  assert.equal(await page.evaluate(() => window.sbStillHere), true, 'the page was not reloaded');
  assert.equal(navigations, 0);
  assert.equal(page.url(), url);
  await shot(page, 'campaign-live-completed');
  // The server agrees with what the page shows.
  const sent = provider.messaging.requests.filter((r) => r.route === 'twilio.messages').map((r) => r.form.Body).sort();
  assert.deepEqual(sent, ['Hi Ana, spring offers are in.', 'Hi Ben, spring offers are in.', 'Hi Chen, spring offers are in.']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

const WIDTHS = [
  ['desktop', { viewport: { width: 1366, height: 900 } }],
  ['phone', { viewport: { width: 390, height: 844 } }],
];

for (const [width, options] of WIDTHS) {
  test(`the campaign page passes axe and fits the window at ${width}`, async () => {
    assert.ok(campaignId, 'the campaign of the first test');
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, ...options });
    const page = await context.newPage();
    await signIn(page, base, 'manager@demo.test', stack.password);
    const res = await page.goto(`${base}/campaigns/${campaignId}`);
    assert.equal(res.status(), 200);
    const found = [];
    const over = await overflowX(page);
    if (over > 0) found.push(`campaign page (${width}): ${over} px wider than the window`);
    found.push(...(await axeCheck(page, `campaign page (${width})`)));
    await shot(page, `campaign-live-${width}`);
    await context.close();
    assert.deepEqual(found, []);
  });
}
