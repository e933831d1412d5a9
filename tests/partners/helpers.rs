//! The partner tests' own helpers, on top of the shared harness (`crate::common`): partners,
//! keys, links and embed tokens as the API makes them, and a local webhook receiver (an axum
//! server on 127.0.0.1, port 0) that records what it gets and answers with the statuses a test
//! scripts.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use reqwest::header::ORIGIN;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::json;
use vouchgraph::config::Config;

use crate::common::{expect_json, TestApp, TestUser, LONDON};

/// The partner's page in these tests; never contacted, only named in `Origin`.
pub const SHOP: &str = "https://shop.example";

/// Webhooks may go to the local receiver (http on 127.0.0.1), as they may not by default.
pub fn local_webhooks(config: &mut Config) {
    config.webhooks.allow_http = true;
    config.webhooks.allow_loopback = true;
    config.webhooks.poll_interval = Duration::from_millis(50);
}

impl TestApp {
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

    /// The usual cast of a partner test: Paula, who owns the partner "Shop" (allowing `SHOP`),
    /// and Rossi Tiling, a tiler owned by Mario. Returns (Paula, the provider's
    /// id, the partner's id).
    pub async fn shop_and_tiler(&self) -> (TestUser, i64, i64) {
        let owner = self
            .signup("Paula Partner", "paula.partner@example.com")
            .await;
        let mario = self.signup("Mario Rossi", "mario.rossi@example.com").await;
        let provider = self
            .create_provider(&mario, "Rossi Tiling", &["tiler"])
            .await;
        let partner = self.create_partner(&owner, "Shop").await;
        (owner, provider, partner)
    }

    /// A partner of `owner` allowing `SHOP`; returns its id.
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
