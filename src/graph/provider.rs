//! What the engine knows about a provider, and whether it serves a place.

use serde::{Deserialize, Serialize};

use crate::domain::{PersonId, ProviderId, TradeId};

/// The mean Earth radius in kilometres (IUGG); the haversine formula assumes a sphere, and this
/// is the radius that makes its error smallest on average (well under 0.5%).
pub(super) const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A provider as the engine sees it: who owns it, what it does and where.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// The provider's id.
    pub id: ProviderId,
    /// The business name, shown in results.
    pub name: String,
    /// The account that owns it; that person never sees it in their own results.
    pub owner: PersonId,
    /// The trades it offers; only these searches list it.
    pub trades: Vec<TradeId>,
    /// Latitude of the centre of its service area, in degrees.
    pub lat: f64,
    /// Longitude of the centre of its service area, in degrees.
    pub lon: f64,
    /// Radius of its service area, in kilometres.
    pub radius_km: f64,
}

impl ProviderInfo {
    /// Whether the point lies inside the service area (the edge included).
    pub fn serves(&self, lat: f64, lon: f64) -> bool {
        haversine_km(self.lat, self.lon, lat, lon) <= self.radius_km
    }
}

/// The great-circle distance between two points given in degrees, in kilometres.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let half_dphi = (phi2 - phi1) / 2.0;
    let half_dlambda = (lon2 - lon1).to_radians() / 2.0;
    let a = half_dphi.sin().powi(2) + phi1.cos() * phi2.cos() * half_dlambda.sin().powi(2);
    // `min` guards asin against a rounding error pushing `a` just above 1 for antipodes.
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_to_london_is_about_344_km() {
        let km = haversine_km(48.8566, 2.3522, 51.5074, -0.1278);
        assert!((km - 343.6).abs() < 1.0, "{km}");
    }

    #[test]
    fn a_provider_serves_points_inside_its_radius_only() {
        let provider = ProviderInfo {
            id: ProviderId(1),
            name: "Mario Tiles".into(),
            owner: PersonId(1),
            trades: vec![TradeId(1)],
            lat: 48.8566,
            lon: 2.3522,
            radius_km: 10.0,
        };
        assert!(provider.serves(48.8566, 2.3522));
        assert!(provider.serves(48.90, 2.35)); // about 5 km north
        assert!(!provider.serves(51.5074, -0.1278)); // London
    }
}
