//! The mail fan-out: turns each new outbox event into the emails it calls for, in one
//! transaction that also marks the event mailed. An email therefore exists if and only if
//! its change committed, and an event fanned out twice (a crash before the commit) composes
//! nothing twice: the first attempt rolled back whole.
//!
//! Who gets what:
//! - `account.created`, `account.verification_requested`: a verification link to the account;
//! - `account.password_reset_requested`: a reset link;
//! - `referral.created`: an invitation to an emailed address (held until the referrer's own
//!   address is verified), "Matt referred you to Rossi Tiling" to a recipient with an account,
//!   and "a new referral" to the provider's owner;
//! - `referral.status_changed`: the provider's owner, when someone else moved it;
//! - `referral.follow_up_due`: the provider's owner, when a customer who accepted has waited
//!   two working days for their call (category `reminders`);
//! - `circle.invited`: an invitation into the inviter's circle, held until the inviter's own
//!   address is verified (category `invitations`);
//! - `request.created`: each person the request was routed to, named as their inbox names it
//!   (category `requests`); `request.answered`: the asker.
//!
//! Notices go only to verified addresses (anyone can sign up with someone else's address),
//! never to a category the address declined, and at most `daily_cap` a day to one address.

use sqlx::{PgConnection, PgPool};

use crate::auth::token;
use crate::domain::{PersonId, ReferralId};
use crate::store;
use crate::store::email::TokenPurpose;

use super::compose::{self, Letter, ReferralFacts};
use super::queue::{self, NewEmail};
use super::MailSettings;

/// Events per transaction.
pub const FAN_OUT_BATCH: i64 = 50;

/// How long a verification link works.
pub const VERIFY_VALID_FOR: time::Duration = time::Duration::hours(48);
/// How long a password-reset link works.
pub const RESET_VALID_FOR: time::Duration = time::Duration::hours(1);

/// How soon a second verification or reset link may follow the first: asking again and again
/// (or someone else asking for you) sends one email, not a flood.
pub const RESEND_AFTER: time::Duration = time::Duration::minutes(2);

/// Fans out one batch; returns how many events it took.
pub async fn fan_out(pool: &PgPool, settings: &MailSettings) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let events = queue::claim_events(&mut tx, FAN_OUT_BATCH).await?;
    if events.is_empty() {
        return Ok(0);
    }
    for event in &events {
        let mut out = Outgoing {
            tx: &mut tx,
            settings,
            event_id: event.id,
        };
        out.event(&event.event_type, &event.payload).await?;
    }
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    queue::mark_mailed(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(events.len())
}

/// One event's emails, inside the fan-out's transaction.
struct Outgoing<'a> {
    tx: &'a mut PgConnection,
    settings: &'a MailSettings,
    event_id: i64,
}

fn person_of(payload: &serde_json::Value, key: &str) -> Option<PersonId> {
    payload.get(key)?.as_i64().map(PersonId)
}

fn referral_of(payload: &serde_json::Value) -> Option<ReferralId> {
    payload.get("referral_id")?.as_i64().map(ReferralId)
}

impl Outgoing<'_> {
    async fn event(&mut self, event_type: &str, payload: &serde_json::Value) -> anyhow::Result<()> {
        match event_type {
            "account.created" | "account.verification_requested" => {
                if let Some(person) = person_of(payload, "person_id") {
                    self.one_time_link(person, TokenPurpose::Verify).await?;
                }
            }
            "account.password_reset_requested" => {
                if let Some(person) = person_of(payload, "person_id") {
                    self.one_time_link(person, TokenPurpose::Reset).await?;
                }
            }
            "referral.created" => {
                if let Some(id) = referral_of(payload) {
                    self.referral_created(id).await?;
                }
            }
            "referral.status_changed" => {
                let id = referral_of(payload);
                let status = payload.get("status").and_then(|v| v.as_str());
                if let (Some(id), Some(status)) = (id, status) {
                    self.status_changed(id, status).await?;
                }
            }
            "referral.follow_up_due" => {
                if let Some(id) = referral_of(payload) {
                    self.follow_up_due(id).await?;
                }
            }
            "circle.invited" => {
                if let Some(id) = payload.get("invitation_id").and_then(|v| v.as_i64()) {
                    self.circle_invited(id).await?;
                }
            }
            "request.created" => {
                if let Some(id) = payload.get("request_id").and_then(|v| v.as_i64()) {
                    self.request_created(id).await?;
                }
            }
            "request.answered" => {
                let request = payload.get("request_id").and_then(|v| v.as_i64());
                let answer = payload.get("answer_id").and_then(|v| v.as_i64());
                if let (Some(request), Some(answer)) = (request, answer) {
                    self.request_answered(request, answer).await?;
                }
            }
            // Vouches, deletions and the rest are for partners' webhooks, not for mail.
            _ => {}
        }
        Ok(())
    }

    /// A verification or reset link, minted here so that no secret ever sits in the outbox.
    async fn one_time_link(
        &mut self,
        person: PersonId,
        purpose: TokenPurpose,
    ) -> anyhow::Result<()> {
        let Some(mailbox) = store::email::mailbox(&mut *self.tx, person).await? else {
            return Ok(());
        };
        if purpose == TokenPurpose::Verify && mailbox.verified {
            return Ok(());
        }
        // Several requests queued before the first was fanned out: only the first sends.
        if store::email::sent_recently(&mut *self.tx, person, purpose, RESEND_AFTER).await? {
            return Ok(());
        }
        let secret = token::generate();
        let valid_for = match purpose {
            TokenPurpose::Verify => VERIFY_VALID_FOR,
            TokenPurpose::Reset => RESET_VALID_FOR,
        };
        store::email::create_token(
            self.tx,
            person,
            purpose,
            &mailbox.email,
            &token::hash(&secret),
            valid_for,
        )
        .await?;
        let letter = match purpose {
            TokenPurpose::Verify => compose::verify(
                &mailbox.display_name,
                &self.settings.link("/verify-email", &secret),
            ),
            TokenPurpose::Reset => compose::reset(
                &mailbox.display_name,
                &self.settings.link("/reset-password", &secret),
            ),
        };
        self.send(Some(person), None, &mailbox.email, &letter).await
    }

    async fn referral_created(&mut self, id: ReferralId) -> anyhow::Result<()> {
        let Some(r) = store::referrals::get(&mut *self.tx, id).await? else {
            return Ok(());
        };
        let facts = ReferralFacts {
            referrer: &r.referrer_name,
            provider: &r.provider_name,
            trade: &r.trade,
            note: &r.note,
        };
        let referrals = self.settings.page("/referrals");
        match (&r.recipient_email, r.recipient_id) {
            (Some(address), None) => {
                let secret = token::generate();
                if store::referrals::set_email_token(self.tx, r.id, &token::hash(&secret)).await? {
                    let letter =
                        compose::invitation(&facts, &self.settings.link("/invitation", &secret));
                    self.send(None, Some(r.referrer_id), address, &letter)
                        .await?;
                }
            }
            (_, Some(recipient)) => {
                if let Some(mailbox) = self.verified(recipient).await? {
                    let letter =
                        compose::referral_received(&mailbox.display_name, &facts, &referrals);
                    self.send(Some(recipient), None, &mailbox.email, &letter)
                        .await?;
                }
            }
            (None, None) => {}
        }
        if r.owner_id != r.referrer_id {
            if let Some(mailbox) = self.verified(r.owner_id).await? {
                let letter =
                    compose::new_referral_for_provider(&mailbox.display_name, &facts, &referrals);
                self.send(Some(r.owner_id), None, &mailbox.email, &letter)
                    .await?;
            }
        }
        Ok(())
    }

    async fn status_changed(&mut self, id: ReferralId, status: &str) -> anyhow::Result<()> {
        let Some(r) = store::referrals::get(&mut *self.tx, id).await? else {
            return Ok(());
        };
        // The owner hears of moves others made; their own they know about.
        let actor = store::referrals::last_actor(&mut *self.tx, id, status).await?;
        if actor == Some(r.owner_id) {
            return Ok(());
        }
        if let Some(mailbox) = self.verified(r.owner_id).await? {
            let letter = compose::status_for_provider(
                &mailbox.display_name,
                &r.provider_name,
                status,
                &self.settings.page("/referrals"),
            );
            self.send(Some(r.owner_id), None, &mailbox.email, &letter)
                .await?;
        }
        Ok(())
    }

    /// A customer who accepted has waited two working days for the owner's call.
    async fn follow_up_due(&mut self, id: ReferralId) -> anyhow::Result<()> {
        let Some(r) = store::referrals::get(&mut *self.tx, id).await? else {
            return Ok(());
        };
        // Already contacted (or moved on) by the time the fan-out runs: nothing to remind.
        if r.status != crate::domain::ReferralStatus::Accepted {
            return Ok(());
        }
        if let Some(mailbox) = self.verified(r.owner_id).await? {
            let customer = r.recipient_name.as_deref().unwrap_or("A customer");
            let letter = compose::follow_up_due(
                &mailbox.display_name,
                &r.provider_name,
                customer,
                &self
                    .settings
                    .page(&format!("/providers/{}/dashboard", r.provider_id.0)),
            );
            self.send(Some(r.owner_id), None, &mailbox.email, &letter)
                .await?;
        }
        Ok(())
    }

    /// An invitation into someone's circle, with its one-time link minted here.
    async fn circle_invited(&mut self, id: i64) -> anyhow::Result<()> {
        let Some(invitation) = store::circle::for_mail(&mut *self.tx, id).await? else {
            return Ok(());
        };
        let secret = token::generate();
        if store::circle::set_token(self.tx, id, &token::hash(&secret)).await? {
            let letter = compose::circle_invitation(
                &invitation.inviter_name,
                &invitation.note,
                &self.settings.link("/join", &secret),
            );
            // Held until the inviter's own address is proved, as a referral's invitation is.
            self.send(
                None,
                Some(invitation.inviter_id),
                &invitation.email,
                &letter,
            )
            .await?;
        }
        Ok(())
    }

    /// A request for recommendations, to each person it was routed to who has a proved
    /// address. Each is told of the asker only what their inbox tells them.
    async fn request_created(&mut self, id: i64) -> anyhow::Result<()> {
        let Some(request) = store::requests::get(&mut *self.tx, id).await? else {
            return Ok(());
        };
        let link = self.settings.page(&format!("/requests/{id}"));
        for (person, via) in store::requests::routed_to(&mut *self.tx, id).await? {
            if let Some(mailbox) = self.verified(person).await? {
                let letter = compose::request_received(
                    &mailbox.display_name,
                    &request.asker_name,
                    via.as_deref(),
                    &request.trade_name,
                    &request.note,
                    &link,
                );
                self.send(Some(person), None, &mailbox.email, &letter)
                    .await?;
            }
        }
        Ok(())
    }

    /// An answer, to the asker.
    async fn request_answered(&mut self, id: i64, answer: i64) -> anyhow::Result<()> {
        let Some(request) = store::requests::get(&mut *self.tx, id).await? else {
            return Ok(());
        };
        let answers = store::requests::answers(&mut *self.tx, id).await?;
        let Some(answer) = answers.iter().find(|a| a.id == answer) else {
            return Ok(());
        };
        if let Some(mailbox) = self.verified(request.asker_id).await? {
            let letter = compose::request_answered(
                &mailbox.display_name,
                &answer.answerer_name,
                &answer.provider_name,
                &request.trade_name,
                &self.settings.page(&format!("/requests/{id}")),
            );
            self.send(Some(request.asker_id), None, &mailbox.email, &letter)
                .await?;
        }
        Ok(())
    }

    async fn verified(
        &mut self,
        person: PersonId,
    ) -> anyhow::Result<Option<store::email::Mailbox>> {
        Ok(store::email::mailbox(&mut *self.tx, person)
            .await?
            .filter(|m| m.verified))
    }

    /// Queues `letter` to `to`, unless the address declined its category; over the daily cap
    /// it is kept as a record and never sent. An invitation (`sender` set) waits for the
    /// sender's verified address.
    async fn send(
        &mut self,
        person: Option<PersonId>,
        sender: Option<PersonId>,
        to: &str,
        letter: &Letter,
    ) -> anyhow::Result<()> {
        let mut unsubscribe = None;
        let mut status = "pending";
        if let Some(category) = letter.category {
            let declined = store::email::opted_out(&mut *self.tx, to).await?;
            if declined.iter().any(|c| c == category) {
                return Ok(());
            }
            if queue::sent_today(&mut *self.tx, to).await? >= self.settings.daily_cap {
                status = "capped";
            }
            let secret = token::generate();
            store::email::create_unsubscribe(self.tx, &token::hash(&secret), to, category).await?;
            unsubscribe = Some(self.settings.link("/unsubscribe", &secret));
        }
        if status == "pending" {
            if let Some(sender) = sender {
                let ready = store::email::mailbox(&mut *self.tx, sender)
                    .await?
                    .is_some_and(|m| m.verified);
                if !ready {
                    status = "held";
                }
            }
        }
        let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), self.settings.domain());
        queue::enqueue(
            self.tx,
            &NewEmail {
                event_id: self.event_id,
                person,
                sender,
                to,
                letter,
                unsubscribe_url: unsubscribe.as_deref(),
                status,
                message_id: &message_id,
            },
        )
        .await?;
        Ok(())
    }
}
