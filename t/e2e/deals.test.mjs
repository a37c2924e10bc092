// deals.test.mjs — deals in Chromium: create a deal through the form (a validation
// error first, then its fix), move it on the board by drag and drop and with the
// keyboard-friendly select, see the history on the deal page; screenshots of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot, signIn } from './browser.mjs';

let stack, browser, base;

before(async () => {
  stack = await Stack.start();
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
  await stack?.stop();
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
