//! The language each person sees: picked with `/language`, or last reported by Telegram.
//!
//! Every update asks for its sender's language, and it changes rarely, so what the database
//! answered is kept in memory. The bot is the only writer (one process polls a bot token), and
//! every write goes through [`Store::store_language`], which forgets the cached answer.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Store, StoreError};

/// At most this many people are remembered; past it the cache starts over, so a flood of
/// strangers cannot grow it.
const CACHE_CAPACITY: usize = 4096;

/// A stored language: its code (`en`, `ru`) and whether the person picked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLanguage {
    pub language: String,
    pub chosen: bool,
}

/// What the database said about people's languages.
#[derive(Debug, Default)]
pub(super) struct Cache(Mutex<Entries>);

#[derive(Debug, Default)]
struct Entries {
    by_user: HashMap<i64, Option<StoredLanguage>>,
    /// Bumped by every write, so that a read which raced with a write is not cached.
    generation: u64,
}

impl Cache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, user_id: i64) -> Result<Option<StoredLanguage>, u64> {
        let entries = self.lock();
        entries
            .by_user
            .get(&user_id)
            .cloned()
            .ok_or(entries.generation)
    }

    fn put(&self, user_id: i64, language: Option<StoredLanguage>, read_at: u64) {
        let mut entries = self.lock();
        if entries.generation != read_at {
            return;
        }
        if entries.by_user.len() >= CACHE_CAPACITY {
            entries.by_user.clear();
        }
        entries.by_user.insert(user_id, language);
    }

    fn forget(&self, user_id: i64) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.by_user.remove(&user_id);
    }
}

impl Store {
    pub async fn language_of(&self, user_id: i64) -> Result<Option<StoredLanguage>, StoreError> {
        let generation = match self.languages.get(user_id) {
            Ok(cached) => return Ok(cached),
            Err(generation) => generation,
        };
        let row: Option<(String, bool)> =
            sqlx::query_as("SELECT language, chosen FROM user_languages WHERE user_id = ?")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let stored = row.map(|(language, chosen)| StoredLanguage { language, chosen });
        self.languages.put(user_id, stored.clone(), generation);
        Ok(stored)
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
        let written = sqlx::query(
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
        .await;
        // Forgotten even if the write failed: it may have reached the database all the same.
        self.languages.forget(user_id);
        written?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn russian() -> Option<StoredLanguage> {
        Some(StoredLanguage {
            language: "ru".into(),
            chosen: true,
        })
    }

    #[test]
    fn a_write_forgets_the_cached_answer() {
        let cache = Cache::default();
        let read_at = cache.get(7).unwrap_err();
        cache.put(7, None, read_at);
        assert_eq!(cache.get(7), Ok(None));
        cache.forget(7);
        assert!(cache.get(7).is_err(), "the next read must ask the database");
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_cached() {
        let cache = Cache::default();
        let read_at = cache.get(7).unwrap_err();
        // /language is chosen while the read is on its way back from the database.
        cache.forget(7);
        cache.put(7, None, read_at);
        assert!(cache.get(7).is_err());
        let read_at = cache.get(7).unwrap_err();
        cache.put(7, russian(), read_at);
        assert_eq!(cache.get(7), Ok(russian()));
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = Cache::default();
        for user in 0..(CACHE_CAPACITY as i64 * 3) {
            let read_at = cache.get(user).unwrap_err();
            cache.put(user, None, read_at);
        }
        assert!(cache.lock().by_user.len() <= CACHE_CAPACITY);
    }
}
