-- 0040_admin_settings_usage.sql — what /admin/settings and /admin/usage need
-- (docs/ADMIN.md): recordings kept forever (retention empty), the org's own
-- allow-list of recording download hosts, and the daily usage counters the
-- application workers flush in batches.

-- NULL: keep recordings forever.
ALTER TABLE orgs ALTER COLUMN recording_retention_days DROP NOT NULL;

-- Comma-separated host names or .suffixes; '' means the operator's default
-- (recording_url_hosts in the configuration).
ALTER TABLE orgs ADD COLUMN recording_download_hosts text NOT NULL DEFAULT ''
  CHECK (length(recording_download_hosts) <= 2000
         AND recording_download_hosts ~ '^(\.?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(,\.?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)*)?$');

-- Requests per org, user or API key, UTC day and kind. Workers count in memory and
-- add their counts here every few seconds (sb_usage_add), so a request never pays a
-- write of its own; a worker that crashes loses at most its unflushed seconds.
CREATE TABLE usage_daily (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  day date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('request', 'api_call')),
  user_id uuid,     -- a signed-in user's requests
  api_key_id uuid,  -- an API key's calls
  count bigint NOT NULL CHECK (count >= 0),
  CONSTRAINT usage_daily_key UNIQUE NULLS NOT DISTINCT (org_id, day, kind, user_id, api_key_id)
);
ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_daily_tenant ON usage_daily USING (org_id = app_org_id());
GRANT SELECT ON usage_daily TO switchboard_app;

-- A worker's batch of counts for any number of orgs: [{"org_id","day","kind",
-- "user_id","api_key_id","count"}, ...]. SECURITY DEFINER because one batch spans
-- tenants; it only ever adds to counters.
CREATE FUNCTION sb_usage_add(p_rows jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO usage_daily AS u (org_id, day, kind, user_id, api_key_id, count)
  SELECT r.org_id, r.day, r.kind, r.user_id, r.api_key_id, sum(r.count)
    FROM jsonb_to_recordset(p_rows) AS r(org_id uuid, day date, kind text, user_id uuid,
                                         api_key_id uuid, count bigint)
   WHERE EXISTS (SELECT 1 FROM orgs o WHERE o.id = r.org_id)
   GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT usage_daily_key DO UPDATE SET count = u.count + EXCLUDED.count
$$;
REVOKE ALL ON FUNCTION sb_usage_add(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_usage_add(jsonb) TO switchboard_app;

-- Messages sent per day and channel (the usage page) read this index only.
CREATE INDEX campaign_messages_sent_idx ON campaign_messages (org_id, sent_at) INCLUDE (channel)
  WHERE sent_at IS NOT NULL;
