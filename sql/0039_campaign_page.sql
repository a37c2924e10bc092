-- 0039_campaign_page.sql — what the campaign page reads every couple of seconds while
-- a campaign runs (docs/CAMPAIGNS.md, "The campaign page"), from indexes alone rather
-- than from every message row.

-- Errors by reason: the failed and skipped messages per channel, state and reason,
-- read from this index only (the counts per state read campaign_messages_stats_idx).
CREATE INDEX campaign_messages_problems_idx ON campaign_messages (campaign_id, channel, state, reason)
  WHERE state IN ('failed', 'skipped');

-- The latest replies: the campaign's replied messages, newest reply first, then their
-- replies through message_replies_message_idx; a campaign of a million messages reads
-- only the few that were answered.
CREATE INDEX campaign_messages_replied_idx ON campaign_messages (campaign_id, replied_at DESC)
  WHERE replied_at IS NOT NULL;
