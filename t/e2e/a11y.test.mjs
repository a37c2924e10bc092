// a11y.test.mjs — every page a user can reach, checked with axe-core (WCAG 2.0/2.1 A
// and AA) at a desktop width (light and dark) and a phone width (390 px): a serious or
// critical violation fails the test, naming the page, the rule and the elements. On
// the phone (and the desktop) no page may be wider than the window; the deal board's
// columns keep one width and nothing spills out of a card. Screenshots of each page at each
// width. axe is injected as a script, which the Content-Security-Policy forbids, so
// these pages come from contexts made with bypassCSP (this file only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { insertCalls } from '../lib/calls_fixtures.mjs';
import path from 'node:path';
import { launch, shot, axeCheck, overflowX, SHOTS } from './browser.mjs';

let stack, browser, base;
const ids = {};
const one = (q) => stack.sql(q).trim();

before(async () => {
  stack = await Stack.start();
  base = `https://localhost:${stack.httpsPort}`;
  browser = await launch();
  const org = one(`SELECT id FROM orgs WHERE slug = 'demo'`);
  const today = one(`SELECT (now() AT TIME ZONE timezone)::date FROM orgs WHERE id = '${org}'`);
  // Calls over the last 28 days, more at some hours than others (every heatmap intensity), and one with a transcript.
  stack.sql(`
    INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number, status,
                       started_at, duration_s, sentiment_label, recording_status, caller_name)
    SELECT '${org}', CASE WHEN g % 3 = 0 THEN 'outbound' ELSE 'inbound' END, 'vapi', 'a11y-' || g,
           '+1415555' || lpad((g % 23)::text, 4, '0'), '+1212555' || lpad((g % 9)::text, 4, '0'),
           (ARRAY['completed','completed','completed','no_answer','busy','failed'])[1 + g % 6],
           date_trunc('day', now()) - make_interval(days => 1 + g % 28)
             + make_interval(hours => (ARRAY[8,8,8,8,8,8,8,8,8,8, 9,9,9,9,9,9,9,9, 10,10,10,10,10,10, 11,11,11,11, 12,12, 13])[1 + g % 31]),
           (g * 41) % 900, (ARRAY['positive','neutral','negative',NULL])[1 + g % 4], 'none',
           (ARRAY['Ana Lima','Ben Okafor','Chen Wei'])[1 + g % 3]
      FROM generate_series(1, 1200) g`);
  [ids.call] = insertCalls(stack, [{ caller_name: 'Grace Hopper', from_number: '+14155550142', started_at: new Date().toISOString(),
    duration_s: 8, sentiment_label: 'positive', sentiment_score: 0.7, summary: 'Asked about the invoice; agent resent it.',
    action_items: ['Resend invoice 1042'], ended_reason: 'customer-ended-call',
    transcript: [{ t_ms: 0, speaker: 'agent', text: 'Thanks for calling, this is Sam.' },
      { t_ms: 2500, speaker: 'caller', text: 'Hi, I never got my invoice.' },
      { t_ms: 7000, speaker: 'system', text: 'Call ended by caller.' }] }]);
  // A call whose recording the retention policy deleted.
  [ids.callRecordingDeleted] = insertCalls(stack, [{ caller_name: 'Old Caller', from_number: '+14155550143',
    started_at: new Date(Date.now() - 400 * 86400e3).toISOString(), duration_s: 30, recording_status: 'deleted' }]);
  stack.sql(`UPDATE calls SET recording_deleted_at = now(), recording_deleted_reason = 'retention' WHERE id = '${ids.callRecordingDeleted}'`);
  // Brands and a deal in every stage, one with a very long unbroken title, one deleted.
  ids.brand = one(`INSERT INTO brands (org_id, name, aliases, notes) VALUES ('${org}', 'Northwind Outdoors', '{northwind}', 'Pays on time.') RETURNING id`);
  stack.sql(`INSERT INTO brands (org_id, name) VALUES ('${org}', 'Acme Cosmetics'), ('${org}', 'Zen Tea')`);
  stack.sql(`INSERT INTO deals (org_id, brand_id, title, stage, value_minor, currency, next_action, next_action_due_at, tags)
    SELECT '${org}', '${ids.brand}', t, s, v, 'USD', 'Follow up', now() + interval '3 days', '{summer}'
    FROM (VALUES ('Tea reel', 'inbound', 150000), ('Matcha story', 'negotiating', 90000), ('Chai live', 'contracted', 40000),
      ('Boots unboxing', 'delivered', 70000), ('Tent review', 'invoiced', 120000), ('Stove short', 'paid', 30000),
      ('Jacket haul', 'lost', 50000),
      ('Supercalifragilisticexpialidociouswinterjacketcampaign2025withbonusreels', 'negotiating', 990000)) d(t, s, v)`);
  ids.deal = one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, contract_status, next_action, next_action_due_at)
    VALUES ('${org}', 'Trail shoes review', '${ids.brand}', 'in_progress', 'USD', 300000, 'signed', 'Send the draft', now() - interval '1 day') RETURNING id`);
  // Hybrid deals with affiliate and performance terms: one bonus to earn, one earned.
  ids.termsDeal = one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, deal_type, commission_rate_bp,
    tracking_url, bonus_condition, bonus_minor) VALUES ('${org}', 'Headlamp affiliate', '${ids.brand}', 'contracted', 'USD', 80000,
    'hybrid', 1250, 'https://brand.example/headlamp?ref=trailfox&campaign=winter-2026-long-tracking-parameter', '100,000 views in 30 days', 50000) RETURNING id`);
  ids.earnedDeal = one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, deal_type, bonus_condition,
    bonus_minor, bonus_earned_at) VALUES ('${org}', 'Stove bonus', '${ids.brand}', 'delivered', 'USD', 30000, 'performance_bonus',
    'Top 10 video of the month', 20000, now()) RETURNING id`);
  ids.deleted = one(`INSERT INTO deals (org_id, title, brand_id, stage, currency, value_minor, deleted_at)
    VALUES ('${org}', 'Old sponsorship', '${ids.brand}', 'lost', 'USD', 1000, now()) RETURNING id`);
  ids.deliverable = one(`INSERT INTO deliverables (org_id, deal_id, platform, type, quantity, scheduled_at, posting_window_end)
    VALUES ('${org}', '${ids.deal}', 'youtube', 'video', 1, now() - interval '3 days', now() - interval '2 days') RETURNING id`);
  ids.submitted = one(`INSERT INTO deliverables (org_id, deal_id, platform, type, quantity, approval_status, submitted_at)
    VALUES ('${org}', '${ids.deal}', 'instagram', 'reel', 2, 'submitted', now()) RETURNING id`);
  // A rejected deliverable with feedback and a moved deadline (the deal page's history, the revision form).
  ids.rejected = one(`INSERT INTO deliverables (org_id, deal_id, platform, type, approval_status, rejection_reason, scheduled_at)
    VALUES ('${org}', '${ids.deal}', 'tiktok', 'short', 'rejected', 'Off brief', now() + interval '5 days') RETURNING id`);
  stack.sql(`INSERT INTO deliverable_feedback (org_id, deliverable_id, rejection_no, position, body, actor)
    VALUES ('${org}', '${ids.rejected}', 1, 1, 'Show the product in the first three seconds', 'manager@demo.test'),
      ('${org}', '${ids.rejected}', 1, 2, 'Mention the discount code', 'manager@demo.test');
    INSERT INTO deliverable_reschedules (org_id, deliverable_id, field, old_at, new_at, reason, actor)
    VALUES ('${org}', '${ids.rejected}', 'scheduled_at', now() + interval '2 days', now() + interval '5 days',
      'The brand moved the launch', 'manager@demo.test')`);
  ids.admin = one("SELECT id FROM users WHERE email = 'admin@demo.test'");
  ids.viewer = one("SELECT id FROM users WHERE email = 'viewer@demo.test'");
  stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'Reporting script', '--role', 'viewer']);
  ids.apiKey = one("SELECT id FROM api_keys WHERE name = 'Reporting script'");
  stack.cli(['user', 'add', '--org', 'demo', '--email', 'invitee@demo.test', '--role', 'agent', '--password-stdin'], { input: 'unused long password\n' });
  stack.sql(`UPDATE users SET invited = true, password_hash = '' WHERE email = 'invitee@demo.test';
    INSERT INTO user_tokens (org_id, user_id, purpose, token_hash, expires_at)
    SELECT org_id, id, 'invite', encode(sha256('${INVITE_TOKEN}'), 'hex'), now() + interval '72 hours' FROM users WHERE email = 'invitee@demo.test'`);
  ids.payment = one(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
    VALUES ('${org}', '${ids.deal}', 'deposit', 150000, 'USD', '${today}'::date - 5) RETURNING id`);
  stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
    VALUES ('${org}', '${ids.deal}', 'final', 150000, 'USD', '${today}'::date + 20), ('${org}', '${ids.deal}', 'final', 80000, 'EUR', '${today}'::date + 30),
      ('${org}', '${ids.deal}', 'installment', 123456789012, 'USD', '${today}'::date + 10)`);
  stack.sql(`UPDATE payments SET installment_no = 1, installment_count = 1, method = 'paypal'
    WHERE deal_id = '${ids.deal}' AND kind = 'installment'`);
  // Owed in a currency without a rate, on the deal with the long title (the forecast's second table).
  stack.sql(`INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at)
    SELECT '${org}', id, 'final', 987654321, 'EUR', '${today}'::date + 12 FROM deals WHERE title LIKE 'Supercali%'`);
  stack.sql(`INSERT INTO deal_history (org_id, deal_id, entity, entity_id, action, field, old_value, new_value, actor)
    VALUES ('${org}', '${ids.deal}', 'deal', '${ids.deal}', 'update', 'stage', 'contracted', 'in_progress', 'manager@demo.test')`);
  ids.note = one(`INSERT INTO deal_notes (org_id, deal_id, author_id, body)
    VALUES ('${org}', '${ids.deal}', '${ids.admin}', 'Brand wants the draft by Friday.\nCall Sam first.') RETURNING id`);
  stack.sql(`INSERT INTO fx_rates (org_id, base, quote, rate, as_of) VALUES ('${org}', 'GBP', 'USD', 1.27, '${today}')`);
  // A contact with the call above (linked by its number), an opt-out in its history; an
  // import waiting for its mapping and one done with rejected rows.
  ids.contact = one(`INSERT INTO contacts (org_id, first_name, last_name, phone, email, company, property_address, property_type, tags, opt_out_sms)
    VALUES ('${org}', 'Grace', 'Hopper', '+14155550143', 'grace@example.com', 'US Navy', '1 Harbor Rd, Arlington', 'condo', '{navy,vip}', true) RETURNING id`);
  stack.sql(`INSERT INTO contacts (org_id, first_name, last_name, phone, do_not_contact) VALUES ('${org}', 'Do', 'Not Call', '+14155550144', true)`);
  ids.importWaiting = one(`INSERT INTO contact_imports (org_id, filename, body, rows) VALUES ('${org}', 'leads.csv',
    E'First Name,Last Name,Phone,Email,Property Type,Notes\\nAda,Lovelace,+14155550145,ada@example.com,Condo,very long note text that goes on and on\\n', 1) RETURNING id`);
  // A draft campaign to the navy tag, and a running one with a queued and a skipped message.
  ids.campaign = one(`INSERT INTO campaigns (org_id, name, channels, audience_tag, sms_body, email_subject, email_body)
    VALUES ('${org}', 'Navy outreach', '{sms,email}', 'navy', 'Hi {{first_name|there}}, is {{property_address}} still yours?',
      'About your property', 'Dear {{first_name}},') RETURNING id`);
  ids.launchedCampaign = one(`INSERT INTO campaigns (org_id, name, channels, audience_tag, sms_body, status, launched_at, recipients)
    VALUES ('${org}', 'Spring reminder', '{sms}', 'navy', 'Hello', 'running', now(), 2) RETURNING id`);
  stack.sql(`INSERT INTO campaign_messages (org_id, campaign_id, contact_id, channel, to_address, state, reason)
    SELECT '${org}', '${ids.launchedCampaign}', id, 'sms', phone, CASE WHEN opt_out_sms THEN 'skipped' ELSE 'queued' END,
      CASE WHEN opt_out_sms THEN 'opted_out' ELSE '' END FROM contacts WHERE org_id = '${org}'`);
  // Two replies to it (the campaign page's latest replies, the page of all of them).
  stack.sql(`WITH m AS (UPDATE campaign_messages SET state = 'sent', replied_at = now() WHERE id IN (SELECT id FROM campaign_messages
      WHERE campaign_id = '${ids.launchedCampaign}' AND state = 'queued' ORDER BY id LIMIT 2) RETURNING id, contact_id, to_address)
    INSERT INTO message_replies (org_id, contact_id, campaign_message_id, from_address, body, provider_message_id)
    SELECT '${org}', contact_id, id, to_address, 'Yes, please call me after five. I am mostly free on weekdays.', 'SMa11y' || id FROM m`);
  // Alerts: a rule that fired, two channels and their history.
  ids.alertRule = one(`INSERT INTO alert_rules (org_id, metric, threshold, window_minutes, cooldown_minutes, state, last_value,
      last_fired_at) VALUES ('${org}', 'queue_age', 300, 5, 60, 'firing', 412, now()) RETURNING id`);
  ids.alertChannel = one(`INSERT INTO alert_channels (org_id, kind, name, target)
    VALUES ('${org}', 'slack', 'Ops room', 'https://hooks.example.com/services/T000/B000/a-rather-long-secret-part') RETURNING id`);
  stack.sql(`INSERT INTO alert_channels (org_id, kind, name, target) VALUES ('${org}', 'email', 'On call', 'oncall@example.com')`);
  stack.sql(`INSERT INTO alert_events (org_id, rule_id, kind, metric, value, threshold, message, status, deliveries)
    VALUES ('${org}', '${ids.alertRule}', 'fired', 'queue_age', 412, 300,
      '[Demo] FIRING: Queue age is 412.0 (threshold 300; seconds the oldest due job has waited)', 'partial',
      '{"a": {"ok": true, "channel": "Ops room", "error": ""}, "b": {"ok": false, "channel": "On call", "error": "SMTP: connection refused"}}')`);
  // An outbound webhook endpoint with a delivered and a failing delivery.
  ids.webhook = one(`INSERT INTO webhook_endpoints (org_id, url, description, events, secret_sealed)
    VALUES ('${org}', 'https://hooks.example.com/switchboard/events/with/a/rather/long/path', 'CRM sync',
      '{deal.stage_changed,payment.paid}', 'c2VhbGVk') RETURNING id`);
  stack.sql(`INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event_type, body, status, attempts, response_status,
      last_error, last_attempt_at, delivered_at)
    VALUES ('${org}', '${ids.webhook}', gen_random_uuid(), 'payment.paid', '{}', 'delivered', 1, 200, '', now(), now()),
           ('${org}', '${ids.webhook}', gen_random_uuid(), 'deal.stage_changed', '{}', 'pending', 2, 503, 'HTTP 503', now(), NULL)`);
  // Admin: a dead job with a long error, an open provider circuit (the overview's attention item too).
  ids.deadJob = one(`INSERT INTO jobs (org_id, kind, status, attempts, max_attempts, last_error, payload)
    VALUES ('${org}', 'recording_download', 'dead', 5, 5, 'HTTP 404 from https://api.example.com/v1/recordings/RE0123456789abcdef0123456789abcdef.wav after 5 attempts', '{}') RETURNING id`);
  stack.sql(`INSERT INTO jobs (org_id, kind, run_at) VALUES ('${org}', 'campaign_send', now() - interval '2 minutes')`);
  stack.sql(`INSERT INTO provider_breakers (org_id, provider, state, failures, opened_at) VALUES ('${org}', 'twilio', 'open', 5, now())`);
  ids.importDone = one(`INSERT INTO contact_imports (org_id, filename, body, rows, status, created, updated, merged, rejected, report, imported_at)
    VALUES ('${org}', 'leads.csv', '', 10, 'imported', 6, 2, 1, 1, E'line,reason\\r\\n', now()) RETURNING id`);
  // Usage over the last 30 days for the usage page's chart and tables.
  stack.sql(`INSERT INTO usage_daily (org_id, day, kind, user_id, count)
    SELECT '${org}', current_date - g, 'request', u.id, 20 + (g * 37 + length(u.email) * 11) % 300
      FROM generate_series(0, 29) g, users u WHERE u.org_id = '${org}'`);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Contrast (WCAG) of each heatmap cell's text against its background, as the browser
 * resolved them (a canvas turns any CSS colour, color-mix() included, into sRGB). */
async function heatmapContrasts(page) {
  return page.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgb = (css) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      return [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const lum = (c) => {
      const [r, g, b] = c.map((v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const seen = new Map();
    for (const td of document.querySelectorAll('#heatmap td[class^="heat-"]')) {
      const s = getComputedStyle(td);
      const [a, b] = [lum(rgb(s.color)), lum(rgb(s.backgroundColor))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const key = td.className;
      if (!seen.has(key) || seen.get(key) > ratio) seen.set(key, Math.round(ratio * 100) / 100);
    }
    return [...seen].sort();
  });
}

/** Submits the form on the page after filling fields (label → value), waits for `expect`. */
function submit(fields, button, expect) {
  return async (page) => {
    for (const [label, value] of Object.entries(fields)) {
      const field = page.getByLabel(label, { exact: true });
      if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption({ label: value });
      else await field.fill(value);
    }
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.locator(expect).waitFor();
  };
}

// Every page: [name, path, expected status, then (optional) what to do on it before the check].
// An invitation whose link page is checked (it is only looked at, never used).
const INVITE_TOKEN = 'a11y-invitation-token-'.padEnd(43, 'x');
let invited = 0; // a new invitee for each width
const signedOut = () => [
  ['sign-in', '/login', 200],
  ['account-setup', `/account/setup?token=${INVITE_TOKEN}`, 200],
  ['account-setup-errors', `/account/setup?token=${INVITE_TOKEN}`, 200, submit({ 'New password': 'short' }, 'Set password and sign in', '#e-password')],
  ['account-setup-gone', '/account/setup?token=used-or-unknown', 404],
  ['sign-in-error', '/login', 200, submit({ Email: 'manager@demo.test', Password: 'wrong password' }, 'Sign in', '#form-error')],
  ['not-found-signed-out', '/no/such/page', 404],
];
const signedIn = () => [
  ['overview', '/', 200],
  ['calls-list', '/calls', 200],
  ['calls-filter-errors', '/calls?min_duration=abc&start_date=yesterday', 400],
  ['calls-empty', '/calls?name=nobody-by-this-name', 200],
  ['call-detail', `/calls/${ids.call}`, 200],
  ['call-delete', `/calls/${ids.call}/delete`, 200],
  ['call-recording-deleted', `/calls/${ids.callRecordingDeleted}`, 200],
  ['calls-analytics', '/calls/analytics', 200],
  ['calls-analytics-error', '/calls/analytics?start_date=2025-03-01&end_date=2025-02-01', 400],
  ['deals-list', '/deals', 200],
  ['deals-list-error', '/deals?min_value=lots&due=someday', 400],
  ['deals-empty', '/deals?q=nothing-matches-this', 200],
  ['deals-board', '/deals/board', 200],
  ['deal-page', `/deals/${ids.deal}`, 200],
  ['deal-deleted-page', `/deals/${ids.deleted}`, 200],
  ['deal-new', '/deals/new', 200],
  ['deal-new-errors', '/deals/new', 200, submit({ Title: 'Summer glow', Brand: 'Acme Cosmetics', Value: '12.345' }, 'Create deal', '#e-value')],
  ['deal-edit', `/deals/${ids.deal}/edit`, 200],
  ['deal-edit-errors', `/deals/${ids.deal}/edit`, 200, submit({ Title: '', Value: 'abc' }, 'Save changes', '#e-value')],
  ['deal-delete', `/deals/${ids.deal}/delete`, 200],
  ['deal-note-errors', `/deals/${ids.deal}`, 200, submit({ 'New note': ' ' }, 'Add note', '#e-body')],
  ['deal-note-edit', `/deal-notes/${ids.note}/edit`, 200],
  ['deal-note-delete', `/deal-notes/${ids.note}/delete`, 200],
  ['deal-new-benchmark', '/deals/new?bench_type=reel&bench_platform=instagram', 200],
  ['deliverable-new', `/deals/${ids.deal}/deliverables/new`, 200],
  ['deliverable-new-errors', `/deals/${ids.deal}/deliverables/new`, 200, submit({ Quantity: '0' }, 'Add deliverable', '#e-quantity')],
  ['deliverable-edit', `/deliverables/${ids.deliverable}/edit`, 200],
  ['deliverable-posted', `/deliverables/${ids.deliverable}/posted`, 200],
  ['deliverable-reject', `/deliverables/${ids.submitted}/reject`, 200],
  ['deliverable-revision', `/deliverables/${ids.rejected}/submit`, 200],
  ['deal-terms-page', `/deals/${ids.termsDeal}`, 200],
  ['deal-terms', `/deals/${ids.termsDeal}/terms`, 200],
  ['deal-terms-errors', `/deals/${ids.termsDeal}/terms`, 200, submit({ 'Commission rate (%)': '120', 'Tracking URL': 'http://x' }, 'Save terms', '#e-commission_rate')],
  ['bonus-earn', `/deals/${ids.termsDeal}/bonus/earned`, 200],
  ['bonus-unearn', `/deals/${ids.earnedDeal}/bonus/unearned`, 200],
  ['installments-new', `/deals/${ids.deal}/installments/new`, 200],
  ['installments-new-errors', `/deals/${ids.deal}/installments/new`, 200, submit({ 'Number of payments': '61' }, 'Create schedule', '#e-count')],
  ['payment-new', `/deals/${ids.deal}/payments/new`, 200],
  ['payment-new-errors', `/deals/${ids.deal}/payments/new`, 200, submit({ Amount: '1,500.125' }, 'Record payment', '#e-amount')],
  ['payment-edit', `/payments/${ids.payment}/edit`, 200],
  ['payment-paid', `/payments/${ids.payment}/paid`, 200],
  ['payment-dispute', `/payments/${ids.payment}/dispute`, 200],
  ['brands-list', '/brands', 200],
  ['brand-page', `/brands/${ids.brand}`, 200],
  ['brand-new', '/brands/new', 200],
  ['brand-new-errors', '/brands/new', 200, submit({}, 'Create brand', '#e-name')],
  ['brand-edit', `/brands/${ids.brand}/edit`, 200],
  ['fx-rates', '/deals/fx-rates', 200],
  ['fx-rates-errors', '/deals/fx-rates', 200, submit({ Rate: 'abc' }, 'Save rate', '#e-rate')],
  ['forecast', '/deals/forecast', 200],
  ['deals-deleted', '/deals/deleted', 200],
  ['contacts-list', '/contacts', 200],
  ['contacts-dnc', '/contacts?do_not_contact=true', 200],
  ['contacts-list-error', '/contacts?limit=abc&sort=age', 400],
  ['contact-page', `/contacts/${ids.contact}`, 200],
  ['contact-new', '/contacts/new', 200],
  ['contact-new-errors', '/contacts/new', 200, submit({ Phone: 'call me', Email: 'grace@' }, 'Create contact', '#e-phone')],
  ['contact-edit', `/contacts/${ids.contact}/edit`, 200],
  ['contact-delete', `/contacts/${ids.contact}/delete`, 200],
  ['contact-erase', `/admin/privacy/contacts/${ids.contact}/erase`, 200],
  ['contact-erase-errors', `/admin/privacy/contacts/${ids.contact}/erase`, 200,
    submit({ "Type the contact's name to confirm": 'Someone else' }, 'Erase personal data', '#e-confirm')],
  ['contacts-import', '/contacts/import', 200],
  ['contacts-import-errors', '/contacts/import', 200, submit({}, 'Upload and preview', '#e-file')],
  ['contacts-import-preview', `/contacts/imports/${ids.importWaiting}`, 200],
  ['contacts-import-done', `/contacts/imports/${ids.importDone}`, 200],
  ['campaigns-list', '/campaigns', 200],
  ['campaign-page', `/campaigns/${ids.campaign}`, 200],
  ['campaign-launched', `/campaigns/${ids.launchedCampaign}`, 200],
  ['campaign-replies', `/campaigns/${ids.launchedCampaign}/replies`, 200],
  ['campaign-replies-empty', `/campaigns/${ids.campaign}/replies`, 200],
  ['campaign-new', '/campaigns/new', 200],
  ['campaign-new-errors', '/campaigns/new', 200, submit({ 'SMS text': '{{bogus}}' }, 'Save draft', '#e-sms_body')],
  ['campaign-edit', `/campaigns/${ids.campaign}/edit`, 200],
  ['campaign-delete', `/campaigns/${ids.campaign}/delete`, 200],
  ['admin', '/admin', 200],
  ['admin-webhooks', '/admin/webhooks', 200],
  ['admin-webhooks-errors', '/admin/webhooks', 200, submit({ 'Endpoint URL': 'not a url' }, 'Add endpoint', '#e-url')],
  ['admin-webhook', `/admin/webhooks/${ids.webhook}`, 200],
  ['admin-webhook-delete', `/admin/webhooks/${ids.webhook}/delete`, 200],
  ['admin-users', '/admin/users', 200],
  ['admin-user-new', '/admin/users/new', 200],
  ['admin-user-new-errors', '/admin/users/new', 200, submit({ Email: 'not an email', Password: 'short' }, 'Create user', '#e-email')],
  ['admin-user-invited', '/admin/users/new', 200, submit({ Email: `a11y-invitee-${invited++}@demo.test`, Name: 'Ada Invitee' }, 'Create user', '#one-time-link')],
  ['admin-user-page', `/admin/users/${ids.admin}`, 200],
  ['admin-user-disable', `/admin/users/${ids.viewer}/disable`, 200],
  ['admin-api-keys', '/admin/api-keys', 200],
  ['admin-api-keys-errors', '/admin/api-keys', 200, submit({ Name: '', 'Expires on (optional)': '2020-01-01' }, 'Create key', '#e-name')],
  ['admin-api-key-created', '/admin/api-keys', 200, submit({ Name: 'Nightly export' }, 'Create key', '#new-key')],
  ['admin-api-key-revoke', `/admin/api-keys/${ids.apiKey}/revoke`, 200],
  ['account', '/account', 200],
  ['account-errors', '/account', 200, submit({ 'Current password': 'wrong', 'New password': 'short' }, 'Change password', '#e-new_password')],
  ['admin-alerts', '/admin/alerts', 200],
  ['admin-alerts-errors', '/admin/alerts', 200, submit({ Threshold: 'lots' }, 'Add rule', '#e-threshold')],
  ['admin-alert-rule', `/admin/alerts/rules/${ids.alertRule}`, 200],
  ['admin-alert-channel', `/admin/alerts/channels/${ids.alertChannel}`, 200],
  ['admin-alert-delete', `/admin/alerts/rules/${ids.alertRule}/delete`, 200],
  ['admin-settings', '/admin/settings', 200],
  ['admin-settings-errors', '/admin/settings', 200, submit({ 'Time zone': 'Mars/Olympus_Mons', 'Recording retention (days)': 'forever' }, 'Save settings', '#e-timezone')],
  ['admin-usage', '/admin/usage', 200],
  ['admin-usage-error', '/admin/usage?from=someday', 400],
  ['admin-audit', '/admin/audit', 200],
  ['admin-audit-errors', '/admin/audit?from=2026-02-30&user_id=nobody', 400],
  ['admin-audit-empty', '/admin/audit?action=no.such.action', 200],
  ['admin-jobs', '/admin/jobs', 200],
  ['admin-job-discard', `/admin/jobs/${ids.deadJob}/discard`, 200],
  ['not-found', '/no/such/page', 404],
  ['deal-not-found', '/deals/00000000-0000-0000-0000-000000000000', 404],
];

const WIDTHS = [
  ['desktop', { viewport: { width: 1366, height: 900 } }],
  ['desktop-dark', { viewport: { width: 1366, height: 900 }, colorScheme: 'dark' }],
  ['phone', { viewport: { width: 390, height: 844 } }],
];

for (const [width, options] of WIDTHS) {
  test(`every page passes axe (WCAG A/AA) at ${width}${width === 'phone' ? ' and fits the screen' : ''}`, async () => {
    const found = [];
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, ...options });
    const page = await context.newPage();
    const visit = async (pages) => {
      for (const [name, urlPath, status, act] of pages) {
        const res = await page.goto(`${base}${urlPath}`);
        assert.equal(res.status(), status, `${name}: ${urlPath} answered ${res.status()}`);
        if (act) await act(page);
        if (name === 'calls-analytics') {
          const cells = await heatmapContrasts(page);
          assert.ok(cells.length >= 5, `the heatmap has cells of several intensities: ${JSON.stringify(cells)}`);
          for (const [cls, ratio] of cells)
            if (ratio < 4.5) found.push(`${name} (${width}): heatmap cells .${cls} have a contrast of ${ratio}:1, below 4.5:1`);
          await page.locator('#heatmap').screenshot({ path: path.join(SHOTS, `a11y-${width}-heatmap.png`) });
        }
        // Measured before axe runs: its checks add elements to the page for a moment.
        const over = await overflowX(page);
        if (over > 0) found.push(`${name} (${urlPath}, ${width}): the page is ${over} px wider than the ${options.viewport.width} px window`);
        found.push(...(await axeCheck(page, `${name} (${urlPath}, ${width})`)));
        if (name === 'deals-board') {
          // Columns of one fixed width side by side; nothing spills out of a card.
          const board = await page.evaluate(() => ({
            cols: [...document.querySelectorAll('.board-column')].map((c) => Math.round(c.getBoundingClientRect().width)),
            spill: [...document.querySelectorAll('.board-card')].filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.id),
          }));
          if (board.cols.length !== 8 || new Set(board.cols).size !== 1 || board.cols[0] < 200)
            found.push(`${name} (${width}): the columns are not one fixed width: ${board.cols.join(', ')} px`);
          if (board.spill.length) found.push(`${name} (${width}): text spills out of cards ${board.spill.join(', ')}`);
        }
        await shot(page, `a11y-${width}-${name}`);
      }
    };
    await visit(signedOut());
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('admin@demo.test');
    await page.getByLabel('Password').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    await visit(signedIn());
    await context.close();
    assert.deepEqual(found, [], `accessibility problems:\n${found.join('\n')}`);
  });
}
