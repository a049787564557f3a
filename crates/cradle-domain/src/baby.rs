//! Babies: gestation at birth, age, and corrected age for babies born early.
//!
//! Corrected age counts from the date the baby was due rather than the date of birth, so a
//! baby born 8 weeks early is, at 12 weeks old, expected to do what a 4-week-old does.
//! Cradle corrects for babies born before 37 weeks, until their second birthday, which is
//! the usual practice for developmental checks.

use crate::dates::add_months;
use crate::Invalid;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// Gestation in completed weeks and days, written "34+2".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Gestation {
    pub weeks: u8,
    pub days: u8,
}

impl Gestation {
    pub const FULL_TERM: Gestation = Gestation { weeks: 40, days: 0 };
    /// Born before 37+0 is preterm.
    pub const TERM_STARTS: Gestation = Gestation { weeks: 37, days: 0 };

    /// Reads "34+2", "34 + 2", "34" (34+0), or weeks and days typed in two boxes.
    pub fn parse(field: &'static str, weeks: &str, days: &str) -> Result<Self, Invalid> {
        let (weeks, days) = match weeks.split_once('+') {
            Some((w, d)) if days.trim().is_empty() => (w.trim().to_string(), d.trim().to_string()),
            _ => (weeks.trim().to_string(), days.trim().to_string()),
        };
        if weeks.is_empty() {
            return Err(Invalid::new(
                field,
                "Enter the gestation in weeks, for example 34",
            ));
        }
        let weeks: u8 = weeks
            .parse()
            .map_err(|_| Invalid::new(field, "Gestation weeks must be a number, for example 34"))?;
        let days: u8 = if days.is_empty() {
            0
        } else {
            days.parse()
                .map_err(|_| Invalid::new(field, "Gestation days must be a number from 0 to 6"))?
        };
        if days > 6 {
            return Err(Invalid::new(
                field,
                "Gestation days must be a number from 0 to 6",
            ));
        }
        if !(22..=44).contains(&weeks) {
            return Err(Invalid::new(
                field,
                "Gestation must be between 22 and 44 weeks",
            ));
        }
        Ok(Self { weeks, days })
    }

    pub fn total_days(self) -> i64 {
        i64::from(self.weeks) * 7 + i64::from(self.days)
    }

    pub fn is_preterm(self) -> bool {
        self < Self::TERM_STARTS
    }
}

impl std::fmt::Display for Gestation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}+{}", self.weeks, self.days)
    }
}

/// An age as people say it: days for the first two weeks, then weeks up to 12 weeks, then
/// months (and weeks) until 2 years, then years and months.
pub fn describe_age(born: Date, on: Date) -> String {
    let mut text = String::with_capacity(24);
    write_age(&mut text, born, on);
    text
}

/// [`describe_age`], written onto the end of `text` (a caseload page writes one per baby).
fn write_age(text: &mut String, born: Date, on: Date) {
    let days = (on - born).whole_days();
    if days < 0 {
        text.push_str("not yet born");
    } else if days < 14 {
        write_count(text, days, "day");
    } else if days < 13 * 7 {
        write_count(text, days / 7, "week");
    } else {
        let months = whole_months(born, on);
        if months < 24 {
            write_count(text, i64::from(months), "month");
            let weeks = (on - add_months(born, months)).whole_days() / 7;
            if weeks > 0 {
                text.push(' ');
                write_count(text, weeks, "week");
            }
        } else {
            write_count(text, i64::from(months / 12), "year");
            let rest = months % 12;
            if rest > 0 {
                text.push(' ');
                write_count(text, i64::from(rest), "month");
            }
        }
    }
}

/// The baby's age with the corrected age alongside when it applies:
/// "12 weeks (corrected age 4 weeks)".
pub fn age_with_correction(born: Date, gestation: Option<Gestation>, on: Date) -> String {
    let mut text = String::with_capacity(48);
    write_age(&mut text, born, on);
    match corrected_birth_date(born, gestation) {
        Some(corrected) if on < add_months(born, 24) => {
            if on < corrected {
                let early = (corrected - on).whole_days();
                text.push_str(" (corrected age: ");
                if early >= 14 {
                    write_count(&mut text, early / 7, "week");
                } else {
                    write_count(&mut text, early, "day");
                }
                text.push_str(" before due date)");
            } else {
                text.push_str(" (corrected age ");
                write_age(&mut text, corrected, on);
                text.push(')');
            }
        }
        _ => {}
    }
    text
}

/// The due date implied by a preterm birth: when the baby would have reached 40 weeks.
pub fn corrected_birth_date(born: Date, gestation: Option<Gestation>) -> Option<Date> {
    let gestation = gestation.filter(|g| g.is_preterm())?;
    Some(born + Duration::days(Gestation::FULL_TERM.total_days() - gestation.total_days()))
}

/// "1 week", "3 weeks": a count and its unit, onto the end of `text`.
fn write_count(text: &mut String, n: i64, unit: &str) {
    use std::fmt::Write;
    // Writing into a `String` cannot fail.
    let _ = write!(text, "{n} {unit}");
    if n != 1 {
        text.push('s');
    }
}

fn whole_months(from: Date, to: Date) -> u32 {
    let mut months = (to.year() - from.year()) * 12
        + (i32::from(u8::from(to.month())) - i32::from(u8::from(from.month())));
    if to.day() < from.day() {
        months -= 1;
    }
    u32::try_from(months.max(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn gestation_reads_the_usual_ways_of_writing_it() {
        assert_eq!(
            Gestation::parse("g", "34+2", ""),
            Ok(Gestation { weeks: 34, days: 2 })
        );
        assert_eq!(
            Gestation::parse("g", "34", "2"),
            Ok(Gestation { weeks: 34, days: 2 })
        );
        assert_eq!(
            Gestation::parse("g", " 39 ", ""),
            Ok(Gestation { weeks: 39, days: 0 })
        );
        assert!(Gestation::parse("g", "34+7", "")
            .unwrap_err()
            .message
            .contains("0 to 6"));
        assert!(Gestation::parse("g", "19", "")
            .unwrap_err()
            .message
            .contains("between 22 and 44"));
        assert!(Gestation::parse("g", "early", "").is_err());
        assert_eq!(Gestation { weeks: 36, days: 6 }.to_string(), "36+6");
    }

    #[test]
    fn ages_read_as_people_say_them() {
        let born = date!(2026 - 01 - 31);
        assert_eq!(describe_age(born, date!(2026 - 01 - 31)), "0 days");
        assert_eq!(describe_age(born, date!(2026 - 02 - 01)), "1 day");
        assert_eq!(describe_age(born, date!(2026 - 02 - 14)), "2 weeks");
        assert_eq!(describe_age(born, date!(2026 - 04 - 30)), "12 weeks");
        assert_eq!(describe_age(born, date!(2026 - 05 - 10)), "3 months 1 week");
        assert_eq!(describe_age(born, date!(2026 - 05 - 03)), "3 months");
        assert_eq!(describe_age(born, date!(2028 - 03 - 15)), "2 years 1 month");
        assert_eq!(describe_age(born, date!(2025 - 12 - 01)), "not yet born");
    }

    #[test]
    fn babies_born_early_have_a_corrected_age_until_two() {
        let born = date!(2026 - 09 - 01);
        let early = Some(Gestation { weeks: 32, days: 0 });
        // Born 8 weeks early; at 12 weeks old the corrected age is 4 weeks.
        assert_eq!(
            age_with_correction(born, early, date!(2026 - 11 - 24)),
            "12 weeks (corrected age 4 weeks)"
        );
        assert_eq!(
            age_with_correction(born, early, date!(2026 - 09 - 15)),
            "2 weeks (corrected age: 6 weeks before due date)"
        );
        assert_eq!(
            age_with_correction(
                born,
                Some(Gestation { weeks: 39, days: 3 }),
                date!(2026 - 11 - 24)
            ),
            "12 weeks",
            "term babies need no correction"
        );
        assert_eq!(
            age_with_correction(born, early, date!(2028 - 09 - 02)),
            "2 years"
        );
        assert_eq!(
            age_with_correction(born, None, date!(2026 - 11 - 24)),
            "12 weeks"
        );
    }

    proptest! {
        #[test]
        fn corrected_age_is_never_older_than_actual_age(
            offset in 0i64..800, weeks in 22u8..=44, days in 0u8..=6
        ) {
            let born = date!(2026 - 01 - 01);
            let on = born + Duration::days(offset);
            let gestation = Gestation { weeks, days };
            if let Some(corrected) = corrected_birth_date(born, Some(gestation)) {
                prop_assert!(corrected > born);
                prop_assert!((corrected - born).whole_days() <= 18 * 7);
            } else {
                prop_assert!(!gestation.is_preterm());
            }
            let text = age_with_correction(born, Some(gestation), on);
            prop_assert!(!text.is_empty());
        }
    }
}
