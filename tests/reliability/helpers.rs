//! The few requests these tests make of an instance (a `TestApp` of the shared harness,
//! `crate::common`), each asserting that it succeeded. The replica tests (`tests/replica`)
//! use them too.

use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::common::{TestApp, TestUser, PASSWORD};

impl TestApp {
    /// Sends a request and returns its JSON answer (`null` when it has none), asserting a 2xx.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let mut request = self.request(method, path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the request is sent");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Creates a tiler in central London owned by `owner`.
    pub async fn create_provider(&self, owner: &TestUser, name: &str) -> i64 {
        let body = json!({ "name": name, "trades": ["tiler"], "lat": 51.5074, "lon": -0.1278, "radius_km": 20.0 });
        let provider = self
            .call(
                reqwest::Method::POST,
                "/v1/providers",
                Some(&owner.token),
                Some(body),
            )
            .await;
        provider["id"].as_i64().unwrap()
    }

    /// `from` trusts `to`.
    pub async fn trust(&self, from: &TestUser, to: &TestUser, level: u8, visibility: &str) {
        let body = json!({ "level": level, "visibility": visibility });
        let path = format!("/v1/trust/{}", to.id);
        self.call(reqwest::Method::PUT, &path, Some(&from.token), Some(body))
            .await;
    }

    /// `from` stops trusting `to`.
    pub async fn untrust(&self, from: &TestUser, to: &TestUser) {
        let path = format!("/v1/trust/{}", to.id);
        self.call(reqwest::Method::DELETE, &path, Some(&from.token), None)
            .await;
    }

    /// `person` vouches publicly for `provider` as a tiler.
    pub async fn vouch(&self, person: &TestUser, provider: i64, stance: &str) {
        let body = json!({ "stance": stance, "visibility": "public" });
        let path = format!("/v1/providers/{provider}/vouches/tiler");
        self.call(reqwest::Method::PUT, &path, Some(&person.token), Some(body))
            .await;
    }

    /// `person` deletes their account (every account here has the same password).
    pub async fn delete_account(&self, person: &TestUser) {
        let body = json!({ "password": PASSWORD });
        self.call(
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
        self.call(reqwest::Method::GET, &path, Some(token), None)
            .await
    }
}

/// A second pool to the same database, as a second process would have.
pub async fn second_pool(pool: &PgPool) -> PgPool {
    PgPoolOptions::new()
        .max_connections(8)
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("a second pool")
}

/// How many people `seeker` sees recommending `provider` in a tiler search on `instance`.
pub async fn recommenders_seen(instance: &TestApp, seeker: &TestUser, provider: i64) -> u64 {
    let results = instance.search("tiler", &seeker.token).await;
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["provider_id"] == provider)
        .map(|r| r["counts"]["network_recommend"].as_u64().unwrap())
        .unwrap_or(0)
}
