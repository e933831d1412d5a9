//! `/account/delete` and `/account/export`: the delete page confirms with the password, keeps a
//! wrong one on the page with its message, and a right one deletes the account through the
//! API's own use case; the data page prepares an archive in the background that downloads once.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::{eventually, spawn_app, PASSWORD};
use crate::helpers::{expect_page, location};

#[sqlx::test]
async fn deleting_an_account_from_its_page_needs_the_password_and_then_says_goodbye(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let page = app.html("/account/delete", Some(&anna.cookie())).await;
    assert!(page.contains("Type your password to confirm"), "{page}");

    let wrong = [("csrf", anna.csrf.as_str()), ("password", "not it")];
    let response = app
        .post_form("/account/delete", Some(&anna.cookie()), &wrong)
        .await;
    let again = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(again.contains("this is not your password"), "{again}");

    let right = [("csrf", anna.csrf.as_str()), ("password", PASSWORD)];
    let response = app
        .post_form("/account/delete", Some(&anna.cookie()), &right)
        .await;
    assert_eq!(location(&response), "/?done=deleted");
    let names: i64 =
        sqlx::query_scalar("select count(*) from people where display_name = 'Anna Berg'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(names, 0);
    // The old session opens nothing.
    let after = app.page("/account/delete", Some(&anna.cookie())).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&after).starts_with("/login"),
        "{}",
        location(&after)
    );
}

#[sqlx::test]
async fn the_data_page_prepares_an_archive_that_downloads_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;

    let page = app.html("/account/export", Some(&anna.cookie())).await;
    assert!(page.contains("Prepare my archive"), "{page}");

    let ask = [("csrf", anna.csrf.as_str())];
    let response = app
        .post_form("/account/export", Some(&anna.cookie()), &ask)
        .await;
    assert_eq!(location(&response), "/account/export");
    // Being prepared, then ready (the page says which; no second archive is offered meanwhile).
    let ready = eventually("the archive to be ready", || async {
        let page = app.html("/account/export", Some(&anna.cookie())).await;
        if page.contains("Your archive is ready") {
            return Some(page);
        }
        assert!(page.contains("being prepared"), "{page}");
        assert!(!page.contains("Prepare my archive"), "{page}");
        None
    })
    .await;
    let start = ready.find("/account/export/").unwrap();
    let link: String = ready[start..].chars().take_while(|c| *c != '"').collect();
    assert!(link.ends_with("/download"), "{link}");

    let file = app.page(&link, Some(&anna.cookie())).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let archive: serde_json::Value = file.json().await.unwrap();
    assert_eq!(archive["account"]["email"], "anna@example.com");

    // The link works once: the page says so, and offers a new one.
    let again = app.page(&link, Some(&anna.cookie())).await;
    let again = expect_page(again, StatusCode::CONFLICT).await;
    assert!(again.contains("a link works once"), "{again}");
    assert!(again.contains("Prepare my archive"), "{again}");
    // Another person's link is no way in: it leads back to their own page.
    let ben = app.signup("Ben Okoro", "ben@example.com").await;
    let theirs = app.page(&link, Some(&ben.cookie())).await;
    assert_eq!(location(&theirs), "/account/export");
}
