//! Storage of care plans: plans, goals, sessions and reviews. Each row holds the columns the
//! database searches and counts by, and the record itself as JSON. What the caseload shows as
//! the next thing due (open plans, attended sessions since the last review, the next planned
//! contact) is recounted on the family's row in the same transaction as every change that
//! moves it, so the caseload never has to look at the sessions. The SQL is in
//! `backend/care_plans.rs`. Here also: how one read gathers the family's care section (plans,
//! interventions, group enrolments, pathway steps, questionnaire responses and partner
//! assessments: `CareAndPathway`, `assemble_care`) and the JSON helpers the record's sections share.

use crate::{AuditEntry, StoreError, StoreResult};
use async_trait::async_trait;
use cradle_domain::care_plans::{CarePlan, CareSession, Goal, Review};
use cradle_domain::groups::{AttendanceMark, Enrolment, Group, GroupMembership};
use cradle_domain::interventions::{CatalogueEntry, PersonIntervention};
use cradle_domain::partner_assessment::PartnerAssessment;
use cradle_domain::pathway::{PersonPathway, RecordedStep};
use cradle_domain::questionnaires::QuestionnaireResponse;
use cradle_domain::{FamilyId, PersonId, StaffId, TeamId};
use uuid::Uuid;

/// A family's care section (plans, interventions, group memberships) and pathway section
/// (pathways, questionnaire responses, partner assessments), as one statement brings them.
pub(crate) struct CareAndPathway {
    pub plans: Vec<CarePlan>,
    pub interventions: Vec<PersonIntervention>,
    pub groups: Vec<GroupMembership>,
    pub pathways: Vec<PersonPathway>,
    pub responses: Vec<QuestionnaireResponse>,
    pub partner_assessments: Vec<PartnerAssessment>,
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
pub(crate) fn assemble_care(rows: Vec<(i64, Uuid, String)>) -> StoreResult<CareAndPathway> {
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
    Ok(CareAndPathway {
        plans,
        interventions,
        groups,
        pathways,
        responses,
        partner_assessments,
    })
}

#[async_trait]
pub trait CarePlanStore: Send + Sync {
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
}
