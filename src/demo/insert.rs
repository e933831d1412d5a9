//! Writing a generated town to Postgres: one transaction, one bulk `insert ... select from
//! unnest(...)` per table, and the matching change-feed rows before commit.

use std::collections::HashMap;

use anyhow::{anyhow, ensure, Context};
use sqlx::{PgConnection, PgPool};

use crate::auth::password;

use super::history::record_changes;
use super::summary::DemoSummary;
use super::town::DemoTown;
use super::{SHARED_PASSWORD, STORY_ACCOUNTS};

/// argon2id memory cost for the demo's hashes, in KiB: OWASP's minimum for argon2id (19 MiB),
/// the same cost `auth` uses by default, so a demo login is timed like a real one.
const HASH_MEMORY_KIB: u32 = 19_456;

/// Serialises concurrent seeders: the second waits, then finds the town and does nothing,
/// instead of failing on a duplicate email. Next to the change feed's 7_001_001.
const SEED_LOCK: i64 = 7_001_002;

/// Inserts `town` unless the story's first account already exists, and reports the demo's
/// counts either way.
pub async fn insert_town(pool: &PgPool, town: &DemoTown) -> anyhow::Result<DemoSummary> {
    let mut tx = pool
        .begin()
        .await
        .context("starting the seeding transaction")?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(SEED_LOCK)
        .execute(&mut *tx)
        .await
        .context("taking the seeding lock")?;
    let marker = STORY_ACCOUNTS[0].1;
    let seeded: bool =
        sqlx::query_scalar("select exists (select 1 from accounts where lower(email) = lower($1))")
            .bind(marker)
            .fetch_one(&mut *tx)
            .await
            .context("checking whether the demo is already seeded")?;
    if seeded {
        tracing::info!(
            account = marker,
            "the demo town is already seeded; nothing to do"
        );
        return Ok(DemoSummary::count(&mut *tx, true).await?);
    }

    let hashes = hash_passwords(town).await?;
    let trades = trade_ids(&mut tx).await?;
    let people = insert_people(&mut tx, town).await?;
    insert_accounts(&mut tx, town, &people, &hashes).await?;
    let providers = insert_providers(&mut tx, town, &people, &trades).await?;
    insert_trust(&mut tx, town, &people).await?;
    insert_vouches(&mut tx, town, &people, &providers, &trades).await?;
    let owners: Vec<usize> = town.providers.iter().map(|p| p.owner).collect();
    super::referrals::insert(
        &mut tx,
        &super::referrals::generate(town, super::DEMO_SEED),
        &people,
        &providers,
        &owners,
        |slug| trade_id(&trades, slug),
    )
    .await
    .context("inserting the demo referrals")?;
    let summary = DemoSummary::count(&mut *tx, false)
        .await
        .context("counting the demo town")?;
    // Last, because it takes the change feed's lock until commit (see store::changes).
    record_changes(&mut tx, &people, &providers).await?;
    tx.commit().await.context("committing the demo town")?;
    tracing::info!(
        people = summary.people,
        providers = summary.providers,
        trust_edges = summary.trust_edges,
        "seeded the demo town"
    );
    Ok(summary)
}

/// One PHC string per person: the story accounts' own, and one shared hash for everyone else
/// (hashing 2,000 passwords at 19 MiB each would take minutes).
async fn hash_passwords(town: &DemoTown) -> anyhow::Result<Vec<String>> {
    let own: Vec<Option<&'static str>> = town.people.iter().map(|p| p.password).collect();
    tokio::task::spawn_blocking(move || {
        let shared = password::hash(SHARED_PASSWORD, HASH_MEMORY_KIB)?;
        own.into_iter()
            .map(|pw| match pw {
                Some(pw) => password::hash(pw, HASH_MEMORY_KIB),
                None => Ok(shared.clone()),
            })
            .collect()
    })
    .await
    .context("the password hashing thread panicked")?
}

/// Trade ids by slug, from the database: ids are whatever the migration's identity column
/// gave them.
async fn trade_ids(tx: &mut PgConnection) -> anyhow::Result<HashMap<String, i32>> {
    let rows: Vec<(String, i32)> = sqlx::query_as("select slug, id from trades")
        .fetch_all(&mut *tx)
        .await
        .context("reading trades")?;
    Ok(rows.into_iter().collect())
}

fn trade_id(trades: &HashMap<String, i32>, slug: &str) -> anyhow::Result<i32> {
    trades
        .get(slug)
        .copied()
        .ok_or_else(|| anyhow!("trade {slug:?} is missing; are the migrations applied?"))
}

/// Inserts the people; returns their ids by position in `town.people`. Each row carries
/// `external_ref = 'demo:<position>'`, which maps the generated ids back unambiguously (the
/// order of `returning` rows is not guaranteed) and marks the rows as the demo's.
async fn insert_people(tx: &mut PgConnection, town: &DemoTown) -> anyhow::Result<Vec<i64>> {
    let names: Vec<&str> = town.people.iter().map(|p| p.name.as_str()).collect();
    let lats: Vec<f64> = town.people.iter().map(|p| p.lat).collect();
    let lons: Vec<f64> = town.people.iter().map(|p| p.lon).collect();
    let seeds: Vec<bool> = town.people.iter().map(|p| p.pre_trusted).collect();
    let refs: Vec<String> = (0..town.people.len())
        .map(|i| format!("demo:{i}"))
        .collect();
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "insert into people (display_name, lat, lon, pre_trusted, external_ref)
         select * from unnest($1::text[], $2::float8[], $3::float8[], $4::bool[], $5::text[])
         returning id, external_ref",
    )
    .bind(&names)
    .bind(&lats)
    .bind(&lons)
    .bind(&seeds)
    .bind(&refs)
    .fetch_all(&mut *tx)
    .await
    .context("inserting the demo people")?;
    let mut ids = vec![0i64; town.people.len()];
    for (id, external_ref) in rows {
        let position: usize = external_ref
            .strip_prefix("demo:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| anyhow!("unexpected external_ref {external_ref:?}"))?;
        ids[position] = id;
    }
    ensure!(ids.iter().all(|&id| id > 0), "some demo people got no id");
    Ok(ids)
}

async fn insert_accounts(
    tx: &mut PgConnection,
    town: &DemoTown,
    people: &[i64],
    hashes: &[String],
) -> anyhow::Result<()> {
    let emails: Vec<&str> = town.people.iter().map(|p| p.email.as_str()).collect();
    sqlx::query(
        // The town's addresses count as confirmed, so that its people's referrals and
        // invitations are mailed (to the demo's mail catcher) from the first minute.
        "insert into accounts (person_id, email, password_hash, email_verified_at)
         select p, e, h, now() from unnest($1::int8[], $2::text[], $3::text[]) as t(p, e, h)",
    )
    .bind(people)
    .bind(&emails)
    .bind(hashes)
    .execute(&mut *tx)
    .await
    .context("inserting the demo accounts")?;
    Ok(())
}

/// Inserts the providers and their trades; returns their ids by position in
/// `town.providers`, mapped back by name (names are unique in the town).
async fn insert_providers(
    tx: &mut PgConnection,
    town: &DemoTown,
    people: &[i64],
    trades: &HashMap<String, i32>,
) -> anyhow::Result<Vec<i64>> {
    let firms = &town.providers;
    let owners: Vec<i64> = firms.iter().map(|f| people[f.owner]).collect();
    let names: Vec<&str> = firms.iter().map(|f| f.name.as_str()).collect();
    let descriptions: Vec<&str> = firms.iter().map(|f| f.description.as_str()).collect();
    let lats: Vec<f64> = firms.iter().map(|f| f.lat).collect();
    let lons: Vec<f64> = firms.iter().map(|f| f.lon).collect();
    let radii: Vec<f64> = firms.iter().map(|f| f.radius_km).collect();
    let phones: Vec<&str> = firms.iter().map(|f| f.phone.as_str()).collect();
    let emails: Vec<&str> = firms.iter().map(|f| f.email.as_str()).collect();
    let websites: Vec<&str> = firms.iter().map(|f| f.website.as_str()).collect();
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "insert into providers
             (owner_id, name, description, lat, lon, radius_km, phone, email, website)
         select * from unnest($1::int8[], $2::text[], $3::text[], $4::float8[], $5::float8[],
                              $6::float8[], $7::text[], $8::text[], $9::text[])
         returning id, name",
    )
    .bind(&owners)
    .bind(&names)
    .bind(&descriptions)
    .bind(&lats)
    .bind(&lons)
    .bind(&radii)
    .bind(&phones)
    .bind(&emails)
    .bind(&websites)
    .fetch_all(&mut *tx)
    .await
    .context("inserting the demo providers")?;
    let by_name: HashMap<String, i64> = rows.into_iter().map(|(id, name)| (name, id)).collect();
    ensure!(
        by_name.len() == firms.len(),
        "demo provider names are not unique"
    );
    let ids: Vec<i64> = firms.iter().map(|f| by_name[&f.name]).collect();

    let mut provider_ids = Vec::new();
    let mut trade_ids = Vec::new();
    for (firm, &id) in firms.iter().zip(&ids) {
        for slug in &firm.trades {
            provider_ids.push(id);
            trade_ids.push(trade_id(trades, slug)?);
        }
    }
    sqlx::query(
        "insert into provider_trades (provider_id, trade_id)
         select * from unnest($1::int8[], $2::int4[])",
    )
    .bind(&provider_ids)
    .bind(&trade_ids)
    .execute(&mut *tx)
    .await
    .context("inserting the demo providers' trades")?;
    Ok(ids)
}

async fn insert_trust(
    tx: &mut PgConnection,
    town: &DemoTown,
    people: &[i64],
) -> anyhow::Result<()> {
    let trusters: Vec<i64> = town.trust.iter().map(|e| people[e.truster]).collect();
    let trustees: Vec<i64> = town.trust.iter().map(|e| people[e.trustee]).collect();
    let levels: Vec<i16> = town
        .trust
        .iter()
        .map(|e| i16::from(e.level.get()))
        .collect();
    let visibility: Vec<&str> = town.trust.iter().map(|e| e.visibility.as_str()).collect();
    sqlx::query(
        "insert into trust_edges (truster_id, trustee_id, level, visibility)
         select * from unnest($1::int8[], $2::int8[], $3::int2[], $4::text[])",
    )
    .bind(&trusters)
    .bind(&trustees)
    .bind(&levels)
    .bind(&visibility)
    .execute(&mut *tx)
    .await
    .context("inserting the demo trust edges")?;
    Ok(())
}

async fn insert_vouches(
    tx: &mut PgConnection,
    town: &DemoTown,
    people: &[i64],
    providers: &[i64],
    trades: &HashMap<String, i32>,
) -> anyhow::Result<()> {
    let vouches = &town.vouches;
    let persons: Vec<i64> = vouches.iter().map(|v| people[v.person]).collect();
    let firms: Vec<i64> = vouches.iter().map(|v| providers[v.provider]).collect();
    let trade_ids = vouches
        .iter()
        .map(|v| trade_id(trades, v.trade))
        .collect::<anyhow::Result<Vec<i32>>>()?;
    let stances: Vec<&str> = vouches.iter().map(|v| v.stance.as_str()).collect();
    let visibility: Vec<&str> = vouches.iter().map(|v| v.visibility.as_str()).collect();
    let notes: Vec<&str> = vouches.iter().map(|v| v.note.as_str()).collect();
    sqlx::query(
        "insert into vouches (person_id, provider_id, trade_id, stance, visibility, note)
         select * from unnest($1::int8[], $2::int8[], $3::int4[], $4::text[], $5::text[],
                              $6::text[])",
    )
    .bind(&persons)
    .bind(&firms)
    .bind(&trade_ids)
    .bind(&stances)
    .bind(&visibility)
    .bind(&notes)
    .execute(&mut *tx)
    .await
    .context("inserting the demo vouches")?;
    Ok(())
}
