-- 0019_function_privileges.sql — SECURITY DEFINER functions are for the roles that
-- need them, and the rollup repair stays inside the caller's tenant.
--
-- A function is executable by PUBLIC unless revoked, so any role that can log in
-- could call sb_webhook_org and read every org's id and sealed provider secrets.
-- The application keeps its own grant (0005). The number-totals trigger function
-- needs no EXECUTE at all: a trigger runs it whoever fires it.
REVOKE ALL ON FUNCTION sb_webhook_org(text), sb_call_number_totals_trigger() FROM PUBLIC;

-- The application role may repair its own tenant's rollups only; a role that sees
-- every tenant anyway (the schema owner, which the worker's periodic repair uses:
-- it bypasses row-level security) may repair any. session_user is the caller: in
-- a SECURITY DEFINER function current_user is the owner.
CREATE OR REPLACE FUNCTION sb_call_rollups_repair(p_org_id uuid, p_day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  tz text;
BEGIN
  IF p_org_id IS DISTINCT FROM app_org_id()
     AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'sb_call_rollups_repair: org % is not the current tenant', p_org_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT timezone INTO tz FROM orgs WHERE id = p_org_id;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM call_rollup_days WHERE org_id = p_org_id AND day = p_day;
  DELETE FROM call_rollup_hours WHERE org_id = p_org_id AND day = p_day;
  DELETE FROM call_rollup_numbers WHERE org_id = p_org_id AND day = p_day;
  PERFORM sb_call_rollups_run(sb_call_rollups_sql(sb_call_rollups_source(format(
    '(SELECT * FROM calls WHERE org_id = %L AND started_at >= %L::timestamp AT TIME ZONE %L'
    ' AND started_at < %L::timestamp AT TIME ZONE %L)',
    p_org_id, p_day, tz, p_day + 1, tz), 1)));
END $$;
