//! Copies the write-ahead log back into the database file from a connection of its own, so that
//! no staff member's reply waits for it.
//!
//! Left to itself, SQLite checkpoints inside whichever commit takes the log past 1,000 pages:
//! that commit copies the pages and waits for two `fsync`s (5–6 ms on the benchmark's virtual
//! disk), and so does the reply it belongs to, about one update in a hundred (`BENCHMARKS.md`).
//! Here a background task checkpoints soon after writes instead. The automatic checkpoint stays,
//! at a higher mark, as a backstop for a burst this task cannot keep up with, or for a task that
//! has died.

use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};

/// The pool's automatic checkpoint (`wal_autocheckpoint`): a commit checkpoints by itself only
/// once the log holds 4,000 pages (16 MiB with 4 KiB pages), far more than this task lets pile
/// up while it keeps up.
pub(super) const BACKSTOP_PAGES: &str = "4000";

/// The wait after a checkpoint that found new pages. The bot writes ~30 pages per verification
/// flow; at 1,000 updates a second that is ~1,000 pages per 100 ms, well below the backstop.
const BUSY_EVERY: Duration = Duration::from_millis(100);

/// The wait after a checkpoint that found nothing new: an idle bot looks once a second.
const IDLE_EVERY: Duration = Duration::from_secs(1);

/// The checkpointing task; it stops when this is dropped (with the last clone of the store).
#[derive(Debug)]
pub(super) struct Checkpointer(tokio::task::JoinHandle<()>);

impl Checkpointer {
    /// Opens a connection of its own (the pool's stay free for updates) and checkpoints
    /// through it.
    pub(super) async fn start(options: &SqliteConnectOptions) -> Result<Checkpointer, sqlx::Error> {
        let connection = options.connect().await?;
        Ok(Checkpointer(tokio::spawn(run(connection))))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run(mut connection: SqliteConnection) {
    let mut wait = BUSY_EVERY;
    let mut last_seen = None;
    loop {
        tokio::time::sleep(wait).await;
        // PASSIVE copies what no reader still needs and never blocks readers or writers. It
        // answers (busy, pages in the log, pages copied back); the log only empties when the
        // next writer starts it over, so "new pages" means the count moved.
        let checkpoint = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut connection)
            .await;
        wait = match checkpoint {
            Ok((_, logged, _)) if last_seen != Some(logged) => {
                last_seen = Some(logged);
                BUSY_EVERY
            }
            Ok(_) => IDLE_EVERY,
            Err(err) => {
                tracing::warn!("write-ahead log checkpoint failed (SQLite's own will run): {err}");
                IDLE_EVERY
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::store::Store;

    /// The main database file, read as it is on disk, without its write-ahead log: what a
    /// backup that copies `verify-bot.db` alone would hold.
    async fn languages_in_file_alone(path: &std::path::Path) -> i64 {
        let copy = path.with_extension("copy.db");
        std::fs::copy(path, &copy).unwrap();
        let mut connection =
            SqliteConnectOptions::from_str(&format!("sqlite://{}", copy.display()))
                .unwrap()
                .immutable(true)
                .connect()
                .await
                .unwrap();
        // Before the first checkpoint even the table is only in the log.
        sqlx::query_as::<_, (i64,)>("SELECT count(*) FROM user_languages")
            .fetch_one(&mut connection)
            .await
            .map_or(0, |(count,)| count)
    }

    #[tokio::test]
    async fn writes_reach_the_database_file_without_waiting_for_a_thousand_pages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("verify-bot.db");
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        // One small write: a few pages in the log, nowhere near SQLite's own checkpoint mark.
        store
            .observe_language(7, crate::i18n::Lang::Ru, 0)
            .await
            .unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while languages_in_file_alone(&path).await == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the write never reached the database file"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
