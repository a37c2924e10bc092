-- 0056_calls_search_plan.sql — the caller-name and transcript searches choose their
-- plan by how common the term is (src/app/calls/calls_sql.c, "Searches").
--
-- Two ways to find a page of the newest calls that match:
--   - the index: 0006's functions read every matching id through the GIN index, and
--     the list sorts them. Its cost grows with the matches: 190 ms for a name on 1.2%
--     of a million calls (11,767 of them), 8 ms for a name on none.
--   - the walk: read the calls in the list's order, test each, stop at a page. Its cost
--     grows with the calls read before a page is full: 2-3 ms for that name (about
--     4,300 calls read), but every call of the org for a name on none.
-- The application's own statements cannot weigh the two: under row-level security
-- PostgreSQL uses no statistics for ILIKE and @@ (they are not leakproof) and guesses.
-- This function asks the planner as the owner, who sees the statistics: how many of
-- the tenant's calls it expects to match, and how many calls the tenant has. If a page
-- of matches is expected within half of the walk's window, the list walks; the window
-- bounds the walk when the estimate was wrong, and the list then takes the index
-- (calls_sql.c). The answer says only which plan to use, never a row or a count.
--
-- switchboard.calls_search (a setting of the role or database: walk, index) forces one
-- plan, to diagnose a slow search and to test both.
CREATE FUNCTION sb_calls_search_walks(p_name text, p_query text, p_rows integer, p_window integer)
RETURNS boolean
-- VOLATILE: PostgreSQL allows EXPLAIN only in volatile functions.
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  forced text := current_setting('switchboard.calls_search', true);
  terms text := '';
  plan json;
  matches float8;
  calls float8;
BEGIN
  IF forced IN ('walk', 'index') THEN
    RETURN forced = 'walk';
  END IF;
  IF app_org_id() IS NULL OR (p_name IS NULL AND p_query IS NULL) THEN
    RETURN false;
  END IF;
  IF p_name IS NOT NULL THEN
    terms := terms || ' AND caller_name ILIKE $2';
  END IF;
  IF p_query IS NOT NULL THEN
    terms := terms || ' AND transcript_tsv @@ websearch_to_tsquery(''english'', $3)';
  END IF;
  EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM calls WHERE org_id = $1 AND deleted_at IS NULL' || terms
    INTO plan USING app_org_id(), '%' || p_name || '%', p_query;
  matches := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM calls WHERE org_id = $1 AND deleted_at IS NULL'
    INTO plan USING app_org_id();
  calls := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  RETURN matches > 0 AND p_rows * calls / matches <= p_window / 2.0;
END $$;

REVOKE ALL ON FUNCTION sb_calls_search_walks(text, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_calls_search_walks(text, text, integer, integer) TO switchboard_app;
