-- 0058_webhook_apply_fixed_costs.sql — what applying a batch of webhook events costs
-- whatever its size (docs/ARCHITECTURE.md, "Webhook ingestion").
--
-- The worker now applies small batches between small chunks of the top-numbers
-- blocks (src/jobs/worker.c), so a batch's fixed cost counts. On the bench data, a
-- batch of one event took 3-4 ms; under auto_explain, of 5.1-5.6 ms:
-- - sb_call_names_add (0057) 0.75-0.83 ms for one name: a SQL function that cannot be
--   inlined is planned on every call, and it holds two statements. PL/pgSQL keeps
--   their plans for the session.
-- - the UPDATE of known calls 0.86-0.98 ms when there were none: it folds the batch a
--   second time (sb_webhook_calls_folded, planned on every call) to find nothing. It
--   now runs only when the INSERT created fewer calls than the batch names; counting
--   them reads the batch's events through their primary key.

CREATE OR REPLACE FUNCTION sb_call_names_add(p_changes jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  INSERT INTO call_names AS n (org_id, caller_name, calls, demo_calls)
  SELECT (c ->> 0)::uuid, c ->> 1, (c ->> 2)::integer, (c ->> 3)::integer FROM jsonb_array_elements(p_changes) c
  ORDER BY 1, 2
  ON CONFLICT (org_id, caller_name)
  DO UPDATE SET calls = n.calls + EXCLUDED.calls, demo_calls = n.demo_calls + EXCLUDED.demo_calls;
  DELETE FROM call_names n USING jsonb_array_elements(p_changes) c
   WHERE (c ->> 2)::integer < 0 AND n.org_id = (c ->> 0)::uuid AND n.caller_name = c ->> 1 AND n.calls <= 0;
END $$;

CREATE OR REPLACE FUNCTION sb_webhook_events_apply(p_ids bigint[], p_download_kind text, p_max_attempts integer)
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  inserted uuid[];
  due uuid[];
  n integer;
  calls_ integer;
BEGIN
  SELECT count(DISTINCT (w.org_id, w.provider, w.call->>'provider_call_id')) INTO calls_
    FROM webhook_events w
   WHERE w.id = ANY (p_ids) AND w.call IS NOT NULL AND w.applied_at IS NULL AND w.error IS NULL;

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

  -- Known calls only; a batch of new calls (the usual end-of-call report) skips it.
  IF cardinality(inserted) < calls_ THEN
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
  END IF;

  IF cardinality(due) > 0 THEN
    INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)
    SELECT c.org_id, p_download_kind, jsonb_build_object('call_id', c.id), p_download_kind || ':' || c.id,
           p_max_attempts
      FROM calls c WHERE c.id = ANY (due)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING;
  END IF;

  UPDATE webhook_events SET applied_at = clock_timestamp()
   WHERE id = ANY (p_ids) AND applied_at IS NULL AND error IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
