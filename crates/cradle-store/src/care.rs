//! Storage of care plans: plans, goals, sessions and reviews. Each row holds the columns the
//! database searches and counts by, and the record itself as JSON. What the caseload shows as
//! the next thing due (open plans, attended sessions since the last review, the next planned
//! contact) is recounted on the family's row in the same transaction as every change that
//! moves it, so the caseload never has to look at the sessions. Like `sql.rs`, written once
//! for both databases.

use crate::{AuditEntry, StoreError, StoreResult};
use async_trait::async_trait;
use cradle_domain::care_plans::{CarePlan, CareSession, Goal, Review};
use cradle_domain::groups::{AttendanceMark, Enrolment, Group, GroupMembership, GroupRegister};
use cradle_domain::interventions::{CatalogueEntry, PersonIntervention};
use cradle_domain::partner_assessment::PartnerAssessment;
use cradle_domain::pathway::{PersonPathway, RecordedStep};
use cradle_domain::questionnaires::{ImportedDefinition, QuestionnaireResponse};
use cradle_domain::{FamilyId, PersonId, StaffId, TeamId};
use uuid::Uuid;

/// A family's care plans and interventions, with the team's number of sessions between
/// reviews, as one read brings them.
pub(crate) struct CareRecords {
    pub plans: Vec<CarePlan>,
    pub interventions: Vec<PersonIntervention>,
    pub groups: Vec<GroupMembership>,
    pub sessions_before_review: u32,
    pub pathways: Vec<PersonPathway>,
    pub responses: Vec<QuestionnaireResponse>,
    pub pathway_roles: Vec<cradle_domain::network::RelationshipKind>,
    pub partner_assessments: Vec<PartnerAssessment>,
}

#[async_trait]
pub trait CareStore: Send + Sync {
    /// A new plan (without goals, sessions or reviews yet).
    async fn create_plan(
        &self,
        family: FamilyId,
        plan: &CarePlan,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// `NotFound` unless `plan` is an open plan of the family.
    async fn add_goal(
        &self,
        family: FamilyId,
        plan: Uuid,
        goal: &Goal,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// `NotFound` unless `plan` is an open plan of the family.
    async fn record_session(
        &self,
        family: FamilyId,
        plan: Uuid,
        session: &CareSession,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// `NotFound` unless `plan` is an open plan of the family.
    async fn record_review(
        &self,
        family: FamilyId,
        plan: Uuid,
        review: &Review,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Ends a plan (`plan.closure` set); `NotFound` unless it is an open plan of the family.
    async fn close_plan(
        &self,
        family: FamilyId,
        plan: &CarePlan,
        closed_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records a family member's next partner pathway steps (one, or an offer with the answer
    /// given there and then), all or nothing. `position` is how many steps they had when the
    /// steps were checked: `Conflict` if another step was recorded from the same point
    /// meanwhile, so neither is lost unseen.
    async fn record_pathway_steps(
        &self,
        family: FamilyId,
        person: PersonId,
        position: usize,
        steps: &[RecordedStep],
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Every pathway step of a team's families dated on or after `since`, with whose it is and
    /// their ethnicity as recorded: what the service figures count. Not audited here: the
    /// caller audits the report.
    async fn pathway_steps_of_team(
        &self,
        team: TeamId,
        since: time::Date,
    ) -> StoreResult<
        Vec<(
            PersonId,
            RecordedStep,
            Option<cradle_domain::person::EthnicCategory>,
        )>,
    >;
    /// Records a completed questionnaire with its scores and alerts.
    async fn record_response(
        &self,
        family: FamilyId,
        response: &QuestionnaireResponse,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records what was done about a response's safety alert (`response.alert_action` set).
    /// `NotFound` unless the response is the family's; `Conflict` if an action was recorded
    /// first.
    async fn record_alert_action(
        &self,
        family: FamilyId,
        response: &QuestionnaireResponse,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records a family member's assessment with the pathway's "assessed" step (at
    /// `position`, as [`CareStore::record_pathway_steps`]) and the partner package's
    /// interventions offered from it, all or nothing.
    #[allow(clippy::too_many_arguments)]
    async fn record_partner_assessment(
        &self,
        family: FamilyId,
        position: usize,
        step: &RecordedStep,
        assessment: &PartnerAssessment,
        offers: &[PersonIntervention],
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// The questionnaire definitions the team imported, current and retired, oldest first.
    async fn team_definitions(&self, team: TeamId) -> StoreResult<Vec<ImportedDefinition>>;
    /// Keeps an imported definition and retires the team's other versions of the same
    /// questionnaire. `Conflict` if the team already has this version.
    async fn import_definition(
        &self,
        definition: &ImportedDefinition,
        imported_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Stops offering an imported definition. `NotFound` unless it is the team's and current.
    async fn retire_definition(
        &self,
        team: TeamId,
        id: Uuid,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Which family members beyond partners, fathers and co-parents the team offers the
    /// partner pathway to.
    async fn pathway_roles(
        &self,
        team: TeamId,
    ) -> StoreResult<Vec<cradle_domain::network::RelationshipKind>>;
    /// Changes that choice; every family of the team counts it as a change.
    async fn set_pathway_roles(
        &self,
        team: TeamId,
        roles: &[cradle_domain::network::RelationshipKind],
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// The team's number of attended sessions between reviews.
    async fn sessions_before_review(&self, team: TeamId) -> StoreResult<u32>;
    /// Changes that number; every family of the team counts it as a change, so no copy of
    /// their records or caseload rows outlives it.
    async fn set_sessions_before_review(
        &self,
        team: TeamId,
        sessions: u32,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// The team's interventions catalogue, in name order (retired ones included).
    async fn catalogue(&self, team: TeamId) -> StoreResult<Vec<CatalogueEntry>>;
    /// Adds or replaces a catalogue entry; `Conflict` if the team has another of that name.
    async fn save_catalogue_entry(
        &self,
        team: TeamId,
        entry: &CatalogueEntry,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records an intervention offered to a family member.
    async fn offer_intervention(
        &self,
        family: FamilyId,
        intervention: &PersonIntervention,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a family member's intervention after a step or a series session. `Conflict`
    /// if it has changed since `previous_steps` (steps and series sessions) were read.
    async fn update_intervention(
        &self,
        family: FamilyId,
        intervention: &PersonIntervention,
        previous_steps: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn create_group(
        &self,
        group: &Group,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a group's details and sessions; `Conflict` if its sessions changed since
    /// `previous_sessions` were read.
    async fn update_group(
        &self,
        group: &Group,
        previous_sessions: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// The groups the teams run, newest first (no members: not clinical data).
    async fn groups_of(&self, teams: &[TeamId]) -> StoreResult<Vec<Group>>;
    /// A group with everyone enrolled and every mark. Not audited here: the register names
    /// family members, so callers audit the view that shows it.
    async fn group_register(&self, group: Uuid) -> StoreResult<Option<GroupRegister>>;
    /// Enrols a family member; `Conflict` if the group is full or they are enrolled already.
    async fn enrol(
        &self,
        enrolment: &Enrolment,
        capacity: u32,
        enrolled_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Takes (or retakes) a session's register: one mark per enrolment, each written to the
    /// enrolled member's family.
    async fn take_register(
        &self,
        group: Uuid,
        marks: &[(Enrolment, AttendanceMark)],
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
}

/// How many steps and series sessions an intervention holds (its optimistic version).
pub fn steps_of(intervention: &PersonIntervention) -> i64 {
    i64::try_from(intervention.steps.len() + intervention.series.len()).unwrap_or(i64::MAX)
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("{what}: {e}").into())))
}

/// Puts each goal, session and review (oldest first) into its plan; interventions apart.
pub(crate) fn assemble_care(
    rows: Vec<(i64, Uuid, String)>,
    sessions_before_review: u32,
    pathway_roles: &str,
) -> StoreResult<CareRecords> {
    let mut plans: Vec<CarePlan> = Vec::new();
    let mut interventions = Vec::new();
    let mut enrolments: Vec<Enrolment> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut marks: Vec<AttendanceMark> = Vec::new();
    let mut pathways: Vec<PersonPathway> = Vec::new();
    let mut responses: Vec<QuestionnaireResponse> = Vec::new();
    let mut partner_assessments: Vec<PartnerAssessment> = Vec::new();
    for (part, plan_id, record) in rows {
        match part {
            10 => {
                partner_assessments.push(from_json(&record, "partner assessment")?);
                continue;
            }
            9 => {
                responses.push(from_json(&record, "questionnaire response")?);
                continue;
            }
            8 => {
                // `plan_id` carries the person; their steps come in order.
                let step: RecordedStep = from_json(&record, "pathway step")?;
                let person = PersonId(plan_id);
                match pathways.iter_mut().find(|p| p.person_id == person) {
                    Some(existing) => existing.pathway.steps.push(step),
                    None => pathways.push(PersonPathway {
                        person_id: person,
                        pathway: cradle_domain::pathway::Pathway { steps: vec![step] },
                    }),
                }
                continue;
            }
            4 => {
                interventions.push(from_json(&record, "intervention")?);
                continue;
            }
            5 => {
                enrolments.push(from_json(&record, "enrolment")?);
                continue;
            }
            6 => {
                groups.push(from_json(&record, "group")?);
                continue;
            }
            7 => {
                marks.push(from_json(&record, "attendance")?);
                continue;
            }
            _ => {}
        }
        let plan = |plans: &mut Vec<CarePlan>| -> StoreResult<usize> {
            plans.iter().position(|p| p.id == plan_id).ok_or_else(|| {
                StoreError::Database(sqlx::Error::Decode("care record without its plan".into()))
            })
        };
        match part {
            0 => plans.push(from_json(&record, "care plan")?),
            1 => {
                let at = plan(&mut plans)?;
                plans[at].goals.push(from_json(&record, "goal")?);
            }
            2 => {
                let at = plan(&mut plans)?;
                plans[at].sessions.push(from_json(&record, "session")?);
            }
            _ => {
                let at = plan(&mut plans)?;
                plans[at].reviews.push(from_json(&record, "review")?);
            }
        }
    }
    let groups = enrolments
        .into_iter()
        .filter_map(|enrolment| {
            let group = groups.iter().find(|g| g.id == enrolment.group_id)?.clone();
            let mine = marks
                .iter()
                .filter(|m| m.enrolment == enrolment.id)
                .cloned()
                .collect();
            Some(GroupMembership {
                group,
                enrolment,
                marks: mine,
            })
        })
        .collect();
    Ok(CareRecords {
        plans,
        interventions,
        groups,
        sessions_before_review,
        pathways,
        responses,
        pathway_roles: cradle_domain::pathway::roles_from_text(pathway_roles),
        partner_assessments,
    })
}

macro_rules! care_sql {
    ($store:ty, $db:ty) => {
        use $crate::care::{assemble_care, from_json, steps_of, to_json, CareRecords, CareStore};
        use cradle_domain::interventions::{CatalogueEntry, PersonIntervention};
        use cradle_domain::groups::{AttendanceMark, Enrolment, Group, GroupRegister};
        use $crate::rows::date_text;
        use cradle_domain::care_plans::{CarePlan, CareSession, Goal, Review};
        use cradle_domain::{FamilyId, StaffId, TeamId};
        use $crate::{AuditEntry, StoreError, StoreResult};
        use uuid::Uuid;

        impl $store {
            /// The family's plans with their goals, sessions and reviews, and the team's
            /// number of sessions between reviews. Not audited here: callers audit the read.
            pub(crate) async fn load_care(
                &self,
                family: FamilyId,
                team: TeamId,
            ) -> StoreResult<CareRecords> {
                let rows: Vec<(i64, Uuid, String)> = sqlx::query_as(
                    "SELECT part, plan_id, record FROM ( \
                       SELECT CAST(0 AS BIGINT) AS part, id AS plan_id, record, '' AS day, created_at AS at FROM care_plans WHERE family_id = $1 \
                       UNION ALL SELECT CAST(1 AS BIGINT), plan_id, record, '', recorded_at FROM care_goals WHERE family_id = $1 \
                       UNION ALL SELECT CAST(2 AS BIGINT), plan_id, record, held_on, recorded_at FROM care_sessions WHERE family_id = $1 \
                       UNION ALL SELECT CAST(3 AS BIGINT), plan_id, record, reviewed_on, recorded_at FROM care_reviews WHERE family_id = $1 \
                       UNION ALL SELECT CAST(4 AS BIGINT), id, record, '', recorded_at FROM care_interventions WHERE family_id = $1 \
                       UNION ALL SELECT CAST(5 AS BIGINT), group_id, record, '', enrolled_at FROM group_enrolments WHERE family_id = $1 \
                       UNION ALL SELECT CAST(6 AS BIGINT), id, record, '', created_at FROM care_groups WHERE id IN (SELECT group_id FROM group_enrolments WHERE family_id = $1) \
                       UNION ALL SELECT CAST(7 AS BIGINT), group_id, record, '', recorded_at FROM group_attendance WHERE family_id = $1 \
                       UNION ALL SELECT CAST(8 AS BIGINT), person_id, record, '', position FROM pathway_steps WHERE family_id = $1 \
                       UNION ALL SELECT CAST(9 AS BIGINT), id, record, completed_on, recorded_at FROM questionnaire_responses WHERE family_id = $1 \
                       UNION ALL SELECT CAST(10 AS BIGINT), id, record, assessed_on, recorded_at FROM partner_assessments WHERE family_id = $1 \
                     ) AS care ORDER BY part, day, at",
                )
                .bind(family.0)
                .fetch_all(&self.pool)
                .await?;
                let team: Option<(i64, String)> = sqlx::query_as(
                    "SELECT CAST(sessions_before_review AS BIGINT), pathway_roles FROM teams WHERE id = $1",
                )
                .bind(team.0)
                .fetch_optional(&self.pool)
                .await?;
                let (sessions, roles) = team.unwrap_or_default();
                let sessions = u32::try_from(sessions)
                    .ok()
                    .filter(|n| *n > 0)
                    .unwrap_or(cradle_domain::care_plans::DEFAULT_SESSIONS_BEFORE_REVIEW);
                assemble_care(rows, sessions, &roles)
            }

            /// Changes one of a team's settings (`change`, an update of the team's row) and counts
            /// it as a change to every family of the team, so no copy of their records or
            /// caseload rows outlives it. `NotFound` if there is no such team.
            async fn change_team_setting<'q>(
                &self,
                change: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
                team: TeamId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                if change.execute(&mut *tx).await?.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("UPDATE families SET changes = changes + 1 WHERE team_id = $1")
                    .bind(team.0)
                    .execute(&mut *tx)
                    .await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            /// A person's pathway step at `position`, inside the caller's transaction;
            /// `Conflict` if a step was recorded there first.
            async fn insert_pathway_step(
                tx: &mut sqlx::Transaction<'static, $db>,
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
                .map_err(|e| $crate::sql::conflict_or(e, "pathway step"))?;
                Ok(())
            }

            /// An intervention offered to a family member, inside the caller's transaction.
            async fn insert_intervention(
                tx: &mut sqlx::Transaction<'static, $db>,
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
                tx: &mut sqlx::Transaction<'static, $db>,
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
                tx: &mut sqlx::Transaction<'static, $db>,
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
                                n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9
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

            async fn require_open_plan(
                tx: &mut sqlx::Transaction<'static, $db>,
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
            async fn recount(
                tx: &mut sqlx::Transaction<'static, $db>,
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
        impl CareStore for $store {
            async fn catalogue(&self, team: TeamId) -> StoreResult<Vec<CatalogueEntry>> {
                let rows: Vec<String> = sqlx::query_scalar(
                    "SELECT record FROM intervention_catalogue WHERE team_id = $1 ORDER BY name_lower",
                )
                .bind(team.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| from_json(r, "catalogue entry")).collect()
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
                .map_err(|e| $crate::sql::conflict_or(e, "An intervention with this name"))?;
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
                    .map_err(|e| $crate::sql::conflict_or(e, "An intervention with this name"))?;
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
                Self::insert_intervention(&mut tx, family, intervention, audit.at_millis, recorded_by).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_group(
                &self,
                group: &Group,
                created_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO care_groups (id, team_id, record, sessions, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(group.id)
                .bind(group.team_id.0)
                .bind(to_json(group)?)
                .bind(i64::try_from(group.sessions.len()).unwrap_or(i64::MAX))
                .bind(group.created_at_millis)
                .bind(created_by.0)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_group(
                &self,
                group: &Group,
                previous_sessions: i64,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE care_groups SET record = $1, sessions = $2 WHERE id = $3 AND sessions = $4",
                )
                .bind(to_json(group)?)
                .bind(i64::try_from(group.sessions.len()).unwrap_or(i64::MAX))
                .bind(group.id)
                .bind(previous_sessions)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    return Err(StoreError::Conflict("This group"));
                }
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn groups_of(&self, teams: &[TeamId]) -> StoreResult<Vec<Group>> {
                let mut groups = Vec::new();
                for team in teams {
                    let rows: Vec<String> = sqlx::query_scalar(
                        "SELECT record FROM care_groups WHERE team_id = $1 ORDER BY created_at DESC",
                    )
                    .bind(team.0)
                    .fetch_all(&self.pool)
                    .await?;
                    for row in rows {
                        groups.push(from_json::<Group>(&row, "group")?);
                    }
                }
                groups.sort_by_key(|g| std::cmp::Reverse(g.created_at_millis));
                Ok(groups)
            }

            async fn group_register(&self, group: Uuid) -> StoreResult<Option<GroupRegister>> {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT part, record FROM ( \
                       SELECT CAST(0 AS BIGINT) AS part, record, created_at AS at FROM care_groups WHERE id = $1 \
                       UNION ALL SELECT CAST(1 AS BIGINT), record, enrolled_at FROM group_enrolments WHERE group_id = $1 \
                       UNION ALL SELECT CAST(2 AS BIGINT), record, recorded_at FROM group_attendance WHERE group_id = $1 \
                     ) AS register ORDER BY part, at",
                )
                .bind(group)
                .fetch_all(&self.pool)
                .await?;
                let mut found: Option<Group> = None;
                let mut enrolments = Vec::new();
                let mut marks = Vec::new();
                for (part, record) in rows {
                    match part {
                        0 => found = Some(from_json(&record, "group")?),
                        1 => enrolments.push(from_json(&record, "enrolment")?),
                        _ => marks.push(from_json(&record, "attendance")?),
                    }
                }
                let Some(group) = found else {
                    return Ok(None);
                };
                Ok(Some(GroupRegister {
                    group,
                    enrolments,
                    marks,
                }))
            }

            async fn enrol(
                &self,
                enrolment: &Enrolment,
                capacity: u32,
                enrolled_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let enrolled: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM group_enrolments WHERE group_id = $1",
                )
                .bind(enrolment.group_id)
                .fetch_one(&mut *tx)
                .await?;
                if enrolled >= i64::from(capacity) {
                    return Err(StoreError::Conflict("A place in this group"));
                }
                sqlx::query(
                    "INSERT INTO group_enrolments (id, group_id, family_id, member, record, enrolled_at, enrolled_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(enrolment.id)
                .bind(enrolment.group_id)
                .bind(enrolment.family_id.0)
                .bind(enrolment.member.code())
                .bind(to_json(enrolment)?)
                .bind(audit.at_millis)
                .bind(enrolled_by.0)
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::sql::conflict_or(e, "This enrolment"))?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn take_register(
                &self,
                group: Uuid,
                marks: &[(Enrolment, AttendanceMark)],
                recorded_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                for (enrolment, mark) in marks {
                    sqlx::query("DELETE FROM group_attendance WHERE session_id = $1 AND enrolment_id = $2")
                        .bind(mark.session)
                        .bind(enrolment.id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO group_attendance (id, group_id, session_id, enrolment_id, family_id, record, recorded_at, recorded_by) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(Uuid::now_v7())
                    .bind(group)
                    .bind(mark.session)
                    .bind(enrolment.id)
                    .bind(enrolment.family_id.0)
                    .bind(to_json(mark)?)
                    .bind(audit.at_millis)
                    .bind(recorded_by.0)
                    .execute(&mut *tx)
                    .await?;
                }
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
            ) -> StoreResult<Vec<(
                cradle_domain::PersonId,
                cradle_domain::pathway::RecordedStep,
                Option<cradle_domain::person::EthnicCategory>,
            )>> {
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
                            ethnicity.as_deref().and_then(cradle_domain::person::EthnicCategory::from_code),
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

            async fn team_definitions(&self, team: TeamId) -> StoreResult<Vec<cradle_domain::questionnaires::ImportedDefinition>> {
                let rows: Vec<(Uuid, String, String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT id, url, version, name, definition, imported_by_name, imported_at, retired_at \
                     FROM team_instruments WHERE team_id = $1 ORDER BY imported_at, id",
                )
                .bind(team.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, url, version, name, definition, imported_by_name, imported_at_millis, retired_at_millis)| {
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
                    })
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
                .map_err(|e| $crate::sql::conflict_or(e, "questionnaire version"))?;
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
                let roles: Option<String> = sqlx::query_scalar("SELECT pathway_roles FROM teams WHERE id = $1")
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

            async fn sessions_before_review(&self, team: TeamId) -> StoreResult<u32> {
                let sessions: Option<i64> =
                    sqlx::query_scalar("SELECT CAST(sessions_before_review AS BIGINT) FROM teams WHERE id = $1")
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
    };
}

pub(crate) use care_sql;
