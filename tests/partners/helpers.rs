//! Starts the real server on a random port over a fresh database (`#[sqlx::test]`), with
//! settings a test may change, and a local webhook receiver: an axum server on 127.0.0.1,
//! port 0, that records what it gets and answers with the statuses a test scripts.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use reqwest::header::{CONTENT_TYPE, ORIGIN};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use vouchgraph::config::Config;
use vouchgraph::startup::Application;
use vouchgraph::state::AppState;

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        vouchgraph::telemetry::init();
    }
});

/// A password that passes the policy.
pub const PASSWORD: &str = "tiles and grout 42";
/// Central London.
pub const LONDON: (f64, f64) = (51.5074, -0.1278);
/// The partner's page in these tests; never contacted, only named in `Origin`.
pub const SHOP: &str = "https://shop.example";
/// How long a test waits for the worker before failing.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// No redirects, no cookies.
    pub client: Client,
    /// The test's database.
    pub pool: PgPool,
    /// The server's state (its embed-token signer, say).
    pub state: AppState,
    stop: CancellationToken,
    server: Option<JoinHandle<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// An account with a session.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The person id.
    pub id: i64,
    /// The bearer token (also the `vg_session` cookie's value).
    pub token: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// Settings for a test: the defaults of `Config::for_tests`, changed by `configure`.
pub async fn spawn_app_with(pool: PgPool, configure: impl FnOnce(&mut Config)) -> TestApp {
    LazyLock::force(&TRACING);
    let mut config = Config::for_tests(String::new());
    configure(&mut config);
    let app = Application::build_with_pool(config, pool.clone())
        .await
        .expect("the application builds");
    let address = format!("http://{}", app.local_addr());
    let stop = app.stop_token();
    let state = app.state().clone();
    let server = tokio::spawn(async move {
        app.run(false).await.expect("the server runs");
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
        state,
        stop,
        server: Some(server),
    };
    let started = Instant::now();
    loop {
        let ready = app.client.get(app.url("/readyz")).send().await;
        if matches!(&ready, Ok(r) if r.status() == StatusCode::OK) {
            return app;
        }
        assert!(started.elapsed() < PATIENCE, "not ready: {ready:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The test defaults.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, |_| {}).await
}

/// Webhooks may go to the local receiver (http on 127.0.0.1), as they may not by default.
pub fn local_webhooks(config: &mut Config) {
    config.webhooks.allow_http = true;
    config.webhooks.allow_loopback = true;
    config.webhooks.poll_interval = Duration::from_millis(50);
}

impl TestApp {
    /// Stops the server and waits until it and its background tasks have finished.
    pub async fn shut_down(mut self) {
        self.stop.cancel();
        if let Some(server) = self.server.take() {
            server.await.expect("the server task ends");
        }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request with a session's bearer token.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// `GET` with a session.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("sent")
    }

    /// `POST` JSON with a session.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("sent")
    }

    /// `PATCH` JSON with a session.
    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::PATCH, path, token)
            .json(body)
            .send()
            .await
            .expect("sent")
    }

    /// `DELETE` with a session.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .expect("sent")
    }

    /// A widget call with a partner key, from `origin` when given, with an embed token when given.
    pub fn widget(
        &self,
        method: Method,
        path: &str,
        key: &str,
        origin: Option<&str>,
        embed: Option<&str>,
    ) -> RequestBuilder {
        let mut builder = self
            .client
            .request(method, self.url(path))
            .header("x-vouchgraph-key", key);
        if let Some(origin) = origin {
            builder = builder.header(ORIGIN, origin);
        }
        if let Some(embed) = embed {
            builder = builder.header("x-vouchgraph-embed-token", embed);
        }
        builder
    }

    /// Signs up and logs in.
    pub async fn signup(&self, name: &str) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let body = json!({ "email": email, "password": PASSWORD, "display_name": name });
        let account = expect_json(
            self.post("/v1/accounts", None, &body).await,
            StatusCode::CREATED,
        )
        .await;
        let login = json!({ "email": email, "password": PASSWORD });
        let session = expect_json(
            self.post("/v1/sessions", None, &login).await,
            StatusCode::CREATED,
        )
        .await;
        TestUser {
            id: account["id"].as_i64().expect("an id"),
            token: session["token"].as_str().expect("a token").to_string(),
            csrf: session["csrf_token"]
                .as_str()
                .expect("a CSRF token")
                .to_string(),
        }
    }

    /// A provider in central London offering `trades`.
    pub async fn create_provider(&self, owner: &TestUser, name: &str, trades: &[&str]) -> i64 {
        let (lat, lon) = LONDON;
        let body = json!({ "name": name, "description": "", "trades": trades, "lat": lat, "lon": lon, "radius_km": 20.0 });
        let provider = expect_json(
            self.post("/v1/providers", Some(&owner.token), &body).await,
            StatusCode::CREATED,
        )
        .await;
        provider["id"].as_i64().expect("an id")
    }

    /// `truster` trusts `trustee` publicly at `level`.
    pub async fn trust(&self, truster: &TestUser, trustee: &TestUser, level: u8) {
        let body = json!({ "level": level, "visibility": "public" });
        let response = self
            .request(
                Method::PUT,
                &format!("/v1/trust/{}", trustee.id),
                Some(&truster.token),
            )
            .json(&body)
            .send()
            .await
            .expect("sent");
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
        let body = json!({ "stance": stance, "visibility": visibility, "note": "Did a fine job" });
        let response = self
            .request(
                Method::PUT,
                &format!("/v1/providers/{provider}/vouches/{trade}"),
                Some(&person.token),
            )
            .json(&body)
            .send()
            .await
            .expect("sent");
        expect_json(response, StatusCode::OK).await;
    }

    /// A partner of `owner` allowing `SHOP`; returns its id.
    /// The usual cast of a partner test: Paula, who owns the partner "Shop" (no allowed
    /// origins yet), and Rossi Tiling, a tiler owned by Mario. Returns (Paula, the provider's
    /// id, the partner's id).
    pub async fn shop_and_tiler(&self) -> (TestUser, i64, i64) {
        let owner = self.signup("Paula Partner").await;
        let mario = self.signup("Mario Rossi").await;
        let provider = self
            .create_provider(&mario, "Rossi Tiling", &["tiler"])
            .await;
        let partner = self.create_partner(&owner, "Shop").await;
        (owner, provider, partner)
    }

    pub async fn create_partner(&self, owner: &TestUser, name: &str) -> i64 {
        let body = json!({ "name": name, "allowed_origins": [SHOP] });
        let partner = expect_json(
            self.post("/v1/partners", Some(&owner.token), &body).await,
            StatusCode::CREATED,
        )
        .await;
        partner["id"].as_i64().expect("an id")
    }

    /// A new key of `kind` for the partner; returns (key id, key).
    pub async fn create_key(&self, owner: &TestUser, partner: i64, kind: &str) -> (i64, String) {
        let body = json!({ "kind": kind });
        let path = format!("/v1/partners/{partner}/keys");
        let key = expect_json(
            self.post(&path, Some(&owner.token), &body).await,
            StatusCode::CREATED,
        )
        .await;
        (
            key["id"].as_i64().expect("an id"),
            key["key"].as_str().expect("the key").to_string(),
        )
    }

    /// Links `visitor` to the partner through the consent page; returns the link token.
    pub async fn link(&self, visitor: &TestUser, partner: i64) -> String {
        let response = self
            .client
            .post(self.url(&format!("/partners/{partner}/link")))
            .header("cookie", format!("vg_session={}", visitor.token))
            .form(&[
                ("csrf", visitor.csrf.as_str()),
                ("return_to", &format!("{SHOP}/account/vouchgraph")),
                ("state", "xyz"),
            ])
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let url = reqwest::Url::parse(&location).expect("an absolute URL");
        url.query_pairs()
            .find(|(k, _)| k == "vouchgraph_link_token")
            .map(|(_, v)| v.to_string())
            .expect("a link token in the redirect")
    }

    /// An embed token for a linked visitor, minted with a secret key.
    pub async fn embed_token(
        &self,
        secret_key: &str,
        link_token: &str,
        scope: Option<&[&str]>,
    ) -> String {
        let mut body = json!({ "link_token": link_token });
        if let Some(scope) = scope {
            body["scope"] = json!(scope);
        }
        let response = self
            .client
            .post(self.url("/v1/embed-tokens"))
            .header("x-vouchgraph-key", secret_key)
            .json(&body)
            .send()
            .await
            .expect("sent");
        let token = expect_json(response, StatusCode::CREATED).await;
        token["token"].as_str().expect("a token").to_string()
    }
}

/// Asserts the status and parses the JSON body.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("a body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json response with `status`.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "{body}");
    body
}

/// Waits until `check` returns `Some`, or fails after `PATIENCE`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
    otherwise: Mutex<u16>,
    location: Mutex<Option<String>>,
    delay: Mutex<Duration>,
}

/// A webhook receiver on 127.0.0.1.
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT`.
    pub address: SocketAddr,
    state: Arc<ReceiverState>,
}

impl Receiver {
    /// Starts one that answers 200 unless told otherwise.
    pub async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        *state.otherwise.lock().unwrap() = 200;
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("an address");
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the receiver serves");
        });
        Receiver { address, state }
    }

    /// `http://127.0.0.1:PORT/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    /// Answer these statuses first, in order.
    pub fn script(&self, statuses: &[u16]) {
        self.state.script.lock().unwrap().extend(statuses);
    }

    /// Answer `status` once the script is used up.
    pub fn otherwise(&self, status: u16) {
        *self.state.otherwise.lock().unwrap() = status;
    }

    /// Wait this long before answering each request (it is recorded on arrival).
    pub fn delay(&self, delay: Duration) {
        *self.state.delay.lock().unwrap() = delay;
    }

    /// Redirect to `location` (with a 302) instead of answering.
    pub fn redirect_to(&self, location: &str) {
        *self.state.location.lock().unwrap() = Some(location.to_string());
    }

    /// What it got so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    state
        .received
        .lock()
        .unwrap()
        .push(Received { headers, body });
    let delay = *state.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(location) = state.location.lock().unwrap().clone() {
        return (AxumStatus::FOUND, [("location", location)]).into_response();
    }
    let status = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| *state.otherwise.lock().unwrap());
    AxumStatus::from_u16(status).unwrap().into_response()
}
