//! The cost of one seeker's search is bounded (issue 14): nobody may trust more than
//! `app::trust::MOST_TRUSTED` people, so a heavy truster cannot make their own searches (or
//! the explanations others see through them) arbitrarily expensive.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use vouchgraph::app::trust::MOST_TRUSTED;

use crate::common::{assert_problem, expect_json, spawn_app};

#[sqlx::test]
async fn nobody_may_trust_more_people_than_the_stated_cap(pool: PgPool) {
    let app = spawn_app(pool).await;
    let heavy = app.signup("Heavy Truster", "heavy@sec.test").await;
    let one_more = app.signup("One More", "one-more@sec.test").await;
    // The cap's worth of trust edges, written straight to the store.
    sqlx::query(
        "with new_people as (
            insert into people (display_name)
            select 'Person ' || n from generate_series(1, $2) n returning id)
         insert into trust_edges (truster_id, trustee_id, level, visibility)
         select $1, id, 1, 'public' from new_people",
    )
    .bind(heavy.id)
    .bind(MOST_TRUSTED as i32)
    .execute(&app.pool)
    .await
    .unwrap();

    let path = format!("/v1/trust/{}", one_more.id);
    let body = json!({ "level": 2, "visibility": "public" });
    let refused = app.put(&path, Some(&heavy.token), &body).await;
    let problem = assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("5000"),
        "{problem}"
    );

    // Changing an edge they already have is not a new one.
    let known: i64 =
        sqlx::query_scalar("select trustee_id from trust_edges where truster_id = $1 limit 1")
            .bind(heavy.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let changed = app
        .put(&format!("/v1/trust/{known}"), Some(&heavy.token), &body)
        .await;
    expect_json(changed, StatusCode::OK).await;
}
