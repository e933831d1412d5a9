//! The request pages: Anna asks her circle through the form, Matt answers from his requests
//! page, Anna sees his answer ranked with its path, asks the provider he suggested to get in
//! touch, and closes the request saying he helped.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::spawn_app;
use crate::helpers::{expect_page, location};

#[sqlx::test]
async fn anna_asks_matt_answers_and_anna_closes_the_request(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let olga = app.signup("Olga Rossi", "olga@example.com").await;
    let rossi = app.create_provider(&olga, "Rossi Tiling").await;
    // Anna -> Matt, level 3, public
    app.trust(&anna, &matt, 3, "public").await;
    // Matt recommends Rossi Tiling, publicly
    app.vouch(&matt, rossi, "recommend", "public", "Did my bathroom")
        .await;

    let page = app.html("/requests", Some(&anna.cookie())).await;
    assert!(page.contains("Does anyone know a good"), "{page}");
    let response = app
        .post_form(
            "/requests",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("trade", "tiler"),
                ("note", "bathroom re-tile, small flat"),
                ("near", ""),
                ("deadline", ""),
                ("visibility", "circle"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(
        to.starts_with("/requests/") && to.ends_with("?done=request-asked"),
        "{to}"
    );
    let id: i64 = to["/requests/".len()..to.find('?').unwrap()]
        .parse()
        .unwrap();
    let mine = app
        .html(&format!("/requests/{id}"), Some(&anna.cookie()))
        .await;
    assert!(mine.contains("1 person"), "sent to Matt: {mine}");

    // Matt finds it among the requests asked of him, named: Anna trusts him.
    let his = app.html("/requests", Some(&matt.cookie())).await;
    assert!(his.contains("Anna Berg</strong> asks for a tiler"), "{his}");
    // He already recommends Rossi Tiling: suggesting it is one button on the card.
    assert!(his.contains("Suggest Rossi Tiling"), "{his}");
    let form = app
        .html(&format!("/requests/{id}"), Some(&matt.cookie()))
        .await;
    assert!(
        form.contains("Rossi Tiling"),
        "the providers to suggest: {form}"
    );
    let response = app
        .post_form(
            &format!("/requests/{id}/answer"),
            Some(&matt.cookie()),
            &[
                ("csrf", &matt.csrf),
                ("provider_id", &rossi.to_string()),
                ("note", "Call Mario"),
                ("vouch", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Answered: the one-click button for Rossi Tiling is gone from his card.
    let his = app.html("/requests", Some(&matt.cookie())).await;
    assert!(!his.contains("Suggest Rossi Tiling"), "{his}");
    // Cara, whom it never reached, gets a 404 page.
    let response = app
        .page(&format!("/requests/{id}"), Some(&cara.cookie()))
        .await;
    expect_page(response, StatusCode::NOT_FOUND).await;

    let answered = app
        .html(&format!("/requests/{id}"), Some(&anna.cookie()))
        .await;
    assert!(
        answered.contains("Matt Hughes (you trust them completely) suggests Rossi Tiling"),
        "{answered}"
    );
    assert!(
        answered.contains("svg"),
        "the trust path is drawn: {answered}"
    );
    // Anna asks Rossi Tiling to get in touch from Matt's answer: a phone that is not one
    // comes back beside that answer, typed as it was; then it goes through and becomes an
    // accepted referral from Matt.
    let answer: i64 = sqlx::query_scalar("select id from request_answers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let take = format!("/requests/{id}/answers/{answer}/take");
    let refused = app
        .post_form(
            &take,
            Some(&anna.cookie()),
            &[("csrf", &anna.csrf), ("phone", "ring me")],
        )
        .await;
    let refused = expect_page(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        refused.contains(&format!("take-error-{answer}")),
        "{refused}"
    );
    assert!(refused.contains("value=\"ring me\""), "{refused}");
    let response = app
        .post_form(
            &take,
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("share_email", "on"),
                ("phone", "07700 900123"),
            ],
        )
        .await;
    let to = location(&response);
    assert!(to.starts_with("/referrals?done=taken#r"), "{to}");
    let taken = app
        .html(&format!("/requests/{id}"), Some(&anna.cookie()))
        .await;
    assert!(
        taken.contains("You asked Rossi Tiling to get in touch"),
        "{taken}"
    );
    let status: String = sqlx::query_scalar("select status from referrals")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "accepted");

    let response = app
        .post_form(
            &format!("/requests/{id}/close"),
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("solved", "on"),
                ("helped_by", &matt.id.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let closed = app
        .html(&format!("/requests/{id}"), Some(&anna.cookie()))
        .await;
    assert!(closed.contains("closed: solved"), "{closed}");
    let helped: bool = sqlx::query_scalar("select helped from request_answers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(helped);
}
