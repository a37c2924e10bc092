-- 0021_audit_caps.sql — events from callers nobody authenticated (a bad webhook
-- signature, a sign-in while throttled) are written at most once a minute per
-- action, address and subject; the next row written says how many were left out,
-- so a flood of them can neither grow the audit log without bound nor hide.
CREATE TABLE audit_caps (
  action text NOT NULL,
  ip text NOT NULL,
  subject text NOT NULL,           -- the org or the email the event is about
  written_at timestamptz NOT NULL, -- when the last row for this key was written
  left_out integer NOT NULL DEFAULT 0,
  PRIMARY KEY (action, ip, subject)
);
REVOKE ALL ON audit_caps FROM PUBLIC;

CREATE FUNCTION sb_audit_unauthenticated(p_org_id uuid, p_actor text, p_action text, p_ip text,
                                         p_request_id text, p_detail jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ip text := coalesce(p_ip, '');
  v_subject text := coalesce(p_org_id::text, '') || '|' || lower(coalesce(p_actor, ''));
  cap audit_caps;
BEGIN
  INSERT INTO audit_caps AS c (action, ip, subject, written_at)
  VALUES (p_action, v_ip, v_subject, '-infinity')
  ON CONFLICT ON CONSTRAINT audit_caps_pkey DO NOTHING;
  SELECT * INTO cap FROM audit_caps c
   WHERE c.action = p_action AND c.ip = v_ip AND c.subject = v_subject
   FOR UPDATE;
  IF cap.written_at > now() - interval '1 minute' THEN
    UPDATE audit_caps c SET left_out = c.left_out + 1
     WHERE c.action = p_action AND c.ip = v_ip AND c.subject = v_subject;
    RETURN;
  END IF;
  INSERT INTO audit_log (org_id, user_id, actor, action, ip, request_id, detail)
  VALUES (p_org_id, NULL, coalesce(p_actor, ''), p_action, coalesce(p_ip, ''), coalesce(p_request_id, ''),
          coalesce(p_detail, '{}'::jsonb)
            || CASE WHEN cap.left_out > 0 THEN jsonb_build_object('left_out_before', cap.left_out)
                    ELSE '{}'::jsonb END);
  UPDATE audit_caps c SET written_at = now(), left_out = 0
   WHERE c.action = p_action AND c.ip = v_ip AND c.subject = v_subject;
END $$;
REVOKE ALL ON FUNCTION sb_audit_unauthenticated(uuid, text, text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_audit_unauthenticated(uuid, text, text, text, text, jsonb) TO switchboard_app;
