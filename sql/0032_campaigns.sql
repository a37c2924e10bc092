-- 0032_campaigns.sql — the campaign builder (SPEC §7): campaigns, their audience
-- (chosen contacts, or a tag held on the campaign), and one message row per
-- recipient and channel, made at launch. Sending is a later step; the message table
-- is shaped for it: a state with its reason, our id (the row's id, sent to the
-- provider as the callback's or custom args' key), the provider's id, attempts.
--
-- calls.campaign_id (0003) keeps no foreign key here. Adding one means validating
-- it over the whole calls table inside this migration's one transaction, holding a
-- lock that stops call writes (webhook ingestion) for the length of the scan, and it
-- puts an RI trigger on every call insert, the ingestion's hot path. Nothing writes
-- calls.campaign_id yet; the voice dispatch step, which does, adds it (as
-- (org_id, campaign_id) against campaigns (org_id, id)) when it can measure it.

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  channels text[] NOT NULL CHECK (cardinality(channels) BETWEEN 1 AND 3
                                  AND channels <@ ARRAY['sms', 'voice', 'email']),
  -- The audience: a tag, or (audience_tag NULL) the rows of campaign_audience.
  audience_tag text CHECK (audience_tag IS NULL OR length(audience_tag) BETWEEN 1 AND 50),
  sms_body text NOT NULL DEFAULT '' CHECK (length(sms_body) <= 500),
  email_subject text NOT NULL DEFAULT '' CHECK (length(email_subject) <= 200),
  email_body text NOT NULL DEFAULT '' CHECK (length(email_body) <= 20000),
  voice_script text NOT NULL DEFAULT '' CHECK (length(voice_script) <= 5000),
  schedule_at timestamptz, -- NULL: at launch
  quiet_start time,        -- both NULL: the org's quiet hours
  quiet_end time,
  rate_per_minute integer NOT NULL DEFAULT 60 CHECK (rate_per_minute BETWEEN 1 AND 6000),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'canceled', 'failed')),
  status_reason text NOT NULL DEFAULT '' CHECK (length(status_reason) <= 500),
  launched_at timestamptz,
  recipients integer CHECK (recipients >= 0), -- contacts given messages at launch; NULL before
  created_by uuid,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
  UNIQUE (org_id, id)
);
-- The list, newest first, keyset on (created_at, id).
CREATE INDEX campaigns_org_created_idx ON campaigns (org_id, created_at DESC, id DESC);
-- The overview and the dispatch job look for running campaigns.
CREATE INDEX campaigns_org_status_idx ON campaigns (org_id, status) WHERE status IN ('scheduled', 'running', 'paused');

-- A tag audience: the contacts' tags through a GIN index, reached under row-level
-- security only from a function that filters by the tenant itself (`@>` is not
-- leakproof; docs/ARCHITECTURE.md, search under RLS).
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags) WHERE deleted_at IS NULL;
CREATE FUNCTION sb_contacts_tagged(p_tag text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1000 AS $$
  SELECT id FROM contacts WHERE org_id = app_org_id() AND deleted_at IS NULL AND tags @> ARRAY[p_tag]
$$;
REVOKE ALL ON FUNCTION sb_contacts_tagged(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_contacts_tagged(text) TO switchboard_app;

-- Chosen contacts. A contact deleted for good leaves the audience with it.
CREATE TABLE campaign_audience (
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  PRIMARY KEY (campaign_id, contact_id),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_audience_contact_idx ON campaign_audience (contact_id);

-- One row per recipient and channel, never two (campaign_messages_once): the
-- dispatch claims queued rows, and a row is the promise of at most one provider
-- request. The id is our message id, given to the provider.
CREATE TABLE campaign_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('sms', 'voice', 'email')),
  to_address text NOT NULL DEFAULT '' CHECK (length(to_address) <= 320), -- E.164 or email at launch
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'delivered', 'failed', 'skipped')),
  -- Why skipped (no_phone, no_email, opted_out, do_not_contact) or failed (the provider's code).
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
  provider text CHECK (provider IS NULL OR provider IN ('twilio', 'sendgrid')),
  provider_message_id text CHECK (provider_message_id IS NULL OR length(provider_message_id) <= 200),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz,
  sent_at timestamptz,
  delivered_at timestamptz,
  failed_at timestamptz,
  replied_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'skipped' OR reason <> ''),
  CONSTRAINT campaign_messages_once UNIQUE (campaign_id, contact_id, channel),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);
-- The stats (counts per channel and state) read this index only.
CREATE INDEX campaign_messages_stats_idx ON campaign_messages (campaign_id, channel, state) INCLUDE (replied_at);
-- What the dispatch will claim.
CREATE INDEX campaign_messages_queued_idx ON campaign_messages (org_id, campaign_id, next_attempt_at)
  WHERE state = 'queued';
-- A provider's callback finds its message by the provider's id.
CREATE UNIQUE INDEX campaign_messages_provider_idx ON campaign_messages (org_id, provider, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX campaign_messages_contact_idx ON campaign_messages (contact_id);

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY campaigns_tenant ON campaigns USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE campaign_audience ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_audience FORCE ROW LEVEL SECURITY;
CREATE POLICY campaign_audience_tenant ON campaign_audience
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE campaign_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY campaign_messages_tenant ON campaign_messages
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

REVOKE ALL ON campaigns, campaign_audience, campaign_messages FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns, campaign_audience TO switchboard_app;
GRANT SELECT, INSERT, UPDATE ON campaign_messages TO switchboard_app;
