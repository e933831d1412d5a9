//! The state shared by every request.

use std::sync::Arc;

use sqlx::PgPool;

use crate::auth::cache::SessionCache;
use crate::config::Config;
use crate::feed::LiveGraph;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: PgPool,
    /// The settings.
    pub config: Arc<Config>,
    /// The in-memory trust graph, kept current from the change feed.
    pub live: Arc<LiveGraph>,
    /// A hash verified against for unknown emails, so login timing does not reveal accounts.
    pub dummy_hash: Arc<str>,
    /// Recently verified sessions, used only while the database is unreachable.
    pub sessions: Arc<SessionCache>,
    /// Login attempts per account and per address.
    pub logins: Arc<crate::auth::throttle::LoginThrottle>,
    /// The rate limiters, one per class of caller.
    pub rate_limits: Arc<crate::ratelimit::RateLimits>,
    /// Signs and checks the widgets' embed tokens.
    pub embed: Arc<crate::partners::embed::EmbedSigner>,
    /// Every provider's responsiveness, for searches to weigh.
    pub pace: Arc<crate::feed::PaceBoard>,
    /// Where typed places are looked up.
    pub geocoder: crate::places::Geocoder,
}
