//! The change-feed rows for a freshly inserted town: one bulk insert per kind, with payloads
//! built in SQL whose keys are exactly the serde form of [`GraphChange`], so followers and
//! the history read them like any other change.
//!
//! [`GraphChange`]: crate::domain::GraphChange

use anyhow::Context;
use sqlx::PgConnection;

/// Which ids a statement's `$1` takes.
#[derive(Clone, Copy)]
enum Ids {
    People,
    Providers,
}

/// One statement per change kind, in the order a follower needs them: people before the
/// providers they own, both before the edges between them. The actor is who would have made
/// the change through the API: the person, the owner, the truster, the voucher.
const CHANGE_INSERTS: [(&str, Ids, &str); 4] = [
    (
        "person.upsert",
        Ids::People,
        "insert into graph_changes (kind, actor_id, payload)
         select 'person.upsert', p.id, jsonb_build_object(
             'kind', 'person.upsert', 'id', p.id, 'name', p.display_name,
             'pre_trusted', p.pre_trusted)
         from people p where p.id = any($1) order by p.id",
    ),
    (
        "provider.upsert",
        Ids::Providers,
        "insert into graph_changes (kind, actor_id, payload)
         select 'provider.upsert', p.owner_id, jsonb_build_object(
             'kind', 'provider.upsert', 'id', p.id, 'name', p.name, 'owner', p.owner_id,
             'trades', coalesce((select jsonb_agg(pt.trade_id order by pt.trade_id)
                                 from provider_trades pt where pt.provider_id = p.id),
                                '[]'::jsonb),
             'lat', p.lat, 'lon', p.lon, 'radius_km', p.radius_km)
         from providers p where p.id = any($1) order by p.id",
    ),
    (
        "trust.set",
        Ids::People,
        "insert into graph_changes (kind, actor_id, payload)
         select 'trust.set', t.truster_id, jsonb_build_object(
             'kind', 'trust.set', 'truster', t.truster_id, 'trustee', t.trustee_id,
             'level', t.level, 'visibility', t.visibility)
         from trust_edges t where t.truster_id = any($1)
         order by t.truster_id, t.trustee_id",
    ),
    (
        "vouch.set",
        Ids::People,
        "insert into graph_changes (kind, actor_id, payload)
         select 'vouch.set', v.person_id, jsonb_build_object(
             'kind', 'vouch.set', 'person', v.person_id, 'provider', v.provider_id,
             'trade', v.trade_id, 'stance', v.stance, 'visibility', v.visibility,
             'note', v.note)
         from vouches v where v.person_id = any($1)
         order by v.person_id, v.provider_id, v.trade_id",
    ),
];

/// Appends a change for every person, provider, trust edge and vouch of the demo (given by
/// the ids of its people and providers). Call it last before commit: it takes the change
/// feed's lock, held until the transaction ends, so the feed's seqs stay in commit order.
pub async fn record_changes(
    tx: &mut PgConnection,
    people: &[i64],
    providers: &[i64],
) -> anyhow::Result<()> {
    crate::store::changes::lock_for_append(tx)
        .await
        .context("taking the change feed's lock")?;
    for (kind, ids, sql) in CHANGE_INSERTS {
        let ids = match ids {
            Ids::People => people,
            Ids::Providers => providers,
        };
        sqlx::query(sql)
            .bind(ids)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("recording the demo's {kind} changes"))?;
    }
    Ok(())
}
