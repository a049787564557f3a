//! The JSON API under `/api/v1`: the same use-cases, access rules and audit as the pages.
//! Errors are `application/problem+json` (see `error.rs`). Each operation is listed in
//! [`OPERATIONS`] and described in the OpenAPI document (`openapi.rs`); a test holds the
//! two together.

use crate::auth::{
    AnyStaff, BreakGlass, ChangeRecords, FamilyScoped, ManageTeamPractice, ManageUsers,
    ReadRecords, Staff, ViewRecordAudit,
};
use crate::error::{Failure, Problem};
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use cradle_app::admin::StaffInput;
use cradle_domain::network::{BirthInput, PersonInput, RelationshipInput, RestrictionInput};
use cradle_domain::{BabyId, Family, FamilyId, FamilyInput, PersonId, RestrictionId, StaffId};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// (method, path) of every API operation, as the OpenAPI document writes them.
pub const OPERATIONS: [(&str, &str); 68] = [
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
    ("get", "/api/v1/families/{id}/ecomap.svg"),
    ("post", "/api/v1/families/{id}/people"),
    ("post", "/api/v1/families/{id}/conversations"),
    ("post", "/api/v1/families/{id}/concerns"),
    ("post", "/api/v1/families/{id}/enquiries"),
    ("post", "/api/v1/families/{id}/disclosure-actions/{action}"),
    ("post", "/api/v1/families/{id}/observations"),
    ("post", "/api/v1/families/{id}/notes"),
    ("post", "/api/v1/families/{id}/notes/{note}"),
    ("post", "/api/v1/families/{id}/moments/{moment}"),
    ("post", "/api/v1/families/{id}/concerns/{concern}"),
    ("post", "/api/v1/families/{id}/observations/{observation}"),
    ("post", "/api/v1/families/{id}/concerns/{concern}/actions"),
    ("post", "/api/v1/families/{id}/concerns/{concern}/close"),
    ("post", "/api/v1/families/{id}/conversations/{conversation}"),
    ("get", "/api/v1/families/{id}/known-people"),
    ("post", "/api/v1/families/{id}/people/link"),
    ("post", "/api/v1/families/{id}/people/{person}"),
    ("get", "/api/v1/families/{id}/people/{person}/history"),
    ("get", "/api/v1/families/{id}/history/{kind}/{record}"),
    ("post", "/api/v1/families/{id}/people/{person}/restrictions"),
    (
        "post",
        "/api/v1/families/{id}/restrictions/{restriction}/renew",
    ),
    (
        "post",
        "/api/v1/families/{id}/restrictions/{restriction}/lift",
    ),
    ("post", "/api/v1/families/{id}/relationships"),
    ("post", "/api/v1/families/{id}/babies/{baby}/birth"),
    ("post", "/api/v1/families/{id}/plans"),
    ("post", "/api/v1/families/{id}/plans/{plan}/goals"),
    ("post", "/api/v1/families/{id}/plans/{plan}/sessions"),
    ("post", "/api/v1/families/{id}/plans/{plan}/reviews"),
    ("post", "/api/v1/families/{id}/plans/{plan}/end"),
    ("get", "/api/v1/teams/{id}/settings"),
    ("post", "/api/v1/teams/{id}/settings"),
    ("get", "/api/v1/teams/{id}/interventions"),
    ("post", "/api/v1/teams/{id}/interventions"),
    ("post", "/api/v1/teams/{id}/interventions/{entry}"),
    ("post", "/api/v1/families/{id}/interventions"),
    (
        "post",
        "/api/v1/families/{id}/interventions/{intervention}/steps",
    ),
    (
        "post",
        "/api/v1/families/{id}/interventions/{intervention}/series",
    ),
    ("post", "/api/v1/families/{id}/people/{person}/pathway"),
    ("post", "/api/v1/families/{id}/people/{person}/assessments"),
    ("get", "/api/v1/teams/{id}/pathway-roles"),
    ("post", "/api/v1/teams/{id}/pathway-roles"),
    ("get", "/api/v1/teams/{id}/questionnaires"),
    ("post", "/api/v1/teams/{id}/questionnaires"),
    (
        "post",
        "/api/v1/teams/{id}/questionnaires/{definition}/retire",
    ),
    ("get", "/api/v1/questionnaires"),
    (
        "post",
        "/api/v1/families/{id}/people/{person}/questionnaires",
    ),
    (
        "post",
        "/api/v1/families/{id}/questionnaires/{response}/alert-action",
    ),
    ("get", "/api/v1/groups"),
    ("post", "/api/v1/groups"),
    ("get", "/api/v1/groups/{group}"),
    ("post", "/api/v1/groups/{group}/sessions"),
    ("post", "/api/v1/groups/{group}/sessions/{session}/register"),
    ("post", "/api/v1/families/{id}/groups"),
    ("post", "/api/v1/families/{id}/details"),
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
        .route(
            "/families/{id}/ecomap.svg",
            get(crate::pages::network::ecomap),
        )
        .route("/families/{id}/people", post(add_person))
        .route("/families/{id}/conversations", post(record_conversation))
        .route("/families/{id}/concerns", post(raise_concern))
        .route("/families/{id}/enquiries", post(record_enquiry))
        .route("/families/{id}/observations", post(record_observation))
        .route("/families/{id}/notes", post(add_note))
        .route("/families/{id}/notes/{note}", post(amend_note))
        .route("/families/{id}/moments/{moment}", post(amend_moment))
        .route("/families/{id}/concerns/{concern}", post(amend_concern))
        .route(
            "/families/{id}/observations/{observation}",
            post(amend_observation),
        )
        .route(
            "/families/{id}/concerns/{concern}/actions",
            post(record_concern_action),
        )
        .route(
            "/families/{id}/concerns/{concern}/close",
            post(close_concern),
        )
        .route(
            "/families/{id}/conversations/{conversation}",
            post(save_conversation),
        )
        .route("/families/{id}/known-people", get(known_people))
        .route("/families/{id}/people/link", post(link_person))
        .route("/families/{id}/people/{person}", post(amend_person))
        .route(
            "/families/{id}/people/{person}/history",
            get(person_history),
        )
        .route(
            "/families/{id}/history/{kind}/{record}",
            get(record_history),
        )
        .route(
            "/families/{id}/people/{person}/restrictions",
            post(restrict_person),
        )
        .route(
            "/families/{id}/restrictions/{restriction}/renew",
            post(renew_restriction),
        )
        .route(
            "/families/{id}/disclosure-actions/{action}",
            post(settle_disclosure_action),
        )
        .route(
            "/families/{id}/restrictions/{restriction}/lift",
            post(lift_restriction),
        )
        .route("/families/{id}/relationships", post(add_relationship))
        .route("/families/{id}/babies/{baby}/birth", post(record_birth))
        .route("/families/{id}/plans", post(create_plan))
        .route("/families/{id}/plans/{plan}/goals", post(add_goal))
        .route("/families/{id}/plans/{plan}/sessions", post(record_session))
        .route("/families/{id}/plans/{plan}/reviews", post(record_review))
        .route("/families/{id}/plans/{plan}/end", post(end_plan))
        .route(
            "/teams/{id}/settings",
            get(team_settings).post(save_team_settings),
        )
        .route(
            "/teams/{id}/interventions",
            get(catalogue).post(add_catalogue_entry),
        )
        .route(
            "/teams/{id}/interventions/{entry}",
            post(change_catalogue_entry),
        )
        .route("/families/{id}/interventions", post(offer_intervention))
        .route("/groups", get(list_groups).post(create_group))
        .route("/groups/{group}", get(group_register))
        .route("/groups/{group}/sessions", post(add_group_session))
        .route(
            "/groups/{group}/sessions/{session}/register",
            post(take_register),
        )
        .route("/families/{id}/groups", post(enrol_in_group))
        .route("/families/{id}/details", post(amend_mother))
        .route(
            "/families/{id}/people/{person}/pathway",
            post(record_pathway_step),
        )
        .route(
            "/families/{id}/people/{person}/assessments",
            post(record_partner_assessment),
        )
        .route(
            "/teams/{id}/pathway-roles",
            get(pathway_roles).post(save_pathway_roles),
        )
        .route(
            "/teams/{id}/questionnaires",
            get(team_questionnaires).post(import_questionnaire),
        )
        .route(
            "/teams/{id}/questionnaires/{definition}/retire",
            post(retire_questionnaire),
        )
        .route("/questionnaires", get(list_instruments))
        .route(
            "/families/{id}/people/{person}/questionnaires",
            post(record_questionnaire),
        )
        .route(
            "/families/{id}/questionnaires/{response}/alert-action",
            post(act_on_alert),
        )
        .route(
            "/families/{id}/interventions/{intervention}/steps",
            post(record_intervention_step),
        )
        .route(
            "/families/{id}/interventions/{intervention}/series",
            post(record_series_session),
        )
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

#[derive(Serialize)]
struct FamilyList {
    families: Vec<std::sync::Arc<cradle_domain::FamilySummary>>,
    /// At least this many when `total_is_lower_bound` (a search stops counting at 1,000).
    total: u64,
    total_is_lower_bound: bool,
    page_size: u32,
    /// Pass as `after` for the next page; absent on the last page.
    next_after: Option<FamilyId>,
    /// Pass as `before` for the page before; absent on the first page.
    previous_before: Option<FamilyId>,
}

async fn list_families(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Query(query): Query<crate::pages::families::ListQuery>,
) -> Result<Response, Failure> {
    // The pages forgive a page number out of range (a link typed by hand); the API keeps to
    // its document.
    if query
        .page
        .is_some_and(|page| !(1..=100_000).contains(&page))
    {
        return Err(Failure(Problem::BadRequest(
            "`page` counts from 1, up to 100000.".into(),
        )));
    }
    if [&query.after, &query.before].iter().any(|cursor| {
        cursor
            .as_deref()
            .is_some_and(|id| id.parse::<uuid::Uuid>().is_err())
    }) {
        return Err(Failure(Problem::BadRequest(
            "`after` and `before` are a family's id from a page of the list, or left out.".into(),
        )));
    }
    if query.mine.as_deref().is_some_and(|mine| mine != "1") {
        return Err(Failure(Problem::BadRequest(
            "`mine` is 1 (only the families you are key worker for), or left out.".into(),
        )));
    }
    let result = state
        .app
        .caseload(
            &staff.actor,
            Some(&query.q),
            query.position()?,
            query.mine(),
        )
        .await?;
    let next_after = result
        .has_next
        .then(|| result.families.last().map(|f| f.id))
        .flatten();
    let previous_before = result
        .has_previous
        .then(|| result.families.first().map(|f| f.id))
        .flatten();
    Ok(Json(FamilyList {
        families: result.families,
        total: result.total,
        total_is_lower_bound: result.total_is_lower_bound,
        page_size: cradle_app::families::PAGE_SIZE,
        next_after,
        previous_before,
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
    pub mother_date_of_birth: Option<String>,
    pub mother_postcode: Option<String>,
    /// The language she prefers ("Bengali"), and whether she needs an interpreter.
    pub mother_language: Option<String>,
    pub mother_interpreter_needed: Option<bool>,
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
        let (mother_dob_day, mother_dob_month, mother_dob_year) =
            date_parts(json.mother_date_of_birth.as_deref());
        FamilyInput {
            team_id: json.team_id,
            mother_name: json.mother_name,
            mother_nhs_number: json.mother_nhs_number.unwrap_or_default(),
            mother_dob_day,
            mother_dob_month,
            mother_dob_year,
            mother_postcode: json.mother_postcode.unwrap_or_default(),
            mother_language: json.mother_language.unwrap_or_default(),
            mother_interpreter_needed: match json.mother_interpreter_needed {
                Some(true) => "yes".to_string(),
                _ => "no".to_string(),
            },
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
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    let record = state
        .app
        .read_family(&staff.actor, &access, cradle_app::Sections::ALL)
        .await?;
    let next_due =
        cradle_domain::care_plans::NextDue::for_record(&record, state.app.today()).label();
    // The record's part is written once per change count (held like the record itself, so
    // never older than the count the access check read); what varies by day or by request
    // is written each time.
    let written = match state.family_json.0.get(id, access.changes()) {
        Some(written) => written,
        None => {
            let written = std::sync::Arc::new(record_json(&record)?);
            state
                .family_json
                .0
                .put(id, access.changes(), std::sync::Arc::clone(&written));
            written
        }
    };
    let mut body = Vec::with_capacity(written.len() + 160);
    body.extend_from_slice(b"{\"next_due\":");
    serde_json::to_writer(&mut body, &next_due).map_err(internal)?;
    body.extend_from_slice(b",\"break_glass_reason\":");
    serde_json::to_writer(&mut body, &access.break_glass_reason()).map_err(internal)?;
    // The record's object, its opening brace already written.
    body.push(b',');
    body.extend_from_slice(written.get(1..).unwrap_or_default());
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn internal(error: serde_json::Error) -> Failure {
    Failure::from(cradle_app::AppError::Internal(format!(
        "the family could not be written out: {error}"
    )))
}

/// The record's fields of the API's family read, as JSON.
fn record_json(record: &cradle_domain::network::FamilyRecord) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(&FamilyReadJson {
        family: &record.family,
        people: &record.people,
        relationships: &record.relationships,
        restrictions: &record.restrictions,
        conversations: &record.conversations,
        concerns: &record.concerns,
        observations: &record.observations,
        moments: &record.moments,
        notes: &record.notes,
        plans: &record.plans,
        interventions: &record.interventions,
        groups: &record.groups,
        sessions_before_review: record.sessions_before_review,
        pathways: &record.pathways,
        responses: &record.responses,
        partner_assessments: &record.partner_assessments,
        pathway_roles: &record.pathway_roles,
        disclosure_actions: &record.disclosure_actions,
    })
    .map_err(internal)
}

/// The API's family read, written straight from the record (no intermediate JSON tree: this
/// is the most frequent API answer).
#[derive(Serialize)]
struct FamilyReadJson<'a> {
    family: &'a Family,
    people: &'a [cradle_domain::network::Person],
    relationships: &'a [cradle_domain::network::Relationship],
    restrictions: &'a [cradle_domain::network::ContactRestriction],
    conversations: &'a [cradle_domain::conversations::Conversation],
    concerns: &'a [cradle_domain::concerns::Concern],
    observations: &'a [cradle_domain::observations::Observation],
    moments: &'a [cradle_domain::observations::PositiveMoment],
    disclosure_actions: &'a [cradle_domain::disclosures::DisclosureAction],
    notes: &'a [cradle_domain::needs::CaregiverNote],
    plans: &'a [cradle_domain::care_plans::CarePlan],
    interventions: &'a [cradle_domain::interventions::PersonIntervention],
    groups: &'a [cradle_domain::groups::GroupMembership],
    sessions_before_review: u32,
    pathways: &'a [cradle_domain::pathway::PersonPathway],
    responses: &'a [cradle_domain::questionnaires::QuestionnaireResponse],
    partner_assessments: &'a [cradle_domain::partner_assessment::PartnerAssessment],
    pathway_roles: &'a [cradle_domain::network::RelationshipKind],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakGlassJson {
    reason: String,
    /// A current code from the person's second factor.
    #[serde(default)]
    code: String,
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
        .break_glass(&staff.actor, id, &body.reason, &body.code)
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

async fn add_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<PersonInput>,
) -> Result<Response, Failure> {
    let person = state.app.add_person(&staff.actor, &access, &body).await?;
    Ok((StatusCode::CREATED, Json(person)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KnownQuery {
    q: String,
}

async fn known_people(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Query(query): Query<KnownQuery>,
) -> Result<Response, Failure> {
    let people = state
        .app
        .known_people(&staff.actor, &access, &query.q)
        .await?;
    Ok(Json(json!({ "people": people })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkJson {
    person_id: String,
}

async fn link_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<LinkJson>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&body.person_id).ok_or_else(|| {
        Failure(Problem::Invalid(cradle_domain::Problems(vec![
            cradle_domain::Invalid::new("person_id", "person_id must be a person's id"),
        ])))
    })?;
    let person = state.app.link_person(&staff.actor, &access, person).await?;
    Ok((StatusCode::CREATED, Json(person)).into_response())
}

async fn create_plan(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::care_plans::PlanInput>,
) -> Result<Response, Failure> {
    let plan = state.app.create_plan(&staff.actor, &access, &body).await?;
    Ok((StatusCode::CREATED, Json(plan)).into_response())
}

async fn add_goal(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<cradle_domain::care_plans::GoalInput>,
) -> Result<Response, Failure> {
    let goal = state
        .app
        .add_goal(&staff.actor, &access, record_id(&plan)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(goal)).into_response())
}

async fn record_session(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<cradle_domain::care_plans::SessionInput>,
) -> Result<Response, Failure> {
    let session = state
        .app
        .record_session(&staff.actor, &access, record_id(&plan)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(session)).into_response())
}

async fn record_review(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<cradle_domain::care_plans::ReviewInput>,
) -> Result<Response, Failure> {
    let review = state
        .app
        .record_review(&staff.actor, &access, record_id(&plan)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(review)).into_response())
}

async fn end_plan(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Json(body): Json<cradle_domain::care_plans::CloseInput>,
) -> Result<Response, Failure> {
    let plan = state
        .app
        .close_plan(&staff.actor, &access, record_id(&plan)?, &body)
        .await?;
    Ok(Json(plan).into_response())
}

fn team_id(text: &str) -> Result<cradle_domain::TeamId, Failure> {
    text.parse::<uuid::Uuid>()
        .map(cradle_domain::TeamId)
        .map_err(|_| Failure(Problem::NotFound))
}

async fn team_settings(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let sessions = state
        .app
        .sessions_before_review(&staff.actor, team_id(&id)?)
        .await?;
    Ok(Json(json!({"sessions_before_review": sessions})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamSettingsJson {
    /// A number, or the number as text (as a form sends it).
    sessions_before_review: serde_json::Value,
}

async fn save_team_settings(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<TeamSettingsJson>,
) -> Result<Response, Failure> {
    let typed = match body.sessions_before_review {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    };
    let sessions = state
        .app
        .set_sessions_before_review(&staff.actor, team_id(&id)?, &typed)
        .await?;
    Ok(Json(json!({"sessions_before_review": sessions})).into_response())
}

async fn catalogue(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let entries = state.app.catalogue(&staff.actor, team_id(&id)?).await?;
    Ok(Json(entries).into_response())
}

async fn add_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<cradle_domain::interventions::CatalogueInput>,
) -> Result<Response, Failure> {
    let entry = state
        .app
        .save_catalogue_entry(&staff.actor, team_id(&id)?, None, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

async fn change_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((id, entry)): Path<(String, String)>,
    Json(body): Json<cradle_domain::interventions::CatalogueInput>,
) -> Result<Response, Failure> {
    let entry = state
        .app
        .save_catalogue_entry(&staff.actor, team_id(&id)?, Some(record_id(&entry)?), &body)
        .await?;
    Ok(Json(entry).into_response())
}

async fn offer_intervention(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::interventions::OfferInput>,
) -> Result<Response, Failure> {
    let offered = state
        .app
        .offer_intervention(&staff.actor, &access, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(offered)).into_response())
}

async fn record_intervention_step(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
    Json(body): Json<cradle_domain::interventions::StepInput>,
) -> Result<Response, Failure> {
    let changed = state
        .app
        .record_intervention_step(&staff.actor, &access, record_id(&intervention)?, &body)
        .await?;
    Ok(Json(changed).into_response())
}

async fn record_pathway_step(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<PathwayStepJson>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let steps = cradle_domain::pathway::offer_with_answer(body.step, body.answer)
        .map_err(|problem| cradle_app::AppError::Invalid(cradle_domain::Problems(vec![problem])))?;
    let pathway = state
        .app
        .record_pathway_steps(
            &staff.actor,
            &access,
            person,
            cradle_app::pathway::NewSteps {
                steps,
                given: body.given,
                before_referral_reason: body.before_referral_reason,
                interpreter: cradle_domain::interpreters::InterpreterInput {
                    interpreter: body.interpreter,
                    interpreter_language: body.interpreter_language,
                    interpreter_how: body.interpreter_how,
                },
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(pathway)).into_response())
}

/// A family member's assessment as the API takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentJson {
    /// "2026-11-10".
    assessed_on: String,
    /// Each written part by its field name (`wellbeing`, `history`, `support`, `pressures`,
    /// `relationship_with_baby`, `wishes`).
    #[serde(default)]
    sections: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    conversations: Vec<String>,
    risk: String,
    #[serde(default)]
    risk_detail: String,
    #[serde(default)]
    package: Vec<String>,
    outcome: String,
    #[serde(default)]
    outcome_detail: String,
    #[serde(default)]
    given: GivenJson,
    /// "yes" or "no": whether an interpreter was used (needed when the person needs one).
    #[serde(default)]
    interpreter: String,
    #[serde(default)]
    interpreter_language: String,
    /// in_person, telephone or video.
    #[serde(default)]
    interpreter_how: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GivenJson {
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
}

async fn record_partner_assessment(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<AssessmentJson>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let unknown = body.sections.keys().find(|k| {
        !cradle_domain::partner_assessment::SECTIONS
            .iter()
            .any(|(f, ..)| f == k)
    });
    if let Some(unknown) = unknown {
        return Err(cradle_app::AppError::invalid(
            "sections",
            format!("\"{unknown}\" is not a part of the assessment"),
        )
        .into());
    }
    // The date as the form's three boxes, so both doors check it the same way.
    let mut parts = body.assessed_on.trim().splitn(3, '-');
    let (on_year, on_month, on_day) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let input = cradle_domain::partner_assessment::AssessmentInput {
        on_day,
        on_month,
        on_year,
        sections: body.sections.into_iter().collect(),
        conversations: body.conversations,
        risk: body.risk,
        risk_detail: body.risk_detail,
        package: body.package,
        outcome: body.outcome,
        outcome_detail: body.outcome_detail,
        topics: body.given.topics,
        services: body.given.services.join("\n"),
        interpreter: cradle_domain::interpreters::InterpreterInput {
            interpreter: body.interpreter,
            interpreter_language: body.interpreter_language,
            interpreter_how: body.interpreter_how,
        },
    };
    let assessment = state
        .app
        .record_partner_assessment(&staff.actor, &access, person, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(assessment)).into_response())
}

async fn pathway_roles(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let roles = state.app.pathway_roles(&staff.actor, team_id(&id)?).await?;
    Ok(Json(json!({"pathway_roles": roles})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathwayRolesJson {
    pathway_roles: Vec<String>,
}

async fn save_pathway_roles(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<PathwayRolesJson>,
) -> Result<Response, Failure> {
    let roles = state
        .app
        .set_pathway_roles(&staff.actor, team_id(&id)?, &body.pathway_roles)
        .await?;
    Ok(Json(json!({"pathway_roles": roles})).into_response())
}

/// One of a team's questionnaires as the API lists it.
#[derive(Serialize)]
struct TeamQuestionnaireJson<'a> {
    #[serde(flatten)]
    instrument: &'a cradle_domain::questionnaires::Instrument,
    current: bool,
    /// Absent for one shipped with Cradle.
    imported: Option<ImportedJson<'a>>,
}

#[derive(Serialize)]
struct ImportedJson<'a> {
    id: uuid::Uuid,
    imported_by: &'a str,
    imported_at_millis: i64,
    retired_at_millis: Option<i64>,
}

async fn team_questionnaires(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let instruments = state
        .app
        .questionnaires_of_team(&staff.actor, team_id(&id)?)
        .await?;
    let listed: Vec<TeamQuestionnaireJson> = instruments
        .entries
        .iter()
        .map(|entry| TeamQuestionnaireJson {
            instrument: &entry.instrument,
            current: entry.is_current(),
            imported: entry.imported.as_ref().map(|d| ImportedJson {
                id: d.id,
                imported_by: &d.imported_by_name,
                imported_at_millis: d.imported_at_millis,
                retired_at_millis: d.retired_at_millis,
            }),
        })
        .collect();
    Ok(Json(listed).into_response())
}

/// Imports a definition file: the request body is the file itself.
async fn import_questionnaire(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let team = team_id(&id)?;
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(cradle_app::AppError::invalid(
            "definition",
            "The definition file must be UTF-8 text",
        )
        .into());
    };
    let imported = state
        .app
        .import_questionnaire(&staff.actor, team, text)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": imported.id,
            "url": imported.url,
            "version": imported.version,
            "name": imported.name,
        })),
    )
        .into_response())
}

async fn retire_questionnaire(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((id, definition)): Path<(String, String)>,
) -> Result<Response, Failure> {
    state
        .app
        .retire_questionnaire(&staff.actor, team_id(&id)?, record_id(&definition)?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A pathway step with the information and local services given with it.
#[derive(Deserialize)]
struct PathwayStepJson {
    #[serde(flatten)]
    step: cradle_domain::pathway::PathwayStep,
    #[serde(default)]
    given: cradle_domain::pathway::InformationGiven,
    /// With an offer, the answer given there and then: accepted or declined.
    #[serde(default)]
    answer: Option<cradle_domain::pathway::PathwayStep>,
    /// Why the step is dated before the family's referral, when it is.
    #[serde(default)]
    before_referral_reason: String,
    /// "yes" or "no": whether an interpreter was used (needed at a contact with someone who
    /// needs one).
    #[serde(default)]
    interpreter: String,
    #[serde(default)]
    interpreter_language: String,
    #[serde(default)]
    interpreter_how: String,
}

/// The questionnaires the staff member's teams use: Cradle's own and each team's current
/// imports, each once.
async fn list_instruments(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
) -> Result<Response, Failure> {
    let mut listed = cradle_app::questionnaires::instruments().to_vec();
    for team in &staff.actor.teams {
        for entry in state.app.team_instruments(*team).await?.entries {
            let instrument = &entry.instrument;
            let known = listed
                .iter()
                .any(|i| i.url == instrument.url && i.version == instrument.version);
            if entry.is_current() && !known {
                listed.push(entry.instrument);
            }
        }
    }
    let listed: Vec<&cradle_domain::questionnaires::Instrument> =
        listed.iter().map(|i| &**i).collect();
    Ok(Json(listed).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseJson {
    instrument: String,
    #[serde(default)]
    population: String,
    completed_on: Option<String>,
    answers: Vec<cradle_domain::questionnaires::Answer>,
    /// "yes" or "no": whether an interpreter was used (needed when the person needs one).
    #[serde(default)]
    interpreter: String,
    #[serde(default)]
    interpreter_language: String,
    /// in_person, telephone or video.
    #[serde(default)]
    interpreter_how: String,
}

async fn record_questionnaire(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<ResponseJson>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let completed_on = match body.completed_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            time::Date::parse(
                text,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| {
                Failure::from(cradle_app::AppError::invalid(
                    "completed_on",
                    "The date it was completed must be a date like 2026-11-26",
                ))
            })?,
        ),
    };
    let input = cradle_app::questionnaires::ResponseInput {
        instrument: body.instrument,
        population: body.population,
        completed_on,
        answers: body.answers,
        interpreter: cradle_domain::interpreters::InterpreterInput {
            interpreter: body.interpreter,
            interpreter_language: body.interpreter_language,
            interpreter_how: body.interpreter_how,
        },
    };
    let response = state
        .app
        .record_questionnaire(&staff.actor, &access, person, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertActionJson {
    action: String,
}

async fn act_on_alert(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, response)): Path<(String, String)>,
    Json(body): Json<AlertActionJson>,
) -> Result<Response, Failure> {
    let response = record_id(&response)?;
    let acted = state
        .app
        .act_on_alert(&staff.actor, &access, response, &body.action)
        .await?;
    Ok(Json(acted).into_response())
}

async fn record_series_session(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
    Json(body): Json<cradle_domain::interventions::SeriesInput>,
) -> Result<Response, Failure> {
    let changed = state
        .app
        .record_series_session(&staff.actor, &access, record_id(&intervention)?, &body)
        .await?;
    Ok(Json(changed).into_response())
}

async fn amend_mother(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::family::MotherInput>,
) -> Result<Response, Failure> {
    let details = state.app.amend_mother(&staff.actor, &access, &body).await?;
    Ok(Json(details).into_response())
}

async fn list_groups(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
) -> Result<Response, Failure> {
    Ok(Json(state.app.groups(&staff.actor).await?).into_response())
}

async fn create_group(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Json(body): Json<cradle_domain::groups::GroupInput>,
) -> Result<Response, Failure> {
    let group = state.app.create_group(&staff.actor, &body).await?;
    Ok((StatusCode::CREATED, Json(group)).into_response())
}

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

async fn add_group_session(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path(group): Path<String>,
    Json(body): Json<cradle_domain::groups::GroupSessionInput>,
) -> Result<Response, Failure> {
    let group = state
        .app
        .add_group_session(&staff.actor, record_id(&group)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(group)).into_response())
}

#[derive(Deserialize)]
struct MarkJson {
    enrolment: String,
    presence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterJson {
    marks: Vec<MarkJson>,
}

async fn take_register(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path((group, session)): Path<(String, String)>,
    Json(body): Json<RegisterJson>,
) -> Result<Response, Failure> {
    let input = cradle_domain::groups::RegisterInput {
        marks: body
            .marks
            .into_iter()
            .map(|m| (m.enrolment, m.presence))
            .collect(),
    };
    let marks = state
        .app
        .take_register(
            &staff.actor,
            record_id(&group)?,
            record_id(&session)?,
            &input,
        )
        .await?;
    Ok(Json(marks).into_response())
}

async fn enrol_in_group(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::groups::EnrolInput>,
) -> Result<Response, Failure> {
    let enrolment = state
        .app
        .enrol_in_group(&staff.actor, &access, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(enrolment)).into_response())
}

fn record_id(text: &str) -> Result<uuid::Uuid, Failure> {
    text.parse::<uuid::Uuid>()
        .map_err(|_| Failure(Problem::NotFound))
}

/// A correction: the whole record as it should read, the version it replaces and why.
#[derive(Deserialize)]
struct CorrectionJson<T> {
    #[serde(flatten)]
    record: T,
    version: i64,
    #[serde(default)]
    reason: String,
}

async fn amend_note(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, note)): Path<(String, String)>,
    Json(body): Json<CorrectionJson<cradle_domain::needs::NoteInput>>,
) -> Result<Response, Failure> {
    let note = record_id(&note)?;
    let amended = state
        .app
        .amend_note(
            &staff.actor,
            &access,
            note,
            &body.record,
            body.version,
            &body.reason,
        )
        .await?;
    Ok(Json(amended).into_response())
}

async fn amend_moment(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, moment)): Path<(String, String)>,
    Json(body): Json<CorrectionJson<cradle_domain::observations::ObservationInput>>,
) -> Result<Response, Failure> {
    let moment = record_id(&moment)?;
    let amended = state
        .app
        .amend_moment(
            &staff.actor,
            &access,
            moment,
            &body.record,
            body.version,
            &body.reason,
        )
        .await?;
    Ok(Json(amended).into_response())
}

async fn amend_concern(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Json(body): Json<CorrectionJson<cradle_domain::concerns::ConcernInput>>,
) -> Result<Response, Failure> {
    let concern = record_id(&concern)?;
    let amended = state
        .app
        .amend_concern(
            &staff.actor,
            &access,
            concern,
            &body.record,
            body.version,
            &body.reason,
        )
        .await?;
    Ok(Json(amended).into_response())
}

async fn amend_observation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, observation)): Path<(String, String)>,
    Json(body): Json<CorrectionJson<cradle_domain::observations::ObservationInput>>,
) -> Result<Response, Failure> {
    let observation = record_id(&observation)?;
    let amended = state
        .app
        .amend_observation(
            &staff.actor,
            &access,
            observation,
            &body.record,
            body.version,
            &body.reason,
        )
        .await?;
    Ok(Json(amended).into_response())
}

async fn add_note(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::needs::NoteInput>,
) -> Result<Response, Failure> {
    let note = state.app.add_note(&staff.actor, &access, &body).await?;
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

async fn record_observation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::observations::ObservationInput>,
) -> Result<Response, Failure> {
    let (observation, moment) = state
        .app
        .record_observation(&staff.actor, &access, &body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"observation": observation, "moment": moment})),
    )
        .into_response())
}

async fn record_enquiry(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::enquiries::EnquiryInput>,
) -> Result<Response, Failure> {
    let entry = state
        .app
        .record_enquiry(&staff.actor, &access, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

async fn raise_concern(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::concerns::ConcernInput>,
) -> Result<Response, Failure> {
    let concern = state
        .app
        .raise_concern(&staff.actor, &access, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(concern)).into_response())
}

async fn record_concern_action(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Json(body): Json<cradle_domain::concerns::ActionInput>,
) -> Result<Response, Failure> {
    let action = state
        .app
        .record_concern_action(&staff.actor, &access, record_id(&concern)?, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(action)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseJson {
    reason: String,
}

async fn close_concern(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Json(body): Json<CloseJson>,
) -> Result<Response, Failure> {
    state
        .app
        .close_concern(&staff.actor, &access, record_id(&concern)?, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn record_conversation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<cradle_domain::conversations::ConversationInput>,
) -> Result<Response, Failure> {
    let saved = state
        .app
        .record_conversation(&staff.actor, &access, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// A conversation saved again: the whole form, the version it replaces and (for a finished
/// conversation) why it changes.
#[derive(Deserialize)]
struct SaveConversationJson {
    #[serde(flatten)]
    conversation: cradle_domain::conversations::ConversationInput,
    version: i64,
    #[serde(default)]
    reason: String,
}

async fn save_conversation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, conversation)): Path<(String, String)>,
    Json(body): Json<SaveConversationJson>,
) -> Result<Response, Failure> {
    let conversation = conversation
        .parse::<uuid::Uuid>()
        .map_err(|_| Failure(Problem::NotFound))?;
    let saved = state
        .app
        .save_conversation(
            &staff.actor,
            &access,
            conversation,
            &body.conversation,
            body.version,
            &body.reason,
        )
        .await?;
    Ok(Json(saved).into_response())
}

/// An amendment: the new details, the version they replace and why.
#[derive(Deserialize)]
struct AmendPersonJson {
    #[serde(flatten)]
    person: PersonInput,
    version: i64,
    reason: String,
}

async fn amend_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<AmendPersonJson>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let updated = state
        .app
        .amend_person(
            &staff.actor,
            &access,
            person,
            &body.person,
            body.version,
            &body.reason,
        )
        .await?;
    Ok(Json(updated).into_response())
}

async fn person_history(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    history(
        &state,
        &staff,
        &access,
        cradle_store::RecordKind::Person,
        &person,
    )
    .await
}

async fn record_history(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, kind, record)): Path<(String, String, String)>,
) -> Result<Response, Failure> {
    let kind = cradle_store::RecordKind::from_code(&kind).ok_or(Failure(Problem::NotFound))?;
    history(&state, &staff, &access, kind, &record).await
}

/// Earlier versions of one of a family's records, oldest first, each with the details as
/// they were, who replaced them, when and why.
async fn history(
    state: &WebState,
    staff: &Staff<ReadRecords>,
    access: &cradle_app::FamilyAccess,
    kind: cradle_store::RecordKind,
    record: &str,
) -> Result<Response, Failure> {
    let record = record
        .parse::<uuid::Uuid>()
        .map_err(|_| Failure(Problem::NotFound))?;
    let versions = state
        .app
        .record_history(&staff.actor, access, kind, record)
        .await?;
    let rows: Vec<serde_json::Value> = versions
        .into_iter()
        .map(|v| {
            json!({
                "version": v.version,
                "details": serde_json::from_str::<serde_json::Value>(&v.snapshot).unwrap_or(serde_json::Value::Null),
                "replaced_at": cradle_domain::dates::from_millis(v.replaced_at_millis).unix_timestamp(),
                "replaced_by": v.replaced_by,
                "reason": v.reason,
            })
        })
        .collect();
    Ok(Json(rows).into_response())
}

async fn restrict_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<RestrictionInput>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let restriction = state
        .app
        .restrict_contact(&staff.actor, &access, person, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(restriction)).into_response())
}

/// Settles a step after an abuse disclosure as done or not needed.
async fn settle_disclosure_action(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, action)): Path<(String, String)>,
    Json(body): Json<cradle_domain::disclosures::SettleInput>,
) -> Result<Response, Failure> {
    let action = action
        .parse::<uuid::Uuid>()
        .map_err(|_| Failure(Problem::NotFound))?;
    let settled = state
        .app
        .settle_disclosure_action(&staff.actor, &access, action, &body)
        .await?;
    Ok(Json(settled).into_response())
}

/// Renews a decision after its review: who decided, why, and the next review date.
async fn renew_restriction(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
    Json(body): Json<RestrictionInput>,
) -> Result<Response, Failure> {
    let restriction = RestrictionId::parse(&restriction).ok_or(Failure(Problem::NotFound))?;
    let renewal = state
        .app
        .renew_restriction(&staff.actor, &access, restriction, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(renewal)).into_response())
}

#[derive(Deserialize)]
struct LiftBody {
    #[serde(default)]
    reason: String,
}

/// Lifts a decision: who, when and why are kept with it.
async fn lift_restriction(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
    Json(body): Json<LiftBody>,
) -> Result<Response, Failure> {
    let restriction = RestrictionId::parse(&restriction).ok_or(Failure(Problem::NotFound))?;
    state
        .app
        .lift_restriction(&staff.actor, &access, restriction, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn add_relationship(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<RelationshipInput>,
) -> Result<Response, Failure> {
    let relationship = state
        .app
        .add_relationship(&staff.actor, &access, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(relationship)).into_response())
}

async fn record_birth(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, baby)): Path<(String, String)>,
    Json(body): Json<BirthInput>,
) -> Result<Response, Failure> {
    let baby = BabyId::parse(&baby).ok_or(Failure(Problem::NotFound))?;
    let born = state
        .app
        .record_birth(&staff.actor, &access, baby, &body)
        .await?;
    Ok(Json(born).into_response())
}
