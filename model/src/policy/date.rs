//! Calendar dates of exception expiry (`2027-06-30`): a [`jiff::civil::Date`] that is
//! written, and accepted, only as `YYYY-MM-DD`.

use std::fmt;

use jiff::civil;
use jiff::tz::Offset;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(civil::Date);

/// The day [`Date::unix_days`] counts from.
const UNIX_EPOCH: civil::Date = civil::date(1970, 1, 1);

impl Date {
    /// Parses `YYYY-MM-DD` exactly, rejecting impossible days (`2027-02-30`). jiff's
    /// parser also takes other ISO 8601 forms (`20270630`, a date with a time), which
    /// a policy file may not use: the shape is checked first.
    pub fn parse(text: &str) -> Option<Self> {
        let shape_ok = text.len() == 10
            && text.bytes().enumerate().all(|(at, byte)| match at {
                4 | 7 => byte == b'-',
                _ => byte.is_ascii_digit(),
            });
        if !shape_ok {
            return None;
        }
        text.parse::<civil::Date>().ok().map(Self)
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Self {
        Self(Offset::UTC.to_datetime(jiff::Timestamp::now()).date())
    }

    /// Days since 1970-01-01 (negative before it). The difference of two dates'
    /// `unix_days` is the number of days between them.
    pub fn unix_days(self) -> i64 {
        self.0.duration_since(UNIX_EPOCH).as_hours() / 24
    }

    /// The same day a year later, the last day of February for a 29 February (and the
    /// last representable day past year 9999).
    pub fn a_year_later(self) -> Self {
        Self(self.0.saturating_add(jiff::Span::new().years(1)))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // jiff writes a date of year 0 to 9999 (all that `parse` and `today` make) as
        // `YYYY-MM-DD`.
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| unreachable!("{text} is a date"))
    }

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(date("2027-06-30").to_string(), "2027-06-30");
        assert_eq!(date("0001-01-01").to_string(), "0001-01-01");
        assert_eq!(date("9999-12-31").to_string(), "9999-12-31");
        // Leap years: every 4th, not every 100th, every 400th.
        assert!(Date::parse("2028-02-29").is_some());
        assert!(Date::parse("2000-02-29").is_some());
        assert!(Date::parse("2027-02-29").is_none());
        assert!(Date::parse("2100-02-29").is_none());
        // Impossible days and months.
        assert!(Date::parse("2027-02-30").is_none());
        assert!(Date::parse("2027-04-31").is_none());
        assert!(Date::parse("2027-13-01").is_none());
        assert!(Date::parse("2027-00-10").is_none());
        assert!(Date::parse("2027-06-00").is_none());
    }

    #[test]
    fn only_the_yyyy_mm_dd_shape_is_a_date() {
        for text in [
            "2027-6-30",
            "2027-06-3",
            "27-06-30",
            "+2027-06-30",
            "02027-06-30",
            "20270630",
            "2027-06-30T12:00",
            "2027-06-30 12:00:00",
            "2027-06-30Z",
            "2027-W26-3",
            "2027-181",
            "30/06/2027",
            "2027/06/30",
            " 2027-06-30",
            "2027-06-30\n",
            "2027-06-3٠",
            "",
        ] {
            assert!(Date::parse(text).is_none(), "{text:?} must be rejected");
        }
    }

    #[test]
    fn days_between_dates() {
        assert_eq!(date("1970-01-01").unix_days(), 0);
        assert_eq!(date("1970-01-02").unix_days(), 1);
        assert_eq!(date("1969-12-31").unix_days(), -1);
        assert_eq!(date("2026-06-26").unix_days(), 20_630);
        assert_eq!(date("2000-03-01").unix_days(), 11_017);
        // A leap year's February has 29 days, a common year's 28.
        let days = |from: &str, to: &str| date(to).unix_days() - date(from).unix_days();
        assert_eq!(days("2028-02-01", "2028-03-01"), 29);
        assert_eq!(days("2027-02-01", "2027-03-01"), 28);
        assert_eq!(days("2027-06-30", "2028-06-30"), 366);
        assert_eq!(days("2027-07-01", "2027-06-30"), -1);
    }

    #[test]
    fn a_year_later_keeps_the_day_where_it_exists() {
        assert_eq!(date("2026-11-29").a_year_later().to_string(), "2027-11-29");
        assert_eq!(date("2028-02-29").a_year_later().to_string(), "2029-02-28");
        assert_eq!(date("9999-06-30").a_year_later().to_string(), "9999-12-31");
    }

    #[test]
    fn dates_order_by_day() {
        assert!(date("2027-06-30") < date("2027-07-01"));
        assert!(date("2026-12-31") < date("2027-01-01"));
        assert!(Date::today() > date("2020-01-01"));
    }
}
