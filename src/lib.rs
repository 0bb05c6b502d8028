//! verify-bot: staff confirm a customer's phone number from inside Telegram.
//!
//! A staff member types `/verify +44 7911 123456`; the bot asks the Telegram Gateway API to send
//! a code to that number's Telegram account; the customer reads the code aloud; the staff member
//! types it; the bot checks it with the Gateway and answers ✅ / ❌ / ⛔ / ⌛.
//!
//! The crate is split by concept, in layers: a module uses only modules of the layers before
//! its own in this list, and no two files of a folder use each other (both checked by a test,
//! `src/layers.rs`, which holds the same list as data).
//!
//! 1. What the rest is made of, each standing alone: [`phone`] and [`code`] (the domain types
//!    that parse what staff type), [`i18n`] (every word, in English and Russian), [`clock`],
//!    [`invite`] (one-time deep-link tokens), [`qr`] (a link as a QR picture), [`telemetry`]
//!    (logging that never prints a secret), [`monitoring`] (the Prometheus counters),
//!    [`memory`] (how the allocator holds the process's memory).
//! 2. [`gateway`]: a typed client of the Telegram Gateway API; it knows nothing of teloxide or
//!    the database.
//! 3. [`store`]: every SQL statement; rows come out as domain types.
//! 4. What is built on the store, free of Telegram types: [`verification`] (the flow: send,
//!    check, cancel, with its money rules), [`delivery`] (what happened to each code: signed
//!    reports or polling), [`events`] (every change told to the business's URL, signed as
//!    Standard Webhooks), [`export`] (the `/export` CSV), [`chart`] (the `/stats` PNG) and
//!    [`housekeeping`] (once a day: unused rows deleted, `RETENTION_DAYS` applied).
//! 5. Built on the flow: [`customers`] (what is asked before spending, `/lookup`, and the free
//!    check at the counter) and [`people`] (removing someone, claiming an invite).
//! 6. [`config`]: the environment, read once, into the settings of the layers before it.
//! 7. The faces: [`bot`] (the teloxide side: handler tree, handlers, every reply) and [`http`]
//!    (health, metrics, delivery reports, the webhook).
//! 8. [`panel`]: the admin panel, a Telegram Mini App (embedded pages and their authenticated
//!    JSON API) served on the same HTTP server under `PUBLIC_URL`; what admins do there reaches
//!    the chat through [`bot`].
//! 9. [`app`] wires them together and runs until SIGTERM/SIGINT.

pub mod app;
pub mod bot;
pub mod chart;
pub mod clock;
pub mod code;
pub mod config;
pub mod customers;
pub mod delivery;
pub mod events;
pub mod export;
pub mod gateway;
pub mod housekeeping;
pub mod http;
pub mod i18n;
pub mod invite;
#[cfg(test)]
mod layers;
pub mod memory;
pub mod monitoring;
pub mod panel;
pub mod people;
pub mod phone;
pub mod qr;
pub mod store;
pub mod telemetry;
#[cfg(test)]
mod testing;
pub mod verification;

/// Seconds since the Unix epoch: the one clock every module uses (see [`clock`]).
pub use clock::now;
