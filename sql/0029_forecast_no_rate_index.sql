-- 0029_forecast_no_rate_index.sql — the forecast's "without an exchange rate" list.
-- The forecast now sums what is owed from deal_open_payment_days (0017) and reads
-- payments only for the currencies that have no rate into the org currency, oldest
-- expected first, at most 100. Without this index that list was a scan of every
-- payment of the org (650 ms at 100,000 deals when one currency of four lost its
-- rate); with it, an index range per such currency. Same predicate as
-- payments_org_unpaid_due_idx (0008): queries must repeat it to use the index.
CREATE INDEX payments_org_unpaid_currency_idx ON payments (org_id, currency, expected_at, id)
  WHERE status <> 'paid' AND deleted_at IS NULL;
