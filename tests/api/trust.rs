//! Whom the caller trusts: `PUT/DELETE /v1/trust/{person_id}` and `GET /v1/me/trust`.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::{assert_invalid_field, assert_problem, count, expect_json, spawn_app};

#[sqlx::test]
async fn trusting_a_person_returns_the_edge_and_lists_it_under_me_trust(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    // Anna -> Ben, level 3, public
    let path = format!("/v1/trust/{}", ben.id);
    let body = json!({ "level": 3, "visibility": "public" });
    let response = app.put(&path, Some(&anna.token), &body).await;

    let edge = expect_json(response, StatusCode::OK).await;
    assert_eq!(edge["person_id"], ben.id);
    assert_eq!(edge["display_name"], "Ben Okoro");
    assert_eq!(edge["level"], 3);
    assert_eq!(edge["visibility"], "public");
    let mine = expect_json(
        app.get("/v1/me/trust", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["person_id"], ben.id);
    assert_eq!(mine[0]["level"], 3);
    // Ben's list holds the edges Ben made, not the ones pointing at him.
    let his = expect_json(
        app.get("/v1/me/trust", Some(&ben.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(his, json!([]));
}

#[sqlx::test]
async fn trust_without_a_visibility_defaults_to_network(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let path = format!("/v1/trust/{}", ben.id);
    let response = app
        .put(&path, Some(&anna.token), &json!({ "level": 1 }))
        .await;

    let edge = expect_json(response, StatusCode::OK).await;
    assert_eq!(edge["visibility"], "network");
}

#[sqlx::test]
async fn trusting_the_same_person_again_changes_the_level_instead_of_adding_an_edge(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    // Anna -> Ben, level 1, network
    app.trust(&anna, &ben, 1, "network").await;

    // Anna -> Ben, now level 3, private
    let path = format!("/v1/trust/{}", ben.id);
    let body = json!({ "level": 3, "visibility": "private" });
    let edge = expect_json(
        app.put(&path, Some(&anna.token), &body).await,
        StatusCode::OK,
    )
    .await;

    assert_eq!(edge["level"], 3);
    assert_eq!(edge["visibility"], "private");
    let mine = expect_json(
        app.get("/v1/me/trust", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["level"], 3);
    assert_eq!(mine[0]["visibility"], "private");
    assert_eq!(count(&app.pool, "trust_edges").await, 1);
}

#[sqlx::test]
async fn an_invalid_level_or_visibility_is_a_422_naming_the_field_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let changes_before = count(&app.pool, "graph_changes").await;
    let cases: [(Value, &str); 6] = [
        (json!({ "level": 7 }), "level"),
        (json!({ "level": 0 }), "level"),
        (json!({ "level": -1 }), "level"),
        (json!({ "level": "high" }), "level"),
        (json!({ "level": 2, "visibility": "friends" }), "visibility"),
        (json!({ "level": 2, "visibility": "PUBLIC" }), "visibility"),
    ];
    let path = format!("/v1/trust/{}", ben.id);
    for (body, field) in cases {
        let response = app.put(&path, Some(&anna.token), &body).await;

        assert_invalid_field(response, field).await;
    }
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
    assert_eq!(count(&app.pool, "graph_changes").await, changes_before);
}

#[sqlx::test]
async fn trust_without_a_level_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    let path = format!("/v1/trust/{}", ben.id);
    let response = app
        .put(&path, Some(&anna.token), &json!({ "visibility": "public" }))
        .await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("level"),
        "{problem}"
    );
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
}

#[sqlx::test]
async fn trusting_yourself_is_a_422_naming_the_person(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let path = format!("/v1/trust/{}", anna.id);
    let response = app
        .put(&path, Some(&anna.token), &json!({ "level": 3 }))
        .await;

    assert_invalid_field(response, "person_id").await;
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
}

#[sqlx::test]
async fn trusting_an_unknown_person_is_a_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let response = app
        .put(
            "/v1/trust/999999",
            Some(&anna.token),
            &json!({ "level": 3 }),
        )
        .await;

    assert_problem(response, StatusCode::NOT_FOUND).await;
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
}

#[sqlx::test]
async fn a_person_id_that_is_not_a_number_is_a_400(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let put = app
        .put("/v1/trust/ben", Some(&anna.token), &json!({ "level": 3 }))
        .await;
    assert_problem(put, StatusCode::BAD_REQUEST).await;
    let delete = app.delete("/v1/trust/1.5", Some(&anna.token)).await;
    assert_problem(delete, StatusCode::BAD_REQUEST).await;
}

#[sqlx::test]
async fn trust_routes_without_a_session_are_a_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let path = format!("/v1/trust/{}", ben.id);

    assert_problem(
        app.put(&path, None, &json!({ "level": 3 })).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(app.delete(&path, None).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        app.get("/v1/me/trust", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
}

#[sqlx::test]
async fn revoking_trust_is_a_204_and_revoking_it_again_is_a_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    // Anna -> Ben, level 2, public
    app.trust(&anna, &ben, 2, "public").await;
    let path = format!("/v1/trust/{}", ben.id);

    let first = app.delete(&path, Some(&anna.token)).await;

    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    let mine = expect_json(
        app.get("/v1/me/trust", Some(&anna.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine, json!([]));
    let second = app.delete(&path, Some(&anna.token)).await;
    assert_problem(second, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn every_trust_change_is_kept_in_the_history(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let path = format!("/v1/trust/{}", ben.id);

    // Anna -> Ben, level 2, network; then level 3, public; then revoked.
    app.trust(&anna, &ben, 2, "network").await;
    app.trust(&anna, &ben, 3, "public").await;
    assert_eq!(
        app.delete(&path, Some(&anna.token)).await.status(),
        StatusCode::NO_CONTENT
    );
    // A refused change leaves no trace.
    let refused = app.delete(&path, Some(&anna.token)).await;
    assert_problem(refused, StatusCode::NOT_FOUND).await;

    let history: Vec<(String, Value, Option<i64>)> = sqlx::query_as(
        "select kind, payload, actor_id from graph_changes where kind like 'trust.%' order by seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let kinds: Vec<&str> = history.iter().map(|(kind, _, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["trust.set", "trust.set", "trust.revoke"]);
    for (_, payload, actor) in &history {
        assert_eq!(payload["truster"], anna.id);
        assert_eq!(payload["trustee"], ben.id);
        assert_eq!(*actor, Some(anna.id));
    }
    assert_eq!(history[0].1["level"], 2);
    assert_eq!(history[0].1["visibility"], "network");
    assert_eq!(history[1].1["level"], 3);
    assert_eq!(history[1].1["visibility"], "public");
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
}

#[sqlx::test]
async fn the_history_cannot_be_edited_or_deleted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    app.trust(&anna, &ben, 2, "public").await;

    let update = sqlx::query("update graph_changes set payload = '{}'")
        .execute(&app.pool)
        .await;
    let delete = sqlx::query("delete from graph_changes")
        .execute(&app.pool)
        .await;

    assert!(update.is_err(), "graph_changes accepted an update");
    assert!(delete.is_err(), "graph_changes accepted a delete");
}

#[sqlx::test]
async fn a_trust_body_with_an_unknown_field_is_a_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;

    // There is no way to name the truster: it is always the caller.
    let body = json!({ "level": 3, "truster_id": ben.id });
    let response = app
        .put(&format!("/v1/trust/{}", anna.id), Some(&ben.token), &body)
        .await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("truster_id"),
        "{problem}"
    );
    assert_eq!(count(&app.pool, "trust_edges").await, 0);
}

#[sqlx::test]
async fn two_people_trusting_each_other_at_the_same_moment_both_succeed(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    // Hold every new edge back at its insert, so both writers have taken their own locks before
    // either edge's foreign key looks at the other person: the moment in which two lock orders
    // could wait on each other.
    let mut gate = pool.begin().await.unwrap();
    sqlx::query("lock table trust_edges in share mode")
        .execute(&mut *gate)
        .await
        .unwrap();
    let body = json!({ "level": 2, "visibility": "public" });
    let anna_to_ben = format!("/v1/trust/{}", ben.id);
    let ben_to_anna = format!("/v1/trust/{}", anna.id);
    let writes = futures::future::join(
        // Anna -> Ben
        app.put(&anna_to_ben, Some(&anna.token), &body),
        // Ben -> Anna
        app.put(&ben_to_anna, Some(&ben.token), &body),
    );
    let opened = async {
        // Both writers are waiting at the gate; then it opens.
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "select count(*) from pg_stat_activity
                 where wait_event_type = 'Lock' and query like 'insert into trust_edges%'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            if waiting == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        gate.commit().await.unwrap();
    };
    let ((first, second), ()) = futures::future::join(writes, opened).await;
    expect_json(first, StatusCode::OK).await;
    expect_json(second, StatusCode::OK).await;
    assert_eq!(count(&pool, "trust_edges").await, 2);
}
