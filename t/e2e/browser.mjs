// browser.mjs — headless Chromium (Debian's) driven by playwright-core for the
// end-to-end tests: collects console errors, page errors and CSP violations so a
// test can fail on any of them, and saves screenshots under t/out/e2e/; runs axe-core
// (WCAG 2.0/2.1 A and AA rules) on a page for the accessibility suite.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO } from '../lib/stack.mjs';

const AXE_JS = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const SHOTS = path.join(process.env.SB_TEST_OUT || path.join(REPO, 't/out'), 'e2e');

export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A new page whose problems (console errors, uncaught errors, CSP violations,
 * failed requests) are collected in page.problems. */
export async function newPage(browser, contextOptions = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...contextOptions });
  const page = await context.newPage();
  page.problems = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  // A request the browser itself abandons because the page moved on (a favicon or
  // script still loading when a form is submitted) is not a failure of ours.
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText || '';
    if (why !== 'net::ERR_ABORTED') page.problems.push(`request failed: ${req.url()} ${why}`);
  });
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the form as email and waits for the overview. */
export async function signIn(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

/** Runs axe-core on the page as it is now and returns one line per serious or
 * critical violation: `label: rule (impact) help — the elements' selectors`. The
 * script is injected as a <script> element, which the pages' Content-Security-Policy
 * refuses: the page must come from a context made with `bypassCSP: true`, kept for
 * the accessibility pass alone so every other test runs under the real policy. */
export async function axeCheck(page, label) {
  await page.addScriptTag({ path: AXE_JS });
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.split('\n').slice(1).join(' ').trim()}]` : ''}`) }));
  }, AXE_TAGS);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.slice(0, 8).join('; ')}${v.targets.length > 8 ? `; … ${v.targets.length - 8} more` : ''}`);
}

/** How far the page is wider than its viewport, in CSS pixels (0: it fits). */
export async function overflowX(page) {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}
