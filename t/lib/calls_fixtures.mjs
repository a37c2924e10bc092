// calls_fixtures.mjs — calls for the calls tests, inserted as the schema owner (which
// bypasses RLS), so each test builds exactly the data it needs.
export const lit = (v) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;

let serial = 0;

/** Inserts one call per entry of rows (column → value; sensible defaults) into the
 * org with slug `org` (default demo) and returns their ids in order. */
export function insertCalls(stack, rows, org = 'demo') {
  const cols = ['direction', 'provider', 'provider_call_id', 'from_number', 'to_number', 'caller_name', 'status', 'started_at',
    'ended_at', 'duration_s', 'sentiment_score', 'sentiment_label', 'recording_status', 'transcript', 'summary', 'ended_reason',
    'action_items', 'campaign_id', 'contact_id', 'is_demo', 'recording_path', 'recording_content_type', 'deleted_at'];
  const values = rows.map((r) => {
    const c = {
      direction: 'inbound', provider: 'vapi', provider_call_id: `t-${process.pid}-${Date.now()}-${serial++}`,
      from_number: '+14155550100', to_number: '+14155559999', caller_name: '', status: 'completed',
      started_at: '2024-05-01T12:00:00Z', ended_at: null, duration_s: 60, sentiment_score: null, sentiment_label: null,
      recording_status: 'none', transcript: '[]', summary: '', ended_reason: '', action_items: '[]', campaign_id: null,
      contact_id: null, is_demo: false, recording_path: null, recording_content_type: '', deleted_at: null, ...r,
    };
    for (const k of ['transcript', 'action_items']) if (typeof c[k] !== 'string') c[k] = JSON.stringify(c[k]);
    return `((SELECT id FROM orgs WHERE slug = ${lit(org)}), ${cols.map((k) => lit(c[k])).join(', ')})`;
  });
  const out = stack.sql(`INSERT INTO calls (org_id, ${cols.join(', ')}) VALUES ${values.join(',\n')} RETURNING id`);
  return out.split('\n').filter(Boolean);
}

/** Makes (once) a draft campaign with this id in the org with slug `org` (default
 * demo), so calls can name it (calls.campaign_id is a foreign key); returns the id. */
export function campaignFor(stack, id, org = 'demo', name = 'Calls fixture') {
  stack.sql(`INSERT INTO campaigns (id, org_id, name, channels, sms_body)
    VALUES (${lit(id)}, (SELECT id FROM orgs WHERE slug = ${lit(org)}), ${lit(name)}, '{sms}', 'Hello')
    ON CONFLICT (id) DO NOTHING`);
  return id;
}

/** Makes (once) a second org with an admin, for tenancy checks; returns its slug. */
export function otherOrg(stack, slug = 'other') {
  const r = stack.cli(['user', 'add', '--org', slug, '--email', `admin@${slug}.test`, '--role', 'admin', '--password-stdin'],
    { input: 'another long password\n' });
  if (r.status !== 0 && !/exists/.test(r.stderr)) throw new Error(r.stderr);
  return slug;
}

/** Removes every call (between tests that need a known set). */
export function clearCalls(stack) {
  stack.sql('DELETE FROM calls');
}
