//! A family member's own assessment on the partner pathway, with the partner package offered
//! from it and the information given.

use super::network::{parse_id, record};
use super::pathway::{family_and_person, information_fields};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::{ByName, Form};
use crate::views::{
    form_status, render, CheckboxGroup, Choice, Chrome, DateField, Errors, RadioGroup, TextArea,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::AppError;
use cradle_app::Sections;
use cradle_domain::entries::Member;
use cradle_domain::network::FamilyRecord;
use cradle_domain::partner_assessment::{AssessmentInput, RiskFinding, SECTIONS};
use cradle_domain::pathway::AssessmentOutcome;
use cradle_domain::PersonId;

#[derive(Template)]
#[template(path = "partner_assessment.html")]
pub struct AssessmentPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub person_id: String,
    pub name: String,
    /// "Interpreter needed: Polish", when they need one.
    pub interpreter: Option<String>,
    pub on: DateField,
    pub sections: Vec<TextArea>,
    pub conversations: Option<CheckboxGroup>,
    pub risk: RadioGroup,
    pub risk_detail: TextArea,
    pub package: CheckboxGroup,
    pub outcome: RadioGroup,
    pub outcome_detail: TextArea,
    pub given: (CheckboxGroup, TextArea),
    /// Whether an interpreter was used, asked when the person needs one.
    pub interpreter_fields: crate::views::InterpreterFields,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    typed: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|c| Choice {
            code: code(*c).to_string(),
            label: label(*c).to_string(),
            selected: typed == code(*c),
        })
        .collect()
}

async fn page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    person: PersonId,
    typed: &AssessmentInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let found = super::network::parse_id(family.people.iter().find(|p| p.id == person))?;
    let catalogue = state
        .app
        .catalogue(&staff.actor, family.family.team_id)
        .await?;
    let member = Member::Person(person);
    let conversations: Vec<Choice> = family
        .conversations
        .iter()
        .filter(|c| c.participants.contains(&member))
        .map(|c| Choice {
            code: c.id.to_string(),
            label: c.label(),
            selected: typed.conversations.iter().any(|t| *t == c.id.to_string()),
        })
        .collect();
    let view = AssessmentPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        person_id: person.to_string(),
        name: found.name.clone(),
        interpreter: found.interpreter_note(),
        on: DateField::new(
            "on",
            "Date of the assessment",
            ["on_day", "on_month", "on_year"],
            [&typed.on_day, &typed.on_month, &typed.on_year],
        ),
        sections: SECTIONS
            .iter()
            .map(|(field, label, hint, _)| TextArea::new(field, label, typed.typed(field)).hint(hint))
            .collect(),
        conversations: (!conversations.is_empty()).then_some(CheckboxGroup {
            id: "conversations",
            legend: "Relationship conversations it draws on (if any)",
            hint: "Conversations about the baby this person took part in",
            options: conversations,
        }),
        risk: RadioGroup {
            id: "risk",
            legend: "Risk and safety",
            options: choices(RiskFinding::ALL, RiskFinding::code, RiskFinding::label, &typed.risk),
            inline: false,
        },
        risk_detail: TextArea::new(
            "risk_detail",
            "The concerns, and what was agreed or done",
            &typed.risk_detail,
        )
        .hint("Needed if any concern was found. Follow the team's risk policy the same day for urgent concerns."),
        package: CheckboxGroup {
            id: "package",
            legend: "Partner package: what was offered to them (if anything)",
            hint: "Each one ticked is recorded as offered on their interventions, to accept or decline later",
            options: catalogue
                .iter()
                .filter(|e| !e.retired)
                .map(|e| Choice {
                    code: e.id.to_string(),
                    label: e.name.clone(),
                    selected: typed.package.iter().any(|t| *t == e.id.to_string()),
                })
                .collect(),
        },
        outcome: RadioGroup {
            id: "outcome",
            legend: "What did the assessment lead to?",
            options: choices(
                AssessmentOutcome::ALL,
                AssessmentOutcome::code,
                AssessmentOutcome::label,
                &typed.outcome,
            ),
            inline: false,
        },
        outcome_detail: TextArea::new(
            "outcome_detail",
            "Where they were signposted or referred, or the support offered",
            &typed.outcome_detail,
        )
        .hint("If support was offered from the partner package, the package is named for you"),
        given: information_fields(&typed.topics, &typed.services),
        interpreter_fields: super::care_plans::interpreter_fields_among(
            family,
            &[member],
            &typed.interpreter,
        ),
        errors,
    };
    Ok(render(form_status(&view.errors), &view))
}

/// The assessment as its form sends it: each section's words under the section's own name.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssessmentForm {
    #[serde(flatten)]
    typed: AssessmentInput,
    #[serde(flatten)]
    named: ByName,
}

impl From<AssessmentForm> for AssessmentInput {
    fn from(form: AssessmentForm) -> Self {
        let mut input = form.typed;
        for (field, text) in form.named {
            if let Some((field, ..)) = SECTIONS.iter().find(|(f, ..)| *f == field) {
                input.sections.push((field.to_string(), text));
            }
        }
        input
    }
}

pub async fn assessment_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, person) = family_and_person(&state, &staff, &access, &person).await?;
    let (on_day, on_month, on_year) = super::today_boxes(&state);
    let typed = AssessmentInput {
        on_day,
        on_month,
        on_year,
        ..AssessmentInput::default()
    };
    page(&state, &staff, &family, person, &typed, Errors::default()).await
}

pub async fn record_assessment(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Form(form): Form<AssessmentForm>,
) -> Result<Response, Failure> {
    let person = parse_id(PersonId::parse(&person))?;
    let typed = AssessmentInput::from(form);
    match state
        .app
        .record_partner_assessment(&staff.actor, &access, person, &typed)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/families/{}/people/{person}/pathway",
            access.family_id()
        ))),
        Err(AppError::Invalid(problems)) => {
            page(
                &state,
                &staff,
                &*record(
                    &state,
                    &staff.actor,
                    &access,
                    Sections::PATHWAY.and(Sections::RELATIONSHIP_WORK),
                )
                .await?,
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
    use axum::routing::get;
    axum::Router::new().route(
        "/families/{id}/people/{person}/assessment",
        get(assessment_form).post(record_assessment),
    )
}
