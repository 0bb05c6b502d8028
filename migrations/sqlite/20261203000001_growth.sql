-- Growth (issue #25): what the bot reads on every update, and for /stats, costs the same whatever
-- the history's size, and the database keeps only what it must.

-- The rollup: what became of the verifications started in each quarter of an hour (UTC), kept by
-- the database itself (the triggers below) in the statement that changes a verification, as the
-- event outbox is, so that it is always the sum of the rows whichever code path changes them.
-- `/stats`, the panel's overview, the daily budget and /metrics read it instead of the history:
-- a day is at most 96 rows, whatever the number of verifications. Quarter hours, because a day in
-- any TIME_ZONE (UTC+5:30 and +5:45 too) is a whole number of them: a change of TIME_ZONE needs
-- no rebuild. Money in millionths of a USD, so that the sums stay exact.
CREATE TABLE activity (
    slot                INTEGER PRIMARY KEY,  -- created_at - created_at % 900
    sent                INTEGER NOT NULL DEFAULT 0,
    verified            INTEGER NOT NULL DEFAULT 0,
    failed              INTEGER NOT NULL DEFAULT 0,
    expired             INTEGER NOT NULL DEFAULT 0,
    cancelled           INTEGER NOT NULL DEFAULT 0,
    spent_micros        INTEGER NOT NULL DEFAULT 0,
    refunded_micros     INTEGER NOT NULL DEFAULT 0,
    by_contact          INTEGER NOT NULL DEFAULT 0,
    contact_verified    INTEGER NOT NULL DEFAULT 0,
    counted             INTEGER NOT NULL DEFAULT 0,
    unpriced            INTEGER NOT NULL DEFAULT 0,
    charged_micros      INTEGER NOT NULL DEFAULT 0,
    status_sending      INTEGER NOT NULL DEFAULT 0,
    status_pending      INTEGER NOT NULL DEFAULT 0,
    status_verified     INTEGER NOT NULL DEFAULT 0,
    status_max_attempts INTEGER NOT NULL DEFAULT 0,
    status_expired      INTEGER NOT NULL DEFAULT 0,
    status_cancelled    INTEGER NOT NULL DEFAULT 0,
    status_failed       INTEGER NOT NULL DEFAULT 0,
    kept_micros         INTEGER NOT NULL DEFAULT 0
);
-- What each column counts (one verification's share; `req`: it has a request_id, a code was sent):
--   sent, verified, failed (max_attempts or failed), expired, cancelled: codes sent, and how they
--     ended; spent_micros / refunded_micros: their cost, and the cost of those refunded (`/stats`);
--   by_contact: free checks by contact share; contact_verified: those verified without a request
--     (with `verified`, the panel's and the chart's "verified");
--   counted, unpriced, charged_micros: sends that may have cost money (`counted()` in
--     src/store/limits.rs), those of them whose cost is not known yet, and their known cost minus
--     refunds (the daily budget);
--   status_*: every verification by status, kept_micros: every cost not refunded (/metrics).

-- The staff daily limit's running total: each staff member's sends that may have cost money
-- (`counted()`) per UTC day, kept by the same triggers. One row per person and day; rows older
-- than a week are deleted by the daily housekeeping (only today's is read).
CREATE TABLE staff_days (
    day           INTEGER NOT NULL,  -- created_at - created_at % 86400
    staff_user_id INTEGER NOT NULL,
    counted       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, staff_user_id)
);

CREATE TRIGGER activity_insert AFTER INSERT ON verifications
BEGIN
    INSERT INTO activity (slot, sent, verified, failed, expired, cancelled, spent_micros,
        refunded_micros, by_contact, contact_verified, counted, unpriced, charged_micros,
        status_sending, status_pending, status_verified, status_max_attempts, status_expired,
        status_cancelled, status_failed, kept_micros)
    SELECT slot, SUM(sign * req), SUM(sign * req * (status = 'verified')),
           SUM(sign * req * (status IN ('max_attempts', 'failed'))),
           SUM(sign * req * (status = 'expired')), SUM(sign * req * (status = 'cancelled')),
           SUM(sign * req * micros), SUM(sign * req * refunded * micros),
           SUM(sign * contact), SUM(sign * (1 - req) * contact * (status = 'verified')),
           SUM(sign * counted), SUM(sign * counted * (1 - priced)),
           SUM(sign * counted * (1 - refunded) * micros),
           SUM(sign * (status = 'sending')), SUM(sign * (status = 'pending')),
           SUM(sign * (status = 'verified')), SUM(sign * (status = 'max_attempts')),
           SUM(sign * (status = 'expired')), SUM(sign * (status = 'cancelled')),
           SUM(sign * (status = 'failed')), SUM(sign * (1 - refunded) * micros)
    FROM (SELECT 1 AS sign, NEW.created_at - NEW.created_at % 900 AS slot, NEW.status AS status,
                   CASE WHEN NEW.request_id IS NULL THEN 0 ELSE 1 END AS req,
                   CASE WHEN NEW.request_cost IS NULL THEN 0 ELSE 1 END AS priced,
                   CAST(round(COALESCE(NEW.request_cost, 0.0) * 1000000) AS INTEGER) AS micros,
                   CASE WHEN NEW.is_refunded THEN 1 ELSE 0 END AS refunded,
                   CASE WHEN NEW.method = 'contact' THEN 1 ELSE 0 END AS contact,
                   CASE WHEN NEW.status = 'sending' OR NEW.request_id IS NOT NULL
                        OR NEW.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(NEW.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted) AS r
    WHERE TRUE GROUP BY slot
    ON CONFLICT (slot) DO UPDATE SET
        sent = sent + excluded.sent,
        verified = verified + excluded.verified,
        failed = failed + excluded.failed,
        expired = expired + excluded.expired,
        cancelled = cancelled + excluded.cancelled,
        spent_micros = spent_micros + excluded.spent_micros,
        refunded_micros = refunded_micros + excluded.refunded_micros,
        by_contact = by_contact + excluded.by_contact,
        contact_verified = contact_verified + excluded.contact_verified,
        counted = counted + excluded.counted,
        unpriced = unpriced + excluded.unpriced,
        charged_micros = charged_micros + excluded.charged_micros,
        status_sending = status_sending + excluded.status_sending,
        status_pending = status_pending + excluded.status_pending,
        status_verified = status_verified + excluded.status_verified,
        status_max_attempts = status_max_attempts + excluded.status_max_attempts,
        status_expired = status_expired + excluded.status_expired,
        status_cancelled = status_cancelled + excluded.status_cancelled,
        status_failed = status_failed + excluded.status_failed,
        kept_micros = kept_micros + excluded.kept_micros;
    INSERT INTO staff_days (day, staff_user_id, counted)
    SELECT day, staff, SUM(sign * counted)
    FROM (SELECT 1 AS sign, NEW.created_at - NEW.created_at % 86400 AS day,
                 NEW.staff_user_id AS staff,
                 CASE WHEN NEW.status = 'sending' OR NEW.request_id IS NOT NULL
                        OR NEW.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(NEW.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted) AS r
    WHERE TRUE GROUP BY day, staff HAVING SUM(sign * counted) <> 0
    ON CONFLICT (day, staff_user_id) DO UPDATE SET counted = counted + excluded.counted;
END;

CREATE TRIGGER activity_update AFTER UPDATE ON verifications
WHEN NEW.created_at IS NOT OLD.created_at OR NEW.staff_user_id IS NOT OLD.staff_user_id
     OR NEW.status IS NOT OLD.status
     OR (NEW.request_id IS NULL) <> (OLD.request_id IS NULL)
     OR NEW.request_cost IS NOT OLD.request_cost OR NEW.is_refunded IS NOT OLD.is_refunded
     OR NEW.error IS NOT OLD.error OR NEW.method IS NOT OLD.method
BEGIN
    INSERT INTO activity (slot, sent, verified, failed, expired, cancelled, spent_micros,
        refunded_micros, by_contact, contact_verified, counted, unpriced, charged_micros,
        status_sending, status_pending, status_verified, status_max_attempts, status_expired,
        status_cancelled, status_failed, kept_micros)
    SELECT slot, SUM(sign * req), SUM(sign * req * (status = 'verified')),
           SUM(sign * req * (status IN ('max_attempts', 'failed'))),
           SUM(sign * req * (status = 'expired')), SUM(sign * req * (status = 'cancelled')),
           SUM(sign * req * micros), SUM(sign * req * refunded * micros),
           SUM(sign * contact), SUM(sign * (1 - req) * contact * (status = 'verified')),
           SUM(sign * counted), SUM(sign * counted * (1 - priced)),
           SUM(sign * counted * (1 - refunded) * micros),
           SUM(sign * (status = 'sending')), SUM(sign * (status = 'pending')),
           SUM(sign * (status = 'verified')), SUM(sign * (status = 'max_attempts')),
           SUM(sign * (status = 'expired')), SUM(sign * (status = 'cancelled')),
           SUM(sign * (status = 'failed')), SUM(sign * (1 - refunded) * micros)
    FROM (SELECT 1 AS sign, NEW.created_at - NEW.created_at % 900 AS slot, NEW.status AS status,
                   CASE WHEN NEW.request_id IS NULL THEN 0 ELSE 1 END AS req,
                   CASE WHEN NEW.request_cost IS NULL THEN 0 ELSE 1 END AS priced,
                   CAST(round(COALESCE(NEW.request_cost, 0.0) * 1000000) AS INTEGER) AS micros,
                   CASE WHEN NEW.is_refunded THEN 1 ELSE 0 END AS refunded,
                   CASE WHEN NEW.method = 'contact' THEN 1 ELSE 0 END AS contact,
                   CASE WHEN NEW.status = 'sending' OR NEW.request_id IS NOT NULL
                        OR NEW.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(NEW.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted
          UNION ALL
          SELECT -1 AS sign, OLD.created_at - OLD.created_at % 900 AS slot, OLD.status AS status,
                   CASE WHEN OLD.request_id IS NULL THEN 0 ELSE 1 END AS req,
                   CASE WHEN OLD.request_cost IS NULL THEN 0 ELSE 1 END AS priced,
                   CAST(round(COALESCE(OLD.request_cost, 0.0) * 1000000) AS INTEGER) AS micros,
                   CASE WHEN OLD.is_refunded THEN 1 ELSE 0 END AS refunded,
                   CASE WHEN OLD.method = 'contact' THEN 1 ELSE 0 END AS contact,
                   CASE WHEN OLD.status = 'sending' OR OLD.request_id IS NOT NULL
                        OR OLD.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(OLD.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted) AS r
    WHERE TRUE GROUP BY slot
    ON CONFLICT (slot) DO UPDATE SET
        sent = sent + excluded.sent,
        verified = verified + excluded.verified,
        failed = failed + excluded.failed,
        expired = expired + excluded.expired,
        cancelled = cancelled + excluded.cancelled,
        spent_micros = spent_micros + excluded.spent_micros,
        refunded_micros = refunded_micros + excluded.refunded_micros,
        by_contact = by_contact + excluded.by_contact,
        contact_verified = contact_verified + excluded.contact_verified,
        counted = counted + excluded.counted,
        unpriced = unpriced + excluded.unpriced,
        charged_micros = charged_micros + excluded.charged_micros,
        status_sending = status_sending + excluded.status_sending,
        status_pending = status_pending + excluded.status_pending,
        status_verified = status_verified + excluded.status_verified,
        status_max_attempts = status_max_attempts + excluded.status_max_attempts,
        status_expired = status_expired + excluded.status_expired,
        status_cancelled = status_cancelled + excluded.status_cancelled,
        status_failed = status_failed + excluded.status_failed,
        kept_micros = kept_micros + excluded.kept_micros;
    INSERT INTO staff_days (day, staff_user_id, counted)
    SELECT day, staff, SUM(sign * counted)
    FROM (SELECT 1 AS sign, NEW.created_at - NEW.created_at % 86400 AS day,
                 NEW.staff_user_id AS staff,
                 CASE WHEN NEW.status = 'sending' OR NEW.request_id IS NOT NULL
                        OR NEW.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(NEW.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted
          UNION ALL
          SELECT -1 AS sign, OLD.created_at - OLD.created_at % 86400 AS day,
                 OLD.staff_user_id AS staff,
                 CASE WHEN OLD.status = 'sending' OR OLD.request_id IS NOT NULL
                        OR OLD.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(OLD.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted) AS r
    WHERE TRUE GROUP BY day, staff HAVING SUM(sign * counted) <> 0
    ON CONFLICT (day, staff_user_id) DO UPDATE SET counted = counted + excluded.counted;
END;

CREATE TRIGGER activity_delete AFTER DELETE ON verifications
BEGIN
    INSERT INTO activity (slot, sent, verified, failed, expired, cancelled, spent_micros,
        refunded_micros, by_contact, contact_verified, counted, unpriced, charged_micros,
        status_sending, status_pending, status_verified, status_max_attempts, status_expired,
        status_cancelled, status_failed, kept_micros)
    SELECT slot, SUM(sign * req), SUM(sign * req * (status = 'verified')),
           SUM(sign * req * (status IN ('max_attempts', 'failed'))),
           SUM(sign * req * (status = 'expired')), SUM(sign * req * (status = 'cancelled')),
           SUM(sign * req * micros), SUM(sign * req * refunded * micros),
           SUM(sign * contact), SUM(sign * (1 - req) * contact * (status = 'verified')),
           SUM(sign * counted), SUM(sign * counted * (1 - priced)),
           SUM(sign * counted * (1 - refunded) * micros),
           SUM(sign * (status = 'sending')), SUM(sign * (status = 'pending')),
           SUM(sign * (status = 'verified')), SUM(sign * (status = 'max_attempts')),
           SUM(sign * (status = 'expired')), SUM(sign * (status = 'cancelled')),
           SUM(sign * (status = 'failed')), SUM(sign * (1 - refunded) * micros)
    FROM (SELECT -1 AS sign, OLD.created_at - OLD.created_at % 900 AS slot, OLD.status AS status,
                   CASE WHEN OLD.request_id IS NULL THEN 0 ELSE 1 END AS req,
                   CASE WHEN OLD.request_cost IS NULL THEN 0 ELSE 1 END AS priced,
                   CAST(round(COALESCE(OLD.request_cost, 0.0) * 1000000) AS INTEGER) AS micros,
                   CASE WHEN OLD.is_refunded THEN 1 ELSE 0 END AS refunded,
                   CASE WHEN OLD.method = 'contact' THEN 1 ELSE 0 END AS contact,
                   CASE WHEN OLD.status = 'sending' OR OLD.request_id IS NOT NULL
                        OR OLD.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(OLD.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted) AS r
    WHERE TRUE GROUP BY slot
    ON CONFLICT (slot) DO UPDATE SET
        sent = sent + excluded.sent,
        verified = verified + excluded.verified,
        failed = failed + excluded.failed,
        expired = expired + excluded.expired,
        cancelled = cancelled + excluded.cancelled,
        spent_micros = spent_micros + excluded.spent_micros,
        refunded_micros = refunded_micros + excluded.refunded_micros,
        by_contact = by_contact + excluded.by_contact,
        contact_verified = contact_verified + excluded.contact_verified,
        counted = counted + excluded.counted,
        unpriced = unpriced + excluded.unpriced,
        charged_micros = charged_micros + excluded.charged_micros,
        status_sending = status_sending + excluded.status_sending,
        status_pending = status_pending + excluded.status_pending,
        status_verified = status_verified + excluded.status_verified,
        status_max_attempts = status_max_attempts + excluded.status_max_attempts,
        status_expired = status_expired + excluded.status_expired,
        status_cancelled = status_cancelled + excluded.status_cancelled,
        status_failed = status_failed + excluded.status_failed,
        kept_micros = kept_micros + excluded.kept_micros;
    INSERT INTO staff_days (day, staff_user_id, counted)
    SELECT day, staff, SUM(sign * counted)
    FROM (SELECT -1 AS sign, OLD.created_at - OLD.created_at % 86400 AS day,
                 OLD.staff_user_id AS staff,
                 CASE WHEN OLD.status = 'sending' OR OLD.request_id IS NOT NULL
                        OR OLD.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(OLD.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted) AS r
    WHERE TRUE GROUP BY day, staff HAVING SUM(sign * counted) <> 0
    ON CONFLICT (day, staff_user_id) DO UPDATE SET counted = counted + excluded.counted;
END;

-- The history so far.
INSERT INTO activity (slot, sent, verified, failed, expired, cancelled, spent_micros,
    refunded_micros, by_contact, contact_verified, counted, unpriced, charged_micros,
    status_sending, status_pending, status_verified, status_max_attempts, status_expired,
    status_cancelled, status_failed, kept_micros)
SELECT slot, SUM(sign * req), SUM(sign * req * (status = 'verified')),
           SUM(sign * req * (status IN ('max_attempts', 'failed'))),
           SUM(sign * req * (status = 'expired')), SUM(sign * req * (status = 'cancelled')),
           SUM(sign * req * micros), SUM(sign * req * refunded * micros),
           SUM(sign * contact), SUM(sign * (1 - req) * contact * (status = 'verified')),
           SUM(sign * counted), SUM(sign * counted * (1 - priced)),
           SUM(sign * counted * (1 - refunded) * micros),
           SUM(sign * (status = 'sending')), SUM(sign * (status = 'pending')),
           SUM(sign * (status = 'verified')), SUM(sign * (status = 'max_attempts')),
           SUM(sign * (status = 'expired')), SUM(sign * (status = 'cancelled')),
           SUM(sign * (status = 'failed')), SUM(sign * (1 - refunded) * micros)
FROM (SELECT 1 AS sign, v.created_at - v.created_at % 900 AS slot, v.status AS status,
                   CASE WHEN v.request_id IS NULL THEN 0 ELSE 1 END AS req,
                   CASE WHEN v.request_cost IS NULL THEN 0 ELSE 1 END AS priced,
                   CAST(round(COALESCE(v.request_cost, 0.0) * 1000000) AS INTEGER) AS micros,
                   CASE WHEN v.is_refunded THEN 1 ELSE 0 END AS refunded,
                   CASE WHEN v.method = 'contact' THEN 1 ELSE 0 END AS contact,
                   CASE WHEN v.status = 'sending' OR v.request_id IS NOT NULL
                        OR v.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(v.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted
      FROM verifications v) AS r
GROUP BY slot;

INSERT INTO staff_days (day, staff_user_id, counted)
SELECT day, staff, SUM(counted)
FROM (SELECT 1 AS sign, v.created_at - v.created_at % 86400 AS day,
                 v.staff_user_id AS staff,
                 CASE WHEN v.status = 'sending' OR v.request_id IS NOT NULL
                        OR v.error IN ('timeout', 'transport', 'interrupted', 'unrecorded')
                        OR substr(v.error, 1, 5) = 'http_' THEN 1 ELSE 0 END AS counted
      FROM verifications v) AS r
GROUP BY day, staff HAVING SUM(counted) <> 0;

-- A verification's audit trail (the panel) without reading the whole log.
CREATE INDEX audit_log_verification ON audit_log (verification_id);

-- RETENTION_DAYS: the audit log's rows stay, but a number in them older than that is reduced to its
-- masked form (`+44 79•• •••456`), as in the verifications. That is the one change the log
-- accepts: nothing else in the row changes, and a full number becomes a mask of itself (the
-- same first two and last three characters), never another number.
DROP TRIGGER audit_log_append_only_update;
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
WHEN NOT (NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor IS OLD.actor
          AND NEW.action = OLD.action AND NEW.verification_id IS OLD.verification_id
          AND NEW.cost IS OLD.cost AND NEW.detail IS OLD.detail
          AND instr(OLD.phone, '•') = 0 AND instr(NEW.phone, '•') > 0
          AND substr(NEW.phone, 1, 2) = substr(OLD.phone, 1, 2)
          AND substr(NEW.phone, -3) = substr(OLD.phone, -3))
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The daily housekeeping (src/housekeeping.rs): when a process last claimed it (one process a
-- day, whichever), and how far RETENTION_DAYS has reduced the history (verifications started and
-- audit rows written before `reduced_before` are reduced).
CREATE TABLE housekeeping (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    ran_at         INTEGER,
    reduced_before INTEGER NOT NULL DEFAULT 0
);
INSERT INTO housekeeping (id) VALUES (1);
