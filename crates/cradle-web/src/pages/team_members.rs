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
use axum::http::StatusCode;
use axum::response::Response;
use cradle_domain::StaffId;

pub struct MemberRow {
    pub name: String,
    pub username: String,
    pub role: &'static str,
    pub disabled: bool,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "team_members.html")]
pub struct TeamMembersPage {
    pub chrome: Chrome,
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
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            locked: lockouts
                .iter()
                .any(|l| l.staff.as_ref().is_some_and(|s| s.id == m.id)),
            name: m.display_name,
            username: m.username,
            role: m.role.label(),
            disabled: m.disabled,
        })
        .collect();
    let page = TeamMembersPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        team_name: state.app.team_name(team).await?,
        members,
        lockouts: lockouts.into_iter().map(LockoutRow::from).collect(),
        unlock_path: format!("/teams/{team}/members"),
    };
    Ok(render(StatusCode::OK, &page))
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
