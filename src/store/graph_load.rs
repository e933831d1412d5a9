//! Reading the whole trust graph at start, in one consistent snapshot.

use futures::TryStreamExt;
use sqlx::PgPool;

use crate::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};
use crate::graph::{GraphBuilder, ProviderInfo, TrustGraph};
use crate::seeds::SeedSet;
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
    {
        // Sorted by source, so the builder's output keeps each person's edges together.
        let mut edges = sqlx::query_as::<_, (PersonId, PersonId, i16, String)>(
            "select truster_id, trustee_id, level, visibility from trust_edges order by truster_id",
        )
        .fetch(&mut *tx);
        while let Some((from, to, level, visibility)) = edges.try_next().await? {
            let level = TrustLevel::new(level as u8)
                .ok_or_else(|| anyhow::anyhow!("trust level {level} out of range"))?;
            let visibility = Visibility::parse(&visibility)
                .ok_or_else(|| anyhow::anyhow!("unknown visibility {visibility:?}"))?;
            builder.trust(from, to, level, visibility)?;
        }
    }
    {
        let mut edges = sqlx::query_as::<_, (PersonId, PersonId, f32)>(
            "select truster_id, trustee_id, strength from distrust_edges order by truster_id",
        )
        .fetch(&mut *tx);
        while let Some((from, to, strength)) = edges.try_next().await? {
            builder.distrust(from, to, strength)?;
        }
    }
    // Each recommender's track record weighs all their vouches (domain::track_record).
    let strengths = crate::store::track_records::all_strengths(&mut *tx).await?;
    {
        let mut vouches = sqlx::query_as::<_, (PersonId, ProviderId, TradeId, String, String)>(
            "select person_id, provider_id, trade_id, stance, visibility from offered_vouches order by person_id",
        )
        .fetch(&mut *tx);
        while let Some((person, provider, trade, stance, visibility)) = vouches.try_next().await? {
            let stance = Stance::parse(&stance)
                .ok_or_else(|| anyhow::anyhow!("unknown stance {stance:?}"))?;
            let visibility = Visibility::parse(&visibility)
                .ok_or_else(|| anyhow::anyhow!("unknown visibility {visibility:?}"))?;
            let strength = strengths.get(&person).copied().unwrap_or(1.0);
            builder.vouch(person, provider, trade, stance, visibility, strength)?;
        }
    }
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
