//! The JSON API under `/api/v1`: the same use-cases, access rules and audit as the pages.
//! Errors are `application/problem+json` (see `error.rs`). Each operation is listed in
//! [`OPERATIONS`] and described in the OpenAPI document (`openapi.rs`); a test holds the
//! two together.

use crate::auth::{
    AnyStaff, BreakGlass, ChangeRecords, ManageUsers, ReadRecords, Staff, ViewRecordAudit,
};
use crate::error::{Failure, Problem};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cradle_app::admin::StaffInput;
use cradle_domain::{Family, FamilyId, FamilyInput, StaffId};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// (method, path) of every API operation, as the OpenAPI document writes them.
pub const OPERATIONS: [(&str, &str); 13] = [
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/teams"),
    ("get", "/api/v1/families"),
    ("post", "/api/v1/families"),
    ("get", "/api/v1/families/{id}"),
    ("post", "/api/v1/families/{id}/break-glass"),
    ("get", "/api/v1/families/{id}/audit"),
    ("get", "/api/v1/staff"),
    ("post", "/api/v1/staff"),
    ("post", "/api/v1/staff/{id}/disable"),
    ("post", "/api/v1/staff/{id}/enable"),
    ("post", "/api/v1/staff/{id}/teams"),
];

pub fn router() -> Router<WebState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::document))
        .route("/me", get(me))
        .route("/teams", get(teams))
        .route("/families", get(list_families).post(create_family))
        .route("/families/{id}", get(read_family))
        .route("/families/{id}/break-glass", post(break_glass))
        .route("/families/{id}/audit", get(family_audit))
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/{id}/disable", post(disable_staff))
        .route("/staff/{id}/enable", post(enable_staff))
        .route("/staff/{id}/teams", post(set_staff_teams))
}

async fn me(staff: Staff<AnyStaff>) -> Response {
    Json(json!({
        "id": staff.actor.id,
        "username": staff.actor.username,
        "display_name": staff.actor.display_name,
        "role": staff.actor.role.code(),
        "teams": staff.actor.teams,
        "csrf_token": staff.csrf_token,
    }))
    .into_response()
}

async fn teams(
    State(state): State<WebState>,
    _staff: Staff<AnyStaff>,
) -> Result<Response, Failure> {
    Ok(Json(state.app.teams().await?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: Option<u32>,
}

#[derive(Serialize)]
struct FamilyList {
    families: Vec<cradle_domain::FamilySummary>,
    total: u64,
    page: u32,
    page_size: u32,
}

async fn list_families(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let page = query.page.unwrap_or(1).max(1);
    let result = state
        .app
        .list_families(&staff.actor, Some(&query.q), page)
        .await?;
    Ok(Json(FamilyList {
        families: result.families,
        total: result.total,
        page,
        page_size: cradle_app::families::PAGE_SIZE,
    })
    .into_response())
}

/// A new family as JSON: dates as ISO 8601 ("2026-11-26").
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewFamilyJson {
    pub team_id: String,
    pub mother_name: String,
    pub mother_nhs_number: Option<String>,
    pub stage: String,
    pub baby_name: Option<String>,
    pub baby_date_of_birth: Option<String>,
    pub due_date: Option<String>,
    /// "34+2": completed weeks and days at birth, for babies born early.
    pub gestation_at_birth: Option<String>,
    pub referral_date: Option<String>,
}

fn date_parts(text: Option<&str>) -> (String, String, String) {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Default::default(),
        Some(text) => {
            let mut parts = text.splitn(3, '-');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(y), Some(m), Some(d)) => (d.to_string(), m.to_string(), y.to_string()),
                _ => (text.to_string(), "?".to_string(), "?".to_string()),
            }
        }
    }
}

impl From<NewFamilyJson> for FamilyInput {
    fn from(json: NewFamilyJson) -> Self {
        let (baby_dob_day, baby_dob_month, baby_dob_year) =
            date_parts(json.baby_date_of_birth.as_deref());
        let (due_day, due_month, due_year) = date_parts(json.due_date.as_deref());
        let (referral_day, referral_month, referral_year) =
            date_parts(json.referral_date.as_deref());
        FamilyInput {
            team_id: json.team_id,
            mother_name: json.mother_name,
            mother_nhs_number: json.mother_nhs_number.unwrap_or_default(),
            stage: json.stage,
            baby_name: json.baby_name.unwrap_or_default(),
            baby_dob_day,
            baby_dob_month,
            baby_dob_year,
            due_day,
            due_month,
            due_year,
            gestation_weeks: json.gestation_at_birth.unwrap_or_default(),
            gestation_days: String::new(),
            referral_day,
            referral_month,
            referral_year,
        }
    }
}

async fn create_family(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Json(body): Json<NewFamilyJson>,
) -> Result<Response, Failure> {
    let family: Family = state.app.create_family(&staff.actor, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(family)).into_response())
}

fn family_id(text: &str) -> Result<FamilyId, Failure> {
    FamilyId::parse(text).ok_or(Failure(Problem::NotFound))
}

async fn read_family(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    let access = state.app.family_access(&staff.actor, id).await?;
    let family = state.app.read_family(&staff.actor, &access).await?;
    Ok(Json(json!({
        "family": family,
        "break_glass_reason": access.break_glass_reason(),
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakGlassJson {
    reason: String,
}

async fn break_glass(
    State(state): State<WebState>,
    staff: Staff<BreakGlass>,
    Path(id): Path<String>,
    Json(body): Json<BreakGlassJson>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    let access = state
        .app
        .break_glass(&staff.actor, id, &body.reason)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "family_id": access.family_id(),
            "reason": access.break_glass_reason(),
            "minutes": state.app.settings.break_glass_millis / 60_000,
        })),
    )
        .into_response())
}

async fn family_audit(
    State(state): State<WebState>,
    staff: Staff<ViewRecordAudit>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    let records = state.app.family_audit(&staff.actor, id).await?;
    let rows: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            json!({
                "seq": r.seq,
                "at": cradle_domain::dates::from_millis(r.at_millis).unix_timestamp(),
                "actor_username": r.actor_username,
                "actor_role": r.actor_role,
                "action": r.action,
                "outcome": r.outcome,
                "source": r.source,
                "break_glass_reason": r.break_glass_reason,
            })
        })
        .collect();
    Ok(Json(rows).into_response())
}

async fn list_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
) -> Result<Response, Failure> {
    Ok(Json(state.app.list_staff(&staff.actor).await?).into_response())
}

async fn create_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Json(body): Json<StaffInput>,
) -> Result<Response, Failure> {
    let created = state.app.create_staff(&staff.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn set_disabled(
    state: &WebState,
    staff: &Staff<ManageUsers>,
    id: &str,
    disabled: bool,
) -> Result<Response, Failure> {
    let id = StaffId::parse(id).ok_or(Failure(Problem::NotFound))?;
    state
        .app
        .set_staff_disabled(&staff.actor, id, disabled)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn disable_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_disabled(&state, &staff, &id, true).await
}

async fn enable_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_disabled(&state, &staff, &id, false).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamsJson {
    teams: Vec<cradle_domain::TeamId>,
}

async fn set_staff_teams(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
    Json(body): Json<TeamsJson>,
) -> Result<Response, Failure> {
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    state
        .app
        .set_staff_teams(&staff.actor, id, &body.teams)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
