//! Accounts: the one way a test signs somebody up.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use super::app::TestApp;
use super::problem::expect_json;

/// A password that passes the policy; every test account uses it.
pub const PASSWORD: &str = "tiles and grout 42";

/// A signed-up, logged-in account.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The person id.
    pub id: i64,
    /// The display name.
    pub name: String,
    /// The bearer token of the session made at sign-up (also the `vg_session` cookie's value).
    pub token: String,
    /// That session's CSRF token, which the pages put in every form.
    pub csrf: String,
    /// The sign-up email.
    pub email: String,
    /// The sign-up password.
    pub password: String,
}

impl TestUser {
    /// The account `id` (`name`, `email`, [`PASSWORD`]) signed in with `session`, the
    /// document `POST /v1/sessions` answers.
    pub fn signed_in(id: i64, name: &str, email: &str, session: &Value) -> TestUser {
        TestUser {
            id,
            name: name.to_string(),
            token: session["token"].as_str().expect("a token").to_string(),
            csrf: session["csrf_token"]
                .as_str()
                .expect("a CSRF token")
                .to_string(),
            email: email.to_string(),
            password: PASSWORD.to_string(),
        }
    }

    /// The `Cookie` header a browser signed in as this user sends.
    pub fn cookie(&self) -> String {
        format!("vg_session={}", self.token)
    }
}

/// Signs up `name` with `email` and [`PASSWORD`] on the server at `base` (`http://HOST:PORT`)
/// through the JSON API, and logs in. Takes the server's address rather than a [`TestApp`] so
/// that tests of the real binary in a child process (see [`super::server`]) sign up the same way.
pub async fn sign_up(client: &Client, base: &str, name: &str, email: &str) -> TestUser {
    let body = json!({ "email": email, "password": PASSWORD, "display_name": name });
    let response = client
        .post(format!("{base}/v1/accounts"))
        .json(&body)
        .send()
        .await
        .expect("the request reaches the server");
    let account = expect_json(response, StatusCode::CREATED).await;
    let session = log_in(client, base, email, PASSWORD).await;
    let id = account["id"].as_i64().expect("the account has an id");
    TestUser::signed_in(id, name, email, &session)
}

/// Logs in on the server at `base`; returns the session document.
async fn log_in(client: &Client, base: &str, email: &str, password: &str) -> Value {
    let body = json!({ "email": email, "password": password });
    let response = client
        .post(format!("{base}/v1/sessions"))
        .json(&body)
        .send()
        .await
        .expect("the request reaches the server");
    expect_json(response, StatusCode::CREATED).await
}

impl TestApp {
    /// Signs up `name` with `email` and logs in: [`sign_up`] on this server.
    pub async fn signup(&self, name: &str, email: &str) -> TestUser {
        sign_up(&self.client, &self.address, name, email).await
    }

    /// Logs in and returns the session document.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        log_in(&self.client, &self.address, email, password).await
    }
}
