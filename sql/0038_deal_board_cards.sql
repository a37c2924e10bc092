-- 0038_deal_board_cards.sql — the board's cards from one index, without a brand
-- lookup per card (docs/ARCHITECTURE.md, "Deal pages: forecast and board"); and the
-- analytics' top numbers without unnesting block rows that cannot count (at the end).
--
-- The board showed 240 cards, each joined to its brand for the name: 240 index probes
-- into brands (distinct brands almost every time), about half of the statement, plus a
-- heap visit per card. Now each deal carries its brand's name, kept by the triggers
-- below in the same transaction as the write, and deals_org_board_idx holds every
-- column a card shows, so the cards are an index-only scan of a few leaf pages per
-- stage.

ALTER TABLE deals ADD COLUMN brand_name text;
-- What a card shows of the next action (up to 500 characters): a card is narrow, and
-- an index row has at most 2,700 bytes; one more character than shown tells the
-- board that the text goes on (src/app/deals/deals.c, BOARD_NEXT_CHARS).
ALTER TABLE deals ADD COLUMN next_action_card text GENERATED ALWAYS AS (left(next_action, 81)) STORED;

-- The name a deal carries is its brand's, read when the deal is written with another
-- brand (or another name, which only the rename below does). FOR SHARE waits for a
-- rename of that brand in progress and then reads the renamed row, so a deal written
-- during a rename cannot keep the old name: the rename's own UPDATE below does not see
-- a deal not yet committed. Only a change of brand (or name) locks: a deal edited
-- while its brand is renamed is one the rename also updates, and locking the brand
-- after the deal, when the rename locked the brand first, would deadlock.
CREATE FUNCTION sb_deal_brand_name() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  SELECT b.name INTO NEW.brand_name FROM brands b WHERE b.org_id = NEW.org_id AND b.id = NEW.brand_id FOR SHARE;
  RETURN NEW;
END $$;

-- A renamed brand renames its deals (soft-deleted and archived ones too: the name is
-- the brand's wherever the deal shows).
CREATE FUNCTION sb_brand_renamed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  UPDATE deals SET brand_name = NEW.name WHERE org_id = NEW.org_id AND brand_id = NEW.id;
  RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION sb_deal_brand_name(), sb_brand_renamed() FROM PUBLIC;

-- Writers wait while the names are filled, so the triggers and the backfill agree.
LOCK TABLE brands, deals IN SHARE ROW EXCLUSIVE MODE;

-- The totals' trigger (0017) is off for the backfill: a name counts nowhere, and its
-- check of old against new rows, unplanned for 100,000 rows, ran for many minutes.
ALTER TABLE deals DISABLE TRIGGER deals_aggregates_update;
UPDATE deals d SET brand_name = b.name FROM brands b WHERE b.org_id = d.org_id AND b.id = d.brand_id;
ALTER TABLE deals ENABLE TRIGGER deals_aggregates_update;
ALTER TABLE deals ALTER COLUMN brand_name SET NOT NULL;

CREATE TRIGGER deals_brand_name_insert BEFORE INSERT ON deals
  FOR EACH ROW EXECUTE FUNCTION sb_deal_brand_name();
CREATE TRIGGER deals_brand_name_update BEFORE UPDATE OF brand_id, brand_name ON deals
  FOR EACH ROW WHEN (NEW.brand_id IS DISTINCT FROM OLD.brand_id OR NEW.brand_name IS DISTINCT FROM OLD.brand_name)
  EXECUTE FUNCTION sb_deal_brand_name();
CREATE TRIGGER brands_renamed AFTER UPDATE OF name ON brands
  FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION sb_brand_renamed();

-- The same key and rows as before (0014), with every column a card shows: the board
-- reads the cards from the index alone, and the overview's pipeline as before. At
-- most about 2,000 bytes a row (title and brand name 200 characters each, 81 of the
-- next action), under the 2,700 a btree row may have.
DROP INDEX deals_org_board_idx;
CREATE INDEX deals_org_board_idx ON deals (org_id, stage, updated_at DESC, id DESC)
  INCLUDE (currency, value_minor, title, brand_name, risk_level, next_action_card, next_action_due_at, version)
  WHERE deleted_at IS NULL AND NOT archived;


-- Top numbers (0023): a block row with exactly kth calls counts kth in the range only
-- when every one of its days lies in the range (each listed day has a call); one with
-- a day outside counts fewer and is dropped before its days are unnested. Over 20
-- days in the middle of the bench data, 745 of the 888 rows counted had n = kth, and
-- unnesting their days was half of the function's time. Otherwise as in 0023.
CREATE OR REPLACE FUNCTION sb_call_top_numbers(p_org_id uuid, p_from date, p_to date, p_k integer)
RETURNS TABLE (number text, n bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  lvl smallint;
  blk integer;
  kth bigint;
BEGIN
  SELECT l.level, sb_floor_div(p_from - date '2000-01-01', l.stride) INTO lvl, blk
    FROM sb_call_block_levels() l
   WHERE sb_floor_div(p_from - date '2000-01-01', l.stride) * l.stride + l.length - 1 >= p_to - date '2000-01-01'
   ORDER BY l.length LIMIT 1;
  IF NOT FOUND THEN
    RETURN QUERY
      SELECT r.number, sum(r.n)::bigint FROM call_rollup_numbers r
       WHERE r.org_id = p_org_id AND r.day BETWEEN p_from AND p_to
       GROUP BY r.number HAVING sum(r.n) >= 2 ORDER BY 2 DESC, 1 LIMIT p_k;
    RETURN;
  END IF;
  -- A row whose days all lie in the range counts n, without unnesting its days.
  SELECT greatest(2, coalesce(min(h.c), 2)) INTO kth
    FROM (SELECT c FROM (SELECT CASE WHEN b.days[1] >= p_from AND b.days[cardinality(b.days)] <= p_to THEN b.n
                                     ELSE (SELECT coalesce(sum(u.c), 0) FROM unnest(b.days, b.counts) u(d, c)
                                            WHERE u.d BETWEEN p_from AND p_to) END AS c
                           FROM call_rollup_number_blocks b
                          WHERE b.org_id = p_org_id AND b.level = lvl AND b.block = blk
                          ORDER BY b.n DESC LIMIT 10 * p_k) x
           ORDER BY c DESC LIMIT p_k) h
   HAVING count(*) = p_k;
  kth := coalesce(kth, 2);
  RETURN QUERY
    SELECT x.number, x.c FROM (
      SELECT b.number, CASE WHEN b.days[1] >= p_from AND b.days[cardinality(b.days)] <= p_to THEN b.n
                            ELSE (SELECT coalesce(sum(u.c), 0) FROM unnest(b.days, b.counts) u(d, c)
                                   WHERE u.d BETWEEN p_from AND p_to)::bigint END AS c
        FROM call_rollup_number_blocks b
       WHERE b.org_id = p_org_id AND b.level = lvl AND b.block = blk AND b.n >= kth
         AND (b.n > kth OR (b.days[1] >= p_from AND b.days[cardinality(b.days)] <= p_to))) x
     WHERE x.c >= kth ORDER BY x.c DESC, x.number LIMIT p_k;
END $$;
