// overview_campaigns.test.mjs — the overview's "Campaigns under way": scheduled, running
// and paused campaigns with their messages settled out of all (a bar and the counts),
// the newest launch first, five at most with a link to the rest; drafts and finished
// campaigns are left out, another org's never shown, and an empty state when none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../lib/stack.mjs';
import { otherOrg } from '../lib/calls_fixtures.mjs';

let stack;
let admin;
let key;

const contact = async (fields) => {
  const res = await stack.api(key, 'POST', '/api/v1/contacts', fields);
  assert.equal(res.status, 201, res.body);
  return res.json().data.id;
};

// Scheduled an hour ahead, so no sender touches its messages during the test.
const scheduled = async (name, contactIds) => {
  const at = new Date(Date.now() + 3600 * 1000).toISOString().slice(0, 19) + 'Z';
  const res = await stack.api(key, 'POST', '/api/v1/campaigns', {
    name, channels: ['sms'], audience: { contact_ids: contactIds }, sms_body: 'Hi {{first_name|there}}', schedule_at: at,
  });
  assert.equal(res.status, 201, res.body);
  const id = res.json().data.id;
  const launched = await stack.api(key, 'POST', `/api/v1/campaigns/${id}/launch`);
  assert.equal(launched.status, 200, launched.body);
  assert.equal(launched.json().data.status, 'scheduled');
  return id;
};

before(async () => {
  stack = await Stack.start({ workers: 1 });
  admin = await stack.as('admin');
  key = stack.cli(['apikey', 'create', '--org', 'demo', '--name', 'overview-camp', '--role', 'manager']).stdout.trim();
});

after(async () => {
  if (stack) await stack.stop();
});

const section = (body) => body.slice(body.indexOf('id="campaigns-title"'));

test('with nothing under way the overview says so', async () => {
  const page = await admin.get('/');
  assert.equal(page.status, 200);
  assert.match(section(page.body), /id="no-campaigns">No campaign is scheduled, running or paused\.</);
});

test('a campaign under way shows its progress; drafts and other orgs do not show', async () => {
  const ann = await contact({ first_name: 'Ann', phone: '+14155550301' });
  const ben = await contact({ first_name: 'Ben', phone: '+14155550302' });
  const cal = await contact({ first_name: 'Cal', phone: '+14155550303', do_not_contact: true });
  const id = await scheduled('Spring <open> house', [ann, ben, cal]);
  const draft = await stack.api(key, 'POST', '/api/v1/campaigns', {
    name: 'Still a draft', channels: ['sms'], audience: { contact_ids: [ann] }, sms_body: 'x' });
  assert.equal(draft.status, 201, draft.body);
  otherOrg(stack);
  stack.sql(`INSERT INTO campaigns (org_id, name, channels, sms_body, status)
             SELECT id, 'Their campaign', '{sms}', 'hi', 'running' FROM orgs WHERE slug = 'other'`);
  const s = section((await admin.get('/')).body);
  assert.ok(!s.includes('id="no-campaigns"'));
  const item = s.slice(s.indexOf(`data-campaign="${id}"`));
  assert.ok(item.length < s.length, 'the campaign is listed');
  assert.ok(item.includes(`<a href="/campaigns/${id}">Spring &lt;open&gt; house</a>`), 'its name, escaped, linking to it');
  assert.match(item, /status-scheduled/);
  // Three messages: the do-not-contact one is settled (skipped), two wait.
  assert.match(item, /<progress max="3" value="1"/);
  assert.match(item, /campaign-done">1<\/span> of <span class="campaign-total">3<\/span> settled · 0 delivered · 0 failed · 1 skipped/);
  assert.ok(!s.includes('Still a draft'));
  assert.ok(!s.includes('Their campaign'));
  // Finished campaigns leave the overview.
  const cancel = await stack.api(key, 'POST', `/api/v1/campaigns/${id}/cancel`);
  assert.equal(cancel.status, 200, cancel.body);
  assert.ok(!section((await admin.get('/')).body).includes(`data-campaign="${id}"`));
});

test("today's answered calls read '1 call', '2 calls'", async () => {
  const answeredToday = () => Number(stack.sql(`SELECT count(*) FROM calls c JOIN orgs o ON o.id = c.org_id
    WHERE o.slug = 'demo' AND c.status = 'completed' AND c.deleted_at IS NULL
      AND (c.started_at AT TIME ZONE o.timezone)::date = (now() AT TIME ZONE o.timezone)::date`));
  const shown = async () => /answered \((\d+ calls?)\)/.exec((await admin.get('/')).body)[1];
  const add = (tag) => stack.sql(`INSERT INTO calls (org_id, direction, provider, provider_call_id, status, started_at, duration_s)
    SELECT id, 'inbound', 'twilio', 'overview-${tag}', 'completed', now() - interval '1 second', 30 FROM orgs WHERE slug = 'demo'`);
  for (let i = 0; answeredToday() < 1; i++) add(`a${i}`);
  const one = answeredToday();
  assert.equal(await shown(), one === 1 ? '1 call' : `${one} calls`);
  add('b');
  assert.equal(await shown(), `${answeredToday()} calls`);
});

test('five at most, newest launch first, with a link to the rest', async () => {
  const dee = await contact({ first_name: 'Dee', phone: '+14155550304' });
  const launched = [];
  for (let i = 1; i <= 7; i++) launched.push(await scheduled(`Wave ${i}`, [dee]));
  stack.sql(`UPDATE campaigns SET launched_at = now() - make_interval(mins => 10 - ord::int)
             FROM unnest(ARRAY['${launched.join("','")}']::uuid[]) WITH ORDINALITY u(id, ord) WHERE campaigns.id = u.id`);
  const s = section((await admin.get('/')).body);
  const shown = [...s.matchAll(/data-campaign="([0-9a-f-]+)"/g)].map((m) => m[1]);
  assert.deepEqual(shown, launched.slice(2).reverse());
  assert.match(s, /<a href="\/campaigns">2 more under way<\/a>/);
});
