-- 0025_calls_export_index.sql — the calls export reads the newest/oldest index only.
-- calls_org_started_idx (0003) gains every column the CSV export writes or filters on
-- (and the list's), so an export in the list's default order is an index-only scan in
-- index order: no sort, and none of the wide heap (transcripts are stored inline, and
-- at about 1.3 kB a row they stay below the size at which PostgreSQL would move them
-- out, whatever toast_tuple_target says). Same name and key, so every plan that used it
-- still does. Cost: about three times the index's size (73 MB → 224 MB at 1,000,000
-- demo calls), and updates of these columns can no longer be HOT.
-- Rebuilding it took 6-8 s on the bench's 1,000,000 calls, and up to about 20 s while
-- the 2 shared cores were busy; writes to calls wait meanwhile.
DROP INDEX calls_org_started_idx;
CREATE INDEX calls_org_started_idx ON calls (org_id, started_at DESC, id DESC)
  INCLUDE (direction, provider, provider_call_id, from_number, to_number, caller_name, status, ended_at,
           duration_s, sentiment_score, sentiment_label, recording_status, contact_id, campaign_id,
           created_at, is_demo)
  WHERE deleted_at IS NULL;
