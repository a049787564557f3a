//! A team's questionnaires: those shipped with Cradle and the ones the team imported from its
//! own definition files, with importing and retiring for team managers.

use super::interventions::team_of;
use super::network::parse_id;
use super::see_other;
use crate::auth::{ManageTeamPractice, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{form_status, render, Chrome, Errors, TextArea};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::questionnaires::TeamInstruments;
use cradle_app::AppError;
use cradle_domain::dates::long_date_time;
use cradle_domain::TeamId;
use uuid::Uuid;

/// One questionnaire as the team's settings list it.
pub struct QuestionnaireLine {
    pub name: String,
    pub title: String,
    pub version: String,
    pub licence: String,
    pub source: String,
    pub populations: String,
    /// Set for a current import: its id, to stop offering it.
    pub retire: Option<String>,
    pub retired: bool,
}

pub fn lines(instruments: &TeamInstruments) -> Vec<QuestionnaireLine> {
    instruments
        .entries
        .iter()
        .map(|entry| {
            let i = &entry.instrument;
            QuestionnaireLine {
                name: i.name.clone(),
                title: i.title.clone(),
                version: i.version.clone(),
                licence: i.licence.name.clone(),
                source: match &entry.imported {
                    None => "Shipped with Cradle".to_string(),
                    Some(d) => format!(
                        "Imported by {}, {}",
                        d.imported_by_name,
                        long_date_time(d.imported_at_millis)
                    ),
                },
                populations: i
                    .populations
                    .iter()
                    .map(|p| p.label.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                retire: entry
                    .imported
                    .as_ref()
                    .filter(|d| d.retired_at_millis.is_none())
                    .map(|d| d.id.to_string()),
                retired: !entry.is_current(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "team_questionnaire_import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub team_id: String,
    pub team_name: String,
    pub definition: TextArea,
}

async fn import_page(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
    team: TeamId,
    typed: &str,
    errors: Errors,
) -> Result<Response, Failure> {
    // Asked first: only the team's managers see its questionnaires.
    state.app.questionnaires_of_team(&staff.actor, team).await?;
    let mut definition = TextArea::new("definition", "Definition file", typed).hint(
        "Open your service's definition file (a .json file in Cradle's questionnaire format, described in docs/instruments/README.md) in a text editor, copy all of it and paste it here. Cradle checks every part before it is used.",
    );
    definition.rows = 16;
    let page = ImportPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        team_id: team.to_string(),
        team_name: state.app.team_name(team).await?,
        definition,
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn import_form(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
) -> Result<Response, Failure> {
    import_page(&state, &staff, team_of(&team)?, "", Errors::default()).await
}

/// A questionnaire's definition, pasted in as JSON.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Definition {
    definition: String,
}

pub async fn import(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
    Form(Definition { definition: typed }): Form<Definition>,
) -> Result<Response, Failure> {
    let team = team_of(&team)?;
    match state
        .app
        .import_questionnaire(&staff.actor, team, &typed)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/teams/{team}/settings#questionnaires"))),
        Err(AppError::Invalid(problems)) => {
            import_page(
                &state,
                &staff,
                team,
                &typed,
                Errors::from_problems(&problems),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn retire(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((team, definition)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = team_of(&team)?;
    let definition = parse_id(definition.parse::<Uuid>().ok())?;
    state
        .app
        .retire_questionnaire(&staff.actor, team, definition)
        .await?;
    Ok(see_other(&format!("/teams/{team}/settings#questionnaires")))
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/teams/{team}/questionnaires/new",
            get(import_form).post(import),
        )
        .route(
            "/teams/{team}/questionnaires/{definition}/retire",
            post(retire),
        )
}
