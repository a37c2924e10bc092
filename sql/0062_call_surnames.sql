-- 0062_call_surnames.sql — a search for a surname reads that surname's calls from one
-- index range (src/app/calls/calls_sql.c, "Searches"; docs/ARCHITECTURE.md, "Search
-- under row-level security").
--
-- A common surname is many of an org's names: "Martinez" is 58 names on the bench
-- data. Through the names (0057) its page costs a lookup of the 58 names and an
-- index descent for each: about 0.9 ms of PostgreSQL per page, where one name
-- ("Luis Torres") costs about 0.4. When every name a search matches ends with the
-- search's word (its surname), the page is the first calls of that surname: one range
-- of an index on (org, surname, started_at, id), read in the list's order, 51 entries.
--
-- Whether that holds is the names' business: the search matches the names that
-- contain the word (ILIKE '%word%'), and it holds while none of them has the word
-- elsewhere ("Ana Martinezova"). A worker checks it once against the names, with the
-- names' epoch, which moves whenever the org gains a name; each page then reads the
-- epoch in its own snapshot and, if it moved, goes by the names after all. The count
-- is the sum of the surname's names' counts, read from their own index.
--
-- The surname is the lower-cased last space-separated word, a stored column: under
-- row-level security only leakproof conditions become index conditions, and an
-- expression of the column (lower, split_part) is not leakproof (0015's brands key).

ALTER TABLE calls ADD COLUMN caller_surname text GENERATED ALWAYS AS (lower(split_part(caller_name, ' ', -1))) STORED;
CREATE INDEX calls_org_surname_idx ON calls (org_id, caller_surname, started_at DESC, id DESC) WHERE deleted_at IS NULL;

ALTER TABLE call_names ADD COLUMN surname text GENERATED ALWAYS AS (lower(split_part(caller_name, ' ', -1))) STORED;
CREATE INDEX call_names_org_surname_idx ON call_names (org_id, surname) INCLUDE (calls, demo_calls);
GRANT SELECT ON call_names TO switchboard_app;

-- The generation of each org's set of caller names: one more each time a transaction
-- that added names commits. No row reads as 0.
CREATE TABLE call_name_epochs (
  org_id uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  n bigint NOT NULL
);
ALTER TABLE call_name_epochs ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_name_epochs FORCE ROW LEVEL SECURITY;
CREATE POLICY call_name_epochs_tenant ON call_name_epochs USING (org_id = app_org_id());
GRANT SELECT ON call_name_epochs TO switchboard_app;

-- Run at commit (a deferred constraint trigger), after the transaction's last write
-- of names: the epoch's row lock is then the last lock it takes, so two writers of
-- names cannot deadlock over it, and a reader sees the new names and the new epoch
-- together or neither. A transaction adding many names moves the epoch once (the
-- row's xmin is then its own). Names that go away leave it: a search's check only
-- gets truer when the names it matched are fewer.
CREATE FUNCTION sb_call_name_epochs_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  INSERT INTO call_name_epochs AS e (org_id, n)
  SELECT NEW.org_id, 1 WHERE EXISTS (SELECT FROM orgs WHERE id = NEW.org_id)
  ON CONFLICT (org_id) DO UPDATE SET n = e.n + 1 WHERE e.xmin <> pg_current_xact_id()::xid;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER call_names_epoch AFTER INSERT ON call_names
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sb_call_name_epochs_bump();

INSERT INTO call_name_epochs (org_id, n) SELECT id, 1 FROM orgs;

-- The epoch of the tenant's names if the search for p_name can go by its surname:
-- some name matches (as the list matches names: ILIKE '%' || p_name || '%') and every
-- one that does has lower(p_name) as its surname; else NULL. Then the calls whose
-- surname it is are exactly the calls the search matches, while the epoch stays,
-- however many names that is. The first name that does not end with it answers (a
-- search for a common word in names that is not their surname stops there). A
-- backslash is LIKE's escape, so a name with one in its surname would not match its
-- own search. STABLE: one snapshot for the names and the epoch.
CREATE FUNCTION sb_calls_surname_epoch(p_name text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF p_name = '' OR strpos(p_name, E'\\') > 0 THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT coalesce((SELECT e.n FROM call_name_epochs e WHERE e.org_id = app_org_id()), 0)
           WHERE EXISTS (SELECT FROM call_names n
                          WHERE n.org_id = app_org_id() AND n.caller_name ILIKE '%' || p_name || '%')
             AND NOT EXISTS (SELECT FROM call_names n
                              WHERE n.org_id = app_org_id() AND n.caller_name ILIKE '%' || p_name || '%'
                                AND n.surname <> lower(p_name)));
END $$;

REVOKE ALL ON FUNCTION sb_calls_surname_epoch(text), sb_call_name_epochs_bump() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sb_calls_surname_epoch(text) TO switchboard_app;

ANALYZE calls, call_names;
