-- 0023_call_number_blocks.sql — the top numbers of any range from one short, ordered
-- list, so every range costs about the same at any size of data.
--
-- 0011 bounded a number's count in the range by its all-time total. That bound is
-- tight only when the range holds (nearly) all of the org's history: on the demo data
-- (90 days) the 90-day range stopped after ten numbers, while over 30 days thousands
-- of numbers had a total above the 10th count, the walk gave up, and the range's
-- (day, number) rows were summed: 60-150 ms at a million calls, growing with them.
--
-- Blocks. A level has a span L (the longest range it serves) and a stride W (about
-- L / 2; 2 for the 7-day level, see sb_call_block_levels); its block k holds the days
-- [kW, kW + L + W - 1) counted from 2000-01-01. A range of at most L days starting in
-- [kW, kW + W) lies inside block k, and the block is at most 1.5 L days long, so a
-- number's count in the block bounds its count in the range about as tightly as the
-- range's own length allows. The levels' spans grow by about 1.4 (1, 2, 3, 5, 7, 10,
-- 15, 21, 30, 45, 64, 90, 128, 183, 256, 366): the presets (a day, 7, 30, 90 and 365
-- days) each have a level of their own, any other range a block at most about twice
-- its length. A day lies in 1-4 blocks of each level, about 44 in all.
--
-- call_rollup_number_blocks holds, per (org, number, level, block), the number's calls
-- in the block (n), only where n >= 2 (top numbers need two calls in the range), with
-- the days and their counts, so the exact count in any sub-range is read from the row
-- itself. Most numbers call once: they have no row at all.
--
-- Reading (sb_call_top_numbers): the smallest block containing the range; its rows in
-- n order give the exact counts of the first 100, whose 10th count K is a lower bound
-- of the answer's 10th; every number that can be in the answer has n >= K in the
-- block, so the rows with n >= K (an index range) are counted exactly and ranked.
--
-- Writing: a statement trigger on call_rollup_numbers (so every writer of it — the
-- calls triggers, the repair, the rebuild — keeps the blocks right) recomputes, for
-- each number it touched, every block overlapping the touched days from the number's
-- own day rows (one index range scan per number). Blocks that fell below two calls
-- are deleted only when some count went down (a delete, a soft delete, a repair): new
-- calls only add. 0011's all-time totals are no longer read, and their trigger is
-- dropped with them.
CREATE TABLE call_rollup_number_blocks (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  number text NOT NULL,
  level smallint NOT NULL,
  block integer NOT NULL,
  n bigint NOT NULL CHECK (n >= 2),
  days date[] NOT NULL,   -- the number's call days in the block, ascending
  counts bigint[] NOT NULL, -- its calls on each of those days
  PRIMARY KEY (org_id, number, level, block)
);
CREATE INDEX call_rollup_number_blocks_top_idx ON call_rollup_number_blocks (org_id, level, block, n DESC, number);

-- The levels: span (longest range served), stride, and length of a block, in days.
-- The 7-day preset has a stride of 2 (8-day blocks, not 10): over a week the 10th
-- count is low (3 on the demo data) and the tail of numbers near it is long, so two
-- more days in the block made 2.4 times as many rows to count.
-- No SET clause: it would keep the planner from inlining the function (16 known rows
-- instead of a guessed 1,000); it names no table, so its search path does not matter.
CREATE FUNCTION sb_call_block_levels() RETURNS TABLE (level smallint, span integer, stride integer, length integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT v.level::smallint, v.span, v.stride, v.span + v.stride - 1
    FROM (VALUES (1, 1, 1), (2, 2, 1), (3, 3, 2), (4, 5, 3), (5, 7, 2), (6, 10, 5), (7, 15, 8), (8, 21, 11),
                 (9, 30, 15), (10, 45, 23), (11, 64, 32), (12, 90, 45), (13, 128, 64), (14, 183, 92),
                 (15, 256, 128), (16, 366, 183)) v(level, span, stride)
$$;

-- floor(a / b) for b > 0, also for negative a (days before 2000).
CREATE FUNCTION sb_floor_div(a integer, b integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT (a - ((a % b) + b) % b) / b $$;

-- Recomputes the blocks of each touched number that overlap the days it was touched
-- on (the parallel arrays: org, number, day), from call_rollup_numbers as it is now.
-- With p_shrunk (some count went down) those blocks are first deleted, since one may
-- have fallen below two calls. A block overlapping the touched days lies within
-- 547 days of them (the longest block is 548 days), so reading the number's rows that
-- far around them counts each such block whole. Generic plans: a custom plan for each
-- call's arrays cost more to plan (about 2 ms) than a webhook's call costs to apply.
CREATE FUNCTION sb_call_number_blocks_refresh(p_orgs uuid[], p_numbers text[], p_days date[], p_shrunk boolean)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  IF p_shrunk THEN
    DELETE FROM call_rollup_number_blocks b
     USING (SELECT u.org_id, u.number, min(u.day) - date '2000-01-01' AS lo, max(u.day) - date '2000-01-01' AS hi
              FROM unnest(p_orgs, p_numbers, p_days) u(org_id, number, day) GROUP BY 1, 2) t,
           sb_call_block_levels() l
     WHERE b.org_id = t.org_id AND b.number = t.number AND b.level = l.level
       AND b.block BETWEEN sb_floor_div(t.lo - l.length + l.stride, l.stride) AND sb_floor_div(t.hi, l.stride);
  END IF;
  INSERT INTO call_rollup_number_blocks AS b (org_id, number, level, block, n, days, counts)
  SELECT e.org_id, e.number, e.level, e.block, sum(e.n), array_agg(e.day ORDER BY e.day), array_agg(e.n ORDER BY e.day)
    FROM (SELECT r.org_id, r.number, r.day, r.n, l.level, k.block
            FROM (SELECT u.org_id, u.number, min(u.day) - date '2000-01-01' AS lo, max(u.day) - date '2000-01-01' AS hi
                    FROM unnest(p_orgs, p_numbers, p_days) u(org_id, number, day) GROUP BY 1, 2) t
            JOIN call_rollup_numbers r ON r.org_id = t.org_id AND r.number = t.number
             AND r.day BETWEEN date '2000-01-01' + (t.lo - 547) AND date '2000-01-01' + (t.hi + 547)
            CROSS JOIN sb_call_block_levels() l
            CROSS JOIN LATERAL generate_series(
              greatest(sb_floor_div((r.day - date '2000-01-01') - l.length + l.stride, l.stride),
                       sb_floor_div(t.lo - l.length + l.stride, l.stride)),
              least(sb_floor_div(r.day - date '2000-01-01', l.stride), sb_floor_div(t.hi, l.stride))) k(block)
           WHERE r.n <> 0) e
   GROUP BY 1, 2, 3, 4 HAVING sum(e.n) >= 2
  ON CONFLICT (org_id, number, level, block) DO UPDATE SET n = EXCLUDED.n, days = EXCLUDED.days, counts = EXCLUDED.counts
   WHERE (b.n, b.days, b.counts) IS DISTINCT FROM (EXCLUDED.n, EXCLUDED.days, EXCLUDED.counts);
END $$;

-- The statement triggers on call_rollup_numbers. An upsert fires both the INSERT and
-- the UPDATE trigger, one of them with nothing in it: that one returns after a check.
CREATE FUNCTION sb_call_number_blocks_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    PERFORM sb_call_number_blocks_refresh(array_agg(org_id), array_agg(number), array_agg(day), false) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    PERFORM sb_call_number_blocks_refresh(array_agg(org_id), array_agg(number), array_agg(day), true) FROM old_rows;
  ELSE
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    PERFORM sb_call_number_blocks_refresh(array_agg(u.org_id), array_agg(u.number), array_agg(u.day),
              EXISTS (SELECT 1 FROM old_rows o JOIN new_rows x ON (x.org_id, x.day, x.number) = (o.org_id, o.day, o.number)
                       WHERE x.n < o.n)
              OR EXISTS (SELECT 1 FROM old_rows o WHERE NOT EXISTS (
                           SELECT 1 FROM new_rows x WHERE (x.org_id, x.day, x.number) = (o.org_id, o.day, o.number))))
      FROM (SELECT org_id, number, day FROM new_rows UNION SELECT org_id, number, day FROM old_rows) u;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER call_rollup_numbers_blocks_insert AFTER INSERT ON call_rollup_numbers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_number_blocks_trigger();
CREATE TRIGGER call_rollup_numbers_blocks_update AFTER UPDATE ON call_rollup_numbers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_call_number_blocks_trigger();
CREATE TRIGGER call_rollup_numbers_blocks_delete AFTER DELETE ON call_rollup_numbers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_number_blocks_trigger();

-- The blocks of whatever calls already exist, in one pass over the day rows.
INSERT INTO call_rollup_number_blocks (org_id, number, level, block, n, days, counts)
SELECT r.org_id, r.number, l.level, k.block, sum(r.n), array_agg(r.day ORDER BY r.day), array_agg(r.n ORDER BY r.day)
  FROM call_rollup_numbers r CROSS JOIN sb_call_block_levels() l
 CROSS JOIN LATERAL generate_series(sb_floor_div((r.day - date '2000-01-01') - l.length + l.stride, l.stride),
                                    sb_floor_div(r.day - date '2000-01-01', l.stride)) k(block)
 WHERE r.n <> 0
 GROUP BY 1, 2, 3, 4 HAVING sum(r.n) >= 2;

-- The totals are no longer read; their upkeep was a cost on every call written.
DROP TRIGGER call_rollup_numbers_totals_insert ON call_rollup_numbers;
DROP TRIGGER call_rollup_numbers_totals_update ON call_rollup_numbers;
DROP TRIGGER call_rollup_numbers_totals_delete ON call_rollup_numbers;
DROP FUNCTION sb_call_number_totals_trigger();
DROP TABLE call_rollup_number_totals;

-- The p_k numbers with the most calls (at least two) in [p_from, p_to], most first,
-- ties by number: exact, from the smallest block holding the range (see above). A
-- range longer than the longest level (the application allows none) is summed.
CREATE OR REPLACE FUNCTION sb_call_top_numbers(p_org_id uuid, p_from date, p_to date, p_k integer)
RETURNS TABLE (number text, n bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  lvl smallint;
  blk integer;
  kth bigint;
BEGIN
  SELECT l.level, sb_floor_div(p_from - date '2000-01-01', l.stride) INTO lvl, blk
    FROM sb_call_block_levels() l
   WHERE sb_floor_div(p_from - date '2000-01-01', l.stride) * l.stride + l.length - 1 >= p_to - date '2000-01-01'
   ORDER BY l.length LIMIT 1;
  IF NOT FOUND THEN
    RETURN QUERY
      SELECT r.number, sum(r.n)::bigint FROM call_rollup_numbers r
       WHERE r.org_id = p_org_id AND r.day BETWEEN p_from AND p_to
       GROUP BY r.number HAVING sum(r.n) >= 2 ORDER BY 2 DESC, 1 LIMIT p_k;
    RETURN;
  END IF;
  -- A row whose days all lie in the range counts n, without unnesting its days.
  SELECT greatest(2, coalesce(min(h.c), 2)) INTO kth
    FROM (SELECT c FROM (SELECT CASE WHEN b.days[1] >= p_from AND b.days[cardinality(b.days)] <= p_to THEN b.n
                                     ELSE (SELECT coalesce(sum(u.c), 0) FROM unnest(b.days, b.counts) u(d, c)
                                            WHERE u.d BETWEEN p_from AND p_to) END AS c
                           FROM call_rollup_number_blocks b
                          WHERE b.org_id = p_org_id AND b.level = lvl AND b.block = blk
                          ORDER BY b.n DESC LIMIT 10 * p_k) x
           ORDER BY c DESC LIMIT p_k) h
   HAVING count(*) = p_k;
  kth := coalesce(kth, 2);
  RETURN QUERY
    SELECT x.number, x.c FROM (
      SELECT b.number, CASE WHEN b.days[1] >= p_from AND b.days[cardinality(b.days)] <= p_to THEN b.n
                            ELSE (SELECT coalesce(sum(u.c), 0) FROM unnest(b.days, b.counts) u(d, c)
                                   WHERE u.d BETWEEN p_from AND p_to)::bigint END AS c
        FROM call_rollup_number_blocks b
       WHERE b.org_id = p_org_id AND b.level = lvl AND b.block = blk AND b.n >= kth) x
     WHERE x.c >= kth ORDER BY x.c DESC, x.number LIMIT p_k;
END $$;

ALTER TABLE call_rollup_number_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_rollup_number_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY call_rollup_number_blocks_tenant ON call_rollup_number_blocks USING (org_id = app_org_id());
REVOKE ALL ON call_rollup_number_blocks FROM PUBLIC;
GRANT SELECT ON call_rollup_number_blocks TO switchboard_app;
REVOKE ALL ON FUNCTION sb_call_number_blocks_refresh(uuid[], text[], date[], boolean), sb_call_number_blocks_trigger()
  FROM PUBLIC;
REVOKE ALL ON FUNCTION sb_call_block_levels(), sb_floor_div(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_call_block_levels(), sb_floor_div(integer, integer) TO switchboard_app;
