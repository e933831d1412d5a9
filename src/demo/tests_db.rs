//! Seeding against a real Postgres: each test gets a fresh migrated database from
//! `#[sqlx::test]`. Run with `bash scripts/with-postgres.sh cargo test --lib demo`.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::domain::GraphChange;
use crate::domain::{PersonId, ProviderId, Stance, TrustLevel, Visibility};
use crate::graph::{compute_prior, rank_providers_for, Audience, RankParams, SearchQuery};
use crate::store;

use super::*;

/// The person id of a demo account.
async fn id_of(pool: &PgPool, email: &str) -> sqlx::Result<PersonId> {
    sqlx::query_scalar("select person_id from accounts where email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
}

#[sqlx::test(migrations = "./migrations")]
async fn seeding_creates_the_whole_town_once_and_a_second_run_changes_nothing(
    pool: PgPool,
) -> anyhow::Result<()> {
    let town = generate(DEMO_SEED);
    let first = seed_demo(&pool).await?;
    let (recommends, warns) = town.stance_counts();
    let expected = DemoSummary {
        people: town.people.len() as i64,
        accounts: town.people.len() as i64,
        providers: town.providers.len() as i64,
        trust_edges: town.trust.len() as i64,
        recommends: recommends as i64,
        warns: warns as i64,
        already_seeded: false,
    };
    assert_eq!(first, expected);
    let changes: i64 = sqlx::query_scalar("select count(*) from graph_changes")
        .fetch_one(&pool)
        .await?;
    let rows = town.people.len() + town.providers.len() + town.trust.len() + town.vouches.len();
    assert_eq!(changes, rows as i64);

    let second = seed_demo(&pool).await?;
    assert_eq!(
        second,
        DemoSummary {
            already_seeded: true,
            ..expected
        }
    );
    let changes_after: i64 = sqlx::query_scalar("select count(*) from graph_changes")
        .fetch_one(&pool)
        .await?;
    assert_eq!(changes_after, changes);
    Ok(())
}

#[sqlx::test(migrations = "./migrations")]
async fn every_recorded_change_deserializes_and_tells_the_story(
    pool: PgPool,
) -> anyhow::Result<()> {
    seed_demo(&pool).await?;
    let changes = store::changes::since(&pool, 0, 1_000_000).await?;
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for (_, change) in &changes {
        *kinds.entry(change.kind()).or_default() += 1;
    }
    let town = generate(DEMO_SEED);
    assert_eq!(kinds["person.upsert"], town.people.len());
    assert_eq!(kinds["provider.upsert"], town.providers.len());
    assert_eq!(kinds["trust.set"], town.trust.len());
    assert_eq!(kinds["vouch.set"], town.vouches.len());

    let anna = id_of(&pool, "anna@demo.vouchgraph.test").await?;
    let matt = id_of(&pool, "matt@demo.vouchgraph.test").await?;
    let mario = id_of(&pool, "mario@demo.vouchgraph.test").await?;
    let tiler: i32 = sqlx::query_scalar("select id from trades where slug = 'tiler'")
        .fetch_one(&pool)
        .await?;
    let rossi: ProviderId =
        sqlx::query_scalar("select id from providers where name = 'Rossi Tiling'")
            .fetch_one(&pool)
            .await?;
    let has = |wanted: &GraphChange| changes.iter().any(|(_, c)| c == wanted);
    assert!(has(&GraphChange::PersonUpsert {
        id: anna,
        name: "Anna Berg".into(),
        pre_trusted: false,
    }));
    assert!(has(&GraphChange::TrustSet {
        truster: anna,
        trustee: matt,
        level: TrustLevel::COMPLETE,
        visibility: Visibility::Public,
    }));
    assert!(changes.iter().any(|(_, c)| matches!(c,
        GraphChange::ProviderUpsert { id, owner, trades, radius_km, .. }
            if *id == rossi && *owner == mario && trades.len() == 1 && trades[0].0 == tiler
                && *radius_km == 8.0)));
    assert!(changes.iter().any(|(_, c)| matches!(c,
        GraphChange::VouchSet { person, provider, stance: Stance::Recommend, note, .. }
            if *person == matt && *provider == rossi && note.starts_with("Mario retiled"))));
    // People come first in the feed, so a follower knows everyone before their edges.
    let first_edge = changes.iter().position(|(_, c)| c.kind() == "trust.set");
    let last_person = changes
        .iter()
        .rposition(|(_, c)| c.kind() == "person.upsert");
    assert!(last_person < first_edge);
    Ok(())
}

#[sqlx::test(migrations = "./migrations")]
async fn story_accounts_have_their_own_passwords_and_the_rest_share_one(
    pool: PgPool,
) -> anyhow::Result<()> {
    seed_demo(&pool).await?;
    let hash_of = |email: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("select password_hash from accounts where email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
        }
    };
    for (_, email, password) in STORY_ACCOUNTS {
        let phc = hash_of(email.to_string()).await?;
        assert!(crate::auth::password::verify(password, &phc), "{email}");
    }
    let generated = generate(DEMO_SEED).people[STORY_ACCOUNTS.len()]
        .email
        .clone();
    let phc = hash_of(generated).await?;
    assert!(crate::auth::password::verify(SHARED_PASSWORD, &phc));
    Ok(())
}

#[sqlx::test(migrations = "./migrations")]
async fn the_seeded_database_ranks_rossi_tiling_first_for_anna(pool: PgPool) -> anyhow::Result<()> {
    seed_demo(&pool).await?;
    let snapshot = store::graph_load::load_snapshot(&pool).await?;
    assert_eq!(snapshot.graph.person_count(), PEOPLE);
    assert_eq!(snapshot.seeds.len(), 8);
    let params = RankParams::default();
    let prior = compute_prior(&snapshot.graph, &snapshot.seeds, &params);
    let tiler = snapshot
        .trades
        .iter()
        .find(|t| t.slug == "tiler")
        .expect("the tiler trade")
        .id;
    let anna = id_of(&pool, "anna@demo.vouchgraph.test").await?;
    let home = &story::people()[story::ANNA];
    let query = SearchQuery {
        seeker: Some(anna),
        trade: tiler,
        near: Some((home.lat, home.lon)),
        limit: 5,
        audience: Audience::Seeker,
    };
    let results = rank_providers_for(&snapshot.graph, &prior, &query, &params);
    assert_eq!(results[0].name, "Rossi Tiling", "{results:#?}");
    assert_eq!(results[0].paths[0].hops[0].name, "Matt Hughes");
    Ok(())
}

#[sqlx::test(migrations = "./migrations")]
async fn the_town_has_requests_routed_by_the_engine_never_along_a_private_edge(
    pool: PgPool,
) -> anyhow::Result<()> {
    seed_demo(&pool).await?;
    let requests: i64 = sqlx::query_scalar("select count(*) from requests")
        .fetch_one(&pool)
        .await?;
    assert_eq!(requests, 3);
    let anna = id_of(&pool, "anna@demo.vouchgraph.test").await?;
    let (reached, answered): (i64, i64) = sqlx::query_as(
        "select (select count(*) from request_recipients rr where rr.request_id = r.id),
                (select count(*) from request_answers a where a.request_id = r.id)
         from requests r join trades t on t.id = r.trade_id
         where r.asker_id = $1 and t.slug = 'plumber'",
    )
    .bind(anna)
    .fetch_one(&pool)
    .await?;
    assert!(
        reached >= 1 && answered >= 1,
        "reached {reached}, answered {answered}"
    );
    let per_request: Vec<(String, i64, i64, String)> = sqlx::query_as(
        "select t.slug, (select count(*) from request_recipients rr where rr.request_id = r.id),
                (select count(*) from request_answers a where a.request_id = r.id), r.status
         from requests r join trades t on t.id = r.trade_id order by r.id",
    )
    .fetch_all(&pool)
    .await?;
    // Open, answered and closed requests, each reaching someone.
    assert!(
        per_request.iter().all(|(_, reached, _, _)| *reached > 0),
        "{per_request:?}"
    );
    assert!(
        per_request
            .iter()
            .any(|(_, _, _, status)| status == "closed"),
        "{per_request:?}"
    );
    assert!(
        per_request
            .iter()
            .any(|(_, _, answers, status)| status == "open" && *answers > 0),
        "{per_request:?}"
    );
    // Every hop of every request is a trust edge that is not private.
    let private_hops: i64 = sqlx::query_scalar(
        "select count(*) from request_recipients rr join requests r on r.id = rr.request_id
         where not exists (select 1 from trust_edges e
                           where e.truster_id = coalesce(rr.via_id, r.asker_id)
                             and e.trustee_id = rr.person_id and e.visibility <> 'private')
            or (rr.via_id is not null and not exists (
                  select 1 from trust_edges e where e.truster_id = r.asker_id
                    and e.trustee_id = rr.via_id and e.visibility <> 'private'))",
    )
    .fetch_one(&pool)
    .await?;
    assert_eq!(private_hops, 0);
    // Seeding again adds none.
    seed_demo(&pool).await?;
    let again: i64 = sqlx::query_scalar("select count(*) from requests")
        .fetch_one(&pool)
        .await?;
    assert_eq!(again, 3);
    Ok(())
}

#[sqlx::test(migrations = "./migrations")]
async fn ben_joined_from_annas_invitation_and_is_offered_to_trust_her_back(
    pool: PgPool,
) -> anyhow::Result<()> {
    seed_demo(&pool).await?;
    let anna = id_of(&pool, "anna@demo.vouchgraph.test").await?;
    let ben = id_of(&pool, "ben@demo.vouchgraph.test").await?;
    let offers = store::circle::offers(&pool, ben).await?;
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].inviter_id, anna);
    assert_eq!(offers[0].note, circle::ANNAS_NOTE);
    // Ben still trusts nobody: his first search is public reputation alone.
    assert!(store::trust::list_from(&pool, ben).await?.is_empty());
    // Seeding again adds no second invitation.
    seed_demo(&pool).await?;
    assert_eq!(store::circle::offers(&pool, ben).await?.len(), 1);
    Ok(())
}
