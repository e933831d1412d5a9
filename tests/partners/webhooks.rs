//! Webhooks against a real local receiver: signing verified with the `standardwebhooks`
//! crate, retries after 500s, stable ids, manual redelivery, auto-disable, restarts, and the
//! SSRF guard.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use standardwebhooks::Webhook;

use crate::common::{
    assert_problem, eventually, expect_json, spawn_app, spawn_app_with, TestApp, TestUser,
};
use crate::helpers::{local_webhooks, Receiver};

/// Registers an endpoint for `types`; returns (id, secret).
async fn register(
    app: &TestApp,
    owner: &TestUser,
    partner: i64,
    url: &str,
    types: &[&str],
) -> (i64, String) {
    let body = json!({ "url": url, "event_types": types });
    let response = app
        .post(
            &format!("/v1/partners/{partner}/webhooks"),
            Some(&owner.token),
            &body,
        )
        .await;
    let endpoint = expect_json(response, StatusCode::CREATED).await;
    (
        endpoint["id"].as_i64().unwrap(),
        endpoint["secret"].as_str().unwrap().to_string(),
    )
}

async fn deliveries(app: &TestApp, owner: &TestUser, partner: i64, endpoint: i64) -> Vec<Value> {
    let path = format!("/v1/partners/{partner}/webhooks/{endpoint}/deliveries");
    let page = expect_json(app.get(&path, Some(&owner.token)).await, StatusCode::OK).await;
    page["items"].as_array().unwrap().clone()
}

/// A partner with an owner, and a provider to vouch for.
async fn setup(app: &TestApp) -> (TestUser, i64, i64) {
    let (owner, provider, partner) = app.shop_and_tiler().await;
    (owner, partner, provider)
}

#[sqlx::test]
async fn deliveries_are_signed_per_standard_webhooks_and_verify_with_the_crate(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, provider) = setup(&app).await;
    let receiver = Receiver::start().await;
    let (_, secret) = register(
        &app,
        &owner,
        partner,
        &receiver.url(),
        &["vouch.created", "vouch.revoked"],
    )
    .await;
    assert!(secret.starts_with("whsec_"));

    let voucher = app.signup("Vera Voucher", "vera.voucher@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;
    let got = eventually("a delivery", || async {
        receiver.received().first().cloned()
    })
    .await;

    let webhook = Webhook::new(&secret).unwrap();
    webhook
        .verify(&got.body, &got.headers)
        .expect("the signature verifies");
    assert!(webhook
        .verify(b"{\"tampered\":true}", &got.headers)
        .is_err());
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["type"], "vouch.created");
    assert_eq!(body["data"]["provider_id"], provider);
    assert_eq!(body["data"]["person_id"], voucher.id);
    let event_id: String = sqlx::query_scalar(
        "select event_id::text from outbox_events where event_type = 'vouch.created'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(got.headers["webhook-id"], event_id.as_str());

    // A private vouch is no partner's business; its withdrawal neither.
    let quiet = app.signup("Quiet Person", "quiet.person@example.com").await;
    app.vouch(&quiet, provider, "tiler", "recommend", "private")
        .await;
    // A public vouch's withdrawal is.
    let revoked = app
        .request(
            reqwest::Method::DELETE,
            &format!("/v1/providers/{provider}/vouches/tiler"),
            Some(&voucher.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let types = eventually("the revocation", || async {
        let r = receiver.received();
        (r.len() >= 2).then(|| {
            r.iter()
                .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["type"].clone())
                .collect::<Vec<_>>()
        })
    })
    .await;
    assert_eq!(types, [json!("vouch.created"), json!("vouch.revoked")]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.received().len(),
        2,
        "the private vouch was delivered"
    );
}

#[sqlx::test]
async fn a_receiver_answering_500_is_retried_with_the_same_event_id_and_every_attempt_logged(
    pool: PgPool,
) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, provider) = setup(&app).await;
    let receiver = Receiver::start().await;
    receiver.script(&[500, 500]);
    let (endpoint, _) = register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;

    let voucher = app.signup("Vera Voucher", "vera.voucher@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;
    let log = eventually("a delivered delivery", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (log.first()?["status"] == "delivered").then_some(log)
    })
    .await;

    let delivery = &log[0];
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["last_status"], 200);
    let codes: Vec<Value> = delivery["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(500), json!(200)]);
    assert!(delivery["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["latency_ms"].is_i64()));
    assert_eq!(delivery["attempt_log"][0]["error"], "answered 500");
    // Three requests, one event id: the receiver can drop duplicates.
    let ids: BTreeSet<String> = receiver
        .received()
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(receiver.received().len(), 3);
    assert_eq!(ids.len(), 1);
    assert_eq!(ids.first().unwrap(), delivery["event_id"].as_str().unwrap());
}

#[sqlx::test]
async fn a_delivery_can_be_sent_again_by_hand(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, provider) = setup(&app).await;
    let receiver = Receiver::start().await;
    let (endpoint, _) = register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;
    let voucher = app.signup("Vera Voucher", "vera.voucher@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;
    let delivery = eventually("a delivery", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (log.first()?["status"] == "delivered").then(|| log[0]["id"].as_i64().unwrap())
    })
    .await;

    let path =
        format!("/v1/partners/{partner}/webhooks/{endpoint}/deliveries/{delivery}/redeliver");
    assert_eq!(
        app.post(&path, Some(&owner.token), &json!({}))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let got = eventually("the redelivery", || async {
        let r = receiver.received();
        (r.len() == 2).then_some(r)
    })
    .await;
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
    let log = eventually("the manual attempt logged", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (log[0]["attempt_log"].as_array()?.len() == 2).then_some(log)
    })
    .await;
    assert_eq!(log[0]["attempt_log"][1]["manual"], true);
    let missing = format!("/v1/partners/{partner}/webhooks/{endpoint}/deliveries/999999/redeliver");
    assert_problem(
        app.post(&missing, Some(&owner.token), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[sqlx::test]
async fn an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(pool: PgPool) {
    let app = spawn_app_with(pool, |config| {
        local_webhooks(config);
        config.webhooks.disable_min_failures = 3;
        config.webhooks.disable_after = Duration::ZERO;
        config.webhooks.retry_base = Duration::from_millis(50);
        config.webhooks.max_attempts = 10;
    })
    .await;
    let (owner, partner, provider) = setup(&app).await;
    let receiver = Receiver::start().await;
    receiver.otherwise(500);
    let (endpoint, _) = register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;
    let voucher = app.signup("Vera Voucher", "vera.voucher@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;

    let disabled = eventually("the endpoint disabled", || async {
        let e = expect_json(
            app.get(
                &format!("/v1/partners/{partner}/webhooks/{endpoint}"),
                Some(&owner.token),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        (e["enabled"] == false).then_some(e)
    })
    .await;
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("3 failed attempts"),
        "{disabled}"
    );
    let inbox = expect_json(
        app.get("/v1/me/notifications", Some(&owner.token)).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        inbox.to_string().contains("webhook.endpoint_disabled"),
        "{inbox}"
    );
    // No more attempts while disabled.
    let attempts = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), attempts);

    // Re-enabled and answering again, the pending delivery goes through.
    receiver.otherwise(200);
    let enabled = app
        .patch(
            &format!("/v1/partners/{partner}/webhooks/{endpoint}"),
            Some(&owner.token),
            &json!({"enabled": true}),
        )
        .await;
    assert_eq!(
        expect_json(enabled, StatusCode::OK).await["consecutive_failures"],
        0
    );
    eventually("the delivery after re-enabling", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (log.first()?["status"] == "delivered").then_some(())
    })
    .await;
}

#[sqlx::test]
async fn redirects_are_not_followed(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, provider) = setup(&app).await;
    let inside = Receiver::start().await;
    let receiver = Receiver::start().await;
    receiver.redirect_to(&inside.url());
    let (endpoint, _) = register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;
    let voucher = app.signup("Vera Voucher", "vera.voucher@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;
    let log = eventually("an attempt", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (!log.first()?["attempt_log"].as_array()?.is_empty()).then_some(log)
    })
    .await;
    assert_eq!(log[0]["attempt_log"][0]["status_code"], 302);
    assert!(log[0]["attempt_log"][0]["error"]
        .as_str()
        .unwrap()
        .contains("redirects are not followed"));
    assert!(inside.received().is_empty(), "the redirect was followed");
}

#[sqlx::test]
async fn referral_events_go_only_to_the_partner_they_came_through(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, provider) = setup(&app).await;
    let other_owner = app.signup("Otto Other", "otto.other@example.com").await;
    let other = app.create_partner(&other_owner, "Other").await;
    let ours = Receiver::start().await;
    let theirs = Receiver::start().await;
    register(
        &app,
        &owner,
        partner,
        &ours.url(),
        &["referral.created", "referral.status_changed"],
    )
    .await;
    register(
        &app,
        &other_owner,
        other,
        &theirs.url(),
        &["referral.created"],
    )
    .await;

    // A referral made on vouchgraph itself: no partner hears of it.
    let anna = app.signup("Anna Seeker", "anna.seeker@example.com").await;
    let body = json!({ "provider_id": provider, "trade": "tiler", "recipient_email": "friend@example.com" });
    expect_json(
        app.post("/v1/referrals", Some(&anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;
    // One through the partner's widget: only that partner does.
    let link = app.link(&anna, partner).await;
    let (_, sk) = app.create_key(&owner, partner, "secret").await;
    let embed = app.embed_token(&sk, &link, None).await;
    let sent = app
        .widget(reqwest::Method::POST, "/v1/widget/referrals", &sk, None, Some(&embed))
        .json(&json!({ "provider_id": provider, "trade": "tiler", "recipient_email": "pal@example.com" }))
        .send()
        .await
        .unwrap();
    let referral = expect_json(sent, StatusCode::CREATED).await["referral_id"]
        .as_i64()
        .unwrap();
    let got = eventually("the partner's referral", || async {
        ours.received().first().cloned()
    })
    .await;
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["type"], "referral.created");
    assert_eq!(body["data"]["referral_id"], referral);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(ours.received().len(), 1);
    assert!(theirs.received().is_empty());
}

#[sqlx::test]
async fn no_event_is_lost_across_a_restart(pool: PgPool) {
    let receiver = Receiver::start().await;
    receiver.otherwise(503);
    let configure = |config: &mut vouchgraph::config::Config| {
        local_webhooks(config);
        config.webhooks.retry_base = Duration::from_millis(200);
        config.webhooks.max_attempts = 50;
    };
    let app = spawn_app_with(pool.clone(), configure).await;
    let (owner, partner, provider) = setup(&app).await;
    register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;
    let mut vouchers = Vec::new();
    for (name, email) in [
        ("Ada One", "ada.one@example.com"),
        ("Bea Two", "bea.two@example.com"),
        ("Cy Three", "cy.three@example.com"),
    ] {
        let voucher = app.signup(name, email).await;
        app.vouch(&voucher, provider, "tiler", "recommend", "public")
            .await;
        vouchers.push(voucher);
    }
    eventually("a failed attempt before the restart", || async {
        receiver.received().first().cloned()
    })
    .await;
    app.shut_down().await;

    // While no worker runs, another event commits.
    let app = spawn_app_with(pool, configure).await;
    let late = app.signup("Dee Four", "dee.four@example.com").await;
    app.vouch(&late, provider, "tiler", "warn", "public").await;
    receiver.otherwise(200);

    let expected: BTreeSet<String> = sqlx::query_scalar(
        "select event_id::text from outbox_events where event_type = 'vouch.created'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(expected.len(), 4);
    let delivered = eventually("every event delivered", || async {
        let ok: BTreeSet<String> = receiver
            .received()
            .iter()
            .filter(|r| r.headers.contains_key("webhook-id"))
            .map(|r| r.headers["webhook-id"].to_str().unwrap().to_string())
            .collect();
        (ok == expected).then_some(ok)
    })
    .await;
    assert_eq!(delivered.len(), 4);
    all_marked_delivered(&app.pool).await;
}

/// Waits until no delivery is left in any state but `delivered`.
async fn all_marked_delivered(pool: &PgPool) {
    eventually("every delivery marked delivered", || async {
        let pending: i64 = sqlx::query_scalar(
            "select count(*) from webhook_deliveries where status <> 'delivered'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        (pending == 0).then_some(())
    })
    .await;
}

#[sqlx::test]
async fn a_restart_during_an_attempt_does_not_hold_the_delivery_for_its_lease(pool: PgPool) {
    // The receiver answers a second late: the server is told to stop while the attempt is
    // under way. It finishes the attempt and records it, so the restarted server retries it
    // on the backoff (well under a second here), not after the lease (the timeout plus 30 s).
    let receiver = Receiver::start().await;
    receiver.otherwise(503);
    receiver.delay(Duration::from_secs(1));
    let configure = |config: &mut vouchgraph::config::Config| {
        local_webhooks(config);
        config.webhooks.retry_base = Duration::from_millis(200);
    };
    let app = spawn_app_with(pool.clone(), configure).await;
    let (owner, partner, provider) = setup(&app).await;
    register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;
    let voucher = app.signup("Ada One", "ada.one@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;
    eventually("an attempt under way", || async {
        receiver.received().first().cloned()
    })
    .await;
    app.shut_down().await;

    receiver.delay(Duration::ZERO);
    receiver.otherwise(200);
    let app = spawn_app_with(pool, configure).await;
    let started = std::time::Instant::now();
    all_marked_delivered(&app.pool).await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[sqlx::test]
async fn by_default_internal_addresses_are_refused_at_registration(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (owner, partner, _) = setup(&app).await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "http://hooks.example.com/hook",
    ] {
        let body = json!({ "url": url, "event_types": ["vouch.created"] });
        let response = app
            .post(
                &format!("/v1/partners/{partner}/webhooks"),
                Some(&owner.token),
                &body,
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let body = json!({ "url": "https://hooks.example.com/vg", "event_types": ["vouch.made"] });
    let response = app
        .post(
            &format!("/v1/partners/{partner}/webhooks"),
            Some(&owner.token),
            &body,
        )
        .await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[sqlx::test]
async fn by_default_a_name_resolving_to_loopback_is_refused_at_delivery(pool: PgPool) {
    // http is allowed so the guard, not the scheme, is what refuses; loopback is not.
    let app = spawn_app_with(pool, |config| {
        config.webhooks.allow_http = true;
        config.webhooks.poll_interval = Duration::from_millis(50);
    })
    .await;
    let (owner, partner, provider) = setup(&app).await;
    let receiver = Receiver::start().await;
    // `localhost` is refused at registration; an endpoint whose name comes to resolve to this
    // machine later (or was stored before that rule) is refused at delivery.
    let url = format!("http://localhost:{}/hook", receiver.address.port());
    let body = json!({ "url": url, "event_types": ["vouch.created"] });
    let refused = app
        .post(
            &format!("/v1/partners/{partner}/webhooks"),
            Some(&owner.token),
            &body,
        )
        .await;
    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let (endpoint, _) = register(
        &app,
        &owner,
        partner,
        "http://hooks.example.com/hook",
        &["vouch.created"],
    )
    .await;
    sqlx::query("update webhook_endpoints set url = $1 where id = $2")
        .bind(&url)
        .bind(endpoint)
        .execute(&app.pool)
        .await
        .unwrap();
    let voucher = app.signup("Vera Voucher", "vera.voucher@example.com").await;
    app.vouch(&voucher, provider, "tiler", "recommend", "public")
        .await;

    let log = eventually("a refused attempt", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (!log.first()?["attempt_log"].as_array()?.is_empty()).then_some(log)
    })
    .await;
    let attempt = &log[0]["attempt_log"][0];
    assert!(attempt["status_code"].is_null());
    let error = attempt["error"].as_str().unwrap();
    assert!(error.contains("refused: localhost"), "{error}");
    // The log never says what a name resolves to.
    assert!(!error.contains("127.0.0.1"), "{error}");
    assert!(
        receiver.received().is_empty(),
        "the guard let a request through"
    );
}

#[sqlx::test]
async fn a_linked_person_who_deletes_their_account_is_announced_to_that_partner_only(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, _) = setup(&app).await;
    let receiver = Receiver::start().await;
    register(&app, &owner, partner, &receiver.url(), &["person.deleted"]).await;
    // Another partner, which the person never linked, listens too.
    let other_owner = app.signup("Other Owner", "other.owner@example.com").await;
    let other = app.create_partner(&other_owner, "Elsewhere").await;
    let elsewhere = Receiver::start().await;
    register(
        &app,
        &other_owner,
        other,
        &elsewhere.url(),
        &["person.deleted"],
    )
    .await;
    let leaving = app.signup("Lena Leaving", "lena.leaving@example.com").await;
    app.link(&leaving, partner).await;

    let deleted = app
        .request(reqwest::Method::DELETE, "/v1/me", Some(&leaving.token))
        .json(&json!({ "password": crate::common::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let got = eventually("the announcement", || async {
        receiver.received().first().cloned()
    })
    .await;
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["type"], "person.deleted");
    assert_eq!(body["data"]["person_id"], leaving.id);
    assert_eq!(body["data"]["partner_id"], partner);
    let links: i64 = sqlx::query_scalar("select count(*) from partner_links")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(links, 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        elsewhere.received().is_empty(),
        "a partner the person never linked heard of it"
    );
}

#[sqlx::test]
async fn a_request_asked_through_the_ask_widget_is_announced_to_that_partner_only(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, provider) = setup(&app).await;
    let ours = Receiver::start().await;
    register(
        &app,
        &owner,
        partner,
        &ours.url(),
        &["request.created", "request.answered", "request.closed"],
    )
    .await;
    let anna = app.signup("Anna Seeker", "anna.seeker@example.com").await;
    let matt = app.signup("Matt Friend", "matt.friend@example.com").await;
    // Anna -> Matt, level 3, public; Matt recommends Rossi Tiling, publicly
    app.trust(&anna, &matt, 3).await;
    app.vouch(&matt, provider, "tiler", "recommend", "public")
        .await;

    // A request asked on vouchgraph itself concerns no partner.
    let body = json!({ "trade": "tiler", "note": "asked at home" });
    expect_json(
        app.post("/v1/requests", Some(&anna.token), &body).await,
        StatusCode::CREATED,
    )
    .await;

    // The ask widget needs a token that names the `ask` scope: the default one does not.
    let link = app.link(&anna, partner).await;
    let (_, sk) = app.create_key(&owner, partner, "secret").await;
    let default = app.embed_token(&sk, &link, None).await;
    let context = app
        .widget(
            reqwest::Method::GET,
            "/v1/widget/ask",
            &sk,
            None,
            Some(&default),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(expect_json(context, StatusCode::OK).await["can_ask"], false);
    let refused = app
        .widget(
            reqwest::Method::POST,
            "/v1/widget/requests",
            &sk,
            None,
            Some(&default),
        )
        .json(&json!({ "trade": "tiler", "note": "bathroom" }))
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    let anonymous = app
        .widget(
            reqwest::Method::POST,
            "/v1/widget/requests",
            &sk,
            None,
            None,
        )
        .json(&json!({ "trade": "tiler", "note": "bathroom" }))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;

    let embed = app.embed_token(&sk, &link, Some(&["read", "ask"])).await;
    let context = app
        .widget(
            reqwest::Method::GET,
            "/v1/widget/ask",
            &sk,
            None,
            Some(&embed),
        )
        .send()
        .await
        .unwrap();
    let context = expect_json(context, StatusCode::OK).await;
    assert_eq!(context["can_ask"], true);
    assert!(context["trades"].to_string().contains("tiler"), "{context}");
    let asked = app
        .widget(
            reqwest::Method::POST,
            "/v1/widget/requests",
            &sk,
            None,
            Some(&embed),
        )
        .json(&json!({ "trade": "tiler", "note": "bathroom re-tile, small flat" }))
        .send()
        .await
        .unwrap();
    let asked = expect_json(asked, StatusCode::CREATED).await;
    assert_eq!(asked["recipients"], 1, "Matt: {asked}");
    let id = asked["request_id"].as_i64().unwrap();

    // Matt answers on vouchgraph; Anna closes it there. The partner hears all three.
    let body = json!({ "provider_id": provider, "note": "did my bathroom", "vouch": false });
    expect_json(
        app.post(
            &format!("/v1/requests/{id}/answers"),
            Some(&matt.token),
            &body,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({ "solved": true, "helped_by": [matt.id] });
    expect_json(
        app.post(
            &format!("/v1/requests/{id}/close"),
            Some(&anna.token),
            &body,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let got = eventually("three request events", || async {
        let received = ours.received();
        (received.len() >= 3).then_some(received)
    })
    .await;
    // Deliveries are claimed concurrently and retried, so they may arrive in any order; the
    // envelope's timestamp gives the order the events happened in.
    let mut bodies: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    bodies.sort_by_key(|body| {
        time::OffsetDateTime::parse(
            body["timestamp"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    });
    let types: Vec<String> = bodies
        .iter()
        .map(|body| {
            assert_eq!(body["data"]["request_id"], id, "{body}");
            // Ids and the trade only: no note, no names.
            let text = body.to_string();
            assert!(
                !text.contains("bathroom") && !text.contains("Anna"),
                "{text}"
            );
            body["type"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        types,
        ["request.created", "request.answered", "request.closed"]
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        ours.received().len(),
        3,
        "the request asked at home was not announced"
    );
}

#[sqlx::test]
async fn a_test_event_reaches_only_that_endpoint_signed_and_a_disabled_one_gets_none(pool: PgPool) {
    let app = spawn_app_with(pool, local_webhooks).await;
    let (owner, partner, _) = setup(&app).await;
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    let (endpoint, secret) =
        register(&app, &owner, partner, &receiver.url(), &["vouch.created"]).await;
    // A second endpoint of the same partner hears nothing of the first one's test.
    register(&app, &owner, partner, &other.url(), &["vouch.created"]).await;

    let path = format!("/v1/partners/{partner}/webhooks/{endpoint}/test");
    let queued = app.post(&path, Some(&owner.token), &json!({})).await;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    let got = eventually("the test event", || async {
        receiver.received().first().cloned()
    })
    .await;
    Webhook::new(&secret)
        .unwrap()
        .verify(&got.body, &got.headers)
        .expect("the signature verifies");
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["type"], "webhook.test", "{body}");
    assert_eq!(body["data"]["endpoint_id"], endpoint);
    let log = eventually("the test delivered in the log", || async {
        let log = deliveries(&app, &owner, partner, endpoint).await;
        (log.first()?["status"] == "delivered").then_some(log)
    })
    .await;
    assert_eq!(log[0]["event_type"], "webhook.test");
    assert!(other.received().is_empty());

    // Disabled, it gets no test; someone else's account may not send one at all.
    let off = format!("/v1/partners/{partner}/webhooks/{endpoint}");
    assert_eq!(
        app.patch(&off, Some(&owner.token), &json!({ "enabled": false }))
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.post(&path, Some(&owner.token), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let stranger = app.signup("Sam Stranger", "sam.stranger@example.com").await;
    let refused = app.post(&path, Some(&stranger.token), &json!({})).await;
    assert!(
        matches!(
            refused.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        refused.status()
    );
}
