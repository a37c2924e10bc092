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
-- a SECURITY DEFINER function current_user is the owner. The repair itself (0004)
-- stays as it is under another name that only the owner may call; the name the
-- application and the worker call checks the tenant first.
ALTER FUNCTION sb_call_rollups_repair(uuid, date) RENAME TO sb_call_rollups_repair_day;
REVOKE ALL ON FUNCTION sb_call_rollups_repair_day(uuid, date) FROM PUBLIC, switchboard_app;

CREATE FUNCTION sb_call_rollups_repair(p_org_id uuid, p_day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF p_org_id IS DISTINCT FROM app_org_id()
     AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'sb_call_rollups_repair: org % is not the current tenant', p_org_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM sb_call_rollups_repair_day(p_org_id, p_day);
END $$;
REVOKE ALL ON FUNCTION sb_call_rollups_repair(uuid, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_call_rollups_repair(uuid, date) TO switchboard_app;
