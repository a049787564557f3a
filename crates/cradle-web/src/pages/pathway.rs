//! A family member's partner pathway: the steps so far and a form for the next one, offering
//! only the steps that may come next.

use super::network::{parse_id, record};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{
    form_status, render, CheckboxGroup, Choice, Chrome, DateField, Errors, RadioGroup, TextArea,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::Sections;
use cradle_app::{AppError, FamilyAccess};
use cradle_domain::dates::long_date;
use cradle_domain::network::FamilyRecord;
use cradle_domain::partner_assessment::{PartnerAssessment, SECTIONS};
use cradle_domain::pathway::{
    AssessmentOutcome, IdentifiedHow, InformationTopic, OfferMethod, PathwayInput, PathwayStep,
};
use cradle_domain::PersonId;

/// One recorded step as the page lists it.
pub struct StepLine {
    pub on: String,
    pub step: &'static str,
    pub detail: String,
    /// Information and local services given with it ("" when none).
    pub given: String,
    pub recorded_by: String,
}

/// A recorded assessment as the pathway page shows it in full.
pub struct AssessmentView {
    pub heading: String,
    /// (label, text) for each part written, in the form's order.
    pub rows: Vec<(String, String)>,
}

/// The information topics as boxes to tick, and the local services box.
pub(crate) fn information_fields(topics: &[String], services: &str) -> (CheckboxGroup, TextArea) {
    (
        CheckboxGroup {
            id: "topics",
            legend: "Information given (if any)",
            hint: "Select all that were given, in person or to take away",
            options: InformationTopic::ALL
                .iter()
                .map(|t| Choice {
                    code: t.code().to_string(),
                    label: t.label().to_string(),
                    selected: topics.iter().any(|c| c == t.code()),
                })
                .collect(),
        },
        TextArea::new("services", "Local services given (if any)", services)
            .hint("One a line: the service's name and how to reach it"),
    )
}

fn assessment_view(family: &FamilyRecord, assessment: &PartnerAssessment) -> AssessmentView {
    let mut rows: Vec<(String, String)> = SECTIONS
        .iter()
        .filter_map(|(field, label, _, _)| {
            assessment
                .section(field)
                .map(|text| (label.to_string(), text.to_string()))
        })
        .collect();
    let conversations: Vec<String> = family
        .conversations
        .iter()
        .filter(|c| assessment.conversations.contains(&c.id))
        .map(|c| c.label())
        .collect();
    if !conversations.is_empty() {
        rows.push(("Draws on".to_string(), conversations.join("; ")));
    }
    let risk = match assessment.risk_detail.is_empty() {
        true => assessment.risk.label().to_string(),
        false => format!("{}: {}", assessment.risk.label(), assessment.risk_detail),
    };
    rows.push(("Risk and safety".to_string(), risk));
    if let Some(interpreter) = &assessment.interpreter {
        rows.push(("Interpreter".to_string(), interpreter.summary()));
    }
    if !assessment.package.is_empty() {
        rows.push((
            "Partner package offered".to_string(),
            assessment.package.join(", "),
        ));
    }
    let outcome = match assessment.outcome_detail.is_empty() {
        true => assessment.outcome.label().to_string(),
        false => format!(
            "{}: {}",
            assessment.outcome.label(),
            assessment.outcome_detail
        ),
    };
    rows.push(("Outcome".to_string(), outcome));
    AssessmentView {
        heading: format!(
            "Assessment, {} (recorded by {})",
            long_date(assessment.assessed_on),
            assessment.recorded_by_name
        ),
        rows,
    }
}

#[derive(Template)]
#[template(path = "pathway.html")]
pub struct PathwayPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub person_id: String,
    pub name: String,
    /// "Interpreter needed: Polish", when they need one.
    pub interpreter: Option<String>,
    pub summary: String,
    pub steps: Vec<StepLine>,
    pub assessments: Vec<AssessmentView>,
    /// The person has accepted an assessment: the full assessment form is offered.
    pub may_assess: bool,
    pub given: (CheckboxGroup, TextArea),
    /// Empty when nothing may be recorded now (a decline respected, or not to be contacted).
    pub step: RadioGroup,
    pub on: DateField,
    pub how: Option<RadioGroup>,
    pub method: Option<RadioGroup>,
    /// With an offer: whether they answered there and then.
    pub answer: Option<RadioGroup>,
    pub declined: Option<(TextArea, DateField)>,
    /// Why the step is dated before the family's referral: shown once that is found.
    pub before_referral: Option<TextArea>,
    /// Whether an interpreter was used, when the next step can be a contact.
    pub interpreter_fields: Option<crate::views::InterpreterFields>,
    pub outcome: Option<(RadioGroup, TextArea)>,
    pub note: Option<TextArea>,
}

fn detail_of(step: &PathwayStep) -> String {
    match step {
        PathwayStep::Identified { how, .. } => how.label().to_string(),
        PathwayStep::Offered { method, .. } => method.label().to_string(),
        PathwayStep::Accepted { .. } => String::new(),
        PathwayStep::Declined {
            reason,
            ask_again_from,
            ..
        } => format!(
            "{reason}. Not to be offered again before {}.",
            long_date(*ask_again_from)
        ),
        PathwayStep::Assessed {
            outcome, detail, ..
        } => match detail.is_empty() {
            true => outcome.label().to_string(),
            false => format!("{}: {detail}", outcome.label()),
        },
        PathwayStep::FollowedUp { note, .. } => note.clone(),
    }
}

fn radios<T: Copy>(
    id: &'static str,
    legend: &'static str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    typed: &str,
) -> RadioGroup {
    RadioGroup {
        id,
        legend,
        options: all
            .iter()
            .map(|c| Choice {
                code: code(*c).to_string(),
                label: label(*c).to_string(),
                selected: typed == code(*c),
            })
            .collect(),
        inline: false,
    }
}

fn step_label(code: &str) -> &'static str {
    match code {
        "identified" => "Identified as someone to offer an assessment",
        "offered" => "Offered an assessment",
        "accepted" => "Accepted the offer",
        "declined" => "Declined the offer",
        "assessed" => "Assessed (the outcome only: use the full assessment form where you can)",
        _ => "Followed up",
    }
}

fn page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    person: PersonId,
    typed: &PathwayInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let today = state.app.today();
    let found = parse_id(family.people.iter().find(|p| p.id == person))?;
    let pathway = family.pathway_of(person);
    let involvement = family.involvement(person);
    let allowed = pathway.allowed_next(involvement, today);
    let may = |code: &str| allowed.contains(&code);
    let single = allowed.len() == 1;
    let page = PathwayPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        person_id: person.to_string(),
        name: found.name.clone(),
        interpreter: found.interpreter_note(),
        summary: pathway.summary(involvement, today),
        steps: pathway
            .steps
            .iter()
            .map(|s| StepLine {
                on: long_date(s.step.on()),
                step: s.step.label(),
                detail: match &s.interpreter {
                    Some(used) => format!(
                        "{} {}.",
                        cradle_domain::text::sentence(&detail_of(&s.step)),
                        used.summary()
                    )
                    .trim()
                    .to_string(),
                    None => detail_of(&s.step),
                },
                given: s.given.summary(),
                recorded_by: s.recorded_by_name.clone(),
            })
            .collect(),
        assessments: family
            .partner_assessments
            .iter()
            .filter(|a| a.person_id == person)
            .map(|a| assessment_view(family, a))
            .collect(),
        may_assess: may("assessed"),
        given: information_fields(&typed.topics, &typed.services),
        step: RadioGroup {
            id: "step",
            legend: "What has happened?",
            options: allowed
                .iter()
                .map(|code| Choice {
                    code: code.to_string(),
                    label: step_label(code).to_string(),
                    selected: single || typed.step == *code,
                })
                .collect(),
            inline: false,
        },
        on: DateField::new(
            "on",
            "Date of this step",
            ["on_day", "on_month", "on_year"],
            [&typed.on_day, &typed.on_month, &typed.on_year],
        ),
        how: may("identified").then(|| {
            radios(
                "how",
                "How were they identified?",
                IdentifiedHow::ALL,
                IdentifiedHow::code,
                IdentifiedHow::label,
                &typed.how,
            )
        }),
        method: may("offered").then(|| {
            radios(
                "method",
                "How was the assessment offered?",
                OfferMethod::ALL,
                OfferMethod::code,
                OfferMethod::label,
                &typed.method,
            )
        }),
        interpreter_fields: allowed.iter().any(|code| *code != "identified").then(|| {
            super::care_plans::interpreter_fields_among(
                family,
                &[cradle_domain::entries::Member::Person(person)],
                &typed.interpreter,
            )
        }),
        answer: may("offered").then(|| RadioGroup {
            id: "answer",
            legend: "Did they answer when it was offered?",
            options: [
                ("not_yet", "Not yet: record their answer later"),
                ("accepted", "Yes, they accepted"),
                ("declined", "Yes, they declined"),
            ]
            .into_iter()
            .map(|(code, label)| Choice {
                code: code.to_string(),
                label: label.to_string(),
                selected: typed.answer == code || (typed.answer.is_empty() && code == "not_yet"),
            })
            .collect(),
            inline: false,
        }),
        before_referral: (errors.has("before_referral_reason") || !typed.before_referral.is_empty())
            .then(|| {
                TextArea::new(
                    "before_referral_reason",
                    "Why this step came before the family's referral",
                    &typed.before_referral,
                )
                .hint("For example, the health visitor named the partner before the referral reached the team")
            }),
        declined: (may("declined") || may("offered")).then(|| {
            (
                TextArea::new("reason", "If they declined: why", &typed.reason)
                    .hint("In their words where you can. Declining is respected, not questioned."),
                DateField::new(
                    "ask_again_from",
                    "If they declined: do not offer again before",
                    ["again_day", "again_month", "again_year"],
                    [&typed.again_day, &typed.again_month, &typed.again_year],
                ),
            )
        }),
        outcome: may("assessed").then(|| {
            (
                radios(
                    "outcome",
                    "What did the assessment lead to?",
                    AssessmentOutcome::ALL,
                    AssessmentOutcome::code,
                    AssessmentOutcome::label,
                    &typed.outcome,
                ),
                TextArea::new(
                    "detail",
                    "Where they were signposted or referred, or the support offered",
                    &typed.detail,
                )
                .hint("For example, video feedback (VIPP) with the baby, or a local dads' group"),
            )
        }),
        note: may("followed_up").then(|| TextArea::new("note", "Follow-up", &typed.note)),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

/// The record (its core, pathway and relationship work, the read audited) and which of its
/// people a page is about.
pub(crate) async fn family_and_person(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    access: &FamilyAccess,
    person: &str,
) -> Result<(std::sync::Arc<FamilyRecord>, PersonId), Failure> {
    let person = parse_id(PersonId::parse(person))?;
    let family = record(
        state,
        &staff.actor,
        access,
        Sections::PATHWAY.and(Sections::RELATIONSHIP_WORK),
    )
    .await?;
    Ok((family, person))
}

pub async fn pathway_page(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, person) = family_and_person(&state, &staff, &access, &person).await?;
    let (on_day, on_month, on_year) = super::today_boxes(&state);
    let typed = PathwayInput {
        on_day,
        on_month,
        on_year,
        ..PathwayInput::default()
    };
    page(&state, &staff, &family, person, &typed, Errors::default())
}

pub async fn record_step(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Form(typed): Form<PathwayInput>,
) -> Result<Response, Failure> {
    let person = parse_id(PersonId::parse(&person))?;
    let result = match typed.parse() {
        Ok((steps, given)) => {
            state
                .app
                .record_pathway_steps(
                    &staff.actor,
                    &access,
                    person,
                    cradle_app::pathway::NewSteps {
                        steps,
                        given,
                        before_referral_reason: typed.before_referral.clone(),
                        interpreter: typed.interpreter.clone(),
                    },
                )
                .await
        }
        Err(problems) => Err(AppError::Invalid(problems)),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/families/{}/people/{person}/pathway",
            access.family_id()
        ))),
        Err(AppError::Invalid(problems)) => page(
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
        ),
        Err(other) => Err(other.into()),
    }
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new().route(
        "/families/{id}/people/{person}/pathway",
        get(pathway_page).post(record_step),
    )
}
