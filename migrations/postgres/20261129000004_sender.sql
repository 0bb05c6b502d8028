-- Codes sent from the business's own channel (`SENDER_USERNAME`).

-- The last problem with the channel that the admins were told about, so that they hear about it
-- once, not once per send, whichever process meets it and across restarts. `problem` is the
-- Gateway's error (SENDER_USERNAME_INVALID, SENDER_NOT_VERIFIED or SENDER_NOT_OWNED) and
-- `username` the channel it was about; NULL before the first problem. `after_id` is the highest
-- verification id when they were told: a send reserved after it that the Gateway accepted means
-- the channel works again, and the next problem is told again.
CREATE TABLE sender_alert (
    id         BIGINT  PRIMARY KEY CHECK (id = 1),
    problem    TEXT,
    username   TEXT,
    after_id   BIGINT  NOT NULL DEFAULT 0,
    alerted_at BIGINT
);
INSERT INTO sender_alert (id) VALUES (1);
