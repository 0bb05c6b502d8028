-- Customers: verified once is verified, consent on record, and the free check at the counter.

-- How a number was verified: with a code the Gateway sent (`code`), or by the customer sharing
-- their own Telegram contact through a one-time `/qr` link (`contact`: free, no code, no
-- request). Every earlier row was a code.
ALTER TABLE verifications ADD COLUMN method TEXT NOT NULL DEFAULT 'code'
    CHECK (method IN ('code', 'contact'));
-- CONFIRM_CONSENT: who confirmed that the customer agreed to receive a code, and when.
ALTER TABLE verifications ADD COLUMN consent_by INTEGER;
ALTER TABLE verifications ADD COLUMN consent_at INTEGER;
-- "Verified once is verified" and /lookup: a number's latest verified row.
CREATE INDEX verifications_phone_verified ON verifications (phone, closed_at)
    WHERE status = 'verified';

-- A question the bot asked before spending ("verified 3 days ago: send a new code anyway?",
-- "has the customer agreed?"), so that its buttons carry an id and never a phone number.
-- Answered once: `send` by the reservation it led to (in the same transaction), or `cancel`.
CREATE TABLE send_questions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       INTEGER NOT NULL,
    staff_user_id INTEGER NOT NULL,
    phone         TEXT    NOT NULL,  -- E.164
    asked_at      INTEGER NOT NULL,
    answered_at   INTEGER,
    answer        TEXT CHECK (answer IN ('send', 'cancel'))
);

-- One-time links of the free check at the counter (`/qr`): only the SHA-256 of the token is
-- kept. Bound to the staff member and chat that made it; the first customer to open it is the
-- only one who may answer it, once, with their own contact, before `expires_at`.
CREATE TABLE contact_links (
    token_hash      TEXT    PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    staff_user_id   INTEGER NOT NULL,
    phone           TEXT,             -- the number staff meant, when the link replaced a code
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    opened_by       INTEGER,
    opened_at       INTEGER,
    used_at         INTEGER,
    verification_id INTEGER
);
CREATE INDEX contact_links_opened_by ON contact_links (opened_by, created_at)
    WHERE used_at IS NULL;
