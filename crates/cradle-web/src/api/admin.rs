//! Who is signed in, the teams, and staff accounts in the API (administrators only for
//! accounts).

use super::input::path_ids;
use crate::auth::{AnyStaff, ManageUsers, Staff};
use crate::error::{Failure, Problem};
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_app::admin::StaffInput;
use cradle_domain::{Role, StaffId, Team, TeamId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(teams))
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(disable_staff))
        .routes(routes!(enable_staff))
        .routes(routes!(set_staff_teams))
}

const TAG: &str = "Accounts and teams";

path_ids!(
    /// A staff account.
    AccountPath {
    /// The account's id.
    id,
});

/// The caller's own account.
#[derive(Serialize, ToSchema)]
struct Me {
    /// Absent for an account that acts only through the command line.
    id: Option<StaffId>,
    username: String,
    display_name: String,
    role: Role,
    teams: Vec<TeamId>,
    /// Send in `X-CSRF-Token` with every change made with the session cookie.
    csrf_token: String,
}

/// Who am I
///
/// The caller's account, role, teams and CSRF token.
#[utoipa::path(get, path = "/me", tag = TAG,
    responses((status = 200, description = "The caller", body = Me)))]
async fn me(staff: Staff<AnyStaff>) -> Response {
    Json(Me {
        id: staff.actor.id,
        username: staff.actor.username.clone(),
        display_name: staff.actor.display_name.clone(),
        role: staff.actor.role,
        teams: staff.actor.teams.clone(),
        csrf_token: staff.csrf_token.clone(),
    })
    .into_response()
}

/// List teams
///
/// Every team's id and name.
#[utoipa::path(get, path = "/teams", tag = TAG,
    responses((status = 200, description = "Teams", body = Vec<Team>)))]
async fn teams(
    State(state): State<WebState>,
    _staff: Staff<AnyStaff>,
) -> Result<Response, Failure> {
    Ok(Json(state.app.teams().await?).into_response())
}

/// List staff accounts
///
/// Administrators only.
#[utoipa::path(get, path = "/staff", tag = TAG,
    responses((status = 200, description = "Accounts", body = Vec<cradle_domain::Staff>)))]
async fn list_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
) -> Result<Response, Failure> {
    Ok(Json(state.app.list_staff(&staff.actor).await?).into_response())
}

/// A new staff account.
#[derive(Deserialize, ToSchema)]
struct NewStaff {
    username: String,
    display_name: String,
    role: Role,
    #[serde(default)]
    teams: Vec<TeamId>,
    /// A service account has no password and uses bearer tokens issued with
    /// `cradle user token`.
    #[serde(default)]
    service_account: bool,
    /// Leave out: a password is never accepted (422); the person sets their own through the
    /// enrolment link Cradle makes.
    #[serde(default)]
    #[schema(max_length = 0)]
    password: String,
}

/// Add a staff account
///
/// Administrators only. The account has no password: the person chooses their own through
/// a one-time enrolment link, made by the manager of their team (for clinical staff) or by
/// an administrator (for other administrators), never sent here. A service account has no
/// password and uses bearer tokens issued with `cradle user token`.
#[utoipa::path(post, path = "/staff", tag = TAG, request_body = NewStaff,
    responses(
        (status = 201, description = "The account", body = cradle_domain::Staff),
        (status = 422, description = "The account has problems; nothing was saved"),
    ))]
async fn create_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Json(body): Json<NewStaff>,
) -> Result<Response, Failure> {
    let input = StaffInput {
        username: body.username,
        display_name: body.display_name,
        role: body.role.code().to_string(),
        password: body.password,
        teams: body.teams.iter().map(TeamId::to_string).collect(),
        service_account: body.service_account,
    };
    let created = state.app.create_staff(&staff.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Disable a staff account
///
/// Ends every session of the account at once.
#[utoipa::path(post, path = "/staff/{id}/disable", tag = TAG, params(AccountPath),
    responses(
        (status = 204, description = "Disabled"),
        (status = 404, description = "No such account"),
    ))]
async fn disable_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    crate::pages::admin::set_disabled(&state, &staff, &id, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Enable a staff account
///
/// Lets the account sign in again.
#[utoipa::path(post, path = "/staff/{id}/enable", tag = TAG, params(AccountPath),
    responses(
        (status = 204, description = "Enabled"),
        (status = 404, description = "No such account"),
    ))]
async fn enable_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    crate::pages::admin::set_disabled(&state, &staff, &id, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A staff member's teams.
#[derive(Deserialize, ToSchema)]
struct StaffTeams {
    teams: Vec<TeamId>,
}

/// Set a staff member's teams
///
/// Administrators only. Replaces the account's teams; clinical staff then see only those
/// teams' families. Audited as a permission change.
#[utoipa::path(post, path = "/staff/{id}/teams", tag = TAG, params(AccountPath),
    request_body = StaffTeams,
    responses(
        (status = 204, description = "Teams set"),
        (status = 404, description = "No such account"),
        (status = 422, description = "A team does not exist"),
    ))]
async fn set_staff_teams(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
    Json(body): Json<StaffTeams>,
) -> Result<Response, Failure> {
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    state
        .app
        .set_staff_teams(&staff.actor, id, &body.teams)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
