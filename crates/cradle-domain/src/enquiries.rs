//! Routine enquiry about domestic abuse. It is asked only of someone seen alone, and what is
//! recorded is always shared in confidence by the person asked: it never reaches another
//! family member's printout, export or information pack. A disclosure can set "do not
//! involve" on the person named, with who decided and why.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::choices;
use crate::{Invalid, PersonId, Problems};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

choices!(
    /// What came of asking.
    EnquiryOutcome {
        NothingDisclosed => ("nothing_disclosed", "Asked: nothing disclosed"),
        Disclosed => ("disclosed", "Asked: abuse disclosed"),
        NotSafe => ("not_safe", "Not asked: it was not safe to ask"),
    }
);

/// An enquiry as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnquiryInput {
    /// "mother" or a person's id: who was asked.
    pub asked: String,
    /// "yes" when they were seen alone.
    pub seen_alone: String,
    pub asked_day: String,
    pub asked_month: String,
    pub asked_year: String,
    pub outcome: String,
    pub notes: String,
    /// After a disclosure: the person in the family they named, if any.
    pub named: String,
    /// "yes" to mark the person named "do not involve".
    pub do_not_involve: String,
    pub decided_by: String,
    pub reason: String,
    /// When the "do not involve" decision is next to be reviewed.
    pub review_day: String,
    pub review_month: String,
    pub review_year: String,
    /// Whether a professional interpreter was used (asked when the person needs one).
    #[serde(flatten)]
    pub interpreter: crate::interpreters::InterpreterInput,
}

/// An enquiry that has passed the checks that need no family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEnquiry {
    pub asked: Member,
    pub on: Date,
    pub outcome: EnquiryOutcome,
    pub notes: Option<String>,
    pub named: Option<PersonId>,
    /// When the person named is to be marked "do not involve": who decided, why, and when
    /// the decision is next to be reviewed.
    pub do_not_involve: Option<DoNotInvolve>,
}

/// A "do not involve" decision made with the enquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoNotInvolve {
    pub decided_by: String,
    pub reason: String,
    pub review_on: Date,
}

fn limited(field: &'static str, label: &str, typed: &str, max: usize) -> Result<String, Invalid> {
    let typed = typed.trim();
    if typed.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("{label} must be {max} characters or fewer"),
        ));
    }
    Ok(typed.to_string())
}

impl EnquiryInput {
    pub fn parse(&self, today: Date) -> Result<ParsedEnquiry, Problems> {
        let mut problems = Problems::default();
        let asked = problems.take(
            Member::parse(&self.asked).ok_or_else(|| Invalid::new("asked", "Select who you asked")),
        );
        if self.seen_alone.trim() != "yes" {
            problems.push(Invalid::new(
                "seen_alone",
                "Ask about abuse only when the person is seen on their own. Record the enquiry when you next see them alone",
            ));
        }
        let on = problems.take(
            parse_date_parts(
                "asked_on",
                "Date asked",
                &self.asked_day,
                &self.asked_month,
                &self.asked_year,
            )
            .and_then(|d| {
                if d > today {
                    Err(Invalid::new(
                        "asked_on",
                        "Date asked must be today or in the past",
                    ))
                } else if d < today - Duration::days(366) {
                    Err(Invalid::new(
                        "asked_on",
                        "Date asked must be within the last year",
                    ))
                } else {
                    Ok(d)
                }
            }),
        );
        let outcome = problems.take(
            EnquiryOutcome::from_code(&self.outcome)
                .ok_or_else(|| Invalid::new("outcome", "Select what came of asking")),
        );
        let notes = problems.take(limited("notes", "Notes", &self.notes, 5_000));
        let named = if self.named.trim().is_empty() {
            None
        } else {
            problems.take(
                PersonId::parse(self.named.trim())
                    .ok_or_else(|| Invalid::new("named", "Select someone in this family")),
            )
        };
        if named.is_some() && outcome.is_some() && outcome != Some(EnquiryOutcome::Disclosed) {
            problems.push(Invalid::new(
                "named",
                "Name someone only when abuse was disclosed",
            ));
        }
        let do_not_involve = match (named, self.do_not_involve.trim()) {
            (Some(_), "yes") => {
                let decided_by =
                    problems.take(limited("decided_by", "Who decided", &self.decided_by, 200));
                let reason = problems.take(limited("reason", "Reason", &self.reason, 1_000));
                if decided_by.as_deref() == Some("") {
                    problems.push(Invalid::new("decided_by", "Enter who decided"));
                }
                if reason.as_deref() == Some("") {
                    problems.push(Invalid::new(
                        "reason",
                        "Enter why they are not to be involved",
                    ));
                }
                let review_on = problems.take(
                    parse_date_parts(
                        "review",
                        "Review date",
                        &self.review_day,
                        &self.review_month,
                        &self.review_year,
                    )
                    .and_then(|d| {
                        if d < today {
                            Err(Invalid::new(
                                "review",
                                "Review date must be today or in the future",
                            ))
                        } else {
                            Ok(d)
                        }
                    }),
                );
                match (decided_by, reason, review_on) {
                    (Some(decided_by), Some(reason), Some(review_on))
                        if !decided_by.is_empty() && !reason.is_empty() =>
                    {
                        Some(DoNotInvolve {
                            decided_by,
                            reason,
                            review_on,
                        })
                    }
                    _ => None,
                }
            }
            (Some(_), "no") => None,
            (Some(_), _) => {
                problems.push(Invalid::new(
                    "do_not_involve",
                    "Select whether the person named is to be marked “do not involve”",
                ));
                None
            }
            (None, _) => None,
        };
        match (asked, on, outcome, notes) {
            (Some(asked), Some(on), Some(outcome), Some(notes)) if problems.is_empty() => {
                Ok(ParsedEnquiry {
                    asked,
                    on,
                    outcome,
                    notes: (!notes.is_empty()).then_some(notes),
                    named,
                    do_not_involve,
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn typed() -> EnquiryInput {
        EnquiryInput {
            asked: "mother".into(),
            seen_alone: "yes".into(),
            asked_day: "25".into(),
            asked_month: "11".into(),
            asked_year: "2026".into(),
            outcome: "nothing_disclosed".into(),
            ..EnquiryInput::default()
        }
    }

    #[test]
    fn asked_only_of_someone_seen_alone() {
        let today = date!(2026 - 11 - 26);
        assert!(typed().parse(today).is_ok());
        let together = EnquiryInput {
            seen_alone: "no".into(),
            ..typed()
        };
        assert!(together
            .parse(today)
            .unwrap_err()
            .message_for("seen_alone")
            .is_some_and(
                |m| m.starts_with("Ask about abuse only when the person is seen on their own")
            ));
    }

    #[test]
    fn a_disclosure_can_mark_the_person_named_with_who_decided_and_why() {
        let today = date!(2026 - 11 - 26);
        let named = PersonId::new();
        let disclosed = EnquiryInput {
            outcome: "disclosed".into(),
            named: named.to_string(),
            do_not_involve: "yes".into(),
            decided_by: "Dr Shah with the mother, seen alone".into(),
            reason: "Disclosed coercive control".into(),
            review_day: "26".into(),
            review_month: "2".into(),
            review_year: "2027".into(),
            ..typed()
        };
        let parsed = disclosed.parse(today).unwrap();
        assert_eq!(parsed.named, Some(named));
        assert_eq!(
            parsed.do_not_involve.map(|d| d.review_on),
            Some(date!(2027 - 02 - 26))
        );
        let no_review = EnquiryInput {
            review_day: String::new(),
            review_month: String::new(),
            review_year: String::new(),
            ..disclosed.clone()
        };
        assert_eq!(
            no_review.parse(today).unwrap_err().message_for("review"),
            Some("Enter review date")
        );
        let no_reason = EnquiryInput {
            reason: String::new(),
            ..disclosed.clone()
        };
        assert_eq!(
            no_reason.parse(today).unwrap_err().message_for("reason"),
            Some("Enter why they are not to be involved")
        );
        let named_without_disclosure = EnquiryInput {
            outcome: "nothing_disclosed".into(),
            ..disclosed
        };
        assert!(named_without_disclosure.parse(today).is_err());
    }
}
