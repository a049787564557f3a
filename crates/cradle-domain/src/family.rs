//! The family record's core: the mother under the team's care and the baby (or pregnancy)
//! at its centre. The full family network (partners, grandparents, relationships) builds on this.

use crate::dates::{long_date, parse_date_parts};
use crate::staff::parse_display_name;
use crate::{FamilyId, Invalid, NhsNumber, Problems, TeamId};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerinatalStage {
    Preconception,
    Antenatal,
    Postnatal,
}

impl PerinatalStage {
    pub fn code(self) -> &'static str {
        match self {
            PerinatalStage::Preconception => "preconception",
            PerinatalStage::Antenatal => "antenatal",
            PerinatalStage::Postnatal => "postnatal",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PerinatalStage::Preconception => "Preconception",
            PerinatalStage::Antenatal => "Antenatal",
            PerinatalStage::Postnatal => "Postnatal",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Preconception, Self::Antenatal, Self::Postnatal]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A family record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Family {
    pub id: FamilyId,
    pub team_id: TeamId,
    pub mother_name: String,
    pub mother_nhs_number: Option<String>,
    pub stage: PerinatalStage,
    pub baby_name: Option<String>,
    #[serde(with = "optional_iso_date")]
    pub baby_date_of_birth: Option<Date>,
    #[serde(with = "optional_iso_date")]
    pub due_date: Option<Date>,
    pub created_at_millis: i64,
}

impl Family {
    /// The name the baby is known by on screens: their name, or "Baby of …" until they have one.
    pub fn baby_label(&self) -> String {
        match &self.baby_name {
            Some(name) => name.clone(),
            None => format!("Baby of {}", self.mother_name),
        }
    }
    pub fn baby_date_line(&self) -> String {
        match (self.baby_date_of_birth, self.due_date) {
            (Some(born), _) => format!("Born {}", long_date(born)),
            (None, Some(due)) => format!("Due {}", long_date(due)),
            _ => "No baby or due date recorded".to_string(),
        }
    }
}

/// One row of a caseload list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilySummary {
    pub id: FamilyId,
    pub team_id: TeamId,
    pub mother_name: String,
    pub baby_name: Option<String>,
    pub stage: PerinatalStage,
}

/// What a person typed into the new family form (or sent to the API), kept as typed so a
/// form with problems can be shown again without losing anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FamilyInput {
    pub team_id: String,
    pub mother_name: String,
    pub mother_nhs_number: String,
    pub stage: String,
    pub baby_name: String,
    pub baby_dob_day: String,
    pub baby_dob_month: String,
    pub baby_dob_year: String,
    pub due_day: String,
    pub due_month: String,
    pub due_year: String,
}

/// A family that has passed every check and can be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFamily {
    pub team_id: TeamId,
    pub mother_name: String,
    pub mother_nhs_number: Option<NhsNumber>,
    pub stage: PerinatalStage,
    pub baby_name: Option<String>,
    pub baby_date_of_birth: Option<Date>,
    pub due_date: Option<Date>,
}

impl NewFamily {
    /// Checks every field and reports all the problems at once, in form order.
    pub fn parse(input: &FamilyInput, today: Date) -> Result<Self, Problems> {
        let mut problems = Problems::default();
        let team_id = problems.take(
            TeamId::parse(&input.team_id)
                .ok_or_else(|| Invalid::new("team_id", "Select the team caring for this family")),
        );
        let mother_name = problems.take(parse_display_name(
            "mother_name",
            "the mother's full name",
            &input.mother_name,
        ));
        let mother_nhs_number = if input.mother_nhs_number.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(NhsNumber::parse(
                    "mother_nhs_number",
                    &input.mother_nhs_number,
                ))
                .map(Some)
        };
        let stage = problems.take(
            PerinatalStage::from_code(input.stage.trim()).ok_or_else(|| {
                Invalid::new(
                    "stage",
                    "Select whether the mother is preconception, antenatal or postnatal",
                )
            }),
        );
        let baby_name = if input.baby_name.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(parse_display_name(
                    "baby_name",
                    "the baby's name",
                    &input.baby_name,
                ))
                .map(Some)
        };
        let mut baby_date_of_birth = None;
        let mut due_date = None;
        match stage {
            Some(PerinatalStage::Postnatal) => {
                if let Some(born) = problems.take(parse_date_parts(
                    "baby_dob",
                    "Baby's date of birth",
                    &input.baby_dob_day,
                    &input.baby_dob_month,
                    &input.baby_dob_year,
                )) {
                    if born > today {
                        problems.push(Invalid::new(
                            "baby_dob",
                            "Baby's date of birth must be today or in the past",
                        ));
                    } else if born < today - Duration::days(3 * 366) {
                        problems.push(Invalid::new(
                            "baby_dob",
                            "Baby's date of birth must be within the last 3 years for a perinatal referral",
                        ));
                    } else {
                        baby_date_of_birth = Some(born);
                    }
                }
            }
            Some(PerinatalStage::Antenatal) => {
                if let Some(due) = problems.take(parse_date_parts(
                    "due_date",
                    "Due date",
                    &input.due_day,
                    &input.due_month,
                    &input.due_year,
                )) {
                    if due < today - Duration::weeks(3) {
                        problems.push(Invalid::new(
                            "due_date",
                            "Due date is more than 3 weeks ago: if the baby has been born, choose postnatal and enter the date of birth",
                        ));
                    } else if due > today + Duration::weeks(44) {
                        problems.push(Invalid::new(
                            "due_date",
                            "Due date must be within 44 weeks from today",
                        ));
                    } else {
                        due_date = Some(due);
                    }
                }
            }
            _ => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        match (team_id, mother_name, mother_nhs_number, stage, baby_name) {
            (
                Some(team_id),
                Some(mother_name),
                Some(mother_nhs_number),
                Some(stage),
                Some(baby_name),
            ) => Ok(NewFamily {
                team_id,
                mother_name,
                mother_nhs_number,
                stage,
                baby_name,
                baby_date_of_birth,
                due_date,
            }),
            _ => Err(problems),
        }
    }
}

/// Dates travel as ISO 8601 ("2026-11-26") in JSON.
pub mod optional_iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{macros::format_description, Date};

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => {
                let text = date
                    .format(format_description!("[year]-[month]-[day]"))
                    .map_err(serde::ser::Error::custom)?;
                serializer.serialize_some(&text)
            }
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        let text: Option<String> = Option::deserialize(deserializer)?;
        match text {
            Some(text) => Date::parse(&text, format_description!("[year]-[month]-[day]"))
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> FamilyInput {
        FamilyInput {
            team_id: TeamId::new().to_string(),
            mother_name: "Amara Okafor".into(),
            mother_nhs_number: "999 123 4578".into(),
            stage: "postnatal".into(),
            baby_name: String::new(),
            baby_dob_day: "1".into(),
            baby_dob_month: "11".into(),
            baby_dob_year: "2026".into(),
            ..FamilyInput::default()
        }
    }

    #[test]
    fn a_postnatal_family_needs_a_birth_date_in_the_past() {
        let today = date!(2026 - 11 - 26);
        let family = NewFamily::parse(&input(), today).unwrap();
        assert_eq!(family.baby_date_of_birth, Some(date!(2026 - 11 - 01)));
        let mut future = input();
        future.baby_dob_month = "12".into();
        let problems = NewFamily::parse(&future, today).unwrap_err();
        assert_eq!(
            problems.message_for("baby_dob"),
            Some("Baby's date of birth must be today or in the past")
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let today = date!(2026 - 11 - 26);
        let bad = FamilyInput {
            team_id: "nonsense".into(),
            mother_name: "x".repeat(10_000),
            mother_nhs_number: "999 123 4579".into(),
            stage: "antenatal".into(),
            ..FamilyInput::default()
        };
        let problems = NewFamily::parse(&bad, today).unwrap_err();
        let fields: Vec<&str> = problems.0.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["team_id", "mother_name", "mother_nhs_number", "due_date"]
        );
    }

    #[test]
    fn an_unnamed_baby_is_baby_of_the_mother() {
        let family = Family {
            id: FamilyId::new(),
            team_id: TeamId::new(),
            mother_name: "Amara Okafor".into(),
            mother_nhs_number: None,
            stage: PerinatalStage::Antenatal,
            baby_name: None,
            baby_date_of_birth: None,
            due_date: Some(date!(2027 - 02 - 14)),
            created_at_millis: 0,
        };
        assert_eq!(family.baby_label(), "Baby of Amara Okafor");
        assert_eq!(family.baby_date_line(), "Due 14 February 2027");
    }
}
