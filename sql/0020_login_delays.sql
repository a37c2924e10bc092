-- 0020_login_delays.sql — rising login delays instead of a lock-out.
--
-- Login throttling without a lock-out: past the per-email limit each further
-- failure doubles the wait after the last one (30 s, 1 min, 2 min, ... at most the
-- window), and the caller lets a correct password through from an address with no
-- recent failures, so knowing an email no longer keeps its owner out. The
-- per-address limit stays a hard one; addresses are keyed by the caller (an IPv6
-- client by its /64).
CREATE FUNCTION sb_login_delays(p_email text, p_ip text, p_max_email integer, p_max_ip integer,
                                p_window_s integer, OUT email_wait integer, OUT ip_wait integer,
                                OUT ip_failures integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  since timestamptz := now() - make_interval(secs => p_window_s);
  failures integer;
  last_failure timestamptz;
BEGIN
  SELECT count(*), max(at) INTO failures, last_failure
    FROM login_attempts WHERE email = lower(p_email) AND NOT ok AND at > since;
  email_wait := 0;
  IF failures >= p_max_email THEN
    email_wait := greatest(0, ceil(extract(epoch FROM
      last_failure + make_interval(secs => least(p_window_s, 30 * 2 ^ least(failures - p_max_email, 20)))
      - now())))::integer;
  END IF;
  SELECT count(*) INTO ip_failures FROM login_attempts WHERE ip = p_ip AND NOT ok AND at > since;
  -- The address limit: the wait lasts until the oldest failure that keeps the
  -- count at the limit leaves the window.
  SELECT ceil(extract(epoch FROM (a.at + make_interval(secs => p_window_s) - now())))::integer
    INTO ip_wait
    FROM (SELECT at FROM login_attempts
           WHERE ip = p_ip AND NOT ok AND at > since
           ORDER BY at DESC OFFSET p_max_ip - 1 LIMIT 1) a;
  ip_wait := greatest(coalesce(ip_wait, 0), 0);
END $$;

DROP FUNCTION sb_login_throttle(text, text, integer, integer, integer);
REVOKE ALL ON FUNCTION sb_login_delays(text, text, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_login_delays(text, text, integer, integer, integer) TO switchboard_app;
