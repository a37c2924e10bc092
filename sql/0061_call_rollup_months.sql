-- 0061_call_rollup_months.sql — monthly rollups, so that a year of analytics reads
-- months instead of days (docs/ARCHITECTURE.md, "Call analytics rollups").
--
-- The summary and the heatmap summed call_rollup_days (about 10 rows a day: direction
-- by status) and call_rollup_hours (24 a day) over the range. The bench's data spans
-- 90 days, so its 365-day range read 90 days of rows. An org with a year of calls
-- reads four times as many: measured on the bench data with three more quarters of
-- rows (in one transaction, rolled back), the summary took 2.4-4.7 ms and the heatmap
-- 3.8-5.6 ms, against 0.75 and 0.93 ms for 90 days; with the top numbers and the daily
-- series, past the 10 ms a page may take. Months cut those rows about thirtyfold for
-- the summary and fourfold for the heatmap (a month's heatmap is its 7 weekdays by 24
-- hours); the days at the range's two ends still come from the day tables.
--
-- Both tables are kept from the day tables by statement triggers, as the top-numbers
-- blocks are kept from call_rollup_numbers (0023): every writer of the day tables (the
-- calls triggers, the repair, the time-zone rebuild, the privacy erasure) keeps the
-- months right in the same transaction. Sums move by the statement's difference. A
-- month's minimum and maximum duration take the new days' values at once; when a day's
-- value at the month's edge goes away (a day's minimum rises, a row is deleted), the
-- month's is recomputed from its days (at most 31 rows of the group).

CREATE TABLE call_rollup_months (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  month date NOT NULL, -- the first day of the org's local month
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
  PRIMARY KEY (org_id, month, direction, status)
);

-- The heatmap's cells of a month: ISO weekday (1 Monday .. 7 Sunday) by local hour.
CREATE TABLE call_rollup_month_hours (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  month date NOT NULL,
  isodow smallint NOT NULL CHECK (isodow BETWEEN 1 AND 7),
  hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, month, isodow, hour)
);

-- The first day of day's month, and its ISO weekday (integer arithmetic from a Monday,
-- as the heatmap query counts it; immutable, no time zone involved).
CREATE FUNCTION sb_month_of(p_day date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT date_trunc('month', p_day::timestamp)::date $$;
CREATE FUNCTION sb_isodow_of(p_day date) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (((p_day - date '2000-01-03') % 7 + 7) % 7 + 1)::smallint $$;

-- Recomputes the minimum and maximum of the given month groups from their days.
CREATE FUNCTION sb_call_rollup_months_minmax(p_orgs uuid[], p_months date[], p_directions text[], p_statuses text[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE call_rollup_months m SET duration_min = s.mn, duration_max = s.mx
    FROM (SELECT g.org_id, g.month, g.direction, g.status,
                 (SELECT min(d.duration_min) FROM call_rollup_days d
                   WHERE d.org_id = g.org_id AND d.day >= g.month AND d.day < (g.month + interval '1 month')::date
                     AND d.direction = g.direction AND d.status = g.status) AS mn,
                 (SELECT max(d.duration_max) FROM call_rollup_days d
                   WHERE d.org_id = g.org_id AND d.day >= g.month AND d.day < (g.month + interval '1 month')::date
                     AND d.direction = g.direction AND d.status = g.status) AS mx
            FROM unnest(p_orgs, p_months, p_directions, p_statuses) AS g(org_id, month, direction, status)) s
   WHERE m.org_id = s.org_id AND m.month = s.month AND m.direction = s.direction AND m.status = s.status
     AND (m.duration_min, m.duration_max) IS DISTINCT FROM (s.mn, s.mx);
END $$;

-- The statement trigger on call_rollup_days (INSERT, UPDATE and DELETE). Static
-- statements, so that PL/pgSQL keeps their plans: a call written updates a day row,
-- and this runs for it.
CREATE FUNCTION sb_call_rollup_days_months_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s_orgs uuid[]; s_months date[]; s_directions text[]; s_statuses text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO call_rollup_months AS r (org_id, month, direction, status, n, duration_sum, duration_min,
           duration_max, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_none, recordings,
           recording_bytes)
    SELECT org_id, sb_month_of(day), direction, status, sum(n), sum(duration_sum), min(duration_min),
           max(duration_max), sum(sentiment_positive), sum(sentiment_neutral), sum(sentiment_negative),
           sum(sentiment_none), sum(recordings), sum(recording_bytes)
      FROM new_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT (org_id, month, direction, status) DO UPDATE SET
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
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    -- The difference of the new rows and the old ones; the new minimum and maximum at
    -- once. A month whose edge value may have gone (an old row's minimum or maximum that
    -- its new row no longer holds) is recomputed below.
    WITH delta AS (
      SELECT org_id, sb_month_of(day) AS month, direction, status, sum(sgn * n) AS n,
             sum(sgn * duration_sum) AS duration_sum,
             min(duration_min) FILTER (WHERE sgn > 0) AS duration_min,
             max(duration_max) FILTER (WHERE sgn > 0) AS duration_max,
             sum(sgn * sentiment_positive) AS sentiment_positive, sum(sgn * sentiment_neutral) AS sentiment_neutral,
             sum(sgn * sentiment_negative) AS sentiment_negative, sum(sgn * sentiment_none) AS sentiment_none,
             sum(sgn * recordings) AS recordings, sum(sgn * recording_bytes) AS recording_bytes
        FROM (SELECT *, 1 AS sgn FROM new_rows UNION ALL SELECT *, -1 FROM old_rows) x
       GROUP BY 1, 2, 3, 4),
    applied AS (
      INSERT INTO call_rollup_months AS r (org_id, month, direction, status, n, duration_sum, duration_min,
             duration_max, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_none, recordings,
             recording_bytes)
      SELECT * FROM delta
      ON CONFLICT (org_id, month, direction, status) DO UPDATE SET
        n = r.n + EXCLUDED.n,
        duration_sum = r.duration_sum + EXCLUDED.duration_sum,
        duration_min = LEAST(r.duration_min, EXCLUDED.duration_min),
        duration_max = GREATEST(r.duration_max, EXCLUDED.duration_max),
        sentiment_positive = r.sentiment_positive + EXCLUDED.sentiment_positive,
        sentiment_neutral = r.sentiment_neutral + EXCLUDED.sentiment_neutral,
        sentiment_negative = r.sentiment_negative + EXCLUDED.sentiment_negative,
        sentiment_none = r.sentiment_none + EXCLUDED.sentiment_none,
        recordings = r.recordings + EXCLUDED.recordings,
        recording_bytes = r.recording_bytes + EXCLUDED.recording_bytes),
    gone AS (
      SELECT DISTINCT o.org_id, sb_month_of(o.day) AS month, o.direction, o.status
        FROM old_rows o
        LEFT JOIN new_rows w ON w.org_id = o.org_id AND w.day = o.day AND w.direction = o.direction
                            AND w.status = o.status
       WHERE (o.duration_min IS NOT NULL AND (w.duration_min IS NULL OR w.duration_min > o.duration_min))
          OR (o.duration_max IS NOT NULL AND (w.duration_max IS NULL OR w.duration_max < o.duration_max)))
    SELECT array_agg(org_id), array_agg(month), array_agg(direction), array_agg(status)
      INTO s_orgs, s_months, s_directions, s_statuses
      FROM gone;
  ELSE
    -- A deleted day (the repair, the time-zone rebuild): its sums out, and its months'
    -- minimum and maximum recomputed.
    WITH gone AS (
      SELECT org_id, sb_month_of(day) AS month, direction, status, sum(n) AS n, sum(duration_sum) AS duration_sum,
             sum(sentiment_positive) AS sentiment_positive, sum(sentiment_neutral) AS sentiment_neutral,
             sum(sentiment_negative) AS sentiment_negative, sum(sentiment_none) AS sentiment_none,
             sum(recordings) AS recordings, sum(recording_bytes) AS recording_bytes
        FROM old_rows GROUP BY 1, 2, 3, 4),
    applied AS (
      UPDATE call_rollup_months r SET
        n = r.n - g.n,
        duration_sum = r.duration_sum - g.duration_sum,
        sentiment_positive = r.sentiment_positive - g.sentiment_positive,
        sentiment_neutral = r.sentiment_neutral - g.sentiment_neutral,
        sentiment_negative = r.sentiment_negative - g.sentiment_negative,
        sentiment_none = r.sentiment_none - g.sentiment_none,
        recordings = r.recordings - g.recordings,
        recording_bytes = r.recording_bytes - g.recording_bytes
        FROM gone g
       WHERE r.org_id = g.org_id AND r.month = g.month AND r.direction = g.direction AND r.status = g.status
      RETURNING r.org_id, r.month, r.direction, r.status)
    SELECT array_agg(org_id), array_agg(month), array_agg(direction), array_agg(status)
      INTO s_orgs, s_months, s_directions, s_statuses
      FROM applied;
  END IF;
  IF s_orgs IS NOT NULL THEN
    PERFORM sb_call_rollup_months_minmax(s_orgs, s_months, s_directions, s_statuses);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER call_rollup_days_months_insert AFTER INSERT ON call_rollup_days
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_rollup_days_months_trigger();
CREATE TRIGGER call_rollup_days_months_update AFTER UPDATE ON call_rollup_days
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_call_rollup_days_months_trigger();
CREATE TRIGGER call_rollup_days_months_delete AFTER DELETE ON call_rollup_days
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_rollup_days_months_trigger();

-- The statement trigger on call_rollup_hours: counts only, so the difference is enough.
CREATE FUNCTION sb_call_rollup_hours_months_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO call_rollup_month_hours AS r (org_id, month, isodow, hour, n)
    SELECT org_id, sb_month_of(day), sb_isodow_of(day), hour, sum(n) FROM new_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT (org_id, month, isodow, hour) DO UPDATE SET n = r.n + EXCLUDED.n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO call_rollup_month_hours AS r (org_id, month, isodow, hour, n)
    SELECT org_id, sb_month_of(day), sb_isodow_of(day), hour, sum(n)
      FROM (SELECT org_id, day, hour, n FROM new_rows UNION ALL SELECT org_id, day, hour, -n FROM old_rows) x
     GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
    ON CONFLICT (org_id, month, isodow, hour) DO UPDATE SET n = r.n + EXCLUDED.n;
  ELSE
    UPDATE call_rollup_month_hours r SET n = r.n - d.n
      FROM (SELECT org_id, sb_month_of(day) AS month, sb_isodow_of(day) AS isodow, hour, sum(n) AS n
              FROM old_rows GROUP BY 1, 2, 3, 4) d
     WHERE r.org_id = d.org_id AND r.month = d.month AND r.isodow = d.isodow AND r.hour = d.hour;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER call_rollup_hours_months_insert AFTER INSERT ON call_rollup_hours
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_rollup_hours_months_trigger();
CREATE TRIGGER call_rollup_hours_months_update AFTER UPDATE ON call_rollup_hours
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_call_rollup_hours_months_trigger();
CREATE TRIGGER call_rollup_hours_months_delete AFTER DELETE ON call_rollup_hours
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_rollup_hours_months_trigger();

-- The months of the days already counted.
INSERT INTO call_rollup_months (org_id, month, direction, status, n, duration_sum, duration_min, duration_max,
       sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_none, recordings, recording_bytes)
SELECT org_id, sb_month_of(day), direction, status, sum(n), sum(duration_sum), min(duration_min), max(duration_max),
       sum(sentiment_positive), sum(sentiment_neutral), sum(sentiment_negative), sum(sentiment_none),
       sum(recordings), sum(recording_bytes)
  FROM call_rollup_days GROUP BY 1, 2, 3, 4;
INSERT INTO call_rollup_month_hours (org_id, month, isodow, hour, n)
SELECT org_id, sb_month_of(day), sb_isodow_of(day), hour, sum(n) FROM call_rollup_hours GROUP BY 1, 2, 3, 4;

ALTER TABLE call_rollup_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_months FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_months_tenant ON call_rollup_months USING (org_id = app_org_id());
ALTER TABLE call_rollup_month_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_month_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_month_hours_tenant ON call_rollup_month_hours USING (org_id = app_org_id());
REVOKE ALL ON call_rollup_months, call_rollup_month_hours FROM PUBLIC;
GRANT SELECT ON call_rollup_months, call_rollup_month_hours TO switchboard_app;
REVOKE ALL ON FUNCTION sb_call_rollup_months_minmax(uuid[], date[], text[], text[]),
  sb_call_rollup_days_months_trigger(), sb_call_rollup_hours_months_trigger() FROM PUBLIC;
