//! The referral lifecycle: which moves exist, and which party may make each.

use serde::{Deserialize, Serialize};

/// Where a referral stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReferralStatus {
    /// Sent, waiting for the recipient.
    Sent,
    /// The recipient accepted it.
    Accepted,
    /// The provider got in touch.
    Contacted,
    /// The recipient hired the provider.
    Hired,
    /// The job is done; carries an outcome.
    Completed,
    /// The recipient declined.
    Declined,
    /// Not accepted within 30 days.
    Expired,
}

/// The party making a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// The person the referral was sent to.
    Recipient,
    /// The owner of the referred provider.
    ProviderOwner,
    /// The person who sent it.
    Referrer,
    /// The background expiry job.
    System,
}

/// A status as the database stores it; the store decodes it once, so a reader never guesses.
impl TryFrom<String> for ReferralStatus {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        ReferralStatus::parse(&name).ok_or_else(|| format!("unknown referral status {name:?}"))
    }
}

impl ReferralStatus {
    /// All statuses, in lifecycle order.
    pub const ALL: [ReferralStatus; 7] = [
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Contacted,
        ReferralStatus::Hired,
        ReferralStatus::Completed,
        ReferralStatus::Declined,
        ReferralStatus::Expired,
    ];

    /// The database/JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Contacted => "contacted",
            ReferralStatus::Hired => "hired",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Declined => "declined",
            ReferralStatus::Expired => "expired",
        }
    }

    /// Parses the database/JSON name.
    pub fn parse(s: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The moves that exist from this status, whoever makes them.
    pub fn next(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Sent => &[Accepted, Declined, Expired],
            // A recipient may hire without the provider marking "contacted" first: people
            // often call the provider themselves.
            Accepted => &[Contacted, Hired, Declined],
            Contacted => &[Hired, Declined],
            Hired => &[Completed],
            Completed | Declined | Expired => &[],
        }
    }

    /// Who may move a referral from this status to `to`.
    pub fn may_move(self, to: ReferralStatus, party: Party) -> bool {
        use ReferralStatus::*;
        if !self.next().contains(&to) {
            return false;
        }
        match to {
            Accepted | Declined | Hired => party == Party::Recipient,
            Contacted => party == Party::ProviderOwner,
            // How the job went is the customer's to say: it weighs the referrer's vouches, and
            // a provider must not rate their own work.
            Completed => party == Party::Recipient,
            Expired => party == Party::System,
            Sent => false,
        }
    }

    /// The moves `party` may make from here.
    /// Who acts next, in words for a viewer with these roles: "Your turn: …" when the next move
    /// is theirs, otherwise whom the referral is waiting for. A card says this so that nobody
    /// wonders whose move it is (a customer who must confirm the hire, a provider who must call).
    pub fn whose_turn(self, parties: &[Party]) -> &'static str {
        use ReferralStatus::*;
        let is = |p: Party| parties.contains(&p);
        match self {
            Sent if is(Party::Recipient) => {
                "Your turn: accept it if you would like them to get in touch, or decline."
            }
            Sent if is(Party::ProviderOwner) => {
                "Waiting for the customer to accept; then it is your turn to get in touch."
            }
            Sent => "Waiting for them to accept it.",
            Accepted if is(Party::ProviderOwner) => {
                "Your turn: get in touch with the customer, then mark it contacted."
            }
            Accepted if is(Party::Recipient) => {
                "Waiting for the provider to get in touch. Hired them already? Say so here."
            }
            Accepted => "Accepted: waiting for the provider to get in touch.",
            Contacted if is(Party::Recipient) => {
                "Your turn: if you hire them, mark it hired; if not, decline."
            }
            Contacted if is(Party::ProviderOwner) => {
                "Waiting for the customer to confirm the hire."
            }
            Contacted => "In touch: waiting for the customer to decide.",
            Hired if is(Party::Recipient) => "Your turn once the job is done: say how it went.",
            Hired if is(Party::ProviderOwner) => {
                "Hired. Once the job is done, the customer says how it went."
            }
            Hired => "Hired: waiting for the job to be done.",
            Completed => "Done.",
            Declined => "Declined: nothing more to do.",
            Expired => "Expired unanswered.",
        }
    }

    pub fn moves_for(self, party: Party) -> Vec<ReferralStatus> {
        self.next()
            .iter()
            .copied()
            .filter(|to| self.may_move(*to, party))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::ReferralStatus::*;
    use super::*;

    #[test]
    fn the_recipient_accepts_and_the_owner_marks_contacted() {
        assert!(Sent.may_move(Accepted, Party::Recipient));
        assert!(!Sent.may_move(Accepted, Party::ProviderOwner));
        assert!(Accepted.may_move(Contacted, Party::ProviderOwner));
        assert!(!Accepted.may_move(Contacted, Party::Recipient));
    }

    #[test]
    fn only_the_customer_says_the_job_is_done_and_how_it_went() {
        assert!(Hired.may_move(Completed, Party::Recipient));
        assert!(!Hired.may_move(Completed, Party::ProviderOwner));
        assert!(!Hired.may_move(Completed, Party::Referrer));
    }

    #[test]
    fn each_card_says_whose_turn_it_is_and_the_turn_matches_the_moves() {
        // The party a "Your turn" names has a move; nobody else is told it is theirs.
        for status in ReferralStatus::ALL {
            for party in [Party::Recipient, Party::ProviderOwner, Party::Referrer] {
                let text = status.whose_turn(&[party]);
                if text.starts_with("Your turn") {
                    assert!(!status.moves_for(party).is_empty(), "{status:?} {party:?}");
                }
            }
        }
        assert!(Contacted
            .whose_turn(&[Party::ProviderOwner])
            .contains("customer to confirm the hire"));
        assert!(Contacted
            .whose_turn(&[Party::Recipient])
            .starts_with("Your turn"));
        assert!(Accepted
            .whose_turn(&[Party::Referrer, Party::ProviderOwner])
            .starts_with("Your turn: get in touch"));
    }

    #[test]
    fn terminal_statuses_have_no_moves() {
        for status in [Completed, Declined, Expired] {
            assert!(status.next().is_empty());
        }
    }

    #[test]
    fn skipping_ahead_is_not_a_move() {
        assert!(!Sent.may_move(Hired, Party::Recipient));
        assert!(!Sent.may_move(Completed, Party::ProviderOwner));
        assert_eq!(Sent.moves_for(Party::Recipient), vec![Accepted, Declined]);
    }

    #[test]
    fn only_the_system_expires_a_referral() {
        assert!(Sent.may_move(Expired, Party::System));
        assert!(!Sent.may_move(Expired, Party::Recipient));
    }
}
