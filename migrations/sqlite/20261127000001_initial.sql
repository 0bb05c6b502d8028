-- People who may use the bot. Admins from ADMIN_IDS are not stored; everyone else is.
CREATE TABLE staff (
    user_id    INTEGER PRIMARY KEY,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'staff')),
    name       TEXT    NOT NULL DEFAULT '',
    username   TEXT,
    added_at   INTEGER NOT NULL,
    added_by   INTEGER            -- NULL: joined through the owner link
);

-- One-time deep links (`/start <token>`). Only the SHA-256 of the token is kept.
CREATE TABLE invites (
    token_hash TEXT    PRIMARY KEY,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'staff')),
    created_at INTEGER NOT NULL,
    created_by INTEGER,           -- NULL: the owner link printed at start-up
    expires_at INTEGER,           -- NULL: does not expire
    used_at    INTEGER,
    used_by    INTEGER
);

-- One row per code sent (or attempted). Times are Unix seconds (UTC).
CREATE TABLE verifications (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id             INTEGER NOT NULL,
    staff_user_id       INTEGER NOT NULL,
    phone               TEXT    NOT NULL,  -- E.164
    status              TEXT    NOT NULL CHECK (status IN
                          ('sending', 'pending', 'verified', 'max_attempts', 'expired', 'cancelled', 'failed')),
    code_length         INTEGER NOT NULL,
    ttl                 INTEGER NOT NULL,
    request_id          TEXT,
    request_cost        REAL,
    remaining_balance   REAL,
    is_refunded         INTEGER NOT NULL DEFAULT 0,
    delivery_status     TEXT,
    verification_status TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    error               TEXT,
    message_id          INTEGER,           -- the bot's "code sent" message
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER,
    expires_at          INTEGER,
    checked_at          INTEGER,
    closed_at           INTEGER
);

-- At most one open verification per chat: a double tap cannot pay twice.
CREATE UNIQUE INDEX verifications_one_open_per_chat
    ON verifications (chat_id) WHERE status IN ('sending', 'pending');
CREATE UNIQUE INDEX verifications_request_id ON verifications (request_id);
CREATE INDEX verifications_created_at ON verifications (created_at);
