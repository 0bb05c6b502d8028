//! Test support: loopback fakes of both Telegram APIs and a helper that runs the real
//! `verify-bot` binary against them, and reaches its HTTP server.

pub mod app;
pub mod fake_gateway;
pub mod fake_telegram;
pub mod http;
