//! A partner's (or other family member's) own assessment on the partner pathway: their
//! wellbeing, mental health history, support, pressures, their relationship with the baby,
//! risk and safety, and what they would like; and the partner package offered from it.
//!
//! What a partner says here is theirs: it is shown to staff on the family record and never
//! in another family member's printout, export or information pack.

use crate::dates::parse_date_parts;
use crate::network::choices;
use crate::pathway::{AssessmentOutcome, InformationGiven, PathwayInput, PathwayStep};
use crate::{Invalid, PersonId, Problems};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

/// The most any one part of the assessment may hold.
pub const MAX_SECTION_CHARS: usize = 10_000;

choices!(
    /// What the assessment found about risk to the person or others.
    RiskFinding {
        NoneIdentified => ("none_identified", "No risk to themselves or others identified"),
        SafetyPlan => ("safety_plan", "Concerns identified: a safety plan is agreed"),
        UrgentAction => ("urgent_action", "Urgent concerns: acted on the same day"),
    }
);

/// The written parts of the assessment, in the order the form asks them:
/// (field, label, hint, required).
pub const SECTIONS: [(&str, &str, &str, bool); 6] = [
    (
        "wellbeing",
        "How they are feeling now",
        "Their own wellbeing and mental health since the pregnancy or birth, in their words where you can",
        true,
    ),
    (
        "history",
        "Mental health history",
        "Past difficulties, treatment and what helped",
        false,
    ),
    (
        "support",
        "Support around them",
        "Family, friends, community or faith networks they can lean on",
        false,
    ),
    (
        "pressures",
        "Work and practical pressures",
        "Work, money, housing, caring for others, travel",
        false,
    ),
    (
        "relationship_with_baby",
        "Their relationship with the baby",
        "How they feel about the baby and being a parent; what they enjoy and what is hard",
        false,
    ),
    (
        "wishes",
        "What they would like",
        "For themselves, for the baby and for the family",
        true,
    ),
];

/// A recorded assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartnerAssessment {
    pub id: Uuid,
    pub person_id: PersonId,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub assessed_on: Date,
    /// (section field, text) for each written part, in [`SECTIONS`] order.
    pub sections: Vec<(String, String)>,
    /// Relationship conversations the person took part in that the assessment draws on.
    pub conversations: Vec<Uuid>,
    pub risk: RiskFinding,
    pub risk_detail: String,
    /// The partner package offered: names of the team's interventions offered from it.
    pub package: Vec<String>,
    pub outcome: AssessmentOutcome,
    pub outcome_detail: String,
    /// Whether an interpreter was used, when the person needs one or it was recorded.
    #[serde(default)]
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
    pub recorded_by_name: String,
    pub recorded_at_millis: i64,
}

impl PartnerAssessment {
    pub fn section(&self, field: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, text)| text.as_str())
    }
}

/// The assessment as the form sends it: every box as typed, kept to show again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AssessmentInput {
    pub on_day: String,
    pub on_month: String,
    pub on_year: String,
    /// (section field, text as typed). Each section arrives as a field of its own name, which
    /// the form's reader gathers here.
    #[serde(skip)]
    pub sections: Vec<(String, String)>,
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub conversations: Vec<String>,
    pub risk: String,
    pub risk_detail: String,
    /// Ids of the team's catalogue interventions offered as the partner package.
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub package: Vec<String>,
    pub outcome: String,
    pub outcome_detail: String,
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub topics: Vec<String>,
    pub services: String,
    #[serde(flatten)]
    pub interpreter: crate::interpreters::InterpreterInput,
}

/// What the typed assessment says, checked for itself; the family's conversations and the
/// team's catalogue are the caller's to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAssessment {
    pub assessed_on: Date,
    pub sections: Vec<(String, String)>,
    pub conversations: Vec<Uuid>,
    pub risk: RiskFinding,
    pub risk_detail: String,
    pub package: Vec<Uuid>,
    pub outcome: AssessmentOutcome,
    pub outcome_detail: String,
    pub given: InformationGiven,
}

impl ParsedAssessment {
    /// The pathway's "assessed" step this assessment records. Where support was offered
    /// without words for it, the package names it.
    pub fn step(&self, package_names: &[String]) -> PathwayStep {
        let detail = if self.outcome_detail.is_empty() {
            package_names.join(", ")
        } else {
            self.outcome_detail.clone()
        };
        PathwayStep::Assessed {
            on: self.assessed_on,
            outcome: self.outcome,
            detail,
        }
    }
}

impl AssessmentInput {
    pub fn typed(&self, field: &str) -> &str {
        self.sections
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, text)| text.as_str())
            .unwrap_or("")
    }

    /// Everything that can be checked without the record, every problem named.
    pub fn parse(&self) -> Result<ParsedAssessment, Problems> {
        let mut problems = Problems::default();
        let assessed_on = problems.take(parse_date_parts(
            "on",
            "Date of the assessment",
            &self.on_day,
            &self.on_month,
            &self.on_year,
        ));
        let mut sections = Vec::new();
        for (field, label, _, required) in SECTIONS {
            let text = self.typed(field).trim();
            if required && text.is_empty() {
                problems.push(Invalid::new(
                    field,
                    format!("Enter {}", crate::text::lower_first(label)),
                ));
            } else if text.chars().count() > MAX_SECTION_CHARS {
                problems.push(Invalid::new(
                    field,
                    format!("{label} must be {MAX_SECTION_CHARS} characters or fewer"),
                ));
            } else if !text.is_empty() {
                sections.push((field.to_string(), text.to_string()));
            }
        }
        let risk = RiskFinding::from_code(&self.risk);
        if risk.is_none() {
            problems.push(Invalid::new(
                "risk",
                "Select what the assessment found about risk and safety",
            ));
        }
        let risk_detail = self.risk_detail.trim().to_string();
        if risk.is_some_and(|r| r != RiskFinding::NoneIdentified) && risk_detail.is_empty() {
            problems.push(Invalid::new(
                "risk_detail",
                "Enter the concerns and what was agreed or done about them",
            ));
        } else if risk_detail.chars().count() > MAX_SECTION_CHARS {
            problems.push(Invalid::new(
                "risk_detail",
                format!("Risk and safety must be {MAX_SECTION_CHARS} characters or fewer"),
            ));
        }
        let ids = |codes: &[String], field: &'static str, message: &'static str| {
            codes
                .iter()
                .map(|code| Uuid::parse_str(code.trim()).map_err(|_| Invalid::new(field, message)))
                .collect::<Result<Vec<_>, _>>()
        };
        let conversations = problems.take(ids(
            &self.conversations,
            "conversations",
            "Select only conversations from the list",
        ));
        let package = problems.take(ids(
            &self.package,
            "package",
            "Select only interventions from the list",
        ));
        let outcome = AssessmentOutcome::from_code(&self.outcome);
        if outcome.is_none() {
            problems.push(Invalid::new("outcome", "Select what the assessment led to"));
        }
        let given = problems.take(
            PathwayInput {
                topics: self.topics.clone(),
                services: self.services.clone(),
                ..PathwayInput::default()
            }
            .given(),
        );
        match (assessed_on, risk, conversations, package, outcome, given) {
            (
                Some(assessed_on),
                Some(risk),
                Some(conversations),
                Some(package),
                Some(outcome),
                Some(given),
            ) if problems.is_empty() => Ok(ParsedAssessment {
                assessed_on,
                sections,
                conversations,
                risk,
                risk_detail,
                package,
                outcome,
                outcome_detail: self.outcome_detail.trim().to_string(),
                given,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> AssessmentInput {
        AssessmentInput {
            on_day: "10".to_string(),
            on_month: "11".to_string(),
            on_year: "2026".to_string(),
            sections: vec![
                (
                    "wellbeing".to_string(),
                    "Tired, low since the birth".to_string(),
                ),
                (
                    "wishes".to_string(),
                    "To feel closer to the baby".to_string(),
                ),
            ],
            risk: "none_identified".to_string(),
            outcome: "support_offered".to_string(),
            ..AssessmentInput::default()
        }
    }

    #[test]
    fn an_assessment_needs_wellbeing_wishes_risk_and_outcome() {
        let problems = AssessmentInput::default().parse().unwrap_err();
        for field in ["on", "wellbeing", "wishes", "risk", "outcome"] {
            assert!(problems.message_for(field).is_some(), "{field} not named");
        }
        assert!(typed().parse().is_ok());
    }

    #[test]
    fn a_risk_found_must_say_what_it_is_and_what_was_done() {
        let mut input = typed();
        input.risk = "safety_plan".to_string();
        assert_eq!(
            input.parse().unwrap_err().message_for("risk_detail"),
            Some("Enter the concerns and what was agreed or done about them")
        );
        input.risk_detail = "Thoughts of not being here; safety plan with GP".to_string();
        assert!(input.parse().is_ok());
    }

    #[test]
    fn support_offered_without_words_is_named_by_the_package() {
        let parsed = typed().parse().unwrap();
        assert_eq!(
            parsed.step(&["VIPP".to_string(), "Peer support".to_string()]),
            PathwayStep::Assessed {
                on: time::macros::date!(2026 - 11 - 10),
                outcome: AssessmentOutcome::SupportOffered,
                detail: "VIPP, Peer support".to_string(),
            }
        );
    }
}
