//! Video feedback: consent to film recorded for the people on film and, for the baby, by
//! those with parental responsibility; each consent shown on the family page with its
//! purposes and who may view; and withdrawn with the day and the reason.

use super::network::{parse_id, record, saved_or_form};
use crate::auth::{ChangeRecords, FamilyScoped, Staff};
use crate::error::Failure;
use crate::form::Form;
use crate::views::{
    form_status, render, CheckboxGroup, Choice, Chrome, DateField, Errors, RadioGroup, TextArea,
    TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cradle_app::Sections;
use cradle_domain::dates::{date_boxes, long_date, long_date_time};
use cradle_domain::entries::Member;
use cradle_domain::filming::{
    has_parental_responsibility, may_be_asked_to_film, ConsentGiven, FilmingConsent,
    FilmingConsentInput, FilmingPurpose, ViewingScope, WithdrawalInput,
};
use cradle_domain::network::FamilyRecord;
use cradle_domain::recordings::{DeletionReason, Recording, RecordingInput, RecordingState};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "filming_consent_form.html")]
pub struct ConsentPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub on_film: CheckboxGroup,
    pub for_baby: CheckboxGroup,
    /// Who is never filmed or asked (do not contact or do not involve), named so the
    /// clinician knows why they are not listed.
    pub not_asked: Option<String>,
    /// Who is not listed to consent for the baby because no parental responsibility is
    /// recorded for them.
    pub without_responsibility: Option<String>,
    pub purposes: CheckboxGroup,
    pub scope: RadioGroup,
    pub given: RadioGroup,
    pub given_on: DateField,
    pub expires_on: DateField,
}

fn ticked(all: Vec<(String, String)>, typed: &[String]) -> Vec<Choice> {
    all.into_iter()
        .map(|(code, label)| Choice {
            selected: typed.contains(&code),
            code,
            label,
        })
        .collect()
}

fn consent_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    t: &FilmingConsentInput,
    errors: Errors,
) -> Response {
    let today = state.app.today();
    let members: Vec<Member> = std::iter::once(Member::Mother)
        .chain(family.people.iter().map(|p| Member::Person(p.id)))
        .collect();
    let label = |member: Member| member_label(family, member);
    let askable: Vec<Member> = members
        .iter()
        .copied()
        .filter(|m| may_be_asked_to_film(family, *m))
        .collect();
    let twins = family.family.babies.len() > 1;
    let page = ConsentPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        on_film: CheckboxGroup {
            id: "on_film",
            legend: if twins {
                "Who will be on film with the babies?"
            } else {
                "Who will be on film with the baby?"
            },
            hint: "Each adult on film must agree to it themselves.",
            options: ticked(
                askable.iter().map(|m| (m.code(), label(*m))).collect(),
                &t.on_film,
            ),
        },
        for_baby: CheckboxGroup {
            id: "for_baby",
            legend: if twins {
                "Who consented for the babies?"
            } else {
                "Who consented for the baby?"
            },
            hint: "Only people with parental responsibility can consent for a baby.",
            options: ticked(
                askable
                    .iter()
                    .filter(|m| has_parental_responsibility(family, **m, today))
                    .map(|m| (m.code(), label(*m)))
                    .collect(),
                &t.for_baby,
            ),
        },
        not_asked: named(
            family,
            members.iter().filter(|m| !may_be_asked_to_film(family, **m)),
            ("is", "are"),
            "marked “do not contact” or “do not involve”, so never filmed or asked to consent, and not listed here.",
        ),
        without_responsibility: named(
            family,
            askable
                .iter()
                .filter(|m| !has_parental_responsibility(family, **m, today)),
            ("has", "have"),
            "no parental responsibility recorded. If they have it, record it on their relationship with the baby first.",
        ),
        purposes: CheckboxGroup {
            id: "purposes",
            legend: "What did they agree the film may be used for?",
            hint: "Ask about each use separately. Agreeing to their own feedback sessions is not agreeing to teaching or research.",
            options: ticked(
                FilmingPurpose::ALL
                    .iter()
                    .map(|p| (p.code().to_string(), p.label().to_string()))
                    .collect(),
                &t.purposes,
            ),
        },
        scope: RadioGroup {
            id: "scope",
            legend: "Who may view the film?",
            options: Choice::list(
                ViewingScope::ALL,
                ViewingScope::code,
                ViewingScope::label,
                &t.scope,
            ),
            inline: false,
        },
        given: RadioGroup {
            id: "given",
            legend: "How was consent given?",
            options: Choice::list(
                ConsentGiven::ALL,
                ConsentGiven::code,
                ConsentGiven::label,
                &t.given,
            ),
            inline: false,
        },
        given_on: DateField::new(
            "given_on",
            "Date consent was given",
            ["given_day", "given_month", "given_year"],
            [&t.given_day, &t.given_month, &t.given_year],
        ),
        expires_on: DateField::new(
            "expires_on",
            "Date consent ends",
            ["expires_day", "expires_month", "expires_year"],
            [&t.expires_day, &t.expires_month, &t.expires_year],
        ),
        errors,
    };
    render(form_status(&page.errors), &page)
}

/// "Marcus Reid is marked …" / "Tunde Okafor and Grace Ndlovu have no …", or none when no
/// one is named.
fn named<'a>(
    family: &FamilyRecord,
    members: impl Iterator<Item = &'a Member>,
    (one, several): (&str, &str),
    rest: &str,
) -> Option<String> {
    let names: Vec<String> = members.map(|m| family.member_name(*m)).collect();
    let verb = if names.len() == 1 { one } else { several };
    (!names.is_empty()).then(|| format!("{} {verb} {rest}", cradle_domain::text::and_list(&names)))
}

pub async fn consent_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let (given_day, given_month, given_year) = super::today_boxes(&state);
    let typed = FilmingConsentInput {
        given_day,
        given_month,
        given_year,
        ..Default::default()
    };
    Ok(consent_page(
        &state,
        &staff,
        &family,
        &typed,
        Errors::default(),
    ))
}

pub async fn record_consent(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(t): Form<FilmingConsentInput>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .record_filming_consent(&staff.actor, &access, &t)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| Ok(consent_page(&state, &staff, family, &t, errors)),
    )
    .await
}

#[derive(Template)]
#[template(path = "filming_withdraw_form.html")]
pub struct WithdrawPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub consent_id: String,
    pub consent: ConsentView,
    pub withdrawn_on: DateField,
    pub reason: TextArea,
}

fn withdraw_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    consent: &FilmingConsent,
    t: &WithdrawalInput,
    errors: Errors,
) -> Response {
    let page = WithdrawPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        consent_id: consent.id.to_string(),
        consent: view(family, consent, state.app.today()),
        withdrawn_on: DateField::new(
            "withdrawn_on",
            "Date consent was withdrawn",
            ["on_day", "on_month", "on_year"],
            [&t.on_day, &t.on_month, &t.on_year],
        ),
        reason: TextArea::new("reason", "Why was consent withdrawn?", &t.reason)
            .hint("The family do not have to give a reason: record what they said in their words, or that they gave none."),
        errors,
    };
    render(form_status(&page.errors), &page)
}

/// The consent `id` of the family, while it is not withdrawn.
fn current(family: &FamilyRecord, id: Uuid) -> Result<&FilmingConsent, Failure> {
    parse_id(
        family
            .filming_consents
            .iter()
            .find(|c| c.id == id && c.withdrawn.is_none()),
    )
}

pub async fn withdraw_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, consent)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let id = parse_id(consent.parse::<Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::VIDEO).await?;
    let consent = current(&family, id)?;
    let (on_day, on_month, on_year) = date_boxes(Some(state.app.today()));
    let typed = WithdrawalInput {
        on_day,
        on_month,
        on_year,
        reason: String::new(),
    };
    Ok(withdraw_page(
        &state,
        &staff,
        &family,
        consent,
        &typed,
        Errors::default(),
    ))
}

pub async fn withdraw(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, consent)): Path<(String, String)>,
    Form(t): Form<WithdrawalInput>,
) -> Result<Response, Failure> {
    let id = parse_id(consent.parse::<Uuid>().ok())?;
    let result = state
        .app
        .withdraw_filming_consent(&staff.actor, &access, id, &t)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::VIDEO,
        |family, errors| {
            let consent = current(family, id)?;
            Ok(withdraw_page(&state, &staff, family, consent, &t, errors))
        },
    )
    .await
}

/// A consent to film as the family page shows it.
pub struct ConsentView {
    pub id: String,
    pub heading: String,
    /// "In force", "Withdrawn" or "Ended".
    pub status: &'static str,
    pub in_force: bool,
    pub may_withdraw: bool,
    pub rows: Vec<(&'static str, String)>,
    pub purposes: Vec<&'static str>,
}

/// "Amara Okafor (mother)" or "Tunde Okafor".
fn member_label(family: &FamilyRecord, member: Member) -> String {
    match member {
        Member::Mother => format!("{} (mother)", family.family.mother_name),
        Member::Person(_) => family.member_name(member),
    }
}

fn names(family: &FamilyRecord, members: &[Member]) -> String {
    let names: Vec<String> = members.iter().map(|m| member_label(family, *m)).collect();
    cradle_domain::text::and_list(&names)
}

pub fn view(family: &FamilyRecord, consent: &FilmingConsent, today: time::Date) -> ConsentView {
    let on_film: Vec<String> = consent
        .on_film
        .iter()
        .map(|m| family.member_name(*m))
        .collect();
    let twins = family.family.babies.len() > 1;
    let mut rows = vec![
        (
            if twins {
                "On film with the babies"
            } else {
                "On film with the baby"
            },
            names(family, &consent.on_film),
        ),
        (
            if twins {
                "Consent for the babies"
            } else {
                "Consent for the baby"
            },
            names(family, &consent.for_baby),
        ),
        ("May be viewed by", consent.scope.label().to_string()),
        (
            "How consent was given",
            format!(
                "{}, on {}",
                consent.given.label(),
                long_date(consent.given_on)
            ),
        ),
        if consent.withdrawn.is_some() {
            ("Would have lasted until", long_date(consent.expires_on))
        } else {
            ("Lasts until", long_date(consent.expires_on))
        },
        (
            "Recorded",
            format!(
                "{} by {}",
                long_date_time(consent.recorded_at_millis),
                consent.recorded_by
            ),
        ),
    ];
    if let Some(w) = &consent.withdrawn {
        rows.push((
            "Withdrawn",
            format!(
                "On {}: {} (recorded {} by {})",
                long_date(w.on),
                w.reason,
                long_date_time(w.recorded_at_millis),
                w.recorded_by
            ),
        ));
    }
    ConsentView {
        id: consent.id.to_string(),
        heading: format!(
            "{} with {}",
            cradle_domain::text::and_list(&on_film),
            family.family.baby_label()
        ),
        status: if consent.withdrawn.is_some() {
            "Withdrawn"
        } else if consent.in_force(today) {
            "In force"
        } else {
            "Ended"
        },
        in_force: consent.in_force(today),
        may_withdraw: consent.withdrawn.is_none(),
        rows,
        purposes: consent.purposes.iter().map(|p| p.label()).collect(),
    }
}

/// Every consent to film of the family, newest first.
pub fn views(family: &FamilyRecord, today: time::Date) -> Vec<ConsentView> {
    let mut consents: Vec<&FilmingConsent> = family.filming_consents.iter().collect();
    consents.sort_by_key(|c| std::cmp::Reverse((c.given_on, c.recorded_at_millis)));
    consents
        .into_iter()
        .map(|c| view(family, c, today))
        .collect()
}

// ----- Recordings -----

#[derive(Template)]
#[template(path = "recording_form.html")]
pub struct RecordingPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    /// Whether any consent in force lets something be filmed.
    pub any_consent: bool,
    pub consent: RadioGroup,
    pub purpose: RadioGroup,
    pub on_film: CheckboxGroup,
    pub filmed_on: DateField,
    pub description: TextField,
    pub tus_js: String,
    pub upload_js: String,
}

fn recording_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    t: &RecordingInput,
    errors: Errors,
) -> Response {
    let today = state.app.today();
    let in_force: Vec<&FilmingConsent> = family
        .filming_consents
        .iter()
        .filter(|c| c.in_force(today))
        .collect();
    // With one consent in force, only what it covers is offered.
    let only = match in_force.as_slice() {
        [only] => Some(*only),
        _ => None,
    };
    let on_film: Vec<Member> = std::iter::once(Member::Mother)
        .chain(family.people.iter().map(|p| Member::Person(p.id)))
        .filter(|m| may_be_asked_to_film(family, *m))
        .filter(|m| only.is_none_or(|c| c.on_film.contains(m)))
        .collect();
    let purposes: Vec<FilmingPurpose> = match only {
        Some(c) => c.purposes.clone(),
        None => FilmingPurpose::ALL.to_vec(),
    };
    let twins = family.family.babies.len() > 1;
    let page = RecordingPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        any_consent: !in_force.is_empty(),
        consent: RadioGroup {
            id: "consent",
            legend: "Which consent to film was it made under?",
            options: in_force
                .iter()
                .map(|c| Choice {
                    code: c.id.to_string(),
                    label: consent_line(family, c),
                    selected: t.consent == c.id.to_string(),
                })
                .collect(),
            inline: false,
        },
        purpose: RadioGroup {
            id: "purpose",
            legend: "What is the recording for?",
            options: Choice::list(
                &purposes,
                FilmingPurpose::code,
                FilmingPurpose::label,
                &t.purpose,
            ),
            inline: false,
        },
        on_film: CheckboxGroup {
            id: "on_film",
            legend: if twins {
                "Who is on the recording with the babies?"
            } else {
                "Who is on the recording with the baby?"
            },
            hint: "Each must be named on the consent.",
            options: ticked(
                on_film
                    .iter()
                    .map(|m| (m.code(), member_label(family, *m)))
                    .collect(),
                &t.on_film,
            ),
        },
        filmed_on: DateField::new(
            "filmed_on",
            "Date filmed",
            ["filmed_day", "filmed_month", "filmed_year"],
            [&t.filmed_day, &t.filmed_month, &t.filmed_year],
        ),
        description: TextField::new("description", "What the recording shows", &t.description)
            .hint("A few words, for example “Bath time at home”."),
        tus_js: crate::assets::url("tus.min.js"),
        upload_js: crate::assets::url("cradle-upload.mjs"),
        errors,
    };
    render(form_status(&page.errors), &page)
}

/// "Tunde Okafor with Ada Okafor, for the family's own video feedback sessions and teaching,
/// until 26 May 2027".
fn consent_line(family: &FamilyRecord, consent: &FilmingConsent) -> String {
    let on_film: Vec<String> = consent
        .on_film
        .iter()
        .map(|m| family.member_name(*m))
        .collect();
    let purposes: Vec<String> = consent
        .purposes
        .iter()
        .map(|p| cradle_domain::text::lower_first(p.label()))
        .collect();
    format!(
        "{} with {}, for {}, until {}",
        cradle_domain::text::and_list(&on_film),
        family.family.baby_label(),
        cradle_domain::text::and_list(&purposes),
        long_date(consent.expires_on)
    )
}

pub async fn recording_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::VIDEO).await?;
    let (filmed_day, filmed_month, filmed_year) = super::today_boxes(&state);
    let today = state.app.today();
    let mut in_force = family.filming_consents.iter().filter(|c| c.in_force(today));
    // The only consent in force is the one it was made under.
    let only = match (in_force.next(), in_force.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    };
    let purpose = match only.map(|c| c.purposes.as_slice()) {
        Some([one]) => one.code().to_string(),
        _ => String::new(),
    };
    let typed = RecordingInput {
        consent: only.map(|c| c.id.to_string()).unwrap_or_default(),
        purpose,
        filmed_day,
        filmed_month,
        filmed_year,
        ..Default::default()
    };
    Ok(recording_page(
        &state,
        &staff,
        &family,
        &typed,
        Errors::default(),
    ))
}

/// The recording's description, checked against the consent; from the upload page's script
/// (`X-Requested-With: cradle-upload`), answered with where to send the film.
pub async fn start_recording(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    headers: axum::http::HeaderMap,
    Form(t): Form<RecordingInput>,
) -> Result<Response, Failure> {
    let from_script = headers
        .get("x-requested-with")
        .is_some_and(|v| v.as_bytes() == b"cradle-upload");
    match state.app.start_recording(&staff.actor, &access, &t).await {
        Ok(recording) if from_script => Ok((
            axum::http::StatusCode::CREATED,
            crate::json::Json(serde_json::json!({
                "upload": format!(
                    "/api/v1/families/{}/recordings/{}/upload",
                    access.family_id(),
                    recording.id
                ),
            })),
        )
            .into_response()),
        Ok(_) => Ok(super::see_other(&format!(
            "/families/{}#video",
            access.family_id()
        ))),
        Err(cradle_app::AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::VIDEO).await?;
            Ok(recording_page(
                &state,
                &staff,
                &family,
                &t,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// What a recording is being watched for, as chosen.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct WatchFor {
    pub purpose: String,
    /// Sent by the form that chooses the purpose, so that choosing none is told apart from
    /// arriving at the page.
    pub choosing: String,
}

#[derive(Template)]
#[template(path = "recording_watch.html")]
pub struct WatchPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub recording: RecordingView,
    /// The consent's purposes to choose from, before watching.
    pub purpose: RadioGroup,
    /// Once a purpose is chosen and allowed: what it is, the film's address and its poster
    /// frame's.
    pub watching: Option<(String, String, String)>,
    /// Why it may not be watched, when it may not.
    pub refusal: Option<String>,
    /// Whether the consent allows more than one purpose to watch it for.
    pub other_purposes: bool,
}

pub async fn watch(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<crate::auth::ReadRecords>,
    Path((_, recording)): Path<(String, String)>,
    axum::extract::Query(watch_for): axum::extract::Query<WatchFor>,
) -> Result<Response, Failure> {
    let id = parse_id(recording.parse::<Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::VIDEO).await?;
    let found = parse_id(family.recordings.iter().find(|r| r.id == id))?;
    let consent = family
        .filming_consents
        .iter()
        .find(|c| c.id == found.consent_id);
    let today = state.app.today();
    let chosen = FilmingPurpose::from_code(&watch_for.purpose);
    let mut errors = Errors::default();
    if (!watch_for.purpose.is_empty() || watch_for.choosing == "yes") && chosen.is_none() {
        let mut problems = cradle_domain::Problems::default();
        problems.push(cradle_domain::Invalid::new(
            "purpose",
            "Select what you are watching the recording for",
        ));
        errors = Errors::from_problems(&problems);
    }
    let refusal = match chosen {
        Some(purpose) => found.viewable(consent, purpose, today).err().map(|e| e.0),
        None => found
            .viewable(
                consent,
                consent
                    .and_then(|c| c.purposes.first().copied())
                    .unwrap_or(FilmingPurpose::FamilyCare),
                today,
            )
            .err()
            .map(|e| e.0),
    };
    let watching = match (chosen, &refusal) {
        (Some(purpose), None) => Some((
            purpose.label().to_string(),
            format!(
                "/api/v1/families/{}/recordings/{id}/film?purpose={}",
                access.family_id(),
                purpose.code()
            ),
            format!(
                "/api/v1/families/{}/recordings/{id}/poster?purpose={}",
                access.family_id(),
                purpose.code()
            ),
        )),
        _ => None,
    };
    let page = WatchPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        recording: recording_view(&family, found, today),
        purpose: RadioGroup {
            id: "purpose",
            legend: "What are you watching it for?",
            options: consent
                .map(|c| c.purposes.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|p| Choice {
                    code: p.code().to_string(),
                    label: p.label().to_string(),
                    selected: Some(p) == chosen || consent.is_some_and(|c| c.purposes == [p]),
                })
                .collect(),
            inline: false,
        },
        watching,
        refusal,
        other_purposes: consent.is_some_and(|c| c.purposes.len() > 1),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

#[derive(Template)]
#[template(path = "recording_delete_form.html")]
pub struct DeletePage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub recording: RecordingView,
    pub reason: TextArea,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeleteTyped {
    pub reason: String,
}

fn delete_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    recording: &Recording,
    reason: &str,
    errors: Errors,
) -> Response {
    let page = DeletePage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        recording: recording_view(family, recording, state.app.today()),
        reason: TextArea::new("reason", "Why is the recording being deleted?", reason).hint(
            "For example, the family asked for it to be deleted, or it was filmed by mistake.",
        ),
        errors,
    };
    render(form_status(&page.errors), &page)
}

/// The recording `id` of the family while it is not deleted.
fn kept(family: &FamilyRecord, id: Uuid) -> Result<&Recording, Failure> {
    parse_id(
        family
            .recordings
            .iter()
            .find(|r| r.id == id && r.state != RecordingState::Deleted),
    )
}

pub async fn delete_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let id = parse_id(recording.parse::<Uuid>().ok())?;
    let family = record(&state, &staff.actor, &access, Sections::VIDEO).await?;
    let recording = kept(&family, id)?;
    Ok(delete_page(
        &state,
        &staff,
        &family,
        recording,
        "",
        Errors::default(),
    ))
}

pub async fn delete(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, recording)): Path<(String, String)>,
    Form(t): Form<DeleteTyped>,
) -> Result<Response, Failure> {
    let id = parse_id(recording.parse::<Uuid>().ok())?;
    let result = state
        .app
        .delete_recording(&staff.actor, &access, id, &t.reason)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::VIDEO,
        |family, errors| {
            let recording = kept(family, id)?;
            Ok(delete_page(
                &state, &staff, family, recording, &t.reason, errors,
            ))
        },
    )
    .await
}

/// A recording as the pages show it.
pub struct RecordingView {
    pub id: String,
    pub description: String,
    /// "Filmed 5 December 2026: Tunde Okafor. For the family's own video feedback sessions."
    pub line: String,
    /// "Ready to view", "Uploading: 45% received", "Deleted".
    pub status: String,
    /// Uploaded, and its consent in force: it may be watched.
    pub ready: bool,
    pub deleted: bool,
    /// What was deleted, when, why and by whom.
    pub deletion: Option<String>,
    /// Until when it is kept, for one not deleted: "Kept until 7 December 2027 (the team's
    /// 12 months for the family's own video feedback sessions), or until consent is
    /// withdrawn or ends if sooner."
    pub kept: Option<String>,
}

/// "52.4 MB", "740 KB".
fn size(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

pub fn recording_view(family: &FamilyRecord, r: &Recording, today: time::Date) -> RecordingView {
    let on_film: Vec<String> = r.on_film.iter().map(|m| family.member_name(*m)).collect();
    let consent = family
        .filming_consents
        .iter()
        .find(|c| c.id == r.consent_id);
    let consent_in_force = consent.is_some_and(|c| c.in_force(today));
    RecordingView {
        id: r.id.to_string(),
        description: r.description.clone(),
        line: format!(
            "Filmed on {} with {}. For {}. {}{}, uploaded by {}.",
            long_date(r.filmed_on),
            cradle_domain::text::and_list(&on_film),
            cradle_domain::text::lower_first(r.purpose.label()),
            r.media
                .as_ref()
                .map(|m| format!("{} long, ", m.running_time()))
                .unwrap_or_default(),
            size(r.length),
            r.started_by
        ),
        status: match r.state {
            RecordingState::Uploading => format!(
                "Uploading: {}% received",
                (r.received.saturating_mul(100) / r.length.max(1)).min(99)
            ),
            RecordingState::Ready if consent.is_some_and(|c| c.withdrawn.is_some()) => {
                "Consent withdrawn: not to be viewed".to_string()
            }
            RecordingState::Ready if !consent_in_force => {
                "Consent ended: not to be viewed".to_string()
            }
            RecordingState::Deleted
                if r.deletion.as_ref().map(|d| d.reason) == Some(DeletionReason::Refused) =>
            {
                "Upload not taken".to_string()
            }
            other => other.label().to_string(),
        },
        ready: r.state == RecordingState::Ready && consent_in_force,
        deleted: r.state == RecordingState::Deleted,
        kept: (r.state == RecordingState::Ready)
            .then(|| r.kept_until(&family.recording_retention))
            .flatten()
            .map(|until| {
                let months = family.recording_retention.months(r.purpose);
                let ends = consent.map_or(until, |c| c.expires_on);
                if ends < until {
                    format!(
                        "Kept until consent ends on {}, unless it is withdrawn sooner.",
                        long_date(ends)
                    )
                } else {
                    format!(
                        "Kept until {} (the team keeps recordings made for {} for {} month{}), unless consent is withdrawn sooner.",
                        long_date(until),
                        cradle_domain::text::lower_first(r.purpose.label()),
                        months,
                        if months == 1 { "" } else { "s" }
                    )
                }
            }),
        deletion: r.deletion.as_ref().map(|d| match d.reason {
            DeletionReason::Refused => format!(
                "Not taken on {}: {} Nothing of it was kept.",
                long_date_time(d.at_millis),
                cradle_domain::text::sentence(&d.detail)
            ),
            DeletionReason::ByStaff => format!(
                "Deleted on {} by {}: {}",
                long_date_time(d.at_millis),
                d.by,
                cradle_domain::text::sentence(&d.detail)
            ),
            reason => format!(
                "Deleted on {} by {}. {}: {}",
                long_date_time(d.at_millis),
                d.by,
                reason.label(),
                cradle_domain::text::sentence(&cradle_domain::text::lower_first(&d.detail))
            ),
        }),
    }
}

/// The family's recordings, newest first.
pub fn recording_views(family: &FamilyRecord, today: time::Date) -> Vec<RecordingView> {
    let mut recordings: Vec<&Recording> = family.recordings.iter().collect();
    recordings.sort_by_key(|r| std::cmp::Reverse(r.started_at_millis));
    recordings
        .into_iter()
        .map(|r| recording_view(family, r, today))
        .collect()
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/filming-consents/new", get(consent_form))
        .route("/families/{id}/filming-consents", post(record_consent))
        .route(
            "/families/{id}/filming-consents/{consent}/withdraw",
            get(withdraw_form).post(withdraw),
        )
        .route("/families/{id}/recordings/new", get(recording_form))
        .route("/families/{id}/recordings", post(start_recording))
        .route("/families/{id}/recordings/{recording}", get(watch))
        .route(
            "/families/{id}/recordings/{recording}/delete",
            get(delete_form).post(delete),
        )
}
