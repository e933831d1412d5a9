//! Webhook delivery settings.

use std::time::Duration;

use super::env_or;

/// Webhook delivery settings.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Accept `http://` URLs (`VOUCHGRAPH_WEBHOOK_ALLOW_HTTP`, default false; tests only).
    pub allow_http: bool,
    /// Deliver to loopback addresses (`VOUCHGRAPH_WEBHOOK_ALLOW_LOOPBACK`, default false; tests
    /// only). Private, link-local and other internal addresses are refused regardless.
    pub allow_loopback: bool,
    /// Time allowed for one attempt, connection included (`VOUCHGRAPH_WEBHOOK_TIMEOUT_SECS`,
    /// default 10).
    pub timeout: Duration,
    /// The first retry's delay, doubling after each failure (`VOUCHGRAPH_WEBHOOK_RETRY_BASE_MS`,
    /// default 30000).
    pub retry_base: Duration,
    /// The longest delay between retries (`VOUCHGRAPH_WEBHOOK_RETRY_CAP_SECS`, default 14400).
    pub retry_cap: Duration,
    /// Attempts before a delivery is given up (`VOUCHGRAPH_WEBHOOK_MAX_ATTEMPTS`, default 15:
    /// about a day with the default delays).
    pub max_attempts: u32,
    /// An endpoint is disabled when it has failed this many attempts in a row…
    /// (`VOUCHGRAPH_WEBHOOK_DISABLE_FAILURES`, default 10)
    pub disable_min_failures: u32,
    /// …over at least this long with no success (`VOUCHGRAPH_WEBHOOK_DISABLE_AFTER_SECS`,
    /// default 86400: a day).
    pub disable_after: Duration,
    /// How often the worker looks for new events and due retries
    /// (`VOUCHGRAPH_WEBHOOK_POLL_MS`, default 1000).
    pub poll_interval: Duration,
}

impl WebhookSettings {
    /// Reads the settings from the environment (see the fields for names and defaults).
    pub fn from_env() -> anyhow::Result<WebhookSettings> {
        Ok(WebhookSettings {
            allow_http: env_or("VOUCHGRAPH_WEBHOOK_ALLOW_HTTP", "false")?,
            allow_loopback: env_or("VOUCHGRAPH_WEBHOOK_ALLOW_LOOPBACK", "false")?,
            timeout: Duration::from_secs(env_or("VOUCHGRAPH_WEBHOOK_TIMEOUT_SECS", "10")?),
            retry_base: Duration::from_millis(env_or("VOUCHGRAPH_WEBHOOK_RETRY_BASE_MS", "30000")?),
            retry_cap: Duration::from_secs(env_or("VOUCHGRAPH_WEBHOOK_RETRY_CAP_SECS", "14400")?),
            max_attempts: env_or("VOUCHGRAPH_WEBHOOK_MAX_ATTEMPTS", "15")?,
            disable_min_failures: env_or("VOUCHGRAPH_WEBHOOK_DISABLE_FAILURES", "10")?,
            disable_after: Duration::from_secs(env_or(
                "VOUCHGRAPH_WEBHOOK_DISABLE_AFTER_SECS",
                "86400",
            )?),
            poll_interval: Duration::from_millis(env_or("VOUCHGRAPH_WEBHOOK_POLL_MS", "1000")?),
        })
    }

    /// The production guard, with fast retries: tests that deliver to a local receiver allow
    /// http and loopback themselves.
    pub fn for_tests() -> WebhookSettings {
        WebhookSettings {
            allow_http: false,
            allow_loopback: false,
            timeout: Duration::from_secs(5),
            retry_base: Duration::from_millis(100),
            retry_cap: Duration::from_secs(1),
            max_attempts: 5,
            disable_min_failures: 10,
            disable_after: Duration::from_secs(86_400),
            poll_interval: Duration::from_millis(100),
        }
    }
}
