//! The language each person sees: picked with `/language`, or last reported by Telegram.

use super::{Store, StoreError};

/// A stored language: its code (`en`, `ru`) and whether the person picked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLanguage {
    pub language: String,
    pub chosen: bool,
}

impl Store {
    pub async fn language_of(&self, user_id: i64) -> Result<Option<StoredLanguage>, StoreError> {
        let row: Option<(String, bool)> =
            sqlx::query_as("SELECT language, chosen FROM user_languages WHERE user_id = ?")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(language, chosen)| StoredLanguage { language, chosen }))
    }

    /// `/language`: the person's own choice, which wins over Telegram's `language_code`.
    pub async fn choose_language(
        &self,
        user_id: i64,
        language: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.store_language(user_id, language, true, now).await
    }

    /// Remembers the language Telegram reported, unless the person chose one.
    pub async fn observe_language(
        &self,
        user_id: i64,
        language: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.store_language(user_id, language, false, now).await
    }

    async fn store_language(
        &self,
        user_id: i64,
        language: &str,
        chosen: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_languages (user_id, language, chosen, updated_at) \
             VALUES (?, ?, ?, ?) \
             ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, \
             chosen = excluded.chosen, updated_at = excluded.updated_at \
             WHERE excluded.chosen = 1 OR user_languages.chosen = 0",
        )
        .bind(user_id)
        .bind(language)
        .bind(chosen)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
