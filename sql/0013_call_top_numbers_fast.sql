-- 0013_call_top_numbers_fast.sql — the top numbers of the usual ranges (the last 7, 30,
-- 90 and 365 days) read as ten index entries.
--
-- Why not a tighter bound for the threshold walk of 0011 (per-number week or month
-- rollups)? Measured on the demo data (a million calls, flat counts per number), the
-- walk's cost is the number of candidates whose bound reaches the k-th count, and only
-- a single sorted list whose bound is nearly the range itself keeps that small: for the
-- last 30 days (k-th count 7) the all-time total leaves 6,121 candidates, the two
-- overlapping months 553, the overlapping weeks 20 — but a sum of several lists cannot
-- be walked in order (a walk over k lists stops only when the sum of their frontiers
-- drops below the k-th count, which on flat data means visiting nearly every number).
--
-- So each org keeps its trailing windows exactly: call_rollup_number_windows holds, for
-- every window length (7, 30, 90, 365 days) and number, the calls in the `days` local
-- days ending at the org's anchor day. The anchor is the latest day (not after the
-- org's local today) any call rollup was written for, so in a live org it is today.
-- The statement triggers on call_rollup_numbers (so the calls triggers, repair and
-- rebuild all keep it right) apply each statement's signed changes to the windows that
-- contain its days, then move the anchor forward when a newer day was written,
-- subtracting the days that leave each window and adding the days that enter, both read
-- from call_rollup_numbers (which already holds this statement's rows). The anchor row
-- is locked first, so writers of one org apply and move in turn and a window is always
-- the sum of call_rollup_numbers over its days.
--
-- A range equal to a window is answered from its index; any other range that fits in a
-- window walks that window's counts as the bound (tighter than the all-time total);
-- the rest behaves as in 0011.
CREATE TABLE call_rollup_window_anchors (
  org_id uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  day date
);

CREATE TABLE call_rollup_number_windows (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  days integer NOT NULL CHECK (days IN (7, 30, 90, 365)),
  number text NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, days, number)
);
-- Only numbers with at least two calls can be top, and they are a small part.
CREATE INDEX call_rollup_number_windows_top_idx ON call_rollup_number_windows (org_id, days, n DESC, number)
  WHERE n >= 2;

-- Moves p_org_id's windows to end at p_day (never backwards). The caller holds the
-- anchor row's lock.
CREATE FUNCTION sb_call_windows_advance(p_org_id uuid, p_day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  old date;
BEGIN
  SELECT a.day INTO old FROM call_rollup_window_anchors a WHERE a.org_id = p_org_id;
  IF old IS NOT NULL AND old >= p_day THEN RETURN; END IF;
  -- Days (old - w, new - w] leave window w, days (old, new] enter (without an anchor,
  -- the window is empty and all its days enter).
  INSERT INTO call_rollup_number_windows AS t (org_id, days, number, n)
    SELECT p_org_id, w.days, r.number, sum(CASE WHEN r.day > greatest(old, p_day - w.days) THEN r.n ELSE -r.n END)
      FROM unnest('{7,30,90,365}'::integer[]) AS w(days)
      JOIN call_rollup_numbers r ON r.org_id = p_org_id
       AND ((r.day > greatest(old, p_day - w.days) AND r.day <= p_day)
            OR (old IS NOT NULL AND r.day > old - w.days AND r.day <= least(old, p_day - w.days)))
     GROUP BY w.days, r.number
  ON CONFLICT (org_id, days, number) DO UPDATE SET n = t.n + EXCLUDED.n;
  IF old IS NOT NULL THEN
    DELETE FROM call_rollup_number_windows t WHERE t.org_id = p_org_id AND t.n = 0
       AND t.number IN (SELECT r.number FROM unnest('{7,30,90,365}'::integer[]) AS w(days)
                          JOIN call_rollup_numbers r ON r.org_id = p_org_id
                           AND r.day > old - w.days AND r.day <= least(old, p_day - w.days));
  END IF;
  UPDATE call_rollup_window_anchors SET day = p_day WHERE org_id = p_org_id;
END $$;

CREATE FUNCTION sb_call_windows_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  src text;
  o record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT org_id, day, number, n FROM new_rows';
  ELSIF TG_OP = 'UPDATE' THEN
    src := 'SELECT org_id, day, number, n FROM new_rows UNION ALL SELECT org_id, day, number, -n AS n FROM old_rows';
  ELSE
    src := 'SELECT org_id, day, number, -n AS n FROM old_rows';
  END IF;
  -- Lock each org's anchor (in org order, so two writers cannot deadlock); an org being
  -- deleted (its rollups go by cascade) gets none.
  FOR o IN EXECUTE format('SELECT DISTINCT d.org_id FROM (%s) d JOIN orgs g ON g.id = d.org_id ORDER BY 1', src) LOOP
    INSERT INTO call_rollup_window_anchors (org_id) VALUES (o.org_id) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM call_rollup_window_anchors WHERE org_id = o.org_id FOR UPDATE;
  END LOOP;
  EXECUTE format($q$
    INSERT INTO call_rollup_number_windows AS t (org_id, days, number, n)
      SELECT d.org_id, w.days, d.number, sum(d.n)
        FROM (%s) d JOIN call_rollup_window_anchors a ON a.org_id = d.org_id
        CROSS JOIN unnest('{7,30,90,365}'::integer[]) AS w(days)
       WHERE d.day <= a.day AND d.day > a.day - w.days
       GROUP BY d.org_id, w.days, d.number HAVING sum(d.n) <> 0
    ON CONFLICT (org_id, days, number) DO UPDATE SET n = t.n + EXCLUDED.n$q$, src);
  EXECUTE format($q$
    DELETE FROM call_rollup_number_windows t USING (SELECT DISTINCT org_id, number FROM (%s) x) d
     WHERE t.org_id = d.org_id AND t.number = d.number AND t.n = 0$q$, src);
  -- A newer day (up to the org's local today: a call stamped in the future waits until
  -- its day comes) moves the anchor.
  FOR o IN EXECUTE format($q$
    SELECT d.org_id, max(d.day) AS day FROM (%s) d JOIN orgs g ON g.id = d.org_id
     WHERE d.day <= (now() AT TIME ZONE g.timezone)::date GROUP BY d.org_id ORDER BY d.org_id$q$, src) LOOP
    PERFORM sb_call_windows_advance(o.org_id, o.day);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER call_rollup_numbers_windows_insert AFTER INSERT ON call_rollup_numbers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_windows_trigger();
CREATE TRIGGER call_rollup_numbers_windows_update AFTER UPDATE ON call_rollup_numbers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_call_windows_trigger();
CREATE TRIGGER call_rollup_numbers_windows_delete AFTER DELETE ON call_rollup_numbers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_windows_trigger();

-- Backfill: every org with rollups gets its windows ending at its latest day so far.
INSERT INTO call_rollup_window_anchors (org_id)
  SELECT DISTINCT org_id FROM call_rollup_numbers;
SELECT sb_call_windows_advance(a.org_id, least(m.day, (now() AT TIME ZONE g.timezone)::date))
  FROM call_rollup_window_anchors a JOIN orgs g ON g.id = a.org_id
  CROSS JOIN LATERAL (SELECT max(r.day) AS day FROM call_rollup_numbers r WHERE r.org_id = a.org_id) m;

-- The p_k numbers with the most calls (at least two) in [p_from, p_to], most first,
-- ties by number. A range that is one of the windows is read from it; otherwise the
-- threshold walk of 0011 runs over the smallest window holding the range (else the
-- all-time totals), whose counts bound the range's.
CREATE OR REPLACE FUNCTION sb_call_top_numbers(p_org_id uuid, p_from date, p_to date, p_k integer)
RETURNS TABLE (number text, n bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  anchor date;
  win integer;
  calls_in_range bigint;
  kth bigint := 2;
  nums text[] := '{}';
  ns bigint[] := '{}';
  cur refcursor;
  cand record;
  cnt bigint;
  visited integer := 0;
BEGIN
  SELECT a.day INTO anchor FROM call_rollup_window_anchors a WHERE a.org_id = p_org_id;
  IF anchor IS NOT NULL AND p_to <= anchor THEN
    SELECT min(w) INTO win FROM unnest('{7,30,90,365}'::integer[]) w WHERE p_from > anchor - w;
  END IF;
  IF win IS NOT NULL AND p_to = anchor AND p_to - p_from + 1 = win THEN
    RETURN QUERY SELECT t.number, t.n FROM call_rollup_number_windows t
                  WHERE t.org_id = p_org_id AND t.days = win AND t.n >= 2
                  ORDER BY t.n DESC, t.number LIMIT p_k;
    RETURN;
  END IF;
  SELECT coalesce(sum(d.n), 0) INTO calls_in_range
    FROM call_rollup_days d WHERE d.org_id = p_org_id AND d.day BETWEEN p_from AND p_to;
  IF calls_in_range > 20000 THEN
    IF win IS NOT NULL THEN
      OPEN cur FOR SELECT t.number, t.n FROM call_rollup_number_windows t
                    WHERE t.org_id = p_org_id AND t.days = win AND t.n >= 2 ORDER BY t.n DESC, t.number;
    ELSE
      OPEN cur FOR SELECT t.number, t.n FROM call_rollup_number_totals t
                    WHERE t.org_id = p_org_id AND t.n >= 2 ORDER BY t.n DESC, t.number;
    END IF;
    LOOP
      FETCH cur INTO cand;
      IF NOT FOUND OR cand.n < kth THEN
        CLOSE cur;
        RETURN QUERY SELECT u.number, u.n FROM unnest(nums, ns) AS u(number, n) ORDER BY u.n DESC, u.number LIMIT p_k;
        RETURN;
      END IF;
      visited := visited + 1;
      EXIT WHEN visited > 10000;
      SELECT coalesce(sum(r.n), 0) INTO cnt FROM call_rollup_numbers r
       WHERE r.org_id = p_org_id AND r.number = cand.number AND r.day BETWEEN p_from AND p_to;
      IF cnt >= kth THEN
        nums := nums || cand.number;
        ns := ns || cnt;
        IF cardinality(ns) >= p_k THEN
          SELECT x INTO kth FROM unnest(ns) x ORDER BY x DESC OFFSET p_k - 1 LIMIT 1;
        END IF;
      END IF;
    END LOOP;
    CLOSE cur;
  END IF;
  RETURN QUERY
    SELECT r.number, sum(r.n)::bigint FROM call_rollup_numbers r
     WHERE r.org_id = p_org_id AND r.day BETWEEN p_from AND p_to
     GROUP BY r.number HAVING sum(r.n) >= 2 ORDER BY 2 DESC, 1 LIMIT p_k;
END $$;

ALTER TABLE call_rollup_window_anchors ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_window_anchors FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_window_anchors_tenant ON call_rollup_window_anchors USING (org_id = app_org_id());
ALTER TABLE call_rollup_number_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_number_windows FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_number_windows_tenant ON call_rollup_number_windows USING (org_id = app_org_id());
REVOKE ALL ON call_rollup_window_anchors, call_rollup_number_windows FROM PUBLIC;
GRANT SELECT ON call_rollup_window_anchors, call_rollup_number_windows TO switchboard_app;
REVOKE ALL ON FUNCTION sb_call_windows_advance(uuid, date), sb_call_windows_trigger() FROM PUBLIC;
