-- The language each person sees. `chosen` = 1: picked with /language (it wins over Telegram's
-- language_code); 0: the language Telegram last reported for them, remembered so that messages
-- sent outside their own updates (live delivery edits, alerts, invite notices) match it.
CREATE TABLE user_languages (
    user_id    INTEGER PRIMARY KEY,
    language   TEXT    NOT NULL CHECK (language IN ('en', 'ru')),
    chosen     INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),
    updated_at INTEGER NOT NULL
);
