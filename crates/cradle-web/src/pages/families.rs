//! Family pages: the team caseload, adding a family, the family record and emergency access.

use super::see_other;
use crate::auth::{BreakGlass, ChangeRecords, ReadRecords, Staff};
use crate::error::{Failure, Problem};
use crate::views::{form_status, render, Choice, Chrome, DateField, Errors, TeamChoice, TextField};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use cradle_app::families::PAGE_SIZE;
use cradle_app::AppError;
use cradle_domain::dates::long_date_time;
use cradle_domain::{FamilyId, FamilyInput, NhsNumber, PerinatalStage, Permission};
use serde::Deserialize;

pub struct FamilyRow {
    pub id: String,
    pub baby: String,
    pub mother: String,
    pub stage: &'static str,
}

#[derive(Template)]
#[template(path = "families.html")]
pub struct FamiliesPage {
    pub chrome: Chrome,
    pub families: Vec<FamilyRow>,
    pub total: u64,
    pub search: String,
    pub page: u32,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    pub may_add: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub page: Option<u32>,
}

pub async fn list(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let page = query.page.unwrap_or(1).max(1);
    let result = state
        .app
        .list_families(&staff.actor, Some(&query.q), page)
        .await?;
    let search_param = crate::error::urlencode(query.q.trim());
    let href = |p: u32| format!("/families?q={search_param}&page={p}");
    let shown_to = u64::from(page) * u64::from(PAGE_SIZE);
    let view = FamiliesPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        families: result
            .families
            .iter()
            .map(|f| FamilyRow {
                id: f.id.to_string(),
                baby: f
                    .baby_name
                    .clone()
                    .unwrap_or_else(|| format!("Baby of {}", f.mother_name)),
                mother: f.mother_name.clone(),
                stage: f.stage.label(),
            })
            .collect(),
        total: result.total,
        search: query.q.trim().to_string(),
        page,
        previous_href: (page > 1).then(|| href(page - 1)),
        next_href: (shown_to < result.total).then(|| href(page + 1)),
        may_add: staff.actor.may(Permission::ChangeClinicalRecords),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "family_new.html")]
pub struct NewFamilyPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub teams: Vec<TeamChoice>,
    pub mother_name: TextField,
    pub mother_nhs_number: TextField,
    pub stages: Vec<Choice>,
    pub baby_name: TextField,
    pub baby_dob: DateField,
    pub due_date: DateField,
}

async fn new_family_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    input: &FamilyInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let teams = state
        .app
        .teams()
        .await?
        .into_iter()
        .filter(|t| staff.actor.teams.contains(&t.id))
        .map(|t| TeamChoice {
            selected: t.id.to_string() == input.team_id,
            id: t.id.to_string(),
            name: t.name,
        })
        .collect();
    let stages = [
        PerinatalStage::Antenatal,
        PerinatalStage::Postnatal,
        PerinatalStage::Preconception,
    ]
    .into_iter()
    .map(|s| Choice {
        code: s.code().to_string(),
        label: s.label().to_string(),
        selected: input.stage == s.code(),
    })
    .collect();
    let status = form_status(&errors);
    let page = NewFamilyPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        errors,
        teams,
        mother_name: TextField::new("mother_name", "Mother's full name", &input.mother_name),
        mother_nhs_number: TextField::new("mother_nhs_number", "Mother's NHS number (optional)", &input.mother_nhs_number)
            .hint("10 digits, for example 999 123 4578")
            .width("nhsuk-input--width-10"),
        stages,
        baby_name: TextField::new("baby_name", "Baby's name (optional)", &input.baby_name)
            .hint("Leave blank if the baby is not yet named: Cradle will show “Baby of” the mother's name"),
        baby_dob: DateField {
            id: "baby_dob",
            legend: "Baby's date of birth (if postnatal)",
            day_name: "baby_dob_day",
            month_name: "baby_dob_month",
            year_name: "baby_dob_year",
            day: input.baby_dob_day.clone(),
            month: input.baby_dob_month.clone(),
            year: input.baby_dob_year.clone(),
        },
        due_date: DateField {
            id: "due_date",
            legend: "Due date (if antenatal)",
            day_name: "due_day",
            month_name: "due_month",
            year_name: "due_year",
            day: input.due_day.clone(),
            month: input.due_month.clone(),
            year: input.due_year.clone(),
        },
    };
    Ok(render(status, &page))
}

pub async fn new_form(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
) -> Result<Response, Failure> {
    let input = FamilyInput {
        team_id: staff
            .actor
            .teams
            .first()
            .map(|t| t.to_string())
            .unwrap_or_default(),
        ..FamilyInput::default()
    };
    new_family_page(&state, &staff, &input, Errors::default()).await
}

pub async fn create(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Form(input): Form<FamilyInput>,
) -> Result<Response, Failure> {
    match state.app.create_family(&staff.actor, &input).await {
        Ok(family) => Ok(see_other(&format!("/families/{}", family.id))),
        Err(AppError::Invalid(problems)) => {
            new_family_page(&state, &staff, &input, Errors::from_problems(&problems)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "family.html")]
pub struct FamilyPage {
    pub chrome: Chrome,
    pub id: String,
    pub baby: String,
    pub baby_dates: String,
    pub mother: String,
    pub nhs_number: String,
    pub stage: &'static str,
    pub team: String,
    pub created: String,
    pub break_glass_reason: Option<String>,
    pub may_view_audit: bool,
}

fn family_id(text: &str) -> Result<FamilyId, Failure> {
    FamilyId::parse(text).ok_or(Failure(Problem::NotFound))
}

/// A refusal because the family belongs to another team, with the way to ask for access.
fn other_team(error: AppError, id: FamilyId) -> Failure {
    match error {
        AppError::OtherTeamsRecord {
            break_glass_allowed,
        } => Failure(Problem::OtherTeam {
            family: Some(id.to_string()),
            break_glass_allowed,
        }),
        other => other.into(),
    }
}

pub async fn show(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    let access = state
        .app
        .family_access(&staff.actor, id)
        .await
        .map_err(|e| other_team(e, id))?;
    let family = state.app.read_family(&staff.actor, &access).await?;
    let team = state
        .app
        .teams()
        .await?
        .into_iter()
        .find(|t| t.id == family.team_id)
        .map(|t| t.name)
        .unwrap_or_default();
    let page = FamilyPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        id: family.id.to_string(),
        baby: family.baby_label(),
        baby_dates: family.baby_date_line(),
        mother: family.mother_name.clone(),
        nhs_number: family
            .mother_nhs_number
            .as_deref()
            .and_then(|n| NhsNumber::parse("n", n).ok())
            .map(|n| n.formatted())
            .unwrap_or_else(|| "Not recorded".to_string()),
        stage: family.stage.label(),
        team,
        created: long_date_time(family.created_at_millis),
        break_glass_reason: access.break_glass_reason().map(str::to_string),
        may_view_audit: staff.actor.may(Permission::ViewRecordAudit),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "break_glass.html")]
pub struct BreakGlassPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub id: String,
    pub reason: String,
    pub minutes: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BreakGlassForm {
    pub reason: String,
}

fn break_glass_page(
    state: &WebState,
    staff: &Staff<BreakGlass>,
    id: FamilyId,
    reason: &str,
    errors: Errors,
) -> Response {
    let status = form_status(&errors);
    render(
        status,
        &BreakGlassPage {
            chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
            errors,
            id: id.to_string(),
            reason: reason.to_string(),
            minutes: state.app.settings.break_glass_millis / 60_000,
        },
    )
}

pub async fn break_glass_form(
    State(state): State<WebState>,
    staff: Staff<BreakGlass>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    Ok(break_glass_page(&state, &staff, id, "", Errors::default()))
}

pub async fn break_glass(
    State(state): State<WebState>,
    staff: Staff<BreakGlass>,
    Path(id): Path<String>,
    Form(form): Form<BreakGlassForm>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    match state.app.break_glass(&staff.actor, id, &form.reason).await {
        Ok(_) => Ok(see_other(&format!("/families/{id}"))),
        Err(AppError::Invalid(problems)) => Ok(break_glass_page(
            &state,
            &staff,
            id,
            &form.reason,
            Errors::from_problems(&problems),
        )),
        Err(other) => Err(other.into()),
    }
}
