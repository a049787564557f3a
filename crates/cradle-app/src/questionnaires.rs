//! Questionnaires: the instruments Cradle scores, and the ones family members complete.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::questionnaires::{
    shipped, AlertAction, Answer, ImportedDefinition, Instrument, QuestionnaireResponse,
    MAX_DEFINITION_BYTES,
};
use cradle_domain::{AuditAction, Invalid, PersonId, Problems, SubjectKind, TeamId};
use cradle_store::Sections;
use cradle_store::StoreError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use time::Date;
use uuid::Uuid;

/// The instruments shipped with Cradle, checked and loaded once.
pub fn instruments() -> &'static [Arc<Instrument>] {
    static LOADED: OnceLock<Vec<Arc<Instrument>>> = OnceLock::new();
    LOADED.get_or_init(|| {
        shipped()
            .into_iter()
            .filter_map(|json| Instrument::load(json).ok().map(Arc::new))
            .collect()
    })
}

/// Imported definitions already loaded, by id. A definition is never changed once imported
/// (a change is a new version with a new id), so a loaded one is good for as long as the
/// server runs; retiring one changes only its row, read afresh each time.
#[derive(Clone, Default)]
pub(crate) struct LoadedDefinitions(Arc<Mutex<HashMap<Uuid, Arc<Instrument>>>>);

impl LoadedDefinitions {
    /// The definition loaded, or `None` if this Cradle cannot read it.
    fn load(&self, definition: &ImportedDefinition) -> Option<Arc<Instrument>> {
        let mut loaded = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(instrument) = loaded.get(&definition.id) {
            return Some(Arc::clone(instrument));
        }
        let instrument = Arc::new(Instrument::load(&definition.definition).ok()?);
        loaded.insert(definition.id, Arc::clone(&instrument));
        Some(instrument)
    }
}

/// One questionnaire a team can see: shipped with Cradle, or imported by the team.
#[derive(Debug, Clone)]
pub struct TeamInstrument {
    pub instrument: Arc<Instrument>,
    /// `None` for one shipped with Cradle.
    pub imported: Option<ImportedDefinition>,
}

impl TeamInstrument {
    /// Offered for new responses: every shipped one, and imports not retired.
    pub fn is_current(&self) -> bool {
        self.imported
            .as_ref()
            .is_none_or(|d| d.retired_at_millis.is_none())
    }
}

/// The questionnaires a team's staff can use and read responses against: the ones shipped
/// with Cradle, then the team's imports (retired ones kept, so old responses keep their
/// definition).
#[derive(Debug, Clone, Default)]
pub struct TeamInstruments {
    pub entries: Vec<TeamInstrument>,
}

impl TeamInstruments {
    /// Those offered for new responses.
    pub fn current(&self) -> impl Iterator<Item = &Instrument> {
        self.entries
            .iter()
            .filter(|e| e.is_current())
            .map(|e| &*e.instrument)
    }

    /// A current instrument by its short name ("PHQ-9").
    pub fn by_name(&self, name: &str) -> Option<&Instrument> {
        self.current()
            .find(|i| i.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The definition a response was scored with: that version of the questionnaire where it
    /// is kept, or else its current version.
    pub fn definition_of(&self, url: &str, version: &str) -> Option<&Instrument> {
        let of_url = || {
            self.entries
                .iter()
                .map(|e| &*e.instrument)
                .filter(|i| i.url == url)
        };
        of_url()
            .find(|i| i.version == version)
            .or_else(|| self.current().find(|i| i.url == url))
            .or_else(|| of_url().next_back())
    }
}

/// A completed questionnaire as typed or sent.
#[derive(Debug, Clone, Default)]
pub struct ResponseInput {
    pub instrument: String,
    /// One of the instrument's population codes, or "none" when none fits the person.
    pub population: String,
    pub completed_on: Option<Date>,
    pub answers: Vec<Answer>,
    pub interpreter: cradle_domain::interpreters::InterpreterInput,
}

fn one(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid(Problems(vec![Invalid::new(field, message)]))
}

impl Cradle {
    /// The questionnaires a team uses: Cradle's own and the team's imports.
    pub async fn team_instruments(&self, team: TeamId) -> Result<TeamInstruments, AppError> {
        let mut entries: Vec<TeamInstrument> = instruments()
            .iter()
            .map(|instrument| TeamInstrument {
                instrument: Arc::clone(instrument),
                imported: None,
            })
            .collect();
        for definition in self.store.team_definitions(team).await? {
            // Every import was checked when it came in; one a later Cradle reads differently
            // is left out rather than scored wrongly.
            if let Some(instrument) = self.definitions.load(&definition) {
                entries.push(TeamInstrument {
                    instrument,
                    imported: Some(definition),
                });
            }
        }
        Ok(TeamInstruments { entries })
    }

    /// The questionnaires of one of the manager's teams, for its settings.
    pub async fn questionnaires_of_team(
        &self,
        actor: &Actor,
        team: TeamId,
    ) -> Result<TeamInstruments, AppError> {
        self.require_team_practice(actor, team)?;
        self.team_instruments(team).await
    }

    /// Imports a service's own questionnaire definition file (for instruments Cradle may not
    /// ship, such as the EPDS) for one of the manager's teams. The file is checked in full
    /// and every fault named; a questionnaire shipped with Cradle, or one whose short name
    /// another of the team's questionnaires has, is refused; a new version of one already
    /// imported replaces it for new responses.
    pub async fn import_questionnaire(
        &self,
        actor: &Actor,
        team: TeamId,
        definition: &str,
    ) -> Result<ImportedDefinition, AppError> {
        self.require_team_practice(actor, team)?;
        let staff = actor.id.ok_or(AppError::Forbidden(
            cradle_domain::Permission::ManageTeamPractice,
        ))?;
        if definition.trim().is_empty() {
            return Err(one(
                "definition",
                "Paste the contents of the definition file",
            ));
        }
        if definition.len() > MAX_DEFINITION_BYTES {
            return Err(one(
                "definition",
                "The definition file must be 128 KB or smaller",
            ));
        }
        let instrument = Instrument::load(definition).map_err(|faults| {
            AppError::Invalid(Problems(
                faults
                    .0
                    .into_iter()
                    .map(|fault| {
                        Invalid::new(
                            "definition",
                            format!("The definition cannot be used: {fault}"),
                        )
                    })
                    .collect(),
            ))
        })?;
        let known = self.team_instruments(team).await?;
        for entry in &known.entries {
            let same_url = entry.instrument.url == instrument.url;
            let same_name = entry.instrument.name.eq_ignore_ascii_case(&instrument.name);
            if entry.imported.is_none() && (same_url || same_name) {
                return Err(one(
                    "definition",
                    format!(
                        "{} is shipped with Cradle, so there is no need to import it",
                        entry.instrument.name
                    ),
                ));
            }
            if same_name && !same_url && entry.is_current() {
                return Err(one(
                    "definition",
                    format!(
                        "The team already has a questionnaire called {} from another source ({}). Stop offering it first, or give this one another name.",
                        entry.instrument.name, entry.instrument.url
                    ),
                ));
            }
        }
        let now = self.now();
        let imported = ImportedDefinition {
            id: Uuid::now_v7(),
            team_id: team,
            url: instrument.url.clone(),
            version: instrument.version.clone(),
            name: instrument.name.clone(),
            definition: definition.to_string(),
            imported_by_name: actor.display_name.clone(),
            imported_at_millis: now,
            retired_at_millis: None,
        };
        let mut entry = actor.audit(
            now,
            AuditAction::QuestionnaireImported,
            Some((SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        entry.detail = format!(
            "{} version {} ({})",
            imported.name, imported.version, imported.url
        );
        self.store
            .import_definition(&imported, staff, entry)
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => one(
                    "definition",
                    format!(
                        "Version {} of {} is already imported. Change the version in the file to import a changed definition.",
                        imported.version, imported.name
                    ),
                ),
                other => AppError::Store(other),
            })?;
        Ok(imported)
    }

    /// Stops offering one of the team's imported questionnaires for new responses; those
    /// already recorded keep it.
    pub async fn retire_questionnaire(
        &self,
        actor: &Actor,
        team: TeamId,
        id: Uuid,
    ) -> Result<(), AppError> {
        self.require_team_practice(actor, team)?;
        let mut entry = actor.audit(
            self.now(),
            AuditAction::QuestionnaireRetired,
            Some((SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        entry.detail = format!("imported definition {id}");
        self.store
            .retire_definition(team, id, entry.at_millis, entry)
            .await?;
        Ok(())
    }

    /// Scores and records a questionnaire a family member completed. Nobody marked do not
    /// contact or do not involve is assessed; answers the instrument does not have are
    /// refused by name; an incomplete form is kept without a score unless the instrument
    /// allows pro-rating; a score for a population the instrument is not validated for
    /// carries a warning.
    pub async fn record_questionnaire(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person: PersonId,
        input: &ResponseInput,
    ) -> Result<QuestionnaireResponse, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        if !record.people.iter().any(|p| p.id == person) {
            return Err(AppError::NotFound);
        }
        let today = self.today();
        if !record.involvement(person).may_contact {
            return Err(one(
                "person",
                "This person is marked do not contact or do not involve, so no assessment is made with them",
            ));
        }
        if record.is_child(person, today) {
            return Err(one(
                "person",
                "Cradle does not offer questionnaires written for adults to a child: this person is recorded as under 16, or as the baby's brother or sister with no age recorded",
            ));
        }
        let instruments = self.team_instruments(record.family.team_id).await?;
        let Some(instrument) = instruments.by_name(&input.instrument) else {
            return Err(one(
                "instrument",
                "Select one of the questionnaires your team uses",
            ));
        };
        let age = record.person(person).and_then(|p| p.age_band_on(today));
        if !instrument.meant_for(age) {
            return Err(one(
                "instrument",
                format!(
                    "{} is meant for {}; this person is {}",
                    instrument.name,
                    instrument
                        .populations
                        .iter()
                        .map(|p| p.label.to_lowercase())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    age.map(|a| a.label().to_lowercase()).unwrap_or_default()
                ),
            ));
        }
        let mut problems = Problems::default();
        let completed_on = match input.completed_on {
            None => {
                problems.push(Invalid::new(
                    "completed_on",
                    "Enter the date it was completed",
                ));
                None
            }
            Some(day) if day > today => {
                problems.push(Invalid::new(
                    "completed_on",
                    "The date it was completed must be today or in the past",
                ));
                None
            }
            Some(day) => Some(day),
        };
        let who = record.respondent(person, today).ok_or(AppError::NotFound)?;
        let population = problems
            .take(instrument.check_population(&input.population, &who))
            .flatten();
        let interpreter = match input
            .interpreter
            .parse_for(&record, &[cradle_domain::entries::Member::Person(person)])
        {
            Ok(used) => used,
            Err(found) => {
                problems.0.extend(found.0);
                None
            }
        };
        let given: Vec<(String, String)> = input
            .answers
            .iter()
            .map(|a| (a.question.clone(), a.code.clone()))
            .collect();
        // Nothing answered is no questionnaire completed: saved, it would read as a score of
        // nothing and raise every alert its questions carry.
        let scored = match instrument.score(&given, population.as_deref()) {
            Ok(_) if given.is_empty() => {
                problems.push(Invalid::new(
                    "answers",
                    "Answer at least one question: a questionnaire with no answers is not recorded",
                ));
                None
            }
            Ok(scored) => Some(scored),
            Err(faults) => {
                problems.push(Invalid::new("answers", faults.0.join("; ")));
                None
            }
        };
        let (Some(completed_on), Some(scored), true) = (completed_on, scored, problems.is_empty())
        else {
            return Err(AppError::Invalid(problems));
        };
        let now = self.now();
        let response = QuestionnaireResponse {
            id: Uuid::now_v7(),
            person_id: person,
            questionnaire: instrument.url.clone(),
            questionnaire_version: instrument.version.clone(),
            instrument_name: instrument.name.clone(),
            completed_on,
            population,
            answers: input.answers.clone(),
            scored,
            interpreter,
            recorded_by_name: actor.display_name.clone(),
            recorded_at_millis: now,
            alert_action: None,
        };
        let entry = access.audit_change(
            actor,
            now,
            AuditAction::QuestionnaireRecorded,
            format!(
                "{} for person {person}{}",
                response.instrument_name,
                if response.alert_needs_action() {
                    ", safety alert raised"
                } else {
                    ""
                }
            ),
        );
        self.store
            .record_response(access.family_id(), &response, staff, entry)
            .await?;
        Ok(response)
    }

    /// Records what was done about a response's safety alert; the alert stays on the family
    /// page until this is recorded.
    pub async fn act_on_alert(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        response: Uuid,
        action: &str,
    ) -> Result<QuestionnaireResponse, AppError> {
        actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::PATHWAY).await?;
        let Some(mut found) = record.responses.into_iter().find(|r| r.id == response) else {
            return Err(AppError::NotFound);
        };
        if !found.alert_needs_action() {
            return Err(AppError::Conflict(
                "No safety alert on this questionnaire is waiting for action".to_string(),
            ));
        }
        let action = action.trim();
        if action.is_empty() {
            return Err(one(
                "action",
                "Enter what was done about the alert: the risk assessment and its outcome",
            ));
        }
        if action.chars().count() > 2_000 {
            return Err(one(
                "action",
                "What was done must be 2,000 characters or fewer",
            ));
        }
        let now = self.now();
        found.alert_action = Some(AlertAction {
            action: action.to_string(),
            by_name: actor.display_name.clone(),
            at_millis: now,
        });
        let entry = access.audit_change(
            actor,
            now,
            AuditAction::QuestionnaireAlertActioned,
            format!("{} ({})", found.instrument_name, found.id),
        );
        self.store
            .record_alert_action(access.family_id(), &found, entry)
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => AppError::Conflict(
                    "Someone else recorded the action on this alert first. Reload the family to see it.".to_string(),
                ),
                other => AppError::Store(other),
            })?;
        Ok(found)
    }
}
