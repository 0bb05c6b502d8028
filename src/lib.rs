//! verify-bot: staff confirm a customer's phone number from inside Telegram.
//!
//! A staff member types `/verify +44 7911 123456`; the bot asks the Telegram Gateway API to send
//! a code to that number's Telegram account; the customer reads the code aloud; the staff member
//! types it; the bot checks it with the Gateway and answers ✅ / ❌ / ⛔ / ⌛.
//!
//! The crate is split by concept:
//! - [`config`] reads the environment once;
//! - [`telemetry`] sets up logging that never prints a secret;
//! - [`phone`] and [`code`] are the domain types that parse user input;
//! - [`gateway`] is a typed client of the Telegram Gateway API (it knows nothing of teloxide);
//! - [`store`] owns every SQL statement; [`invite`] makes one-time deep links;
//! - [`verification`] is the verification flow itself (send, check, cancel), free of Telegram types;
//! - [`bot`] is the teloxide side: the handler tree, handlers and every user-facing text;
//! - [`delivery`] follows what happened to each code (signed Gateway reports, or polling);
//! - [`http`] is the HTTP server (health, metrics, delivery reports, webhook); [`monitoring`]
//!   holds the Prometheus metrics;
//! - [`chart`] draws the admin `/stats` chart as a PNG; [`export`] writes the admin `/export` CSV
//!   (both pure: no Telegram, no database);
//! - [`app`] wires it all together and runs until SIGTERM/SIGINT.

pub mod app;
pub mod bot;
pub mod chart;
pub mod code;
pub mod config;
pub mod delivery;
pub mod export;
pub mod gateway;
pub mod http;
pub mod i18n;
pub mod invite;
pub mod monitoring;
pub mod phone;
pub mod store;
pub mod telemetry;
#[cfg(test)]
mod testing;
pub mod verification;

/// Seconds since the Unix epoch: the one clock every module uses for stored timestamps.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
