//! A provider's editor and dashboard are for its owner only.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{spawn_app, TestUser};
use crate::helpers::{expect_page, location};

#[sqlx::test]
async fn only_the_owner_sees_the_dashboard_and_the_editor(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let stranger = app.signup("Stella Price", "stella@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;

    for page in ["dashboard", "edit"] {
        let path = format!("/providers/{provider}/{page}");
        let response = app.page(&path, Some(&stranger.cookie())).await;
        let html = expect_page(response, StatusCode::FORBIDDEN).await;
        assert!(html.contains("Only the provider&#39;s owner may"), "{html}");
        app.html(&path, Some(&mario.cookie())).await;
    }
    let fields = [
        ("csrf", stranger.csrf.as_str()),
        ("name", "Stolen Tiling"),
        ("trades", "tiler"),
        ("lat", "51.5"),
        ("lon", "-0.12"),
        ("radius_km", "5"),
    ];
    let response = app
        .post_form(
            &format!("/providers/{provider}/edit"),
            Some(&stranger.cookie()),
            &fields,
        )
        .await;
    expect_page(response, StatusCode::FORBIDDEN).await;
    let name: String = sqlx::query_scalar("select name from providers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Rossi Tiling");

    let dashboard = app
        .html(
            &format!("/providers/{provider}/dashboard"),
            Some(&mario.cookie()),
        )
        .await;
    assert!(dashboard.contains("Referral funnel"));
    assert!(dashboard.contains(r#"<svg class="funnel""#));
    assert!(
        dashboard.contains(&format!("/providers/{provider}#vouch")),
        "the share link"
    );
}

#[sqlx::test]
async fn the_editor_saves_a_valid_profile_and_explains_a_bad_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    let path = format!("/providers/{provider}/edit");

    let bad = [
        ("csrf", mario.csrf.as_str()),
        ("name", " "),
        ("lat", "200"),
        ("lon", "0"),
        ("radius_km", "0"),
    ];
    let response = app.post_form(&path, Some(&mario.cookie()), &bad).await;
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("Name must not be empty"));
    assert!(html.contains("pick at least one trade"));
    assert!(html.contains("latitude must be -90 to 90"));

    let good = [
        ("csrf", mario.csrf.as_str()),
        ("name", "Rossi Tiling & Stone"),
        ("description", "Floors"),
        ("trades", "tiler"),
        ("trades", "plasterer"),
        ("lat", "51.45"),
        ("lon", "-2.6"),
        ("radius_km", "12"),
        ("phone", ""),
        ("email", ""),
        ("website", "https://rossi.example"),
    ];
    let response = app.post_form(&path, Some(&mario.cookie()), &good).await;
    assert_eq!(
        location(&response),
        format!("/providers/{provider}?done=saved")
    );
    let page = app
        .html(&format!("/providers/{provider}?done=saved"), None)
        .await;
    assert!(
        page.contains("Rossi Tiling &amp; Stone") || page.contains("Rossi Tiling &#38; Stone"),
        "{page}"
    );
    assert!(page.contains("Plasterer, Tiler"));
}

#[sqlx::test]
async fn a_tradesperson_lists_their_business_from_the_web_with_errors_in_place(pool: PgPool) {
    let app = spawn_app(pool).await;
    let lena = app.signup("Lena Park", "lena@example.com").await;
    // A stranger is sent to log in first, and comes back to the form.
    let response = app.page("/providers/new", None).await;
    assert!(location(&response).starts_with("/login"), "{response:?}");
    let settings = app.html("/settings", Some(&lena.cookie())).await;
    assert!(settings.contains(r#"href="/providers/new""#), "{settings}");
    let form = app.html("/providers/new", Some(&lena.cookie())).await;
    assert!(form.contains("List your business"));
    assert!(!form.contains("Dropping a trade"), "nothing to drop yet");

    // A refused listing keeps what was typed, each message beside its field; nothing is stored.
    let bad = [
        ("csrf", lena.csrf.as_str()),
        ("name", "Park Plastering"),
        ("description", "Lime plaster and cornices."),
        ("lat", ""),
        ("lon", ""),
        ("base", ""),
        ("radius_km", "0"),
    ];
    let response = app
        .post_form("/providers/new", Some(&lena.cookie()), &bad)
        .await;
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains("pick at least one trade"), "{html}");
    assert!(html.contains(r#"value="Park Plastering""#));
    assert!(html.contains("Lime plaster and cornices."));
    let stored: i64 = sqlx::query_scalar("select count(*) from providers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let good = [
        ("csrf", lena.csrf.as_str()),
        ("name", "Park Plastering"),
        ("description", "Lime plaster and cornices."),
        ("trades", "plasterer"),
        ("lat", "51.45"),
        ("lon", "-2.6"),
        ("base", ""),
        ("radius_km", "8"),
        // Typed as people type it: read as https://.
        ("website", "parkplastering.example"),
    ];
    let response = app
        .post_form("/providers/new", Some(&lena.cookie()), &good)
        .await;
    let to = location(&response);
    assert!(to.ends_with("/dashboard?done=listed"), "{to}");
    // Hers: the dashboard opens for her, and the settings page lists it.
    let dashboard = app.html(&to, Some(&lena.cookie())).await;
    assert!(dashboard.contains("Your business is listed"), "{dashboard}");
    let settings = app.html("/settings", Some(&lena.cookie())).await;
    assert!(settings.contains("Park Plastering"));
    let (owner, website): (i64, Option<String>) =
        sqlx::query_as("select owner_id, website from providers")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(owner, lena.id);
    assert_eq!(website.as_deref(), Some("https://parkplastering.example"));
}

/// `referrer` refers the tiler `provider` to `recipient`; returns the referral's id.
async fn refer(
    app: &crate::common::TestApp,
    referrer: &TestUser,
    provider: i64,
    recipient: &TestUser,
) -> i64 {
    let referral = app
        .api_post(
            "/v1/referrals",
            Some(&referrer.token),
            &serde_json::json!({ "provider_id": provider, "trade": "tiler", "recipient_id": recipient.id }),
            StatusCode::CREATED,
        )
        .await;
    referral["id"].as_i64().unwrap()
}

#[sqlx::test]
async fn the_dashboard_lists_customers_and_asks_for_the_call_a_customer_has_waited_for(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    // Rita refers Mario's business to Rob, who accepts; a week ago, so the call is overdue.
    let id = refer(&app, &rita, provider, &rob).await;
    app.api_post(
        &format!("/v1/referrals/{id}/transitions"),
        Some(&rob.token),
        &serde_json::json!({ "to": "accepted" }),
        StatusCode::OK,
    )
    .await;
    sqlx::query("update referrals set accepted_at = now() - interval '7 days' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();

    let path = format!("/providers/{provider}/dashboard");
    let dashboard = app.html(&path, Some(&mario.cookie())).await;
    assert!(dashboard.contains("Waiting for your call"), "{dashboard}");
    assert!(
        dashboard.contains("I have contacted Rob Quinn"),
        "{dashboard}"
    );
    assert!(dashboard.contains("Your customers"), "{dashboard}");
    assert!(
        dashboard.contains("Rita Moreno"),
        "who referred Rob: {dashboard}"
    );
    assert!(dashboard.contains(&format!("/v1/providers/{provider}/customers.csv")));

    // Marking him contacted from the dashboard clears the reminder.
    let response = app
        .post_form(
            &format!("/referrals/{id}/move"),
            Some(&mario.cookie()),
            &[("csrf", mario.csrf.as_str()), ("to", "contacted")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        location(&response)
    );
    let dashboard = app.html(&path, Some(&mario.cookie())).await;
    assert!(!dashboard.contains("Waiting for your call"), "{dashboard}");
    // Only those in progress: Rob is there; nobody is done.
    let in_progress = app
        .html(&format!("{path}?book=in_progress"), Some(&mario.cookie()))
        .await;
    assert!(in_progress.contains("Rob Quinn"), "{in_progress}");
    let done = app
        .html(&format!("{path}?book=done"), Some(&mario.cookie()))
        .await;
    assert!(done.contains("No customers here yet"), "{done}");
}

#[sqlx::test]
async fn after_a_job_that_went_well_the_dashboard_asks_the_customer_for_a_vouch_in_one_click(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    let id = refer(&app, &rita, provider, &rob).await;
    // Rob accepts, Mario calls, Rob hires him, and Rob says it went well.
    for (who, to) in [(&rob, "accepted"), (&mario, "contacted"), (&rob, "hired")] {
        app.api_post(
            &format!("/v1/referrals/{id}/transitions"),
            Some(&who.token),
            &serde_json::json!({ "to": to }),
            StatusCode::OK,
        )
        .await;
    }
    app.api_post(
        &format!("/v1/referrals/{id}/transitions"),
        Some(&rob.token),
        &serde_json::json!({ "to": "completed", "outcome": "good" }),
        StatusCode::OK,
    )
    .await;

    let path = format!("/providers/{provider}/dashboard");
    let dashboard = app.html(&path, Some(&mario.cookie())).await;
    assert!(
        dashboard.contains("Ask Rob Quinn for a vouch"),
        "{dashboard}"
    );
    let response = app
        .post_form(
            &format!("/providers/{provider}/customers/{}/vouch-request", rob.id),
            Some(&mario.cookie()),
            &[("csrf", mario.csrf.as_str())],
        )
        .await;
    assert_eq!(
        location(&response),
        format!("{path}?done=asked#c{}", rob.id)
    );
    let inbox = app.html("/inbox", Some(&rob.cookie())).await;
    assert!(inbox.contains("Vouch for Rossi Tiling"), "{inbox}");
    assert!(
        inbox.contains(&format!("/providers/{provider}#vouch")),
        "{inbox}"
    );
}

#[sqlx::test]
async fn a_customer_in_the_book_opens_to_their_history_in_words_and_keeps_the_note_there(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let rita = app.signup("Rita Moreno", "rita@example.com").await;
    let rob = app.signup("Rob Quinn", "rob@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    // Rita refers Mario's business to Rob, who accepts.
    let id = refer(&app, &rita, provider, &rob).await;
    app.api_post(
        &format!("/v1/referrals/{id}/transitions"),
        Some(&rob.token),
        &serde_json::json!({ "to": "accepted" }),
        StatusCode::OK,
    )
    .await;

    // The book links to Rob's page.
    let dashboard = app
        .html(
            &format!("/providers/{provider}/dashboard"),
            Some(&mario.cookie()),
        )
        .await;
    let path = format!("/providers/{provider}/customers/{}", rob.id);
    assert!(
        dashboard.contains(&format!("href=\"{path}\"")),
        "{dashboard}"
    );
    let page = app.html(&path, Some(&mario.cookie())).await;
    assert!(page.contains("Rita Moreno referred them to you."), "{page}");
    assert!(page.contains("They accepted the referral"), "{page}");

    // A note saved there comes back to the same page, and shows in the history.
    let response = app
        .post_form(
            &format!("{path}/note"),
            Some(&mario.cookie()),
            &[
                ("csrf", mario.csrf.as_str()),
                ("note", "call after 6"),
                ("back", "customer"),
            ],
        )
        .await;
    assert_eq!(location(&response), format!("{path}?done=saved"));
    let page = app.html(&path, Some(&mario.cookie())).await;
    assert!(page.contains("call after 6"), "{page}");
    assert!(page.contains("You last changed your note"), "{page}");

    // Nobody else opens it: Rob himself gets the refusal page.
    let theirs = app.page(&path, Some(&rob.cookie())).await;
    assert_eq!(theirs.status(), StatusCode::FORBIDDEN);
}
