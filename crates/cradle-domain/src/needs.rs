//! Needs, strengths and confidence: what each caregiver already knows and has done with
//! babies (so that information is never patronising), what they would like support with,
//! strengths the team has noticed, and the family's shared understanding of the baby. Each
//! note is dated and attributed.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::choices;
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

choices!(
    /// What a note records.
    NoteKind {
        Experience => ("experience", "Skills and experience with babies"),
        SupportWanted => ("support_wanted", "Would like support with"),
        Strength => ("strength", "Strength noticed"),
        SharedUnderstanding => ("shared_understanding", "The family's shared understanding of the baby"),
    }
);

/// Who a note is about: one caregiver, or the family as a whole (for its shared understanding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "member", rename_all = "snake_case")]
pub enum NoteSubject {
    Caregiver(Member),
    Family,
}

impl NoteSubject {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "family" => Some(NoteSubject::Family),
            other => Member::parse(other).map(NoteSubject::Caregiver),
        }
    }
    pub fn code(self) -> String {
        match self {
            NoteSubject::Family => "family".to_string(),
            NoteSubject::Caregiver(member) => member.code(),
        }
    }
}

/// The version a record starts at.
pub fn first_version() -> i64 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaregiverNote {
    pub id: Uuid,
    pub subject: NoteSubject,
    pub kind: NoteKind,
    pub text: String,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub noted_on: Option<Date>,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
    /// Raised at each amendment; the earlier version is kept.
    #[serde(default = "first_version")]
    pub version: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteInput {
    /// "family", "mother" or a person's id.
    pub subject: String,
    pub kind: String,
    pub text: String,
    pub noted_day: String,
    pub noted_month: String,
    pub noted_year: String,
}

impl NoteInput {
    pub fn parse(&self, today: Date) -> Result<(NoteSubject, NoteKind, String, Date), Problems> {
        let mut problems = Problems::default();
        let subject = problems.take(
            NoteSubject::parse(&self.subject)
                .ok_or_else(|| Invalid::new("subject", "Select who the note is about")),
        );
        let kind = problems.take(
            NoteKind::from_code(&self.kind)
                .ok_or_else(|| Invalid::new("kind", "Select what the note records")),
        );
        match (subject, kind) {
            (Some(NoteSubject::Family), Some(k)) if k != NoteKind::SharedUnderstanding => {
                problems.push(Invalid::new(
                    "subject",
                    "Select the caregiver: only the shared understanding of the baby belongs to the whole family",
                ));
            }
            (Some(NoteSubject::Caregiver(_)), Some(NoteKind::SharedUnderstanding)) => {
                problems.push(Invalid::new(
                    "subject",
                    "Select “The whole family” for the family's shared understanding of the baby",
                ));
            }
            _ => {}
        }
        let text = self.text.trim();
        if text.is_empty() {
            problems.push(Invalid::new("text", "Enter the note"));
        } else if text.chars().count() > 5_000 {
            problems.push(Invalid::new(
                "text",
                "Note must be 5,000 characters or fewer",
            ));
        }
        let noted_on = problems.take(
            parse_date_parts(
                "noted",
                "Date",
                &self.noted_day,
                &self.noted_month,
                &self.noted_year,
            )
            .and_then(|d| {
                if d > today {
                    Err(Invalid::new("noted", "Date must be today or in the past"))
                } else if d < today - Duration::days(2 * 366) {
                    Err(Invalid::new(
                        "noted",
                        "Date must be within the last 2 years",
                    ))
                } else {
                    Ok(d)
                }
            }),
        );
        match (subject, kind, noted_on) {
            (Some(subject), Some(kind), Some(noted_on)) if problems.is_empty() => {
                Ok((subject, kind, text.to_string(), noted_on))
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_shared_understanding_belongs_to_the_family_and_the_rest_to_a_caregiver() {
        let today = date!(2026 - 11 - 26);
        let typed = |subject: &str, kind: &str| NoteInput {
            subject: subject.into(),
            kind: kind.into(),
            text: "Has brought up two younger brothers".into(),
            noted_day: "26".into(),
            noted_month: "11".into(),
            noted_year: "2026".into(),
        };
        assert!(typed("mother", "experience").parse(today).is_ok());
        assert!(typed("family", "shared_understanding").parse(today).is_ok());
        assert!(typed("family", "strength").parse(today).is_err());
        assert!(typed("mother", "shared_understanding")
            .parse(today)
            .is_err());
    }
}
