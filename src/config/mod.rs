//! Every setting in one place, read from the environment (documented in the README). The
//! settings of each part live in a file of their own here, so that this module depends on
//! nothing above it: the parts read their settings from here, never the other way round.

pub mod login;
pub mod mail;
pub mod partners;
pub mod rate_limits;
pub mod replica;
pub mod webhooks;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;

pub use replica::ReplicaSettings;

/// The service's settings.
#[derive(Clone)]
pub struct Config {
    /// Postgres connection string (`DATABASE_URL`).
    pub database_url: String,
    /// Address to listen on (`VOUCHGRAPH_ADDR`, default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// Maximum database connections (`VOUCHGRAPH_DB_POOL`, default 16).
    pub db_pool_size: u32,
    /// A streaming replica (hot standby) of `database_url` to load the trust graph from and
    /// follow the change feed on (`VOUCHGRAPH_REPLICA_URL`; unset, the primary). Writes and
    /// every other read still go to the primary. See [`ReplicaSettings`].
    pub replica: Option<ReplicaSettings>,
    /// How long a session lives (`VOUCHGRAPH_SESSION_DAYS`, default 30).
    pub session_ttl: Duration,
    /// Whether session cookies carry `Secure` (`VOUCHGRAPH_SECURE_COOKIES`; by default true
    /// unless the listen address is loopback, where the demo runs over plain http). See
    /// [`secure_cookies_by_default`].
    pub secure_cookies: bool,
    /// Largest accepted request body in bytes (`VOUCHGRAPH_MAX_BODY`, default 64 KiB).
    pub max_body_bytes: usize,
    /// Days that settled partner events, delivery logs and expired invitations' addresses are
    /// kept (`VOUCHGRAPH_RETENTION_DAYS`, default 30); see `store::retention`.
    pub retention_days: i32,
    /// Seconds between recomputations of the global prior (`VOUCHGRAPH_PRIOR_SECS`, default 60).
    pub prior_interval: Duration,
    /// Memory for remembered seekers' walks, with their explanation layers and evidence, in
    /// MiB (`VOUCHGRAPH_WALK_CACHE_MB`, default 512); see `graph/walk_cache.rs`. 0 remembers
    /// nothing. A bound, not an allocation: a small network's walks take far less.
    pub walk_cache_mb: u64,
    /// Argon2 memory cost in KiB (`VOUCHGRAPH_ARGON2_MEMORY_KIB`, default 19456, OWASP's
    /// minimum recommendation for argon2id).
    pub argon2_memory_kib: u32,
    /// Password hashes (sign-up) and verifications (login) running at once
    /// (`VOUCHGRAPH_HASH_CONCURRENCY`, default one per core): argon2's memory is at most this
    /// times `argon2_memory_kib` under any flood (see `auth::password`).
    pub hash_concurrency: usize,
    /// Slow-client limits of the HTTP server (`VOUCHGRAPH_HEADER_TIMEOUT_SECS`,
    /// `VOUCHGRAPH_CONNECTIONS_PER_IP`); see [`ServerLimits`].
    pub server: ServerLimits,
    /// Partner settings: the embed-token secret (`VOUCHGRAPH_EMBED_SECRET`); see
    /// [`partners::PartnerSettings`].
    pub partners: partners::PartnerSettings,
    /// Webhook delivery and its SSRF guard (`VOUCHGRAPH_WEBHOOK_*`); see
    /// [`webhooks::WebhookSettings`].
    pub webhooks: webhooks::WebhookSettings,
    /// A Nominatim or Photon server for places (`VOUCHGRAPH_GEOCODER_URL`, `photon+` before
    /// the URL for Photon); unset, the built-in gazetteer.
    pub geocoder_url: Option<String>,
    /// Email: the SMTP relay, links, caps and retries.
    pub mail: mail::MailSettings,
    /// Requests per minute per class of caller, and trusted proxies (`VOUCHGRAPH_RATE_*`,
    /// `VOUCHGRAPH_TRUSTED_PROXIES`); see [`rate_limits::RateLimitSettings`].
    pub rate_limits: rate_limits::RateLimitSettings,
    /// Login attempts per account and per address; see [`login::LoginLimits`].
    pub login_limits: login::LoginLimits,
}

impl std::fmt::Debug for Config {
    // The database URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &"<redacted>")
            .field("addr", &self.addr)
            .field("db_pool_size", &self.db_pool_size)
            .field("replica", &self.replica.as_ref().map(|r| r.poll))
            .field("session_ttl", &self.session_ttl)
            .field("secure_cookies", &self.secure_cookies)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("prior_interval", &self.prior_interval)
            .field("retention_days", &self.retention_days)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("server", &self.server)
            .field("partners", &self.partners)
            .field("webhooks", &self.webhooks)
            .field("rate_limits", &self.rate_limits)
            .finish()
    }
}

impl Config {
    /// Reads the settings from the environment.
    pub fn from_env() -> anyhow::Result<Config> {
        let database_url = std::env::var("DATABASE_URL")
            .context("DATABASE_URL is not set; the README's commands provide a local Postgres")?;
        let addr: SocketAddr = env_or("VOUCHGRAPH_ADDR", "127.0.0.1:8080")?;
        let secure_default = secure_cookies_by_default(addr).to_string();
        Ok(Config {
            database_url,
            addr,
            db_pool_size: env_or("VOUCHGRAPH_DB_POOL", "16")?,
            replica: ReplicaSettings::from_env()?,
            session_ttl: Duration::from_secs(
                86_400 * env_or::<u64>("VOUCHGRAPH_SESSION_DAYS", "30")?,
            ),
            secure_cookies: env_or("VOUCHGRAPH_SECURE_COOKIES", &secure_default)?,
            max_body_bytes: env_or("VOUCHGRAPH_MAX_BODY", "65536")?,
            prior_interval: Duration::from_secs(env_or("VOUCHGRAPH_PRIOR_SECS", "60")?),
            walk_cache_mb: env_or("VOUCHGRAPH_WALK_CACHE_MB", "512")?,
            retention_days: env_or("VOUCHGRAPH_RETENTION_DAYS", "30")?,
            argon2_memory_kib: env_or("VOUCHGRAPH_ARGON2_MEMORY_KIB", "19456")?,
            hash_concurrency: env_or(
                "VOUCHGRAPH_HASH_CONCURRENCY",
                &default_hash_concurrency().to_string(),
            )?,
            server: ServerLimits::from_env()?,
            partners: partners::PartnerSettings::from_env()?,
            webhooks: webhooks::WebhookSettings::from_env()?,
            mail: mail::MailSettings::from_env(addr)?,
            geocoder_url: std::env::var("VOUCHGRAPH_GEOCODER_URL")
                .ok()
                .filter(|u| !u.trim().is_empty()),
            rate_limits: rate_limits::RateLimitSettings::from_env()?,
            login_limits: login::LoginLimits::from_env()?,
        })
    }

    /// Settings for tests: a given database, port 0, and cheap password hashing.
    pub fn for_tests(database_url: String) -> Config {
        Config {
            database_url,
            addr: "127.0.0.1:0".parse().expect("valid address"),
            db_pool_size: 8,
            replica: None,
            session_ttl: Duration::from_secs(3600),
            secure_cookies: false,
            max_body_bytes: 65_536,
            prior_interval: Duration::from_secs(3600),
            walk_cache_mb: 512,
            retention_days: 30,
            // Tests hash many passwords; the algorithm is the same, only cheaper.
            argon2_memory_kib: 1024,
            hash_concurrency: default_hash_concurrency(),
            server: ServerLimits::for_tests(),
            partners: partners::PartnerSettings::for_tests(),
            webhooks: webhooks::WebhookSettings::for_tests(),
            mail: mail::MailSettings::for_tests(),
            geocoder_url: None,
            // High enough that no suite's hundreds of quick requests from 127.0.0.1 meet them.
            rate_limits: rate_limits::RateLimitSettings::for_tests(),
            login_limits: login::LoginLimits::for_tests(),
        }
    }
}

/// Whether cookies are `Secure` when `VOUCHGRAPH_SECURE_COOKIES` is not set: yes, unless the
/// server listens on a loopback address only (the demo, over plain http on this machine). A
/// server reachable from elsewhere is meant to sit behind TLS, and a session cookie sent over
/// plain http there could be read on the way.
pub fn secure_cookies_by_default(addr: SocketAddr) -> bool {
    !addr.ip().is_loopback()
}

/// Slow-client limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// How long a client has to send a whole request head, counted from when the connection
    /// opens or, on a kept-alive connection, from the end of the previous response: so it is
    /// both the header-read timeout and the idle keep-alive timeout
    /// (`VOUCHGRAPH_HEADER_TIMEOUT_SECS`, default 10).
    pub header_timeout: Duration,
    /// Open connections per client address (`VOUCHGRAPH_CONNECTIONS_PER_IP`, default 256); a
    /// connection over it is closed at once. Trusted proxies are not capped: every client
    /// behind them shares their address.
    pub connections_per_ip: usize,
}

impl ServerLimits {
    /// Reads the limits from the environment.
    pub fn from_env() -> anyhow::Result<ServerLimits> {
        Ok(ServerLimits {
            header_timeout: Duration::from_secs(env_or("VOUCHGRAPH_HEADER_TIMEOUT_SECS", "10")?),
            connections_per_ip: env_or("VOUCHGRAPH_CONNECTIONS_PER_IP", "256")?,
        })
    }

    /// The defaults, for tests (a test that wants a tighter limit sets one).
    pub fn for_tests() -> ServerLimits {
        ServerLimits {
            header_timeout: Duration::from_secs(10),
            connections_per_ip: 256,
        }
    }
}

/// The default number of password hashes at once: one per core (argon2 with one lane is one
/// core's work; more at once only holds more memory).
pub fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Reads `name` from the environment, or `default`, and parses it.
pub(crate) fn env_or<T>(name: &str, default: &str) -> anyhow::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw = std::env::var(name).unwrap_or_else(|_| default.to_string());
    raw.parse()
        .map_err(|e| anyhow::anyhow!("{name}={raw:?} is not valid: {e}"))
}
