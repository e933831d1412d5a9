//! Starts the real application in this process, on a random port over the test's own database
//! (`#[sqlx::test]` gives each test one, migrated), and talks to it over HTTP.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use vouchgraph::config::Config;
use vouchgraph::startup::Application;
use vouchgraph::state::AppState;

/// Logs go to stdout only when `TEST_LOG` is set: `TEST_LOG=1 cargo test --test api`.
static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        vouchgraph::telemetry::init();
    }
});

/// How long the server may take to load the trust graph before a test gives up on it. Tests run
/// in parallel on small machines, so this is generous.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// Does not follow redirects and keeps no cookies, so tests see exactly what was sent.
    pub client: Client,
    /// The test's own database, to check what was (not) written.
    pub pool: PgPool,
    /// The server's state, for what only the inside shows (its live graph, its embed-token
    /// signer).
    pub state: AppState,
    stop: CancellationToken,
    server: Option<JoinHandle<()>>,
}

impl Drop for TestApp {
    // The server holds pool connections (the change-feed listener); stopping it lets
    // `#[sqlx::test]` close the pool and drop the database without waiting.
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Starts the application over `pool` with the test settings (`Config::for_tests`), and waits
/// until `/readyz` says it has loaded the trust graph.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, |_| {}).await
}

/// Like [`spawn_app`], with the test settings changed by `configure` first.
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
        state,
        stop,
        server: Some(server),
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

    /// Stops the server and waits until it and its background tasks have finished, so that a
    /// test can start another over the same database and know the first one is gone.
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
}
