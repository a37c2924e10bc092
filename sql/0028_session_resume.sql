-- 0028_session_resume.sql — a worker that remembers a session (or an API key) (src/auth/session_cache.c)
-- sends this guard with the request's first statement instead of waiting for a
-- lookup. It does what sb_session_lookup does (expiry, idle expiry, a disabled
-- user, the 15-second touch, the tenant settings) and raises unless every field the
-- worker remembered still holds, so a session signed out, disabled, given another
-- role or renamed elsewhere is refused at once; the worker then looks it up again.
CREATE FUNCTION sb_session_resume(p_token_hash text, p_idle_s integer, p_user_id uuid, p_org_id uuid,
                                  p_role text, p_org_timezone text, p_org_slug text, p_org_name text,
                                  p_email text, p_user_name text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE s sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM sessions WHERE token_hash = p_token_hash;
  IF NOT FOUND OR s.expires_at <= now() OR s.last_seen_at <= now() - make_interval(secs => p_idle_s)
     OR s.user_id <> p_user_id OR s.org_id <> p_org_id
     OR NOT EXISTS (SELECT 1 FROM users u JOIN orgs o ON o.id = u.org_id
                     WHERE u.id = s.user_id AND NOT u.disabled AND u.role = p_role
                       AND o.timezone = p_org_timezone AND o.slug = p_org_slug AND o.name = p_org_name
                       AND coalesce(u.email, '') = p_email AND coalesce(u.name, '') = p_user_name) THEN
    RAISE EXCEPTION 'sb_session_resume: the remembered session no longer holds'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF s.last_seen_at < now() - interval '15 seconds' THEN
    UPDATE sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
  END IF;
  PERFORM set_config('app.org_id', s.org_id::text, true),
          set_config('app.user_id', s.user_id::text, true);
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION sb_session_resume(text, integer, uuid, uuid, text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_session_resume(text, integer, uuid, uuid, text, text, text, text, text, text)
  TO switchboard_app;

-- A key's use, once for the lookup and the resume: its last use and an audit row at
-- most once a minute, and the tenant settings. Called only from those two SECURITY
-- DEFINER functions (it runs as their owner), so nobody else may call it.
CREATE FUNCTION sb_apikey_note_use(k api_keys, p_ip text, p_request_id text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds' THEN
    UPDATE api_keys SET last_used_at = now(), last_used_ip = p_ip WHERE id = k.id;
    INSERT INTO audit_log (org_id, actor, action, entity, entity_id, ip, request_id, detail)
    VALUES (k.org_id, k.name, 'api_key.use', 'api_key', k.id::text, coalesce(p_ip, ''),
            coalesce(p_request_id, ''), jsonb_build_object('role', k.role, 'prefix', k.prefix));
  END IF;
  PERFORM set_config('app.org_id', k.org_id::text, true), set_config('app.user_id', '', true);
END $$;
REVOKE ALL ON FUNCTION sb_apikey_note_use(api_keys, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION sb_apikey_lookup(p_key_hash text, p_ip text, p_request_id text)
RETURNS TABLE (key_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               key_name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL;
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM sb_apikey_note_use(k, p_ip, p_request_id);
  RETURN QUERY SELECT k.id, o.id, o.slug, o.name, o.timezone, k.name, k.role
                 FROM orgs o WHERE o.id = k.org_id;
END $$;

-- The same for an API key: raises unless the key is still unrevoked and every field
-- the worker remembered holds; records and audits its use as sb_apikey_lookup does
-- (sb_apikey_note_use).
CREATE FUNCTION sb_apikey_resume(p_key_hash text, p_ip text, p_request_id text, p_key_id uuid, p_org_id uuid,
                                 p_role text, p_org_timezone text, p_org_slug text, p_org_name text,
                                 p_key_name text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL;
  IF NOT FOUND OR k.id <> p_key_id OR k.org_id <> p_org_id OR k.role <> p_role OR k.name <> p_key_name
     OR NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = k.org_id AND o.timezone = p_org_timezone
                       AND o.slug = p_org_slug AND o.name = p_org_name) THEN
    RAISE EXCEPTION 'sb_apikey_resume: the remembered key no longer holds'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM sb_apikey_note_use(k, p_ip, p_request_id);
  RETURN true;
END $$;
REVOKE ALL ON FUNCTION sb_apikey_resume(text, text, text, uuid, uuid, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_apikey_resume(text, text, text, uuid, uuid, text, text, text, text, text)
  TO switchboard_app;
