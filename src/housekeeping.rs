//! The daily housekeeping: what the database keeps, and for how long. Once a day (and shortly
//! after a first start), one process, whichever claims the day first ([`Store::claim_housekeeping`],
//! a compare-and-set, so replicas never run it twice), deletes the rows nothing reads any more
//! and, with `RETENTION_DAYS`, reduces what is older (see [`crate::store`]'s `housekeeping`):
//!
//! - customer questions and `/qr` links older than a month (or than `RETENTION_DAYS`, if
//!   sooner), handled update ids older than a day, events delivered more than a week ago;
//! - with `RETENTION_DAYS`: the number of every older verification and audit row kept only in
//!   its masked form, the names of people removed before then dropped, older events and
//!   `/reset`s deleted. The counts `/stats` shows and every audit row stay.
//!
//! The day goes by the bot's clock (the database's), so a test that moves the clock a day ahead
//! sees the next run within a second or two.

use std::time::Duration;

use crate::now;
use crate::store::{KEEP_QUESTIONS, Store, Turn};

const DAY: i64 = 86_400;

/// How often the task looks at the clock (it reads no database until a run is due).
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What the housekeeping is told by the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// `RETENTION_DAYS`: verification details older than this many days are reduced; `None`
    /// (the default): everything is kept.
    pub retention_days: Option<u32>,
}

/// Runs the housekeeping forever, once a day; spawn it.
pub async fn run(store: Store, settings: Settings) {
    let mut due = i64::MIN;
    loop {
        tokio::time::sleep(LOOK_EVERY).await;
        if now() < due {
            continue;
        }
        due = match store.claim_housekeeping(now()).await {
            Ok(Turn::Mine) => {
                once(&store, &settings, now()).await;
                now() + DAY
            }
            Ok(Turn::DueAt(at)) => at,
            Err(err) => {
                tracing::warn!("cannot claim the daily housekeeping: {err}");
                now() + 60
            }
        };
    }
}

/// One run at `now`.
pub async fn once(store: &Store, settings: &Settings, now: i64) {
    let cutoff = settings
        .retention_days
        .map(|days| now - i64::from(days) * DAY);
    let questions_before = cutoff.map_or(now - KEEP_QUESTIONS, |cutoff| {
        cutoff.max(now - KEEP_QUESTIONS)
    });
    match store.prune(now, questions_before).await {
        Ok(pruned) => tracing::info!(
            questions = pruned.questions,
            links = pruned.links,
            updates = pruned.updates,
            events = pruned.events,
            "housekeeping: unused rows deleted"
        ),
        Err(err) => tracing::warn!("housekeeping: cannot delete unused rows: {err}"),
    }
    let Some(cutoff) = cutoff else {
        return;
    };
    match store.reduce_before(cutoff, now).await {
        Ok(reduced) => tracing::info!(
            verifications = reduced.verifications,
            audit_rows = reduced.audit_rows,
            names = reduced.names,
            events = reduced.events,
            resets = reduced.resets,
            "housekeeping: records older than RETENTION_DAYS reduced"
        ),
        Err(err) => tracing::warn!("housekeeping: cannot apply RETENTION_DAYS: {err}"),
    }
}
