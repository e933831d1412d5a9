//! Starts the real server on a random port over a fresh database, and talks to it over HTTP.
//!
//! Every test gets its own database from `#[sqlx::test]` (migrated from `./migrations`) and its
//! own server, so tests never see each other's rows and can run in parallel.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vouchgraph::config::Config;
use vouchgraph::startup::Application;

/// Logs go to stdout only when `TEST_LOG` is set: `TEST_LOG=1 cargo test --test api`.
static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        vouchgraph::telemetry::init();
    }
});

/// How long the server may take to load the trust graph before a test gives up on it.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// A password that passes the policy; every test account uses it.
pub const PASSWORD: &str = "tiles and grout 42";

/// Central London: providers are created here and searches are made from here.
pub const LONDON: (f64, f64) = (51.5074, -0.1278);

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// Does not follow redirects and keeps no cookies, so tests see exactly what was sent.
    pub client: Client,
    /// The test's own database, to check what was (not) written.
    pub pool: PgPool,
    stop: CancellationToken,
}

impl Drop for TestApp {
    // The server holds pool connections (the change-feed listener); stopping it lets
    // `#[sqlx::test]` close the pool and drop the database without waiting.
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A signed-up, logged-in account.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The person id.
    pub id: i64,
    /// The display name.
    pub name: String,
    /// The bearer token of the session made at sign-up.
    pub token: String,
    /// That session's CSRF token.
    pub csrf: String,
    /// The sign-up email.
    pub email: String,
    /// The sign-up password.
    pub password: String,
}

/// Builds and starts the application over `pool`, and waits until `/readyz` says it has loaded
/// the trust graph.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, Config::for_tests(String::new())).await
}

/// Like [`spawn_app`], with settings of the test's own.
pub async fn spawn_app_with(pool: PgPool, config: Config) -> TestApp {
    LazyLock::force(&TRACING);
    let app = Application::build_with_pool(config, pool.clone())
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
    let test_app = TestApp {
        address,
        client,
        pool,
        stop,
    };
    test_app.wait_until_ready().await;
    test_app
}

impl TestApp {
    async fn wait_until_ready(&self) {
        let started = Instant::now();
        loop {
            let response = self.client.get(self.url("/readyz")).send().await;
            if matches!(&response, Ok(r) if r.status() == StatusCode::OK) {
                return;
            }
            assert!(
                started.elapsed() < READY_TIMEOUT,
                "the server was not ready after {READY_TIMEOUT:?}: last answer {response:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request to `path`, with `Authorization: Bearer` when a token is given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    async fn send(&self, builder: RequestBuilder) -> Response {
        builder
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send(self.request(Method::GET, path, token)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.send(self.request(Method::DELETE, path, token)).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.request(Method::POST, path, token).json(body))
            .await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.request(Method::PUT, path, token).json(body))
            .await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.request(Method::PATCH, path, token).json(body))
            .await
    }

    /// `POST path` with raw bytes and the given content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        let builder = self
            .request(Method::POST, path, None)
            .header(CONTENT_TYPE, content_type)
            .body(body);
        self.send(builder).await
    }

    /// Signs up `name` with `email` and logs in.
    pub async fn signup(&self, name: &str, email: &str) -> TestUser {
        let body = json!({ "email": email, "password": PASSWORD, "display_name": name });
        let response = self.post("/v1/accounts", None, &body).await;
        let account = expect_json(response, StatusCode::CREATED).await;
        let id = account["id"].as_i64().expect("the account has an id");
        let session = self.login(email, PASSWORD).await;
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

    /// Logs in and returns the session document.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let body = json!({ "email": email, "password": password });
        let response = self.post("/v1/sessions", None, &body).await;
        expect_json(response, StatusCode::CREATED).await
    }

    /// The body of a valid provider, for tests that change one field of it.
    pub fn provider_body(name: &str, trades: &[&str], lat: f64, lon: f64, radius_km: f64) -> Value {
        json!({
            "name": name,
            "description": "Bathrooms and kitchens",
            "trades": trades,
            "lat": lat,
            "lon": lon,
            "radius_km": radius_km,
        })
    }

    /// Creates a provider owned by `owner`; returns its id.
    pub async fn create_provider(
        &self,
        owner: &TestUser,
        name: &str,
        trades: &[&str],
        lat: f64,
        lon: f64,
        radius_km: f64,
    ) -> i64 {
        let body = TestApp::provider_body(name, trades, lat, lon, radius_km);
        let response = self.post("/v1/providers", Some(&owner.token), &body).await;
        let provider = expect_json(response, StatusCode::CREATED).await;
        provider["id"].as_i64().expect("the provider has an id")
    }

    /// `truster` trusts `trustee` at `level` with `visibility`.
    pub async fn trust(&self, truster: &TestUser, trustee: &TestUser, level: u8, visibility: &str) {
        let body = json!({ "level": level, "visibility": visibility });
        let path = format!("/v1/trust/{}", trustee.id);
        let response = self.put(&path, Some(&truster.token), &body).await;
        expect_json(response, StatusCode::OK).await;
    }

    /// `person` vouches for `provider` in `trade`.
    pub async fn vouch(
        &self,
        person: &TestUser,
        provider: i64,
        trade: &str,
        stance: &str,
        visibility: &str,
    ) {
        let body = json!({ "stance": stance, "visibility": visibility, "note": "" });
        let path = format!("/v1/providers/{provider}/vouches/{trade}");
        let response = self.put(&path, Some(&person.token), &body).await;
        expect_json(response, StatusCode::OK).await;
    }

    /// The vouches for `provider` that the holder of `token` (or an anonymous visitor) sees.
    pub async fn visible_vouches(&self, provider: i64, token: Option<&str>) -> Vec<Value> {
        let response = self
            .get(&format!("/v1/providers/{provider}/vouches"), token)
            .await;
        let body = expect_json(response, StatusCode::OK).await;
        body.as_array().expect("a list of vouches").clone()
    }

    /// A search for `trade` near central London.
    pub async fn search(&self, trade: &str, token: Option<&str>) -> Value {
        let (lat, lon) = LONDON;
        let path = format!("/v1/search?trade={trade}&lat={lat}&lon={lon}");
        expect_json(self.get(&path, token).await, StatusCode::OK).await
    }
}

/// Asserts the status and parses the JSON body; on a mismatch, shows the body.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("a readable body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the body is not JSON ({e}): {text}"))
}

/// Asserts that `response` is an RFC 9457 problem with `status`; returns its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], json!(status.as_u16()), "body: {body}");
    for member in ["type", "title", "detail"] {
        assert!(
            body[member].is_string(),
            "the problem has no {member:?}: {body}"
        );
    }
    body
}

/// Asserts that a 422 problem names `field` among its `errors`.
pub fn assert_names_field(problem: &Value, field: &str) {
    let named = problem["errors"]
        .as_array()
        .is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
    assert!(named, "expected an error on {field:?}, got {problem}");
}

/// Asserts a 422 problem naming `field`.
pub async fn assert_invalid_field(response: Response, field: &str) -> Value {
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_names_field(&problem, field);
    problem
}

/// How many rows `table` has. Only for table names written in the tests.
pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(pool)
        .await
        .expect("counting rows")
}
