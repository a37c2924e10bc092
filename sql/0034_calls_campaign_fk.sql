-- 0034_calls_campaign_fk.sql — calls.campaign_id gets its foreign key (docs/CAMPAIGNS.md,
-- "Launch").

-- Ids that name no campaign of the call's org (written before the key existed) say
-- nothing true: they are cleared, not guessed at, so the key validates.
UPDATE calls c SET campaign_id = NULL
 WHERE c.campaign_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM campaigns k WHERE k.org_id = c.org_id AND k.id = c.campaign_id);

-- (org_id, campaign_id): a call can only name a campaign of its own org. A deleted
-- campaign (only a draft can be deleted, and an org's deletion takes its calls with
-- it) leaves its calls in Calls, unlinked: SET NULL of campaign_id alone, never of
-- org_id (PostgreSQL 15's column list). The validation scans calls once, here, inside
-- the migration; afterwards a call insert with no campaign costs the RI trigger's
-- early return only (MATCH SIMPLE: a NULL column is not checked).
ALTER TABLE calls ADD CONSTRAINT calls_campaign_fk FOREIGN KEY (org_id, campaign_id)
  REFERENCES campaigns (org_id, id) ON DELETE SET NULL (campaign_id);

-- Deleting a campaign looks its calls up by (org_id, campaign_id), deleted calls
-- included, which calls_org_campaign_idx (live calls only) cannot answer. Small: most
-- calls have no campaign.
CREATE INDEX calls_campaign_fk_idx ON calls (org_id, campaign_id) WHERE campaign_id IS NOT NULL;

