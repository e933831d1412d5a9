//! The OpenAPI document (`/openapi.json`) and the Swagger UI (`/docs/`).

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{expect_json, spawn_app};

/// Every route of the API, with its methods.
const ROUTES: &[(&str, &[&str])] = &[
    ("/healthz", &["get"]),
    ("/readyz", &["get"]),
    ("/v1/accounts", &["post"]),
    ("/v1/me", &["get"]),
    ("/v1/sessions", &["post", "delete"]),
    ("/v1/trust/{person_id}", &["put", "delete"]),
    ("/v1/me/trust", &["get"]),
    ("/v1/providers", &["post"]),
    ("/v1/providers/{id}", &["get", "patch"]),
    ("/v1/trades", &["get"]),
    ("/v1/providers/{id}/vouches/{trade}", &["put", "delete"]),
    ("/v1/providers/{id}/vouches", &["get"]),
    ("/v1/people/{id}", &["get"]),
    ("/v1/people", &["get"]),
    ("/v1/search", &["get"]),
    ("/v1/providers/{id}/why", &["get"]),
];

#[sqlx::test]
async fn the_openapi_document_is_3_1_and_describes_every_route(pool: PgPool) {
    let app = spawn_app(pool).await;

    let doc = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;

    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3.1"), "OpenAPI {version}");
    for (path, methods) in ROUTES {
        let item = &doc["paths"][path];
        assert!(item.is_object(), "{path} is not documented");
        for method in *methods {
            let operation = &item[method];
            assert!(
                operation.is_object(),
                "{} {path} is not documented",
                method.to_uppercase()
            );
            // Every operation documents the problem format for its errors.
            let problem_ref = &operation["responses"]["422"]["content"]["application/problem+json"]
                ["schema"]["$ref"];
            assert_eq!(
                problem_ref, "#/components/schemas/Problem",
                "{method} {path}"
            );
        }
    }
}

#[sqlx::test]
async fn the_openapi_document_declares_bearer_and_cookie_security_and_the_problem_schema(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;

    let doc = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cookie"]["type"], "apiKey");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    assert_eq!(schemes["cookie"]["name"], "vg_session");
    let problem = &doc["components"]["schemas"]["Problem"];
    for member in ["type", "title", "status", "detail", "errors"] {
        assert!(
            problem["properties"][member].is_object(),
            "Problem lacks {member}: {problem}"
        );
    }
    // Routes that need a session say so.
    let me_security = &doc["paths"]["/v1/me"]["get"]["security"];
    assert!(me_security.to_string().contains("bearer"), "{me_security}");
}

#[sqlx::test]
async fn the_docs_page_serves_html(pool: PgPool) {
    let app = spawn_app(pool).await;

    let mut response = app.get("/docs", None).await;
    if response.status().is_redirection() {
        let location = response.headers()[LOCATION].to_str().unwrap().to_string();
        let path = if location.starts_with('/') {
            location
        } else {
            format!("/docs/{location}")
        };
        response = app.get(&path, None).await;
    }

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.unwrap();
    assert!(
        html.to_lowercase().contains("swagger"),
        "not the Swagger UI"
    );
    let direct = app.get("/docs/", None).await;
    assert_eq!(direct.status(), StatusCode::OK);
}
