//! The database: every SQL statement of the bot lives in this module and its children (and the
//! triggers in `migrations/`).
//!
//! SQLite in WAL mode, migrations from `migrations/` applied at start-up. The database is the
//! source of truth: a verification is written before staff are told about it, so a `kill -9`
//! loses nothing that was acknowledged, and every limit is counted from stored rows, so limits
//! survive restarts and hold across processes sharing the database.

mod audit;
mod balance;
mod checkpoint;
mod core;
mod delivery;
mod language_cache;
mod languages;
mod limits;
mod people;
mod replicas;
mod reports;
mod verifications;

pub use balance::BalanceAlert;
pub use core::{Backend, Role, Status, Store, StoreError, Unexpected};
pub use delivery::{Delivery, LiveView};
pub use languages::StoredLanguage;
pub use limits::{Limits, Refusal};
pub use people::{Claim, Member, Removal, StaffMember};
pub use reports::{ExportRecord, PeriodStats};
pub use verifications::{NewVerification, Reservation, Verification};
