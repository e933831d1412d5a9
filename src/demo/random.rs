//! The few distributions the generator draws from. `rand_distr` is not a dependency, and each
//! of these is one formula.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::{TrustLevel, Visibility};

/// A standard normal draw (Box-Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // 1 - u keeps the logarithm's argument in (0, 1].
    let u: f64 = 1.0 - rng.gen::<f64>();
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A Pareto draw: at least `x_min`, with P(X > x) = (x_min / x)^shape. Shapes between 1 and 2
/// give the heavy tails of real social networks: finite mean, a few very large values.
pub fn pareto(rng: &mut ChaCha8Rng, x_min: f64, shape: f64) -> f64 {
    let u: f64 = 1.0 - rng.gen::<f64>();
    x_min / u.powf(1.0 / shape)
}

/// A log-normal draw with the given median and spread (the standard deviation of its log).
pub fn log_normal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// A trust level: mostly "knows" and "trusts their judgement", fewer "trusts completely",
/// because people reserve the top level for a handful of close friends.
pub fn trust_level(rng: &mut ChaCha8Rng) -> TrustLevel {
    let level = match rng.gen_range(0..100) {
        0..=49 => 1,
        50..=84 => 2,
        _ => 3,
    };
    TrustLevel::new(level).expect("1 to 3")
}

/// A visibility for a trust edge or vouch: about 80% public, 15% network, 5% private.
pub fn visibility(rng: &mut ChaCha8Rng) -> Visibility {
    match rng.gen_range(0..100) {
        0..=79 => Visibility::Public,
        80..=94 => Visibility::Network,
        _ => Visibility::Private,
    }
}
