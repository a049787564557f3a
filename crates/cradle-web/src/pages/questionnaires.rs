//! Questionnaire safety alerts on the family page, and recording what was done about one.

use super::network::{access, parse_id, record};
use super::see_other;
use crate::auth::{form_pairs, ChangeRecords, Staff};
use crate::error::Failure;
use crate::views::{form_status, render, Chrome, Errors, TextArea};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::AppError;
use cradle_domain::dates::long_date;
use cradle_domain::network::FamilyRecord;
use cradle_domain::questionnaires::QuestionnaireResponse;
use cradle_domain::FamilyId;
use uuid::Uuid;

/// A safety alert waiting for action, as the family page shows it.
pub struct AlertView {
    pub id: String,
    pub summary: String,
    pub messages: Vec<String>,
}

fn alert_view(record: &FamilyRecord, response: &QuestionnaireResponse) -> AlertView {
    let who = record
        .people
        .iter()
        .find(|p| p.id == response.person_id)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    AlertView {
        id: response.id.to_string(),
        summary: format!(
            "{who}: {} completed {}",
            response.instrument_name,
            long_date(response.completed_on)
        ),
        messages: response
            .scored
            .alerts
            .iter()
            .map(|a| a.message.clone())
            .collect(),
    }
}

/// Every response whose safety alert nobody has yet recorded acting on.
pub fn open_alerts(record: &FamilyRecord) -> Vec<AlertView> {
    record
        .responses
        .iter()
        .filter(|r| r.alert_needs_action())
        .map(|r| alert_view(record, r))
        .collect()
}

#[derive(Template)]
#[template(path = "alert_action.html")]
pub struct AlertActionPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub alert: AlertView,
    pub action: TextArea,
}

async fn alert_of(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    id: &str,
    response: &str,
) -> Result<(cradle_app::FamilyAccess, FamilyRecord, Uuid), Failure> {
    let id = parse_id(FamilyId::parse(id))?;
    let response = parse_id(response.parse::<Uuid>().ok())?;
    let access = access(state, &staff.actor, id).await?;
    let family = record(state, &staff.actor, &access).await?;
    Ok((access, family, response))
}

fn action_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    response: Uuid,
    typed: &str,
    errors: Errors,
) -> Result<Response, Failure> {
    let found = parse_id(
        family
            .responses
            .iter()
            .find(|r| r.id == response && r.alert_needs_action()),
    )?;
    let page = AlertActionPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        alert: alert_view(family, found),
        action: TextArea::new("action", "What was done", typed)
            .hint("The risk assessment made today and its outcome: the plan agreed, who was told, what happens next"),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn alert_action_form(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path((id, response)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (_, family, response) = alert_of(&state, &staff, &id, &response).await?;
    action_page(&state, &staff, &family, response, "", Errors::default())
}

pub async fn record_alert_action(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path((id, response)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let (access, family, response) = alert_of(&state, &staff, &id, &response).await?;
    let typed = form_pairs(&body)
        .into_iter()
        .find(|(key, _)| key == "action")
        .map(|(_, value)| value)
        .unwrap_or_default();
    match state
        .app
        .act_on_alert(&staff.actor, &access, response, &typed)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/families/{}", access.family_id()))),
        Err(AppError::Invalid(problems)) => action_page(
            &state,
            &staff,
            &family,
            response,
            &typed,
            Errors::from_problems(&problems),
        ),
        Err(other) => Err(other.into()),
    }
}
