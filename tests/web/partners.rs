//! The partner pages: owner only, every form checked for CSRF, a new key or signing secret
//! shown once, the snippet made only from a publishable key of the partner, and the delivery
//! log with its redeliver button.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{count, spawn_app, TestApp, TestUser};
use crate::helpers::{expect_page, location};

/// Creates a partner through its page; returns its id.
async fn create_partner(app: &TestApp, owner: &TestUser, origins: &str) -> i64 {
    let response = app
        .post_form(
            "/partners",
            Some(&owner.cookie()),
            &[
                ("csrf", owner.csrf.as_str()),
                ("name", "Home Store"),
                ("origins", origins),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    let id = to
        .strip_prefix("/partners/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {to}"));
    assert_eq!(to, format!("/partners/{id}?done=partner-created"));
    id
}

/// The value of the read-only field `id` in `html`.
fn field_value(html: &str, id: &str) -> String {
    let field = html.find(&format!(r#"id="{id}""#)).expect("the field");
    let marker = r#"value=""#;
    let start = field + html[field..].find(marker).expect("a value") + marker.len();
    let end = html[start..].find('"').expect("a closing quote");
    html[start..start + end].to_string()
}

#[sqlx::test]
async fn partner_pages_are_for_their_owner_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let petra = app.signup("Petra Owner", "petra@example.com").await;
    let oscar = app.signup("Oscar Other", "oscar@example.com").await;
    let id = create_partner(&app, &petra, "https://shop.example").await;

    for path in [
        format!("/partners/{id}"),
        format!("/partners/{id}/widget"),
        format!("/partners/{id}/widget/preview?widget=list"),
        format!("/partners/{id}/webhooks"),
    ] {
        let page = app.page(&path, None).await;
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&page).starts_with("/login?next="), "{path}");
        let page = app.page(&path, Some(&oscar.cookie())).await;
        let html = expect_page(page, StatusCode::FORBIDDEN).await;
        assert!(html.contains("owner account manages it"), "{html}");
        let owner = app.page(&path, Some(&petra.cookie())).await;
        if path.contains("/preview") {
            // The owner gets the preview page; with no key chosen it says what is missing.
            let html = expect_page(owner, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(html.contains("publishable keys"), "{html}");
        } else {
            expect_page(owner, StatusCode::OK).await;
        }
    }
    let list = app.html("/partners", Some(&oscar.cookie())).await;
    assert!(
        !list.contains("Home Store"),
        "only my own partners are listed"
    );
    let missing = app.page("/partners/999999", Some(&petra.cookie())).await;
    expect_page(missing, StatusCode::NOT_FOUND).await;

    // Someone else's forms are refused, and write nothing.
    let posts = [
        (format!("/partners/{id}/keys"), vec![("kind", "secret")]),
        (
            format!("/partners/{id}/origins"),
            vec![("origins", "https://evil.example")],
        ),
        (
            format!("/partners/{id}/webhooks"),
            vec![
                ("url", "https://evil.example/hook"),
                ("event_types", "vouch.created"),
            ],
        ),
    ];
    for (path, fields) in &posts {
        let mut with_csrf = vec![("csrf", oscar.csrf.as_str())];
        with_csrf.extend(fields.iter().copied());
        let response = app.post_form(path, Some(&oscar.cookie()), &with_csrf).await;
        expect_page(response, StatusCode::FORBIDDEN).await;
        // And the owner's own session without the form's token is refused too.
        let response = app.post_form(path, Some(&petra.cookie()), fields).await;
        let html = expect_page(response, StatusCode::FORBIDDEN).await;
        assert!(html.contains("This form has expired"));
    }
    assert_eq!(count(&app.pool, "partner_keys").await, 0);
    assert_eq!(count(&app.pool, "webhook_endpoints").await, 0);
    let origins: Vec<String> = sqlx::query_scalar("select allowed_origins from partners")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(origins, ["https://shop.example"]);
}

#[sqlx::test]
async fn a_key_is_shown_once_and_the_snippet_needs_a_publishable_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let petra = app.signup("Petra Owner", "petra@example.com").await;
    let id = create_partner(&app, &petra, "https://Shop.Example:443/").await;
    let cookie = petra.cookie();
    let page = app.html(&format!("/partners/{id}"), Some(&cookie)).await;
    assert!(
        page.contains("https://shop.example"),
        "origins are normalized"
    );

    // Each form carries a one-time token: the page's own, read as a browser would send it.
    let form = |kind: &'static str, once: String| {
        let (app, cookie, csrf) = (&app, cookie.clone(), petra.csrf.clone());
        async move {
            app.post_form(
                &format!("/partners/{id}/keys"),
                Some(&cookie),
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", kind),
                    ("once", once.as_str()),
                ],
            )
            .await
        }
    };
    let fresh_once = || {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let page = app.html(&format!("/partners/{id}"), Some(&cookie)).await;
            field_value(&page, "once-create")
        }
    };
    let once = fresh_once().await;
    let html = expect_page(form("publishable", once.clone()).await, StatusCode::CREATED).await;
    let pk = field_value(&html, "new-key");
    // Reloading the page that showed it sends the same form again: no second key is made,
    // and the page says why nothing is shown.
    let again = expect_page(form("publishable", once).await, StatusCode::OK).await;
    assert!(again.contains("That form was sent already"), "{again}");
    assert!(!again.contains("new-key"), "{again}");
    assert_eq!(count(&app.pool, "partner_keys").await, 1);
    let html = expect_page(
        form("secret", fresh_once().await).await,
        StatusCode::CREATED,
    )
    .await;
    let sk = field_value(&html, "new-key");
    assert!(pk.starts_with("pk_live_") && sk.starts_with("sk_live_"));
    let listed = app.html(&format!("/partners/{id}"), Some(&cookie)).await;
    assert!(listed.contains(&pk[..20]) && listed.contains(&sk[..20]));
    assert!(
        !listed.contains(&pk) && !listed.contains(&sk),
        "keys are shown once"
    );

    let widget = |query: String| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.page(&format!("/partners/{id}/widget?{query}"), Some(&cookie))
                .await
        }
    };
    let ok = widget(format!(
        "key={pk}&widget=list&trade=tiler&lat=51.5&lon=-0.12"
    ))
    .await;
    let html = expect_page(ok, StatusCode::OK).await;
    // The snippet, escaped in the textarea (askama writes < > " as numeric references).
    let snippet = format!(
        "data-vouchgraph-key=&#34;{pk}&#34; data-widget=&#34;list&#34; data-trade=&#34;tiler&#34; \
         data-lat=&#34;51.5&#34; data-lon=&#34;-0.12&#34;&#62;&#60;/script&#62;</textarea>"
    );
    assert!(html.contains(&snippet), "{html}");
    // The live preview frame holds the same choices, and its page the same tag, under a policy
    // of its own: inline style for the widget's Shadow DOM, framed by our pages only.
    let preview = format!(
        "/partners/{id}/widget/preview?key={pk}&#38;widget=list&#38;provider=&#38;trade=tiler\
         &#38;lat=51.5&#38;lon=-0.12"
    );
    assert!(html.contains(&preview), "{html}");
    let frame = app
        .page(&preview.replace("&#38;", "&"), Some(&cookie))
        .await;
    let policy = frame.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("style-src 'self' 'unsafe-inline'"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert_eq!(frame.headers()["x-frame-options"], "SAMEORIGIN");
    let frame = expect_page(frame, StatusCode::OK).await;
    assert!(
        frame.contains(&format!(
            r#"<script src="/widget.js" data-vouchgraph-key="{pk}" data-widget="list" data-trade="tiler" data-lat="51.5" data-lon="-0.12"></script>"#
        )),
        "{frame}"
    );
    // Every other page keeps the strict policy.
    let strict = app.page(&format!("/partners/{id}"), Some(&cookie)).await;
    assert!(strict.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(strict.headers()["x-frame-options"], "DENY");
    let bad = app
        .page(
            &format!("/partners/{id}/widget/preview?key={sk}&widget=badge&provider=1"),
            Some(&cookie),
        )
        .await;
    let bad = expect_page(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        bad.contains("secret key") && !bad.contains("<script"),
        "{bad}"
    );
    for (query, why) in [
        (format!("key={sk}&widget=badge&provider=1"), "secret key"),
        (
            format!("key=pk_live_{}&widget=badge&provider=1", "0".repeat(60)),
            "not a key of this partner",
        ),
        (
            format!("key={pk}&widget=badge&provider=x"),
            "No single provider is called",
        ),
        (
            format!("key={pk}&widget=list&trade=juggler"),
            "Unknown trade",
        ),
        (
            format!("key={pk}&widget=list&trade=tiler&lat=99&lon=0"),
            "Latitude",
        ),
    ] {
        let html = expect_page(widget(query).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(html.contains(why), "{why}: {html}");
        assert!(!html.contains(r#"id="snippet""#));
    }
}

#[sqlx::test]
async fn the_configurator_finds_a_provider_by_name(pool: PgPool) {
    let app = spawn_app(pool).await;
    let petra = app.signup("Petra Owner", "petra@example.com").await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let rossi = app.create_provider(&mario, "Rossi Tiling").await;
    app.create_provider(&mario, "Rossi & Sons Plastering").await;
    let id = create_partner(&app, &petra, "https://shop.example").await;
    let cookie = petra.cookie();
    let form = app.html(&format!("/partners/{id}"), Some(&cookie)).await;
    let once = field_value(&form, "once-create");
    let created = app
        .post_form(
            &format!("/partners/{id}/keys"),
            Some(&cookie),
            &[
                ("csrf", petra.csrf.as_str()),
                ("kind", "publishable"),
                ("once", once.as_str()),
            ],
        )
        .await;
    let pk = field_value(&expect_page(created, StatusCode::CREATED).await, "new-key");
    let widget = |provider: &str| {
        let query = format!("key={pk}&widget=badge&provider={provider}");
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.page(&format!("/partners/{id}/widget?{query}"), Some(&cookie))
                .await
        }
    };

    // One name that fits: taken, as if its number had been typed.
    let one = expect_page(widget("rossi%20TIL").await, StatusCode::OK).await;
    assert!(
        one.contains(&format!("data-provider=&#34;{rossi}&#34;")),
        "{one}"
    );
    // Two: both offered, each a link that chooses it; no snippet yet.
    let two = expect_page(widget("Rossi").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        two.contains("No single provider is called “Rossi”"),
        "{two}"
    );
    assert!(
        two.contains(">Rossi Tiling</a>") && two.contains(">Rossi &#38; Sons Plastering</a>"),
        "{two}"
    );
    assert!(
        two.contains(&format!("widget=badge&#38;provider={rossi}&#38;")),
        "{two}"
    );
    assert!(!two.contains(r#"id="snippet""#));
    // None: said so, and nothing is offered.
    let none = expect_page(widget("Nobody%25").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(none.contains("No single provider is called"), "{none}");
    assert!(!none.contains("provider-choices"), "{none}");
}

#[sqlx::test]
async fn the_delivery_log_shows_attempts_and_redelivers(pool: PgPool) {
    let app = spawn_app(pool).await;
    let petra = app.signup("Petra Owner", "petra@example.com").await;
    let id = create_partner(&app, &petra, "").await;
    let cookie = petra.cookie();
    let response = app
        .post_form(
            &format!("/partners/{id}/webhooks"),
            Some(&cookie),
            &[
                ("csrf", petra.csrf.as_str()),
                ("url", "http://127.0.0.1:9/hook"),
                ("event_types", "vouch.created"),
            ],
        )
        .await;
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("must be an https:// URL"), "{html}");
    let response = app
        .post_form(
            &format!("/partners/{id}/webhooks"),
            Some(&cookie),
            &[
                ("csrf", petra.csrf.as_str()),
                ("url", "https://hooks.example/vouchgraph"),
                ("event_types", "vouch.created"),
                ("event_types", "referral.created"),
            ],
        )
        .await;
    let html = expect_page(response, StatusCode::CREATED).await;
    assert!(field_value(&html, "new-secret").starts_with("whsec_"));

    // A delivery that failed twice, as the worker would have logged it.
    let endpoint: i64 = sqlx::query_scalar("select id from webhook_endpoints")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let delivery: i64 = sqlx::query_scalar(
        "with e as (insert into outbox_events (event_type, payload, fanned_out_at)
                    values ('vouch.created', '{}', now()) returning id)
         insert into webhook_deliveries (endpoint_id, event_id, status, attempts, last_status)
         select $1, e.id, 'failed', 2, 503 from e returning id",
    )
    .bind(endpoint)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into webhook_attempts (delivery_id, status_code, error, latency_ms)
         values ($1, 500, 'status 500', 120), ($1, 503, 'status 503', 345)",
    )
    .bind(delivery)
    .execute(&app.pool)
    .await
    .unwrap();
    let page = app
        .html(&format!("/partners/{id}/webhooks"), Some(&cookie))
        .await;
    assert!(
        page.contains("500, 120 ms") && page.contains("503, 345 ms"),
        "{page}"
    );
    let redeliver = format!("/partners/{id}/webhooks/{endpoint}/deliveries/{delivery}/redeliver");
    assert!(page.contains(&redeliver));

    let response = app
        .post_form(&redeliver, Some(&cookie), &[("csrf", petra.csrf.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/partners/{id}/webhooks?done=redelivered")
    );
    let (status, manual): (String, bool) =
        sqlx::query_as("select status, manual from webhook_deliveries where id = $1")
            .bind(delivery)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), manual), ("pending", true));
    let page = app
        .html(&format!("/partners/{id}/webhooks"), Some(&cookie))
        .await;
    assert!(page.contains(">pending<"), "{page}");

    // A delivery that arrived, sent again by hand, still reads as delivered while the new
    // attempt waits.
    sqlx::query(
        "update webhook_deliveries set status = 'delivered', delivered_at = now(), manual = false
         where id = $1",
    )
    .bind(delivery)
    .execute(&app.pool)
    .await
    .unwrap();
    let response = app
        .post_form(&redeliver, Some(&cookie), &[("csrf", petra.csrf.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app
        .html(&format!("/partners/{id}/webhooks"), Some(&cookie))
        .await;
    assert!(page.contains("delivered; sending again"), "{page}");
}

#[sqlx::test]
async fn an_endpoint_can_be_tested_disabled_enabled_and_deleted_from_its_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let petra = app.signup("Petra Owner", "petra@example.com").await;
    let id = create_partner(&app, &petra, "").await;
    let cookie = petra.cookie();
    let response = app
        .post_form(
            &format!("/partners/{id}/webhooks"),
            Some(&cookie),
            &[
                ("csrf", petra.csrf.as_str()),
                ("url", "https://hooks.example/vouchgraph"),
                ("event_types", "vouch.created"),
            ],
        )
        .await;
    expect_page(response, StatusCode::CREATED).await;
    let endpoint: i64 = sqlx::query_scalar("select id from webhook_endpoints")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let base = format!("/partners/{id}/webhooks/{endpoint}");
    let csrf = [("csrf", petra.csrf.as_str())];

    // A test event: queued for this endpoint, in its log.
    let response = app
        .post_form(&format!("{base}/test"), Some(&cookie), &csrf)
        .await;
    assert_eq!(
        location(&response),
        format!("/partners/{id}/webhooks?done=test-sent")
    );
    let page = app.html(&location(&response), Some(&cookie)).await;
    assert!(page.contains("webhook.test"), "{page}");
    assert!(page.contains("A test event is on its way"), "{page}");

    // Disabled: said so, and no test can be sent; enabled again.
    let off = [("csrf", petra.csrf.as_str()), ("enabled", "false")];
    let response = app
        .post_form(&format!("{base}/enabled"), Some(&cookie), &off)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.html(&location(&response), Some(&cookie)).await;
    assert!(page.contains("Endpoint disabled"), "{page}");
    assert!(!page.contains(&format!("{base}/test")), "{page}");
    let on = [("csrf", petra.csrf.as_str()), ("enabled", "true")];
    app.post_form(&format!("{base}/enabled"), Some(&cookie), &on)
        .await;
    let page = app
        .html(&format!("/partners/{id}/webhooks"), Some(&cookie))
        .await;
    assert!(page.contains(&format!("{base}/test")), "{page}");

    // Someone else cannot touch it.
    let ben = app.signup("Ben Other", "ben@example.com").await;
    let response = app
        .post_form(
            &format!("{base}/delete"),
            Some(&ben.cookie()),
            &[("csrf", ben.csrf.as_str())],
        )
        .await;
    assert!(
        matches!(
            response.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        response.status()
    );
    // Deleted, with its log.
    let response = app
        .post_form(&format!("{base}/delete"), Some(&cookie), &csrf)
        .await;
    assert_eq!(
        location(&response),
        format!("/partners/{id}/webhooks?done=endpoint-deleted")
    );
    let page = app
        .html(&format!("/partners/{id}/webhooks"), Some(&cookie))
        .await;
    assert!(page.contains("No endpoints yet"), "{page}");
}
