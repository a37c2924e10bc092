-- 0035_admin_users.sql — what the admin pages for users and API keys need:
-- sessions get an id a page can name (the token hash stays private); invited users
-- (no password yet); one-time links to set a password (invite, reset), stored hashed;
-- an optional expiry on API keys; and the rule that an org keeps at least one active
-- admin, enforced here so two concurrent demotions cannot both pass.

ALTER TABLE sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX sessions_id_key ON sessions (id);

-- An invited user has no password until they follow their link; they cannot sign in.
ALTER TABLE users ADD COLUMN invited boolean NOT NULL DEFAULT false;

ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;

CREATE TABLE user_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('invite', 'reset')),
  token_hash text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, created_at DESC);
ALTER TABLE user_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY user_tokens_tenant ON user_tokens USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON user_tokens TO switchboard_app;

-- What a link's page shows before anyone is signed in: the email and the purpose of
-- a link that is unused, unexpired and whose user is not disabled; no row otherwise.
CREATE FUNCTION sb_user_token_peek(p_token_hash text)
RETURNS TABLE (email text, purpose text, org_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT u.email, t.purpose, o.name
    FROM user_tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = t.org_id
   WHERE t.token_hash = p_token_hash AND t.used_at IS NULL AND t.expires_at > now() AND NOT u.disabled
$$;
REVOKE ALL ON FUNCTION sb_user_token_peek(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_user_token_peek(text) TO switchboard_app;

-- Uses a link once: sets the password, ends the user's sessions (a reset is often
-- because someone else may know the old one), marks every other open link of theirs
-- used, and sets the tenant for the rest of the transaction so the caller can start
-- the new session. No row when the link is used, expired or unknown; the UPDATE's
-- row lock makes two concurrent uses of one link end with one winner.
CREATE FUNCTION sb_user_token_redeem(p_token_hash text, p_password_hash text)
RETURNS TABLE (user_id uuid, org_id uuid, email text, purpose text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE t user_tokens%ROWTYPE;
BEGIN
  UPDATE user_tokens ut SET used_at = now()
   WHERE ut.token_hash = p_token_hash AND ut.used_at IS NULL AND ut.expires_at > now()
     AND EXISTS (SELECT 1 FROM users u WHERE u.id = ut.user_id AND NOT u.disabled)
  RETURNING * INTO t;
  IF NOT FOUND THEN RETURN; END IF;
  UPDATE users u SET password_hash = p_password_hash, invited = false, updated_at = now() WHERE u.id = t.user_id;
  UPDATE user_tokens ut SET used_at = now() WHERE ut.user_id = t.user_id AND ut.used_at IS NULL;
  DELETE FROM sessions s WHERE s.user_id = t.user_id;
  PERFORM set_config('app.org_id', t.org_id::text, true), set_config('app.user_id', t.user_id::text, true);
  RETURN QUERY SELECT u.id, u.org_id, u.email, t.purpose FROM users u WHERE u.id = t.user_id;
END $$;
REVOKE ALL ON FUNCTION sb_user_token_redeem(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_user_token_redeem(text, text) TO switchboard_app;

-- The last active admin of an org cannot be demoted or disabled. The advisory lock
-- (one per org) makes concurrent changes to admins wait for each other, so the count
-- below, taken after it with a fresh snapshot, sees the other's commit.
CREATE FUNCTION sb_users_keep_an_admin() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF OLD.role = 'admin' AND NOT OLD.disabled AND NOT OLD.invited
     AND (NEW.role <> 'admin' OR NEW.disabled) THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('sb_org_admins:' || OLD.org_id::text, 0));
    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.org_id = OLD.org_id AND u.id <> OLD.id
                      AND u.role = 'admin' AND NOT u.disabled AND NOT u.invited) THEN
      RAISE EXCEPTION 'the last admin of an org cannot be demoted or disabled'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'users_last_admin';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_keep_an_admin BEFORE UPDATE OF role, disabled ON users
  FOR EACH ROW EXECUTE FUNCTION sb_users_keep_an_admin();

-- The same lock for the application, taken before it counts admins to answer with a
-- clear message (the trigger stays the guarantee).
CREATE FUNCTION sb_lock_org_admins() RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('sb_org_admins:' || app_org_id()::text, 0))
$$;
GRANT EXECUTE ON FUNCTION sb_lock_org_admins() TO switchboard_app;

-- API keys with an expiry stop working at it, remembered by a worker or not.
CREATE OR REPLACE FUNCTION sb_apikey_lookup(p_key_hash text, p_ip text, p_request_id text)
RETURNS TABLE (key_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               key_name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL
     AND (expires_at IS NULL OR expires_at > now());
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM sb_apikey_note_use(k, p_ip, p_request_id);
  RETURN QUERY SELECT k.id, o.id, o.slug, o.name, o.timezone, k.name, k.role
                 FROM orgs o WHERE o.id = k.org_id;
END $$;

CREATE OR REPLACE FUNCTION sb_apikey_resume(p_key_hash text, p_ip text, p_request_id text, p_key_id uuid, p_org_id uuid,
                                            p_role text, p_org_timezone text, p_org_slug text, p_org_name text,
                                            p_key_name text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL
     AND (expires_at IS NULL OR expires_at > now());
  IF NOT FOUND OR k.id <> p_key_id OR k.org_id <> p_org_id OR k.role <> p_role OR k.name <> p_key_name
     OR NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = k.org_id AND o.timezone = p_org_timezone
                       AND o.slug = p_org_slug AND o.name = p_org_name) THEN
    RAISE EXCEPTION 'sb_apikey_resume: the remembered key no longer holds'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM sb_apikey_note_use(k, p_ip, p_request_id);
  RETURN true;
END $$;
