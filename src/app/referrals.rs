//! The referral workflow shared by the JSON API, the pages and the partner widget: who plays
//! which party, which moves they may make, and making a move with its history, notifications,
//! outbox event and track-record update, all in one transaction. Its failures are
//! `AppError`s, which each channel shows in its own way.

use serde_json::json;
use sqlx::PgConnection;

use crate::app::validate::Fields;
use crate::app::{AppError, AppResult};
use crate::auth::token;
use crate::domain::values::parse_note;
use crate::domain::{
    Email, PartnerId, Party, PersonId, ProviderId, ReferralId, ReferralStatus, TradeId,
};
use crate::state::AppState;
use crate::store;
use crate::store::referrals::{ListScope, NewReferral};
/// A referral as stored, a step of its history: adapters name them through here.
pub use crate::store::referrals::{ReferralRow, TransitionRow};

/// How long an email invitation (and an unaccepted referral) lives.
pub const REFERRAL_TTL_DAYS: i32 = 30;

/// The parties `person` plays in a referral.
pub fn parties(r: &ReferralRow, person: PersonId) -> Vec<Party> {
    let mut parties = Vec::new();
    if r.recipient_id == Some(person) {
        parties.push(Party::Recipient);
    }
    if r.owner_id == person {
        parties.push(Party::ProviderOwner);
    }
    if r.referrer_id == person {
        parties.push(Party::Referrer);
    }
    parties
}

/// The moves `parties` may make from `status`.
pub fn allowed_moves(status: ReferralStatus, parties: &[Party]) -> Vec<ReferralStatus> {
    let mut moves: Vec<ReferralStatus> = Vec::new();
    for party in parties {
        for to in status.moves_for(*party) {
            if !moves.contains(&to) {
                moves.push(to);
            }
        }
    }
    moves
}

/// An event payload for the outbox and notifications.
pub fn event(r: &ReferralRow, status: ReferralStatus) -> serde_json::Value {
    json!({
        "referral_id": r.id,
        "provider_id": r.provider_id,
        "provider_name": r.provider_name,
        "trade": r.trade,
        "referrer_id": r.referrer_id,
        "referrer_name": r.referrer_name,
        // Who accepted an emailed invitation is theirs to tell: a partner that sent it (or
        // anyone reading the events) would otherwise learn which person an address belongs to.
        "recipient_id": if r.recipient_email.is_some() { None } else { r.recipient_id },
        "status": status.as_str(),
    })
}

/// Whom a referral is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    /// A person with an account.
    Person(PersonId),
    /// An email address: always an invitation, which attaches to an account only through its
    /// token.
    Email(Email),
}

/// A referral to send, already parsed.
pub struct SendReferral<'a> {
    /// The provider referred.
    pub provider: ProviderId,
    /// The trade.
    pub trade: TradeId,
    /// Whom to.
    pub recipient: Recipient,
    /// The note (checked by the caller).
    pub note: &'a str,
    /// The partner site it came through, if any.
    pub partner: Option<PartnerId>,
}

/// A referral as a channel received it: the trade's slug and the note as typed, and the
/// recipient as the channel parsed it (the API, the page and the widget each ask for it their
/// own way), with the field to name when it could not.
pub struct ReferralInput<'a> {
    /// The provider referred.
    pub provider: ProviderId,
    /// The trade's slug.
    pub trade: &'a str,
    /// The note as typed.
    pub note: &'a str,
    /// The recipient, or why the channel could not read one.
    pub recipient: Result<Recipient, String>,
    /// The channel's name for the recipient field, for that message.
    pub recipient_field: &'a str,
    /// The partner site it came through, if any.
    pub partner: Option<PartnerId>,
}

/// A referral whose every field is valid, ready for [`send`] (or [`send_now`]).
pub struct CheckedReferral {
    provider: ProviderId,
    trade: TradeId,
    recipient: Recipient,
    note: String,
    partner: Option<PartnerId>,
}

impl CheckedReferral {
    /// The referral as [`send`] takes it.
    pub fn to_send(&self) -> SendReferral<'_> {
        SendReferral {
            provider: self.provider,
            trade: self.trade,
            recipient: self.recipient.clone(),
            note: &self.note,
            partner: self.partner,
        }
    }
}

/// Checks a referral's fields, every bad one reported at once: the note, the trade (one the
/// service knows; whether the provider offers it is [`send`]'s to say), and the recipient as
/// the channel read it. The one place these rules live for every channel.
pub fn check(state: &AppState, input: ReferralInput<'_>) -> AppResult<CheckedReferral> {
    let mut fields = Fields::new();
    let note = fields.check("note", parse_note(input.note));
    let trade = state.live.trade_by_slug(input.trade);
    if trade.is_none() {
        fields.push("trade", format!("unknown trade {:?}", input.trade));
    }
    let recipient = fields.check(input.recipient_field, input.recipient);
    fields.finish()?;
    Ok(CheckedReferral {
        provider: input.provider,
        trade: trade.expect("checked"),
        recipient: recipient.expect("checked"),
        note: note.expect("checked"),
        partner: input.partner,
    })
}

/// Sends a checked referral in a transaction of its own, for the channels that write nothing
/// else with it (the page and the widget; the API also stores its idempotent answer in the
/// same transaction, through [`send_remembered`]).
pub async fn send_now(
    state: &AppState,
    referrer: PersonId,
    referral: &CheckedReferral,
) -> AppResult<Sent> {
    let mut tx = state.pool.begin().await?;
    let sent = send(&mut tx, referrer, &referral.to_send()).await?;
    tx.commit().await?;
    Ok(sent)
}

/// What a request sent with an idempotency key answers, kept with the referral it sent.
pub struct Remember<'a> {
    /// The key the request came with.
    pub key: &'a str,
    /// A hash of the request's body: the same key with another body is refused.
    pub request_hash: &'a [u8],
    /// The status the answer goes with.
    pub status: u16,
}

/// Sends a checked referral in a transaction of its own and returns the answer `answer` makes
/// of the new row, with the invitation token (shown once) of an email invitation. With
/// `remember`, the answer is stored under its key in the same transaction: the same request
/// sent again gets it back ([`super::idempotency::replay`]), and one racing it with the same
/// key fails as a conflict. The stored answer never holds the token, only what `answer` made.
pub async fn send_remembered(
    state: &AppState,
    referrer: PersonId,
    referral: &CheckedReferral,
    remember: Option<Remember<'_>>,
    answer: impl FnOnce(ReferralRow) -> AppResult<serde_json::Value>,
) -> AppResult<(serde_json::Value, Option<String>)> {
    let mut tx = state.pool.begin().await?;
    let Sent { row, invite_token } = send(&mut tx, referrer, &referral.to_send()).await?;
    // Built from the transaction's own row, before commit, so the stored answer is exactly
    // what this request returns (just created, it has no history or co-referrers to read yet).
    let answer = answer(row)?;
    if let Some(r) = remember {
        super::idempotency::remember(&mut tx, referrer, r.key, r.request_hash, r.status, &answer)
            .await?;
    }
    tx.commit().await?;
    Ok((answer, invite_token))
}

/// Gives an unused, unexpired email invitation that `referrer` sent a fresh token and returns
/// it; the old token stops working. `None` for an invitation already used or expired, a
/// referral to a person, or one someone else sent. A request replayed with its idempotency key
/// needs it: the first answer may have been lost, and the token itself is never stored.
pub async fn reissue_invitation(
    state: &AppState,
    referrer: PersonId,
    id: ReferralId,
) -> AppResult<Option<String>> {
    let sent_by_them = store::referrals::get(&state.pool, id)
        .await?
        .is_some_and(|r| r.referrer_id == referrer);
    if !sent_by_them {
        return Ok(None);
    }
    let fresh = token::generate();
    let replaced =
        store::referrals::replace_invite_token(&state.pool, id, &token::hash(&fresh)).await?;
    Ok(replaced.then_some(fresh))
}

/// A sent referral: the row, and the invitation token (shown once) for an email invitation.
pub struct Sent {
    /// The referral as stored.
    pub row: ReferralRow,
    /// The one-time invitation token, when the recipient has no account yet.
    pub invite_token: Option<String>,
}

/// Sends a referral inside the caller's transaction: checks the provider, trade and
/// recipient (not yourself, not the provider's owner), stores it with its first transition,
/// notifies the recipient and the owner, and writes the `referral.created` outbox event.
pub async fn send(
    tx: &mut PgConnection,
    referrer: PersonId,
    req: &SendReferral<'_>,
) -> Result<Sent, AppError> {
    let recipient_field = match req.recipient {
        Recipient::Person(_) => "recipient_id",
        Recipient::Email(_) => "recipient_email",
    };
    let owner = store::providers::owner_for_update(tx, req.provider)
        .await?
        .ok_or_else(|| AppError::field("provider_id", "no such provider"))?;
    if !store::providers::trade_ids(&mut *tx, req.provider)
        .await?
        .contains(&req.trade)
    {
        return Err(AppError::field(
            "trade",
            "this provider does not offer that trade",
        ));
    }
    // An email is always an invitation, whether or not an account has that address: the
    // sender must not learn which addresses have accounts (nothing in the answer, the
    // notifications or the work done differs), and an unproved address must not receive
    // what was meant for its real owner. The invitation attaches only through its token.
    let (recipient, invite_email) = match &req.recipient {
        Recipient::Person(id) => {
            if !store::accounts::exists(&mut *tx, *id).await? {
                return Err(AppError::field(recipient_field, "no such person"));
            }
            (Some(*id), None)
        }
        Recipient::Email(email) => {
            // The sender's own address is theirs to know.
            let own = store::accounts::get(&mut *tx, referrer).await?;
            if own.is_some_and(|account| account.email.eq_ignore_ascii_case(email.as_str())) {
                return Err(AppError::field(
                    recipient_field,
                    "you cannot refer yourself",
                ));
            }
            (None, Some(email.as_str()))
        }
    };
    if recipient == Some(referrer) {
        return Err(AppError::field(
            recipient_field,
            "you cannot refer yourself",
        ));
    }
    if recipient == Some(owner) {
        return Err(AppError::field(
            recipient_field,
            "you cannot refer a provider to its own owner",
        ));
    }
    let invite_token = invite_email.map(|_| token::generate());
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(REFERRAL_TTL_DAYS as i64);
    let id = store::referrals::create(
        tx,
        &NewReferral {
            referrer,
            provider: req.provider,
            trade: req.trade,
            recipient,
            recipient_email: invite_email,
            invite_token_hash: invite_token.as_deref().map(token::hash),
            invite_expires_at: invite_token.as_ref().map(|_| expires),
            note: req.note,
            partner: req.partner,
        },
    )
    .await?;
    let row = store::referrals::get(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound("referral"))?;
    let mut payload = event(&row, ReferralStatus::Sent);
    if let Some(partner) = req.partner {
        payload["partner_id"] = json!(partner);
    }
    if let Some(recipient) = recipient {
        store::notifications::notify(tx, recipient, "referral.received", &payload).await?;
    }
    // An owner referring their own business needs no note of it.
    if owner != referrer {
        store::notifications::notify(tx, owner, "referral.received_for_provider", &payload).await?;
    }
    store::notifications::outbox(tx, "referral.created", &payload).await?;
    Ok(Sent { row, invite_token })
}

/// Hands the emailed invitation whose token this is to `person`, whose account has the address
/// `email`, inside the caller's transaction, and tells them of it. The token is the proof:
/// an account that merely claims the invited address gets nothing.
pub async fn claim(
    tx: &mut PgConnection,
    invite_token: &str,
    email: &str,
    person: PersonId,
) -> Result<ReferralId, AppError> {
    let id = store::referrals::claim_invitation(tx, &token::hash(invite_token), email, person)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "invite_token",
                "this invitation is not valid for this email, or has expired or been used",
            )
        })?;
    let row = store::referrals::get(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound("referral"))?;
    let status = row.status;
    store::notifications::notify(tx, person, "referral.received", &event(&row, status)).await?;
    Ok(id)
}

/// A signed-in person claims an invitation sent to their address (`claim`), in a transaction
/// of its own; returns the referral's id.
pub async fn claim_signed_in(
    state: &AppState,
    person: PersonId,
    invite_token: &str,
) -> Result<ReferralId, AppError> {
    let mut tx = state.pool.begin().await?;
    let account = store::accounts::get(&mut *tx, person)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let id = claim(&mut tx, invite_token, &account.email, person).await?;
    tx.commit().await?;
    Ok(id)
}

/// A requested move, already parsed.
pub struct Move {
    /// The status to move to.
    pub to: ReferralStatus,
    /// "good" or "bad", for a completion.
    pub outcome: Option<String>,
    /// 1..5, optional, for a completion.
    pub rating: Option<i16>,
    /// A note for the history (at most 1,000 characters, checked by the caller).
    pub note: String,
    /// How the customer may be reached, for an acceptance only.
    pub contact: ContactChoice,
}

/// How a customer may be reached, chosen when they accept a referral. Only the provider's
/// owner (and the customer) ever see it: not the referrer, no event, no webhook.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SharedContact {
    /// The customer's account address (as it is now) may be shown to the provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A phone number, in the customer's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// What an acceptance says about being reached: share the account address or not, and a
/// phone number, as typed.
#[derive(Clone, Debug, Default)]
pub struct ContactChoice {
    /// Show the account address to the provider.
    pub share_email: bool,
    /// A phone number; blank is none.
    pub phone: Option<String>,
}

impl ContactChoice {
    /// Whether the customer chose to share anything.
    pub fn is_empty(&self) -> bool {
        !self.share_email && self.phone.as_deref().is_none_or(|p| p.trim().is_empty())
    }
}

/// A phone number as a person types one: 5 to 60 characters with at least 5 digits, and
/// nothing but digits, spaces, `+ - ( ) .`, or words after a comma ("07700 900123, evenings").
/// Blank is none.
pub fn parse_phone(text: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let number = text.split(',').next().unwrap_or_default();
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let shaped = number
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !shaped || digits < 5 || text.chars().count() > 60 || text.chars().any(char::is_control) {
        return Err("a phone number, such as 07700 900123 (words may follow a comma)".into());
    }
    Ok(Some(text.to_string()))
}

/// What `viewer` may see of how the customer may be reached: the provider's owner and the
/// customer see what the customer shared; the referrer and everyone else see nothing.
pub fn contact_for(r: &ReferralRow, viewer: PersonId) -> Option<SharedContact> {
    if r.owner_id != viewer && r.recipient_id != Some(viewer) {
        return None;
    }
    let contact = SharedContact {
        email: r.contact_email.clone(),
        phone: r.contact_phone.clone(),
    };
    (contact != SharedContact::default()).then_some(contact)
}

/// Checks a move's outcome and rating against the status it moves to.
pub fn check_move(m: &Move) -> Result<(), AppError> {
    let completing = m.to == ReferralStatus::Completed;
    match (&m.outcome, completing) {
        (None, true) => return Err(AppError::field("outcome", "say how the job went")),
        (Some(o), true) if o != "good" && o != "bad" => {
            return Err(AppError::field("outcome", "must be good or bad"))
        }
        (Some(_), false) => {
            return Err(AppError::field(
                "outcome",
                "only a completion carries an outcome",
            ))
        }
        _ => {}
    }
    match (m.rating, completing) {
        (Some(r), true) if !(1..=5).contains(&r) => {
            return Err(AppError::field("rating", "must be 1 to 5"))
        }
        (Some(_), false) => {
            return Err(AppError::field(
                "rating",
                "only a completion carries a rating",
            ))
        }
        _ => {}
    }
    if m.to != ReferralStatus::Accepted && !m.contact.is_empty() {
        return Err(AppError::field(
            "contact",
            "contact details are shared when accepting",
        ));
    }
    parse_phone(m.contact.phone.as_deref())
        .map_err(|message| AppError::field("phone", &message))?;
    Ok(())
}

/// Locks referral `id` for the rest of `tx` and reads it, with the parts `person` plays in it;
/// 404 if it does not exist or they play none (so a stranger cannot tell the two apart).
async fn lock_for_party(
    tx: &mut PgConnection,
    id: ReferralId,
    person: PersonId,
) -> Result<(ReferralRow, Vec<Party>), AppError> {
    if !store::referrals::lock(&mut *tx, id).await? {
        return Err(AppError::NotFound("referral"));
    }
    let row = store::referrals::get(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound("referral"))?;
    let parties = parties(&row, person);
    if parties.is_empty() {
        return Err(AppError::NotFound("referral"));
    }
    Ok((row, parties))
}

/// Makes the move for `person`: 404 if they are not a party, 409 if the move does not exist
/// from here, 403 if another party makes it.
pub async fn make_move(
    state: &AppState,
    person: PersonId,
    id: ReferralId,
    m: Move,
) -> Result<(), AppError> {
    check_move(&m)?;
    let mut tx = state.pool.begin().await?;
    let moved = move_in(&mut tx, person, id, &m).await?;
    tx.commit().await?;
    after_move(state, moved).await;
    Ok(())
}

/// What a move inside a transaction leaves to do once it commits.
pub(super) struct Moved {
    provider: crate::domain::ProviderId,
    /// Whether it re-weighed the referrer's vouches (the live graph catches up).
    reweighed: bool,
}

/// Makes a checked move (`check_move`) inside the caller's transaction: the rules of
/// [`make_move`], the transition, the notifications and the outcome's track record.
pub(super) async fn move_in(
    tx: &mut PgConnection,
    person: PersonId,
    id: ReferralId,
    m: &Move,
) -> Result<Moved, AppError> {
    let (row, parties) = lock_for_party(&mut *tx, id, person).await?;
    let from = row.status;
    if !from.next().contains(&m.to) {
        return Err(AppError::IllegalTransition {
            detail: format!(
                "a referral that is {} cannot become {}",
                from.as_str(),
                m.to.as_str()
            ),
            allowed: allowed_moves(from, &parties)
                .into_iter()
                .map(|s| s.as_str().to_string())
                .collect(),
        });
    }
    if !parties.iter().any(|p| from.may_move(m.to, *p)) {
        return Err(AppError::Forbidden(format!(
            "another party makes the move to {}",
            m.to.as_str()
        )));
    }
    store::referrals::set_status(&mut *tx, id, m.to, m.outcome.as_deref(), m.rating).await?;
    store::referrals::record_transition(&mut *tx, id, Some(from), m.to, Some(person), &m.note)
        .await?;
    if m.to == ReferralStatus::Hired {
        store::referrals::attribute_hire(&mut *tx, &row).await?;
    }
    if m.to == ReferralStatus::Accepted {
        let phone = parse_phone(m.contact.phone.as_deref()).unwrap_or_default();
        store::referrals::set_contact(&mut *tx, id, m.contact.share_email, phone.as_deref())
            .await?;
    }
    let mut payload = event(&row, m.to);
    payload["from"] = json!(from.as_str());
    payload["outcome"] = json!(m.outcome);
    for party in [Some(row.referrer_id), row.recipient_id, Some(row.owner_id)]
        .into_iter()
        .flatten()
        .filter(|p| *p != person)
    {
        store::notifications::notify(&mut *tx, party, "referral.status_changed", &payload).await?;
    }
    store::notifications::outbox(&mut *tx, "referral.status_changed", &payload).await?;
    // Only the recipient's outcome counts in the referrer's track record
    // (`store::track_records`), so only their completion re-weighs it.
    let reweighed = m.to == ReferralStatus::Completed && row.recipient_id == Some(person);
    if reweighed {
        // The outcome changes the referrer's track record, so all their vouches are
        // re-weighed in this transaction. Last: it takes the change feed's lock until commit.
        store::track_records::reapply_vouches(&mut *tx, row.referrer_id).await?;
    }
    Ok(Moved {
        provider: row.provider_id,
        reweighed,
    })
}

/// Once a move committed: the live graph catches up with re-weighed vouches, and the
/// provider's responsiveness is brought up to date.
pub(super) async fn after_move(state: &AppState, moved: Moved) {
    if moved.reweighed {
        state.live.catch_up_after_write(&state.pool).await;
    }
    refresh_pace(state, moved.provider).await;
}

/// Brings the provider's responsiveness up to date after a move of one of its referrals. The
/// move has committed: a failure here only delays the figure to the next full refresh.
async fn refresh_pace(state: &AppState, provider: crate::domain::ProviderId) {
    if let Err(error) = state.pace.refresh(&state.pool, provider).await {
        tracing::warn!(?error, "responsiveness refresh failed");
    }
}

/// The recipient says the provider never got in touch, although the provider marked the
/// referral contacted: the mark stops counting towards the provider's responsiveness, and the
/// provider's owner hears of it. Only the recipient may say so (404 to anyone who is not a
/// party, 403 to the other parties), and only once the referral is marked contacted (409
/// before; saying it twice changes nothing).
pub async fn dispute_contact(
    state: &AppState,
    person: PersonId,
    id: ReferralId,
) -> Result<(), AppError> {
    let mut tx = state.pool.begin().await?;
    let (row, _) = lock_for_party(&mut tx, id, person).await?;
    if row.recipient_id != Some(person) {
        return Err(AppError::Forbidden(
            "only the customer can say they were not contacted".into(),
        ));
    }
    if !store::referrals::was_marked_contacted(&mut *tx, id).await? {
        return Err(AppError::Conflict(
            "the referral has not been marked contacted".into(),
        ));
    }
    if store::referrals::mark_contact_disputed(&mut tx, id).await? {
        let payload = event(&row, ReferralStatus::Contacted);
        store::notifications::notify(&mut tx, row.owner_id, "referral.contact_disputed", &payload)
            .await?;
    }
    tx.commit().await?;
    refresh_pace(state, row.provider_id).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn a_recipient_who_owns_the_provider_gets_each_move_once() {
        let moves = allowed_moves(Accepted, &[Party::Recipient, Party::ProviderOwner]);
        assert_eq!(moves, vec![Hired, Declined, Contacted]);
    }

    #[test]
    fn only_a_completion_carries_an_outcome() {
        let completion = |outcome: Option<&str>, rating| Move {
            to: Completed,
            outcome: outcome.map(str::to_string),
            rating,
            note: String::new(),
            contact: ContactChoice::default(),
        };
        assert!(check_move(&completion(Some("good"), Some(5))).is_ok());
        assert!(check_move(&completion(None, None)).is_err());
        assert!(check_move(&completion(Some("meh"), None)).is_err());
        assert!(check_move(&completion(Some("bad"), Some(9))).is_err());
        let accept = Move {
            to: Accepted,
            outcome: Some("good".into()),
            rating: None,
            note: String::new(),
            contact: ContactChoice::default(),
        };
        assert!(check_move(&accept).is_err());
    }

    #[test]
    fn a_phone_number_is_digits_with_words_after_a_comma() {
        assert_eq!(parse_phone(Some("  ")), Ok(None));
        assert_eq!(
            parse_phone(Some("07700 900123, evenings")),
            Ok(Some("07700 900123, evenings".into()))
        );
        assert_eq!(
            parse_phone(Some("+44 (0)20 7946-0958")).map(|p| p.is_some()),
            Ok(true)
        );
        for bad in ["call me", "123", "0770090012<script>", &"1".repeat(61)] {
            assert!(parse_phone(Some(bad)).is_err(), "{bad}");
        }
    }
}

/// The referral `id`, for its parties only: to anyone else (the referrer, the recipient and the
/// provider's owner are its parties) it does not exist, [`AppError::NotFound`].
pub async fn get(state: &AppState, person: PersonId, id: ReferralId) -> AppResult<ReferralRow> {
    store::referrals::get(&state.pool, id)
        .await?
        .filter(|r| !parties(r, person).is_empty())
        .ok_or(AppError::NotFound("referral"))
}

/// How many other people referred the same provider to the same recipient for the same trade
/// within 90 days of `r`: the recipient's to know, as a number only; `None` for anyone else.
pub async fn also_referred(
    state: &AppState,
    viewer: PersonId,
    r: &ReferralRow,
) -> AppResult<Option<i64>> {
    if r.recipient_id != Some(viewer) {
        return Ok(None);
    }
    Ok(Some(
        store::referrals::also_referred_count(&state.pool, r).await?,
    ))
}

/// A referral's history, oldest first. Its parties see all of it; callers read it only for a
/// referral got through [`get`] or returned by a move.
pub async fn history(state: &AppState, id: ReferralId) -> AppResult<Vec<TransitionRow>> {
    Ok(store::referrals::transitions(&state.pool, id).await?)
}

/// Whose referrals to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Those the caller sent.
    Sent,
    /// Those the caller received.
    Received,
    /// Those of a provider the caller owns.
    Provider(ProviderId),
}

/// A page of referrals for `caller`, newest first, before the cursor `before` (a referral id),
/// at most `limit`: their own, sent or received, or a provider's for its owner only (404 for
/// a provider that does not exist, 403 for anyone but its owner). The API and the pages both
/// list through here.
pub async fn list(
    state: &AppState,
    caller: PersonId,
    listing: Listing,
    status: Option<ReferralStatus>,
    before: Option<ReferralId>,
    limit: i64,
) -> Result<Vec<ReferralRow>, AppError> {
    let scope = match listing {
        Listing::Sent => ListScope::SentBy(caller),
        Listing::Received => ListScope::ReceivedBy(caller),
        Listing::Provider(provider) => {
            let refusal = "only the provider's owner sees its referrals";
            super::providers::owned(state, caller, provider, refusal).await?;
            ListScope::ForProvider(provider)
        }
    };
    Ok(store::referrals::list(&state.pool, scope, status, before, limit).await?)
}
