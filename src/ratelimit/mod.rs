//! Rate limits: one GCRA limiter (`governor`) per class of caller, keyed per caller, with the
//! IETF `RateLimit-Policy` / `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers) on
//! every response and `Retry-After` on a 429.
//!
//! | class | keyed by | why |
//! |---|---|---|
//! | anonymous | client IP | the only identity an anonymous request has |
//! | session | the session's person | a signed-in person, wherever they are, however many sessions they open |
//! | publishable | key and client IP | every visitor of a partner's site shares its `pk_`; keying by visitor too stops one visitor from spending the site's quota |
//! | secret | key | one partner's server |
//! | sign-up | client IP | the sign-up routes only, on top of the caller's class: each sign-up costs a password hash |
//!
//! A limiter is a concurrent map from key to one timestamp, so a flood from one key costs other
//! keys nothing: they have buckets of their own. A credential earns its class's bucket only
//! once it has verified ([`verify`]); until then, and for ever if it is made up, the request
//! counts against its client address as an anonymous one. The client address is resolved here,
//! once, and recorded on the request ([`ClientAddr`]) for everything else that keys by address.

mod client;
mod verify;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sqlx::PgPool;

use crate::error::ApiError;

pub use client::{claim, client_ip, record_client, CallerClass, CallerKey, Claim, ClientAddr};
pub use verify::Verifier;

/// The window every quota is stated over, in seconds (`w` in the headers).
pub const WINDOW_SECS: u64 = 60;

/// The `RateLimit-Policy` header.
pub const POLICY_HEADER: HeaderName = HeaderName::from_static("ratelimit-policy");
/// The `RateLimit` header.
pub const RATELIMIT_HEADER: HeaderName = HeaderName::from_static("ratelimit");

pub use crate::config::rate_limits::RateLimitSettings;

impl RateLimitSettings {
    /// A class's quota and the window it is stated over, in seconds.
    fn quota(&self, class: CallerClass) -> (u32, u64) {
        let quota = match class {
            CallerClass::Anonymous => self.anonymous_per_minute,
            CallerClass::Session => self.session_per_minute,
            CallerClass::Publishable => self.publishable_per_minute,
            CallerClass::Secret => self.secret_per_minute,
            CallerClass::SignUp => return (self.signups_per_hour.max(1), 3600),
        };
        (quota.max(1), WINDOW_SECS)
    }
}

type Limiter = RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// The limiters, one per class, and the credential checks; shared by every request.
pub struct RateLimits {
    settings: RateLimitSettings,
    limiters: [(CallerClass, Limiter); 5],
    /// Credential look-ups per client address, at the anonymous rate.
    lookups: DefaultKeyedRateLimiter<IpAddr>,
    verifier: Verifier,
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
    /// The window, in seconds.
    pub window_secs: u64,
    /// Requests left in the quota after this one.
    pub remaining: u32,
    /// Seconds until the quota is whole again (or, when refused, until a retry may pass).
    pub reset_secs: u64,
    /// Whether the request may go on.
    pub allowed: bool,
}

/// The routes that create an account, each paying a password hash: `POST /v1/accounts` (the
/// API) and `POST /signup` (the page).
pub fn is_sign_up(method: &Method, path: &str) -> bool {
    method == Method::POST && matches!(path, "/v1/accounts" | "/signup")
}

impl RateLimits {
    /// Limiters for `settings`, with no database: no credential verifies, so every request
    /// counts as anonymous (unit tests).
    pub fn new(settings: RateLimitSettings) -> RateLimits {
        RateLimits::verifying(settings, None)
    }

    /// Limiters for `settings` that verify credentials against `pool`.
    pub fn verifying(settings: RateLimitSettings, pool: Option<PgPool>) -> RateLimits {
        let limiter = |class| {
            let (quota, window) = settings.quota(class);
            let quota = NonZeroU32::new(quota).expect("at least 1");
            let period = Duration::from_secs(window) / quota.get();
            RateLimiter::keyed(
                Quota::with_period(period)
                    .expect("a positive period")
                    .allow_burst(quota),
            )
            .with_middleware::<StateInformationMiddleware>()
        };
        let limiters = [
            (CallerClass::Anonymous, limiter(CallerClass::Anonymous)),
            (CallerClass::Session, limiter(CallerClass::Session)),
            (CallerClass::Publishable, limiter(CallerClass::Publishable)),
            (CallerClass::Secret, limiter(CallerClass::Secret)),
            (CallerClass::SignUp, limiter(CallerClass::SignUp)),
        ];
        let (anonymous, _) = settings.quota(CallerClass::Anonymous);
        let lookups = RateLimiter::keyed(Quota::per_minute(
            NonZeroU32::new(anonymous).expect("at least 1"),
        ));
        RateLimits {
            settings,
            limiters,
            lookups,
            verifier: Verifier::new(pool),
            clock: DefaultClock::default(),
            seen: AtomicU64::new(0),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &RateLimitSettings {
        &self.settings
    }

    /// Whose quota a request from `ip` carrying `headers` is counted against: its credential's
    /// bucket if the credential verified, otherwise its address's anonymous one. A credential
    /// not seen in the last minute is looked up only while its address has look-ups left.
    pub async fn caller(&self, headers: &HeaderMap, ip: IpAddr) -> CallerKey {
        let anonymous = CallerKey::anonymous(ip);
        let Some(claim) = claim(headers) else {
            return anonymous;
        };
        if let Some(known) = self.verifier.recall(&claim, ip) {
            return known;
        }
        if self.lookups.check_key(&ip).is_err() {
            return anonymous;
        }
        self.verifier.verify(&claim, ip).await.unwrap_or(anonymous)
    }

    /// Counts one sign-up from `ip` against the per-address sign-up quota.
    pub fn check_sign_up(&self, ip: IpAddr) -> Decision {
        self.check(&CallerKey {
            class: CallerClass::SignUp,
            key: ip.to_string(),
        })
    }

    /// Forgets idle buckets and stale verified credentials, so memory holds only recent callers.
    pub fn forget_idle(&self) {
        for (_, limiter) in &self.limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.lookups.retain_recent();
        self.lookups.shrink_to_fit();
        self.verifier.forget_stale();
    }

    /// Counts one request from `caller` against its class's quota.
    pub fn check(&self, caller: &CallerKey) -> Decision {
        // Forget idle keys now and then, so the maps hold only recent callers.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.forget_idle();
        }
        let (_, limiter) = self
            .limiters
            .iter()
            .find(|(class, _)| *class == caller.class)
            .expect("a limiter per class");
        let (quota, window_secs) = self.settings.quota(caller.class);
        let per_cell = window_secs as f64 / quota as f64;
        match limiter.check_key(&caller.key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                // Each used request comes back after one cell's time.
                let used = quota.saturating_sub(remaining) as f64;
                Decision {
                    class: caller.class,
                    quota,
                    window_secs,
                    remaining,
                    reset_secs: (used * per_cell).ceil() as u64,
                    allowed: true,
                }
            }
            Err(not_until) => Decision {
                class: caller.class,
                quota,
                window_secs,
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
        let value = format!(
            "\"{}\";q={};w={}",
            self.class.name(),
            self.quota,
            self.window_secs
        );
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

/// The middleware: resolves and records the client address, finds whose quota the request
/// counts against, counts it (and, on the sign-up routes, the address's sign-ups), and answers
/// 429 (problem+json, with `Retry-After`) when a quota is spent. Health probes are not
/// counted: a load balancer polling them must never lock itself out.
pub async fn enforce(
    State(limits): State<Arc<RateLimits>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = client_ip(&request, &limits.settings.trusted_proxies);
    record_client(&mut request, ip);
    let path = request.uri().path();
    if path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let sign_up = is_sign_up(request.method(), path);
    let caller = limits.caller(request.headers(), ip).await;
    let mut decision = limits.check(&caller);
    if decision.allowed && sign_up {
        let sign_ups = limits.check_sign_up(ip);
        if !sign_ups.allowed {
            decision = sign_ups;
        }
    }
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
            signups_per_hour: per_minute,
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
