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
            Completed => matches!(party, Party::ProviderOwner | Party::Recipient),
            Expired => party == Party::System,
            Sent => false,
        }
    }

    /// The moves `party` may make from here.
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
    fn completion_is_open_to_the_owner_and_the_recipient_but_not_the_referrer() {
        assert!(Hired.may_move(Completed, Party::ProviderOwner));
        assert!(Hired.may_move(Completed, Party::Recipient));
        assert!(!Hired.may_move(Completed, Party::Referrer));
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
