-- 0045_deal_notes_benchmarks.sql — notes on a deal, and the index of the rate benchmarks
-- (docs/DEALS.md).
-- Notes: who wrote them and when. Adding, editing and removing a note also writes a deal_history row (entity 'deal',
-- field 'note'), so the deal's change history shows them.

CREATE TABLE deal_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deal_id uuid NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
  -- NULL for a note written with an API key (author_name is then the key's name).
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  author_name text NOT NULL DEFAULT '' CHECK (length(author_name) <= 200),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The deal page and GET /api/v1/deals/{id}/notes: newest first.
CREATE INDEX deal_notes_deal_idx ON deal_notes (org_id, deal_id, created_at DESC, id DESC);

ALTER TABLE deal_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY deal_notes_tenant ON deal_notes USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
REVOKE ALL ON deal_notes FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON deal_notes TO switchboard_app;

-- Rate benchmarks (src/app/deals/benchmarks.c) start from the deals having a live
-- deliverable of one type and platform; without this they scan every deliverable of
-- the org.
CREATE INDEX deliverables_org_type_platform_idx ON deliverables (org_id, type, platform, deal_id)
  WHERE deleted_at IS NULL;
