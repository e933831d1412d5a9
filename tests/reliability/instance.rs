//! One running vouchgraph instance, and the few requests these tests make.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vouchgraph::config::Config;
use vouchgraph::feed::LiveGraph;
use vouchgraph::startup::Application;

static NEXT_EMAIL: AtomicUsize = AtomicUsize::new(0);

/// A signed-in account.
pub struct User {
    /// The person id.
    pub id: i64,
    /// A bearer token.
    pub token: String,
}

/// A running instance with its live graph exposed.
pub struct Instance {
    address: String,
    client: Client,
    stop: CancellationToken,
    /// The instance's in-memory graph.
    pub live: Arc<LiveGraph>,
}

impl Instance {
    /// Starts an instance over `pool` and waits until it is ready.
    pub async fn start(pool: PgPool) -> Instance {
        let app = Application::build_with_pool(Config::for_tests(String::new()), pool)
            .await
            .expect("the application builds");
        let instance = Instance {
            address: format!("http://{}", app.local_addr()),
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            stop: app.stop_token(),
            live: app.state().live.clone(),
        };
        tokio::spawn(app.run(false));
        let started = Instant::now();
        loop {
            let ready = instance
                .client
                .get(format!("{}/readyz", instance.address))
                .send()
                .await;
            if matches!(&ready, Ok(r) if r.status() == StatusCode::OK) {
                return instance;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "never ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the instance gracefully.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the request is sent");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Signs up and logs in a new account.
    pub async fn signup(&self, name: &str) -> User {
        let n = NEXT_EMAIL.fetch_add(1, Ordering::Relaxed);
        let email = format!("person{n}-{}@example.com", std::process::id());
        let password = "tiles and grout 42";
        let body = json!({ "email": email, "password": password, "display_name": name });
        let account = self
            .send(reqwest::Method::POST, "/v1/accounts", None, Some(body))
            .await;
        let login = json!({ "email": email, "password": password });
        let session = self
            .send(reqwest::Method::POST, "/v1/sessions", None, Some(login))
            .await;
        User {
            id: account["id"].as_i64().unwrap(),
            token: session["token"].as_str().unwrap().to_string(),
        }
    }

    /// Creates a tiler in central London owned by `owner`.
    pub async fn create_provider(&self, owner: &User, name: &str) -> i64 {
        let body = json!({ "name": name, "trades": ["tiler"], "lat": 51.5074, "lon": -0.1278, "radius_km": 20.0 });
        let provider = self
            .send(
                reqwest::Method::POST,
                "/v1/providers",
                Some(&owner.token),
                Some(body),
            )
            .await;
        provider["id"].as_i64().unwrap()
    }

    /// `from` trusts `to`.
    pub async fn trust(&self, from: &User, to: &User, level: u8, visibility: &str) {
        let body = json!({ "level": level, "visibility": visibility });
        let path = format!("/v1/trust/{}", to.id);
        self.send(reqwest::Method::PUT, &path, Some(&from.token), Some(body))
            .await;
    }

    /// `from` stops trusting `to`.
    pub async fn untrust(&self, from: &User, to: &User) {
        let path = format!("/v1/trust/{}", to.id);
        self.send(reqwest::Method::DELETE, &path, Some(&from.token), None)
            .await;
    }

    /// `person` vouches publicly for `provider` as a tiler.
    pub async fn vouch(&self, person: &User, provider: i64, stance: &str) {
        let body = json!({ "stance": stance, "visibility": "public" });
        let path = format!("/v1/providers/{provider}/vouches/tiler");
        self.send(reqwest::Method::PUT, &path, Some(&person.token), Some(body))
            .await;
    }

    /// `person` deletes their account (every account here has the same password).
    pub async fn delete_account(&self, person: &User) {
        let body = json!({ "password": "tiles and grout 42" });
        self.send(
            reqwest::Method::DELETE,
            "/v1/me",
            Some(&person.token),
            Some(body),
        )
        .await;
    }

    /// A tiler search near central London as `token`'s holder.
    pub async fn search(&self, trade: &str, token: &str) -> Value {
        let path = format!("/v1/search?trade={trade}&lat=51.5074&lon=-0.1278&limit=50");
        self.send(reqwest::Method::GET, &path, Some(token), None)
            .await
    }
}
