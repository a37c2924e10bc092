-- 0002_session_of_disabled_user.sql — a session whose user is disabled (or gone) is
-- deleted when it is next presented, like an expired one, instead of lingering.
CREATE OR REPLACE FUNCTION sb_session_lookup(p_token_hash text, p_idle_s integer)
RETURNS TABLE (user_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               email text, user_name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE s sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM sessions WHERE token_hash = p_token_hash;
  IF NOT FOUND THEN RETURN; END IF;
  IF s.expires_at <= now() OR s.last_seen_at <= now() - make_interval(secs => p_idle_s) THEN
    DELETE FROM sessions WHERE token_hash = p_token_hash;
    RETURN;
  END IF;
  -- Touch at most every 15 s: idle expiry needs no finer grain, and reads stay reads.
  IF s.last_seen_at < now() - interval '15 seconds' THEN
    UPDATE sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
  END IF;
  RETURN QUERY
    SELECT u.id, o.id, o.slug, o.name, o.timezone, u.email, u.name, u.role
      FROM users u JOIN orgs o ON o.id = u.org_id
     WHERE u.id = s.user_id AND NOT u.disabled;
  IF FOUND THEN
    PERFORM set_config('app.org_id', s.org_id::text, true),
            set_config('app.user_id', s.user_id::text, true);
  ELSE
    DELETE FROM sessions WHERE token_hash = p_token_hash;
  END IF;
END $$;
