-- 0034_calls_campaign_fk.sql — calls.campaign_id gets its foreign key (docs/CAMPAIGNS.md,
-- "Launch"), and the org-level per-provider send limits shared by all of an org's
-- campaigns (docs/CAMPAIGNS.md, "Provider limits").

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

-- Provider limits: an org's Twilio account (its numbers) and its SendGrid account each
-- take so many requests a second, whatever campaigns share them. Defaults are the
-- cautious real ones: a US long code sends about one SMS a second (Twilio queues the
-- excess, late); SendGrid takes far more, 100 a second keeps a new account's
-- reputation safe. A short code or a messaging service is raised with `org set`.
ALTER TABLE orgs
  ADD COLUMN twilio_rate_per_s integer NOT NULL DEFAULT 1 CHECK (twilio_rate_per_s BETWEEN 1 AND 10000),
  ADD COLUMN sendgrid_rate_per_s integer NOT NULL DEFAULT 100 CHECK (sendgrid_rate_per_s BETWEEN 1 AND 10000);

-- The pace per org and provider (GCRA): next_at is the first free sending slot. A
-- claim locks the row, takes slots from max(next_at, now()) on, one per 1/rate
-- seconds, and moves next_at past them; the sender starts each request at its slot's
-- time. One row shared by every campaign and every worker of the org.
CREATE TABLE provider_pace (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('twilio', 'sendgrid')),
  next_at timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (org_id, provider)
);
ALTER TABLE provider_pace ENABLE ROW LEVEL SECURITY;
ALTER TABLE provider_pace FORCE ROW LEVEL SECURITY;
CREATE POLICY provider_pace_tenant ON provider_pace
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON provider_pace FROM PUBLIC;
GRANT SELECT ON provider_pace TO switchboard_app;

-- A campaign's own pace may now go up to 2,000 a second: the provider limits above
-- are what an account can take; a campaign's rate only spreads it out.
ALTER TABLE campaigns DROP CONSTRAINT campaigns_rate_per_minute_check,
  ADD CONSTRAINT campaigns_rate_per_minute_check CHECK (rate_per_minute BETWEEN 1 AND 120000);
