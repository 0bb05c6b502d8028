//! The language each person sees: picked with `/language`, or last reported by Telegram.
//!
//! Every update asks for its sender's language, and it changes rarely, so what the database
//! answered is kept in memory for a few seconds. Every write of this process goes through
//! [`Store::store_language`], which forgets the cached answer at once; a write by another
//! instance sharing the database (several webhook instances behind one URL, a rolling restart)
//! is seen once the answer is [`CACHE_TTL`] old.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Store, StoreError};

/// At most this many people are remembered; past it the cache starts over, so a flood of
/// strangers cannot grow it.
const CACHE_CAPACITY: usize = 4096;

/// How long a cached answer is trusted: long enough that a conversation's updates are served
/// from memory, short enough that a language picked through another instance shows up soon.
const CACHE_TTL: Duration = Duration::from_secs(5);

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
    /// Each answer with when it was read.
    by_user: HashMap<i64, (Option<StoredLanguage>, Instant)>,
    /// Bumped by every write, so that a read which raced with a write is not cached.
    generation: u64,
}

impl Cache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached answer if it is fresh at `now`; otherwise the generation to hand to
    /// [`Cache::put`] with the database's answer.
    fn get(&self, user_id: i64, now: Instant) -> Result<Option<StoredLanguage>, u64> {
        let entries = self.lock();
        match entries.by_user.get(&user_id) {
            Some((language, read)) if now.duration_since(*read) < CACHE_TTL => Ok(language.clone()),
            _ => Err(entries.generation),
        }
    }

    /// Caches what the database answered at `now`, unless a write came in since `read_at`.
    fn put(&self, user_id: i64, language: Option<StoredLanguage>, read_at: u64, now: Instant) {
        let mut entries = self.lock();
        if entries.generation != read_at {
            return;
        }
        if entries.by_user.len() >= CACHE_CAPACITY {
            entries.by_user.clear();
        }
        entries.by_user.insert(user_id, (language, now));
    }

    fn forget(&self, user_id: i64) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.by_user.remove(&user_id);
    }
}

impl Store {
    pub async fn language_of(&self, user_id: i64) -> Result<Option<StoredLanguage>, StoreError> {
        let asked = Instant::now();
        let generation = match self.languages.get(user_id, asked) {
            Ok(cached) => return Ok(cached),
            Err(generation) => generation,
        };
        let row: Option<(String, bool)> =
            sqlx::query_as("SELECT language, chosen FROM user_languages WHERE user_id = ?")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let stored = row.map(|(language, chosen)| StoredLanguage { language, chosen });
        self.languages
            .put(user_id, stored.clone(), generation, asked);
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
        let (cache, now) = (Cache::default(), Instant::now());
        let read_at = cache.get(7, now).unwrap_err();
        cache.put(7, None, read_at, now);
        assert_eq!(cache.get(7, now), Ok(None));
        cache.forget(7);
        assert!(
            cache.get(7, now).is_err(),
            "the next read must ask the database"
        );
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_cached() {
        let (cache, now) = (Cache::default(), Instant::now());
        let read_at = cache.get(7, now).unwrap_err();
        // /language is chosen while the read is on its way back from the database.
        cache.forget(7);
        cache.put(7, None, read_at, now);
        assert!(cache.get(7, now).is_err());
        let read_at = cache.get(7, now).unwrap_err();
        cache.put(7, russian(), read_at, now);
        assert_eq!(cache.get(7, now), Ok(russian()));
    }

    #[test]
    fn an_answer_is_asked_again_once_it_is_a_few_seconds_old() {
        // Another instance on the same database may have changed it meanwhile.
        let (cache, read) = (Cache::default(), Instant::now());
        let read_at = cache.get(7, read).unwrap_err();
        cache.put(7, None, read_at, read);
        assert_eq!(cache.get(7, read + CACHE_TTL / 2), Ok(None));
        assert!(cache.get(7, read + CACHE_TTL).is_err());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let (cache, now) = (Cache::default(), Instant::now());
        for user in 0..(CACHE_CAPACITY as i64 * 3) {
            let read_at = cache.get(user, now).unwrap_err();
            cache.put(user, None, read_at, now);
        }
        assert!(cache.lock().by_user.len() <= CACHE_CAPACITY);
    }
}
