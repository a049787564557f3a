//! The family record's core: the mother under the team's care and the baby (or pregnancy)
//! at its centre. The full family network (partners, grandparents, relationships) builds on this.

use crate::baby::{age_with_correction, Gestation};
use crate::dates::{long_date, parse_date_parts};
use crate::network::ChildProtectionStatus;
use crate::person::Postcode;
use crate::staff::parse_display_name;
use crate::{BabyId, FamilyId, Invalid, NhsNumber, Problems, TeamId};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// A baby, or a pregnancy: a baby whose birth has not been recorded yet. Recording the birth
/// fills in the date of birth and gestation on the same record, so nothing is typed twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Baby {
    pub id: BabyId,
    pub name: Option<String>,
    #[serde(with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
    #[serde(with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub gestation_at_birth: Option<Gestation>,
    pub nhs_number: Option<String>,
}

impl Baby {
    pub fn is_born(&self) -> bool {
        self.date_of_birth.is_some()
    }

    /// The name the baby is known by: their name, or "Baby of …" until they have one.
    pub fn label(&self, mother_name: &str) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("Baby of {mother_name}"),
        }
    }

    /// "Born 5 November 2026, 3 weeks old" or "Due 14 February 2027 (28+4 weeks today)".
    pub fn date_line(&self, today: Date) -> String {
        match (self.date_of_birth, self.due_date) {
            (Some(born), _) => format!(
                "Born {}, {} old",
                long_date(born),
                age_with_correction(born, self.gestation_at_birth, today)
            )
            .replace(" old (corrected", " (corrected")
            .replace(") old", ")"),
            (None, Some(due)) => {
                // Gestation counted back from the due date at 40 weeks.
                let days = 280 - (due - today).whole_days();
                if (0..=308).contains(&days) {
                    format!(
                        "Due {} ({}+{} weeks today)",
                        long_date(due),
                        days / 7,
                        days % 7
                    )
                } else {
                    format!("Due {}", long_date(due))
                }
            }
            _ => "No date recorded".to_string(),
        }
    }

    /// The age alone, with corrected age where it applies, for lists.
    pub fn age(&self, today: Date) -> Option<String> {
        self.date_of_birth
            .map(|born| age_with_correction(born, self.gestation_at_birth, today))
    }
}

/// The language the mother prefers and whether she needs an interpreter: shown wherever she
/// appears, and asked about at every contact with her when she needs one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MotherLanguage {
    pub language: Option<String>,
    pub interpreter_needed: bool,
}

impl MotherLanguage {
    /// The language and need as typed ("yes", "no" or empty), or the problems with them.
    pub fn parse(language: &str, needed: &str) -> Result<Self, Problems> {
        let mut problems = Problems::default();
        let language = problems.take(crate::text::optional_text(
            "mother_language",
            "The mother's preferred language",
            language,
            100,
        ));
        let interpreter_needed = match needed.trim() {
            "yes" => Some(true),
            "" | "no" => Some(false),
            _ => {
                problems.push(Invalid::new(
                    "mother_interpreter_needed",
                    "Select whether the mother needs an interpreter",
                ));
                None
            }
        };
        if interpreter_needed == Some(true) && language.as_ref().is_some_and(Option::is_none) {
            problems.push(Invalid::new(
                "mother_language",
                "Enter the language the mother speaks, so the right interpreter can be booked",
            ));
        }
        match (language, interpreter_needed) {
            (Some(language), Some(interpreter_needed)) if problems.is_empty() => Ok(Self {
                language,
                interpreter_needed,
            }),
            _ => Err(problems),
        }
    }

    /// "Interpreter needed: Bengali", when she needs one.
    pub fn note(&self) -> Option<String> {
        crate::network::interpreter_note(self.interpreter_needed, self.language.as_deref())
    }
}

/// A family record as stored: the mother under the team's care and the babies at its centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Family {
    pub id: FamilyId,
    pub team_id: TeamId,
    pub mother_name: String,
    pub mother_nhs_number: Option<String>,
    #[serde(with = "optional_iso_date", default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub mother_date_of_birth: Option<Date>,
    /// "LS1 4AP", as [`Postcode`] writes it.
    #[serde(default)]
    pub mother_postcode: Option<String>,
    #[serde(default)]
    pub mother_language: MotherLanguage,
    pub stage: PerinatalStage,
    #[serde(with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub referral_date: Option<Date>,
    pub child_protection: ChildProtectionStatus,
    pub babies: Vec<Baby>,
    pub created_at_millis: i64,
    /// Incremented at each amendment of the family's own details.
    pub version: i64,
}

impl Family {
    /// How the family is named on screens: after the baby (or babies), the centre of the record.
    pub fn baby_label(&self) -> String {
        match self.babies.as_slice() {
            [] => format!("{} (no baby recorded yet)", self.mother_name),
            [only] => only.label(&self.mother_name),
            several => several
                .iter()
                .map(|b| b.label(&self.mother_name))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }
}

/// One row of a caseload list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FamilySummary {
    pub id: FamilyId,
    pub team_id: TeamId,
    pub mother_name: String,
    pub stage: PerinatalStage,
    pub babies: Vec<Baby>,
    /// The people around the baby: (id, name).
    pub involved: Vec<(crate::PersonId, String)>,
    /// Those of them who need an interpreter: (id, "Interpreter needed: Polish").
    #[serde(default)]
    pub interpreters: Vec<(crate::PersonId, String)>,
    /// "Interpreter needed: Bengali" when the mother needs one.
    #[serde(default)]
    pub mother_interpreter: Option<String>,
    /// Do not contact / do not involve decisions not lifted, so the marks show in lists too.
    pub restrictions: Vec<crate::network::ContactRestriction>,
    /// Coping concerns not yet closed: flagged on the caseload.
    #[serde(default)]
    pub open_concerns: u32,
    /// Questionnaire safety alerts waiting for a recorded action: flagged on the caseload.
    #[serde(default)]
    pub open_alerts: u32,
    /// Steps after an abuse disclosure not yet settled: flagged on the caseload.
    #[serde(default)]
    pub open_disclosure_actions: u32,
    /// What the caseload needs to say what is due next for the family's care.
    #[serde(default)]
    pub care: CareCounts,
    /// Each family member's current partner pathway step, for those on it.
    #[serde(default)]
    pub pathway_steps: Vec<(crate::PersonId, crate::pathway::PathwayStep)>,
}

/// What the caseload keeps for each family's care plans (recounted with every change to them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CareCounts {
    pub open_plans: u32,
    /// The most attended sessions since a review, across the open plans.
    pub attended_since_review: u32,
    /// The earliest next planned contact across the open plans.
    #[serde(with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub next_contact: Option<Date>,
    /// The team's number of attended sessions between reviews.
    pub sessions_before_review: u32,
    /// When the family's last care plan to end ended (none while it has never had one end).
    #[serde(default, with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub last_plan_ended: Option<Date>,
}

impl Default for CareCounts {
    fn default() -> Self {
        Self {
            open_plans: 0,
            attended_since_review: 0,
            next_contact: None,
            sessions_before_review: crate::care_plans::DEFAULT_SESSIONS_BEFORE_REVIEW,
            last_plan_ended: None,
        }
    }
}

impl CareCounts {
    pub fn next_due(&self, today: Date) -> crate::care_plans::NextDue {
        crate::care_plans::NextDue::from_counts(
            self.attended_since_review,
            self.sessions_before_review,
            self.next_contact,
            self.open_plans,
            self.last_plan_ended,
            today,
        )
    }
}

impl FamilySummary {
    pub fn baby_label(&self) -> String {
        match self.babies.as_slice() {
            [] => format!("{} (no baby recorded yet)", self.mother_name),
            babies => babies
                .iter()
                .map(|b| b.label(&self.mother_name))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }
}

/// What a person typed into the new family form (or sent to the API), kept as typed so a
/// form with problems can be shown again without losing anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FamilyInput {
    pub team_id: String,
    pub mother_name: String,
    pub mother_nhs_number: String,
    pub mother_dob_day: String,
    pub mother_dob_month: String,
    pub mother_dob_year: String,
    pub mother_postcode: String,
    pub mother_language: String,
    /// "yes" or "no".
    pub mother_interpreter_needed: String,
    pub stage: String,
    pub baby_name: String,
    pub baby_dob_day: String,
    pub baby_dob_month: String,
    pub baby_dob_year: String,
    pub due_day: String,
    pub due_month: String,
    pub due_year: String,
    pub gestation_weeks: String,
    pub gestation_days: String,
    pub referral_day: String,
    pub referral_month: String,
    pub referral_year: String,
}

/// A family that has passed every check and can be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFamily {
    pub team_id: TeamId,
    pub mother_name: String,
    pub mother_nhs_number: Option<NhsNumber>,
    pub mother_date_of_birth: Option<Date>,
    pub mother_postcode: Option<Postcode>,
    pub mother_language: MotherLanguage,
    pub stage: PerinatalStage,
    pub referral_date: Date,
    pub baby_name: Option<String>,
    pub baby_date_of_birth: Option<Date>,
    pub due_date: Option<Date>,
    pub gestation_at_birth: Option<Gestation>,
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
        let mother_date_of_birth =
            problems.take(parse_mother_date_of_birth(input, today).and_then(|born| {
                match (born, born_before_the_mother(input)) {
                (Some(mother), Some(baby)) if baby <= mother => Err(Invalid::new(
                    "mother_dob",
                    "Mother's date of birth is after the baby's date of birth: check both dates",
                )),
                (Some(mother), _) if mother > today - Duration::days(10 * 365) => Err(Invalid::new(
                    "mother_dob",
                    "Mother's date of birth makes her under 10 years old: check the year",
                )),
                _ => Ok(born),
            }
            }));
        let mother_postcode = if input.mother_postcode.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(Postcode::parse("mother_postcode", &input.mother_postcode))
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
        let referral_typed = [
            &input.referral_day,
            &input.referral_month,
            &input.referral_year,
        ]
        .iter()
        .any(|t| !t.trim().is_empty());
        let referral_date = if referral_typed {
            problems.take(
                parse_date_parts(
                    "referral_date",
                    "Referral date",
                    &input.referral_day,
                    &input.referral_month,
                    &input.referral_year,
                )
                .and_then(|d| {
                    if d > today {
                        Err(Invalid::new(
                            "referral_date",
                            "Referral date must be today or in the past",
                        ))
                    } else {
                        Ok(d)
                    }
                }),
            )
        } else {
            Some(today)
        };
        let mut baby_date_of_birth = None;
        let mut due_date = None;
        let mut gestation_at_birth = None;
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
                if !input.gestation_weeks.trim().is_empty()
                    || !input.gestation_days.trim().is_empty()
                {
                    gestation_at_birth = problems.take(Gestation::parse(
                        "gestation",
                        &input.gestation_weeks,
                        &input.gestation_days,
                    ));
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
        let mother_language =
            match MotherLanguage::parse(&input.mother_language, &input.mother_interpreter_needed) {
                Ok(language) => Some(language),
                Err(found) => {
                    problems.0.extend(found.0);
                    None
                }
            };
        if !problems.is_empty() {
            return Err(problems);
        }
        match (
            team_id,
            mother_name,
            mother_nhs_number,
            (mother_date_of_birth, mother_postcode, mother_language),
            stage,
            baby_name,
            referral_date,
        ) {
            (
                Some(team_id),
                Some(mother_name),
                Some(mother_nhs_number),
                (Some(mother_date_of_birth), Some(mother_postcode), Some(mother_language)),
                Some(stage),
                Some(baby_name),
                Some(referral_date),
            ) => Ok(NewFamily {
                team_id,
                mother_name,
                mother_nhs_number,
                mother_date_of_birth,
                mother_postcode,
                mother_language,
                stage,
                referral_date,
                baby_name,
                baby_date_of_birth,
                due_date,
                gestation_at_birth,
            }),
            _ => Err(problems),
        }
    }
}

/// The mother's own details as typed when they are corrected or filled in later: her name,
/// NHS number, date of birth, postcode and the referral date, with the version they replace
/// and the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MotherInput {
    pub mother_name: String,
    pub mother_nhs_number: String,
    pub mother_dob_day: String,
    pub mother_dob_month: String,
    pub mother_dob_year: String,
    pub mother_postcode: String,
    pub mother_language: String,
    /// "yes" or "no".
    pub mother_interpreter_needed: String,
    pub referral_day: String,
    pub referral_month: String,
    pub referral_year: String,
    pub version: i64,
    pub reason: String,
}

/// The mother's details after every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MotherDetails {
    pub mother_name: String,
    pub mother_nhs_number: Option<String>,
    #[serde(with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub mother_date_of_birth: Option<Date>,
    pub mother_postcode: Option<String>,
    #[serde(default)]
    pub mother_language: MotherLanguage,
    #[serde(with = "optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub referral_date: Option<Date>,
}

impl MotherDetails {
    pub fn of(family: &Family) -> Self {
        Self {
            mother_name: family.mother_name.clone(),
            mother_nhs_number: family.mother_nhs_number.clone(),
            mother_date_of_birth: family.mother_date_of_birth,
            mother_postcode: family.mother_postcode.clone(),
            mother_language: family.mother_language.clone(),
            referral_date: family.referral_date,
        }
    }
}

impl MotherInput {
    pub fn from_family(family: &Family) -> Self {
        let (mother_dob_day, mother_dob_month, mother_dob_year) =
            crate::dates::date_boxes(family.mother_date_of_birth);
        let (referral_day, referral_month, referral_year) =
            crate::dates::date_boxes(family.referral_date);
        Self {
            mother_name: family.mother_name.clone(),
            mother_nhs_number: family
                .mother_nhs_number
                .as_deref()
                .and_then(|n| NhsNumber::parse("n", n).ok())
                .map(|n| n.formatted())
                .unwrap_or_default(),
            mother_dob_day,
            mother_dob_month,
            mother_dob_year,
            mother_postcode: family.mother_postcode.clone().unwrap_or_default(),
            mother_language: family.mother_language.language.clone().unwrap_or_default(),
            mother_interpreter_needed: if family.mother_language.interpreter_needed {
                "yes".to_string()
            } else {
                "no".to_string()
            },
            referral_day,
            referral_month,
            referral_year,
            version: family.version,
            reason: String::new(),
        }
    }

    /// Every check the new-family form makes of these fields, and against what the record
    /// already holds: the mother born before each baby, and the referral no later than the
    /// first care plan.
    pub fn parse(
        &self,
        record: &crate::network::FamilyRecord,
        today: Date,
    ) -> Result<MotherDetails, Problems> {
        let mut problems = Problems::default();
        let mother_name = problems.take(parse_display_name(
            "mother_name",
            "the mother's full name",
            &self.mother_name,
        ));
        let mother_nhs_number = if self.mother_nhs_number.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(NhsNumber::parse(
                    "mother_nhs_number",
                    &self.mother_nhs_number,
                ))
                .map(|n| Some(n.as_str().to_string()))
        };
        let typed = FamilyInput {
            mother_dob_day: self.mother_dob_day.clone(),
            mother_dob_month: self.mother_dob_month.clone(),
            mother_dob_year: self.mother_dob_year.clone(),
            ..FamilyInput::default()
        };
        let first_birth = record
            .family
            .babies
            .iter()
            .filter_map(|b| b.date_of_birth)
            .min();
        let mother_date_of_birth =
            problems.take(parse_mother_date_of_birth(&typed, today).and_then(|born| {
                match (born, first_birth) {
                (Some(mother), Some(baby)) if baby <= mother => Err(Invalid::new(
                    "mother_dob",
                    "Mother's date of birth is after the baby's date of birth: check both dates",
                )),
                (Some(mother), _) if mother > today - Duration::days(10 * 365) => {
                    Err(Invalid::new(
                        "mother_dob",
                        "Mother's date of birth makes her under 10 years old: check the year",
                    ))
                }
                _ => Ok(born),
            }
            }));
        let mother_postcode = if self.mother_postcode.trim().is_empty() {
            Some(None)
        } else {
            problems
                .take(Postcode::parse("mother_postcode", &self.mother_postcode))
                .map(|p| Some(p.as_str().to_string()))
        };
        let referral_parts = [
            &self.referral_day,
            &self.referral_month,
            &self.referral_year,
        ];
        let first_plan = record.plans.iter().map(|p| p.agreed_on).min();
        let referral_date = if referral_parts.iter().all(|p| p.trim().is_empty()) {
            Some(None)
        } else {
            problems
                .take(
                    parse_date_parts(
                        "referral_date",
                        "Referral date",
                        referral_parts[0],
                        referral_parts[1],
                        referral_parts[2],
                    )
                    .and_then(|d| match first_plan {
                        _ if d > today => Err(Invalid::new(
                            "referral_date",
                            "Referral date must be today or in the past",
                        )),
                        Some(plan) if d > plan => Err(Invalid::new(
                            "referral_date",
                            format!(
                                "Referral date must be on or before the first care plan was agreed, {}",
                                long_date(plan)
                            ),
                        )),
                        _ => Ok(d),
                    }),
                )
                .map(Some)
        };
        let mother_language =
            match MotherLanguage::parse(&self.mother_language, &self.mother_interpreter_needed) {
                Ok(language) => Some(language),
                Err(found) => {
                    problems.0.extend(found.0);
                    None
                }
            };
        match (
            mother_name,
            mother_nhs_number,
            mother_date_of_birth,
            mother_postcode,
            referral_date,
            mother_language,
        ) {
            (
                Some(mother_name),
                Some(nhs),
                Some(born),
                Some(postcode),
                Some(referral),
                Some(mother_language),
            ) if problems.is_empty() => Ok(MotherDetails {
                mother_name,
                mother_nhs_number: nhs,
                mother_date_of_birth: born,
                mother_postcode: postcode,
                mother_language,
                referral_date: referral,
            }),
            _ => Err(problems),
        }
    }
}

/// The baby's date of birth as typed, if it reads as a date at all (checked fully elsewhere).
fn born_before_the_mother(input: &FamilyInput) -> Option<Date> {
    parse_date_parts(
        "baby_dob",
        "Baby's date of birth",
        &input.baby_dob_day,
        &input.baby_dob_month,
        &input.baby_dob_year,
    )
    .ok()
    .filter(|_| input.stage.trim() == PerinatalStage::Postnatal.code())
}

/// The mother's date of birth, when typed: in the past and not absurdly long ago. Whether
/// she is old enough, and born before the baby, is checked with the baby's date.
fn parse_mother_date_of_birth(input: &FamilyInput, today: Date) -> Result<Option<Date>, Invalid> {
    let parts = [
        &input.mother_dob_day,
        &input.mother_dob_month,
        &input.mother_dob_year,
    ];
    if parts.iter().all(|t| t.trim().is_empty()) {
        return Ok(None);
    }
    let born = parse_date_parts(
        "mother_dob",
        "Mother's date of birth",
        parts[0],
        parts[1],
        parts[2],
    )?;
    if born >= today {
        return Err(Invalid::new(
            "mother_dob",
            "Mother's date of birth must be in the past",
        ));
    }
    if born < today - Duration::days(70 * 366) {
        return Err(Invalid::new(
            "mother_dob",
            "Mother's date of birth makes her over 70 years old: check the year",
        ));
    }
    Ok(Some(born))
}

/// A date that is always there, as ISO 8601 ("2026-11-26") in JSON.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{macros::format_description, Date};

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        super::optional_iso_date::serialize(&Some(*date), serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text, format_description!("[year]-[month]-[day]"))
            .map_err(serde::de::Error::custom)
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
    fn a_baby_cannot_be_born_before_the_mother() {
        let today = date!(2026 - 11 - 26);
        let mut typed = input();
        (
            typed.mother_dob_day,
            typed.mother_dob_month,
            typed.mother_dob_year,
        ) = ("18".into(), "3".into(), "1994".into());
        typed.mother_postcode = "ls1 4ap".into();
        let family = NewFamily::parse(&typed, today).unwrap();
        assert_eq!(family.mother_date_of_birth, Some(date!(1994 - 03 - 18)));
        assert_eq!(family.mother_postcode.unwrap().as_str(), "LS1 4AP");

        // The mother's year typed as the baby's: she would be born after the baby.
        typed.mother_dob_year = "2026".into();
        typed.mother_dob_month = "11".into();
        typed.mother_dob_day = "2".into();
        let problems = NewFamily::parse(&typed, today).unwrap_err();
        assert_eq!(
            problems.message_for("mother_dob"),
            Some("Mother's date of birth is after the baby's date of birth: check both dates")
        );
        // Not the baby's year, but a birthday that makes her a child.
        typed.mother_dob_year = "2020".into();
        let problems = NewFamily::parse(&typed, today).unwrap_err();
        assert_eq!(
            problems.message_for("mother_dob"),
            Some("Mother's date of birth makes her under 10 years old: check the year")
        );
        let mut bad_postcode = input();
        bad_postcode.mother_postcode = "LS1".into();
        assert_eq!(
            NewFamily::parse(&bad_postcode, today)
                .unwrap_err()
                .message_for("mother_postcode"),
            Some("Enter a full UK postcode, like LS1 4AP or SW1A 2AA")
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
    fn an_unnamed_baby_is_baby_of_the_mother_and_twins_are_both_named() {
        let baby = |name: Option<&str>| Baby {
            id: BabyId::new(),
            name: name.map(str::to_string),
            date_of_birth: None,
            due_date: Some(date!(2027 - 02 - 14)),
            gestation_at_birth: None,
            nhs_number: None,
        };
        let mut family = Family {
            id: FamilyId::new(),
            team_id: TeamId::new(),
            mother_name: "Amara Okafor".into(),
            mother_date_of_birth: None,
            mother_postcode: None,
            mother_language: Default::default(),
            mother_nhs_number: None,
            stage: PerinatalStage::Antenatal,
            referral_date: None,
            child_protection: ChildProtectionStatus::None,
            babies: vec![baby(None)],
            created_at_millis: 0,
            version: 1,
        };
        assert_eq!(family.baby_label(), "Baby of Amara Okafor");
        assert_eq!(
            family.babies[0].date_line(date!(2026 - 11 - 26)),
            "Due 14 February 2027 (28+4 weeks today)"
        );
        family.babies = vec![baby(Some("Ada")), baby(Some("Ben"))];
        assert_eq!(family.baby_label(), "Ada and Ben");
    }

    #[test]
    fn a_born_baby_shows_age_and_corrected_age() {
        let baby = Baby {
            id: BabyId::new(),
            name: Some("Ada".into()),
            date_of_birth: Some(date!(2026 - 09 - 01)),
            due_date: None,
            gestation_at_birth: Some(Gestation { weeks: 32, days: 0 }),
            nhs_number: None,
        };
        assert_eq!(
            baby.date_line(date!(2026 - 11 - 24)),
            "Born 1 September 2026, 12 weeks (corrected age 4 weeks)"
        );
    }

    #[test]
    fn gestation_is_checked_and_referral_date_defaults_to_today() {
        let today = date!(2026 - 11 - 26);
        let mut early = input();
        early.gestation_weeks = "33+4".into();
        let family = NewFamily::parse(&early, today).unwrap();
        assert_eq!(
            family.gestation_at_birth,
            Some(Gestation { weeks: 33, days: 4 })
        );
        assert_eq!(family.referral_date, today);
        early.gestation_weeks = "50".into();
        early.referral_year = "2027".into();
        early.referral_month = "1".into();
        early.referral_day = "1".into();
        let problems = NewFamily::parse(&early, today).unwrap_err();
        assert!(problems.message_for("gestation").is_some());
        assert_eq!(
            problems.message_for("referral_date"),
            Some("Referral date must be today or in the past")
        );
    }
}
