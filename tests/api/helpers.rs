//! The API tests' own requests, on top of the shared harness (`crate::common`): providers,
//! trust, vouches and searches as the JSON API makes them. The security and import binaries
//! include this file too, as they set up the same kind of world.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{expect_json, TestApp, TestUser, LONDON};

impl TestApp {
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
