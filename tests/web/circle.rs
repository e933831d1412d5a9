//! Building a circle on the pages: the first-run guide, people you may know with one-click
//! trust, offers to trust an inviter back, the invite form with its errors in place, `/join`,
//! and the address book that shows what it will do before it does it.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{spawn_app, TestApp, TestUser};
use crate::helpers::{expect_page, location};

/// Marks an address proved, as following the emailed link would.
async fn prove(app: &TestApp, who: &TestUser) {
    sqlx::query("update accounts set email_verified_at = now() where person_id = $1")
        .bind(who.id)
        .execute(&app.pool)
        .await
        .unwrap();
}

#[sqlx::test]
async fn a_newcomer_is_guided_to_a_first_circle_through_people_they_may_know(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ben = app.signup("Ben Carter", "ben@example.com").await;
    let cara = app.signup("Cara Diaz", "cara@example.com").await;
    let dora = app.signup("Dora Kent", "dora@example.com").await;
    // Cara -> Ben, level 2, public: his neighbour already trusts him
    app.trust(&cara, &ben, 2, "public").await;
    // Dora -> Ben, level 3, private: Ben may not know, so she is never suggested
    app.trust(&dora, &ben, 3, "private").await;

    let page = app.html("/circle", Some(&ben.cookie())).await;
    assert!(page.contains("Start your circle: 0 of 3"), "{page}");
    assert!(page.contains("public reputation"), "{page}");
    assert!(page.contains("People you may know"), "{page}");
    assert!(page.contains("trusts your judgement"), "{page}");
    assert!(page.contains("Trust Cara Diaz"), "{page}");
    assert!(
        !page.contains("Dora Kent"),
        "a private edge suggested someone: {page}"
    );

    // His searches say plainly that they are public reputation until he trusts someone.
    let search = app
        .html("/search?trade=tiler&near=", Some(&ben.cookie()))
        .await;
    assert!(search.contains("You trust nobody yet"), "{search}");

    // One click trusts her; the guide counts it.
    let response = app
        .post_form(
            "/circle/trust",
            Some(&ben.cookie()),
            &[
                ("csrf", &ben.csrf),
                ("person_id", &cara.id.to_string()),
                ("level", "2"),
                ("visibility", "network"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.html("/circle", Some(&ben.cookie())).await;
    assert!(page.contains("Start your circle: 1 of 3"), "{page}");
    assert!(!page.contains("Trust Cara Diaz</button>"), "{page}");
    let search = app
        .html("/search?trade=tiler&near=", Some(&ben.cookie()))
        .await;
    assert!(!search.contains("You trust nobody yet"), "{search}");
}

#[sqlx::test]
async fn a_refused_invitation_keeps_what_was_typed_beside_the_message(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let response = app
        .post_form(
            "/circle/invite",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("email", "not an address"),
                ("note", "you will like it here"),
            ],
        )
        .await;
    let page = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(page.contains("id=\"invite-email-error\""), "{page}");
    assert!(page.contains("must be an email address"), "{page}");
    assert!(
        page.contains("you will like it here"),
        "the note was lost: {page}"
    );
    assert!(page.contains("value=\"not an address\""), "{page}");
    assert!(page.contains("My circle"), "the page kept its menu: {page}");

    let response = app
        .post_form(
            "/circle/invite",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("email", "ben@example.com"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/circle?done=invited");
    let page = app.html("/circle", Some(&anna.cookie())).await;
    assert!(page.contains("ben@example.com"), "{page}");
    assert!(page.contains("waiting"), "{page}");
}

#[sqlx::test]
async fn an_invitation_link_leads_to_sign_up_or_to_an_offer_to_trust_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let ben = app.signup("Ben Carter", "ben@example.com").await;
    app.api_post(
        "/v1/me/circle/invitations",
        Some(&anna.token),
        &serde_json::json!({ "email": "ben.home@example.com", "note": "join me" }),
        StatusCode::ACCEPTED,
    )
    .await;
    sqlx::query(
        "update circle_invitations set token_hash = sha256(convert_to('link-for-ben', 'UTF8'))",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    // Someone not signed in goes on to sign up with the token.
    let response = app.page("/join?token=link-for-ben", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert_eq!(to, "/signup?circle=link-for-ben");
    let signup = app.html(&to, None).await;
    assert!(
        signup.contains("name=\"circle\" value=\"link-for-ben\""),
        "{signup}"
    );

    // Ben, signed in, joins at once and is offered to trust Anna back.
    let response = app
        .page("/join?token=link-for-ben", Some(&ben.cookie()))
        .await;
    assert_eq!(location(&response), "/circle?done=joined");
    let page = app.html("/circle?done=joined", Some(&ben.cookie())).await;
    assert!(page.contains("Trust Anna Berg back"), "{page}");
    assert!(page.contains("join me"), "{page}");
    // A link used once leads nowhere the second time.
    let response = app
        .page("/join?token=link-for-ben", Some(&ben.cookie()))
        .await;
    assert_eq!(location(&response), "/circle?done=join-expired");

    // "No thanks" closes the offer.
    let offer: i64 = sqlx::query_scalar("select id from circle_invitations")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let response = app
        .post_form(
            "/circle/offers/decline",
            Some(&ben.cookie()),
            &[("csrf", &ben.csrf), ("id", &offer.to_string())],
        )
        .await;
    assert_eq!(location(&response), "/circle?done=declined");
    let page = app.html("/circle", Some(&ben.cookie())).await;
    assert!(!page.contains("Trust Anna Berg back"), "{page}");
}

#[sqlx::test]
async fn an_address_book_shows_what_it_found_and_does_only_what_is_chosen(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let jo = app.signup("Jo Bell", "jo@example.com").await;
    prove(&app, &matt).await;
    prove(&app, &jo).await;

    let page = app.html("/circle/import", Some(&anna.cookie())).await;
    assert!(page.contains("Nothing happens until you choose"), "{page}");
    let csv = "Name,Email\nMatt,matt@example.com\nJo,jo@example.com\nNew,new.friend@example.com\n";
    let response = app
        .post_form(
            "/circle/import",
            Some(&anna.cookie()),
            &[("csrf", &anna.csrf), ("contacts", csv)],
        )
        .await;
    let page = expect_page(response, StatusCode::OK).await;
    assert!(page.contains("2 of your 3 contacts are here"), "{page}");
    assert!(page.contains("Matt Hughes"), "{page}");
    assert!(page.contains("new.friend@example.com"), "{page}");
    assert!(page.contains("This will"), "{page}");
    // Nothing was done yet.
    let trusted: i64 = sqlx::query_scalar("select count(*) from trust_edges")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(trusted, 0);

    // Anna keeps Matt ticked, unticks Jo, and invites the new friend.
    let response = app
        .post_form(
            "/circle/import/apply",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("trust", &matt.id.to_string()),
                ("level", "1"),
                ("visibility", "network"),
                ("invite", "new.friend@example.com"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(location(&response), "/circle?done=imported");
    let edges: Vec<(i64, i16, String)> =
        sqlx::query_as("select trustee_id, level, visibility from trust_edges")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(edges, [(matt.id, 1, "network".to_string())]);
    let invited: Vec<String> = sqlx::query_scalar("select email from circle_invitations")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(invited, ["new.friend@example.com"]);

    // Text with no address is refused beside the field, the text kept.
    let response = app
        .post_form(
            "/circle/import",
            Some(&anna.cookie()),
            &[("csrf", &anna.csrf), ("contacts", "just some words")],
        )
        .await;
    let page = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(page.contains("id=\"contacts-error\""), "{page}");
    assert!(page.contains("just some words"), "{page}");
    let _ = jo;
}

#[sqlx::test]
async fn namesakes_are_told_apart_by_who_trusts_them_and_a_trusted_one_shows_its_level(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let sam_one = app.signup("Sam Lee", "sam1@example.com").await;
    let sam_two = app.signup("Sam Lee", "sam2@example.com").await;
    // Anna -> Matt, level 3, private (her own edge: she may see it)
    app.trust(&anna, &matt, 3, "private").await;
    // Matt -> Sam one, level 2, public: Anna reads "trusted by Matt Hughes"
    app.trust(&matt, &sam_one, 2, "public").await;
    // Matt -> Sam two, level 2, private: nobody reads it
    app.trust(&matt, &sam_two, 2, "private").await;

    let page = app.html("/circle?q=Sam", Some(&anna.cookie())).await;
    let row = |id: i64| {
        let start = page
            .find(&format!("data-person-id=\"{id}\""))
            .expect("the row");
        page[start..].split("</li>").next().unwrap().to_string()
    };
    assert!(row(sam_one.id).contains("trusted by Matt Hughes"), "{page}");
    assert!(!row(sam_two.id).contains("trusted by"), "{page}");
    assert!(row(sam_two.id).contains("joined"), "{page}");

    // Anna trusts Matt completely: found again, his form shows level 3 and "only me", so
    // pressing it changes nothing.
    let page = app.html("/circle?q=Matt", Some(&anna.cookie())).await;
    let start = page.find("id=\"level-hit-").unwrap();
    let form = &page[start..start + 600];
    assert!(form.contains("value=\"3\" selected"), "{form}");
    let start = page.find("id=\"visibility-hit-").unwrap();
    let form = &page[start..start + 600];
    assert!(form.contains("value=\"private\" selected"), "{form}");
}

#[sqlx::test]
async fn someone_a_friend_trusts_is_trusted_from_the_network_page_in_one_click(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let matt = app.signup("Matt Hughes", "matt@example.com").await;
    let sam = app.signup("Sam Lee", "sam@example.com").await;
    // Anna -> Matt, level 3, public
    app.trust(&anna, &matt, 3, "public").await;
    // Matt -> Sam, level 2, public: Sam is in Anna's second ring
    app.trust(&matt, &sam, 2, "public").await;

    let page = app.html("/network", Some(&anna.cookie())).await;
    let start = page
        .find(&format!("data-person-id=\"{}\"", sam.id))
        .unwrap();
    let row = page[start..].split("</li>").next().unwrap();
    assert!(row.contains("action=\"/circle/trust\""), "{row}");

    let sam_id = sam.id.to_string();
    let fields = [
        ("csrf", anna.csrf.as_str()),
        ("person_id", sam_id.as_str()),
        ("level", "1"),
        ("visibility", "network"),
        ("back", "network"),
    ];
    let response = app
        .post_form("/circle/trust", Some(&anna.cookie()), &fields)
        .await;
    assert_eq!(location(&response), "/network?done=trusted");
    let (level, visibility): (i16, String) = sqlx::query_as(
        "select level, visibility from trust_edges where truster_id = $1 and trustee_id = $2",
    )
    .bind(anna.id)
    .bind(sam.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((level, visibility.as_str()), (1, "network"));
    // Now in her own ring, with no one-click form that could lower a level she chose.
    let page = app.html("/network", Some(&anna.cookie())).await;
    let start = page
        .find(&format!("data-person-id=\"{}\"", sam.id))
        .unwrap();
    let row = page[start..].split("</li>").next().unwrap();
    assert!(!row.contains("/circle/trust"), "{row}");
}
