-- 0024_webhook_apply_batches.sql — a webhook is answered once its raw event is stored;
-- `switchboard worker` applies the stored events to their calls in batches.
--
-- The request used to apply its event itself: the call upsert and the rollup triggers
-- (three rollup upserts and the number totals) ran once per event, in the request's
-- durable transaction. Stored events are now applied hundreds at a time: one INSERT
-- and one UPDATE on calls per batch, so the statement-level rollup triggers run once
-- for the whole batch.

-- Every stored event checked its org by a foreign key: a FOR KEY SHARE lock on the
-- org's row, which under concurrent webhooks became a new MultiXact per insert (and
-- every reader of that row had to look its members up). Measured with pgbench on the
-- store transaction at 16 clients: about a third more events per second without it.
-- The org id stored is the one sb_webhook_org has just read in the same transaction,
-- and an org's events go with the org (the trigger below) as the cascade did.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_org_id_fkey;
CREATE FUNCTION sb_orgs_webhook_events_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM webhook_events WHERE org_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER orgs_webhook_events_delete BEFORE DELETE ON orgs
  FOR EACH ROW EXECUTE FUNCTION sb_orgs_webhook_events_delete();
REVOKE ALL ON FUNCTION sb_orgs_webhook_events_delete() FROM PUBLIC;

-- Every webhook request looks its org up first. As a SQL function (not inlinable:
-- SECURITY DEFINER) its query was planned on every call; PL/pgSQL keeps the plan for
-- the session: half the lookup's time. Same result, same privileges (0019).
CREATE OR REPLACE FUNCTION sb_webhook_org(p_slug text)
RETURNS TABLE (org_id uuid, vapi_secret text, twilio_auth_token text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  SELECT o.id,
         (SELECT translate(encode(s.ciphertext, 'base64'), E'\n', '') FROM org_secrets s
           WHERE s.org_id = o.id AND s.key = 'vapi_secret'),
         (SELECT translate(encode(s.ciphertext, 'base64'), E'\n', '') FROM org_secrets s
           WHERE s.org_id = o.id AND s.key = 'twilio_auth_token')
    FROM orgs o WHERE o.slug = p_slug;
END $$;

-- What the provider's parser read from the event (call_event, NULL members left
-- out), kept beside the raw body so the worker applies it without parsing again. NULL
-- when there is nothing to apply (an ignored message type, a refused event).
ALTER TABLE webhook_events ADD COLUMN call jsonb CHECK (call IS NULL OR jsonb_typeof(call) = 'object');

-- The events waiting for the worker: neither applied nor failed.
CREATE INDEX webhook_events_pending_idx ON webhook_events (id) WHERE applied_at IS NULL AND error IS NULL;

-- The calls one set of events describes, one row per call: the events folded in
-- arrival (id) order exactly as applying them one after another would. The status only
-- moves forward (call_status_rank), every other field takes the value of the latest
-- event that has one, and direction is the first event's (it is set only when the
-- call is created). Times are read as of the event's arrival ('now', a finished
-- Twilio call's end, is when its callback arrived; a call created without a start
-- time started when its first event arrived), not of the batch that applies it. A
-- value the column cannot take fails here (a cast) or in the write (a check), for
-- the whole set. ROWS: a batch's calls are a few hundred at most, so the UPDATE below
-- finds each through the calls unique key (with the default estimate of 1,000 rows
-- it could choose to scan every call).
CREATE FUNCTION sb_webhook_calls_folded(p_ids bigint[])
RETURNS TABLE (org_id uuid, provider text, provider_call_id text, first_received_at timestamptz,
               direction text, status text, from_number text, to_number text, caller_name text,
               started_at timestamptz, ended_at timestamptz, duration_s integer, ended_reason text,
               summary text, transcript jsonb, recording_url text)
LANGUAGE sql STABLE ROWS 100 SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT w.org_id, w.provider, w.call->>'provider_call_id', min(w.received_at),
         (array_agg(w.call->>'direction' ORDER BY w.id))[1],
         (array_agg(w.call->>'status' ORDER BY call_status_rank(w.call->>'status') DESC, w.id DESC))[1],
         (array_agg(w.call->>'from' ORDER BY w.id DESC) FILTER (WHERE w.call->>'from' <> ''))[1],
         (array_agg(w.call->>'to' ORDER BY w.id DESC) FILTER (WHERE w.call->>'to' <> ''))[1],
         (array_agg(w.call->>'caller_name' ORDER BY w.id DESC) FILTER (WHERE w.call->>'caller_name' <> ''))[1],
         (array_agg(t.started_at ORDER BY w.id DESC) FILTER (WHERE t.started_at IS NOT NULL))[1],
         (array_agg(t.ended_at ORDER BY w.id DESC) FILTER (WHERE t.ended_at IS NOT NULL))[1],
         (array_agg(d.duration_s ORDER BY w.id DESC) FILTER (WHERE d.duration_s IS NOT NULL))[1],
         (array_agg(w.call->>'ended_reason' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'ended_reason'))[1],
         (array_agg(w.call->>'summary' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'summary'))[1],
         (array_agg(w.call->'transcript' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'transcript'))[1],
         (array_agg(w.call->>'recording_url' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'recording_url'))[1]
    FROM webhook_events w
   CROSS JOIN LATERAL (
     SELECT CASE w.call->>'started_at' WHEN 'now' THEN w.received_at
                 ELSE (w.call->>'started_at')::timestamptz END AS started_at,
            CASE w.call->>'ended_at' WHEN 'now' THEN w.received_at
                 ELSE (w.call->>'ended_at')::timestamptz END AS ended_at) t
   CROSS JOIN LATERAL (
     SELECT coalesce((w.call->>'duration_s')::integer,
                     round(extract(epoch FROM t.ended_at - t.started_at))::integer) AS duration_s) d
   WHERE w.id = ANY (p_ids) AND w.call IS NOT NULL AND w.applied_at IS NULL AND w.error IS NULL
   GROUP BY w.org_id, w.provider, w.call->>'provider_call_id'
$$;

-- Applies the pending events among p_ids (locked by the caller) and marks them
-- applied; queues a recording download (p_download_kind, keyed as the application
-- keys it) for each call whose recording became due. Returns how many events it
-- applied. New calls are inserted by one statement and known ones updated by the next:
-- an INSERT ... ON CONFLICT DO UPDATE cannot tell an event's absent value from the
-- default it inserts, and the UPDATE, a statement of its own, sees a call that a
-- concurrent writer inserted while the INSERT waited for it.
CREATE FUNCTION sb_webhook_events_apply(p_ids bigint[], p_download_kind text, p_max_attempts integer)
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  inserted uuid[];
  due uuid[];
  n integer;
BEGIN
  WITH ins AS (
    INSERT INTO calls (org_id, provider, provider_call_id, direction, status, from_number, to_number,
                       caller_name, started_at, ended_at, duration_s, ended_reason, summary, transcript,
                       recording_url, recording_status)
    SELECT f.org_id, f.provider, f.provider_call_id, f.direction, f.status, coalesce(f.from_number, ''),
           coalesce(f.to_number, ''), coalesce(f.caller_name, ''), coalesce(f.started_at, f.first_received_at), f.ended_at,
           coalesce(f.duration_s, 0), coalesce(f.ended_reason, ''), coalesce(f.summary, ''),
           coalesce(f.transcript, '[]'::jsonb), f.recording_url,
           CASE WHEN f.recording_url IS NULL THEN 'none' ELSE 'pending' END
      FROM sb_webhook_calls_folded(p_ids) f
    ON CONFLICT (org_id, provider, provider_call_id) DO NOTHING
    RETURNING id, recording_status)
  SELECT coalesce(array_agg(id), '{}'), coalesce(array_agg(id) FILTER (WHERE recording_status = 'pending'), '{}')
    INTO inserted, due FROM ins;

  WITH upd AS (
    UPDATE calls c SET
      status = CASE WHEN call_status_rank(f.status) > call_status_rank(c.status) THEN f.status ELSE c.status END,
      from_number = coalesce(f.from_number, c.from_number),
      to_number = coalesce(f.to_number, c.to_number),
      caller_name = coalesce(f.caller_name, c.caller_name),
      started_at = coalesce(f.started_at, c.started_at),
      ended_at = coalesce(f.ended_at, c.ended_at),
      duration_s = coalesce(f.duration_s, c.duration_s),
      ended_reason = coalesce(f.ended_reason, c.ended_reason),
      summary = coalesce(f.summary, c.summary),
      transcript = coalesce(f.transcript, c.transcript),
      recording_url = coalesce(f.recording_url, c.recording_url),
      recording_status = CASE WHEN f.recording_url IS NOT NULL AND c.recording_status IN ('none', 'failed')
                              THEN 'pending' ELSE c.recording_status END,
      updated_at = now()
      FROM sb_webhook_calls_folded(p_ids) f
     WHERE c.org_id = f.org_id AND c.provider = f.provider AND c.provider_call_id = f.provider_call_id
       AND c.id <> ALL (inserted)
    RETURNING c.id, c.recording_status = 'pending' AND f.recording_url IS NOT NULL AS download)
  SELECT due || coalesce(array_agg(id) FILTER (WHERE download), '{}') INTO due FROM upd;

  INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)
  SELECT c.org_id, p_download_kind, jsonb_build_object('call_id', c.id), p_download_kind || ':' || c.id,
         p_max_attempts
    FROM calls c WHERE c.id = ANY (due)
  ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING;

  UPDATE webhook_events SET applied_at = clock_timestamp()
   WHERE id = ANY (p_ids) AND applied_at IS NULL AND error IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Only the worker (the owner role) applies events; the application role stores them.
REVOKE ALL ON FUNCTION sb_webhook_calls_folded(bigint[]), sb_webhook_events_apply(bigint[], text, integer)
  FROM PUBLIC;
