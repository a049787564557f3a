//! Group programmes in the API: the groups a team runs, their sessions and registers, and
//! family members enrolled from their families.

use super::input::path_ids;
use super::input::{checked, date_boxes, ApiBody, FamilyPath};
use super::record_id;
use crate::auth::{ChangeRecords, FamilyScoped, ReadRecords, Staff};
use crate::error::Failure;
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::groups::{
    AttendanceMark, EnrolInput, Enrolment, Group, GroupInput, GroupRegister, GroupSessionInput,
    Presence, RegisterInput,
};
use cradle_domain::{Problems, TeamId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(group_register))
        .routes(routes!(add_group_session))
        .routes(routes!(take_register))
        .routes(routes!(enrol_in_group))
}

const TAG: &str = "Groups";

path_ids!(
    /// A group programme.
    GroupPath {
    /// The group's id.
    group,
});

path_ids!(
    /// One session of a group programme.
    GroupSessionPath {
    /// The group's id.
    group,
    /// The session's id.
    session,
});

/// The groups your teams run
///
/// Newest first. No members are listed here.
#[utoipa::path(get, path = "/groups", tag = TAG,
    responses((status = 200, description = "Groups", body = Vec<Group>)))]
async fn list_groups(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
) -> Result<Response, Failure> {
    Ok(Json(state.app.groups(&staff.actor).await?).into_response())
}

/// A group programme as it is set up.
#[derive(Deserialize, ToSchema)]
struct NewGroup {
    /// The team that runs it; needed only by members of several teams.
    #[serde(default)]
    team: Option<TeamId>,
    #[schema(max_length = 120)]
    name: String,
    /// What it is for.
    #[serde(default)]
    #[schema(max_length = 2000)]
    description: String,
    /// Who runs it (names or roles).
    #[schema(max_length = 300)]
    facilitators: String,
    /// How many people it can take, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    capacity: u32,
}

/// Set up a group programme
///
/// For one of the caller's teams: name, what it is for, who runs it, and how many people it
/// can take (1 to 100).
#[utoipa::path(post, path = "/groups", tag = TAG, request_body = NewGroup,
    responses(
        (status = 201, description = "The group", body = Group),
        (status = 422, description = "The group has problems; nothing was saved"),
    ))]
async fn create_group(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Json(body): Json<NewGroup>,
) -> Result<Response, Failure> {
    let input = GroupInput {
        team: body.team.map(|team| team.to_string()).unwrap_or_default(),
        name: body.name,
        description: body.description,
        facilitators: body.facilitators,
        capacity: body.capacity.to_string(),
    };
    let group = state.app.create_group(&staff.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(group)).into_response())
}

/// A group with its register
///
/// For the team's clinical staff. Names everyone enrolled, so the read is audited.
#[utoipa::path(get, path = "/groups/{group}", tag = TAG, params(GroupPath),
    responses(
        (status = 200, description = "The group, who is enrolled, and every mark", body = GroupRegister),
        (status = 404, description = "No such group"),
    ))]
async fn group_register(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Path(group): Path<String>,
) -> Result<Response, Failure> {
    let register = state
        .app
        .group_register(&staff.actor, record_id(&group)?)
        .await?;
    Ok(Json(register).into_response())
}

/// A session added to a group.
#[derive(Deserialize, ToSchema)]
struct GroupSessionPlanned {
    /// Its day: within a year of today, one session a day.
    #[schema(format = Date)]
    on: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    topic: String,
}

impl ApiBody for GroupSessionPlanned {
    type Input = GroupSessionInput;

    fn into_input(self) -> Result<GroupSessionInput, Failure> {
        let mut problems = Problems::default();
        let (on_day, on_month, on_year) = date_boxes("on", &self.on, &mut problems);
        let input = GroupSessionInput {
            on_day,
            on_month,
            on_year,
            topic: self.topic,
        };
        checked(input, problems)
    }
}

/// Add a session to a group
///
/// A date within a year of today (one session a day) and an optional topic. 409 if someone
/// else added a session first.
#[utoipa::path(post, path = "/groups/{group}/sessions", tag = TAG, params(GroupPath),
    request_body = GroupSessionPlanned,
    responses(
        (status = 201, description = "The group", body = Group),
        (status = 404, description = "No such group"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The session has problems; nothing was saved"),
    ))]
async fn add_group_session(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path(group): Path<String>,
    Json(body): Json<GroupSessionPlanned>,
) -> Result<Response, Failure> {
    let group = record_id(&group)?;
    let input = body.into_input()?;
    let group = state
        .app
        .add_group_session(&staff.actor, group, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(group)).into_response())
}

/// One enrolled member's mark.
#[derive(Deserialize, ToSchema)]
struct RegisterMark {
    /// The enrolment's id.
    enrolment: Uuid,
    presence: Presence,
}

/// A session's register: a mark for everyone enrolled.
#[derive(Deserialize, ToSchema)]
struct Register {
    marks: Vec<RegisterMark>,
}

/// Take a session's register
///
/// A mark for everyone enrolled, on or after the session's day. Each mark is written to the
/// member's family and shows on its timeline.
#[utoipa::path(post, path = "/groups/{group}/sessions/{session}/register", tag = TAG,
    params(GroupSessionPath),
    request_body = Register,
    responses(
        (status = 200, description = "The marks", body = Vec<AttendanceMark>),
        (status = 404, description = "No such group or session"),
        (status = 422, description = "Someone is unmarked, or the session is still to come; nothing was saved"),
    ))]
async fn take_register(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path((group, session)): Path<(String, String)>,
    Json(body): Json<Register>,
) -> Result<Response, Failure> {
    let (group, session) = (record_id(&group)?, record_id(&session)?);
    let input = RegisterInput {
        marks: body
            .marks
            .into_iter()
            .map(|mark| (mark.enrolment.to_string(), mark.presence.code().to_string()))
            .collect(),
    };
    let marks = state
        .app
        .take_register(&staff.actor, group, session, &input)
        .await?;
    Ok(Json(marks).into_response())
}

/// A family member enrolled in one of the team's groups.
#[derive(Deserialize, ToSchema)]
struct Enrolling {
    /// The group's id.
    group: Uuid,
    /// Who: "mother" or a person's id.
    member: String,
}

/// Enrol a family member in a group
///
/// One of the family's team's groups, with a place free; the mother or a person in the
/// family who may be involved; once only.
#[utoipa::path(post, path = "/families/{id}/groups", tag = TAG, params(FamilyPath),
    request_body = Enrolling,
    responses(
        (status = 201, description = "The enrolment", body = Enrolment),
        (status = 404, description = "No such family"),
        (status = 422, description = "The group is full, or they are already enrolled, or cannot be involved"),
    ))]
async fn enrol_in_group(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<Enrolling>,
) -> Result<Response, Failure> {
    let input = EnrolInput {
        group: body.group.to_string(),
        member: body.member,
    };
    let enrolment = state
        .app
        .enrol_in_group(&staff.actor, &access, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(enrolment)).into_response())
}
