//! The one clock every module reads for stored timestamps and time limits: Unix seconds.
//!
//! Limit windows, cooldowns, code expiry, the sweep of abandoned sends and the cached languages
//! all go by it. Several processes may share one database, and a machine's clock may be off, so
//! the clock goes by the database's: the store measures how far this host's clock is from the
//! database's (see [`crate::store::Store::follow_database_clock`]) and the clock adds that, in
//! whole seconds. Every process on one database then stamps and compares times on the same
//! clock, whatever their hosts' clocks say.
//!
//! Tests move it instead of sleeping: with `VERIFY_BOT_TEST_CLOCK` set (a test-only variable,
//! read by [`crate::config`]), the file it names holds a whole number of seconds the clock runs
//! ahead, read afresh at each look, on top of the database's time. `VERIFY_BOT_TEST_SYSTEM_SKEW`
//! (test-only too) makes this host's clock read that many seconds wrong, as a machine's clock
//! may, which the measurement against the database then corrects.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

static AHEAD_BY: OnceLock<PathBuf> = OnceLock::new();

/// Seconds added to this host's clock to read the database's (measured).
static CORRECTION: AtomicI64 = AtomicI64::new(0);

/// Milliseconds this host's clock reads wrong (tests only).
static SYSTEM_ERROR: AtomicI64 = AtomicI64::new(0);

/// Seconds since the Unix epoch by the database's clock (plus a test's offset, if one is
/// followed).
pub fn now() -> i64 {
    system_millis().div_euclid(1000) + CORRECTION.load(Ordering::Relaxed) + offset()
}

/// This host's clock, in milliseconds since the Unix epoch, uncorrected: what the measurement
/// against the database compares.
pub fn system_millis() -> i64 {
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    system + SYSTEM_ERROR.load(Ordering::Relaxed)
}

/// From now on the clock adds `seconds` to this host's clock (the database's clock minus
/// this host's, as measured).
pub fn correct_by(seconds: i64) {
    CORRECTION.store(seconds, Ordering::Relaxed);
}

/// The correction in force, in seconds.
pub fn correction() -> i64 {
    CORRECTION.load(Ordering::Relaxed)
}

/// From now on this host's clock reads `seconds` wrong (tests only). Once per process, before
/// the first look.
pub fn misread_system_clock_by(seconds: i64) {
    SYSTEM_ERROR.store(seconds * 1000, Ordering::Relaxed);
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
