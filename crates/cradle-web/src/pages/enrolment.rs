//! The page behind a one-time link, where a person sets their own password: a new account's
//! first (enrolment) or a new one (reset). Needs no sign-in; the link is the proof.

use super::see_other;
use crate::auth::ClientAddress;
use crate::error::{Failure, Problem};
use crate::form::Form;
use crate::views::{form_status, render, Chrome, Errors, TextField};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::AppError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "set_password.html")]
pub struct SetPasswordPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub token: String,
    pub name: String,
    pub username: String,
    pub enrolment: bool,
    pub password: TextField,
    pub confirmation: TextField,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetPasswordForm {
    pub password: String,
    pub confirmation: String,
}

async fn page(state: &WebState, token: &str, errors: Errors) -> Result<Response, Failure> {
    let holder = match state.app.link_holder(token).await {
        Ok(holder) => holder,
        Err(AppError::NotFound) => return Err(Failure(Problem::LinkSpent)),
        Err(other) => return Err(other.into()),
    };
    let status = form_status(&errors);
    Ok(render(
        status,
        &SetPasswordPage {
            chrome: Chrome::new(None, state.demo),
            errors,
            token: token.to_string(),
            name: holder.staff.display_name,
            username: holder.staff.username,
            enrolment: holder.enrolment,
            // A password is never sent back to the browser, even when the form has problems.
            password: TextField::new("password", "New password", "")
                .hint("At least 12 characters. A few unrelated words together are easy to remember and hard to guess")
                .kind("password")
                .autocomplete("new-password"),
            confirmation: TextField::new("confirmation", "Type the new password again", "")
                .kind("password")
                .autocomplete("new-password"),
        },
    ))
}

pub async fn form(
    State(state): State<WebState>,
    Path(token): Path<String>,
) -> Result<Response, Failure> {
    page(&state, &token, Errors::default()).await
}

pub async fn submit(
    State(state): State<WebState>,
    ClientAddress(address): ClientAddress,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, Failure> {
    match state
        .app
        .set_password_with_link(&token, &form.password, &form.confirmation, &address)
        .await
    {
        Ok(_) => Ok(see_other("/login?reason=password_set")),
        Err(AppError::Invalid(problems)) => {
            page(&state, &token, Errors::from_problems(&problems)).await
        }
        Err(AppError::NotFound) => Err(Failure(Problem::LinkSpent)),
        Err(other) => Err(other.into()),
    }
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new().route("/password/{token}", get(form).post(submit))
}
