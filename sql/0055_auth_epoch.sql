-- 0055_auth_epoch.sql — one number, auth_epoch.n, that moves whenever a fact a worker
-- may remember about a session or an API key changes (src/auth/session_cache.c).
--
-- Before, a worker that remembered a session sent sb_session_resume (0028) with the
-- request's first statement: a SECURITY DEFINER PL/pgSQL function reading the session,
-- its user and org again to compare every remembered field. That was about a quarter of
-- PostgreSQL's CPU on a /calls page (docs/ARCHITECTURE.md, "Sessions remembered by a
-- worker"). Now the lookup returns the epoch it read before anything else, and for the
-- next seconds (trust_ms) the worker's guard only compares that number with the current
-- one and sets the tenant: a plain statement. When the number moved, the guard raises
-- and the worker looks the session up again.
--
-- The epoch is transactional (a row, not a sequence): a change becomes visible to a
-- guard exactly when it commits, as the session row itself would. It moves when:
--   - a session is deleted (sign-out, password change, an admin's revocation, expiry
--     cleanup), its token, user, org or expiry is changed, or its last_seen_at moved
--     back (which only a person at psql does: the worker's window assumed the touch);
--   - a user's org, role, disabled flag, email or name changes, or a user is deleted;
--   - an org's slug, name or time zone changes, or an org is deleted;
--   - an API key's hash, org, role, name, revocation or expiry changes, its
--     last_used_at moved back, or a key is deleted;
--   - any of these tables is truncated.
-- Updates that change none of these (the 15-second touch, a login's last_login_at, a
-- key's use) leave it alone; they are row triggers with a WHEN, so they cost no call.
-- A move makes every worker look its sessions up once more: changes like these are
-- rare next to page views.

CREATE TABLE auth_epoch (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  n bigint NOT NULL DEFAULT 1
);
INSERT INTO auth_epoch DEFAULT VALUES;
-- No tenant's data: every role that may read it reads the one row; only the triggers
-- (SECURITY DEFINER, as the owner) write it.
ALTER TABLE auth_epoch ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_epoch FORCE ROW LEVEL SECURITY;
CREATE POLICY auth_epoch_read ON auth_epoch FOR SELECT USING (true);
GRANT SELECT ON auth_epoch TO switchboard_app;

CREATE FUNCTION sb_auth_epoch_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE auth_epoch SET n = n + 1;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION sb_auth_epoch_bump() FROM PUBLIC;

-- Statement-level, so deleting a thousand expired sessions moves it once, and a
-- DELETE that found nothing not at all.
CREATE FUNCTION sb_auth_epoch_bump_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM gone) THEN
    UPDATE auth_epoch SET n = n + 1;
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION sb_auth_epoch_bump_deleted() FROM PUBLIC;

CREATE TRIGGER sessions_auth_epoch AFTER UPDATE ON sessions FOR EACH ROW
  WHEN ((OLD.token_hash, OLD.user_id, OLD.org_id, OLD.expires_at)
          IS DISTINCT FROM (NEW.token_hash, NEW.user_id, NEW.org_id, NEW.expires_at)
        OR NEW.last_seen_at < OLD.last_seen_at)
  EXECUTE FUNCTION sb_auth_epoch_bump();
CREATE TRIGGER users_auth_epoch AFTER UPDATE ON users FOR EACH ROW
  WHEN ((OLD.org_id, OLD.role, OLD.disabled, OLD.email, OLD.name)
          IS DISTINCT FROM (NEW.org_id, NEW.role, NEW.disabled, NEW.email, NEW.name))
  EXECUTE FUNCTION sb_auth_epoch_bump();
CREATE TRIGGER orgs_auth_epoch AFTER UPDATE ON orgs FOR EACH ROW
  WHEN ((OLD.slug, OLD.name, OLD.timezone) IS DISTINCT FROM (NEW.slug, NEW.name, NEW.timezone))
  EXECUTE FUNCTION sb_auth_epoch_bump();
CREATE TRIGGER api_keys_auth_epoch AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN ((OLD.key_hash, OLD.org_id, OLD.role, OLD.name, OLD.revoked_at, OLD.expires_at)
          IS DISTINCT FROM (NEW.key_hash, NEW.org_id, NEW.role, NEW.name, NEW.revoked_at, NEW.expires_at)
        OR (OLD.last_used_at IS NOT NULL AND NEW.last_used_at IS NULL)
        OR NEW.last_used_at < OLD.last_used_at)
  EXECUTE FUNCTION sb_auth_epoch_bump();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sessions', 'users', 'orgs', 'api_keys'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS gone'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION sb_auth_epoch_bump_deleted()', t || '_auth_epoch_deleted', t);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION sb_auth_epoch_bump()',
                   t || '_auth_epoch_truncated', t);
  END LOOP;
END $$;

-- The guard of a remembered session or key raises this when the epoch moved.
CREATE FUNCTION sb_auth_epoch_moved() RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'sb_auth_epoch_moved: what the worker remembered may have changed'
    USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION sb_auth_epoch_moved() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_auth_epoch_moved() TO switchboard_app;

-- The lookups return the epoch, read before the session or key (each statement of a
-- PL/pgSQL function takes a new snapshot, so what follows is at least as new: a change
-- the epoch does not show yet can only make the worker look again, never trust a stale
-- fact), and how many milliseconds the worker may rely on the epoch alone: 15 s (the
-- touch's interval), less when the session's absolute or idle expiry or the key's
-- expiry comes sooner, less a margin for the trip back.
-- How long from now a worker may rely on the epoch alone, given when the facts lapse.
CREATE FUNCTION sb_auth_trust_ms(p_lapses timestamptz) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT greatest(0, least(15000::numeric, floor(extract(epoch FROM p_lapses - now()) * 1000) - 200))::integer
$$;
REVOKE ALL ON FUNCTION sb_auth_trust_ms(timestamptz) FROM PUBLIC;

DROP FUNCTION sb_session_lookup(text, integer);
CREATE FUNCTION sb_session_lookup(p_token_hash text, p_idle_s integer)
RETURNS TABLE (user_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               email text, user_name text, role text, facts_epoch bigint, trust_ms integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE s sessions%ROWTYPE; e bigint; seen timestamptz;
BEGIN
  SELECT a.n INTO e FROM auth_epoch a;
  SELECT * INTO s FROM sessions WHERE token_hash = p_token_hash;
  IF NOT FOUND THEN RETURN; END IF;
  IF s.expires_at <= now() OR s.last_seen_at <= now() - make_interval(secs => p_idle_s) THEN
    DELETE FROM sessions WHERE token_hash = p_token_hash;
    RETURN;
  END IF;
  -- Touch at most every 15 s: idle expiry needs no finer grain, and reads stay reads.
  seen := s.last_seen_at;
  IF s.last_seen_at < now() - interval '15 seconds' THEN
    UPDATE sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
    seen := now();
  END IF;
  RETURN QUERY
    SELECT u.id, o.id, o.slug, o.name, o.timezone, u.email, u.name, u.role, e,
           sb_auth_trust_ms(least(s.expires_at, seen + make_interval(secs => p_idle_s)))
      FROM users u JOIN orgs o ON o.id = u.org_id
     WHERE u.id = s.user_id AND NOT u.disabled;
  IF FOUND THEN
    PERFORM set_config('app.org_id', s.org_id::text, true),
            set_config('app.user_id', s.user_id::text, true);
  ELSE
    DELETE FROM sessions WHERE token_hash = p_token_hash;
  END IF;
END $$;
REVOKE ALL ON FUNCTION sb_session_lookup(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_session_lookup(text, integer) TO switchboard_app;

DROP FUNCTION sb_apikey_lookup(text, text, text);
CREATE FUNCTION sb_apikey_lookup(p_key_hash text, p_ip text, p_request_id text)
RETURNS TABLE (key_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               key_name text, role text, facts_epoch bigint, trust_ms integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE; e bigint;
BEGIN
  SELECT a.n INTO e FROM auth_epoch a;
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL
     AND (expires_at IS NULL OR expires_at > now());
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM sb_apikey_note_use(k, p_ip, p_request_id);
  RETURN QUERY SELECT k.id, o.id, o.slug, o.name, o.timezone, k.name, k.role, e,
                      sb_auth_trust_ms(coalesce(k.expires_at, now() + interval '1 day'))
                 FROM orgs o WHERE o.id = k.org_id;
END $$;
REVOKE ALL ON FUNCTION sb_apikey_lookup(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_apikey_lookup(text, text, text) TO switchboard_app;

-- The guards they replace.
DROP FUNCTION sb_session_resume(text, integer, uuid, uuid, text, text, text, text, text, text);
DROP FUNCTION sb_apikey_resume(text, text, text, uuid, uuid, text, text, text, text, text);
