//! `/partners/{id}/keys`: a partner's API keys as its page lists them, and the forms that
//! issue, rotate (with a grace period) and revoke them. A new key is shown once, and a reloaded
//! key form mints nothing.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::app::idempotency;
use crate::app::partners::{self, KeyRow, MAX_GRACE_SECS};
use crate::auth::keys::KeyKind;
use crate::domain::{KeyId, PartnerId};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::page::{day, see_other, WebError};
use crate::web::session::{Posted, SignedIn};

use super::{owned, partner_page_with, path_id, when};

/// A key in the list.
pub(super) struct KeyItem {
    pub(super) id: KeyId,
    pub(super) kind: &'static str,
    pub(super) prefix: String,
    pub(super) created: String,
    pub(super) last_used: String,
    pub(super) status: String,
    pub(super) active: bool,
}

pub(super) fn key_item(k: KeyRow, now: OffsetDateTime) -> KeyItem {
    let kind = k.kind.as_str();
    let (status, active) = match (k.revoked_at, k.expires_at) {
        (Some(at), _) => (format!("Revoked {}", day(at)), false),
        (None, Some(end)) if end <= now => (format!("Expired {}", day(end)), false),
        (None, Some(end)) => (format!("Rotated: works until {}", when(end)), true),
        (None, None) => ("Active".to_string(), true),
    };
    KeyItem {
        id: k.id,
        kind,
        prefix: k.prefix,
        created: day(k.created_at),
        last_used: k.last_used_at.map(when).unwrap_or_else(|| "Never".into()),
        status,
        active,
    }
}

/// A key just made, shown this once.
pub(super) struct NewKeyBox {
    pub(super) key: String,
    pub(super) publishable: bool,
}

/// A rotation's grace period choice.
pub(super) struct Grace {
    pub(super) secs: i64,
    pub(super) label: &'static str,
}

pub(super) const GRACE: &[Grace] = &[
    Grace {
        secs: 0,
        label: "Stop the old key now",
    },
    Grace {
        secs: 3600,
        label: "Keep the old key 1 hour",
    },
    Grace {
        secs: 86_400,
        label: "Keep the old key 1 day",
    },
    Grace {
        secs: 7 * 86_400,
        label: "Keep the old key 7 days",
    },
    Grace {
        secs: MAX_GRACE_SECS,
        label: "Keep the old key 30 days",
    },
];

/// What a key form's submission led to: a key to show once, or a reload of one already used.
pub(super) enum KeyOutcome {
    Shown(NewKeyBox),
    Repeated,
}

/// The new-key form.
#[derive(Deserialize)]
pub struct NewKeyForm {
    kind: KeyKind,
    /// The page's one-time token (`PartnerPage::once`).
    #[serde(default)]
    once: String,
}

/// Whether this submission of a key form is its first: a reload sends the same token again.
async fn first_submission(state: &AppState, me: &SignedIn, once: &str) -> Result<bool, WebError> {
    let once = once.trim();
    if once.is_empty() || once.len() > 100 {
        return Err(ApiError::field("once", "reload the page and try again").into());
    }
    Ok(idempotency::claim(state, me.person, &format!("web-key-form:{once}")).await?)
}

/// `POST /partners/{id}/keys`: issues a key and shows it this once.
pub async fn create_key(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Posted { visitor, form }: Posted<NewKeyForm>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    let partner = owned(&state, me, id).await?;
    if !first_submission(&state, me, &form.once).await? {
        let repeated = Some(KeyOutcome::Repeated);
        return partner_page_with(&state, &visitor, partner, None, None, repeated).await;
    }
    let (new, _) = partners::issue_key(&state, me.person, id, form.kind).await?;
    let shown = NewKeyBox {
        key: new.key,
        publishable: form.kind == KeyKind::Publishable,
    };
    let shown = Some(KeyOutcome::Shown(shown));
    partner_page_with(&state, &visitor, partner, None, None, shown).await
}

/// The rotate form.
#[derive(Deserialize)]
pub struct RotateForm {
    #[serde(default)]
    grace_period_secs: i64,
    /// The page's one-time token (`PartnerPage::once`).
    #[serde(default)]
    once: String,
}

/// `POST /partners/{id}/keys/{key}/rotate`: replaces a key; the old one works for the grace
/// period chosen.
pub async fn rotate_key(
    State(state): State<AppState>,
    Path((raw, raw_key)): Path<(String, String)>,
    Posted { visitor, form }: Posted<RotateForm>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let key_id = KeyId(path_id(&raw_key, "key")?);
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    let partner = owned(&state, me, id).await?;
    if !first_submission(&state, me, &form.once).await? {
        let repeated = Some(KeyOutcome::Repeated);
        return partner_page_with(&state, &visitor, partner, None, None, repeated).await;
    }
    let grace = form.grace_period_secs;
    let (new, row) = partners::rotate_key(&state, me.person, id, key_id, grace).await?;
    let kind = row.kind;
    let shown = NewKeyBox {
        key: new.key,
        publishable: kind == KeyKind::Publishable,
    };
    let shown = Some(KeyOutcome::Shown(shown));
    partner_page_with(&state, &visitor, partner, None, None, shown).await
}

/// `POST /partners/{id}/keys/{key}/revoke`: revokes a key at once.
pub async fn revoke_key(
    State(state): State<AppState>,
    Path((raw, raw_key)): Path<(String, String)>,
    Posted { visitor, .. }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = PartnerId(path_id(&raw, "partner")?);
    let key_id = KeyId(path_id(&raw_key, "key")?);
    let me = visitor.require_for(&format!("/partners/{id}"))?;
    partners::revoke_key(&state, me.person, id, key_id).await?;
    Ok(see_other(&format!("/partners/{id}?done=key-revoked")))
}
