//! Validated questionnaires as data.
//!
//! An instrument is a definition file: a FHIR R4 `Questionnaire` resource (its questions and
//! answer options, each option's score as the FHIR `ordinalValue` extension) beside Cradle's
//! rules for it: how its scores are made (sums, subscales, reversed questions, whether an
//! incomplete form may be pro-rated), which answers raise a safety alert a clinician must
//! act on, its licence and citation, and the populations it is validated for with each
//! population's severity bands and cut-off.
//!
//! Loading a definition checks all of it and names every fault; scoring a response refuses
//! unknown questions and answers, never scores an incomplete form unless the instrument
//! allows pro-rating, and shows a score as valid only for a population the instrument is
//! validated for.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The FHIR extension that carries an answer option's score.
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";

/// The format of a definition file, named in its `format` member.
pub const DEFINITION_FORMAT: &str = "cradle-instrument/1";

/// The instruments Cradle ships: only those whose licences allow it to be given away.
pub fn shipped() -> Vec<&'static str> {
    vec![
        include_str!("../instruments/phq-9.json"),
        include_str!("../instruments/gad-7.json"),
    ]
}

/// The largest definition file a team may import (a page sends it form-encoded, which must
/// stay within the 256 KB any request may be).
pub const MAX_DEFINITION_BYTES: usize = 128 * 1024;

/// A definition file a team imported, as stored: the file exactly as imported, with what
/// identifies it and who imported it. Importing a newer version of the same questionnaire
/// retires the older one; retired definitions stay, so responses scored with them can still
/// be read against them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedDefinition {
    pub id: uuid::Uuid,
    pub team_id: crate::TeamId,
    pub url: String,
    pub version: String,
    pub name: String,
    pub definition: String,
    pub imported_by_name: String,
    pub imported_at_millis: i64,
    pub retired_at_millis: Option<i64>,
}

/// An instrument ready to score responses.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Instrument {
    /// The Questionnaire's canonical URL: with the version, what a response records.
    pub url: String,
    pub version: String,
    /// A short name ("PHQ-9").
    pub name: String,
    pub title: String,
    /// What the person is asked before the items, as the form gives it (the instruction and
    /// its time frame, "Over the last 2 weeks, …"), in order.
    pub instructions: Vec<String>,
    pub questions: Vec<Question>,
    pub scores: Vec<ScoreRule>,
    pub alerts: Vec<AlertRule>,
    pub licence: Licence,
    pub citation: String,
    pub populations: Vec<Population>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub link_id: String,
    pub text: String,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AnswerOption {
    pub code: String,
    pub display: String,
    pub value: i64,
}

/// How one score is made from the answers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScoreRule {
    pub id: String,
    pub label: String,
    /// The questions summed, by link id.
    pub questions: Vec<String>,
    /// Questions scored the other way round (highest option counts lowest).
    pub reversed: Vec<String>,
    /// The fewest answered questions from which the score is pro-rated; `None` when every
    /// question must be answered.
    pub prorate_from: Option<usize>,
}

/// An answer that needs a clinician's attention whatever the total: any answer scoring above
/// `above` on the question, or the question left unanswered.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AlertRule {
    pub question: String,
    pub above: i64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Licence {
    pub name: String,
    /// Whether the definition may be given away with Cradle. An instrument that may not is
    /// imported by each service from its own copy.
    pub redistribution_allowed: bool,
    pub notice: String,
}

/// A population the instrument is validated for, with how its scores are read there.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Population {
    pub code: String,
    pub label: String,
    /// The youngest age, in whole years, the population includes (18 for adults); none
    /// when the definition does not say.
    pub min_age_years: Option<u32>,
    /// Whom the population is, by their relationship to the baby (fathers and partners, for
    /// example); empty when it does not depend on the relationship.
    pub relationships: Vec<crate::network::RelationshipKind>,
    /// The sex the population is, when its readings are for one sex only.
    pub sex: Option<crate::network::Sex>,
    /// By score id.
    pub readings: BTreeMap<String, Reading>,
}

/// The population code a clinician chooses when none of an instrument's populations fits the
/// person: the score is then shown with a warning and read against no cut-off.
pub const NO_POPULATION: &str = "none";

/// Who a response is for, as the record has them: what the population follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respondent<'a> {
    pub name: &'a str,
    /// Their relationships to the baby.
    pub relationships: Vec<crate::network::RelationshipKind>,
    pub age: Option<crate::network::AgeBand>,
    /// Their sex as recorded, when it is.
    pub sex: Option<crate::network::Sex>,
}

impl Population {
    /// Why the population does not fit the respondent, if it does not: they are younger than
    /// it includes, or it is for people in other relationships to the baby.
    fn mismatch(&self, who: &Respondent) -> Option<String> {
        if let (Some(least), Some(age)) = (self.min_age_years, who.age) {
            if age.youngest() < least {
                return Some(format!(
                    "“{}” starts at {least} years old, and {} is recorded as {}",
                    self.label,
                    who.name,
                    age.label().to_lowercase()
                ));
            }
        }
        if let (Some(theirs), Some(ours)) = (who.sex, self.sex) {
            if theirs != ours {
                return Some(format!(
                    "“{}” is for {} respondents, and {} is recorded as {}",
                    self.label,
                    ours.label().to_lowercase(),
                    who.name,
                    theirs.label().to_lowercase()
                ));
            }
        }
        let fits = self.relationships.is_empty()
            || self
                .relationships
                .iter()
                .any(|k| who.relationships.contains(k));
        if fits {
            return None;
        }
        let recorded = match who.relationships.as_slice() {
            [] => "with no relationship to the baby recorded".to_string(),
            kinds => format!(
                "recorded as {}",
                kinds
                    .iter()
                    .map(|k| k.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        };
        Some(format!(
            "“{}” is for {}, and {} is {recorded}",
            self.label,
            self.relationships
                .iter()
                .map(|k| k.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(", "),
            who.name
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reading {
    /// A score at or above this suggests the condition screened for.
    pub cut_off: Option<i64>,
    /// Severity bands covering every possible score, lowest first.
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: i64,
    pub to: i64,
    pub label: String,
}

/// What is wrong with a definition file; each message names the question, score or
/// population at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionFaults(pub Vec<String>);

impl std::fmt::Display for DefinitionFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.join("; "))
    }
}

// The definition file as written.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileQuestionnaire {
    resource_type: String,
    url: Option<String>,
    version: Option<String>,
    name: Option<String>,
    title: Option<String>,
    #[serde(default)]
    item: Vec<FileItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileItem {
    link_id: Option<String>,
    text: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    answer_option: Vec<FileAnswerOption>,
    #[serde(default)]
    item: Vec<FileItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileAnswerOption {
    value_coding: Option<FileCoding>,
}

#[derive(Deserialize)]
struct FileCoding {
    code: Option<String>,
    display: Option<String>,
    #[serde(default)]
    extension: Vec<FileExtension>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileExtension {
    url: String,
    value_decimal: Option<f64>,
    value_integer: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDefinition {
    format: String,
    questionnaire: FileQuestionnaire,
    scores: Vec<FileScore>,
    #[serde(default)]
    alerts: Vec<FileAlert>,
    licence: FileLicence,
    citation: String,
    populations: Vec<FilePopulation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileScore {
    id: String,
    label: String,
    questions: Vec<String>,
    #[serde(default)]
    reversed: Vec<String>,
    prorate_from: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAlert {
    question: String,
    above: i64,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLicence {
    name: String,
    redistribution_allowed: bool,
    notice: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePopulation {
    code: String,
    label: String,
    #[serde(default)]
    min_age_years: Option<u32>,
    #[serde(default)]
    relationships: Vec<String>,
    #[serde(default)]
    sex: Option<String>,
    readings: BTreeMap<String, FileReading>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileReading {
    cut_off: Option<i64>,
    bands: Vec<Band>,
}

impl Instrument {
    /// Reads and checks a definition file.
    pub fn load(json: &str) -> Result<Instrument, DefinitionFaults> {
        let file: FileDefinition = serde_json::from_str(json).map_err(|e| {
            DefinitionFaults(vec![format!(
                "the file is not a definition Cradle can read: {e}"
            )])
        })?;
        let mut faults = Vec::new();
        if file.format != DEFINITION_FORMAT {
            faults.push(format!(
                "the format is \"{}\"; Cradle reads \"{DEFINITION_FORMAT}\"",
                file.format
            ));
        }
        let q = &file.questionnaire;
        if q.resource_type != "Questionnaire" {
            faults.push(format!(
                "the questionnaire's resourceType is \"{}\", not \"Questionnaire\"",
                q.resource_type
            ));
        }
        let url = required(&q.url, "the questionnaire has no url", &mut faults);
        let version = required(&q.version, "the questionnaire has no version", &mut faults);
        let name = required(&q.name, "the questionnaire has no name", &mut faults);
        let title = q.title.clone().unwrap_or_else(|| name.clone());
        let questions = questions(&q.item, &mut faults);
        let scores = score_rules(&file.scores, &questions, &mut faults);
        let alerts = alert_rules(&file.alerts, &questions, &scores, &mut faults);
        let populations = populations(&file.populations, &scores, &questions, &mut faults);
        if file.licence.name.trim().is_empty() {
            faults.push("the licence has no name".to_string());
        }
        if file.citation.trim().is_empty() {
            faults.push("the citation is empty".to_string());
        }
        if !faults.is_empty() {
            return Err(DefinitionFaults(faults));
        }
        Ok(Instrument {
            url,
            version,
            name,
            title,
            instructions: instructions(&q.item),
            questions,
            scores,
            alerts,
            licence: Licence {
                name: file.licence.name,
                redistribution_allowed: file.licence.redistribution_allowed,
                notice: file.licence.notice,
            },
            citation: file.citation,
            populations,
        })
    }

    /// Whether the instrument is meant for someone of `age` (their age band, if known): a
    /// child (under 16) never; otherwise someone in one of its populations by age, or of an
    /// age not recorded (the clinician chooses the population on the form).
    pub fn meant_for(&self, age: Option<crate::network::AgeBand>) -> bool {
        match age {
            Some(crate::network::AgeBand::Child) => false,
            Some(band) => self
                .populations
                .iter()
                .any(|p| p.min_age_years.is_none_or(|least| band.youngest() >= least)),
            None => true,
        }
    }

    /// The population that follows the person as recorded: the first that names one of their
    /// relationships to the baby, else the first that does not depend on the relationship,
    /// either only where their age fits. `None` when none fits them.
    pub fn population_for(&self, who: &Respondent) -> Option<&Population> {
        let fits = |p: &&Population| p.mismatch(who).is_none();
        self.populations
            .iter()
            .filter(fits)
            .find(|p| !p.relationships.is_empty())
            .or_else(|| self.populations.iter().find(fits))
    }

    /// A population by its code.
    pub fn population_for_code(&self, code: &str) -> Option<&Population> {
        self.populations.iter().find(|p| p.code == code)
    }

    /// The population the clinician chose (`code` as the form or API sends it), checked
    /// against the person: required; [`NO_POPULATION`] when none fits (the score is then read
    /// against no cut-off); one that does not fit them is refused, saying why and which fits.
    pub fn check_population(
        &self,
        code: &str,
        who: &Respondent,
    ) -> Result<Option<String>, crate::Invalid> {
        let suggest = || match self.population_for(who) {
            Some(p) => format!("“{}” fits how {} is recorded", p.label, who.name),
            None => format!(
                "none of {}'s groups fits how {} is recorded, so choose “none of these”",
                self.name, who.name
            ),
        };
        match code.trim() {
            "" => Err(crate::Invalid::new(
                "population",
                format!(
                    "Select which group's scores to read this against: {}",
                    suggest()
                ),
            )),
            NO_POPULATION => Ok(None),
            code => match self.populations.iter().find(|p| p.code == code) {
                None => Err(crate::Invalid::new(
                    "population",
                    format!(
                        "Select one of the groups {} is validated for, or none of them",
                        self.name
                    ),
                )),
                Some(population) => match population.mismatch(who) {
                    Some(why) => Err(crate::Invalid::new(
                        "population",
                        format!("{why}: {}", suggest()),
                    )),
                    None => Ok(Some(population.code.clone())),
                },
            },
        }
    }

    /// What an answer of `value` on question `link_id` counts as: its value, or, for a
    /// question the scores reverse, its value counted from the other end of the options.
    pub fn scored_value(&self, link_id: &str, value: i64) -> i64 {
        let reversed = self
            .scores
            .iter()
            .any(|rule| rule.reversed.iter().any(|id| id == link_id));
        match (reversed, self.question(link_id)) {
            (true, Some(question)) => {
                let (low, high) = option_range(question);
                low + high - value
            }
            _ => value,
        }
    }

    pub fn question(&self, link_id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.link_id == link_id)
    }

    /// The lowest and highest possible value of a score.
    pub fn score_range(&self, rule: &ScoreRule) -> (i64, i64) {
        range_of(rule, &self.questions)
    }

    /// Checks a response's answers and scores them, read for the person's population.
    /// Answers are (question link id, answer code); a question may be left out.
    pub fn score(
        &self,
        answers: &[(String, String)],
        population: Option<&str>,
    ) -> Result<Scored, ResponseFaults> {
        let mut faults = Vec::new();
        let mut values: BTreeMap<&str, i64> = BTreeMap::new();
        for (link_id, code) in answers {
            let Some(question) = self.question(link_id) else {
                faults.push(format!("{} has no question \"{link_id}\"", self.name));
                continue;
            };
            let Some(option) = question.options.iter().find(|o| o.code == *code) else {
                faults.push(format!(
                    "\"{code}\" is not one of the answers to question {} ({})",
                    question.link_id,
                    question
                        .options
                        .iter()
                        .map(|o| o.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            if values
                .insert(question.link_id.as_str(), option.value)
                .is_some()
            {
                faults.push(format!("question {} is answered twice", question.link_id));
            }
        }
        if !faults.is_empty() {
            return Err(ResponseFaults(faults));
        }
        let reading_population =
            population.and_then(|code| self.populations.iter().find(|p| p.code == code));
        let scores = self
            .scores
            .iter()
            .map(|rule| {
                let answered: Vec<(&String, i64)> = rule
                    .questions
                    .iter()
                    .filter_map(|id| values.get(id.as_str()).map(|v| (id, *v)))
                    .collect();
                let sum: i64 = answered
                    .iter()
                    .map(|(id, value)| match rule.reversed.contains(id) {
                        true => self
                            .question(id)
                            .map(option_range)
                            .map(|(low, high)| low + high - value)
                            .unwrap_or(*value),
                        false => *value,
                    })
                    .sum();
                let total = rule.questions.len();
                let value = if answered.len() == total {
                    ScoreValue::Complete { value: sum }
                } else if rule
                    .prorate_from
                    .is_some_and(|least| answered.len() >= least && !answered.is_empty())
                {
                    // Scaled up to every question, rounded half away from zero.
                    let scaled = (sum * i64::try_from(total).unwrap_or(0) * 2
                        / i64::try_from(answered.len()).unwrap_or(1)
                        + 1)
                        / 2;
                    ScoreValue::Prorated {
                        value: scaled,
                        answered: answered.len(),
                    }
                } else {
                    ScoreValue::Incomplete {
                        answered: answered.len(),
                        needed: rule.prorate_from.unwrap_or(total),
                    }
                };
                let reading = match (reading_population, value.number()) {
                    (Some(population), Some(number)) => match population.readings.get(&rule.id) {
                        Some(reading) => ScoreReading::Validated {
                            population: population.label.clone(),
                            band: reading
                                .bands
                                .iter()
                                .find(|b| b.from <= number && number <= b.to)
                                .map(|b| b.label.clone())
                                .unwrap_or_default(),
                            at_or_above_cut_off: reading.cut_off.map(|c| number >= c),
                        },
                        None => ScoreReading::NotValidated {
                            warning: self.not_validated_warning(population.label.as_str()),
                        },
                    },
                    (None, Some(_)) => ScoreReading::NotValidated {
                        warning: self.not_validated_warning(
                            population.unwrap_or("the person's population (not recorded)"),
                        ),
                    },
                    (_, None) => ScoreReading::NoScore,
                };
                Score {
                    id: rule.id.clone(),
                    label: rule.label.clone(),
                    value,
                    reading,
                }
            })
            .collect();
        // An alert follows the answer's scored value, as the definition scores it (a
        // reversed question counts its options the other way round), never the option's
        // place on the form.
        let alerts = self
            .alerts
            .iter()
            .filter_map(|rule| match values.get(rule.question.as_str()) {
                Some(value) if self.scored_value(&rule.question, *value) > rule.above => {
                    Some(RaisedAlert {
                        question: rule.question.clone(),
                        message: rule.message.clone(),
                        unanswered: false,
                    })
                }
                Some(_) => None,
                None => Some(RaisedAlert {
                    question: rule.question.clone(),
                    message: format!(
                        "This question was not answered: “{}”. Nothing was reported on it. Ask it before the person leaves, and record their answer.",
                        self.question(&rule.question)
                            .map(|q| q.text.as_str())
                            .unwrap_or_default()
                    ),
                    unanswered: true,
                }),
            })
            .collect();
        Ok(Scored { scores, alerts })
    }

    fn not_validated_warning(&self, population: &str) -> String {
        let validated: Vec<&str> = self.populations.iter().map(|p| p.label.as_str()).collect();
        format!(
            "{} is not validated for {population}: read this score with care, not against a cut-off. It is validated for: {}.",
            self.name,
            validated.join("; ")
        )
    }
}

/// One answer as a response records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub question: String,
    pub code: String,
}

/// What a clinician did about a response's safety alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertAction {
    pub action: String,
    pub by_name: String,
    pub at_millis: i64,
}

/// A completed questionnaire, shaped as a FHIR `QuestionnaireResponse`: which definition
/// (url and version) it answers, whose it is, the answers, and the scores and alerts as
/// Cradle made them from that definition when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionnaireResponse {
    pub id: uuid::Uuid,
    pub person_id: crate::PersonId,
    pub questionnaire: String,
    pub questionnaire_version: String,
    pub instrument_name: String,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub completed_on: time::Date,
    /// The population the person was read as ("adult"); none when none applies.
    pub population: Option<String>,
    pub answers: Vec<Answer>,
    pub scored: Scored,
    /// Whether an interpreter was used, when the person needs one or it was recorded.
    #[serde(default)]
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
    pub recorded_by_name: String,
    pub recorded_at_millis: i64,
    pub alert_action: Option<AlertAction>,
}

impl QuestionnaireResponse {
    /// A safety alert was raised and nobody has yet recorded acting on it.
    pub fn alert_needs_action(&self) -> bool {
        !self.scored.alerts.is_empty() && self.alert_action.is_none()
    }
}

/// What is wrong with a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFaults(pub Vec<String>);

/// A response's scores and alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scored {
    pub scores: Vec<Score>,
    pub alerts: Vec<RaisedAlert>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Score {
    pub id: String,
    pub label: String,
    pub value: ScoreValue,
    pub reading: ScoreReading,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreValue {
    Complete {
        value: i64,
    },
    /// Scaled up from the questions answered, as the instrument allows.
    Prorated {
        value: i64,
        answered: usize,
    },
    /// Too few questions answered for a score.
    Incomplete {
        answered: usize,
        needed: usize,
    },
}

impl ScoreValue {
    pub fn number(self) -> Option<i64> {
        match self {
            ScoreValue::Complete { value } | ScoreValue::Prorated { value, .. } => Some(value),
            ScoreValue::Incomplete { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreReading {
    /// Read against the bands and cut-off for the person's population.
    Validated {
        population: String,
        band: String,
        at_or_above_cut_off: Option<bool>,
    },
    /// The instrument is not validated for the person's population: shown with a warning.
    NotValidated {
        warning: String,
    },
    NoScore,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RaisedAlert {
    pub question: String,
    pub message: String,
    /// Raised because the question was left out, not because of its answer.
    pub unanswered: bool,
}

fn required(value: &Option<String>, fault: &str, faults: &mut Vec<String>) -> String {
    match value.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => text.to_string(),
        _ => {
            faults.push(fault.to_string());
            String::new()
        }
    }
}

/// The text of the form's display items (its instructions), from groups too, in order.
fn instructions(items: &[FileItem]) -> Vec<String> {
    items
        .iter()
        .flat_map(|item| match item.kind.as_deref() {
            Some("display") => item
                .text
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            Some("group") => instructions(&item.item),
            _ => Vec::new(),
        })
        .collect()
}

/// The questions that carry scores, flattened from groups, with duplicate link ids found
/// anywhere in the tree.
fn questions(items: &[FileItem], faults: &mut Vec<String>) -> Vec<Question> {
    fn walk(
        items: &[FileItem],
        seen: &mut BTreeSet<String>,
        out: &mut Vec<Question>,
        faults: &mut Vec<String>,
    ) {
        for (position, item) in items.iter().enumerate() {
            let Some(link_id) = item
                .link_id
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            else {
                faults.push(format!("item {} has no linkId", position + 1));
                continue;
            };
            if !seen.insert(link_id.to_string()) {
                faults.push(format!("two items share the linkId \"{link_id}\""));
                continue;
            }
            match item.kind.as_deref() {
                Some("group") => walk(&item.item, seen, out, faults),
                Some("display") => {}
                Some("choice") | Some("coding") => {
                    if let Some(question) = choice(link_id, item, faults) {
                        out.push(question);
                    }
                }
                other => faults.push(format!(
                    "item \"{link_id}\" is of type \"{}\"; Cradle scores choice items (and shows group and display items)",
                    other.unwrap_or("none")
                )),
            }
        }
    }
    let mut out = Vec::new();
    walk(items, &mut BTreeSet::new(), &mut out, faults);
    if out.is_empty() {
        faults.push("the questionnaire has no questions with answer options".to_string());
    }
    out
}

fn choice(link_id: &str, item: &FileItem, faults: &mut Vec<String>) -> Option<Question> {
    let text = item.text.clone().unwrap_or_default();
    if text.trim().is_empty() {
        faults.push(format!("item \"{link_id}\" has no text"));
    }
    if item.answer_option.is_empty() {
        faults.push(format!("item \"{link_id}\" has no answer options"));
        return None;
    }
    let mut options = Vec::new();
    let mut codes = BTreeSet::new();
    let before = faults.len();
    for (position, option) in item.answer_option.iter().enumerate() {
        let Some(coding) = &option.value_coding else {
            faults.push(format!(
                "answer option {} of item \"{link_id}\" has no valueCoding",
                position + 1
            ));
            continue;
        };
        let Some(code) = coding
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            faults.push(format!(
                "answer option {} of item \"{link_id}\" has no code",
                position + 1
            ));
            continue;
        };
        if !codes.insert(code.to_string()) {
            faults.push(format!(
                "item \"{link_id}\" has the answer code \"{code}\" twice"
            ));
            continue;
        }
        let value = coding
            .extension
            .iter()
            .find(|e| e.url == ORDINAL_VALUE)
            .and_then(|e| {
                e.value_integer.or_else(|| {
                    e.value_decimal
                        .filter(|d| d.fract() == 0.0 && d.abs() < 1e9)
                        .map(|d| d as i64)
                })
            });
        let Some(value) = value else {
            faults.push(format!(
                "answer \"{code}\" of item \"{link_id}\" has no whole-number ordinalValue to score it by"
            ));
            continue;
        };
        options.push(AnswerOption {
            code: code.to_string(),
            display: coding.display.clone().unwrap_or_else(|| code.to_string()),
            value,
        });
    }
    (faults.len() == before).then(|| Question {
        link_id: link_id.to_string(),
        text,
        options,
    })
}

fn option_range(question: &Question) -> (i64, i64) {
    let low = question.options.iter().map(|o| o.value).min().unwrap_or(0);
    let high = question.options.iter().map(|o| o.value).max().unwrap_or(0);
    (low, high)
}

fn range_of(rule: &ScoreRule, questions: &[Question]) -> (i64, i64) {
    rule.questions
        .iter()
        .filter_map(|id| questions.iter().find(|q| q.link_id == *id))
        .map(option_range)
        .fold((0, 0), |(low, high), (l, h)| (low + l, high + h))
}

fn score_rules(
    scores: &[FileScore],
    questions: &[Question],
    faults: &mut Vec<String>,
) -> Vec<ScoreRule> {
    let mut ids = BTreeSet::new();
    let mut rules = Vec::new();
    if scores.is_empty() {
        faults.push("the definition has no scores".to_string());
    }
    for score in scores {
        if !ids.insert(score.id.clone()) {
            faults.push(format!("two scores share the id \"{}\"", score.id));
        }
        if score.questions.is_empty() {
            faults.push(format!("score \"{}\" sums no questions", score.id));
        }
        let mut seen = BTreeSet::new();
        for id in &score.questions {
            if !questions.iter().any(|q| q.link_id == *id) {
                faults.push(format!(
                    "score \"{}\" sums question \"{id}\", which is not a question with answer options in the questionnaire",
                    score.id
                ));
            }
            if !seen.insert(id) {
                faults.push(format!(
                    "score \"{}\" sums question \"{id}\" twice",
                    score.id
                ));
            }
        }
        for id in &score.reversed {
            if !score.questions.contains(id) {
                faults.push(format!(
                    "score \"{}\" reverses question \"{id}\", which it does not sum",
                    score.id
                ));
            }
        }
        if let Some(least) = score.prorate_from {
            if least == 0 || least > score.questions.len() {
                faults.push(format!(
                    "score \"{}\" pro-rates from {least} answered questions; it must be between 1 and its {} questions",
                    score.id,
                    score.questions.len()
                ));
            }
        }
        rules.push(ScoreRule {
            id: score.id.clone(),
            label: score.label.clone(),
            questions: score.questions.clone(),
            reversed: score.reversed.clone(),
            prorate_from: score.prorate_from,
        });
    }
    rules
}

fn alert_rules(
    alerts: &[FileAlert],
    questions: &[Question],
    scores: &[ScoreRule],
    faults: &mut Vec<String>,
) -> Vec<AlertRule> {
    alerts
        .iter()
        .map(|alert| {
            match questions.iter().find(|q| q.link_id == alert.question) {
                None => faults.push(format!(
                    "a safety alert watches question \"{}\", which is not in the questionnaire",
                    alert.question
                )),
                Some(question) => {
                    let (_, high) = option_range(question);
                    if alert.above >= high {
                        faults.push(format!(
                            "the safety alert on question \"{}\" is raised above {}, which no answer reaches",
                            alert.question, alert.above
                        ));
                    }
                }
            }
            let reversed_in: Vec<&str> = scores
                .iter()
                .filter(|rule| rule.questions.contains(&alert.question))
                .map(|rule| rule.reversed.contains(&alert.question))
                .map(|reversed| if reversed { "reversed" } else { "not reversed" })
                .collect();
            if reversed_in.contains(&"reversed") && reversed_in.contains(&"not reversed") {
                faults.push(format!(
                    "question \"{}\" is reversed in one score and not in another, so its safety alert cannot tell which way to read it",
                    alert.question
                ));
            }
            if alert.message.trim().is_empty() {
                faults.push(format!(
                    "the safety alert on question \"{}\" has no message",
                    alert.question
                ));
            }
            AlertRule {
                question: alert.question.clone(),
                above: alert.above,
                message: alert.message.clone(),
            }
        })
        .collect()
}

fn populations(
    populations: &[FilePopulation],
    scores: &[ScoreRule],
    questions: &[Question],
    faults: &mut Vec<String>,
) -> Vec<Population> {
    if populations.is_empty() {
        faults.push(
            "the definition names no population it is validated for, so no score could be read"
                .to_string(),
        );
    }
    let mut codes = BTreeSet::new();
    populations
        .iter()
        .map(|population| {
            if !codes.insert(population.code.clone()) {
                faults.push(format!("two populations share the code \"{}\"", population.code));
            }
            if population.code == NO_POPULATION || population.code.trim().is_empty() {
                faults.push(format!(
                    "a population cannot have the code \"{}\": it is kept for “none of these”",
                    population.code
                ));
            }
            let mut relationships = Vec::new();
            for code in &population.relationships {
                match crate::network::RelationshipKind::from_code(code) {
                    Some(kind) => relationships.push(kind),
                    None => faults.push(format!(
                        "population \"{}\" names a relationship \"{code}\" Cradle does not know (use {})",
                        population.code,
                        crate::network::RelationshipKind::ALL
                            .iter()
                            .map(|k| k.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            let mut readings = BTreeMap::new();
            for (score_id, reading) in &population.readings {
                let Some(rule) = scores.iter().find(|s| s.id == *score_id) else {
                    faults.push(format!(
                        "population \"{}\" reads a score \"{score_id}\" the definition does not make",
                        population.code
                    ));
                    continue;
                };
                let (low, high) = range_of(rule, questions);
                check_bands(&population.code, score_id, &reading.bands, low, high, faults);
                if let Some(cut_off) = reading.cut_off {
                    if cut_off < low || cut_off > high {
                        faults.push(format!(
                            "population \"{}\": the cut-off {cut_off} for \"{score_id}\" is outside its range {low}–{high}",
                            population.code
                        ));
                    }
                }
                readings.insert(
                    score_id.clone(),
                    Reading {
                        cut_off: reading.cut_off,
                        bands: reading.bands.clone(),
                    },
                );
            }
            Population {
                code: population.code.clone(),
                label: population.label.clone(),
                min_age_years: population.min_age_years,
                relationships,
                sex: match population.sex.as_deref() {
                    None => None,
                    Some(code) => {
                        let sex = crate::network::Sex::from_code(code);
                        if sex.is_none() {
                            faults.push(format!(
                                "population \"{}\": sex must be \"female\" or \"male\", not \"{code}\"",
                                population.code
                            ));
                        }
                        sex
                    }
                },
                readings,
            }
        })
        .collect()
}

/// Bands must run from the lowest possible score to the highest, in order, without gaps or
/// overlaps, so every score falls in exactly one.
fn check_bands(
    population: &str,
    score: &str,
    bands: &[Band],
    low: i64,
    high: i64,
    faults: &mut Vec<String>,
) {
    let mut next = low;
    for band in bands {
        if band.from != next || band.to < band.from {
            faults.push(format!(
                "population \"{population}\": the bands for \"{score}\" must run from {low} to {high} without gaps or overlaps; \"{}\" runs {}–{} where {next} was expected next",
                band.label, band.from, band.to
            ));
            return;
        }
        next = band.to + 1;
    }
    if next != high + 1 {
        faults.push(format!(
            "population \"{population}\": the bands for \"{score}\" stop at {} but the score can reach {high}",
            next - 1
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phq9() -> Instrument {
        Instrument::load(include_str!("../instruments/phq-9.json")).unwrap()
    }

    fn answers(codes: &[(&str, &str)]) -> Vec<(String, String)> {
        codes
            .iter()
            .map(|(q, a)| (q.to_string(), a.to_string()))
            .collect()
    }

    /// Every PHQ-9 question answered with the same LOINC answer, then question 9 replaced.
    fn phq9_all(code: &str, ninth: &str) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = (1..=8)
            .map(|n| (format!("phq9-{n}"), code.to_string()))
            .collect();
        all.push(("phq9-9".to_string(), ninth.to_string()));
        all
    }

    #[test]
    fn the_shipped_instruments_load_and_may_be_given_away() {
        for json in shipped() {
            let instrument = Instrument::load(json).unwrap();
            assert!(
                instrument.licence.redistribution_allowed,
                "{}",
                instrument.name
            );
            assert!(!instrument.populations.is_empty());
        }
    }

    #[test]
    fn a_complete_phq9_is_summed_banded_and_read_against_the_populations_cut_off() {
        let scored = phq9()
            .score(&phq9_all("LA6569-3", "LA6568-5"), Some("adult"))
            .unwrap();
        let total = &scored.scores[0];
        assert_eq!(total.value, ScoreValue::Complete { value: 8 });
        assert_eq!(
            total.reading,
            ScoreReading::Validated {
                population: "Adults (validated in primary care and general medical settings)"
                    .to_string(),
                band: "Mild".to_string(),
                at_or_above_cut_off: Some(false),
            }
        );
        assert!(scored.alerts.is_empty());
    }

    #[test]
    fn any_answer_above_zero_on_the_self_harm_question_raises_an_alert() {
        let scored = phq9()
            .score(&phq9_all("LA6568-5", "LA6569-3"), Some("adult"))
            .unwrap();
        assert_eq!(scored.alerts.len(), 1);
        assert_eq!(scored.alerts[0].question, "phq9-9");
        assert!(!scored.alerts[0].unanswered);
        assert_eq!(scored.scores[0].value, ScoreValue::Complete { value: 1 });
    }

    #[test]
    fn an_incomplete_phq9_gets_no_score_and_an_unanswered_self_harm_question_is_flagged() {
        let mut given = phq9_all("LA6570-1", "LA6568-5");
        given.pop();
        let scored = phq9().score(&given, Some("adult")).unwrap();
        assert_eq!(
            scored.scores[0].value,
            ScoreValue::Incomplete {
                answered: 8,
                needed: 9
            }
        );
        assert_eq!(scored.scores[0].reading, ScoreReading::NoScore);
        assert!(scored.alerts[0].unanswered);
    }

    #[test]
    fn a_score_for_a_population_the_instrument_is_not_validated_for_carries_a_warning() {
        let scored = phq9()
            .score(&phq9_all("LA6571-9", "LA6568-5"), Some("child"))
            .unwrap();
        assert_eq!(scored.scores[0].value, ScoreValue::Complete { value: 24 });
        match &scored.scores[0].reading {
            ScoreReading::NotValidated { warning } => {
                assert!(warning.contains("not validated for child"), "{warning}")
            }
            other => panic!("expected a warning, got {other:?}"),
        }
    }

    #[test]
    fn a_scored_response_is_stored_and_read_back_unchanged() {
        let scored = phq9()
            .score(&phq9_all("LA6570-1", "LA6569-3"), Some("adult"))
            .unwrap();
        let text = serde_json::to_string(&scored).unwrap();
        assert_eq!(serde_json::from_str::<Scored>(&text).unwrap(), scored);
    }

    #[test]
    fn unknown_questions_answers_and_double_answers_are_refused_by_name() {
        let faults = phq9()
            .score(
                &answers(&[
                    ("phq9-1", "7"),
                    ("phq9-10", "LA6568-5"),
                    ("phq9-2", "LA6568-5"),
                    ("phq9-2", "LA6569-3"),
                ]),
                Some("adult"),
            )
            .unwrap_err();
        assert_eq!(faults.0.len(), 3, "{faults:?}");
        assert!(faults.0[0].contains("\"7\" is not one of the answers to question phq9-1"));
        assert!(faults.0[1].contains("no question \"phq9-10\""));
        assert!(faults.0[2].contains("phq9-2 is answered twice"));
    }

    #[test]
    fn the_example_instrument_shows_subscales_reversed_questions_and_pro_rating() {
        let example = Instrument::load(include_str!(
            "../../../docs/instruments/example-confidence-scale.json"
        ))
        .unwrap();
        assert!(!example.licence.redistribution_allowed);
        // Five questions 0–3; question 3 reversed; the total pro-rated from four answers.
        let scored = example
            .score(
                &answers(&[
                    ("c1", "often"),
                    ("c2", "often"),
                    ("c3", "never"),
                    ("c4", "often"),
                ]),
                Some("fathers"),
            )
            .unwrap();
        let total = scored.scores.iter().find(|s| s.id == "total").unwrap();
        // 3 + 3 + (3 - 0) + 3 = 12 from four of five questions: 12 × 5 / 4 = 15.
        assert_eq!(
            total.value,
            ScoreValue::Prorated {
                value: 15,
                answered: 4
            }
        );
        let care = scored.scores.iter().find(|s| s.id == "care").unwrap();
        assert_eq!(care.value, ScoreValue::Complete { value: 6 });
    }

    #[test]
    fn the_population_follows_the_person_is_required_and_a_mismatch_is_refused_with_why() {
        use crate::network::{AgeBand, RelationshipKind};
        let example = Instrument::load(include_str!(
            "../../../docs/instruments/example-confidence-scale.json"
        ))
        .unwrap();
        let father = Respondent {
            name: "Tunde Okafor",
            relationships: vec![RelationshipKind::Father],
            age: Some(AgeBand::Adult),
            sex: None,
        };
        let grandmother = Respondent {
            name: "Grace Adeyinka",
            relationships: vec![RelationshipKind::Grandparent],
            age: None,
            sex: None,
        };
        // Chosen for the clinician from the relationship: fathers for a father; for a
        // grandmother, the population that does not depend on the relationship.
        let code = |who: &Respondent| example.population_for(who).map(|p| p.code.clone());
        assert_eq!(code(&father).as_deref(), Some("fathers"));
        assert_eq!(code(&grandmother).as_deref(), Some("mothers"));
        // Required: left empty, it is refused, naming the group that fits.
        let empty = example.check_population("", &father).unwrap_err();
        assert!(
            empty.message.contains("Fathers and partners (invented)"),
            "{}",
            empty.message
        );
        assert_eq!(example.check_population("none", &father), Ok(None));
        assert_eq!(
            example.check_population("fathers", &father),
            Ok(Some("fathers".to_string()))
        );
        // A grandmother read against fathers' cut-offs: refused, saying why.
        let wrong = example
            .check_population("fathers", &grandmother)
            .unwrap_err();
        assert!(wrong.message.contains("is for father"), "{}", wrong.message);
        assert!(
            wrong.message.contains("recorded as grandparent"),
            "{}",
            wrong.message
        );
        assert!(example.check_population("elders", &father).is_err());
        // A woman who is the baby's other parent, recorded as a co-parent: the fathers'
        // population names co-parents but is for male respondents, so it is refused for her.
        let mother_too = Respondent {
            name: "Jo Okafor",
            relationships: vec![RelationshipKind::CoParent],
            age: Some(AgeBand::Adult),
            sex: Some(crate::network::Sex::Female),
        };
        let refused = example
            .check_population("fathers", &mother_too)
            .unwrap_err();
        assert!(
            refused.message.contains("is for male respondents"),
            "{}",
            refused.message
        );
        assert_eq!(
            example.population_for(&mother_too).map(|p| p.code.as_str()),
            Some("mothers")
        );
        // Too young for an adult population: refused, and nothing else fits.
        let phq9 = Instrument::load(include_str!("../instruments/phq-9.json")).unwrap();
        let young = Respondent {
            name: "Kai",
            relationships: vec![RelationshipKind::Father],
            age: Some(AgeBand::YoungPerson),
            sex: None,
        };
        let refused = phq9.check_population("adult", &young).unwrap_err();
        assert!(
            refused.message.contains("starts at 18"),
            "{}",
            refused.message
        );
        assert!(phq9.population_for(&young).is_none());
        // A definition naming an unknown relationship, or keeping "none" as a code, is refused.
        let faults = fault_of(|json| {
            json["populations"][0]["relationships"] = serde_json::json!(["uncle"]);
            json["populations"][0]["code"] = "none".into();
        });
        assert!(faults.iter().any(|f| f.contains("\"uncle\"")), "{faults:?}");
        assert!(faults.iter().any(|f| f.contains("kept for")), "{faults:?}");
    }

    fn fault_of(edit: impl Fn(&mut serde_json::Value)) -> Vec<String> {
        let mut json: serde_json::Value =
            serde_json::from_str(include_str!("../instruments/phq-9.json")).unwrap();
        edit(&mut json);
        Instrument::load(&json.to_string()).unwrap_err().0
    }

    #[test]
    fn a_definition_with_duplicate_link_ids_is_refused_naming_the_id() {
        let faults = fault_of(|json| {
            json["questionnaire"]["item"][2]["linkId"] = "phq9-1".into();
        });
        assert!(
            faults
                .iter()
                .any(|f| f == "two items share the linkId \"phq9-1\""),
            "{faults:?}"
        );
    }

    /// The PHQ-9 definition edited by `edit`, loaded.
    fn edited(edit: impl Fn(&mut serde_json::Value)) -> Instrument {
        let mut json: serde_json::Value =
            serde_json::from_str(include_str!("../instruments/phq-9.json")).unwrap();
        edit(&mut json);
        Instrument::load(&json.to_string()).unwrap()
    }

    /// Whether each of question nine's four answers, in the order the form lists them,
    /// raises the alert.
    fn alerts_by_answer(instrument: &Instrument) -> Vec<bool> {
        let codes: Vec<String> = instrument
            .question("phq9-9")
            .unwrap()
            .options
            .iter()
            .map(|o| o.code.clone())
            .collect();
        codes
            .iter()
            .map(|ninth| {
                let mut all: Vec<(&str, &str)> = Vec::new();
                let ids: Vec<String> = (1..=8).map(|n| format!("phq9-{n}")).collect();
                for id in &ids {
                    all.push((id.as_str(), "LA6568-5"));
                }
                all.push(("phq9-9", ninth.as_str()));
                let scored = instrument.score(&answers(&all), Some("adult")).unwrap();
                !scored.alerts.is_empty()
            })
            .collect()
    }

    #[test]
    fn an_alert_follows_the_scored_value_under_every_scoring_rule_the_format_allows() {
        // Plain sum: the options are worth 0, 1, 2, 3 as listed; any answer above 0 alerts.
        assert_eq!(alerts_by_answer(&phq9()), [false, true, true, true]);
        // Reversed, as an EPDS-shaped file does for "the thought of harming myself": the
        // first option listed ("Yes, quite often") scores highest, the last ("Never") 0.
        let reversed = edited(|json| {
            json["scores"][0]["reversed"] = serde_json::json!(["phq9-9"]);
        });
        assert_eq!(reversed.scored_value("phq9-9", 0), 3);
        assert_eq!(alerts_by_answer(&reversed), [true, true, true, false]);
        // Reversed in a subscale as well as the total: read the same way.
        let subscale = edited(|json| {
            json["scores"][0]["reversed"] = serde_json::json!(["phq9-9"]);
            let mut sub = json["scores"][0].clone();
            sub["id"] = "mood".into();
            sub["label"] = "Mood".into();
            sub["questions"] = serde_json::json!(["phq9-2", "phq9-9"]);
            json["scores"].as_array_mut().unwrap().push(sub);
            for population in json["populations"].as_array_mut().unwrap() {
                population["readings"]["mood"] =
                    serde_json::json!({"bands": [{"from": 0, "to": 6, "label": "Any"}]});
            }
        });
        assert_eq!(alerts_by_answer(&subscale), [true, true, true, false]);
        // Pro-rating changes totals, not what one answer counts as.
        let prorated = edited(|json| {
            json["scores"][0]["reversed"] = serde_json::json!(["phq9-9"]);
            json["scores"][0]["prorate_from"] = 7.into();
        });
        assert_eq!(alerts_by_answer(&prorated), [true, true, true, false]);
        // A higher threshold: only answers scoring above it.
        let above_one = edited(|json| {
            json["scores"][0]["reversed"] = serde_json::json!(["phq9-9"]);
            json["alerts"][0]["above"] = 1.into();
        });
        assert_eq!(alerts_by_answer(&above_one), [true, true, false, false]);
        // Reversed in one score and not another: refused, since the alert cannot tell.
        let faults = fault_of(|json| {
            let mut sub = json["scores"][0].clone();
            sub["id"] = "mood".into();
            sub["questions"] = serde_json::json!(["phq9-2", "phq9-9"]);
            json["scores"].as_array_mut().unwrap().push(sub);
            json["scores"][0]["reversed"] = serde_json::json!(["phq9-9"]);
        });
        assert!(
            faults
                .iter()
                .any(|f| f.contains("reversed in one score and not in another")),
            "{faults:?}"
        );
    }

    #[test]
    fn an_unanswered_alert_question_says_it_was_not_answered_in_the_questions_own_words() {
        let ids: Vec<String> = (1..=8).map(|n| format!("phq9-{n}")).collect();
        let all: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "LA6568-5")).collect();
        let scored = phq9().score(&answers(&all), Some("adult")).unwrap();
        let message = &scored.alerts[0].message;
        assert!(message.starts_with(
            "This question was not answered: “Thoughts that you would be better off dead"
        ));
        assert!(message.contains("Nothing was reported on it"));
        assert!(!message.contains("phq9-9") && !message.contains("were reported"));
    }

    #[test]
    fn the_forms_instruction_and_time_frame_are_kept() {
        assert_eq!(
            phq9().instructions,
            ["Over the last 2 weeks, how often have you been bothered by any of the following problems?"]
        );
    }

    #[test]
    fn a_definition_whose_scoring_rules_are_broken_is_refused_naming_each_fault() {
        let faults = fault_of(|json| {
            json["scores"][0]["questions"][0] = "phq9-99".into();
            json["scores"][0]["reversed"] = serde_json::json!(["phq9-42"]);
            json["populations"][0]["readings"]["total"]["bands"][1]["from"] = 6.into();
            json["alerts"][0]["above"] = 3.into();
        });
        let expected = [
            "sums question \"phq9-99\"",
            "reverses question \"phq9-42\"",
            "without gaps or overlaps",
            "which no answer reaches",
        ];
        for text in expected {
            assert!(
                faults.iter().any(|f| f.contains(text)),
                "{text}: {faults:?}"
            );
        }
    }

    #[test]
    fn a_definition_with_an_answer_code_twice_or_without_a_score_is_refused() {
        let faults = fault_of(|json| {
            json["questionnaire"]["item"][2]["answerOption"][1]["valueCoding"]["code"] =
                "LA6568-5".into();
            json["questionnaire"]["item"][3]["answerOption"][0]["valueCoding"]["extension"] =
                serde_json::json!([]);
        });
        assert!(
            faults
                .iter()
                .any(|f| f.contains("has the answer code \"LA6568-5\" twice")),
            "{faults:?}"
        );
        assert!(
            faults
                .iter()
                .any(|f| f.contains("no whole-number ordinalValue")),
            "{faults:?}"
        );
    }
}
