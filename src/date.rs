//! Calendar dates as written in front matter (`2024-05-01`).
//!
//! Only the date part matters to a clinic site (published, updated, reviewed),
//! so this is a plain validated `year-month-day`, with an optional time part
//! (`2024-05-01T09:30:00Z`, `2024-05-01 09:30`) accepted and dropped. Written
//! by hand because the arithmetic needed (validation, today, adding months) is
//! a few lines and a date crate would be the largest dependency we have.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A valid Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, or says what is impossible about it.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date, String> {
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist (months go from 1 to 12)"));
        }
        let max = days_in_month(year, month);
        if day == 0 || day > max {
            return Err(format!("day {day} does not exist in month {month} of {year} (it has {max} days)"));
        }
        // Both fit: checked against 1..=12 and 1..=31 above.
        Ok(Date { year, month: month as u8, day: day as u8 })
    }

    /// Parses `YYYY-MM-DD`, optionally followed by a time (`T` or a space).
    pub fn parse(s: &str) -> Result<Date, String> {
        // As most dates are written (and as dotwork writes them): read
        // without splitting (a rebuild reads 10,000 pages' dates back
        // from the build cache).
        if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *s.as_bytes() {
            let digits = [y1, y2, y3, y4, m1, m2, d1, d2];
            if digits.iter().all(u8::is_ascii_digit) {
                let num = |ds: &[u8]| ds.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
                let (y, m, d) = (num(&digits[..4]), num(&digits[4..6]), num(&digits[6..]));
                // Four digits fit an i32.
                return Date::new(y as i32, m, d).map_err(|why| format!("`{s}` is not a real date: {why}"));
            }
        }
        let s = s.trim();
        let date_part = s.split(['T', ' ', 't']).next().unwrap_or(s);
        let bad = || format!("`{s}` is not a date: write it as YYYY-MM-DD, for example 2024-05-01");
        let mut parts = date_part.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return Err(bad());
        }
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(bad());
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        Date::new(num(y)? as i32, num(m)?, num(d)?).map_err(|why| format!("`{s}` is not a real date: {why}"))
    }

    /// The year, month (1 to 12) and day.
    pub fn parts(self) -> (i32, u8, u8) {
        (self.year, self.month, self.day)
    }

    /// The date as people write it in English: `24 November 2026` (the
    /// theme's `long_date` writes it in the site's language, `theme/i18n.rs`).
    pub fn long(self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {} {}", self.day, MONTHS[usize::from(self.month - 1)], self.year)
    }

    /// Today's date in UTC, or the date of `SOURCE_DATE_EPOCH` when it is
    /// set (the reproducible-builds convention), so checks that depend on
    /// the date (stale reviews) give the same answer on every run.
    pub fn today() -> Date {
        let fixed = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<u64>().ok());
        let secs =
            fixed.unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()));
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The date `months` months later, clamping the day to the month's end
    /// (31 January + 1 month = 28 or 29 February).
    pub fn add_months(self, months: u32) -> Date {
        let total = self.year as i64 * 12 + (self.month as i64 - 1) + months as i64;
        let year = total.div_euclid(12) as i32;
        let month = (total.rem_euclid(12) + 1) as u32;
        let day = (self.day as u32).min(days_in_month(year, month));
        Date { year, month: month as u8, day: day as u8 }
    }

    /// Civil date from a day count (Howard Hinnant's `civil_from_days`).
    fn from_days_since_epoch(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Read from the text itself where the format lends it (the build cache's
/// MessagePack, YAML), without a copy.
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // As a `String` says it: `yaml/words.rs` puts it in words.
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Date, E> {
                Date::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_datetimes() {
        assert_eq!(Date::parse("2024-05-01").unwrap().to_string(), "2024-05-01");
        assert_eq!(Date::parse("2024-5-1").unwrap().to_string(), "2024-05-01");
        assert_eq!(Date::parse("2024-02-29T10:00:00Z").unwrap().to_string(), "2024-02-29");
        assert_eq!(Date::parse("2024-02-29 10:00").unwrap().to_string(), "2024-02-29");
    }

    #[test]
    fn the_plain_form_reads_as_the_general_one() {
        // The plain `YYYY-MM-DD` is read on a path of its own; with a space
        // before it, the same text goes the general way.
        for y in ["0000", "1999", "2024", "2100", "9999"] {
            for m in ["00", "01", "02", "09", "12", "13", "1a"] {
                for d in ["00", "01", "28", "29", "30", "31", "32"] {
                    let plain = format!("{y}-{m}-{d}");
                    assert_eq!(Date::parse(&plain), Date::parse(&format!(" {plain}")), "{plain}");
                }
            }
        }
        let date: Date = serde_json::from_str("\"2024-02-29\"").unwrap();
        assert_eq!(date.to_string(), "2024-02-29");
        let wrong = serde_json::from_str::<Date>("2024").unwrap_err().to_string();
        assert!(wrong.starts_with("invalid type: integer `2024`, expected a string"), "{wrong}");
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::parse("2024-13-45").unwrap_err().contains("month 13 does not exist"));
        assert!(Date::parse("2023-02-29").unwrap_err().contains("day 29 does not exist"));
        assert!(Date::parse("yesterday").unwrap_err().contains("YYYY-MM-DD"));
        assert!(Date::parse("24-01-01").is_err());
        assert!(Date::parse("2024-01-01-01").is_err());
        assert!(Date::parse("").is_err());
    }

    #[test]
    fn writes_dates_for_people() {
        assert_eq!(Date::parse("2026-11-04").unwrap().long(), "4 November 2026");
    }

    #[test]
    fn adds_months_clamping_the_day() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(12).to_string(), "2025-01-31");
        assert_eq!(d.add_months(25).to_string(), "2026-02-28");
    }

    #[test]
    fn converts_day_counts() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(19_723).to_string(), "2024-01-01");
        assert_eq!(Date::from_days_since_epoch(11_016).to_string(), "2000-02-29");
    }
}
