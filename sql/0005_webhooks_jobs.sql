-- 0005_webhooks_jobs.sql — provider webhook events (stored raw, then applied) and the
-- PostgreSQL job queue that `switchboard worker` drains.

-- Every provider event as received. event_key de-duplicates replays (the provider's
-- event id where it has one, else the SHA-256 of the body).
CREATE TABLE webhook_events (
  id bigserial PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('vapi', 'twilio')),
  kind text NOT NULL DEFAULT '' CHECK (length(kind) <= 100),
  event_key text NOT NULL CHECK (length(event_key) BETWEEN 1 AND 200),
  body text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  error text CHECK (error IS NULL OR length(error) <= 1000),
  UNIQUE (org_id, provider, event_key)
);
CREATE INDEX webhook_events_org_received_idx ON webhook_events (org_id, received_at DESC, id DESC);

-- Jobs. org_id is NULL for jobs that act on every org (periodic repairs).
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  org_id uuid REFERENCES orgs(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,64}$'),
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  unique_key text CHECK (unique_key IS NULL OR length(unique_key) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  lease_until timestamptz,
  last_error text CHECK (last_error IS NULL OR length(last_error) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A unique key de-duplicates live jobs only, so the same work can be queued again
-- once the earlier job has finished (or died).
CREATE UNIQUE INDEX jobs_live_unique_key ON jobs (unique_key)
  WHERE unique_key IS NOT NULL AND status IN ('queued', 'running');
-- Periodic jobs look up their key over every status (one run per period).
CREATE INDEX jobs_unique_key_idx ON jobs (unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_ready_idx ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_org_idx ON jobs (org_id, created_at DESC) WHERE org_id IS NOT NULL;

-- Wakes listening workers; statement-level, so a batch insert sends one notification.
CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobs', '');
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();

ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_events_tenant ON webhook_events
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_tenant ON jobs USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

-- A webhook names its org by slug and arrives without a session: this returns the
-- org and its sealed provider secrets (base64) so the application can check the
-- signature before it sets the tenant and stores anything.
CREATE FUNCTION sb_webhook_org(p_slug text)
RETURNS TABLE (org_id uuid, vapi_secret text, twilio_auth_token text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id,
         (SELECT translate(encode(s.ciphertext, 'base64'), E'\n', '') FROM org_secrets s
           WHERE s.org_id = o.id AND s.key = 'vapi_secret'),
         (SELECT translate(encode(s.ciphertext, 'base64'), E'\n', '') FROM org_secrets s
           WHERE s.org_id = o.id AND s.key = 'twilio_auth_token')
    FROM orgs o WHERE o.slug = p_slug
$$;

REVOKE ALL ON webhook_events, jobs FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON webhook_events TO switchboard_app;
GRANT USAGE ON SEQUENCE webhook_events_id_seq TO switchboard_app;
-- The app enqueues inside its request transaction; the worker (owner role) does the rest.
GRANT SELECT, INSERT ON jobs TO switchboard_app;
GRANT USAGE ON SEQUENCE jobs_id_seq TO switchboard_app;
GRANT EXECUTE ON FUNCTION sb_webhook_org(text) TO switchboard_app;
