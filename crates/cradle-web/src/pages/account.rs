//! A member of staff's own account: their second factor, set up, moved to a new phone or
//! turned off.

use super::login::SetUp;
use super::see_other;
use crate::auth::{AnyStaff, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{render, Chrome, Errors};
use crate::WebState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use cradle_app::AppError;
use cradle_domain::Role;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub name: String,
    pub username: String,
    pub role: &'static str,
    pub teams: String,
    pub has_second_factor: bool,
    pub must_have_second_factor: bool,
    pub notice: Option<&'static str>,
    pub typed_code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountQuery {
    pub done: String,
}

async fn account_page(
    state: &WebState,
    staff: &Staff<AnyStaff>,
    errors: Errors,
    notice: Option<&'static str>,
    typed_code: &str,
) -> Result<Response, Failure> {
    let actor = &staff.actor;
    let has_second_factor = match actor.id {
        Some(id) => state.app.has_second_factor(id).await?,
        None => false,
    };
    let mut teams = Vec::new();
    for team in &actor.teams {
        teams.push(state.app.team_name(*team).await?);
    }
    let status = crate::views::form_status(&errors);
    Ok(render(
        status,
        &AccountPage {
            chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
            errors,
            name: actor.display_name.clone(),
            username: actor.username.clone(),
            role: actor.role.label(),
            teams: if teams.is_empty() {
                "None".into()
            } else {
                teams.join(", ")
            },
            has_second_factor,
            must_have_second_factor: actor.role == Role::Administrator,
            notice,
            typed_code: typed_code.to_string(),
        },
    ))
}

pub async fn show(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Query(query): Query<AccountQuery>,
) -> Result<Response, Failure> {
    let notice = match query.done.as_str() {
        "set_up" => {
            Some("Your second factor is set up. Cradle will ask for a code each time you sign in.")
        }
        "off" => Some("Your second factor is turned off."),
        _ => None,
    };
    account_page(&state, &staff, Errors::default(), notice, "").await
}

#[derive(Template)]
#[template(path = "second_factor.html")]
pub struct SecondFactorPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub set_up: SetUp,
    pub replacing: bool,
    pub demo_code: Option<String>,
    pub typed_code: String,
    /// Where to go once it is set up (the emergency access request that asked for it).
    pub next: String,
}

async fn second_factor_page(
    state: &WebState,
    staff: &Staff<AnyStaff>,
    key: &str,
    typed: &CodeForm,
    errors: Errors,
) -> Result<Response, Failure> {
    let replacing = match staff.actor.id {
        Some(id) => state.app.has_second_factor(id).await?,
        None => false,
    };
    let status = crate::views::form_status(&errors);
    Ok(render(
        status,
        &SecondFactorPage {
            chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
            errors,
            set_up: SetUp::new(key, &staff.actor.username),
            replacing,
            typed_code: typed.code.clone(),
            next: typed.next.clone(),
            demo_code: if state.demo {
                cradle_app::second_factor::current_code(key, state.app.now())
            } else {
                None
            },
        },
    ))
}

pub async fn second_factor_form(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Query(query): Query<NextQuery>,
) -> Result<Response, Failure> {
    let key = cradle_app::second_factor::new_secret()?;
    let typed = CodeForm {
        next: query.next,
        ..CodeForm::default()
    };
    second_factor_page(&state, &staff, &key, &typed, Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    pub key: String,
    pub code: String,
    pub next: String,
}

pub async fn set_up_second_factor(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Form(form): Form<CodeForm>,
) -> Result<Response, Failure> {
    let problem = if form.code.trim().is_empty() {
        Some(Errors::one(
            "code",
            "Enter the 6-digit code your authenticator app shows now",
        ))
    } else {
        match state
            .app
            .set_up_second_factor(&staff.actor, &form.key, &form.code)
            .await
        {
            Ok(()) => None,
            Err(AppError::Invalid(problems)) => Some(Errors::from_problems(&problems)),
            Err(other) => return Err(other.into()),
        }
    };
    match problem {
        None if form.next.is_empty() => Ok(see_other("/account?done=set_up")),
        None => Ok(see_other(&super::login::safe_next(&form.next))),
        // The same key again, so the app the person has just added it to keeps working.
        Some(errors) => second_factor_page(&state, &staff, &form.key, &form, errors).await,
    }
}

pub async fn turn_off_second_factor(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
    Form(form): Form<CodeForm>,
) -> Result<Response, Failure> {
    match state
        .app
        .turn_off_second_factor(&staff.actor, &form.code)
        .await
    {
        Ok(()) => Ok(see_other("/account?done=off")),
        Err(AppError::Invalid(problems)) => {
            account_page(
                &state,
                &staff,
                Errors::from_problems(&problems),
                None,
                &form.code,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/account", get(show))
        .route(
            "/account/second-factor",
            get(second_factor_form).post(set_up_second_factor),
        )
        .route("/account/second-factor/off", post(turn_off_second_factor))
}
