//! Test support: loopback fakes of both Telegram APIs, a receiver of the bot's events that
//! checks them as the Standard Webhooks spec says, a helper that runs the real
//! `verify-bot` binary against them and reaches its HTTP server, and the database it runs on.

pub mod app;
pub mod browser;
pub mod counter;
pub mod db;
pub mod fake_gateway;
pub mod fake_telegram;
pub mod http;
pub mod init_data;
pub mod panel;
pub mod proxy;
pub mod qr;
pub mod receiver;
