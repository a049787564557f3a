//! Questionnaires: the instruments Cradle scores, and the ones family members complete.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::dates::today_uk;
use cradle_domain::questionnaires::{
    shipped, AlertAction, Answer, Instrument, QuestionnaireResponse,
};
use cradle_domain::{AuditAction, Invalid, PersonId, Problems};
use cradle_store::StoreError;
use std::sync::OnceLock;
use time::Date;
use uuid::Uuid;

/// The instruments shipped with Cradle, checked and loaded once.
pub fn instruments() -> &'static [Instrument] {
    static LOADED: OnceLock<Vec<Instrument>> = OnceLock::new();
    LOADED.get_or_init(|| {
        shipped()
            .into_iter()
            .filter_map(|json| Instrument::load(json).ok())
            .collect()
    })
}

/// An instrument by its short name ("PHQ-9").
pub fn instrument(name: &str) -> Option<&'static Instrument> {
    instruments()
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(name.trim()))
}

/// A completed questionnaire as typed or sent.
#[derive(Debug, Clone, Default)]
pub struct ResponseInput {
    pub instrument: String,
    /// One of the instrument's population codes, or empty when none applies.
    pub population: String,
    pub completed_on: Option<Date>,
    pub answers: Vec<Answer>,
}

fn one(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid(Problems(vec![Invalid::new(field, message)]))
}

impl Cradle {
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
        let record = self.record_for_change(access).await?;
        if !record.people.iter().any(|p| p.id == person) {
            return Err(AppError::NotFound);
        }
        let today = today_uk();
        if !record.involvement(person, today).may_contact {
            return Err(one(
                "person",
                "This person is marked do not contact or do not involve, so no assessment is made with them",
            ));
        }
        let Some(instrument) = instrument(&input.instrument) else {
            return Err(one("instrument", "Select a questionnaire Cradle has"));
        };
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
        let population = match input.population.trim() {
            "" => None,
            code if instrument.populations.iter().any(|p| p.code == code) => Some(code.to_string()),
            _ => {
                problems.push(Invalid::new(
                    "population",
                    format!(
                        "Select one of the groups {} is validated for, or none of them",
                        instrument.name
                    ),
                ));
                None
            }
        };
        let given: Vec<(String, String)> = input
            .answers
            .iter()
            .map(|a| (a.question.clone(), a.code.clone()))
            .collect();
        let scored = match instrument.score(&given, population.as_deref()) {
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
        let record = self.record_for_change(access).await?;
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
