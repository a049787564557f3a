//! Dates and times as people read them in the NHS: "26 November 2026", "26 November 2026 at 3:05pm".
//!
//! Cradle stores instants as milliseconds since the Unix epoch (UTC) so both databases sort
//! and compare them the same way; it shows them in UK time.

use crate::text::lower_first;
use crate::Invalid;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Now by the system's clock, as stored: milliseconds since the Unix epoch. Only the
/// application's clock (`cradle_app::clock`) and the store's seeding at start-up read it;
/// everything else asks the application, whose clock tests can move.
pub fn now_millis() -> i64 {
    millis_of(OffsetDateTime::now_utc())
}

pub fn millis_of(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub fn from_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The UK offset on a given UTC instant: British Summer Time runs from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October.
pub fn uk_offset(at: OffsetDateTime) -> UtcOffset {
    let year = at.year();
    let starts = last_sunday(year, Month::March).with_hms(1, 0, 0);
    let ends = last_sunday(year, Month::October).with_hms(1, 0, 0);
    match (starts, ends) {
        (Ok(starts), Ok(ends)) => {
            let utc = at.to_offset(UtcOffset::UTC);
            let naive = time::PrimitiveDateTime::new(utc.date(), utc.time());
            if naive >= starts && naive < ends {
                UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC)
            } else {
                UtcOffset::UTC
            }
        }
        _ => UtcOffset::UTC,
    }
}

fn last_sunday(year: i32, month: Month) -> Date {
    let days = time::util::days_in_month(month, year);
    let mut date = Date::from_calendar_date(year, month, days).unwrap_or(Date::MIN);
    while date.weekday() != time::Weekday::Sunday {
        date = date.previous_day().unwrap_or(date);
    }
    date
}

/// "26 November 2026".
pub fn long_date(date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// "26 November 2026 at 3:05pm", in UK time.
pub fn long_date_time(millis: i64) -> String {
    let at = from_millis(millis);
    let local = at.to_offset(uk_offset(at));
    let (hour, suffix) = match local.hour() {
        0 => (12, "am"),
        h @ 1..=11 => (h, "am"),
        12 => (12, "pm"),
        h => (h - 12, "pm"),
    };
    format!(
        "{} at {}:{:02}{}",
        long_date(local.date()),
        hour,
        local.minute(),
        suffix
    )
}

pub fn month_name(month: Month) -> &'static str {
    match month {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

/// A date as the three boxes of the NHS date input hold it (day, month, year), or three
/// empty boxes.
pub fn date_boxes(date: Option<Date>) -> (String, String, String) {
    date.map(|d| {
        (
            d.day().to_string(),
            u8::from(d.month()).to_string(),
            d.year().to_string(),
        )
    })
    .unwrap_or_default()
}

/// Reads a date from the NHS date input's three boxes (day, month, year).
/// `label` starts the messages, for example "Baby's date of birth".
pub fn parse_date_parts(
    field: &'static str,
    label: &str,
    day: &str,
    month: &str,
    year: &str,
) -> Result<Date, Invalid> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Err(Invalid::new(field, format!("Enter {}", lower_first(label))));
    }
    let missing: Vec<&str> = [("a day", day), ("a month", month), ("a year", year)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(Invalid::new(
            field,
            format!("{label} must include {}", missing.join(" and ")),
        ));
    }
    let parsed = (day.parse::<u8>(), month.parse::<u8>(), year.parse::<i32>());
    let (Ok(d), Ok(m), Ok(y)) = parsed else {
        return Err(Invalid::new(
            field,
            format!("{label} must be a real date, for example 15 3 2026"),
        ));
    };
    if !(1900..=2200).contains(&y) || year.len() != 4 {
        return Err(Invalid::new(
            field,
            format!("{label} must include a year with 4 numbers, for example 2026"),
        ));
    }
    Month::try_from(m)
        .ok()
        .and_then(|month| Date::from_calendar_date(y, month, d).ok())
        .ok_or_else(|| {
            Invalid::new(
                field,
                format!("{label} must be a real date, for example 15 3 2026"),
            )
        })
}

/// Whole years from `born` to `today` (an age as people say it).
pub fn whole_years(born: Date, today: Date) -> i32 {
    let mut years = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    years
}

/// The date in the UK at an instant (milliseconds since the Unix epoch).
pub fn uk_date(millis: i64) -> Date {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.to_offset(uk_offset(at)).date()
}

/// Adds whole months, keeping the day where the month has it (31 January + 1 month = 28 or 29 February).
pub fn add_months(date: Date, months: u32) -> Date {
    let total = i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = date.year() + i32::try_from(total / 12).unwrap_or(0);
    let month = time::Month::try_from(u8::try_from(total % 12 + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_whole_years_to_the_birthday() {
        use time::macros::date;
        assert_eq!(
            whole_years(date!(1994 - 11 - 26), date!(2026 - 11 - 26)),
            32
        );
        assert_eq!(
            whole_years(date!(1994 - 11 - 27), date!(2026 - 11 - 26)),
            31
        );
        assert_eq!(
            whole_years(date!(2000 - 02 - 29), date!(2026 - 02 - 28)),
            25
        );
    }
    use time::macros::{date, datetime};

    #[test]
    fn long_dates_read_as_people_write_them() {
        assert_eq!(long_date(date!(2026 - 11 - 26)), "26 November 2026");
        assert_eq!(long_date(date!(2027 - 01 - 03)), "3 January 2027");
    }

    #[test]
    fn times_show_in_uk_time_across_summer_time() {
        let winter = millis_of(datetime!(2026-11-26 15:05 UTC));
        assert_eq!(long_date_time(winter), "26 November 2026 at 3:05pm");
        let summer = millis_of(datetime!(2026-07-01 23:30 UTC));
        assert_eq!(long_date_time(summer), "2 July 2026 at 12:30am");
    }

    #[test]
    fn millis_round_trip() {
        let at = datetime!(2026-11-26 15:05:07.123 UTC);
        assert_eq!(from_millis(millis_of(at)), at);
    }

    #[test]
    fn date_parts_explain_what_is_missing_or_wrong() {
        assert_eq!(
            parse_date_parts("d", "Date of birth", "26", "11", "2026"),
            Ok(date!(2026 - 11 - 26))
        );
        let missing = parse_date_parts("d", "Date of birth", "26", "", "").unwrap_err();
        assert_eq!(
            missing.message,
            "Date of birth must include a month and a year"
        );
        let unreal = parse_date_parts("d", "Date of birth", "31", "2", "2026").unwrap_err();
        assert!(unreal.message.contains("real date"));
        let empty = parse_date_parts("d", "Date of birth", "", "", "").unwrap_err();
        assert_eq!(empty.message, "Enter date of birth");
        let short_year = parse_date_parts("d", "Date of birth", "1", "2", "26").unwrap_err();
        assert!(short_year.message.contains("4 numbers"));
    }
}
