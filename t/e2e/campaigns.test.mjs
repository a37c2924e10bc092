// campaigns.test.mjs — the campaign builder in Chromium: a manager opens Campaigns from
// the navigation (the empty state), builds a campaign (finds a contact with the
// picker's search, types an SMS text and watches the live part counter, is told about
// an unknown field and fixes it), saves the draft, reads the preview for the sample
// contact with its part count, launches it and sees its messages per state, with a
// skipped one and its reason among the errors by reason; no console error or CSP violation on the way. Then the
// campaign pages pass axe (WCAG A/AA) and fit the window at a desktop and a phone
// width (a context with bypassCSP, for axe alone). Screenshots in t/out/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot, signIn, axeCheck, overflowX } from './browser.mjs';

let stack, browser, base, campaignId;

before(async () => {
  stack = await Stack.start();
  base = `https://localhost:${stack.httpsPort}`;
  browser = await launch();
  const org = stack.one("SELECT id FROM orgs WHERE slug = 'demo'");
  stack.sql(`INSERT INTO contacts (org_id, first_name, last_name, phone, email, property_address, tags, opt_out_sms) VALUES
    ('${org}', 'Grace', 'Hopper', '+14155550301', 'grace@example.com', '1 Harbor Rd, Arlington', '{navy}', false),
    ('${org}', 'Alan', 'Turing', '+442079460958', NULL, '', '{navy}', true),
    ('${org}', 'Edsger', 'Dijkstra', '+31205550100', 'ewd@example.com', '', '{}', false)`);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('build a campaign, preview it, launch it', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'manager@demo.test', stack.password);
  await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await page.waitForURL(`${base}/campaigns`);
  assert.ok(await page.locator('#campaigns-empty').isVisible());
  assert.match(await page.locator('#demo-provider').innerText(), /Demo provider: no real messages are sent/);
  await page.getByRole('link', { name: 'New campaign' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill('Navy outreach');
  await page.getByLabel('Find contacts').fill('hopper');
  await page.getByRole('button', { name: 'Find contacts' }).click();
  await page.getByLabel(/^Grace Hopper/).check();
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Navy outreach', 'the search keeps what was typed');
  // The counter follows the text: 153 characters and a euro sign are two GSM-7 parts.
  const sms = page.getByLabel('SMS text');
  await sms.fill(`${'a'.repeat(159)}€`);
  assert.match(await page.locator('#sms-counter').innerText(), /160 of 500 characters · 2 SMS parts \(GSM-7\)/);
  await sms.fill('Hi ✓');
  assert.match(await page.locator('#sms-counter').innerText(), /4 of 500 characters · 1 SMS part \(UCS-2\)/);
  await sms.fill('Hi {{nickname}}, is {{property_address}} still yours?');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('#form-error').waitFor();
  assert.match(await page.locator('#e-sms_body').innerText(), /\{\{nickname\}\} is not a field/);
  await shot(page, 'campaign-form-errors');
  await page.locator('#form-error a[href="#f-sms_body"]').click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-sms_body', 'the summary link leads to the field');
  assert.ok(await page.getByLabel(/^Grace Hopper/).isChecked(), 'the chosen contact is kept');
  await sms.fill('Hi {{first_name|there}}, is {{property_address}} still yours?');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('#campaign-name').waitFor();
  campaignId = page.url().split('/').pop();
  assert.equal(await page.locator('#campaign-status').innerText(), 'Draft');
  assert.equal(await page.locator('#preview-sms').innerText(), 'Hi Grace, is 1 Harbor Rd, Arlington still yours?');
  assert.match(await page.locator('#preview-sms-count').innerText(), /48 characters · 1 part \(GSM-7\)/);
  await shot(page, 'campaign-draft');
  // Reach every navy contact instead: Alan is opted out of SMS.
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Every contact with a tag').check();
  await page.getByLabel('Tag', { exact: true }).fill('navy');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('#campaign-name').waitFor();
  assert.match(await page.locator('#campaign-audience').innerText(), /Contacts tagged “navy” · 2/);
  await page.getByRole('button', { name: 'Launch' }).click();
  await page.locator('#campaign-progress').waitFor();
  assert.equal(await page.locator('#campaign-status').innerText(), 'Running');
  assert.deepEqual(await page.locator('#progress-sms td').allInnerTexts(), ['1', '0', '0', '0', '1', '0']);
  assert.equal(await page.locator('#preview-contact').innerText(), 'Grace Hopper', 'the sample is a contact the campaign reaches');
  assert.match(await page.locator('#campaign-errors').innerText(), /SMS\s+Skipped\s+Opted out of this channel \(opted_out\)\s+1/);
  assert.equal(await page.getByRole('button', { name: 'Launch' }).count(), 0, 'no second launch offered');
  assert.ok(await page.getByRole('button', { name: 'Pause' }).isVisible());
  await shot(page, 'campaign-launched');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  assert.match(await page.locator('#campaigns').innerText(), /Navy outreach\s+Running\s+sms\s+2/);
  // The one 400 is the refused form, shown again with its messages.
  assert.equal(page.problems.filter((p) => /status of 400/.test(p)).length, 1);
  assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
});

const WIDTHS = [
  ['desktop', { viewport: { width: 1366, height: 900 } }],
  ['phone', { viewport: { width: 390, height: 844 } }],
];

for (const [width, options] of WIDTHS) {
  test(`the campaign pages pass axe and fit the window at ${width}`, async () => {
    assert.ok(campaignId, 'the campaign of the first test');
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, ...options });
    const page = await context.newPage();
    await signIn(page, base, 'manager@demo.test', stack.password);
    const found = [];
    const pages = [
      ['campaigns-list', '/campaigns'],
      ['campaign-new', '/campaigns/new'],
      ['campaign-new-errors', '/campaigns/new', async () => {
        await page.getByLabel('SMS text').fill('{{bogus}}');
        await page.getByRole('button', { name: 'Save draft' }).click();
        await page.locator('#form-error').waitFor();
      }],
      ['campaign-page', `/campaigns/${campaignId}`],
    ];
    for (const [name, urlPath, act] of pages) {
      const res = await page.goto(`${base}${urlPath}`);
      assert.equal(res.status(), 200, `${name}: ${urlPath}`);
      if (act) await act();
      const over = await overflowX(page);
      if (over > 0) found.push(`${name} (${width}): the page is ${over} px wider than the window`);
      found.push(...(await axeCheck(page, `${name} (${width})`)));
      await shot(page, `campaigns-${width}-${name}`);
    }
    await context.close();
    assert.deepEqual(found, []);
  });
}
