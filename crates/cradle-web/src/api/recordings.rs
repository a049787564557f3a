//! Recordings in the API: uploads by the tus 1.0 resumable-upload protocol (creation, then
//! `HEAD` for where it stands and `PATCH` to send more), the film itself with HTTP range
//! requests (each request a viewing, audited with its purpose), and deletion. The same
//! access checks and audit as the pages.
//!
//! An upload is described when it is created, in tus's `Upload-Metadata` (each value in
//! base64): `consent`, `purpose`, `on_film` ("mother" and people's ids, separated by commas),
//! `filmed_on` (an ISO date), `description`, `filename` and, when the device computed it,
//! `checksum` (the file's SHA-256 in hex), with the size in `Upload-Length`.

use super::input::{date_boxes, path_ids, FamilyPath, TeamPath};
use super::{record_id, team_id};
use crate::auth::{AnyStaff, ChangeRecords, FamilyScoped, ManageTeamPractice, ReadRecords, Staff};
use crate::error::{Failure, Problem};
use crate::json::Json;
use crate::WebState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use cradle_app::AppError;
use cradle_domain::filming::FilmingPurpose;
use cradle_domain::recordings::{Recording, RecordingInput, RetentionPeriods};
use cradle_domain::Problems;
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Whether `path` is a recording's upload (`/api/v1/families/{id}/recordings/{recording}/upload`),
/// whose `PATCH` carries film, not text.
pub fn is_upload_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(
        parts.as_slice(),
        ["", "api", "v1", "families", _, "recordings", _, "upload"]
    )
}

/// The content type of a tus `PATCH`: the recording's next bytes.
pub const UPLOAD_CONTENT_TYPE: &str = "application/offset+octet-stream";
const TUS_VERSION: &str = "1.0.0";
/// Bytes of film sent in each piece of an answer.
const PIECE: u64 = 1024 * 1024;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(start_upload))
        .routes(routes!(upload_offset, send_upload))
        // A recording's bytes stream through, sealed as they come; the limit on other
        // bodies would stop them. These routes hold no more than a part in memory.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .routes(routes!(film))
        .routes(routes!(poster))
        .routes(routes!(recording_retention, save_recording_retention))
        .routes(routes!(delete_recording))
}

const TAG: &str = "Video feedback";

/// A recording's bytes, as they are sent and played.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "describes the bytes for the API document only")]
struct FilmBytes(Vec<u8>);

path_ids!(
    /// One of the family's recordings.
    RecordingPath {
        /// The family's id.
        id,
        /// The recording's id.
        recording,
    }
);

fn tus_headers(response: &mut Response) {
    response
        .headers_mut()
        .insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A tus creation's `Upload-Metadata` and `Upload-Length`, as the domain's input.
fn described(headers: &HeaderMap) -> Result<RecordingInput, Failure> {
    let mut problems = Problems::default();
    let mut input = RecordingInput {
        length: header_text(headers, "upload-length")
            .unwrap_or_default()
            .to_string(),
        ..Default::default()
    };
    for pair in header_text(headers, "upload-metadata")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (key, encoded) = pair.split_once(' ').unwrap_or((pair, ""));
        let Some(value) = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|v| String::from_utf8(v).ok())
        else {
            problems.push(cradle_domain::Invalid::new(
                "upload_metadata",
                "Upload-Metadata must hold each value in base64 of UTF-8 text",
            ));
            continue;
        };
        match key {
            "consent" => input.consent = value,
            "purpose" => input.purpose = value,
            "on_film" => {
                input.on_film = value
                    .split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect()
            }
            "filmed_on" => {
                (input.filmed_day, input.filmed_month, input.filmed_year) =
                    date_boxes("filmed_on", &value, &mut problems)
            }
            "description" => input.description = value,
            "filename" => input.file_name = value,
            "checksum" => input.checksum = value,
            _ => {}
        }
    }
    super::input::checked(input, problems)
}

/// Begin uploading a recording (tus creation)
///
/// Checked first against the family's consents to film: one of this family's, in force,
/// covering the `purpose` and everyone `on_film` (422 naming the problem otherwise; nothing is
/// kept). Answers 201 with the upload's address in `Location`, where the bytes are sent with
/// `PATCH`. See the module notes for `Upload-Metadata`.
#[utoipa::path(post, path = "/families/{id}/recordings", tag = TAG,
    params(FamilyPath,
        ("Upload-Length" = u64, Header, description = "The file's size in bytes (up to 8 GiB)"),
        ("Upload-Metadata" = String, Header, description = "consent, purpose, on_film, filmed_on, description, filename, checksum: each `key base64value`, separated by commas"),
        ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses(
        (status = 201, description = "The recording, its upload begun; `Location` is where to send it", body = Recording),
        (status = 404, description = "No such family"),
        (status = 422, description = "The recording is not covered by a consent in force, or its description has problems; nothing was kept"),
    ))]
async fn start_upload(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let input = described(&headers)?;
    let recording = state
        .app
        .start_recording(&staff.actor, &access, &input)
        .await?;
    let location = format!(
        "/api/v1/families/{}/recordings/{}/upload",
        access.family_id(),
        recording.id
    );
    let mut response = (StatusCode::CREATED, Json(recording)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    tus_headers(&mut response);
    Ok(response)
}

fn offset_headers(response: &mut Response, recording: &Recording) {
    let headers = response.headers_mut();
    headers.insert("upload-offset", HeaderValue::from(recording.received));
    headers.insert("upload-length", HeaderValue::from(recording.length));
    tus_resumable(headers);
}

fn tus_resumable(headers: &mut HeaderMap) {
    headers.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
}

/// Where an upload stands (tus)
///
/// `Upload-Offset` is how many bytes are kept: send the rest from there.
#[utoipa::path(head, path = "/families/{id}/recordings/{recording}/upload", tag = TAG,
    params(RecordingPath),
    responses(
        (status = 200, description = "`Upload-Offset` and `Upload-Length` say where it stands"),
        (status = 404, description = "No such family or recording"),
    ))]
async fn upload_offset(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let id = record_id(&recording)?;
    let recording = state.app.upload_offset(&staff.actor, &access, id).await?;
    let mut response = StatusCode::OK.into_response();
    offset_headers(&mut response, &recording);
    Ok(response)
}

/// Send more of an upload (tus)
///
/// The bytes from `Upload-Offset`, which must be where the upload stands (409 otherwise,
/// with where it stands). Whole parts are kept as they arrive, so an upload cut off resumes
/// from the last part kept. When the last byte arrives the recording is checked (its
/// SHA-256 against `checksum`, when given) and becomes viewable; one that fails is deleted
/// and refused with 422.
#[utoipa::path(patch, path = "/families/{id}/recordings/{recording}/upload", tag = TAG,
    params(RecordingPath,
        ("Upload-Offset" = u64, Header, description = "Where these bytes begin"),
        ("Tus-Resumable" = String, Header, description = "1.0.0")),
    request_body(content = FilmBytes, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Kept; `Upload-Offset` says how much of it in all"),
        (status = 404, description = "No such family or recording"),
        (status = 409, description = "Not where the upload stands, or already finished"),
        (status = 415, description = "Not application/offset+octet-stream"),
        (status = 422, description = "More than the declared length, or the finished file fails its check"),
    ))]
async fn send_upload(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    let id = record_id(&recording)?;
    if header_text(&headers, header::CONTENT_TYPE.as_str()) != Some(UPLOAD_CONTENT_TYPE) {
        return Err(Failure(Problem::UnsupportedMediaType(format!(
            "Send the recording's bytes as {UPLOAD_CONTENT_TYPE}."
        ))));
    }
    let Some(offset) = header_text(&headers, "upload-offset").and_then(|o| o.parse::<u64>().ok())
    else {
        return Err(Failure(Problem::BadRequest(
            "Upload-Offset must say where these bytes begin, as a whole number.".to_string(),
        )));
    };
    let mut receiving = state
        .app
        .resume_upload(&staff.actor, &access, id, offset)
        .await?;
    let mut stream = body.into_data_stream();
    let mut failed: Option<AppError> = None;
    while let Some(frame) = stream.next().await {
        // A connection cut off ends the stretch; what arrived whole is kept.
        let Ok(bytes) = frame else { break };
        if let Err(error) = receiving.push(&bytes).await {
            failed = Some(error);
            break;
        }
    }
    let closed = receiving.close().await;
    if let Some(error) = failed {
        return Err(error.into());
    }
    let recording = closed?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    offset_headers(&mut response, &recording);
    Ok(response)
}

/// What a recording is viewed for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ViewingFor {
    /// One of the consent's purposes: family_care, supervision, teaching or research.
    purpose: FilmingPurpose,
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` of a film `length` bytes long, as `start..end`.
fn requested_range(headers: &HeaderMap, length: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(text) = header_text(headers, header::RANGE.as_str()) else {
        return Ok(None);
    };
    let spec = text.strip_prefix("bytes=").ok_or(())?;
    if spec.contains(',') {
        return Err(());
    }
    let (from, to) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (from.trim(), to.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| ())?;
            (length.saturating_sub(n), length)
        }
        (from, "") => (from.parse().map_err(|_| ())?, length),
        (from, to) => {
            let to: u64 = to.parse().map_err(|_| ())?;
            (
                from.parse().map_err(|_| ())?,
                to.saturating_add(1).min(length),
            )
        }
    };
    if start >= end || start >= length {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// A recording's film
///
/// For a purpose its consent covers, while that consent is in force, to someone within the
/// consent's scope (409 saying why otherwise). Answers HTTP range requests (`Range:
/// bytes=…`, 206), so playback can seek; each request is audited as a viewing with its
/// purpose. A withdrawal of consent stops an answer already under way.
#[utoipa::path(get, path = "/families/{id}/recordings/{recording}/film", tag = TAG,
    params(RecordingPath, ViewingFor,
        ("Range" = Option<String>, Header, description = "bytes=start-end")),
    responses(
        (status = 200, description = "The whole film, as the type its content showed it to be",
            content((FilmBytes = "video/mp4"), (FilmBytes = "video/webm"), (FilmBytes = "video/x-matroska"))),
        (status = 206, description = "The range asked for",
            content((FilmBytes = "video/mp4"), (FilmBytes = "video/webm"), (FilmBytes = "video/x-matroska"))),
        (status = 404, description = "No such family or recording"),
        (status = 409, description = "It may not be viewed now, or not for that purpose, or not by you"),
        (status = 416, description = "A range outside the film"),
    ))]
async fn film(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
    Query(viewing_for): Query<ViewingFor>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let id = record_id(&recording)?;
    let asked = header_text(&headers, header::RANGE.as_str()).unwrap_or("the whole film");
    let viewing = state
        .app
        .view_recording(
            &staff.actor,
            &access,
            id,
            viewing_for.purpose,
            &format!("{:.60}", asked),
        )
        .await?;
    let length = viewing.recording.length;
    let media_type = viewing
        .recording
        .media
        .as_ref()
        .and_then(|m| HeaderValue::from_str(&m.media_type).ok())
        .unwrap_or(HeaderValue::from_static("video/mp4"));
    let range = match requested_range(&headers, length) {
        Ok(range) => range,
        Err(()) => return Err(Failure(Problem::RangeNotSatisfiable { length })),
    };
    let (start, end) = range.unwrap_or((0, length));
    // The first piece is opened before the answer begins, so a film damaged or changed in
    // storage is answered as such rather than as a broken stream.
    let first_end = (start + PIECE).min(end);
    let first = viewing.read(start, first_end).await?;
    let app = state.app.clone();
    let rest = futures_util::stream::unfold((viewing, first_end), move |(viewing, at)| {
        let app = app.clone();
        async move {
            if at >= end {
                return None;
            }
            // Consent withdrawn meanwhile, on any server: the answer stops here.
            match app.still_viewable(&viewing).await {
                Ok(true) => {}
                _ => {
                    return Some((
                        Err(std::io::Error::other("consent to film was withdrawn")),
                        (viewing, end),
                    ))
                }
            }
            let to = (at + PIECE).min(end);
            match viewing.read(at, to).await {
                Ok(bytes) => Some((Ok(bytes), (viewing, to))),
                Err(error) => Some((
                    Err(std::io::Error::other(error.to_string())),
                    (viewing, end),
                )),
            }
        }
    });
    let pieces = futures_util::stream::iter([Ok::<_, std::io::Error>(first)]).chain(rest);
    let mut response = Response::new(Body::from_stream(pieces));
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_TYPE, media_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{length}", end - 1)) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

/// A recording's poster frame
///
/// A still taken from early in the film when it was checked (a JPEG, at most 640 pixels
/// across), for the player to show before it starts. Seeing it is viewing the recording: the
/// same checks as the film, and audited with its purpose.
#[utoipa::path(get, path = "/families/{id}/recordings/{recording}/poster", tag = TAG,
    params(RecordingPath, ViewingFor),
    responses(
        (status = 200, description = "The poster frame", content_type = "image/jpeg", body = FilmBytes),
        (status = 404, description = "No such family or recording, or it has no poster frame"),
        (status = 409, description = "It may not be viewed now, or not for that purpose, or not by you"),
    ))]
async fn poster(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
    Query(viewing_for): Query<ViewingFor>,
) -> Result<Response, Failure> {
    let id = record_id(&recording)?;
    let viewing = state
        .app
        .view_recording(
            &staff.actor,
            &access,
            id,
            viewing_for.purpose,
            "poster frame",
        )
        .await?;
    let image = viewing.poster().await?;
    let mut response = Response::new(Body::from(image));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// How long a team keeps recordings
///
/// Months after upload, for each purpose a family can agree to; a recording goes sooner if
/// its consent is withdrawn or ends. For the team's own staff.
#[utoipa::path(get, path = "/teams/{id}/recording-retention", tag = TAG, params(TeamPath),
    responses(
        (status = 200, description = "The team's periods", body = RetentionPeriods),
        (status = 403, description = "Not one of the team's staff"),
        (status = 404, description = "No such team"),
    ))]
async fn recording_retention(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let periods = state
        .app
        .recording_retention(&staff.actor, team_id(&id)?)
        .await?;
    Ok(Json(periods).into_response())
}

/// Change how long a team keeps recordings
///
/// Team managers, for their own teams: months for each purpose, 1 to 120. The deletion job
/// (hourly) follows the new periods from its next run; the change is audited.
#[utoipa::path(post, path = "/teams/{id}/recording-retention", tag = TAG, params(TeamPath),
    request_body = RetentionPeriods,
    responses(
        (status = 200, description = "The team's periods", body = RetentionPeriods),
        (status = 403, description = "Not a manager of the team"),
        (status = 404, description = "No such team"),
        (status = 422, description = "A period not from 1 to 120 months"),
    ))]
async fn save_recording_retention(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<RetentionPeriods>,
) -> Result<Response, Failure> {
    let typed: Vec<(FilmingPurpose, String)> = FilmingPurpose::ALL
        .iter()
        .map(|p| (*p, body.months(*p).to_string()))
        .collect();
    let typed: Vec<(FilmingPurpose, &str)> = typed.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let periods = state
        .app
        .set_recording_retention(&staff.actor, team_id(&id)?, &typed)
        .await?;
    Ok(Json(periods).into_response())
}

/// Why a recording is deleted.
#[derive(Deserialize, ToSchema)]
struct RecordingDeleting {
    #[schema(max_length = 1000)]
    reason: String,
}

/// Delete a recording
///
/// Its key is destroyed at once and its film removed; the record of what was deleted, when,
/// by whom and why stays (409 once deleted).
#[utoipa::path(post, path = "/families/{id}/recordings/{recording}/delete", tag = TAG,
    params(RecordingPath),
    request_body = RecordingDeleting,
    responses(
        (status = 200, description = "The recording, deleted", body = Recording),
        (status = 404, description = "No such family or recording"),
        (status = 409, description = "Deleted already"),
        (status = 422, description = "No reason given"),
    ))]
async fn delete_recording(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
    Json(body): Json<RecordingDeleting>,
) -> Result<Response, Failure> {
    let id = record_id(&recording)?;
    let deleted = state
        .app
        .delete_recording(&staff.actor, &access, id, &body.reason)
        .await?;
    Ok(Json(deleted).into_response())
}
