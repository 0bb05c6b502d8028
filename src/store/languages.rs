//! The language each person sees: picked with `/language`, or last reported by Telegram.
//!
//! Every update asks for its sender's language, and it changes rarely, so what the database
//! answered is kept in memory for a few seconds. Every write of this process goes through
//! [`Store::store_language`], which forgets the cached answer at once; a write by another
//! instance sharing the database (several webhook instances behind one URL, a rolling restart)
//! is seen once the answer is [`super::language_cache::CACHE_TTL`] old.

use super::core::{Store, StoreError, with_db};
pub use super::language_cache::StoredLanguage;
use crate::i18n::Lang;

impl Store {
    pub async fn language_of(&self, user_id: i64) -> Result<Option<StoredLanguage>, StoreError> {
        let asked = crate::now();
        let generation = match self.languages.get(user_id, asked) {
            Ok(cached) => return Ok(cached),
            Err(generation) => generation,
        };
        let stored: Option<StoredLanguage> = with_db!(self, db => sqlx::query_as("SELECT language, chosen FROM user_languages WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(db)
                .await)?;
        self.languages
            .put(user_id, stored.clone(), generation, asked);
        Ok(stored)
    }

    /// `/language`: the person's own choice, which wins over Telegram's `language_code`.
    pub async fn choose_language(
        &self,
        user_id: i64,
        language: Lang,
        now: i64,
    ) -> Result<(), StoreError> {
        self.store_language(user_id, language, true, now).await
    }

    /// Remembers the language Telegram reported, unless the person chose one.
    pub async fn observe_language(
        &self,
        user_id: i64,
        language: Lang,
        now: i64,
    ) -> Result<(), StoreError> {
        self.store_language(user_id, language, false, now).await
    }

    async fn store_language(
        &self,
        user_id: i64,
        language: Lang,
        chosen: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        let written = with_db!(self, db => sqlx::query(
            "INSERT INTO user_languages (user_id, language, chosen, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, \
             chosen = excluded.chosen, updated_at = excluded.updated_at \
             WHERE excluded.chosen OR NOT user_languages.chosen",
        )
        .bind(user_id)
        .bind(language.code())
        .bind(chosen)
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()));
        // Forgotten even if the write failed: it may have reached the database all the same.
        self.languages.forget(user_id);
        written?;
        Ok(())
    }
}
