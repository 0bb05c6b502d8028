//! The `verify-bot` binary: read the configuration, start logging, run the bot.

use std::process::ExitCode;

use verify_bot::{app, config::Config, telemetry};

fn main() -> ExitCode {
    // Before any thread starts (see `memory`).
    verify_bot::memory::limit_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(run())
}

async fn run() -> ExitCode {
    // A missing `.env` is fine: the environment alone may hold the configuration.
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("verify-bot: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.secrets());
    match app::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("verify-bot stopped: {err:#}");
            ExitCode::FAILURE
        }
    }
}
