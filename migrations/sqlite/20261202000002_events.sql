-- Events (issue #22): every change of a verification, told to the business's own systems as a
-- Standard Webhooks delivery. The database writes each event itself (the triggers below), in
-- the statement that makes the change, so a change and its event commit together whichever code
-- path makes it; a background task in each process delivers them (src/events/).

-- The outbox: one row per event, in the order the changes were made (`id`). `event_id` is the
-- `webhook-id` (the same on every retry of the event); `body` is the exact JSON that is POSTed.
-- An event waits for the earlier undone events of its verification (ordering per
-- verification). `next_attempt_at` is 0 for a new event (due at once), then the retry schedule's
-- next time; `claimed_until` is the lease of the process delivering it. Times are Unix seconds.
CREATE TABLE event_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT    NOT NULL UNIQUE,
    verification_id INTEGER NOT NULL,
    type            TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    given_up_at     INTEGER,
    last_error      TEXT,
    claimed_until   INTEGER
);
-- What is due and not done, oldest first.
CREATE INDEX event_outbox_undone ON event_outbox (next_attempt_at, id)
    WHERE (delivered_at IS NULL) AND (given_up_at IS NULL);
-- An event's earlier events of the same verification.
CREATE INDEX event_outbox_verification ON event_outbox (verification_id, id);
-- Pruning the delivered ones.
CREATE INDEX event_outbox_delivered ON event_outbox (delivered_at)
    WHERE delivered_at IS NOT NULL;

-- Whether events are written at all, and which types (comma-separated `verification.sent,…`;
-- NULL: all). Each process writes it at start-up from EVENTS_URL and EVENTS_TYPES; replicas
-- share one configuration. Off until a process turns it on.
CREATE TABLE event_settings (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    enabled INTEGER NOT NULL DEFAULT 0,
    types   TEXT
);
INSERT INTO event_settings (id) VALUES (1);

-- What the receiver at each URL answered. A 410 stops delivery to that URL (`gone_at`) until
-- EVENTS_URL names another. `failing_since`: the first failure since the last success;
-- `failing_told`: the admins were told it has been failing (once, and once on recovery).
CREATE TABLE event_endpoint (
    url             TEXT    PRIMARY KEY,
    gone_at         INTEGER,
    last_success_at INTEGER,
    last_error      TEXT,
    last_error_at   INTEGER,
    failing_since   INTEGER,
    failing_told    INTEGER NOT NULL DEFAULT 0
);

-- The `data` of a verification's events, built the same way on PostgreSQL
-- (`verification_event_body`), byte for byte: keys in this order, no spaces, money to the millionth
-- without trailing zeros, times in RFC 3339 UTC. Never the code (it is not stored).
CREATE VIEW verification_event_data AS
SELECT v.id AS verification_id, json_object(
    'verification_id', v.id,
    'phone_number', v.phone,
    'status', v.status,
    'method', v.method,
    'staff', json_object('id', v.staff_user_id, 'name', NULLIF(s.name, ''),
                         'username', s.username),
    'chat_id', v.chat_id,
    'attempts', v.attempts,
    'cost', CASE WHEN v.request_cost IS NULL THEN NULL
                 ELSE json(rtrim(rtrim(printf('%.6f', v.request_cost), '0'), '.')) END,
    'refunded', CASE WHEN v.is_refunded THEN json('true') ELSE json('false') END,
    'request_id', v.request_id,
    'delivery_status', v.delivery_status,
    'consent', CASE WHEN v.consent_at IS NULL THEN NULL
                    ELSE json_object('by', v.consent_by,
                                     'at', strftime('%Y-%m-%dT%H:%M:%SZ', v.consent_at, 'unixepoch'))
               END,
    'created_at', strftime('%Y-%m-%dT%H:%M:%SZ', v.created_at, 'unixepoch'),
    'closed_at', strftime('%Y-%m-%dT%H:%M:%SZ', v.closed_at, 'unixepoch')
) AS data
FROM verifications v LEFT JOIN staff s ON s.user_id = v.staff_user_id;

-- Which change is which event (in this order when one statement makes several), and when it
-- happened: the row's own time of the change (the bot's clock), or the Gateway's time of a
-- delivery status, else the database's clock.
--   verification.sent: the status becomes `pending` (a send recorded, a lost send re-attached);
--   verification.delivered / .read / .revoked: the delivery status becomes that;
--   verification.wrong_code: attempts grow while the status stays `pending`;
--   verification.verified / .max_attempts / .expired / .cancelled / .failed: the status becomes
--   that (a row inserted as `verified`: the free check by contact share).
CREATE TRIGGER verification_events_update AFTER UPDATE ON verifications
WHEN (SELECT enabled FROM event_settings WHERE id = 1)
BEGIN
    INSERT INTO event_outbox (event_id, verification_id, type, body, created_at, next_attempt_at)
    SELECT 'evt_' || lower(hex(randomblob(12))), NEW.id, k.type,
           json_object('type', k.type,
                       'timestamp', strftime('%Y-%m-%dT%H:%M:%SZ', k.at, 'unixepoch'),
                       'data', json(d.data)),
           k.at, 0
    FROM (
        SELECT 1 AS ord, 'verification.sent' AS type,
               COALESCE(NEW.sent_at, CAST(strftime('%s', 'now') AS INTEGER)) AS at
        WHERE NEW.status = 'pending' AND OLD.status <> 'pending'
        UNION ALL
        SELECT 2, 'verification.' || NEW.delivery_status,
               COALESCE(NULLIF(NEW.delivery_updated_at, 0), CAST(strftime('%s', 'now') AS INTEGER))
        WHERE NEW.delivery_status IN ('delivered', 'read', 'revoked')
          AND NEW.delivery_status IS NOT OLD.delivery_status
        UNION ALL
        SELECT 3, 'verification.wrong_code',
               COALESCE(NEW.checked_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE NEW.attempts > OLD.attempts AND NEW.status = 'pending' AND OLD.status = 'pending'
        UNION ALL
        SELECT 4, 'verification.' || NEW.status,
               COALESCE(NEW.closed_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE NEW.status IN ('verified', 'max_attempts', 'expired', 'cancelled', 'failed')
          AND NEW.status <> OLD.status
    ) AS k
    JOIN verification_event_data d ON d.verification_id = NEW.id
    JOIN event_settings s ON s.id = 1
    WHERE s.types IS NULL OR instr(',' || s.types || ',', ',' || k.type || ',') > 0
    ORDER BY k.ord;
END;

CREATE TRIGGER verification_events_insert AFTER INSERT ON verifications
WHEN (SELECT enabled FROM event_settings WHERE id = 1)
BEGIN
    INSERT INTO event_outbox (event_id, verification_id, type, body, created_at, next_attempt_at)
    SELECT 'evt_' || lower(hex(randomblob(12))), NEW.id, k.type,
           json_object('type', k.type,
                       'timestamp', strftime('%Y-%m-%dT%H:%M:%SZ', k.at, 'unixepoch'),
                       'data', json(d.data)),
           k.at, 0
    FROM (
        SELECT 1 AS ord, 'verification.sent' AS type,
               COALESCE(NEW.sent_at, CAST(strftime('%s', 'now') AS INTEGER)) AS at
        WHERE NEW.status = 'pending'
        UNION ALL
        SELECT 2, 'verification.' || NEW.delivery_status,
               COALESCE(NULLIF(NEW.delivery_updated_at, 0), CAST(strftime('%s', 'now') AS INTEGER))
        WHERE NEW.delivery_status IN ('delivered', 'read', 'revoked')
        UNION ALL
        SELECT 4, 'verification.' || NEW.status,
               COALESCE(NEW.closed_at, CAST(strftime('%s', 'now') AS INTEGER))
        WHERE NEW.status IN ('verified', 'max_attempts', 'expired', 'cancelled', 'failed')
    ) AS k
    JOIN verification_event_data d ON d.verification_id = NEW.id
    JOIN event_settings s ON s.id = 1
    WHERE s.types IS NULL OR instr(',' || s.types || ',', ',' || k.type || ',') > 0
    ORDER BY k.ord;
END;
