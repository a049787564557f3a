//! Relationship conversations: a clinician's conversation with one caregiver, or several
//! together, about how each of them relates to the baby. The prompts are optional sections of
//! free text (Cradle supports clinical judgement and never scores a relationship); the
//! clinician adds a formulation. A conversation can be saved part-done and finished later.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::choices;
use crate::{BabyId, Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

choices!(
    /// Whether the people in a conversation were seen together or one at a time.
    Seen {
        Together => ("together", "Seen together"),
        Apart => ("apart", "Seen separately"),
    }
);

choices!(
    /// Whether the conversation is still being written up.
    ConversationStatus {
        Draft => ("draft", "Not finished"),
        Finished => ("finished", "Finished"),
    }
);

/// One optional section of a conversation: its code, heading and a hint for the clinician.
pub struct Prompt {
    pub code: &'static str,
    pub heading: &'static str,
    pub hint: &'static str,
}

/// The sections, in the order a conversation usually goes (Cradle's own wording).
pub const PROMPTS: [Prompt; 7] = [
    Prompt {
        code: "relationship",
        heading: "Their relationship with the baby, in their words",
        hint: "How they describe the baby and what the baby is like with them",
    },
    Prompt {
        code: "who_matters",
        heading: "Who else matters to the baby",
        hint: "The people they see around the baby, and who the baby turns to",
    },
    Prompt {
        code: "experience",
        heading: "What becoming a parent (or grandparent) has been like",
        hint: "Changes, surprises, what they had expected",
    },
    Prompt {
        code: "enjoy",
        heading: "What they enjoy doing with the baby, and what the baby enjoys",
        hint: "Bath time, songs, walks, feeds: moments that go well",
    },
    Prompt {
        code: "sharing_care",
        heading: "How looking after the baby is shared",
        hint: "Who does what, day and night, and how they feel about it",
    },
    Prompt {
        code: "confidence",
        heading: "What feels confident or enjoyable, and what feels hard",
        hint: "Where they would like more confidence or support",
    },
    Prompt {
        code: "coping",
        heading: "How they cope when they are at the end of their tether",
        hint: "Crying that will not stop, tiredness, anger: what they do and who they can call",
    },
];

/// The most text one section or the formulation may hold.
pub const SECTION_LIMIT: usize = 10_000;

/// A relationship conversation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub held_on: Option<Date>,
    /// Who took part: the mother and/or people around the baby.
    pub participants: Vec<Member>,
    /// The baby it was about, when the family has several; `None` for all of them.
    pub baby: Option<BabyId>,
    pub seen: Seen,
    /// (section code, text) for each section written, in prompt order.
    pub answers: Vec<(String, String)>,
    pub formulation: Option<String>,
    pub status: ConversationStatus,
    /// Whether an interpreter was used, when anyone there needed one or it was recorded.
    #[serde(default)]
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
    /// Who recorded it (display name), and when it was last saved.
    pub recorded_by: String,
    pub saved_at_millis: i64,
    pub version: i64,
}

impl Conversation {
    /// The conversation as a list names it, telling two on one day apart: "Relationship
    /// conversation, 7 December 2026, recorded by Priya Shah (not finished)".
    pub fn label(&self) -> String {
        let when = match self.held_on {
            Some(day) => format!(", {}", crate::dates::long_date(day)),
            None => " (not dated)".to_string(),
        };
        let draft = match self.status {
            ConversationStatus::Draft => " (not finished)",
            ConversationStatus::Finished => "",
        };
        format!(
            "Relationship conversation{when}, recorded by {}{draft}",
            self.recorded_by
        )
    }

    pub fn answer(&self, code: &str) -> Option<&str> {
        self.answers
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, text)| text.as_str())
    }
}

/// A conversation as typed into the form (or sent to the API), kept as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationInput {
    pub held_day: String,
    pub held_month: String,
    pub held_year: String,
    /// "mother" or a person's id, one for each participant.
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub participants: Vec<String>,
    /// A baby's id, or empty for all the family's babies.
    pub baby: String,
    pub seen: String,
    pub relationship: String,
    pub who_matters: String,
    pub experience: String,
    pub enjoy: String,
    pub sharing_care: String,
    pub confidence: String,
    pub coping: String,
    pub formulation: String,
    /// "yes" to finish; anything else saves it part-done.
    pub finish: String,
    #[serde(flatten)]
    pub interpreter: crate::interpreters::InterpreterInput,
}

impl ConversationInput {
    pub fn from_conversation(c: &Conversation) -> Self {
        let (held_day, held_month, held_year) = crate::dates::date_boxes(c.held_on);
        let answer = |code: &str| c.answer(code).unwrap_or_default().to_string();
        Self {
            held_day,
            held_month,
            held_year,
            participants: c.participants.iter().map(|m| m.code()).collect(),
            baby: c.baby.map(|b| b.to_string()).unwrap_or_default(),
            seen: c.seen.code().to_string(),
            relationship: answer("relationship"),
            who_matters: answer("who_matters"),
            experience: answer("experience"),
            enjoy: answer("enjoy"),
            sharing_care: answer("sharing_care"),
            confidence: answer("confidence"),
            coping: answer("coping"),
            formulation: c.formulation.clone().unwrap_or_default(),
            finish: String::new(),
            interpreter: crate::interpreters::InterpreterInput::of(c.interpreter.as_ref()),
        }
    }

    /// The text typed for a section, by its code.
    pub fn section(&self, code: &str) -> &str {
        match code {
            "relationship" => &self.relationship,
            "who_matters" => &self.who_matters,
            "experience" => &self.experience,
            "enjoy" => &self.enjoy,
            "sharing_care" => &self.sharing_care,
            "confidence" => &self.confidence,
            "coping" => &self.coping,
            _ => "",
        }
    }

    /// Checks everything that can be checked without the family (whether the participants
    /// and the baby belong to it is the caller's to check), reporting every problem at once.
    pub fn parse(&self, today: Date) -> Result<ParsedConversation, Problems> {
        let mut problems = Problems::default();
        let held_on = problems.take(
            parse_date_parts(
                "held",
                "Date of the conversation",
                &self.held_day,
                &self.held_month,
                &self.held_year,
            )
            .and_then(|d| {
                if d > today {
                    Err(Invalid::new(
                        "held",
                        "Date of the conversation must be today or in the past",
                    ))
                } else if d < today - Duration::days(2 * 366) {
                    Err(Invalid::new(
                        "held",
                        "Date of the conversation must be within the last 2 years",
                    ))
                } else {
                    Ok(d)
                }
            }),
        );
        let mut participants = Vec::new();
        for code in &self.participants {
            match Member::parse(code) {
                Some(member) if !participants.contains(&member) => participants.push(member),
                Some(_) => {}
                None => problems.push(Invalid::new(
                    "participants",
                    "Select who took part from the people in this family",
                )),
            }
        }
        if participants.is_empty() && self.participants.is_empty() {
            problems.push(Invalid::new("participants", "Select who took part"));
        }
        let seen = if participants.len() > 1 {
            problems.take(Seen::from_code(&self.seen).ok_or_else(|| {
                Invalid::new(
                    "seen",
                    "Select whether they were seen together or separately",
                )
            }))
        } else {
            Some(Seen::Apart)
        };
        let baby = if self.baby.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(BabyId::parse(self.baby.trim()).ok_or_else(|| {
                    Invalid::new("baby", "Select which baby the conversation was about")
                }))
                .map(Some)
        };
        let mut answers = Vec::new();
        for prompt in &PROMPTS {
            let text = self.section(prompt.code).trim();
            if text.chars().count() > SECTION_LIMIT {
                problems.push(Invalid::new(
                    prompt.code,
                    format!("{} must be 10,000 characters or fewer", prompt.heading),
                ));
            } else if !text.is_empty() {
                answers.push((prompt.code.to_string(), text.to_string()));
            }
        }
        let formulation = self.formulation.trim();
        if formulation.chars().count() > SECTION_LIMIT {
            problems.push(Invalid::new(
                "formulation",
                "Formulation must be 10,000 characters or fewer",
            ));
        }
        let finish = crate::yes_or_no(
            &self.finish,
            "finish",
            "Say whether the conversation is finished: yes or no",
            &mut problems,
        );
        if finish && answers.is_empty() && formulation.is_empty() {
            problems.push(Invalid::new(
                "relationship",
                "Write at least one section or the formulation before finishing: or save it to finish later",
            ));
        }
        match (held_on, seen, baby) {
            (Some(held_on), Some(seen), Some(baby)) if problems.is_empty() => {
                Ok(ParsedConversation {
                    held_on,
                    participants,
                    baby,
                    seen,
                    answers,
                    formulation: (!formulation.is_empty()).then(|| formulation.to_string()),
                    status: if finish {
                        ConversationStatus::Finished
                    } else {
                        ConversationStatus::Draft
                    },
                })
            }
            _ => Err(problems),
        }
    }
}

/// A conversation that has passed the checks that need no family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedConversation {
    pub held_on: Date,
    pub participants: Vec<Member>,
    pub baby: Option<BabyId>,
    pub seen: Seen,
    pub answers: Vec<(String, String)>,
    pub formulation: Option<String>,
    pub status: ConversationStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PersonId;
    use time::macros::date;

    fn typed() -> ConversationInput {
        ConversationInput {
            held_day: "20".into(),
            held_month: "11".into(),
            held_year: "2026".into(),
            participants: vec![PersonId::new().to_string(), PersonId::new().to_string()],
            seen: "together".into(),
            relationship: "He says she is 'a little fighter' and lights up at bath time".into(),
            ..ConversationInput::default()
        }
    }

    #[test]
    fn two_conversations_on_one_day_are_told_apart_by_who_recorded_them_and_whether_finished() {
        let conversation = |status, recorded_by: &str| Conversation {
            id: Uuid::now_v7(),
            held_on: Some(date!(2026 - 12 - 07)),
            participants: vec![Member::Mother],
            baby: None,
            seen: Seen::Apart,
            answers: Vec::new(),
            formulation: None,
            status,
            interpreter: None,
            recorded_by: recorded_by.to_string(),
            saved_at_millis: 0,
            version: 1,
        };
        assert_eq!(
            conversation(ConversationStatus::Draft, "Priya Shah").label(),
            "Relationship conversation, 7 December 2026, recorded by Priya Shah (not finished)"
        );
        assert_eq!(
            conversation(ConversationStatus::Finished, "Tom Baker").label(),
            "Relationship conversation, 7 December 2026, recorded by Tom Baker"
        );
    }

    #[test]
    fn a_conversation_can_be_saved_part_done_and_finished_later() {
        let today = date!(2026 - 11 - 26);
        let draft = typed().parse(today).unwrap();
        assert_eq!(draft.status, ConversationStatus::Draft);
        assert_eq!(draft.answers.len(), 1);
        let mut finishing = typed();
        finishing.finish = "yes".into();
        assert_eq!(
            finishing.parse(today).unwrap().status,
            ConversationStatus::Finished
        );
        let mut empty = ConversationInput {
            finish: "yes".into(),
            ..typed()
        };
        empty.relationship.clear();
        assert!(empty
            .parse(today)
            .unwrap_err()
            .message_for("relationship")
            .is_some());
        empty.finish.clear();
        assert!(
            empty.parse(today).is_ok(),
            "an empty draft can be kept to finish later"
        );
    }

    #[test]
    fn several_people_need_together_or_apart_and_every_problem_is_reported() {
        let today = date!(2026 - 11 - 26);
        let bad = ConversationInput {
            held_day: "27".into(),
            seen: String::new(),
            participants: vec![PersonId::new().to_string(), "mother".into()],
            coping: "x".repeat(SECTION_LIMIT + 1),
            ..typed()
        };
        let problems = bad.parse(today).unwrap_err();
        let fields: Vec<&str> = problems.0.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["held", "seen", "coping"]);
        let nobody = ConversationInput {
            participants: Vec::new(),
            ..typed()
        };
        assert_eq!(
            nobody.parse(today).unwrap_err().message_for("participants"),
            Some("Select who took part")
        );
    }
}
