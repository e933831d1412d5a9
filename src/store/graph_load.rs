//! Reading the whole trust graph at start, in one consistent snapshot.

use futures::TryStreamExt;
use sqlx::{PgConnection, PgPool};

use crate::domain::seed_set::SeedSet;
use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};
use crate::graph::{GraphBuilder, ProviderInfo, TrustGraph};
use crate::store::providers::TradeRow;

/// Everything the live graph needs, as of one change-feed seq.
pub struct Snapshot {
    /// The graph.
    pub graph: TrustGraph,
    /// The people the global prior restarts on: the pre-trusted people, or the founders when
    /// no one is pre-trusted (`seed_set.for_prior()`).
    pub seeds: Vec<PersonId>,
    /// The pre-trusted people and the founders apart, for the live graph to keep current.
    pub seed_set: SeedSet,
    /// All trades.
    pub trades: Vec<TradeRow>,
    /// The newest change included.
    pub seq: i64,
}

/// Loads the graph inside a repeatable-read transaction. Because change seqs are handed out in
/// commit order, every change committed after this snapshot has a seq above `seq`, so the
/// follower can resume from exactly there.
pub async fn load_snapshot(pool: &PgPool) -> anyhow::Result<Snapshot> {
    let mut tx = pool.begin().await?;
    sqlx::query("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    let seq: i64 = sqlx::query_scalar("select coalesce(max(seq), 0) from graph_changes")
        .fetch_one(&mut *tx)
        .await?;
    let trades: Vec<TradeRow> = sqlx::query_as("select id, slug, name from trades order by id")
        .fetch_all(&mut *tx)
        .await?;

    let mut builder = GraphBuilder::new();
    let mut seed_set = SeedSet::default();
    {
        let mut people = sqlx::query_as::<_, (PersonId, String, bool)>(
            "select id, display_name, pre_trusted from people",
        )
        .fetch(&mut *tx);
        while let Some((id, name, pre_trusted)) = people.try_next().await? {
            if pre_trusted {
                seed_set.operator.push(id);
            }
            seed_set.admit(id);
            builder.person(id, &name);
        }
    }
    {
        let mut providers = sqlx::query_as::<_, (ProviderId, String, PersonId, Vec<TradeId>, f64, f64, f64)>(
            "select p.id, p.name, p.owner_id,
                coalesce(array(select trade_id from provider_trades pt where pt.provider_id = p.id), '{}'),
                p.lat, p.lon, p.radius_km
             from providers p",
        )
        .fetch(&mut *tx);
        while let Some((id, name, owner, trades, lat, lon, radius_km)) =
            providers.try_next().await?
        {
            builder.provider(ProviderInfo {
                id,
                name,
                owner,
                trades,
                lat,
                lon,
                radius_km,
            })?;
        }
    }
    // No `order by` in what follows: the builder sorts the edges itself.
    load_trust_edges(&mut tx, &mut builder).await?;
    {
        let mut edges = sqlx::query_as::<_, (PersonId, PersonId, f32)>(
            "select truster_id, trustee_id, strength from distrust_edges",
        )
        .fetch(&mut *tx);
        while let Some((from, to, strength)) = edges.try_next().await? {
            builder.distrust(from, to, strength)?;
        }
    }
    // Each recommender's track record weighs all their vouches (domain::track_record).
    let strengths = crate::store::track_records::all_strengths(&mut *tx).await?;
    copy_rows(
        &mut tx,
        "copy (select person_id, provider_id, trade_id, stance, visibility from offered_vouches)
         to stdout",
        |row| {
            let mut fields = Fields::of(row);
            let person = PersonId(fields.number()?);
            let provider = ProviderId(fields.number()?);
            let trade = TradeId(fields.number()?);
            let stance = fields.next()?;
            let stance = Stance::parse(stance)
                .ok_or_else(|| anyhow::anyhow!("unknown stance {stance:?}"))?;
            let visibility = fields.visibility()?;
            let strength = strengths.get(&person).copied().unwrap_or(1.0);
            builder.vouch(person, provider, trade, stance, visibility, strength)?;
            Ok(())
        },
    )
    .await?;
    tx.commit().await?;
    let (graph, report) = builder.build();
    tracing::debug!(?report, "graph built");
    if seed_set.uses_founders() {
        tracing::info!(
            founders = ?seed_set.founders,
            "no operator seed exists: the global prior restarts on the founding members"
        );
    }
    Ok(Snapshot {
        graph,
        seeds: seed_set.for_prior().to_vec(),
        seed_set,
        trades,
        seq,
    })
}

/// Streams every trust edge into the builder.
async fn load_trust_edges(tx: &mut PgConnection, builder: &mut GraphBuilder) -> anyhow::Result<()> {
    copy_rows(
        tx,
        "copy (select truster_id, trustee_id, level, visibility from trust_edges) to stdout",
        |row| {
            let mut fields = Fields::of(row);
            let from = PersonId(fields.number()?);
            let to = PersonId(fields.number()?);
            let level: u8 = fields.number()?;
            let level = TrustLevel::new(level)
                .ok_or_else(|| anyhow::anyhow!("trust level {level} out of range"))?;
            builder.trust(from, to, level, fields.visibility()?)?;
            Ok(())
        },
    )
    .await
}

/// Runs a `COPY ... TO STDOUT` (text format) and hands `each` every row.
///
/// Trust edges and vouches are most of the graph (fourteen million at a million people), and
/// reading them as query rows cost about 0.8 µs each, most of the load. `COPY` sends them in
/// large chunks, and their columns (ids, a level, short words; never null, never containing a
/// tab, newline or backslash, so never escaped) parse straight from the text.
async fn copy_rows(
    tx: &mut PgConnection,
    statement: &str,
    mut each: impl FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut chunks = tx.copy_out_raw(statement).await?;
    let mut pending: Vec<u8> = Vec::new();
    while let Some(chunk) = chunks.try_next().await? {
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(length) = pending[start..].iter().position(|&b| b == b'\n') {
            each(std::str::from_utf8(&pending[start..start + length])?)?;
            start += length + 1;
        }
        pending.drain(..start);
    }
    anyhow::ensure!(pending.is_empty(), "a COPY ended inside a row");
    Ok(())
}

/// The tab-separated fields of one `COPY` text row.
struct Fields<'a> {
    row: &'a str,
    rest: std::str::Split<'a, char>,
}

impl<'a> Fields<'a> {
    fn of(row: &'a str) -> Fields<'a> {
        Fields {
            row,
            rest: row.split('\t'),
        }
    }

    fn next(&mut self) -> anyhow::Result<&'a str> {
        let row = self.row;
        self.rest
            .next()
            .ok_or_else(|| anyhow::anyhow!("a COPY row is short: {row:?}"))
    }

    fn number<T: std::str::FromStr>(&mut self) -> anyhow::Result<T>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        Ok(self.next()?.parse()?)
    }

    fn visibility(&mut self) -> anyhow::Result<Visibility> {
        let word = self.next()?;
        Visibility::parse(word).ok_or_else(|| anyhow::anyhow!("unknown visibility {word:?}"))
    }
}
