-- 0008_deals.sql — brands, deals, deliverables, payments, FX rates and the per-field
-- deal history. Money is integer minor units plus a currency code; windows cannot end
-- before they start; every enum is a CHECK; every list filter and order has its index.
-- Deals, deliverables, payments and brands are soft-deleted (deleted_at): the
-- application role gets no DELETE on them, and an admin's purge goes through
-- sb_deal_purge(), which insists on an admin and an already soft-deleted deal.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Supported currencies in one place, so adding one is one ALTER DOMAIN. All have two
-- decimals today (src/domain/money.c keeps the exponent per currency).
CREATE DOMAIN currency_code AS char(3) CHECK (VALUE IN ('USD', 'EUR', 'GBP', 'INR'));

-- Tags, categories, aliases: at most 50 labels of 1..50 trimmed characters each.
CREATE FUNCTION deal_labels_ok(a text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT cardinality(a) <= 50
     AND coalesce((SELECT bool_and(t IS NOT NULL AND length(t) BETWEEN 1 AND 50 AND t = btrim(t))
                     FROM unnest(a) t), true)
$$;

-- Composite foreign keys (org_id, x_id) below keep every reference inside one tenant,
-- even if a query forgot its org filter; they need (org_id, id) to be unique.
ALTER TABLE users ADD CONSTRAINT users_org_id_id_key UNIQUE (org_id, id);

CREATE TABLE brands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name = btrim(name)),
  aliases text[] NOT NULL DEFAULT '{}' CHECK (deal_labels_ok(aliases)),
  -- [{name, role, email, phone, handle}]: a brand's people, shown and edited together.
  contacts jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(contacts) = 'array'),
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX brands_org_name_key ON brands (org_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX brands_name_trgm_idx ON brands USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL;

CREATE TABLE deals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200 AND title = btrim(title)),
  brand_id uuid NOT NULL,
  owner_id uuid,
  stage text NOT NULL DEFAULT 'inbound' CHECK (stage IN ('inbound', 'negotiating', 'contracted',
    'in_progress', 'delivered', 'invoiced', 'paid', 'lost')),
  contract_status text NOT NULL DEFAULT 'none' CHECK (contract_status IN ('none', 'requested',
    'drafted', 'sent', 'signed', 'terminated')),
  deal_type text NOT NULL DEFAULT 'fixed' CHECK (deal_type IN ('fixed', 'affiliate',
    'performance_bonus', 'hybrid')),
  value_minor bigint NOT NULL DEFAULT 0 CHECK (value_minor >= 0),
  currency currency_code NOT NULL,
  usage_rights_start date,
  usage_rights_end date,
  -- Exclusivity: one clause per deal (category, platforms, inclusive date window);
  -- either all of it or none of it.
  exclusivity_category text CHECK (length(exclusivity_category) BETWEEN 1 AND 100),
  exclusivity_platforms text[] NOT NULL DEFAULT '{}'
    CHECK (exclusivity_platforms <@ ARRAY['instagram', 'youtube', 'tiktok', 'other']),
  exclusivity_start date,
  exclusivity_end date,
  revision_limit integer CHECK (revision_limit BETWEEN 0 AND 1000), -- NULL: no limit agreed
  revisions_used integer NOT NULL DEFAULT 0 CHECK (revisions_used BETWEEN 0 AND 1000),
  revision_extra_fee_minor bigint NOT NULL DEFAULT 0 CHECK (revision_extra_fee_minor >= 0),
  next_action text NOT NULL DEFAULT '' CHECK (length(next_action) <= 500),
  next_action_due_at timestamptz,
  -- Computed by src/domain/risk.c whenever the deal or its children change.
  risk_level text NOT NULL DEFAULT 'low' CHECK (risk_level IN ('low', 'med', 'high')),
  risk_reasons text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}' CHECK (deal_labels_ok(tags)),
  categories text[] NOT NULL DEFAULT '{}' CHECK (deal_labels_ok(categories)),
  -- nonce(12) || ciphertext || tag(16), sealed by the application (secretbox) with the
  -- context "deal:<id>:affiliate_code"; never plaintext, so never shorter than 29 bytes.
  affiliate_code_sealed bytea CHECK (octet_length(affiliate_code_sealed) BETWEEN 29 AND 1024),
  archived boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, brand_id) REFERENCES brands (org_id, id),
  FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) ON DELETE SET NULL (owner_id),
  CONSTRAINT deals_usage_rights_window_check CHECK (usage_rights_end IS NULL OR usage_rights_start IS NULL OR usage_rights_end >= usage_rights_start),
  CONSTRAINT deals_exclusivity_check CHECK ((exclusivity_category IS NULL AND exclusivity_start IS NULL AND exclusivity_end IS NULL
          AND cardinality(exclusivity_platforms) = 0)
      OR (exclusivity_category IS NOT NULL AND exclusivity_start IS NOT NULL AND exclusivity_end IS NOT NULL
          AND cardinality(exclusivity_platforms) >= 1 AND exclusivity_end >= exclusivity_start))
);

-- /deals keyset orders: recently updated (default) and by value; both serve the
-- min_value/max_value range too.
CREATE INDEX deals_org_updated_idx ON deals (org_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX deals_org_value_idx ON deals (org_id, value_minor DESC, id DESC) WHERE deleted_at IS NULL;
-- Equality filters, each followed by the default order so a filtered page is one range scan.
CREATE INDEX deals_org_stage_idx ON deals (org_id, stage, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX deals_org_brand_idx ON deals (org_id, brand_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX deals_org_owner_idx ON deals (org_id, owner_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX deals_org_risk_idx ON deals (org_id, risk_level, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
-- due_before (next action due) and the overview's "next actions overdue".
CREATE INDEX deals_org_next_due_idx ON deals (org_id, next_action_due_at)
  WHERE next_action_due_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX deals_tags_idx ON deals USING gin (tags) WHERE deleted_at IS NULL;
CREATE INDEX deals_title_trgm_idx ON deals USING gin (title gin_trgm_ops) WHERE deleted_at IS NULL;
-- Exclusivity conflict candidates: the org's other active deals in the same category.
CREATE INDEX deals_org_exclusivity_idx ON deals (org_id, lower(exclusivity_category), exclusivity_start, exclusivity_end)
  WHERE exclusivity_category IS NOT NULL AND deleted_at IS NULL AND NOT archived AND stage NOT IN ('lost', 'paid');

CREATE TABLE deliverables (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deal_id uuid NOT NULL,
  platform text NOT NULL CHECK (platform IN ('instagram', 'youtube', 'tiktok', 'other')),
  type text NOT NULL CHECK (type IN ('post', 'reel', 'story', 'short', 'video', 'live', 'other')),
  quantity integer NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 1000),
  scheduled_at timestamptz,
  posting_window_start timestamptz,
  posting_window_end timestamptz,
  posted_at timestamptz,
  post_url text CHECK (post_url ~ '^https?://[^\s]+$' AND length(post_url) <= 2048),
  approval_status text NOT NULL DEFAULT 'pending_submission' CHECK (approval_status IN
    ('pending_submission', 'submitted', 'approved', 'rejected')),
  submitted_at timestamptz,
  approved_at timestamptz,
  rejection_reason text CHECK (length(rejection_reason) BETWEEN 1 AND 2000),
  sla_hours integer CHECK (sla_hours BETWEEN 1 AND 8760),
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
  CONSTRAINT deliverables_posting_window_check CHECK (posting_window_end IS NULL OR posting_window_start IS NULL OR posting_window_end >= posting_window_start),
  CONSTRAINT deliverables_post_url_posted_check CHECK (post_url IS NULL OR posted_at IS NOT NULL),
  -- A rejection always says why.
  CONSTRAINT deliverables_rejected_reason_check CHECK ((approval_status = 'rejected') = (rejection_reason IS NOT NULL))
);
CREATE INDEX deliverables_deal_idx ON deliverables (deal_id, scheduled_at) WHERE deleted_at IS NULL;
-- Late and due-soon deliverables (overview): the deadline is the posting window's end,
-- else the scheduled time (src/domain/deadline.c uses the same rule).
CREATE INDEX deliverables_org_due_idx ON deliverables (org_id, (coalesce(posting_window_end, scheduled_at)))
  WHERE posted_at IS NULL AND deleted_at IS NULL;

CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deal_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('deposit', 'installment', 'final', 'affiliate_payout')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency currency_code NOT NULL,
  expected_at date,
  invoice_sent_at timestamptz,
  paid_at timestamptz,
  -- Stored status; "overdue" is also derived at read time from expected_at and the
  -- org's today (src/domain/payment_status.c), so a stored value is never stale for long.
  status text NOT NULL DEFAULT 'expected' CHECK (status IN ('expected', 'sent', 'paid', 'overdue', 'partial')),
  paid_minor bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  fees_minor bigint NOT NULL DEFAULT 0 CHECK (fees_minor >= 0),
  tax_withheld_minor bigint NOT NULL DEFAULT 0 CHECK (tax_withheld_minor >= 0),
  net_minor bigint GENERATED ALWAYS AS (amount_minor - fees_minor - tax_withheld_minor) STORED,
  -- Conversion to the org currency: the rate (quote per 1 unit of `currency`, 8
  -- decimals like src/domain/fx.c), the rate's date and the result; all or none.
  fx_rate numeric(18, 8) CHECK (fx_rate > 0),
  fx_rate_date date,
  org_currency currency_code,
  amount_org_minor bigint CHECK (amount_org_minor >= 0),
  disputed boolean NOT NULL DEFAULT false,
  dispute_reason text CHECK (length(dispute_reason) BETWEEN 1 AND 2000),
  dispute_opened_at timestamptz,
  dispute_resolved_at timestamptz,
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
  CONSTRAINT payments_deductions_check CHECK (fees_minor + tax_withheld_minor <= amount_minor),
  CONSTRAINT payments_paid_check CHECK (status <> 'paid' OR (paid_at IS NOT NULL AND paid_minor >= amount_minor)),
  CONSTRAINT payments_partial_check CHECK (status <> 'partial' OR (paid_minor > 0 AND paid_minor < amount_minor)),
  CONSTRAINT payments_fx_check CHECK ((fx_rate IS NULL) = (fx_rate_date IS NULL) AND (fx_rate IS NULL) = (org_currency IS NULL)
     AND (fx_rate IS NULL) = (amount_org_minor IS NULL)),
  -- Open dispute: opened and not resolved; a resolved one keeps both dates, in order.
  CONSTRAINT payments_dispute_open_check CHECK (NOT disputed OR (dispute_opened_at IS NOT NULL AND dispute_resolved_at IS NULL)),
  CONSTRAINT payments_dispute_resolved_check CHECK (dispute_resolved_at IS NULL OR (dispute_opened_at IS NOT NULL AND dispute_resolved_at >= dispute_opened_at)),
  CONSTRAINT payments_dispute_has_reason_check CHECK (dispute_opened_at IS NULL OR dispute_reason IS NOT NULL)
);
CREATE INDEX payments_deal_idx ON payments (deal_id, expected_at) WHERE deleted_at IS NULL;
-- Due this week, overdue and the forecast: unpaid payments by expected date. Queries
-- must repeat this predicate (status <> 'paid' AND deleted_at IS NULL) to use it.
CREATE INDEX payments_org_unpaid_due_idx ON payments (org_id, expected_at)
  WHERE status <> 'paid' AND deleted_at IS NULL;
CREATE INDEX payments_org_disputed_idx ON payments (org_id, dispute_opened_at) WHERE disputed AND deleted_at IS NULL;

-- Rates entered or fetched per org: `rate` units of quote per 1 unit of base.
CREATE TABLE fx_rates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  base currency_code NOT NULL,
  quote currency_code NOT NULL,
  rate numeric(18, 8) NOT NULL CHECK (rate > 0),
  as_of date NOT NULL,
  source text NOT NULL DEFAULT 'manual' CHECK (length(source) BETWEEN 1 AND 50),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fx_rates_distinct_check CHECK (base <> quote),
  UNIQUE (org_id, base, quote, as_of)
);
-- The unique constraint's index also answers "latest rate on or before a day".

-- One row per changed field of a deal, deliverable, payment or brand. Append-only and
-- without a foreign key to the entity, so the history outlives a purge.
CREATE TABLE deal_history (
  id bigserial PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deal_id uuid, -- the deal a deliverable or payment belongs to; NULL for brands
  entity text NOT NULL CHECK (entity IN ('deal', 'deliverable', 'payment', 'brand')),
  entity_id uuid NOT NULL,
  action text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore', 'purge')),
  field text NOT NULL DEFAULT '' CHECK (length(field) <= 64),
  old_value text,
  new_value text,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  actor text NOT NULL DEFAULT '' CHECK (length(actor) <= 200),
  ip text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT deal_history_deal_check CHECK (entity = 'brand' OR deal_id IS NOT NULL)
);
CREATE INDEX deal_history_deal_idx ON deal_history (org_id, deal_id, at DESC, id DESC) WHERE deal_id IS NOT NULL;
CREATE INDEX deal_history_entity_idx ON deal_history (org_id, entity, entity_id, at DESC, id DESC);

ALTER TABLE brands ENABLE ROW LEVEL SECURITY;
ALTER TABLE brands FORCE ROW LEVEL SECURITY;
CREATE POLICY brands_tenant ON brands USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE deals ENABLE ROW LEVEL SECURITY;
ALTER TABLE deals FORCE ROW LEVEL SECURITY;
CREATE POLICY deals_tenant ON deals USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE deliverables ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliverables FORCE ROW LEVEL SECURITY;
CREATE POLICY deliverables_tenant ON deliverables USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY payments_tenant ON payments USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE fx_rates ENABLE ROW LEVEL SECURITY;
ALTER TABLE fx_rates FORCE ROW LEVEL SECURITY;
CREATE POLICY fx_rates_tenant ON fx_rates USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE deal_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE deal_history FORCE ROW LEVEL SECURITY;
CREATE POLICY deal_history_tenant ON deal_history USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

-- Permanent deletion of a soft-deleted deal (its deliverables and payments go with
-- it; its history stays, with a 'purge' row). Only an admin of the current org may;
-- returns false when the deal is not found, not soft-deleted, or the user is no admin.
-- SECURITY DEFINER because the application role has no DELETE; it therefore filters
-- by app_org_id() itself (the owner bypasses row-level security).
CREATE FUNCTION sb_deal_purge(p_deal_id uuid, p_ip text, p_request_id text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_org uuid := app_org_id();
  v_user uuid := nullif(current_setting('app.user_id', true), '')::uuid;
BEGIN
  IF v_org IS NULL OR v_user IS NULL OR NOT EXISTS
     (SELECT 1 FROM users WHERE id = v_user AND org_id = v_org AND role = 'admin' AND NOT disabled) THEN
    RETURN false;
  END IF;
  DELETE FROM deals WHERE id = p_deal_id AND org_id = v_org AND deleted_at IS NOT NULL;
  IF NOT FOUND THEN RETURN false; END IF;
  INSERT INTO deal_history (org_id, deal_id, entity, entity_id, action, user_id, ip, request_id)
  VALUES (v_org, p_deal_id, 'deal', p_deal_id, 'purge', v_user, coalesce(p_ip, ''), coalesce(p_request_id, ''));
  RETURN true;
END $$;

REVOKE ALL ON brands, deals, deliverables, payments, fx_rates, deal_history FROM PUBLIC;
REVOKE ALL ON FUNCTION deal_labels_ok(text[]), sb_deal_purge(uuid, text, text) FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON brands, deals, deliverables, payments TO switchboard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON fx_rates TO switchboard_app;
GRANT SELECT, INSERT ON deal_history TO switchboard_app;
GRANT USAGE ON SEQUENCE deal_history_id_seq TO switchboard_app;
GRANT USAGE ON DOMAIN currency_code TO switchboard_app;
GRANT EXECUTE ON FUNCTION deal_labels_ok(text[]), sb_deal_purge(uuid, text, text) TO switchboard_app;
