//! The database: every SQL statement of the bot lives in this module and its children (and the
//! triggers in `migrations/`).
//!
//! Two backends behind one API, picked by `DATABASE_URL`'s scheme: SQLite in WAL mode (one
//! machine, the default) or PostgreSQL (several replicas). Migrations for each live in
//! `migrations/sqlite/` and `migrations/postgres/` and run at start-up. The database is the
//! source of truth: a verification is written before staff are told about it, so a `kill -9`
//! loses nothing that was acknowledged, and every limit is counted from stored rows, so limits
//! survive restarts and hold across processes sharing the database. What would grow with the
//! history (the day's spend, a person's sends today, `/stats`, `/metrics`) is read from running
//! totals that the database's own triggers keep in the statement of each change (`activity`,
//! `staff_days`), so every update costs the same at a thousand verifications or a million.
//!
//! # Why one store with SQL both backends read
//!
//! The rest of the code sees one [`Store`] and never which database it talks to. Three shapes
//! were weighed. sqlx's `Any` driver would run one query text on either, but it decodes loosely
//! (a SQLite `INTEGER` flag is not a `bool` to it), rewrites no placeholders and has no
//! `query!` checking: the money rules would rest on runtime type luck. A store trait with one
//! implementation per backend (as atuin's server does) doubles every statement, and the copies
//! of money-critical SQL would drift. So each statement is written once, in the SQL the two
//! share (`$1` placeholders, which SQLite reads as numbered parameters; `CASE` sums instead of
//! summed booleans; `IS NOT DISTINCT FROM`; `TRUE`/`FALSE`), and [`core::with_db`] compiles the
//! code around it once per driver, each with its own exact types. Where the backends really
//! differ it says so in one place: how a write that decides about money or access is
//! serialised ([`core::Serialized`]: `BEGIN IMMEDIATE` on SQLite; on PostgreSQL
//! transaction-scoped advisory locks on just what it contends on, [`core::Contention`]: the
//! number, the person when their day is counted, the budget when one is set; so reservations,
//! limits and the budget are as strict on either, and replicas reserve different numbers side
//! by side), the health check, SQLite's write-ahead-log checkpointing, and how long the bot and
//! PostgreSQL wait for each other ([`core::Timeouts`]: a stalled connection stops only the
//! process that waits on it).

mod audit;
mod balance;
mod checkpoint;
mod core;
mod customers;
mod delivery;
mod events;
mod housekeeping;
mod language_cache;
mod languages;
mod limits;
mod panel;
mod people;
mod questions;
mod replicas;
mod reports;
#[cfg(test)]
mod schema;
mod sender;
mod verifications;

pub use balance::BalanceAlert;
pub use core::{Backend, Method, Role, Stalled, Status, Store, StoreError, Timeouts, Unexpected};
pub use customers::{Accepted, Consent, ContactLink, LinkOpening, Lookup, Verified};
pub use delivery::{Delivery, LiveView, Reported};
pub use events::{EVENT_TYPES, Endpoint, EventsSummary, OutboxEvent};
pub use housekeeping::{KEEP_DELIVERED, KEEP_QUESTIONS, Pruned, Reduced, Turn};
pub use languages::StoredLanguage;
pub use limits::{Limits, Refusal};
pub use panel::{AuditRow, PanelFilter};
pub use people::{Claim, Member, Removal, StaffMember};
pub use questions::Question;
pub use reports::{ExportRecord, PeriodStats, local_days};
pub use sender::{SenderAlert, SenderProblem};
pub use verifications::{NewVerification, Reservation, Verification};
