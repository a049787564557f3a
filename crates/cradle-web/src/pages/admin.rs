//! Administration: staff accounts and teams.

use super::see_other;
use crate::auth::{ManageTeams, ManageUsers, Staff};
use crate::error::{Failure, Problem};
use crate::form::Form;
use crate::views::{form_status, render, Choice, Chrome, Errors, TeamChoice, TextField};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cradle_app::admin::StaffInput;
use cradle_app::lockouts::Lockout;
use cradle_app::AppError;
use cradle_domain::dates::long_date_time;
use cradle_domain::{Role, StaffId, Team, TeamId};
use serde::Deserialize;

pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub username: String,
    pub role: &'static str,
    pub teams: String,
    pub disabled: bool,
    pub locked: bool,
    pub is_self: bool,
    /// No password yet: enrolment not finished.
    pub waiting_to_enrol: bool,
    /// An administrator may make this account's sign-in links (it reads no clinical record).
    pub link_from_admin: bool,
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
pub struct StaffListPage {
    pub chrome: Chrome,
    pub rows: Vec<StaffRow>,
    pub lockouts: Vec<LockoutRow>,
    pub unlock_path: String,
    /// After an account is added: what happens next.
    pub added: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StaffListQuery {
    pub added: String,
}

/// A locked account, as the lockouts table shows it.
pub struct LockoutRow {
    pub staff_id: Option<String>,
    pub name: Option<String>,
    pub username: String,
    pub failures: u32,
    pub last_attempt: String,
    pub last_address: String,
    pub until: String,
}

impl From<Lockout> for LockoutRow {
    fn from(lockout: Lockout) -> Self {
        Self {
            staff_id: lockout.staff.as_ref().map(|s| s.id.to_string()),
            name: lockout.staff.map(|s| s.display_name),
            username: lockout.username,
            failures: lockout.failures,
            last_attempt: long_date_time(lockout.last_failure_millis),
            last_address: lockout.last_address,
            until: long_date_time(lockout.locked_until_millis),
        }
    }
}

pub async fn staff_list(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Query(query): Query<StaffListQuery>,
) -> Result<Response, Failure> {
    let teams = state.app.teams().await?;
    let accounts = state.app.list_staff(&staff.actor).await?;
    let lockouts = state.app.lockouts(&staff.actor).await?;
    let enrolment = state.app.account_states(&staff.actor).await?;
    let added = StaffId::parse(&query.added)
        .and_then(|id| accounts.iter().find(|s| s.id == id))
        .map(|new| what_happens_next(new, &accounts, &teams));
    let rows = accounts
        .into_iter()
        .map(|s| StaffRow {
            id: s.id.to_string(),
            is_self: Some(s.id) == staff.actor.id,
            name: s.display_name,
            username: s.username,
            role: if s.service_account {
                "Service account (API)"
            } else {
                s.role.label()
            },
            teams: team_names(&teams, &s.teams),
            waiting_to_enrol: !s.service_account
                && enrolment.get(&s.id).is_some_and(|e| !e.has_password),
            link_from_admin: !s.service_account
                && !cradle_app::enrolment::link_comes_from_manager(s.role),
            disabled: s.disabled,
            locked: lockouts
                .iter()
                .any(|l| l.staff.as_ref().is_some_and(|locked| locked.id == s.id)),
        })
        .collect();
    let page = StaffListPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        rows,
        lockouts: lockouts.into_iter().map(LockoutRow::from).collect(),
        unlock_path: "/admin/staff".into(),
        added,
    };
    Ok(render(StatusCode::OK, &page))
}

/// After an account is added: who gives the person their enrolment link.
fn what_happens_next(
    new: &cradle_domain::Staff,
    accounts: &[cradle_domain::Staff],
    teams: &[Team],
) -> String {
    if !cradle_app::enrolment::link_comes_from_manager(new.role) {
        return format!(
            "{}'s account is ready. Make their enrolment link below and give it to them yourself; they choose their own password and set up a second factor.",
            new.display_name
        );
    }
    let managers: Vec<&str> = accounts
        .iter()
        .filter(|a| {
            a.role == Role::TeamManager
                && !a.disabled
                && a.teams.iter().any(|t| new.teams.contains(t))
        })
        .map(|a| a.display_name.as_str())
        .collect();
    let team = team_names(teams, &new.teams);
    match managers.as_slice() {
        [] => format!(
            "{}'s account is ready, but {team} has no manager in Cradle to give them their enrolment link. Whoever runs the Cradle server can make one with the command `cradle user link {}`.",
            new.display_name, new.username
        ),
        names => format!(
            "{}'s account is ready. {} (manager of {team}) makes their enrolment link on the team's members page and gives it to them. Cradle never shows an administrator a clinician's link.",
            new.display_name,
            names.join(" or ")
        ),
    }
}

fn team_names(teams: &[Team], ids: &[cradle_domain::TeamId]) -> String {
    let names: Vec<&str> = teams
        .iter()
        .filter(|t| ids.contains(&t.id))
        .map(|t| t.name.as_str())
        .collect();
    if names.is_empty() {
        "None".to_string()
    } else {
        names.join(", ")
    }
}

#[derive(Template)]
#[template(path = "admin_staff_new.html")]
pub struct NewStaffPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub display_name: TextField,
    pub username: TextField,
    pub roles: Vec<Choice>,
    pub teams: Vec<TeamChoice>,
}

/// The new account form as submitted: the teams ticked arrive as repeated `teams` fields. It
/// has no password (the person sets their own from a one-time link) and cannot make a service
/// account (those are made on the command line).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewStaffForm {
    pub display_name: String,
    pub username: String,
    pub role: String,
    pub teams: Vec<String>,
}

impl From<NewStaffForm> for StaffInput {
    fn from(form: NewStaffForm) -> Self {
        StaffInput {
            username: form.username,
            display_name: form.display_name,
            role: form.role,
            password: String::new(),
            teams: form.teams,
            service_account: false,
        }
    }
}

/// The teams ticked for an account.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TeamsForm {
    pub teams: Vec<String>,
}

async fn new_staff_page(
    state: &WebState,
    staff: &Staff<ManageUsers>,
    input: &StaffInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let teams = state
        .app
        .teams()
        .await?
        .into_iter()
        .map(|t| TeamChoice {
            selected: input.teams.contains(&t.id.to_string()),
            id: t.id.to_string(),
            name: t.name,
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Choice {
            code: r.code().to_string(),
            label: r.label().to_string(),
            selected: input.role == r.code(),
        })
        .collect();
    let status = form_status(&errors);
    let page = NewStaffPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        errors,
        display_name: TextField::new("display_name", "Full name", &input.display_name),
        username: TextField::new("username", "Username", &input.username)
            .hint("Lower-case letters, numbers, full stops, hyphens or underscores, for example priya.shah"),
        roles,
        teams,
    };
    Ok(render(status, &page))
}

pub async fn new_staff_form(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
) -> Result<Response, Failure> {
    new_staff_page(&state, &staff, &StaffInput::default(), Errors::default()).await
}

pub async fn create_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Form(form): Form<NewStaffForm>,
) -> Result<Response, Failure> {
    let input = StaffInput::from(form);
    match state.app.create_staff(&staff.actor, &input).await {
        Ok(created) => Ok(see_other(&format!("/admin/staff?added={}", created.id))),
        Err(AppError::Invalid(problems)) => {
            new_staff_page(&state, &staff, &input, Errors::from_problems(&problems)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Disables or enables the account with the id in the path, for the page and the API alike.
pub(crate) async fn set_disabled(
    state: &WebState,
    staff: &Staff<ManageUsers>,
    id: &str,
    disabled: bool,
) -> Result<(), Failure> {
    let id = StaffId::parse(id).ok_or(Failure(Problem::NotFound))?;
    state
        .app
        .set_staff_disabled(&staff.actor, id, disabled)
        .await?;
    Ok(())
}

/// A one-time link, shown once to whoever made it.
#[derive(Template)]
#[template(path = "account_link.html")]
pub struct AccountLinkPage {
    pub chrome: Chrome,
    pub name: String,
    pub enrolment: bool,
    pub address: String,
    pub expires: String,
    pub back: String,
}

/// The page that shows a link just made, with its full address on this site.
pub(crate) fn link_page(
    state: &WebState,
    authenticated: &crate::auth::Authenticated,
    headers: &HeaderMap,
    link: &cradle_app::enrolment::IssuedLink,
    back: String,
) -> Response {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    let page = AccountLinkPage {
        chrome: Chrome::new(Some(authenticated), state.demo),
        name: link.staff.display_name.clone(),
        enrolment: link.enrolment,
        address: format!("{scheme}://{host}{}", link.path()),
        expires: long_date_time(link.expires_at_millis),
        back,
    };
    let mut response = render(StatusCode::OK, &page);
    // The link is a secret: never kept by the browser or anything between.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

pub async fn make_link(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    let link = state.app.make_account_link(&staff.actor, id).await?;
    Ok(link_page(
        &state,
        &staff.authenticated(),
        &headers,
        &link,
        "/admin/staff".into(),
    ))
}

pub async fn unlock_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    state.app.unlock_account(&staff.actor, id).await?;
    Ok(see_other("/admin/staff#lockouts"))
}

pub async fn disable_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_disabled(&state, &staff, &id, true).await?;
    Ok(see_other("/admin/staff"))
}

pub async fn enable_staff(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_disabled(&state, &staff, &id, false).await?;
    Ok(see_other("/admin/staff"))
}

#[derive(Template)]
#[template(path = "admin_teams.html")]
pub struct TeamsPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub teams: Vec<Team>,
    pub name: TextField,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TeamForm {
    pub name: String,
}

async fn teams_page(
    state: &WebState,
    staff: &Staff<ManageTeams>,
    typed: &str,
    errors: Errors,
) -> Result<Response, Failure> {
    let status = form_status(&errors);
    let page = TeamsPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        errors,
        teams: state.app.teams().await?,
        name: TextField::new("name", "Team name", typed)
            .hint("For example, North Perinatal Community Team or Rose Ward Mother and Baby Unit"),
    };
    Ok(render(status, &page))
}

pub async fn teams(
    State(state): State<WebState>,
    staff: Staff<ManageTeams>,
) -> Result<Response, Failure> {
    teams_page(&state, &staff, "", Errors::default()).await
}

pub async fn create_team(
    State(state): State<WebState>,
    staff: Staff<ManageTeams>,
    Form(form): Form<TeamForm>,
) -> Result<Response, Failure> {
    match state.app.create_team(&staff.actor, &form.name).await {
        Ok(_) => Ok(see_other("/admin/teams")),
        Err(AppError::Invalid(problems)) => {
            teams_page(&state, &staff, &form.name, Errors::from_problems(&problems)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_staff_teams.html")]
pub struct StaffTeamsPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub teams: Vec<TeamChoice>,
}

async fn staff_teams_page(
    state: &WebState,
    staff: &Staff<ManageUsers>,
    id: StaffId,
    chosen: Option<&[String]>,
    errors: Errors,
) -> Result<Response, Failure> {
    let account = state
        .app
        .store
        .staff_by_id(id)
        .await
        .map_err(AppError::from)?
        .ok_or(Failure(Problem::NotFound))?;
    let current: Vec<String> = account.teams.iter().map(|t| t.to_string()).collect();
    let chosen = chosen.unwrap_or(&current);
    let teams = state
        .app
        .teams()
        .await?
        .into_iter()
        .map(|t| TeamChoice {
            selected: chosen.contains(&t.id.to_string()),
            id: t.id.to_string(),
            name: t.name,
        })
        .collect();
    let status = form_status(&errors);
    let page = StaffTeamsPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        errors,
        id: account.id.to_string(),
        name: account.display_name,
        role: account.role.label(),
        teams,
    };
    Ok(render(status, &page))
}

pub async fn staff_teams_form(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    staff_teams_page(&state, &staff, id, None, Errors::default()).await
}

pub async fn set_staff_teams(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
    Form(TeamsForm { teams: chosen }): Form<TeamsForm>,
) -> Result<Response, Failure> {
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    let parsed: Option<Vec<TeamId>> = chosen.iter().map(|t| TeamId::parse(t)).collect();
    let Some(teams) = parsed else {
        let errors = Errors::one("teams", "Select teams from the list");
        return staff_teams_page(&state, &staff, id, Some(&chosen), errors).await;
    };
    match state.app.set_staff_teams(&staff.actor, id, &teams).await {
        Ok(()) => Ok(see_other("/admin/staff")),
        Err(AppError::Invalid(problems)) => {
            staff_teams_page(
                &state,
                &staff,
                id,
                Some(&chosen),
                Errors::from_problems(&problems),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// An API token as the tokens page shows it.
pub struct TokenRow {
    pub id: String,
    pub label: String,
    pub account: String,
    pub issued: String,
    pub expires: String,
    pub last_used: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
pub struct TokensPage {
    pub chrome: Chrome,
    pub tokens: Vec<TokenRow>,
}

pub async fn tokens(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
) -> Result<Response, Failure> {
    let now = state.app.now();
    let tokens = state
        .app
        .api_tokens(&staff.actor)
        .await?
        .into_iter()
        .map(|line| TokenRow {
            status: line.status(now),
            id: line.token.id.to_string(),
            account: line
                .account
                .map(|a| format!("{} ({})", a.display_name, a.username))
                .unwrap_or_default(),
            issued: long_date_time(line.token.created_at_millis),
            expires: long_date_time(line.token.expires_at_millis),
            last_used: line
                .token
                .last_used_at_millis
                .map(long_date_time)
                .unwrap_or_else(|| "Never".into()),
            label: line.token.label,
        })
        .collect();
    let page = TokensPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        tokens,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn revoke_token(
    State(state): State<WebState>,
    staff: Staff<ManageUsers>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = id
        .parse::<uuid::Uuid>()
        .map_err(|_| Failure(Problem::NotFound))?;
    state.app.revoke_api_token(&staff.actor, id).await?;
    Ok(see_other("/admin/tokens"))
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/staff/{id}/link", post(make_link))
        .route("/admin/staff", get(staff_list).post(create_staff))
        .route("/admin/staff/new", get(new_staff_form))
        .route("/admin/staff/{id}/disable", post(disable_staff))
        .route("/admin/staff/{id}/enable", post(enable_staff))
        .route("/admin/staff/{id}/unlock", post(unlock_staff))
        .route("/admin/tokens", get(tokens))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
        .route(
            "/admin/staff/{id}/teams",
            get(staff_teams_form).post(set_staff_teams),
        )
        .route("/admin/teams", get(teams).post(create_team))
}
