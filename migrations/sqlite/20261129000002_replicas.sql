-- Several processes on one database.

-- Telegram retries a webhook delivery it thinks failed, possibly to another replica: each
-- update is handled once. Update ids count per bot, so the bot's id is part of the key (a
-- database that serves another bot later never mistakes its updates). Rows older than a day
-- are pruned.
CREATE TABLE handled_updates (
    bot_id     INTEGER NOT NULL,
    update_id  INTEGER NOT NULL,
    handled_at INTEGER NOT NULL,
    PRIMARY KEY (bot_id, update_id)
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
