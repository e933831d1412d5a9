//! Partners: sites that embed vouchgraph's widgets and receive its webhooks.
//!
//! A partner is owned by one account, which issues its keys: publishable ones (`pk_live_`)
//! for the widgets in its pages, secret ones (`sk_live_`) for its server. A visitor who links
//! their vouchgraph account to the partner (an explicit consent page) can be shown their own
//! ranking: the partner's server trades the link for a ten-minute embed token. The walk-through
//! from sign-up to a working widget and webhook is in `docs/partners.md`.
//!
//! | file | what |
//! |---|---|
//! | `keys.rs` | key format, generation, hashing |
//! | `embed.rs` | embed tokens: HMAC-signed claims for one visitor and partner |
//! | `auth.rs` | key and embed-token extractors, the origin check, CORS for widget routes |
//! | `manage.rs` | the partner and its keys: create, list, rotate, revoke |
//! | `tokens.rs` | `POST /v1/embed-tokens` |
//! | `link.rs` | the consent page `/partners/{id}/link` |
//! | `widget.rs` | the widget API: badge, list, refer |
//! | `analytics.rs` | views, referrals and hires by day |
//! | `script.rs` | `/widget.js`, from `web/widget/` |
//! | `store.rs` | SQL |

pub mod analytics;
pub mod auth;
pub mod embed;
pub mod keys;
pub mod link;
pub mod manage;
pub mod script;
pub mod store;
pub mod tokens;
pub mod widget;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The partner settings.
#[derive(Clone)]
pub struct PartnerSettings {
    /// The secret embed tokens are signed with (`VOUCHGRAPH_EMBED_SECRET`; at least 32
    /// characters). Unset, each process makes a random one: tokens then do not survive a
    /// restart or cross instances, so set it when running more than one.
    pub embed_secret: Option<String>,
}

impl std::fmt::Debug for PartnerSettings {
    // A secret: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerSettings")
            .field(
                "embed_secret",
                &self.embed_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl PartnerSettings {
    /// Reads the settings from the environment.
    pub fn from_env() -> anyhow::Result<PartnerSettings> {
        let embed_secret = std::env::var("VOUCHGRAPH_EMBED_SECRET")
            .ok()
            .filter(|s| !s.is_empty());
        if embed_secret.as_ref().is_some_and(|s| s.len() < 32) {
            anyhow::bail!("VOUCHGRAPH_EMBED_SECRET must be at least 32 characters");
        }
        Ok(PartnerSettings { embed_secret })
    }

    /// A fixed secret, so tests can mint tokens of their own (an expired one, say).
    pub fn for_tests() -> PartnerSettings {
        PartnerSettings {
            embed_secret: Some("test embed secret, not for production use".into()),
        }
    }
}

/// The security schemes and tag of the partner routes.
#[derive(OpenApi)]
#[openapi(
    modifiers(&KeySchemes),
    tags(
        (name = "partners", description = "Partner accounts, keys, consent links, embed tokens and analytics"),
        (name = "widgets", description = "What the embeddable widgets read and send"),
    )
)]
struct PartnerDoc;

struct KeySchemes;

impl Modify for KeySchemes {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "pk",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Vouchgraph-Key",
                "A publishable key (pk_live_…): read-only widget calls, from the partner's allowed origins",
            ))),
        );
        components.add_security_scheme(
            "sk",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Vouchgraph-Key",
                "A secret key (sk_live_…): server calls; never put it in a page",
            ))),
        );
    }
}

/// Every partner route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(PartnerDoc::openapi())
        .merge(manage::router())
        .merge(tokens::router())
        .merge(link::router())
        .merge(analytics::router())
        .merge(script::router())
        .merge(widget::router())
}
