-- 0059_blocks_catch_up_order.sql — the worker takes due top-numbers rows in their
-- primary key's order (docs/ARCHITECTURE.md, "Webhook ingestion").
--
-- Since the worker refreshes 16 due rows at a time between webhook batches
-- (src/jobs/worker.c, with 0058), a burst leaves thousands due, and each chunk found
-- its 16 rows by sorting all of them, oldest day first: 1.0-1.3 ms with 5,900 due rows
-- on the bench data, growing with the backlog, against a chunk's 16-24 ms of refresh.
-- In the primary key's order (org, number, day) the chunk reads 16 index entries
-- (0.07-0.14 ms), and a number's due days come together, so one refresh covers them.
-- Which rows go first does not change the result: a refresh reads
-- call_rollup_numbers as it is when it runs.

-- 0037's function, in the key's order.
CREATE OR REPLACE FUNCTION sb_call_number_blocks_catch_up(p_limit integer) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  n integer;
  s_orgs uuid[]; s_numbers text[]; s_days date[];
  g_orgs uuid[]; g_numbers text[]; g_days date[];
BEGIN
  WITH taken AS (
    DELETE FROM call_number_blocks_due d
     WHERE (d.org_id, d.number, d.day) IN (SELECT org_id, number, day FROM call_number_blocks_due
                                            ORDER BY org_id, number, day LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING d.org_id, d.number, d.day, d.shrunk)
  SELECT count(*),
         array_agg(org_id) FILTER (WHERE shrunk), array_agg(number) FILTER (WHERE shrunk),
         array_agg(day) FILTER (WHERE shrunk),
         array_agg(org_id) FILTER (WHERE NOT shrunk), array_agg(number) FILTER (WHERE NOT shrunk),
         array_agg(day) FILTER (WHERE NOT shrunk)
    INTO n, s_orgs, s_numbers, s_days, g_orgs, g_numbers, g_days FROM taken;
  IF s_orgs IS NOT NULL THEN PERFORM sb_call_number_blocks_refresh(s_orgs, s_numbers, s_days, true); END IF;
  IF g_orgs IS NOT NULL THEN PERFORM sb_call_number_blocks_refresh(g_orgs, g_numbers, g_days, false); END IF;
  RETURN n;
END $$;
