//! Linking a vouchgraph account to a partner, so that the partner's widgets can show the
//! person their own ranking: the consent, the link token handed back, and withdrawing it.
//!
//! The person consents on our page, never the partner's; the partner gets a one-time link
//! token, which its server exchanges for embed tokens with its secret key. Unlinking stops
//! those embed tokens at once (they are checked against the link on every call).

use time::OffsetDateTime;

use crate::auth::token;
use crate::domain::{PartnerId, PersonId};
use crate::state::AppState;
use crate::store::partners::{self as store, PartnerRow};

use super::{AppError, AppResult};

/// What the consent page shows: the partner, and when the person linked to it, if they have.
pub struct Consent {
    /// The partner asking.
    pub partner: PartnerRow,
    /// When the person linked, if they did.
    pub linked_at: Option<OffsetDateTime>,
}

/// Where consent leads.
pub enum Linked {
    /// Back to the partner's page, with the link token and the partner's `state` appended.
    Return(reqwest::Url),
    /// Nowhere safe to return (no address, or one off the partner's allowed origins): the
    /// token is shown to the person, to give the partner by hand.
    Code(String),
}

/// The consent page's facts for `person` and partner `id`.
pub async fn consent(state: &AppState, person: PersonId, id: PartnerId) -> AppResult<Consent> {
    let partner = partner(state, id).await?;
    let linked_at = store::linked_at(&state.pool, id, person).await?;
    Ok(Consent { partner, linked_at })
}

/// Links `person` to partner `id`, replacing any earlier link token, and says where to go
/// with the new one: `return_to` if it is on one of the partner's allowed origins.
pub async fn link(
    state: &AppState,
    person: PersonId,
    id: PartnerId,
    return_to: &str,
    partner_state: &str,
) -> AppResult<(PartnerRow, Linked)> {
    let partner = partner(state, id).await?;
    let link_token = format!("vglink_{}", token::generate());
    store::upsert_link(&state.pool, id, person, &token::hash(&link_token)).await?;
    let linked = match allowed_return(&partner, return_to) {
        Some(mut url) => {
            url.query_pairs_mut()
                .append_pair("vouchgraph_link_token", &link_token)
                .append_pair("state", partner_state);
            Linked::Return(url)
        }
        None => Linked::Code(link_token),
    };
    Ok((partner, linked))
}

/// Ends `person`'s link to partner `id` (whether or not there was one): the partner's embed
/// tokens for them stop working at once.
pub async fn unlink(state: &AppState, person: PersonId, id: PartnerId) -> AppResult<PartnerRow> {
    let partner = partner(state, id).await?;
    store::unlink(&state.pool, id, person).await?;
    Ok(partner)
}

async fn partner(state: &AppState, id: PartnerId) -> AppResult<PartnerRow> {
    store::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound("partner"))
}

/// `return_to` if it is an absolute URL on one of the partner's allowed origins.
fn allowed_return(partner: &PartnerRow, return_to: &str) -> Option<reqwest::Url> {
    let url = reqwest::Url::parse(return_to).ok()?;
    let origin = url.origin().ascii_serialization();
    partner.allowed_origins.contains(&origin).then_some(url)
}

/// The link, and the person linked, that `link_token` names for `partner`: a partner's server
/// trades it for embed tokens. An unknown token (never issued, replaced, or unlinked) is
/// invalid, on `link_token`.
pub async fn by_token(
    state: &AppState,
    partner: PartnerId,
    link_token: &str,
) -> AppResult<(i64, PersonId)> {
    store::link_by_token(&state.pool, partner, &token::hash(link_token))
        .await?
        .ok_or_else(|| {
            AppError::field(
                "link_token",
                "no visitor is linked to your partner with this token (it may have been replaced or unlinked)",
            )
        })
}

/// Whether `person` is still linked to `partner` by `link`: an embed token is checked against
/// it on every call, so unlinking stops it at once.
pub async fn stands(
    state: &AppState,
    link: i64,
    partner: PartnerId,
    person: PersonId,
) -> AppResult<bool> {
    Ok(store::link_stands(&state.pool, link, partner, person).await?)
}
