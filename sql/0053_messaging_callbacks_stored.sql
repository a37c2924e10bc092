-- 0053_messaging_callbacks_stored.sql — the campaign messages' provider callbacks
-- (Twilio SMS status and inbound SMS, SendGrid's event webhook) are kept as they came
-- in webhook_events, like the call webhooks: verified, applied in the same
-- transaction (so stored with applied_at set, and the applying worker leaves them
-- alone), keyed so that a provider's retry is the same row. SendGrid becomes a
-- provider there.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_provider_check,
  ADD CONSTRAINT webhook_events_provider_check CHECK (provider IN ('vapi', 'twilio', 'sendgrid'));
