//! Every write offered on more than one channel has the same effects on each: the same rows,
//! the same history (`graph_changes`), the same outbox events for partners' webhooks and the
//! same change to the live graph, as a search shows it.
//!
//! Each row of [`ROWS`] runs in a world of its own: a fresh database, a fresh server and the
//! same people set up in the same order, so ids match from world to world and the snapshots
//! can be compared whole. A new channel or use case is one more row (and, for a new use case,
//! its set-up and its action in [`perform`]).

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::common::{spawn_app, TestApp, TestUser, PASSWORD};
use crate::helpers::{csrf_field, location, set_cookie};

/// A write that more than one channel offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UseCase {
    SetVouch,
    WithdrawVouch,
    SetTrust,
    RevokeTrust,
    UpdateProvider,
    SignUp,
}

/// Where the write comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    /// The JSON API, with a bearer token.
    Api,
    /// A page's form, with the session cookie and its CSRF token.
    Page,
}

/// One row per use case and channel.
const ROWS: &[(UseCase, Channel)] = &[
    (UseCase::SetVouch, Channel::Api),
    (UseCase::SetVouch, Channel::Page),
    (UseCase::WithdrawVouch, Channel::Api),
    (UseCase::WithdrawVouch, Channel::Page),
    (UseCase::SetTrust, Channel::Api),
    (UseCase::SetTrust, Channel::Page),
    (UseCase::RevokeTrust, Channel::Api),
    (UseCase::RevokeTrust, Channel::Page),
    (UseCase::UpdateProvider, Channel::Api),
    (UseCase::UpdateProvider, Channel::Page),
    (UseCase::SignUp, Channel::Api),
    (UseCase::SignUp, Channel::Page),
];

impl UseCase {
    /// The webhook events the write must put in the outbox.
    fn outbox_events(self) -> &'static [&'static str] {
        match self {
            UseCase::SetVouch => &["vouch.created"],
            UseCase::WithdrawVouch => &["vouch.revoked"],
            // Trust is never told to partners.
            UseCase::SetTrust | UseCase::RevokeTrust => &[],
            // Matt's public vouch leaves public view with the trade: partners hear it is gone.
            UseCase::UpdateProvider => &["vouch.revoked"],
            UseCase::SignUp => &[],
        }
    }

    /// Whether the write shows in the seeker's search (a new person does not, yet).
    fn changes_search(self) -> bool {
        self != UseCase::SignUp
    }

    /// The kinds of the `graph_changes` records the write must append.
    fn history_kinds(self) -> &'static [&'static str] {
        match self {
            UseCase::SetVouch => &["vouch.set"],
            UseCase::WithdrawVouch => &["vouch.revoke"],
            UseCase::SetTrust => &["trust.set"],
            UseCase::RevokeTrust => &["trust.revoke"],
            // Dropping the tiler trade hides Matt's vouch for it (it comes back with the trade).
            UseCase::UpdateProvider => &["provider.upsert", "vouch.revoke"],
            UseCase::SignUp => &["person.upsert"],
        }
    }
}

/// The people of every world: Anna seeks, Matt vouches, Mario owns Rossi Tiling.
struct World {
    app: TestApp,
    mario: TestUser,
    anna: TestUser,
    matt: TestUser,
    provider: i64,
}

/// Everything a write can change, read back as JSON without timestamps and random ids.
#[derive(Debug, Clone, PartialEq)]
struct Effects {
    rows: Value,
    history: Value,
    outbox: Value,
    graph: Value,
}

#[sqlx::test]
async fn every_shared_write_has_the_same_effects_through_every_channel(pool: PgPool) {
    let mut seen: Vec<(UseCase, Channel, Effects)> = Vec::new();
    for (n, &(use_case, channel)) in ROWS.iter().enumerate() {
        let (pool_of_world, name) = fresh_database(&pool, n).await;
        let world = world(pool_of_world.clone(), use_case).await;
        let before = effects(&world).await;
        perform(&world, use_case, channel).await;
        let after = effects(&world).await;
        drop(world);
        pool_of_world.close().await;
        drop_database(&pool, &name).await;

        expect_the_write(use_case, channel, &before, &after);
        if let Some((_, first, reference)) = seen.iter().find(|(u, _, _)| *u == use_case) {
            assert_eq!(
                &after, reference,
                "{use_case:?} through {channel:?} differs from {first:?}"
            );
        }
        seen.push((use_case, channel, after));
    }
}

/// What each write must do, whatever the channel: its history records, its outbox events, a
/// change to the rows and to the seeker's search.
fn expect_the_write(use_case: UseCase, channel: Channel, before: &Effects, after: &Effects) {
    let row = format!("{use_case:?} through {channel:?}");
    assert_ne!(before.rows, after.rows, "{row}: the rows did not change");
    if use_case.changes_search() {
        let graph = (&before.graph, &after.graph);
        assert_ne!(graph.0, graph.1, "{row}: the search did not change");
    }
    let appended = |all: &Value, earlier: &Value| -> Vec<Value> {
        let all = all.as_array().expect("a list");
        all[earlier.as_array().expect("a list").len()..].to_vec()
    };
    let history = appended(&after.history, &before.history);
    let kinds: Vec<&str> = history
        .iter()
        .map(|c| c["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, use_case.history_kinds(), "{row}: history");
    let outbox = appended(&after.outbox, &before.outbox);
    let events: Vec<&str> = outbox
        .iter()
        .map(|e| e["event_type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(events, use_case.outbox_events(), "{row}: outbox");
}

/// Sets up the world `use_case` starts from, in the same order every time.
async fn world(pool: PgPool, use_case: UseCase) -> World {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    // Withdrawing needs a vouch, and the seeker sees a trust change only through a vouch.
    if use_case != UseCase::SetVouch {
        app.vouch(&matt, provider, "recommend", "public", "Lovely grout")
            .await;
    }
    // Setting a vouch shows in Anna's search only if she trusts Matt; revoking needs an edge.
    if use_case != UseCase::SetTrust {
        app.trust(&anna, &matt, 3, "network").await;
    }
    World {
        app,
        mario,
        anna,
        matt,
        provider,
    }
}

/// Does `use_case` through `channel`, asserting the channel's own success answer.
async fn perform(world: &World, use_case: UseCase, channel: Channel) {
    let World {
        app,
        mario,
        anna,
        matt,
        provider,
    } = world;
    let vouch_path = format!("/v1/providers/{provider}/vouches/tiler");
    let trust_path = format!("/v1/trust/{}", matt.id);
    let matt_id = matt.id.to_string();
    match (use_case, channel) {
        (UseCase::SetVouch, Channel::Api) => {
            let body =
                json!({ "stance": "recommend", "note": "Lovely grout", "visibility": "public" });
            app.api(
                reqwest::Method::PUT,
                &vouch_path,
                Some(&matt.token),
                &body,
                StatusCode::OK,
            )
            .await;
        }
        (UseCase::SetVouch, Channel::Page) => {
            let fields = [
                ("csrf", matt.csrf.as_str()),
                ("trade", "tiler"),
                ("stance", "recommend"),
                ("note", "Lovely grout"),
                ("visibility", "public"),
            ];
            let path = format!("/providers/{provider}/vouch");
            expect_redirect(app.post_form(&path, Some(&matt.cookie()), &fields).await).await;
        }
        (UseCase::WithdrawVouch, Channel::Api) => {
            let no_body = Value::Null;
            let token = Some(matt.token.as_str());
            let status = StatusCode::NO_CONTENT;
            app.api(
                reqwest::Method::DELETE,
                &vouch_path,
                token,
                &no_body,
                status,
            )
            .await;
        }
        (UseCase::WithdrawVouch, Channel::Page) => {
            let fields = [("csrf", matt.csrf.as_str()), ("trade", "tiler")];
            let path = format!("/providers/{provider}/vouch/withdraw");
            expect_redirect(app.post_form(&path, Some(&matt.cookie()), &fields).await).await;
        }
        (UseCase::SetTrust, Channel::Api) => {
            let body = json!({ "level": 3, "visibility": "network" });
            app.api(
                reqwest::Method::PUT,
                &trust_path,
                Some(&anna.token),
                &body,
                StatusCode::OK,
            )
            .await;
        }
        (UseCase::SetTrust, Channel::Page) => {
            let fields = [
                ("csrf", anna.csrf.as_str()),
                ("person_id", matt_id.as_str()),
                ("level", "3"),
                ("visibility", "network"),
            ];
            expect_redirect(
                app.post_form("/circle/trust", Some(&anna.cookie()), &fields)
                    .await,
            )
            .await;
        }
        (UseCase::RevokeTrust, Channel::Api) => {
            let no_body = Value::Null;
            let token = Some(anna.token.as_str());
            let status = StatusCode::NO_CONTENT;
            app.api(
                reqwest::Method::DELETE,
                &trust_path,
                token,
                &no_body,
                status,
            )
            .await;
        }
        (UseCase::RevokeTrust, Channel::Page) => {
            let fields = [
                ("csrf", anna.csrf.as_str()),
                ("person_id", matt_id.as_str()),
            ];
            expect_redirect(
                app.post_form("/circle/revoke", Some(&anna.cookie()), &fields)
                    .await,
            )
            .await;
        }
        (UseCase::UpdateProvider, Channel::Api) => {
            let body = json!({ "name": "Rossi Plastering", "description": "Walls",
                "trades": ["plasterer"], "lat": 51.5, "lon": -0.12, "radius_km": 12.0,
                "phone": "", "email": "", "website": "https://rossi.example" });
            let path = format!("/v1/providers/{provider}");
            let token = Some(mario.token.as_str());
            app.api(reqwest::Method::PATCH, &path, token, &body, StatusCode::OK)
                .await;
        }
        (UseCase::UpdateProvider, Channel::Page) => {
            let fields = [
                ("csrf", mario.csrf.as_str()),
                ("name", "Rossi Plastering"),
                ("description", "Walls"),
                ("trades", "plasterer"),
                ("lat", "51.5"),
                ("lon", "-0.12"),
                ("radius_km", "12"),
                ("phone", ""),
                ("email", ""),
                ("website", "https://rossi.example"),
            ];
            let path = format!("/providers/{provider}/edit");
            expect_redirect(app.post_form(&path, Some(&mario.cookie()), &fields).await).await;
        }
        (UseCase::SignUp, Channel::Api) => {
            let body = json!({ "email": "dana@example.com", "password": PASSWORD,
                "display_name": "Dana Webb", "lat": 51.47, "lon": -2.6 });
            app.api_post("/v1/accounts", None, &body, StatusCode::CREATED)
                .await;
        }
        (UseCase::SignUp, Channel::Page) => {
            // The sign-up form's token is a double-submit cookie, given with the form.
            let form = app.page("/signup", None).await;
            let cookie = format!(
                "vg_form={}",
                set_cookie(&form, "vg_form").expect("a form cookie")
            );
            let csrf = csrf_field(&form.text().await.expect("the form"));
            let fields = [
                ("csrf", csrf.as_str()),
                ("display_name", "Dana Webb"),
                ("email", "dana@example.com"),
                ("password", PASSWORD),
                ("lat", "51.47"),
                ("lon", "-2.6"),
            ];
            expect_redirect(app.post_form("/signup", Some(&cookie), &fields).await).await;
        }
    }
}

/// A form that succeeded answers 303 to a page with a notice (`?done=`).
async fn expect_redirect(response: reqwest::Response) {
    let status = response.status();
    let to = location(&response);
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(to.contains("done="), "redirected to {to}");
}

/// Reads back everything a write can change.
async fn effects(world: &World) -> Effects {
    let pool = &world.app.pool;
    let rows = json!({
        "trust_edges": query_json(pool, "select truster_id, trustee_id, level, visibility
            from trust_edges order by truster_id, trustee_id").await,
        "vouches": query_json(pool, "select person_id, provider_id, trade_id, stance, note, visibility
            from vouches order by person_id, provider_id, trade_id").await,
        "people": query_json(pool, "select id, display_name, lat, lon, pre_trusted
            from people order by id").await,
        "accounts": query_json(pool, "select person_id, email from accounts order by person_id").await,
        "providers": query_json(pool, "select id, owner_id, name, description, lat, lon, radius_km,
            phone, email, website from providers order by id").await,
        "provider_trades": query_json(pool, "select provider_id, trade_id from provider_trades
            order by provider_id, trade_id").await,
    });
    let history = query_json(
        pool,
        "select seq, kind, actor_id, payload from graph_changes order by seq",
    )
    .await;
    let outbox = query_json(
        pool,
        "select id, event_type, payload from outbox_events where event_type not like 'account.%' order by id",
    )
    .await;
    let search = "/v1/search?trade=tiler&lat=51.5074&lon=-0.1278";
    let app = &world.app;
    let ok = StatusCode::OK;
    let graph = json!({
        "anna": app.api(reqwest::Method::GET, search, Some(&world.anna.token), &Value::Null, ok).await,
        "anonymous": app.api(reqwest::Method::GET, search, None, &Value::Null, ok).await,
    });
    Effects {
        rows,
        history,
        outbox,
        graph,
    }
}

/// The rows of `query` as a JSON array. Only for queries written in this file.
async fn query_json(pool: &PgPool, query: &str) -> Value {
    sqlx::query_scalar(&format!(
        "select coalesce(jsonb_agg(to_jsonb(q)), '[]'::jsonb) from ({query}) q"
    ))
    .fetch_one(pool)
    .await
    .expect("reading rows")
}

/// A migrated database of its own for world `n`, named after the test's database.
async fn fresh_database(pool: &PgPool, n: usize) -> (PgPool, String) {
    let base: String = sqlx::query_scalar("select current_database()")
        .fetch_one(pool)
        .await
        .expect("the test's database name");
    // Postgres cuts names at 63 bytes, and the test's own is that long already: the world's
    // name keeps the test's unique tail.
    let name = format!("world{n}_{}", &base[base.len().saturating_sub(40)..]);
    sqlx::query(&format!("create database \"{name}\""))
        .execute(pool)
        .await
        .expect("creating a world's database");
    let options = pool.connect_options().as_ref().clone().database(&name);
    let world = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .expect("connecting to a world's database");
    sqlx::migrate!("./migrations")
        .run(&world)
        .await
        .expect("migrating a world's database");
    (world, name)
}

async fn drop_database(pool: &PgPool, name: &str) {
    sqlx::query(&format!("drop database if exists \"{name}\" with (force)"))
        .execute(pool)
        .await
        .expect("dropping a world's database");
}
