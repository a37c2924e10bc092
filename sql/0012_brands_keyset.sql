-- 0012_brands_keyset.sql — the brands list pages by keyset in name order,
-- case-insensitively, then id: (lower(name), id) > (the last row shown). This index
-- serves that order and that condition for one org's live brands, so each page is a
-- short index range scan and no sort, however deep the walk goes. The unique
-- (org_id, lower(name)) index of 0008 lacks the id, which the order and the cursor's
-- row comparison need to be exact.
CREATE INDEX brands_org_name_id_idx ON brands (org_id, lower(name), id) WHERE deleted_at IS NULL;
