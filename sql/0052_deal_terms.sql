-- 0052_deal_terms.sql — a deal's affiliate and performance terms (docs/DEALS.md,
-- "Affiliate and performance terms"): a commission rate in basis points (0 to 100%),
-- a tracking URL (https only), and a performance bonus: its condition and amount (in
-- the deal's currency, both or neither), and when and by whom it was marked earned.
-- Marking it earned adds a payment of kind 'bonus' for the amount, and that payment is
-- how a bonus reaches the forecast: never before it is earned.
ALTER TABLE deals
  ADD COLUMN commission_rate_bp integer CHECK (commission_rate_bp BETWEEN 0 AND 10000),
  ADD COLUMN tracking_url text CHECK (length(tracking_url) BETWEEN 9 AND 2048 AND tracking_url LIKE 'https://%'),
  ADD COLUMN bonus_condition text CHECK (length(bonus_condition) BETWEEN 1 AND 500),
  ADD COLUMN bonus_minor bigint CHECK (bonus_minor > 0),
  ADD COLUMN bonus_earned_at timestamptz,
  ADD COLUMN bonus_earned_by uuid,
  ADD CONSTRAINT deals_bonus_check CHECK ((bonus_condition IS NULL) = (bonus_minor IS NULL)),
  ADD CONSTRAINT deals_bonus_earned_check CHECK (bonus_earned_at IS NOT NULL OR bonus_earned_by IS NULL),
  ADD CONSTRAINT deals_bonus_earned_amount_check CHECK (bonus_earned_at IS NULL OR bonus_minor IS NOT NULL),
  ADD CONSTRAINT deals_bonus_earned_by_fkey FOREIGN KEY (org_id, bonus_earned_by)
    REFERENCES users (org_id, id) ON DELETE SET NULL (bonus_earned_by);

ALTER TABLE payments DROP CONSTRAINT payments_kind_check,
  ADD CONSTRAINT payments_kind_check CHECK (kind IN ('deposit', 'installment', 'final', 'affiliate_payout', 'bonus'));
