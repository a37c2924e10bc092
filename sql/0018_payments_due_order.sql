-- 0018_payments_due_order.sql — unpaid payments in (expected date, id) order.
--
-- The overview's oldest overdue and this week's payments, and the forecast, order by
-- expected_at, id. 0008's index (org_id, expected_at) gave the date order only, so each
-- date's payments were read and sorted before the first five could be taken. With id
-- in the key the scan stops after the rows it returns. Same name, same predicate.
DROP INDEX payments_org_unpaid_due_idx;
CREATE INDEX payments_org_unpaid_due_idx ON payments (org_id, expected_at, id)
  WHERE status <> 'paid' AND deleted_at IS NULL;
