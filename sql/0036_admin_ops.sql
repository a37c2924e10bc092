-- 0036_admin_ops.sql — the admin pages' reads and writes (docs/ADMIN.md): indexes for
-- the audit log's filters and the jobs' dead letters, retry and discard of a dead job
-- under the caller's tenant, and the periodic jobs' state (they belong to no org).

-- The audit log's filters, each newest first like the list (keyset on at, id); the
-- date range alone uses audit_log_org_at_idx.
CREATE INDEX audit_log_org_action_at_idx ON audit_log (org_id, action, at DESC, id DESC);
CREATE INDEX audit_log_org_entity_at_idx ON audit_log (org_id, entity, at DESC, id DESC);
CREATE INDEX audit_log_org_user_at_idx ON audit_log (org_id, user_id, at DESC, id DESC) WHERE user_id IS NOT NULL;

-- The dead letters newest first, and the queue's live jobs by kind (depth, oldest).
CREATE INDEX jobs_org_dead_idx ON jobs (org_id, updated_at DESC, id DESC) WHERE status = 'dead';
CREATE INDEX jobs_org_live_kind_idx ON jobs (org_id, kind, status, run_at) WHERE status IN ('queued', 'running', 'dead');

-- A dead job of the caller's org queued again from scratch; false when there is none
-- (another org's, or not dead). The app role has no UPDATE on jobs: this is all it may change.
CREATE FUNCTION sb_job_retry(p_id bigint) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH j AS (
    UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), lease_until = NULL, locked_by = NULL,
                    updated_at = now()
     WHERE id = p_id AND org_id = app_org_id() AND status = 'dead'
       -- a live job with the same key already does the work
       AND (unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs l WHERE l.unique_key = jobs.unique_key
                                               AND l.status IN ('queued', 'running')))
    RETURNING id)
  SELECT EXISTS (SELECT 1 FROM j)
$$;

-- A dead job of the caller's org deleted; its kind and last error are returned for
-- the audit row (no row: there was none).
CREATE FUNCTION sb_job_discard(p_id bigint) RETURNS TABLE (kind text, last_error text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DELETE FROM jobs WHERE id = p_id AND org_id = app_org_id() AND status = 'dead'
  RETURNING kind, coalesce(last_error, '')
$$;

-- The periodic jobs (org_id NULL, unique key 'periodic:<kind>'): the live run (when it
-- is due), the last finished one, and how the last one ended. Nothing tenant-specific.
CREATE FUNCTION sb_periodic_jobs(p_kinds text[])
RETURNS TABLE (kind text, next_run_at timestamptz, running boolean, last_run_at timestamptz, last_status text,
               last_error text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.kind, live.run_at, live.status = 'running', last.updated_at, last.status, last.last_error
    FROM unnest(p_kinds) AS k(kind)
    LEFT JOIN LATERAL (SELECT j.run_at, j.status FROM jobs j WHERE j.unique_key = 'periodic:' || k.kind
                         AND j.status IN ('queued', 'running') LIMIT 1) live ON true
    LEFT JOIN LATERAL (SELECT j.updated_at, j.status, j.last_error FROM jobs j
                        WHERE j.unique_key = 'periodic:' || k.kind AND j.status IN ('done', 'dead')
                        ORDER BY j.updated_at DESC LIMIT 1) last ON true
$$;

REVOKE ALL ON FUNCTION sb_job_retry(bigint), sb_job_discard(bigint), sb_periodic_jobs(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_job_retry(bigint), sb_job_discard(bigint), sb_periodic_jobs(text[])
  TO switchboard_app;

-- The health page's recordings on disk: an index-only sum over the stored ones.
CREATE INDEX calls_org_recording_stored_idx ON calls (org_id) INCLUDE (recording_bytes)
  WHERE recording_status = 'stored';
