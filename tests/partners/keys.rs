//! Partners and their keys: issuing, listing, origins and CORS, rotation and revocation.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::common::{assert_problem, expect_json, spawn_app, TestApp};
use crate::helpers::SHOP;

async fn badge(app: &TestApp, key: &str, origin: Option<&str>, provider: i64) -> reqwest::Response {
    let path = format!("/v1/widget/badge?provider={provider}");
    app.widget(Method::GET, &path, key, origin, None)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_key_is_shown_once_and_listed_by_prefix_with_when_it_was_last_used(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, provider, partner) = app.shop_and_tiler().await;

    let (key_id, key) = app.create_key(&owner, partner, "publishable").await;
    assert!(key.starts_with("pk_live_"), "{key}");

    let keys = expect_json(
        app.get(&format!("/v1/partners/{partner}/keys"), Some(&owner.token))
            .await,
        StatusCode::OK,
    )
    .await;
    let listed = &keys[0];
    assert_eq!(listed["id"], key_id);
    assert_eq!(listed["prefix"], key[..20]);
    assert!(
        listed.get("key").is_none(),
        "the listing shows the key: {listed}"
    );
    assert!(listed["last_used_at"].is_null());
    assert!(
        !keys.to_string().contains(&key[20..]),
        "the secret part is listed"
    );
    // Only the hash is stored.
    let stored: Vec<u8> = sqlx::query_scalar("select key_hash from partner_keys where id = $1")
        .bind(key_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);

    assert_eq!(
        badge(&app, &key, Some(SHOP), provider).await.status(),
        StatusCode::OK
    );
    let keys = expect_json(
        app.get(&format!("/v1/partners/{partner}/keys"), Some(&owner.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(keys[0]["last_used_at"].is_string(), "{keys}");
}

#[sqlx::test]
async fn only_the_owner_manages_a_partner(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app
        .signup("Paula Partner", "paula.partner@example.com")
        .await;
    let other = app.signup("Oscar Other", "oscar.other@example.com").await;
    let partner = app.create_partner(&owner, "Shop").await;
    let (key_id, _) = app.create_key(&owner, partner, "secret").await;

    for path in [
        format!("/v1/partners/{partner}"),
        format!("/v1/partners/{partner}/keys"),
        format!("/v1/partners/{partner}/webhooks"),
        format!("/v1/partners/{partner}/analytics"),
    ] {
        assert_problem(
            app.get(&path, Some(&other.token)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
    }
    let revoke = app
        .delete(
            &format!("/v1/partners/{partner}/keys/{key_id}"),
            Some(&other.token),
        )
        .await;
    assert_problem(revoke, StatusCode::FORBIDDEN).await;
    let issue = app
        .post(
            &format!("/v1/partners/{partner}/keys"),
            Some(&other.token),
            &json!({"kind": "secret"}),
        )
        .await;
    assert_problem(issue, StatusCode::FORBIDDEN).await;
    assert_problem(
        app.get("/v1/partners/999999", Some(&owner.token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Each account lists only its own.
    let theirs = expect_json(
        app.get("/v1/partners", Some(&other.token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs, json!([]));
}

#[sqlx::test]
async fn a_publishable_key_works_only_from_allowed_origins_with_cors_for_them_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, provider, partner) = app.shop_and_tiler().await;
    let (_, pk) = app.create_key(&owner, partner, "publishable").await;
    // Another partner allows another site: a preflight from there passes, its real call not.
    let rival = app.create_partner(&owner, "Rival").await;
    app.patch(
        &format!("/v1/partners/{rival}"),
        Some(&owner.token),
        &json!({"allowed_origins": ["https://rival.example"]}),
    )
    .await;

    let allowed = badge(&app, &pk, Some(SHOP), provider).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.headers()["access-control-allow-origin"], SHOP);
    assert!(allowed.headers()["vary"]
        .to_str()
        .unwrap()
        .contains("origin"));

    for origin in [
        Some("https://evil.example"),
        Some("https://rival.example"),
        None,
    ] {
        let refused = badge(&app, &pk, origin, provider).await;
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{origin:?}"
        );
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }

    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/v1/widget/badge"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-vouchgraph-key")
            .send()
    };
    let ok = preflight(SHOP).await.unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(ok.headers()["access-control-allow-origin"], SHOP);
    assert!(ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("x-vouchgraph-key"));
    let evil = preflight("https://evil.example").await.unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    assert!(evil.headers().get("access-control-allow-origin").is_none());

    // A secret key is for servers: no Origin needed, and none is allowed by CORS.
    let (_, sk) = app.create_key(&owner, partner, "secret").await;
    let server = badge(&app, &sk, None, provider).await;
    assert_eq!(server.status(), StatusCode::OK);
    assert!(server
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[sqlx::test]
async fn a_publishable_key_cannot_make_server_calls_and_bad_keys_are_401(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app
        .signup("Paula Partner", "paula.partner@example.com")
        .await;
    let partner = app.create_partner(&owner, "Shop").await;
    let (_, pk) = app.create_key(&owner, partner, "publishable").await;
    let mint = |key: String| {
        app.widget(Method::POST, "/v1/embed-tokens", &key, Some(SHOP), None)
            .json(&json!({"link_token": "vglink_nothing"}))
            .send()
    };
    assert_problem(mint(pk.clone()).await.unwrap(), StatusCode::FORBIDDEN).await;
    let mut forged = pk.clone();
    forged.replace_range(30..31, if &pk[30..31] == "0" { "1" } else { "0" });
    assert_problem(
        mint(forged.replace("pk_", "sk_")).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        mint("sk_live_nonsense".into()).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[sqlx::test]
async fn a_rotated_secret_key_keeps_working_for_the_grace_period_chosen(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, provider, partner) = app.shop_and_tiler().await;
    let (old_id, old) = app.create_key(&owner, partner, "secret").await;

    let rotate = |id: i64, grace: i64| {
        app.request(
            Method::POST,
            &format!("/v1/partners/{partner}/keys/{id}/rotate"),
            Some(&owner.token),
        )
        .json(&json!({ "grace_period_secs": grace }))
        .send()
    };
    let rotated = expect_json(rotate(old_id, 1).await.unwrap(), StatusCode::CREATED).await;
    let new = rotated["key"].as_str().unwrap().to_string();
    let new_id = rotated["id"].as_i64().unwrap();
    assert!(new.starts_with("sk_live_") && new != old);

    // Within the grace period both work...
    assert_eq!(
        badge(&app, &old, None, provider).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        badge(&app, &new, None, provider).await.status(),
        StatusCode::OK
    );
    let keys = expect_json(
        app.get(&format!("/v1/partners/{partner}/keys"), Some(&owner.token))
            .await,
        StatusCode::OK,
    )
    .await;
    let listed_old = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == old_id)
        .unwrap();
    assert_eq!(listed_old["replaced_by"], new_id);
    assert!(listed_old["expires_at"].is_string());
    // ...after it, only the new one.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_problem(
        badge(&app, &old, None, provider).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        badge(&app, &new, None, provider).await.status(),
        StatusCode::OK
    );
    // A retired key cannot be rotated again; a grace period has bounds.
    assert_problem(rotate(old_id, 0).await.unwrap(), StatusCode::CONFLICT).await;
    assert_problem(
        rotate(new_id, 31 * 86_400).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Grace 0 ends the old key at once.
    let third = expect_json(rotate(new_id, 0).await.unwrap(), StatusCode::CREATED).await;
    assert_problem(
        badge(&app, &new, None, provider).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        badge(&app, third["key"].as_str().unwrap(), None, provider)
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_revoked_key_stops_working_at_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, provider, partner) = app.shop_and_tiler().await;
    let (id, pk) = app.create_key(&owner, partner, "publishable").await;
    assert_eq!(
        badge(&app, &pk, Some(SHOP), provider).await.status(),
        StatusCode::OK
    );

    let revoked = app
        .delete(
            &format!("/v1/partners/{partner}/keys/{id}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_problem(
        badge(&app, &pk, Some(SHOP), provider).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let again = app
        .delete(
            &format!("/v1/partners/{partner}/keys/{id}"),
            Some(&owner.token),
        )
        .await;
    assert_problem(again, StatusCode::NOT_FOUND).await;
    let keys = expect_json(
        app.get(&format!("/v1/partners/{partner}/keys"), Some(&owner.token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(keys[0]["active"], false);
    assert!(keys[0]["revoked_at"].is_string());
}

#[sqlx::test]
async fn origins_are_validated_and_normalized(pool: PgPool) {
    let app = spawn_app(pool).await;
    let owner = app
        .signup("Paula Partner", "paula.partner@example.com")
        .await;
    let bad = app
        .post(
            "/v1/partners",
            Some(&owner.token),
            &json!({"name": "Shop", "allowed_origins": ["https://shop.example/page"]}),
        )
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let good = app
        .post(
            "/v1/partners",
            Some(&owner.token),
            &json!({"name": "Shop", "allowed_origins": ["https://Shop.Example:443"]}),
        )
        .await;
    let partner = expect_json(good, StatusCode::CREATED).await;
    assert_eq!(partner["allowed_origins"], json!([SHOP]));
}

#[sqlx::test]
async fn our_own_pages_may_preview_a_widget_with_any_publishable_key_without_counting_a_view(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    // A partner with no allowed origin yet: only the configurator's preview can use its key.
    let (owner, provider, partner) = app.shop_and_tiler().await;
    let (_, pk) = app.create_key(&owner, partner, "publishable").await;
    let call = |site: &'static str, origin: Option<&'static str>| {
        let path = format!("/v1/widget/badge?provider={provider}");
        app.widget(Method::GET, &path, &pk, origin, None)
            .header("sec-fetch-site", site)
            .send()
    };

    // What a browser sends for a same-origin fetch from one of our pages: no Origin on a GET.
    let preview = call("same-origin", None).await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    assert!(preview
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let body = expect_json(preview, StatusCode::OK).await;
    assert_eq!(body["name"], "Rossi Tiling");

    // Another site cannot make a browser say "same-origin"; what it does say is refused.
    for site in ["cross-site", "same-site", "none"] {
        let refused = call(site, Some("https://evil.example")).await.unwrap();
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }

    // The preview was not a visitor's view of the partner's widget.
    let stats = expect_json(
        app.get(
            &format!("/v1/partners/{partner}/analytics"),
            Some(&owner.token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let views: i64 = stats["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["widget_views"].as_i64().unwrap())
        .sum();
    assert_eq!(views, 0, "{stats}");
}
