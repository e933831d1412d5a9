//! Builds the application: connects and migrates the database, loads the trust graph, starts
//! the background tasks and binds the listener (port 0 works, for tests).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use parking_lot::Mutex;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::{Service, ServiceExt};

use crate::auth::password;
use crate::auth::throttle::LoginThrottle;
use crate::config::{Config, ServerLimits};
use crate::feed::{follow, LiveGraph};
use crate::state::AppState;

/// The embedded migrations.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects a pool that fails fast when the database is down, so requests get a 503 quickly
/// instead of hanging.
pub fn connect_lazy(config: &Config) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(config.db_pool_size)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy(&config.database_url)?)
}

/// Connects to a standby for the graph's snapshot and the change feed: two connections, one
/// for the poll and one spare for a reload, all read-only.
fn connect_replica(url: &str) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy(url)
        .context("VOUCHGRAPH_REPLICA_URL is not a valid connection string")
}

/// A built, bound, not yet serving application.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    stop: CancellationToken,
}

impl Application {
    /// Migrates and binds `config.addr`. The trust graph loads when `run` starts, while
    /// `/healthz` already answers and `/readyz` says 503.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let pool = connect_lazy(&config)?;
        Application::build_with_pool(config, pool).await
    }

    /// Like `build`, over an existing pool (tests get one per isolated database).
    pub async fn build_with_pool(config: Config, pool: PgPool) -> anyhow::Result<Application> {
        MIGRATOR.run(&pool).await.context("running migrations")?;
        let live = Arc::new(LiveGraph::default().with_walk_cache_bytes(config.walk_cache_mb << 20));
        let memory = config.argon2_memory_kib;
        let dummy_hash = tokio::task::spawn_blocking(move || password::dummy_hash(memory)).await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        if config.partners.embed_secret.is_none() {
            tracing::warn!(
                "VOUCHGRAPH_EMBED_SECRET is not set: embed tokens die with this process"
            );
        }
        let logins = LoginThrottle::new(config.login_limits);
        password::limit_concurrency(config.hash_concurrency);
        let config_geocoder = config.geocoder_url.clone();
        let state = AppState {
            rate_limits: Arc::new(crate::ratelimit::RateLimits::verifying(
                config.rate_limits.clone(),
                Some(pool.clone()),
            )),
            pool,
            embed: Arc::new(crate::partners::embed::EmbedSigner::new(
                config.partners.embed_secret.as_deref(),
            )),
            config: Arc::new(config),
            live,
            dummy_hash: dummy_hash.into(),
            sessions: Default::default(),
            logins: Arc::new(logins),
            pace: Default::default(),
            geocoder: match &config_geocoder {
                Some(setting) => crate::places::Geocoder::Remote(
                    crate::places::remote::Remote::from_setting(setting)?,
                ),
                None => crate::places::Geocoder::Builtin,
            },
        };
        Ok(Application {
            listener,
            state,
            stop: CancellationToken::new(),
        })
    }

    /// The bound address (with the real port when built with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The shared state, for tests that look inside.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A token that stops the server gracefully when cancelled.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Serves until the stop token is cancelled (or SIGTERM/Ctrl-C when `signals` is set),
    /// then finishes in-flight requests and stops the background tasks.
    pub async fn run(self, signals: bool) -> anyhow::Result<()> {
        let Application {
            listener,
            state,
            stop,
        } = self;
        let follower = {
            let (live, stop) = (state.live.clone(), stop.clone());
            // The graph's source: the standby when there is one, so the primary serves only
            // writes and the reads the graph cannot answer.
            let source = match &state.config.replica {
                Some(replica) => Some((connect_replica(&replica.url)?, replica.poll)),
                None => None,
            };
            let pool = source
                .as_ref()
                .map_or_else(|| state.pool.clone(), |(pool, _)| pool.clone());
            tokio::spawn(async move {
                // Load first, retrying while the database is unreachable; follow afterwards.
                while let Err(error) = live.load(&pool).await {
                    tracing::error!(?error, "could not load the trust graph; retrying");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    }
                }
                match source {
                    Some((_, every)) => follow::poll_changes(live, pool, every, stop).await,
                    None => follow::follow_changes(live, pool, stop).await,
                }
            })
        };
        let prior = tokio::spawn(follow::refresh_prior(
            state.live.clone(),
            state.config.prior_interval,
            stop.clone(),
        ));
        let pace = tokio::spawn(crate::feed::pace::keep_board_fresh(
            state.pace.clone(),
            state.pool.clone(),
            state.config.prior_interval,
            stop.clone(),
        ));
        let sweeper = tokio::spawn(sweep_sessions(state.pool.clone(), stop.clone()));
        let forgetter = tokio::spawn(forget_idle_callers(state.clone(), stop.clone()));
        let expiry = tokio::spawn(crate::jobs::run_expiry(
            state.pool.clone(),
            Duration::from_secs(600),
            state.config.retention_days,
            stop.clone(),
        ));
        let webhooks = tokio::spawn(crate::webhooks::worker::run(
            state.pool.clone(),
            state.config.webhooks.clone(),
            stop.clone(),
        ));
        let mail = tokio::spawn(crate::mail::sender::run(
            state.pool.clone(),
            state.config.mail.clone(),
            stop.clone(),
        ));
        if signals {
            tokio::spawn(stop_on_signal(stop.clone()));
        }
        tracing::info!(addr = %listener.local_addr()?, "vouchgraph is serving");
        let limits = state.config.server;
        let trusted = state.config.rate_limits.trusted_proxies.clone();
        let app = crate::http::app(state);
        serve(listener, app, limits, trusted, stop.clone()).await;
        stop.cancel();
        let _ = tokio::join!(follower, prior, pace, sweeper, expiry, webhooks, mail, forgetter);
        tracing::info!("vouchgraph stopped");
        Ok(())
    }
}

/// Serves HTTP/1.1 until `stop` is cancelled, then lets open requests finish.
///
/// What `axum::serve` does, plus the slow-client limits ([`ServerLimits`]): hyper's
/// header-read timeout, which also closes a kept-alive connection that sends no next request
/// in time, and a cap on open connections per client address, over which a connection is
/// closed as soon as it is accepted.
async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ServerLimits,
    trusted_proxies: Vec<IpAddr>,
    stop: CancellationToken,
) {
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let open = Arc::new(OpenConnections::default());
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, remote) = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let capped = !trusted_proxies.contains(&remote.ip());
        let Some(slot) = open.take(remote.ip(), capped.then_some(limits.connections_per_ip)) else {
            tracing::info!(client = %remote.ip(), "too many open connections; closed");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = match make_service.call(remote).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service = TowerToHyperService::new(service.map_request(
            |request: axum::http::Request<hyper::body::Incoming>| {
                request.map(axum::body::Body::new)
            },
        ));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A header timeout or a client gone away ends the connection; nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("connections still open after 30 s; stopping anyway");
        }
    }
}

/// Open connections per client address.
#[derive(Default)]
struct OpenConnections(Mutex<HashMap<IpAddr, usize>>);

/// One open connection, counted until dropped.
struct Slot {
    open: Arc<OpenConnections>,
    ip: IpAddr,
}

impl OpenConnections {
    /// Counts a connection from `ip`, unless `cap` of them are open already.
    fn take(self: &Arc<Self>, ip: IpAddr, cap: Option<usize>) -> Option<Slot> {
        let mut counts = self.0.lock();
        let count = counts.entry(ip).or_insert(0);
        if cap.is_some_and(|cap| *count >= cap) {
            return None;
        }
        *count += 1;
        Some(Slot {
            open: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.open.0.lock();
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Every minute, drops the rate limiters' and login throttle's idle entries, so their memory
/// follows the callers of the last few minutes, not every caller ever seen.
async fn forget_idle_callers(state: AppState, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
        state.logins.forget_idle();
        state.rate_limits.forget_idle();
    }
}

async fn stop_on_signal(stop: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
    stop.cancel();
}

async fn sweep_sessions(pool: PgPool, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
        }
        match crate::store::sessions::delete_expired(&pool).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "session sweep failed"),
        }
    }
}
