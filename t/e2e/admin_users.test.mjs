// admin_users.test.mjs — inviting someone in Chromium: an admin creates a user by
// invitation and sees the one-time link once; the invitee opens it in a browser of
// their own, sets a password, lands signed in, signs out and signs in again with it;
// the link is dead afterwards. The admin ends the session of a second browser she
// signed in with (that browser goes to the sign-in page on its next request, the
// first stays signed in). Then the admin disables them and their open browser is
// sent to the sign-in page. No console error or CSP violation on the way. Screenshots
// at desktop width and at 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { launch, newPage, shot, signIn } from './browser.mjs';

let stack, browser, base;
const PHONE = { viewport: { width: 390, height: 844 } };

before(async () => {
  stack = await Stack.start();
  base = `https://localhost:${stack.httpsPort}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('invite -> accept -> sign in, then disable', async () => {
  const admin = await newPage(browser);
  await signIn(admin, base, 'admin@demo.test', stack.password);
  await admin.goto(`${base}/admin`);
  await admin.getByRole('link', { name: 'Users', exact: true }).click();
  await admin.waitForURL(`${base}/admin/users`);
  await shot(admin, 'admin-users-list');
  await admin.getByRole('link', { name: 'New user' }).click();
  await admin.getByLabel('Email', { exact: true }).fill('grace@demo.test');
  await admin.getByLabel('Name', { exact: true }).fill('Grace Invitee');
  await admin.getByLabel('Role', { exact: true }).selectOption('manager');
  assert.ok(await admin.getByLabel(/^Invite: a one-time link/).isChecked(), 'inviting is the default');
  await shot(admin, 'admin-user-new');
  await admin.getByRole('button', { name: 'Create user' }).click();
  const link = await admin.locator('#one-time-link').inputValue();
  assert.match(link, /^https:\/\/localhost:\d+\/account\/setup\?token=[A-Za-z0-9_-]{43}$/);
  await shot(admin, 'admin-user-invite-link');

  // The invitee, on a phone, in a browser of their own.
  const invitee = await newPage(browser, PHONE);
  await invitee.goto(link);
  assert.match(await invitee.locator('h1').innerText(), /Welcome/);
  assert.match(await invitee.locator('main').innerText(), /grace@demo\.test/);
  await invitee.getByLabel('New password').fill('short');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await invitee.locator('#e-password').waitFor();
  await shot(invitee, 'account-setup-error-phone');
  await invitee.getByLabel('New password').fill('grace has a long password');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await invitee.waitForURL(`${base}/`);
  assert.match(await invitee.locator('.flash').innerText(), /Welcome/);
  await invitee.goto(`${base}/account`);
  assert.match(await invitee.locator('main').innerText(), /grace@demo\.test/);
  await shot(invitee, 'account-phone');
  // Sign out, and in again with the new password.
  await invitee.locator('.user-menu summary').click();
  await invitee.getByRole('button', { name: 'Sign out' }).click();
  await invitee.waitForURL(/\/login/);
  await signIn(invitee, base, 'grace@demo.test', 'grace has a long password');
  // The link works once.
  const again = await invitee.goto(link);
  assert.equal(again.status(), 404);

  // Grace signs in from a second browser too; the admin ends that session from her
  // page, and the second browser is signed out on its next request while the first
  // stays signed in.
  const second = await newPage(browser);
  await signIn(second, base, 'grace@demo.test', 'grace has a long password');
  await second.goto(`${base}/account`);
  assert.match(await second.locator('main').innerText(), /grace@demo\.test/);
  const secondSid = stack.sql(`SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE u.email = 'grace@demo.test' ORDER BY s.created_at DESC LIMIT 1`);
  await admin.goto(`${base}/admin/users`);
  await admin.getByRole('link', { name: 'Grace Invitee' }).click();
  assert.equal(await admin.locator('.details .badge').textContent(), 'active');
  assert.equal(await admin.locator('#sessions tbody tr').count(), 2);
  await shot(admin, 'admin-user-page');
  await admin.locator(`form[action$="/sessions/${secondSid}/revoke"] button`).click();
  await admin.locator('.flash').waitFor();
  assert.equal(await admin.locator('#sessions tbody tr').count(), 1);
  await second.goto(`${base}/account`);
  await second.waitForURL(/\/login/);
  await invitee.goto(`${base}/account`);
  assert.match(await invitee.locator('main').innerText(), /grace@demo\.test/);
  assert.deepEqual(second.problems, []);

  // The admin disables her.
  await admin.getByRole('link', { name: 'Disable…' }).click();
  await admin.getByRole('button', { name: 'Disable user' }).click();
  assert.match(await admin.locator('.flash').innerText(), /disabled/);
  await invitee.goto(`${base}/account`);
  await invitee.waitForURL(/\/login/);

  assert.deepEqual(admin.problems, []);
  // The refused password (400) and the spent link (404) are answers this test asked for.
  assert.deepEqual(invitee.problems.filter((p) => !/status of (400|404) /.test(p)), []);
});

test('API keys in Chromium: create (shown once), revoke after confirming', async () => {
  const admin = await newPage(browser);
  await signIn(admin, base, 'admin@demo.test', stack.password);
  await admin.goto(`${base}/admin/api-keys`);
  await admin.getByLabel('Name', { exact: true }).fill('Browser key');
  await admin.getByLabel('Role', { exact: true }).selectOption('viewer');
  await admin.getByRole('button', { name: 'Create key' }).click();
  const key = await admin.locator('#new-key').inputValue();
  assert.match(key, /^sb_[0-9a-f]{8}_/);
  await shot(admin, 'admin-api-key-created');
  assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 200);
  await admin.getByRole('link', { name: 'Back to API keys' }).click();
  await shot(admin, 'admin-api-keys');
  await admin.getByRole('link', { name: 'Revoke Browser key' }).click();
  await admin.getByRole('button', { name: 'Revoke key' }).click();
  assert.match(await admin.locator('.flash').innerText(), /revoked/);
  assert.equal((await stack.api(key, 'GET', '/api/v1/me')).status, 401);
  const phone = await newPage(browser, PHONE);
  await signIn(phone, base, 'admin@demo.test', stack.password);
  await phone.goto(`${base}/admin/api-keys`);
  await shot(phone, 'admin-api-keys-phone');
  await phone.goto(`${base}/admin/users`);
  await shot(phone, 'admin-users-phone');
  assert.deepEqual(admin.problems, []);
  assert.deepEqual(phone.problems, []);
});
