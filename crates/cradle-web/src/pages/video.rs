//! Video feedback: consent to film recorded for the people on film and, for the baby, by
//! those with parental responsibility; each consent shown on the family page with its
//! purposes and who may view; and withdrawn with the day and the reason.

use super::network::{parse_id, record, saved_or_form};
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
use cradle_domain::dates::{date_boxes, long_date, long_date_time};
use cradle_domain::entries::Member;
use cradle_domain::filming::{
    has_parental_responsibility, may_be_asked_to_film, ConsentGiven, FilmingConsent,
    FilmingConsentInput, FilmingPurpose, ViewingScope, WithdrawalInput,
};
use cradle_domain::network::FamilyRecord;
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
    let label = |member: Member| match member {
        Member::Mother => format!("{} (mother)", family.family.mother_name),
        Member::Person(_) => family.member_name(member),
    };
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
            .hint("In the family's words where they gave a reason."),
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

fn names(family: &FamilyRecord, members: &[Member]) -> String {
    let names: Vec<String> = members
        .iter()
        .map(|m| match m {
            Member::Mother => format!("{} (mother)", family.family.mother_name),
            Member::Person(_) => family.member_name(*m),
        })
        .collect();
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
        ("Lasts until", long_date(consent.expires_on)),
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
}
