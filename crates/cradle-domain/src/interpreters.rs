//! Interpreters: who needs one is recorded with the person (their language and whether they
//! need an interpreter) and shown wherever they appear; each contact records whether one was
//! used, for which language and how, so the team can see when one was not arranged.

use crate::entries::Member;
use crate::network::{choices, FamilyRecord};
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};

choices!(
    /// How the interpreter took part.
    InterpreterMode {
        InPerson => ("in_person", "In person"),
        Telephone => ("telephone", "By telephone"),
        Video => ("video", "By video call"),
    }
);

/// Whether an interpreter was used at a contact, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "used", rename_all = "snake_case")]
pub enum InterpreterUse {
    Used {
        language: String,
        how: InterpreterMode,
    },
    NotUsed,
}

impl InterpreterUse {
    /// "Interpreter: Polish, by telephone", or "No interpreter used".
    pub fn summary(&self) -> String {
        match self {
            InterpreterUse::Used { language, how } => {
                format!("Interpreter: {language}, {}", how.label().to_lowercase())
            }
            InterpreterUse::NotUsed => "No interpreter used".to_string(),
        }
    }
}

/// Whether an interpreter was used, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterpreterInput {
    /// "yes", "no", or empty when not answered.
    pub interpreter: String,
    pub interpreter_language: String,
    pub interpreter_how: String,
}

/// Those among `members` who need an interpreter, the mother included, as "Piotr Kowalski
/// (Polish)".
pub fn needed_by(record: &FamilyRecord, members: &[Member]) -> Vec<String> {
    let named = |name: &str, language: Option<&String>| match language {
        Some(language) => format!("{name} ({language})"),
        None => name.to_string(),
    };
    members
        .iter()
        .filter_map(|member| match member {
            Member::Person(id) => record
                .person(*id)
                .filter(|p| p.interpreter_needed)
                .map(|p| named(&p.name, p.preferred_language.as_ref())),
            Member::Mother => {
                let mother = &record.family.mother_language;
                mother
                    .interpreter_needed
                    .then(|| named(&record.family.mother_name, mother.language.as_ref()))
            }
        })
        .collect()
}

impl InterpreterInput {
    /// The answer as a form shows it again, from what was recorded.
    pub fn of(used: Option<&InterpreterUse>) -> Self {
        match used {
            Some(InterpreterUse::Used { language, how }) => InterpreterInput {
                interpreter: "yes".into(),
                interpreter_language: language.clone(),
                interpreter_how: how.code().into(),
            },
            Some(InterpreterUse::NotUsed) => InterpreterInput {
                interpreter: "no".into(),
                ..Default::default()
            },
            None => Default::default(),
        }
    }

    /// Whether an interpreter was used at a contact with `members` of the family in `record`:
    /// [`InterpreterInput::parse`] with those among them who need one.
    pub fn parse_for(
        &self,
        record: &FamilyRecord,
        members: &[Member],
    ) -> Result<Option<InterpreterUse>, Problems> {
        self.parse(&needed_by(record, members))
    }

    /// Whether an interpreter was used (`None` when the question was left unanswered and
    /// nobody there needs one). When someone at the contact needs an interpreter
    /// (`needed_by`, as [`needed_by`] names them), the question must be answered.
    pub fn parse(&self, needed_by: &[String]) -> Result<Option<InterpreterUse>, Problems> {
        let mut problems = Problems::default();
        match self.interpreter.trim() {
            "" if !needed_by.is_empty() => {
                problems.push(Invalid::new(
                    "interpreter",
                    format!(
                        "Select whether an interpreter was used: {} {} one",
                        needed_by.join(" and "),
                        if needed_by.len() > 1 { "need" } else { "needs" }
                    ),
                ));
                Err(problems)
            }
            "" => Ok(None),
            "no" => Ok(Some(InterpreterUse::NotUsed)),
            "yes" => {
                let language = self.interpreter_language.trim();
                if language.is_empty() {
                    problems.push(Invalid::new(
                        "interpreter_language",
                        "Enter the language the interpreter used",
                    ));
                } else if language.chars().count() > 100 {
                    problems.push(Invalid::new(
                        "interpreter_language",
                        "Language must be 100 characters or fewer",
                    ));
                }
                let how = InterpreterMode::from_code(&self.interpreter_how);
                if how.is_none() {
                    problems.push(Invalid::new(
                        "interpreter_how",
                        "Select how the interpreter took part",
                    ));
                }
                match how {
                    Some(how) if problems.is_empty() => Ok(Some(InterpreterUse::Used {
                        language: language.to_string(),
                        how,
                    })),
                    _ => Err(problems),
                }
            }
            _ => {
                problems.push(Invalid::new(
                    "interpreter",
                    "Select whether an interpreter was used",
                ));
                Err(problems)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_someone_needs_an_interpreter_the_contact_says_whether_one_was_used_and_how() {
        let needed = vec!["Piotr Kowalski (Polish)".to_string()];
        let unanswered = InterpreterInput::default().parse(&needed).unwrap_err();
        assert_eq!(
            unanswered.message_for("interpreter"),
            Some("Select whether an interpreter was used: Piotr Kowalski (Polish) needs one")
        );
        assert_eq!(InterpreterInput::default().parse(&[]), Ok(None));
        let used = InterpreterInput {
            interpreter: "yes".into(),
            interpreter_language: "Polish".into(),
            interpreter_how: "telephone".into(),
        };
        let parsed = used.parse(&needed).unwrap().unwrap();
        assert_eq!(parsed.summary(), "Interpreter: Polish, by telephone");
        let no_how = InterpreterInput {
            interpreter_how: String::new(),
            ..used
        };
        assert!(no_how
            .parse(&needed)
            .unwrap_err()
            .message_for("interpreter_how")
            .is_some());
        let not_used = InterpreterInput {
            interpreter: "no".into(),
            ..InterpreterInput::default()
        };
        assert_eq!(not_used.parse(&needed), Ok(Some(InterpreterUse::NotUsed)));
    }
}
