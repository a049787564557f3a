//! What a perinatal service does after someone discloses domestic abuse. Recording "abuse
//! disclosed" opens one action for each step below; each stays open (shown on the family
//! page, the caseload and the home page) until a clinician records it as done, with what was
//! done, or as not needed, with why. All of it is staff-only: none of it reaches a
//! family-facing output.

use crate::entries::Member;
use crate::network::choices;
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

choices!(
    /// The steps that follow a disclosure, in the order they are shown.
    DisclosureStep {
        RiskAssessment => ("risk_assessment", "Risk assessment"),
        SafetyPlan => ("safety_plan", "Safety plan"),
        Referral => ("referral", "Safeguarding or MARAC referral"),
        SafeguardingLead => ("safeguarding_lead", "Tell the team's safeguarding lead"),
        MarkNamedPerson => ("mark_named_person", "Decide whether to mark the person named do not contact or do not involve"),
    }
);

impl DisclosureStep {
    /// What the form asks for when the step is done.
    pub fn done_question(self) -> &'static str {
        match self {
            DisclosureStep::RiskAssessment => "The risk assessment's result, as given",
            DisclosureStep::SafetyPlan => "What the safety plan says, or where it is kept",
            DisclosureStep::Referral => "Where the referral went, and its reference",
            DisclosureStep::SafeguardingLead => "Who was told, and what they advised",
            DisclosureStep::MarkNamedPerson => "What was decided",
        }
    }
}

/// How an action was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    NotNeeded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Settlement {
    pub outcome: Outcome,
    /// For a risk assessment done: the form the service chose ("SafeLives DASH RIC").
    pub form_name: Option<String>,
    /// What was done, or why it was not needed.
    pub text: String,
    pub settled_by: String,
    pub settled_at_millis: i64,
}

/// One step after a disclosure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DisclosureAction {
    pub id: Uuid,
    /// The routine enquiry entry that recorded the disclosure.
    pub enquiry: Uuid,
    /// Who disclosed.
    pub discloser: Member,
    pub step: DisclosureStep,
    pub raised_at_millis: i64,
    pub settled: Option<Settlement>,
}

impl DisclosureAction {
    pub fn is_open(&self) -> bool {
        self.settled.is_none()
    }

    /// The open actions a disclosure starts with. When the enquiry itself marked the person
    /// named, the decision about marking them is settled at once, saying so.
    pub fn after_disclosure(
        enquiry: Uuid,
        discloser: Member,
        now_millis: i64,
        marked_by: Option<&str>,
    ) -> Vec<DisclosureAction> {
        DisclosureStep::ALL
            .iter()
            .map(|step| DisclosureAction {
                id: Uuid::now_v7(),
                enquiry,
                discloser,
                step: *step,
                raised_at_millis: now_millis,
                settled: match (step, marked_by) {
                    (DisclosureStep::MarkNamedPerson, Some(by)) => Some(Settlement {
                        outcome: Outcome::Done,
                        form_name: None,
                        text: "Marked do not involve when the enquiry was recorded".to_string(),
                        settled_by: by.to_string(),
                        settled_at_millis: now_millis,
                    }),
                    _ => None,
                },
            })
            .collect()
    }
}

/// A step's settling as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettleInput {
    /// "done" or "not_needed".
    pub outcome: String,
    /// For a risk assessment: the form used.
    pub form_name: String,
    /// What was done (when done).
    pub detail: String,
    /// Why it was not needed (when not needed).
    pub reason: String,
}

/// Text typed into one of the form's boxes: empty when left blank, refused past `max`.
fn typed(field: &'static str, label: &str, text: &str, max: usize) -> Result<String, Invalid> {
    crate::text::optional_text(field, label, text, max).map(Option::unwrap_or_default)
}

impl SettleInput {
    /// The settlement of `step`, by `settled_by` at `now_millis`.
    pub fn parse(
        &self,
        step: DisclosureStep,
        settled_by: &str,
        now_millis: i64,
    ) -> Result<Settlement, Problems> {
        let mut problems = Problems::default();
        let outcome = match self.outcome.trim() {
            "done" => Some(Outcome::Done),
            "not_needed" => Some(Outcome::NotNeeded),
            _ => {
                problems.push(Invalid::new(
                    "outcome",
                    "Select whether it was done or is not needed",
                ));
                None
            }
        };
        let form_name = problems.take(typed("form_name", "The form's name", &self.form_name, 200));
        let detail = problems.take(typed("detail", "What was done", &self.detail, 2_000));
        let reason = problems.take(typed("reason", "Why it is not needed", &self.reason, 2_000));
        let (form_name, text) = match outcome {
            Some(Outcome::Done) => {
                let form_name = form_name.filter(|f| !f.is_empty());
                if step == DisclosureStep::RiskAssessment && form_name.is_none() {
                    problems.push(Invalid::new(
                        "form_name",
                        "Enter the name of the risk assessment form used",
                    ));
                }
                if detail.as_deref().is_some_and(str::is_empty) {
                    problems.push(Invalid::new(
                        "detail",
                        format!("Enter {}", crate::text::lower_first(step.done_question())),
                    ));
                }
                (form_name, detail)
            }
            Some(Outcome::NotNeeded) => {
                if reason.as_deref().is_some_and(str::is_empty) {
                    problems.push(Invalid::new("reason", "Enter why it is not needed"));
                }
                (None, reason)
            }
            None => (None, None),
        };
        match (outcome, text) {
            (Some(outcome), Some(text)) if problems.is_empty() => Ok(Settlement {
                outcome,
                form_name,
                text,
                settled_by: settled_by.to_string(),
                settled_at_millis: now_millis,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disclosure_opens_every_step_and_a_mark_made_with_it_settles_that_one() {
        let enquiry = Uuid::now_v7();
        let open = DisclosureAction::after_disclosure(enquiry, Member::Mother, 5, None);
        assert_eq!(open.len(), DisclosureStep::ALL.len());
        assert!(open.iter().all(DisclosureAction::is_open));
        let marked =
            DisclosureAction::after_disclosure(enquiry, Member::Mother, 5, Some("Priya Shah"));
        let settled: Vec<DisclosureStep> = marked
            .iter()
            .filter(|a| !a.is_open())
            .map(|a| a.step)
            .collect();
        assert_eq!(settled, [DisclosureStep::MarkNamedPerson]);
    }

    #[test]
    fn a_risk_assessment_records_its_form_and_result_and_not_needed_needs_a_reason() {
        let done = SettleInput {
            outcome: "done".into(),
            form_name: "SafeLives DASH RIC".into(),
            detail: "14 ticks: high risk, referred to MARAC".into(),
            ..SettleInput::default()
        };
        let settled = done
            .parse(DisclosureStep::RiskAssessment, "Priya Shah", 9)
            .unwrap();
        assert_eq!(settled.form_name.as_deref(), Some("SafeLives DASH RIC"));
        assert_eq!(settled.text, "14 ticks: high risk, referred to MARAC");
        let no_form = SettleInput {
            form_name: String::new(),
            ..done.clone()
        };
        assert_eq!(
            no_form
                .parse(DisclosureStep::RiskAssessment, "Priya Shah", 9)
                .unwrap_err()
                .message_for("form_name"),
            Some("Enter the name of the risk assessment form used")
        );
        let not_needed = SettleInput {
            outcome: "not_needed".into(),
            ..SettleInput::default()
        };
        assert_eq!(
            not_needed
                .parse(DisclosureStep::Referral, "Priya Shah", 9)
                .unwrap_err()
                .message_for("reason"),
            Some("Enter why it is not needed")
        );
        assert_eq!(
            SettleInput::default()
                .parse(DisclosureStep::SafetyPlan, "Priya Shah", 9)
                .unwrap_err()
                .message_for("outcome"),
            Some("Select whether it was done or is not needed")
        );
    }
}
