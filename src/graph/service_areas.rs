//! Which providers of a trade might serve a place: an R-tree (`rstar`) over their service areas.
//!
//! A search near a place used to read the trade's providers in prior order until it had found
//! enough that serve the place. Where few do, that is most of the trade on every search: at a
//! million people it was half the CPU of a signed-in search. The tree answers "whose areas
//! may cover this point" in O(log n + answers).
//!
//! Areas are caps on a sphere (a centre and a great-circle radius). Each is boxed in 3-D, on
//! the unit sphere, by the cube around its centre whose half-side is the cap's longest chord.
//! Every point of the cap lies in that box, whatever the longitude, so nothing wraps at the
//! antimeridian and no pole is special. The box is a superset: callers still test
//! [`ProviderInfo::serves`](super::ProviderInfo::serves), which is the rule.

use petgraph::graph::NodeIndex;
use rstar::{RTree, RTreeNode, RTreeObject, AABB};

use crate::domain::{PersonId, ProviderId};

use super::provider::{haversine_km, ProviderInfo, EARTH_RADIUS_KM};

/// Slack added to each box, in units of the sphere's radius (about 6 mm on Earth): the box
/// and the point are computed with different roundings, and a point on the area's edge must
/// still fall inside.
const SLACK: f64 = 1e-9;

/// One provider's service area, as the tree stores it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct ServiceArea {
    pub(super) provider: ProviderId,
    pub(super) node: NodeIndex,
    /// The owner, who never sees their own provider in a search.
    pub(super) owner: PersonId,
    centre: [f64; 3],
    half_side: f64,
    /// The area as the provider gave it: a search tests these, not the box, and keeping them
    /// here spares it a read of the provider's details for every provider near the place.
    lat: f64,
    lon: f64,
    radius_km: f64,
}

impl ServiceArea {
    /// The area of `info`, for the provider at `node`.
    pub(super) fn of(info: &ProviderInfo, node: NodeIndex) -> ServiceArea {
        // A point at great-circle distance d is a chord of 2 sin(d / 2R) away (radius 1); the
        // chord grows with d up to the antipode, so the cap's radius gives the longest one.
        let angle = (info.radius_km.max(0.0) / EARTH_RADIUS_KM).min(std::f64::consts::PI);
        ServiceArea {
            provider: info.id,
            node,
            owner: info.owner,
            centre: unit_vector(info.lat, info.lon),
            half_side: 2.0 * (angle / 2.0).sin() + SLACK,
            lat: info.lat,
            lon: info.lon,
            radius_km: info.radius_km,
        }
    }

    /// Whether the area has a place on the sphere. One without (a latitude or longitude that
    /// is not a number; the database refuses them, other sources might not) serves nowhere,
    /// as `serves` says, and is kept out of the tree, whose ordering needs numbers.
    fn located(&self) -> bool {
        self.centre.iter().all(|c| c.is_finite())
    }

    /// Whether the area covers the point: [`ProviderInfo::serves`], on the same numbers.
    pub(super) fn serves(&self, lat: f64, lon: f64) -> bool {
        haversine_km(self.lat, self.lon, lat, lon) <= self.radius_km
    }
}

impl RTreeObject for ServiceArea {
    type Envelope = AABB<[f64; 3]>;

    fn envelope(&self) -> Self::Envelope {
        let [x, y, z] = self.centre;
        let h = self.half_side;
        AABB::from_corners([x - h, y - h, z - h], [x + h, y + h, z + h])
    }
}

/// The service areas of one trade's providers.
#[derive(Clone, Debug, Default)]
pub(super) struct AreaIndex {
    tree: RTree<ServiceArea>,
}

impl AreaIndex {
    /// An index of these areas, built in one pass (faster than inserting them one by one, and a
    /// better tree).
    pub(super) fn bulk(areas: Vec<ServiceArea>) -> AreaIndex {
        let located = areas.into_iter().filter(ServiceArea::located).collect();
        AreaIndex {
            tree: RTree::bulk_load(located),
        }
    }

    /// Adds an area.
    pub(super) fn insert(&mut self, area: ServiceArea) {
        if area.located() {
            self.tree.insert(area);
        }
    }

    /// Removes an area added before; false if it was not there.
    pub(super) fn remove(&mut self, area: &ServiceArea) -> bool {
        area.located() && self.tree.remove(area).is_some()
    }

    /// Every provider whose area may cover the point: all that do, and perhaps a few whose
    /// area's box does but the area does not.
    pub(super) fn may_serve(&self, lat: f64, lon: f64) -> impl Iterator<Item = &ServiceArea> {
        let point = unit_vector(lat, lon);
        self.tree
            .locate_in_envelope_intersecting(AABB::from_point(point))
    }

    /// Heap bytes held, estimated: every area is a leaf node of the tree, and at rstar's
    /// default of at most six children a node, parents add about a fifth as many nodes again.
    pub(super) fn memory_bytes(&self) -> usize {
        self.tree.size() * std::mem::size_of::<RTreeNode<ServiceArea>>() * 6 / 5
    }

    /// How many areas it holds.
    pub(super) fn len(&self) -> usize {
        self.tree.size()
    }
}

/// The point on the unit sphere at this latitude and longitude, in degrees.
fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (phi, lambda) = (lat.to_radians(), lon.to_radians());
    [
        phi.cos() * lambda.cos(),
        phi.cos() * lambda.sin(),
        phi.sin(),
    ]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn provider(id: i64, lat: f64, lon: f64, radius_km: f64) -> ProviderInfo {
        ProviderInfo {
            id: ProviderId(id),
            name: format!("provider {id}"),
            owner: PersonId(id),
            trades: Vec::new(),
            lat,
            lon,
            radius_km,
        }
    }

    fn found(index: &AreaIndex, lat: f64, lon: f64) -> Vec<i64> {
        let mut ids: Vec<i64> = index.may_serve(lat, lon).map(|a| a.provider.0).collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn an_area_across_the_antimeridian_is_found_from_both_sides() {
        // Centred on Fiji's side of the date line, 100 km across it.
        let fiji = provider(1, -17.0, 179.9, 100.0);
        let index = AreaIndex::bulk(vec![ServiceArea::of(&fiji, NodeIndex::new(0))]);
        assert_eq!(found(&index, -17.0, -179.5), vec![1]);
        assert_eq!(found(&index, -17.0, 179.5), vec![1]);
        assert!(found(&index, -17.0, 170.0).is_empty());
    }

    #[test]
    fn a_provider_with_no_place_is_never_found_and_breaks_nothing() {
        let bristol = provider(1, 51.45, -2.59, 20.0);
        let nowhere = provider(2, f64::NAN, -2.59, 20.0);
        let mut index = AreaIndex::bulk(vec![
            ServiceArea::of(&bristol, NodeIndex::new(0)),
            ServiceArea::of(&nowhere, NodeIndex::new(1)),
        ]);
        index.insert(ServiceArea::of(
            &provider(3, 51.45, f64::INFINITY, 20.0),
            NodeIndex::new(2),
        ));
        assert_eq!(found(&index, 51.45, -2.59), vec![1]);
        assert!(
            !nowhere.serves(51.45, -2.59),
            "serves agrees: nowhere is served"
        );
        assert!(!index.remove(&ServiceArea::of(&nowhere, NodeIndex::new(1))));
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn a_removed_area_is_no_longer_found() {
        let bristol = provider(1, 51.45, -2.59, 20.0);
        let bath = provider(2, 51.38, -2.36, 20.0);
        let mut index = AreaIndex::default();
        index.insert(ServiceArea::of(&bristol, NodeIndex::new(0)));
        index.insert(ServiceArea::of(&bath, NodeIndex::new(1)));
        assert_eq!(found(&index, 51.42, -2.48), vec![1, 2]);
        assert!(index.remove(&ServiceArea::of(&bristol, NodeIndex::new(0))));
        assert_eq!(found(&index, 51.42, -2.48), vec![2]);
        assert_eq!(index.len(), 1);
    }

    proptest! {
        /// The tree never misses a provider that serves the point: it is only a prefilter for
        /// `serves`, so a miss would silently drop a result.
        #[test]
        fn every_provider_that_serves_a_point_is_among_those_found(
            areas in prop::collection::vec((-89.9f64..89.9, -180.0f64..180.0, 0.0f64..3000.0), 1..40),
            point in (-90.0f64..90.0, -180.0f64..180.0),
            // Points on or near an area's very edge, where rounding decides.
            edge in prop::option::of((0usize..40, 0.0f64..360.0)),
        ) {
            let infos: Vec<ProviderInfo> = areas
                .iter()
                .enumerate()
                .map(|(i, &(lat, lon, r))| provider(i as i64, lat, lon, r))
                .collect();
            let index = AreaIndex::bulk(
                infos.iter().enumerate().map(|(i, p)| ServiceArea::of(p, NodeIndex::new(i))).collect(),
            );
            let (lat, lon) = match edge {
                Some((i, bearing)) => {
                    let p = &infos[i % infos.len()];
                    destination(p.lat, p.lon, bearing, p.radius_km)
                }
                None => point,
            };
            let hits = found(&index, lat, lon);
            for area in index.may_serve(lat, lon) {
                let p = &infos[area.node.index()];
                prop_assert_eq!(area.serves(lat, lon), p.serves(lat, lon));
            }
            for p in &infos {
                if p.serves(lat, lon) {
                    prop_assert!(hits.contains(&p.id.0), "{} serves ({lat}, {lon}) but was not found", p.id.0);
                }
            }
        }
    }

    /// The point `km` from (lat, lon) along `bearing` degrees, on the same sphere as `serves`.
    fn destination(lat: f64, lon: f64, bearing: f64, km: f64) -> (f64, f64) {
        let (phi, lambda, theta) = (lat.to_radians(), lon.to_radians(), bearing.to_radians());
        let delta = km / EARTH_RADIUS_KM;
        let phi2 = (phi.sin() * delta.cos() + phi.cos() * delta.sin() * theta.cos()).asin();
        let lambda2 = lambda
            + (theta.sin() * delta.sin() * phi.cos()).atan2(delta.cos() - phi.sin() * phi2.sin());
        let lon2 = (lambda2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
        (phi2.to_degrees(), lon2)
    }
}
