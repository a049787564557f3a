//! A team's members, for its manager: who can see the team's families, and any account
//! locked after failed sign-ins, which the manager can unlock.

use super::admin::LockoutRow;
use super::see_other;
use crate::auth::{ManageTeamAccounts, Staff};
use crate::error::{Failure, Problem};
use crate::views::{render, Chrome};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cradle_domain::dates::{long_date, long_date_time, uk_date};
use cradle_domain::StaffId;

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub username: String,
    pub role: &'static str,
    pub disabled: bool,
    pub locked: bool,
    pub joined: String,
    /// Added in the last 28 days.
    pub new: bool,
    /// No password yet; when the newest link expires, if there is one.
    pub waiting_to_enrol: Option<Option<String>>,
    /// The manager may make this member's sign-in links.
    pub can_make_link: bool,
}

/// How long a member counts as new on the team's page.
const NEW_MEMBER_MILLIS: i64 = 28 * 24 * 60 * 60 * 1000;

#[derive(Template)]
#[template(path = "team_members.html")]
pub struct TeamMembersPage {
    pub chrome: Chrome,
    pub team_id: String,
    pub team_name: String,
    pub members: Vec<MemberRow>,
    pub lockouts: Vec<LockoutRow>,
    pub unlock_path: String,
}

pub async fn members(
    State(state): State<WebState>,
    staff: Staff<ManageTeamAccounts>,
    Path(team): Path<String>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let members = state.app.team_members(&staff.actor, team).await?;
    let lockouts: Vec<_> = state
        .app
        .lockouts(&staff.actor)
        .await?
        .into_iter()
        .filter(|l| l.staff.as_ref().is_some_and(|s| s.teams.contains(&team)))
        .collect();
    let states = state.app.account_states(&staff.actor).await?;
    let now = state.app.now();
    let may_enrol = staff
        .actor
        .role
        .allows(cradle_domain::Permission::EnrolClinicalStaff);
    let members = members
        .into_iter()
        .map(|m| {
            let enrolment = states.get(&m.id);
            let joined = enrolment.map(|e| e.created_at_millis).unwrap_or(now);
            MemberRow {
                id: m.id.to_string(),
                locked: lockouts
                    .iter()
                    .any(|l| l.staff.as_ref().is_some_and(|s| s.id == m.id)),
                joined: long_date(uk_date(joined)),
                new: now - joined < NEW_MEMBER_MILLIS,
                waiting_to_enrol: enrolment
                    .filter(|e| !e.has_password && !m.service_account)
                    .map(|e| {
                        e.open_link
                            .as_ref()
                            .filter(|(_, expires)| *expires > now)
                            .map(|(_, expires)| long_date_time(*expires))
                    }),
                can_make_link: may_enrol
                    && !m.disabled
                    && !m.service_account
                    && Some(m.id) != staff.actor.id,
                name: m.display_name,
                username: m.username,
                role: m.role.label(),
                disabled: m.disabled,
            }
        })
        .collect();
    let page = TeamMembersPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        team_id: team.to_string(),
        team_name: state.app.team_name(team).await?,
        members,
        lockouts: lockouts.into_iter().map(LockoutRow::from).collect(),
        unlock_path: format!("/teams/{team}/members"),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn make_link(
    State(state): State<WebState>,
    staff: Staff<ManageTeamAccounts>,
    headers: HeaderMap,
    Path((team, id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    let link = state.app.make_account_link(&staff.actor, id).await?;
    Ok(super::admin::link_page(
        &state,
        &staff.authenticated(),
        &headers,
        &link,
        format!("/teams/{team}/members"),
    ))
}

pub async fn unlock(
    State(state): State<WebState>,
    staff: Staff<ManageTeamAccounts>,
    Path((team, id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let id = StaffId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    state.app.unlock_account(&staff.actor, id).await?;
    Ok(see_other(&format!("/teams/{team}/members#lockouts")))
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/teams/{team}/members/{id}/link", post(make_link))
        .route("/teams/{team}/members", get(members))
        .route("/teams/{team}/members/{id}/unlock", post(unlock))
}
