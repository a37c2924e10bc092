-- 0016_rollup_trigger_fast.sql — the calls rollup trigger (0004) returns at once when
-- its statement changed nothing the rollups count, and applies inserted calls with
-- static statements.
--
-- A webhook's INSERT ... ON CONFLICT DO UPDATE fires both the INSERT and the UPDATE
-- statement triggers, one of them with an empty transition table; a transcript or
-- summary update fires the UPDATE trigger with no counted change. Each still built,
-- planned and ran the whole apply statement (dynamic SQL is planned on every EXECUTE):
-- a few milliseconds per webhook for nothing. The checks below are static SQL, whose
-- plans PL/pgSQL keeps.
CREATE OR REPLACE FUNCTION sb_calls_rollup_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  src text;
  orgs_ uuid[];
  days_ date[];
  changed constant text := $c$
    JOIN %s x ON x.id = c.id
   WHERE (c.org_id, c.started_at, c.direction, c.status, c.duration_s, c.sentiment_label,
          c.recording_status, c.recording_bytes, c.from_number, c.to_number,
          c.deleted_at IS NULL, c.is_demo)
         IS DISTINCT FROM
         (x.org_id, x.started_at, x.direction, x.status, x.duration_s, x.sentiment_label,
          x.recording_status, x.recording_bytes, x.from_number, x.to_number,
          x.deleted_at IS NULL, x.is_demo)$c$;
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- The common case (a webhook's new call) as static statements, planned once per
    -- session instead of on every EXECUTE. Only additions: min/max cannot go stale.
    -- The same contributions as sb_call_rollups_source / sb_call_rollups_sql.
    INSERT INTO call_rollup_days AS r (org_id, day, direction, status, n, duration_sum,
           duration_min, duration_max, sentiment_positive, sentiment_neutral,
           sentiment_negative, sentiment_none, recordings, recording_bytes)
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date, c.direction, c.status, count(*),
           sum(c.duration_s), min(c.duration_s), max(c.duration_s),
           count(*) FILTER (WHERE c.sentiment_label = 'positive'),
           count(*) FILTER (WHERE c.sentiment_label = 'neutral'),
           count(*) FILTER (WHERE c.sentiment_label = 'negative'),
           count(*) FILTER (WHERE c.sentiment_label IS NULL),
           count(*) FILTER (WHERE c.recording_status = 'stored'),
           coalesce(sum(c.recording_bytes) FILTER (WHERE c.recording_status = 'stored'), 0)
      FROM new_rows c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo
     GROUP BY 1, 2, 3, 4
    ON CONFLICT (org_id, day, direction, status) DO UPDATE SET
      n = r.n + EXCLUDED.n,
      duration_sum = r.duration_sum + EXCLUDED.duration_sum,
      duration_min = LEAST(r.duration_min, EXCLUDED.duration_min),
      duration_max = GREATEST(r.duration_max, EXCLUDED.duration_max),
      sentiment_positive = r.sentiment_positive + EXCLUDED.sentiment_positive,
      sentiment_neutral = r.sentiment_neutral + EXCLUDED.sentiment_neutral,
      sentiment_negative = r.sentiment_negative + EXCLUDED.sentiment_negative,
      sentiment_none = r.sentiment_none + EXCLUDED.sentiment_none,
      recordings = r.recordings + EXCLUDED.recordings,
      recording_bytes = r.recording_bytes + EXCLUDED.recording_bytes;
    INSERT INTO call_rollup_hours AS r (org_id, day, hour, n)
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date,
           extract(hour FROM c.started_at AT TIME ZONE o.timezone)::smallint, count(*)
      FROM new_rows c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, day, hour) DO UPDATE SET n = r.n + EXCLUDED.n;
    INSERT INTO call_rollup_numbers AS r (org_id, day, number, n)
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date,
           CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END, count(*)
      FROM new_rows c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo
       AND CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END <> ''
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, day, number) DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    src := sb_call_rollups_source('old_rows', -1);
  ELSE
    -- The same comparison as "changed", written out: static SQL cannot take it as text.
    IF NOT EXISTS (
      SELECT 1 FROM old_rows c JOIN new_rows x ON x.id = c.id
       WHERE (c.org_id, c.started_at, c.direction, c.status, c.duration_s, c.sentiment_label,
              c.recording_status, c.recording_bytes, c.from_number, c.to_number,
              c.deleted_at IS NULL, c.is_demo)
             IS DISTINCT FROM
             (x.org_id, x.started_at, x.direction, x.status, x.duration_s, x.sentiment_label,
              x.recording_status, x.recording_bytes, x.from_number, x.to_number,
              x.deleted_at IS NULL, x.is_demo)) THEN
      RETURN NULL;
    END IF;
    src := sb_call_rollups_source('(SELECT c.* FROM old_rows c' || format(changed, 'new_rows') || ')', -1)
           || ' UNION ALL ' ||
           sb_call_rollups_source('(SELECT c.* FROM new_rows c' || format(changed, 'old_rows') || ')', 1);
  END IF;
  EXECUTE sb_call_rollups_sql(src) INTO orgs_, days_;
  FOR i IN 1 .. coalesce(array_length(orgs_, 1), 0) LOOP
    PERFORM sb_call_rollups_minmax(orgs_[i], days_[i]);
  END LOOP;
  RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION sb_calls_rollup_trigger() FROM PUBLIC;
