-- 0033_campaign_dispatch.sql — the campaign sender (docs/CAMPAIGNS.md, "Sending"):
-- each org's provider settings, the attempt in flight of a message (recorded and
-- committed before its provider request, so a worker killed between request and
-- record leaves evidence to reconcile), and the campaign's send pace.

-- Provider settings that are not secret (the account SID, auth token and API key are
-- org_secrets, sealed). Base URLs are settings so tests and the demo point them at a
-- local fake that speaks the same HTTP APIs.
ALTER TABLE orgs
  ADD COLUMN twilio_base_url text NOT NULL DEFAULT 'https://api.twilio.com'
    CHECK (twilio_base_url ~ '^https?://[^\s/?#]+$'),
  ADD COLUMN twilio_from_number text NOT NULL DEFAULT ''
    CHECK (twilio_from_number = '' OR twilio_from_number ~ '^\+[1-9][0-9]{6,14}$'),
  ADD COLUMN sendgrid_base_url text NOT NULL DEFAULT 'https://api.sendgrid.com'
    CHECK (sendgrid_base_url ~ '^https?://[^\s/?#]+$'),
  ADD COLUMN sendgrid_from_email text NOT NULL DEFAULT ''
    CHECK (sendgrid_from_email = '' OR (sendgrid_from_email ~ '^[^@\s]+@[^@\s]+$' AND length(sendgrid_from_email) <= 254)),
  -- The event webhook's verification key (base64 DER, as SendGrid shows it): public.
  ADD COLUMN sendgrid_event_public_key text NOT NULL DEFAULT ''
    CHECK (length(sendgrid_event_public_key) <= 1000 AND sendgrid_event_public_key !~ '\s');

-- attempt_open: an attempt was recorded and its outcome not yet (attempt_started_at
-- says when). A row left open past the sender's timeout was abandoned by a killed
-- worker; the provider is asked about it before any resend.
ALTER TABLE campaign_messages
  ADD COLUMN attempt_open boolean NOT NULL DEFAULT false,
  ADD COLUMN attempt_started_at timestamptz;

-- The pace (GCRA): the earliest time the next message may go; each message sent moves
-- it on by 60 / rate_per_minute seconds.
ALTER TABLE campaigns ADD COLUMN dispatch_next_at timestamptz;

-- Is local time t inside the window [qs, qe) (crossing midnight when qs > qe)?
CREATE FUNCTION sb_quiet_at(t time, qs time, qe time) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN qs IS NULL OR qe IS NULL OR qs = qe THEN false
              WHEN qs < qe THEN t >= qs AND t < qe
              ELSE t >= qs OR t < qe END
$$;

-- A campaign that starts running (launch, resume) or is canceled wakes the workers
-- (LISTEN jobs), so its first message or its skipping does not wait for their poll.
CREATE FUNCTION sb_campaign_wake() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobs', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER campaigns_wake AFTER UPDATE OF status ON campaigns
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('running', 'canceled'))
  EXECUTE FUNCTION sb_campaign_wake();
