-- 0006_calls_search.sql — caller-name and transcript search that can use their GIN
-- indexes. Under row-level security PostgreSQL lets only leakproof operators into an
-- index condition, and ILIKE and @@ are not leakproof, so in the application's own
-- queries the trigram and full-text indexes were never used: every search walked the
-- org's whole started_at index. These functions run as the owner (no RLS) and filter
-- by the transaction's tenant themselves; the list query then reads the matching rows
-- under RLS as usual, so the tenant is still checked twice.
CREATE FUNCTION sb_calls_matching_name(p_pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
  SELECT id FROM calls WHERE org_id = app_org_id() AND deleted_at IS NULL
     AND caller_name ILIKE '%' || p_pattern || '%'
$$;

CREATE FUNCTION sb_calls_matching_text(p_query text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
  SELECT id FROM calls WHERE org_id = app_org_id() AND deleted_at IS NULL
     AND transcript_tsv @@ websearch_to_tsquery('english', p_query)
$$;

REVOKE ALL ON FUNCTION sb_calls_matching_name(text), sb_calls_matching_text(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_calls_matching_name(text), sb_calls_matching_text(text) TO switchboard_app;
