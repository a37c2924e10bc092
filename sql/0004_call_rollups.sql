-- 0004_call_rollups.sql — call analytics rollups, kept exact by statement-level triggers.
--
-- The analytics page reads only these tables, so it costs the same at ten thousand or
-- ten million calls. Each write statement on calls (one INSERT, a 1,000,000-row COPY,
-- a soft delete, a webhook status change) aggregates its transition tables once and
-- applies one signed upsert per rollup table, in the writer's transaction.
--
-- What counts: deleted_at IS NULL AND NOT is_demo. An UPDATE subtracts the old row's
-- contribution and adds the new one's, so soft delete, status changes and recordings
-- becoming stored all flow through the same code.
--
-- Days and hours are the org's LOCAL ones (orgs.timezone at write time). Changing an
-- org's time zone rebuilds that org's rollups (trigger on orgs below), so the rollups
-- never mix two zones.
--
-- Minimum and maximum duration cannot be decremented. They are kept per day and group,
-- and kept exact: when a removed row's duration was at the group's boundary (<= min or
-- >= max after the statement), that (org, day) has its min/max recomputed from calls
-- at once (an index range scan of one local day on calls_org_started_idx). Under
-- READ COMMITTED each trigger statement sees rows committed before it, so this is exact;
-- under a stricter isolation a concurrent insert may leave min/max one value stale
-- until sb_call_rollups_repair runs for that day (the periodic job repairs today and
-- yesterday).
--
-- Privileges: the rollup tables have RLS forced with the usual org policy and the
-- application role may only SELECT them; the trigger functions are SECURITY DEFINER
-- (owned by the owner role, which bypasses RLS) with a fixed search_path. So a writer
-- under RLS (switchboard_app) keeps the rollups right, but can never write a rollup
-- row itself, nor read another org's.

CREATE TABLE call_rollup_days (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  day date NOT NULL,
  direction text NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  duration_sum bigint NOT NULL DEFAULT 0,
  duration_min integer,
  duration_max integer,
  sentiment_positive bigint NOT NULL DEFAULT 0,
  sentiment_neutral bigint NOT NULL DEFAULT 0,
  sentiment_negative bigint NOT NULL DEFAULT 0,
  sentiment_none bigint NOT NULL DEFAULT 0,
  recordings bigint NOT NULL DEFAULT 0,
  recording_bytes bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, direction, status)
);

-- Hour of the local day; the weekday is derived from day when reading.
CREATE TABLE call_rollup_hours (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  day date NOT NULL,
  hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, hour)
);

-- The customer's number: from_number for inbound, to_number for outbound.
CREATE TABLE call_rollup_numbers (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  day date NOT NULL,
  number text NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, number)
);

-- The per-call contribution rows of a relation of calls rows (a transition table or a
-- subquery on calls), each carrying p_sign (+1 added, -1 removed).
CREATE FUNCTION sb_call_rollups_source(p_rel text, p_sign integer) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT format($q$
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date AS day,
           extract(hour FROM c.started_at AT TIME ZONE o.timezone)::smallint AS hour,
           c.direction, c.status, c.duration_s, c.sentiment_label,
           c.recording_status = 'stored' AS rec, c.recording_bytes,
           CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END AS number,
           %s::integer AS sgn
      FROM %s c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo$q$, p_sign, p_rel)
$$;

-- One statement applying the signed contributions of p_src to the three tables; it
-- returns the (org, day) pairs whose min/max may be stale (a removed duration was at
-- the boundary), as two parallel arrays.
CREATE FUNCTION sb_call_rollups_sql(p_src text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT format($q$
    WITH d AS MATERIALIZED (%s),
    days AS (
      INSERT INTO call_rollup_days AS r (org_id, day, direction, status, n, duration_sum,
             duration_min, duration_max, sentiment_positive, sentiment_neutral,
             sentiment_negative, sentiment_none, recordings, recording_bytes)
      SELECT org_id, day, direction, status, sum(sgn), sum(sgn * duration_s),
             min(duration_s) FILTER (WHERE sgn > 0), max(duration_s) FILTER (WHERE sgn > 0),
             coalesce(sum(sgn) FILTER (WHERE sentiment_label = 'positive'), 0),
             coalesce(sum(sgn) FILTER (WHERE sentiment_label = 'neutral'), 0),
             coalesce(sum(sgn) FILTER (WHERE sentiment_label = 'negative'), 0),
             coalesce(sum(sgn) FILTER (WHERE sentiment_label IS NULL), 0),
             coalesce(sum(sgn) FILTER (WHERE rec), 0),
             coalesce(sum(sgn * recording_bytes) FILTER (WHERE rec), 0)
        FROM d GROUP BY org_id, day, direction, status
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
        recording_bytes = r.recording_bytes + EXCLUDED.recording_bytes
      RETURNING r.org_id, r.day, r.direction, r.status, r.duration_min, r.duration_max),
    hours AS (
      INSERT INTO call_rollup_hours AS r (org_id, day, hour, n)
      SELECT org_id, day, hour, sum(sgn) FROM d GROUP BY org_id, day, hour
      ON CONFLICT (org_id, day, hour) DO UPDATE SET n = r.n + EXCLUDED.n),
    nums AS (
      INSERT INTO call_rollup_numbers AS r (org_id, day, number, n)
      SELECT org_id, day, number, sum(sgn) FROM d WHERE number <> '' GROUP BY org_id, day, number
      ON CONFLICT (org_id, day, number) DO UPDATE SET n = r.n + EXCLUDED.n),
    gone AS (
      SELECT org_id, day, direction, status, min(duration_s) AS mn, max(duration_s) AS mx
        FROM d WHERE sgn < 0 GROUP BY org_id, day, direction, status),
    stale AS (
      SELECT DISTINCT g.org_id, g.day FROM gone g
        JOIN days k USING (org_id, day, direction, status)
       WHERE k.duration_min IS NULL OR g.mn <= k.duration_min OR g.mx >= k.duration_max)
    SELECT array_agg(org_id), array_agg(day) FROM stale$q$, p_src)
$$;

-- Recomputes duration_min/max of one org's local day from calls.
CREATE FUNCTION sb_call_rollups_minmax(p_org_id uuid, p_day date) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  tz text;
BEGIN
  SELECT timezone INTO tz FROM orgs WHERE id = p_org_id;
  IF NOT FOUND THEN RETURN; END IF;
  UPDATE call_rollup_days r SET duration_min = m.mn, duration_max = m.mx
    FROM (SELECT k.direction, k.status, s.mn, s.mx
            FROM call_rollup_days k
            LEFT JOIN (SELECT c.direction, c.status, min(c.duration_s) AS mn, max(c.duration_s) AS mx
                         FROM calls c
                        WHERE c.org_id = p_org_id
                          AND c.started_at >= (p_day::timestamp AT TIME ZONE tz)
                          AND c.started_at < ((p_day + 1)::timestamp AT TIME ZONE tz)
                          AND c.deleted_at IS NULL AND NOT c.is_demo
                        GROUP BY c.direction, c.status) s
              ON s.direction = k.direction AND s.status = k.status
           WHERE k.org_id = p_org_id AND k.day = p_day) m
   WHERE r.org_id = p_org_id AND r.day = p_day
     AND r.direction = m.direction AND r.status = m.status
     AND (r.duration_min, r.duration_max) IS DISTINCT FROM (m.mn, m.mx);
END $$;

-- Runs one apply statement, then fixes the min/max it reports as possibly stale.
CREATE FUNCTION sb_call_rollups_run(p_sql text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  orgs_ uuid[];
  days_ date[];
BEGIN
  EXECUTE p_sql INTO orgs_, days_;
  FOR i IN 1 .. coalesce(array_length(orgs_, 1), 0) LOOP
    PERFORM sb_call_rollups_minmax(orgs_[i], days_[i]);
  END LOOP;
END $$;

-- The statement-level trigger for INSERT, UPDATE and DELETE on calls. The transition
-- tables are visible only to this function's own SPI queries, so the apply statement
-- is executed here rather than in sb_call_rollups_run. An UPDATE only counts rows whose
-- contribution may have changed (transcript or summary updates cost nothing).
CREATE FUNCTION sb_calls_rollup_trigger() RETURNS trigger
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
    src := sb_call_rollups_source('new_rows', 1);
  ELSIF TG_OP = 'DELETE' THEN
    src := sb_call_rollups_source('old_rows', -1);
  ELSE
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

CREATE TRIGGER calls_rollup_insert AFTER INSERT ON calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_calls_rollup_trigger();
CREATE TRIGGER calls_rollup_update AFTER UPDATE ON calls
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_calls_rollup_trigger();
CREATE TRIGGER calls_rollup_delete AFTER DELETE ON calls
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_calls_rollup_trigger();

-- Recomputes one org's local day from the calls table (the periodic repair job, tests).
CREATE FUNCTION sb_call_rollups_repair(p_org_id uuid, p_day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  tz text;
BEGIN
  SELECT timezone INTO tz FROM orgs WHERE id = p_org_id;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM call_rollup_days WHERE org_id = p_org_id AND day = p_day;
  DELETE FROM call_rollup_hours WHERE org_id = p_org_id AND day = p_day;
  DELETE FROM call_rollup_numbers WHERE org_id = p_org_id AND day = p_day;
  PERFORM sb_call_rollups_run(sb_call_rollups_sql(sb_call_rollups_source(format(
    '(SELECT * FROM calls WHERE org_id = %L AND started_at >= %L::timestamp AT TIME ZONE %L'
    ' AND started_at < %L::timestamp AT TIME ZONE %L)',
    p_org_id, p_day, tz, p_day + 1, tz), 1)));
END $$;

-- Recomputes all of one org's rollups (after its time zone changed).
CREATE FUNCTION sb_call_rollups_rebuild(p_org_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM call_rollup_days WHERE org_id = p_org_id;
  DELETE FROM call_rollup_hours WHERE org_id = p_org_id;
  DELETE FROM call_rollup_numbers WHERE org_id = p_org_id;
  PERFORM sb_call_rollups_run(sb_call_rollups_sql(sb_call_rollups_source(format(
    '(SELECT * FROM calls WHERE org_id = %L)', p_org_id), 1)));
END $$;

CREATE FUNCTION sb_orgs_timezone_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  PERFORM sb_call_rollups_rebuild(NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER orgs_timezone_rollups AFTER UPDATE OF timezone ON orgs
  FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
  EXECUTE FUNCTION sb_orgs_timezone_trigger();

-- Rebuild whatever calls already exist (none on a fresh install).
SELECT sb_call_rollups_rebuild(id) FROM orgs;

ALTER TABLE call_rollup_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_days FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_days_tenant ON call_rollup_days USING (org_id = app_org_id());
ALTER TABLE call_rollup_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_hours_tenant ON call_rollup_hours USING (org_id = app_org_id());
ALTER TABLE call_rollup_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_numbers_tenant ON call_rollup_numbers USING (org_id = app_org_id());

REVOKE ALL ON call_rollup_days, call_rollup_hours, call_rollup_numbers FROM PUBLIC;
GRANT SELECT ON call_rollup_days, call_rollup_hours, call_rollup_numbers TO switchboard_app;
REVOKE ALL ON FUNCTION sb_call_rollups_source(text, integer), sb_call_rollups_sql(text),
  sb_call_rollups_minmax(uuid, date), sb_call_rollups_run(text), sb_calls_rollup_trigger(),
  sb_call_rollups_repair(uuid, date), sb_call_rollups_rebuild(uuid), sb_orgs_timezone_trigger()
  FROM PUBLIC;
-- The repair only recomputes truth from calls and returns nothing, so the worker may
-- run it whichever role it connects as.
GRANT EXECUTE ON FUNCTION sb_call_rollups_repair(uuid, date) TO switchboard_app;
