//! The home page: what needs this member of staff's attention across their teams' families,
//! most urgent first, and what they can do from here.

use crate::auth::{AnyStaff, Staff};
use crate::error::Failure;
use crate::views::{render, Chrome};
use crate::WebState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cradle_domain::Permission;

pub struct Card {
    pub href: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

/// One line of "Needs your attention".
pub struct AttentionLine {
    pub label: &'static str,
    pub family: String,
    pub about: Option<String>,
    pub detail: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub name: String,
    pub role: String,
    pub teams: String,
    pub cards: Vec<Card>,
    /// Shown to those who read clinical records; `None` for others.
    pub attention: Option<Vec<AttentionLine>>,
}

pub async fn home(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
) -> Result<Response, Failure> {
    let all_teams = state.app.teams().await?;
    let teams: Vec<String> = all_teams
        .iter()
        .filter(|t| staff.actor.teams.contains(&t.id))
        .map(|t| t.name.clone())
        .collect();
    let mut cards = Vec::new();
    if staff.actor.may(Permission::ReadClinicalRecords) {
        cards.push(Card {
            href: "/families",
            label: "Team families",
            description: "Find a family your team cares for, or add a new one.",
        });
    }
    if staff.actor.may(Permission::ViewRecordAudit) {
        cards.push(Card {
            href: "/audit/emergency-access",
            label: "Emergency access",
            description:
                "Every use of emergency access to your teams' families, with the reasons given.",
        });
    }
    if staff.actor.may(Permission::ManageUsers) {
        cards.push(Card {
            href: "/admin/staff",
            label: "Staff accounts",
            description: "Add staff, set their role and teams, disable accounts.",
        });
    }
    if staff.actor.may(Permission::ManageTeams) {
        cards.push(Card {
            href: "/admin/teams",
            label: "Teams",
            description: "The perinatal teams and Mother and Baby Units using Cradle.",
        });
    }
    let attention = if staff.actor.may(Permission::ReadClinicalRecords) {
        Some(
            state
                .app
                .needs_attention(&staff.actor)
                .await?
                .into_iter()
                .map(|item| AttentionLine {
                    label: item.kind.label(),
                    href: item.href(),
                    family: item.family,
                    about: item.about,
                    detail: item.detail,
                })
                .collect(),
        )
    } else {
        None
    };
    let page = HomePage {
        attention,
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        name: staff.actor.display_name.clone(),
        role: staff.actor.role.label().to_string(),
        teams: teams.join(" and "),
        cards,
    };
    Ok(render(StatusCode::OK, &page))
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new().route("/", get(home))
}
