//! Family network pages: people around the baby, their relationships, births, safety
//! decisions and earlier versions of amended details.

use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, ReadRecords, Staff};
use crate::error::{Failure, Problem};
use crate::form::{Amending, Form};
use crate::views::{
    form_status, render, Choice, Chrome, DateField, Errors, RadioGroup, SelectField, TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cradle_app::Sections;
use cradle_app::{AppError, FamilyAccess};
use cradle_domain::dates::{long_date, long_date_time};
use cradle_domain::entries::{EntryInput, Member};
use cradle_domain::family_facing::FamilyFacing;
use cradle_domain::network::{
    BirthInput, CareShare, ChildProtectionStatus, ContactConsent, ContactFrequency, FamilyRecord,
    ParentalResponsibility, PersonInput, Relationship, RelationshipInput, RelationshipKind,
    RelationshipNature, RelationshipTarget, RestrictionInput, RestrictionKind,
};
use cradle_domain::person::EthnicCategory;
use cradle_domain::{BabyId, PersonId, RelationshipId, RestrictionId};
use cradle_store::RecordKind;
use serde::Deserialize;

pub(crate) fn parse_id<T>(parsed: Option<T>) -> Result<T, Failure> {
    parsed.ok_or(Failure(Problem::NotFound))
}

/// What a form shows of the record (its core and `sections`), read and audited as a view of
/// the family.
pub(crate) async fn record(
    state: &WebState,
    staff: &cradle_app::Actor,
    access: &FamilyAccess,
    sections: Sections,
) -> Result<std::sync::Arc<FamilyRecord>, Failure> {
    Ok(state.app.read_family(staff, access, sections).await?)
}

/// After a change: back to the family page; if what was sent has problems, the form again
/// with them (and everything typed); any other failure as the usual error page.
pub(crate) async fn saved_or_form<T>(
    state: &WebState,
    actor: &cradle_app::Actor,
    access: &FamilyAccess,
    result: Result<T, AppError>,
    sections: Sections,
    form: impl FnOnce(&FamilyRecord, Errors) -> Result<Response, Failure>,
) -> Result<Response, Failure> {
    match result {
        Ok(_) => Ok(see_other(&format!("/families/{}", access.family_id()))),
        Err(AppError::Invalid(problems)) => {
            let family = record(state, actor, access, sections).await?;
            form(&family, Errors::from_problems(&problems))
        }
        Err(other) => Err(other.into()),
    }
}

// ----- People -----

#[derive(Template)]
#[template(path = "person_form.html")]
pub struct PersonFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub heading: &'static str,
    pub baby: String,
    pub family_id: String,
    pub action: String,
    pub editing: bool,
    pub version: i64,
    /// Shown once Cradle has found someone of the same name known to the team.
    pub ask_different_person: bool,
    pub different_person: bool,
    pub name: TextField,
    pub phone: TextField,
    pub email: TextField,
    pub postcode: TextField,
    pub preferred_language: TextField,
    pub interpreter_needed: RadioGroup,
    pub born: DateField,
    pub age_band: RadioGroup,
    pub sex: RadioGroup,
    pub ethnicity: SelectField,
    pub religion: TextField,
    pub cultural_notes: String,
    pub contact_consent: RadioGroup,
    pub reason: TextField,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonForm {
    #[serde(flatten)]
    pub person: PersonInput,
    pub version: Option<i64>,
    pub reason: String,
}

struct PersonFormContext<'a> {
    family: &'a FamilyRecord,
    editing: Option<(PersonId, i64)>,
}

fn person_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    context: PersonFormContext<'_>,
    form: &PersonForm,
    errors: Errors,
) -> Response {
    let input = &form.person;
    let family_id = context.family.family.id;
    let (heading, action, version) = match context.editing {
        Some((person, version)) => (
            "Change a person's details",
            format!("/families/{family_id}/people/{person}"),
            version,
        ),
        None => ("Add a person", format!("/families/{family_id}/people"), 0),
    };
    let mut ethnicity = vec![Choice {
        code: String::new(),
        label: "Not recorded yet".to_string(),
        selected: input.ethnicity.is_empty(),
    }];
    ethnicity.extend(Choice::list(
        EthnicCategory::ALL.as_slice(),
        EthnicCategory::code,
        EthnicCategory::label,
        &input.ethnicity,
    ));
    let page = PersonFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        heading,
        baby: context.family.family.baby_label(),
        family_id: family_id.to_string(),
        action,
        editing: context.editing.is_some(),
        version,
        ask_different_person: errors.has("different_person") || input.different_person == "yes",
        different_person: input.different_person == "yes",
        name: TextField::new("name", "Full name", &input.name),
        phone: TextField::new("phone", "Phone number (optional)", &input.phone)
            .width("nhsuk-input--width-20")
            .kind("tel"),
        email: TextField::new("email", "Email address (optional)", &input.email).kind("email"),
        postcode: TextField::new("postcode", "Postcode (optional)", &input.postcode)
            .width("nhsuk-input--width-10"),
        preferred_language: TextField::new(
            "preferred_language",
            "Preferred language (optional)",
            &input.preferred_language,
        )
        .hint("For example, English, Polish, British Sign Language")
        .width("nhsuk-input--width-20"),
        interpreter_needed: RadioGroup {
            id: "interpreter_needed",
            legend: "Do they need an interpreter?",
            options: Choice::yes_no(if input.interpreter_needed.is_empty() {
                "no"
            } else {
                &input.interpreter_needed
            }),
            inline: true,
        },
        born: DateField::new(
            "born",
            "Date of birth (optional)",
            ["born_day", "born_month", "born_year"],
            [&input.born_day, &input.born_month, &input.born_year],
        ),
        age_band: RadioGroup {
            id: "age_band",
            legend: "If you do not know their date of birth, how old are they?",
            options: std::iter::once(Choice {
                code: String::new(),
                label: "Not known".to_string(),
                selected: input.age_band.is_empty(),
            })
            .chain(Choice::list(
                cradle_domain::network::AgeBand::ALL,
                cradle_domain::network::AgeBand::code,
                cradle_domain::network::AgeBand::label,
                &input.age_band,
            ))
            .collect(),
            inline: true,
        },
        sex: RadioGroup {
            id: "sex",
            legend: "Sex, as recorded (optional: used to read questionnaires whose cut-offs differ for men and women)",
            options: std::iter::once(Choice {
                code: String::new(),
                label: "Not recorded".to_string(),
                selected: input.sex.is_empty(),
            })
            .chain(Choice::list(
                cradle_domain::network::Sex::ALL,
                cradle_domain::network::Sex::code,
                cradle_domain::network::Sex::label,
                &input.sex,
            ))
            .collect(),
            inline: true,
        },
        ethnicity: SelectField {
            id: "ethnicity",
            label: "Ethnic group, as they describe it (optional)",
            options: ethnicity,
        },
        religion: TextField::new("religion", "Religion or belief (optional)", &input.religion)
            .width("nhsuk-input--width-20"),
        cultural_notes: input.cultural_notes.clone(),
        contact_consent: RadioGroup {
            id: "contact_consent",
            legend: "Do they agree to be contacted by the team?",
            options: Choice::list(
                ContactConsent::ALL,
                ContactConsent::code,
                ContactConsent::label,
                if input.contact_consent.is_empty() {
                    "not_asked"
                } else {
                    &input.contact_consent
                },
            ),
            inline: false,
        },
        reason: TextField::new("reason", "Reason for the change", &form.reason)
            .hint("For example, “New phone number given by her” or “Name was misspelt”"),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_person_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    Ok(person_page(
        &state,
        &staff,
        PersonFormContext {
            family: &family,
            editing: None,
        },
        &PersonForm::default(),
        Errors::default(),
    ))
}

pub async fn add_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(form): Form<PersonForm>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .add_person(&staff.actor, &access, &form.person)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            Ok(person_page(
                &state,
                &staff,
                PersonFormContext {
                    family,
                    editing: None,
                },
                &form,
                errors,
            ))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "known_people.html")]
pub struct KnownPeoplePage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub search: String,
    pub searched: bool,
    pub people: Vec<KnownPersonView>,
}

pub struct KnownPersonView {
    pub id: String,
    pub name: String,
    pub families: Vec<String>,
    /// "Do not contact: in the family of Amara Okafor (court order)".
    pub marks: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KnownQuery {
    pub q: String,
}

/// "Already known to your team?": finds someone recorded in another of the team's families.
pub async fn known_people(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Query(query): Query<KnownQuery>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let searched = !query.q.trim().is_empty();
    let (people, errors) = if searched {
        match state
            .app
            .known_people(&staff.actor, &access, &query.q)
            .await
        {
            Ok(found) => (found, Errors::default()),
            Err(AppError::Invalid(problems)) => (Vec::new(), Errors::from_problems(&problems)),
            Err(other) => return Err(other.into()),
        }
    } else {
        (Vec::new(), Errors::default())
    };
    let page = KnownPeoplePage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: id.to_string(),
        search: query.q.trim().to_string(),
        searched,
        people: people
            .iter()
            .map(|known| KnownPersonView {
                id: known.person.id.to_string(),
                name: known.person.name.clone(),
                families: known
                    .families
                    .iter()
                    .map(|f| format!("the family of {}", f.mother_name))
                    .collect(),
                marks: known
                    .families
                    .iter()
                    .flat_map(|f| {
                        f.restrictions
                            .iter()
                            .filter(|r| r.in_force())
                            .map(move |r| {
                                format!(
                                    "{}: in the family of {} ({})",
                                    r.kind.label(),
                                    f.mother_name,
                                    r.reason
                                )
                            })
                    })
                    .collect(),
            })
            .collect(),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    pub person_id: String,
}

pub async fn link_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(form): Form<LinkForm>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    let person = parse_id(PersonId::parse(&form.person_id))?;
    let result = state.app.link_person(&staff.actor, &access, person).await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            let page = KnownPeoplePage {
                chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
                baby: family.family.baby_label(),
                family_id: id.to_string(),
                search: String::new(),
                searched: false,
                people: Vec::new(),
                errors,
            };
            Ok(render(form_status(&page.errors), &page))
        },
    )
    .await
}

pub async fn edit_person_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let person_id = parse_id(PersonId::parse(&person))?;
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let person = parse_id(family.person(person_id).cloned())?;
    let form = PersonForm {
        person: PersonInput::from_person(&person),
        version: Some(person.version),
        reason: String::new(),
    };
    Ok(person_page(
        &state,
        &staff,
        PersonFormContext {
            family: &family,
            editing: Some((person_id, person.version)),
        },
        &form,
        Errors::default(),
    ))
}

pub async fn amend_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Form(form): Form<PersonForm>,
) -> Result<Response, Failure> {
    let person_id = parse_id(PersonId::parse(&person))?;
    let version = form.version.unwrap_or(0);
    let result = state
        .app
        .amend_person(
            &staff.actor,
            &access,
            person_id,
            &form.person,
            version,
            &form.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            Ok(person_page(
                &state,
                &staff,
                PersonFormContext {
                    family,
                    editing: Some((person_id, version)),
                },
                &form,
                errors,
            ))
        },
    )
    .await
}

// ----- Relationships -----

#[derive(Template)]
#[template(path = "relationship_form.html")]
pub struct RelationshipFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub heading: &'static str,
    pub action: String,
    /// Changing a relationship: who it is between (fixed), the version changed and why.
    pub changing: Option<ChangingRelationship>,
    pub person: SelectField,
    pub kind: RadioGroup,
    pub target: RadioGroup,
    pub lives_with_baby: RadioGroup,
    pub care_share: RadioGroup,
    pub parental_responsibility: RadioGroup,
    pub contact_frequency: SelectField,
    pub nature: RadioGroup,
    pub started: DateField,
}

/// A relationship being changed, as its form shows it.
pub struct ChangingRelationship {
    pub between: String,
    pub version: i64,
    pub reason: TextField,
}

fn relationship_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &RelationshipInput,
    changing: Option<(&Relationship, i64, &str)>,
    errors: Errors,
) -> Response {
    let mut people = vec![Choice {
        code: String::new(),
        label: "Select a person".into(),
        selected: input.person_id.is_empty(),
    }];
    people.extend(family.people.iter().map(|p| Choice {
        code: p.id.to_string(),
        label: p.name.clone(),
        selected: p.id.to_string() == input.person_id,
    }));
    let mut targets: Vec<Choice> = family
        .family
        .babies
        .iter()
        .map(|b| Choice {
            code: b.id.to_string(),
            label: b.label(&family.family.mother_name),
            selected: b.id.to_string() == input.target,
        })
        .collect();
    targets.push(Choice {
        code: "mother".into(),
        label: format!("{} (the mother)", family.family.mother_name),
        selected: input.target == "mother",
    });
    let mut frequency = vec![Choice {
        code: String::new(),
        label: "Select how often".into(),
        selected: input.contact_frequency.is_empty(),
    }];
    frequency.extend(Choice::list(
        ContactFrequency::ALL,
        ContactFrequency::code,
        ContactFrequency::label,
        &input.contact_frequency,
    ));
    let mut nature = Choice::list(
        RelationshipNature::ALL,
        RelationshipNature::code,
        RelationshipNature::label,
        &input.nature,
    );
    nature.push(Choice {
        code: String::new(),
        label: "Not judged yet".into(),
        selected: input.nature.is_empty(),
    });
    let page = RelationshipFormPage {
        heading: if changing.is_some() {
            "Change the relationship"
        } else {
            "Record a relationship"
        },
        action: match changing {
            Some((r, ..)) => format!("/families/{}/relationships/{}", family.family.id, r.id),
            None => format!("/families/{}/relationships", family.family.id),
        },
        changing: changing.map(|(r, version, reason)| ChangingRelationship {
            between: relationship_heading(family, r),
            version,
            reason: TextField::new("reason", "Why is it changing?", reason)
                .hint("For example: parental responsibility checked on the birth certificate"),
        }),
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        person: SelectField {
            id: "person_id",
            label: "Person",
            options: people,
        },
        kind: RadioGroup {
            id: "kind",
            legend: "What are they to the baby?",
            options: Choice::list(
                RelationshipKind::ALL,
                RelationshipKind::code,
                RelationshipKind::label,
                &input.kind,
            ),
            inline: false,
        },
        target: RadioGroup {
            id: "target",
            legend: "Who is the relationship with?",
            options: targets,
            inline: false,
        },
        lives_with_baby: RadioGroup {
            id: "lives_with_baby",
            // Before the birth, where they will live is what can be asked.
            legend: if family.family.babies.iter().any(|b| b.is_born()) {
                "Do they live with the baby?"
            } else {
                "Will they live with the baby once the baby is born?"
            },
            options: Choice::yes_no(&input.lives_with_baby),
            inline: true,
        },
        care_share: RadioGroup {
            id: "care_share",
            legend: "How much of the baby's care do they share?",
            options: Choice::list(
                CareShare::ALL,
                CareShare::code,
                CareShare::label,
                &input.care_share,
            ),
            inline: false,
        },
        parental_responsibility: RadioGroup {
            id: "parental_responsibility",
            legend:
                "For a relationship with a baby: do they have parental responsibility for the baby?",
            options: Choice::list(
                ParentalResponsibility::ALL,
                ParentalResponsibility::code,
                |answer| match answer {
                    ParentalResponsibility::Yes => "Yes",
                    ParentalResponsibility::No => "No",
                    ParentalResponsibility::NotKnown => "Not known yet",
                },
                &input.parental_responsibility,
            ),
            inline: true,
        },
        contact_frequency: SelectField {
            id: "contact_frequency",
            label: "How often do they see the baby?",
            options: frequency,
        },
        nature: RadioGroup {
            id: "nature",
            legend: "How does the relationship seem to you? (for the ecomap)",
            options: nature,
            inline: false,
        },
        started: DateField::new(
            "started",
            "When did the relationship start? (optional)",
            ["started_day", "started_month", "started_year"],
            [
                &input.started_day,
                &input.started_month,
                &input.started_year,
            ],
        ),
        errors,
    };
    render(form_status(&page.errors), &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewRelationshipQuery {
    pub person: String,
}

pub async fn new_relationship_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Query(query): Query<NewRelationshipQuery>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let input = RelationshipInput {
        person_id: query.person,
        target: family
            .family
            .babies
            .first()
            .map(|b| b.id.to_string())
            .unwrap_or_else(|| "mother".into()),
        ..RelationshipInput::default()
    };
    Ok(relationship_page(
        &state,
        &staff,
        &family,
        &input,
        None,
        Errors::default(),
    ))
}

/// The relationship's form, filled in as it is recorded now.
pub async fn change_relationship_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, relationship)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let id = parse_id(RelationshipId::parse(&relationship))?;
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let current = parse_id(family.relationships.iter().find(|r| r.id == id))?;
    let input = RelationshipInput::from_relationship(current);
    Ok(relationship_page(
        &state,
        &staff,
        &family,
        &input,
        Some((current, current.version, "")),
        Errors::default(),
    ))
}

pub async fn change_relationship(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, relationship)): Path<(String, String)>,
    Form(Amending {
        entry: input,
        version,
        reason,
    }): Form<Amending<RelationshipInput>>,
) -> Result<Response, Failure> {
    let id = parse_id(RelationshipId::parse(&relationship))?;
    let result = state
        .app
        .amend_relationship(&staff.actor, &access, id, &input, version, &reason)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            let current = parse_id(family.relationships.iter().find(|r| r.id == id))?;
            Ok(relationship_page(
                &state,
                &staff,
                family,
                &input,
                Some((current, version, &reason)),
                errors,
            ))
        },
    )
    .await
}

pub async fn add_relationship(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<RelationshipInput>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .add_relationship(&staff.actor, &access, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            Ok(relationship_page(
                &state, &staff, family, &input, None, errors,
            ))
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndRelationshipForm {
    pub ended_day: String,
    pub ended_month: String,
    pub ended_year: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "end_relationship_form.html")]
pub struct EndRelationshipPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub family_id: String,
    pub relationship_id: String,
    pub summary: String,
    pub ended: DateField,
    pub reason: TextField,
}

fn end_relationship_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    relationship: RelationshipId,
    form: &EndRelationshipForm,
    errors: Errors,
) -> Result<Response, Failure> {
    let current = parse_id(family.relationships.iter().find(|r| r.id == relationship))?;
    let name = family
        .person(current.person_id)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let page = EndRelationshipPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: family.family.id.to_string(),
        relationship_id: relationship.to_string(),
        summary: format!("{name}: {}", current.kind.label()),
        ended: DateField::new(
            "ended",
            "When did it end?",
            ["ended_day", "ended_month", "ended_year"],
            [&form.ended_day, &form.ended_month, &form.ended_year],
        ),
        reason: TextField::new("reason", "What happened?", &form.reason)
            .hint("For example, “Separated; Owen now sees Ruby on Saturdays” or “Bereavement”"),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn end_relationship_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, relationship)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let relationship = parse_id(RelationshipId::parse(&relationship))?;
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    end_relationship_page(
        &state,
        &staff,
        &family,
        relationship,
        &EndRelationshipForm::default(),
        Errors::default(),
    )
}

pub async fn end_relationship(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, relationship)): Path<(String, String)>,
    Form(form): Form<EndRelationshipForm>,
) -> Result<Response, Failure> {
    let relationship = parse_id(RelationshipId::parse(&relationship))?;
    let result = state
        .app
        .end_relationship(
            &staff.actor,
            &access,
            relationship,
            (&form.ended_day, &form.ended_month, &form.ended_year),
            &form.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| end_relationship_page(&state, &staff, family, relationship, &form, errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "child_protection_form.html")]
pub struct ChildProtectionPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub family_id: String,
    pub baby: String,
    pub version: i64,
    pub status: RadioGroup,
    pub reason: TextField,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChildProtectionForm {
    pub status: String,
    pub reason: String,
    pub version: i64,
}

fn child_protection_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    version: i64,
    form: &ChildProtectionForm,
    errors: Errors,
) -> Response {
    let typed = if form.status.is_empty() {
        family.family.child_protection.code()
    } else {
        form.status.as_str()
    };
    let page = ChildProtectionPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: family.family.id.to_string(),
        baby: family.family.baby_label(),
        version,
        status: RadioGroup {
            id: "status",
            legend: "What is the baby's child protection status?",
            options: Choice::list(
                ChildProtectionStatus::ALL,
                ChildProtectionStatus::code,
                ChildProtectionStatus::label,
                typed,
            ),
            inline: false,
        },
        reason: TextField::new("reason", "Reason for the change", &form.reason).hint(
            "For example, “Child in need plan agreed at the strategy meeting on 20 November”",
        ),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn child_protection_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let version = state.app.family_version(&access).await?;
    Ok(child_protection_page(
        &state,
        &staff,
        &family,
        version,
        &ChildProtectionForm::default(),
        Errors::default(),
    ))
}

pub async fn set_child_protection(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(form): Form<ChildProtectionForm>,
) -> Result<Response, Failure> {
    let result = state
        .app
        .set_child_protection(
            &staff.actor,
            &access,
            &form.status,
            form.version,
            &form.reason,
        )
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            Ok(child_protection_page(
                &state,
                &staff,
                family,
                form.version,
                &form,
                errors,
            ))
        },
    )
    .await
}

// ----- Births -----

#[derive(Template)]
#[template(path = "birth_form.html")]
pub struct BirthFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub baby_id: String,
    pub born: DateField,
    pub gestation_legend: &'static str,
    pub gestation_weeks: String,
    pub gestation_days: String,
    pub name: TextField,
    pub nhs_number: TextField,
}

fn birth_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    baby: BabyId,
    input: &BirthInput,
    errors: Errors,
) -> Response {
    let label = family
        .family
        .babies
        .iter()
        .find(|b| b.id == baby)
        .map(|b| b.label(&family.family.mother_name))
        .unwrap_or_default();
    let page = BirthFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: label,
        family_id: family.family.id.to_string(),
        baby_id: baby.to_string(),
        born: DateField::new(
            "born",
            "Date of birth",
            ["born_day", "born_month", "born_year"],
            [&input.born_day, &input.born_month, &input.born_year],
        ),
        gestation_legend: "Gestation at birth",
        gestation_weeks: input.gestation_weeks.clone(),
        gestation_days: input.gestation_days.clone(),
        name: TextField::new("name", "Baby's name (optional)", &input.name)
            .hint("Leave blank if the baby is not named yet"),
        nhs_number: TextField::new(
            "nhs_number",
            "Baby's NHS number (optional)",
            &input.nhs_number,
        )
        .width("nhsuk-input--width-10"),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn birth_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, baby)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let baby = parse_id(BabyId::parse(&baby))?;
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    Ok(birth_page(
        &state,
        &staff,
        &family,
        baby,
        &BirthInput::default(),
        Errors::default(),
    ))
}

pub async fn record_birth(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, baby)): Path<(String, String)>,
    Form(input): Form<BirthInput>,
) -> Result<Response, Failure> {
    let baby = parse_id(BabyId::parse(&baby))?;
    let result = state
        .app
        .record_birth(&staff.actor, &access, baby, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| Ok(birth_page(&state, &staff, family, baby, &input, errors)),
    )
    .await
}

// ----- Do not contact / do not involve -----

#[derive(Template)]
#[template(path = "restriction_form.html")]
pub struct RestrictionFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub family_id: String,
    pub person_id: String,
    pub person_name: String,
    pub kind: RadioGroup,
    pub decided_by: TextField,
    pub reason: String,
    pub until: DateField,
}

fn restriction_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    person: PersonId,
    input: &RestrictionInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let name = parse_id(family.person(person))?.name.clone();
    let page = RestrictionFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: family.family.id.to_string(),
        person_id: person.to_string(),
        person_name: name,
        kind: RadioGroup {
            id: "kind",
            legend: "What has been decided?",
            options: Choice::list(
                RestrictionKind::ALL,
                RestrictionKind::code,
                RestrictionKind::label,
                &input.kind,
            ),
            inline: false,
        },
        decided_by: TextField::new("decided_by", "Who made the decision?", &input.decided_by).hint(
            "For example, “Safeguarding lead with the mother, seen alone” or “Family court order”",
        ),
        reason: input.reason.clone(),
        until: DateField::new(
            "until",
            "When should the decision be reviewed?",
            ["until_day", "until_month", "until_year"],
            [&input.until_day, &input.until_month, &input.until_year],
        ),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn restriction_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let person = parse_id(PersonId::parse(&person))?;
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    restriction_page(
        &state,
        &staff,
        &family,
        person,
        &RestrictionInput::default(),
        Errors::default(),
    )
}

pub async fn restrict(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Form(input): Form<RestrictionInput>,
) -> Result<Response, Failure> {
    let person = parse_id(PersonId::parse(&person))?;
    let result = state
        .app
        .restrict_contact(&staff.actor, &access, person, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| restriction_page(&state, &staff, family, person, &input, errors),
    )
    .await
}

/// Renewing or lifting a decision in force, on its own page.
#[derive(Template)]
#[template(path = "restriction_review_form.html")]
pub struct RestrictionReviewPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub heading: &'static str,
    pub renewing: bool,
    pub family_id: String,
    pub restriction_id: String,
    pub person_name: String,
    pub current: super::families::RestrictionView,
    pub decided_by: TextField,
    pub reason: crate::views::TextArea,
    pub review: DateField,
}

/// The form to renew (`renewing`) or lift a decision; `NotFound` unless it is in force.
fn restriction_review_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    id: RestrictionId,
    renewing: bool,
    input: &RestrictionInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let current = parse_id(
        family
            .restrictions
            .iter()
            .find(|r| r.id == id && r.in_force()),
    )?;
    let page = RestrictionReviewPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        heading: if renewing {
            "Review and renew the decision"
        } else {
            "Lift the decision"
        },
        renewing,
        family_id: family.family.id.to_string(),
        restriction_id: id.to_string(),
        person_name: family.member_name(Member::Person(current.person_id)),
        current: super::families::RestrictionView::new(current, state.app.today()),
        decided_by: TextField::new("decided_by", "Who reviewed the decision?", &input.decided_by)
            .hint("For example, “Safeguarding lead with the mother, seen alone” or “Child protection review conference”"),
        reason: if renewing {
            crate::views::TextArea::new("reason", "Why it still stands", &input.reason)
        } else {
            crate::views::TextArea::new("reason", "Why it is being lifted", &input.reason)
                .hint("For example, who agreed it no longer protects anyone, and when")
        },
        review: DateField::new(
            "until",
            "Next review date",
            ["until_day", "until_month", "until_year"],
            [&input.until_day, &input.until_month, &input.until_year],
        ),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn renew_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
) -> Result<Response, Failure> {
    review_form(state, staff, access, restriction, true).await
}

pub async fn lift_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
) -> Result<Response, Failure> {
    review_form(state, staff, access, restriction, false).await
}

async fn review_form(
    state: WebState,
    staff: Staff<ChangeRecords>,
    access: FamilyAccess,
    restriction: String,
    renewing: bool,
) -> Result<Response, Failure> {
    let restriction = parse_id(RestrictionId::parse(&restriction))?;
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    restriction_review_page(
        &state,
        &staff,
        &family,
        restriction,
        renewing,
        &RestrictionInput::default(),
        Errors::default(),
    )
}

pub async fn renew(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
    Form(input): Form<RestrictionInput>,
) -> Result<Response, Failure> {
    let restriction = parse_id(RestrictionId::parse(&restriction))?;
    let result = state
        .app
        .renew_restriction(&staff.actor, &access, restriction, &input)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            restriction_review_page(&state, &staff, family, restriction, true, &input, errors)
        },
    )
    .await
}

pub async fn lift(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
    Form(input): Form<RestrictionInput>,
) -> Result<Response, Failure> {
    let restriction = parse_id(RestrictionId::parse(&restriction))?;
    let result = state
        .app
        .lift_restriction(&staff.actor, &access, restriction, &input.reason)
        .await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            restriction_review_page(&state, &staff, family, restriction, false, &input, errors)
        },
    )
    .await
}

// ----- History and the ecomap -----

pub struct VersionView {
    pub version: i64,
    pub when: String,
    pub who: String,
    pub reason: String,
    pub fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "record_history.html")]
pub struct RecordHistoryPage {
    pub chrome: Chrome,
    pub family_id: String,
    pub baby: String,
    /// "Grace Okafor's details", "the relationship: Tunde Okafor, father of Baby Okafor".
    pub what: String,
    pub versions: Vec<VersionView>,
}

pub async fn person_history(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    history_page(&state, &staff, &access, RecordKind::Person, &person).await
}

/// Earlier versions of a relationship, a baby or the family's own details.
pub async fn record_history(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, kind, record)): Path<(String, String, String)>,
) -> Result<Response, Failure> {
    let kind = parse_id(RecordKind::from_code(&kind))?;
    history_page(&state, &staff, &access, kind, &record).await
}

async fn history_page(
    state: &WebState,
    staff: &Staff<ReadRecords>,
    access: &FamilyAccess,
    kind: RecordKind,
    record_id: &str,
) -> Result<Response, Failure> {
    let record_id = parse_id(record_id.parse::<uuid::Uuid>().ok())?;
    let family = record(state, &staff.actor, access, kind.section()).await?;
    let versions = state
        .app
        .record_history(&staff.actor, access, kind, record_id)
        .await?;
    let what =
        match kind {
            RecordKind::Person => family
                .person(PersonId(record_id))
                .map(|p| format!("{}'s details", p.name)),
            RecordKind::Relationship => family
                .relationships
                .iter()
                .find(|r| r.id.0 == record_id)
                .map(|r| format!("a relationship: {}", relationship_heading(&family, r))),
            RecordKind::Baby => family
                .family
                .babies
                .iter()
                .find(|b| b.id.0 == record_id)
                .map(|b| format!("{}'s details", b.label(&family.family.mother_name))),
            RecordKind::Family => Some("the family's details".to_string()),
            RecordKind::Observation => family
                .observations
                .iter()
                .find(|o| o.id == record_id)
                .map(|o| format!("an observation of {}", family.member_name(o.caregiver))),
            RecordKind::Moment => family
                .moments
                .iter()
                .find(|m| m.id == record_id)
                .map(|m| format!("a positive moment with {}", family.member_name(m.caregiver))),
            RecordKind::Concern => family
                .concerns
                .iter()
                .find(|c| c.id == record_id)
                .map(|c| format!("a concern about {}", family.member_name(c.about))),
            RecordKind::Note => family
                .notes
                .iter()
                .find(|n| n.id == record_id)
                .map(|n| format!("a note: {}", n.kind.label().to_lowercase())),
            RecordKind::Conversation => family
                .conversations
                .iter()
                .find(|c| c.id == record_id)
                .map(|c| {
                    format!(
                        "a relationship conversation with {}",
                        family.members_named(&c.participants)
                    )
                }),
        };
    let views = versions
        .into_iter()
        .map(|v| VersionView {
            version: v.version,
            when: long_date_time(v.replaced_at_millis),
            who: v.replaced_by,
            reason: v.reason,
            fields: version_fields(kind, &v.snapshot, &family),
        })
        .collect();
    let page = RecordHistoryPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: access.family_id().to_string(),
        baby: family.family.baby_label(),
        what: parse_id(what)?,
        versions: views,
    };
    Ok(render(StatusCode::OK, &page))
}

/// "Tunde Okafor, father of Baby Okafor".
/// Whether someone has parental responsibility for the baby a relationship is with, as a
/// record shows it ("Not asked" for a relationship with the mother).
pub(crate) fn parental_responsibility(r: &Relationship) -> &'static str {
    match (r.target, r.parental_responsibility) {
        (RelationshipTarget::Mother, _) => "Not asked (a relationship with the mother)",
        (_, ParentalResponsibility::Yes) => "Yes",
        (_, ParentalResponsibility::No) => "No",
        (_, ParentalResponsibility::NotKnown) => "Not known yet",
    }
}

fn relationship_heading(family: &FamilyRecord, r: &Relationship) -> String {
    let person = family
        .person(r.person_id)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let of = match r.target {
        RelationshipTarget::Mother => family.family.mother_name.clone(),
        RelationshipTarget::Baby(baby) => family
            .family
            .babies
            .iter()
            .find(|b| b.id == baby)
            .map(|b| b.label(&family.family.mother_name))
            .unwrap_or_default(),
    };
    format!("{person}, {} of {of}", r.kind.label().to_lowercase())
}

/// An earlier version's details as labelled rows, read from the snapshot kept at the time.
fn version_fields(
    kind: RecordKind,
    snapshot: &str,
    family: &FamilyRecord,
) -> Vec<(String, String)> {
    let shown = |value: Option<String>| value.unwrap_or_else(|| "Not recorded".to_string());
    let date = |value: Option<time::Date>| shown(value.map(long_date));
    let yes_no = |value: bool| if value { "Yes" } else { "No" }.to_string();
    let rows: Option<Vec<(&str, String)>> = match kind {
        RecordKind::Person => serde_json::from_str::<cradle_domain::network::Person>(snapshot)
            .ok()
            .map(|p| {
                let input = PersonInput::from_person(&p);
                vec![
                    ("Name", input.name),
                    ("Phone", input.phone),
                    ("Email", input.email),
                    ("Postcode", input.postcode),
                    ("Preferred language", input.preferred_language),
                    ("Interpreter needed", input.interpreter_needed),
                    ("Religion or belief", input.religion),
                    ("Cultural notes", input.cultural_notes),
                    ("Agrees to contact", p.contact_consent.label().to_string()),
                ]
            }),
        RecordKind::Relationship => serde_json::from_str::<Relationship>(snapshot)
            .ok()
            .map(|r| {
                vec![
                    ("Relationship", relationship_heading(family, &r)),
                    ("Lives with the baby", yes_no(r.lives_with_baby)),
                    ("Shares the baby's care", r.care_share.label().to_string()),
                    ("Sees the baby", r.contact_frequency.label().to_string()),
                    (
                        "Parental responsibility for the baby",
                        parental_responsibility(&r).to_string(),
                    ),
                    (
                        "Nature of the relationship",
                        shown(r.nature.map(|n| n.label().to_string())),
                    ),
                    ("Started", date(r.started_on)),
                    ("Ended", date(r.ended_on)),
                    ("Why it ended", shown(r.end_reason)),
                ]
            }),
        RecordKind::Baby => serde_json::from_str::<cradle_domain::Baby>(snapshot)
            .ok()
            .map(|b| {
                vec![
                    ("Name", shown(b.name)),
                    ("Date of birth", date(b.date_of_birth)),
                    ("Due date", date(b.due_date)),
                    (
                        "Gestation at birth",
                        shown(b.gestation_at_birth.map(|g| g.to_string())),
                    ),
                    ("NHS number", shown(b.nhs_number)),
                ]
            }),
        RecordKind::Observation => {
            serde_json::from_str::<cradle_domain::observations::Observation>(snapshot)
                .ok()
                .map(|o| {
                    let mut rows = vec![
                        ("Date", date(o.observed_on)),
                        ("Caregiver", family.member_name(o.caregiver)),
                        ("Setting", o.setting.label().to_string()),
                    ];
                    for d in &cradle_domain::observations::DESCRIPTORS {
                        if let Some((_, text)) = o.descriptors.iter().find(|(c, _)| c == d.code) {
                            rows.push((d.heading, text.clone()));
                        }
                    }
                    if let Some(tool) = o.tool {
                        rows.push((
                            "Tool",
                            format!("{} {}: {}", tool.tool, tool.version, tool.result),
                        ));
                    }
                    rows
                })
        }
        RecordKind::Moment => {
            serde_json::from_str::<cradle_domain::observations::PositiveMoment>(snapshot)
                .ok()
                .map(|m| {
                    vec![
                        ("Date", date(m.noticed_on)),
                        ("What happened", m.what_happened),
                        (
                            "The baby",
                            m.baby_responses
                                .iter()
                                .map(|r| r.label())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        ("Fed back", m.fed_back),
                    ]
                })
        }
        RecordKind::Concern => serde_json::from_str::<cradle_domain::concerns::Concern>(snapshot)
            .ok()
            .map(|c| {
                vec![
                    ("About", family.member_name(c.about)),
                    (
                        "What about",
                        c.kinds
                            .iter()
                            .map(|k| k.label())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    ("What worried the clinician", c.description),
                ]
            }),
        RecordKind::Note => serde_json::from_str::<cradle_domain::needs::CaregiverNote>(snapshot)
            .ok()
            .map(|n| {
                vec![
                    ("Date", date(n.noted_on)),
                    ("What it records", n.kind.label().to_string()),
                    ("Note", n.text),
                ]
            }),
        RecordKind::Conversation => {
            serde_json::from_str::<cradle_domain::conversations::Conversation>(snapshot)
                .ok()
                .map(|c| {
                    let mut rows = vec![
                        ("Date", date(c.held_on)),
                        ("Who took part", family.members_named(&c.participants)),
                        ("Status", c.status.label().to_string()),
                    ];
                    for prompt in &cradle_domain::conversations::PROMPTS {
                        if let Some(text) = c.answer(prompt.code) {
                            rows.push((prompt.heading, text.to_string()));
                        }
                    }
                    rows.push(("Formulation", shown(c.formulation)));
                    rows
                })
        }
        RecordKind::Family => serde_json::from_str::<serde_json::Value>(snapshot)
            .ok()
            .map(|v| {
                let status = v["child_protection"]
                    .as_str()
                    .and_then(ChildProtectionStatus::from_code)
                    .map(|s| s.label().to_string());
                let mut rows = Vec::new();
                // Versions kept when the mother's details changed hold them too.
                if let Ok(mother) =
                    serde_json::from_value::<cradle_domain::family::MotherDetails>(v.clone())
                {
                    rows.extend([
                        ("Mother's name", mother.mother_name),
                        ("NHS number", shown(mother.mother_nhs_number)),
                        ("Date of birth", date(mother.mother_date_of_birth)),
                        ("Postcode", shown(mother.mother_postcode)),
                        ("Referral date", date(mother.referral_date)),
                    ]);
                }
                rows.push(("Child protection", shown(status)));
                rows
            }),
    };
    rows.unwrap_or_default()
        .into_iter()
        .map(|(label, value)| (label.to_string(), value))
        .collect()
}

/// The ecomap on its own, as an SVG document (to print or save).
pub async fn ecomap(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let mut response = crate::ecomap::svg(&family, state.app.today()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    Ok(response)
}

// ----- The timeline and printouts -----

#[derive(Template)]
#[template(path = "entry_form.html")]
pub struct EntryFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub entry_about: SelectField,
    pub entry_text: String,
    pub entry_in_confidence: bool,
    pub entry_staff_only: bool,
}

pub async fn add_entry(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<EntryInput>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    let result = state.app.add_entry(&staff.actor, &access, &input).await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| {
            let page = EntryFormPage {
                chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
                errors,
                baby: family.family.baby_label(),
                family_id: id.to_string(),
                entry_about: SelectField {
                    id: "about",
                    label: "Who is it about?",
                    options: super::families::about_choices(family, &input.about),
                },
                entry_text: input.text.clone(),
                entry_in_confidence: input.in_confidence == "yes",
                entry_staff_only: input.staff_only == "yes",
            };
            Ok(render(form_status(&page.errors), &page))
        },
    )
    .await
}

pub struct PrintedEntry {
    pub when: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "printout.html")]
pub struct PrintoutPage {
    pub chrome: Chrome,
    pub family_id: String,
    pub recipient: String,
    /// More than one person, seen together.
    pub together: bool,
    pub baby: String,
    pub baby_dates: String,
    pub relationships: Vec<String>,
    pub goals: Vec<PrintedGoal>,
    pub entries: Vec<PrintedEntry>,
    pub team: String,
}

/// A goal in a printout: the family's words, whose it is and how the ratings have gone.
pub struct PrintedGoal {
    pub words: String,
    pub whose: String,
    pub agreed: String,
    pub ratings: String,
}

/// A summary for one family member to take away: only what they may be given.
pub async fn printout(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, member)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let member = parse_id(Member::parse(&member))?;
    let view = state
        .app
        .family_facing(&staff.actor, &access, &[member], "printout")
        .await?;
    printout_page(&state, &staff, &view).await
}

/// The printout page, drawn from the family-facing view alone.
async fn printout_page(
    state: &WebState,
    staff: &Staff<ReadRecords>,
    view: &FamilyFacing,
) -> Result<Response, Failure> {
    let today = state.app.today();
    let together = view.together();
    let relationships = view
        .relationships
        .iter()
        .map(|(name, r)| {
            let line = format!(
                "{}. {}. {}.",
                r.kind.label(),
                if r.lives_with_baby {
                    "Lives with the baby"
                } else {
                    "Does not live with the baby"
                },
                r.care_share.label()
            );
            if together {
                format!("{name}: {line}")
            } else {
                line
            }
        })
        .collect();
    let goals = view
        .goals
        .iter()
        .map(|shared| PrintedGoal {
            words: shared.goal.words.clone(),
            whose: shared.whose.clone(),
            agreed: long_date(shared.goal.agreed_on),
            ratings: shared
                .ratings
                .iter()
                .enumerate()
                .map(|(i, rating)| {
                    format!(
                        "{} out of 10 {} {}",
                        rating.score,
                        if i == 0 { "when agreed," } else { "on" },
                        long_date(rating.rated_on)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    let team = state.app.team_name(view.team_id).await?;
    let page = PrintoutPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: view.family_id.to_string(),
        recipient: view.recipient_name.clone(),
        together,
        baby: view.baby_label(),
        baby_dates: view
            .babies
            .iter()
            .map(|b| b.date_line(today))
            .collect::<Vec<_>>()
            .join("; "),
        relationships,
        goals,
        entries: view
            .entries
            .iter()
            .map(|e| PrintedEntry {
                when: long_date_time(e.written_at_millis),
                text: e.text.clone(),
            })
            .collect(),
        team,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "together_form.html")]
pub struct TogetherFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub family_id: String,
    pub baby: String,
    pub present: crate::views::CheckboxGroup,
}

/// Who is in the room: the start of a summary for a session with several family members
/// together. Only people Cradle may give information to are offered, and nobody else is
/// named: the family may be looking at the screen, so a do not contact or do not involve
/// decision is not shown here.
pub async fn together_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    Ok(together_page(
        &state,
        &staff,
        &family,
        &[],
        Errors::default(),
    ))
}

fn together_page(
    state: &WebState,
    staff: &Staff<ReadRecords>,
    family: &FamilyRecord,
    ticked: &[String],
    errors: Errors,
) -> Response {
    let page = TogetherFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        errors,
        family_id: family.family.id.to_string(),
        baby: family.family.baby_label(),
        present: crate::views::CheckboxGroup {
            id: "present",
            legend: "Who is in the session?",
            hint: "Select everyone who will see or be given the summary. Only people the team may give information to are listed.",
            options: std::iter::once(Member::Mother)
                .chain(
                    family
                        .people
                        .iter()
                        .filter(|p| family.involvement(p.id).may_contact)
                        .map(|p| Member::Person(p.id)),
                )
                .map(|member| Choice {
                    code: member.code(),
                    label: match member {
                        Member::Person(id) => family
                            .person(id)
                            .map(|p| p.name_with_interpreter())
                            .unwrap_or_default(),
                        Member::Mother => match family.family.mother_language.note() {
                            Some(note) => format!(
                                "{} ({})",
                                family.member_name(member),
                                cradle_domain::text::lower_first(&note)
                            ),
                            None => family.member_name(member),
                        },
                    },
                    selected: ticked.contains(&member.code()),
                })
                .collect(),
        },
    };
    render(form_status(&page.errors), &page)
}

/// Who is ticked as present on [`together_form`] ("mother" or people's ids).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Together {
    present: Vec<String>,
}

/// The summary for everyone ticked on [`together_form`]: only what each of them may be
/// given. With nobody ticked, the form again with the problem.
pub async fn together_summary(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Form(Together { present: ticked }): Form<Together>,
) -> Result<Response, Failure> {
    let present: Vec<Member> = ticked
        .iter()
        .map(|code| parse_id(Member::parse(code)))
        .collect::<Result<_, _>>()?;
    match state
        .app
        .family_facing(
            &staff.actor,
            &access,
            &present,
            "summary for a session together",
        )
        .await
    {
        Ok(view) => printout_page(&state, &staff, &view).await,
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
            Ok(together_page(
                &state,
                &staff,
                &family,
                &ticked,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

// ----- The mother's own details -----

#[derive(Template)]
#[template(path = "mother_form.html")]
pub struct MotherFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub version: i64,
    pub name: TextField,
    pub nhs_number: TextField,
    pub born: DateField,
    pub postcode: TextField,
    pub referral: DateField,
    /// Her preferred language and whether she needs an interpreter.
    pub language: (TextField, RadioGroup),
    pub reason: TextField,
}

fn mother_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &cradle_domain::family::MotherInput,
    errors: Errors,
) -> Response {
    let page = MotherFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        version: input.version,
        name: TextField::new("mother_name", "Mother's full name", &input.mother_name),
        nhs_number: TextField::new(
            "mother_nhs_number",
            "NHS number (optional)",
            &input.mother_nhs_number,
        )
        .width("nhsuk-input--width-10")
        .hint("10 digits, for example 999 123 4560"),
        born: DateField::new(
            "mother_dob",
            "Date of birth (optional)",
            ["mother_dob_day", "mother_dob_month", "mother_dob_year"],
            [
                &input.mother_dob_day,
                &input.mother_dob_month,
                &input.mother_dob_year,
            ],
        ),
        postcode: TextField::new(
            "mother_postcode",
            "Postcode (optional)",
            &input.mother_postcode,
        )
        .width("nhsuk-input--width-10"),
        referral: DateField::new(
            "referral_date",
            "Referral date",
            ["referral_day", "referral_month", "referral_year"],
            [
                &input.referral_day,
                &input.referral_month,
                &input.referral_year,
            ],
        ),
        language: crate::views::mother_language_fields(
            &input.mother_language,
            &input.mother_interpreter_needed,
        ),
        reason: TextField::new("reason", "Reason for the change", &input.reason),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn mother_details_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CORE).await?;
    let input = cradle_domain::family::MotherInput::from_family(&family.family);
    Ok(mother_form(
        &state,
        &staff,
        &family,
        &input,
        Errors::default(),
    ))
}

pub async fn save_mother_details(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<cradle_domain::family::MotherInput>,
) -> Result<Response, Failure> {
    let result = state.app.amend_mother(&staff.actor, &access, &input).await;
    saved_or_form(
        &state,
        &staff.actor,
        &access,
        result,
        Sections::CORE,
        |family, errors| Ok(mother_form(&state, &staff, family, &input, errors)),
    )
    .await
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/ecomap.svg", get(ecomap))
        .route("/families/{id}/people", post(add_person))
        .route(
            "/families/{id}/details",
            get(mother_details_form).post(save_mother_details),
        )
        .route("/families/{id}/people/known", get(known_people))
        .route("/families/{id}/people/link", post(link_person))
        .route("/families/{id}/people/new", get(new_person_form))
        .route("/families/{id}/people/{person}", post(amend_person))
        .route("/families/{id}/people/{person}/edit", get(edit_person_form))
        .route(
            "/families/{id}/people/{person}/history",
            get(person_history),
        )
        .route(
            "/families/{id}/history/{kind}/{record}",
            get(record_history),
        )
        .route("/families/{id}/entries", post(add_entry))
        .route(
            "/families/{id}/relationships/{relationship}/end",
            get(end_relationship_form).post(end_relationship),
        )
        .route(
            "/families/{id}/child-protection",
            get(child_protection_form).post(set_child_protection),
        )
        .route("/families/{id}/printout/{member}", get(printout))
        .route("/families/{id}/together", get(together_form))
        .route("/families/{id}/together/summary", get(together_summary))
        .route(
            "/families/{id}/people/{person}/restrict",
            get(restriction_form).post(restrict),
        )
        .route(
            "/families/{id}/restrictions/{restriction}/renew",
            get(renew_form).post(renew),
        )
        .route(
            "/families/{id}/restrictions/{restriction}/lift",
            get(lift_form).post(lift),
        )
        .route("/families/{id}/relationships", post(add_relationship))
        .route(
            "/families/{id}/relationships/{relationship}",
            post(change_relationship),
        )
        .route(
            "/families/{id}/relationships/{relationship}/edit",
            get(change_relationship_form),
        )
        .route(
            "/families/{id}/relationships/new",
            get(new_relationship_form),
        )
        .route(
            "/families/{id}/babies/{baby}/birth",
            get(birth_form).post(record_birth),
        )
}
