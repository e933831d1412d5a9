//! Vouching and referring from a provider's page, and moving a referral along from the
//! referrals page.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{count, spawn_app};
use crate::helpers::{expect_page, location};

#[sqlx::test]
async fn a_vouch_and_a_referral_made_on_pages_reach_the_recipient_and_the_owner(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let cleo = app.signup("Cleo Customer", "cleo@example.com").await;
    let fran = app.signup("Fran Friend", "fran@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    let base = format!("/providers/{provider}");

    let vouch = [
        ("csrf", cleo.csrf.as_str()),
        ("trade", "tiler"),
        ("stance", "recommend"),
        ("note", "Spotless kitchen floor"),
        ("visibility", "public"),
    ];
    let response = app
        .post_form(&format!("{base}/vouch"), Some(&cleo.cookie()), &vouch)
        .await;
    assert_eq!(location(&response), format!("{base}?done=vouched#vouches"));
    let page = app.html(&base, None).await;
    assert!(page.contains("Spotless kitchen floor"));

    // The owner may not vouch for their own business.
    let own = [
        ("csrf", mario.csrf.as_str()),
        ("trade", "tiler"),
        ("stance", "recommend"),
        ("visibility", "public"),
    ];
    let response = app
        .post_form(&format!("{base}/vouch"), Some(&mario.cookie()), &own)
        .await;
    expect_page(response, StatusCode::FORBIDDEN).await;

    let refer = [
        ("csrf", cleo.csrf.as_str()),
        ("trade", "tiler"),
        ("recipient", "FRAN@example.com"),
        ("note", "You'll like him"),
    ];
    let response = app
        .post_form(&format!("{base}/refer"), Some(&cleo.cookie()), &refer)
        .await;
    // An email address is always an invitation: its link is shown once, for Cleo to pass on,
    // and Fran, logged in, takes the referral with it.
    let invited = expect_page(response, StatusCode::CREATED).await;
    assert_eq!(count(&app.pool, "referrals").await, 1);
    let start = invited
        .find("/invitation?token=")
        .expect("an invitation link");
    let link: String = invited[start..].chars().take_while(|c| *c != '"').collect();
    let landing = app.html(&link, Some(&fran.cookie())).await;
    assert!(landing.contains("Take the referral"), "{landing}");
    let token = link.trim_start_matches("/invitation?token=");
    let claim = [("csrf", fran.csrf.as_str()), ("token", token)];
    let response = app
        .post_form("/invitation", Some(&fran.cookie()), &claim)
        .await;
    assert!(location(&response).starts_with("/referrals?done=claimed#r"));

    let inbox = app.html("/inbox", Some(&fran.cookie())).await;
    assert!(inbox.contains("Cleo Customer referred Rossi Tiling (tiler) to you."));
    // Opening the inbox read what it listed.
    let unread: i64 = sqlx::query_scalar(
        "select count(*) from notifications where person_id = $1 and read_at is null",
    )
    .bind(fran.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unread, 0);
    let referrals = app.html("/referrals", Some(&fran.cookie())).await;
    assert!(referrals.contains(">Accept</button>") && referrals.contains(">Decline</button>"));
    let id: i64 = sqlx::query_scalar("select id from referrals")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let path = format!("/referrals/{id}/move");

    // "Contacted" is the owner's move, not the recipient's; accepting first is.
    let contacted = [("csrf", fran.csrf.as_str()), ("to", "contacted")];
    let response = app.post_form(&path, Some(&fran.cookie()), &contacted).await;
    expect_page(response, StatusCode::CONFLICT).await;
    // A phone number that is not one: the page comes back with the message beside the card's
    // form, what was typed kept, and nothing moved.
    let garbled = [
        ("csrf", fran.csrf.as_str()),
        ("to", "accepted"),
        ("phone", "ring me maybe"),
    ];
    let response = app.post_form(&path, Some(&fran.cookie()), &garbled).await;
    let html = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(html.contains(&format!(r#"id="move-error-{id}""#)), "{html}");
    assert!(html.contains("Phone: a phone number"), "{html}");
    assert!(html.contains(r#"value="ring me maybe""#), "{html}");
    let accept = [("csrf", fran.csrf.as_str()), ("to", "accepted")];
    let response = app.post_form(&path, Some(&fran.cookie()), &accept).await;
    assert_eq!(location(&response), format!("/referrals?done=moved#r{id}"));
    let response = app.post_form(&path, Some(&fran.cookie()), &contacted).await;
    expect_page(response, StatusCode::FORBIDDEN).await;
    // The owner cannot decline on the recipient's behalf.
    let response = app
        .post_form(
            &path,
            Some(&mario.cookie()),
            &[("csrf", mario.csrf.as_str()), ("to", "declined")],
        )
        .await;
    expect_page(response, StatusCode::FORBIDDEN).await;

    let dashboard = app
        .html(&format!("{base}/dashboard"), Some(&mario.cookie()))
        .await;
    assert!(
        dashboard.contains(r#"<dd data-stage="sent">1</dd>"#),
        "{dashboard}"
    );
    assert!(dashboard.contains(r#"<dd data-stage="accepted">1</dd>"#));
    assert!(dashboard.contains("Cleo Customer"));

    // Completing needs an outcome, and only the customer says how it went: Mario may not
    // rate his own job.
    let hired = [("csrf", fran.csrf.as_str()), ("to", "hired")];
    app.post_form(&path, Some(&fran.cookie()), &hired).await;
    let no_outcome = [("csrf", fran.csrf.as_str()), ("to", "completed")];
    let response = app
        .post_form(&path, Some(&fran.cookie()), &no_outcome)
        .await;
    expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let done = |csrf| {
        [
            ("to", "completed"),
            ("outcome", "good"),
            ("rating", "5"),
            ("csrf", csrf),
        ]
    };
    let by_mario = app
        .post_form(&path, Some(&mario.cookie()), &done(mario.csrf.as_str()))
        .await;
    expect_page(by_mario, StatusCode::FORBIDDEN).await;
    let mine = app.html("/referrals", Some(&mario.cookie())).await;
    assert!(!mine.contains("How did it go?"), "{mine}");
    let response = app
        .post_form(&path, Some(&fran.cookie()), &done(fran.csrf.as_str()))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("select status from referrals")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "completed");
}

#[sqlx::test]
async fn a_refused_referral_keeps_the_form_and_the_note_with_the_error_beside_the_field(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let mario = app.signup("Mario Rossi", "mario@example.com").await;
    let cleo = app.signup("Cleo Customer", "cleo@example.com").await;
    let provider = app.create_provider(&mario, "Rossi Tiling").await;
    let base = format!("/providers/{provider}");
    let own = cleo.id.to_string();
    // Not an address; and herself, by her number, refused as the API refuses it.
    for recipient in ["not an email", own.as_str()] {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let fields = [
            ("csrf", cleo.csrf.as_str()),
            ("trade", "tiler"),
            ("recipient", recipient),
            ("note", "He tiled our whole kitchen"),
        ];
        let response = app
            .post_form(&format!("{base}/refer"), Some(&cleo.cookie()), &fields)
            .await;
        let page = expect_page(response, status).await;
        assert!(
            page.contains("id=\"refer-recipient-error\""),
            "{recipient}: {page}"
        );
        assert!(
            page.contains("He tiled our whole kitchen"),
            "the note was lost: {page}"
        );
        assert!(page.contains(&format!("value=\"{recipient}\"")), "{page}");
        assert!(
            page.contains("Rossi Tiling"),
            "the provider's page, with its menu: {page}"
        );
        assert!(page.contains("The referral was not sent"), "{page}");
    }
    assert_eq!(count(&app.pool, "referrals").await, 0);
}
