-- 0001_init.sql — tenants, users, sessions, login throttling, API keys, audit log.
-- Every tenant table has RLS enabled AND forced; policies read app.org_id, which the
-- application sets per transaction (SET LOCAL via set_config). The application
-- connects as switchboard_app, which owns nothing; the few lookups that must happen
-- before the tenant is known (session, API key, login) are SECURITY DEFINER functions.

-- The current tenant, or NULL when none is set (policies then match nothing).
CREATE FUNCTION app_org_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.org_id', true), '')::uuid
$$;

CREATE TABLE orgs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  timezone text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
  currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  quiet_hours text NOT NULL DEFAULT '21:00-08:00' CHECK (quiet_hours ~ '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$'),
  recording_retention_days integer NOT NULL DEFAULT 365 CHECK (recording_retention_days BETWEEN 1 AND 3650),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Provider secrets, AES-256-GCM encrypted by the application (key from configuration).
CREATE TABLE org_secrets (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z_]{1,64}$'),
  ciphertext bytea NOT NULL,
  hint text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, key)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'viewer')),
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
-- Sign-in is by email alone, so an email is unique across orgs.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_org_idx ON users (org_id, lower(email));

CREATE TABLE sessions (
  token_hash text PRIMARY KEY CHECK (length(token_hash) = 64),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip text NOT NULL DEFAULT '',
  user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Not tenant data (written before anyone is known); only reachable through functions.
CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  ip text NOT NULL,
  ok boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at) WHERE NOT ok;
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at) WHERE NOT ok;

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE CHECK (length(key_hash) = 64),
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'viewer')),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at DESC);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  org_id uuid REFERENCES orgs(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  user_id uuid,
  actor text NOT NULL DEFAULT '',
  action text NOT NULL,
  entity text NOT NULL DEFAULT '',
  entity_id text NOT NULL DEFAULT '',
  ip text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_org_at_idx ON audit_log (org_id, at DESC, id DESC);

-- Row-level security: enabled and forced on every tenant table.
ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orgs FORCE ROW LEVEL SECURITY;
CREATE POLICY orgs_tenant ON orgs USING (id = app_org_id());

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['org_secrets', 'users', 'sessions', 'api_keys', 'audit_log'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id())',
                   t || '_tenant', t);
  END LOOP;
END $$;
ALTER TABLE login_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_attempts FORCE ROW LEVEL SECURITY;

-- Pre-tenant lookups. Each sets app.org_id/app.user_id for the rest of the
-- transaction when it finds someone, so one round trip authenticates a request.

-- The session for a token hash, if neither idle nor past its absolute expiry.
CREATE FUNCTION sb_session_lookup(p_token_hash text, p_idle_s integer)
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
  END IF;
END $$;

-- The identity behind an API key hash (not revoked).
CREATE FUNCTION sb_apikey_lookup(p_key_hash text)
RETURNS TABLE (key_id uuid, org_id uuid, org_slug text, org_name text, org_timezone text,
               key_name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys WHERE key_hash = p_key_hash AND revoked_at IS NULL;
  IF NOT FOUND THEN RETURN; END IF;
  IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds' THEN
    UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
  END IF;
  PERFORM set_config('app.org_id', k.org_id::text, true), set_config('app.user_id', '', true);
  RETURN QUERY SELECT k.id, o.id, o.slug, o.name, o.timezone, k.name, k.role
                 FROM orgs o WHERE o.id = k.org_id;
END $$;

-- The user for a sign-in attempt (the password is checked by the application).
CREATE FUNCTION sb_login_user(p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, password_hash text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT id, org_id, password_hash, disabled FROM users WHERE lower(email) = lower(p_email)
$$;

-- Seconds until another attempt is allowed (0 = allowed now).
CREATE FUNCTION sb_login_throttle(p_email text, p_ip text, p_max_email integer,
                                  p_max_ip integer, p_window_s integer)
RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  since timestamptz := now() - make_interval(secs => p_window_s);
  wait_email integer := 0;
  wait_ip integer := 0;
BEGIN
  -- When over the limit, the wait lasts until the oldest failure that keeps
  -- the count at the limit leaves the window.
  SELECT ceil(extract(epoch FROM (a.at + make_interval(secs => p_window_s) - now())))::integer
    INTO wait_email
    FROM (SELECT at FROM login_attempts
           WHERE email = lower(p_email) AND NOT ok AND at > since
           ORDER BY at DESC OFFSET p_max_email - 1 LIMIT 1) a;
  SELECT ceil(extract(epoch FROM (a.at + make_interval(secs => p_window_s) - now())))::integer
    INTO wait_ip
    FROM (SELECT at FROM login_attempts
           WHERE ip = p_ip AND NOT ok AND at > since
           ORDER BY at DESC OFFSET p_max_ip - 1 LIMIT 1) a;
  RETURN greatest(coalesce(wait_email, 0), coalesce(wait_ip, 0), 0);
END $$;

CREATE FUNCTION sb_login_record(p_email text, p_ip text, p_ok boolean)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO login_attempts (email, ip, ok) VALUES (lower(p_email), p_ip, p_ok);
  -- A successful sign-in clears that email's failures.
  DELETE FROM login_attempts WHERE p_ok AND email = lower(p_email) AND NOT ok;
$$;

-- Security events may happen before a tenant is known (unknown email) or in a
-- request whose transaction is rolled back; this writes them regardless.
CREATE FUNCTION sb_audit_security(p_org_id uuid, p_user_id uuid, p_actor text, p_action text,
                                  p_ip text, p_request_id text, p_detail jsonb)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO audit_log (org_id, user_id, actor, action, ip, request_id, detail)
  VALUES (p_org_id, p_user_id, coalesce(p_actor, ''), p_action, coalesce(p_ip, ''),
          coalesce(p_request_id, ''), coalesce(p_detail, '{}'::jsonb));
$$;

-- The application role: data access under RLS, and the functions above.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO switchboard_app;
GRANT SELECT, UPDATE ON orgs TO switchboard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON org_secrets, users, sessions, api_keys TO switchboard_app;
GRANT SELECT, INSERT ON audit_log TO switchboard_app;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO switchboard_app;
GRANT EXECUTE ON FUNCTION app_org_id(), sb_session_lookup(text, integer), sb_apikey_lookup(text),
  sb_login_user(text), sb_login_throttle(text, text, integer, integer, integer),
  sb_login_record(text, text, boolean),
  sb_audit_security(uuid, uuid, text, text, text, text, jsonb) TO switchboard_app;
