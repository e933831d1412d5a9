//! Every partner, widget and webhook route is in the OpenAPI document with its security.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{expect_json, spawn_app};

const ROUTES: &[(&str, &str, &str)] = &[
    ("/v1/partners", "post", "bearer"),
    ("/v1/partners", "get", "bearer"),
    ("/v1/partners/{id}", "get", "bearer"),
    ("/v1/partners/{id}", "patch", "bearer"),
    ("/v1/partners/{id}/keys", "post", "bearer"),
    ("/v1/partners/{id}/keys", "get", "bearer"),
    ("/v1/partners/{id}/keys/{key_id}/rotate", "post", "bearer"),
    ("/v1/partners/{id}/keys/{key_id}", "delete", "bearer"),
    ("/v1/partners/{id}/analytics", "get", "bearer"),
    ("/v1/embed-tokens", "post", "sk"),
    ("/v1/widget/badge", "get", "pk"),
    ("/v1/widget/list", "get", "pk"),
    ("/v1/widget/refer", "get", "pk"),
    ("/v1/widget/referrals", "post", "pk"),
    ("/partners/{id}/link", "get", "cookie"),
    ("/partners/{id}/link", "post", "cookie"),
    ("/partners/{id}/unlink", "post", "cookie"),
    ("/v1/partners/{id}/webhooks", "post", "bearer"),
    ("/v1/partners/{id}/webhooks", "get", "bearer"),
    ("/v1/partners/{id}/webhooks/{wid}", "get", "bearer"),
    ("/v1/partners/{id}/webhooks/{wid}", "patch", "bearer"),
    ("/v1/partners/{id}/webhooks/{wid}", "delete", "bearer"),
    (
        "/v1/partners/{id}/webhooks/{wid}/deliveries",
        "get",
        "bearer",
    ),
    (
        "/v1/partners/{id}/webhooks/{wid}/deliveries/{did}/redeliver",
        "post",
        "bearer",
    ),
    ("/widget.js", "get", ""),
];

#[sqlx::test]
async fn every_partner_route_is_documented_with_its_security_scheme(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = expect_json(app.get("/openapi.json", None).await, StatusCode::OK).await;
    let schemes = &doc["components"]["securitySchemes"];
    for scheme in ["pk", "sk"] {
        assert_eq!(schemes[scheme]["type"], "apiKey", "{scheme}");
        assert_eq!(schemes[scheme]["in"], "header");
        assert_eq!(schemes[scheme]["name"], "X-Vouchgraph-Key");
    }
    for (path, method, scheme) in ROUTES {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        let security = operation["security"].to_string();
        assert!(security.contains(scheme), "{method} {path}: {security}");
    }
}
