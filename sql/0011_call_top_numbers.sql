-- 0011_call_top_numbers.sql — the top numbers of any date range without summing every
-- (day, number) rollup row of the range, which at a million calls took a second.
--
-- Per-number totals over all days (kept exact by statement triggers on
-- call_rollup_numbers, so every writer of that table — the calls triggers, repair,
-- rebuild — keeps them right) give a bound: a number's count in any range is at most
-- its total. sb_call_top_numbers walks numbers by descending total, counts each in
-- the range by index, and stops once the next total cannot reach the k-th count found.
-- Only numbers with at least two calls in the range are "top": a number that called
-- once is not a pattern, and without that floor the walk could never stop early.
CREATE TABLE call_rollup_number_totals (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  number text NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, number)
);
CREATE INDEX call_rollup_number_totals_top_idx ON call_rollup_number_totals (org_id, n DESC, number);
CREATE INDEX call_rollup_numbers_number_idx ON call_rollup_numbers (org_id, number, day) INCLUDE (n);

INSERT INTO call_rollup_number_totals (org_id, number, n)
  SELECT org_id, number, sum(n) FROM call_rollup_numbers GROUP BY org_id, number;

CREATE FUNCTION sb_call_number_totals_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO call_rollup_number_totals AS t (org_id, number, n)
      SELECT org_id, number, sum(n) FROM new_rows GROUP BY org_id, number
    ON CONFLICT (org_id, number) DO UPDATE SET n = t.n + EXCLUDED.n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO call_rollup_number_totals AS t (org_id, number, n)
      SELECT org_id, number, sum(n)
        FROM (SELECT org_id, number, n FROM new_rows
              UNION ALL SELECT org_id, number, -n FROM old_rows) d
       GROUP BY org_id, number
    ON CONFLICT (org_id, number) DO UPDATE SET n = t.n + EXCLUDED.n;
  ELSE
    UPDATE call_rollup_number_totals t SET n = t.n - d.n
      FROM (SELECT org_id, number, sum(n) AS n FROM old_rows GROUP BY org_id, number) d
     WHERE t.org_id = d.org_id AND t.number = d.number;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER call_rollup_numbers_totals_insert AFTER INSERT ON call_rollup_numbers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_number_totals_trigger();
CREATE TRIGGER call_rollup_numbers_totals_update AFTER UPDATE ON call_rollup_numbers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_call_number_totals_trigger();
CREATE TRIGGER call_rollup_numbers_totals_delete AFTER DELETE ON call_rollup_numbers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_number_totals_trigger();

-- The p_k numbers with the most calls (at least two) in [p_from, p_to], most first,
-- ties by number. Short ranges are summed directly; long ones use the threshold walk,
-- which gives up for the direct sum when the counts are so flat that it would have to
-- visit more than 10,000 numbers (each visit is an index probe, dearer than a row of
-- the direct sum).
CREATE FUNCTION sb_call_top_numbers(p_org_id uuid, p_from date, p_to date, p_k integer)
RETURNS TABLE (number text, n bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  calls_in_range bigint;
  kth bigint := 2;
  nums text[] := '{}';
  ns bigint[] := '{}';
  cand record;
  cnt bigint;
  visited integer := 0;
BEGIN
  SELECT coalesce(sum(d.n), 0) INTO calls_in_range
    FROM call_rollup_days d WHERE d.org_id = p_org_id AND d.day BETWEEN p_from AND p_to;
  IF calls_in_range > 20000 THEN
    FOR cand IN SELECT t.number, t.n FROM call_rollup_number_totals t
                 WHERE t.org_id = p_org_id AND t.n >= 2 ORDER BY t.n DESC, t.number LOOP
      IF cand.n < kth THEN
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
    IF visited <= 10000 THEN -- every candidate was seen
      RETURN QUERY SELECT u.number, u.n FROM unnest(nums, ns) AS u(number, n) ORDER BY u.n DESC, u.number LIMIT p_k;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    SELECT r.number, sum(r.n)::bigint FROM call_rollup_numbers r
     WHERE r.org_id = p_org_id AND r.day BETWEEN p_from AND p_to
     GROUP BY r.number HAVING sum(r.n) >= 2 ORDER BY 2 DESC, 1 LIMIT p_k;
END $$;

ALTER TABLE call_rollup_number_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_number_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_number_totals_tenant ON call_rollup_number_totals USING (org_id = app_org_id());
REVOKE ALL ON call_rollup_number_totals FROM PUBLIC;
GRANT SELECT ON call_rollup_number_totals TO switchboard_app;
REVOKE ALL ON FUNCTION sb_call_top_numbers(uuid, date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_call_top_numbers(uuid, date, date, integer) TO switchboard_app;
