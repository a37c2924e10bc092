-- 0046_installments_deliverable_history.sql — installment schedules and the
-- deliverables' reschedule and feedback history (docs/DEALS.md).
--
-- Payments: how a payment is (or will be) made, and, for the payments an installment
-- schedule generated, their place in it ("2 of 4"). Generated payments are ordinary
-- payments: status, the overdue marking, the forecast and the cash flow see no
-- difference.
ALTER TABLE payments
  ADD COLUMN method text CHECK (method IN ('bank_transfer', 'card', 'paypal', 'wise', 'stripe', 'venmo',
    'zelle', 'check', 'other')),
  ADD COLUMN installment_no integer CHECK (installment_no BETWEEN 1 AND 120),
  ADD COLUMN installment_count integer CHECK (installment_count BETWEEN 1 AND 120),
  ADD CONSTRAINT payments_installment_check CHECK ((installment_no IS NULL) = (installment_count IS NULL)
    AND (installment_no IS NULL OR installment_no <= installment_count));

ALTER TABLE deliverables ADD CONSTRAINT deliverables_org_id_id_key UNIQUE (org_id, id);

-- Every change of a deliverable's deadline (its scheduled time or the end of its
-- posting window) that had a value: the old and new instants, why, and who.
CREATE TABLE deliverable_reschedules (
  id bigserial PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deliverable_id uuid NOT NULL,
  field text NOT NULL CHECK (field IN ('scheduled_at', 'posting_window_end')),
  old_at timestamptz NOT NULL,
  new_at timestamptz, -- NULL: the date was cleared
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  actor text NOT NULL DEFAULT '' CHECK (length(actor) <= 200),
  at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, deliverable_id) REFERENCES deliverables (org_id, id) ON DELETE CASCADE
);
CREATE INDEX deliverable_reschedules_idx ON deliverable_reschedules (org_id, deliverable_id, at DESC, id DESC);

-- A submission after a rejection: its number (1, 2, ...) per deliverable, an optional
-- note, who and when. The feedback items it answers point at it.
CREATE TABLE deliverable_revisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deliverable_id uuid NOT NULL,
  revision_no integer NOT NULL CHECK (revision_no >= 1),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  actor text NOT NULL DEFAULT '' CHECK (length(actor) <= 200),
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (deliverable_id, revision_no),
  FOREIGN KEY (org_id, deliverable_id) REFERENCES deliverables (org_id, id) ON DELETE CASCADE
);

-- The items of a rejection's feedback, in the order given; answered_by is the
-- revision that says it addresses the item (NULL: still open).
CREATE TABLE deliverable_feedback (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  deliverable_id uuid NOT NULL,
  rejection_no integer NOT NULL CHECK (rejection_no >= 1),
  position integer NOT NULL CHECK (position BETWEEN 1 AND 50),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
  answered_by uuid,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  actor text NOT NULL DEFAULT '' CHECK (length(actor) <= 200),
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (deliverable_id, rejection_no, position),
  FOREIGN KEY (org_id, deliverable_id) REFERENCES deliverables (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, answered_by) REFERENCES deliverable_revisions (org_id, id) ON DELETE SET NULL (answered_by)
);
CREATE INDEX deliverable_feedback_idx ON deliverable_feedback (org_id, deliverable_id, rejection_no, position);

ALTER TABLE deliverable_reschedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliverable_reschedules FORCE ROW LEVEL SECURITY;
CREATE POLICY deliverable_reschedules_tenant ON deliverable_reschedules
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE deliverable_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliverable_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY deliverable_revisions_tenant ON deliverable_revisions
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE deliverable_feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliverable_feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY deliverable_feedback_tenant ON deliverable_feedback
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

REVOKE ALL ON deliverable_reschedules, deliverable_revisions, deliverable_feedback FROM PUBLIC;
-- History is appended, never rewritten; a feedback item only gets its answer.
GRANT SELECT, INSERT ON deliverable_reschedules, deliverable_revisions, deliverable_feedback TO switchboard_app;
GRANT UPDATE (answered_by) ON deliverable_feedback TO switchboard_app;
GRANT USAGE ON SEQUENCE deliverable_reschedules_id_seq TO switchboard_app;
