-- Delivery reports: when the Gateway last changed a code's delivery status, so that an older
-- report (the Gateway retries them) never overwrites a newer status. Unix seconds; NULL until
-- a report or a status poll said when.
ALTER TABLE verifications ADD COLUMN delivery_updated_at INTEGER;
