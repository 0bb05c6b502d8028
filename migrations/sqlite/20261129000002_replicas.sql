-- Several processes on one database.

-- Telegram retries a webhook delivery it thinks failed, possibly to another replica: each
-- update is handled once. Rows older than a day are pruned.
CREATE TABLE handled_updates (
    update_id  INTEGER PRIMARY KEY,
    handled_at INTEGER NOT NULL
);
CREATE INDEX handled_updates_at ON handled_updates (handled_at);

-- Background work that one process at a time does (the status poller, the owner link): the
-- process holding a lease until `until` (Unix seconds) does it; another takes over once the
-- lease runs out.
CREATE TABLE leases (
    name   TEXT    PRIMARY KEY,
    holder TEXT    NOT NULL,
    until  INTEGER NOT NULL
);
