//! `/settings`: a person changes their name and home and their password on one page, and a
//! refused form keeps what was typed, with the message beside its field.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::common::spawn_app;
use crate::helpers::{expect_page, location, set_cookie};

#[sqlx::test]
async fn a_person_changes_their_name_home_and_password_on_one_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let anna = app.signup("Anna Berg", "anna@example.com").await;
    let page = app.html("/settings", Some(&anna.cookie())).await;
    for section in [
        "Your name and home",
        "Password",
        "Email",
        "Your business",
        "Your data",
    ] {
        assert!(page.contains(section), "{section}: {page}");
    }

    // A home typed as a place; a name changed.
    let response = app
        .post_form(
            "/settings/profile",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("display_name", "Anna Berg-Lund"),
                ("home", "Redland, Bristol"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings?done=saved");
    let page = app.html("/settings", Some(&anna.cookie())).await;
    assert!(page.contains("value=\"Anna Berg-Lund\""), "{page}");
    assert!(page.contains("Redland"), "{page}");

    // An empty name and an unknown place: both messages beside their fields, nothing lost.
    let response = app
        .post_form(
            "/settings/profile",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("display_name", ""),
                ("home", "Nowhereshire Flats"),
            ],
        )
        .await;
    let page = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(page.contains("id=\"display_name-error\""), "{page}");
    assert!(page.contains("id=\"home-error\""), "{page}");
    assert!(page.contains("value=\"Nowhereshire Flats\""), "{page}");

    // A wrong current password changes nothing.
    let response = app
        .post_form(
            "/settings/password",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("current_password", "not my password"),
                ("new_password", "a much better password 7"),
            ],
        )
        .await;
    let page = expect_page(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(page.contains("id=\"current-error\""), "{page}");

    // The right one: a fresh session here, and the old one ends.
    let response = app
        .post_form(
            "/settings/password",
            Some(&anna.cookie()),
            &[
                ("csrf", &anna.csrf),
                ("current_password", crate::common::PASSWORD),
                ("new_password", "a much better password 7"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings?done=password");
    let fresh = set_cookie(&response, "vg_session").expect("a new session cookie");
    let old = app.page("/settings", Some(&anna.cookie())).await;
    assert_eq!(old.status(), StatusCode::SEE_OTHER, "the old session ended");
    let page = app
        .html("/settings", Some(&format!("vg_session={fresh}")))
        .await;
    assert!(page.contains("Anna Berg-Lund"), "{page}");
}
