//! The integration tests, in one binary: each module drives the real `verify-bot` binary (or
//! a fake's own behaviour) through loopback fakes of the Bot API and the Gateway API that
//! [`common`] starts, written from the Bot API docs and the Gateway reference.

mod common;

mod access;
mod admin_reports;
mod clocks;
mod customers;
mod delivery_reports;
mod events;
mod events_delivery;
mod fake_gateway_spec;
mod fake_telegram_spec;
mod free_check;
mod gateway_client;
mod growth;
mod http_server;
mod language;
mod lost_answers;
mod lost_sends;
mod money;
mod odd_updates;
mod panel_actions;
mod panel_api;
mod panel_browser;
mod panics;
mod records;
mod reliability;
mod replicas;
mod sender;
mod staff;
mod stall;
mod telegram_limits;
mod trust;
mod upgrade;
mod verification_flow;
mod webhook;
