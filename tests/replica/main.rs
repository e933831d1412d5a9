//! An instance that reads a streaming replica: it loads its graph from a hot standby and
//! follows the change feed there by polling, while its writes go to the primary.
//!
//! A test binary of its own: cargo runs test binaries one after another, so no other test's
//! databases are created while these measure replication. Creating a database writes its
//! whole template to the WAL, and a hundred of them at once put a standby seconds behind.
//!
//! `scripts/test.sh` starts the standby (`VG_PG_STANDBY=1 scripts/with-postgres.sh`), which
//! exports `DATABASE_REPLICA_URL`. Every database `#[sqlx::test]` creates on the primary is
//! replicated, so the standby's copy of the test's own database is the same URL with the
//! database name swapped.

#[path = "../common/mod.rs"]
mod common;
// The reliability tests' requests; this binary uses only some of them.
#[allow(dead_code)]
#[path = "../reliability/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use vouchgraph::config::ReplicaSettings;

use common::{eventually, spawn_app, spawn_app_with, TestApp, TestUser};
use helpers::{recommenders_seen, second_pool};

/// The standby's copy of the test's database. With no standby the test fails and says how to
/// get one, unless `VG_SKIP_REPLICA=1` asks to skip it (a database of your own, no standby).
fn replica_url(pool: &PgPool) -> Option<String> {
    let Ok(base) = std::env::var("DATABASE_REPLICA_URL") else {
        if std::env::var("VG_SKIP_REPLICA").as_deref() == Ok("1") {
            println!("skipped: no standby (VG_SKIP_REPLICA=1)");
            return None;
        }
        panic!(
            "DATABASE_REPLICA_URL is not set: run through `VG_PG_STANDBY=1 scripts/with-postgres.sh` \
             (scripts/test.sh does), or set VG_SKIP_REPLICA=1 to skip this test"
        );
    };
    let database = pool
        .connect_options()
        .get_database()
        .expect("#[sqlx::test] names its database")
        .to_string();
    let mut url = reqwest::Url::parse(&base).expect("DATABASE_REPLICA_URL is a URL");
    url.set_path(&format!("/{database}"));
    Some(url.to_string())
}

/// A connection to the standby itself, to ask its role and to pause its replay.
async fn standby(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("the standby answers")
}

/// The standby's replay is one switch for the whole cluster, and tests run in parallel: each
/// test that pauses it holds this for its whole run, so another cannot resume it meanwhile.
static REPLAY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Pauses or resumes the standby's replay of the primary's WAL. A pause is only requested by
/// `pg_wal_replay_pause`, so this waits until the standby says it has paused.
async fn replay(standby: &PgPool, running: bool) {
    let call = if running {
        "select pg_wal_replay_resume()"
    } else {
        "select pg_wal_replay_pause()"
    };
    sqlx::query(call).execute(standby).await.unwrap();
    if !running {
        eventually("the standby's replay to pause", || async {
            let state: String = sqlx::query_scalar("select pg_get_wal_replay_pause_state()")
                .fetch_one(standby)
                .await
                .unwrap();
            (state == "paused").then_some(())
        })
        .await;
    }
}

/// The standby's copy of the test's database, once the standby has caught up with the
/// primary (so the copy exists, migrated).
async fn standby_ready(pool: &PgPool, replica: &str) -> PgPool {
    let cluster = std::env::var("DATABASE_REPLICA_URL").expect("checked by replica_url");
    caught_up(pool, &standby(&cluster).await).await;
    standby(replica).await
}

/// Waits until the standby has replayed everything the primary has written so far: the
/// test's own database and its migrations among it. Other work on the cluster can put a
/// standby behind, and what these tests measure starts once it has caught up.
async fn caught_up(primary: &PgPool, standby: &PgPool) {
    let written: String = sqlx::query_scalar("select pg_current_wal_lsn()::text")
        .fetch_one(primary)
        .await
        .unwrap();
    // Longer than `eventually`'s patience: the suite's earlier binaries create hundreds of
    // databases, and a standby replays them all before it reaches this one.
    let started = Instant::now();
    loop {
        let behind: bool =
            sqlx::query_scalar("select coalesce(pg_last_wal_replay_lsn() < $1::pg_lsn, true)")
                .bind(&written)
                .fetch_one(standby)
                .await
                .unwrap();
        if !behind {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the standby is still behind the primary's {written} after 3 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `seeker` sees `count` recommenders of `provider` on `instance`, and returns how
/// long that took; fails after five seconds.
async fn until_seen(instance: &TestApp, seeker: &TestUser, provider: i64, count: u64) -> Duration {
    let started = Instant::now();
    while recommenders_seen(instance, seeker, provider).await < count {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the replica-reading instance never saw recommender {count}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

#[sqlx::test]
async fn a_write_on_the_primary_reaches_search_on_an_instance_reading_the_replica_within_a_second(
    pool: PgPool,
) {
    let Some(replica) = replica_url(&pool) else {
        return;
    };
    let _alone = REPLAY.lock().await;
    let standby = standby_ready(&pool, &replica).await;
    let writer = spawn_app(pool.clone()).await;
    let reader = spawn_app_with(second_pool(&pool).await, |config| {
        config.replica = Some(ReplicaSettings::at(replica.clone()));
    })
    .await;
    let in_recovery: bool = sqlx::query_scalar("select pg_is_in_recovery()")
        .fetch_one(&standby)
        .await
        .unwrap();
    assert!(in_recovery, "DATABASE_REPLICA_URL must name a standby");

    let seeker = writer.signup("Seeker", "seeker@example.com").await;
    let owner = writer
        .signup("Tiler owner", "tiler.owner@example.com")
        .await;
    let provider = writer.create_provider(&owner, "Tiles").await;
    let mut lags = Vec::new();
    for i in 0..10 {
        // Seeker -> friend i, level 3; friend i recommends the tiler, both written on the
        // primary through the other instance.
        let friend = writer
            .signup(&format!("Friend {i}"), &format!("friend{i}@example.com"))
            .await;
        writer.trust(&seeker, &friend, 3, "public").await;
        writer.vouch(&friend, provider, "recommend").await;
        lags.push(until_seen(&reader, &seeker, provider, i + 1).await);
    }
    lags.sort();
    let worst = lags[lags.len() - 1];
    println!(
        "primary to replica-reading search over {} writes: p50 {:?}, max {worst:?}",
        lags.len(),
        lags[lags.len() / 2]
    );
    assert!(
        worst < Duration::from_secs(1),
        "a write took {worst:?} to reach the instance reading the replica"
    );

    // It follows the standby, not the primary: with the standby's replay paused, a write on
    // the primary does not reach it...
    replay(&standby, false).await;
    // Seeker -> late friend, level 3; the late friend recommends the tiler.
    let late = writer
        .signup("Late friend", "late.friend@example.com")
        .await;
    writer.trust(&seeker, &late, 3, "public").await;
    writer.vouch(&late, provider, "recommend").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        recommenders_seen(&reader, &seeker, provider).await,
        10,
        "the instance saw a write its standby had not replayed"
    );
    assert_eq!(recommenders_seen(&writer, &seeker, provider).await, 11);
    // ...and once replay resumes, it arrives within a second.
    replay(&standby, true).await;
    let lag = until_seen(&reader, &seeker, provider, 11).await;
    assert!(
        lag < Duration::from_secs(1),
        "took {lag:?} after replay resumed"
    );
}

#[sqlx::test]
async fn an_instance_reading_the_replica_writes_to_the_primary_and_shows_its_own_write_at_once(
    pool: PgPool,
) {
    let Some(replica) = replica_url(&pool) else {
        return;
    };
    let _alone = REPLAY.lock().await;
    let standby = standby_ready(&pool, &replica).await;
    let reader = spawn_app_with(pool.clone(), |config| {
        config.replica = Some(ReplicaSettings::at(replica.clone()));
    })
    .await;

    let seeker = reader.signup("Seeker", "seeker@example.com").await;
    let friend = reader.signup("Friend", "friend@example.com").await;
    let owner = reader
        .signup("Tiler owner", "tiler.owner@example.com")
        .await;
    let provider = reader.create_provider(&owner, "Tiles").await;
    // Even with the standby frozen, the instance's own writes land on the primary and show in
    // its own search at once: it catches up from the primary right after it writes.
    replay(&standby, false).await;
    // Seeker -> friend, level 3; the friend recommends the tiler, both through this instance.
    reader.trust(&seeker, &friend, 3, "public").await;
    reader.vouch(&friend, provider, "recommend").await;
    assert_eq!(recommenders_seen(&reader, &seeker, provider).await, 1);
    let on_primary: i64 = sqlx::query_scalar("select count(*) from vouches")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(on_primary, 1);
    replay(&standby, true).await;
}
