//! Coping concerns: when what a caregiver says about coping at the end of their tether
//! (crying that will not stop, anger, exhaustion) worries the clinician, it is marked as a
//! concern. The concern flags the family and the caseload until a clinician, having recorded
//! the action taken, closes it with a reason.

use crate::entries::Member;
use crate::network::choices;
use crate::text::required_text;
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

choices!(
    /// What the concern is about.
    ConcernKind {
        Crying => ("crying", "Risk around the baby's crying"),
        Anger => ("anger", "Anger"),
        Exhaustion => ("exhaustion", "Exhaustion"),
        Other => ("other", "Something else"),
    }
);

choices!(
    /// What was done about a concern.
    ActionKind {
        SafetyPlan => ("safety_plan", "Safety plan made with them"),
        CryingInformation => ("crying_information", "Information on coping with crying given"),
        SafeguardingReferral => ("safeguarding_referral", "Safeguarding referral made"),
        Supervisor => ("supervisor", "Discussed with supervisor"),
        Other => ("other", "Other action"),
    }
);

/// One action taken about a concern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConcernAction {
    pub id: Uuid,
    pub kind: ActionKind,
    /// The referral's reference, for a safeguarding referral.
    pub reference: Option<String>,
    pub note: Option<String>,
    pub recorded_at_millis: i64,
    pub recorded_by: String,
}

/// How a concern was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Closure {
    pub reason: String,
    pub closed_at_millis: i64,
    pub closed_by: String,
}

/// A coping concern about one family member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Concern {
    pub id: Uuid,
    pub about: Member,
    /// The conversation where it came up, if it did.
    pub conversation: Option<Uuid>,
    pub kinds: Vec<ConcernKind>,
    pub description: String,
    pub raised_at_millis: i64,
    pub raised_by: String,
    pub actions: Vec<ConcernAction>,
    pub closure: Option<Closure>,
    #[serde(default = "crate::needs::first_version")]
    pub version: i64,
}

impl Concern {
    pub fn is_open(&self) -> bool {
        self.closure.is_none()
    }
}

/// A concern as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConcernInput {
    /// "mother" or a person's id.
    pub about: String,
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub kinds: Vec<String>,
    pub description: String,
    /// The conversation it came up in, if any.
    pub conversation: String,
}

/// A concern that has passed the checks that need no family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedConcern {
    pub about: Member,
    pub kinds: Vec<ConcernKind>,
    pub description: String,
    pub conversation: Option<Uuid>,
}

impl ConcernInput {
    pub fn parse(&self) -> Result<ParsedConcern, Problems> {
        let mut problems = Problems::default();
        let about = problems.take(
            Member::parse(&self.about)
                .ok_or_else(|| Invalid::new("about", "Select who the concern is about")),
        );
        let mut kinds = Vec::new();
        for code in &self.kinds {
            match ConcernKind::from_code(code) {
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None => problems.push(Invalid::new("kinds", "Select what the concern is about")),
            }
        }
        if self.kinds.is_empty() {
            problems.push(Invalid::new("kinds", "Select what the concern is about"));
        }
        let description = problems.take(required_text(
            "description",
            "What worries you",
            &self.description,
            5_000,
        ));
        let conversation = if self.conversation.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(self.conversation.trim().parse::<Uuid>().map_err(|_| {
                    Invalid::new("conversation", "That conversation is not in this family")
                }))
                .map(Some)
        };
        match (about, description, conversation) {
            (Some(about), Some(description), Some(conversation)) if problems.is_empty() => {
                Ok(ParsedConcern {
                    about,
                    kinds,
                    description,
                    conversation,
                })
            }
            _ => Err(problems),
        }
    }
}

/// An action as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionInput {
    pub action: String,
    pub reference: String,
    pub note: String,
}

impl ActionInput {
    /// The action, its reference (required for a safeguarding referral) and note.
    pub fn parse(&self) -> Result<(ActionKind, Option<String>, Option<String>), Problems> {
        let mut problems = Problems::default();
        let kind = problems.take(
            ActionKind::from_code(&self.action)
                .ok_or_else(|| Invalid::new("action", "Select the action taken")),
        );
        let reference = self.reference.trim();
        if reference.chars().count() > 100 {
            problems.push(Invalid::new(
                "reference",
                "Reference must be 100 characters or fewer",
            ));
        }
        if kind == Some(ActionKind::SafeguardingReferral) && reference.is_empty() {
            problems.push(Invalid::new(
                "reference",
                "Enter the safeguarding referral's reference",
            ));
        }
        let note = self.note.trim();
        if note.chars().count() > 5_000 {
            problems.push(Invalid::new(
                "note",
                "Note must be 5,000 characters or fewer",
            ));
        }
        if kind == Some(ActionKind::Other) && note.is_empty() {
            problems.push(Invalid::new("note", "Describe the action taken"));
        }
        match kind {
            Some(kind) if problems.is_empty() => Ok((
                kind,
                (!reference.is_empty()).then(|| reference.to_string()),
                (!note.is_empty()).then(|| note.to_string()),
            )),
            _ => Err(problems),
        }
    }
}

/// Why a concern is closed.
pub fn parse_close_reason(typed: &str) -> Result<String, Problems> {
    required_text("reason", "The reason for closing the concern", typed, 1_000)
        .map_err(|e| Problems(vec![e]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_concern_needs_who_what_and_why() {
        let typed = ConcernInput {
            about: "mother".into(),
            kinds: vec!["crying".into(), "exhaustion".into(), "crying".into()],
            description: "Says she puts the baby down and walks out when the crying goes on".into(),
            conversation: String::new(),
        };
        let parsed = typed.parse().unwrap();
        assert_eq!(parsed.kinds, [ConcernKind::Crying, ConcernKind::Exhaustion]);
        let empty = ConcernInput::default().parse().unwrap_err();
        let fields: Vec<&str> = empty.0.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["about", "kinds", "description"]);
    }

    #[test]
    fn a_safeguarding_referral_needs_its_reference() {
        let referral = ActionInput {
            action: "safeguarding_referral".into(),
            ..ActionInput::default()
        };
        assert_eq!(
            referral.parse().unwrap_err().message_for("reference"),
            Some("Enter the safeguarding referral's reference")
        );
        let with_reference = ActionInput {
            reference: "MASH-2026-0412".into(),
            ..referral
        };
        assert_eq!(
            with_reference.parse().unwrap().1.as_deref(),
            Some("MASH-2026-0412")
        );
        assert!(parse_close_reason("  ").is_err());
    }
}
