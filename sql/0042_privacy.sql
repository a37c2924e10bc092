-- 0042_privacy.sql — privacy (docs/ADMIN.md, "Privacy"): recordings deleted under the
-- retention policy or by an erasure are marked (when, why) instead of forgotten;
-- contacts can be erased (their personal data gone from every table that held it,
-- the aggregates kept); an erased call stays erased whatever arrives later.

-- A recording deleted (its file removed) keeps its call's row, its size and when and
-- why it went, so the call page can say so.
ALTER TABLE calls DROP CONSTRAINT calls_recording_status_check;
ALTER TABLE calls ADD CONSTRAINT calls_recording_status_check
  CHECK (recording_status IN ('none', 'pending', 'stored', 'failed', 'deleted')) NOT VALID;
ALTER TABLE calls VALIDATE CONSTRAINT calls_recording_status_check;
ALTER TABLE calls
  ADD COLUMN recording_deleted_at timestamptz,
  ADD COLUMN recording_deleted_reason text CHECK (recording_deleted_reason IN ('retention', 'erasure')),
  ADD COLUMN erased_at timestamptz;
ALTER TABLE contacts ADD COLUMN erased_at timestamptz;

-- The rollups count a call's recording whether its audio is still kept or was deleted
-- since (retention, erasure): "recordings" is what was recorded that day, so deleting
-- old audio never rewrites past analytics. No row is 'deleted' yet: nothing to rebuild.
CREATE OR REPLACE FUNCTION sb_call_rollups_source(p_rel text, p_sign integer) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT format($q$
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date AS day,
           extract(hour FROM c.started_at AT TIME ZONE o.timezone)::smallint AS hour,
           c.direction, c.status, c.duration_s, c.sentiment_label,
           c.recording_status IN ('stored', 'deleted') AS rec, c.recording_bytes,
           CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END AS number,
           %s::integer AS sgn
      FROM %s c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo$q$, p_sign, p_rel)
$$;

CREATE OR REPLACE FUNCTION sb_calls_rollup_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  src text;
  orgs_ uuid[];
  days_ date[];
  changed constant text := $c$
    JOIN %s x ON x.id = c.id
   WHERE (c.org_id, c.started_at, c.direction, c.status, c.duration_s, c.sentiment_label,
          c.recording_status, c.recording_bytes, c.from_number, c.to_number,
          c.deleted_at IS NULL, c.is_demo)
         IS DISTINCT FROM
         (x.org_id, x.started_at, x.direction, x.status, x.duration_s, x.sentiment_label,
          x.recording_status, x.recording_bytes, x.from_number, x.to_number,
          x.deleted_at IS NULL, x.is_demo)$c$;
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- The common case (a webhook's new call) as static statements, planned once per
    -- session instead of on every EXECUTE. Only additions: min/max cannot go stale.
    -- The same contributions as sb_call_rollups_source / sb_call_rollups_sql.
    INSERT INTO call_rollup_days AS r (org_id, day, direction, status, n, duration_sum,
           duration_min, duration_max, sentiment_positive, sentiment_neutral,
           sentiment_negative, sentiment_none, recordings, recording_bytes)
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date, c.direction, c.status, count(*),
           sum(c.duration_s), min(c.duration_s), max(c.duration_s),
           count(*) FILTER (WHERE c.sentiment_label = 'positive'),
           count(*) FILTER (WHERE c.sentiment_label = 'neutral'),
           count(*) FILTER (WHERE c.sentiment_label = 'negative'),
           count(*) FILTER (WHERE c.sentiment_label IS NULL),
           count(*) FILTER (WHERE c.recording_status IN ('stored', 'deleted')),
           coalesce(sum(c.recording_bytes) FILTER (WHERE c.recording_status IN ('stored', 'deleted')), 0)
      FROM new_rows c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo
     GROUP BY 1, 2, 3, 4
    ON CONFLICT (org_id, day, direction, status) DO UPDATE SET
      n = r.n + EXCLUDED.n,
      duration_sum = r.duration_sum + EXCLUDED.duration_sum,
      duration_min = LEAST(r.duration_min, EXCLUDED.duration_min),
      duration_max = GREATEST(r.duration_max, EXCLUDED.duration_max),
      sentiment_positive = r.sentiment_positive + EXCLUDED.sentiment_positive,
      sentiment_neutral = r.sentiment_neutral + EXCLUDED.sentiment_neutral,
      sentiment_negative = r.sentiment_negative + EXCLUDED.sentiment_negative,
      sentiment_none = r.sentiment_none + EXCLUDED.sentiment_none,
      recordings = r.recordings + EXCLUDED.recordings,
      recording_bytes = r.recording_bytes + EXCLUDED.recording_bytes;
    INSERT INTO call_rollup_hours AS r (org_id, day, hour, n)
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date,
           extract(hour FROM c.started_at AT TIME ZONE o.timezone)::smallint, count(*)
      FROM new_rows c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, day, hour) DO UPDATE SET n = r.n + EXCLUDED.n;
    INSERT INTO call_rollup_numbers AS r (org_id, day, number, n)
    SELECT c.org_id, (c.started_at AT TIME ZONE o.timezone)::date,
           CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END, count(*)
      FROM new_rows c JOIN orgs o ON o.id = c.org_id
     WHERE c.deleted_at IS NULL AND NOT c.is_demo
       AND CASE c.direction WHEN 'inbound' THEN c.from_number ELSE c.to_number END <> ''
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, day, number) DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    src := sb_call_rollups_source('old_rows', -1);
  ELSE
    -- The same comparison as "changed", written out: static SQL cannot take it as text.
    IF NOT EXISTS (
      SELECT 1 FROM old_rows c JOIN new_rows x ON x.id = c.id
       WHERE (c.org_id, c.started_at, c.direction, c.status, c.duration_s, c.sentiment_label,
              c.recording_status, c.recording_bytes, c.from_number, c.to_number,
              c.deleted_at IS NULL, c.is_demo)
             IS DISTINCT FROM
             (x.org_id, x.started_at, x.direction, x.status, x.duration_s, x.sentiment_label,
              x.recording_status, x.recording_bytes, x.from_number, x.to_number,
              x.deleted_at IS NULL, x.is_demo)) THEN
      RETURN NULL;
    END IF;
    src := sb_call_rollups_source('(SELECT c.* FROM old_rows c' || format(changed, 'new_rows') || ')', -1)
           || ' UNION ALL ' ||
           sb_call_rollups_source('(SELECT c.* FROM new_rows c' || format(changed, 'old_rows') || ')', 1);
  END IF;
  EXECUTE sb_call_rollups_sql(src) INTO orgs_, days_;
  FOR i IN 1 .. coalesce(array_length(orgs_, 1), 0) LOOP
    PERFORM sb_call_rollups_minmax(orgs_[i], days_[i]);
  END LOOP;
  RETURN NULL;
END $$;

-- An erased call keeps its personal fields blank whatever writes it later (a late
-- provider event for the same call folds into this row): the BEFORE trigger puts
-- them back. The WHEN clause is evaluated without calling the function, so other
-- calls pay nothing.
CREATE FUNCTION sb_calls_keep_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.from_number := OLD.from_number;
  NEW.to_number := OLD.to_number;
  NEW.caller_name := OLD.caller_name;
  NEW.contact_id := OLD.contact_id;
  NEW.transcript := OLD.transcript;
  NEW.summary := OLD.summary;
  NEW.action_items := OLD.action_items;
  NEW.recording_url := OLD.recording_url;
  NEW.recording_path := OLD.recording_path;
  NEW.recording_status := OLD.recording_status;
  NEW.recording_bytes := OLD.recording_bytes;
  NEW.recording_deleted_at := OLD.recording_deleted_at;
  NEW.recording_deleted_reason := OLD.recording_deleted_reason;
  NEW.erased_at := OLD.erased_at;
  RETURN NEW;
END $$;
CREATE TRIGGER calls_keep_erased BEFORE UPDATE ON calls
  FOR EACH ROW WHEN (OLD.erased_at IS NOT NULL) EXECUTE FUNCTION sb_calls_keep_erased();
REVOKE ALL ON FUNCTION sb_calls_keep_erased() FROM PUBLIC;

-- Lines of a CSV upload (or its report) that mention the contact: its email, or the
-- digits of its phone number however the file wrote them ("(415) 555-0100").
CREATE FUNCTION sb_lines_without(p_text text, p_email text, p_digits text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(string_agg(l, E'\n' ORDER BY n), '')
    FROM unnest(string_to_array(p_text, E'\n')) WITH ORDINALITY AS t(l, n)
   WHERE NOT ((p_email <> '' AND strpos(lower(l), p_email) > 0)
              OR (p_digits <> '' AND strpos(regexp_replace(l, '[^0-9]', '', 'g'), p_digits) > 0))
$$;
REVOKE ALL ON FUNCTION sb_lines_without(text, text, text) FROM PUBLIC;

-- Erases a contact of the current tenant (app_org_id()), in the caller's transaction:
-- - the contact keeps its row (campaign statistics count its messages) with every
--   personal field blank, erased_at set and soft-deleted, so it is in no list, and its
--   number (now NULL) links no new call (sb_calls_link_contact);
-- - its calls (linked to it, or to or from its number) lose the customer's number,
--   the caller name, transcript, summary, action items and recording (marked deleted,
--   reason 'erasure'; the caller unlinks the files after the commit); durations,
--   statuses, sentiment and times stay, so the rollups do not change, except that
--   the number leaves the top-numbers tables;
-- - its campaign messages lose their address, its replies their body and address;
-- - stored provider events and outbound deliveries that carry its number, email or
--   its calls are blanked (an event not applied yet is set aside, never applied);
-- - CSV uploads lose the lines that name it; its recording downloads are dropped.
-- Returns nothing for an unknown id (another org's too), else one row of counts
-- and the recording files to delete; already_erased when it was erased before.
CREATE FUNCTION sb_contact_erase(p_contact_id uuid)
RETURNS TABLE (already_erased boolean, calls integer, messages integer, replies integer, events integer,
               deliveries integer, imports integer, recordings integer, recording_paths text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_org uuid := app_org_id();
  c contacts%ROWTYPE;
  v_email text;
  v_digits text;
  v_call_ids uuid[];
  v_provider_ids text[];
BEGIN
  SELECT * INTO c FROM contacts WHERE id = p_contact_id AND org_id = v_org FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  IF c.erased_at IS NOT NULL THEN
    RETURN QUERY SELECT true, 0, 0, 0, 0, 0, 0, 0, '{}'::text[];
    RETURN;
  END IF;
  v_email := lower(coalesce(c.email, ''));
  v_digits := coalesce(substr(c.phone, 2), '');
  -- Calls: the columns the rollups count are left alone (rollups unchanged) except the
  -- customer's number, which leaves call_rollup_numbers through the rollup trigger.
  WITH mine AS (
    SELECT id, recording_path, recording_status FROM calls
     WHERE org_id = v_org AND (contact_id = c.id OR (c.phone IS NOT NULL AND (from_number = c.phone OR to_number = c.phone)))
     FOR UPDATE),
  done AS (
    UPDATE calls k SET
      from_number = CASE WHEN k.from_number = c.phone THEN '' ELSE k.from_number END,
      to_number = CASE WHEN k.to_number = c.phone THEN '' ELSE k.to_number END,
      caller_name = '', transcript = '[]'::jsonb, summary = '', action_items = '[]'::jsonb,
      recording_url = NULL, recording_path = NULL,
      recording_status = CASE WHEN k.recording_status IN ('stored', 'deleted') THEN 'deleted' ELSE 'none' END,
      recording_deleted_at = CASE WHEN k.recording_status = 'stored' THEN now() ELSE k.recording_deleted_at END,
      recording_deleted_reason = CASE WHEN k.recording_status = 'stored' THEN 'erasure' ELSE k.recording_deleted_reason END,
      erased_at = now(), updated_at = now()
      FROM mine WHERE k.id = mine.id
    RETURNING k.id, k.provider_call_id, mine.recording_path, mine.recording_status)
  SELECT array_agg(id), array_agg(provider_call_id),
         coalesce(array_agg(recording_path) FILTER (WHERE recording_status = 'stored' AND recording_path IS NOT NULL), '{}'),
         count(*) FILTER (WHERE recording_status = 'stored')
    INTO v_call_ids, v_provider_ids, recording_paths, recordings
    FROM done;
  calls := coalesce(cardinality(v_call_ids), 0);
  v_call_ids := coalesce(v_call_ids, '{}');
  v_provider_ids := coalesce(v_provider_ids, '{}');
  -- A refresh of the number's blocks deferred by the webhook applier, and any zero
  -- rows left behind: the number must not stay anywhere.
  IF c.phone IS NOT NULL THEN
    DELETE FROM call_rollup_numbers WHERE org_id = v_org AND number = c.phone AND n = 0;
    DELETE FROM call_number_blocks_due WHERE org_id = v_org AND number = c.phone;
  END IF;
  DELETE FROM jobs WHERE org_id = v_org AND kind = 'recording_download' AND status IN ('queued', 'dead')
     AND payload->>'call_id' = ANY (SELECT x::text FROM unnest(v_call_ids) x);

  UPDATE campaign_messages SET to_address = '', updated_at = now() WHERE org_id = v_org AND contact_id = c.id;
  GET DIAGNOSTICS messages = ROW_COUNT;
  UPDATE message_replies SET body = '', from_address = '-'
   WHERE org_id = v_org AND (contact_id = c.id OR (c.phone IS NOT NULL AND from_address = c.phone));
  GET DIAGNOSTICS replies = ROW_COUNT;

  UPDATE webhook_events w SET body = '', headers = '{}'::jsonb, call = NULL,
         error = CASE WHEN w.applied_at IS NULL AND w.error IS NULL THEN 'erased' ELSE w.error END
   WHERE w.org_id = v_org
     AND (w.call->>'provider_call_id' = ANY (v_provider_ids)
          OR (v_digits <> '' AND (strpos(w.body, v_digits) > 0 OR strpos(coalesce(w.call::text, ''), v_digits) > 0))
          OR (v_email <> '' AND (strpos(lower(w.body), v_email) > 0 OR strpos(lower(w.body), replace(v_email, '@', '%40')) > 0)));
  GET DIAGNOSTICS events = ROW_COUNT;
  UPDATE webhook_deliveries d SET body = replace(replace(d.body, c.phone, ''), coalesce(c.email, chr(1)), '')
   WHERE d.org_id = v_org
     AND ((c.phone IS NOT NULL AND strpos(d.body, c.phone) > 0) OR (c.email IS NOT NULL AND strpos(d.body, c.email) > 0));
  GET DIAGNOSTICS deliveries = ROW_COUNT;
  UPDATE contact_imports i SET body = sb_lines_without(i.body, v_email, right(v_digits, 10)),
         report = sb_lines_without(i.report, v_email, right(v_digits, 10))
   WHERE i.org_id = v_org
     AND (i.body <> sb_lines_without(i.body, v_email, right(v_digits, 10))
          OR i.report <> sb_lines_without(i.report, v_email, right(v_digits, 10)));
  GET DIAGNOSTICS imports = ROW_COUNT;

  UPDATE contacts SET first_name = '', last_name = '', name = '', phone = NULL, email = NULL, company = '',
         property_address = '', property_type = '', tags = '{}', time_zone = '',
         erased_at = now(), deleted_at = coalesce(deleted_at, now()), version = version + 1, updated_at = now()
   WHERE id = c.id;
  already_erased := false;
  RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION sb_contact_erase(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_contact_erase(uuid) TO switchboard_app;
