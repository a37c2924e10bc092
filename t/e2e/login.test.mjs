// login.test.mjs — a person signs in through the form, lands on the overview,
// opens the user menu and signs out, in light, dark and phone-sized Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot } from './browser.mjs';

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
