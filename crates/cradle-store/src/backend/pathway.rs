//! The partner pathway, partner assessments and questionnaires, with the team's
//! questionnaire definitions and pathway roles ([`crate::PathwayStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::care_plans::{from_json, to_json};
use crate::rows::date_text;
use crate::*;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::interventions::PersonIntervention;
use cradle_domain::{FamilyId, StaffId, TeamId};
use uuid::Uuid;

impl SqlStore {
    /// A person's pathway step at `position`, inside the caller's transaction;
    /// `Conflict` if a step was recorded there first.
    pub(crate) async fn insert_pathway_step(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        person: cradle_domain::PersonId,
        position: usize,
        step: &cradle_domain::pathway::RecordedStep,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pathway_steps (id, family_id, person_id, position, step, on_date, record, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(family.0)
        .bind(person.0)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(step.step.code())
        .bind(date_text(Some(step.step.on())))
        .bind(to_json(step)?)
        .bind(step.recorded_at_millis)
        .bind(step.recorded_by.0)
        .execute(&mut **tx)
        .await
        .map_err(|e| crate::sql::conflict_or(e, "pathway step"))?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl PathwayStore for SqlStore {
    async fn record_pathway_steps(
        &self,
        family: FamilyId,
        person: cradle_domain::PersonId,
        position: usize,
        steps: &[cradle_domain::pathway::RecordedStep],
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for (offset, step) in steps.iter().enumerate() {
            Self::insert_pathway_step(&mut tx, family, person, position + offset, step).await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pathway_steps_of_team(
        &self,
        team: TeamId,
        since: time::Date,
    ) -> StoreResult<
        Vec<(
            cradle_domain::PersonId,
            cradle_domain::pathway::RecordedStep,
            Option<cradle_domain::person::EthnicCategory>,
        )>,
    > {
        let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
            "SELECT ps.person_id, ps.record, p.ethnicity FROM pathway_steps ps JOIN families f ON f.id = ps.family_id \
             LEFT JOIN people p ON p.id = ps.person_id \
             WHERE f.team_id = $1 AND ps.on_date >= $2 ORDER BY ps.on_date",
        )
        .bind(team.0)
        .bind(date_text(Some(since)))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(person, record, ethnicity)| {
                Ok((
                    cradle_domain::PersonId(person),
                    from_json(&record, "pathway step")?,
                    ethnicity
                        .as_deref()
                        .and_then(cradle_domain::person::EthnicCategory::from_code),
                ))
            })
            .collect()
    }

    async fn record_response(
        &self,
        family: FamilyId,
        response: &cradle_domain::questionnaires::QuestionnaireResponse,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO questionnaire_responses (id, family_id, person_id, questionnaire, completed_on, alert_open, record, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(response.id)
        .bind(family.0)
        .bind(response.person_id.0)
        .bind(&response.questionnaire)
        .bind(date_text(Some(response.completed_on)))
        .bind(i64::from(response.alert_needs_action()))
        .bind(to_json(response)?)
        .bind(response.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_alert_action(
        &self,
        family: FamilyId,
        response: &cradle_domain::questionnaires::QuestionnaireResponse,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE questionnaire_responses SET record = $1, alert_open = 0 WHERE id = $2 AND family_id = $3 AND alert_open = 1",
        )
        .bind(to_json(response)?)
        .bind(response.id)
        .bind(family.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict("alert action"));
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_partner_assessment(
        &self,
        family: FamilyId,
        position: usize,
        step: &cradle_domain::pathway::RecordedStep,
        assessment: &cradle_domain::partner_assessment::PartnerAssessment,
        offers: &[PersonIntervention],
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_pathway_step(&mut tx, family, assessment.person_id, position, step).await?;
        sqlx::query(
            "INSERT INTO partner_assessments (id, family_id, person_id, assessed_on, record, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(assessment.id)
        .bind(family.0)
        .bind(assessment.person_id.0)
        .bind(date_text(Some(assessment.assessed_on)))
        .bind(to_json(assessment)?)
        .bind(assessment.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        for offer in offers {
            Self::insert_intervention(&mut tx, family, offer, audit.at_millis, recorded_by).await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn team_definitions(
        &self,
        team: TeamId,
    ) -> StoreResult<Vec<cradle_domain::questionnaires::ImportedDefinition>> {
        let rows: Vec<(
            Uuid,
            String,
            String,
            String,
            String,
            String,
            i64,
            Option<i64>,
        )> = sqlx::query_as(
            "SELECT id, url, version, name, definition, imported_by_name, imported_at, retired_at \
             FROM team_instruments WHERE team_id = $1 ORDER BY imported_at, id",
        )
        .bind(team.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    url,
                    version,
                    name,
                    definition,
                    imported_by_name,
                    imported_at_millis,
                    retired_at_millis,
                )| {
                    cradle_domain::questionnaires::ImportedDefinition {
                        id,
                        team_id: team,
                        url,
                        version,
                        name,
                        definition,
                        imported_by_name,
                        imported_at_millis,
                        retired_at_millis,
                    }
                },
            )
            .collect())
    }

    async fn import_definition(
        &self,
        definition: &cradle_domain::questionnaires::ImportedDefinition,
        imported_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE team_instruments SET retired_at = $1 WHERE team_id = $2 AND url = $3 AND retired_at IS NULL",
        )
        .bind(definition.imported_at_millis)
        .bind(definition.team_id.0)
        .bind(&definition.url)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO team_instruments (id, team_id, url, version, name, definition, imported_at, imported_by, imported_by_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(definition.id)
        .bind(definition.team_id.0)
        .bind(&definition.url)
        .bind(&definition.version)
        .bind(&definition.name)
        .bind(&definition.definition)
        .bind(definition.imported_at_millis)
        .bind(imported_by.0)
        .bind(&definition.imported_by_name)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::sql::conflict_or(e, "questionnaire version"))?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn retire_definition(
        &self,
        team: TeamId,
        id: Uuid,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE team_instruments SET retired_at = $1 WHERE id = $2 AND team_id = $3 AND retired_at IS NULL",
        )
        .bind(at_millis)
        .bind(id)
        .bind(team.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pathway_roles(
        &self,
        team: TeamId,
    ) -> StoreResult<Vec<cradle_domain::network::RelationshipKind>> {
        let roles: Option<String> =
            sqlx::query_scalar("SELECT pathway_roles FROM teams WHERE id = $1")
                .bind(team.0)
                .fetch_optional(&self.pool)
                .await?;
        roles
            .map(|text| cradle_domain::pathway::roles_from_text(&text))
            .ok_or(StoreError::NotFound)
    }

    async fn set_pathway_roles(
        &self,
        team: TeamId,
        roles: &[cradle_domain::network::RelationshipKind],
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let change = sqlx::query("UPDATE teams SET pathway_roles = $1 WHERE id = $2")
            .bind(cradle_domain::pathway::roles_text(roles))
            .bind(team.0);
        self.change_team_setting(change, team, audit).await
    }
}
