//! Reading the trust graph from a streaming replica.

use std::time::Duration;

use super::env_or;

/// Where an instance that reads a hot standby loads its graph from, and how it follows the
/// change feed there.
///
/// Postgres does not deliver `LISTEN`/`NOTIFY` on a standby (notifications are not written to
/// the WAL), so such an instance polls the feed table instead: one index range scan after the
/// applied seq, which returns no rows while nothing changes. A write then reaches its searches
/// within the replication lag plus one poll interval.
#[derive(Clone)]
pub struct ReplicaSettings {
    /// The standby's connection string (`VOUCHGRAPH_REPLICA_URL`).
    pub url: String,
    /// How often the feed is polled on the standby (`VOUCHGRAPH_REPLICA_POLL_MS`, default
    /// 100): ten small queries a second, and at most a tenth of a second added to the lag.
    pub poll: Duration,
}

impl ReplicaSettings {
    /// Reads the settings; `None` when `VOUCHGRAPH_REPLICA_URL` is unset or blank.
    pub fn from_env() -> anyhow::Result<Option<ReplicaSettings>> {
        let Some(url) = std::env::var("VOUCHGRAPH_REPLICA_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        let poll_ms: u64 = env_or("VOUCHGRAPH_REPLICA_POLL_MS", "100")?;
        anyhow::ensure!(poll_ms > 0, "VOUCHGRAPH_REPLICA_POLL_MS must be at least 1");
        Ok(Some(ReplicaSettings {
            url,
            poll: Duration::from_millis(poll_ms),
        }))
    }

    /// A standby at `url`, polled every 100 ms (tests).
    pub fn at(url: String) -> ReplicaSettings {
        ReplicaSettings {
            url,
            poll: Duration::from_millis(100),
        }
    }
}
