//! Interaction observations, with an optional positive moment and a formal tool's result.

use super::concerns::member_name;
use super::conversations::SectionView;
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
use cradle_domain::dates::{date_boxes, long_date};
use cradle_domain::network::FamilyRecord;
use cradle_domain::observations::{BabyResponse, ObservationInput, Setting, DESCRIPTORS};

#[derive(Template)]
#[template(path = "observation_form.html")]
pub struct ObservationPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub heading: &'static str,
    pub action: String,
    pub editing: bool,
    /// False when the form corrects a positive moment on its own.
    pub show_observation: bool,
    pub button: &'static str,
    pub version: i64,
    pub reason: TextField,
    pub baby: String,
    pub family_id: String,
    pub caregiver: RadioGroup,
    pub baby_choice: SelectField,
    pub observed: DateField,
    pub setting: RadioGroup,
    pub sections: Vec<SectionView>,
    pub moment: String,
    pub responses: Vec<Choice>,
    pub fed_back: TextField,
    pub tool_open: bool,
    pub tool: TextField,
    pub tool_version: TextField,
    pub tool_result: TextField,
    pub trained_user: TextField,
    /// Whether an interpreter was used, asked when the caregiver needs one.
    pub interpreter: crate::views::InterpreterFields,
}

/// Whether a form corrects an existing record: its id, version, and the reason typed.
pub struct Editing<'a> {
    pub id: uuid::Uuid,
    pub version: i64,
    pub reason: &'a str,
}

/// What the observation form records or corrects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FormKind {
    /// An observation, with a positive moment when it is new.
    Observation,
    /// A positive moment on its own (corrected apart from its observation).
    Moment,
}

fn page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &ObservationInput,
    editing: Option<Editing<'_>>,
    errors: Errors,
) -> Response {
    form_page(
        state,
        staff,
        family,
        input,
        FormKind::Observation,
        editing,
        errors,
    )
}

fn form_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &ObservationInput,
    form: FormKind,
    editing: Option<Editing<'_>>,
    errors: Errors,
) -> Response {
    let caregivers = super::member_choices(family, &input.caregiver, true);
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
    let tool_open = [
        &input.tool,
        &input.tool_version,
        &input.tool_result,
        &input.trained_user,
    ]
    .iter()
    .any(|t| !t.trim().is_empty());
    let family_id = family.family.id;
    let page = ObservationPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        heading: match (form, editing.is_some()) {
            (FormKind::Moment, _) => "Correct a positive moment",
            (FormKind::Observation, true) => "Correct an interaction observation",
            (FormKind::Observation, false) => "Record an interaction observation",
        },
        action: match (&editing, form) {
            (Some(e), FormKind::Moment) => format!("/families/{family_id}/moments/{}", e.id),
            (Some(e), FormKind::Observation) => {
                format!("/families/{family_id}/observations/{}", e.id)
            }
            (None, _) => format!("/families/{family_id}/observations"),
        },
        show_observation: form == FormKind::Observation,
        button: match form {
            FormKind::Moment => "Save the positive moment",
            FormKind::Observation => "Save the observation",
        },
        version: editing.as_ref().map(|e| e.version).unwrap_or(0),
        reason: TextField::new(
            "reason",
            "Reason for the change",
            editing.as_ref().map(|e| e.reason).unwrap_or(""),
        ),
        editing: editing.is_some(),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        caregiver: RadioGroup {
            id: "caregiver",
            legend: "Whose interaction with the baby did you observe?",
            options: caregivers,
            inline: false,
        },
        baby_choice: SelectField {
            id: "baby",
            label: "Which baby?",
            options: babies,
        },
        observed: DateField::new(
            "observed",
            match form {
                FormKind::Moment => "Date of the moment",
                FormKind::Observation => "Date of the observation",
            },
            ["observed_day", "observed_month", "observed_year"],
            [
                &input.observed_day,
                &input.observed_month,
                &input.observed_year,
            ],
        ),
        setting: RadioGroup {
            id: "setting",
            legend: "Where was it?",
            options: Choice::list(Setting::ALL, Setting::code, Setting::label, &input.setting),
            inline: false,
        },
        sections: DESCRIPTORS
            .iter()
            .map(|d| SectionView {
                code: d.code,
                heading: d.heading,
                hint: d.hint,
                text: input.descriptor(d.code).to_string(),
            })
            .collect(),
        moment: input.moment.clone(),
        responses: BabyResponse::ALL
            .iter()
            .map(|r| Choice {
                code: r.code().to_string(),
                label: r.label().to_string(),
                selected: input.baby_responses.iter().any(|c| c == r.code()),
            })
            .collect(),
        fed_back: TextField::new(
            "fed_back",
            "How you highlighted it to them",
            &input.fed_back,
        )
        .hint("For example, “Told him how she settled as soon as he started singing”"),
        tool_open,
        tool: TextField::new("tool", "Tool", &input.tool),
        tool_version: TextField::new("tool_version", "Version", &input.tool_version)
            .width("nhsuk-input--width-10"),
        tool_result: TextField::new(
            "tool_result",
            "Result, exactly as the tool gives it",
            &input.tool_result,
        ),
        trained_user: TextField::new(
            "trained_user",
            "Who is trained to use it",
            &input.trained_user,
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
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let today = state.app.today();
    let input = ObservationInput {
        observed_day: today.day().to_string(),
        observed_month: u8::from(today.month()).to_string(),
        observed_year: today.year().to_string(),
        ..ObservationInput::default()
    };
    Ok(page(
        &state,
        &staff,
        &family,
        &input,
        None,
        Errors::default(),
    ))
}

pub async fn create(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<ObservationInput>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .record_observation(&staff.actor, &access, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| Ok(page(&state, &staff, family, &input, None, errors)),
    )
    .await
}

/// Observations and positive moments as the family page lists them.
pub struct ObservationSummary {
    pub id: String,
    pub amended: bool,
    pub when: String,
    pub who: String,
    pub setting: &'static str,
    pub lines: Vec<(String, String)>,
}

pub struct MomentSummary {
    pub id: String,
    pub amended: bool,
    pub when: String,
    pub who: String,
    pub what: String,
    pub baby: String,
    pub fed_back: String,
}

pub fn observation_summaries(record: &FamilyRecord) -> Vec<ObservationSummary> {
    record
        .observations
        .iter()
        .rev()
        .map(|o| {
            let mut lines: Vec<(String, String)> = DESCRIPTORS
                .iter()
                .filter_map(|d| {
                    o.descriptors
                        .iter()
                        .find(|(code, _)| code == d.code)
                        .map(|(_, text)| (d.heading.to_string(), text.clone()))
                })
                .collect();
            if let Some(tool) = &o.tool {
                lines.push((
                    format!("{} (version {})", tool.tool, tool.version),
                    format!("{} (used by {})", tool.result, tool.trained_user),
                ));
            }
            ObservationSummary {
                id: o.id.to_string(),
                amended: o.version > 1,
                when: o.observed_on.map(long_date).unwrap_or_default(),
                who: member_name(record, o.caregiver),
                setting: o.setting.label(),
                lines,
            }
        })
        .collect()
}

pub fn moment_summaries(record: &FamilyRecord) -> Vec<MomentSummary> {
    record
        .moments
        .iter()
        .rev()
        .map(|m| MomentSummary {
            id: m.id.to_string(),
            amended: m.version > 1,
            when: m.noticed_on.map(long_date).unwrap_or_default(),
            who: member_name(record, m.caregiver),
            what: m.what_happened.clone(),
            baby: m
                .baby_responses
                .iter()
                .map(|r| r.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(", "),
            fed_back: m.fed_back.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "caregiver_summary.html")]
pub struct CaregiverSummaryPage {
    pub chrome: Chrome,
    pub family_id: String,
    pub recipient: String,
    pub summary: cradle_domain::summaries::CaregiverSummary,
}

/// "You and your baby", to print for one caregiver.
pub async fn caregiver_summary(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<crate::auth::ReadRecords>,
    Path((_, member)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let member = parse_id(cradle_domain::entries::Member::parse(&member))?;
    let view = state
        .app
        .family_facing(
            &staff.actor,
            &access,
            &[member],
            "\"You and your baby\" summary",
        )
        .await?;
    let summary = cradle_domain::summaries::caregiver_summary(&view);
    let page = CaregiverSummaryPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: access.family_id().to_string(),
        recipient: summary.recipient.clone(),
        summary,
    };
    Ok(render(axum::http::StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "note_form.html")]
pub struct NotePage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub heading: &'static str,
    pub action: String,
    pub editing: bool,
    pub version: i64,
    pub reason: TextField,
    pub baby: String,
    pub family_id: String,
    pub subject: RadioGroup,
    pub kind: RadioGroup,
    pub text: String,
    pub noted: DateField,
}

fn note_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &cradle_domain::needs::NoteInput,
    editing: Option<Editing<'_>>,
    errors: Errors,
) -> Response {
    use cradle_domain::needs::NoteKind;
    let mut subjects = super::member_choices(family, &input.subject, false);
    subjects.push(Choice {
        code: "family".to_string(),
        label: "The whole family".to_string(),
        selected: input.subject == "family",
    });
    let family_id = family.family.id;
    let page = NotePage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        heading: if editing.is_some() {
            "Correct a note"
        } else {
            "Record needs, strengths or confidence"
        },
        action: match &editing {
            Some(e) => format!("/families/{family_id}/notes/{}", e.id),
            None => format!("/families/{family_id}/notes"),
        },
        version: editing.as_ref().map(|e| e.version).unwrap_or(0),
        reason: TextField::new(
            "reason",
            "Reason for the change",
            editing.as_ref().map(|e| e.reason).unwrap_or(""),
        ),
        editing: editing.is_some(),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        subject: RadioGroup {
            id: "subject",
            legend: "Who is it about?",
            options: subjects,
            inline: false,
        },
        kind: RadioGroup {
            id: "kind",
            legend: "What does it record?",
            options: Choice::list(NoteKind::ALL, NoteKind::code, NoteKind::label, &input.kind),
            inline: false,
        },
        text: input.text.clone(),
        noted: DateField::new(
            "noted",
            "Date",
            ["noted_day", "noted_month", "noted_year"],
            [&input.noted_day, &input.noted_month, &input.noted_year],
        ),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_note_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let today = state.app.today();
    let input = cradle_domain::needs::NoteInput {
        noted_day: today.day().to_string(),
        noted_month: u8::from(today.month()).to_string(),
        noted_year: today.year().to_string(),
        ..Default::default()
    };
    Ok(note_page(
        &state,
        &staff,
        &family,
        &input,
        None,
        Errors::default(),
    ))
}

pub async fn add_note(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<cradle_domain::needs::NoteInput>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    match state.app.add_note(&staff.actor, &access, &input).await {
        Ok(_) => Ok(see_other(&format!("/families/{id}#needs"))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
            Ok(note_page(
                &state,
                &staff,
                &family,
                &input,
                None,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// One note as the family page shows it.
pub struct NoteLine {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub when: String,
    pub amended: bool,
}

/// The notes about one caregiver (or the whole family).
pub struct NoteGroup {
    pub who: String,
    pub notes: Vec<NoteLine>,
}

/// Needs and strengths for the family page, grouped by who they are about.
pub fn note_groups(record: &FamilyRecord) -> Vec<NoteGroup> {
    use cradle_domain::needs::NoteSubject;
    let mut subjects: Vec<NoteSubject> = Vec::new();
    for note in &record.notes {
        if !subjects.contains(&note.subject) {
            subjects.push(note.subject);
        }
    }
    subjects
        .into_iter()
        .map(|subject| {
            let who = match subject {
                NoteSubject::Family => "The whole family".to_string(),
                NoteSubject::Caregiver(member) => member_name(record, member),
            };
            let notes = record
                .notes
                .iter()
                .filter(|n| n.subject == subject)
                .map(|n| NoteLine {
                    id: n.id.to_string(),
                    kind: n.kind.label().to_string(),
                    text: n.text.clone(),
                    when: format!(
                        "{}, {}",
                        n.noted_on.map(long_date).unwrap_or_default(),
                        n.recorded_by
                    ),
                    amended: n.version > 1,
                })
                .collect();
            NoteGroup { who, notes }
        })
        .collect()
}

/// The version a correction was made to, and why.
pub struct Correction {
    pub version: i64,
    pub reason: String,
}

pub async fn edit_observation_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, observation)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let observation = parse_id(observation.parse::<uuid::Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let current = parse_id(family.observations.iter().find(|o| o.id == observation))?;
    let day = date_boxes(current.observed_on);
    let text = |code: &str| {
        current
            .descriptors
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let tool = current.tool.clone();
    let input = ObservationInput {
        caregiver: current.caregiver.code(),
        baby: current.baby.map(|b| b.to_string()).unwrap_or_default(),
        observed_day: day.0,
        observed_month: day.1,
        observed_year: day.2,
        setting: current.setting.code().to_string(),
        seen: text("seen"),
        sensitivity: text("sensitivity"),
        responsiveness: text("responsiveness"),
        mind: text("mind"),
        beliefs: text("beliefs"),
        tool: tool.as_ref().map(|t| t.tool.clone()).unwrap_or_default(),
        tool_version: tool.as_ref().map(|t| t.version.clone()).unwrap_or_default(),
        tool_result: tool.as_ref().map(|t| t.result.clone()).unwrap_or_default(),
        trained_user: tool
            .as_ref()
            .map(|t| t.trained_user.clone())
            .unwrap_or_default(),
        interpreter: cradle_domain::interpreters::InterpreterInput::of(
            current.interpreter.as_ref(),
        ),
        ..ObservationInput::default()
    };
    let editing = Editing {
        id: observation,
        version: current.version,
        reason: "",
    };
    Ok(page(
        &state,
        &staff,
        &family,
        &input,
        Some(editing),
        Errors::default(),
    ))
}

pub async fn amend_observation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, observation)): Path<(String, String)>,
    Form(Amending {
        entry: input,
        version,
        reason,
    }): Form<Amending<ObservationInput>>,
) -> Result<Response, Failure> {
    let observation = parse_id(observation.parse::<uuid::Uuid>().ok())?;
    let correction = Correction { version, reason };
    let result = state
        .app
        .amend_observation(
            &staff.actor,
            &access,
            observation,
            &input,
            correction.version,
            &correction.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| {
            let editing = Editing {
                id: observation,
                version: correction.version,
                reason: &correction.reason,
            };
            Ok(page(&state, &staff, family, &input, Some(editing), errors))
        },
    )
    .await
}

pub async fn edit_note_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, note)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let note = parse_id(note.parse::<uuid::Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let current = parse_id(family.notes.iter().find(|n| n.id == note))?;
    let day = date_boxes(current.noted_on);
    let input = cradle_domain::needs::NoteInput {
        subject: current.subject.code(),
        kind: current.kind.code().to_string(),
        text: current.text.clone(),
        noted_day: day.0,
        noted_month: day.1,
        noted_year: day.2,
    };
    let editing = Editing {
        id: note,
        version: current.version,
        reason: "",
    };
    Ok(note_page(
        &state,
        &staff,
        &family,
        &input,
        Some(editing),
        Errors::default(),
    ))
}

pub async fn amend_note(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, note)): Path<(String, String)>,
    Form(Amending {
        entry: input,
        version,
        reason,
    }): Form<Amending<cradle_domain::needs::NoteInput>>,
) -> Result<Response, Failure> {
    let note = parse_id(note.parse::<uuid::Uuid>().ok())?;
    let correction = Correction { version, reason };
    let result = state
        .app
        .amend_note(
            &staff.actor,
            &access,
            note,
            &input,
            correction.version,
            &correction.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| {
            let editing = Editing {
                id: note,
                version: correction.version,
                reason: &correction.reason,
            };
            Ok(note_page(
                &state,
                &staff,
                family,
                &input,
                Some(editing),
                errors,
            ))
        },
    )
    .await
}

pub async fn edit_moment_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, moment)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let moment = parse_id(moment.parse::<uuid::Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let current = parse_id(family.moments.iter().find(|m| m.id == moment))?;
    let (observed_day, observed_month, observed_year) = date_boxes(current.noticed_on);
    let input = ObservationInput {
        caregiver: current.caregiver.code(),
        observed_day,
        observed_month,
        observed_year,
        moment: current.what_happened.clone(),
        baby_responses: current
            .baby_responses
            .iter()
            .map(|r| r.code().to_string())
            .collect(),
        fed_back: current.fed_back.clone(),
        ..ObservationInput::default()
    };
    let editing = Editing {
        id: moment,
        version: current.version,
        reason: "",
    };
    Ok(form_page(
        &state,
        &staff,
        &family,
        &input,
        FormKind::Moment,
        Some(editing),
        Errors::default(),
    ))
}

pub async fn amend_moment(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, moment)): Path<(String, String)>,
    Form(Amending {
        entry: input,
        version,
        reason,
    }): Form<Amending<ObservationInput>>,
) -> Result<Response, Failure> {
    let moment = parse_id(moment.parse::<uuid::Uuid>().ok())?;
    let correction = Correction { version, reason };
    let result = state
        .app
        .amend_moment(
            &staff.actor,
            &access,
            moment,
            &input,
            correction.version,
            &correction.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| {
            let editing = Editing {
                id: moment,
                version: correction.version,
                reason: &correction.reason,
            };
            Ok(form_page(
                &state,
                &staff,
                family,
                &input,
                FormKind::Moment,
                Some(editing),
                errors,
            ))
        },
    )
    .await
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/families/{id}/you-and-your-baby/{member}",
            get(caregiver_summary),
        )
        .route("/families/{id}/notes/new", get(new_note_form))
        .route("/families/{id}/notes", post(add_note))
        .route(
            "/families/{id}/notes/{note}",
            get(edit_note_form).post(amend_note),
        )
        .route(
            "/families/{id}/observations/{observation}",
            get(edit_observation_form).post(amend_observation),
        )
        .route("/families/{id}/observations/new", get(new_form))
        .route("/families/{id}/observations", post(create))
        .route(
            "/families/{id}/moments/{moment}",
            get(edit_moment_form).post(amend_moment),
        )
}
