//! When to try a failed delivery again: exponential backoff with jitter.
//!
//! With the defaults (a 30 s base doubling to a 4 h cap, 15 attempts) the retries span about
//! a day: 30 s, 1 min, 2 min … 2 h 8 min (≈ 4 h 15 min in all), then five 4-hour waits. Jitter
//! of ±20 % spreads retries out, so endpoints that failed together (an outage) are not hit
//! by every retry at the same moment when they come back.

use std::time::Duration;

use rand::Rng;

/// The wait after the `attempts`-th failed attempt (1 for the first), before jitter.
pub fn nominal_delay(attempts: u32, base: Duration, cap: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(32);
    base.saturating_mul(1u32 << doublings.min(31)).min(cap)
}

/// The wait with ±20 % jitter.
pub fn retry_delay(attempts: u32, base: Duration, cap: Duration) -> Duration {
    nominal_delay(attempts, base, cap).mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(30);
    const CAP: Duration = Duration::from_secs(4 * 3600);

    #[test]
    fn delays_double_up_to_the_cap() {
        let delays: Vec<u64> = (1..=5)
            .map(|n| nominal_delay(n, BASE, CAP).as_secs())
            .collect();
        assert_eq!(delays, [30, 60, 120, 240, 480]);
        assert_eq!(nominal_delay(14, BASE, CAP), CAP);
        assert_eq!(nominal_delay(1_000, BASE, CAP), CAP);
    }

    #[test]
    fn fifteen_attempts_span_about_a_day() {
        let total: Duration = (1..15).map(|n| nominal_delay(n, BASE, CAP)).sum();
        let hours = total.as_secs_f64() / 3600.0;
        assert!((20.0..=28.0).contains(&hours), "{hours} h");
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        for _ in 0..100 {
            let d = retry_delay(3, BASE, CAP).as_secs_f64();
            assert!((96.0..=144.0).contains(&d), "{d}");
        }
    }
}
