//! Starts the real server over a fresh database, and talks to it like a browser: url-encoded
//! forms, cookies set by hand (so each test says exactly what it sends), no redirect following.
//! Accounts and providers are set up through the JSON API, which is tested on its own.

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vouchgraph::config::Config;
use vouchgraph::startup::Application;

/// A password that passes the policy.
pub const PASSWORD: &str = "tiles and grout 42";

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// Follows no redirects and keeps no cookies.
    pub client: Client,
    /// The test's own database.
    pub pool: PgPool,
    stop: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A signed-up account with a session.
#[derive(Debug, Clone)]
pub struct User {
    /// The person id.
    pub id: i64,
    /// The session token: the `vg_session` cookie's value, or a bearer token for the API.
    pub token: String,
    /// The session's CSRF token, which the pages put in every form.
    pub csrf: String,
}

impl User {
    /// The `Cookie` header a browser signed in as this user sends.
    pub fn cookie(&self) -> String {
        format!("vg_session={}", self.token)
    }
}

/// Starts the application over `pool` and waits until the trust graph has loaded.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    let app = Application::build_with_pool(Config::for_tests(String::new()), pool.clone())
        .await
        .expect("the application builds");
    let address = format!("http://{}", app.local_addr());
    let stop = app.stop_token();
    tokio::spawn(async move {
        if let Err(error) = app.run(false).await {
            panic!("the server stopped with an error: {error:?}");
        }
    });
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client");
    let app = TestApp {
        address,
        client,
        pool,
        stop,
    };
    let started = Instant::now();
    loop {
        let ready = app.client.get(app.url("/readyz")).send().await;
        if matches!(&ready, Ok(r) if r.status() == StatusCode::OK) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not ready: {ready:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    app
}

impl TestApp {
    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// `GET path` as a browser with `cookie` (or none).
    pub async fn page(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// `GET path` and its HTML, asserting a 200.
    pub async fn html(&self, path: &str, cookie: Option<&str>) -> String {
        let response = self.page(path, cookie).await;
        let status = response.status();
        let body = response.text().await.expect("a body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Posts a url-encoded form as a browser with `cookie` (or none).
    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Response {
        let mut request = self.client.post(self.url(path)).form(fields);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// Signs up through the API and logs in; the session works for pages too.
    pub async fn signup(&self, name: &str, email: &str) -> User {
        let body = json!({ "email": email, "password": PASSWORD, "display_name": name });
        let account = self
            .api_post("/v1/accounts", None, &body, StatusCode::CREATED)
            .await;
        let login = json!({ "email": email, "password": PASSWORD });
        let session = self
            .api_post("/v1/sessions", None, &login, StatusCode::CREATED)
            .await;
        User {
            id: account["id"].as_i64().expect("an id"),
            token: session["token"].as_str().expect("a token").to_string(),
            csrf: session["csrf_token"]
                .as_str()
                .expect("a csrf token")
                .to_string(),
        }
    }

    /// A JSON API call with a bearer token, asserting the status.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
        status: StatusCode,
    ) -> Value {
        let mut request = self
            .client
            .request(method.clone(), self.url(path))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .expect("the request reaches the server");
        let actual = response.status();
        let text = response.text().await.expect("a body");
        assert_eq!(actual, status, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `POST` to the JSON API.
    pub async fn api_post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
        status: StatusCode,
    ) -> Value {
        self.api(reqwest::Method::POST, path, token, body, status)
            .await
    }

    /// Creates a tiler near central London owned by `owner`; returns its id.
    pub async fn create_provider(&self, owner: &User, name: &str) -> i64 {
        let body = json!({ "name": name, "description": "Bathrooms", "trades": ["tiler"],
            "lat": 51.5074, "lon": -0.1278, "radius_km": 10.0 });
        let provider = self
            .api_post(
                "/v1/providers",
                Some(&owner.token),
                &body,
                StatusCode::CREATED,
            )
            .await;
        provider["id"].as_i64().expect("an id")
    }

    /// `truster` trusts `trustee` through the API.
    pub async fn trust(&self, truster: &User, trustee: &User, level: u8, visibility: &str) {
        let body = json!({ "level": level, "visibility": visibility });
        let path = format!("/v1/trust/{}", trustee.id);
        self.api(
            reqwest::Method::PUT,
            &path,
            Some(&truster.token),
            &body,
            StatusCode::OK,
        )
        .await;
    }

    /// `person` vouches for `provider` as a tiler through the API.
    pub async fn vouch(
        &self,
        person: &User,
        provider: i64,
        stance: &str,
        visibility: &str,
        note: &str,
    ) {
        let body = json!({ "stance": stance, "visibility": visibility, "note": note });
        let path = format!("/v1/providers/{provider}/vouches/tiler");
        self.api(
            reqwest::Method::PUT,
            &path,
            Some(&person.token),
            &body,
            StatusCode::OK,
        )
        .await;
    }
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The value of the cookie `name` set by `response`, if any.
pub fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name).then(|| value.trim().to_string())
        })
}

/// Asserts a response is an HTML page with `status`; returns its body.
pub async fn expect_page(response: Response, status: StatusCode) -> String {
    let actual = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.text().await.expect("a body");
    assert_eq!(actual, status, "body: {body}");
    assert!(
        content_type.starts_with("text/html"),
        "content type {content_type}: {body}"
    );
    body
}

/// The value of the hidden `csrf` field of the first form in `html`.
pub fn csrf_field(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("a form with a csrf field") + marker.len();
    let end = html[start..].find('"').expect("a closing quote");
    html[start..start + end].to_string()
}

/// How many rows `table` has. Only for table names written in the tests.
pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(pool)
        .await
        .expect("counting rows")
}
