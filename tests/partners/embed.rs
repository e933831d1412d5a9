//! Linking a visitor (the consent page), embed tokens (expiry, scope), personalized widgets,
//! and referrals attributed to the partner.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use vouchgraph::domain::{PartnerId, PersonId};
use vouchgraph::partners::embed::EmbedClaims;

use crate::common::{assert_problem, expect_json, spawn_app, TestApp, TestUser};
use crate::helpers::SHOP;

/// Anna trusts Nora, who publicly recommends Rossi Tiling, and Matt, who recommends it where
/// only his network sees; Paula runs the partner "Shop" with both keys.
struct Town {
    app: TestApp,
    owner: TestUser,
    anna: TestUser,
    provider: i64,
    partner: i64,
    pk: String,
    sk: String,
}

async fn town(pool: PgPool) -> Town {
    let app = spawn_app(pool).await;
    let owner = app
        .signup("Paula Partner", "paula.partner@example.com")
        .await;
    let anna = app.signup("Anna Seeker", "anna.seeker@example.com").await;
    let matt = app.signup("Matt Hughes", "matt.hughes@example.com").await;
    let nora = app.signup("Nora Quinn", "nora.quinn@example.com").await;
    let mario = app.signup("Mario Rossi", "mario.rossi@example.com").await;
    let provider = app
        .create_provider(&mario, "Rossi Tiling", &["tiler"])
        .await;
    app.trust(&anna, &matt, 3).await; // Anna -> Matt
    app.trust(&matt, &anna, 2).await; // Matt -> Anna: she may see his network vouches
    app.vouch(&matt, provider, "tiler", "recommend", "network")
        .await; // Matt -> Rossi Tiling, network-only: Anna sees it, no partner may
    app.trust(&anna, &nora, 3).await; // Anna -> Nora
    app.vouch(&nora, provider, "tiler", "recommend", "public")
        .await; // Nora -> Rossi Tiling, public
    let partner = app.create_partner(&owner, "Shop").await;
    let (_, pk) = app.create_key(&owner, partner, "publishable").await;
    let (_, sk) = app.create_key(&owner, partner, "secret").await;
    Town {
        app,
        owner,
        anna,
        provider,
        partner,
        pk,
        sk,
    }
}

async fn badge(t: &Town, embed: Option<&str>) -> reqwest::Response {
    let path = format!("/v1/widget/badge?provider={}&trade=tiler", t.provider);
    t.app
        .widget(Method::GET, &path, &t.pk, Some(SHOP), embed)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_consent_page_needs_a_session_and_its_csrf_token(pool: PgPool) {
    let t = town(pool).await;
    let path = format!(
        "/partners/{}/link?return_to={SHOP}/back&state=abc",
        t.partner
    );

    let signed_out = t.app.client.get(t.app.url(&path)).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert!(signed_out.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    let page = t
        .app
        .client
        .get(t.app.url(&path))
        .header("cookie", format!("vg_session={}", t.anna.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    assert!(html.contains("Link your account to Shop?"), "{html}");
    assert!(html.contains(&format!("name=\"csrf\" value=\"{}\"", t.anna.csrf)));

    // A post from another site carries the cookie but not the token.
    let forged = t
        .app
        .client
        .post(t.app.url(&format!("/partners/{}/link", t.partner)))
        .header("cookie", format!("vg_session={}", t.anna.token))
        .form(&[("csrf", "guess"), ("return_to", SHOP), ("state", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let links: i64 = sqlx::query_scalar("select count(*) from partner_links")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    assert_eq!(links, 0);

    // With it: back to the partner's page with a link token and the partner's state. A return
    // address off the partner's origins gets the code on our page instead.
    let link_token = t.app.link(&t.anna, t.partner).await;
    assert!(link_token.starts_with("vglink_"));
    let elsewhere = t
        .app
        .client
        .post(t.app.url(&format!("/partners/{}/link", t.partner)))
        .header("cookie", format!("vg_session={}", t.anna.token))
        .form(&[
            ("csrf", t.anna.csrf.as_str()),
            ("return_to", "https://evil.example/steal"),
            ("state", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::OK);
    assert!(elsewhere.text().await.unwrap().contains("vglink_"));
}

#[sqlx::test]
async fn an_embed_token_personalizes_the_widgets_and_without_one_only_public_data_shows(
    pool: PgPool,
) {
    let t = town(pool).await;
    let public = expect_json(badge(&t, None).await, StatusCode::OK).await;
    assert_eq!(public["personalized"], false);
    assert_eq!(public["paths"], json!([]));
    assert_eq!(
        public["counts"]["recommend"], 1,
        "only Nora's vouch is public: {public}"
    );
    assert!(public["counts"]["network_recommend"].is_null());

    let link_token = t.app.link(&t.anna, t.partner).await;
    let embed = t.app.embed_token(&t.sk, &link_token, None).await;
    let personal = expect_json(badge(&t, Some(&embed)).await, StatusCode::OK).await;
    assert_eq!(personal["personalized"], true);
    assert_eq!(
        personal["paths"][0]["text"],
        "you → Nora Quinn → recommends Rossi Tiling"
    );
    // Matt let Anna see his network-only vouch; he never consented to Shop seeing it.
    assert_eq!(personal["counts"]["network_recommend"], 1, "{personal}");
    assert!(!personal.to_string().contains("Matt"), "{personal}");
    let why = format!("/v1/providers/{}/why?trade=tiler", t.provider);
    let own = t
        .app
        .request(Method::GET, &why, Some(&t.anna.token))
        .send()
        .await
        .unwrap();
    let own = expect_json(own, StatusCode::OK).await;
    assert_eq!(
        own["provider"]["counts"]["network_recommend"], 2,
        "Anna herself sees both: {own}"
    );

    let (lat, lon) = crate::common::LONDON;
    let path = format!("/v1/widget/list?trade=tiler&lat={lat}&lon={lon}");
    let list = t
        .app
        .widget(Method::GET, &path, &t.pk, Some(SHOP), Some(&embed))
        .send()
        .await
        .unwrap();
    let list = expect_json(list, StatusCode::OK).await;
    assert_eq!(list["personalized"], true);
    assert_eq!(list["results"][0]["name"], "Rossi Tiling");
    assert!(list["results"][0]["path"]["text"]
        .as_str()
        .unwrap()
        .contains("Nora Quinn"));
    assert!(!list.to_string().contains("Matt"), "{list}");
}

#[sqlx::test]
async fn an_expired_embed_token_is_refused(pool: PgPool) {
    let t = town(pool).await;
    t.app.link(&t.anna, t.partner).await;
    let link: i64 = sqlx::query_scalar("select id from partner_links")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    let claims = |exp| EmbedClaims {
        partner: PartnerId(t.partner),
        person: PersonId(t.anna.id),
        link,
        scope: vec!["read".into()],
        exp,
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let fresh = t.app.state.embed.sign(&claims(now + 600));
    assert_eq!(badge(&t, Some(&fresh)).await.status(), StatusCode::OK);
    let expired = t.app.state.embed.sign(&claims(now - 1));
    let problem = assert_problem(badge(&t, Some(&expired)).await, StatusCode::UNAUTHORIZED).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("expired"),
        "{problem}"
    );
    // A minted token lives ten minutes.
    let link_token = t.app.link(&t.anna, t.partner).await;
    let minted = t
        .app
        .widget(Method::POST, "/v1/embed-tokens", &t.sk, None, None)
        .json(&json!({ "link_token": link_token }))
        .send()
        .await
        .unwrap();
    let minted = expect_json(minted, StatusCode::CREATED).await;
    let expires = time::OffsetDateTime::parse(
        minted["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ttl = expires.unix_timestamp() - now;
    assert!((599..=601).contains(&ttl), "{ttl}");
}

#[sqlx::test]
async fn an_embed_token_is_scoped_to_its_partner_and_its_uses(pool: PgPool) {
    let t = town(pool).await;
    let link_token = t.app.link(&t.anna, t.partner).await;
    let read_only = t.app.embed_token(&t.sk, &link_token, Some(&["read"])).await;

    // Another partner's key with this token: refused.
    let other = t.app.create_partner(&t.owner, "Other").await;
    let (_, other_pk) = t.app.create_key(&t.owner, other, "publishable").await;
    let path = format!("/v1/widget/badge?provider={}", t.provider);
    let crossed = t
        .app
        .widget(Method::GET, &path, &other_pk, Some(SHOP), Some(&read_only))
        .send()
        .await
        .unwrap();
    assert_problem(crossed, StatusCode::FORBIDDEN).await;
    // Another partner's secret key cannot mint for this partner's link.
    let (_, other_sk) = t.app.create_key(&t.owner, other, "secret").await;
    let minted = t
        .app
        .widget(Method::POST, "/v1/embed-tokens", &other_sk, None, None)
        .json(&json!({ "link_token": link_token }))
        .send()
        .await
        .unwrap();
    assert_problem(minted, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Read-only: no referrals.
    let body = json!({ "provider_id": t.provider, "trade": "tiler", "recipient_email": "friend@example.com" });
    let refer = t
        .app
        .widget(
            Method::POST,
            "/v1/widget/referrals",
            &t.pk,
            Some(SHOP),
            Some(&read_only),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(refer, StatusCode::FORBIDDEN).await;
    // Not a session.
    assert_problem(
        t.app.get("/v1/me", Some(&read_only)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Unlinking ends it at once.
    let unlink = t
        .app
        .client
        .post(t.app.url(&format!("/partners/{}/unlink", t.partner)))
        .header("cookie", format!("vg_session={}", t.anna.token))
        .form(&[("csrf", t.anna.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unlink.status(), StatusCode::OK);
    assert_problem(badge(&t, Some(&read_only)).await, StatusCode::UNAUTHORIZED).await;
}

/// Posts a referral to the widget API from the shop's page, with the visitor's embed token.
async fn send_referral(
    t: &Town,
    embed: Option<&str>,
    body: &serde_json::Value,
) -> reqwest::Response {
    t.app
        .widget(
            Method::POST,
            "/v1/widget/referrals",
            &t.pk,
            Some(SHOP),
            embed,
        )
        .json(body)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_widget_referral_is_attributed_to_the_partner_and_counted_by_day(pool: PgPool) {
    let t = town(pool).await;
    let body = json!({ "provider_id": t.provider, "trade": "tiler", "recipient_email": "friend@example.com", "note": "Great tiler" });
    let anonymous = send_referral(&t, None, &body).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;

    let link_token = t.app.link(&t.anna, t.partner).await;
    let embed = t.app.embed_token(&t.sk, &link_token, None).await;
    let context = t
        .app
        .widget(
            Method::GET,
            &format!("/v1/widget/refer?provider={}", t.provider),
            &t.pk,
            Some(SHOP),
            Some(&embed),
        )
        .send()
        .await
        .unwrap();
    let context = expect_json(context, StatusCode::OK).await;
    assert_eq!(context["can_refer"], true);
    assert_eq!(context["trades"], json!([{ "slug": "tiler" }]));

    // A referral with three bad fields is refused naming all three, as the API and the page
    // refuse it (one check for every channel), and nothing is written.
    let long_note = "x".repeat(1001);
    let bad = json!({ "provider_id": t.provider, "trade": "juggler", "recipient_email": "not an email", "note": long_note });
    let refused = send_referral(&t, Some(&embed), &bad).await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut named: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    named.sort_unstable();
    assert_eq!(named, ["note", "recipient_email", "trade"], "{problem}");
    let referrals: i64 = sqlx::query_scalar("select count(*) from referrals")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    assert_eq!(referrals, 0);

    let sent = send_referral(&t, Some(&embed), &body).await;
    let sent = expect_json(sent, StatusCode::CREATED).await;
    let referral = sent["referral_id"].as_i64().unwrap();
    let (referrer, partner): (i64, Option<i64>) =
        sqlx::query_as("select referrer_id, partner_id from referrals where id = $1")
            .bind(referral)
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!((referrer, partner), (t.anna.id, Some(t.partner)));
    let event: serde_json::Value = sqlx::query_scalar(
        "select payload from outbox_events where event_type = 'referral.created'",
    )
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(event["partner_id"], t.partner);

    let today = time::OffsetDateTime::now_utc().date().to_string();
    let stats = t
        .app
        .get(
            &format!(
                "/v1/partners/{}/analytics?from={today}&to={today}",
                t.partner
            ),
            Some(&t.owner.token),
        )
        .await;
    let stats = expect_json(stats, StatusCode::OK).await;
    assert_eq!(stats["days"][0]["day"], today);
    assert_eq!(stats["days"][0]["referrals"], 1);
    assert_eq!(
        stats["days"][0]["widget_views"], 1,
        "the refer widget loaded once: {stats}"
    );
    assert_eq!(stats["days"][0]["hires"], 0);
    let month = expect_json(
        t.app
            .get(
                &format!("/v1/partners/{}/analytics", t.partner),
                Some(&t.owner.token),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(month["days"].as_array().unwrap().len(), 30);
}
