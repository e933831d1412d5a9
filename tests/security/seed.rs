//! Two accounts, A and B, each with the whole range of things an account can own.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{expect_json, TestApp, TestUser, LONDON};

/// Everything one account owns, with the secrets it was shown once.
#[derive(Debug, Clone)]
pub struct Party {
    pub user: TestUser,
    /// Another person this account trusts (privately).
    pub trusted: TestUser,
    pub provider: i64,
    pub trade: &'static str,
    pub referral: i64,
    /// A request for recommendations the account asked.
    pub request: i64,
    /// An offer to trust back the neighbour whose circle invitation the account used.
    pub offer: i64,
    pub notification: i64,
    /// A data archive the account asked for (it holds the account's email).
    pub archive: i64,
    pub partner: i64,
    pub publishable_key: String,
    pub secret_key: String,
    pub key_id: i64,
    pub webhook: i64,
    pub webhook_secret: String,
    pub link_token: String,
    /// The text of the account's private vouch.
    pub private_note: String,
    /// The invitation address of the account's referral.
    pub invited_email: String,
}

/// A and B, plus Carol: she owns the provider A and B refer, and refers it to each of them so
/// that each has a notification of their own.
pub struct World {
    pub a: Party,
    pub b: Party,
    pub carol: TestUser,
    pub carol_provider: i64,
}

pub async fn world(app: &TestApp) -> World {
    let carol = app.signup("Carol Owner", "carol@sec.test").await;
    let (lat, lon) = LONDON;
    let carol_provider = app
        .create_provider(&carol, "Carol Plumbing", &["plumber"], lat, lon, 30.0)
        .await;
    let a = party(app, "a", "tiler", &carol, carol_provider).await;
    let b = party(app, "b", "electrician", &carol, carol_provider).await;
    World {
        a,
        b,
        carol,
        carol_provider,
    }
}

async fn party(
    app: &TestApp,
    tag: &str,
    trade: &'static str,
    carol: &TestUser,
    carol_provider: i64,
) -> Party {
    let (lat, lon) = LONDON;
    let user = app
        .signup(&format!("Owner {tag}"), &format!("owner-{tag}@sec.test"))
        .await;
    let trusted = app
        .signup(&format!("Friend {tag}"), &format!("friend-{tag}@sec.test"))
        .await;
    app.trust(&user, &trusted, 3, "private").await;
    app.trust(&user, carol, 2, "network").await;
    let provider = app
        .create_provider(&user, &format!("Business {tag}"), &[trade], lat, lon, 30.0)
        .await;

    // A private vouch with a note nobody else may read, and a public one.
    let private_note = format!("secret-note-{tag}-do-not-leak");
    let body = json!({ "stance": "warn", "note": private_note, "visibility": "private" });
    let path = format!("/v1/providers/{carol_provider}/vouches/plumber");
    expect_json(
        app.put(&path, Some(&user.token), &body).await,
        StatusCode::OK,
    )
    .await;
    app.vouch(&trusted, provider, trade, "recommend", "public")
        .await;

    // A referral (an email invitation) of Carol's business.
    let invited_email = format!("invitee-{tag}@sec.test");
    let body = json!({ "provider_id": carol_provider, "trade": "plumber", "recipient_email": invited_email });
    let referral = expect_json(
        app.post("/v1/referrals", Some(&user.token), &body).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .expect("a referral id");

    // A request for recommendations, asked of nobody (the only person trusted is trusted
    // privately, and a private edge carries no request).
    let body = json!({ "trade": trade, "note": format!("request-of-{tag}") });
    let request = expect_json(
        app.post("/v1/requests", Some(&user.token), &body).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .expect("a request id");

    // A neighbour invites this account into their circle; it joins from the link, and is
    // offered to trust the neighbour back.
    let neighbour = app
        .signup(
            &format!("Neighbour {tag}"),
            &format!("neighbour-{tag}@sec.test"),
        )
        .await;
    let body = json!({ "email": format!("circle-{tag}@sec.test") });
    let invited = app
        .post("/v1/me/circle/invitations", Some(&neighbour.token), &body)
        .await;
    assert_eq!(invited.status(), StatusCode::ACCEPTED);
    let secret = format!("circle-link-{tag}");
    sqlx::query(
        "update circle_invitations set token_hash = sha256(convert_to($2, 'UTF8'))
         where inviter_id = $1",
    )
    .bind(neighbour.id)
    .bind(&secret)
    .execute(&app.pool)
    .await
    .expect("a link token");
    let joined = expect_json(
        app.post(
            "/v1/me/circle/joined",
            Some(&user.token),
            &json!({ "token": secret }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let offer = joined["offer_id"].as_i64().expect("an offer");

    // Carol refers her business to this account: a notification for it.
    let body =
        json!({ "provider_id": carol_provider, "trade": "plumber", "recipient_id": user.id });
    expect_json(
        app.post("/v1/referrals", Some(&carol.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    let inbox = expect_json(
        app.get("/v1/me/notifications", Some(&user.token)).await,
        StatusCode::OK,
    )
    .await;
    let notification = inbox["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a notification: {inbox}"));

    // An archive of the account's data, built in the background.
    let archive = expect_json(
        app.post("/v1/me/exports", Some(&user.token), &json!({}))
            .await,
        StatusCode::ACCEPTED,
    )
    .await["id"]
        .as_i64()
        .expect("an archive id");

    // A partner with both kinds of key and a webhook endpoint.
    let body =
        json!({ "name": format!("Shop {tag}"), "allowed_origins": ["https://shop.example"] });
    let partner = expect_json(
        app.post("/v1/partners", Some(&user.token), &body).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .expect("a partner id");
    let (_, publishable_key) = key(app, &user, partner, "publishable").await;
    let (key_id, secret_key) = key(app, &user, partner, "secret").await;
    let body = json!({ "url": format!("http://127.0.0.1:9/hook-{tag}"), "event_types": ["referral.created"] });
    let endpoint = expect_json(
        app.post(
            &format!("/v1/partners/{partner}/webhooks"),
            Some(&user.token),
            &body,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let webhook = endpoint["id"].as_i64().expect("an endpoint id");
    let webhook_secret = endpoint["secret"]
        .as_str()
        .expect("the endpoint's secret")
        .to_string();
    let link_token = link(app, &user, partner).await;

    Party {
        user,
        trusted,
        provider,
        trade,
        referral,
        request,
        offer,
        notification,
        archive,
        partner,
        publishable_key,
        secret_key,
        key_id,
        webhook,
        webhook_secret,
        link_token,
        private_note,
        invited_email,
    }
}

async fn key(app: &TestApp, owner: &TestUser, partner: i64, kind: &str) -> (i64, String) {
    let key = expect_json(
        app.post(
            &format!("/v1/partners/{partner}/keys"),
            Some(&owner.token),
            &json!({ "kind": kind }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (
        key["id"].as_i64().expect("a key id"),
        key["key"].as_str().expect("the key").to_string(),
    )
}

/// Links `visitor` to `partner` through the consent page; returns the link token.
async fn link(app: &TestApp, visitor: &TestUser, partner: i64) -> String {
    let response = app
        .client
        .post(app.url(&format!("/partners/{partner}/link")))
        .header("cookie", format!("vg_session={}", visitor.token))
        .form(&[
            ("csrf", visitor.csrf.as_str()),
            ("return_to", "https://shop.example/account/vouchgraph"),
            ("state", "xyz"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let url = reqwest::Url::parse(&location).expect("an absolute URL");
    url.query_pairs()
        .find(|(k, _)| k == "vouchgraph_link_token")
        .map(|(_, v)| v.to_string())
        .expect("a link token in the redirect")
}

/// What A's private state looks like to A: compared before and after B's attempts.
pub async fn snapshot(app: &TestApp, a: &Party) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for path in [
        "/v1/me".to_string(),
        "/v1/me/trust".to_string(),
        "/v1/me/referrals".to_string(),
        "/v1/me/circle/offers".to_string(),
        format!("/v1/providers/{}", a.provider),
        format!("/v1/providers/{}/vouches", a.provider),
        format!("/v1/referrals/{}", a.referral),
        format!("/v1/partners/{}", a.partner),
        format!("/v1/partners/{}/keys", a.partner),
        format!("/v1/partners/{}/webhooks/{}", a.partner, a.webhook),
    ] {
        let response = app.get(&path, Some(&a.user.token)).await;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let mut value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        // Last-used times move when A itself reads; they are not what B could change.
        scrub(&mut value);
        out.push((format!("{path} {status}"), value));
    }
    out
}

fn scrub(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.contains("last_used") && !k.contains("read_at"));
            map.values_mut().for_each(scrub);
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}
