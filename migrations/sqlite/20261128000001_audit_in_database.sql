-- The audit rows of a send and of a code check are written by the database itself, inside the
-- statement that records the send or the check: no code path can record either without its
-- audit row, and the bot saves a transaction's worth of round trips on every one of them.
CREATE TRIGGER audit_send AFTER UPDATE OF sent_at ON verifications
WHEN NEW.sent_at IS NOT NULL AND OLD.sent_at IS NULL
BEGIN
    INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail)
    VALUES (NEW.sent_at, NEW.staff_user_id, 'send', NEW.id, NEW.phone, NEW.request_cost, NULL);
END;

CREATE TRIGGER audit_check AFTER UPDATE OF attempts ON verifications
WHEN NEW.attempts = OLD.attempts + 1
BEGIN
    INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail)
    VALUES (NEW.checked_at, NEW.staff_user_id, 'check', NEW.id, NEW.phone, NULL,
            NEW.verification_status);
END;
