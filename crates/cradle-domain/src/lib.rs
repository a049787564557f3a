//! Cradle's domain: the pure types and rules every other crate shares.
//!
//! Nothing here does IO or async work. Values that arrive from outside (forms, the API,
//! the command line, imports) are turned into these types by `parse()` functions that say,
//! in plain English, what is wrong.

pub mod agreement;
pub mod attention;
pub mod audit;
pub mod baby;
pub mod care_plans;
pub mod coded_events;
pub mod coding;
pub mod concerns;
pub mod conversations;
pub mod dates;
pub mod disclosures;
pub mod eaf;
pub mod enquiries;
pub mod entries;
pub mod family;
pub mod family_facing;
pub mod filming;
pub mod groups;
pub mod ids;
pub mod interpreters;
pub mod interventions;
pub mod needs;
pub mod network;
pub mod nhs_number;
pub mod observations;
pub mod partner_assessment;
pub mod pathway;
pub mod person;
pub mod questionnaires;
pub mod recordings;
pub mod staff;
pub mod summaries;
pub mod text;
pub mod ticked;

pub use audit::{AuditAction, AuditOutcome, SubjectKind};
pub use family::{Baby, Family, FamilyInput, FamilySummary, NewFamily, PerinatalStage};
pub use ids::{BabyId, FamilyId, PersonId, RelationshipId, RestrictionId, StaffId, TeamId};
pub use nhs_number::NhsNumber;
pub use staff::{Password, Permission, Role, Staff, Team, TeamName, Username};

/// A value from outside that Cradle cannot accept, with a message a person can act on.
///
/// `field` names the form field or JSON member so the page can link the message to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Every problem found in one submission, in the order of the form's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Invalid>);

impl Problems {
    pub fn push(&mut self, problem: Invalid) {
        self.0.push(problem);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Keeps the parsed value or records why it could not be parsed.
    pub fn take<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(problem);
                None
            }
        }
    }
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

/// A yes-or-no answer as a form (a ticked box sends "yes", an unticked one nothing) or the API
/// sends it: "yes", or "no" or nothing. Anything else is refused with `message` rather than
/// read as no, so that "Yes" or "true" never quietly means "no" (for a staff-only mark, that
/// would put safeguarding detail on a family's printout).
pub fn yes_or_no(text: &str, field: &'static str, message: &str, problems: &mut Problems) -> bool {
    match text {
        "yes" => true,
        "no" | "" => false,
        _ => {
            problems.push(Invalid::new(field, message));
            false
        }
    }
}
