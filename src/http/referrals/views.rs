//! The referral as the API shows it (`ReferralView`, with its history as `TransitionView`s),
//! and what each party sees of a stored referral.

use serde::Serialize;
use utoipa::ToSchema;

use crate::app::referrals::{
    self, allowed_moves, contact_for, parties, ReferralRow, SharedContact,
};
use crate::domain::{PersonId, ProviderId, ReferralId, ReferralStatus};
use crate::error::ApiResult;
use crate::state::AppState;

/// A transition in a referral's history.
#[derive(Serialize, ToSchema)]
pub struct TransitionView {
    /// From (null at creation).
    pub from: Option<String>,
    /// To.
    pub to: String,
    /// Who (null for the expiry job).
    pub actor_id: Option<PersonId>,
    /// Their note.
    pub note: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

/// A referral as its parties see it.
#[derive(Serialize, ToSchema)]
pub struct ReferralView {
    /// The referral.
    pub id: ReferralId,
    /// Who sent it.
    pub referrer_id: PersonId,
    /// Their name.
    pub referrer_name: String,
    /// The provider.
    pub provider_id: ProviderId,
    /// Its name.
    pub provider_name: String,
    /// The trade slug.
    pub trade: String,
    /// The recipient, once known.
    pub recipient_id: Option<PersonId>,
    /// Their name.
    pub recipient_name: Option<String>,
    /// The invited email (shown to the referrer only).
    pub recipient_email: Option<String>,
    /// The note.
    pub note: String,
    /// Where it stands.
    pub status: ReferralStatus,
    /// "good" or "bad", once completed.
    pub outcome: Option<String>,
    /// 1 to 5, once completed, if given.
    pub rating: Option<i16>,
    /// Whether this referral is credited with the hire.
    pub credited: bool,
    /// The moves the caller may make now.
    pub allowed_moves: Vec<ReferralStatus>,
    /// How the customer may be reached, as they chose when accepting: shown to the provider's
    /// owner and the customer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SharedContact>,
    /// To the recipient only: how many other people referred the same provider to them for
    /// the same trade within 90 days (who they were is each sender's own business).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also_referred: Option<i64>,
    /// The history, when a single referral is fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Vec<TransitionView>>,
    /// The invitation token, shown once, when the referral was sent by email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

pub(super) async fn view(
    state: &AppState,
    r: ReferralRow,
    caller: PersonId,
    with_history: bool,
) -> ApiResult<ReferralView> {
    let also_referred = referrals::also_referred(state, caller, &r).await?;
    let transitions = if with_history {
        Some(
            referrals::history(state, r.id)
                .await?
                .into_iter()
                .map(|t| TransitionView {
                    from: t.from_status,
                    to: t.to_status,
                    actor_id: t.actor_id,
                    note: t.note,
                    at: t.created_at,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(ReferralView {
        also_referred,
        transitions,
        ..view_of(r, caller)
    })
}

/// What `caller` sees of a referral, without its history or co-referrers. The invited address
/// is the referrer's information, not the provider's; how the customer may be reached is the
/// provider's and the customer's (`app::referrals::contact_for`).
pub(super) fn view_of(r: ReferralRow, caller: PersonId) -> ReferralView {
    let status = r.status;
    let parties = parties(&r, caller);
    ReferralView {
        allowed_moves: allowed_moves(status, &parties),
        contact: contact_for(&r, caller),
        recipient_email: if r.referrer_id == caller {
            r.recipient_email
        } else {
            None
        },
        id: r.id,
        referrer_id: r.referrer_id,
        referrer_name: r.referrer_name,
        provider_id: r.provider_id,
        provider_name: r.provider_name,
        trade: r.trade,
        recipient_id: r.recipient_id,
        recipient_name: r.recipient_name,
        note: r.note,
        status,
        outcome: r.outcome,
        rating: r.rating,
        credited: r.credited,
        also_referred: None,
        transitions: None,
        invite_token: None,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}
