//! The follower: wakes on Postgres notifications (and on a timer, in case one is missed), or
//! polls a standby, and applies new changes, so every instance sees every other instance's
//! writes within a second.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::feed::LiveGraph;

/// The channel the `graph_changes` trigger notifies.
pub const CHANNEL: &str = "vouchgraph_changes";

/// Follows the change feed until `stop` is cancelled. Reconnects with backoff; after every
/// (re)connect it catches up from the applied seq, so a lost connection loses nothing.
pub async fn follow_changes(live: Arc<LiveGraph>, pool: PgPool, stop: CancellationToken) {
    let mut backoff = Duration::from_millis(200);
    while !stop.is_cancelled() {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(?error, "change feed: cannot connect; retrying");
                sleep_or_stop(backoff, &stop).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(?error, "change feed: cannot listen; retrying");
            sleep_or_stop(backoff, &stop).await;
            continue;
        }
        backoff = Duration::from_millis(200);
        catch_up(&live, &pool).await;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                received = listener.try_recv() => match received {
                    Ok(Some(_)) => catch_up(&live, &pool).await,
                    // The connection dropped and was re-established: anything may have been
                    // missed, so catch up from the seq.
                    Ok(None) => catch_up(&live, &pool).await,
                    Err(error) => {
                        tracing::warn!(?error, "change feed: connection lost");
                        break;
                    }
                },
                // A safety net: a notification can be lost between reconnects.
                _ = tokio::time::sleep(Duration::from_secs(2)) => catch_up(&live, &pool).await,
            }
        }
        sleep_or_stop(backoff, &stop).await;
    }
}

/// Follows the change feed on a hot standby until `stop` is cancelled, by polling it every
/// `every`: a standby delivers no notifications, since `NOTIFY` is not written to the WAL.
/// Seqs are handed out in commit order and a standby replays commits in that order, so reading
/// after the applied seq misses nothing there either.
///
/// The instance's own writes do not wait for the poll: the use cases catch up from the
/// primary right after they commit, and the seq makes the two sources agree.
pub async fn poll_changes(
    live: Arc<LiveGraph>,
    pool: PgPool,
    every: Duration,
    stop: CancellationToken,
) {
    match sqlx::query_scalar::<_, bool>("select pg_is_in_recovery()")
        .fetch_one(&pool)
        .await
    {
        Ok(true) => tracing::info!("change feed: following a standby by polling"),
        Ok(false) => tracing::warn!(
            "change feed: VOUCHGRAPH_REPLICA_URL names a primary, not a standby; polling it anyway"
        ),
        Err(error) => tracing::warn!(?error, "change feed: cannot ask the replica its role"),
    }
    // While the standby is unreachable, wait longer between tries (up to 5 s), so an outage
    // is not ten warnings a second.
    let mut delay = every;
    while !stop.is_cancelled() {
        delay = match live.catch_up(&pool).await {
            Ok(_) => every,
            Err(error) => {
                tracing::warn!(
                    ?error,
                    "change feed: polling the standby failed; will retry"
                );
                (delay * 2).clamp(every, Duration::from_secs(5).max(every))
            }
        };
        sleep_or_stop(delay, &stop).await;
    }
}

async fn catch_up(live: &LiveGraph, pool: &PgPool) {
    if let Err(error) = live.catch_up(pool).await {
        tracing::warn!(?error, "change feed: catch-up failed; will retry");
    }
}

async fn sleep_or_stop(delay: Duration, stop: &CancellationToken) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(delay) => {}
    }
}

/// How many times its own duration a refresh of the prior waits before the next: 20, so the
/// refresh never takes more than a twentieth (5%) of a core, however large the graph.
const REFRESH_SPACING: u32 = 20;

/// Refreshes the global prior on an interval until `stop` is cancelled: settles the trust
/// changes recorded since and derives the providers' prior (`LiveGraph::recompute_prior`).
/// The work is CPU-bound, so it runs on a blocking thread. The interval is `every`, or twenty
/// times the last refresh if that is longer: deriving the prior reads every vouch, about 4 s
/// at ten million people, and must not take a core's share that grows with the graph.
pub async fn refresh_prior(live: Arc<LiveGraph>, every: Duration, stop: CancellationToken) {
    let mut wait = every;
    loop {
        sleep_or_stop(wait, &stop).await;
        if stop.is_cancelled() {
            return;
        }
        let live = live.clone();
        let started = std::time::Instant::now();
        if let Err(error) = tokio::task::spawn_blocking(move || live.recompute_prior()).await {
            tracing::error!(?error, "prior recomputation panicked");
        }
        wait = every.max(started.elapsed() * REFRESH_SPACING);
    }
}
