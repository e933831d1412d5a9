//! Request quotas per class of caller, and which proxies to believe.

use std::net::IpAddr;

use super::env_or;

/// Requests allowed per minute for each class of caller, and which proxies to believe. The
/// defaults let a browser load a page and its assets a few hundred times a minute from one
/// address (a busy office behind one NAT), so only floods meet them.
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    /// Per client IP without credentials (`VOUCHGRAPH_RATE_ANONYMOUS`, default 1200).
    pub anonymous_per_minute: u32,
    /// Per session (`VOUCHGRAPH_RATE_SESSION`, default 2400).
    pub session_per_minute: u32,
    /// Per publishable key and visitor IP (`VOUCHGRAPH_RATE_PUBLISHABLE`, default 1200).
    pub publishable_per_minute: u32,
    /// Per secret key (`VOUCHGRAPH_RATE_SECRET`, default 6000).
    pub secret_per_minute: u32,
    /// Sign-ups per client address per hour (`VOUCHGRAPH_SIGNUP_PER_IP`, default 10): a
    /// household or an office signs up a few people; each sign-up costs a password hash.
    pub signups_per_hour: u32,
    /// Peers whose `X-Forwarded-For` is believed (`VOUCHGRAPH_TRUSTED_PROXIES`, a comma-separated
    /// list of IPs, default none): only behind such a proxy is the client's IP not the peer's.
    pub trusted_proxies: Vec<IpAddr>,
}

impl RateLimitSettings {
    /// Reads the settings from the environment (see the fields for names and defaults).
    pub fn from_env() -> anyhow::Result<RateLimitSettings> {
        let proxies: String = env_or("VOUCHGRAPH_TRUSTED_PROXIES", "")?;
        let trusted_proxies = proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|e| anyhow::anyhow!("VOUCHGRAPH_TRUSTED_PROXIES: {s:?}: {e}"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(RateLimitSettings {
            anonymous_per_minute: env_or("VOUCHGRAPH_RATE_ANONYMOUS", "1200")?,
            session_per_minute: env_or("VOUCHGRAPH_RATE_SESSION", "2400")?,
            publishable_per_minute: env_or("VOUCHGRAPH_RATE_PUBLISHABLE", "1200")?,
            secret_per_minute: env_or("VOUCHGRAPH_RATE_SECRET", "6000")?,
            signups_per_hour: env_or("VOUCHGRAPH_SIGNUP_PER_IP", "10")?,
            trusted_proxies,
        })
    }

    /// Limits so high that no test suite meets them; a test that wants a limit sets one.
    pub fn for_tests() -> RateLimitSettings {
        RateLimitSettings {
            anonymous_per_minute: 1_000_000,
            session_per_minute: 1_000_000,
            publishable_per_minute: 1_000_000,
            secret_per_minute: 1_000_000,
            signups_per_hour: 1_000_000,
            trusted_proxies: Vec::new(),
        }
    }
}
