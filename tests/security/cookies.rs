//! Session cookies are `Secure` by default outside loopback (issue 14): a server that listens
//! on a non-loopback address is reached over a network, behind TLS, and its session cookie must
//! never travel over plain http there. Only the demo's loopback address defaults to plain.

use serde_json::json;
use sqlx::PgPool;

use crate::common::{server, sign_up, PASSWORD};

/// Signs up on `base` and logs in once more; returns that login's session `Set-Cookie`.
async fn session_cookie(base: &str, email: &str) -> String {
    let client = reqwest::Client::new();
    // The sign-up's own login answers with a cookie too, but `sign_up` reads only its body.
    sign_up(&client, base, "Cookie Person", email).await;
    let login = client
        .post(format!("{base}/v1/sessions"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 201);
    login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("vg_session="))
        .expect("a session cookie")
}

/// The pre-sign-in form cookie the login page sets on `base`.
async fn form_cookie(base: &str) -> String {
    let page = reqwest::get(format!("{base}/login")).await.unwrap();
    page.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("vg_form="))
        .expect("a form cookie")
}

fn is_secure(cookie: &str) -> bool {
    cookie
        .split(';')
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"))
}

#[sqlx::test]
async fn session_and_form_cookies_are_secure_by_default_outside_loopback(pool: PgPool) {
    let cheap = [("VOUCHGRAPH_ARGON2_MEMORY_KIB", "1024")];
    // Listening on every address: reachable from the network.
    let public = server::start(&pool, "0.0.0.0", &cheap).await;
    let cookie = session_cookie(&public.address, "wide@sec.test").await;
    assert!(is_secure(&cookie), "not Secure: {cookie}");
    // The login and sign-up forms' own cookie too.
    let form = form_cookie(&public.address).await;
    assert!(is_secure(&form), "not Secure: {form}");
    drop(public);

    // The demo, on loopback only, over plain http.
    let local = server::start(&pool, "127.0.0.1", &cheap).await;
    let cookie = session_cookie(&local.address, "local@sec.test").await;
    assert!(!is_secure(&cookie), "Secure on loopback: {cookie}");
    assert!(!is_secure(&form_cookie(&local.address).await));
    drop(local);

    // The setting still wins either way.
    let mut forced = cheap.to_vec();
    forced.push(("VOUCHGRAPH_SECURE_COOKIES", "false"));
    let plain = server::start(&pool, "0.0.0.0", &forced).await;
    let cookie = session_cookie(&plain.address, "plain@sec.test").await;
    assert!(!is_secure(&cookie), "{cookie}");
}
