//! How many login attempts are allowed.

use super::env_or;

/// How many login attempts are allowed.
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    /// Attempts per account per 15 minutes, per address and from unfamiliar addresses together
    /// (`VOUCHGRAPH_LOGIN_PER_ACCOUNT`, default 10): a person who mistypes a few times is never
    /// stopped; a guesser gets 40 tries an hour.
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
