-- 0044_call_analysis.sql — real calls get their analysis (Vapi's end-of-call report:
-- analysis.summary, .structuredData, .successEvaluation), and missed webhooks are
-- recovered by asking Vapi for the calls since the last one seen (docs/CALLS.md,
-- "Analysis" and "Missed-webhook recovery").

-- Which structuredData keys hold the sentiment (a label or a score in -1..1) and the
-- action items (an array of strings); Vapi's address (tests and the demo point it at a
-- local fake); where recovery resumes: the newest createdAt it has seen.
ALTER TABLE orgs
  ADD COLUMN call_sentiment_key text NOT NULL DEFAULT 'sentiment'
    CHECK (call_sentiment_key ~ '^[A-Za-z0-9_.-]{1,64}$'),
  ADD COLUMN call_action_items_key text NOT NULL DEFAULT 'actionItems'
    CHECK (call_action_items_key ~ '^[A-Za-z0-9_.-]{1,64}$'),
  ADD COLUMN vapi_base_url text NOT NULL DEFAULT 'https://api.vapi.ai'
    CHECK (vapi_base_url ~ '^https?://[^\s/?#]+$'),
  ADD COLUMN vapi_recovered_until timestamptz;

-- The provider's analysis as it came ({summary, structuredData, successEvaluation});
-- NULL: the provider sent none ("not analysed"). Adding a nullable column rewrites
-- nothing.
ALTER TABLE calls
  ADD COLUMN analysis jsonb CHECK (analysis IS NULL OR jsonb_typeof(analysis) = 'object');

-- Every Vapi webhook reads its org first (sb_webhook_org, 0024): it now also reads
-- the org's analysis keys, so the parser maps the analysis in the request (no second
-- statement) and the worker only copies values, as it does the summary.
DROP FUNCTION sb_webhook_org(text);
CREATE FUNCTION sb_webhook_org(p_slug text)
RETURNS TABLE (org_id uuid, vapi_secret text, twilio_auth_token text, call_sentiment_key text,
               call_action_items_key text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  SELECT o.id,
         (SELECT translate(encode(s.ciphertext, 'base64'), E'\n', '') FROM org_secrets s
           WHERE s.org_id = o.id AND s.key = 'vapi_secret'),
         (SELECT translate(encode(s.ciphertext, 'base64'), E'\n', '') FROM org_secrets s
           WHERE s.org_id = o.id AND s.key = 'twilio_auth_token'),
         o.call_sentiment_key, o.call_action_items_key
    FROM orgs o WHERE o.slug = p_slug;
END $$;
REVOKE ALL ON FUNCTION sb_webhook_org(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_webhook_org(text) TO switchboard_app;

-- The fold and the apply of 0024/0037, with the analysis as the parser mapped it: the
-- latest event's that has one gives the call its analysis, sentiment and action
-- items together. Mapping here instead (a join on orgs for the keys and the mapping
-- per row) made a batch of 300 events without an analysis 6-15% slower, measured;
-- copying values costs what the summary does.
DROP FUNCTION sb_webhook_events_apply(bigint[], text, integer);
DROP FUNCTION sb_webhook_calls_folded(bigint[]);

CREATE FUNCTION sb_webhook_calls_folded(p_ids bigint[])
RETURNS TABLE (org_id uuid, provider text, provider_call_id text, first_received_at timestamptz,
               direction text, status text, from_number text, to_number text, caller_name text,
               started_at timestamptz, ended_at timestamptz, duration_s integer, ended_reason text,
               summary text, transcript jsonb, recording_url text, analysis jsonb,
               sentiment_label text, sentiment_score real, action_items jsonb)
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
         (array_agg(w.call->>'recording_url' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'recording_url'))[1],
         (array_agg(w.call->'analysis' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'analysis'))[1],
         (array_agg(w.call->>'sentiment_label' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'analysis'))[1],
         (array_agg((w.call->>'sentiment_score')::real ORDER BY w.id DESC) FILTER (WHERE w.call ? 'analysis'))[1],
         (array_agg(w.call->'action_items' ORDER BY w.id DESC) FILTER (WHERE w.call ? 'analysis'))[1]
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
                       recording_url, recording_status, analysis, sentiment_label, sentiment_score, action_items)
    SELECT f.org_id, f.provider, f.provider_call_id, f.direction, f.status, coalesce(f.from_number, ''),
           coalesce(f.to_number, ''), coalesce(f.caller_name, ''), coalesce(f.started_at, f.first_received_at), f.ended_at,
           coalesce(f.duration_s, 0), coalesce(f.ended_reason, ''), coalesce(f.summary, ''),
           coalesce(f.transcript, '[]'::jsonb), f.recording_url,
           CASE WHEN f.recording_url IS NULL THEN 'none' ELSE 'pending' END,
           f.analysis, f.sentiment_label, f.sentiment_score, coalesce(f.action_items, '[]'::jsonb)
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
      analysis = coalesce(f.analysis, c.analysis),
      sentiment_label = CASE WHEN f.analysis IS NULL THEN c.sentiment_label ELSE f.sentiment_label END,
      sentiment_score = CASE WHEN f.analysis IS NULL THEN c.sentiment_score ELSE f.sentiment_score END,
      action_items = CASE WHEN f.analysis IS NULL THEN c.action_items ELSE coalesce(f.action_items, '[]'::jsonb) END,
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
