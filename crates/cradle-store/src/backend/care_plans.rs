//! Care plans (goals, sessions, reviews), the team's interventions catalogue and each
//! person's interventions ([`crate::CarePlanStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::care_plans::{assemble_care, from_json, steps_of, to_json};
use crate::rows::date_text;
use crate::*;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::care_plans::{CarePlan, CareSession, Goal, Review};
use cradle_domain::interventions::{CatalogueEntry, PersonIntervention};
use cradle_domain::network::FamilyRecord;
use cradle_domain::{FamilyId, StaffId, TeamId};
use uuid::Uuid;

/// The parts of the care section, each row with its part's number, the plan (or other
/// record) it belongs to, the record, and the day and time it is ordered by.
const CARE_PARTS: [&str; 8] = [
    "SELECT CAST(0 AS BIGINT) AS part, id AS plan_id, record, '' AS day, created_at AS at FROM care_plans WHERE family_id = $1",
    "SELECT CAST(1 AS BIGINT) AS part, plan_id, record, '' AS day, recorded_at AS at FROM care_goals WHERE family_id = $1",
    "SELECT CAST(2 AS BIGINT) AS part, plan_id, record, held_on AS day, recorded_at AS at FROM care_sessions WHERE family_id = $1",
    "SELECT CAST(3 AS BIGINT) AS part, plan_id, record, reviewed_on AS day, recorded_at AS at FROM care_reviews WHERE family_id = $1",
    "SELECT CAST(4 AS BIGINT) AS part, id AS plan_id, record, '' AS day, recorded_at AS at FROM care_interventions WHERE family_id = $1",
    "SELECT CAST(5 AS BIGINT) AS part, group_id AS plan_id, record, '' AS day, enrolled_at AS at FROM group_enrolments WHERE family_id = $1",
    "SELECT CAST(6 AS BIGINT) AS part, id AS plan_id, record, '' AS day, created_at AS at FROM care_groups \
     WHERE id IN (SELECT group_id FROM group_enrolments WHERE family_id = $1)",
    "SELECT CAST(7 AS BIGINT) AS part, group_id AS plan_id, record, '' AS day, recorded_at AS at FROM group_attendance WHERE family_id = $1",
];

/// The parts of the pathway section, in the same shape (a pathway step's "plan" is its person).
const PATHWAY_PARTS: [&str; 3] = [
    "SELECT CAST(8 AS BIGINT) AS part, person_id AS plan_id, record, '' AS day, position AS at FROM pathway_steps WHERE family_id = $1",
    "SELECT CAST(9 AS BIGINT) AS part, id AS plan_id, record, completed_on AS day, recorded_at AS at FROM questionnaire_responses WHERE family_id = $1",
    "SELECT CAST(10 AS BIGINT) AS part, id AS plan_id, record, assessed_on AS day, recorded_at AS at FROM partner_assessments WHERE family_id = $1",
];

impl SqlStore {
    /// The care section (plans with their goals, sessions and reviews; interventions; group
    /// enrolments) and the pathway section (pathway steps, questionnaire responses, partner
    /// assessments), those of them `sections` asks for, inside the caller's read transaction.
    /// Not audited here: callers audit the read.
    pub(crate) async fn load_care(
        tx: &mut sqlx::Transaction<'static, Db>,
        sections: Sections,
        record: &mut FamilyRecord,
    ) -> StoreResult<()> {
        // One statement brings every part asked for, each row tagged with its part.
        let mut parts: Vec<&str> = Vec::new();
        if sections.care {
            parts.extend(CARE_PARTS);
        }
        if sections.pathway {
            parts.extend(PATHWAY_PARTS);
        }
        if parts.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, Uuid, String)> = sqlx::query_as(&format!(
            "SELECT part, plan_id, record FROM ({}) AS care ORDER BY part, day, at",
            parts.join(" UNION ALL ")
        ))
        .bind(record.family.id.0)
        .fetch_all(&mut **tx)
        .await?;
        let care = assemble_care(rows)?;
        record.plans = care.plans;
        record.interventions = care.interventions;
        record.groups = care.groups;
        record.pathways = care.pathways;
        record.responses = care.responses;
        record.partner_assessments = care.partner_assessments;
        Ok(())
    }

    /// An intervention offered to a family member, inside the caller's transaction.
    pub(crate) async fn insert_intervention(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        intervention: &PersonIntervention,
        at_millis: i64,
        recorded_by: StaffId,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO care_interventions (id, family_id, record, steps, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(intervention.id)
        .bind(family.0)
        .bind(to_json(intervention)?)
        .bind(steps_of(intervention))
        .bind(at_millis)
        .bind(recorded_by.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Gives a team the seeded catalogue, inside the caller's transaction.
    pub(crate) async fn seed_catalogue(
        tx: &mut sqlx::Transaction<'static, Db>,
        team: TeamId,
        at_millis: i64,
    ) -> StoreResult<()> {
        for entry in CatalogueEntry::seeded() {
            sqlx::query(
                "INSERT INTO intervention_catalogue (id, team_id, name_lower, record, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(entry.id)
            .bind(team.0)
            .bind(entry.name.to_lowercase())
            .bind(to_json(&entry)?)
            .bind(at_millis)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Seeds the catalogue of every team that has none (teams made before catalogues).
    pub(crate) async fn seed_missing_catalogues(&self) -> StoreResult<()> {
        let teams: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM teams WHERE id NOT IN (SELECT team_id FROM intervention_catalogue)",
        )
        .fetch_all(self.writer())
        .await?;
        if teams.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let now = cradle_domain::dates::now_millis();
        for team in teams {
            Self::seed_catalogue(&mut tx, TeamId(team), now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A whole plan (its goals, sessions and reviews too) inside the caller's
    /// transaction, with the caseload's counts brought up to date. Each plan's
    /// sessions go in one statement.
    pub(crate) async fn insert_care_plan(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        plan: &CarePlan,
        created_by: StaffId,
    ) -> StoreResult<()> {
        let bare = CarePlan {
            goals: Vec::new(),
            sessions: Vec::new(),
            reviews: Vec::new(),
            ..plan.clone()
        };
        sqlx::query(
            "INSERT INTO care_plans (id, family_id, record, created_at, created_by, closed_on, closed_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan.id)
        .bind(family.0)
        .bind(to_json(&bare)?)
        .bind(plan.created_at_millis)
        .bind(created_by.0)
        .bind(date_text(plan.closure.as_ref().map(|c| c.closed_on)))
        .bind(plan.closure.as_ref().map(|_| created_by.0))
        .execute(&mut **tx)
        .await?;
        for goal in &plan.goals {
            sqlx::query(
                "INSERT INTO care_goals (id, plan_id, family_id, record, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(goal.id)
            .bind(plan.id)
            .bind(family.0)
            .bind(to_json(goal)?)
            .bind(goal.recorded_at_millis)
            .bind(created_by.0)
            .execute(&mut **tx)
            .await?;
        }
        for chunk in plan.sessions.chunks(50) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 9;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5,
                        n + 6,
                        n + 7,
                        n + 8,
                        n + 9
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO care_sessions (id, plan_id, family_id, held_on, attendance, next_contact, record, recorded_at, recorded_by) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for session in chunk {
                query = query
                    .bind(session.id)
                    .bind(plan.id)
                    .bind(family.0)
                    .bind(date_text(Some(session.held_on)))
                    .bind(session.attendance.code())
                    .bind(date_text(session.next_contact))
                    .bind(to_json(session)?)
                    .bind(session.recorded_at_millis)
                    .bind(created_by.0);
            }
            query.execute(&mut **tx).await?;
        }
        for review in &plan.reviews {
            sqlx::query(
                "INSERT INTO care_reviews (id, plan_id, family_id, reviewed_on, record, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(review.id)
            .bind(plan.id)
            .bind(family.0)
            .bind(date_text(Some(review.reviewed_on)))
            .bind(to_json(review)?)
            .bind(review.recorded_at_millis)
            .bind(created_by.0)
            .execute(&mut **tx)
            .await?;
        }
        Self::recount(tx, family, plan.id).await
    }

    pub(crate) async fn require_open_plan(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        plan: Uuid,
    ) -> StoreResult<()> {
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM care_plans WHERE id = $1 AND family_id = $2 AND closed_on IS NULL",
        )
        .bind(plan)
        .bind(family.0)
        .fetch_one(&mut **tx)
        .await?;
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Recounts what the caseload shows for the plan and its family, by the rule
    /// `CarePlan::attended_since_review` and `CarePlan::next_contact` follow.
    pub(crate) async fn recount(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        plan: Uuid,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE care_plans SET \
               attended_since_review = (SELECT COUNT(*) FROM care_sessions s WHERE s.plan_id = care_plans.id \
                 AND s.attendance = 'attended' \
                 AND s.held_on > COALESCE((SELECT MAX(r.reviewed_on) FROM care_reviews r WHERE r.plan_id = care_plans.id), '')), \
               next_contact = (SELECT s.next_contact FROM care_sessions s WHERE s.plan_id = care_plans.id \
                 ORDER BY s.held_on DESC, s.recorded_at DESC LIMIT 1) \
             WHERE id = $1",
        )
        .bind(plan)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE families SET \
               open_plans = (SELECT COUNT(*) FROM care_plans WHERE family_id = $1 AND closed_on IS NULL), \
               review_sessions = COALESCE((SELECT MAX(attended_since_review) FROM care_plans WHERE family_id = $1 AND closed_on IS NULL), 0), \
               next_contact_on = (SELECT MIN(next_contact) FROM care_plans WHERE family_id = $1 AND closed_on IS NULL), \
               last_plan_closed_on = (SELECT MAX(closed_on) FROM care_plans WHERE family_id = $1) \
             WHERE id = $1",
        )
        .bind(family.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl CarePlanStore for SqlStore {
    async fn catalogue(&self, team: TeamId) -> StoreResult<Vec<CatalogueEntry>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT record FROM intervention_catalogue WHERE team_id = $1 ORDER BY name_lower",
        )
        .bind(team.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| from_json(r, "catalogue entry"))
            .collect()
    }

    async fn save_catalogue_entry(
        &self,
        team: TeamId,
        entry: &CatalogueEntry,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE intervention_catalogue SET name_lower = $1, record = $2 WHERE id = $3 AND team_id = $4",
        )
        .bind(entry.name.to_lowercase())
        .bind(to_json(entry)?)
        .bind(entry.id)
        .bind(team.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::sql::conflict_or(e, "An intervention with this name"))?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO intervention_catalogue (id, team_id, name_lower, record, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(entry.id)
            .bind(team.0)
            .bind(entry.name.to_lowercase())
            .bind(to_json(entry)?)
            .bind(audit.at_millis)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::sql::conflict_or(e, "An intervention with this name"))?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn offer_intervention(
        &self,
        family: FamilyId,
        intervention: &PersonIntervention,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_intervention(&mut tx, family, intervention, audit.at_millis, recorded_by)
            .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_intervention(
        &self,
        family: FamilyId,
        intervention: &PersonIntervention,
        previous_steps: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE care_interventions SET record = $1, steps = $2 WHERE id = $3 AND family_id = $4 AND steps = $5",
        )
        .bind(to_json(intervention)?)
        .bind(steps_of(intervention))
        .bind(intervention.id)
        .bind(family.0)
        .bind(previous_steps)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            let exists: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM care_interventions WHERE id = $1 AND family_id = $2",
            )
            .bind(intervention.id)
            .bind(family.0)
            .fetch_one(&mut *tx)
            .await?;
            return Err(if exists == 0 {
                StoreError::NotFound
            } else {
                StoreError::Conflict("This intervention")
            });
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_plan(
        &self,
        family: FamilyId,
        plan: &CarePlan,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_care_plan(&mut tx, family, plan, created_by).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_goal(
        &self,
        family: FamilyId,
        plan: Uuid,
        goal: &Goal,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::require_open_plan(&mut tx, family, plan).await?;
        sqlx::query(
            "INSERT INTO care_goals (id, plan_id, family_id, record, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(goal.id)
        .bind(plan)
        .bind(family.0)
        .bind(to_json(goal)?)
        .bind(goal.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_session(
        &self,
        family: FamilyId,
        plan: Uuid,
        session: &CareSession,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::require_open_plan(&mut tx, family, plan).await?;
        sqlx::query(
            "INSERT INTO care_sessions (id, plan_id, family_id, held_on, attendance, next_contact, record, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(session.id)
        .bind(plan)
        .bind(family.0)
        .bind(date_text(Some(session.held_on)))
        .bind(session.attendance.code())
        .bind(date_text(session.next_contact))
        .bind(to_json(session)?)
        .bind(session.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        Self::recount(&mut tx, family, plan).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_review(
        &self,
        family: FamilyId,
        plan: Uuid,
        review: &Review,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::require_open_plan(&mut tx, family, plan).await?;
        sqlx::query(
            "INSERT INTO care_reviews (id, plan_id, family_id, reviewed_on, record, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(review.id)
        .bind(plan)
        .bind(family.0)
        .bind(date_text(Some(review.reviewed_on)))
        .bind(to_json(review)?)
        .bind(review.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        Self::recount(&mut tx, family, plan).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn close_plan(
        &self,
        family: FamilyId,
        plan: &CarePlan,
        closed_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let Some(closure) = &plan.closure else {
            return Err(StoreError::NotFound);
        };
        let bare = CarePlan {
            goals: Vec::new(),
            sessions: Vec::new(),
            reviews: Vec::new(),
            ..plan.clone()
        };
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE care_plans SET record = $1, closed_on = $2, closed_by = $3 \
             WHERE id = $4 AND family_id = $5 AND closed_on IS NULL",
        )
        .bind(to_json(&bare)?)
        .bind(date_text(Some(closure.closed_on)))
        .bind(closed_by.0)
        .bind(plan.id)
        .bind(family.0)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::recount(&mut tx, family, plan.id).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sessions_before_review(&self, team: TeamId) -> StoreResult<u32> {
        let sessions: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(sessions_before_review AS BIGINT) FROM teams WHERE id = $1",
        )
        .bind(team.0)
        .fetch_optional(&self.pool)
        .await?;
        sessions
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(StoreError::NotFound)
    }

    async fn set_sessions_before_review(
        &self,
        team: TeamId,
        sessions: u32,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let change = sqlx::query("UPDATE teams SET sessions_before_review = $1 WHERE id = $2")
            .bind(i64::from(sessions))
            .bind(team.0);
        self.change_team_setting(change, team, audit).await
    }
}
