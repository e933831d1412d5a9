//! The demo town's requests for recommendations: open, answered and closed ones in several
//! trades, so the request pages show real examples. Each is routed by the real engine
//! (`graph::route_request`) over the town as loaded from the database, exactly as a request
//! asked through the API would be, and stored through the same store functions.

use anyhow::Context;
use serde_json::json;
use sqlx::PgPool;

use crate::app::requests::MAX_RECIPIENTS;
use crate::domain::{PersonId, ProviderId};
use crate::graph::route_request;
use crate::store;
use crate::store::requests::NewRequest;

/// One seeded request: who asks (by email), for what, where, and how far it got.
struct Seeded {
    asker: &'static str,
    trade: &'static str,
    place: Option<(f64, f64, &'static str)>,
    note: &'static str,
    /// How many of the first recipients answer, each with a provider they recommend.
    answers: usize,
    /// Whether the asker closed it, saying the first answerer helped.
    closed: bool,
}

const SEEDED: &[Seeded] = &[
    Seeded {
        asker: "anna@demo.vouchgraph.test",
        trade: "plumber",
        place: Some((51.47473, -2.60111, "Redland, Bristol")),
        note: "A leaking tap and a radiator that will not warm up.",
        answers: 2,
        closed: false,
    },
    Seeded {
        asker: "anna@demo.vouchgraph.test",
        trade: "electrician",
        place: None,
        note: "Two new sockets in the kitchen.",
        answers: 1,
        closed: true,
    },
    Seeded {
        asker: "matt@demo.vouchgraph.test",
        trade: "painter",
        place: Some((51.4700, -2.6000, "Redland, Bristol")),
        note: "Hallway and stairs, before Christmas.",
        answers: 0,
        closed: false,
    },
];

/// Seeds the requests, unless some exist already (a second run changes nothing). Returns how
/// many it created.
pub async fn seed(pool: &PgPool) -> anyhow::Result<usize> {
    let any: bool = sqlx::query_scalar("select exists (select 1 from requests)")
        .fetch_one(pool)
        .await?;
    if any {
        return Ok(0);
    }
    let snapshot = store::graph_load::load_snapshot(pool)
        .await
        .context("loading the demo town to route its requests")?;
    let mut tx = pool.begin().await?;
    let mut created = 0;
    for s in SEEDED {
        let Some(asker) = store::email::person_with_address(&mut *tx, s.asker).await? else {
            continue;
        };
        let Some(trade) = snapshot
            .trades
            .iter()
            .find(|t| t.slug == s.trade)
            .map(|t| t.id)
        else {
            continue;
        };
        let routed = route_request(&snapshot.graph, asker, trade, MAX_RECIPIENTS);
        let id = store::requests::create(
            &mut tx,
            &NewRequest {
                asker,
                trade,
                place: s.place,
                note: s.note,
                deadline: None,
                visibility: "circle",
                partner: None,
            },
        )
        .await?;
        let recipients: Vec<(PersonId, Option<PersonId>)> =
            routed.iter().map(|r| (r.person, r.via)).collect();
        store::requests::add_recipients(&mut tx, id, &recipients).await?;
        for (person, via) in &recipients {
            let payload = json!({ "request_id": id, "trade": s.trade, "through": via });
            store::notifications::notify(&mut tx, *person, "request.received", &payload).await?;
        }
        let mut answerers = Vec::new();
        for routed in routed.iter().take(s.answers) {
            let provider: Option<ProviderId> = sqlx::query_scalar(
                "select provider_id from vouches
                 where person_id = $1 and trade_id = $2 and stance = 'recommend'
                 order by provider_id limit 1",
            )
            .bind(routed.person)
            .bind(trade)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(provider) = provider else { continue };
            let note = "We used them last year and would again.";
            store::requests::add_answer(&mut tx, id, routed.person, provider, note, false).await?;
            let payload = json!({ "request_id": id, "trade": s.trade });
            store::notifications::notify(&mut tx, asker, "request.answered", &payload).await?;
            answerers.push(routed.person);
        }
        if s.closed {
            let helped = &answerers[..answerers.len().min(1)];
            store::requests::close(&mut tx, id, true, helped).await?;
        }
        created += 1;
    }
    // The helpers' track records changed. Unlike closing through the API, no `vouch.set` is
    // recorded to re-weigh their vouches: the demo is seeded before any server runs, and a
    // server loading the town computes every strength from the tables
    // (`store::track_records::all_strengths`).
    tx.commit().await?;
    Ok(created)
}
