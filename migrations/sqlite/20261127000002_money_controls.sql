-- Money and abuse controls.

-- At most one open verification per phone number, whoever opened it: two staff (or two taps)
-- cannot pay for two codes to the same customer.
CREATE UNIQUE INDEX verifications_one_open_per_phone
    ON verifications (phone) WHERE status IN ('sending', 'pending');
CREATE INDEX verifications_phone_created ON verifications (phone, created_at);
CREATE INDEX verifications_staff_created ON verifications (staff_user_id, created_at);

-- `/reset +phone`: sends to the phone up to verification `after_id` no longer count against
-- its limits.
CREATE TABLE phone_resets (
    phone    TEXT    PRIMARY KEY,  -- E.164
    after_id INTEGER NOT NULL,
    reset_at INTEGER NOT NULL,
    reset_by INTEGER NOT NULL
);

-- The Gateway account's balance as last reported, and which alerts admins already got.
CREATE TABLE balance (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    remaining      REAL,
    updated_at     INTEGER,
    low_alerted    INTEGER NOT NULL DEFAULT 0,
    empty_alerted  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO balance (id) VALUES (1);

-- Every action that costs money or changes access, append-only.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    actor           INTEGER,           -- Telegram user id; NULL for the bot itself
    action          TEXT    NOT NULL,  -- send, send_refused, check, cancel, revoke, reset, access_granted
    verification_id INTEGER,
    phone           TEXT,
    cost            REAL,
    detail          TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
