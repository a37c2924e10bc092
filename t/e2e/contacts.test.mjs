// contacts.test.mjs — the contacts import in Chromium: a manager uploads a CSV through
// the page (BOM, CRLF, a quoted comma, a bad row), sees the guessed mapping and the
// preview, maps one column by hand, imports, sees the counts and the report link, and
// finds the contacts in the list and on their page; no console error or CSP violation
// on the way; and the progress bar shows (the button disabled) once an import is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot, signIn, SHOTS } from './browser.mjs';

let stack, browser, base;

before(async () => {
  stack = await Stack.start();
  base = `https://localhost:${stack.httpsPort}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('import a CSV through the page: preview, mapping, import, the contacts', async () => {
  const page = await newPage(browser);
  const file = path.join(SHOTS, 'contacts-e2e.csv');
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(file, '\uFEFFFull Name,Mobile,E-mail,Kind,Labels\r\n' +
    'Ada Lovelace,(415) 555-0301,ada@example.com,condo,"vip, spring"\r\n' +
    '"Turing, Alan",+44 20 7946 0958,,Land,\r\n' +
    'Nobody,,,,\r\n');
  await signIn(page, base, 'manager@demo.test', stack.password);
  await page.getByRole('link', { name: 'Contacts', exact: true }).click();
  await page.waitForURL(`${base}/contacts`);
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.locator('#import-preview').waitFor();
  assert.match(await page.locator('#import-rows').innerText(), /^3$/);
  assert.equal(await page.getByLabel('Mobile').inputValue(), 'phone');
  assert.equal(await page.getByLabel('E-mail').inputValue(), 'email');
  assert.equal(await page.getByLabel('Full Name').inputValue(), 'full_name');
  assert.equal(await page.getByLabel('Labels').inputValue(), 'tags');
  assert.equal(await page.getByLabel('Kind').inputValue(), 'skip');
  assert.match(await page.locator('#import-preview').innerText(), /Turing, Alan/);
  await page.getByLabel('Kind').selectOption({ label: 'Property type' });
  await shot(page, 'contacts-import-preview');
  await page.getByRole('button', { name: /^Import 3 rows$/ }).click();
  await page.locator('#import-result').waitFor();
  assert.equal(await page.locator('#import-created').innerText(), '2');
  assert.equal(await page.locator('#import-rejected').innerText(), '1');
  assert.ok(await page.locator('#import-report').isVisible());
  await shot(page, 'contacts-import-done');
  await page.getByRole('link', { name: 'See the contacts' }).click();
  await page.getByRole('link', { name: 'Ada Lovelace' }).click();
  assert.equal(await page.locator('#contact-phone').innerText(), '+14155550301');
  assert.equal(await page.locator('#contact-tags').innerText(), 'vip, spring');
  await page.goto(`${base}/contacts?q=turing`);
  await page.getByRole('link', { name: 'Turing Alan' }).or(page.getByRole('link', { name: 'Turing, Alan' })).first().click();
  assert.equal(await page.locator('#contact-phone').innerText(), '+442079460958');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the progress bar shows while an import is under way', async () => {
  const page = await newPage(browser);
  await signIn(page, base, 'manager@demo.test', stack.password);
  const id = stack.one(`INSERT INTO contact_imports (org_id, filename, body, rows)
    SELECT id, 'slow.csv', E'phone\\n+14155550401\\n', 1 FROM orgs WHERE slug = 'demo' RETURNING id`);
  await page.goto(`${base}/contacts/imports/${id}`);
  assert.equal(await page.locator('#import-progress').isHidden(), true);
  // What the page looks like once the form is submitted, reported by a submit listener
  // added after the page's own (so it runs after it), before the request leaves.
  let seen;
  await page.exposeFunction('reportSubmitted', (state) => { seen = state; });
  await page.evaluate(() => document.getElementById('import-mapping').addEventListener('submit', () => window.reportSubmitted({
    progressHidden: document.getElementById('import-progress').hidden,
    buttonDisabled: document.getElementById('import-run').disabled,
  })));
  await page.getByRole('button', { name: /^Import 1 row$/ }).click();
  await page.locator('#import-result').waitFor();
  assert.equal(await page.locator('#import-created').innerText(), '1');
  assert.deepEqual(seen, { progressHidden: false, buttonDisabled: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
