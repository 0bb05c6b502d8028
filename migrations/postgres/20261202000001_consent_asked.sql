-- Records mean what they say (see the SQLite migration of the same name): when the consent
-- question was shown under a question; "Yes, send" answers only a question that has it.
ALTER TABLE send_questions ADD COLUMN consent_asked_at BIGINT;
