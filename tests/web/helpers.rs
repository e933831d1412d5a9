//! Talking to the server (started by the shared harness, `crate::common`) like a browser:
//! url-encoded forms, cookies set by hand (so each test says exactly what it sends), no redirect
//! following. Accounts and providers are set up through the JSON API, which is tested on its own.

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

impl TestApp {
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
    pub async fn create_provider(&self, owner: &TestUser, name: &str) -> i64 {
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
    pub async fn trust(&self, truster: &TestUser, trustee: &TestUser, level: u8, visibility: &str) {
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
        person: &TestUser,
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
