-- 0039_campaign_page.sql — what the campaign page reads every couple of seconds while
-- a campaign runs (docs/CAMPAIGNS.md, "The campaign page"), from indexes alone rather
-- than from the message rows.
--
-- Each index leads with org_id: the tenant condition (the query's and the row-level
-- security policy's, org_id = app_org_id()) is then an index condition, evaluated
-- once, and the scan can be index-only. 0032's stats index lacked org_id, so the
-- counts read every row of the campaign from the heap (a sequential scan of 200,000
-- messages, measured): it is replaced.
DROP INDEX campaign_messages_stats_idx;
CREATE INDEX campaign_messages_stats_idx ON campaign_messages (org_id, campaign_id, channel, state)
  INCLUDE (replied_at);

-- Errors by reason: the failed and skipped messages per channel, state and reason.
CREATE INDEX campaign_messages_problems_idx ON campaign_messages (org_id, campaign_id, channel, state, reason)
  WHERE state IN ('failed', 'skipped');

-- The latest replies: the campaign's replied messages, then their replies through
-- message_replies_message_idx; a campaign of a million messages reads only the few
-- that were answered.
CREATE INDEX campaign_messages_replied_idx ON campaign_messages (org_id, campaign_id, replied_at DESC)
  WHERE replied_at IS NOT NULL;
