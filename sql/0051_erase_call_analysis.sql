-- 0051: a contact's erasure (0042) also clears its calls' provider analysis (0044),
-- which holds the summary and the structured data the provider extracted from the
-- conversation: personal data like the transcript. The erasure sets calls.erased_at;
-- this BEFORE trigger blanks the analysis on that update, and an erased call keeps it
-- blank whatever a late provider event writes (as sb_calls_keep_erased does for the
-- other personal columns). Sentiment label and score stay, as the rollups use them.
CREATE FUNCTION sb_calls_erase_analysis() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.analysis := NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER calls_erase_analysis BEFORE UPDATE ON calls
  FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL) EXECUTE FUNCTION sb_calls_erase_analysis();
REVOKE ALL ON FUNCTION sb_calls_erase_analysis() FROM PUBLIC;
