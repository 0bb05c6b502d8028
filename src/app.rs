//! Start-up and shutdown, wired: open the database, meet the Bot API, start delivering events
//! (with `EVENTS_URL`), then serve HTTP and dispatch updates (by long polling or by webhook)
//! until SIGTERM or SIGINT. Each part's logic
//! lives in its module; this one only connects them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::HandlerDescription;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::update_listeners::UpdateListener;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::bot::reply::Apologiser;
use crate::bot::{self, BoxError, Settings, TgBot, updates};
use crate::config::{Config, HttpConfig};
use crate::customers::Customers;
use crate::delivery::signature::ReportVerifier;
use crate::delivery::{Change, Tracker, poller};
use crate::events;
use crate::gateway::GatewayClient;
use crate::housekeeping;
use crate::http::{self, HttpState};
use crate::monitoring;
use crate::panel;
use crate::people::People;
use crate::store::Store;
use crate::verification::Verifier;

/// Runs the bot until a shutdown signal; returns `Ok` on a clean stop.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if let Some(file) = &config.test_clock {
        crate::clock::follow(file.clone());
    }
    if let Some(seconds) = config.test_system_skew {
        crate::clock::misread_system_clock_by(seconds);
    }
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
    bot: TgBot,
    /// The bot itself, as `getMe` described it.
    me: Me,
    store: Store,
    verifier: Verifier,
    customers: Customers,
    people: People,
    settings: Arc<Settings>,
    housekeeping: housekeeping::Settings,
    server: Server,
}

/// The HTTP side, prepared: bound, with its routes' state.
struct Server {
    config: HttpConfig,
    tcp: TcpListener,
    state: HttpState,
    /// With `PUBLIC_URL`: the admin panel's API, served next to our own routes.
    panel: Option<axum::Router>,
    gateway: GatewayClient,
    changes: mpsc::UnboundedReceiver<Change>,
}

async fn prepare(config: &Config) -> anyhow::Result<Parts> {
    // Bound first, so that a port already taken stops start-up at once.
    let tcp = http::bind(config.http.addr).await?;
    let metrics = monitoring::install().context("cannot set up metrics")?;
    let store = Store::connect_with(&config.database_url, &config.database_timeouts)
        .await
        .with_context(|| format!("cannot open the database at {}", config.database_shown()))?;
    // Every timestamp goes by the database's clock, so that replicas on hosts whose clocks
    // disagree never misjudge each other's sends; measured again every minute.
    let skew = store
        .follow_database_clock()
        .await
        .context("cannot read the database's clock")?;
    if skew != 0 {
        tracing::warn!(
            seconds = skew,
            "this host's clock is off the database's; going by the database's"
        );
    }
    tokio::spawn(follow_database_clock(store.clone()));
    // Replicas share one configuration of what the database writes to the outbox.
    let types = config
        .events
        .as_ref()
        .and_then(|events| events.types.as_deref());
    store
        .configure_events(config.events.is_some(), types)
        .await
        .context("cannot configure events in the database")?;
    let bot = bot::html(build_bot(config));
    let settings = Arc::new(config.bot.clone());
    let me = bot::startup::meet(&bot, &store, &settings).await?;

    let gateway = GatewayClient::new(
        config.gateway_api_url.clone(),
        config.gateway_token.clone(),
        config.gateway_timeout,
    )
    .with_callback_url(config.http.callback_url.clone());
    let (alerts, alerts_rx) = mpsc::unbounded_channel();
    let verifier = Verifier::new(
        store.clone(),
        gateway.clone(),
        config.policy.clone(),
        alerts,
    );
    let customers = Customers::new(store.clone(), verifier.clone(), config.customers.clone());
    let people = People::new(
        store.clone(),
        verifier.clone(),
        &settings.admin_ids,
        settings.default_lang,
    );
    let alerted = (bot.clone(), store.clone(), settings.clone());
    tokio::spawn(bot::alerts::alert_admins(
        alerted.0, alerted.1, alerted.2, alerts_rx,
    ));
    if let Some(events) = &config.events {
        let signer = events::Signer::new(&events.secrets).context("EVENTS_SECRET")?;
        let sender = events::Sender::new(events.url.clone(), signer);
        let (alerts, alerts_rx) = mpsc::unbounded_channel();
        tokio::spawn(bot::alerts::alert_admins_of_events(
            bot.clone(),
            store.clone(),
            settings.clone(),
            alerts_rx,
        ));
        let settings = Arc::new(events.clone());
        tokio::spawn(events::run(store.clone(), sender, settings, alerts));
    }
    let (tracker, changes) = Tracker::new(store.clone());
    let server = Server {
        config: config.http.clone(),
        tcp,
        state: HttpState {
            store: store.clone(),
            tracker,
            reports: ReportVerifier::new(&config.gateway_token, config.http.report_max_age),
            metrics,
        },
        panel: config.http.public_path.as_deref().map(|base| {
            let chat = panel::Chat {
                bot: bot.clone(),
                people: people.clone(),
                settings: settings.clone(),
                username: me.username().to_owned(),
            };
            let state = panel::PanelState::new(
                store.clone(),
                config.telegram_token.expose_secret(),
                config.http.panel_auth_max_age.as_secs(),
                chat,
            );
            panel::router(base, state)
        }),
        gateway,
        changes,
    };
    tracing::info!(
        bot = %me.username(),
        code_length = config.policy.code_length,
        code_ttl = config.policy.ttl,
        sender = config.policy.sender_username.as_deref().map_or("Telegram".into(), |s| format!("@{s}")),
        delivery = if config.http.callback_url.is_some() { "reports" } else { "polling" },
        updates = if config.http.webhook.is_some() { "webhook" } else { "long polling" },
        events = if config.events.is_some() { "on" } else { "off" },
        "verify-bot is running"
    );
    Ok(Parts {
        bot,
        me,
        store,
        verifier,
        customers,
        people,
        settings,
        housekeeping: config.housekeeping,
        server,
    })
}

async fn serve(parts: Parts, shutdown: Shutdown) -> anyhow::Result<()> {
    let Parts {
        bot,
        me,
        store,
        verifier,
        customers,
        people,
        settings,
        housekeeping: housekeeping_settings,
        server,
    } = parts;
    // Every update is counted. (The kinds asked of Telegram are `updates::KINDS`.)
    let counted = dptree::inspect_with_description(DpHandlerDescription::entry(), |u: Update| {
        monitoring::update_handled(bot::update_kind(&u))
    });
    // A panicking handler costs only its update (see `bot::contain`).
    let tree = bot::contain::contained(counted.chain(bot::schema()));
    let claiming = match server.config.webhook {
        Some(_) => updates::Claiming::EachUpdate,
        None => updates::Claiming::ByBatch,
    };
    let dispatching = Dispatching {
        tree,
        deps: dptree::deps![
            bot.clone(),
            me.clone(),
            store.clone(),
            verifier.clone(),
            customers,
            people,
            bot::Command::menus(settings.panel_url.as_deref()),
            settings.clone(),
            claiming
        ],
        errors: Arc::new(Apologiser(bot.clone())),
    };

    let Server {
        config,
        tcp,
        state,
        panel,
        gateway,
        changes,
    } = server;
    bot::live::spawn(bot.clone(), state.store.clone(), settings.clone(), changes);
    // Once a day, one process: unused rows pruned, RETENTION_DAYS applied.
    tokio::spawn(housekeeping::run(
        state.store.clone(),
        housekeeping_settings,
    ));
    // Sends abandoned by a process that died (this one before a restart, or another one on
    // the same database) are closed as possibly paid, and their staff told.
    tokio::spawn(bot::live::sweep_abandoned_sends(
        bot.clone(),
        state.store.clone(),
        verifier.clone(),
        settings.clone(),
    ));
    if config.callback_url.is_none() {
        let (store, tracker) = (state.store.clone(), state.tracker.clone());
        let instance = instance_name();
        tokio::spawn(poller::run(
            store,
            gateway,
            tracker,
            config.status_poll,
            instance,
        ));
    }
    let mut http_shutdown = shutdown.clone();
    let stopped = async move { http_shutdown.requested().await };
    let claims = updates::Claims {
        store: state.store.clone(),
        bot_id: me.id.0 as i64,
    };
    let mut router = http::router(state);
    if let Some(panel) = panel {
        router = router.merge(panel);
    }
    let Some(webhook) = config.webhook else {
        let http = http::serve(tcp, router, stopped);
        let listener = updates::polling(bot.inner().clone(), claims).await;
        return dispatch(dispatching, listener, http, shutdown).await;
    };
    let (listener, inbox) = updates::webhook();
    let router = http::with_webhook(router, &webhook, inbox);
    let http = http::serve(tcp, router, stopped);
    if webhook.setup {
        bot.set_webhook(webhook.url)
            .secret_token(webhook.secret.expose_secret().to_owned())
            .allowed_updates(updates::KINDS)
            .await
            .context("cannot register the webhook with Telegram (setWebhook)")?;
        tracing::info!("webhook registered with Telegram");
    }
    // The webhook is never deleted here: other instances may still be serving it.
    dispatch(dispatching, listener, http, shutdown).await
}

/// What the updates are handed to: the handler tree, what it is given, and who hears of its
/// errors (see [`bot::dispatch`]).
struct Dispatching {
    tree: UpdateHandler<BoxError>,
    deps: DependencyMap,
    errors: Arc<Apologiser>,
}

/// Dispatches updates from `listener` until shutdown is requested, finishes the updates in hand,
/// then lets the HTTP server finish.
async fn dispatch(
    dispatching: Dispatching,
    mut listener: updates::Listener,
    http: tokio::task::JoinHandle<()>,
    mut shutdown: Shutdown,
) -> anyhow::Result<()> {
    // Stopping the listener ends dispatching once the updates in hand are handled. Before
    // dispatching starts, the stop is remembered by the listener.
    let stop_listening = listener.stop_token();
    tokio::spawn(async move {
        shutdown.requested().await;
        tracing::info!("shutting down: finishing the updates in hand");
        stop_listening.stop();
    });
    let Dispatching { tree, deps, errors } = dispatching;
    bot::dispatch::dispatch(listener, tree, deps, errors).await;
    if tokio::time::timeout(Duration::from_secs(5), http)
        .await
        .is_err()
    {
        tracing::warn!("the HTTP server did not stop within 5 seconds");
    }
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

/// How often the clock is set by the database's again.
const CLOCK_CHECK_EVERY: Duration = Duration::from_secs(60);

/// Sets the clock by the database's every [`CLOCK_CHECK_EVERY`] (see [`crate::clock`]).
async fn follow_database_clock(store: Store) {
    let mut last = crate::clock::correction();
    loop {
        tokio::time::sleep(CLOCK_CHECK_EVERY).await;
        match store.follow_database_clock().await {
            Ok(skew) if skew != last => {
                tracing::warn!(
                    seconds = skew,
                    "this host's clock moved against the database's; going by the database's"
                );
                last = skew;
            }
            Ok(_) => {}
            Err(err) => tracing::warn!("cannot read the database's clock: {err}"),
        }
    }
}

/// This process's name among the replicas sharing the database (for the leases): its process id
/// and a random part, since replicas in containers all run as process 1.
fn instance_name() -> String {
    format!("{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// SIGTERM (containers) or SIGINT (Ctrl-C).
#[derive(Clone)]
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
