-- 0009_deals_search.sql — the deals list's text search (title or brand name) through
-- the trigram indexes of 0008. Under row-level security ILIKE is not leakproof, so
-- the application's own query could never use deals_title_trgm_idx or
-- brands_name_trgm_idx (same problem and remedy as 0006 for calls): this function
-- runs as the owner and filters by the transaction's tenant itself; the list query
-- then reads the matching deals under RLS as usual. Live deals only (the indexes are
-- partial); the list searches deleted ones, a short admin list, without it.
CREATE FUNCTION sb_deals_matching(p_pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
  SELECT id FROM deals WHERE org_id = app_org_id() AND deleted_at IS NULL AND title ILIKE '%' || p_pattern || '%'
  UNION
  SELECT d.id FROM brands b JOIN deals d ON d.org_id = b.org_id AND d.brand_id = b.id
   WHERE b.org_id = app_org_id() AND b.deleted_at IS NULL AND d.deleted_at IS NULL AND b.name ILIKE '%' || p_pattern || '%'
$$;

REVOKE ALL ON FUNCTION sb_deals_matching(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_deals_matching(text) TO switchboard_app;
