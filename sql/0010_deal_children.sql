-- 0010_deal_children.sql — time helpers for the deliverable and payment forms: a
-- form's local "YYYY-MM-DDTHH:MM" is read in the org's time zone, and shown back so.
-- Text with an explicit zone ("Z", "+05:30") is taken as it is (the JSON API).
CREATE FUNCTION deal_local_time(t text) RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN t IS NULL OR t = '' THEN NULL
              WHEN t ~ '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN t::timestamptz
              ELSE t::timestamp AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()) END
$$;
-- The form value of an instant: local "YYYY-MM-DDTHH:MM" in the org's zone ('' for NULL).
CREATE FUNCTION deal_local_text(ts timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(to_char(ts AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()),
                          'YYYY-MM-DD"T"HH24:MI'), '')
$$;
REVOKE ALL ON FUNCTION deal_local_time(text), deal_local_text(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION deal_local_time(text), deal_local_text(timestamptz) TO switchboard_app;
