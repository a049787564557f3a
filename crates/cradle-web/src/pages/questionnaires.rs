//! Questionnaire safety alerts on the family page, and recording what was done about one.

use super::network::{parse_id, record};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::{ByName, Form};
use crate::views::{form_status, render, Chrome, Errors, TextArea};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::AppError;
use cradle_app::Sections;
use cradle_domain::dates::long_date;
use cradle_domain::network::FamilyRecord;
use cradle_domain::questionnaires::QuestionnaireResponse;
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
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, response)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let response = parse_id(response.parse::<Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::PATHWAY).await?;
    action_page(&state, &staff, &family, response, "", Errors::default())
}

/// What was done about a questionnaire's alert, as chosen.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AlertAction {
    action: String,
}

pub async fn record_alert_action(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, response)): Path<(String, String)>,
    Form(AlertAction { action: typed }): Form<AlertAction>,
) -> Result<Response, Failure> {
    let response = parse_id(response.parse::<Uuid>().ok())?;
    match state
        .app
        .act_on_alert(&staff.actor, &access, response, &typed)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/families/{}", access.family_id()))),
        Err(AppError::Invalid(problems)) => action_page(
            &state,
            &staff,
            &*record(&state, &staff.actor, &access, Sections::PATHWAY).await?,
            response,
            &typed,
            Errors::from_problems(&problems),
        ),
        Err(other) => Err(other.into()),
    }
}

// ----- Completing a questionnaire with a family member -----

/// One question on the form, with its options and what was ticked.
pub struct QuestionView {
    pub link_id: String,
    pub text: String,
    pub options: Vec<crate::views::Choice>,
}

#[derive(Template)]
#[template(path = "questionnaire_form.html")]
pub struct QuestionnaireFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub person_id: String,
    pub name: String,
    /// "Interpreter needed: Polish", when they need one.
    pub interpreter: Option<String>,
    /// The instruments to choose from, until one is chosen.
    pub instruments: crate::views::RadioGroup,
    pub instrument: Option<InstrumentView>,
}

pub struct InstrumentView {
    pub name: String,
    pub title: String,
    /// The form\'s own instruction and time frame, shown above the questions.
    pub instructions: Vec<String>,
    pub licence: String,
    pub population: crate::views::RadioGroup,
    /// Which group follows the person as recorded, and why.
    pub population_note: String,
    /// Whether an interpreter was used, asked when the person needs one.
    pub interpreter_fields: crate::views::InterpreterFields,
    pub completed_on: crate::views::DateField,
    pub questions: Vec<QuestionView>,
}

/// The form as typed: the instrument, the population, the date boxes and each answer (as
/// `q:{question}`, the question's link id).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    instrument: String,
    population: String,
    #[serde(flatten)]
    interpreter: cradle_domain::interpreters::InterpreterInput,
    #[serde(rename = "completed_on_day")]
    day: String,
    #[serde(rename = "completed_on_month")]
    month: String,
    #[serde(rename = "completed_on_year")]
    year: String,
    #[serde(flatten)]
    named: ByName,
}

impl Typed {
    /// Each question answered, with the code of the answer chosen, in the form's order.
    fn answers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.named.iter().filter_map(|(key, code)| {
            key.strip_prefix("q:")
                .map(|question| (question, code.as_str()))
        })
    }

    fn answer(&self, question: &str) -> &str {
        self.answers()
            .find(|(q, _)| *q == question)
            .map(|(_, code)| code)
            .unwrap_or("")
    }
}

/// How the record has a respondent, for the population's explanation: "the baby's father,
/// adult".
fn who_is(who: &cradle_domain::questionnaires::Respondent) -> String {
    let mut said: Vec<String> = who
        .relationships
        .iter()
        .map(|k| k.label().to_lowercase())
        .collect();
    if said.is_empty() {
        said.push("no relationship to the baby recorded".to_string());
    }
    match who.age {
        Some(age) => said.push(age.label().to_lowercase()),
        None => said.push("age not recorded".to_string()),
    }
    said.join(", ")
}

async fn questionnaire_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    person: cradle_domain::PersonId,
    typed: &Typed,
    errors: Errors,
) -> Result<Response, Failure> {
    use crate::views::{Choice, DateField, RadioGroup};
    let found = parse_id(family.people.iter().find(|p| p.id == person))?;
    let today = state.app.today();
    if family.is_child(person, today) {
        return Err(cradle_app::AppError::Conflict(format!(
            "Cradle does not offer questionnaires written for adults to a child. {} is recorded as under 16, or as the baby's brother or sister with no age recorded: change their details if that is wrong.",
            found.name
        ))
        .into());
    }
    let age = found.age_band_on(today);
    let instruments = state.app.team_instruments(family.family.team_id).await?;
    let chosen = instruments
        .by_name(&typed.instrument)
        .filter(|i| i.meant_for(age));
    if instruments.current().all(|i| !i.meant_for(age)) {
        return Err(cradle_app::AppError::Conflict(format!(
            "None of your team's questionnaires is meant for someone {}, as {} is recorded.",
            age.map(|a| a.label().to_lowercase()).unwrap_or_default(),
            found.name
        ))
        .into());
    }
    let page = QuestionnaireFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        person_id: person.to_string(),
        name: found.name.clone(),
        interpreter: found.interpreter_note(),
        instruments: RadioGroup {
            id: "instrument",
            legend: "Which questionnaire?",
            options: instruments
                .current()
                .filter(|i| i.meant_for(age))
                .map(|i| Choice {
                    code: i.name.clone(),
                    label: i.title.clone(),
                    selected: false,
                })
                .collect(),
            inline: false,
        },
        instrument: chosen.map(|instrument| {
            let who = family.respondent(person, today);
            // The group that follows the person is chosen for the clinician to confirm.
            let suggested = who
                .as_ref()
                .and_then(|who| instrument.population_for(who))
                .map(|p| p.code.as_str())
                .unwrap_or(cradle_domain::questionnaires::NO_POPULATION);
            let picked = match typed.population.as_str() {
                "" => suggested,
                typed => typed,
            };
            InstrumentView {
            name: instrument.name.clone(),
            title: instrument.title.clone(),
            instructions: instrument.instructions.clone(),
            licence: instrument.licence.notice.clone(),
            population: RadioGroup {
                id: "population",
                legend: "Which group is the person in?",
                options: instrument
                    .populations
                    .iter()
                    .map(|p| Choice {
                        code: p.code.clone(),
                        label: p.label.clone(),
                        selected: picked == p.code,
                    })
                    .chain(std::iter::once(Choice {
                        code: cradle_domain::questionnaires::NO_POPULATION.to_string(),
                        label: format!(
                            "None of these ({} is not validated for them: the score will carry a warning and no cut-off)",
                            instrument.name
                        ),
                        selected: picked == cradle_domain::questionnaires::NO_POPULATION,
                    }))
                    .collect(),
                inline: false,
            },
            completed_on: DateField::new(
                "completed_on",
                "Date completed",
                ["completed_on_day", "completed_on_month", "completed_on_year"],
                [&typed.day, &typed.month, &typed.year],
            ),
            questions: instrument
                .questions
                .iter()
                .map(|q| QuestionView {
                    link_id: q.link_id.clone(),
                    text: q.text.clone(),
                    options: q
                        .options
                        .iter()
                        .map(|o| Choice {
                            code: o.code.clone(),
                            label: o.display.clone(),
                            selected: typed.answer(&q.link_id) == o.code,
                        })
                        .collect(),
                })
                .collect(),
            interpreter_fields: super::care_plans::interpreter_fields_among(
                family,
                &[cradle_domain::entries::Member::Person(person)],
                &typed.interpreter,
            ),
            population_note: match (who, instrument.population_for_code(suggested)) {
                (Some(who), Some(p)) => format!(
                    "Chosen from how {} is recorded ({}): “{}”. Change it if that does not fit them.",
                    who.name,
                    who_is(&who),
                    p.label
                ),
                (Some(who), None) => format!(
                    "None of the groups {} is validated for fits how {} is recorded ({}).",
                    instrument.name,
                    who.name,
                    who_is(&who)
                ),
                (None, _) => String::new(),
            },
        }}),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn questionnaire_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, Failure> {
    let (family, person) =
        super::pathway::family_and_person(&state, &staff, &access, &person).await?;
    let (day, month, year) = super::today_boxes(&state);
    let typed = Typed {
        instrument: query.get("instrument").cloned().unwrap_or_default(),
        day,
        month,
        year,
        ..Typed::default()
    };
    // "Continue" with nothing chosen says so, rather than showing the same choice again.
    let errors = if query.get("choosing").is_some_and(|c| c == "yes") && typed.instrument.is_empty()
    {
        Errors::one("instrument", "Select the questionnaire to complete")
    } else {
        Errors::default()
    };
    questionnaire_page(&state, &staff, &family, person, &typed, errors).await
}

pub async fn record_questionnaire(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Form(typed): Form<Typed>,
) -> Result<Response, Failure> {
    let person = parse_id(cradle_domain::PersonId::parse(&person))?;
    let completed_on = cradle_domain::dates::parse_date_parts(
        "completed_on",
        "Date completed",
        &typed.day,
        &typed.month,
        &typed.year,
    );
    let result = match completed_on {
        Err(problem) => Err(AppError::Invalid(cradle_domain::Problems(vec![problem]))),
        Ok(day) => {
            let input = cradle_app::questionnaires::ResponseInput {
                instrument: typed.instrument.clone(),
                population: typed.population.clone(),
                completed_on: Some(day),
                interpreter: typed.interpreter.clone(),
                answers: typed
                    .answers()
                    .map(|(question, code)| cradle_domain::questionnaires::Answer {
                        question: question.to_string(),
                        code: code.to_string(),
                    })
                    .collect(),
            };
            state
                .app
                .record_questionnaire(&staff.actor, &access, person, &input)
                .await
        }
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/families/{}", access.family_id()))),
        Err(AppError::Invalid(problems)) => {
            questionnaire_page(
                &state,
                &staff,
                &*record(&state, &staff.actor, &access, Sections::PATHWAY).await?,
                person,
                &typed,
                Errors::from_problems(&problems),
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
        .route(
            "/families/{id}/people/{person}/questionnaires/new",
            get(questionnaire_form),
        )
        .route(
            "/families/{id}/people/{person}/questionnaires",
            post(record_questionnaire),
        )
        .route(
            "/families/{id}/questionnaires/{response}/alert-action",
            get(alert_action_form).post(record_alert_action),
        )
}
