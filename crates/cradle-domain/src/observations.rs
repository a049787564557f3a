//! Interaction observations and positive moments. A clinician records what they saw between
//! a caregiver and the baby, in descriptive words (sensitivity, responsiveness to the baby's
//! cues, holding the baby's needs in mind, what the caregiver believes about the baby's
//! behaviour). Where a trained clinician used a formal observational tool, its name, version
//! and result are recorded exactly as given; Cradle computes no score of its own.
//! Positive moments are a running, strengths-based record of what went well and how it was
//! fed back to the caregiver.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::choices;
use crate::{BabyId, Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

choices!(
    /// Where the observation took place.
    Setting {
        Home => ("home", "At home"),
        Clinic => ("clinic", "In clinic"),
        Ward => ("ward", "On the ward"),
        Video => ("video", "On a video call"),
    }
);

choices!(
    /// How the baby responded in a positive moment.
    BabyResponse {
        Smile => ("smile", "Smiled"),
        EyeContact => ("eye_contact", "Made eye contact"),
        Calming => ("calming", "Calmed"),
        Vocalising => ("vocalising", "Vocalised (cooed, babbled)"),
        Other => ("other", "Something else"),
    }
);

/// One descriptive section of an observation: code, heading, hint.
pub struct Descriptor {
    pub code: &'static str,
    pub heading: &'static str,
    pub hint: &'static str,
}

pub const DESCRIPTORS: [Descriptor; 5] = [
    Descriptor {
        code: "seen",
        heading: "What you saw",
        hint: "What happened between them, as it happened",
    },
    Descriptor {
        code: "sensitivity",
        heading: "Sensitivity",
        hint: "How gently and warmly the caregiver handled and spoke to the baby",
    },
    Descriptor {
        code: "responsiveness",
        heading: "Responding to the baby's cues",
        hint: "How the caregiver noticed and answered the baby's signals: looking away, fussing, reaching",
    },
    Descriptor {
        code: "mind",
        heading: "Holding the baby's needs and feelings in mind",
        hint: "Whether they talked about what the baby might be feeling or wanting",
    },
    Descriptor {
        code: "beliefs",
        heading: "What the caregiver believes about the baby's behaviour",
        hint: "For example, that the baby cries “to wind them up”, or “because she's tired”",
    },
];

/// A formal observational tool's result, exactly as the trained clinician gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ToolResult {
    pub tool: String,
    pub version: String,
    pub result: String,
    /// Who is trained to use the tool (as recorded by the clinician).
    pub trained_user: String,
}

/// An interaction observation of one caregiver with a baby.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Observation {
    pub id: Uuid,
    pub caregiver: Member,
    pub baby: Option<BabyId>,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub observed_on: Option<Date>,
    pub setting: Setting,
    /// (descriptor code, text) for each descriptor written.
    pub descriptors: Vec<(String, String)>,
    pub tool: Option<ToolResult>,
    /// Whether an interpreter was used, when the caregiver needs one or it was recorded.
    #[serde(default)]
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
    /// Raised at each amendment; the earlier version is kept.
    #[serde(default = "crate::needs::first_version")]
    pub version: i64,
}

/// A positive moment noticed and fed back to the caregiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PositiveMoment {
    pub id: Uuid,
    pub caregiver: Member,
    pub observation: Option<Uuid>,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub noticed_on: Option<Date>,
    pub what_happened: String,
    pub baby_responses: Vec<BabyResponse>,
    /// How it was highlighted to the caregiver.
    pub fed_back: String,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
    #[serde(default = "crate::needs::first_version")]
    pub version: i64,
}

/// An observation (with an optional positive moment) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObservationInput {
    pub caregiver: String,
    pub baby: String,
    pub observed_day: String,
    pub observed_month: String,
    pub observed_year: String,
    pub setting: String,
    pub seen: String,
    pub sensitivity: String,
    pub responsiveness: String,
    pub mind: String,
    pub beliefs: String,
    pub tool: String,
    pub tool_version: String,
    pub tool_result: String,
    pub trained_user: String,
    /// A positive moment seen during the observation (optional).
    pub moment: String,
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub baby_responses: Vec<String>,
    pub fed_back: String,
    /// Whether an interpreter was used (asked when the caregiver needs one).
    #[serde(flatten)]
    pub interpreter: crate::interpreters::InterpreterInput,
}

/// A checked observation, and the positive moment with it if one was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedObservation {
    pub caregiver: Member,
    pub baby: Option<BabyId>,
    pub observed_on: Date,
    pub setting: Setting,
    pub descriptors: Vec<(String, String)>,
    pub tool: Option<ToolResult>,
    pub moment: Option<(String, Vec<BabyResponse>, String)>,
}

const TEXT_LIMIT: usize = 10_000;

impl ObservationInput {
    pub fn descriptor(&self, code: &str) -> &str {
        match code {
            "seen" => &self.seen,
            "sensitivity" => &self.sensitivity,
            "responsiveness" => &self.responsiveness,
            "mind" => &self.mind,
            "beliefs" => &self.beliefs,
            _ => "",
        }
    }

    /// The date typed: today or in the past, within the last 2 years.
    fn observed_on(&self, today: Date) -> Result<Date, Invalid> {
        parse_date_parts(
            "observed",
            "Date of the observation",
            &self.observed_day,
            &self.observed_month,
            &self.observed_year,
        )
        .and_then(|d| {
            if d > today {
                Err(Invalid::new(
                    "observed",
                    "Date of the observation must be today or in the past",
                ))
            } else if d < today - Duration::days(2 * 366) {
                Err(Invalid::new(
                    "observed",
                    "Date of the observation must be within the last 2 years",
                ))
            } else {
                Ok(d)
            }
        })
    }

    /// The positive moment typed, if any: what happened, the baby's responses and how it was
    /// fed back (all three needed once anything is written). Problems go into `problems`.
    fn moment_part(&self, problems: &mut Problems) -> Option<(String, Vec<BabyResponse>, String)> {
        let mut responses = Vec::new();
        for code in &self.baby_responses {
            match BabyResponse::from_code(code) {
                Some(r) if !responses.contains(&r) => responses.push(r),
                Some(_) => {}
                None => problems.push(Invalid::new(
                    "baby_responses",
                    "Select how the baby responded",
                )),
            }
        }
        let moment_text = self.moment.trim();
        let fed_back = self.fed_back.trim();
        if moment_text.is_empty() {
            if !responses.is_empty() || !fed_back.is_empty() {
                problems.push(Invalid::new("moment", "Describe the positive moment"));
            }
            return None;
        }
        if moment_text.chars().count() > TEXT_LIMIT {
            problems.push(Invalid::new(
                "moment",
                "Positive moment must be 10,000 characters or fewer",
            ));
        }
        if responses.is_empty() {
            problems.push(Invalid::new(
                "baby_responses",
                "Select how the baby responded",
            ));
        }
        if fed_back.is_empty() {
            problems.push(Invalid::new(
                "fed_back",
                "Enter how you highlighted the moment to them",
            ));
        } else if fed_back.chars().count() > 2_000 {
            problems.push(Invalid::new(
                "fed_back",
                "Must be 2,000 characters or fewer",
            ));
        }
        Some((moment_text.to_string(), responses, fed_back.to_string()))
    }

    /// A positive moment on its own (to correct one): its date and its three parts.
    pub fn parse_moment(
        &self,
        today: Date,
    ) -> Result<(Date, String, Vec<BabyResponse>, String), Problems> {
        let mut problems = Problems::default();
        let noticed_on = problems.take(self.observed_on(today));
        let moment = self.moment_part(&mut problems);
        if moment.is_none() && problems.is_empty() {
            problems.push(Invalid::new("moment", "Describe the positive moment"));
        }
        match (noticed_on, moment) {
            (Some(on), Some((what, responses, fed_back))) if problems.is_empty() => {
                Ok((on, what, responses, fed_back))
            }
            _ => Err(problems),
        }
    }

    pub fn parse(&self, today: Date) -> Result<ParsedObservation, Problems> {
        let mut problems = Problems::default();
        let caregiver = problems.take(
            Member::parse(&self.caregiver)
                .ok_or_else(|| Invalid::new("caregiver", "Select whose interaction you observed")),
        );
        let baby = if self.baby.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(
                    BabyId::parse(self.baby.trim())
                        .ok_or_else(|| Invalid::new("baby", "Select one of this family's babies")),
                )
                .map(Some)
        };
        let observed_on = problems.take(self.observed_on(today));
        let setting = problems.take(
            Setting::from_code(&self.setting)
                .ok_or_else(|| Invalid::new("setting", "Select where the observation took place")),
        );
        let mut descriptors = Vec::new();
        for d in &DESCRIPTORS {
            let text = self.descriptor(d.code).trim();
            if text.chars().count() > TEXT_LIMIT {
                problems.push(Invalid::new(
                    d.code,
                    format!("{} must be 10,000 characters or fewer", d.heading),
                ));
            } else if !text.is_empty() {
                descriptors.push((d.code.to_string(), text.to_string()));
            }
        }
        let tool_fields = [
            ("tool", "the tool's name", self.tool.trim()),
            (
                "tool_version",
                "the tool's version",
                self.tool_version.trim(),
            ),
            (
                "tool_result",
                "the result, exactly as the tool gives it",
                self.tool_result.trim(),
            ),
            (
                "trained_user",
                "who is trained to use it",
                self.trained_user.trim(),
            ),
        ];
        let tool = if tool_fields.iter().all(|(_, _, t)| t.is_empty()) {
            None
        } else {
            for (field, label, typed) in tool_fields {
                if typed.is_empty() {
                    problems.push(Invalid::new(field, format!("Enter {label}")));
                } else if typed.chars().count() > 2_000 {
                    problems.push(Invalid::new(field, "Must be 2,000 characters or fewer"));
                }
            }
            Some(ToolResult {
                tool: self.tool.trim().to_string(),
                version: self.tool_version.trim().to_string(),
                result: self.tool_result.trim().to_string(),
                trained_user: self.trained_user.trim().to_string(),
            })
        };
        if descriptors.is_empty() && tool.is_none() && self.moment.trim().is_empty() {
            problems.push(Invalid::new(
                "seen",
                "Describe what you saw, or record a tool's result or a positive moment",
            ));
        }
        let moment = self.moment_part(&mut problems);
        match (caregiver, baby, observed_on, setting) {
            (Some(caregiver), Some(baby), Some(observed_on), Some(setting))
                if problems.is_empty() =>
            {
                Ok(ParsedObservation {
                    caregiver,
                    baby,
                    observed_on,
                    setting,
                    descriptors,
                    tool,
                    moment,
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

    fn typed() -> ObservationInput {
        ObservationInput {
            caregiver: "mother".into(),
            observed_day: "24".into(),
            observed_month: "11".into(),
            observed_year: "2026".into(),
            setting: "home".into(),
            seen: "Nappy change with singing".into(),
            ..ObservationInput::default()
        }
    }

    #[test]
    fn a_tool_result_is_kept_exactly_and_needs_every_part() {
        let today = date!(2026 - 11 - 26);
        let with_tool = ObservationInput {
            tool: "Invented Interaction Scale".into(),
            tool_version: "2.1".into(),
            tool_result: "Band B (as the manual words it)".into(),
            trained_user: "Dr Shah, trained 2025".into(),
            ..typed()
        };
        let parsed = with_tool.parse(today).unwrap();
        assert_eq!(
            parsed.tool.unwrap().result,
            "Band B (as the manual words it)"
        );
        let half = ObservationInput {
            tool: "Invented Interaction Scale".into(),
            ..typed()
        };
        let fields: Vec<&str> = half
            .parse(today)
            .unwrap_err()
            .0
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["tool_version", "tool_result", "trained_user"]);
    }

    #[test]
    fn a_positive_moment_says_what_happened_how_the_baby_responded_and_how_it_was_fed_back() {
        let today = date!(2026 - 11 - 26);
        let moment = ObservationInput {
            moment: "Held her gaze and copied her coo".into(),
            baby_responses: vec!["eye_contact".into(), "vocalising".into()],
            fed_back: "Told him how she lit up when he copied her".into(),
            ..typed()
        };
        let parsed = moment.parse(today).unwrap();
        assert_eq!(
            parsed.moment.unwrap().1,
            [BabyResponse::EyeContact, BabyResponse::Vocalising]
        );
        let unfinished = ObservationInput {
            fed_back: String::new(),
            baby_responses: Vec::new(),
            ..moment
        };
        let fields: Vec<&str> = unfinished
            .parse(today)
            .unwrap_err()
            .0
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["baby_responses", "fed_back"]);
    }
}
