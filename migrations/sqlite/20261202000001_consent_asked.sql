-- Records mean what they say: a consent is recorded only in answer to the consent question.
-- When the bot showed a question's "Has the customer agreed?" with its "Yes, send" button (set
-- once, never cleared): "Yes, send" answers only a question that has it. NULL for a question
-- about a number seen before that was not followed by the consent question (and for questions
-- asked before this column existed, whose buttons expire within the hour).
ALTER TABLE send_questions ADD COLUMN consent_asked_at INTEGER;
