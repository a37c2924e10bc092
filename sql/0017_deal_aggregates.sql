-- 0017_deal_aggregates.sql — the deal figures of the board and the overview, kept
-- exact by triggers in the writers' transactions (the pattern of 0004 and 0016).
--
-- The board's column totals and the overview's pipeline, payments due and late
-- deliverables were aggregates over every live deal, open payment and unposted
-- deliverable of the org: 100-470 ms at 100,000 deals. They now read:
--
--   deal_stage_totals           live (deleted_at IS NULL), unarchived deals per stage
--                               and currency: count and value.
--   deal_open_payment_days      payments still owed per expected day and currency:
--                               count and open amount (amount_minor - paid_minor) of
--                               payments with status <> 'paid', deleted_at IS NULL,
--                               paid_minor < amount_minor and a live deal. Payments
--                               without an expected day never count (the overview asks
--                               "expected up to the end of this week").
--   deal_open_deliverable_hours unposted, undeleted deliverables of live deals per UTC
--                               hour of their due time (the posting window's end, else
--                               the scheduled time; none: never late). The overview adds
--                               the hours before the current one to an index count of
--                               the current hour's part that is already past.
--
-- Payment and deliverable rows of an (org, key) whose count falls to zero are deleted,
-- so the overview only ever sums keys that still hold something.
--
-- Writes: statement-level triggers with transition tables, static SQL (PL/pgSQL keeps
-- its plans). An UPDATE subtracts every old row's contribution and adds every new
-- row's, grouped, so unchanged rows cancel out; a statement that changes nothing
-- counted (a note, a risk recomputation, updated_at) returns after one check.
-- Each table's contribution depends on the other's current state (a payment counts if
-- its deal is live), so each trigger assumes the other table unchanged in its own
-- statement, and a deal becoming deleted or live (soft delete, restore) adds or removes
-- all its payments and deliverables as they are at that moment.
--
-- Hard deletes: a deal's payments and deliverables go with it by ON DELETE CASCADE,
-- which runs before the deal's AFTER statement trigger, and their own trigger then no
-- longer finds the deal. So a BEFORE DELETE row trigger on live deals removes their
-- children's contributions while they still exist: static statements on the one deal,
-- index probes (a purge deletes one soft-deleted deal, whose children count for
-- nothing and do not fire it; a demo re-seed of 5,000 live deals took 6 % longer).
-- When the org itself is being deleted, its aggregates go by cascade: every statement
-- joins orgs, so nothing is written for an org that is gone.
--
-- Privileges: as 0004 — row-level security forced with the usual org policy, SELECT
-- only for the application role; the trigger functions are SECURITY DEFINER with a
-- fixed search_path.

CREATE TABLE deal_stage_totals (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  stage text NOT NULL,
  currency currency_code NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  value_minor numeric NOT NULL DEFAULT 0, -- sum(bigint) is numeric: never overflows a write
  PRIMARY KEY (org_id, stage, currency)
);

CREATE TABLE deal_open_payment_days (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  expected_at date NOT NULL,
  currency currency_code NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  open_minor numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, expected_at, currency)
);

-- due_hour: date_trunc('hour', due, 'UTC'), whatever the session's TimeZone.
CREATE TABLE deal_open_deliverable_hours (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  due_hour timestamptz NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, due_hour)
);

-- Deletes the emptied keys an apply statement reported.
CREATE FUNCTION sb_deal_payment_days_prune(p_org uuid[], p_day date[], p_cur text[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
  DELETE FROM deal_open_payment_days t USING unnest(p_org, p_day, p_cur) z(org_id, day, cur)
   WHERE t.org_id = z.org_id AND t.expected_at = z.day AND t.currency = z.cur AND t.n = 0
$$;

CREATE FUNCTION sb_deal_deliverable_hours_prune(p_org uuid[], p_hour timestamptz[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
  DELETE FROM deal_open_deliverable_hours t USING unnest(p_org, p_hour) z(org_id, hour)
   WHERE t.org_id = z.org_id AND t.due_hour = z.hour AND t.n = 0
$$;

-- Adds (p_sign 1) or removes (-1) the payments and deliverables of the given deals, as
-- they are now: a deal restored, soft-deleted or about to be hard-deleted. The
-- deals' own liveness is the caller's business; only the children's conditions apply.
CREATE FUNCTION sb_deal_children_apply(p_deals uuid[], p_sign integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  orgs_ uuid[];
  days_ date[];
  curs_ text[];
  hours_ timestamptz[];
BEGIN
  WITH up AS (
    INSERT INTO deal_open_payment_days AS r (org_id, expected_at, currency, n, open_minor)
    SELECT p.org_id, p.expected_at, p.currency, p_sign * count(*), p_sign * sum(p.amount_minor - p.paid_minor)
      FROM unnest(p_deals) x(id) JOIN payments p ON p.deal_id = x.id JOIN orgs o ON o.id = p.org_id
     WHERE p.status <> 'paid' AND p.deleted_at IS NULL
       AND p.paid_minor < p.amount_minor AND p.expected_at IS NOT NULL
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, expected_at, currency) DO UPDATE SET
      n = r.n + EXCLUDED.n, open_minor = r.open_minor + EXCLUDED.open_minor
    RETURNING r.org_id, r.expected_at, r.currency, r.n)
  SELECT array_agg(org_id), array_agg(expected_at), array_agg(currency::text) INTO orgs_, days_, curs_
    FROM up WHERE n = 0;
  IF orgs_ IS NOT NULL THEN PERFORM sb_deal_payment_days_prune(orgs_, days_, curs_); END IF;

  WITH up AS (
    INSERT INTO deal_open_deliverable_hours AS r (org_id, due_hour, n)
    SELECT v.org_id, date_trunc('hour', CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                             ELSE v.posting_window_end END, 'UTC'), p_sign * count(*)
      FROM unnest(p_deals) x(id) JOIN deliverables v ON v.deal_id = x.id JOIN orgs o ON o.id = v.org_id
     WHERE v.posted_at IS NULL AND v.deleted_at IS NULL
       AND CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END IS NOT NULL
     GROUP BY 1, 2
    ON CONFLICT (org_id, due_hour) DO UPDATE SET n = r.n + EXCLUDED.n
    RETURNING r.org_id, r.due_hour, r.n)
  SELECT array_agg(org_id), array_agg(due_hour) INTO orgs_, hours_ FROM up WHERE n = 0;
  IF orgs_ IS NOT NULL THEN PERFORM sb_deal_deliverable_hours_prune(orgs_, hours_); END IF;
END $$;

-- Statement trigger on deals: the stage totals, and the children of deals whose
-- liveness changed. Inserted deals have no children yet.
CREATE FUNCTION sb_deals_aggregates_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  gone uuid[];
  back uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO deal_stage_totals AS r (org_id, stage, currency, n, value_minor)
    SELECT d.org_id, d.stage, d.currency, count(*), sum(d.value_minor)
      FROM new_rows d JOIN orgs o ON o.id = d.org_id
     WHERE d.deleted_at IS NULL AND NOT d.archived
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, stage, currency) DO UPDATE SET
      n = r.n + EXCLUDED.n, value_minor = r.value_minor + EXCLUDED.value_minor;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    -- Children: sb_deals_aggregates_purge (before the cascade).
    INSERT INTO deal_stage_totals AS r (org_id, stage, currency, n, value_minor)
    SELECT d.org_id, d.stage, d.currency, -count(*), -sum(d.value_minor)
      FROM old_rows d JOIN orgs o ON o.id = d.org_id
     WHERE d.deleted_at IS NULL AND NOT d.archived
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, stage, currency) DO UPDATE SET
      n = r.n + EXCLUDED.n, value_minor = r.value_minor + EXCLUDED.value_minor;
    RETURN NULL;
  END IF;
  -- UPDATE: most change nothing counted (risk, next action, updated_at, version).
  IF NOT EXISTS (
    SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.org_id, o.stage, o.currency, o.value_minor, o.archived, o.deleted_at IS NULL)
           IS DISTINCT FROM
           (n.org_id, n.stage, n.currency, n.value_minor, n.archived, n.deleted_at IS NULL)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO deal_stage_totals AS r (org_id, stage, currency, n, value_minor)
  SELECT s.org_id, s.stage, s.currency, sum(s.sgn), sum(s.sgn * s.value_minor)
    FROM (SELECT d.org_id, d.stage, d.currency, d.value_minor, -1 AS sgn
            FROM old_rows d WHERE d.deleted_at IS NULL AND NOT d.archived
          UNION ALL
          SELECT d.org_id, d.stage, d.currency, d.value_minor, 1
            FROM new_rows d WHERE d.deleted_at IS NULL AND NOT d.archived) s
    JOIN orgs o ON o.id = s.org_id
   GROUP BY 1, 2, 3
  HAVING sum(s.sgn) <> 0 OR sum(s.sgn * s.value_minor) <> 0
  ON CONFLICT (org_id, stage, currency) DO UPDATE SET
    n = r.n + EXCLUDED.n, value_minor = r.value_minor + EXCLUDED.value_minor;
  SELECT array_agg(n.id) FILTER (WHERE n.deleted_at IS NOT NULL),
         array_agg(n.id) FILTER (WHERE n.deleted_at IS NULL)
    INTO gone, back
    FROM old_rows o JOIN new_rows n ON n.id = o.id
   WHERE (o.deleted_at IS NULL) <> (n.deleted_at IS NULL);
  IF gone IS NOT NULL THEN PERFORM sb_deal_children_apply(gone, -1); END IF;
  IF back IS NOT NULL THEN PERFORM sb_deal_children_apply(back, 1); END IF;
  RETURN NULL;
END $$;

-- Row trigger before a live deal is hard-deleted: its children's contributions, while
-- the children still exist (see the top). Not when the org itself is going.
CREATE FUNCTION sb_deals_aggregates_purge() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  orgs_ uuid[];
  days_ date[];
  curs_ text[];
  hours_ timestamptz[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM orgs WHERE id = OLD.org_id) THEN RETURN OLD; END IF;
  -- Static statements on this one deal (a re-seed deletes thousands, one row at a time),
  -- each an index probe of payments_deal_idx / deliverables_deal_idx; most deals have
  -- nothing counted left and stop at the EXISTS.
  IF EXISTS (SELECT 1 FROM payments p WHERE p.deal_id = OLD.id AND p.status <> 'paid' AND p.deleted_at IS NULL
                AND p.paid_minor < p.amount_minor AND p.expected_at IS NOT NULL) THEN
    WITH up AS (
      INSERT INTO deal_open_payment_days AS r (org_id, expected_at, currency, n, open_minor)
      SELECT p.org_id, p.expected_at, p.currency, -count(*), -sum(p.amount_minor - p.paid_minor)
        FROM payments p
       WHERE p.deal_id = OLD.id AND p.status <> 'paid' AND p.deleted_at IS NULL
         AND p.paid_minor < p.amount_minor AND p.expected_at IS NOT NULL
       GROUP BY 1, 2, 3
      ON CONFLICT (org_id, expected_at, currency) DO UPDATE SET
        n = r.n + EXCLUDED.n, open_minor = r.open_minor + EXCLUDED.open_minor
      RETURNING r.org_id, r.expected_at, r.currency, r.n)
    SELECT array_agg(org_id), array_agg(expected_at), array_agg(currency::text) INTO orgs_, days_, curs_
      FROM up WHERE n = 0;
    IF orgs_ IS NOT NULL THEN PERFORM sb_deal_payment_days_prune(orgs_, days_, curs_); END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM deliverables v WHERE v.deal_id = OLD.id AND v.posted_at IS NULL AND v.deleted_at IS NULL
                AND CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END IS NOT NULL) THEN
    WITH up AS (
      INSERT INTO deal_open_deliverable_hours AS r (org_id, due_hour, n)
      SELECT v.org_id, date_trunc('hour', CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                               ELSE v.posting_window_end END, 'UTC'), -count(*)
        FROM deliverables v
       WHERE v.deal_id = OLD.id AND v.posted_at IS NULL AND v.deleted_at IS NULL
         AND CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END IS NOT NULL
       GROUP BY 1, 2
      ON CONFLICT (org_id, due_hour) DO UPDATE SET n = r.n + EXCLUDED.n
      RETURNING r.org_id, r.due_hour, r.n)
    SELECT array_agg(org_id), array_agg(due_hour) INTO orgs_, hours_ FROM up WHERE n = 0;
    IF orgs_ IS NOT NULL THEN PERFORM sb_deal_deliverable_hours_prune(orgs_, hours_); END IF;
  END IF;
  RETURN OLD;
END $$;

CREATE FUNCTION sb_payments_aggregates_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  orgs_ uuid[];
  days_ date[];
  curs_ text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO deal_open_payment_days AS r (org_id, expected_at, currency, n, open_minor)
    SELECT p.org_id, p.expected_at, p.currency, count(*), sum(p.amount_minor - p.paid_minor)
      FROM new_rows p JOIN deals d ON d.id = p.deal_id AND d.deleted_at IS NULL
      JOIN orgs o ON o.id = p.org_id
     WHERE p.status <> 'paid' AND p.deleted_at IS NULL AND p.paid_minor < p.amount_minor
       AND p.expected_at IS NOT NULL
     GROUP BY 1, 2, 3
    ON CONFLICT (org_id, expected_at, currency) DO UPDATE SET
      n = r.n + EXCLUDED.n, open_minor = r.open_minor + EXCLUDED.open_minor;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    WITH up AS (
      INSERT INTO deal_open_payment_days AS r (org_id, expected_at, currency, n, open_minor)
      SELECT p.org_id, p.expected_at, p.currency, -count(*), -sum(p.amount_minor - p.paid_minor)
        FROM old_rows p JOIN deals d ON d.id = p.deal_id AND d.deleted_at IS NULL
        JOIN orgs o ON o.id = p.org_id
       WHERE p.status <> 'paid' AND p.deleted_at IS NULL AND p.paid_minor < p.amount_minor
         AND p.expected_at IS NOT NULL
       GROUP BY 1, 2, 3
      ON CONFLICT (org_id, expected_at, currency) DO UPDATE SET
        n = r.n + EXCLUDED.n, open_minor = r.open_minor + EXCLUDED.open_minor
      RETURNING r.org_id, r.expected_at, r.currency, r.n)
    SELECT array_agg(org_id), array_agg(expected_at), array_agg(currency::text) INTO orgs_, days_, curs_
      FROM up WHERE n = 0;
    IF orgs_ IS NOT NULL THEN PERFORM sb_deal_payment_days_prune(orgs_, days_, curs_); END IF;
    RETURN NULL;
  END IF;
  -- UPDATE: a note, an invoice sent, a dispute change nothing counted.
  IF NOT EXISTS (
    SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.org_id, o.deal_id, o.status = 'paid', o.deleted_at IS NULL, o.paid_minor, o.amount_minor,
            o.expected_at, o.currency)
           IS DISTINCT FROM
           (n.org_id, n.deal_id, n.status = 'paid', n.deleted_at IS NULL, n.paid_minor, n.amount_minor,
            n.expected_at, n.currency)) THEN
    RETURN NULL;
  END IF;
  WITH up AS (
    INSERT INTO deal_open_payment_days AS r (org_id, expected_at, currency, n, open_minor)
    SELECT s.org_id, s.expected_at, s.currency, sum(s.sgn), sum(s.sgn * s.open)
      FROM (SELECT p.org_id, p.deal_id, p.expected_at, p.currency, p.amount_minor - p.paid_minor AS open, -1 AS sgn
              FROM old_rows p
             WHERE p.status <> 'paid' AND p.deleted_at IS NULL AND p.paid_minor < p.amount_minor
               AND p.expected_at IS NOT NULL
            UNION ALL
            SELECT p.org_id, p.deal_id, p.expected_at, p.currency, p.amount_minor - p.paid_minor, 1
              FROM new_rows p
             WHERE p.status <> 'paid' AND p.deleted_at IS NULL AND p.paid_minor < p.amount_minor
               AND p.expected_at IS NOT NULL) s
      JOIN deals d ON d.id = s.deal_id AND d.deleted_at IS NULL
      JOIN orgs o ON o.id = s.org_id
     GROUP BY 1, 2, 3
    HAVING sum(s.sgn) <> 0 OR sum(s.sgn * s.open) <> 0
    ON CONFLICT (org_id, expected_at, currency) DO UPDATE SET
      n = r.n + EXCLUDED.n, open_minor = r.open_minor + EXCLUDED.open_minor
    RETURNING r.org_id, r.expected_at, r.currency, r.n)
  SELECT array_agg(org_id), array_agg(expected_at), array_agg(currency::text) INTO orgs_, days_, curs_
    FROM up WHERE n = 0;
  IF orgs_ IS NOT NULL THEN PERFORM sb_deal_payment_days_prune(orgs_, days_, curs_); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION sb_deliverables_aggregates_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  orgs_ uuid[];
  hours_ timestamptz[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO deal_open_deliverable_hours AS r (org_id, due_hour, n)
    SELECT v.org_id, date_trunc('hour', CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                             ELSE v.posting_window_end END, 'UTC'), count(*)
      FROM new_rows v JOIN deals d ON d.id = v.deal_id AND d.deleted_at IS NULL
      JOIN orgs o ON o.id = v.org_id
     WHERE v.posted_at IS NULL AND v.deleted_at IS NULL
       AND CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END IS NOT NULL
     GROUP BY 1, 2
    ON CONFLICT (org_id, due_hour) DO UPDATE SET n = r.n + EXCLUDED.n;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    WITH up AS (
      INSERT INTO deal_open_deliverable_hours AS r (org_id, due_hour, n)
      SELECT v.org_id, date_trunc('hour', CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                               ELSE v.posting_window_end END, 'UTC'), -count(*)
        FROM old_rows v JOIN deals d ON d.id = v.deal_id AND d.deleted_at IS NULL
        JOIN orgs o ON o.id = v.org_id
       WHERE v.posted_at IS NULL AND v.deleted_at IS NULL
         AND CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END IS NOT NULL
       GROUP BY 1, 2
      ON CONFLICT (org_id, due_hour) DO UPDATE SET n = r.n + EXCLUDED.n
      RETURNING r.org_id, r.due_hour, r.n)
    SELECT array_agg(org_id), array_agg(due_hour) INTO orgs_, hours_ FROM up WHERE n = 0;
    IF orgs_ IS NOT NULL THEN PERFORM sb_deal_deliverable_hours_prune(orgs_, hours_); END IF;
    RETURN NULL;
  END IF;
  -- UPDATE: approval steps, notes, quantity change nothing counted.
  IF NOT EXISTS (
    SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.org_id, o.deal_id, o.posted_at IS NULL, o.deleted_at IS NULL,
            CASE WHEN o.posting_window_end IS NULL THEN o.scheduled_at ELSE o.posting_window_end END)
           IS DISTINCT FROM
           (n.org_id, n.deal_id, n.posted_at IS NULL, n.deleted_at IS NULL,
            CASE WHEN n.posting_window_end IS NULL THEN n.scheduled_at ELSE n.posting_window_end END)) THEN
    RETURN NULL;
  END IF;
  WITH up AS (
    INSERT INTO deal_open_deliverable_hours AS r (org_id, due_hour, n)
    SELECT s.org_id, date_trunc('hour', s.due, 'UTC'), sum(s.sgn)
      FROM (SELECT v.org_id, v.deal_id, CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                             ELSE v.posting_window_end END AS due, -1 AS sgn
              FROM old_rows v WHERE v.posted_at IS NULL AND v.deleted_at IS NULL
            UNION ALL
            SELECT v.org_id, v.deal_id, CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                             ELSE v.posting_window_end END, 1
              FROM new_rows v WHERE v.posted_at IS NULL AND v.deleted_at IS NULL) s
      JOIN deals d ON d.id = s.deal_id AND d.deleted_at IS NULL
      JOIN orgs o ON o.id = s.org_id
     WHERE s.due IS NOT NULL
     GROUP BY 1, 2
    HAVING sum(s.sgn) <> 0
    ON CONFLICT (org_id, due_hour) DO UPDATE SET n = r.n + EXCLUDED.n
    RETURNING r.org_id, r.due_hour, r.n)
  SELECT array_agg(org_id), array_agg(due_hour) INTO orgs_, hours_ FROM up WHERE n = 0;
  IF orgs_ IS NOT NULL THEN PERFORM sb_deal_deliverable_hours_prune(orgs_, hours_); END IF;
  RETURN NULL;
END $$;

-- Writers wait while the tables are filled, so the triggers and the backfill agree.
LOCK TABLE deals, payments, deliverables IN SHARE MODE;

CREATE TRIGGER deals_aggregates_insert AFTER INSERT ON deals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_deals_aggregates_trigger();
CREATE TRIGGER deals_aggregates_update AFTER UPDATE ON deals
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_deals_aggregates_trigger();
CREATE TRIGGER deals_aggregates_delete AFTER DELETE ON deals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_deals_aggregates_trigger();
CREATE TRIGGER deals_aggregates_purge BEFORE DELETE ON deals
  FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION sb_deals_aggregates_purge();
CREATE TRIGGER payments_aggregates_insert AFTER INSERT ON payments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_payments_aggregates_trigger();
CREATE TRIGGER payments_aggregates_update AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_payments_aggregates_trigger();
CREATE TRIGGER payments_aggregates_delete AFTER DELETE ON payments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_payments_aggregates_trigger();
CREATE TRIGGER deliverables_aggregates_insert AFTER INSERT ON deliverables
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_deliverables_aggregates_trigger();
CREATE TRIGGER deliverables_aggregates_update AFTER UPDATE ON deliverables
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_deliverables_aggregates_trigger();
CREATE TRIGGER deliverables_aggregates_delete AFTER DELETE ON deliverables
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_deliverables_aggregates_trigger();

-- Backfill: the same conditions as the triggers.
INSERT INTO deal_stage_totals (org_id, stage, currency, n, value_minor)
SELECT org_id, stage, currency, count(*), sum(value_minor)
  FROM deals WHERE deleted_at IS NULL AND NOT archived GROUP BY 1, 2, 3;
INSERT INTO deal_open_payment_days (org_id, expected_at, currency, n, open_minor)
SELECT p.org_id, p.expected_at, p.currency, count(*), sum(p.amount_minor - p.paid_minor)
  FROM payments p JOIN deals d ON d.id = p.deal_id AND d.deleted_at IS NULL
 WHERE p.status <> 'paid' AND p.deleted_at IS NULL AND p.paid_minor < p.amount_minor
   AND p.expected_at IS NOT NULL
 GROUP BY 1, 2, 3;
INSERT INTO deal_open_deliverable_hours (org_id, due_hour, n)
SELECT v.org_id, date_trunc('hour', CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at
                                         ELSE v.posting_window_end END, 'UTC'), count(*)
  FROM deliverables v JOIN deals d ON d.id = v.deal_id AND d.deleted_at IS NULL
 WHERE v.posted_at IS NULL AND v.deleted_at IS NULL
   AND CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END IS NOT NULL
 GROUP BY 1, 2;

ALTER TABLE deal_stage_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_stage_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY deal_stage_totals_tenant ON deal_stage_totals USING (org_id = app_org_id());
ALTER TABLE deal_open_payment_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_open_payment_days FORCE ROW LEVEL SECURITY;
CREATE POLICY deal_open_payment_days_tenant ON deal_open_payment_days USING (org_id = app_org_id());
ALTER TABLE deal_open_deliverable_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_open_deliverable_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY deal_open_deliverable_hours_tenant ON deal_open_deliverable_hours USING (org_id = app_org_id());

REVOKE ALL ON deal_stage_totals, deal_open_payment_days, deal_open_deliverable_hours FROM PUBLIC;
GRANT SELECT ON deal_stage_totals, deal_open_payment_days, deal_open_deliverable_hours TO switchboard_app;
REVOKE ALL ON FUNCTION sb_deal_payment_days_prune(uuid[], date[], text[]),
  sb_deal_deliverable_hours_prune(uuid[], timestamptz[]), sb_deal_children_apply(uuid[], integer),
  sb_deals_aggregates_trigger(), sb_deals_aggregates_purge(), sb_payments_aggregates_trigger(),
  sb_deliverables_aggregates_trigger()
  FROM PUBLIC;
