//! Care plans: agreeing a plan and its goals with the family, recording sessions and reviews,
//! and ending the plan with a closing summary. Every step is checked against the family's
//! record (who is in the family, the referral date, the plan's goals) and audited in the same
//! transaction as the change.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::care_plans::{
    CarePlan, CareSession, CloseInput, Goal, GoalInput, PlanClosure, PlanInput, Review,
    ReviewInput, SessionInput,
};
use cradle_domain::network::FamilyRecord;
use cradle_domain::{AuditAction, Permission, SubjectKind, TeamId};
use cradle_store::Sections;
use cradle_store::StoreError;
use uuid::Uuid;

/// A plan that has ended (or was never in this family) cannot take more.
fn closed_plan(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => AppError::Conflict(
            "This care plan has ended (or is not in this family), so nothing was saved. Reload the family to see it.".to_string(),
        ),
        other => AppError::Store(other),
    }
}

impl Cradle {
    /// The family's record and one of its open plans, to check a change against.
    async fn open_plan(
        &self,
        access: &FamilyAccess,
        plan: Uuid,
    ) -> Result<(FamilyRecord, CarePlan), AppError> {
        let record = self.record_for_change(access, Sections::CARE).await?;
        let found = record
            .plans
            .iter()
            .find(|p| p.id == plan)
            .cloned()
            .ok_or(AppError::NotFound)?;
        if !found.is_open() {
            return Err(closed_plan(StoreError::NotFound));
        }
        Ok((record, found))
    }

    /// Agrees a new care plan (family or nursery nursing) for the family.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &PlanInput,
    ) -> Result<CarePlan, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::CARE).await?;
        let parsed = input
            .parse(&record, self.today())
            .map_err(AppError::Invalid)?;
        let plan = CarePlan {
            id: Uuid::now_v7(),
            kind: parsed.kind,
            focus: parsed.focus,
            agreed_on: parsed.agreed_on,
            assessment: parsed.assessment,
            planned_sessions: parsed.planned_sessions,
            after_mbu: parsed.after_mbu,
            goals: Vec::new(),
            sessions: Vec::new(),
            reviews: Vec::new(),
            closure: None,
            created_by: actor.display_name.clone(),
            created_at_millis: self.now(),
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::CarePlanCreated,
            format!("{} {}", plan.kind.code(), plan.id),
        );
        self.store
            .create_plan(access.family_id(), &plan, staff, entry)
            .await?;
        Ok(plan)
    }

    /// Records a goal agreed with the family, with its starting rating.
    pub async fn add_goal(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        plan: Uuid,
        input: &GoalInput,
    ) -> Result<Goal, AppError> {
        let staff = actor.staff_changing_records()?;
        let (record, current) = self.open_plan(access, plan).await?;
        let parsed = input
            .parse(&current, &record, self.today())
            .map_err(AppError::Invalid)?;
        let goal = Goal {
            id: Uuid::now_v7(),
            who: parsed.who,
            words: parsed.words,
            area: parsed.area,
            agreed_by: parsed.agreed_by,
            agreed_on: parsed.agreed_on,
            baseline: parsed.baseline,
            more_baselines: parsed.more_baselines,
            recorded_by: actor.display_name.clone(),
            recorded_at_millis: self.now(),
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::GoalAgreed,
            format!("goal {} in plan {plan}", goal.id),
        );
        self.store
            .add_goal(access.family_id(), plan, &goal, staff, entry)
            .await
            .map_err(closed_plan)?;
        Ok(goal)
    }

    /// Records a session: attended, did not attend, or cancelled.
    pub async fn record_session(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        plan: Uuid,
        input: &SessionInput,
    ) -> Result<CareSession, AppError> {
        let staff = actor.staff_changing_records()?;
        let (record, current) = self.open_plan(access, plan).await?;
        let parsed = input
            .parse(&current, &record, self.today())
            .map_err(AppError::Invalid)?;
        let session = CareSession {
            id: Uuid::now_v7(),
            held_on: parsed.held_on,
            place: parsed.place,
            attendance: parsed.attendance,
            attendees: parsed.attendees,
            seen: parsed.seen,
            goals: parsed.goals,
            interventions: parsed.interventions,
            focus: parsed.focus,
            notes: parsed.notes,
            next_contact: parsed.next_contact,
            interpreter: parsed.interpreter,
            recorded_by: actor.display_name.clone(),
            recorded_at_millis: self.now(),
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::SessionRecorded,
            format!(
                "session {} ({}) in plan {plan}",
                session.id,
                session.attendance.code()
            ),
        );
        self.store
            .record_session(access.family_id(), plan, &session, staff, entry)
            .await
            .map_err(closed_plan)?;
        Ok(session)
    }

    /// Records a review: a rating for every goal, what changed, and the decision.
    pub async fn record_review(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        plan: Uuid,
        input: &ReviewInput,
    ) -> Result<Review, AppError> {
        let staff = actor.staff_changing_records()?;
        let (record, current) = self.open_plan(access, plan).await?;
        let parsed = input
            .parse(&current, &record, self.today())
            .map_err(AppError::Invalid)?;
        let review = Review {
            id: Uuid::now_v7(),
            reviewed_on: parsed.reviewed_on,
            ratings: parsed.ratings,
            what_changed: parsed.what_changed,
            decision: parsed.decision,
            sessions_counted: current.attended_since_review(),
            recorded_by: actor.display_name.clone(),
            recorded_at_millis: self.now(),
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::ReviewRecorded,
            format!(
                "review {} ({}) in plan {plan}",
                review.id,
                review.decision.code()
            ),
        );
        self.store
            .record_review(access.family_id(), plan, &review, staff, entry)
            .await
            .map_err(closed_plan)?;
        Ok(review)
    }

    /// Ends a plan with a closing summary.
    pub async fn close_plan(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        plan: Uuid,
        input: &CloseInput,
    ) -> Result<CarePlan, AppError> {
        let staff = actor.staff_changing_records()?;
        let (record, current) = self.open_plan(access, plan).await?;
        let (closed_on, summary) = input
            .parse(&current, &record, self.today())
            .map_err(AppError::Invalid)?;
        let closed = CarePlan {
            closure: Some(PlanClosure {
                closed_on,
                summary,
                closed_by: actor.display_name.clone(),
            }),
            ..current
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::CarePlanClosed,
            format!("plan {plan}"),
        );
        self.store
            .close_plan(access.family_id(), &closed, staff, entry)
            .await
            .map_err(closed_plan)?;
        Ok(closed)
    }

    pub(crate) fn require_team_practice(
        &self,
        actor: &Actor,
        team: TeamId,
    ) -> Result<(), AppError> {
        actor.require_in_team(Permission::ManageTeamPractice, team)
    }

    /// The number of attended sessions between reviews in one of the manager's teams.
    pub async fn sessions_before_review(
        &self,
        actor: &Actor,
        team: TeamId,
    ) -> Result<u32, AppError> {
        self.require_team_practice(actor, team)?;
        Ok(self.store.sessions_before_review(team).await?)
    }

    /// Changes that number (1 to 20) for one of the manager's teams.
    pub async fn set_sessions_before_review(
        &self,
        actor: &Actor,
        team: TeamId,
        typed: &str,
    ) -> Result<u32, AppError> {
        self.require_team_practice(actor, team)?;
        let sessions = match typed.trim().parse::<u32>() {
            Ok(n) if (1..=20).contains(&n) => n,
            _ => {
                return Err(AppError::invalid(
                    "sessions_before_review",
                    "The number of attended sessions before a review must be a whole number from 1 to 20",
                ))
            }
        };
        let mut entry = actor.audit(
            self.now(),
            AuditAction::TeamSettingsChanged,
            Some((SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        entry.detail = format!("sessions before review: {sessions}");
        self.store
            .set_sessions_before_review(team, sessions, entry)
            .await?;
        Ok(sessions)
    }
}
