//! Places: what people type ("BS6", "Redland, Bristol", "Keynsham") turned into points, and
//! points named in words ("Redland").
//!
//! One small interface, [`Geocoder`], with two kinds: the built-in gazetteer (the default, and
//! what the tests use; open data compiled into the binary, so it works offline), or a real
//! geocoding server, Nominatim or Photon, set with `VOUCHGRAPH_GEOCODER_URL`. Naming a point
//! ("2.1 km, Redland") always uses the gazetteer: it is a lookup per search result, which must
//! not wait on a network.
//!
//! | file | what |
//! |---|---|
//! | `gazetteer.rs` | the built-in gazetteer: districts, wards and towns of Great Britain |
//! | `remote.rs` | a Nominatim or Photon server |

pub mod gazetteer;
pub mod remote;

use serde::Serialize;

pub use gazetteer::GAZETTEER;

/// What kind of place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A postcode district ("BS6").
    PostcodeDistrict,
    /// A neighbourhood (an electoral ward, "Redland").
    Neighbourhood,
    /// A town or village.
    Town,
    /// Whatever a geocoding server called it.
    Other,
}

/// A place.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Place {
    /// Its name ("Redland", "BS6").
    pub name: String,
    /// How to show it, unambiguously ("Redland, Bristol", "BS6 (Cotham, Redland), Bristol").
    pub label: String,
    /// What kind of place.
    pub kind: PlaceKind,
    /// Latitude of its centre, in degrees.
    pub lat: f64,
    /// Longitude of its centre, in degrees.
    pub lon: f64,
    /// The neighbourhood to name it by, when it has one.
    #[serde(skip)]
    pub neighbourhood: Option<String>,
}

/// What a typed place turned out to be.
#[derive(Debug)]
pub enum Lookup {
    /// Exactly one place.
    Found(Place),
    /// Several places far apart: the candidates.
    Ambiguous(Vec<Place>),
    /// No place of that name: suggestions, perhaps none.
    Unknown(Vec<Place>),
}

/// Where places are looked up.
#[derive(Clone)]
pub enum Geocoder {
    /// The built-in gazetteer.
    Builtin,
    /// A geocoding server.
    Remote(remote::Remote),
}

/// The longest place a person may type.
pub const MAX_QUERY: usize = 200;

impl Geocoder {
    /// Suggestions for what has been typed so far, best first.
    pub async fn suggest(&self, typed: &str, limit: usize) -> anyhow::Result<Vec<Place>> {
        match self {
            Geocoder::Builtin => Ok(GAZETTEER.suggest(typed, limit)),
            Geocoder::Remote(remote) => remote.search(typed, limit).await,
        }
    }

    /// What a typed place is.
    pub async fn lookup(&self, typed: &str) -> anyhow::Result<Lookup> {
        match self {
            Geocoder::Builtin => Ok(GAZETTEER.lookup(typed)),
            Geocoder::Remote(remote) => remote.lookup(typed).await,
        }
    }
}

/// The neighbourhood a point is in, in words, from the built-in gazetteer.
pub fn neighbourhood(lat: f64, lon: f64) -> Option<String> {
    GAZETTEER.neighbourhood(lat, lon).map(str::to_string)
}
