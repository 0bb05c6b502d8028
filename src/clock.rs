//! The one clock every module reads for stored timestamps and time limits: Unix seconds.
//!
//! Limit windows, cooldowns, code expiry, the sweep of abandoned sends and the cached languages
//! all go by it, so a test moves it instead of sleeping: with `VERIFY_BOT_TEST_CLOCK` set (a
//! test-only variable, read by [`crate::config`]), the file it names holds a whole number of
//! seconds the clock runs ahead of the system's, read afresh at each look.

use std::path::PathBuf;
use std::sync::OnceLock;

static AHEAD_BY: OnceLock<PathBuf> = OnceLock::new();

/// Seconds since the Unix epoch (plus a test's offset, if one is followed).
pub fn now() -> i64 {
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    system + offset()
}

/// From now on the clock runs ahead by the number of seconds in `file` (tests only). Once per
/// process.
pub fn follow(file: PathBuf) {
    let _ = AHEAD_BY.set(file);
}

fn offset() -> i64 {
    let Some(file) = AHEAD_BY.get() else {
        return 0;
    };
    std::fs::read_to_string(file)
        .ok()
        .and_then(|seconds| seconds.trim().parse().ok())
        .unwrap_or(0)
}
