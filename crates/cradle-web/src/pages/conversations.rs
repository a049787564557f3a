//! Relationship conversations: the form to record one (or carry on a draft, or change a
//! finished one), for the mother and the people around the baby who may be involved.

use super::network::{parse_id, record, saved_or_form};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::{Amending, Form};
use crate::views::{
    form_status, render, Choice, Chrome, DateField, Errors, RadioGroup, SelectField, TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cradle_app::AppError;
use cradle_app::Sections;
use cradle_domain::conversations::{
    Conversation, ConversationInput, ConversationStatus, Seen, PROMPTS,
};
use cradle_domain::dates::{long_date, long_date_time};
use cradle_domain::network::FamilyRecord;
use uuid::Uuid;

pub struct SectionView {
    pub code: &'static str,
    pub heading: &'static str,
    pub hint: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "conversation_form.html")]
pub struct ConversationPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub heading: &'static str,
    pub baby: String,
    pub family_id: String,
    pub action: String,
    pub version: i64,
    pub finished: bool,
    pub status_label: &'static str,
    pub saved_note: Option<String>,
    pub held: DateField,
    pub participants: Vec<Choice>,
    pub seen: RadioGroup,
    pub baby_choice: SelectField,
    pub sections: Vec<SectionView>,
    pub reason: TextField,
    pub interpreter: crate::views::InterpreterFields,
}

/// The form as submitted: the conversation, and for a change to a finished one the version
/// it was made to and why.
type Submitted = Amending<ConversationInput>;

fn page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    existing: Option<&Conversation>,
    form: &Submitted,
    errors: Errors,
) -> Response {
    let input = &form.entry;
    let family_id = family.family.id;
    let mut participants = vec![Choice {
        code: "mother".to_string(),
        label: format!("{} (mother)", family.family.mother_name),
        selected: input.participants.iter().any(|p| p == "mother"),
    }];
    participants.extend(
        family
            .people
            .iter()
            .filter(|p| family.involvement(p.id).may_involve)
            .map(|p| Choice {
                code: p.id.to_string(),
                label: p.name.clone(),
                selected: input.participants.contains(&p.id.to_string()),
            }),
    );
    let mut babies = vec![Choice {
        code: String::new(),
        label: "All the babies".to_string(),
        selected: input.baby.is_empty(),
    }];
    babies.extend(family.family.babies.iter().map(|b| Choice {
        code: b.id.to_string(),
        label: b.label(&family.family.mother_name),
        selected: input.baby == b.id.to_string(),
    }));
    let finished = existing.is_some_and(|c| c.status == ConversationStatus::Finished);
    let (heading, action) = match existing {
        None => (
            "Record a relationship conversation",
            format!("/families/{family_id}/conversations"),
        ),
        Some(c) => (
            if finished {
                "Change a finished conversation"
            } else {
                "Carry on a relationship conversation"
            },
            format!("/families/{family_id}/conversations/{}", c.id),
        ),
    };
    let page = ConversationPage {
        interpreter: super::care_plans::interpreter_fields(family, &input.interpreter),
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        heading,
        baby: family.family.baby_label(),
        family_id: family_id.to_string(),
        action,
        version: form.version,
        finished,
        status_label: existing.map(|c| c.status.label()).unwrap_or(""),
        saved_note: existing.map(|c| {
            format!(
                "Last saved {} by {}",
                long_date_time(c.saved_at_millis),
                c.recorded_by
            )
        }),
        held: DateField::new(
            "held",
            "Date of the conversation",
            ["held_day", "held_month", "held_year"],
            [&input.held_day, &input.held_month, &input.held_year],
        ),
        participants,
        seen: RadioGroup {
            id: "seen",
            legend: "If more than one person took part, were they seen together or separately?",
            options: Choice::list(Seen::ALL, Seen::code, Seen::label, &input.seen),
            inline: false,
        },
        baby_choice: SelectField {
            id: "baby",
            label: "Which baby was it about?",
            options: babies,
        },
        sections: PROMPTS
            .iter()
            .map(|p| SectionView {
                code: p.code,
                heading: p.heading,
                hint: p.hint,
                text: input.section(p.code).to_string(),
            })
            .chain(std::iter::once(SectionView {
                code: "formulation",
                heading: "Your formulation",
                hint: "Your understanding of this caregiver's relationship with the baby, and what might help",
                text: input.formulation.clone(),
            }))
            .collect(),
        reason: TextField::new("reason", "Reason for the change", &form.reason)
            .hint("For example, “Added what he said at the end of the visit”"),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let today = state.app.today();
    let form = Submitted {
        entry: ConversationInput {
            held_day: today.day().to_string(),
            held_month: u8::from(today.month()).to_string(),
            held_year: today.year().to_string(),
            ..ConversationInput::default()
        },
        version: 0,
        reason: String::new(),
    };
    Ok(page(
        &state,
        &staff,
        &family,
        None,
        &form,
        Errors::default(),
    ))
}

pub async fn create(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(form): Form<Submitted>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .record_conversation(&staff.actor, &access, &form.entry)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| Ok(page(&state, &staff, family, None, &form, errors)),
    )
    .await
}

pub async fn edit_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, conversation)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let conversation = parse_id(conversation.parse::<Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let existing = parse_id(family.conversations.iter().find(|c| c.id == conversation))?;
    let form = Submitted {
        entry: ConversationInput::from_conversation(existing),
        version: existing.version,
        reason: String::new(),
    };
    Ok(page(
        &state,
        &staff,
        &family,
        Some(existing),
        &form,
        Errors::default(),
    ))
}

pub async fn save(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, conversation)): Path<(String, String)>,
    Form(form): Form<Submitted>,
) -> Result<Response, Failure> {
    let conversation = parse_id(conversation.parse::<Uuid>().ok())?;
    let id = access.family_id();
    match state
        .app
        .save_conversation(
            &staff.actor,
            &access,
            conversation,
            &form.entry,
            form.version,
            &form.reason,
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/families/{id}#conversations"))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
            let existing = parse_id(family.conversations.iter().find(|c| c.id == conversation))?;
            Ok(page(
                &state,
                &staff,
                &family,
                Some(existing),
                &form,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// A conversation as the family page lists it.
pub struct ConversationSummary {
    pub id: String,
    pub when: String,
    pub who: String,
    pub seen: &'static str,
    pub finished: bool,
    pub status: &'static str,
    pub sections: usize,
    /// Whether the coping section was written (it can then be marked as a concern).
    pub coping: bool,
    /// (prompt heading, what was written) for each section written, in prompt order.
    pub answers: Vec<(&'static str, String)>,
    pub formulation: Option<String>,
    pub amended: bool,
}

pub fn summaries(record: &FamilyRecord) -> Vec<ConversationSummary> {
    record
        .conversations
        .iter()
        .map(|c| ConversationSummary {
            id: c.id.to_string(),
            when: c.held_on.map(long_date).unwrap_or_default(),
            who: record.members_named(&c.participants),
            seen: if c.participants.len() > 1 {
                c.seen.label()
            } else {
                ""
            },
            finished: c.status == ConversationStatus::Finished,
            status: c.status.label(),
            sections: c.answers.len() + usize::from(c.formulation.is_some()),
            coping: c.answer("coping").is_some(),
            answers: PROMPTS
                .iter()
                .filter_map(|p| c.answer(p.code).map(|text| (p.heading, text.to_string())))
                .collect(),
            formulation: c.formulation.clone(),
            amended: c.version > 1,
        })
        .collect()
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/conversations/new", get(new_form))
        .route("/families/{id}/conversations", post(create))
        .route(
            "/families/{id}/conversations/{conversation}",
            get(edit_form).post(save),
        )
}
