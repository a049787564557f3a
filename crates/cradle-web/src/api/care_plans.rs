//! Care plans in the API: plans with goals, sessions and reviews; the team's number of
//! sessions between reviews; the team's interventions catalogue and family members'
//! interventions with their steps and series sessions.

use super::input::path_ids;
use super::input::{
    checked, code, date_boxes, yes_no, yes_or_blank, ApiBody, FamilyPath, InterpreterAnswers,
    TeamPath,
};
use super::{record_id, team_id};
use crate::auth::{AnyStaff, ChangeRecords, FamilyScoped, ManageTeamPractice, Staff};
use crate::error::Failure;
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::care_plans::{
    Attendance, CarePlan, CareSession, CloseInput, Focus, Goal, GoalArea, GoalInput, Place,
    PlanInput, PlanKind, RatingInput, Review, ReviewDecision, ReviewInput, SessionInput,
};
use cradle_domain::conversations::Seen;
use cradle_domain::interventions::{
    CatalogueEntry, CatalogueInput, OfferInput, PersonIntervention, SeriesInput, Step, StepInput,
};
use cradle_domain::Problems;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(create_plan))
        .routes(routes!(add_goal))
        .routes(routes!(record_session))
        .routes(routes!(record_review))
        .routes(routes!(end_plan))
        .routes(routes!(team_settings, save_team_settings))
        .routes(routes!(catalogue, add_catalogue_entry))
        .routes(routes!(change_catalogue_entry))
        .routes(routes!(offer_intervention))
        .routes(routes!(record_intervention_step))
        .routes(routes!(record_series_session))
}

const TAG: &str = "Care plans";

path_ids!(
    /// One of a family's care plans.
    PlanPath {
    /// The family's id.
    id,
    /// The plan's id.
    plan,
});

path_ids!(
    /// One of a family member's interventions.
    InterventionPath {
    /// The family's id.
    id,
    /// The family member's intervention's id.
    intervention,
});

path_ids!(
    /// An entry of a team's interventions catalogue.
    CatalogueEntryPath {
    /// The team's id.
    id,
    /// The catalogue entry's id.
    entry,
});

/// A care plan agreed with the family at assessment.
#[derive(Deserialize, ToSchema)]
struct NewPlan {
    kind: PlanKind,
    focus: Focus,
    /// When it was agreed: not before the referral, not in the future.
    #[schema(format = Date)]
    agreed_on: String,
    /// The nursery nursing assessment; required for a nursery nursing plan.
    #[serde(default)]
    #[schema(max_length = 10000)]
    assessment: String,
    /// How many sessions are planned, 1 to 52; required for a nursery nursing plan.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 52)]
    planned_sessions: Option<u32>,
    /// Nursery nursing: whether this is support after a Mother and Baby Unit stay.
    #[serde(default)]
    after_mbu: bool,
}

impl ApiBody for NewPlan {
    type Input = PlanInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("agreed", "agreed_on")];

    fn into_input(self) -> Result<PlanInput, Failure> {
        let mut problems = Problems::default();
        let (agreed_day, agreed_month, agreed_year) =
            date_boxes("agreed_on", &self.agreed_on, &mut problems);
        let input = PlanInput {
            kind: self.kind.code().to_string(),
            focus: self.focus.code().to_string(),
            agreed_day,
            agreed_month,
            agreed_year,
            assessment: self.assessment,
            planned_sessions: self
                .planned_sessions
                .map(|n| n.to_string())
                .unwrap_or_default(),
            after_mbu: yes_no(Some(self.after_mbu)),
        };
        checked(input, problems)
    }
}

/// Agree a care plan
///
/// A family care plan or a nursery nursing plan (`kind`), antenatal or postnatal (`focus`),
/// agreed at assessment on the date given (not before the referral, not in the future). A
/// nursery nursing plan needs its `assessment` and `planned_sessions` (1 to 52);
/// `after_mbu` marks support after a Mother and Baby Unit stay. Goals are added next.
#[utoipa::path(post, path = "/families/{id}/plans", tag = TAG, params(FamilyPath),
    request_body = NewPlan,
    responses(
        (status = 201, description = "The plan", body = CarePlan),
        (status = 404, description = "No such family"),
        (status = 422, description = "The plan has problems; nothing was saved"),
    ))]
async fn create_plan(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<NewPlan>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let plan = state
        .app
        .create_plan(&staff.actor, &access, &input)
        .await
        .map_err(NewPlan::fields)?;
    Ok((StatusCode::CREATED, Json(plan)).into_response())
}

/// A goal in the family's own words, with its starting Goal-Based Outcomes rating.
#[derive(Deserialize, ToSchema)]
struct NewGoal {
    /// Whose goal it is: "mother" or people's ids (one person, or two for a couple), or
    /// ["family"] for the whole family.
    #[serde(default)]
    who: Vec<String>,
    /// The goal in the family's own words.
    #[schema(max_length = 1000)]
    words: String,
    area: GoalArea,
    /// Who agreed it, as the clinician records it ("Amara and Tunde").
    #[schema(max_length = 200)]
    agreed_by: String,
    /// When it was agreed: not before the plan, not in the future.
    #[schema(format = Date)]
    agreed_on: String,
    /// The starting rating, 0 (no progress towards the goal) to 10 (goal reached).
    #[schema(minimum = 0, maximum = 10)]
    baseline: u8,
    /// Who gave it: "mother" or a person's id, one of the goal's people.
    baseline_by: String,
    /// Another starting rating, 0 to 10, from another of the goal's people.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10)]
    second_baseline: Option<u8>,
    /// Who gave the second rating: "mother" or a person's id.
    #[serde(default)]
    second_baseline_by: String,
}

impl ApiBody for NewGoal {
    type Input = GoalInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("goal_agreed", "agreed_on")];

    fn into_input(self) -> Result<GoalInput, Failure> {
        let mut problems = Problems::default();
        let (agreed_day, agreed_month, agreed_year) =
            date_boxes("agreed_on", &self.agreed_on, &mut problems);
        let input = GoalInput {
            who: self.who,
            words: self.words,
            area: self.area.code().to_string(),
            agreed_by: self.agreed_by,
            agreed_day,
            agreed_month,
            agreed_year,
            baseline: self.baseline.to_string(),
            baseline_by: self.baseline_by,
            second_baseline: self
                .second_baseline
                .map(|n| n.to_string())
                .unwrap_or_default(),
            second_baseline_by: self.second_baseline_by,
        };
        checked(input, problems)
    }
}

/// Add a goal to a plan
///
/// In the family's own words, for one person, a couple (`who`: two members) or the whole
/// family (`who`: ["family"]), with its starting Goal-Based Outcomes rating (0 to 10) and
/// who gave it (one of the goal's people; for a whole-family goal, anyone in the family).
/// Nobody marked do not involve can have or rate a goal.
#[utoipa::path(post, path = "/families/{id}/plans/{plan}/goals", tag = TAG, params(PlanPath),
    request_body = NewGoal,
    responses(
        (status = 201, description = "The goal", body = Goal),
        (status = 404, description = "No such family or plan"),
        (status = 409, description = "The plan has ended"),
        (status = 422, description = "The goal has problems; nothing was saved"),
    ))]
async fn add_goal(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<NewGoal>,
) -> Result<Response, Failure> {
    let plan = record_id(&plan)?;
    let input = body.into_input()?;
    let goal = state
        .app
        .add_goal(&staff.actor, &access, plan, &input)
        .await
        .map_err(NewGoal::fields)?;
    Ok((StatusCode::CREATED, Json(goal)).into_response())
}

/// A session of a care plan, attended or not.
#[derive(Deserialize, ToSchema)]
struct NewSession {
    /// When it was (or was to be) held: not before the referral or the plan, not in the
    /// future.
    #[schema(format = Date)]
    held_on: String,
    /// Where it was; may be left out for a session that did not take place.
    #[serde(default)]
    place: Option<Place>,
    attendance: Attendance,
    /// Who came: "mother" or people's ids in this family; required when attended.
    #[serde(default)]
    attendees: Vec<String>,
    /// Whether they were seen together or apart; required when more than one attended.
    #[serde(default)]
    seen: Option<Seen>,
    /// Goals of this plan the session worked on.
    #[serde(default)]
    goals: Vec<Uuid>,
    /// Family members' interventions the session worked on.
    #[serde(default)]
    interventions: Vec<Uuid>,
    focus: Focus,
    #[serde(default)]
    #[schema(max_length = 10000)]
    notes: String,
    /// The next planned contact, after the session.
    #[serde(default)]
    #[schema(format = Date)]
    next_contact: Option<String>,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

impl ApiBody for NewSession {
    type Input = SessionInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[
        ("held", "held_on"),
        ("next", "next_contact"),
        InterpreterAnswers::RENAMED,
    ];

    fn into_input(self) -> Result<SessionInput, Failure> {
        let mut problems = Problems::default();
        let (held_day, held_month, held_year) = date_boxes("held_on", &self.held_on, &mut problems);
        let (next_day, next_month, next_year) = date_boxes(
            "next_contact",
            self.next_contact.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let input = SessionInput {
            held_day,
            held_month,
            held_year,
            place: code(self.place, Place::code),
            attendance: self.attendance.code().to_string(),
            attendees: self.attendees,
            seen: code(self.seen, Seen::code),
            goals: self.goals.iter().map(Uuid::to_string).collect(),
            interventions: self.interventions.iter().map(Uuid::to_string).collect(),
            focus: self.focus.code().to_string(),
            notes: self.notes,
            next_day,
            next_month,
            next_year,
            interpreter: self.interpreter.into_input(),
        };
        checked(input, problems)
    }
}

/// Record a session
///
/// Attended, did not attend, or cancelled (only attended sessions count towards a
/// review). Dated on or after the referral and the plan's agreement, not in the future;
/// attendees must be in this family; goals must be in this plan; the next planned contact,
/// if given, after the session.
#[utoipa::path(post, path = "/families/{id}/plans/{plan}/sessions", tag = TAG, params(PlanPath),
    request_body = NewSession,
    responses(
        (status = 201, description = "The session", body = CareSession),
        (status = 404, description = "No such family or plan"),
        (status = 409, description = "The plan has ended"),
        (status = 422, description = "The session has problems; nothing was saved"),
    ))]
async fn record_session(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<NewSession>,
) -> Result<Response, Failure> {
    let plan = record_id(&plan)?;
    let input = body.into_input()?;
    let session = state
        .app
        .record_session(&staff.actor, &access, plan, &input)
        .await
        .map_err(NewSession::fields)?;
    Ok((StatusCode::CREATED, Json(session)).into_response())
}

/// One goal's rating at a review.
#[derive(Deserialize, ToSchema)]
struct GoalRating {
    /// The goal's id.
    goal: Uuid,
    /// 0 (no progress towards the goal) to 10 (goal reached).
    #[schema(minimum = 0, maximum = 10)]
    score: u8,
    /// Who gave it: "mother" or a person's id, one of the goal's people.
    rated_by: String,
}

/// A review of a care plan.
#[derive(Deserialize, ToSchema)]
struct NewReview {
    /// When it was held: not before the plan's last session or review, not in the future.
    #[schema(format = Date)]
    reviewed_on: String,
    /// One for every goal of the plan.
    ratings: Vec<GoalRating>,
    /// What changed since the plan began or was last reviewed.
    #[schema(max_length = 10000)]
    what_changed: String,
    decision: ReviewDecision,
}

impl ApiBody for NewReview {
    type Input = ReviewInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("reviewed", "reviewed_on")];

    fn into_input(self) -> Result<ReviewInput, Failure> {
        let mut problems = Problems::default();
        let (reviewed_day, reviewed_month, reviewed_year) =
            date_boxes("reviewed_on", &self.reviewed_on, &mut problems);
        let input = ReviewInput {
            reviewed_day,
            reviewed_month,
            reviewed_year,
            ratings: self
                .ratings
                .into_iter()
                .map(|rating| RatingInput {
                    goal: rating.goal.to_string(),
                    score: rating.score.to_string(),
                    rated_by: rating.rated_by,
                })
                .collect(),
            what_changed: self.what_changed,
            decision: self.decision.code().to_string(),
        };
        checked(input, problems)
    }
}

/// Record a review
///
/// A rating (0 to 10) for every goal of the plan, each given by one of the goal's people,
/// what changed, and the decision. A review with a goal left unrated is refused. The count
/// of attended sessions towards the next review starts again after the review's date.
#[utoipa::path(post, path = "/families/{id}/plans/{plan}/reviews", tag = TAG, params(PlanPath),
    request_body = NewReview,
    responses(
        (status = 201, description = "The review", body = Review),
        (status = 404, description = "No such family or plan"),
        (status = 409, description = "The plan has ended"),
        (status = 422, description = "The review has problems; nothing was saved"),
    ))]
async fn record_review(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<NewReview>,
) -> Result<Response, Failure> {
    let plan = record_id(&plan)?;
    let input = body.into_input()?;
    let review = state
        .app
        .record_review(&staff.actor, &access, plan, &input)
        .await
        .map_err(NewReview::fields)?;
    Ok((StatusCode::CREATED, Json(review)).into_response())
}

/// How a plan ended.
#[derive(Deserialize, ToSchema)]
struct PlanEnding {
    /// When it ended: not before its last session or review, not in the future.
    #[schema(format = Date)]
    closed_on: String,
    /// The closing summary.
    #[schema(max_length = 10000)]
    summary: String,
}

impl ApiBody for PlanEnding {
    type Input = CloseInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("closed", "closed_on")];

    fn into_input(self) -> Result<CloseInput, Failure> {
        let mut problems = Problems::default();
        let (closed_day, closed_month, closed_year) =
            date_boxes("closed_on", &self.closed_on, &mut problems);
        let input = CloseInput {
            closed_day,
            closed_month,
            closed_year,
            summary: self.summary,
        };
        checked(input, problems)
    }
}

/// End a plan
///
/// With the date it ended (not before its last session or review) and a closing summary.
/// The plan stays on the record; nothing more can be added to it.
#[utoipa::path(post, path = "/families/{id}/plans/{plan}/end", tag = TAG, params(PlanPath),
    request_body = PlanEnding,
    responses(
        (status = 200, description = "The plan, ended", body = CarePlan),
        (status = 404, description = "No such family or plan"),
        (status = 409, description = "The plan has already ended"),
        (status = 422, description = "The closing has problems; nothing was saved"),
    ))]
async fn end_plan(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<PlanEnding>,
) -> Result<Response, Failure> {
    let plan = record_id(&plan)?;
    let input = body.into_input()?;
    let plan: CarePlan = state
        .app
        .close_plan(&staff.actor, &access, plan, &input)
        .await
        .map_err(PlanEnding::fields)?;
    Ok(Json(plan).into_response())
}

/// A team's care plan setting.
#[derive(Serialize, Deserialize, ToSchema)]
struct TeamSettings {
    /// How many attended sessions make a review due, 1 to 20.
    #[schema(minimum = 1, maximum = 20)]
    sessions_before_review: u32,
}

/// A team's care plan setting
///
/// Team managers, for their own teams: how many attended sessions make a review due.
#[utoipa::path(get, path = "/teams/{id}/settings", tag = TAG, params(TeamPath),
    responses(
        (status = 200, description = "The team's setting", body = TeamSettings),
        (status = 404, description = "No such team"),
    ))]
async fn team_settings(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let sessions_before_review = state
        .app
        .sessions_before_review(&staff.actor, team_id(&id)?)
        .await?;
    Ok(Json(TeamSettings {
        sessions_before_review,
    })
    .into_response())
}

/// Change a team's care plan setting
///
/// Team managers, for their own teams: `sessions_before_review`, 1 to 20. Every family of
/// the team follows the new number at once.
#[utoipa::path(post, path = "/teams/{id}/settings", tag = TAG, params(TeamPath),
    request_body = TeamSettings,
    responses(
        (status = 200, description = "The team's setting", body = TeamSettings),
        (status = 404, description = "No such team"),
        (status = 422, description = "The number is not from 1 to 20"),
    ))]
async fn save_team_settings(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<TeamSettings>,
) -> Result<Response, Failure> {
    let sessions_before_review = state
        .app
        .set_sessions_before_review(
            &staff.actor,
            team_id(&id)?,
            &body.sessions_before_review.to_string(),
        )
        .await?;
    Ok(Json(TeamSettings {
        sessions_before_review,
    })
    .into_response())
}

/// A team's interventions catalogue
///
/// For the team's own staff. Retired entries are included (marked `retired`).
#[utoipa::path(get, path = "/teams/{id}/interventions", tag = TAG, params(TeamPath),
    responses(
        (status = 200, description = "The catalogue", body = Vec<CatalogueEntry>),
        (status = 403, description = "Not one of the team's staff"),
    ))]
async fn catalogue(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let entries = state.app.catalogue(&staff.actor, team_id(&id)?).await?;
    Ok(Json(entries).into_response())
}

/// An intervention the team offers, as it goes in the catalogue.
#[derive(Deserialize, ToSchema)]
struct CatalogueChange {
    /// Unique in the team, ignoring case.
    #[schema(max_length = 120)]
    name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    description: String,
    /// Delivered as a series of sessions following a manual (VIPP, Circle of Security).
    #[serde(default)]
    manualised: bool,
    /// How many sessions the series has, 1 to 52: a manualised intervention only.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 52)]
    series_sessions: Option<u32>,
    /// The themes a session of the series can cover, in order: a manualised
    /// intervention only.
    #[serde(default)]
    themes: Vec<String>,
    /// No longer offered (it stays on the records of families who had it).
    #[serde(default)]
    retired: bool,
}

impl ApiBody for CatalogueChange {
    type Input = CatalogueInput;

    fn into_input(self) -> Result<CatalogueInput, Failure> {
        Ok(CatalogueInput {
            name: self.name,
            description: self.description,
            manualised: yes_or_blank(self.manualised),
            series_sessions: self
                .series_sessions
                .map(|n| n.to_string())
                .unwrap_or_default(),
            themes: self.themes.join("\n"),
            retired: yes_or_blank(self.retired),
        })
    }
}

/// Add an intervention to the team's catalogue
///
/// Team managers, for their own teams. Names are unique in a team (ignoring case); only a
/// manualised intervention has a number of sessions and themes.
#[utoipa::path(post, path = "/teams/{id}/interventions", tag = TAG, params(TeamPath),
    request_body = CatalogueChange,
    responses(
        (status = 201, description = "The entry", body = CatalogueEntry),
        (status = 422, description = "The entry has problems; nothing was saved"),
    ))]
async fn add_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<CatalogueChange>,
) -> Result<Response, Failure> {
    let team = team_id(&id)?;
    let input = body.into_input()?;
    let entry = state
        .app
        .save_catalogue_entry(&staff.actor, team, None, &input)
        .await
        .map_err(CatalogueChange::fields)?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// Change or retire an intervention in the team's catalogue
///
/// Team managers, for their own teams. A retired intervention is no longer offered but
/// stays on the records of families who had it.
#[utoipa::path(post, path = "/teams/{id}/interventions/{entry}", tag = TAG,
    params(CatalogueEntryPath),
    request_body = CatalogueChange,
    responses(
        (status = 200, description = "The entry", body = CatalogueEntry),
        (status = 404, description = "No such entry"),
        (status = 422, description = "The entry has problems; nothing was saved"),
    ))]
async fn change_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((id, entry)): Path<(String, String)>,
    Json(body): Json<CatalogueChange>,
) -> Result<Response, Failure> {
    let (team, entry) = (team_id(&id)?, record_id(&entry)?);
    let input = body.into_input()?;
    let entry = state
        .app
        .save_catalogue_entry(&staff.actor, team, Some(entry), &input)
        .await
        .map_err(CatalogueChange::fields)?;
    Ok(Json(entry).into_response())
}

/// An intervention offered to a family member.
#[derive(Deserialize, ToSchema)]
struct InterventionOffer {
    /// To whom: "mother" or a person's id.
    member: String,
    /// The catalogue entry's id.
    intervention: Uuid,
    /// Who delivers it (a person or a service).
    #[schema(max_length = 200)]
    delivered_by: String,
    /// The open care plan it belongs to, if any.
    #[serde(default)]
    plan: Option<Uuid>,
    /// When it was offered: not before the referral, not in the future.
    #[schema(format = Date)]
    offered_on: String,
}

impl ApiBody for InterventionOffer {
    type Input = OfferInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("offered", "offered_on")];

    fn into_input(self) -> Result<OfferInput, Failure> {
        let mut problems = Problems::default();
        let (offered_day, offered_month, offered_year) =
            date_boxes("offered_on", &self.offered_on, &mut problems);
        let input = OfferInput {
            member: self.member,
            intervention: self.intervention.to_string(),
            delivered_by: self.delivered_by,
            plan: self.plan.map(|plan| plan.to_string()).unwrap_or_default(),
            offered_day,
            offered_month,
            offered_year,
        };
        checked(input, problems)
    }
}

/// Offer an intervention to a family member
///
/// From the family's team's catalogue (not a retired entry), to the mother or a person in
/// the family who may be involved, with who delivers it, the date offered (not before the
/// referral) and, optionally, the open care plan it belongs to.
#[utoipa::path(post, path = "/families/{id}/interventions", tag = TAG, params(FamilyPath),
    request_body = InterventionOffer,
    responses(
        (status = 201, description = "The intervention, offered", body = PersonIntervention),
        (status = 404, description = "No such family"),
        (status = 422, description = "The offer has problems; nothing was saved"),
    ))]
async fn offer_intervention(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<InterventionOffer>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let offered = state
        .app
        .offer_intervention(&staff.actor, &access, &input)
        .await
        .map_err(InterventionOffer::fields)?;
    Ok((StatusCode::CREATED, Json(offered)).into_response())
}

/// What happened next with a family member's intervention.
#[derive(Deserialize, ToSchema)]
struct InterventionStep {
    step: Step,
    /// When: not before the last step, not in the future.
    #[schema(format = Date)]
    on: String,
    /// Why it was declined or stopped; required for those.
    #[serde(default)]
    #[schema(max_length = 2000)]
    reason: String,
}

impl ApiBody for InterventionStep {
    type Input = StepInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("step_on", "on")];

    fn into_input(self) -> Result<StepInput, Failure> {
        let mut problems = Problems::default();
        let (step_day, step_month, step_year) = date_boxes("on", &self.on, &mut problems);
        let input = StepInput {
            step: self.step.code().to_string(),
            step_day,
            step_month,
            step_year,
            reason: self.reason,
        };
        checked(input, problems)
    }
}

/// Record what happened next
///
/// Offered is followed by accepted or declined; accepted by started (or declined); started
/// by completed or stopped. Declining and stopping need a reason. The date is not before
/// the last step. 409 if someone else recorded a step first.
#[utoipa::path(post, path = "/families/{id}/interventions/{intervention}/steps", tag = TAG,
    params(InterventionPath),
    request_body = InterventionStep,
    responses(
        (status = 200, description = "The intervention", body = PersonIntervention),
        (status = 404, description = "No such family or intervention"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The step has problems; nothing was saved"),
    ))]
async fn record_intervention_step(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
    Json(body): Json<InterventionStep>,
) -> Result<Response, Failure> {
    let intervention = record_id(&intervention)?;
    let input = body.into_input()?;
    let changed = state
        .app
        .record_intervention_step(&staff.actor, &access, intervention, &input)
        .await
        .map_err(InterventionStep::fields)?;
    Ok(Json(changed).into_response())
}

/// A session of a manualised series.
#[derive(Deserialize, ToSchema)]
struct SeriesSessionHeld {
    /// Which session of the series, from 1 to the series' length, each once.
    #[schema(minimum = 1, maximum = 52)]
    number: u32,
    /// The theme it covered: one of the catalogue's themes when it lists them.
    theme: String,
    /// When it was held: not before the intervention started, not in the future.
    #[schema(format = Date)]
    on: String,
}

impl ApiBody for SeriesSessionHeld {
    type Input = SeriesInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("series", "on")];

    fn into_input(self) -> Result<SeriesInput, Failure> {
        let mut problems = Problems::default();
        let (series_day, series_month, series_year) = date_boxes("on", &self.on, &mut problems);
        let input = SeriesInput {
            number: self.number.to_string(),
            theme: self.theme,
            series_day,
            series_month,
            series_year,
        };
        checked(input, problems)
    }
}

/// Record a session of a manualised series
///
/// Which session of the series (1 to the series' length, each once) and the theme it
/// covered (one of the catalogue's themes when it lists them), once the intervention has
/// started.
#[utoipa::path(post, path = "/families/{id}/interventions/{intervention}/series", tag = TAG,
    params(InterventionPath),
    request_body = SeriesSessionHeld,
    responses(
        (status = 200, description = "The intervention", body = PersonIntervention),
        (status = 404, description = "No such family or intervention"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The session has problems; nothing was saved"),
    ))]
async fn record_series_session(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
    Json(body): Json<SeriesSessionHeld>,
) -> Result<Response, Failure> {
    let intervention = record_id(&intervention)?;
    let input = body.into_input()?;
    let changed = state
        .app
        .record_series_session(&staff.actor, &access, intervention, &input)
        .await
        .map_err(SeriesSessionHeld::fields)?;
    Ok(Json(changed).into_response())
}
