-- Trust: nobody can spend, see or undo what is not theirs, and every cent is counted.

-- When the Gateway call a `sending` row waits on started (the reservation, or the send after a
-- pre-check). A row still `sending` `GATEWAY_TIMEOUT` plus a margin after it is abandoned: its
-- process died or lost its database, and any process may close it as interrupted (counted as
-- possibly charged). NULL on rows from before this migration: `created_at` stands in.
ALTER TABLE verifications ADD COLUMN send_started_at INTEGER;

-- Removing someone revokes the links they minted and did not see used.
ALTER TABLE invites ADD COLUMN revoked_at INTEGER;
CREATE INDEX invites_created_by ON invites (created_by) WHERE used_at IS NULL;

-- People without access who write in a group get one polite answer a day, not one per message:
-- when each was last answered. (Private chats are always answered.)
CREATE TABLE stranger_replies (
    user_id    INTEGER PRIMARY KEY,
    replied_at INTEGER NOT NULL
);
