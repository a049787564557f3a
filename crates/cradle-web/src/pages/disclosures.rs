//! The steps after an abuse disclosure: shown on the family page until each is settled, and
//! the form that settles one as done or not needed. Staff-only, like the disclosure.

use super::network::{parse_id, record, saved_or_form};
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{form_status, render, Chrome, Errors, RadioGroup, TextArea, TextField};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::Sections;
use cradle_domain::dates::{long_date, long_date_time};
use cradle_domain::disclosures::{DisclosureAction, Outcome, SettleInput};
use cradle_domain::network::FamilyRecord;
use uuid::Uuid;

/// One step as the family page shows it.
pub struct StepView {
    pub label: &'static str,
    /// What was recorded ("Done: …", "Not needed: …"), or "Not yet settled".
    pub status: String,
    pub open: bool,
    pub href: String,
}

/// One disclosure with its steps.
pub struct DisclosureView {
    pub heading: String,
    pub open: bool,
    pub steps: Vec<StepView>,
}

/// Each disclosure's steps, newest disclosure first.
pub fn views(record: &FamilyRecord) -> Vec<DisclosureView> {
    let mut enquiries: Vec<Uuid> = Vec::new();
    for action in &record.disclosure_actions {
        if !enquiries.contains(&action.enquiry) {
            enquiries.push(action.enquiry);
        }
    }
    enquiries
        .iter()
        .rev()
        .map(|enquiry| {
            let steps: Vec<&DisclosureAction> = record
                .disclosure_actions
                .iter()
                .filter(|a| a.enquiry == *enquiry)
                .collect();
            let first = steps.first();
            DisclosureView {
                heading: format!(
                    "{} disclosed abuse ({})",
                    first
                        .map(|a| record.member_name(a.discloser))
                        .unwrap_or_default(),
                    first
                        .map(|a| long_date_time(a.raised_at_millis))
                        .unwrap_or_default()
                ),
                open: steps.iter().any(|a| a.is_open()),
                steps: steps
                    .iter()
                    .map(|a| StepView {
                        label: a.step.label(),
                        status: match &a.settled {
                            None => "Not yet settled".to_string(),
                            Some(s) => format!(
                                "{}: {}{} ({}, {})",
                                match s.outcome {
                                    Outcome::Done => "Done",
                                    Outcome::NotNeeded => "Not needed",
                                },
                                s.form_name
                                    .as_deref()
                                    .map(|form| format!("{form}. "))
                                    .unwrap_or_default(),
                                s.text,
                                s.settled_by,
                                long_date(cradle_domain::dates::uk_date(s.settled_at_millis))
                            ),
                        },
                        open: a.is_open(),
                        href: format!("/families/{}/disclosure-actions/{}", record.family.id, a.id),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "disclosure_action_form.html")]
pub struct SettlePage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub action_id: String,
    pub step: &'static str,
    pub disclosed: String,
    pub outcome: RadioGroup,
    /// Asked only for a risk assessment.
    pub form_name: Option<TextField>,
    pub detail: TextArea,
    pub reason: TextArea,
}

fn settle_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    id: Uuid,
    input: &SettleInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let action = parse_id(
        family
            .disclosure_actions
            .iter()
            .find(|a| a.id == id && a.is_open()),
    )?;
    let is_risk_assessment =
        action.step == cradle_domain::disclosures::DisclosureStep::RiskAssessment;
    let page = SettlePage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        action_id: id.to_string(),
        step: action.step.label(),
        disclosed: format!(
            "After {} disclosed abuse on {}.",
            family.member_name(action.discloser),
            long_date(cradle_domain::dates::uk_date(action.raised_at_millis))
        ),
        outcome: RadioGroup {
            id: "outcome",
            legend: "Has this been done?",
            options: vec![
                crate::views::Choice {
                    code: "done".into(),
                    label: "Yes, it has been done".into(),
                    selected: input.outcome == "done",
                },
                crate::views::Choice {
                    code: "not_needed".into(),
                    label: "It is not needed".into(),
                    selected: input.outcome == "not_needed",
                },
            ],
            inline: false,
        },
        form_name: is_risk_assessment.then(|| {
            TextField::new(
                "form_name",
                "If done: which risk assessment form was used",
                &input.form_name,
            )
            .hint("The form your service uses, for example “SafeLives DASH risk identification checklist”")
        }),
        detail: TextArea::new("detail", action.step.done_question(), &input.detail)
            .hint("If done. For a risk assessment, its result as the form gives it"),
        reason: TextArea::new("reason", "If not needed: why not", &input.reason),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn settle_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, action)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let action = parse_id(action.parse::<Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::TIMELINE).await?;
    settle_page(
        &state,
        &staff,
        &family,
        action,
        &SettleInput::default(),
        Errors::default(),
    )
}

pub async fn settle(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, action)): Path<(String, String)>,
    Form(input): Form<SettleInput>,
) -> Result<Response, Failure> {
    let action = parse_id(action.parse::<Uuid>().ok())?;
    let result = state
        .app
        .settle_disclosure_action(&staff.actor, &access, action, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::TIMELINE,
        |family, errors| settle_page(&state, &staff, family, action, &input, errors),
    )
    .await
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new().route(
        "/families/{id}/disclosure-actions/{action}",
        get(settle_form).post(settle),
    )
}
