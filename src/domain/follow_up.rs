//! Follow-ups and responsiveness: the provider's side of a referral, in time.
//!
//! A customer who accepted a referral is waiting for the provider to get in touch. Trust is
//! lost by silence, so a referral accepted and not marked contacted within
//! [`FOLLOW_UP_WORKING_DAYS`] working days becomes a reminder; and how quickly a provider
//! usually gets in touch is measured from the same history and shown to seekers.

use time::{Duration, OffsetDateTime, Weekday};

/// Working days a provider has to get in touch with a customer who accepted a referral before
/// it becomes a reminder. Two: a tradesperson on a job all day still calls back by the day
/// after next, and a customer who hears nothing for longer starts to look elsewhere.
pub const FOLLOW_UP_WORKING_DAYS: u32 = 2;

/// The window responsiveness is measured over, in days.
pub const RESPONSIVENESS_DAYS: i64 = 90;

/// Accepted referrals a provider needs in the window before their responsiveness is shown:
/// fewer say more about luck than about habit.
pub const RESPONSIVENESS_MIN_REFERRALS: usize = 3;

/// When a referral accepted at `accepted` becomes overdue: `days` working days later
/// (Saturdays and Sundays do not count), at the same time of day.
pub fn follow_up_due(accepted: OffsetDateTime, days: u32) -> OffsetDateTime {
    let mut due = accepted;
    let mut left = days;
    // Accepted at the weekend: the clock starts on Monday morning's equivalent time.
    while is_weekend(due.weekday()) {
        due += Duration::days(1);
    }
    while left > 0 {
        due += Duration::days(1);
        if !is_weekend(due.weekday()) {
            left -= 1;
        }
    }
    due
}

fn is_weekend(day: Weekday) -> bool {
    matches!(day, Weekday::Saturday | Weekday::Sunday)
}

/// How quickly a provider gets in touch once a customer accepts a referral.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Responsiveness {
    /// Accepted referrals in the window.
    pub accepted: usize,
    /// The median time from accepted to contacted, in hours; a referral still waiting counts
    /// as long as it has waited so far (see [`Responsiveness::measure`]).
    pub median_hours: Option<f64>,
    /// The share of accepted referrals contacted within a week, of those contacted or waiting
    /// for a week or more (1 when none is).
    pub within_week: f64,
}

impl Responsiveness {
    /// [`Responsiveness::measure`] from each accepted referral's times: when it was accepted,
    /// and when the provider first got in touch (if they did), as of `now`.
    pub fn from_times(
        times: &[(OffsetDateTime, Option<OffsetDateTime>)],
        now: OffsetDateTime,
    ) -> Option<Responsiveness> {
        let hours =
            |from: OffsetDateTime, to: OffsetDateTime| (to - from).as_seconds_f64() / 3600.0;
        let referrals: Vec<(Option<f64>, f64)> = times
            .iter()
            .map(|&(accepted, contacted)| {
                (
                    contacted.map(|at| hours(accepted, at)),
                    hours(accepted, now),
                )
            })
            .collect();
        Responsiveness::measure(&referrals)
    }

    /// Measures responsiveness from each accepted referral's time to contact: `Some(hours)`
    /// once contacted, `None` while still waiting (or never). Still-waiting referrals count in
    /// the median as taking at least as long as they have waited so far (`waited`), so a
    /// provider cannot look quick by leaving the slow ones unanswered. `None` below
    /// [`RESPONSIVENESS_MIN_REFERRALS`].
    pub fn measure(referrals: &[(Option<f64>, f64)]) -> Option<Responsiveness> {
        if referrals.len() < RESPONSIVENESS_MIN_REFERRALS {
            return None;
        }
        // A waiting referral is censored at what it has waited: at least that long.
        let mut hours: Vec<f64> = referrals
            .iter()
            .map(|&(contacted, waited)| contacted.unwrap_or(waited).max(0.0))
            .collect();
        hours.sort_by(f64::total_cmp);
        let n = hours.len();
        let median = if n % 2 == 1 {
            hours[n / 2]
        } else {
            (hours[n / 2 - 1] + hours[n / 2]) / 2.0
        };
        // Within a week, of the referrals that can be judged on it: those contacted, and those
        // that have waited a week or more. One accepted this morning is not yet late.
        const WEEK: f64 = 7.0 * 24.0;
        let judged = referrals
            .iter()
            .filter(|(contacted, waited)| contacted.is_some() || *waited >= WEEK)
            .count();
        let within = referrals
            .iter()
            .filter(|(contacted, _)| contacted.is_some_and(|h| h <= WEEK))
            .count();
        Some(Responsiveness {
            accepted: n,
            median_hours: Some(median),
            within_week: if judged == 0 {
                1.0
            } else {
                within as f64 / judged as f64
            },
        })
    }

    /// In words, after the provider's name, for seekers: "usually gets in touch within a day".
    pub fn in_words(&self) -> String {
        match self.median_hours {
            Some(h) if h <= 24.0 => "usually gets in touch within a day".into(),
            Some(h) if h <= 72.0 => "usually gets in touch within three days".into(),
            Some(h) if h <= 7.0 * 24.0 => "usually gets in touch within a week".into(),
            _ => "is often slow to get in touch".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_referral_accepted_on_thursday_is_due_on_monday_and_one_on_saturday_on_tuesday() {
        // Thursday 3 December 2026, 10:00: Friday is one working day, Monday the second.
        assert_eq!(
            follow_up_due(datetime!(2026-12-03 10:00 UTC), 2),
            datetime!(2026-12-07 10:00 UTC)
        );
        // Saturday: the clock starts on Monday; Tuesday and Wednesday are the two days.
        assert_eq!(
            follow_up_due(datetime!(2026-12-05 09:00 UTC), 2),
            datetime!(2026-12-09 09:00 UTC)
        );
        // Monday: Wednesday.
        assert_eq!(
            follow_up_due(datetime!(2026-12-07 18:30 UTC), 2),
            datetime!(2026-12-09 18:30 UTC)
        );
    }

    #[test]
    fn the_median_is_read_off_the_sorted_times_and_waiting_ones_count_as_slow() {
        // Contacted after 2, 5 and 30 hours, and one still waiting after 200 hours: sorted
        // 2, 5, 30, >=200, so the median is (5 + 30) / 2 = 17.5 hours.
        let r = Responsiveness::measure(&[
            (Some(30.0), 30.0),
            (Some(2.0), 2.0),
            (None, 200.0),
            (Some(5.0), 5.0),
        ])
        .unwrap();
        assert_eq!(r.accepted, 4);
        assert_eq!(r.median_hours, Some(17.5));
        // Three of four were contacted within a week.
        assert_eq!(r.within_week, 0.75);
        assert_eq!(r.in_words(), "usually gets in touch within a day");
    }

    #[test]
    fn a_referral_accepted_a_day_ago_and_not_yet_called_is_not_yet_late() {
        // Two called within the day; one waiting for 20 hours, one for 10 days.
        let r = Responsiveness::measure(&[
            (Some(3.0), 3.0),
            (Some(6.0), 6.0),
            (None, 20.0),
            (None, 240.0),
        ])
        .unwrap();
        // Judged: the two called and the one waiting 10 days; two of those three in time.
        assert!((r.within_week - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn two_referrals_are_too_few_to_say() {
        assert_eq!(
            Responsiveness::measure(&[(Some(1.0), 1.0), (Some(2.0), 2.0)]),
            None
        );
    }
}
