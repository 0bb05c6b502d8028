//! What the database said about people's languages, kept in memory for a few seconds: every
//! update asks for its sender's language, and it changes rarely (see [`super::languages`]).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::i18n::Lang;

/// At most this many people are remembered; past it the cache starts over, so a flood of
/// strangers cannot grow it.
const CACHE_CAPACITY: usize = 4096;

/// How long a cached answer is trusted: long enough that a conversation's updates are served
/// from memory, short enough that a language picked through another instance shows up soon.
/// Seconds, by [`crate::clock`] (which tests move forward).
pub(super) const CACHE_TTL: i64 = 5;

/// A stored language, and whether the person picked it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredLanguage {
    #[sqlx(try_from = "String")]
    pub language: Lang,
    pub chosen: bool,
}

/// What the database said about people's languages.
#[derive(Debug, Default)]
pub(super) struct LanguageCache(Mutex<Entries>);

#[derive(Debug, Default)]
struct Entries {
    /// Each answer with when it was read.
    by_user: HashMap<i64, (Option<StoredLanguage>, i64)>,
    /// Bumped by every write, so that a read which raced with a write is not cached.
    generation: u64,
}

impl LanguageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached answer if it is fresh at `now`; otherwise the generation to hand to
    /// [`Cache::put`] with the database's answer.
    pub(super) fn get(&self, user_id: i64, now: i64) -> Result<Option<StoredLanguage>, u64> {
        let entries = self.lock();
        match entries.by_user.get(&user_id) {
            Some((language, read)) if now - *read < CACHE_TTL => Ok(language.clone()),
            _ => Err(entries.generation),
        }
    }

    /// Caches what the database answered at `now`, unless a write came in since `read_at`.
    pub(super) fn put(
        &self,
        user_id: i64,
        language: Option<StoredLanguage>,
        read_at: u64,
        now: i64,
    ) {
        let mut entries = self.lock();
        if entries.generation != read_at {
            return;
        }
        if entries.by_user.len() >= CACHE_CAPACITY {
            entries.by_user.clear();
        }
        entries.by_user.insert(user_id, (language, now));
    }

    pub(super) fn forget(&self, user_id: i64) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.by_user.remove(&user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn russian() -> Option<StoredLanguage> {
        Some(StoredLanguage {
            language: Lang::Ru,
            chosen: true,
        })
    }

    #[test]
    fn a_write_forgets_the_cached_answer() {
        let (cache, now) = (LanguageCache::default(), 1_795_788_300);
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
        let (cache, now) = (LanguageCache::default(), 1_795_788_300);
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
        let (cache, read) = (LanguageCache::default(), 1_795_788_300);
        let read_at = cache.get(7, read).unwrap_err();
        cache.put(7, None, read_at, read);
        assert_eq!(cache.get(7, read + CACHE_TTL / 2), Ok(None));
        assert!(cache.get(7, read + CACHE_TTL).is_err());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let (cache, now) = (LanguageCache::default(), 1_795_788_300);
        for user in 0..(CACHE_CAPACITY as i64 * 3) {
            let read_at = cache.get(user, now).unwrap_err();
            cache.put(user, None, read_at, now);
        }
        assert!(cache.lock().by_user.len() <= CACHE_CAPACITY);
    }
}
