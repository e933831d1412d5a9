//! Rate limits: one GCRA limiter (`governor`) per class of caller, keyed per caller, with the
//! IETF `RateLimit-Policy` / `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers) on
//! every response and `Retry-After` on a 429.
//!
//! | class | keyed by | why |
//! |---|---|---|
//! | anonymous | client IP | the only identity an anonymous request has |
//! | session | the session token | a signed-in person, wherever they are |
//! | publishable | key prefix and client IP | every visitor of a partner's site shares its `pk_`; keying by visitor too stops one visitor from spending the site's quota |
//! | secret | key prefix | one partner's server |
//!
//! A limiter is a concurrent map from key to one timestamp, so a flood from one key costs other
//! keys nothing: they have buckets of their own. The credential is classified, not verified,
//! here (verifying costs a database read, which is what a flood must not get for free); a
//! made-up credential only buys a bucket that the handler then answers 401 from.

mod client;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};

use crate::error::ApiError;

pub use client::{classify, client_ip, CallerClass, CallerKey};

/// The window every quota is stated over, in seconds (`w` in the headers).
pub const WINDOW_SECS: u64 = 60;

/// The `RateLimit-Policy` header.
pub const POLICY_HEADER: HeaderName = HeaderName::from_static("ratelimit-policy");
/// The `RateLimit` header.
pub const RATELIMIT_HEADER: HeaderName = HeaderName::from_static("ratelimit");

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
    /// Peers whose `X-Forwarded-For` is believed (`VOUCHGRAPH_TRUSTED_PROXIES`, a comma-separated
    /// list of IPs, default none): only behind such a proxy is the client's IP not the peer's.
    pub trusted_proxies: Vec<IpAddr>,
}

impl RateLimitSettings {
    /// Reads the settings from the environment (see the fields for names and defaults).
    pub fn from_env() -> anyhow::Result<RateLimitSettings> {
        use crate::config::env_or;
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
            trusted_proxies: Vec::new(),
        }
    }

    fn per_minute(&self, class: CallerClass) -> u32 {
        match class {
            CallerClass::Anonymous => self.anonymous_per_minute,
            CallerClass::Session => self.session_per_minute,
            CallerClass::Publishable => self.publishable_per_minute,
            CallerClass::Secret => self.secret_per_minute,
        }
    }
}

type Limiter = RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// The limiters, one per class; shared by every request.
pub struct RateLimits {
    settings: RateLimitSettings,
    limiters: [(CallerClass, Limiter); 4],
    clock: DefaultClock,
    seen: AtomicU64,
}

/// What a check decided, with what the headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The class whose quota applied.
    pub class: CallerClass,
    /// The quota per window.
    pub quota: u32,
    /// Requests left in the quota after this one.
    pub remaining: u32,
    /// Seconds until the quota is whole again (or, when refused, until a retry may pass).
    pub reset_secs: u64,
    /// Whether the request may go on.
    pub allowed: bool,
}

impl RateLimits {
    /// Limiters for `settings`.
    pub fn new(settings: RateLimitSettings) -> RateLimits {
        let limiter = |class| {
            let per_minute = NonZeroU32::new(settings.per_minute(class).max(1)).expect("max(1)");
            RateLimiter::keyed(Quota::per_minute(per_minute))
                .with_middleware::<StateInformationMiddleware>()
        };
        let limiters = [
            (CallerClass::Anonymous, limiter(CallerClass::Anonymous)),
            (CallerClass::Session, limiter(CallerClass::Session)),
            (CallerClass::Publishable, limiter(CallerClass::Publishable)),
            (CallerClass::Secret, limiter(CallerClass::Secret)),
        ];
        RateLimits {
            settings,
            limiters,
            clock: DefaultClock::default(),
            seen: AtomicU64::new(0),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &RateLimitSettings {
        &self.settings
    }

    /// Counts one request from `caller` against its class's quota.
    pub fn check(&self, caller: &CallerKey) -> Decision {
        // Forget idle keys now and then, so the maps hold only recent callers.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for (_, limiter) in &self.limiters {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        }
        let (_, limiter) = self
            .limiters
            .iter()
            .find(|(class, _)| *class == caller.class)
            .expect("a limiter per class");
        let quota = self.settings.per_minute(caller.class).max(1);
        let per_cell = WINDOW_SECS as f64 / quota as f64;
        match limiter.check_key(&caller.key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                // Each used request comes back after one cell's time.
                let used = quota.saturating_sub(remaining) as f64;
                Decision {
                    class: caller.class,
                    quota,
                    remaining,
                    reset_secs: (used * per_cell).ceil() as u64,
                    allowed: true,
                }
            }
            Err(not_until) => Decision {
                class: caller.class,
                quota,
                remaining: 0,
                // Rounded up, and at least 1: "retry after 0 seconds" would invite a spin.
                reset_secs: not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64,
                allowed: false,
            },
        }
    }
}

impl Decision {
    /// `"publishable";q=600;w=60`.
    pub fn policy_header(&self) -> HeaderValue {
        let value = format!("\"{}\";q={};w={WINDOW_SECS}", self.class.name(), self.quota);
        HeaderValue::from_str(&value).expect("ASCII")
    }

    /// `"publishable";r=599;t=1`.
    pub fn ratelimit_header(&self) -> HeaderValue {
        let value = format!(
            "\"{}\";r={};t={}",
            self.class.name(),
            self.remaining,
            self.reset_secs
        );
        HeaderValue::from_str(&value).expect("ASCII")
    }
}

/// The middleware: classifies the caller, counts the request, and answers 429 (problem+json,
/// with `Retry-After`) when its quota is spent. Health probes are not counted: a load balancer
/// polling them must never lock itself out.
pub async fn enforce(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let caller = classify(&request, &limits.settings.trusted_proxies);
    let decision = limits.check(&caller);
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        tracing::info!(class = decision.class.name(), "rate limited");
        ApiError::TooManyRequests {
            retry_after_secs: decision.reset_secs,
        }
        .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(POLICY_HEADER, decision.policy_header());
    headers.insert(RATELIMIT_HEADER, decision.ratelimit_header());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(per_minute: u32) -> RateLimitSettings {
        RateLimitSettings {
            anonymous_per_minute: per_minute,
            session_per_minute: per_minute,
            publishable_per_minute: per_minute,
            secret_per_minute: per_minute,
            trusted_proxies: Vec::new(),
        }
    }

    fn key(class: CallerClass, key: &str) -> CallerKey {
        CallerKey {
            class,
            key: key.to_string(),
        }
    }

    #[test]
    fn the_quota_counts_down_then_refuses_with_a_retry_time() {
        let limits = RateLimits::new(settings(3));
        let caller = key(CallerClass::Secret, "sk_live_aaaa");
        let remaining: Vec<u32> = (0..3).map(|_| limits.check(&caller).remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limits.check(&caller);
        assert!(!refused.allowed);
        // 3 a minute: one comes back every 20 s.
        assert!((1..=20).contains(&refused.reset_secs), "{refused:?}");
    }

    #[test]
    fn one_key_spending_its_quota_leaves_another_untouched() {
        let limits = RateLimits::new(settings(2));
        let (a, b) = (key(CallerClass::Secret, "a"), key(CallerClass::Secret, "b"));
        for _ in 0..10 {
            limits.check(&a);
        }
        let other = limits.check(&b);
        assert!(other.allowed);
        assert_eq!(other.remaining, 1);
    }

    #[test]
    fn headers_follow_the_ietf_draft_format() {
        let limits = RateLimits::new(settings(100));
        let decision = limits.check(&key(CallerClass::Anonymous, "127.0.0.1"));
        assert_eq!(decision.policy_header(), "\"anonymous\";q=100;w=60");
        assert_eq!(decision.ratelimit_header(), "\"anonymous\";r=99;t=1");
    }
}
