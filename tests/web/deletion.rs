//! `/account/delete`: the page confirms with the password, keeps a wrong one on the page with
//! its message, and a right one deletes the account through the API's own use case.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{expect_page, location, spawn_app, PASSWORD};

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
