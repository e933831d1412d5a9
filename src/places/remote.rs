//! A real geocoding server: Nominatim (`/search?format=jsonv2`) or Photon (`/api`), for
//! deployments that want street-level places. Chosen with one setting,
//! `VOUCHGRAPH_GEOCODER_URL`: `https://nominatim.example.org` (Nominatim, the default kind) or
//! `photon+https://photon.example.org` (Photon).

use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use super::{Lookup, Place, PlaceKind};

/// Candidates nearer than this are one place.
const SAME_PLACE_KM: f64 = 2.0;

/// Which server speaks at the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Nominatim's `/search`.
    Nominatim,
    /// Photon's `/api`.
    Photon,
}

/// A geocoding server.
#[derive(Clone)]
pub struct Remote {
    client: reqwest::Client,
    base: String,
    flavour: Flavour,
}

impl Remote {
    /// Reads the setting: a URL, prefixed `photon+` for Photon.
    pub fn from_setting(setting: &str) -> anyhow::Result<Remote> {
        let setting = setting.trim();
        let (flavour, url) = match setting.strip_prefix("photon+") {
            Some(url) => (Flavour::Photon, url),
            None => (
                Flavour::Nominatim,
                setting.strip_prefix("nominatim+").unwrap_or(setting),
            ),
        };
        let parsed = url::Url::parse(url).context("VOUCHGRAPH_GEOCODER_URL is not a URL")?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "http" | "https"),
            "VOUCHGRAPH_GEOCODER_URL must be http(s)"
        );
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .user_agent(concat!("vouchgraph/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Remote {
            client,
            base: url.trim_end_matches('/').to_string(),
            flavour,
        })
    }

    /// Places matching `typed`, best first.
    pub async fn search(&self, typed: &str, limit: usize) -> anyhow::Result<Vec<Place>> {
        let limit = limit.clamp(1, 20).to_string();
        let body = match self.flavour {
            Flavour::Nominatim => {
                self.client
                    .get(format!("{}/search", self.base))
                    .query(&[
                        ("q", typed),
                        ("format", "jsonv2"),
                        ("limit", &limit),
                        ("addressdetails", "0"),
                    ])
                    .send()
                    .await?
                    .error_for_status()?
                    .text()
                    .await?
            }
            Flavour::Photon => {
                self.client
                    .get(format!("{}/api", self.base))
                    .query(&[("q", typed), ("limit", &limit)])
                    .send()
                    .await?
                    .error_for_status()?
                    .text()
                    .await?
            }
        };
        parse(self.flavour, &body)
    }

    /// One place, or candidates: results within a couple of kilometres of the first are the
    /// same place; more than that is ambiguous.
    pub async fn lookup(&self, typed: &str) -> anyhow::Result<Lookup> {
        let found = self.search(typed, 8).await?;
        let mut distinct: Vec<Place> = Vec::new();
        for p in found {
            if !distinct
                .iter()
                .any(|d| crate::graph::haversine_km(d.lat, d.lon, p.lat, p.lon) < SAME_PLACE_KM)
            {
                distinct.push(p);
            }
        }
        Ok(match distinct.len() {
            0 => Lookup::Unknown(Vec::new()),
            1 => Lookup::Found(distinct.remove(0)),
            _ => Lookup::Ambiguous(distinct),
        })
    }
}

#[derive(Deserialize)]
struct NominatimHit {
    lat: String,
    lon: String,
    display_name: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct PhotonAnswer {
    features: Vec<PhotonFeature>,
}

#[derive(Deserialize)]
struct PhotonFeature {
    geometry: PhotonGeometry,
    properties: PhotonProperties,
}

#[derive(Deserialize)]
struct PhotonGeometry {
    coordinates: (f64, f64),
}

#[derive(Deserialize)]
struct PhotonProperties {
    #[serde(default)]
    name: String,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    county: Option<String>,
}

/// Reads a server's answer.
pub fn parse(flavour: Flavour, body: &str) -> anyhow::Result<Vec<Place>> {
    let places = match flavour {
        Flavour::Nominatim => serde_json::from_str::<Vec<NominatimHit>>(body)?
            .into_iter()
            .filter_map(|h| {
                let (lat, lon) = (h.lat.parse().ok()?, h.lon.parse().ok()?);
                let name = if h.name.is_empty() {
                    h.display_name
                        .split(',')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string()
                } else {
                    h.name
                };
                Some(place(name, h.display_name, lat, lon))
            })
            .collect(),
        Flavour::Photon => serde_json::from_str::<PhotonAnswer>(body)?
            .features
            .into_iter()
            .map(|f| {
                let (lon, lat) = f.geometry.coordinates;
                let p = f.properties;
                let within = p.city.or(p.county);
                let label = match &within {
                    Some(w) if *w != p.name => format!("{}, {w}", p.name),
                    _ => p.name.clone(),
                };
                place(p.name, label, lat, lon)
            })
            .collect(),
    };
    Ok(places)
}

fn place(name: String, label: String, lat: f64, lon: f64) -> Place {
    Place {
        neighbourhood: Some(name.clone()),
        name,
        label,
        kind: PlaceKind::Other,
        lat,
        lon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nominatim_answer_reads_as_places() {
        let body = r#"[{"place_id":1,"lat":"51.4747","lon":"-2.6011","name":"Redland",
            "display_name":"Redland, Bristol, City of Bristol, England, United Kingdom"}]"#;
        let places = parse(Flavour::Nominatim, body).unwrap();
        assert_eq!(places[0].name, "Redland");
        assert!((places[0].lat - 51.4747).abs() < 1e-9);
    }

    #[test]
    fn a_photon_answer_reads_as_places_with_longitude_first() {
        let body = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
            "geometry":{"type":"Point","coordinates":[-2.6011,51.4747]},
            "properties":{"name":"Redland","city":"Bristol"}}]}"#;
        let places = parse(Flavour::Photon, body).unwrap();
        assert_eq!(places[0].label, "Redland, Bristol");
        assert!((places[0].lon + 2.6011).abs() < 1e-9);
    }

    #[test]
    fn the_setting_names_the_server_and_its_kind() {
        assert_eq!(
            Remote::from_setting("https://nominatim.example.org/")
                .unwrap()
                .flavour,
            Flavour::Nominatim
        );
        assert_eq!(
            Remote::from_setting("photon+http://127.0.0.1:2322")
                .unwrap()
                .flavour,
            Flavour::Photon
        );
        assert!(Remote::from_setting("ftp://x").is_err());
    }
}
