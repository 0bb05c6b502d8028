-- Growth (issue #25): see the SQLite migration of the same name for the why of each part. The
-- rollup's triggers are row triggers here too, deferred to the commit (see below).

-- The staff daily limit's running total (see the SQLite migration).
CREATE TABLE staff_days (
    day           BIGINT NOT NULL,  -- created_at - created_at % 86400
    staff_user_id BIGINT NOT NULL,
    counted       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, staff_user_id)
);

CREATE TABLE activity (
    slot                BIGINT PRIMARY KEY,  -- created_at - created_at % 900
    sent                BIGINT NOT NULL DEFAULT 0,
    verified            BIGINT NOT NULL DEFAULT 0,
    failed              BIGINT NOT NULL DEFAULT 0,
    expired             BIGINT NOT NULL DEFAULT 0,
    cancelled           BIGINT NOT NULL DEFAULT 0,
    spent_micros        BIGINT NOT NULL DEFAULT 0,
    refunded_micros     BIGINT NOT NULL DEFAULT 0,
    by_contact          BIGINT NOT NULL DEFAULT 0,
    contact_verified    BIGINT NOT NULL DEFAULT 0,
    counted             BIGINT NOT NULL DEFAULT 0,
    unpriced            BIGINT NOT NULL DEFAULT 0,
    charged_micros      BIGINT NOT NULL DEFAULT 0,
    status_sending      BIGINT NOT NULL DEFAULT 0,
    status_pending      BIGINT NOT NULL DEFAULT 0,
    status_verified     BIGINT NOT NULL DEFAULT 0,
    status_max_attempts BIGINT NOT NULL DEFAULT 0,
    status_expired      BIGINT NOT NULL DEFAULT 0,
    status_cancelled    BIGINT NOT NULL DEFAULT 0,
    status_failed       BIGINT NOT NULL DEFAULT 0,
    kept_micros         BIGINT NOT NULL DEFAULT 0
);

-- One verification's share of its quarter hour, as the columns of `activity` count it.
CREATE FUNCTION activity_terms(v verifications)
RETURNS TABLE (slot BIGINT, req BIGINT, priced BIGINT, micros BIGINT, refunded BIGINT,
               contact BIGINT, counted BIGINT, sending BIGINT, pending BIGINT, verified BIGINT,
               max_attempts BIGINT, expired BIGINT, cancelled BIGINT, status_failed BIGINT,
               failed BIGINT)
LANGUAGE sql IMMUTABLE AS $$
    SELECT v.created_at - v.created_at % 900,
           CASE WHEN v.request_id IS NULL THEN 0 ELSE 1 END,
           CASE WHEN v.request_cost IS NULL THEN 0 ELSE 1 END,
           CAST(round(COALESCE(v.request_cost, 0.0) * 1000000) AS BIGINT),
           CASE WHEN v.is_refunded THEN 1 ELSE 0 END,
           CASE WHEN v.method = 'contact' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'sending' OR v.request_id IS NOT NULL
                OR v.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                OR substr(v.error, 1, 5) = 'http_' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'sending' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'pending' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'verified' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'max_attempts' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'expired' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'cancelled' THEN 1 ELSE 0 END,
           CASE WHEN v.status = 'failed' THEN 1 ELSE 0 END,
           CASE WHEN v.status IN ('max_attempts', 'failed') THEN 1 ELSE 0 END
$$;

-- Adds NEW's share and takes away OLD's, in one statement per change.
CREATE FUNCTION activity_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity (slot,
        sent, verified, failed, expired, cancelled, spent_micros, refunded_micros, by_contact,
        contact_verified, counted, unpriced, charged_micros, status_sending, status_pending,
        status_verified, status_max_attempts, status_expired, status_cancelled, status_failed,
        kept_micros)
    SELECT t.slot, SUM(c.sign * t.req), SUM(c.sign * t.req * t.verified),
           SUM(c.sign * t.req * t.failed), SUM(c.sign * t.req * t.expired),
           SUM(c.sign * t.req * t.cancelled), SUM(c.sign * t.req * t.micros),
           SUM(c.sign * t.req * t.refunded * t.micros), SUM(c.sign * t.contact),
           SUM(c.sign * (1 - t.req) * t.contact * t.verified), SUM(c.sign * t.counted),
           SUM(c.sign * t.counted * (1 - t.priced)),
           SUM(c.sign * t.counted * (1 - t.refunded) * t.micros),
           SUM(c.sign * t.sending), SUM(c.sign * t.pending), SUM(c.sign * t.verified),
           SUM(c.sign * t.max_attempts), SUM(c.sign * t.expired), SUM(c.sign * t.cancelled),
           SUM(c.sign * t.status_failed), SUM(c.sign * (1 - t.refunded) * t.micros)
    FROM (SELECT 1 AS sign, NEW AS v WHERE TG_OP <> 'DELETE'
          UNION ALL SELECT -1, OLD WHERE TG_OP <> 'INSERT') AS c
    CROSS JOIN LATERAL activity_terms(c.v) AS t
    GROUP BY t.slot ORDER BY t.slot
    ON CONFLICT (slot) DO UPDATE SET
        sent = activity.sent + excluded.sent,
        verified = activity.verified + excluded.verified,
        failed = activity.failed + excluded.failed,
        expired = activity.expired + excluded.expired,
        cancelled = activity.cancelled + excluded.cancelled,
        spent_micros = activity.spent_micros + excluded.spent_micros,
        refunded_micros = activity.refunded_micros + excluded.refunded_micros,
        by_contact = activity.by_contact + excluded.by_contact,
        contact_verified = activity.contact_verified + excluded.contact_verified,
        counted = activity.counted + excluded.counted,
        unpriced = activity.unpriced + excluded.unpriced,
        charged_micros = activity.charged_micros + excluded.charged_micros,
        status_sending = activity.status_sending + excluded.status_sending,
        status_pending = activity.status_pending + excluded.status_pending,
        status_verified = activity.status_verified + excluded.status_verified,
        status_max_attempts = activity.status_max_attempts + excluded.status_max_attempts,
        status_expired = activity.status_expired + excluded.status_expired,
        status_cancelled = activity.status_cancelled + excluded.status_cancelled,
        status_failed = activity.status_failed + excluded.status_failed,
        kept_micros = activity.kept_micros + excluded.kept_micros;
    INSERT INTO staff_days (day, staff_user_id, counted)
    SELECT (c.v).created_at - (c.v).created_at % 86400, (c.v).staff_user_id,
           SUM(c.sign * t.counted)
    FROM (SELECT 1 AS sign, NEW AS v WHERE TG_OP <> 'DELETE'
          UNION ALL SELECT -1, OLD WHERE TG_OP <> 'INSERT') AS c
    CROSS JOIN LATERAL activity_terms(c.v) AS t
    GROUP BY 1, 2 HAVING SUM(c.sign * t.counted) <> 0 ORDER BY 1, 2
    ON CONFLICT (day, staff_user_id) DO UPDATE SET counted = staff_days.counted + excluded.counted;
    RETURN NULL;
END
$$;
-- Deferred to the commit: a transaction takes the rows of `activity` and `staff_days` it
-- changes only once it holds every verification row it changes, and keeps them only while it
-- commits. (Taken statement by statement, a transaction holding a quarter hour's row and waiting
-- for a verification row could wait on one waiting for that quarter hour's row: a deadlock.
-- SQLite writes one transaction at a time and has none.)
CREATE CONSTRAINT TRIGGER activity_insert_delete AFTER INSERT OR DELETE ON verifications
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION activity_change();
CREATE CONSTRAINT TRIGGER activity_update AFTER UPDATE ON verifications
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.created_at IS DISTINCT FROM OLD.created_at
        OR NEW.staff_user_id IS DISTINCT FROM OLD.staff_user_id
        OR NEW.status IS DISTINCT FROM OLD.status
        OR (NEW.request_id IS NULL) <> (OLD.request_id IS NULL)
        OR NEW.request_cost IS DISTINCT FROM OLD.request_cost
        OR NEW.is_refunded IS DISTINCT FROM OLD.is_refunded
        OR NEW.error IS DISTINCT FROM OLD.error
        OR NEW.method IS DISTINCT FROM OLD.method)
    EXECUTE FUNCTION activity_change();

-- The history so far.
INSERT INTO activity (slot,
        sent, verified, failed, expired, cancelled, spent_micros, refunded_micros, by_contact,
        contact_verified, counted, unpriced, charged_micros, status_sending, status_pending,
        status_verified, status_max_attempts, status_expired, status_cancelled, status_failed,
        kept_micros)
SELECT t.slot, SUM(t.req), SUM(t.req * t.verified),
           SUM(t.req * t.failed), SUM(t.req * t.expired),
           SUM(t.req * t.cancelled), SUM(t.req * t.micros),
           SUM(t.req * t.refunded * t.micros), SUM(t.contact),
           SUM((1 - t.req) * t.contact * t.verified), SUM(t.counted),
           SUM(t.counted * (1 - t.priced)),
           SUM(t.counted * (1 - t.refunded) * t.micros),
           SUM(t.sending), SUM(t.pending), SUM(t.verified),
           SUM(t.max_attempts), SUM(t.expired), SUM(t.cancelled),
           SUM(t.status_failed), SUM((1 - t.refunded) * t.micros)
FROM verifications v CROSS JOIN LATERAL activity_terms(v) AS t
GROUP BY t.slot;

INSERT INTO staff_days (day, staff_user_id, counted)
SELECT v.created_at - v.created_at % 86400, v.staff_user_id, SUM(t.counted)
FROM verifications v CROSS JOIN LATERAL activity_terms(v) AS t
GROUP BY 1, 2 HAVING SUM(t.counted) <> 0;

CREATE INDEX audit_log_verification ON audit_log (verification_id);

-- RETENTION_DAYS: the one change the audit log accepts (see the SQLite migration): a full number
-- reduced to its masked form, nothing else in the row changed.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.at = OLD.at
        AND NEW.actor IS NOT DISTINCT FROM OLD.actor AND NEW.action = OLD.action
        AND NEW.verification_id IS NOT DISTINCT FROM OLD.verification_id
        AND NEW.cost IS NOT DISTINCT FROM OLD.cost AND NEW.detail IS NOT DISTINCT FROM OLD.detail
        AND strpos(OLD.phone, '•') = 0 AND strpos(NEW.phone, '•') > 0
        AND left(NEW.phone, 2) = left(OLD.phone, 2) AND right(NEW.phone, 3) = right(OLD.phone, 3)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TABLE housekeeping (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    ran_at         BIGINT,
    reduced_before BIGINT NOT NULL DEFAULT 0
);
INSERT INTO housekeeping (id) VALUES (1);
