-- 0014_deals_indexes.sql — the deals list shapes 0008 left without a usable index,
-- found by t/integration/deals_plans.test.mjs (plans of the application's own
-- statements, as the application role under row-level security).
--
-- Under RLS only leakproof conditions may become index conditions. COALESCE counts as
-- possibly leaky, array containment (@>) is not leakproof: a condition using either is
-- checked row by row after the policy, never used to search an index.

-- sort=due: the next action's due time, deals without one last, then id. Written as a
-- CASE, not COALESCE, so the keyset condition "(key, id) > (cursor)" is an index
-- condition: each next page starts where the last ended instead of re-reading it.
-- src/db/deals_sql.c repeats this expression exactly (DUE_ORDER).
CREATE INDEX deals_org_due_key_idx ON deals
  (org_id, (CASE WHEN next_action_due_at IS NULL THEN 'infinity'::timestamptz ELSE next_action_due_at END), id)
  WHERE deleted_at IS NULL;

-- The board and the overview's pipeline: live, unarchived deals. Totals per stage and
-- currency read this index alone (index-only scan, in stage order); the board's cards,
-- the most recently updated of each stage, are one short range scan per stage.
CREATE INDEX deals_org_board_idx ON deals (org_id, stage, updated_at DESC, id DESC) INCLUDE (currency, value_minor)
  WHERE deleted_at IS NULL AND NOT archived;

-- The restore list (deleted=true): every other deals index is partial on live deals.
CREATE INDEX deals_org_deleted_idx ON deals (org_id, updated_at DESC, id DESC) WHERE deleted_at IS NOT NULL;

-- The tag filter through deals_tags_idx (0008), which the list's own "tags @> ..."
-- can never use under RLS (see above; the same remedy as 0009 for the text search):
-- this runs as the owner and filters by the transaction's tenant itself; the list
-- then reads the matching deals under RLS as usual. Live deals only (the index is
-- partial); the deleted list filters its few rows directly.
CREATE FUNCTION sb_deals_tagged(p_tag text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 500 AS $$
  SELECT id FROM deals WHERE org_id = app_org_id() AND deleted_at IS NULL AND tags @> ARRAY[p_tag]
$$;

REVOKE ALL ON FUNCTION sb_deals_tagged(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_deals_tagged(text) TO switchboard_app;
