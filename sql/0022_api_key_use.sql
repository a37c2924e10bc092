-- 0022_api_key_use.sql — using an API key is a security event: the key lookup
-- writes an audit row ("api_key.use", the key as entity, the address) at most once
-- a minute per key, when it also records the key's last use and from where.
ALTER TABLE api_keys ADD COLUMN last_used_ip text;

DROP FUNCTION sb_apikey_lookup(text);
CREATE FUNCTION sb_apikey_lookup(p_key_hash text, p_ip text, p_request_id text)
RETURNS TABLE (key_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               key_name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL;
  IF NOT FOUND THEN RETURN; END IF;
  IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds' THEN
    UPDATE api_keys SET last_used_at = now(), last_used_ip = p_ip WHERE id = k.id;
    INSERT INTO audit_log (org_id, actor, action, entity, entity_id, ip, request_id, detail)
    VALUES (k.org_id, k.name, 'api_key.use', 'api_key', k.id::text, coalesce(p_ip, ''),
            coalesce(p_request_id, ''), jsonb_build_object('role', k.role, 'prefix', k.prefix));
  END IF;
  PERFORM set_config('app.org_id', k.org_id::text, true), set_config('app.user_id', '', true);
  RETURN QUERY SELECT k.id, o.id, o.slug, o.name, o.timezone, k.name, k.role
                 FROM orgs o WHERE o.id = k.org_id;
END $$;
REVOKE ALL ON FUNCTION sb_apikey_lookup(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_apikey_lookup(text, text, text) TO switchboard_app;
