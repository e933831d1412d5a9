//! Writing a network to Postgres: one transaction, multi-row `insert ... select from unnest`
//! upserts in batches, and a `graph_changes` row for every row that actually changed, so that a
//! second import of the same file writes and records nothing.
//!
//! Changes are first collected in a temporary table and copied to `graph_changes` in one
//! statement at the end, under the change feed's lock: the lock is then held for that copy and
//! the commit only, not for the whole import (see `store::changes` for why it exists).

use std::collections::HashMap;
use std::fmt;

use anyhow::Context;
use sqlx::{PgConnection, PgPool};

use super::network::{Network, ReadCounts};

/// Rows per statement: large enough that a round trip is cheap beside the work, small enough
/// that progress shows every second or so.
const BATCH: usize = 10_000;

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// What reading the file met.
    pub read: ReadCounts,
    /// People in the file.
    pub people: usize,
    /// Of those, created or renamed (or newly marked pre-trusted).
    pub people_changed: usize,
    /// Trust edges in the file, once per pair, self-loops left out.
    pub trust_edges: usize,
    /// Of those, created or changed.
    pub trust_changed: usize,
    /// Distrust edges in the file.
    pub distrust_edges: usize,
    /// Of those, created or changed.
    pub distrust_changed: usize,
    /// `graph_changes` rows recorded.
    pub changes_recorded: u64,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "read {} edge rows ({} self-loops skipped, {} repeated pairs merged)",
            self.read.edge_rows, self.read.self_loops, self.read.repeats
        )?;
        writeln!(
            f,
            "people:         {:>9} in file, {:>9} new or changed",
            self.people, self.people_changed
        )?;
        writeln!(
            f,
            "trust edges:    {:>9} in file, {:>9} new or changed",
            self.trust_edges, self.trust_changed
        )?;
        writeln!(
            f,
            "distrust edges: {:>9} in file, {:>9} new or changed",
            self.distrust_edges, self.distrust_changed
        )?;
        write!(f, "graph_changes:  {:>9} recorded", self.changes_recorded)
    }
}

/// Writes `network` with people keyed by `"{source}:{key}"` in `people.external_ref`.
/// Nothing is deleted: a person or edge missing from the file stays as it was.
///
/// # Errors
/// Any database error; the transaction is then rolled back and nothing is written.
pub async fn write_network(
    pool: &PgPool,
    network: &Network,
    source: &str,
) -> anyhow::Result<ImportReport> {
    let mut tx = pool.begin().await.context("starting the import")?;
    // Dropped at commit or rollback, so concurrent imports on other connections never meet.
    sqlx::query(
        "create temp table import_changes (
            ord bigint generated always as identity, kind text not null,
            actor_id bigint, payload jsonb not null) on commit drop",
    )
    .execute(&mut *tx)
    .await
    .context("creating the change buffer")?;

    let mut report = ImportReport {
        read: network.counts(),
        people: network.people().len(),
        ..ImportReport::default()
    };
    let ids = upsert_people(&mut tx, network, source, &mut report).await?;
    let trust: Vec<(i64, i64, i16)> = network
        .trust_edges()
        .map(|(from, to, level)| (ids[from as usize], ids[to as usize], i16::from(level.get())))
        .collect();
    report.trust_edges = trust.len();
    report.trust_changed = upsert_trust(&mut tx, &trust).await?;
    let distrust: Vec<(i64, i64, f32)> = network
        .distrust_edges()
        .map(|(from, to, strength)| (ids[from as usize], ids[to as usize], strength))
        .collect();
    report.distrust_edges = distrust.len();
    report.distrust_changed = upsert_distrust(&mut tx, &distrust).await?;

    // Last before commit: the change feed's lock is held from here until the commit.
    crate::store::changes::lock_for_append(&mut tx)
        .await
        .context("taking the change feed's lock")?;
    report.changes_recorded = sqlx::query(
        "insert into graph_changes (kind, actor_id, payload)
         select kind, actor_id, payload from import_changes order by ord",
    )
    .execute(&mut *tx)
    .await
    .context("recording the changes")?
    .rows_affected();
    tx.commit().await.context("committing the import")?;
    Ok(report)
}

/// Upserts everyone and returns their database ids, by index in the network.
async fn upsert_people(
    tx: &mut PgConnection,
    network: &Network,
    source: &str,
    report: &mut ImportReport,
) -> anyhow::Result<Vec<i64>> {
    let people = network.people();
    let mut ids = vec![0i64; people.len()];
    for (batch, chunk) in people.chunks(BATCH).enumerate() {
        let refs: Vec<String> = chunk
            .iter()
            .map(|p| format!("{source}:{}", p.key))
            .collect();
        let names: Vec<String> = chunk
            .iter()
            .map(|p| display_name(p.name.as_deref(), source, &p.key))
            .collect();
        let seeds: Vec<bool> = chunk.iter().map(|p| p.pre_trusted).collect();
        // An existing person is touched only if the file says something new about them, and
        // an import only ever adds the pre-trusted mark: it never withdraws one given by hand.
        let changed = sqlx::query(
            "with changed as (
                insert into people (display_name, pre_trusted, external_ref)
                select * from unnest($2::text[], $3::bool[], $1::text[])
                on conflict (external_ref) do update
                set display_name = excluded.display_name,
                    pre_trusted = people.pre_trusted or excluded.pre_trusted
                where people.display_name <> excluded.display_name
                   or (excluded.pre_trusted and not people.pre_trusted)
                returning id, display_name, pre_trusted)
             insert into import_changes (kind, actor_id, payload)
             select 'person.upsert', id, jsonb_build_object(
                 'kind', 'person.upsert', 'id', id, 'name', display_name,
                 'pre_trusted', pre_trusted)
             from changed order by id",
        )
        .bind(&refs)
        .bind(&names)
        .bind(&seeds)
        .execute(&mut *tx)
        .await
        .context("upserting people")?;
        report.people_changed += changed.rows_affected() as usize;
        // A second statement sees the first one's rows, inserted and existing alike.
        let found: Vec<(String, i64)> =
            sqlx::query_as("select external_ref, id from people where external_ref = any($1)")
                .bind(&refs)
                .fetch_all(&mut *tx)
                .await
                .context("reading the people's ids")?;
        let found: HashMap<String, i64> = found.into_iter().collect();
        for (offset, external_ref) in refs.iter().enumerate() {
            ids[batch * BATCH + offset] = found[external_ref];
        }
        progress("people", (batch * BATCH + chunk.len(), people.len()));
    }
    Ok(ids)
}

/// Upserts public trust edges; returns how many were new or changed.
async fn upsert_trust(tx: &mut PgConnection, edges: &[(i64, i64, i16)]) -> anyhow::Result<usize> {
    let mut changed = 0;
    for (batch, chunk) in edges.chunks(BATCH).enumerate() {
        let (from, to, level): (Vec<i64>, Vec<i64>, Vec<i16>) = unzip3(chunk);
        // Imported networks are public data, so their edges are public.
        changed += sqlx::query(
            "with changed as (
                insert into trust_edges (truster_id, trustee_id, level, visibility)
                select truster, trustee, level, 'public'
                from unnest($1::int8[], $2::int8[], $3::int2[]) as i(truster, trustee, level)
                on conflict (truster_id, trustee_id) do update
                set level = excluded.level, visibility = excluded.visibility, updated_at = now()
                where (trust_edges.level, trust_edges.visibility)
                      is distinct from (excluded.level, excluded.visibility)
                returning truster_id, trustee_id, level, visibility)
             insert into import_changes (kind, actor_id, payload)
             select 'trust.set', truster_id, jsonb_build_object(
                 'kind', 'trust.set', 'truster', truster_id, 'trustee', trustee_id,
                 'level', level, 'visibility', visibility)
             from changed order by truster_id, trustee_id",
        )
        .bind(&from)
        .bind(&to)
        .bind(&level)
        .execute(&mut *tx)
        .await
        .context("upserting trust edges")?
        .rows_affected() as usize;
        progress("trust edges", (batch * BATCH + chunk.len(), edges.len()));
    }
    Ok(changed)
}

/// Upserts distrust edges; returns how many were new or changed.
async fn upsert_distrust(
    tx: &mut PgConnection,
    edges: &[(i64, i64, f32)],
) -> anyhow::Result<usize> {
    let mut changed = 0;
    for (batch, chunk) in edges.chunks(BATCH).enumerate() {
        let (from, to, strength): (Vec<i64>, Vec<i64>, Vec<f32>) = unzip3(chunk);
        changed += sqlx::query(
            "with changed as (
                insert into distrust_edges (truster_id, trustee_id, strength)
                select * from unnest($1::int8[], $2::int8[], $3::float4[])
                on conflict (truster_id, trustee_id) do update
                set strength = excluded.strength, updated_at = now()
                where distrust_edges.strength <> excluded.strength
                returning truster_id, trustee_id, strength)
             insert into import_changes (kind, actor_id, payload)
             select 'distrust.set', truster_id, jsonb_build_object(
                 'kind', 'distrust.set', 'truster', truster_id, 'trustee', trustee_id,
                 'strength', strength)
             from changed order by truster_id, trustee_id",
        )
        .bind(&from)
        .bind(&to)
        .bind(&strength)
        .execute(&mut *tx)
        .await
        .context("upserting distrust edges")?
        .rows_affected() as usize;
        progress("distrust edges", (batch * BATCH + chunk.len(), edges.len()));
    }
    Ok(changed)
}

/// A person's display name: the source's name, else "{source} {key}", cut to the 100
/// characters `people` allows.
fn display_name(name: Option<&str>, source: &str, key: &str) -> String {
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => format!("{source} {key}"),
    };
    name.chars()
        .take(100)
        .collect::<String>()
        .trim()
        .to_string()
}

fn progress(what: &str, (done, total): (usize, usize)) {
    tracing::info!(done, total, "importing {what}");
}

fn unzip3<A: Copy, B: Copy, C: Copy>(rows: &[(A, B, C)]) -> (Vec<A>, Vec<B>, Vec<C>) {
    let mut columns = (
        Vec::with_capacity(rows.len()),
        Vec::with_capacity(rows.len()),
        Vec::with_capacity(rows.len()),
    );
    for &(a, b, c) in rows {
        columns.0.push(a);
        columns.1.push(b);
        columns.2.push(c);
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_without_a_name_is_called_by_source_and_key() {
        assert_eq!(display_name(None, "bitcoin-otc", "6"), "bitcoin-otc 6");
        assert_eq!(display_name(Some(" raph "), "advogato", "328"), "raph");
        assert_eq!(display_name(Some(&"x".repeat(150)), "csv", "1").len(), 100);
    }
}
