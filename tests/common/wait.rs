//! Waiting for what the server does in the background (archives, webhook deliveries, mail).

use std::future::Future;
use std::time::{Duration, Instant};

/// How long background work may take before a test gives up on it: generous, because the
/// suite runs its binaries' tests in parallel on two cores.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Waits until `check` returns `Some`, or fails after [`PATIENCE`] naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
