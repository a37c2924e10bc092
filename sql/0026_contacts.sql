-- 0026_contacts.sql — contacts as campaigns need them (SPEC §7): first and last name,
-- property, tags, time zone, per-channel opt-out, do-not-contact, a version for
-- optimistic concurrency; their consent history; contact imports; calls linked to
-- their contact by phone number as they arrive.
--
-- `name` (0003) stays, kept equal to "first last" by a trigger, so what reads it
-- (the calls pages, the seed's COPY, which writes `name` only and gets it split) goes
-- on working.
ALTER TABLE contacts
  ADD COLUMN first_name text NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
  ADD COLUMN last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
  ADD COLUMN property_address text NOT NULL DEFAULT '' CHECK (length(property_address) <= 300),
  ADD COLUMN property_type text NOT NULL DEFAULT '' CHECK (property_type IN
    ('', 'single_family', 'multi_family', 'condo', 'townhouse', 'land', 'commercial', 'other')),
  ADD COLUMN tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
  ADD COLUMN time_zone text NOT NULL DEFAULT '' CHECK (length(time_zone) <= 64),
  ADD COLUMN opt_out_sms boolean NOT NULL DEFAULT false,
  ADD COLUMN opt_out_voice boolean NOT NULL DEFAULT false,
  ADD COLUMN opt_out_email boolean NOT NULL DEFAULT false,
  ADD COLUMN do_not_contact boolean NOT NULL DEFAULT false,
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

UPDATE contacts SET first_name = left(split_part(btrim(name), ' ', 1), 100),
                    last_name = left(btrim(substr(btrim(name), length(split_part(btrim(name), ' ', 1)) + 1)), 100)
 WHERE name <> '';

CREATE FUNCTION sb_contacts_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.first_name = '' AND NEW.last_name = '' AND NEW.name <> '' THEN
    NEW.first_name := left(split_part(btrim(NEW.name), ' ', 1), 100);
    NEW.last_name := left(btrim(substr(btrim(NEW.name), length(split_part(btrim(NEW.name), ' ', 1)) + 1)), 100);
  ELSE
    NEW.name := left(btrim(NEW.first_name || ' ' || NEW.last_name), 200);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER contacts_name BEFORE INSERT OR UPDATE OF name, first_name, last_name ON contacts
  FOR EACH ROW EXECUTE FUNCTION sb_contacts_name();

-- The list's orders (name, newest) and the import's merge by email. Emails are not
-- unique (people share one; the demo data has repeats): a merge by email picks the
-- oldest live contact with it.
CREATE INDEX contacts_org_created_idx ON contacts (org_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_org_email_idx ON contacts (org_id, lower(email), created_at) WHERE email IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX contacts_search_trgm ON contacts USING gin
  (lower(name || ' ' || coalesce(email, '') || ' ' || company || ' ' || coalesce(phone, '')) gin_trgm_ops)
  WHERE deleted_at IS NULL;

-- Search under row-level security (docs/ARCHITECTURE.md): ILIKE is not leakproof, so
-- the trigram index is reached only from a function that filters by the tenant itself.
CREATE FUNCTION sb_contacts_matching(p_pattern text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
  SELECT id FROM contacts WHERE org_id = app_org_id() AND deleted_at IS NULL
     AND lower(name || ' ' || coalesce(email, '') || ' ' || company || ' ' || coalesce(phone, ''))
         LIKE '%' || lower(p_pattern) || '%'
$$;
REVOKE ALL ON FUNCTION sb_contacts_matching(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_contacts_matching(text) TO switchboard_app;

-- Consent history: one row per change of an opt-out or of do-not-contact, whoever
-- makes it (a page, the API, an import, later an inbound STOP), written by
-- statement-level triggers so a 100,000-row import costs one INSERT ... SELECT.
-- The writer names its source in app.consent_source (default 'app').
CREATE TABLE contact_consent_events (
  id bigserial PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('sms', 'voice', 'email', 'all')),
  opted_out boolean NOT NULL, -- channel 'all': on or off the do-not-contact list
  source text NOT NULL DEFAULT 'app' CHECK (length(source) BETWEEN 1 AND 40),
  user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_consent_events_contact_idx ON contact_consent_events (org_id, contact_id, id DESC);

CREATE FUNCTION sb_contact_consent_rows(p_old jsonb, p_new contacts) RETURNS TABLE (channel text, opted_out boolean)
LANGUAGE sql IMMUTABLE AS $$
  SELECT c, v FROM (VALUES ('sms', p_new.opt_out_sms, (p_old->>'opt_out_sms')::boolean),
                           ('voice', p_new.opt_out_voice, (p_old->>'opt_out_voice')::boolean),
                           ('email', p_new.opt_out_email, (p_old->>'opt_out_email')::boolean),
                           ('all', p_new.do_not_contact, (p_old->>'do_not_contact')::boolean)) x (c, v, o)
   WHERE v IS DISTINCT FROM coalesce(o, false)
$$;

CREATE FUNCTION sb_contacts_consent_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO contact_consent_events (org_id, contact_id, channel, opted_out, source, user_id)
  SELECT n.org_id, n.id, x.channel, x.opted_out,
         coalesce(nullif(current_setting('app.consent_source', true), ''), 'app'),
         nullif(current_setting('app.user_id', true), '')::uuid
    FROM new_rows n, sb_contact_consent_rows(NULL, n) x
   WHERE n.opt_out_sms OR n.opt_out_voice OR n.opt_out_email OR n.do_not_contact;
  RETURN NULL;
END $$;

CREATE FUNCTION sb_contacts_consent_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO contact_consent_events (org_id, contact_id, channel, opted_out, source, user_id)
  SELECT n.org_id, n.id, x.channel, x.opted_out,
         coalesce(nullif(current_setting('app.consent_source', true), ''), 'app'),
         nullif(current_setting('app.user_id', true), '')::uuid
    FROM new_rows n JOIN old_rows o ON o.id = n.id,
         sb_contact_consent_rows(jsonb_build_object('opt_out_sms', o.opt_out_sms, 'opt_out_voice', o.opt_out_voice,
           'opt_out_email', o.opt_out_email, 'do_not_contact', o.do_not_contact), n) x
   WHERE (o.opt_out_sms, o.opt_out_voice, o.opt_out_email, o.do_not_contact)
         IS DISTINCT FROM (n.opt_out_sms, n.opt_out_voice, n.opt_out_email, n.do_not_contact);
  RETURN NULL;
END $$;

CREATE TRIGGER contacts_consent_insert AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_contacts_consent_insert();
CREATE TRIGGER contacts_consent_update AFTER UPDATE ON contacts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_contacts_consent_update();

ALTER TABLE contact_consent_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_consent_events FORCE ROW LEVEL SECURITY;
CREATE POLICY contact_consent_events_tenant ON contact_consent_events
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON contact_consent_events FROM PUBLIC;
GRANT SELECT, INSERT ON contact_consent_events TO switchboard_app;
GRANT USAGE ON SEQUENCE contact_consent_events_id_seq TO switchboard_app;

-- An uploaded CSV waits here between the upload (header mapping and preview) and the
-- import, which then records what it did and the report of rejected rows.
CREATE TABLE contact_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id uuid,
  filename text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
  body text NOT NULL,
  rows integer NOT NULL DEFAULT 0 CHECK (rows >= 0),
  status text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'imported')),
  mapping jsonb,
  created integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  merged integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  report text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  imported_at timestamptz
);
CREATE INDEX contact_imports_org_idx ON contact_imports (org_id, created_at DESC);
ALTER TABLE contact_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY contact_imports_tenant ON contact_imports USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON contact_imports FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON contact_imports TO switchboard_app;

-- A call is linked to its contact when it arrives: the customer's number (the caller
-- of an inbound call, the callee of an outbound one) looked up through
-- contacts_org_phone_key, one index probe, only while the call has no contact. A
-- contact's page finds its calls through calls_contact_idx (0003).
CREATE FUNCTION sb_calls_link_contact() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n text := CASE NEW.direction WHEN 'inbound' THEN NEW.from_number ELSE NEW.to_number END;
BEGIN
  IF n <> '' THEN
    SELECT id INTO NEW.contact_id FROM contacts
     WHERE org_id = NEW.org_id AND phone = n AND deleted_at IS NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER calls_link_contact BEFORE INSERT OR UPDATE OF from_number, to_number, direction ON calls
  FOR EACH ROW WHEN (NEW.contact_id IS NULL) EXECUTE FUNCTION sb_calls_link_contact();

REVOKE ALL ON FUNCTION sb_contacts_name(), sb_contacts_consent_insert(), sb_contacts_consent_update(),
  sb_calls_link_contact() FROM PUBLIC;
