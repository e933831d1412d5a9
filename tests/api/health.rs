//! Liveness, readiness, and the problem answers for routes and methods that do not exist.

use reqwest::{Method, StatusCode};
use sqlx::PgPool;

use crate::common::{assert_problem, expect_json, spawn_app};

#[sqlx::test]
async fn healthz_is_200(pool: PgPool) {
    let app = spawn_app(pool).await;

    let body = expect_json(app.get("/healthz", None).await, StatusCode::OK).await;

    assert_eq!(body["status"], "ok");
}

#[sqlx::test]
async fn readyz_is_200_once_the_graph_has_loaded(pool: PgPool) {
    let app = spawn_app(pool).await;

    let body = expect_json(app.get("/readyz", None).await, StatusCode::OK).await;

    assert_eq!(body["status"], "ready");
    assert!(body["graph_seq"].is_i64(), "{body}");
}

#[sqlx::test]
async fn readyz_reports_the_change_feed_position_after_a_write(pool: PgPool) {
    let app = spawn_app(pool).await;
    let before = expect_json(app.get("/readyz", None).await, StatusCode::OK).await;

    app.signup("Anna Berg", "anna@example.com").await;

    let after = expect_json(app.get("/readyz", None).await, StatusCode::OK).await;
    assert!(
        after["graph_seq"].as_i64() > before["graph_seq"].as_i64(),
        "{before} {after}"
    );
}

#[sqlx::test]
async fn every_response_carries_a_request_id(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app.get("/healthz", None).await;

    assert!(response.headers().contains_key("x-request-id"));
}

#[sqlx::test]
async fn an_unknown_route_is_a_404_problem(pool: PgPool) {
    let app = spawn_app(pool).await;

    let response = app.get("/v1/nothing-here", None).await;

    let problem = assert_problem(response, StatusCode::NOT_FOUND).await;
    assert_eq!(problem["type"], "https://vouchgraph.dev/problems/not-found");
}

#[sqlx::test]
async fn a_wrong_method_is_a_405_problem(pool: PgPool) {
    let app = spawn_app(pool).await;

    for (method, path) in [
        (Method::DELETE, "/v1/trades"),
        (Method::POST, "/healthz"),
        (Method::PUT, "/v1/accounts"),
    ] {
        let response = app.request(method, path, None).send().await.unwrap();
        let problem = assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(
            problem["type"],
            "https://vouchgraph.dev/problems/method-not-allowed"
        );
    }
}
