//! Sign-in and CSRF checks for every request, and the extractors through which each route
//! declares the permission it needs.
//!
//! Deny by default: a route that is not on the public list cannot be reached without a valid
//! session (pages) or a session or bearer token (API), whatever its handler asks for. A
//! state-changing page request must carry the session's CSRF token in its form; a
//! cookie-authenticated API request must carry it in the `X-CSRF-Token` header.

use crate::error::{is_api, Failure, Problem};
use crate::WebState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use cradle_app::auth::SignedIn;
use cradle_app::{Actor, AppError, FamilyLookup};
use cradle_domain::{FamilyId, Permission};
use std::marker::PhantomData;
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "cradle_session";
pub const LOGIN_CSRF_COOKIE: &str = "cradle_login_csrf";
/// A sign-in whose password was right, waiting for its second-factor code.
pub const CHALLENGE_COOKIE: &str = "cradle_sign_in";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is making this request, established by [`sign_in_and_csrf`].
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub actor: Actor,
    /// The session's CSRF token, for forms on the page; empty for bearer tokens.
    pub csrf_token: String,
    /// The session this request belongs to; `None` for bearer tokens.
    pub session: Option<SignedIn>,
}

/// Routes anyone may use. Everything else needs a signed-in member of staff.
pub fn is_public(method: &Method, path: &str) -> bool {
    matches!(path, "/login" | "/login/code" | "/healthz" | "/readyz")
        || path.starts_with("/password/")
        || (path.starts_with("/assets/") && method == Method::GET)
        || (path == "/api/v1/openapi.json" && method == Method::GET)
}

/// Where the request came from: the TCP peer, or the client a trusted proxy names
/// (see `proxy.rs`). Kept with the request for the handlers that need it.
fn client_address(state: &WebState, request: &mut Request) -> String {
    let address = match request.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => state
            .trusted_proxies
            .client(peer.ip(), request.headers())
            .to_string(),
        None => "unknown".to_string(),
    };
    request
        .extensions_mut()
        .insert(ClientAddress(address.clone()));
    address
}

/// A cookie the browser sent, read by the `cookie` crate.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|sent| sent.name() == name)
        .and_then(|sent| sent.value_raw())
}

/// A `Set-Cookie` value: always HttpOnly and SameSite=Strict, Secure outside local development.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: Option<i64>, secure: bool) -> String {
    let mut made = Cookie::build((name.to_string(), value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure);
    if let Some(age) = max_age_seconds {
        made = made.max_age(cookie::time::Duration::seconds(age));
    }
    made.build().to_string()
}

/// Compares secrets in constant time (`subtle`), so that how long a refusal takes says
/// nothing of how much of a guess was right. An empty secret matches nothing.
pub fn same_secret(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The family a request to read one is about (`/families/{id}…`, `/api/v1/families/{id}…`):
/// its access check is read in the same statement as the session.
fn family_in_path(path: &str) -> Option<FamilyId> {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    let id = rest.strip_prefix("/families/")?.split('/').next()?;
    FamilyId::parse(id)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Rejects a state-changing request sent by a page on another site.
fn cross_site(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    // Browsers send "null" in privacy modes; the CSRF token still protects those requests.
    origin != "null" && origin_host != host
}

pub async fn sign_in_and_csrf(
    State(state): State<WebState>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let address = client_address(&state, &mut request);
    if is_public(&method, &path) {
        return next.run(request).await;
    }
    let api = is_api(&path);
    if !is_safe(&method) && cross_site(request.headers()) {
        return Failure(Problem::Csrf).into_response();
    }

    if api {
        if let Some(token) = bearer_token(request.headers()) {
            return match state.app.bearer(&token, &address).await {
                Ok(actor) => {
                    let authenticated = Authenticated {
                        actor,
                        csrf_token: String::new(),
                        session: None,
                    };
                    run_as(authenticated, request, next).await
                }
                Err(error) => Failure::from(error).into_response(),
            };
        }
    }

    let Some(token) = cookie(request.headers(), SESSION_COOKIE).map(str::to_string) else {
        return Failure(Problem::Unauthenticated).into_response();
    };
    let family = if is_safe(&method) {
        family_in_path(&path)
    } else {
        None
    };
    let signed_in = match signed_in(&state, &token, &address, family).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let authenticated = authenticated(signed_in);

    if is_safe(&method) {
        return run_as(authenticated, request, next).await;
    }
    if api {
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !same_secret(sent, &authenticated.csrf_token) {
            return Failure(Problem::Csrf).into_response();
        }
        return run_as(authenticated, request, next).await;
    }

    // A page form: read the body once to find the CSRF token, then hand it on unchanged.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return Failure(Problem::PayloadTooLarge).into_response(),
    };
    let sent = crate::form::read::<CsrfField>(&bytes)
        .map(|form| form.csrf_token)
        .unwrap_or_default();
    if !same_secret(&sent, &authenticated.csrf_token) {
        return Failure(Problem::Csrf).into_response();
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    run_as(authenticated, request, next).await
}

/// The request's sign-in, looked up in the database as the request arrives, or the response
/// that refuses it (clearing an ended session's cookie).
async fn signed_in(
    state: &WebState,
    token: &str,
    address: &str,
    family: Option<FamilyId>,
) -> Result<SignedIn, Response> {
    match state.app.session(token, address, family).await {
        Ok(signed_in) => Ok(signed_in),
        Err(error @ (AppError::SessionExpired | AppError::Unauthenticated)) => {
            let mut response = Failure::from(error).into_response();
            if let Ok(value) = set_cookie(SESSION_COOKIE, "", Some(0), state.secure_cookies).parse()
            {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Err(response)
        }
        Err(error) => Err(Failure::from(error).into_response()),
    }
}

fn authenticated(signed_in: SignedIn) -> Authenticated {
    Authenticated {
        actor: signed_in.actor.clone(),
        csrf_token: signed_in.csrf_token.clone(),
        session: Some(signed_in),
    }
}

async fn run_as(authenticated: Authenticated, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(authenticated.clone());
    let mut response = next.run(request).await;
    // Lets the error renderer show who is signed in on an error page.
    response.extensions_mut().insert(authenticated);
    response
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // The scheme's name is not case-sensitive (RFC 9110): "bearer" is "Bearer".
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
}

/// The one field of a page form that the sign-in check reads (the handler reads the rest):
/// every form's templates carry the session's token as `csrf_token`.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfField {
    csrf_token: String,
}

/// The address the request came from, for sign-in limits and the audit: the TCP peer, or
/// the client a trusted proxy names.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .cloned()
            .unwrap_or_else(|| ClientAddress("unknown".to_string())))
    }
}

/// What a route needs. Each marker names one permission (or just a signed-in person).
pub trait Need: Send + Sync + 'static {
    const PERMISSION: Option<Permission>;
}

macro_rules! need {
    ($name:ident, $permission:expr) => {
        pub struct $name;
        impl Need for $name {
            const PERMISSION: Option<Permission> = $permission;
        }
    };
}

need!(AnyStaff, None);
need!(ReadRecords, Some(Permission::ReadClinicalRecords));
need!(ChangeRecords, Some(Permission::ChangeClinicalRecords));
need!(BreakGlass, Some(Permission::BreakGlass));
need!(ViewRecordAudit, Some(Permission::ViewRecordAudit));
need!(ManageUsers, Some(Permission::ManageUsers));
need!(ManageTeams, Some(Permission::ManageTeams));
need!(ManageTeamPractice, Some(Permission::ManageTeamPractice));
need!(ManageTeamAccounts, Some(Permission::ManageTeamAccounts));

/// A signed-in member of staff who holds the permission `N` names. A handler that takes
/// `Staff<ReadRecords>` cannot run for anyone else.
pub struct Staff<N: Need> {
    pub actor: Actor,
    pub csrf_token: String,
    pub session: Option<SignedIn>,
    need: PhantomData<N>,
}

impl<N: Need> Staff<N> {
    /// The family this request is about, as read with its session (see [`family_in_path`]).
    pub fn looked_up(&self) -> Option<&FamilyLookup> {
        self.session.as_ref()?.family.as_ref()
    }

    pub fn authenticated(&self) -> Authenticated {
        Authenticated {
            actor: self.actor.clone(),
            csrf_token: self.csrf_token.clone(),
            session: self.session.clone(),
        }
    }
}

/// A refusal for want of a permission is audited when the request is about a family (its
/// id in the path), naming the family: an attempt to open a family's record by a role that
/// may not, such as an administrator's, is itself something an investigation looks for.
impl<N: Need> FromRequestParts<WebState> for Staff<N> {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let Some(authenticated) = parts.extensions.get::<Authenticated>().cloned() else {
            return Err(Failure(Problem::Unauthenticated));
        };
        if let Some(permission) = N::PERMISSION {
            if !authenticated.actor.may(permission) {
                return Err(match family_in_path(parts.uri.path()) {
                    Some(family) => state
                        .app
                        .refuse_for_role(&authenticated.actor, family, permission)
                        .await
                        .into(),
                    None => Failure(Problem::Forbidden(permission)),
                });
            }
        }
        let mut actor = authenticated.actor;
        actor.viewing = Some(parts.uri.path().to_string());
        Ok(Staff {
            actor,
            csrf_token: authenticated.csrf_token,
            session: authenticated.session,
            need: PhantomData,
        })
    }
}

/// A request about one family (a page, or under `/api/v1`), by someone whose role allows
/// `N`: the access check made once, for the family named in the path, before the handler
/// runs and before any body is read. A refusal is audited and answered as the family page's
/// would be (with the way to ask for emergency access where the family belongs to another
/// team; problem details under the API); a malformed id is not found.
pub struct FamilyScoped<N: Need> {
    pub staff: Staff<N>,
    pub access: cradle_app::FamilyAccess,
}

impl<N: Need> FromRequestParts<WebState> for FamilyScoped<N> {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let staff = Staff::<N>::from_request_parts(parts, state).await?;
        let id = family_in_path(parts.uri.path()).ok_or(Failure(Problem::NotFound))?;
        let access = state
            .app
            .family_access(&staff.actor, id, staff.looked_up())
            .await
            .map_err(|e| crate::pages::families::other_team(e, id))?;
        Ok(Self { staff, access })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name_and_set_http_only_and_same_site_strict() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; cradle_session=abc; b=2".parse().unwrap(),
        );
        headers.append(header::COOKIE, "cradle_login_csrf=xyz".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, LOGIN_CSRF_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "cradle_sessio"), None);
        let ended = set_cookie(SESSION_COOKIE, "", Some(0), true);
        for part in [
            "cradle_session=",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
            "Max-Age=0",
        ] {
            assert!(ended.contains(part), "{part} in {ended}");
        }
        assert!(!set_cookie(SESSION_COOKIE, "abc", None, false).contains("Secure"));
    }

    #[test]
    fn secrets_compare_whole_and_never_match_empty() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", ""));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn only_the_listed_routes_are_public() {
        assert!(is_public(&Method::GET, "/login"));
        assert!(is_public(&Method::GET, "/assets/cradle.css"));
        assert!(!is_public(&Method::POST, "/assets/cradle.css"));
        assert!(!is_public(&Method::GET, "/families"));
        assert!(!is_public(&Method::GET, "/api/v1/families"));
        assert!(!is_public(&Method::GET, "/"));
        assert!(is_public(&Method::POST, "/login/code"));
        assert!(is_public(&Method::GET, "/password/some-token"));
        assert!(!is_public(&Method::GET, "/account"));
    }

    #[test]
    fn the_family_a_request_is_about_comes_from_its_path() {
        let id = FamilyId::new();
        for path in [
            format!("/families/{id}"),
            format!("/families/{id}/ecomap.svg"),
            format!("/api/v1/families/{id}"),
            format!("/api/v1/families/{id}/people"),
        ] {
            assert_eq!(family_in_path(&path), Some(id), "{path}");
        }
        for path in [
            "/families".to_string(),
            "/families/new".to_string(),
            "/api/v1/families".to_string(),
            format!("/teams/{id}"),
            format!("/api/v2/families/{id}"),
            format!("/other/families/{id}"),
        ] {
            assert_eq!(family_in_path(&path), None, "{path}");
        }
    }
}
