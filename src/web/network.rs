//! `/network`: the visitor's 2-hop trust neighbourhood as a map, with the providers the people
//! in it vouch for, coloured by trade, and the same facts as lists below it. Only edges and
//! vouches the visitor may see are drawn (see `app/network.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::network::{second_hops, vouches_by, NearbyVouch, SecondHop};
use crate::app::trust;
use crate::domain::PersonId;
use crate::state::AppState;

use super::page::{render, Chrome, WebError};
use super::session::Visitor;
use super::svg::network_map::{
    network_map_svg, MapPerson, MapProvider, MapTrust, MapVouch, NetworkMap,
};

/// At most this many people the visitor trusts are drawn (the strongest edges first)...
const MAX_RING1: usize = 14;
/// ...this many people they trust (those most of the ring trusts first)...
const MAX_RING2: usize = 36;
/// ...and this many providers (those vouched for nearest the centre first).
const MAX_PROVIDERS: usize = 30;
/// The colour classes `tc-0` .. `tc-11` of the stylesheet.
const TRADE_COLOURS: usize = 12;

/// A person in the lists below the map.
struct Listed {
    id: i64,
    name: String,
    detail: String,
    /// Whether the visitor may trust them with one click: someone they do not trust yet.
    one_click: bool,
}

/// A provider in the lists below the map.
struct ListedProvider {
    id: i64,
    name: String,
    trade: String,
    colour: usize,
    vouchers: String,
}

/// A legend entry.
struct LegendEntry {
    trade: String,
    colour: usize,
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    chrome: Chrome,
    svg: String,
    ring1: Vec<Listed>,
    ring2: Vec<Listed>,
    providers: Vec<ListedProvider>,
    legend: Vec<LegendEntry>,
    hidden_people: usize,
    csrf: String,
}

fn level_words(level: u8) -> &'static str {
    match level {
        1 => "you know them",
        2 => "you trust their judgement",
        _ => "you trust them completely",
    }
}

/// The network page.
pub async fn network(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let me = visitor.require()?;
    let mut mine = trust::list(&state, me.person).await?;
    mine.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(a.display_name.cmp(&b.display_name))
    });
    let total_ring1 = mine.len();
    let trusted: std::collections::HashSet<PersonId> = mine.iter().map(|r| r.trustee_id).collect();
    mine.truncate(MAX_RING1);
    let ring1_ids: Vec<PersonId> = mine.iter().map(|r| r.trustee_id).collect();
    let hops = second_hops(&state, me.person, &ring1_ids).await?;
    let ring2 = choose_ring2(&ring1_ids, &hops);
    let mut everyone: Vec<PersonId> = vec![me.person];
    everyone.extend(&ring1_ids);
    everyone.extend(ring2.iter().map(|(id, _, _)| *id));
    let vouches = vouches_by(&state, me.person, &everyone).await?;

    let key = |id: PersonId| if id == me.person { 0 } else { id.0 };
    let mut people: Vec<MapPerson> = mine
        .iter()
        .map(|r| MapPerson {
            id: r.trustee_id.0,
            name: r.display_name.clone(),
            ring: 1,
            parent: None,
        })
        .collect();
    people.extend(ring2.iter().map(|(id, name, parent)| MapPerson {
        id: id.0,
        name: name.clone(),
        ring: 2,
        parent: Some(parent.0),
    }));
    let on_map: HashSet<PersonId> = everyone.iter().copied().collect();
    let mut trust: Vec<MapTrust> = mine
        .iter()
        .map(|r| MapTrust {
            from: 0,
            to: r.trustee_id.0,
            level: r.level as u8,
        })
        .collect();
    trust.extend(
        hops.iter()
            .filter(|h| on_map.contains(&h.trustee_id))
            .map(|h| MapTrust {
                from: h.truster_id.0,
                to: h.trustee_id.0,
                level: h.level as u8,
            }),
    );
    let rank: HashMap<PersonId, usize> =
        everyone.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let chosen = choose_providers(&vouches, &rank);
    let providers: Vec<MapProvider> = chosen
        .iter()
        .map(|v| MapProvider {
            id: v.provider_id.0,
            name: v.provider_name.clone(),
            trade: v.trade_name.clone(),
            colour: v.trade_id.rem_euclid(TRADE_COLOURS as i32) as usize,
            anchor: key(v.person_id),
        })
        .collect();
    let shown: HashSet<i64> = providers.iter().map(|p| p.id).collect();
    let map_vouches: Vec<MapVouch> = vouches
        .iter()
        .filter(|v| shown.contains(&v.provider_id.0))
        .map(|v| MapVouch {
            person: key(v.person_id),
            provider: v.provider_id.0,
            warn: v.stance == "warn",
        })
        .collect();

    let names: HashMap<PersonId, &str> = mine
        .iter()
        .map(|r| (r.trustee_id, r.display_name.as_str()))
        .chain(ring2.iter().map(|(id, name, _)| (*id, name.as_str())))
        .chain([(me.person, "you")])
        .collect();
    let listed_providers = providers
        .iter()
        .map(|p| {
            let mut by: Vec<&str> = vouches
                .iter()
                .filter(|v| v.provider_id.0 == p.id)
                .filter_map(|v| names.get(&v.person_id).copied())
                .collect();
            by.dedup();
            ListedProvider {
                id: p.id,
                name: p.name.clone(),
                trade: p.trade.clone(),
                colour: p.colour,
                vouchers: by.join(", "),
            }
        })
        .collect();
    let mut legend: BTreeMap<String, usize> = BTreeMap::new();
    for p in &providers {
        legend.insert(p.trade.clone(), p.colour);
    }
    let svg = if people.is_empty() {
        String::new()
    } else {
        network_map_svg(&NetworkMap {
            seeker_name: me.name.clone(),
            people,
            providers,
            trust,
            vouches: map_vouches,
        })
    };
    let page = NetworkPage {
        chrome: Chrome::new(&state, &visitor, "network", "My network").await?,
        svg,
        ring1: mine
            .iter()
            .map(|r| Listed {
                id: r.trustee_id.0,
                name: r.display_name.clone(),
                detail: level_words(r.level as u8).to_string(),
                one_click: false,
            })
            .collect(),
        ring2: ring2
            .iter()
            .map(|(id, name, parent)| Listed {
                id: id.0,
                name: name.clone(),
                detail: format!(
                    "trusted by {}",
                    names.get(parent).copied().unwrap_or("someone you trust")
                ),
                one_click: !trusted.contains(id),
            })
            .collect(),
        providers: listed_providers,
        legend: legend
            .into_iter()
            .map(|(trade, colour)| LegendEntry { trade, colour })
            .collect(),
        hidden_people: total_ring1.saturating_sub(MAX_RING1),
        csrf: me.csrf.clone(),
    };
    render(StatusCode::OK, &page)
}

/// Someone at 2 hops, while the candidates are weighed.
struct Candidate {
    name: String,
    /// How many people of ring 1 trust them.
    trusted_by: usize,
    /// Their strongest edge from ring 1: (level, earlier in ring 1 first).
    best: (i16, i64),
    /// The ring-1 person of that edge.
    parent: PersonId,
}

/// The people at 2 hops worth drawing: those trusted by most of ring 1, then by the strongest
/// edge, each with the ring-1 person who trusts them most as the parent.
fn choose_ring2(ring1: &[PersonId], hops: &[SecondHop]) -> Vec<(PersonId, String, PersonId)> {
    let in_ring1: HashSet<PersonId> = ring1.iter().copied().collect();
    let order: HashMap<PersonId, usize> = ring1.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let mut found: HashMap<PersonId, Candidate> = HashMap::new();
    for hop in hops.iter().filter(|h| !in_ring1.contains(&h.trustee_id)) {
        let strength = (hop.level, -(order[&hop.truster_id] as i64));
        let candidate = found.entry(hop.trustee_id).or_insert_with(|| Candidate {
            name: hop.display_name.clone(),
            trusted_by: 0,
            best: strength,
            parent: hop.truster_id,
        });
        candidate.trusted_by += 1;
        if strength > candidate.best {
            candidate.best = strength;
            candidate.parent = hop.truster_id;
        }
    }
    let mut ranked: Vec<(PersonId, Candidate)> = found.into_iter().collect();
    ranked.sort_by(|(a_id, a), (b_id, b)| {
        (b.trusted_by, b.best)
            .cmp(&(a.trusted_by, a.best))
            .then(a_id.cmp(b_id))
    });
    ranked
        .into_iter()
        .take(MAX_RING2)
        .map(|(id, c)| (id, c.name, c.parent))
        .collect()
}

/// One vouch per provider worth drawing, from the voucher nearest the centre: the providers
/// vouched for by the visitor first, then by ring 1, then ring 2; more vouchers first within.
fn choose_providers<'a>(
    vouches: &'a [NearbyVouch],
    rank: &HashMap<PersonId, usize>,
) -> Vec<&'a NearbyVouch> {
    let mut best: HashMap<i64, (&NearbyVouch, usize)> = HashMap::new();
    for v in vouches {
        let r = rank.get(&v.person_id).copied().unwrap_or(usize::MAX);
        let entry = best.entry(v.provider_id.0).or_insert((v, 0));
        entry.1 += 1;
        if r < rank.get(&entry.0.person_id).copied().unwrap_or(usize::MAX) {
            entry.0 = v;
        }
    }
    let mut chosen: Vec<(&NearbyVouch, usize)> = best.into_values().collect();
    chosen.sort_by_key(|(v, count)| {
        (
            rank.get(&v.person_id).copied().unwrap_or(usize::MAX),
            std::cmp::Reverse(*count),
            v.provider_id.0,
        )
    });
    chosen
        .into_iter()
        .take(MAX_PROVIDERS)
        .map(|(v, _)| v)
        .collect()
}
