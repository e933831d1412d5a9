//! Login throttling, with `governor`'s GCRA buckets, by the client address the rate limiter
//! resolved (the client behind our trusted proxies, never the proxy).
//!
//! The scheme: every attempt is counted
//!
//! 1. per client address, whichever accounts it tries (`per_ip` a minute): one address cannot
//!    spray many accounts;
//! 2. per account *and* address (`per_account` per 15 minutes): one address cannot guess one
//!    account's password for long, and the lockout it earns is its own;
//! 3. per account, from addresses the account has not logged in from in the last 30 days
//!    (`per_account` per 15 minutes, shared by all of them): a guesser spread over many
//!    addresses gets no more tries at one account than one address does.
//!
//! So a flood of bad passwords against an account, from anywhere but the owner's own address,
//! spends only the flooders' buckets: the owner, logging in from an address they logged in from
//! before, meets only bucket 2 of their own address. (A new address of the owner's during such a
//! flood is refused until the flood stops, with a `Retry-After`.)
//!
//! Memory is bounded: keys are 16-byte digests of the lowercased email (and address), never the
//! email itself, and [`LoginThrottle::forget_idle`], run every minute by the server, drops
//! whole buckets and familiar addresses older than 30 days. The familiar addresses live in
//! this process only; after a restart an owner's address is familiar again at its first login.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

/// How long an address stays familiar to an account after a login from it.
const FAMILIAR_FOR: Duration = Duration::from_secs(30 * 86_400);
/// The most familiar (account, address) pairs remembered; beyond it the oldest half goes.
const FAMILIAR_CAPACITY: usize = 200_000;

pub use crate::config::login::LoginLimits;

/// A bounded key: the first 16 bytes of a SHA-256.
type Digest16 = [u8; 16];

/// A per-account bucket that says how many attempts it has left.
type AccountBucket = RateLimiter<
    Digest16,
    DefaultKeyedStateStore<Digest16>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// The buckets, and the addresses each account logged in from.
pub struct LoginThrottle {
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    /// These two report what is left, so the login form can warn before it locks.
    account_at_address: AccountBucket,
    account_elsewhere: AccountBucket,
    familiar: Mutex<HashMap<Digest16, Instant>>,
}

impl LoginThrottle {
    /// Buckets with the given limits (a limit of 0 counts as 1).
    pub fn new(limits: LoginLimits) -> LoginThrottle {
        let nonzero = |n: u32| NonZeroU32::new(n.max(1)).expect("at least 1");
        let per_account = Quota::with_period(Duration::from_secs(900) / limits.per_account.max(1))
            .expect("a positive period")
            .allow_burst(nonzero(limits.per_account));
        let per_ip = Quota::per_minute(nonzero(limits.per_ip));
        LoginThrottle {
            addresses: RateLimiter::keyed(per_ip),
            account_at_address: RateLimiter::keyed(per_account)
                .with_middleware::<StateInformationMiddleware>(),
            account_elsewhere: RateLimiter::keyed(per_account)
                .with_middleware::<StateInformationMiddleware>(),
            familiar: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt on `email` from `address`: `Ok(left)` says how many more attempts
    /// this address has on this account before it must wait (the same whether or not the
    /// account exists, so it tells nothing about that); `Err(seconds)` how long to wait when
    /// over a limit.
    pub fn check(&self, email: &str, address: IpAddr) -> Result<u32, u64> {
        let clock = DefaultClock::default();
        let wait =
            |outcome: governor::NotUntil<_>| outcome.wait_time_from(clock.now()).as_secs().max(1);
        self.addresses.check_key(&address).map_err(wait)?;
        let pair = digest(email, Some(address));
        let mut left = self
            .account_at_address
            .check_key(&pair)
            .map_err(wait)?
            .remaining_burst_capacity();
        if !self.is_familiar(&pair) {
            let shared = self
                .account_elsewhere
                .check_key(&digest(email, None))
                .map_err(wait)?
                .remaining_burst_capacity();
            left = left.min(shared);
        }
        Ok(left)
    }

    /// How long a lock-out lasts at most, for the warning before it: the per-account window.
    pub const WINDOW_MINUTES: u64 = 15;

    /// Records a successful login: `address` is now familiar to the account, so floods from
    /// other addresses do not lock the owner out from it.
    pub fn succeeded(&self, email: &str, address: IpAddr) {
        let mut familiar = self.familiar.lock();
        if familiar.len() >= FAMILIAR_CAPACITY {
            let mut ages: Vec<Instant> = familiar.values().copied().collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            familiar.retain(|_, at| *at > cut);
        }
        familiar.insert(digest(email, Some(address)), Instant::now());
    }

    fn is_familiar(&self, pair: &Digest16) -> bool {
        self.familiar
            .lock()
            .get(pair)
            .is_some_and(|at| at.elapsed() < FAMILIAR_FOR)
    }

    /// Drops whole (idle) buckets and old familiar addresses, so memory does not grow with
    /// every address and email ever tried.
    pub fn forget_idle(&self) {
        self.addresses.retain_recent();
        self.addresses.shrink_to_fit();
        self.account_at_address.retain_recent();
        self.account_at_address.shrink_to_fit();
        self.account_elsewhere.retain_recent();
        self.account_elsewhere.shrink_to_fit();
        self.familiar
            .lock()
            .retain(|_, at| at.elapsed() < FAMILIAR_FOR);
    }

    /// How many keys the throttle holds, all maps together.
    pub fn len(&self) -> usize {
        self.addresses.len()
            + self.account_at_address.len()
            + self.account_elsewhere.len()
            + self.familiar.lock().len()
    }

    /// Whether the throttle holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The key of an account (the trimmed, lowercased email), or of an account at an address.
fn digest(email: &str, address: Option<IpAddr>) -> Digest16 {
    let mut hasher = Sha256::new();
    hasher.update(email.trim().to_lowercase());
    if let Some(address) = address {
        hasher.update([0]);
        hasher.update(address.to_string());
    }
    let full: [u8; 32] = hasher.finalize().into();
    full[..16].try_into().expect("16 of 32 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_eleventh_attempt_on_one_account_is_refused_but_another_account_is_not() {
        let throttle = LoginThrottle::new(LoginLimits {
            per_account: 10,
            per_ip: 1000,
        });
        let ip = ip("192.0.2.1");
        for _ in 0..10 {
            assert!(throttle.check("anna@example.com", ip).is_ok());
        }
        let wait = throttle.check("ANNA@example.com", ip).unwrap_err();
        assert!((1..=90).contains(&wait), "wait {wait}s");
        assert!(throttle.check("ben@example.com", ip).is_ok());
    }

    #[test]
    fn one_address_spraying_many_accounts_is_refused() {
        let throttle = LoginThrottle::new(LoginLimits {
            per_account: 10,
            per_ip: 5,
        });
        let ip1 = ip("192.0.2.2");
        for n in 0..5 {
            assert!(throttle.check(&format!("p{n}@example.com"), ip1).is_ok());
        }
        assert!(throttle.check("p9@example.com", ip1).is_err());
        assert!(throttle.check("p9@example.com", ip("192.0.2.3")).is_ok());
    }

    #[test]
    fn guessers_on_many_addresses_share_one_budget_that_the_owners_address_is_outside_of() {
        let throttle = LoginThrottle::new(LoginLimits {
            per_account: 3,
            per_ip: 1000,
        });
        let home = ip("198.51.100.10");
        throttle.check("anna@example.com", home).unwrap();
        throttle.succeeded("anna@example.com", home);
        let refused = (0..20)
            .filter(|n| {
                let guesser = ip(&format!("203.0.113.{n}"));
                throttle.check("anna@example.com", guesser).is_err()
            })
            .count();
        // Three tries from unfamiliar addresses in all, whatever the address; the owner's own
        // first login from home, before it was familiar, was one of them.
        assert_eq!(refused, 18);
        assert!(throttle.check("anna@example.com", home).is_ok());
    }

    #[test]
    fn keys_are_digests_whatever_the_email_length() {
        let throttle = LoginThrottle::new(LoginLimits::for_tests());
        let huge = "x".repeat(65_536);
        throttle.check(&huge, ip("192.0.2.9")).unwrap();
        assert_eq!(throttle.len(), 3);
        assert_eq!(digest(&huge, None).len(), 16);
    }
}
