//! Family pages: the team caseload, adding a family, the family record and emergency access.

use super::see_other;
use crate::auth::{BreakGlass, ChangeRecords, FamilyScoped, ReadRecords, Staff};
use crate::error::{Failure, Problem};
use crate::form::Form;
use crate::views::{
    form_status, render, thousands, Choice, Chrome, DateField, Errors, SelectField, TeamChoice,
    TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use cradle_app::families::PAGE_SIZE;
use cradle_app::AppError;
use cradle_domain::dates::{long_date, long_date_time};
use cradle_domain::entries::Member;
use cradle_domain::network::{
    ChildProtectionStatus, FamilyRecord, Person, RelationshipTarget, RestrictionKind,
};
use cradle_domain::{FamilyId, FamilyInput, NhsNumber, PerinatalStage, Permission};
use cradle_store::PagePosition;
use serde::Deserialize;

pub struct FamilyRow {
    pub id: String,
    pub baby: String,
    pub age: String,
    pub involved: Vec<InvolvedView>,
    pub mother: String,
    /// "Interpreter needed: Bengali" when the mother needs one.
    pub mother_interpreter: Option<String>,
    pub stage: &'static str,
    pub open_concerns: u32,
    pub open_alerts: u32,
    pub open_disclosure_actions: u32,
    /// A do not contact / do not involve decision is past its review date.
    pub restriction_review_overdue: bool,
    /// The next thing due for the family's care, and whether it needs attention.
    pub next_due: String,
    pub next_due_warning: bool,
}

/// A person around the baby as the caseload lists them.
pub struct InvolvedView {
    pub name: String,
    /// "Do not involve" or "Do not contact".
    pub mark: Option<&'static str>,
    /// Their current partner pathway step, for someone Cradle may contact.
    pub step: Option<String>,
    /// "Interpreter needed: Polish".
    pub interpreter: Option<String>,
}

#[derive(Template)]
#[template(path = "families.html")]
pub struct FamiliesPage {
    pub chrome: Chrome,
    pub families: Vec<FamilyRow>,
    pub total: String,
    pub total_is_lower_bound: bool,
    pub search: String,
    pub page: u32,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    pub may_add: bool,
    pub mine: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    /// The page's number, for showing; where the page starts is `after` or `before`.
    pub page: Option<u32>,
    pub mine: Option<String>,
    /// Continue after this family (the last on the page before).
    pub after: Option<String>,
    /// Go back to the families before this one (the first on the page after).
    pub before: Option<String>,
}

impl ListQuery {
    /// Where the requested page starts. A page number alone (typed by hand, or an older
    /// link) counts from the start; links Cradle makes continue from a family (keyset paging).
    pub fn position(&self) -> Result<PagePosition, Failure> {
        let family = |text: &str| {
            text.parse::<uuid::Uuid>().map(FamilyId).map_err(|_| {
                Failure(Problem::BadRequest(
                    "That page link is not one Cradle made. Go back to the first page of the list."
                        .to_string(),
                ))
            })
        };
        if let Some(after) = self.after.as_deref().filter(|t| !t.is_empty()) {
            return Ok(PagePosition::After(family(after)?));
        }
        if let Some(before) = self.before.as_deref().filter(|t| !t.is_empty()) {
            return Ok(PagePosition::Before(family(before)?));
        }
        Ok(match self.page.unwrap_or(1).clamp(1, 100_000) {
            1 => PagePosition::Start,
            page => PagePosition::Offset((page - 1) * PAGE_SIZE),
        })
    }

    pub fn mine(&self) -> bool {
        self.mine.as_deref() == Some("1")
    }
}

pub async fn list(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let mine = query.mine();
    let result = state
        .app
        .caseload(&staff.actor, Some(&query.q), query.position()?, mine)
        .await?;
    let page = if result.has_previous {
        query.page.unwrap_or(2).clamp(2, 100_000)
    } else {
        1
    };
    let search_param = crate::error::urlencode(query.q.trim());
    let mine_param = if mine { "&mine=1" } else { "" };
    let href = |p: u32, cursor: String| {
        format!("/families?q={search_param}{mine_param}&page={p}&{cursor}")
    };
    let today = state.app.today();
    let view = FamiliesPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        families: result
            .families
            .iter()
            .map(|f| {
                let next_due = f.care.next_due(today);
                FamilyRow {
                    id: f.id.to_string(),
                    baby: f.baby_label(),
                    age: {
                        let mut ages: Vec<String> = f
                            .babies
                            .iter()
                            .map(|b| b.age(today).unwrap_or_else(|| b.date_line(today)))
                            .collect();
                        // Twins of the same age read once.
                        ages.dedup();
                        ages.join("; ")
                    },
                    mother: f.mother_name.clone(),
                    mother_interpreter: f.mother_interpreter.clone(),
                    involved: f
                        .involved
                        .iter()
                        .map(|(id, name)| {
                            let involvement = cradle_domain::network::Involvement::for_person(
                                &f.restrictions,
                                *id,
                            );
                            let mark = if !involvement.may_involve {
                                Some("Do not involve")
                            } else if !involvement.may_contact {
                                Some("Do not contact")
                            } else {
                                None
                            };
                            // The pathway step is shown only for someone Cradle may contact.
                            let step = f
                                .pathway_steps
                                .iter()
                                .find(|(person, _)| person == id)
                                .filter(|_| mark.is_none())
                                .map(|(_, step)| {
                                    format!(
                                        "{}, {}",
                                        step.label(),
                                        cradle_domain::dates::long_date(step.on())
                                    )
                                });
                            let interpreter = f
                                .interpreters
                                .iter()
                                .find(|(person, _)| person == id)
                                .map(|(_, note)| note.clone());
                            InvolvedView {
                                name: name.clone(),
                                mark,
                                step,
                                interpreter,
                            }
                        })
                        .collect(),
                    stage: f.stage.label(),
                    open_concerns: f.open_concerns,
                    open_alerts: f.open_alerts,
                    open_disclosure_actions: f.open_disclosure_actions,
                    restriction_review_overdue: f
                        .restrictions
                        .iter()
                        .any(|r| r.review_overdue(today)),
                    next_due: next_due.label(),
                    next_due_warning: next_due.is_warning(),
                }
            })
            .collect(),
        total: thousands(result.total),
        total_is_lower_bound: result.total_is_lower_bound,
        search: query.q.trim().to_string(),
        page,
        previous_href: result
            .has_previous
            .then(|| result.families.first())
            .flatten()
            .map(|first| href(page - 1, format!("before={}", first.id))),
        next_href: result
            .has_next
            .then(|| result.families.last())
            .flatten()
            .map(|last| href(page + 1, format!("after={}", last.id))),
        may_add: staff.actor.may(Permission::ChangeClinicalRecords),
        mine,
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "family_new.html")]
pub struct NewFamilyPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub teams: Vec<TeamChoice>,
    pub mother_name: TextField,
    pub mother_nhs_number: TextField,
    pub mother_dob: DateField,
    pub mother_postcode: TextField,
    /// Her preferred language and whether she needs an interpreter.
    pub mother_language: (TextField, crate::views::RadioGroup),
    pub referral: DateField,
    pub stages: Vec<Choice>,
    pub baby_name: TextField,
    pub baby_dob: DateField,
    pub gestation_legend: &'static str,
    pub gestation_weeks: String,
    pub gestation_days: String,
    pub due_date: DateField,
}

async fn new_family_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    input: &FamilyInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let teams = state
        .app
        .teams()
        .await?
        .into_iter()
        .filter(|t| staff.actor.teams.contains(&t.id))
        .map(|t| TeamChoice {
            selected: t.id.to_string() == input.team_id,
            id: t.id.to_string(),
            name: t.name,
        })
        .collect();
    let stages = [
        PerinatalStage::Antenatal,
        PerinatalStage::Postnatal,
        PerinatalStage::Preconception,
    ]
    .into_iter()
    .map(|s| Choice {
        code: s.code().to_string(),
        label: s.label().to_string(),
        selected: input.stage == s.code(),
    })
    .collect();
    let status = form_status(&errors);
    let page = NewFamilyPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        errors,
        teams,
        mother_name: TextField::new("mother_name", "Mother's full name", &input.mother_name),
        mother_nhs_number: TextField::new("mother_nhs_number", "Mother's NHS number (optional)", &input.mother_nhs_number)
            .hint("10 digits, for example 999 123 4578")
            .width("nhsuk-input--width-10"),
        mother_dob: DateField::new(
            "mother_dob",
            "Mother's date of birth (optional)",
            ["mother_dob_day", "mother_dob_month", "mother_dob_year"],
            [&input.mother_dob_day, &input.mother_dob_month, &input.mother_dob_year],
        ),
        mother_postcode: TextField::new("mother_postcode", "Mother's postcode (optional)", &input.mother_postcode)
            .width("nhsuk-input--width-10"),
        mother_language: crate::views::mother_language_fields(
            &input.mother_language,
            &input.mother_interpreter_needed,
        ),
        referral: DateField::new(
            "referral_date",
            "Date of referral (leave blank for today)",
            ["referral_day", "referral_month", "referral_year"],
            [&input.referral_day, &input.referral_month, &input.referral_year],
        ),
        stages,
        gestation_legend: "Gestation at birth (if postnatal, optional)",
        gestation_weeks: input.gestation_weeks.clone(),
        gestation_days: input.gestation_days.clone(),
        baby_name: TextField::new("baby_name", "Baby's name (optional)", &input.baby_name)
            .hint("Leave blank if the baby is not yet named: Cradle will show “Baby of” the mother's name"),
        baby_dob: DateField {
            id: "baby_dob",
            legend: "Baby's date of birth (if postnatal)",
            day_name: "baby_dob_day",
            month_name: "baby_dob_month",
            year_name: "baby_dob_year",
            day: input.baby_dob_day.clone(),
            month: input.baby_dob_month.clone(),
            year: input.baby_dob_year.clone(),
        },
        due_date: DateField {
            id: "due_date",
            legend: "Due date (if antenatal)",
            day_name: "due_day",
            month_name: "due_month",
            year_name: "due_year",
            day: input.due_day.clone(),
            month: input.due_month.clone(),
            year: input.due_year.clone(),
        },
    };
    Ok(render(status, &page))
}

pub async fn new_form(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
) -> Result<Response, Failure> {
    let input = FamilyInput {
        team_id: staff
            .actor
            .teams
            .first()
            .map(|t| t.to_string())
            .unwrap_or_default(),
        ..FamilyInput::default()
    };
    new_family_page(&state, &staff, &input, Errors::default()).await
}

pub async fn create(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Form(input): Form<FamilyInput>,
) -> Result<Response, Failure> {
    match state.app.create_family(&staff.actor, &input).await {
        Ok(family) => Ok(see_other(&format!("/families/{}", family.id))),
        Err(AppError::Invalid(problems)) => {
            new_family_page(&state, &staff, &input, Errors::from_problems(&problems)).await
        }
        Err(other) => Err(other.into()),
    }
}

pub struct BabyView {
    pub id: String,
    pub label: String,
    pub date_line: String,
    pub is_born: bool,
}

/// A do not contact / do not involve decision as staff pages show it.
pub struct RestrictionView {
    pub id: String,
    pub label: &'static str,
    pub decided_by: String,
    pub reason: String,
    /// "26 November 2026".
    pub recorded: String,
    /// "Review by 1 March 2027", "Review was due 1 November 2026: …", or no date set.
    pub review: String,
    pub overdue: bool,
}

impl RestrictionView {
    pub fn new(r: &cradle_domain::network::ContactRestriction, today: time::Date) -> Self {
        let overdue = r.review_overdue(today);
        Self {
            id: r.id.to_string(),
            label: r.kind.label(),
            decided_by: r.decided_by.clone(),
            reason: r.reason.clone(),
            recorded: cradle_domain::dates::long_date_time(r.recorded_at_millis),
            review: match r.review_on {
                Some(review) if overdue => format!(
                    "Review was due {}. It stays in force until it is renewed or lifted.",
                    long_date(review)
                ),
                Some(review) => format!("Review by {}", long_date(review)),
                None => "No review date set: renew it to set one".to_string(),
            },
            overdue,
        }
    }
}

pub struct RelationshipView {
    pub id: String,
    pub heading: String,
    pub detail: String,
    pub current: bool,
    pub amended: bool,
}

pub struct PersonView {
    pub id: String,
    pub name: String,
    pub relationships: Vec<RelationshipView>,
    pub language: String,
    pub culture: String,
    pub contact: String,
    pub restriction: Option<RestrictionView>,
    /// Decisions about them lifted or replaced by a renewal, oldest first.
    pub earlier_decisions: Vec<String>,
    pub amended: bool,
    pub may_print: bool,
    /// Their age as recorded, and whether Cradle treats them as a child.
    pub age: String,
    /// Where they are on the partner pathway.
    pub pathway: String,
}

pub struct TimelineView {
    pub when: String,
    pub kind: &'static str,
    pub who: String,
    pub about: String,
    pub confidence: Option<String>,
    pub staff_only: bool,
    pub text: String,
}

/// The choices for who a timeline entry is about: the family, the mother, each person.
pub(crate) fn about_choices(record: &FamilyRecord, typed: &str) -> Vec<Choice> {
    let mut choices = vec![
        Choice {
            code: String::new(),
            label: "The whole family".into(),
            selected: typed.is_empty(),
        },
        Choice {
            code: "mother".into(),
            label: format!("{} (mother)", record.family.mother_name),
            selected: typed == "mother",
        },
    ];
    choices.extend(record.people.iter().map(|p| Choice {
        code: p.id.to_string(),
        label: p.name.clone(),
        selected: typed == p.id.to_string(),
    }));
    choices
}

#[derive(Template)]
#[template(path = "family.html")]
pub struct FamilyPage {
    pub chrome: Chrome,
    pub id: String,
    pub baby_heading: String,
    pub babies: Vec<BabyView>,
    pub family_amended: bool,
    pub child_protection: Option<&'static str>,
    pub restricted: Vec<String>,
    /// Do not contact / do not involve decisions past their review date: (person, decision).
    pub overdue_reviews: Vec<(String, RestrictionView)>,
    /// Questionnaire safety alerts waiting for a recorded action.
    pub questionnaire_alerts: Vec<super::questionnaires::AlertView>,
    /// Each person's questionnaire scores over time: chart and table.
    pub score_histories: Vec<crate::charts::ScoreHistory>,
    pub ecomap_svg: String,
    pub ecomap_words: Vec<String>,
    pub people: Vec<PersonView>,
    pub mother: String,
    pub nhs_number: String,
    pub mother_born: String,
    pub mother_postcode: String,
    /// "Bengali; needs an interpreter", or "Not recorded".
    pub mother_language: String,
    /// "Interpreter needed: Bengali", shown beside her name.
    pub mother_interpreter: Option<String>,
    pub stage: &'static str,
    pub referral: String,
    pub team: String,
    pub created: String,
    pub break_glass_reason: Option<String>,
    pub may_change: bool,
    pub may_view_audit: bool,
    pub timeline: Vec<TimelineView>,
    pub timeline_people: Vec<Choice>,
    pub timeline_kinds: Vec<Choice>,
    pub timeline_filtered: bool,
    pub conversations: Vec<super::conversations::ConversationSummary>,
    pub open_concerns: Vec<super::concerns::ConcernView>,
    /// Each abuse disclosure's following steps (staff-only), newest first.
    pub disclosures: Vec<super::disclosures::DisclosureView>,
    pub observations: Vec<super::observations::ObservationSummary>,
    pub moments: Vec<super::observations::MomentSummary>,
    /// Consents to film for video feedback, newest first.
    pub filming_consents: Vec<super::video::ConsentView>,
    /// Video feedback recordings, newest first.
    pub recordings: Vec<super::video::RecordingView>,
    /// Whether a consent to film in force lets a recording be uploaded.
    pub may_upload: bool,
    pub needs: Vec<super::observations::NoteGroup>,
    pub closed_concerns: Vec<super::concerns::ConcernView>,
    pub care: super::care_plans::CareSection,
    pub interventions: Vec<super::interventions::InterventionView>,
    pub memberships: Vec<super::groups::MembershipView>,
    pub errors: Errors,
    pub family_id: String,
    pub entry_about: SelectField,
    pub entry_text: String,
    pub entry_in_confidence: bool,
    pub entry_staff_only: bool,
}

fn family_id(text: &str) -> Result<FamilyId, Failure> {
    FamilyId::parse(text).ok_or(Failure(Problem::NotFound))
}

/// A refusal because the family belongs to another team, with the way to ask for access.
pub(crate) fn other_team(error: AppError, id: FamilyId) -> Failure {
    match error {
        AppError::OtherTeamsRecord {
            break_glass_allowed,
        } => Failure(Problem::OtherTeam {
            family: Some(id.to_string()),
            break_glass_allowed,
        }),
        other => other.into(),
    }
}

fn person_view(record: &FamilyRecord, person: &Person, today: time::Date) -> PersonView {
    let family = &record.family;
    let relationships = record
        .relationships_of(person.id)
        .map(|r| {
            let with = match r.target {
                RelationshipTarget::Mother => format!("{} (mother)", family.mother_name),
                RelationshipTarget::Baby(id) => family
                    .babies
                    .iter()
                    .find(|b| b.id == id)
                    .map(|b| b.label(&family.mother_name))
                    .unwrap_or_default(),
            };
            let mut detail = format!(
                "{}. {}. Sees the baby: {}.",
                if r.lives_with_baby {
                    "Lives with the baby"
                } else {
                    "Does not live with the baby"
                },
                r.care_share.label(),
                r.contact_frequency.label().to_lowercase()
            );
            if matches!(r.target, RelationshipTarget::Baby(_)) {
                detail.push_str(&format!(
                    " Parental responsibility: {}.",
                    super::network::parental_responsibility(r).to_lowercase()
                ));
            }
            if let Some(nature) = r.nature {
                detail.push_str(&format!(
                    " Relationship seems {}.",
                    nature.label().to_lowercase()
                ));
            }
            if let Some(started) = r.started_on {
                detail.push_str(&format!(" Since {}.", long_date(started)));
            }
            if let Some(ended) = r.ended_on {
                detail.push_str(&format!(
                    " Ended {}{}.",
                    long_date(ended),
                    r.end_reason
                        .as_deref()
                        .map(|why| format!(": {why}"))
                        .unwrap_or_default()
                ));
            }
            RelationshipView {
                id: r.id.to_string(),
                current: r.is_current(today),
                amended: r.version > 1,
                heading: format!(
                    "{} to {with}{}",
                    r.kind.label(),
                    if r.is_current(today) { "" } else { " (ended)" }
                ),
                detail,
            }
        })
        .collect();
    let involvement = record.involvement(person.id);
    let restriction = record
        .restrictions
        .iter()
        .filter(|r| r.person_id == person.id && r.in_force())
        .max_by_key(|r| matches!(r.kind, RestrictionKind::DoNotInvolve))
        .map(|r| RestrictionView::new(r, today));
    let earlier_decisions = record
        .restrictions
        .iter()
        .filter(|r| r.person_id == person.id && !r.in_force())
        .map(|r| {
            let by = r.lifted_by.as_deref().unwrap_or("a member of staff");
            let when = r
                .lifted_at_millis
                .map(cradle_domain::dates::long_date_time)
                .unwrap_or_default();
            let ended = match (&r.renewed_as, &r.lifted_reason) {
                (Some(_), _) => format!("Renewed by {by}, {when}."),
                (None, Some(why)) => format!("Lifted by {by}, {when}: {why}"),
                (None, None) => format!("Lifted by {by}, {when}."),
            };
            format!(
                "{}, decided by {}, {}: {} {ended}",
                r.kind.label(),
                r.decided_by,
                cradle_domain::dates::long_date_time(r.recorded_at_millis),
                r.reason
            )
        })
        .collect();
    let language = cradle_domain::network::language_line(
        person.preferred_language.as_deref(),
        person.interpreter_needed,
    );
    let culture = [
        person.ethnicity.map(|e| e.label().to_string()),
        person.religion.clone(),
        person.cultural_notes.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(". ");
    // Safety before involvement: no way to contact a person marked do not contact is offered.
    let contact = if !involvement.may_contact {
        "Not to be contacted by the team".to_string()
    } else {
        let details: Vec<String> = [
            person.phone.clone(),
            person.email.clone(),
            person.postcode.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let consent = person.contact_consent.label();
        if details.is_empty() {
            format!("No contact details. {consent}")
        } else {
            format!("{}. {consent}", details.join(", "))
        }
    };
    PersonView {
        id: person.id.to_string(),
        name: person.name.clone(),
        relationships,
        language,
        culture,
        contact,
        restriction,
        earlier_decisions,
        amended: person.version > 1,
        may_print: involvement.may_contact && !record.is_child(person.id, today),
        age: {
            let band = person.age_band_on(today);
            let said = match (person.date_of_birth, band) {
                (Some(born), _) => format!(
                    "{} (born {})",
                    match cradle_domain::dates::whole_years(born, today) {
                        1 => "1 year old".to_string(),
                        years => format!("{years} years old"),
                    },
                    long_date(born)
                ),
                (None, Some(band)) => band.label().to_string(),
                (None, None) => "Not recorded".to_string(),
            };
            let said = match person.sex {
                Some(sex) => format!("{said}; {}", sex.label().to_lowercase()),
                None => said,
            };
            if record.is_child(person.id, today) {
                format!("{said}. A child: Cradle offers them no adult questionnaires, partner pathway or printed summaries.")
            } else {
                said
            }
        },
        pathway: record.pathway_of(person.id).summary(involvement, today),
    }
}

pub async fn show(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Query(filter): Query<super::timeline::TimelineFilter>,
) -> Result<Response, Failure> {
    let record = state
        .app
        .read_family(&staff.actor, &access, cradle_app::Sections::ALL)
        .await?;
    let today = state.app.today();
    let family = &record.family;
    let team = state.app.team_name(family.team_id).await?;
    let restricted = record
        .people
        .iter()
        .filter_map(|p| {
            let involvement = record.involvement(p.id);
            if !involvement.may_involve {
                Some(format!("{}: do not involve", p.name))
            } else if !involvement.may_contact {
                Some(format!("{}: do not contact", p.name))
            } else {
                None
            }
        })
        .collect();
    let (timeline_people, timeline_kinds) = super::timeline::filter_choices(&record, &filter);
    // The team's questionnaire definitions are read only for a family with responses to chart.
    let instruments = if record.responses.is_empty() {
        cradle_app::questionnaires::TeamInstruments::default()
    } else {
        state.app.team_instruments(family.team_id).await?
    };
    let page = FamilyPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        id: family.id.to_string(),
        baby_heading: family.baby_label(),
        babies: family
            .babies
            .iter()
            .map(|b| BabyView {
                id: b.id.to_string(),
                label: b.label(&family.mother_name),
                date_line: b.date_line(today),
                is_born: b.is_born(),
            })
            .collect(),
        child_protection: (family.child_protection != ChildProtectionStatus::None)
            .then(|| family.child_protection.label()),
        family_amended: family.version > 1,
        restricted,
        overdue_reviews: record
            .overdue_restriction_reviews(today)
            .into_iter()
            .map(|r| {
                (
                    record.member_name(Member::Person(r.person_id)),
                    RestrictionView::new(r, today),
                )
            })
            .collect(),
        questionnaire_alerts: super::questionnaires::open_alerts(&record),
        score_histories: crate::charts::score_histories(&record, &instruments),
        ecomap_svg: crate::ecomap::svg(&record, today),
        ecomap_words: crate::ecomap::text_alternative(&record, today),
        people: record
            .people
            .iter()
            .map(|p| person_view(&record, p, today))
            .collect(),
        mother: family.mother_name.clone(),
        nhs_number: family
            .mother_nhs_number
            .as_deref()
            .and_then(|n| NhsNumber::parse("n", n).ok())
            .map(|n| n.formatted())
            .unwrap_or_else(|| "Not recorded".to_string()),
        mother_born: family
            .mother_date_of_birth
            .map(|born| {
                let years = cradle_domain::dates::whole_years(born, today);
                format!("{} ({years} years old)", long_date(born))
            })
            .unwrap_or_else(|| "Not recorded".to_string()),
        mother_postcode: family
            .mother_postcode
            .clone()
            .unwrap_or_else(|| "Not recorded".to_string()),
        mother_language: cradle_domain::network::language_line(
            family.mother_language.language.as_deref(),
            family.mother_language.interpreter_needed,
        ),
        mother_interpreter: family.mother_language.note(),
        stage: family.stage.label(),
        referral: family
            .referral_date
            .map(long_date)
            .unwrap_or_else(|| "Not recorded".to_string()),
        team,
        created: long_date_time(family.created_at_millis),
        break_glass_reason: access.break_glass_reason().map(str::to_string),
        may_change: staff.actor.may(Permission::ChangeClinicalRecords),
        may_view_audit: staff.actor.may(Permission::ViewRecordAudit),
        conversations: super::conversations::summaries(&record),
        open_concerns: super::concerns::views(&record, true),
        disclosures: super::disclosures::views(&record),
        observations: super::observations::observation_summaries(&record),
        moments: super::observations::moment_summaries(&record),
        filming_consents: super::video::views(&record, today),
        recordings: super::video::recording_views(&record, today),
        may_upload: record.filming_consents.iter().any(|c| c.in_force(today)),
        needs: super::observations::note_groups(&record),
        closed_concerns: super::concerns::views(&record, false),
        care: super::care_plans::care_section(&record, state.app.today()),
        interventions: super::interventions::views(&record),
        memberships: super::groups::membership_views(&record),
        timeline: super::timeline::items(&record, &filter)
            .into_iter()
            .map(|item| TimelineView {
                when: item.when,
                kind: item.kind_label,
                who: item.who,
                about: item.about,
                confidence: item.confidence,
                staff_only: item.staff_only,
                text: item.text,
            })
            .collect(),
        timeline_people,
        timeline_kinds,
        timeline_filtered: !filter.person.is_empty() || !filter.kind.is_empty(),
        errors: Errors::default(),
        family_id: family.id.to_string(),
        entry_about: SelectField {
            id: "about",
            label: "Who is it about?",
            options: about_choices(&record, ""),
        },
        entry_text: String::new(),
        entry_in_confidence: false,
        entry_staff_only: false,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "break_glass.html")]
pub struct BreakGlassPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub id: String,
    pub reason: String,
    pub minutes: i64,
    /// Emergency access needs a code from the person's second factor; without one they are
    /// sent to set it up.
    pub has_second_factor: bool,
    pub demo_code: Option<String>,
    pub typed_code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BreakGlassForm {
    pub reason: String,
    pub code: String,
}

async fn break_glass_page(
    state: &WebState,
    staff: &Staff<BreakGlass>,
    id: FamilyId,
    typed: &BreakGlassForm,
    errors: Errors,
) -> Result<Response, Failure> {
    let status = form_status(&errors);
    let has_second_factor = match staff.actor.id {
        Some(me) => state.app.has_second_factor(me).await?,
        None => false,
    };
    let demo_code = match staff.actor.id {
        Some(me) if state.demo && has_second_factor => state.app.demonstration_code(me).await?,
        _ => None,
    };
    Ok(render(
        status,
        &BreakGlassPage {
            chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
            errors,
            id: id.to_string(),
            reason: typed.reason.clone(),
            minutes: state.app.settings.break_glass_millis / 60_000,
            has_second_factor,
            demo_code,
            typed_code: typed.code.clone(),
        },
    ))
}

pub async fn break_glass_form(
    State(state): State<WebState>,
    staff: Staff<BreakGlass>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    break_glass_page(
        &state,
        &staff,
        id,
        &BreakGlassForm::default(),
        Errors::default(),
    )
    .await
}

pub async fn break_glass(
    State(state): State<WebState>,
    staff: Staff<BreakGlass>,
    Path(id): Path<String>,
    Form(form): Form<BreakGlassForm>,
) -> Result<Response, Failure> {
    let id = family_id(&id)?;
    match state
        .app
        .break_glass(&staff.actor, id, &form.reason, &form.code)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/families/{id}"))),
        Err(AppError::Invalid(problems)) => {
            break_glass_page(&state, &staff, id, &form, Errors::from_problems(&problems)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/families", get(list).post(create))
        .route("/families/new", get(new_form))
        .route("/families/{id}", get(show))
        .route(
            "/families/{id}/break-glass",
            get(break_glass_form).post(break_glass),
        )
}
