//! Intervention pages: the team's catalogue (for its manager), offering an intervention to a
//! family member, recording each step after that, and the sessions of a manualised series.

use super::network::{parse_id, record};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, ManageTeamPractice, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{
    form_status, render, CheckboxGroup, Choice, Chrome, DateField, Errors, RadioGroup, SelectField,
    TextArea, TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::Sections;
use cradle_app::{AppError, FamilyAccess};
use cradle_domain::dates::long_date;
use cradle_domain::interventions::{
    CatalogueEntry, CatalogueInput, OfferInput, PersonIntervention, SeriesInput, StepInput,
};
use cradle_domain::network::FamilyRecord;
use cradle_domain::TeamId;
use uuid::Uuid;

/// A family member's intervention as the family page lists it.
pub struct InterventionView {
    pub id: String,
    pub who: String,
    pub name: String,
    pub step: String,
    pub active: bool,
    pub delivered_by: String,
    pub series: Option<String>,
    pub may_record_series: bool,
    pub history: Vec<String>,
}

pub fn views(record: &FamilyRecord) -> Vec<InterventionView> {
    record
        .interventions
        .iter()
        .map(|i| {
            let current = i.current();
            InterventionView {
                id: i.id.to_string(),
                who: record.member_name(i.member),
                name: i.name.clone(),
                step: current
                    .map(|s| {
                        format!(
                            "{} {}{}",
                            s.step.label(),
                            long_date(s.on),
                            s.reason
                                .as_deref()
                                .map(|r| format!(": {r}"))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
                active: i.is_active(),
                delivered_by: i.delivered_by.clone(),
                series: i.manualised.then(|| {
                    let done: Vec<String> = i
                        .series
                        .iter()
                        .map(|s| format!("{} ({}, {})", s.number, s.theme, long_date(s.on)))
                        .collect();
                    format!(
                        "Sessions of the series{}: {}",
                        i.series_sessions
                            .map(|n| format!(" (of {n})"))
                            .unwrap_or_default(),
                        if done.is_empty() {
                            "none yet".to_string()
                        } else {
                            done.join("; ")
                        }
                    )
                }),
                may_record_series: i.manualised
                    && matches!(
                        i.current_step(),
                        cradle_domain::interventions::Step::Started
                            | cradle_domain::interventions::Step::Accepted
                    ),
                history: i
                    .steps
                    .iter()
                    .map(|s| {
                        format!(
                            "{} {} by {}",
                            s.step.label(),
                            long_date(s.on),
                            s.recorded_by
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

// ----- Offering -----

#[derive(Template)]
#[template(path = "offer_form.html")]
pub struct OfferFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub member: RadioGroup,
    pub intervention: SelectField,
    pub delivered_by: TextField,
    pub plan: SelectField,
    pub offered: DateField,
}

fn offer_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    catalogue: &[CatalogueEntry],
    input: &OfferInput,
    errors: Errors,
) -> Response {
    let mut interventions = vec![Choice {
        code: String::new(),
        label: "Select an intervention".to_string(),
        selected: input.intervention.is_empty(),
    }];
    interventions.extend(catalogue.iter().filter(|e| !e.retired).map(|e| Choice {
        code: e.id.to_string(),
        label: e.name.clone(),
        selected: input.intervention == e.id.to_string(),
    }));
    let mut plans = vec![Choice {
        code: String::new(),
        label: "Not part of a care plan".to_string(),
        selected: input.plan.is_empty(),
    }];
    plans.extend(family.plans.iter().filter(|p| p.is_open()).map(|p| Choice {
        code: p.id.to_string(),
        label: format!("{}, agreed {}", p.kind.label(), long_date(p.agreed_on)),
        selected: input.plan == p.id.to_string(),
    }));
    let page = OfferFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        member: RadioGroup {
            id: "member",
            legend: "Who is it offered to?",
            options: super::member_choices(family, &input.member, true),
            inline: false,
        },
        intervention: SelectField {
            id: "intervention",
            label: "Intervention",
            options: interventions,
        },
        delivered_by: TextField::new("delivered_by", "Who delivers it", &input.delivered_by)
            .hint("A member of the team, or the service it is delivered by"),
        plan: SelectField {
            id: "plan",
            label: "Care plan",
            options: plans,
        },
        offered: DateField::new(
            "offered",
            "Date it was offered",
            ["offered_day", "offered_month", "offered_year"],
            [
                &input.offered_day,
                &input.offered_month,
                &input.offered_year,
            ],
        ),
        errors,
    };
    render(form_status(&page.errors), &page)
}

async fn family_catalogue(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    access: &FamilyAccess,
) -> Result<Vec<CatalogueEntry>, Failure> {
    // Staff not in the caring team (emergency access) have no catalogue to offer from.
    Ok(state
        .app
        .catalogue(&staff.actor, access.team_id())
        .await
        .unwrap_or_default())
}

pub async fn offer_form_page(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
    let catalogue = family_catalogue(&state, &staff, &access).await?;
    let (offered_day, offered_month, offered_year) = super::today_boxes(&state);
    let input = OfferInput {
        delivered_by: staff.actor.display_name.clone(),
        offered_day,
        offered_month,
        offered_year,
        ..OfferInput::default()
    };
    Ok(offer_form(
        &state,
        &staff,
        &family,
        &catalogue,
        &input,
        Errors::default(),
    ))
}

pub async fn offer(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<OfferInput>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    match state
        .app
        .offer_intervention(&staff.actor, &access, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/families/{id}#interventions"))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
            let catalogue = family_catalogue(&state, &staff, &access).await?;
            Ok(offer_form(
                &state,
                &staff,
                &family,
                &catalogue,
                &input,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

// ----- Steps and series sessions -----

#[derive(Template)]
#[template(path = "intervention_step_form.html")]
pub struct StepFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub action: String,
    pub heading: String,
    pub current: String,
    pub series: bool,
    pub step: RadioGroup,
    pub date: DateField,
    pub reason: TextArea,
    pub number: TextField,
    pub theme: RadioGroup,
    pub theme_text: TextField,
    pub button: &'static str,
}

/// For a page about one intervention: the record's core and care section (its read
/// audited) and the intervention.
async fn intervention_of(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    access: &FamilyAccess,
    intervention: &str,
) -> Result<(std::sync::Arc<FamilyRecord>, PersonIntervention), Failure> {
    let intervention = parse_id(intervention.parse::<Uuid>().ok())?;
    let family = record(state, &staff.actor, access, Sections::CARE).await?;
    let found = parse_id(
        family
            .interventions
            .iter()
            .find(|i| i.id == intervention)
            .cloned(),
    )?;
    Ok((family, found))
}

#[allow(clippy::too_many_arguments)]
fn step_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    intervention: &PersonIntervention,
    themes: &[String],
    step: &StepInput,
    series: Option<&SeriesInput>,
    errors: Errors,
) -> Response {
    let family_id = family.family.id;
    let who = family.member_name(intervention.member);
    let empty = SeriesInput::default();
    let typed = series.unwrap_or(&empty);
    let page = StepFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family_id.to_string(),
        action: format!(
            "/families/{family_id}/interventions/{}/{}",
            intervention.id,
            if series.is_some() { "series" } else { "steps" }
        ),
        heading: if series.is_some() {
            format!("Record a session of {}", intervention.name)
        } else {
            format!("{}: {}", who, intervention.name)
        },
        current: intervention
            .current()
            .map(|s| {
                format!(
                    "Now: {} {}.",
                    s.step.label().to_lowercase(),
                    long_date(s.on)
                )
            })
            .unwrap_or_default(),
        series: series.is_some(),
        step: RadioGroup {
            id: "step",
            legend: "What happened next?",
            options: intervention
                .current_step()
                .next()
                .iter()
                .map(|s| Choice {
                    code: s.code().to_string(),
                    label: s.label().to_string(),
                    selected: step.step == s.code(),
                })
                .collect(),
            inline: false,
        },
        date: if series.is_some() {
            DateField::new(
                "series",
                "Date of the session",
                ["series_day", "series_month", "series_year"],
                [&typed.series_day, &typed.series_month, &typed.series_year],
            )
        } else {
            DateField::new(
                "step_on",
                "Date of this step",
                ["step_day", "step_month", "step_year"],
                [&step.step_day, &step.step_month, &step.step_year],
            )
        },
        reason: TextArea::new(
            "reason",
            "Reason (needed if declined or stopped)",
            &step.reason,
        )
        .hint(
            "In their words where you can. Declining is respected: it is recorded, not questioned.",
        ),
        number: TextField::new(
            "number",
            "Which session of the series was it?",
            &typed.number,
        )
        .width("nhsuk-input--width-2"),
        theme: RadioGroup {
            id: "theme",
            legend: "Theme covered",
            options: themes
                .iter()
                .map(|t| Choice {
                    code: t.clone(),
                    label: t.clone(),
                    selected: typed.theme == *t,
                })
                .collect(),
            inline: false,
        },
        theme_text: TextField::new("theme", "Theme covered", &typed.theme),
        button: if series.is_some() {
            "Save the session"
        } else {
            "Save the step"
        },
        errors,
    };
    render(form_status(&page.errors), &page)
}

async fn themes_of(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    access: &FamilyAccess,
    intervention: &PersonIntervention,
) -> Result<Vec<String>, Failure> {
    Ok(family_catalogue(state, staff, access)
        .await?
        .into_iter()
        .find(|e| e.id == intervention.intervention)
        .map(|e| e.themes)
        .unwrap_or_default())
}

pub async fn step_form_page(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, intervention) = intervention_of(&state, &staff, &access, &intervention).await?;
    let (step_day, step_month, step_year) = super::today_boxes(&state);
    let input = StepInput {
        step_day,
        step_month,
        step_year,
        ..StepInput::default()
    };
    Ok(step_form(
        &state,
        &staff,
        &family,
        &intervention,
        &[],
        &input,
        None,
        Errors::default(),
    ))
}

pub async fn record_step(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
    Form(input): Form<StepInput>,
) -> Result<Response, Failure> {
    let intervention = parse_id(intervention.parse::<Uuid>().ok())?;
    match state
        .app
        .record_intervention_step(&staff.actor, &access, intervention, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/families/{}#interventions",
            access.family_id()
        ))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
            let intervention =
                parse_id(family.interventions.iter().find(|i| i.id == intervention))?;
            Ok(step_form(
                &state,
                &staff,
                &family,
                intervention,
                &[],
                &input,
                None,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn series_form_page(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, intervention) = intervention_of(&state, &staff, &access, &intervention).await?;
    let themes = themes_of(&state, &staff, &access, &intervention).await?;
    let (series_day, series_month, series_year) = super::today_boxes(&state);
    let next = (1..)
        .find(|n| !intervention.series.iter().any(|s| s.number == *n))
        .unwrap_or(1);
    let input = SeriesInput {
        number: next.to_string(),
        series_day,
        series_month,
        series_year,
        ..SeriesInput::default()
    };
    Ok(step_form(
        &state,
        &staff,
        &family,
        &intervention,
        &themes,
        &StepInput::default(),
        Some(&input),
        Errors::default(),
    ))
}

pub async fn record_series(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, intervention)): Path<(String, String)>,
    Form(input): Form<SeriesInput>,
) -> Result<Response, Failure> {
    let intervention = parse_id(intervention.parse::<Uuid>().ok())?;
    match state
        .app
        .record_series_session(&staff.actor, &access, intervention, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/families/{}#interventions",
            access.family_id()
        ))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
            let intervention =
                parse_id(family.interventions.iter().find(|i| i.id == intervention))?;
            let themes = themes_of(&state, &staff, &access, intervention).await?;
            Ok(step_form(
                &state,
                &staff,
                &family,
                intervention,
                &themes,
                &StepInput::default(),
                Some(&input),
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

// ----- The team's catalogue -----

pub struct CatalogueLine {
    pub id: String,
    pub name: String,
    pub description: String,
    pub detail: String,
    pub retired: bool,
}

pub fn catalogue_lines(catalogue: &[CatalogueEntry]) -> Vec<CatalogueLine> {
    catalogue
        .iter()
        .map(|e| CatalogueLine {
            id: e.id.to_string(),
            name: e.name.clone(),
            description: e.description.clone(),
            detail: match (e.manualised, e.series_sessions, e.themes.len()) {
                (false, _, _) => String::new(),
                (true, Some(n), 0) => format!("Manualised, {n} sessions"),
                (true, Some(n), t) => format!("Manualised, {n} sessions, {t} themes"),
                (true, None, _) => "Manualised".to_string(),
            },
            retired: e.retired,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "catalogue_form.html")]
pub struct CatalogueFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub team_id: String,
    pub team_name: String,
    pub heading: &'static str,
    pub action: String,
    pub name: TextField,
    pub description: TextArea,
    pub manualised: CheckboxGroup,
    pub series_sessions: TextField,
    pub themes: TextArea,
    pub retired: CheckboxGroup,
    pub editing: bool,
}

async fn catalogue_form(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
    team: TeamId,
    entry: Option<Uuid>,
    input: &CatalogueInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let team_name = state.app.team_name(team).await?;
    let tick = |code: &str, label: &str, typed: &str| {
        vec![Choice {
            code: code.to_string(),
            label: label.to_string(),
            selected: typed == code,
        }]
    };
    let page = CatalogueFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        team_id: team.to_string(),
        team_name,
        heading: if entry.is_some() {
            "Change an intervention"
        } else {
            "Add an intervention"
        },
        action: match entry {
            Some(id) => format!("/teams/{team}/interventions/{id}"),
            None => format!("/teams/{team}/interventions"),
        },
        name: TextField::new("name", "Name", &input.name),
        description: TextArea::new("description", "What it is (optional)", &input.description),
        manualised: CheckboxGroup {
            id: "manualised",
            legend: "Delivered as a series following a manual?",
            hint: "",
            options: tick("yes", "Manualised (for example VIPP)", &input.manualised),
        },
        series_sessions: TextField::new(
            "series_sessions",
            "Sessions in the series (manualised only, optional)",
            &input.series_sessions,
        )
        .width("nhsuk-input--width-2"),
        themes: TextArea::new(
            "themes",
            "Themes of the series (manualised only, optional)",
            &input.themes,
        )
        .hint("One theme per line, in order"),
        retired: CheckboxGroup {
            id: "retired",
            legend: "Still offered?",
            hint: "A retired intervention stays on the records of families who had it",
            options: tick("yes", "No longer offered", &input.retired),
        },
        editing: entry.is_some(),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

/// A team's id from a page's address; "not found" if it is not one.
pub(crate) fn team_of(text: &str) -> Result<TeamId, Failure> {
    parse_id(text.parse::<Uuid>().ok().map(TeamId))
}

pub async fn new_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
) -> Result<Response, Failure> {
    let team = team_of(&team)?;
    state.app.catalogue(&staff.actor, team).await?;
    catalogue_form(
        &state,
        &staff,
        team,
        None,
        &CatalogueInput::default(),
        Errors::default(),
    )
    .await
}

pub async fn edit_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((team, entry)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = team_of(&team)?;
    let entry = parse_id(entry.parse::<Uuid>().ok())?;
    let catalogue = state.app.catalogue(&staff.actor, team).await?;
    let found = parse_id(catalogue.iter().find(|e| e.id == entry))?;
    catalogue_form(
        &state,
        &staff,
        team,
        Some(entry),
        &CatalogueInput::from_entry(found),
        Errors::default(),
    )
    .await
}

async fn save_entry(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
    team: TeamId,
    entry: Option<Uuid>,
    input: CatalogueInput,
) -> Result<Response, Failure> {
    match state
        .app
        .save_catalogue_entry(&staff.actor, team, entry, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/teams/{team}/settings#catalogue"))),
        Err(AppError::Invalid(problems)) => {
            catalogue_form(
                state,
                staff,
                team,
                entry,
                &input,
                Errors::from_problems(&problems),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn add_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
    Form(input): Form<CatalogueInput>,
) -> Result<Response, Failure> {
    let team = team_of(&team)?;
    save_entry(&state, &staff, team, None, input).await
}

pub async fn change_catalogue_entry(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((team, entry)): Path<(String, String)>,
    Form(input): Form<CatalogueInput>,
) -> Result<Response, Failure> {
    let team = team_of(&team)?;
    let entry = parse_id(entry.parse::<Uuid>().ok())?;
    save_entry(&state, &staff, team, Some(entry), input).await
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/interventions/new", get(offer_form_page))
        .route("/families/{id}/interventions", post(offer))
        .route(
            "/families/{id}/interventions/{intervention}/steps",
            get(step_form_page).post(record_step),
        )
        .route(
            "/families/{id}/interventions/{intervention}/series",
            get(series_form_page).post(record_series),
        )
        .route("/teams/{team}/interventions/new", get(new_catalogue_entry))
        .route("/teams/{team}/interventions", post(add_catalogue_entry))
        .route(
            "/teams/{team}/interventions/{entry}",
            get(edit_catalogue_entry).post(change_catalogue_entry),
        )
}
