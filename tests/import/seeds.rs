//! Seeds as an operator's tool (`vouchgraph seeds list | add | remove`): every change is kept
//! in `seed_changes` and carried by the change feed to every live graph, and before any seed
//! exists the founding members, not everyone, seed the global prior.

use sqlx::PgPool;
use vouchgraph::domain::GraphChange;
use vouchgraph::domain::{PersonId, ProviderId, Stance, TradeId, TrustLevel, Visibility};
use vouchgraph::feed::LiveGraph;
use vouchgraph::graph::{compute_prior, RankParams};
use vouchgraph::seeds::{self, PersonRef, SeedError, FOUNDING_SEEDS};
use vouchgraph::store;
use vouchgraph::store::accounts::NewAccount;
use vouchgraph::store::providers::ProviderFields;
use vouchgraph::store::seeds::SeedAction;

/// Signs a person up the way the API does: the person, the account and the feed change.
async fn join(pool: &PgPool, name: &str, email: &str) -> PersonId {
    let mut tx = pool.begin().await.unwrap();
    let account = NewAccount {
        email,
        password_hash: "not-a-usable-hash",
        display_name: name,
        home: None,
    };
    let id = store::accounts::create(&mut tx, &account).await.unwrap();
    let change = GraphChange::PersonUpsert {
        id,
        name: name.to_string(),
        pre_trusted: false,
    };
    store::changes::record(&mut tx, Some(id), &change)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A public, complete trust edge.
async fn trust(pool: &PgPool, truster: PersonId, trustee: PersonId) {
    let (level, visibility) = (TrustLevel::COMPLETE, Visibility::Public);
    let mut tx = pool.begin().await.unwrap();
    store::trust::set(&mut tx, truster, trustee, level, visibility)
        .await
        .unwrap();
    let change = GraphChange::TrustSet {
        truster,
        trustee,
        level,
        visibility,
    };
    store::changes::record(&mut tx, Some(truster), &change)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn tiler_trade(pool: &PgPool) -> TradeId {
    let trades = store::providers::trades(pool).await.unwrap();
    trades.iter().find(|t| t.slug == "tiler").unwrap().id
}

/// A tiler in central London.
async fn tiler(pool: &PgPool, owner: PersonId, name: &str) -> ProviderId {
    let trade = tiler_trade(pool).await;
    let (lat, lon, radius_km) = (51.5, -0.12, 25.0);
    let fields = ProviderFields {
        name,
        description: "",
        lat,
        lon,
        radius_km,
        phone: None,
        email: None,
        website: None,
        trades: &[trade],
    };
    let mut tx = pool.begin().await.unwrap();
    let id = store::providers::create(&mut tx, owner, &fields)
        .await
        .unwrap();
    let change = GraphChange::ProviderUpsert {
        id,
        name: name.to_string(),
        owner,
        trades: vec![trade],
        lat,
        lon,
        radius_km,
    };
    store::changes::record(&mut tx, Some(owner), &change)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A public recommendation for a tiler.
async fn recommend(pool: &PgPool, person: PersonId, provider: ProviderId) {
    let trade = tiler_trade(pool).await;
    let (stance, visibility) = (Stance::Recommend, Visibility::Public);
    let mut tx = pool.begin().await.unwrap();
    store::vouches::set(&mut tx, person, provider, trade, stance, "", visibility)
        .await
        .unwrap();
    let change = GraphChange::VouchSet {
        person,
        provider,
        trade,
        stance,
        visibility,
        note: String::new(),
        strength: 1.0,
    };
    store::changes::record(&mut tx, Some(person), &change)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The first `n` people of a town, in joining order, each trusting the next.
async fn founders(pool: &PgPool, n: usize) -> Vec<PersonId> {
    let mut people = Vec::new();
    for i in 0..n {
        people.push(
            join(
                pool,
                &format!("Founder {i}"),
                &format!("founder{i}@example.com"),
            )
            .await,
        );
    }
    for pair in people.windows(2) {
        trust(pool, pair[0], pair[1]).await; // founder i -> founder i + 1
    }
    people
}

async fn loaded_live_graph(pool: &PgPool) -> LiveGraph {
    let live = LiveGraph::new(RankParams::default());
    live.load(pool).await.unwrap();
    live
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn adding_and_removing_a_seed_is_recorded_in_the_history(pool: PgPool) {
    let founders = founders(&pool, FOUNDING_SEEDS).await;
    // Anna joins 11th, so she is no founder.
    let anna = join(&pool, "Anna Berg", "anna@example.com").await;
    // A running instance, loaded before any seed exists.
    let live = loaded_live_graph(&pool).await;
    assert_eq!(live.prior_seeds(), founders);

    // Named by email (in any case) to add, by id to remove.
    let email: PersonRef = "Anna@Example.com".parse().unwrap();
    let added = seeds::change::add(&pool, &email, "  runs the Redland residents' group ")
        .await
        .unwrap();
    assert_eq!((added.id, added.action), (anna, SeedAction::Added));
    let listed = store::seeds::list(&pool).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, anna);
    assert_eq!(
        listed[0].reason.as_deref(),
        Some("runs the Redland residents' group")
    );
    assert!(listed[0].since.is_some());
    let printed = seeds::cli::list(&pool).await.unwrap();
    assert!(printed.contains("Anna Berg"), "{printed}");
    assert!(
        printed.contains("runs the Redland residents' group"),
        "{printed}"
    );
    // The feed carries it to the running instance, whose prior now restarts on Anna alone.
    live.catch_up(&pool).await.unwrap();
    assert_eq!(live.prior_seeds(), [anna]);

    let by_id = PersonRef::Id(anna);
    let removed = seeds::change::remove(&pool, &by_id, "moved away")
        .await
        .unwrap();
    assert_eq!((removed.id, removed.action), (anna, SeedAction::Removed));
    assert!(store::seeds::list(&pool).await.unwrap().is_empty());
    live.catch_up(&pool).await.unwrap();
    assert_eq!(
        live.prior_seeds(),
        founders,
        "the founders again, not everyone"
    );

    // The history: who, added or removed, why, and the feed change that carried it.
    let history: Vec<(PersonId, String, String, i64)> = sqlx::query_as(
        "select person_id, action, reason, change_seq from seed_changes order by id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        history,
        [
            (
                anna,
                "added".into(),
                "runs the Redland residents' group".into(),
                added.seq
            ),
            (anna, "removed".into(), "moved away".into(), removed.seq),
        ]
    );
    let feed = store::changes::since(&pool, added.seq - 1, 10)
        .await
        .unwrap();
    let upsert = |pre_trusted| GraphChange::PersonUpsert {
        id: anna,
        name: "Anna Berg".into(),
        pre_trusted,
    };
    assert_eq!(
        feed,
        [(added.seq, upsert(true)), (removed.seq, upsert(false))]
    );
    // History stays history.
    let edit = sqlx::query("update seed_changes set reason = 'never mind'")
        .execute(&pool)
        .await;
    assert!(edit.is_err());
    let erase = sqlx::query("delete from seed_changes").execute(&pool).await;
    assert!(erase.is_err());
    assert_eq!(scalar(&pool, "select count(*) from seed_changes").await, 2);
}

#[sqlx::test]
async fn an_unknown_person_is_refused(pool: PgPool) {
    let anna = join(&pool, "Anna Berg", "anna@example.com").await;
    let feed_before = store::changes::latest_seq(&pool).await.unwrap();

    let nobody = PersonRef::Id(PersonId(anna.0 + 1_000));
    let refused = seeds::change::add(&pool, &nobody, "a friend").await;
    assert!(
        matches!(refused, Err(SeedError::UnknownPerson(_))),
        "{refused:?}"
    );
    let stranger: PersonRef = "stranger@example.com".parse().unwrap();
    let refused = seeds::change::add(&pool, &stranger, "a friend").await;
    assert!(
        matches!(refused, Err(SeedError::UnknownPerson(_))),
        "{refused:?}"
    );
    let message = refused.unwrap_err().to_string();
    assert_eq!(message, "no person with email stranger@example.com");
    // Removing someone who is not a seed, a second add, and an add without a reason are
    // refused the same way.
    let anna_ref = PersonRef::Id(anna);
    let refused = seeds::change::remove(&pool, &anna_ref, "no longer trusted").await;
    assert!(
        matches!(refused, Err(SeedError::NotASeed { .. })),
        "{refused:?}"
    );
    let refused = seeds::change::add(&pool, &anna_ref, " ").await;
    assert!(matches!(refused, Err(SeedError::BadReason)), "{refused:?}");
    seeds::change::add(&pool, &anna_ref, "a friend")
        .await
        .unwrap();
    let refused = seeds::change::add(&pool, &anna_ref, "a friend").await;
    assert!(
        matches!(refused, Err(SeedError::AlreadySeed { .. })),
        "{refused:?}"
    );

    // Only the one add was written, to the history and to the feed.
    assert_eq!(scalar(&pool, "select count(*) from seed_changes").await, 1);
    assert_eq!(
        store::changes::latest_seq(&pool).await.unwrap(),
        feed_before + 1
    );
}

#[sqlx::test]
async fn with_no_seed_the_founders_seed_the_prior_and_a_later_crowd_of_accounts_cannot_become_seeds(
    pool: PgPool,
) {
    let founders = founders(&pool, FOUNDING_SEEDS + 2).await;
    let rossi = tiler(&pool, founders[0], "Rossi Tiling").await;
    recommend(&pool, founders[3], rossi).await; // a founder recommends Rossi
    let live = loaded_live_graph(&pool).await;
    let first = founders[..FOUNDING_SEEDS].to_vec();
    assert_eq!(live.prior_seeds(), first);

    // A crowd of 200 accounts joins later: each trusts the next two, and all recommend their
    // own tiler. None of the town trusts any of them.
    let mut crowd = Vec::new();
    for i in 0..200 {
        crowd.push(join(&pool, &format!("Star {i}"), &format!("star{i}@example.com")).await);
    }
    let premier = tiler(&pool, crowd[0], "Premier Tiles & Stars").await;
    for (i, &star) in crowd.iter().enumerate() {
        trust(&pool, star, crowd[(i + 1) % crowd.len()]).await; // star i -> star i + 1
        trust(&pool, star, crowd[(i + 2) % crowd.len()]).await; // star i -> star i + 2
        recommend(&pool, star, premier).await;
    }

    // The running instance follows the feed; a restarted one loads the same seeds.
    live.catch_up(&pool).await.unwrap();
    assert_eq!(live.prior_seeds(), first);
    let snapshot = store::graph_load::load_snapshot(&pool).await.unwrap();
    assert_eq!(snapshot.seeds, first);
    assert!(snapshot.seed_set.operator.is_empty());
    assert!(crowd.iter().all(|star| !snapshot.seeds.contains(star)));

    // The prior restarts on the founders only, so the crowd's 200 recommendations weigh
    // nothing next to one founder's.
    let trade = tiler_trade(&pool).await;
    live.recompute_prior();
    let (rossi_prior, premier_prior) =
        live.read(|_, prior| (prior.get(rossi, trade), prior.get(premier, trade)));
    assert!(rossi_prior > 0.0);
    assert!(
        premier_prior < rossi_prior / 100.0,
        "{premier_prior} vs {rossi_prior}"
    );
    let reloaded = compute_prior(&snapshot.graph, &snapshot.seeds, &RankParams::default());
    assert!(reloaded.get(premier, trade) < reloaded.get(rossi, trade) / 100.0);
}
