//! Every setting in one place, read from the environment (documented in the README).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;

/// The service's settings.
#[derive(Clone)]
pub struct Config {
    /// Postgres connection string (`DATABASE_URL`).
    pub database_url: String,
    /// Address to listen on (`VOUCHGRAPH_ADDR`, default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// Maximum database connections (`VOUCHGRAPH_DB_POOL`, default 16).
    pub db_pool_size: u32,
    /// How long a session lives (`VOUCHGRAPH_SESSION_DAYS`, default 30).
    pub session_ttl: Duration,
    /// Whether session cookies carry `Secure` (`VOUCHGRAPH_SECURE_COOKIES`, default false, so
    /// the demo works over plain http on localhost; set it behind TLS).
    pub secure_cookies: bool,
    /// Largest accepted request body in bytes (`VOUCHGRAPH_MAX_BODY`, default 64 KiB).
    pub max_body_bytes: usize,
    /// Seconds between recomputations of the global prior (`VOUCHGRAPH_PRIOR_SECS`, default 60).
    pub prior_interval: Duration,
    /// Argon2 memory cost in KiB (`VOUCHGRAPH_ARGON2_MEMORY_KIB`, default 19456, OWASP's
    /// minimum recommendation for argon2id).
    pub argon2_memory_kib: u32,
    /// Partner settings: the embed-token secret (`VOUCHGRAPH_EMBED_SECRET`); see
    /// [`crate::partners::PartnerSettings`].
    pub partners: crate::partners::PartnerSettings,
    /// Webhook delivery and its SSRF guard (`VOUCHGRAPH_WEBHOOK_*`); see
    /// [`crate::webhooks::WebhookSettings`].
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Requests per minute per class of caller, and trusted proxies (`VOUCHGRAPH_RATE_*`,
    /// `VOUCHGRAPH_TRUSTED_PROXIES`); see [`crate::ratelimit::RateLimitSettings`].
    pub rate_limits: crate::ratelimit::RateLimitSettings,
    /// Login attempts per account and per address; see [`crate::auth::throttle::LoginLimits`].
    pub login_limits: crate::auth::throttle::LoginLimits,
}

impl std::fmt::Debug for Config {
    // The database URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &"<redacted>")
            .field("addr", &self.addr)
            .field("db_pool_size", &self.db_pool_size)
            .field("session_ttl", &self.session_ttl)
            .field("secure_cookies", &self.secure_cookies)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("prior_interval", &self.prior_interval)
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
        Ok(Config {
            database_url,
            addr: env_or("VOUCHGRAPH_ADDR", "127.0.0.1:8080")?,
            db_pool_size: env_or("VOUCHGRAPH_DB_POOL", "16")?,
            session_ttl: Duration::from_secs(
                86_400 * env_or::<u64>("VOUCHGRAPH_SESSION_DAYS", "30")?,
            ),
            secure_cookies: env_or("VOUCHGRAPH_SECURE_COOKIES", "false")?,
            max_body_bytes: env_or("VOUCHGRAPH_MAX_BODY", "65536")?,
            prior_interval: Duration::from_secs(env_or("VOUCHGRAPH_PRIOR_SECS", "60")?),
            argon2_memory_kib: env_or("VOUCHGRAPH_ARGON2_MEMORY_KIB", "19456")?,
            partners: crate::partners::PartnerSettings::from_env()?,
            webhooks: crate::webhooks::WebhookSettings::from_env()?,
            rate_limits: crate::ratelimit::RateLimitSettings::from_env()?,
            login_limits: crate::auth::throttle::LoginLimits::from_env()?,
        })
    }

    /// Settings for tests: a given database, port 0, and cheap password hashing.
    pub fn for_tests(database_url: String) -> Config {
        Config {
            database_url,
            addr: "127.0.0.1:0".parse().expect("valid address"),
            db_pool_size: 8,
            session_ttl: Duration::from_secs(3600),
            secure_cookies: false,
            max_body_bytes: 65_536,
            prior_interval: Duration::from_secs(3600),
            // Tests hash many passwords; the algorithm is the same, only cheaper.
            argon2_memory_kib: 1024,
            partners: crate::partners::PartnerSettings::for_tests(),
            webhooks: crate::webhooks::WebhookSettings::for_tests(),
            // High enough that no suite's hundreds of quick requests from 127.0.0.1 meet them.
            rate_limits: crate::ratelimit::RateLimitSettings::for_tests(),
            login_limits: crate::auth::throttle::LoginLimits::for_tests(),
        }
    }
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
