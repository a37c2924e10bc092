-- 0015_rls_index_keys.sql — index keys that row-level security lets the planner search.
--
-- Under RLS only leakproof conditions may become index conditions (see 0014). Two
-- keys were expressions PostgreSQL does not know to be leakproof, so their conditions
-- were checked row by row after the policy instead of starting an index range.

-- Late deliverables. A deliverable is due at the end of its posting window, else at
-- its scheduled time; 0008 indexed that as coalesce(...), so the overview's "late
-- deliverables" read every unposted deliverable of the org. The same key as a CASE
-- is searchable. src/app/overview.c repeats this expression exactly (DELIVERABLE_DUE).
CREATE INDEX deliverables_org_due_key_idx ON deliverables
  (org_id, (CASE WHEN posting_window_end IS NULL THEN scheduled_at ELSE posting_window_end END), id)
  WHERE posted_at IS NULL AND deleted_at IS NULL;
DROP INDEX deliverables_org_due_idx;

-- The brands list's keyset (0012): lower() is not leakproof, so each next page read
-- the org's brands from the first one on. The lower-cased name is now a stored column,
-- and the index (same name as 0012's) is on it.
ALTER TABLE brands ADD COLUMN name_key text GENERATED ALWAYS AS (lower(name)) STORED;
DROP INDEX brands_org_name_id_idx;
CREATE INDEX brands_org_name_id_idx ON brands (org_id, name_key, id) WHERE deleted_at IS NULL;
