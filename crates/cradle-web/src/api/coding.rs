//! Video feedback coding in the API: each team's coding schemes (every version kept), the
//! moments coded on a recording's timeline with their corrections, and two coders'
//! agreement with its method in words. The same access checks and audit as the pages.

use super::input::{path_ids, ApiBody, TeamPath};
use super::{record_id, team_id};
use crate::auth::{AnyStaff, ChangeRecords, FamilyScoped, ManageTeamPractice, ReadRecords, Staff};
use crate::error::Failure;
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use cradle_domain::agreement::{Kappa, Onsets};
use cradle_domain::coded_events::{CodedEvent, EventContent, EventInput};
use cradle_domain::coding::{CodeInput, CodeSubject, CodingScheme, EventKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(coding_schemes))
        .routes(routes!(coding_scheme))
        .routes(routes!(save_code))
        .routes(routes!(recording_coding, code_event))
        .routes(routes!(correct_event))
        .routes(routes!(coders_agreement))
        .routes(routes!(coding_as_eaf))
        .routes(routes!(coding_as_csv))
        .routes(routes!(import_eaf))
}

const TAG: &str = "Video feedback coding";

path_ids!(
    /// One of the team's coding schemes.
    SchemePath {
        /// The team's id.
        id,
        /// The scheme's id.
        scheme,
    }
);

path_ids!(
    /// One of the family's recordings.
    CodingPath {
        /// The family's id.
        id,
        /// The recording's id.
        recording,
    }
);

path_ids!(
    /// One event coded on a recording.
    EventPath {
        /// The family's id.
        id,
        /// The recording's id.
        recording,
        /// The event's id.
        event,
    }
);

/// The team's coding schemes
///
/// The newest version of each, in the order they were made. A team starts with Cradle's: the
/// baby's signals and attuned responses, and the VIPP themes. For the team's own staff.
#[utoipa::path(get, path = "/teams/{id}/coding-schemes", tag = TAG, params(TeamPath),
    responses(
        (status = 200, description = "The schemes", body = Vec<CodingScheme>),
        (status = 403, description = "Not one of the team's staff"),
        (status = 404, description = "No such team"),
    ))]
async fn coding_schemes(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let schemes = state
        .app
        .coding_schemes(&staff.actor, team_id(&id)?)
        .await?;
    Ok(Json(schemes).into_response())
}

/// Which version of a scheme.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SchemeVersion {
    /// A version kept (1 for the scheme as first made); the newest when left out.
    #[param(minimum = 1)]
    version: Option<u32>,
}

/// One coding scheme, at a version
///
/// Events keep the version they were coded under, so every version stays readable.
#[utoipa::path(get, path = "/teams/{id}/coding-schemes/{scheme}", tag = TAG,
    params(SchemePath, SchemeVersion),
    responses(
        (status = 200, description = "The scheme at that version", body = CodingScheme),
        (status = 403, description = "Not one of the team's staff"),
        (status = 404, description = "No such team, scheme or version"),
    ))]
async fn coding_scheme(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Path((id, scheme)): Path<(String, String)>,
    Query(which): Query<SchemeVersion>,
) -> Result<Response, Failure> {
    let scheme = state
        .app
        .coding_scheme(
            &staff.actor,
            team_id(&id)?,
            record_id(&scheme)?,
            which.version,
        )
        .await?;
    Ok(Json(scheme).into_response())
}

/// A code added to a scheme, or changed.
#[derive(Deserialize, ToSchema)]
struct CodeRecord {
    /// The version of the scheme this change was made from (409 if it has moved on).
    #[schema(minimum = 1)]
    version: u32,
    /// The code to change; left out to add a new code, named from its label.
    code: Option<String>,
    /// What a clinician calls it ("Smiles").
    #[schema(max_length = 60)]
    label: String,
    /// The heading it sits under ("The baby's signals").
    #[schema(max_length = 60)]
    group: String,
    /// What counts, for coders to agree on.
    #[serde(default)]
    #[schema(max_length = 500)]
    description: String,
    kind: EventKind,
    subject: CodeSubject,
    /// Optional details a coder may add (at most 12).
    #[serde(default)]
    modifiers: Vec<String>,
    /// One letter or digit, not J, K or L (the player's), not another code's in use.
    #[schema(max_length = 1)]
    shortcut: String,
    /// No longer offered for new coding; events already coded keep it.
    #[serde(default)]
    retired: bool,
}

impl ApiBody for CodeRecord {
    type Input = (u32, CodeInput);

    fn into_input(self) -> Result<(u32, CodeInput), Failure> {
        Ok((
            self.version,
            CodeInput {
                code: self.code.unwrap_or_default(),
                label: self.label,
                group: self.group,
                description: self.description,
                kind: self.kind.code().to_string(),
                subject: self.subject.code().to_string(),
                modifiers: self.modifiers.join("\n"),
                shortcut: self.shortcut,
                retired: self.retired,
            },
        ))
    }
}

/// Add or change a code
///
/// Team managers, for their own teams. Each change is the scheme's next version; the one
/// before stays readable. Audited.
#[utoipa::path(post, path = "/teams/{id}/coding-schemes/{scheme}/codes", tag = TAG,
    params(SchemePath),
    request_body = CodeRecord,
    responses(
        (status = 200, description = "The scheme's new version", body = CodingScheme),
        (status = 403, description = "Not a manager of the team"),
        (status = 404, description = "No such team, scheme or code"),
        (status = 409, description = "The scheme was changed since that version"),
        (status = 422, description = "The code has problems; nothing was saved"),
    ))]
async fn save_code(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((id, scheme)): Path<(String, String)>,
    Json(body): Json<CodeRecord>,
) -> Result<Response, Failure> {
    let (version, input) = body.into_input()?;
    let scheme = state
        .app
        .save_code(
            &staff.actor,
            team_id(&id)?,
            record_id(&scheme)?,
            version,
            &input,
        )
        .await
        .map_err(CodeRecord::fields)?;
    Ok(Json(scheme).into_response())
}

/// Everything coded on a recording.
#[derive(Serialize, ToSchema)]
struct RecordingCoding {
    recording: uuid::Uuid,
    /// How long the film runs, in milliseconds.
    duration_millis: u64,
    /// Who coded it, in the order they first coded.
    coders: Vec<Coder>,
    /// Every coder's events, in time order, removed ones included (with their history).
    events: Vec<CodedEvent>,
}

/// Someone who coded a recording.
#[derive(Serialize, ToSchema)]
struct Coder {
    id: uuid::Uuid,
    name: String,
}

/// Everything coded on a recording
///
/// Every coder's events with their history. Audited as a read of the record.
#[utoipa::path(get, path = "/families/{id}/recordings/{recording}/coding", tag = TAG,
    params(CodingPath),
    responses(
        (status = 200, description = "The coding", body = RecordingCoding),
        (status = 404, description = "No such family or recording"),
    ))]
async fn recording_coding(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let coding = state
        .app
        .recording_coding(&staff.actor, &access, record_id(&recording)?)
        .await?;
    Ok(Json(RecordingCoding {
        recording: coding.recording.id,
        duration_millis: coding
            .recording
            .media
            .as_ref()
            .map_or(0, |m| m.duration_millis),
        coders: coding
            .coders()
            .into_iter()
            .map(|(id, name)| Coder { id, name })
            .collect(),
        events: coding.events,
    })
    .into_response())
}

/// An event coded on a recording's timeline.
#[derive(Deserialize, ToSchema)]
struct EventRecord {
    /// The team's scheme it is coded under (its newest version).
    scheme: uuid::Uuid,
    /// A code in use in the scheme.
    code: String,
    /// "baby:{id}" for one of the family's babies, or "mother" or a person's id for a
    /// caregiver on the recording.
    subject: String,
    /// Milliseconds from the film's start.
    #[schema(minimum = 0)]
    start_millis: u64,
    /// The end of a state (after its start, within the film); left out for a moment.
    #[schema(minimum = 0)]
    end_millis: Option<u64>,
    /// Modifiers the code offers.
    #[serde(default)]
    modifiers: Vec<String>,
    /// What the coder noticed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    note: String,
}

impl EventRecord {
    fn input(self) -> (uuid::Uuid, EventInput) {
        (
            self.scheme,
            EventInput {
                code: self.code,
                subject: self.subject,
                start_millis: Some(self.start_millis),
                end_millis: self.end_millis,
                modifiers: self.modifiers,
                note: self.note,
            },
        )
    }
}

/// Code an event
///
/// A moment or a state, of the baby or a caregiver on film, while the recording's consent is
/// in force for the purpose it was made for. The coder's own: another coder of the same
/// recording codes apart. Audited.
#[utoipa::path(post, path = "/families/{id}/recordings/{recording}/coding", tag = TAG,
    params(CodingPath),
    request_body = EventRecord,
    responses(
        (status = 201, description = "The event", body = CodedEvent),
        (status = 404, description = "No such family, recording or scheme"),
        (status = 409, description = "The recording may not be coded now (not uploaded, or its consent not in force)"),
        (status = 422, description = "The event has problems; nothing was saved"),
    ))]
async fn code_event(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
    Json(body): Json<EventRecord>,
) -> Result<Response, Failure> {
    let (scheme, input) = body.input();
    let event = state
        .app
        .code_event(
            &staff.actor,
            &access,
            record_id(&recording)?,
            scheme,
            &input,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(event)).into_response())
}

/// A correction of an event, or its removal.
#[derive(Deserialize, ToSchema)]
struct EventCorrection {
    /// The event's version this correction was made from (409 if it has moved on).
    #[schema(minimum = 1)]
    version: u32,
    /// True to remove the event (its history stays); what it says is then not read.
    #[serde(default)]
    remove: bool,
    /// Why it is corrected or removed.
    #[schema(max_length = 500)]
    reason: String,
    /// What the event now says, as when it was coded (under the scheme's version it was
    /// coded under): a code in use in it.
    code: Option<String>,
    /// "baby:{id}", "mother" or a person's id on the recording.
    subject: Option<String>,
    /// Milliseconds from the film's start.
    #[schema(minimum = 0)]
    start_millis: Option<u64>,
    /// The end of a state; left out for a moment.
    #[schema(minimum = 0)]
    end_millis: Option<u64>,
    #[serde(default)]
    modifiers: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    note: String,
}

/// Correct or remove an event
///
/// Only by the coder who coded it; the version before is kept with who changed it, when and
/// why. Audited.
#[utoipa::path(post, path = "/families/{id}/recordings/{recording}/coding/{event}", tag = TAG,
    params(EventPath),
    request_body = EventCorrection,
    responses(
        (status = 200, description = "The event as corrected", body = CodedEvent),
        (status = 404, description = "No such family, recording or event"),
        (status = 409, description = "Not your event, or it was corrected since that version"),
        (status = 422, description = "The correction has problems; nothing was saved"),
    ))]
async fn correct_event(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording, event)): Path<(String, String, String)>,
    Json(body): Json<EventCorrection>,
) -> Result<Response, Failure> {
    let input = EventInput {
        code: body.code.unwrap_or_default(),
        subject: body.subject.unwrap_or_default(),
        start_millis: body.start_millis,
        end_millis: body.end_millis,
        modifiers: body.modifiers,
        note: body.note,
    };
    let event = state
        .app
        .correct_event(
            &staff.actor,
            &access,
            record_id(&recording)?,
            record_id(&event)?,
            body.version,
            &input,
            body.remove,
            &body.reason,
        )
        .await?;
    Ok(Json(event).into_response())
}

/// Whose agreement, measured how.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AgreementAsked {
    /// One coder's id (as `coders` in the recording's coding lists them).
    first: uuid::Uuid,
    /// The other coder's id.
    second: uuid::Uuid,
    /// The length of a time unit in milliseconds (100 to 60000; 1000 if left out).
    unit_millis: Option<u64>,
    /// How far apart onsets may be and still match, in milliseconds (0 to 10000; 1000 if
    /// left out).
    tolerance_millis: Option<u64>,
}

/// Two coders' agreement on a recording.
#[derive(Serialize, ToSchema)]
struct AgreementReport {
    first: Coder,
    second: Coder,
    /// How every figure below was found, in words.
    method: String,
    unit_millis: u64,
    tolerance_millis: u64,
    /// Each code either coder used, with its subject.
    codes: Vec<CodeFigures>,
    overall: Figures,
}

/// The figures for one code (or overall).
#[derive(Serialize, ToSchema)]
struct Figures {
    /// Cohen's kappa over time units; null where it is not defined (chance alone would agree
    /// fully).
    kappa: Option<f64>,
    /// The percentage of time units on which the coders agree.
    units_agreeing_percent: f64,
    /// The percentage of onsets matched within the tolerance; null where neither coded any.
    onsets_matched_percent: Option<f64>,
    units: Kappa,
    onsets: Onsets,
}

impl Figures {
    fn of(units: Kappa, onsets: Onsets) -> Self {
        Self {
            kappa: units.kappa,
            units_agreeing_percent: units.percent(),
            onsets_matched_percent: onsets.percent(),
            units,
            onsets,
        }
    }
}

/// One code's figures.
#[derive(Serialize, ToSchema)]
struct CodeFigures {
    code: String,
    /// "baby:{id}", "mother" or a person's id.
    subject: String,
    #[serde(flatten)]
    figures: Figures,
}

/// Two coders' agreement
///
/// Cohen's kappa and percentage agreement over time units of a stated length, and onsets
/// matched within a stated tolerance, per code (and subject) and overall, with the method in
/// words beside them. Audited as a read of the record.
#[utoipa::path(get, path = "/families/{id}/recordings/{recording}/agreement", tag = TAG,
    params(CodingPath, AgreementAsked),
    responses(
        (status = 200, description = "The agreement", body = AgreementReport),
        (status = 404, description = "No such family or recording, or a coder who has not coded it"),
        (status = 422, description = "The same coder twice, or a unit or tolerance out of range"),
    ))]
async fn coders_agreement(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
    Query(asked): Query<AgreementAsked>,
) -> Result<Response, Failure> {
    let unit_millis = asked.unit_millis.unwrap_or(1000);
    let tolerance_millis = asked.tolerance_millis.unwrap_or(1000);
    let found = state
        .app
        .coders_agreement(
            &staff.actor,
            &access,
            record_id(&recording)?,
            (asked.first, asked.second),
            unit_millis,
            tolerance_millis,
        )
        .await?;
    let codes = found
        .agreement
        .codes
        .iter()
        .map(|c| {
            let (code, subject) = c.code.split_once(' ').unwrap_or((c.code.as_str(), ""));
            CodeFigures {
                code: code.to_string(),
                subject: subject.to_string(),
                figures: Figures::of(c.units, c.onsets),
            }
        })
        .collect();
    Ok(Json(AgreementReport {
        first: Coder {
            id: found.first.0,
            name: found.first.1,
        },
        second: Coder {
            id: found.second.0,
            name: found.second.1,
        },
        method: found.method,
        unit_millis,
        tolerance_millis,
        codes,
        overall: Figures::of(
            found.agreement.overall_units,
            found.agreement.overall_onsets,
        ),
    })
    .into_response())
}

/// Which coding to export.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EafAsked {
    /// The team's scheme whose events are exported.
    scheme: uuid::Uuid,
    /// The coder whose events are exported; you when left out.
    coder: Option<uuid::Uuid>,
}

/// A file to download, named.
fn download(file: cradle_app::coding::CodingFile, content_type: &'static str) -> Response {
    let mut response = Response::new(axum::body::Body::from(file.text));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// One coder's coding as an ELAN file
///
/// EAF 3.0: a tier for each subject and code, times in milliseconds, the scheme as a
/// controlled vocabulary, notes and modifiers on dependent tiers. Audited as a read.
#[utoipa::path(get, path = "/families/{id}/recordings/{recording}/coding.eaf", tag = TAG,
    params(CodingPath, EafAsked),
    responses(
        (status = 200, description = "The EAF file", content_type = "application/xml", body = String),
        (status = 404, description = "No such family, recording or scheme"),
    ))]
async fn coding_as_eaf(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
    Query(asked): Query<EafAsked>,
) -> Result<Response, Failure> {
    let file = state
        .app
        .coding_as_eaf(
            &staff.actor,
            &access,
            record_id(&recording)?,
            asked.scheme,
            asked.coder,
        )
        .await?;
    Ok(download(file, "application/xml; charset=utf-8"))
}

/// Every coder's events as CSV
///
/// One row an event: coder, code, subject, start and end in seconds, modifiers, note,
/// scheme and its version. Audited as a read.
#[utoipa::path(get, path = "/families/{id}/recordings/{recording}/coding.csv", tag = TAG,
    params(CodingPath),
    responses(
        (status = 200, description = "The CSV", content_type = "text/csv", body = String),
        (status = 404, description = "No such family or recording"),
    ))]
async fn coding_as_csv(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let file = state
        .app
        .coding_as_csv(&staff.actor, &access, record_id(&recording)?)
        .await?;
    Ok(download(file, "text/csv; charset=utf-8"))
}

/// Which scheme an import maps to, and whether to keep it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportAsked {
    /// The team's scheme the file's values are mapped to.
    scheme: uuid::Uuid,
    /// True to keep every event that maps; otherwise nothing is kept and the answer says what
    /// would be.
    #[serde(default)]
    confirm: bool,
}

/// What an ELAN file held.
#[derive(Serialize, ToSchema)]
struct ImportReport {
    /// Events kept: 0 until confirmed.
    kept: usize,
    /// Every annotation that maps to the scheme and to someone on the recording.
    events: Vec<EventContent>,
    /// Tiers whose subject is not the baby or a caregiver on the recording.
    unmapped_tiers: Vec<String>,
    /// Values that are not a code in use in the scheme.
    unmapped_codes: Vec<String>,
    /// Modifiers their code does not offer (left off the events).
    unmapped_modifiers: Vec<String>,
}

/// Import an ELAN file as your coding
///
/// The file's tiers are mapped to the baby and the caregivers on the recording, its values to
/// the scheme's codes; what does not map is reported. Nothing is kept until `confirm=true`,
/// and then every event that maps is kept together, or none. A file with a document type
/// declaration, negative or broken times, overlapping annotations on one tier or broken
/// references is refused whole (422, saying why). Audited when kept.
#[utoipa::path(post, path = "/families/{id}/recordings/{recording}/coding/import", tag = TAG,
    params(CodingPath, ImportAsked),
    request_body(content = String, content_type = "application/xml", description = "The EAF file"),
    responses(
        (status = 200, description = "What the file held, and how many events were kept", body = ImportReport),
        (status = 404, description = "No such family, recording or scheme"),
        (status = 409, description = "The recording may not be coded now"),
        (status = 422, description = "The file was refused whole; nothing was kept"),
    ))]
async fn import_eaf(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
    Query(asked): Query<ImportAsked>,
    body: String,
) -> Result<Response, Failure> {
    let imported = state
        .app
        .import_eaf(
            &staff.actor,
            &access,
            record_id(&recording)?,
            asked.scheme,
            &body,
            asked.confirm,
        )
        .await?;
    Ok(Json(ImportReport {
        kept: imported.kept,
        events: imported.found.events,
        unmapped_tiers: imported.found.unmapped_tiers,
        unmapped_codes: imported.found.unmapped_codes,
        unmapped_modifiers: imported.found.unmapped_modifiers,
    })
    .into_response())
}
