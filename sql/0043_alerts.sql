-- 0043_alerts.sql — alerts (docs/ADMIN.md, "Alerts"): per-org rules on the
-- instance's health, the channels they are delivered to (a Slack-compatible
-- webhook or email over SMTP), the history of what fired, resolved or was a test,
-- the org's SMTP server, and the pool's per-minute request figures the
-- alerts_evaluate job reads (the pool's shared memory is not visible to workers).

-- The org's SMTP server (alert emails, reminders). The user name and password are
-- org_secrets (smtp_username, smtp_password), write-only like the provider ones.
ALTER TABLE orgs
  ADD COLUMN smtp_host text NOT NULL DEFAULT '' CHECK (length(smtp_host) <= 253 AND smtp_host !~ '[\s/]'),
  ADD COLUMN smtp_port integer NOT NULL DEFAULT 587 CHECK (smtp_port BETWEEN 1 AND 65535),
  ADD COLUMN smtp_security text NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('none', 'starttls', 'tls')),
  ADD COLUMN smtp_from text NOT NULL DEFAULT '' CHECK (length(smtp_from) <= 254),
  -- Reminders by email (deliverables due, payments overdue): on/off and the local time.
  ADD COLUMN reminders_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN reminders_time text NOT NULL DEFAULT '08:00' CHECK (reminders_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');

CREATE TABLE alert_channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('slack', 'email')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- slack: the incoming webhook's URL; email: recipients separated by commas.
  target text NOT NULL CHECK (length(target) BETWEEN 3 AND 2048),
  enabled boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_channels_org_idx ON alert_channels (org_id, created_at);

CREATE TABLE alert_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  metric text NOT NULL CHECK (metric IN ('error_rate', 'p95_latency', 'database_down', 'queue_age',
                                         'provider_circuit_open', 'recordings_disk')),
  -- Fires when the metric's value is at least this (docs/ADMIN.md gives each unit).
  threshold numeric(12, 3) NOT NULL CHECK (threshold > 0),
  window_minutes integer NOT NULL CHECK (window_minutes BETWEEN 0 AND 60),
  cooldown_minutes integer NOT NULL CHECK (cooldown_minutes BETWEEN 1 AND 10080),
  enabled boolean NOT NULL DEFAULT true,
  -- ok: condition clear; pending: it holds, not yet for the window (or within the
  -- cooldown of the last firing); firing: delivered, not resolved yet.
  state text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'pending', 'firing')),
  pending_since timestamptz,
  last_fired_at timestamptz,
  last_value numeric,
  last_evaluated_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_org_idx ON alert_rules (org_id, created_at);

-- The history: one row per firing, resolution or test, with what each channel said.
CREATE TABLE alert_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  rule_id uuid REFERENCES alert_rules(id) ON DELETE SET NULL,
  channel_id uuid REFERENCES alert_channels(id) ON DELETE SET NULL, -- a test: only this channel
  kind text NOT NULL CHECK (kind IN ('fired', 'resolved', 'test')),
  metric text NOT NULL DEFAULT '',
  value numeric,
  threshold numeric,
  message text NOT NULL CHECK (length(message) <= 1000),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'partial', 'failed', 'no_channels')),
  -- {"<channel id>": {"ok": bool, "error": text, "at": text}}
  deliveries jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_events_org_idx ON alert_events (org_id, created_at DESC, id DESC);

ALTER TABLE alert_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY alert_channels_tenant ON alert_channels USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE alert_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY alert_rules_tenant ON alert_rules USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE alert_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_events FORCE ROW LEVEL SECURITY;
CREATE POLICY alert_events_tenant ON alert_events USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON alert_channels, alert_rules, alert_events FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON alert_channels, alert_rules TO switchboard_app;
GRANT SELECT, INSERT ON alert_events TO switchboard_app;

-- The pool's request figures by minute (a copy of its shared ring, written every
-- few seconds by whichever application worker served a request): instance-wide,
-- not an org's, so it has no org_id; the application role cannot read or write it
-- except through sb_pool_minutes_put. host: "<hostname>:<pool master pid>".
CREATE TABLE pool_request_minutes (
  host text NOT NULL CHECK (length(host) BETWEEN 1 AND 128),
  minute bigint NOT NULL, -- unix time / 60
  requests bigint NOT NULL CHECK (requests >= 0),
  errors bigint NOT NULL CHECK (errors >= 0),
  buckets bigint[] NOT NULL, -- the ring's latency buckets (src/http/metrics.h)
  PRIMARY KEY (minute, host)
);
REVOKE ALL ON pool_request_minutes FROM PUBLIC;

-- [{"minute": n, "requests": n, "errors": n, "buckets": [n, ...]}, ...]: each minute's
-- figures replace the stored ones (the ring holds totals, so a repeat is harmless).
CREATE FUNCTION sb_pool_minutes_put(p_host text, p_rows jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO pool_request_minutes AS m (host, minute, requests, errors, buckets)
  SELECT p_host, r.minute, r.requests, r.errors, ARRAY(SELECT jsonb_array_elements_text(r.buckets)::bigint)
    FROM jsonb_to_recordset(p_rows) AS r(minute bigint, requests bigint, errors bigint, buckets jsonb)
  ON CONFLICT (minute, host) DO UPDATE SET requests = EXCLUDED.requests, errors = EXCLUDED.errors,
    buckets = EXCLUDED.buckets
$$;
REVOKE ALL ON FUNCTION sb_pool_minutes_put(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_pool_minutes_put(text, jsonb) TO switchboard_app;

-- Reminder emails (deliverables due within 48 hours, payments overdue): one per
-- owner and local day at most; the row is claimed before the email is sent.
CREATE TABLE reminder_emails (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  day date NOT NULL,
  status text NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'sent', 'failed')),
  items integer NOT NULL DEFAULT 0 CHECK (items >= 0),
  error text NOT NULL DEFAULT '' CHECK (length(error) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id, day),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
ALTER TABLE reminder_emails ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminder_emails FORCE ROW LEVEL SECURITY;
CREATE POLICY reminder_emails_tenant ON reminder_emails USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON reminder_emails FROM PUBLIC;
GRANT SELECT ON reminder_emails TO switchboard_app;
