//! The shop's calendar: dates on invoices are Polish dates. Poland keeps Central European
//! Time (UTC+1) and, from the last Sunday of March to the last Sunday of October, summer
//! time (UTC+2), switching at 01:00 UTC as the whole EU does (directive 2000/84/EC). Written
//! out here rather than read from a time-zone database: it is one rule, and a crate for it
//! would cost more build time than these lines.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// The calendar day in Warsaw at the instant `at`.
pub fn warsaw_date(at: DateTime<Utc>) -> NaiveDate {
    (at + warsaw_offset(at)).date_naive()
}

/// How far Warsaw is ahead of UTC at `at`: two hours in summer time, else one.
pub fn warsaw_offset(at: DateTime<Utc>) -> Duration {
    let year = at.year();
    let starts = last_sunday_at_one_utc(year, 3);
    let ends = last_sunday_at_one_utc(year, 10);
    match (starts, ends) {
        (Some(starts), Some(ends)) if at >= starts && at < ends => Duration::hours(2),
        _ => Duration::hours(1),
    }
}

/// 01:00 UTC on the last Sunday of `month`.
fn last_sunday_at_one_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let last = NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Utc.from_local_datetime(&sunday.and_hms_opt(1, 0, 0)?)
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn new_year_comes_an_hour_early_in_warsaw() {
        assert_eq!(warsaw_date(at("2026-12-31T22:59:59Z")), day("2026-12-31"));
        assert_eq!(warsaw_date(at("2026-12-31T23:00:00Z")), day("2027-01-01"));
        assert_eq!(warsaw_date(at("2026-12-31T23:30:00Z")), day("2027-01-01"));
    }

    #[test]
    fn summer_time_runs_from_the_last_sunday_of_march_to_that_of_october() {
        // 2026: 29 March and 25 October, both at 01:00 UTC.
        assert_eq!(
            warsaw_offset(at("2026-03-29T00:59:59Z")),
            Duration::hours(1)
        );
        assert_eq!(
            warsaw_offset(at("2026-03-29T01:00:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            warsaw_offset(at("2026-10-25T00:59:59Z")),
            Duration::hours(2)
        );
        assert_eq!(
            warsaw_offset(at("2026-10-25T01:00:00Z")),
            Duration::hours(1)
        );
        // A summer evening after 22:00 UTC is already tomorrow; a winter one is not.
        assert_eq!(warsaw_date(at("2026-07-14T22:30:00Z")), day("2026-07-15"));
        assert_eq!(warsaw_date(at("2026-01-14T22:30:00Z")), day("2026-01-14"));
        // 2027: 28 March, 31 October.
        assert_eq!(
            warsaw_offset(at("2027-03-28T01:00:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            warsaw_offset(at("2027-10-31T00:30:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            warsaw_offset(at("2027-10-31T01:00:00Z")),
            Duration::hours(1)
        );
    }
}
