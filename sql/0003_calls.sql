-- 0003_calls.sql — contacts (the part calls need) and calls, both directions in one
-- table. Phone numbers are stored in E.164; a filter on a number normalises the
-- user's input and matches exactly. Every list order has its keyset index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email text CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
  company text NOT NULL DEFAULT '' CHECK (length(company) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE UNIQUE INDEX contacts_org_phone_key ON contacts (org_id, phone) WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX contacts_org_name_idx ON contacts (org_id, lower(name), id);

CREATE TABLE calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  provider text NOT NULL CHECK (provider IN ('vapi', 'twilio')),
  provider_call_id text NOT NULL CHECK (length(provider_call_id) BETWEEN 1 AND 128),
  from_number text NOT NULL DEFAULT '' CHECK (from_number = '' OR from_number ~ '^\+[1-9][0-9]{1,14}$'),
  to_number text NOT NULL DEFAULT '' CHECK (to_number = '' OR to_number ~ '^\+[1-9][0-9]{1,14}$'),
  contact_id uuid REFERENCES contacts(id) ON DELETE SET NULL,
  caller_name text NOT NULL DEFAULT '' CHECK (length(caller_name) <= 200),
  status text NOT NULL CHECK (status IN ('queued', 'ringing', 'in_progress', 'completed', 'busy',
                                         'no_answer', 'failed', 'canceled')),
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz CHECK (ended_at IS NULL OR ended_at >= started_at),
  duration_s integer NOT NULL DEFAULT 0 CHECK (duration_s BETWEEN 0 AND 86400),
  -- Recording: the provider's URL (what the download job fetches) and our copy.
  recording_status text NOT NULL DEFAULT 'none' CHECK (recording_status IN ('none', 'pending', 'stored', 'failed')),
  recording_url text CHECK (recording_url IS NULL OR length(recording_url) <= 2048),
  recording_path text CHECK (recording_path IS NULL OR recording_path ~ '^[A-Za-z0-9._/-]{1,200}$'),
  recording_bytes bigint NOT NULL DEFAULT 0 CHECK (recording_bytes >= 0),
  recording_content_type text NOT NULL DEFAULT '',
  -- [{t_ms, speaker: caller|agent|system, text, confidence}]
  transcript jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(transcript) = 'array'),
  transcript_tsv tsvector GENERATED ALWAYS AS
    (jsonb_to_tsvector('english'::regconfig, jsonb_path_query_array(transcript, '$[*].text'), '["string"]')) STORED,
  summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 10000),
  ended_reason text NOT NULL DEFAULT '' CHECK (length(ended_reason) <= 200),
  sentiment_score real CHECK (sentiment_score BETWEEN -1 AND 1),
  sentiment_label text CHECK (sentiment_label IN ('positive', 'neutral', 'negative')),
  action_items jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(action_items) = 'array'),
  campaign_id uuid, -- campaigns arrive with §7; the foreign key is added then
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  UNIQUE (org_id, provider, provider_call_id)
);

-- Keyset orders (newest/oldest share one index; longest has its own).
CREATE INDEX calls_org_started_idx ON calls (org_id, started_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX calls_org_duration_idx ON calls (org_id, duration_s DESC, id DESC) WHERE deleted_at IS NULL;
-- Filters.
CREATE INDEX calls_org_from_idx ON calls (org_id, from_number, started_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX calls_org_to_idx ON calls (org_id, to_number, started_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX calls_caller_name_trgm_idx ON calls USING gin (caller_name gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX calls_transcript_tsv_idx ON calls USING gin (transcript_tsv) WHERE deleted_at IS NULL;
CREATE INDEX calls_org_campaign_idx ON calls (org_id, campaign_id, started_at DESC, id DESC)
  WHERE campaign_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX calls_contact_idx ON calls (contact_id) WHERE contact_id IS NOT NULL;

-- Order of statuses, so a late event never moves a call backwards: a terminal
-- status (rank 3) is never replaced, and a lower rank never replaces a higher one.
CREATE FUNCTION call_status_rank(s text) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE s WHEN 'queued' THEN 0 WHEN 'ringing' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END::smallint
$$;

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY contacts_tenant ON contacts USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE calls FORCE ROW LEVEL SECURITY;
CREATE POLICY calls_tenant ON calls USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

REVOKE ALL ON contacts, calls FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON contacts, calls TO switchboard_app;
GRANT EXECUTE ON FUNCTION call_status_rank(text) TO switchboard_app;
