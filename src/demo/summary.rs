//! What `seed-demo` reports: how much of the demo town is in the database.

use std::fmt;

use sqlx::PgExecutor;

use super::{DEMO_EMAIL_DOMAIN, SHARED_PASSWORD, STORY_ACCOUNTS};

/// Counts of the demo town's rows, as found in the database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Demo people (`external_ref` starting `demo:`).
    pub people: i64,
    /// Accounts with a demo email.
    pub accounts: i64,
    /// Providers owned by demo people.
    pub providers: i64,
    /// Trust edges given by demo people.
    pub trust_edges: i64,
    /// Recommending vouches by demo people.
    pub recommends: i64,
    /// Warning vouches by demo people.
    pub warns: i64,
    /// Whether the town was already there, so this run created nothing.
    pub already_seeded: bool,
}

impl DemoSummary {
    /// Counts the demo's rows. Only demo rows are counted, so the figures stay right in a
    /// database that also holds real data.
    pub async fn count(db: impl PgExecutor<'_>, already_seeded: bool) -> sqlx::Result<DemoSummary> {
        // The demo's people are known by their external_ref; everything else hangs off them.
        let (people, accounts, providers, trust_edges, recommends, warns): (
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        ) = sqlx::query_as(
            "with demo as (select id from people where external_ref like 'demo:%')
             select
                 (select count(*) from demo),
                 (select count(*) from accounts where lower(email) like '%@' || $1),
                 (select count(*) from providers where owner_id in (select id from demo)),
                 (select count(*) from trust_edges where truster_id in (select id from demo)),
                 (select count(*) from vouches
                     where person_id in (select id from demo) and stance = 'recommend'),
                 (select count(*) from vouches
                     where person_id in (select id from demo) and stance = 'warn')",
        )
        .bind(DEMO_EMAIL_DOMAIN)
        .fetch_one(db)
        .await?;
        Ok(DemoSummary {
            people,
            accounts,
            providers,
            trust_edges,
            recommends,
            warns,
            already_seeded,
        })
    }
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (anna, anna_email, anna_password) = STORY_ACCOUNTS[0];
        let verb = if self.already_seeded {
            "The demo town of Bristol was already seeded; nothing was changed. It has"
        } else {
            "Seeded the demo town of Bristol:"
        };
        write!(
            f,
            "{verb} {} people ({} with accounts), {} providers, {} trust edges and {} vouches \
             ({} recommend, {} warn). Log in as {anna} ({anna_email}, password {anna_password}) \
             and search for a tiler near her home to see the trust path; every other demo \
             account's password is {SHARED_PASSWORD}.",
            thousands(self.people),
            thousands(self.accounts),
            thousands(self.providers),
            thousands(self.trust_edges),
            thousands(self.recommends + self.warns),
            thousands(self.recommends),
            thousands(self.warns),
        )
    }
}

/// 12345 as "12,345", as British English writes it.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_one_paragraph_naming_anna_and_the_counts() {
        let summary = DemoSummary {
            people: 2000,
            accounts: 2000,
            providers: 250,
            trust_edges: 14000,
            recommends: 2600,
            warns: 400,
            already_seeded: false,
        };
        let text = summary.to_string();
        assert!(!text.contains('\n'));
        assert!(text.contains("2,000 people"), "{text}");
        assert!(
            text.contains("3,000 vouches (2,600 recommend, 400 warn)"),
            "{text}"
        );
        assert!(text.contains("anna@demo.vouchgraph.test"), "{text}");
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }
}
