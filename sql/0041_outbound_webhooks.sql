-- 0041_outbound_webhooks.sql — outbound webhooks (docs/OUTBOUND_WEBHOOKS.md):
-- the endpoints an org registers, and one delivery row per event and endpoint. Events
-- are emitted by triggers in the transaction that makes them happen, so an event is
-- queued exactly when its change commits, whichever path made it (page, API, webhook,
-- job, import). Each delivery is sent by a `webhook_delivery` job.

CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2048 AND url ~ '^https?://[^\s]+$'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
  events text[] NOT NULL CHECK (cardinality(events) >= 1 AND events <@ ARRAY['call.completed',
    'deal.stage_changed', 'payment.paid', 'campaign.completed', 'contact.opted_out']),
  -- The signing secret, sealed (secretbox, context "<org_id>:webhook:<id>"); shown once.
  secret_sealed text NOT NULL CHECK (length(secret_sealed) BETWEEN 1 AND 500),
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text NOT NULL DEFAULT '' CHECK (length(disabled_reason) <= 300),
  -- Failed attempts in a row, over all its deliveries; a success resets it.
  consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id uuid NOT NULL, -- one event sent to several endpoints shares it
  event_type text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 64),
  body text NOT NULL, -- exactly the bytes signed and sent
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  response_status integer,
  last_error text NOT NULL DEFAULT '' CHECK (length(last_error) <= 500),
  redelivery_of uuid REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (org_id, endpoint_id, created_at DESC, id DESC);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_tenant ON webhook_endpoints
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_tenant ON webhook_deliveries
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON webhook_endpoints, webhook_deliveries FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO switchboard_app;
GRANT SELECT, INSERT ON webhook_deliveries TO switchboard_app;

-- Queues one delivery (and its job) per enabled endpoint of the org that wants the
-- event. Runs as the owner: the writer may be a worker acting for every org, or a
-- user whose role may not read the endpoints.
CREATE FUNCTION sb_webhook_emit(p_org uuid, p_type text, p_data jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ev uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE org_id = p_org AND enabled AND p_type = ANY (events)) THEN
    RETURN;
  END IF;
  ev := gen_random_uuid();
  WITH d AS (
    INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event_type, body)
    SELECT p_org, e.id, ev, p_type,
           jsonb_build_object('id', ev, 'type', p_type,
                              'created_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                              'data', p_data)::text
      FROM webhook_endpoints e
     WHERE e.org_id = p_org AND e.enabled AND p_type = ANY (e.events)
    RETURNING id, org_id)
  INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)
  SELECT d.org_id, 'webhook_delivery', jsonb_build_object('delivery_id', d.id), 'webhook_delivery:' || d.id, 100
    FROM d;
END $$;
REVOKE ALL ON FUNCTION sb_webhook_emit(uuid, text, jsonb) FROM PUBLIC;

CREATE FUNCTION sb_webhook_iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- call.completed: when a call first reaches 'completed' (however it got there).
CREATE FUNCTION sb_webhook_call_completed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM sb_webhook_emit(NEW.org_id, 'call.completed', jsonb_build_object(
    'id', NEW.id, 'direction', NEW.direction, 'provider', NEW.provider, 'provider_call_id', NEW.provider_call_id,
    'from_number', NEW.from_number, 'to_number', NEW.to_number, 'status', NEW.status,
    'started_at', sb_webhook_iso(NEW.started_at), 'ended_at', sb_webhook_iso(NEW.ended_at),
    'duration_s', NEW.duration_s, 'ended_reason', NEW.ended_reason,
    'contact_id', NEW.contact_id, 'campaign_id', NEW.campaign_id));
  RETURN NULL;
END $$;
CREATE TRIGGER calls_webhook_completed_insert AFTER INSERT ON calls FOR EACH ROW
  WHEN (NEW.status = 'completed' AND NEW.deleted_at IS NULL) EXECUTE FUNCTION sb_webhook_call_completed();
CREATE TRIGGER calls_webhook_completed_update AFTER UPDATE OF status ON calls FOR EACH ROW
  WHEN (NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed' AND NEW.deleted_at IS NULL)
  EXECUTE FUNCTION sb_webhook_call_completed();

-- deal.stage_changed
CREATE FUNCTION sb_webhook_deal_stage() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM sb_webhook_emit(NEW.org_id, 'deal.stage_changed', jsonb_build_object(
    'id', NEW.id, 'title', NEW.title, 'from_stage', OLD.stage, 'to_stage', NEW.stage,
    'value_minor', NEW.value_minor, 'currency', NEW.currency));
  RETURN NULL;
END $$;
CREATE TRIGGER deals_webhook_stage AFTER UPDATE OF stage ON deals FOR EACH ROW
  WHEN (OLD.stage IS DISTINCT FROM NEW.stage AND NEW.deleted_at IS NULL) EXECUTE FUNCTION sb_webhook_deal_stage();

-- payment.paid: when a payment first becomes paid (or is recorded paid).
CREATE FUNCTION sb_webhook_payment_paid() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM sb_webhook_emit(NEW.org_id, 'payment.paid', jsonb_build_object(
    'id', NEW.id, 'deal_id', NEW.deal_id, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency,
    'paid_minor', NEW.paid_minor, 'paid_at', sb_webhook_iso(NEW.paid_at)));
  RETURN NULL;
END $$;
CREATE TRIGGER payments_webhook_paid_insert AFTER INSERT ON payments FOR EACH ROW
  WHEN (NEW.status = 'paid' AND NEW.deleted_at IS NULL) EXECUTE FUNCTION sb_webhook_payment_paid();
CREATE TRIGGER payments_webhook_paid_update AFTER UPDATE OF status ON payments FOR EACH ROW
  WHEN (NEW.status = 'paid' AND OLD.status IS DISTINCT FROM 'paid' AND NEW.deleted_at IS NULL)
  EXECUTE FUNCTION sb_webhook_payment_paid();

-- campaign.completed
CREATE FUNCTION sb_webhook_campaign_completed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM sb_webhook_emit(NEW.org_id, 'campaign.completed', jsonb_build_object(
    'id', NEW.id, 'name', NEW.name, 'channels', to_jsonb(NEW.channels)));
  RETURN NULL;
END $$;
CREATE TRIGGER campaigns_webhook_completed AFTER UPDATE OF status ON campaigns FOR EACH ROW
  WHEN (NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed') EXECUTE FUNCTION sb_webhook_campaign_completed();

-- contact.opted_out: from the consent history (page, API, import, inbound STOP), one
-- statement for a whole import.
CREATE FUNCTION sb_webhook_contact_opted_out() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  e record;
BEGIN
  FOR e IN SELECT n.org_id, n.contact_id, n.channel, n.source, n.created_at
             FROM new_rows n
            WHERE n.opted_out AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.org_id = n.org_id AND w.enabled
                                            AND 'contact.opted_out' = ANY (w.events))
  LOOP
    PERFORM sb_webhook_emit(e.org_id, 'contact.opted_out', jsonb_build_object(
      'contact_id', e.contact_id, 'channel', e.channel, 'source', e.source, 'at', sb_webhook_iso(e.created_at)));
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER contact_consent_webhook AFTER INSERT ON contact_consent_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_webhook_contact_opted_out();

-- Trigger functions run when their trigger fires whoever writes; nobody calls them.
REVOKE ALL ON FUNCTION sb_webhook_call_completed(), sb_webhook_deal_stage(), sb_webhook_payment_paid(),
  sb_webhook_campaign_completed(), sb_webhook_contact_opted_out() FROM PUBLIC;
