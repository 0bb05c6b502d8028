//! Start-up and shutdown: open the database, meet the Bot API, announce the owner link if the
//! bot has no admin yet, then dispatch updates until SIGTERM or SIGINT.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::update_listeners::UpdateListener;
use tokio::sync::{mpsc, watch};

use crate::bot::{self, Settings};
use crate::config::Config;
use crate::gateway::GatewayClient;
use crate::store::{BalanceAlert, Store, StoreError};
use crate::verification::{Policy, Verifier};
use crate::{invite, now};

/// Runs the bot until a shutdown signal; returns `Ok` on a clean stop.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let mut shutdown = Shutdown::listen()?;
    let parts = tokio::select! {
        parts = prepare(&config) => parts?,
        () = shutdown.requested() => {
            tracing::info!("stopped during start-up");
            return Ok(());
        }
    };
    serve(parts, shutdown).await
}

struct Parts {
    bot: Bot,
    store: Store,
    verifier: Verifier,
    settings: Arc<Settings>,
}

async fn prepare(config: &Config) -> anyhow::Result<Parts> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", config.database_url))?;
    let interrupted = store.fail_interrupted_sends(now()).await?;
    if interrupted > 0 {
        tracing::warn!("{interrupted} send(s) were interrupted by a restart and are closed");
    }

    let bot = build_bot(config);
    let me = get_me(&bot).await?;
    let settings = Arc::new(Settings {
        admin_ids: config.admin_ids.clone(),
        default_region: config.default_region,
        invite_ttl: config.invite_ttl,
        time_zone: config.time_zone.clone(),
    });
    bot::menu::register(&bot, &all_admins(&store, &settings).await?).await;
    announce_owner_link(&store, &settings, &me).await?;

    let gateway = GatewayClient::new(
        config.gateway_api_url.clone(),
        config.gateway_token.clone(),
        config.gateway_timeout,
    );
    let policy = Policy {
        code_length: config.code_length,
        ttl: config.code_ttl,
        limits: config.limits.clone(),
        precheck: config.precheck,
        low_balance: config.low_balance,
    };
    let (alerts, alerts_rx) = mpsc::unbounded_channel();
    let verifier = Verifier::new(store.clone(), gateway, policy, alerts);
    tokio::spawn(alert_admins(
        bot.clone(),
        store.clone(),
        settings.clone(),
        alerts_rx,
    ));
    tracing::info!(
        bot = %me.username(),
        code_length = config.code_length,
        code_ttl = config.code_ttl,
        "verify-bot is running"
    );
    Ok(Parts {
        bot,
        store,
        verifier,
        settings,
    })
}

async fn serve(parts: Parts, mut shutdown: Shutdown) -> anyhow::Result<()> {
    let Parts {
        bot,
        store,
        verifier,
        settings,
    } = parts;
    let mut dispatcher = Dispatcher::builder(bot.clone(), bot::schema())
        .dependencies(dptree::deps![store, verifier, settings])
        // Updates the tree does not handle (edits, channel posts, …) are dropped without logging
        // their content, which may hold phone numbers.
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text(
            "handling an update failed",
        ))
        .build();

    let mut listener = teloxide::update_listeners::polling_default(bot).await;
    // Stopping the listener (rather than the dispatcher) cannot miss a signal that arrives
    // while dispatching starts: the stream ends, the dispatcher finishes the updates in hand
    // and returns.
    let stop = listener.stop_token();
    tokio::spawn(async move {
        shutdown.requested().await;
        tracing::info!("shutting down: finishing the updates in hand");
        stop.stop();
    });

    dispatcher
        .try_dispatch_with_listener(
            listener,
            LoggingErrorHandler::with_custom_text("receiving updates failed"),
        )
        .await
        .context("cannot reach the Telegram Bot API")?;
    tracing::info!("stopped");
    Ok(())
}

fn build_bot(config: &Config) -> Bot {
    let client = teloxide::net::default_reqwest_settings()
        .build()
        .expect("teloxide's default reqwest settings always build");
    let bot = Bot::with_client(config.telegram_token.expose_secret(), client);
    match &config.telegram_api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    }
}

/// Asks the Bot API who we are, retrying network failures for about half a minute. A rejected
/// token fails at once.
async fn get_me(bot: &Bot) -> anyhow::Result<Me> {
    let mut delay = Duration::from_millis(500);
    for attempt in 1.. {
        match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                anyhow::bail!("TELOXIDE_TOKEN was rejected by Telegram; check it with @BotFather")
            }
            Err(err) if attempt < 6 => {
                tracing::warn!("cannot reach the Telegram Bot API (attempt {attempt}): {err}");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(err) => return Err(err).context("cannot reach the Telegram Bot API"),
        }
    }
    unreachable!("the loop returns")
}

/// With no admin configured or stored, prints a one-time link whose first visitor becomes admin.
async fn announce_owner_link(store: &Store, settings: &Settings, me: &Me) -> anyhow::Result<()> {
    if !settings.admin_ids.is_empty() || store.has_admin().await? {
        return Ok(());
    }
    let token = invite::new_token();
    store
        .replace_owner_invite(&invite::hash(&token), now())
        .await?;
    tracing::info!(
        "No admin yet. Open this one-time link in Telegram to become the bot's owner: {}",
        invite::deep_link(me.username(), &token)
    );
    Ok(())
}

/// Tells every admin (from `ADMIN_IDS` and stored) about a Gateway balance alert.
async fn alert_admins(
    bot: Bot,
    store: Store,
    settings: Arc<Settings>,
    mut alerts: mpsc::UnboundedReceiver<BalanceAlert>,
) {
    while let Some(alert) = alerts.recv().await {
        let admins = match all_admins(&store, &settings).await {
            Ok(admins) => admins,
            Err(err) => {
                tracing::error!("cannot list the admins for a balance alert: {err}");
                continue;
            }
        };
        let text = bot::texts::balance_alert(alert);
        for admin in admins {
            let sent = bot
                .send_message(ChatId(admin), text.clone())
                .parse_mode(teloxide::types::ParseMode::Html)
                .await;
            if let Err(err) = sent {
                tracing::warn!(admin, "could not deliver a balance alert: {err}");
            }
        }
    }
}

/// Admins from `ADMIN_IDS` and stored ones, each once.
async fn all_admins(store: &Store, settings: &Settings) -> Result<Vec<i64>, StoreError> {
    let mut admins: Vec<i64> = settings.admin_ids.iter().map(|id| *id as i64).collect();
    admins.extend(store.stored_admins().await?);
    admins.sort_unstable();
    admins.dedup();
    Ok(admins)
}

/// SIGTERM (containers) or SIGINT (Ctrl-C).
struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    fn listen() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            let _ = tx.send(true);
        });
        Ok(Shutdown(rx))
    }

    async fn requested(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}
