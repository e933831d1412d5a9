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
//! | `embed.rs` | embed tokens: HMAC-signed claims for one visitor and partner |
//! | `auth.rs` | key and embed-token extractors, the origin check, CORS for widget routes |
//! | `manage.rs` | the partner and its keys: create, list, rotate, revoke |
//! | `tokens.rs` | `POST /v1/embed-tokens` |
//! | (`web/partner_link.rs`) | the consent page `/partners/{id}/link`, one of the site's pages |
//! | `widget/` | the widget API: badge, list, refer, ask |
//! | `analytics.rs` | views, referrals and hires by day |
//! | `script.rs` | `/widget.js`, from `web/widget/` |
//!
//! Outside this adapter: the key format, generation and hashing are `auth/keys.rs` and the SQL
//! `store/partners.rs` (both below the use cases); the webhook API is `http/webhooks.rs`, and
//! signing and delivery are `webhooks/`.

pub mod analytics;
pub mod auth;
pub mod embed;
pub mod manage;
pub mod script;
pub mod tokens;
pub mod widget;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use crate::config::partners::PartnerSettings;

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
        .merge(analytics::router())
        .merge(script::router())
        .merge(widget::router())
}
