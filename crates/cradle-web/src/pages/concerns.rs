//! Coping concerns: raising one, recording the action taken, and closing it with a reason.

use super::network::{parse_id, record, saved_or_form};
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{form_status, render, Choice, Chrome, Errors, RadioGroup, TextField};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use cradle_app::Sections;
use cradle_domain::concerns::{ActionInput, ActionKind, Concern, ConcernInput, ConcernKind};
use cradle_domain::dates::long_date_time;
use cradle_domain::entries::Member;
use cradle_domain::network::FamilyRecord;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "concern_form.html")]
pub struct ConcernPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub mode: &'static str,
    pub heading: &'static str,
    pub baby: String,
    pub family_id: String,
    pub action: String,
    pub concern_summary: Option<String>,
    pub conversation: String,
    pub about: RadioGroup,
    pub kinds: Vec<Choice>,
    pub action_kind: RadioGroup,
    pub reference: TextField,
    pub text_id: &'static str,
    pub text_label: &'static str,
    pub text: String,
    pub button: &'static str,
    /// The version a correction replaces, and why it is made.
    pub version: i64,
    pub reason: TextField,
}

/// The name of a family member, as the pages show them.
pub fn member_name(record: &FamilyRecord, member: Member) -> String {
    match member {
        Member::Mother => record.family.mother_name.clone(),
        Member::Person(id) => record
            .person(id)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
    }
}

/// "Risk around the baby's crying and exhaustion: Tunde Okafor. Raised … by …".
pub fn describe(record: &FamilyRecord, concern: &Concern) -> String {
    let kinds: Vec<String> = concern
        .kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if i == 0 {
                k.label().to_string()
            } else {
                k.label().to_lowercase()
            }
        })
        .collect();
    format!(
        "{} ({}): “{}” Raised {} by {}.",
        member_name(record, concern.about),
        kinds.join(", "),
        concern.description,
        long_date_time(concern.raised_at_millis),
        concern.raised_by
    )
}

/// Any of the concern pages' forms as sent: raising a concern, recording an action, correcting
/// or closing it (each form sends its own fields; the rest stay empty).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Typed {
    #[serde(flatten)]
    concern: ConcernInput,
    #[serde(flatten)]
    action: ActionInput,
    reason: String,
    version: i64,
}

fn page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    mode: &'static str,
    concern: Option<&Concern>,
    t: &Typed,
    errors: Errors,
) -> Response {
    let family_id = family.family.id;
    let members = super::member_choices(family, &t.concern.about, false);
    let (heading, action, text_id, text_label, text, button) = match (mode, concern) {
        ("action", Some(c)) => (
            "Record the action taken",
            format!("/families/{family_id}/concerns/{}/actions", c.id),
            "note",
            "What was done (optional, but required for “Other action”)",
            t.action.note.clone(),
            "Record the action",
        ),
        ("correct", Some(c)) => (
            "Correct what the concern says",
            format!("/families/{family_id}/concerns/{}", c.id),
            "description",
            "What worries you, in their words where you can",
            t.concern.description.clone(),
            "Save the correction",
        ),
        ("close", Some(c)) => (
            "Close the concern",
            format!("/families/{family_id}/concerns/{}/close", c.id),
            "reason",
            "Why can the concern be closed?",
            t.reason.clone(),
            "Close the concern",
        ),
        _ => (
            "Raise a coping concern",
            format!("/families/{family_id}/concerns"),
            "description",
            "What worries you, in their words where you can",
            t.concern.description.clone(),
            "Raise the concern",
        ),
    };
    let page = ConcernPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        mode,
        heading,
        baby: family.family.baby_label(),
        family_id: family_id.to_string(),
        action,
        concern_summary: concern.map(|c| describe(family, c)),
        conversation: t.concern.conversation.clone(),
        about: RadioGroup {
            id: "about",
            legend: "Who is the concern about?",
            options: members,
            inline: false,
        },
        kinds: ConcernKind::ALL
            .iter()
            .map(|k| Choice {
                code: k.code().to_string(),
                label: k.label().to_string(),
                selected: t.concern.kinds.iter().any(|c| c == k.code()),
            })
            .collect(),
        action_kind: RadioGroup {
            id: "action",
            legend: "What action was taken?",
            options: Choice::list(
                ActionKind::ALL,
                ActionKind::code,
                ActionKind::label,
                &t.action.action,
            ),
            inline: false,
        },
        reference: TextField::new(
            "reference",
            "Referral reference (for a safeguarding referral)",
            &t.action.reference,
        )
        .width("nhsuk-input--width-20"),
        text_id,
        text_label,
        text,
        button,
        version: t.version,
        reason: TextField::new("reason", "Reason for the change", &t.reason),
        errors,
    };
    render(form_status(&page.errors), &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RaiseQuery {
    /// The conversation whose coping answer is the concern.
    pub conversation: String,
}

pub async fn raise_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Query(query): Query<RaiseQuery>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::RELATIONSHIP_WORK).await?;
    let mut t = Typed::default();
    // From a conversation: what they said about coping, and who said it when only one did.
    if let Some(conversation) = query
        .conversation
        .parse::<Uuid>()
        .ok()
        .and_then(|c| family.conversations.iter().find(|x| x.id == c))
    {
        t.concern.conversation = conversation.id.to_string();
        t.concern.description = conversation
            .answer("coping")
            .unwrap_or_default()
            .to_string();
        if let [only] = conversation.participants.as_slice() {
            t.concern.about = only.code();
        }
    }
    Ok(page(
        &state,
        &staff,
        &family,
        "raise",
        None,
        &t,
        Errors::default(),
    ))
}

pub async fn raise(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(t): Form<Typed>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .raise_concern(&staff.actor, &access, &t.concern)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| Ok(page(&state, &staff, family, "raise", None, &t, errors)),
    )
    .await
}

/// For a page about one open concern: the record's core and relationship work (its read
/// audited), and the concern's id once it is known to be open.
async fn open_concern(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    access: &cradle_app::FamilyAccess,
    concern: &str,
) -> Result<(std::sync::Arc<FamilyRecord>, Uuid), Failure> {
    let concern = parse_id(concern.parse::<Uuid>().ok())?;
    let family = record(state, &staff.actor, access, Sections::RELATIONSHIP_WORK).await?;
    parse_id(
        family
            .concerns
            .iter()
            .find(|c| c.id == concern && c.is_open()),
    )?;
    Ok((family, concern))
}

pub async fn action_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, concern) = open_concern(&state, &staff, &access, &concern).await?;
    let c = family.concerns.iter().find(|c| c.id == concern);
    Ok(page(
        &state,
        &staff,
        &family,
        "action",
        c,
        &Typed::default(),
        Errors::default(),
    ))
}

pub async fn record_action(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Form(t): Form<Typed>,
) -> Result<Response, Failure> {
    let concern = parse_id(concern.parse::<Uuid>().ok())?;
    let result = state
        .app
        .record_concern_action(&staff.actor, &access, concern, &t.action)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| {
            let open = family
                .concerns
                .iter()
                .find(|c| c.id == concern && c.is_open());
            Ok(page(
                &state,
                &staff,
                family,
                "action",
                Some(parse_id(open)?),
                &t,
                errors,
            ))
        },
    )
    .await
}

pub async fn correct_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, concern) = open_concern(&state, &staff, &access, &concern).await?;
    let c = family.concerns.iter().find(|c| c.id == concern);
    let mut t = Typed::default();
    if let Some(c) = c {
        t.concern.about = c.about.code();
        t.concern.kinds = c.kinds.iter().map(|k| k.code().to_string()).collect();
        t.concern.description = c.description.clone();
        t.version = c.version;
    }
    Ok(page(
        &state,
        &staff,
        &family,
        "correct",
        c,
        &t,
        Errors::default(),
    ))
}

pub async fn correct(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Form(t): Form<Typed>,
) -> Result<Response, Failure> {
    let concern = parse_id(concern.parse::<Uuid>().ok())?;
    let result = state
        .app
        .amend_concern(
            &staff.actor,
            &access,
            concern,
            &t.concern,
            t.version,
            &t.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| {
            let c = family.concerns.iter().find(|c| c.id == concern);
            Ok(page(&state, &staff, family, "correct", c, &t, errors))
        },
    )
    .await
}

pub async fn close_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, concern) = open_concern(&state, &staff, &access, &concern).await?;
    let c = family.concerns.iter().find(|c| c.id == concern);
    Ok(page(
        &state,
        &staff,
        &family,
        "close",
        c,
        &Typed::default(),
        Errors::default(),
    ))
}

pub async fn close(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Form(t): Form<Typed>,
) -> Result<Response, Failure> {
    let concern = parse_id(concern.parse::<Uuid>().ok())?;
    let result = state
        .app
        .close_concern(&staff.actor, &access, concern, &t.reason)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::RELATIONSHIP_WORK,
        |family, errors| {
            let open = family
                .concerns
                .iter()
                .find(|c| c.id == concern && c.is_open());
            Ok(page(
                &state,
                &staff,
                family,
                "close",
                Some(parse_id(open)?),
                &t,
                errors,
            ))
        },
    )
    .await
}

/// A concern as the family page shows it.
pub struct ConcernView {
    pub id: String,
    pub amended: bool,
    pub summary: String,
    pub actions: Vec<String>,
    pub closure: Option<String>,
}

pub fn views(record: &FamilyRecord, open: bool) -> Vec<ConcernView> {
    record
        .concerns
        .iter()
        .filter(|c| c.is_open() == open)
        .map(|c| ConcernView {
            id: c.id.to_string(),
            amended: c.version > 1,
            summary: describe(record, c),
            actions: c
                .actions
                .iter()
                .map(|a| {
                    let mut line = format!(
                        "{} ({} by {})",
                        a.kind.label(),
                        long_date_time(a.recorded_at_millis),
                        a.recorded_by
                    );
                    if let Some(reference) = &a.reference {
                        line.push_str(&format!(", reference {reference}"));
                    }
                    if let Some(note) = &a.note {
                        line.push_str(&format!(": {note}"));
                    }
                    line
                })
                .collect(),
            closure: c.closure.as_ref().map(|x| {
                format!(
                    "Closed {} by {}: {}",
                    long_date_time(x.closed_at_millis),
                    x.closed_by,
                    x.reason
                )
            }),
        })
        .collect()
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/concerns/new", get(raise_form))
        .route("/families/{id}/concerns", post(raise))
        .route(
            "/families/{id}/concerns/{concern}/actions",
            get(action_form).post(record_action),
        )
        .route(
            "/families/{id}/concerns/{concern}",
            get(correct_form).post(correct),
        )
        .route(
            "/families/{id}/concerns/{concern}/close",
            get(close_form).post(close),
        )
}
