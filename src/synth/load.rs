//! Writing a [`SynthNetwork`] into the real schema, fast enough for a million people and twelve
//! million trust edges (about a minute on one core): COPY in text format rather than INSERTs,
//! foreign-key triggers off and secondary indexes rebuilt once at the end rather than
//! maintained row by row.
//!
//! The search benchmark (benches/search) and `vouchgraph seed-synthetic` both load through
//! [`copy_into`], so the database they measure is the same one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context;
use sqlx::{PgConnection, PgPool};

use crate::domain::PersonId;

use super::SynthNetwork;

/// The password hash of every synthetic account that is not given one of its own. It is not
/// the hash of anything (its "hash" part is not even base64), so no password logs in with it.
pub const UNUSABLE_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJr$not-a-real-hash";

/// An account to create for a synthetic person, beyond those of the provider owners.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthAccount {
    /// The person it belongs to; any person of the network, owner or not.
    pub person: PersonId,
    /// The login email; unique, regardless of case.
    pub email: String,
    /// An argon2id PHC string, as [`crate::auth::password::hash`] makes.
    pub password_hash: String,
}

/// COPYs `net` into the database behind `pool`: people, accounts, providers, their trades,
/// trust edges and vouches, with the ids the network gives them. The database must be migrated
/// and hold no people yet.
///
/// Every provider owner gets an account (`owner{id}@example.com`, providers need one) with
/// [`UNUSABLE_PASSWORD_HASH`]; `accounts` adds accounts, and replaces an owner's when it names
/// the same person, so a caller can make any person a seeker who can sign in.
///
/// Foreign-key triggers are turned off for the loading session (the network is consistent by
/// construction, and checking twelve million references row by row would take longer than the
/// copy), which needs a superuser. The secondary indexes of `trust_edges` and `vouches` are
/// dropped before and rebuilt after, exactly as the migrations define them (read back from
/// `pg_indexes`, so a new migration's index is rebuilt too); the identity sequences are moved
/// past the copied ids, so rows created later through the API do not collide; then everything
/// is vacuumed and analysed, as a database that has been running for a while would be.
///
/// No change-feed rows are written: a server started afterwards reads the whole graph at
/// start-up, and the feed only matters for changes made while one is running.
///
/// # Errors
/// If the database holds people already, is not migrated, the role is not a superuser, or a
/// statement fails. A failure part-way leaves a half-loaded database: load into a fresh one.
pub async fn copy_into(
    pool: &PgPool,
    net: &SynthNetwork,
    accounts: &[SynthAccount],
) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let people: i64 = sqlx::query_scalar("select count(*) from people")
        .fetch_one(&mut *conn)
        .await
        .context("counting people (is the database migrated?)")?;
    anyhow::ensure!(
        people == 0,
        "the database already holds {people} people; a synthetic network is loaded into an empty one"
    );

    let tables = ["trust_edges", "vouches"];
    let secondary: Vec<(String, String)> = sqlx::query_as(
        "select indexname, indexdef from pg_indexes
         where schemaname = 'public' and tablename = any($1) and indexname not like '%_pkey'",
    )
    .bind(&tables[..])
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &secondary {
        sqlx::query(&format!("drop index {name}"))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("set session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .context("turning off foreign-key triggers (needs a superuser)")?;

    copy(
        &mut conn,
        "copy people (id, display_name) from stdin",
        &net.people,
        |buf, id| writeln!(buf, "{id}\t{}", SynthNetwork::person_name(*id)),
    )
    .await?;
    // One row per person: the owners' placeholder accounts, overridden by the given ones.
    let mut by_person: BTreeMap<PersonId, (String, &str)> = net
        .providers
        .iter()
        .map(|p| {
            let email = format!("owner{}@example.com", p.owner);
            (p.owner, (email, UNUSABLE_PASSWORD_HASH))
        })
        .collect();
    for account in accounts {
        by_person.insert(
            account.person,
            (account.email.clone(), account.password_hash.as_str()),
        );
    }
    let rows: Vec<_> = by_person.into_iter().collect();
    copy(
        &mut conn,
        "copy accounts (person_id, email, password_hash) from stdin",
        &rows,
        |buf, (id, (email, hash))| writeln!(buf, "{id}\t{email}\t{hash}"),
    )
    .await?;
    copy(
        &mut conn,
        "copy providers (id, owner_id, name, lat, lon, radius_km) from stdin",
        &net.providers,
        |buf, p| {
            let name = SynthNetwork::provider_name(p.id);
            writeln!(
                buf,
                "{}\t{}\t{name}\t{}\t{}\t{}",
                p.id, p.owner, p.lat, p.lon, p.radius_km
            )
        },
    )
    .await?;
    let offers: Vec<_> = net
        .providers
        .iter()
        .flat_map(|p| p.trades.iter().map(move |t| (p.id, *t)))
        .collect();
    copy(
        &mut conn,
        "copy provider_trades (provider_id, trade_id) from stdin",
        &offers,
        |buf, (provider, trade)| writeln!(buf, "{provider}\t{trade}"),
    )
    .await?;
    copy(
        &mut conn,
        "copy trust_edges (truster_id, trustee_id, level, visibility) from stdin",
        &net.trust_edges,
        |buf, e| {
            let (level, visibility) = (e.level.get(), e.visibility.as_str());
            writeln!(buf, "{}\t{}\t{level}\t{visibility}", e.from, e.to)
        },
    )
    .await?;
    copy(
        &mut conn,
        "copy vouches (person_id, provider_id, trade_id, stance, visibility) from stdin",
        &net.vouches,
        |buf, v| {
            let (stance, visibility) = (v.stance.as_str(), v.visibility.as_str());
            writeln!(
                buf,
                "{}\t{}\t{}\t{stance}\t{visibility}",
                v.person, v.provider, v.trade
            )
        },
    )
    .await?;

    sqlx::query("set session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    for (_, definition) in &secondary {
        sqlx::query(definition).execute(&mut *conn).await?;
    }
    for table in ["people", "providers"] {
        sqlx::query(&format!(
            "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
        ))
        .execute(&mut *conn)
        .await?;
    }
    // VACUUM refuses to run in a transaction block, so send it with the simple protocol.
    sqlx::raw_sql("vacuum (freeze, analyze)")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// COPYs `rows` in text format, formatting each with `line`, in chunks of about a megabyte:
/// large enough that the round trips do not matter, small enough not to hold the whole table
/// as text in memory.
async fn copy<T>(
    conn: &mut PgConnection,
    statement: &str,
    rows: &[T],
    mut line: impl FnMut(&mut String, &T) -> std::fmt::Result,
) -> anyhow::Result<()> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = String::with_capacity(2 << 20);
    for row in rows {
        line(&mut buf, row)?;
        if buf.len() >= 1 << 20 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    let copied = copy.finish().await?;
    anyhow::ensure!(
        copied as usize == rows.len(),
        "{statement}: copied {copied} of {} rows",
        rows.len()
    );
    Ok(())
}
