//! Referrals for the demo town, in every state of their lifecycle, so that a provider's
//! dashboard (funnel, "who refers me") has something real to show from the first start.
//!
//! People refer providers they recommend to people they trust, as in life. Statuses follow
//! a plausible funnel; every referral carries its full, time-ordered transition history.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sqlx::PgConnection;

use crate::domain::{ReferralStatus, Stance};

use super::story::{ANNA, BEN, MATT, ROSSI_TILING, SLOW_TILER};
use super::town::DemoTown;

/// One demo referral: indices into the town, and its path through the lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReferral {
    /// Index of the referrer in `town.people`.
    pub referrer: usize,
    /// Index of the provider in `town.providers`.
    pub provider: usize,
    /// The trade slug.
    pub trade: &'static str,
    /// Index of the recipient in `town.people`.
    pub recipient: usize,
    /// The statuses it went through with their age in days, oldest first ("sent" first).
    pub stages: Vec<(ReferralStatus, f64)>,
    /// "good" or "bad" for a completed referral.
    pub outcome: Option<&'static str>,
    /// A 1–5 rating for some completed referrals.
    pub rating: Option<i16>,
}

/// The final status of a referral, drawn so the town's funnel looks like a real one: most
/// referrals get accepted, about half of those end in a hire.
fn final_status(rng: &mut ChaCha8Rng) -> ReferralStatus {
    use ReferralStatus::*;
    match rng.gen_range(0..100) {
        0..=11 => Sent,
        12..=19 => Declined,
        20..=27 => Expired,
        28..=37 => Accepted,
        38..=47 => Contacted,
        48..=57 => Hired,
        _ => Completed,
    }
}

/// How soon a provider calls a customer who accepted a referral: a range of days.
#[derive(Clone, Copy)]
struct Pace {
    contact_days: (f64, f64),
    /// The youngest an accepted referral of theirs may be, in days (a slow call needs time).
    min_age: f64,
}

/// Most of the town's tradespeople call within a few days, as most do.
const USUAL: Pace = Pace {
    contact_days: (0.05, 3.0),
    min_age: 1.0,
};
/// Mario calls the same day.
const QUICK: Pace = Pace {
    contact_days: (0.05, 0.8),
    min_age: 1.0,
};
/// The slow tiler takes one to three weeks.
const SLOW: Pace = Pace {
    contact_days: (8.0, 20.0),
    min_age: 30.0,
};

fn pace_of(provider: usize) -> Pace {
    match provider {
        ROSSI_TILING => QUICK,
        SLOW_TILER => SLOW,
        _ => USUAL,
    }
}

/// The path from `sent` to `last`, with ages spread between `age` days ago and now.
fn path_to(
    last: ReferralStatus,
    age: f64,
    pace: Pace,
    rng: &mut ChaCha8Rng,
) -> Vec<(ReferralStatus, f64)> {
    use ReferralStatus::*;
    let chain: &[ReferralStatus] = match last {
        Sent => &[Sent],
        Declined => &[Sent, Declined],
        Expired => &[Sent, Expired],
        Accepted => &[Sent, Accepted],
        Contacted => &[Sent, Accepted, Contacted],
        Hired => &[Sent, Accepted, Contacted, Hired],
        Completed => &[Sent, Accepted, Contacted, Hired, Completed],
    };
    let mut stages = vec![(Sent, age)];
    let mut now = age;
    for status in &chain[1..] {
        // An expiry comes 30 days after sending; a provider calls within a few days of the
        // customer accepting (so the town's tradespeople look responsive, as most are); other
        // moves take longer.
        now = match status {
            Expired => age - 30.0,
            Contacted => {
                let (soonest, latest) = pace.contact_days;
                (now - rng.gen_range(soonest..latest.min(now).max(2.0 * soonest))).max(0.05)
            }
            _ => (now - rng.gen_range(0.2..(now / 3.0).max(0.3))).max(0.05),
        };
        stages.push((*status, now));
    }
    stages
}

/// Generates the demo referrals for `town`.
pub fn generate(town: &DemoTown, seed: u64) -> Vec<DemoReferral> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0f4e_fe22);
    let mut trusted: Vec<Vec<usize>> = vec![Vec::new(); town.people.len()];
    for edge in &town.trust {
        trusted[edge.truster].push(edge.trustee);
    }
    let mut referrals = Vec::new();
    let mut add =
        |referrer: usize, provider: usize, trade, recipient, last, rng: &mut ChaCha8Rng| {
            let owner = town.providers[provider].owner;
            if recipient == referrer || recipient == owner || referrer == owner {
                return;
            }
            let pace = pace_of(provider);
            // Unanswered referrals expire after 30 days, so those still "sent" are younger.
            let age = match last {
                ReferralStatus::Expired => rng.gen_range(31.0..80.0),
                ReferralStatus::Sent => rng.gen_range(0.5..29.0),
                _ => rng.gen_range(pace.min_age..80.0),
            };
            let outcome = (last == ReferralStatus::Completed).then(|| {
                if rng.gen_bool(0.85) {
                    "good"
                } else {
                    "bad"
                }
            });
            let rating = outcome.filter(|_| rng.gen_bool(0.7)).map(|o| {
                if o == "good" {
                    rng.gen_range(4..=5)
                } else {
                    rng.gen_range(1..=2)
                }
            });
            referrals.push(DemoReferral {
                referrer,
                provider,
                trade,
                recipient,
                stages: path_to(last, age, pace, rng),
                outcome,
                rating,
            });
        };
    // Rossi Tiling, the story's tiler, gets referrals in every state from Matt and other
    // recommenders, so Mario's dashboard shows the whole funnel.
    let rossi_fans: Vec<usize> = town
        .vouches
        .iter()
        .filter(|v| v.provider == ROSSI_TILING && v.stance == Stance::Recommend)
        .map(|v| v.person)
        .collect();
    for (n, status) in ReferralStatus::ALL.iter().cycle().take(21).enumerate() {
        let referrer = if n % 3 == 0 {
            MATT
        } else {
            rossi_fans[n % rossi_fans.len()]
        };
        let circle = &trusted[referrer];
        let recipient = match (n, circle.is_empty()) {
            (0, _) => ANNA,
            (_, true) => BEN,
            _ => circle[rng.gen_range(0..circle.len())],
        };
        add(
            referrer,
            ROSSI_TILING,
            "tiler",
            recipient,
            *status,
            &mut rng,
        );
    }
    // Elsewhere, about one recommendation in four has been passed on to someone trusted.
    for vouch in &town.vouches {
        if vouch.provider == SLOW_TILER {
            // Its own, below. (Its vouch is the town's last, so skipping it moves no draw.)
            continue;
        }
        let circle = &trusted[vouch.person];
        if vouch.stance != Stance::Recommend || circle.is_empty() || !rng.gen_bool(0.25) {
            continue;
        }
        let recipient = circle[rng.gen_range(0..circle.len())];
        let last = final_status(&mut rng);
        add(
            vouch.person,
            vouch.provider,
            vouch.trade,
            recipient,
            last,
            &mut rng,
        );
    }
    // The slow tiler: referred by the neighbour who recommends it, to people they trust (not
    // Anna or Ben, whose inboxes tell the first story); most of its customers waited weeks.
    let owner = town.providers[SLOW_TILER].owner;
    for vouch in town
        .vouches
        .iter()
        .filter(|v| v.provider == SLOW_TILER && v.stance == Stance::Recommend)
    {
        let circle: Vec<usize> = trusted[vouch.person]
            .iter()
            .copied()
            .filter(|&p| p != owner && p != ANNA && p != BEN)
            .collect();
        if circle.is_empty() {
            continue;
        }
        use ReferralStatus::*;
        // Each customer once: a triple is referred once in the demo.
        let customers: Vec<usize> = circle.choose_multiple(&mut rng, 8).copied().collect();
        let statuses = [
            Accepted, Contacted, Accepted, Hired, Contacted, Completed, Accepted, Declined,
        ];
        for (recipient, status) in customers.into_iter().zip(statuses) {
            add(
                vouch.person,
                SLOW_TILER,
                "tiler",
                recipient,
                status,
                &mut rng,
            );
        }
    }
    referrals
}

/// Inserts the referrals and their transitions. `people` and `providers` map town indices to
/// database ids. A hire is credited to its referral (each demo triple is referred once).
pub async fn insert(
    tx: &mut PgConnection,
    referrals: &[DemoReferral],
    people: &[i64],
    providers: &[i64],
    owners: &[usize],
    trade_id: impl Fn(&str) -> anyhow::Result<i32>,
) -> anyhow::Result<()> {
    for r in referrals {
        let (last, last_age) = *r.stages.last().expect("a referral has a first stage");
        let accepted_age = r
            .stages
            .iter()
            .find(|(s, _)| *s == ReferralStatus::Accepted)
            .map(|(_, age)| *age);
        let credited = r.stages.iter().any(|(s, _)| *s == ReferralStatus::Hired);
        let id: i64 = sqlx::query_scalar(
            "insert into referrals (referrer_id, provider_id, trade_id, recipient_id, note, status,
                outcome, rating, credited, created_at, updated_at, accepted_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9,
                now() - make_interval(secs => $10 * 86400),
                now() - make_interval(secs => $11 * 86400),
                now() - make_interval(secs => $12 * 86400))
             returning id",
        )
        .bind(people[r.referrer])
        .bind(providers[r.provider])
        .bind(trade_id(r.trade)?)
        .bind(people[r.recipient])
        .bind("You should call them, they did a great job for us.")
        .bind(last.as_str())
        .bind(r.outcome)
        .bind(r.rating)
        .bind(credited)
        .bind(r.stages[0].1)
        .bind(last_age)
        .bind(accepted_age)
        .fetch_one(&mut *tx)
        .await?;
        let mut from: Option<ReferralStatus> = None;
        for (status, age) in &r.stages {
            use ReferralStatus::*;
            let actor = match status {
                Sent => Some(people[r.referrer]),
                Accepted | Declined | Hired | Completed => Some(people[r.recipient]),
                Contacted => Some(people[owners[r.provider]]),
                Expired => None,
            };
            sqlx::query(
                "insert into referral_transitions (referral_id, from_status, to_status, actor_id, created_at)
                 values ($1, $2, $3, $4, now() - make_interval(secs => $5 * 86400))",
            )
            .bind(id)
            .bind(from.map(|s| s.as_str()))
            .bind(status.as_str())
            .bind(actor)
            .bind(*age)
            .execute(&mut *tx)
            .await?;
            from = Some(*status);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate as generate_town, DEMO_SEED};

    #[test]
    fn rossi_tiling_has_referrals_in_every_state_with_ordered_histories() {
        let town = generate_town(DEMO_SEED);
        let referrals = generate(&town, DEMO_SEED);
        for status in ReferralStatus::ALL {
            assert!(
                referrals
                    .iter()
                    .any(|r| r.provider == ROSSI_TILING
                        && r.stages.last().map(|s| s.0) == Some(status)),
                "no Rossi Tiling referral is {status:?}"
            );
        }
        for r in &referrals {
            assert_eq!(r.stages[0].0, ReferralStatus::Sent);
            assert!(r.stages.windows(2).all(|w| w[0].1 >= w[1].1), "{r:?}");
            assert!(r.stages.iter().all(|(_, age)| *age > 0.0));
            assert_ne!(r.referrer, r.recipient);
            assert_ne!(town.providers[r.provider].owner, r.recipient);
            assert_eq!(
                r.outcome.is_some(),
                r.stages.last().unwrap().0 == ReferralStatus::Completed
            );
        }
        assert!(referrals.len() > 200, "{} referrals", referrals.len());
    }

    /// Each accepted referral of `provider` as the responsiveness measure reads it: (hours to
    /// the call, if made; hours waited so far).
    fn contact_times(referrals: &[DemoReferral], provider: usize) -> Vec<(Option<f64>, f64)> {
        referrals
            .iter()
            .filter(|r| r.provider == provider)
            .filter_map(|r| {
                let at = |wanted| r.stages.iter().find(|(s, _)| *s == wanted).map(|s| s.1);
                let accepted = at(ReferralStatus::Accepted)?;
                let contacted = at(ReferralStatus::Contacted);
                Some((contacted.map(|c| (accepted - c) * 24.0), accepted * 24.0))
            })
            .collect()
    }

    #[test]
    fn mario_usually_calls_within_a_day_and_the_slow_tiler_is_often_slow() {
        use crate::domain::follow_up::{Responsiveness, RESPONSIVENESS_MIN_REFERRALS};
        let town = generate_town(DEMO_SEED);
        let referrals = generate(&town, DEMO_SEED);
        let rossi = Responsiveness::measure(&contact_times(&referrals, ROSSI_TILING))
            .expect("enough of Rossi Tiling's referrals");
        let slow = contact_times(&referrals, SLOW_TILER);
        assert!(slow.len() >= RESPONSIVENESS_MIN_REFERRALS, "{slow:?}");
        let slow = Responsiveness::measure(&slow).unwrap();
        assert_eq!(rossi.in_words(), "usually gets in touch within a day");
        assert_eq!(slow.in_words(), "is often slow to get in touch");
        assert!(slow.within_week < rossi.within_week);
    }
}
