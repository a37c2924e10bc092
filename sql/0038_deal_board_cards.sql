-- 0038_deal_board_cards.sql — the board's cards from one index, without a brand
-- lookup per card (docs/ARCHITECTURE.md, "Deal pages: forecast and board").
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
