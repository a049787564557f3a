//! Interventions: the team's catalogue (kept by the team manager) and each family member's
//! journey through one, step by step, with the sessions of a manualised series.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::interventions::{
    CatalogueEntry, CatalogueInput, OfferInput, PersonIntervention, SeriesInput, SeriesSession,
    Step, StepInput, StepRecord,
};
use cradle_domain::{AuditAction, Permission, SubjectKind, TeamId};
use cradle_store::care_plans::steps_of;
use cradle_store::Sections;
use cradle_store::StoreError;
use uuid::Uuid;

fn changed_first(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::Conflict(
            "Someone else has recorded a step of this intervention since you opened it, so nothing was saved. Reload the family to see it.".to_string(),
        ),
        StoreError::NotFound => AppError::NotFound,
        other => AppError::Store(other),
    }
}

impl Cradle {
    /// The team's catalogue: for its clinical staff (to offer from) and its manager.
    pub async fn catalogue(
        &self,
        actor: &Actor,
        team: TeamId,
    ) -> Result<Vec<CatalogueEntry>, AppError> {
        if !(actor.may(Permission::ReadClinicalRecords)
            || actor.may(Permission::ManageTeamPractice))
        {
            return Err(AppError::Forbidden(Permission::ReadClinicalRecords));
        }
        if !actor.teams.contains(&team) {
            return Err(AppError::NotInTeam);
        }
        Ok(self.store.catalogue(team).await?)
    }

    /// Adds an intervention to the team's catalogue (`entry` None) or changes one.
    pub async fn save_catalogue_entry(
        &self,
        actor: &Actor,
        team: TeamId,
        entry: Option<Uuid>,
        input: &CatalogueInput,
    ) -> Result<CatalogueEntry, AppError> {
        actor.require_in_team(Permission::ManageTeamPractice, team)?;
        let catalogue = self.store.catalogue(team).await?;
        if let Some(id) = entry {
            if !catalogue.iter().any(|e| e.id == id) {
                return Err(AppError::NotFound);
            }
        }
        let id = entry.unwrap_or_else(Uuid::now_v7);
        let saved = input.parse(id, &catalogue).map_err(AppError::Invalid)?;
        let mut audit = actor.audit(
            self.now(),
            AuditAction::CatalogueChanged,
            Some((SubjectKind::Team, team.0)),
        );
        audit.team_id = Some(team);
        audit.detail = format!(
            "{} {}{}",
            if entry.is_some() { "changed" } else { "added" },
            saved.name,
            if saved.retired { " (retired)" } else { "" }
        );
        self.store
            .save_catalogue_entry(team, &saved, audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::invalid(
                    "name",
                    "The team already has an intervention with this name",
                ),
                other => AppError::Store(other),
            })?;
        Ok(saved)
    }

    /// Offers an intervention from the family's team's catalogue to a family member.
    pub async fn offer_intervention(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &OfferInput,
    ) -> Result<PersonIntervention, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::CARE).await?;
        let catalogue = self.store.catalogue(record.family.team_id).await?;
        let parsed = input
            .parse(&catalogue, &record, self.today())
            .map_err(AppError::Invalid)?;
        let now = self.now();
        let intervention = PersonIntervention {
            id: Uuid::now_v7(),
            member: parsed.member,
            intervention: parsed.entry.id,
            name: parsed.entry.name.clone(),
            manualised: parsed.entry.manualised,
            series_sessions: parsed.entry.series_sessions,
            delivered_by: parsed.delivered_by,
            plan: parsed.plan,
            steps: vec![StepRecord {
                step: Step::Offered,
                on: parsed.offered_on,
                reason: None,
                recorded_by: actor.display_name.clone(),
                recorded_at_millis: now,
            }],
            series: Vec::new(),
        };
        let mut entry = access.audit(actor, now, AuditAction::InterventionOffered);
        entry.detail = format!("{} offered ({})", intervention.name, intervention.id);
        self.store
            .offer_intervention(access.family_id(), &intervention, staff, entry)
            .await?;
        Ok(intervention)
    }

    async fn intervention_for_change(
        &self,
        access: &FamilyAccess,
        id: Uuid,
    ) -> Result<PersonIntervention, AppError> {
        let record = self.record_for_change(access, Sections::CARE).await?;
        record
            .interventions
            .into_iter()
            .find(|i| i.id == id)
            .ok_or(AppError::NotFound)
    }

    /// Records what happened next: accepted, declined, started, completed or stopped.
    pub async fn record_intervention_step(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &StepInput,
    ) -> Result<PersonIntervention, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let current = self.intervention_for_change(access, id).await?;
        let (step, on, reason) = input
            .parse(&current, self.today())
            .map_err(AppError::Invalid)?;
        let previous = steps_of(&current);
        let mut changed = current;
        changed.steps.push(StepRecord {
            step,
            on,
            reason,
            recorded_by: actor.display_name.clone(),
            recorded_at_millis: self.now(),
        });
        let mut entry = access.audit(actor, self.now(), AuditAction::InterventionStepRecorded);
        entry.detail = format!("{} {} ({id})", changed.name, step.code());
        self.store
            .update_intervention(access.family_id(), &changed, previous, entry)
            .await
            .map_err(changed_first)?;
        Ok(changed)
    }

    /// Records a session of a manualised series: its number and theme.
    pub async fn record_series_session(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &SeriesInput,
    ) -> Result<PersonIntervention, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let current = self.intervention_for_change(access, id).await?;
        let themes = self
            .store
            .catalogue(access.team_id())
            .await?
            .into_iter()
            .find(|e| e.id == current.intervention)
            .map(|e| e.themes)
            .unwrap_or_default();
        let (number, theme, on) = input
            .parse(&current, &themes, self.today())
            .map_err(AppError::Invalid)?;
        let previous = steps_of(&current);
        let mut changed = current;
        let now = self.now();
        changed.add_series_session(
            SeriesSession {
                number,
                theme,
                on,
                recorded_by: actor.display_name.clone(),
            },
            now,
        );
        let mut entry = access.audit(actor, now, AuditAction::SeriesSessionRecorded);
        entry.detail = format!("{} session {number} ({id})", changed.name);
        self.store
            .update_intervention(access.family_id(), &changed, previous, entry)
            .await
            .map_err(changed_first)?;
        Ok(changed)
    }
}
