//! The people around the baby in the API: adding and amending a person, finding someone
//! the team already knows, relationships, do not contact / do not involve decisions, the
//! birth of a baby, the mother's own details, and the history of each.

use super::input::path_ids;
use super::input::{checked, code, date_boxes, yes_no, yes_or_blank, ApiBody, FamilyPath};
use crate::auth::{ChangeRecords, FamilyScoped, ReadRecords, Staff};
use crate::error::{Failure, Problem};
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::family::{MotherDetails, MotherInput};
use cradle_domain::network::{
    AgeBand, BirthInput, CareShare, ContactConsent, ContactFrequency, ContactRestriction,
    KnownPerson, ParentalResponsibility, Person, PersonInput, Relationship, RelationshipInput,
    RelationshipKind, RelationshipNature, RestrictionInput, RestrictionKind, Sex,
};
use cradle_domain::person::EthnicCategory;
use cradle_domain::{Baby, BabyId, PersonId, Problems, RelationshipId, RestrictionId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(add_person))
        .routes(routes!(known_people))
        .routes(routes!(link_person))
        .routes(routes!(amend_person))
        .routes(routes!(person_history))
        .routes(routes!(record_history))
        .routes(routes!(restrict_person))
        .routes(routes!(renew_restriction))
        .routes(routes!(lift_restriction))
        .routes(routes!(add_relationship))
        .routes(routes!(change_relationship))
        .routes(routes!(record_birth))
        .routes(routes!(amend_mother))
}

const TAG: &str = "People around the baby";

path_ids!(
    /// A person in a family.
    PersonPath {
    /// The family's id.
    id,
    /// The person's id.
    person,
});

path_ids!(
    /// A relationship in a family.
    RelationshipPath {
    /// The family's id.
    id,
    /// The relationship's id.
    relationship,
});

path_ids!(
    /// A do not contact or do not involve decision in force.
    RestrictionPath {
    /// The family's id.
    id,
    /// The decision's id.
    restriction,
});

path_ids!(
    /// A baby (or pregnancy) in a family.
    BabyPath {
    /// The family's id.
    id,
    /// The baby's id.
    baby,
});

/// A person's details, as they are recorded.
#[derive(Deserialize, ToSchema)]
struct PersonDetails {
    #[schema(max_length = 200)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    /// A full UK postcode.
    #[serde(default)]
    postcode: String,
    /// The language they prefer.
    #[serde(default)]
    preferred_language: String,
    /// Whether they need an interpreter (then asked about at every contact with them).
    #[serde(default)]
    interpreter_needed: bool,
    #[serde(default)]
    sex: Option<Sex>,
    /// Their ethnic category as the NHS Data Dictionary codes it.
    #[serde(default)]
    ethnicity: Option<EthnicCategory>,
    #[serde(default)]
    religion: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    cultural_notes: String,
    /// Whether they agree to be contacted; not asked when left out.
    #[serde(default)]
    contact_consent: Option<ContactConsent>,
    /// Confirms this is not someone of the same name already known to the team (otherwise
    /// such a namesake is refused with 422).
    #[serde(default)]
    different_person: bool,
    /// Their date of birth, if known (in the past).
    #[serde(default)]
    #[schema(format = Date)]
    date_of_birth: Option<String>,
    /// Their age when no date of birth is known.
    #[serde(default)]
    age_band: Option<AgeBand>,
}

impl ApiBody for PersonDetails {
    type Input = PersonInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("born", "date_of_birth")];

    fn into_input(self) -> Result<PersonInput, Failure> {
        let mut problems = Problems::default();
        let (born_day, born_month, born_year) = date_boxes(
            "date_of_birth",
            self.date_of_birth.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let input = PersonInput {
            name: self.name,
            phone: self.phone,
            email: self.email,
            postcode: self.postcode,
            preferred_language: self.preferred_language,
            interpreter_needed: yes_no(Some(self.interpreter_needed)),
            ethnicity: self
                .ethnicity
                .map(|ethnicity| ethnicity.code().to_string())
                .unwrap_or_default(),
            religion: self.religion,
            cultural_notes: self.cultural_notes,
            contact_consent: code(self.contact_consent, ContactConsent::code),
            different_person: yes_or_blank(self.different_person),
            born_day,
            born_month,
            born_year,
            age_band: code(self.age_band, AgeBand::code),
            sex: code(self.sex, Sex::code),
        };
        checked(input, problems)
    }
}

/// Add a person who matters to the baby
///
/// A person in their own right (partner, grandparent, friend…). Someone with the name of a
/// person already known to the team is refused as a likely duplicate unless
/// `different_person` says otherwise.
#[utoipa::path(post, path = "/families/{id}/people", tag = TAG, params(FamilyPath),
    request_body = PersonDetails,
    responses(
        (status = 201, description = "The person", body = Person),
        (status = 404, description = "No such family"),
        (status = 422, description = "The person's details have problems; nothing was saved"),
    ))]
async fn add_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<PersonDetails>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let person = state
        .app
        .add_person(&staff.actor, &access, &input)
        .await
        .map_err(PersonDetails::fields)?;
    Ok((StatusCode::CREATED, Json(person)).into_response())
}

/// A search for someone already known.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct KnownQuery {
    /// The start of their name, at least 2 letters.
    #[param(min_length = 2, max_length = 100)]
    q: String,
}

/// People already known to the caller's teams.
#[derive(Serialize, ToSchema)]
struct KnownPeople {
    people: Vec<KnownPerson>,
}

/// Find someone already known to the caller's teams
///
/// People in the caller's teams' families whose name starts with `q` and who are not in
/// this family yet, each with the families they are in and any do-not-contact or
/// do-not-involve decision in force there. Audited with the ids shown.
#[utoipa::path(get, path = "/families/{id}/known-people", tag = TAG,
    params(FamilyPath, KnownQuery),
    responses(
        (status = 200, description = "People found", body = KnownPeople),
        (status = 404, description = "No such family"),
        (status = 422, description = "The search text has problems"),
    ))]
async fn known_people(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Query(query): Query<KnownQuery>,
) -> Result<Response, Failure> {
    let people = state
        .app
        .known_people(&staff.actor, &access, &query.q)
        .await?;
    Ok(Json(KnownPeople { people }).into_response())
}

/// Someone already known to the team, by their id.
#[derive(Deserialize, ToSchema)]
struct KnownPersonLink {
    person_id: PersonId,
}

/// Add someone already known to the team
///
/// Makes a person recorded in another of the caller's teams' families a member of this
/// family too: one person, one record. Someone known only to another team cannot be linked.
#[utoipa::path(post, path = "/families/{id}/people/link", tag = TAG, params(FamilyPath),
    request_body = KnownPersonLink,
    responses(
        (status = 201, description = "The person", body = Person),
        (status = 404, description = "No such family or person"),
        (status = 422, description = "Already in this family, or not in any of the caller's teams' families"),
    ))]
async fn link_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<KnownPersonLink>,
) -> Result<Response, Failure> {
    let person = state
        .app
        .link_person(&staff.actor, &access, body.person_id)
        .await?;
    Ok((StatusCode::CREATED, Json(person)).into_response())
}

/// A person's details as they should read, with the version they replace and why.
#[derive(Deserialize, ToSchema)]
struct PersonAmendment {
    #[serde(flatten)]
    details: PersonDetails,
    /// The person's version being replaced: 409 if someone else changed it first.
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    version: i64,
    /// Why the details change; kept with the earlier version.
    reason: String,
}

/// Amend a person's details
///
/// Replaces the details and keeps the earlier version with who, when and why. `version`
/// must be the version being replaced: 409 if someone else changed it first.
#[utoipa::path(post, path = "/families/{id}/people/{person}", tag = TAG, params(PersonPath),
    request_body = PersonAmendment,
    responses(
        (status = 200, description = "The person's new version", body = Person),
        (status = 404, description = "No such person in this family"),
        (status = 409, description = "Changed by someone else; nothing was saved"),
        (status = 422, description = "The details or the reason have problems"),
    ))]
async fn amend_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<PersonAmendment>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let input = body.details.into_input()?;
    let updated = state
        .app
        .amend_person(
            &staff.actor,
            &access,
            person,
            &input,
            body.version,
            &body.reason,
        )
        .await
        .map_err(PersonDetails::fields)?;
    Ok(Json(updated).into_response())
}

/// One earlier version of a record.
#[derive(Serialize, ToSchema)]
struct EarlierVersion {
    version: i64,
    /// The details as they were.
    #[schema(value_type = Object)]
    details: serde_json::Value,
    /// When they were replaced, in Unix seconds.
    replaced_at: i64,
    /// Who replaced them.
    replaced_by: String,
    /// Why.
    reason: String,
}

/// Earlier versions of a person's details
///
/// Oldest first; the viewing is audited.
#[utoipa::path(get, path = "/families/{id}/people/{person}/history", tag = TAG,
    params(PersonPath),
    responses(
        (status = 200, description = "Earlier versions", body = Vec<EarlierVersion>),
        (status = 404, description = "No such family"),
    ))]
async fn person_history(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, person)): Path<(String, String)>,
) -> Result<Response, Failure> {
    history(
        &state,
        &staff,
        &access,
        cradle_store::RecordKind::Person,
        &person,
    )
    .await
}

/// One of a family's records whose history is kept.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[expect(
    dead_code,
    reason = "describes the path for the API document; handlers read it themselves"
)]
struct RecordPath {
    /// The family's id.
    id: Uuid,
    /// `person`, `relationship`, `baby`, `family` (the family's own details),
    /// `conversation`, `observation`, `note`, `moment` or `concern`.
    #[param(
        pattern = "^(person|relationship|baby|family|conversation|observation|note|moment|concern)$"
    )]
    kind: String,
    /// The record's id (the family's id for `family`).
    record: Uuid,
}

/// Earlier versions of one of a family's records
///
/// A person, relationship, baby or the family's own details (such as child protection
/// status). Oldest first, each with the details as they were, who replaced them, when and
/// why; the viewing is audited.
#[utoipa::path(get, path = "/families/{id}/history/{kind}/{record}", tag = TAG,
    params(RecordPath),
    responses(
        (status = 200, description = "Earlier versions", body = Vec<EarlierVersion>),
        (status = 404, description = "No such family, kind, or record in this family"),
    ))]
async fn record_history(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, kind, record)): Path<(String, String, String)>,
) -> Result<Response, Failure> {
    let kind = cradle_store::RecordKind::from_code(&kind).ok_or(Failure(Problem::NotFound))?;
    history(&state, &staff, &access, kind, &record).await
}

/// Earlier versions of one of a family's records, oldest first.
async fn history(
    state: &WebState,
    staff: &Staff<ReadRecords>,
    access: &cradle_app::FamilyAccess,
    kind: cradle_store::RecordKind,
    record: &str,
) -> Result<Response, Failure> {
    let record = super::record_id(record)?;
    let versions = state
        .app
        .record_history(&staff.actor, access, kind, record)
        .await?;
    let rows: Vec<EarlierVersion> = versions
        .into_iter()
        .map(|v| EarlierVersion {
            version: v.version,
            details: serde_json::from_str(&v.snapshot).unwrap_or(serde_json::Value::Null),
            replaced_at: cradle_domain::dates::from_millis(v.replaced_at_millis).unix_timestamp(),
            replaced_by: v.replaced_by,
            reason: v.reason,
        })
        .collect();
    Ok(Json(rows).into_response())
}

/// A do not contact or do not involve decision.
#[derive(Deserialize, ToSchema)]
struct RestrictionDecision {
    kind: RestrictionKind,
    /// Who decided ("MASH strategy meeting").
    #[schema(max_length = 200)]
    decided_by: String,
    #[schema(max_length = 2000)]
    reason: String,
    /// When the decision is next to be reviewed: it stays in force after that, shown as
    /// overdue for review.
    #[schema(format = Date)]
    review_on: String,
}

impl ApiBody for RestrictionDecision {
    type Input = RestrictionInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("until", "review_on")];

    fn into_input(self) -> Result<RestrictionInput, Failure> {
        let mut problems = Problems::default();
        let (until_day, until_month, until_year) =
            date_boxes("review_on", &self.review_on, &mut problems);
        let input = RestrictionInput {
            kind: self.kind.code().to_string(),
            decided_by: self.decided_by,
            reason: self.reason,
            until_day,
            until_month,
            until_year,
        };
        checked(input, problems)
    }
}

/// Record a do not contact or do not involve decision
///
/// While it stands Cradle offers no contact, information, assessment or booking for the
/// person, and the mark shows wherever they appear.
#[utoipa::path(post, path = "/families/{id}/people/{person}/restrictions", tag = TAG,
    params(PersonPath),
    request_body = RestrictionDecision,
    responses(
        (status = 201, description = "The decision", body = ContactRestriction),
        (status = 404, description = "No such person in this family"),
        (status = 422, description = "The decision has problems"),
    ))]
async fn restrict_person(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<RestrictionDecision>,
) -> Result<Response, Failure> {
    let person = PersonId::parse(&person).ok_or(Failure(Problem::NotFound))?;
    let input = body.into_input()?;
    let restriction = state
        .app
        .restrict_contact(&staff.actor, &access, person, &input)
        .await
        .map_err(RestrictionDecision::fields)?;
    Ok((StatusCode::CREATED, Json(restriction)).into_response())
}

/// Renew a do not contact or do not involve decision after its review
///
/// A decision never lapses by itself: past its review date it stays in force and shows as
/// overdue until it is renewed or lifted. Renewing records who decided, why and the next
/// review date as a new decision (`kind` is ignored: a renewal keeps the decision's kind),
/// and keeps the earlier one, closed, with `renewed_as` naming the new one.
#[utoipa::path(post, path = "/families/{id}/restrictions/{restriction}/renew", tag = TAG,
    params(RestrictionPath),
    request_body = RestrictionDecision,
    responses(
        (status = 201, description = "The new decision", body = ContactRestriction),
        (status = 404, description = "No such decision in this family"),
        (status = 409, description = "The decision was already lifted or renewed"),
        (status = 422, description = "The renewal has problems"),
    ))]
async fn renew_restriction(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
    Json(body): Json<RestrictionDecision>,
) -> Result<Response, Failure> {
    let restriction = RestrictionId::parse(&restriction).ok_or(Failure(Problem::NotFound))?;
    let input = body.into_input()?;
    let renewal = state
        .app
        .renew_restriction(&staff.actor, &access, restriction, &input)
        .await
        .map_err(RestrictionDecision::fields)?;
    Ok((StatusCode::CREATED, Json(renewal)).into_response())
}

/// Why a decision is lifted.
#[derive(Deserialize, ToSchema)]
struct Lifting {
    /// Required (422 without it).
    #[serde(default)]
    #[schema(max_length = 500)]
    reason: String,
}

/// Lift a do not contact or do not involve decision
///
/// Who lifted it, when and why are kept with the decision.
#[utoipa::path(post, path = "/families/{id}/restrictions/{restriction}/lift", tag = TAG,
    params(RestrictionPath),
    request_body = Lifting,
    responses(
        (status = 204, description = "Lifted"),
        (status = 404, description = "No such decision in this family"),
        (status = 409, description = "The decision was already lifted or renewed"),
        (status = 422, description = "No reason given"),
    ))]
async fn lift_restriction(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, restriction)): Path<(String, String)>,
    Json(body): Json<Lifting>,
) -> Result<Response, Failure> {
    let restriction = RestrictionId::parse(&restriction).ok_or(Failure(Problem::NotFound))?;
    state
        .app
        .lift_restriction(&staff.actor, &access, restriction, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What a relationship records of how a person relates to the baby.
#[derive(Deserialize, ToSchema)]
struct RelationshipTerms {
    kind: RelationshipKind,
    lives_with_baby: bool,
    care_share: CareShare,
    contact_frequency: ContactFrequency,
    #[serde(default)]
    nature: Option<RelationshipNature>,
    /// For a relationship with a baby: whether they hold parental responsibility for the
    /// baby (`not_known` when left out; not for a relationship with the mother).
    #[serde(default)]
    parental_responsibility: Option<ParentalResponsibility>,
    /// When the relationship began, if known.
    #[serde(default)]
    #[schema(format = Date)]
    started_on: Option<String>,
}

impl RelationshipTerms {
    const RENAMED: &'static [(&'static str, &'static str)] = &[("started", "started_on")];

    /// The domain's input for a relationship between `person_id` and `target`.
    fn between(self, person_id: String, target: String) -> Result<RelationshipInput, Failure> {
        let mut problems = Problems::default();
        let (started_day, started_month, started_year) = date_boxes(
            "started_on",
            self.started_on.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let input = RelationshipInput {
            person_id,
            target,
            kind: self.kind.code().to_string(),
            lives_with_baby: yes_no(Some(self.lives_with_baby)),
            care_share: self.care_share.code().to_string(),
            contact_frequency: self.contact_frequency.code().to_string(),
            nature: code(self.nature, RelationshipNature::code),
            parental_responsibility: code(
                self.parental_responsibility,
                ParentalResponsibility::code,
            ),
            started_day,
            started_month,
            started_year,
        };
        checked(input, problems)
    }
}

/// How a person relates to a baby or to the mother.
#[derive(Deserialize, ToSchema)]
struct RelationshipDetails {
    person_id: PersonId,
    /// A baby's id, or "mother".
    target: String,
    #[serde(flatten)]
    terms: RelationshipTerms,
}

impl ApiBody for RelationshipDetails {
    type Input = RelationshipInput;
    const RENAMED: &'static [(&'static str, &'static str)] = RelationshipTerms::RENAMED;

    fn into_input(self) -> Result<RelationshipInput, Failure> {
        self.terms.between(self.person_id.to_string(), self.target)
    }
}

/// Record how a person relates to a baby or to the mother
///
/// The person and the baby must belong to this family.
#[utoipa::path(post, path = "/families/{id}/relationships", tag = TAG, params(FamilyPath),
    request_body = RelationshipDetails,
    responses(
        (status = 201, description = "The relationship", body = Relationship),
        (status = 404, description = "No such family"),
        (status = 422, description = "The relationship has problems"),
    ))]
async fn add_relationship(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<RelationshipDetails>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let relationship = state
        .app
        .add_relationship(&staff.actor, &access, &input)
        .await
        .map_err(RelationshipDetails::fields)?;
    Ok((StatusCode::CREATED, Json(relationship)).into_response())
}

/// What a relationship records, as it should read now, with the version it replaces and why.
/// Who it is between stays as it is.
#[derive(Deserialize, ToSchema)]
struct RelationshipChange {
    #[serde(flatten)]
    terms: RelationshipTerms,
    /// The relationship's version being replaced: 409 if someone else changed it first.
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    version: i64,
    /// Why it changes; kept with the earlier version.
    reason: String,
}

impl ApiBody for RelationshipChange {
    type Input = (RelationshipInput, i64, String);
    const RENAMED: &'static [(&'static str, &'static str)] = RelationshipTerms::RENAMED;

    fn into_input(self) -> Result<Self::Input, Failure> {
        // Who it is between is the recorded relationship's: the app keeps it as it is.
        let input = self.terms.between(String::new(), String::new())?;
        Ok((input, self.version, self.reason))
    }
}

/// Change what a relationship records
///
/// How much of the baby's care they share, how often they see the baby, whether they hold
/// parental responsibility once it is checked… Keeps the earlier version with who, when and
/// why. `version` must be the version being replaced: 409 if someone else changed it first,
/// or if the relationship has ended.
#[utoipa::path(post, path = "/families/{id}/relationships/{relationship}", tag = TAG,
    params(RelationshipPath),
    request_body = RelationshipChange,
    responses(
        (status = 200, description = "The relationship's new version", body = Relationship),
        (status = 404, description = "No such relationship in this family"),
        (status = 409, description = "Changed by someone else, or ended; nothing was saved"),
        (status = 422, description = "The relationship or the reason has problems"),
    ))]
async fn change_relationship(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, relationship)): Path<(String, String)>,
    Json(body): Json<RelationshipChange>,
) -> Result<Response, Failure> {
    let id = RelationshipId::parse(&relationship).ok_or(Failure(Problem::NotFound))?;
    let (input, version, reason) = body.into_input()?;
    let updated = state
        .app
        .amend_relationship(&staff.actor, &access, id, &input, version, &reason)
        .await
        .map_err(RelationshipChange::fields)?;
    Ok(Json(updated).into_response())
}

/// A baby's birth.
#[derive(Deserialize, ToSchema)]
struct Birth {
    /// The baby's date of birth: not in the future.
    #[schema(format = Date)]
    date_of_birth: String,
    /// Completed weeks and days at birth, "34+2", for a baby born early.
    #[serde(default)]
    gestation_at_birth: String,
    #[serde(default)]
    name: String,
    /// 10 digits, modulus 11 checked.
    #[serde(default)]
    nhs_number: String,
}

impl ApiBody for Birth {
    type Input = BirthInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[
        ("born", "date_of_birth"),
        ("gestation", "gestation_at_birth"),
    ];

    fn into_input(self) -> Result<BirthInput, Failure> {
        let mut problems = Problems::default();
        let (born_day, born_month, born_year) =
            date_boxes("date_of_birth", &self.date_of_birth, &mut problems);
        let input = BirthInput {
            name: self.name,
            nhs_number: self.nhs_number,
            born_day,
            born_month,
            born_year,
            gestation_weeks: self.gestation_at_birth,
            gestation_days: String::new(),
        };
        checked(input, problems)
    }
}

/// Record a birth
///
/// Fills in the pregnancy's own record (date of birth, gestation, name, NHS number); the
/// family becomes postnatal.
#[utoipa::path(post, path = "/families/{id}/babies/{baby}/birth", tag = TAG, params(BabyPath),
    request_body = Birth,
    responses(
        (status = 200, description = "The baby", body = Baby),
        (status = 404, description = "No such baby in this family"),
        (status = 409, description = "The birth is already recorded"),
        (status = 422, description = "The birth details have problems"),
    ))]
async fn record_birth(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, baby)): Path<(String, String)>,
    Json(body): Json<Birth>,
) -> Result<Response, Failure> {
    let baby = BabyId::parse(&baby).ok_or(Failure(Problem::NotFound))?;
    let input = body.into_input()?;
    let born = state
        .app
        .record_birth(&staff.actor, &access, baby, &input)
        .await
        .map_err(Birth::fields)?;
    Ok(Json(born).into_response())
}

/// The mother's details and the referral date as they should read.
#[derive(Deserialize, ToSchema)]
struct MotherAmendment {
    #[schema(max_length = 200)]
    mother_name: String,
    /// 10 digits, modulus 11 checked; left out if not known.
    #[serde(default)]
    mother_nhs_number: String,
    /// Before each baby's date of birth.
    #[serde(default)]
    #[schema(format = Date)]
    mother_date_of_birth: Option<String>,
    /// A full UK postcode.
    #[serde(default)]
    mother_postcode: String,
    /// The language she prefers.
    #[serde(default)]
    mother_language: String,
    /// Whether she needs an interpreter (then her language is required).
    #[serde(default)]
    mother_interpreter_needed: bool,
    /// No later than the first care plan.
    #[serde(default)]
    #[schema(format = Date)]
    referral_date: Option<String>,
    /// The family's version being replaced: 409 if it changed first.
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    version: i64,
    /// Why the details change; kept with the earlier version.
    #[schema(max_length = 500)]
    reason: String,
}

impl ApiBody for MotherAmendment {
    type Input = MotherInput;
    const RENAMED: &'static [(&'static str, &'static str)] =
        &[("mother_dob", "mother_date_of_birth")];

    fn into_input(self) -> Result<MotherInput, Failure> {
        let mut problems = Problems::default();
        let (mother_dob_day, mother_dob_month, mother_dob_year) = date_boxes(
            "mother_date_of_birth",
            self.mother_date_of_birth.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let (referral_day, referral_month, referral_year) = date_boxes(
            "referral_date",
            self.referral_date.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let input = MotherInput {
            mother_name: self.mother_name,
            mother_nhs_number: self.mother_nhs_number,
            mother_dob_day,
            mother_dob_month,
            mother_dob_year,
            mother_postcode: self.mother_postcode,
            mother_language: self.mother_language,
            mother_interpreter_needed: yes_no(Some(self.mother_interpreter_needed)),
            referral_day,
            referral_month,
            referral_year,
            version: self.version,
            reason: self.reason,
        };
        checked(input, problems)
    }
}

/// Change the mother's details or the referral date
///
/// The mother's name, NHS number, date of birth and postcode, and the referral date, as
/// they should read, with `version` (the family's, 409 if it changed first) and `reason`.
/// Checked as when the family was added, and against the record: the mother born before
/// each baby, the referral no later than the first care plan. The earlier version is kept.
#[utoipa::path(post, path = "/families/{id}/details", tag = TAG, params(FamilyPath),
    request_body = MotherAmendment,
    responses(
        (status = 200, description = "The details", body = MotherDetails),
        (status = 404, description = "No such family"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The details have problems; nothing was saved"),
    ))]
async fn amend_mother(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<MotherAmendment>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let details = state
        .app
        .amend_mother(&staff.actor, &access, &input)
        .await
        .map_err(MotherAmendment::fields)?;
    Ok(Json(details).into_response())
}
