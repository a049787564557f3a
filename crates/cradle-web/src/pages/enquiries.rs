//! Routine enquiry about domestic abuse: the form, for someone seen alone.

use super::network::{record, saved_or_form};
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{
    form_status, render, Choice, Chrome, DateField, Errors, RadioGroup, SelectField, TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cradle_app::Sections;
use cradle_domain::enquiries::{EnquiryInput, EnquiryOutcome};
use cradle_domain::network::FamilyRecord;

#[derive(Template)]
#[template(path = "enquiry_form.html")]
pub struct EnquiryPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub asked: RadioGroup,
    pub seen_alone: RadioGroup,
    pub asked_on: DateField,
    pub outcome: RadioGroup,
    pub notes: String,
    pub named: SelectField,
    pub do_not_involve: RadioGroup,
    pub decided_by: TextField,
    pub reason: TextField,
    pub review: DateField,
    pub interpreter: crate::views::InterpreterFields,
}

fn page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &EnquiryInput,
    errors: Errors,
) -> Response {
    let members = super::member_choices(family, &input.asked, false);
    let mut named = vec![Choice {
        code: String::new(),
        label: "No one in this family".to_string(),
        selected: input.named.is_empty(),
    }];
    named.extend(family.people.iter().map(|p| Choice {
        code: p.id.to_string(),
        label: p.name.clone(),
        selected: input.named == p.id.to_string(),
    }));
    let page = EnquiryPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        asked: RadioGroup {
            id: "asked",
            legend: "Who did you ask?",
            options: members,
            inline: false,
        },
        seen_alone: RadioGroup {
            id: "seen_alone",
            legend: "Were they seen on their own?",
            options: Choice::yes_no(&input.seen_alone),
            inline: true,
        },
        asked_on: DateField::new(
            "asked_on",
            "Date asked",
            ["asked_day", "asked_month", "asked_year"],
            [&input.asked_day, &input.asked_month, &input.asked_year],
        ),
        outcome: RadioGroup {
            id: "outcome",
            legend: "What came of asking?",
            options: Choice::list(
                EnquiryOutcome::ALL,
                EnquiryOutcome::code,
                EnquiryOutcome::label,
                &input.outcome,
            ),
            inline: false,
        },
        notes: input.notes.clone(),
        named: SelectField {
            id: "named",
            label: "Who did they name?",
            options: named,
        },
        do_not_involve: RadioGroup {
            id: "do_not_involve",
            legend: "Mark the person named “do not involve”?",
            options: Choice::yes_no(&input.do_not_involve),
            inline: true,
        },
        decided_by: TextField::new("decided_by", "Who decided", &input.decided_by)
            .hint("For example, “Dr Shah with the mother, seen alone”"),
        reason: TextField::new("reason", "Why they are not to be involved", &input.reason),
        review: DateField::new(
            "review",
            "When should the decision be reviewed?",
            ["review_day", "review_month", "review_year"],
            [&input.review_day, &input.review_month, &input.review_year],
        ),
        interpreter: super::care_plans::interpreter_fields(family, &input.interpreter),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let today = state.app.today();
    let input = EnquiryInput {
        asked_day: today.day().to_string(),
        asked_month: u8::from(today.month()).to_string(),
        asked_year: today.year().to_string(),
        ..EnquiryInput::default()
    };
    Ok(page(&state, &staff, &family, &input, Errors::default()))
}

pub async fn create(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<EnquiryInput>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .record_enquiry(&staff.actor, &access, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| Ok(page(&state, &staff, family, &input, errors)),
    )
    .await
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/enquiries/new", get(new_form))
        .route("/families/{id}/enquiries", post(create))
}
