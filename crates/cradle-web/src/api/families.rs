//! Families in the API: the caller's caseload, adding a family, reading a family's record
//! (audited), emergency access to another team's family, who has read a record, and the
//! ecomap.

use super::input::{checked, date_boxes, ApiBody, FamilyPath};
use crate::auth::{BreakGlass, ChangeRecords, FamilyScoped, ReadRecords, Staff, ViewRecordAudit};
use crate::error::{Failure, Problem};
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::{
    Family, FamilyId, FamilyInput, FamilySummary, PerinatalStage, Problems, TeamId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(list_families, create_family))
        .routes(routes!(read_family))
        .routes(routes!(break_glass))
        .routes(routes!(family_audit))
        .routes(routes!(ecomap))
}

const TAG: &str = "Families";

/// A page of the caller's teams' families.
#[derive(Serialize, ToSchema)]
struct FamilyList {
    #[schema(value_type = Vec<FamilySummary>)]
    families: Vec<std::sync::Arc<FamilySummary>>,
    /// At least this many when `total_is_lower_bound` (a search stops counting at 1,000).
    total: u64,
    total_is_lower_bound: bool,
    page_size: u32,
    /// Pass as `after` for the next page; absent on the last page.
    next_after: Option<FamilyId>,
    /// Pass as `before` for the page before; absent on the first page.
    previous_before: Option<FamilyId>,
}

/// Which page of the caseload, and whose.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query for the API document; the handler reads the pages' own"
)]
struct ListParams {
    /// Start of the mother's name, the mother's or a baby's NHS number, or a full postcode of
    /// anyone in the family.
    q: Option<String>,
    /// The next page: the `next_after` of the page before.
    after: Option<uuid::Uuid>,
    /// The page before: the `previous_before` of the page after.
    before: Option<uuid::Uuid>,
    /// A page number counted from the start (slower deep into a large caseload than
    /// `after`).
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// 1 for only the families the caller is key worker for.
    #[param(pattern = "^1$")]
    mine: Option<String>,
}

/// List the caller's teams' families
///
/// 25 a page, ordered by the mother's name; follow `next_after` / `previous_before` to page.
/// Audited with the ids shown.
#[utoipa::path(get, path = "/families", tag = TAG, params(ListParams),
    responses((status = 200, description = "A page of families", body = FamilyList)))]
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

/// A new family: the mother, the stage of care and the baby or pregnancy.
#[derive(Deserialize, ToSchema)]
struct NewFamily {
    /// One of the caller's teams. Read as text so that a team id that is not one is named
    /// as this field's problem (422), with the other fields' problems.
    #[serde(default)]
    #[schema(value_type = TeamId, required = true)]
    team_id: String,
    #[serde(default)]
    #[schema(max_length = 200, required = true)]
    mother_name: String,
    /// 10 digits, modulus 11 checked.
    #[serde(default)]
    mother_nhs_number: Option<String>,
    /// Before the baby's date of birth; the mother at least 10 years old.
    #[serde(default)]
    #[schema(format = Date)]
    mother_date_of_birth: Option<String>,
    /// A full UK postcode.
    #[serde(default)]
    mother_postcode: Option<String>,
    /// The language she prefers ("Bengali").
    #[serde(default)]
    mother_language: Option<String>,
    /// Whether she needs an interpreter (asked about at every contact with her when true).
    #[serde(default)]
    mother_interpreter_needed: Option<bool>,
    #[serde(default)]
    #[schema(value_type = PerinatalStage, required = true)]
    stage: String,
    #[serde(default)]
    baby_name: Option<String>,
    /// Required when postnatal.
    #[serde(default)]
    #[schema(format = Date)]
    baby_date_of_birth: Option<String>,
    /// Required when antenatal.
    #[serde(default)]
    #[schema(format = Date)]
    due_date: Option<String>,
    /// Completed weeks and days at birth, "34+2", for a baby born early.
    #[serde(default)]
    gestation_at_birth: Option<String>,
    /// Today if left out.
    #[serde(default)]
    #[schema(format = Date)]
    referral_date: Option<String>,
}

impl ApiBody for NewFamily {
    type Input = FamilyInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[
        ("mother_dob", "mother_date_of_birth"),
        ("baby_dob", "baby_date_of_birth"),
        ("gestation", "gestation_at_birth"),
    ];

    fn into_input(self) -> Result<FamilyInput, Failure> {
        let mut problems = Problems::default();
        let mut date = |field: &'static str, text: Option<String>| {
            date_boxes(field, text.as_deref().unwrap_or_default(), &mut problems)
        };
        let (mother_dob_day, mother_dob_month, mother_dob_year) =
            date("mother_date_of_birth", self.mother_date_of_birth);
        let (baby_dob_day, baby_dob_month, baby_dob_year) =
            date("baby_date_of_birth", self.baby_date_of_birth);
        let (due_day, due_month, due_year) = date("due_date", self.due_date);
        let (referral_day, referral_month, referral_year) =
            date("referral_date", self.referral_date);
        let input = FamilyInput {
            team_id: self.team_id,
            mother_name: self.mother_name,
            mother_nhs_number: self.mother_nhs_number.unwrap_or_default(),
            mother_dob_day,
            mother_dob_month,
            mother_dob_year,
            mother_postcode: self.mother_postcode.unwrap_or_default(),
            mother_language: self.mother_language.unwrap_or_default(),
            mother_interpreter_needed: match self.mother_interpreter_needed {
                Some(true) => "yes",
                _ => "no",
            }
            .to_string(),
            stage: self.stage,
            baby_name: self.baby_name.unwrap_or_default(),
            baby_dob_day,
            baby_dob_month,
            baby_dob_year,
            due_day,
            due_month,
            due_year,
            gestation_weeks: self.gestation_at_birth.unwrap_or_default(),
            gestation_days: String::new(),
            referral_day,
            referral_month,
            referral_year,
        };
        checked(input, problems)
    }
}

/// Add a family
///
/// Creates a family record in one of the caller's teams. Validation problems are answered
/// with 422 and an `errors` list naming each field.
#[utoipa::path(post, path = "/families", tag = TAG, request_body = NewFamily,
    responses(
        (status = 201, description = "The family as stored", body = Family),
        (status = 422, description = "The family has problems; nothing was saved"),
    ))]
async fn create_family(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Json(body): Json<NewFamily>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let family: Family = state
        .app
        .create_family(&staff.actor, &input)
        .await
        .map_err(NewFamily::fields)?;
    Ok((StatusCode::CREATED, Json(family)).into_response())
}

fn family_id(text: &str) -> Result<FamilyId, Failure> {
    FamilyId::parse(text).ok_or(Failure(Problem::NotFound))
}

/// A family's record as the API reads it: what is due next, the reason for emergency access
/// when the read is one, and the record itself. The answer is written in two parts (see
/// `read_family`); this says what the two make together.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the read for the API document; read_family writes it in two parts"
)]
struct FamilyRead<'a> {
    /// What is due next for the family's care, as the caseload says it.
    next_due: String,
    /// Present when the caller reads the record under emergency (break-glass) access.
    break_glass_reason: Option<String>,
    #[serde(flatten)]
    record: FamilyReadJson<'a>,
}

/// Read a family record
///
/// The family with its babies, the people around the baby, their relationships, any do not
/// contact / do not involve decisions, and every section of the record. Audited: nothing is
/// returned until the read's audit record is committed.
#[utoipa::path(get, path = "/families/{id}", tag = TAG, params(FamilyPath),
    responses(
        (status = 200, description = "The family", body = FamilyRead),
        (status = 404, description = "No such family"),
    ))]
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
        filming_consents: &record.filming_consents,
        recordings: &record.recordings,
    })
    .map_err(internal)
}

/// The API's family read, written straight from the record (no intermediate JSON tree: this
/// is the most frequent API answer).
#[derive(Serialize, ToSchema)]
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
    /// Consents to film for video feedback, withdrawn ones included (with when and why).
    filming_consents: &'a [cradle_domain::filming::FilmingConsent],
    /// Video feedback recordings, deleted ones included (what was deleted, when and why).
    recordings: &'a [cradle_domain::recordings::Recording],
}

/// Emergency access to another team's family.
#[derive(Deserialize, ToSchema)]
struct BreakGlassRequest {
    /// Why, in at least 15 characters: kept in the audit trail with every read.
    #[schema(min_length = 15, max_length = 1000)]
    reason: String,
    /// The 6-digit code the caller's authenticator app shows now.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    code: String,
}

/// Emergency access granted.
#[derive(Serialize, ToSchema)]
struct BreakGlassGranted {
    family_id: FamilyId,
    reason: Option<String>,
    /// How long the access lasts.
    minutes: i64,
}

/// Emergency (break-glass) access to another team's family
///
/// Grants the caller time-limited access to a family cared for by another team. A reason of
/// at least 15 characters and a current code from the caller's second factor (set up on the
/// Your account page) are required; the grant and every later read carry the reason in the
/// audit trail.
#[utoipa::path(post, path = "/families/{id}/break-glass", tag = TAG, params(FamilyPath),
    request_body = BreakGlassRequest,
    responses(
        (status = 201, description = "Access granted", body = BreakGlassGranted),
        (status = 404, description = "No such family"),
        (status = 422, description = "The reason is missing or too short, or the code is missing or not right (or the caller has no second factor)"),
    ))]
async fn break_glass(
    State(state): State<WebState>,
    staff: Staff<BreakGlass>,
    Path(id): Path<String>,
    Json(body): Json<BreakGlassRequest>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    let access = state
        .app
        .break_glass(&staff.actor, id, &body.reason, &body.code)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BreakGlassGranted {
            family_id: access.family_id(),
            reason: access.break_glass_reason().map(str::to_string),
            minutes: state.app.settings.break_glass_millis / 60_000,
        }),
    )
        .into_response())
}

/// One record of the audit trail about a family.
#[derive(Serialize, ToSchema)]
struct AuditEntry {
    seq: i64,
    /// Unix seconds.
    at: i64,
    actor_username: String,
    actor_role: Option<String>,
    action: String,
    /// `allowed` or `denied`.
    outcome: String,
    source: String,
    break_glass_reason: Option<String>,
}

/// Who has accessed a family record
///
/// For team managers (their own teams' families) and administrators. Newest first.
#[utoipa::path(get, path = "/families/{id}/audit", tag = TAG, params(FamilyPath),
    responses(
        (status = 200, description = "Audit records", body = Vec<AuditEntry>),
        (status = 404, description = "No such family"),
    ))]
async fn family_audit(
    State(state): State<WebState>,
    staff: Staff<ViewRecordAudit>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    let records = state.app.family_audit(&staff.actor, id).await?;
    let rows: Vec<AuditEntry> = records
        .into_iter()
        .map(|r| AuditEntry {
            seq: r.seq,
            at: cradle_domain::dates::from_millis(r.at_millis).unix_timestamp(),
            actor_username: r.actor_username,
            actor_role: r.actor_role,
            action: r.action,
            outcome: r.outcome,
            source: r.source,
            break_glass_reason: r.break_glass_reason,
        })
        .collect();
    Ok(Json(rows).into_response())
}

/// The family's ecomap
///
/// An SVG picture with the baby at the centre and each person around; its `<title>` and
/// `<desc>` give the text alternative. Audited as a read of the family.
#[utoipa::path(get, path = "/families/{id}/ecomap.svg", tag = TAG, params(FamilyPath),
    responses(
        (status = 200, description = "The ecomap", content_type = "image/svg+xml", body = String),
        (status = 404, description = "No such family"),
    ))]
async fn ecomap(
    state: State<WebState>,
    family: FamilyScoped<ReadRecords>,
) -> Result<Response, Failure> {
    crate::pages::network::ecomap(state, family).await
}
