-- 0037_webhook_apply_lighter.sql — applying a batch of webhook events does less. New
-- calls get time-ordered ids, so that a batch writes its primary-key entries into a
-- few adjacent pages instead of one random page of a 1,000,000-row index per call;
-- and the top-numbers blocks are refreshed after the batch, not inside it (below).
--
-- A random (version 4) uuid puts every new call's key on a leaf page of its own: a
-- batch of 300 new calls dirtied about 300 leaf pages of calls_pkey, each read in
-- first when it was not in shared buffers, and each written whole to the WAL the first
-- time it changed after a checkpoint (full_page_writes). Measured on the bench data
-- (1,000,000 calls), a batch of 300 events applied in a transaction rolled back, load
-- average 10-11: right after a checkpoint 9.8-13 MB of WAL and 1.0-1.2 s; later in the
-- checkpoint cycle 2.7-3.2 MB and 1.0-1.2 s; with the ids below 1.1-1.5 MB and
-- 0.57-0.72 s. The other indexes of calls lead with org_id, so one org's new calls
-- already land together in them.
--
-- The layout is UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then the
-- version and variant bits, then 74 random bits from gen_random_uuid(). An id is as
-- hard to guess as before to anyone who does not know when the call arrived; it tells
-- the millisecond of its creation, which created_at shows anyway. Existing ids stay.
CREATE FUNCTION sb_uuid_time() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT pg_catalog.encode(
           pg_catalog.set_bit(pg_catalog.set_bit(
             overlay(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
               PLACING substring(pg_catalog.int8send(
                 pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()) * 1000)::bigint)
                 FROM 3)
               FROM 1 FOR 6),
             52, 1), 53, 1),
           'hex')::uuid
$$;

ALTER TABLE calls ALTER COLUMN id SET DEFAULT sb_uuid_time();

-- The top-numbers blocks (0023) of the numbers a webhook batch touched are brought up
-- to date right after the batch, in a transaction of their own, instead of inside it.
--
-- perf on the applying session during bench/run.sh's webhooks: 79% of its time in the
-- statement trigger on call_rollup_numbers, recomputing each touched number's ~44
-- blocks, as soon as a number had called twice. In a batch of 300 events whose numbers
-- called twice (rolled back, load average 20): 2.5-3.6 s, 0.6-1.0 s with that trigger
-- off. A call's page does not read the blocks, yet waited for them: the events of the
-- next batch waited behind them.
--
-- The applying transaction sets sb.number_blocks to 'deferred': the trigger then
-- records the (org, number, day) it would have refreshed in call_number_blocks_due, in
-- the same transaction, so a crash loses nothing. `switchboard worker` refreshes them
-- from the due rows (sb_call_number_blocks_catch_up) when no full batch of events is
-- waiting. The refresh reads call_rollup_numbers as it is when it runs, so a late one
-- is as right as an early one, and one refresh serves every batch that touched the
-- number meanwhile. Every other writer (the repair, a deletion, the rebuild) refreshes
-- at once, as before.
CREATE TABLE call_number_blocks_due (
  org_id uuid NOT NULL,
  number text NOT NULL,
  day date NOT NULL,
  shrunk boolean NOT NULL DEFAULT false, -- some count went down: refresh deletes first
  PRIMARY KEY (org_id, number, day)
);
ALTER TABLE call_number_blocks_due ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_number_blocks_due FORCE ROW LEVEL SECURITY;
CREATE POLICY call_number_blocks_due_tenant ON call_number_blocks_due
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON call_number_blocks_due FROM PUBLIC;

CREATE OR REPLACE FUNCTION sb_call_number_blocks_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  orgs_ uuid[];
  numbers_ text[];
  days_ date[];
  shrunk_ boolean := false;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    SELECT array_agg(org_id), array_agg(number), array_agg(day) INTO orgs_, numbers_, days_ FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    SELECT array_agg(org_id), array_agg(number), array_agg(day), true INTO orgs_, numbers_, days_, shrunk_ FROM old_rows;
  ELSE
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    SELECT array_agg(u.org_id), array_agg(u.number), array_agg(u.day),
           EXISTS (SELECT 1 FROM old_rows o JOIN new_rows x ON (x.org_id, x.day, x.number) = (o.org_id, o.day, o.number)
                    WHERE x.n < o.n)
           OR EXISTS (SELECT 1 FROM old_rows o WHERE NOT EXISTS (
                        SELECT 1 FROM new_rows x WHERE (x.org_id, x.day, x.number) = (o.org_id, o.day, o.number)))
      INTO orgs_, numbers_, days_, shrunk_
      FROM (SELECT org_id, number, day FROM new_rows UNION SELECT org_id, number, day FROM old_rows) u;
  END IF;
  IF current_setting('sb.number_blocks', true) = 'deferred' THEN
    INSERT INTO call_number_blocks_due AS d (org_id, number, day, shrunk)
    SELECT DISTINCT u.org_id, u.number, u.day, shrunk_ FROM unnest(orgs_, numbers_, days_) u(org_id, number, day)
    ON CONFLICT (org_id, number, day) DO UPDATE SET shrunk = d.shrunk OR EXCLUDED.shrunk;
  ELSE
    PERFORM sb_call_number_blocks_refresh(orgs_, numbers_, days_, shrunk_);
  END IF;
  RETURN NULL;
END $$;

-- Refreshes the blocks of at most p_limit due (org, number, day) rows, the oldest
-- days first, and removes them; SKIP LOCKED, so concurrent workers share the rows.
-- Returns how many it took. A number touched again meanwhile gets a due row again.
CREATE FUNCTION sb_call_number_blocks_catch_up(p_limit integer) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  n integer;
  s_orgs uuid[]; s_numbers text[]; s_days date[];
  g_orgs uuid[]; g_numbers text[]; g_days date[];
BEGIN
  WITH taken AS (
    DELETE FROM call_number_blocks_due d
     WHERE (d.org_id, d.number, d.day) IN (SELECT org_id, number, day FROM call_number_blocks_due
                                            ORDER BY day, org_id, number LIMIT p_limit FOR UPDATE SKIP LOCKED)
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
REVOKE ALL ON FUNCTION sb_call_number_blocks_catch_up(integer) FROM PUBLIC;
