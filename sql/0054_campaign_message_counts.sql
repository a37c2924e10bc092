-- 0054_campaign_message_counts.sql — a campaign's message counts kept by the writes,
-- so the campaign page, its stats JSON and the overview read a few rows instead of an
-- index entry per message (docs/CAMPAIGNS.md, "Cost of a poll").
--
-- campaign_message_counts holds, per campaign, channel and state, how many messages
-- are in that state (n) and how many of them were replied to (replied). Statement-level
-- triggers with transition tables add each statement's difference, grouped, so a batch
-- of 2,000 messages moving from queued to sent is two row updates. Concurrent writers
-- (the pool's workers applying callbacks, the job workers recording batches) would
-- queue on one hot row per campaign and state until commit; each backend writes its
-- own slot instead (its pid modulo 16), and readers sum the slots. A count is the sum
-- of its slots; a slot may go negative, the sum never does.
--
-- The counts follow the campaign: a message deleted with its campaign (or its contact)
-- is not counted back into a campaign that is gone (every statement joins campaigns,
-- as 0017's aggregates join their parents). Privileges as 0017: row-level security
-- forced with the org policy, SELECT only for the application role; the trigger
-- function is SECURITY DEFINER with a fixed search_path, executable by nobody else.

CREATE TABLE campaign_message_counts (
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  channel text NOT NULL,
  state text NOT NULL,
  slot smallint NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  replied bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, campaign_id, channel, state, slot),
  FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);

CREATE FUNCTION sb_campaign_message_counts_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- An update that moves nothing counted (a claim, a lease, an attempt) writes nothing.
  IF NOT EXISTS (
    SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.campaign_id, o.channel, o.state, o.replied_at IS NULL)
           IS DISTINCT FROM (n.campaign_id, n.channel, n.state, n.replied_at IS NULL)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO campaign_message_counts AS c (org_id, campaign_id, channel, state, slot, n, replied)
  SELECT d.org_id, d.campaign_id, d.channel, d.state, (pg_backend_pid() % 16)::smallint, sum(d.sgn),
         coalesce(sum(d.sgn) FILTER (WHERE d.replied), 0)
    FROM (SELECT o.org_id, o.campaign_id, o.channel, o.state, o.replied_at IS NOT NULL AS replied, -1 AS sgn
            FROM old_rows o
          UNION ALL
          SELECT n.org_id, n.campaign_id, n.channel, n.state, n.replied_at IS NOT NULL, 1
            FROM new_rows n) d
    JOIN campaigns k ON k.org_id = d.org_id AND k.id = d.campaign_id
   GROUP BY 1, 2, 3, 4
  HAVING sum(d.sgn) <> 0 OR coalesce(sum(d.sgn) FILTER (WHERE d.replied), 0) <> 0
  ON CONFLICT (org_id, campaign_id, channel, state, slot) DO UPDATE SET
    n = c.n + EXCLUDED.n, replied = c.replied + EXCLUDED.replied;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION sb_campaign_message_counts_update() FROM PUBLIC;

CREATE FUNCTION sb_campaign_message_counts_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  INSERT INTO campaign_message_counts AS c (org_id, campaign_id, channel, state, slot, n, replied)
  SELECT n.org_id, n.campaign_id, n.channel, n.state, (pg_backend_pid() % 16)::smallint, count(*), count(n.replied_at)
    FROM new_rows n JOIN campaigns k ON k.org_id = n.org_id AND k.id = n.campaign_id
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (org_id, campaign_id, channel, state, slot) DO UPDATE SET
    n = c.n + EXCLUDED.n, replied = c.replied + EXCLUDED.replied;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION sb_campaign_message_counts_insert() FROM PUBLIC;

CREATE FUNCTION sb_campaign_message_counts_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  INSERT INTO campaign_message_counts AS c (org_id, campaign_id, channel, state, slot, n, replied)
  SELECT o.org_id, o.campaign_id, o.channel, o.state, (pg_backend_pid() % 16)::smallint, -count(*), -count(o.replied_at)
    FROM old_rows o JOIN campaigns k ON k.org_id = o.org_id AND k.id = o.campaign_id
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (org_id, campaign_id, channel, state, slot) DO UPDATE SET
    n = c.n + EXCLUDED.n, replied = c.replied + EXCLUDED.replied;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION sb_campaign_message_counts_delete() FROM PUBLIC;

CREATE TRIGGER campaign_message_counts_insert AFTER INSERT ON campaign_messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_campaign_message_counts_insert();
CREATE TRIGGER campaign_message_counts_update AFTER UPDATE ON campaign_messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sb_campaign_message_counts_update();
CREATE TRIGGER campaign_message_counts_delete AFTER DELETE ON campaign_messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sb_campaign_message_counts_delete();

-- The campaigns there are, counted once.
INSERT INTO campaign_message_counts (org_id, campaign_id, channel, state, slot, n, replied)
SELECT org_id, campaign_id, channel, state, 0, count(*), count(replied_at)
  FROM campaign_messages GROUP BY 1, 2, 3, 4;

ALTER TABLE campaign_message_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_message_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY campaign_message_counts_tenant ON campaign_message_counts USING (org_id = app_org_id());
REVOKE ALL ON campaign_message_counts FROM PUBLIC;
GRANT SELECT ON campaign_message_counts TO switchboard_app;
