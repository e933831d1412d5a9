//! A provider's editor and dashboard are for its owner only.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{expect_page, location, spawn_app};

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
