//! Login throttling: password guessing is slowed per account (wherever it comes from) and per
//! client address (whichever accounts it tries), with `governor`'s GCRA buckets.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::env_or;

/// How many login attempts are allowed.
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    /// Attempts per account per 15 minutes (`VOUCHGRAPH_LOGIN_PER_ACCOUNT`, default 10): a
    /// person who mistypes a few times is never stopped; a guesser gets 40 tries an hour.
    pub per_account: u32,
    /// Attempts per client address per minute (`VOUCHGRAPH_LOGIN_PER_IP`, default 30): an
    /// office behind one address still logs in; one address cannot spray many accounts.
    pub per_ip: u32,
}

impl LoginLimits {
    /// Reads the limits from the environment.
    pub fn from_env() -> anyhow::Result<LoginLimits> {
        Ok(LoginLimits {
            per_account: env_or("VOUCHGRAPH_LOGIN_PER_ACCOUNT", "10")?,
            per_ip: env_or("VOUCHGRAPH_LOGIN_PER_IP", "30")?,
        })
    }

    /// Limits no test suite reaches.
    pub fn for_tests() -> LoginLimits {
        LoginLimits {
            per_account: 10_000,
            per_ip: 100_000,
        }
    }
}

/// The two keyed buckets.
pub struct LoginThrottle {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
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
            accounts: RateLimiter::keyed(per_account),
            addresses: RateLimiter::keyed(per_ip),
        }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait when over a limit. Both
    /// buckets are charged, so a sprayer is slowed by address and a targeted guess by account.
    pub fn check(&self, email: &str, address: IpAddr) -> Result<(), u64> {
        let clock = DefaultClock::default();
        let wait =
            |outcome: governor::NotUntil<_>| outcome.wait_time_from(clock.now()).as_secs().max(1);
        self.addresses.check_key(&address).map_err(wait)?;
        self.accounts
            .check_key(&email.trim().to_lowercase())
            .map_err(wait)?;
        Ok(())
    }

    /// Drops idle buckets, so memory does not grow with every address ever seen.
    pub fn forget_idle(&self) {
        self.accounts.retain_recent();
        self.addresses.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_on_one_account_is_refused_but_another_account_is_not() {
        let throttle = LoginThrottle::new(LoginLimits {
            per_account: 10,
            per_ip: 1000,
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
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
        let ip: IpAddr = "192.0.2.2".parse().unwrap();
        for n in 0..5 {
            assert!(throttle.check(&format!("p{n}@example.com"), ip).is_ok());
        }
        assert!(throttle.check("p9@example.com", ip).is_err());
        assert!(throttle
            .check("p9@example.com", "192.0.2.3".parse().unwrap())
            .is_ok());
    }
}
