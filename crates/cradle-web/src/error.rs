//! One error type for the web layer and one place that turns it into what the person sees:
//! an NHS error page for the pages, JSON problem details (RFC 9457) for `/api`.
//!
//! Handlers return [`Failure`]; so do the framework's own rejections (unknown route, wrong
//! method, malformed or oversized body), which the renderer recognises by status.

use crate::auth::Authenticated;
use crate::views::{self, Chrome};
use crate::WebState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cradle_app::AppError;
use cradle_domain::{Permission, Problems};

/// What went wrong, in the terms the person will be told.
#[derive(Debug, Clone)]
pub enum Problem {
    Unauthenticated,
    SessionExpired,
    Forbidden(Permission),
    /// Allowed by the role, but for a team the person is not in (not a family record).
    NotInTeam,
    /// A family record of another team. `family` lets the page offer break-glass access.
    OtherTeam {
        family: Option<String>,
        break_glass_allowed: bool,
    },
    NotFound,
    /// A one-time sign-in link that is used, replaced or expired.
    LinkSpent,
    MethodNotAllowed,
    Conflict(String),
    Invalid(Problems),
    RateLimited {
        account: bool,
        retry_after_minutes: i64,
    },
    BadCredentials,
    Csrf,
    PayloadTooLarge,
    BadRequest(String),
    /// A range outside a recording `length` bytes long.
    RangeNotSatisfiable {
        length: u64,
    },
    /// A body of a type this address does not take; says which it does.
    UnsupportedMediaType(String),
    Unavailable,
    Internal,
}

impl Problem {
    pub fn status(&self) -> StatusCode {
        match self {
            Problem::Unauthenticated | Problem::SessionExpired | Problem::BadCredentials => {
                StatusCode::UNAUTHORIZED
            }
            Problem::Forbidden(_)
            | Problem::NotInTeam
            | Problem::OtherTeam { .. }
            | Problem::Csrf => StatusCode::FORBIDDEN,
            Problem::NotFound | Problem::LinkSpent => StatusCode::NOT_FOUND,
            Problem::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Problem::Conflict(_) => StatusCode::CONFLICT,
            Problem::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Problem::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::BadRequest(_) => StatusCode::BAD_REQUEST,
            Problem::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Problem::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Problem::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Problem::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Problem::Unauthenticated => "unauthenticated",
            Problem::SessionExpired => "session-expired",
            Problem::Forbidden(_) => "forbidden",
            Problem::NotInTeam => "not-in-team",
            Problem::OtherTeam { .. } => "other-teams-record",
            Problem::NotFound => "not-found",
            Problem::LinkSpent => "link-spent",
            Problem::MethodNotAllowed => "method-not-allowed",
            Problem::Conflict(_) => "conflict",
            Problem::Invalid(_) => "validation",
            Problem::RateLimited { .. } => "rate-limited",
            Problem::BadCredentials => "bad-credentials",
            Problem::Csrf => "csrf",
            Problem::PayloadTooLarge => "payload-too-large",
            Problem::BadRequest(_) => "bad-request",
            Problem::RangeNotSatisfiable { .. } => "range-not-satisfiable",
            Problem::UnsupportedMediaType(_) => "unsupported-media-type",
            Problem::Unavailable => "unavailable",
            Problem::Internal => "internal",
        }
    }

    /// A heading for the page and the `title` of the JSON problem.
    pub fn title(&self) -> String {
        match self {
            Problem::Unauthenticated => "You need to sign in".into(),
            Problem::SessionExpired => "Your session has ended".into(),
            Problem::Forbidden(_) => "You do not have permission to do this".into(),
            Problem::NotInTeam => "This belongs to a team you are not in".into(),
            Problem::OtherTeam { .. } => "This family is cared for by another team".into(),
            Problem::NotFound => "Page not found".into(),
            Problem::LinkSpent => "This link cannot be used".into(),
            Problem::MethodNotAllowed => "This page cannot be used that way".into(),
            Problem::Conflict(_) => "This clashes with something already recorded".into(),
            Problem::Invalid(_) => "There is a problem with what was sent".into(),
            Problem::RateLimited { .. } => "Too many failed sign-in attempts".into(),
            Problem::BadCredentials => "The username or password is not right".into(),
            Problem::Csrf => "This form could not be accepted".into(),
            Problem::PayloadTooLarge => "What you sent is too large".into(),
            Problem::BadRequest(_) => "The request could not be understood".into(),
            Problem::RangeNotSatisfiable { .. } => {
                "That part of the recording does not exist".into()
            }
            Problem::UnsupportedMediaType(_) => {
                "This address does not take that kind of content".into()
            }
            Problem::Unavailable => "Sorry, the service is unavailable".into(),
            Problem::Internal => "Sorry, there is a problem with the service".into(),
        }
    }

    /// What happened and what to do next, in plain English.
    pub fn detail(&self) -> String {
        match self {
            Problem::Unauthenticated => "Sign in with your Cradle username and password to continue.".into(),
            Problem::SessionExpired => "For safety on shared computers, Cradle signs you out after 30 minutes without activity, and after 12 hours in any case. Sign in again to continue.".into(),
            Problem::Forbidden(permission) => format!(
                "Your role does not allow you to {}: that is for {}. If your work needs it, ask your team manager about your role.",
                permission.describe(),
                permission.who_may()
            ),
            Problem::NotInTeam => "Your role allows this, but only for the teams you belong to, and this belongs to another team. If you work with that team, ask its manager to have you added to it.".into(),
            Problem::OtherTeam { break_glass_allowed: true, .. } => "You can see only the families your own teams care for. In an emergency you can ask for time-limited access: you must give a reason, and your access is recorded and reviewed.".into(),
            Problem::OtherTeam { .. } => "You can see only the records of the teams you belong to. If you need access, ask your team manager.".into(),
            Problem::NotFound => "If you typed the web address, check it is correct. If you followed a link, the record may have moved or you may not have access to it.".into(),
            Problem::LinkSpent => "It has been used already, a newer link has replaced it, or it has expired. Ask your team manager for a new one (administrators: ask another administrator).".into(),
            Problem::MethodNotAllowed => "Go back and use the page's own buttons and links.".into(),
            Problem::Conflict(message) => message.clone(),
            Problem::Invalid(problems) => problems
                .0
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join(". "),
            Problem::RateLimited { account: true, retry_after_minutes } => format!(
                "For security, sign-in to this account is paused after several failed attempts. Wait {} and try again, or ask your team manager or a Cradle administrator to unlock it (a password reset link from your manager unlocks it too).",
                minutes(*retry_after_minutes)
            ),
            Problem::RateLimited { account: false, retry_after_minutes } => format!(
                "For security, sign-in from this computer's network is paused after many failed attempts. Wait {} and try again, or ask a Cradle administrator to help.",
                minutes(*retry_after_minutes)
            ),
            Problem::BadCredentials => "Check your username and password and try again.".into(),
            Problem::Csrf => "The request did not carry this session's security token, or came from another website, so nothing was saved. Go back, reload the page and try again. (API clients using the session cookie send the token from GET /api/v1/me in the X-CSRF-Token header.)".into(),
            Problem::PayloadTooLarge => format!(
                "Cradle accepts up to {} KB in one form or request. Nothing was saved.",
                crate::MAX_BODY_BYTES / 1024
            ),
            Problem::BadRequest(why) => format!("Nothing was saved. {why}"),
            Problem::RangeNotSatisfiable { length } => format!(
                "The recording is {length} bytes long: ask for a range within it."
            ),
            Problem::UnsupportedMediaType(why) => format!("Nothing was saved. {why}"),
            Problem::Unavailable => "Cradle cannot reach its database. Try again in a few minutes.".into(),
            Problem::Internal => "Try again later. Nothing you entered has been saved unless you were told it was. If this keeps happening, contact the service desk.".into(),
        }
    }
}

/// "1 minute", "15 minutes", "4 hours".
fn minutes(count: i64) -> String {
    match count {
        1 => "1 minute".into(),
        n if n >= 120 && n % 60 == 0 => format!("{} hours", n / 60),
        n => format!("{n} minutes"),
    }
}

/// A failed request. Its response carries the [`Problem`] for `render_failures` to present.
#[derive(Debug)]
pub struct Failure(pub Problem);

impl From<Problem> for Failure {
    fn from(problem: Problem) -> Self {
        Failure(problem)
    }
}

impl From<AppError> for Failure {
    fn from(error: AppError) -> Self {
        Failure(match error {
            AppError::Invalid(problems) => Problem::Invalid(problems),
            AppError::Unauthenticated => Problem::Unauthenticated,
            AppError::SessionExpired => Problem::SessionExpired,
            AppError::Forbidden(permission) => Problem::Forbidden(permission),
            AppError::NotInTeam => Problem::NotInTeam,
            AppError::OtherTeamsRecord {
                break_glass_allowed,
            } => Problem::OtherTeam {
                family: None,
                break_glass_allowed,
            },
            AppError::NotFound => Problem::NotFound,
            AppError::Conflict(message) => Problem::Conflict(message),
            AppError::RateLimited {
                account,
                retry_after_minutes,
            } => Problem::RateLimited {
                account,
                retry_after_minutes,
            },
            AppError::BadCredentials => Problem::BadCredentials,
            // A record the change names is not there (another's change removed it, or it
            // never was): the same answer as any other missing record.
            AppError::Store(cradle_store::StoreError::NotFound) => Problem::NotFound,
            AppError::Store(error) => {
                tracing::error!(%error, "storage failure");
                Problem::Internal
            }
            AppError::Internal(error) => {
                tracing::error!(%error, "internal failure");
                Problem::Internal
            }
        })
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = self.0.status().into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

pub async fn not_found() -> Failure {
    Failure(Problem::NotFound)
}

pub async fn method_not_allowed() -> Failure {
    Failure(Problem::MethodNotAllowed)
}

/// Whether a request is for the JSON API (problem details) or a page (HTML).
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Turns every failure, ours or the framework's, into a clear page or problem details.
pub async fn render_failures(
    State(state): State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    let api = is_api(request.uri().path());
    let path = request.uri().path().to_string();
    let request_id = request
        .extensions()
        .get::<crate::security::RequestId>()
        .map(|id| id.0);
    let mut response = next.run(request).await;
    let signed_in = response.extensions().get::<Authenticated>().cloned();
    let problem = match response.extensions_mut().remove::<Problem>() {
        Some(problem) => problem,
        None => {
            let status = response.status();
            if !(status.is_client_error() || status.is_server_error())
                || already_explained(&response)
            {
                return response;
            }
            let text = body_text(response.into_body()).await;
            match status {
                StatusCode::NOT_FOUND => Problem::NotFound,
                StatusCode::METHOD_NOT_ALLOWED => Problem::MethodNotAllowed,
                StatusCode::PAYLOAD_TOO_LARGE => Problem::PayloadTooLarge,
                StatusCode::SERVICE_UNAVAILABLE => Problem::Unavailable,
                s if s.is_client_error() => Problem::BadRequest(plain_rejection(&text)),
                _ => {
                    tracing::error!(%status, body = %text, "unexplained server error");
                    Problem::Internal
                }
            }
        }
    };
    if api {
        return problem_json(&problem, request_id);
    }
    if matches!(problem, Problem::Unauthenticated | Problem::SessionExpired) {
        let reason = if matches!(problem, Problem::SessionExpired) {
            "&reason=expired"
        } else {
            ""
        };
        let next = urlencode(&path);
        let mut redirect = StatusCode::SEE_OTHER.into_response();
        if let Ok(location) = HeaderValue::from_str(&format!("/login?next={next}{reason}")) {
            redirect.headers_mut().insert(header::LOCATION, location);
        }
        return redirect;
    }
    let chrome = Chrome::new(signed_in.as_ref(), state.demo);
    views::error_page(chrome, &problem)
}

fn already_explained(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/problem+json"))
}

async fn body_text(body: Body) -> String {
    match axum::body::to_bytes(body, 16 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    }
}

/// The framework's rejection text, made presentable ("Failed to deserialize…" stays useful
/// to an API client; a person on a page sees the general advice too).
fn plain_rejection(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        "Check what was sent and try again.".to_string()
    } else {
        let short: String = text.chars().take(300).collect();
        format!("{short}.")
    }
}

/// Problem details (RFC 9457); `instance` names the request, by the id in the log.
pub fn problem_json(problem: &Problem, request: Option<uuid::Uuid>) -> Response {
    let mut body = serde_json::json!({
        "type": format!("urn:cradle:problem:{}", problem.slug()),
        "title": problem.title(),
        "status": problem.status().as_u16(),
        "detail": problem.detail(),
    });
    if let (Some(id), Some(object)) = (request, body.as_object_mut()) {
        object.insert(
            "instance".into(),
            serde_json::Value::String(format!("urn:cradle:request:{id}")),
        );
    }
    if let (Problem::Invalid(problems), Some(object)) = (problem, body.as_object_mut()) {
        object.insert(
            "errors".into(),
            serde_json::Value::Array(
                problems
                    .0
                    .iter()
                    .map(|p| serde_json::json!({"field": p.field, "message": p.message}))
                    .collect(),
            ),
        );
    }
    let mut response = (problem.status(), body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Problem::RangeNotSatisfiable { length } = problem {
        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
