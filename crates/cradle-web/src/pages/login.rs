//! Signing in and out.

use super::see_other;
use crate::auth::{
    cookie, same_secret, set_cookie, AnyStaff, Authenticated, ClientAddress, Staff,
    CHALLENGE_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::{Failure, Problem};
use crate::form::Form;
use crate::views::{render, Chrome, Errors};
use crate::WebState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cradle_app::auth::NewSession;
use cradle_app::second_factor::SignInStep;
use cradle_app::AppError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub notice: Option<String>,
    pub username: String,
    pub next: String,
    pub csrf_token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    pub next: String,
    pub reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub next: String,
    pub csrf_token: String,
}

/// Only a path on this site may be the page to return to after sign-in: one a browser cannot
/// read as another site. Browsers drop tabs and newlines from an address and read a backslash
/// as a slash, so `/\t/evil.example/` or `/\\evil.example` would leave the site; those, and
/// their percent-encoded forms, are refused, and anything refused returns to the home page.
pub(crate) fn safe_next(next: &str) -> String {
    if is_own_path(next) {
        next.to_string()
    } else {
        "/".to_string()
    }
}

fn is_own_path(next: &str) -> bool {
    // Every `%` must begin an escape (`%2F`): a browser could read a stray one differently.
    let escapes_whole = |text: &str| {
        text.match_indices('%').all(|(at, _)| {
            text.get(at + 1..at + 3)
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
        })
    };
    let plain = |text: &str| {
        text.starts_with('/')
            && !text.starts_with("//")
            && !text.chars().any(|c| c == '\\' || c.is_control())
            && escapes_whole(text)
    };
    // The path as given, and as it reads once and twice decoded, must each be plain.
    let mut text = next.to_string();
    for _ in 0..3 {
        if !plain(&text) {
            return false;
        }
        match percent_encoding::percent_decode_str(&text).decode_utf8() {
            Ok(decoded) if decoded == text => break,
            Ok(decoded) => text = decoded.into_owned(),
            Err(_) => return false,
        }
    }
    plain(&text) && next != "/login"
}

fn login_page(
    state: &WebState,
    status: StatusCode,
    errors: Errors,
    notice: Option<String>,
    username: &str,
    next: &str,
) -> Response {
    // A fresh token for the sign-in form, checked against a cookie (double submit), since
    // there is no session yet to hold it.
    let token = cradle_app::secrets::random_token().unwrap_or_default();
    let page = LoginPage {
        chrome: Chrome::new(None, state.demo),
        errors,
        notice,
        username: username.to_string(),
        next: safe_next(next),
        csrf_token: token.clone(),
    };
    let mut response = render(status, &page);
    if let Ok(value) = HeaderValue::from_str(&set_cookie(
        LOGIN_CSRF_COOKIE,
        &token,
        Some(3600),
        state.secure_cookies,
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn form(State(state): State<WebState>, Query(query): Query<LoginQuery>) -> Response {
    let notice = match query.reason.as_str() {
        "expired" => Some(
            "Your session ended, so you have been signed out. Sign in again to carry on."
                .to_string(),
        ),
        "signed_out" => Some("You have signed out of Cradle.".to_string()),
        "password_set" => Some("Your password is set. Sign in with it now.".to_string()),
        _ => None,
    };
    login_page(
        &state,
        StatusCode::OK,
        Errors::default(),
        notice,
        "",
        &query.next,
    )
}

pub async fn submit(
    State(state): State<WebState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if !same_secret(expected, &form.csrf_token) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            Errors::one(
                "username",
                "The sign-in form had expired. Enter your username and password again",
            ),
            None,
            &form.username,
            &form.next,
        );
    }
    let mut errors = Errors::default();
    if form.username.trim().is_empty() {
        errors
            .list
            .extend(Errors::one("username", "Enter your username").list);
    }
    if form.password.is_empty() {
        errors
            .list
            .extend(Errors::one("password", "Enter your password").list);
    }
    if !errors.is_empty() {
        return login_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            None,
            &form.username,
            &form.next,
        );
    }
    match state
        .app
        .login(&form.username, &form.password, &address)
        .await
    {
        Ok(SignInStep::Session(session)) => signed_in(&state, &session, &form.next),
        Ok(SignInStep::SecondFactor {
            challenge,
            set_up,
            username,
        }) => {
            let demo = demo_code(&state, set_up.as_deref(), &challenge).await;
            let typed = CodeTyped {
                code: "",
                set_up: set_up.as_deref(),
                username: &username,
                next: &form.next,
            };
            let mut response = code_page(&state, StatusCode::OK, Errors::default(), typed, demo);
            append_cookie(
                &mut response,
                &set_cookie(
                    CHALLENGE_COOKIE,
                    &challenge,
                    Some(300),
                    state.secure_cookies,
                ),
            );
            response
        }
        Err(AppError::BadCredentials) => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            Errors::one(
                "username",
                "The username or password is not right. Check them and try again",
            ),
            None,
            &form.username,
            &form.next,
        ),
        Err(AppError::RateLimited {
            account,
            retry_after_minutes,
        }) => paused(
            &state,
            account,
            retry_after_minutes,
            &form.username,
            &form.next,
        ),
        Err(other) => Failure::from(other).into_response(),
    }
}

/// Sign-in paused for the account or the address: the sign-in page saying for how long.
fn paused(
    state: &WebState,
    account: bool,
    retry_after_minutes: i64,
    username: &str,
    next: &str,
) -> Response {
    let problem = Problem::RateLimited {
        account,
        retry_after_minutes,
    };
    login_page(
        state,
        StatusCode::TOO_MANY_REQUESTS,
        Errors::one("username", &problem.detail()),
        None,
        username,
        next,
    )
}

/// The answer to a finished sign-in: the session cookie, and on to the page asked for.
fn signed_in(state: &WebState, session: &NewSession, next: &str) -> Response {
    let mut response = see_other(&safe_next(next));
    for value in [
        set_cookie(SESSION_COOKIE, &session.token, None, state.secure_cookies),
        set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), state.secure_cookies),
        set_cookie(CHALLENGE_COOKIE, "", Some(0), state.secure_cookies),
    ] {
        append_cookie(&mut response, &value);
    }
    response
}

fn append_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[derive(Template)]
#[template(path = "login_code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub next: String,
    pub username: String,
    pub csrf_token: String,
    /// While setting the second factor up: the new key, and the QR code that holds it.
    pub set_up: Option<SetUp>,
    /// Only in the demonstration: the code an authenticator app would show now.
    pub demo_code: Option<String>,
    pub typed_code: String,
}

pub struct SetUp {
    pub key: String,
    pub key_in_groups: String,
    pub qr_svg: String,
}

impl SetUp {
    pub fn new(key: &str, username: &str) -> Self {
        let uri = cradle_app::second_factor::authenticator_uri(key, username);
        Self {
            key: key.to_string(),
            key_in_groups: key
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            qr_svg: crate::views::qr_svg(&uri),
        }
    }
}

/// The code an authenticator app would show now, for the demonstration's sign-in page only:
/// for a key being set up, or for the account the sign-in belongs to.
async fn demo_code(state: &WebState, set_up: Option<&str>, challenge: &str) -> Option<String> {
    if !state.demo {
        return None;
    }
    match set_up {
        Some(key) => cradle_app::second_factor::current_code(key, state.app.now()),
        None => state
            .app
            .demonstration_code_for_sign_in(challenge)
            .await
            .ok()
            .flatten(),
    }
}

/// The code page as it was sent: what was typed, the key being set up and where to go next.
struct CodeTyped<'a> {
    code: &'a str,
    set_up: Option<&'a str>,
    username: &'a str,
    next: &'a str,
}

fn code_page(
    state: &WebState,
    status: StatusCode,
    errors: Errors,
    typed: CodeTyped<'_>,
    demo_code: Option<String>,
) -> Response {
    let CodeTyped {
        code,
        set_up,
        username,
        next,
    } = typed;
    let token = cradle_app::secrets::random_token().unwrap_or_default();
    let page = CodePage {
        chrome: Chrome::new(None, state.demo),
        errors,
        next: safe_next(next),
        username: username.to_string(),
        csrf_token: token.clone(),
        demo_code,
        typed_code: code.to_string(),
        set_up: set_up.map(|key| SetUp::new(key, username)),
    };
    let mut response = render(status, &page);
    append_cookie(
        &mut response,
        &set_cookie(LOGIN_CSRF_COOKIE, &token, Some(3600), state.secure_cookies),
    );
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    pub key: String,
    pub username: String,
    pub next: String,
    pub csrf_token: String,
}

/// The second step of signing in: the code from the authenticator app.
pub async fn submit_code(
    State(state): State<WebState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let set_up = Some(form.key.as_str()).filter(|k| !k.is_empty());
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    let challenge = cookie(&headers, CHALLENGE_COOKIE).unwrap_or("");
    if !same_secret(expected, &form.csrf_token) || challenge.is_empty() {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            Errors::one(
                "username",
                "Your sign-in had expired before the code was entered (it waits 5 minutes). Sign in again",
            ),
            None,
            &form.username,
            &form.next,
        );
    }
    if form.code.trim().is_empty() {
        return code_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::one(
                "code",
                "Enter the 6-digit code your authenticator app shows now",
            ),
            CodeTyped {
                code: &form.code,
                set_up,
                username: &form.username,
                next: &form.next,
            },
            demo_code(&state, set_up, challenge).await,
        );
    }
    match state
        .app
        .complete_sign_in(challenge, &form.code, set_up, &address)
        .await
    {
        Ok(session) => signed_in(&state, &session, &form.next),
        Err(AppError::Invalid(problems)) => code_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::from_problems(&problems),
            CodeTyped {
                code: &form.code,
                set_up,
                username: &form.username,
                next: &form.next,
            },
            demo_code(&state, set_up, challenge).await,
        ),
        Err(AppError::RateLimited {
            account,
            retry_after_minutes,
        }) => paused(
            &state,
            account,
            retry_after_minutes,
            &form.username,
            &form.next,
        ),
        Err(AppError::SessionExpired) => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            Errors::one(
                "username",
                "Your sign-in had expired before the code was entered (it waits 5 minutes). Sign in again",
            ),
            None,
            &form.username,
            &form.next,
        ),
        Err(other) => Failure::from(other).into_response(),
    }
}

pub async fn logout(State(state): State<WebState>, staff: Staff<AnyStaff>) -> Response {
    let auth: Authenticated = staff.authenticated();
    if let Some(session) = &auth.session {
        if let Err(error) = state.app.logout(session).await {
            return Failure::from(error).into_response();
        }
    }
    let mut response = see_other("/login?reason=signed_out");
    // Tells the browser to drop anything it kept from this site (a shared ward computer).
    response.headers_mut().insert(
        header::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"storage\""),
    );
    if let Ok(value) = HeaderValue::from_str(&set_cookie(
        SESSION_COOKIE,
        "",
        Some(0),
        state.secure_cookies,
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/login", get(form).post(submit))
        .route("/login/code", post(submit_code))
        .route("/logout", post(logout))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_path_on_this_site_is_returned_to_after_sign_in() {
        for kept in [
            "/",
            "/families",
            "/families/01/people?q=Amara+Okafor",
            "/families?q=%C3%A9wa",
            "/families?q=Amara%20Okafor",
        ] {
            assert_eq!(safe_next(kept), kept, "{kept}");
        }
        for refused in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example/",
            "/\\evil.example",
            "/\\/evil.example",
            "/%09/evil.example/",
            "/%0a/evil.example/",
            "/%0D%0A/evil.example/",
            "/%5Cevil.example",
            "/%2F/evil.example",
            "/%252F/evil.example",
            "/%2509/evil.example",
            "/%zz",
            "/login",
            " /families",
        ] {
            assert_eq!(safe_next(refused), "/", "{refused:?}");
        }
    }
}
