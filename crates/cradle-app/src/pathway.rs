//! The partner pathway: each family member's steps from being identified to follow-up.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::dates::today_uk;
use cradle_domain::pathway::{Pathway, PathwayStep, RecordedStep};
use cradle_domain::{AuditAction, PersonId, Problems};
use cradle_store::StoreError;

/// How many months the partner figures cover, this one included.
pub const FIGURE_MONTHS: u8 = 12;

impl Cradle {
    /// The partner pathway figures of the actor's teams by month, newest first, for team
    /// managers. Counting rules: `docs/reporting.md`. Viewing them is audited.
    pub async fn partner_figures(
        &self,
        actor: &Actor,
    ) -> Result<Vec<cradle_domain::pathway::MonthFigures>, AppError> {
        actor.require(cradle_domain::Permission::ManageTeamPractice)?;
        let today = today_uk();
        let mut since = today.replace_day(1).unwrap_or(today);
        for _ in 1..FIGURE_MONTHS {
            since = since
                .previous_day()
                .and_then(|d| d.replace_day(1).ok())
                .unwrap_or(since);
        }
        let mut steps = Vec::new();
        for team in &actor.teams {
            for (person, recorded) in self.store.pathway_steps_of_team(*team, since).await? {
                steps.push((*team, person, recorded.step));
            }
        }
        let mut entry = actor.audit(self.now(), AuditAction::ReportViewed, None);
        entry.detail = format!("partner pathway figures since {since}");
        self.store.append_audit(entry).await?;
        Ok(cradle_domain::pathway::month_figures(&steps))
    }

    /// Records a family member's next pathway step, checked against the steps before it and
    /// against any restriction on contacting them. Returns their pathway with the step.
    pub async fn record_pathway_step(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person: PersonId,
        step: PathwayStep,
    ) -> Result<Pathway, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access).await?;
        if !record.people.iter().any(|p| p.id == person) {
            return Err(AppError::NotFound);
        }
        let today = today_uk();
        let mut pathway = record.pathway_of(person);
        pathway
            .check(&step, record.involvement(person, today), today)
            .map_err(|problem| AppError::Invalid(Problems(vec![problem])))?;
        let now = self.now();
        let recorded = RecordedStep {
            step,
            recorded_by: staff,
            recorded_by_name: actor.display_name.clone(),
            recorded_at_millis: now,
        };
        let entry = access.audit_change(
            actor,
            now,
            AuditAction::PathwayStepRecorded,
            format!("{} for person {person}", recorded.step.code()),
        );
        self.store
            .record_pathway_step(
                access.family_id(),
                person,
                pathway.steps.len(),
                &recorded,
                entry,
            )
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => AppError::Conflict(
                    "Someone else has recorded a pathway step for this person since you opened the family, so nothing was saved. Reload the family to see it.".to_string(),
                ),
                other => AppError::Store(other),
            })?;
        pathway.steps.push(recorded);
        Ok(pathway)
    }
}
