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

-- The SendGrid event webhook finds its org by slug before any tenant is set, like
-- sb_webhook_org (0005): the org and its event verification key, nothing else.
CREATE FUNCTION sb_webhook_org_sendgrid(p_slug text) RETURNS TABLE (org_id uuid, public_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id, o.sendgrid_event_public_key FROM orgs o WHERE o.slug = p_slug
$$;
REVOKE ALL ON FUNCTION sb_webhook_org_sendgrid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_webhook_org_sendgrid(text) TO switchboard_app;

-- Inbound SMS that are not keywords: a contact's replies (to the campaign message it
-- answers, when one was sent to that number). Twilio's MessageSid makes a retried
-- callback a no-op.
CREATE TABLE message_replies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  contact_id uuid REFERENCES contacts(id) ON DELETE SET NULL,
  campaign_message_id uuid REFERENCES campaign_messages(id) ON DELETE SET NULL,
  channel text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms')),
  from_address text NOT NULL CHECK (length(from_address) BETWEEN 1 AND 320),
  body text NOT NULL CHECK (length(body) <= 2000),
  provider_message_id text NOT NULL CHECK (length(provider_message_id) BETWEEN 1 AND 200),
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, provider_message_id)
);
CREATE INDEX message_replies_contact_idx ON message_replies (org_id, contact_id, received_at DESC);
CREATE INDEX message_replies_message_idx ON message_replies (campaign_message_id);
ALTER TABLE message_replies ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_replies FORCE ROW LEVEL SECURITY;
CREATE POLICY message_replies_tenant ON message_replies
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON message_replies FROM PUBLIC;
GRANT SELECT, INSERT ON message_replies TO switchboard_app;
