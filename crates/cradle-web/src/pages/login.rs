//! Signing in and out.

use super::see_other;
use crate::auth::{
    cookie, same_secret, set_cookie, AnyStaff, Authenticated, ClientAddress, Staff,
    LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::{Failure, Problem};
use crate::views::{render, Chrome, Errors};
use crate::WebState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
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
fn safe_next(next: &str) -> String {
    if is_own_path(next) {
        next.to_string()
    } else {
        "/".to_string()
    }
}

fn is_own_path(next: &str) -> bool {
    let plain = |text: &str| {
        text.starts_with('/')
            && !text.starts_with("//")
            && !text.chars().any(|c| c == '\\' || c.is_control())
    };
    // The path as given, and as it reads once and twice decoded, must each be plain.
    let mut text = next.to_string();
    for _ in 0..3 {
        if !plain(&text) {
            return false;
        }
        match crate::auth::percent_decode(&text.replace('+', "%2B")) {
            Some(decoded) if decoded == text => break,
            Some(decoded) => text = decoded,
            None => return false,
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
        Ok(session) => {
            let mut response = see_other(&safe_next(&form.next));
            let cookies = [
                set_cookie(SESSION_COOKIE, &session.token, None, state.secure_cookies),
                set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), state.secure_cookies),
            ];
            for value in cookies {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
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
        }) => login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            Errors::one(
                "username",
                &Problem::RateLimited {
                    account,
                    retry_after_minutes,
                }
                .detail(),
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
