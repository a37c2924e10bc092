-- 0057_call_names.sql — a caller-name search reads the org's distinct caller names,
-- then each matching name's newest calls (src/app/calls/calls_sql.c, "Searches").
--
-- Before, a name search either walked the list's index testing every call (0056) or
-- read every match through the trigram index on calls (0006). In pgbench on the bench
-- data (1,000,000 calls, 6,730 distinct names in the two orgs), one page as the
-- application role: "Martinez" (58 names, 11,767 calls) 2.3 ms by the walk; "Luis
-- Torres" (one name, 326 calls) 3.4 ms by the trigram index, whose common trigrams
-- ("tor", "res") have long posting lists over a million calls. Through the names
-- below, the page's statement with its transaction: 1.5 ms for "Martinez" (2.3-2.8 ms
-- walking in the same minutes) and 0.56-0.77 ms for "Luis Torres".
--
-- call_names holds, per org, each caller name of its calls that are not deleted, with
-- how many such calls have it. A search finds the names through their own small
-- trigram index, then reads a page of each name's calls from calls_org_name_idx in the
-- list's order, and keeps the first page of them all: about (names x page) index
-- entries, however many calls the names have. The count of a search by name alone
-- (demo calls in or out) is the sum of the names' counts.
--
-- The counts are kept by statement triggers on calls in the same transaction, as the
-- rollups are (0004): an upsert that adds, under the row's lock, so concurrent writers
-- of the same name queue instead of losing a count; names are upserted in key order so
-- that two writers cannot deadlock. A name whose count falls to zero is deleted: an
-- erased call's name (0042 blanks it) leaves no trace here.
CREATE TABLE call_names (
  org_id uuid NOT NULL,
  caller_name text NOT NULL,
  calls integer NOT NULL,      -- the org's calls not deleted with this name
  demo_calls integer NOT NULL, -- of which demo calls (the list leaves them out by default)
  PRIMARY KEY (org_id, caller_name)
);
ALTER TABLE call_names ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_names FORCE ROW LEVEL SECURITY;
CREATE POLICY call_names_tenant ON call_names USING (org_id = app_org_id());
CREATE INDEX call_names_trgm_idx ON call_names USING gin (caller_name gin_trgm_ops);

-- A name's calls in the list's order (newest first, read backwards for oldest first);
-- is_demo included, so that the page, which leaves demo calls out by default, reads
-- the index only (a heap fetch per entry made "Martinez" 4 ms instead of 1.5).
CREATE INDEX calls_org_name_idx ON calls (org_id, caller_name, started_at DESC, id DESC) INCLUDE (is_demo)
  WHERE deleted_at IS NULL;
-- The trigram index on calls served only sb_calls_matching_name, which now reads the
-- names; dropping it saves each inserted call a dozen GIN entries.
DROP INDEX IF EXISTS calls_caller_name_trgm_idx;

-- Adds each change, [org, name, calls, demo calls]; deletes the names left with no
-- call.
CREATE FUNCTION sb_call_names_add(p_changes jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
  INSERT INTO call_names AS n (org_id, caller_name, calls, demo_calls)
  SELECT (c ->> 0)::uuid, c ->> 1, (c ->> 2)::integer, (c ->> 3)::integer FROM jsonb_array_elements(p_changes) c
  ORDER BY 1, 2
  ON CONFLICT (org_id, caller_name)
  DO UPDATE SET calls = n.calls + EXCLUDED.calls, demo_calls = n.demo_calls + EXCLUDED.demo_calls;
  DELETE FROM call_names n USING jsonb_array_elements(p_changes) c
   WHERE (c ->> 2)::integer < 0 AND n.org_id = (c ->> 0)::uuid AND n.caller_name = c ->> 1 AND n.calls <= 0;
$$;

-- SECURITY DEFINER, as the rollups' triggers are: the application role writes calls
-- but has no right on call_names.
CREATE FUNCTION sb_call_names_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  changes jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(jsonb_build_array(org_id, caller_name, n, nd)) INTO changes
      FROM (SELECT org_id, caller_name, count(*) AS n, count(*) FILTER (WHERE is_demo) AS nd FROM new_rows
             WHERE deleted_at IS NULL AND caller_name <> '' GROUP BY 1, 2) d;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(jsonb_build_array(org_id, caller_name, -n, -nd)) INTO changes
      FROM (SELECT org_id, caller_name, count(*) AS n, count(*) FILTER (WHERE is_demo) AS nd FROM old_rows
             WHERE deleted_at IS NULL AND caller_name <> '' GROUP BY 1, 2) d;
  ELSE
    -- Every update of calls comes here (a trigger with transition tables cannot name
    -- columns); most change no name and add nothing.
    SELECT jsonb_agg(jsonb_build_array(org_id, caller_name, n, nd)) INTO changes
      FROM (SELECT org_id, caller_name, sum(k) AS n, coalesce(sum(k) FILTER (WHERE is_demo), 0) AS nd
              FROM (SELECT org_id, caller_name, is_demo, 1 AS k FROM new_rows
                     WHERE deleted_at IS NULL AND caller_name <> ''
                    UNION ALL
                    SELECT org_id, caller_name, is_demo, -1 FROM old_rows
                     WHERE deleted_at IS NULL AND caller_name <> '') x
             GROUP BY 1, 2 HAVING sum(k) <> 0 OR coalesce(sum(k) FILTER (WHERE is_demo), 0) <> 0) d;
  END IF;
  IF changes IS NOT NULL THEN
    PERFORM sb_call_names_add(changes);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER calls_names_insert AFTER INSERT ON calls
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_names_trigger();
CREATE TRIGGER calls_names_update AFTER UPDATE ON calls
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_names_trigger();
CREATE TRIGGER calls_names_delete AFTER DELETE ON calls
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_call_names_trigger();

INSERT INTO call_names (org_id, caller_name, calls, demo_calls)
SELECT org_id, caller_name, count(*), count(*) FILTER (WHERE is_demo) FROM calls
 WHERE deleted_at IS NULL AND caller_name <> '' GROUP BY 1, 2;
ANALYZE call_names;

-- The tenant's names matching the pattern (as the calls list matches caller_name:
-- ILIKE '%' || pattern || '%'), with their counts. SECURITY DEFINER for the trigram
-- index, which ILIKE cannot use under row-level security (not leakproof); it filters
-- by the transaction's tenant itself. PL/pgSQL keeps its plan for the session, where
-- a SQL function that cannot be inlined (SECURITY DEFINER never is) is planned on
-- every call: 0.15 ms of the 0.3 it cost for "Martinez" (pgbench).
CREATE FUNCTION sb_calls_matching_names(p_pattern text)
RETURNS TABLE (caller_name text, calls integer, demo_calls integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 20 AS $$
BEGIN
  RETURN QUERY SELECT n.caller_name, n.calls, n.demo_calls FROM call_names n
   WHERE n.org_id = app_org_id() AND n.caller_name ILIKE '%' || p_pattern || '%';
END $$;

-- 0006's function, through the names: the same ids.
CREATE OR REPLACE FUNCTION sb_calls_matching_name(p_pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
  SELECT c.id FROM call_names n
    JOIN calls c ON c.org_id = n.org_id AND c.caller_name = n.caller_name AND c.deleted_at IS NULL
   WHERE n.org_id = app_org_id() AND n.caller_name ILIKE '%' || p_pattern || '%'
$$;

REVOKE ALL ON FUNCTION sb_calls_matching_names(text), sb_call_names_add(jsonb), sb_call_names_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_calls_matching_names(text) TO switchboard_app;

-- The plan of a search (0056's choice, with a third way): 'names' when the search is
-- by name alone in started_at order (p_names_max > 0) and at most p_names_max of the
-- tenant's names match; else 'walk' or 'index' as sb_calls_search_walks decides.
-- switchboard.calls_search = names forces the names where they apply.
CREATE FUNCTION sb_calls_search_plan(p_name text, p_query text, p_rows integer, p_window integer,
                                     p_names_max integer)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  forced text := current_setting('switchboard.calls_search', true);
BEGIN
  IF p_names_max > 0 AND p_name IS NOT NULL AND p_query IS NULL AND app_org_id() IS NOT NULL THEN
    IF forced = 'names' OR (forced IS DISTINCT FROM 'walk' AND forced IS DISTINCT FROM 'index' AND
        (SELECT count(*) FROM (SELECT 1 FROM call_names n
                                WHERE n.org_id = app_org_id() AND n.caller_name ILIKE '%' || p_name || '%'
                                LIMIT p_names_max + 1) s) <= p_names_max) THEN
      RETURN 'names';
    END IF;
  END IF;
  RETURN CASE WHEN sb_calls_search_walks(p_name, p_query, p_rows, p_window) THEN 'walk' ELSE 'index' END;
END $$;

REVOKE ALL ON FUNCTION sb_calls_search_plan(text, text, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_calls_search_plan(text, text, integer, integer, integer) TO switchboard_app;
