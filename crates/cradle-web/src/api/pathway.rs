//! The partner pathway and questionnaires in the API: pathway steps, a family member's own
//! assessment, who a team offers the pathway to, the questionnaires Cradle scores (shipped
//! and imported by a team), responses, and what was done about a safety alert.

use super::input::path_ids;
use super::input::{checked, date_boxes, iso_date, renamed, ApiBody, InterpreterAnswers, TeamPath};
use super::{record_id, team_id};
use crate::auth::{AnyStaff, ChangeRecords, FamilyScoped, ManageTeamPractice, Staff};
use crate::error::{Failure, Problem};
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::network::RelationshipKind;
use cradle_domain::partner_assessment::{AssessmentInput, PartnerAssessment, RiskFinding};
use cradle_domain::pathway::{AssessmentOutcome, InformationGiven, Pathway, PathwayStep};
use cradle_domain::questionnaires::{Answer, Instrument, QuestionnaireResponse};
use cradle_domain::{Invalid, PersonId, Problems};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(record_pathway_step))
        .routes(routes!(record_partner_assessment))
        .routes(routes!(pathway_roles, save_pathway_roles))
        .routes(routes!(team_questionnaires, import_questionnaire))
        .routes(routes!(retire_questionnaire))
        .routes(routes!(list_instruments))
        .routes(routes!(record_questionnaire))
        .routes(routes!(act_on_alert))
}

const TAG: &str = "Partner pathway and questionnaires";

path_ids!(
    /// A family member.
    MemberPath {
    /// The family's id.
    id,
    /// The family member's id.
    person,
});

path_ids!(
    /// A questionnaire response in a family.
    ResponsePath {
    /// The family's id.
    id,
    /// The response's id.
    response,
});

path_ids!(
    /// A questionnaire a team imported.
    DefinitionPath {
    /// The team's id.
    id,
    /// The imported definition's id.
    definition,
});

fn person_id(text: &str) -> Result<PersonId, Failure> {
    PersonId::parse(text).ok_or(Failure(Problem::NotFound))
}

/// What an offer was answered with there and then.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum AnswerKind {
    Accepted,
    Declined,
}

/// The answer to an offer, given when it was made.
#[derive(Deserialize, ToSchema)]
struct OfferAnswer {
    step: AnswerKind,
    /// Not before the offer.
    #[schema(format = Date)]
    on: String,
    /// Why it was declined; required for a decline.
    #[serde(default)]
    reason: String,
    /// A decline: the offer is not made again before this date; required for a decline.
    #[serde(default)]
    #[schema(format = Date)]
    ask_again_from: Option<String>,
}

impl OfferAnswer {
    /// The answer as a step, or its problems named by the answer's fields.
    fn step(self) -> Result<PathwayStep, Failure> {
        let mut problems = Problems::default();
        let on = iso_date("answer.on", &self.on, &mut problems);
        let again = iso_date(
            "answer.ask_again_from",
            self.ask_again_from.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let step = match (self.step, on, again) {
            (AnswerKind::Accepted, Some(on), _) => Some(PathwayStep::Accepted { on }),
            (AnswerKind::Declined, Some(on), Some(ask_again_from)) => Some(PathwayStep::Declined {
                on,
                reason: self.reason,
                ask_again_from,
            }),
            (AnswerKind::Declined, Some(_), None) if problems.is_empty() => {
                problems.push(Invalid::new(
                    "answer.ask_again_from",
                    "A decline says from when the offer may be made again",
                ));
                None
            }
            (_, None, _) if problems.is_empty() => {
                problems.push(Invalid::new("answer.on", "Enter the date of the answer"));
                None
            }
            _ => None,
        };
        match step {
            Some(step) if problems.is_empty() => Ok(step),
            _ => Err(Failure(Problem::Invalid(problems))),
        }
    }
}

/// A step on a family member's partner pathway, with what was given with it.
#[derive(Deserialize, ToSchema)]
struct PathwayStepRecord {
    #[serde(flatten)]
    step: PathwayStep,
    /// Information and local services given with the step.
    #[serde(default)]
    given: InformationGiven,
    /// With an offer, the answer given there and then: both are recorded together, or
    /// neither.
    #[serde(default)]
    answer: Option<OfferAnswer>,
    /// Why the step is dated before the family's referral, when it is.
    #[serde(default)]
    #[schema(max_length = 500)]
    before_referral_reason: String,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

/// Record a family member's next partner pathway step
///
/// `step` is one of identified (with `how`), offered (with `method`), accepted, declined
/// (with `reason` and `ask_again_from`, after which the offer may be made again), assessed
/// (with `outcome` and, unless no_further_action, `detail`: where to, or what support) or
/// followed_up (with `note`), dated `on` (not in the future, not before the last step, and
/// not before the family's referral unless `before_referral_reason` says why). Steps come in
/// that order; nobody marked do not contact or do not involve is put on the pathway. 409 if
/// someone else recorded a step for the person first.
#[utoipa::path(post, path = "/families/{id}/people/{person}/pathway", tag = TAG,
    params(MemberPath),
    request_body = PathwayStepRecord,
    responses(
        (status = 201, description = "The person's pathway with the new step", body = Pathway),
        (status = 404, description = "No such family or person"),
        (status = 409, description = "Someone else recorded a step first"),
        (status = 422, description = "The step is out of order, or has problems; nothing was saved"),
    ))]
async fn record_pathway_step(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<PathwayStepRecord>,
) -> Result<Response, Failure> {
    let person = person_id(&person)?;
    // A decline's reason and date, when given with an offer, are the answer's.
    let names: &[(&'static str, &'static str)] = if body.answer.is_some() {
        &[
            InterpreterAnswers::RENAMED,
            ("reason", "answer.reason"),
            ("ask_again_from", "answer.ask_again_from"),
        ]
    } else {
        &[InterpreterAnswers::RENAMED]
    };
    let answer = body.answer.map(OfferAnswer::step).transpose()?;
    let steps = cradle_domain::pathway::offer_with_answer(body.step, answer)
        .map_err(|problem| Failure(Problem::Invalid(Problems(vec![problem]))))?;
    let pathway = state
        .app
        .record_pathway_steps(
            &staff.actor,
            &access,
            person,
            cradle_app::pathway::NewSteps {
                steps,
                given: body.given,
                before_referral_reason: body.before_referral_reason,
                interpreter: body.interpreter.into_input(),
            },
        )
        .await
        .map_err(|error| renamed(error, names))?;
    Ok((StatusCode::CREATED, Json(pathway)).into_response())
}

/// A family member's own assessment.
#[derive(Deserialize, ToSchema)]
struct AssessmentRecord {
    /// Not in the future.
    #[schema(format = Date)]
    assessed_on: String,
    /// Each written part by name: `wellbeing` and `wishes` required; `history`, `support`,
    /// `pressures`, `relationship_with_baby`.
    #[serde(default)]
    sections: BTreeMap<String, String>,
    /// Relationship conversations the person took part in.
    #[serde(default)]
    conversations: Vec<Uuid>,
    risk: RiskFinding,
    /// Required unless no risk was identified.
    #[serde(default)]
    #[schema(max_length = 10000)]
    risk_detail: String,
    /// The team's current catalogue interventions offered (each recorded as offered).
    #[serde(default)]
    package: Vec<Uuid>,
    outcome: AssessmentOutcome,
    /// Required unless no further action, or the package names the support.
    #[serde(default)]
    outcome_detail: String,
    /// Information and local services given.
    #[serde(default)]
    given: InformationGiven,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

impl ApiBody for AssessmentRecord {
    type Input = AssessmentInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[
        ("on", "assessed_on"),
        InterpreterAnswers::RENAMED,
        ("wellbeing", "sections.wellbeing"),
        ("history", "sections.history"),
        ("support", "sections.support"),
        ("pressures", "sections.pressures"),
        ("relationship_with_baby", "sections.relationship_with_baby"),
        ("wishes", "sections.wishes"),
        ("topics", "given.topics"),
        ("services", "given.services"),
    ];

    fn into_input(self) -> Result<AssessmentInput, Failure> {
        if let Some(unknown) = self.sections.keys().find(|name| {
            !cradle_domain::partner_assessment::SECTIONS
                .iter()
                .any(|(field, ..)| field == name)
        }) {
            return Err(Failure(Problem::Invalid(Problems(vec![Invalid::new(
                "sections",
                format!("\"{unknown}\" is not a part of the assessment"),
            )]))));
        }
        let mut problems = Problems::default();
        let (on_day, on_month, on_year) =
            date_boxes("assessed_on", &self.assessed_on, &mut problems);
        let input = AssessmentInput {
            on_day,
            on_month,
            on_year,
            sections: self.sections.into_iter().collect(),
            conversations: self.conversations.iter().map(Uuid::to_string).collect(),
            risk: self.risk.code().to_string(),
            risk_detail: self.risk_detail,
            package: self.package.iter().map(Uuid::to_string).collect(),
            outcome: self.outcome.code().to_string(),
            outcome_detail: self.outcome_detail,
            topics: self
                .given
                .topics
                .iter()
                .map(|topic| topic.code().to_string())
                .collect(),
            services: self.given.services.join("\n"),
            interpreter: self.interpreter.into_input(),
        };
        checked(input, problems)
    }
}

/// Record a family member's own assessment
///
/// For someone who has accepted the offer of an assessment. Records the pathway's assessed
/// step, the assessment and the offers of the package together, or nothing. The assessment
/// is the person's own: it never appears in another family member's printout or export.
#[utoipa::path(post, path = "/families/{id}/people/{person}/assessments", tag = TAG,
    params(MemberPath),
    request_body = AssessmentRecord,
    responses(
        (status = 201, description = "The assessment", body = PartnerAssessment),
        (status = 404, description = "No such family or person"),
        (status = 409, description = "Someone else recorded a pathway step first"),
        (status = 422, description = "The assessment has problems, or the person has not accepted an assessment; nothing was saved"),
    ))]
async fn record_partner_assessment(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<AssessmentRecord>,
) -> Result<Response, Failure> {
    let person = person_id(&person)?;
    let input = body.into_input()?;
    let assessment = state
        .app
        .record_partner_assessment(&staff.actor, &access, person, &input)
        .await
        .map_err(AssessmentRecord::fields)?;
    Ok((StatusCode::CREATED, Json(assessment)).into_response())
}

/// Who a team offers the partner pathway to, beyond partners, fathers and co-parents.
#[derive(Serialize, Deserialize, ToSchema)]
struct PathwayRoles {
    pathway_roles: Vec<RelationshipKind>,
}

/// Who a team offers the partner pathway to
///
/// Team managers, for their own teams: the relationships beyond partners, fathers and
/// co-parents (always offered) whose family members the team also offers the pathway.
#[utoipa::path(get, path = "/teams/{id}/pathway-roles", tag = TAG, params(TeamPath),
    responses(
        (status = 200, description = "Who else the team offers the pathway to", body = PathwayRoles),
        (status = 404, description = "No such team"),
    ))]
async fn pathway_roles(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let pathway_roles = state.app.pathway_roles(&staff.actor, team_id(&id)?).await?;
    Ok(Json(PathwayRoles { pathway_roles }).into_response())
}

/// Change who a team offers the partner pathway to
///
/// Team managers: grandparents, siblings, other relatives, friends, foster carers or
/// others. Partners, fathers and co-parents are always offered it (422 if named). People
/// already on the pathway stay on it.
#[utoipa::path(post, path = "/teams/{id}/pathway-roles", tag = TAG, params(TeamPath),
    request_body = PathwayRoles,
    responses(
        (status = 200, description = "Who else the team offers the pathway to", body = PathwayRoles),
        (status = 404, description = "No such team"),
        (status = 422, description = "A relationship that is always offered, or not one of the choices"),
    ))]
async fn save_pathway_roles(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    Json(body): Json<PathwayRoles>,
) -> Result<Response, Failure> {
    let codes: Vec<String> = body
        .pathway_roles
        .iter()
        .map(|kind| kind.code().to_string())
        .collect();
    let pathway_roles = state
        .app
        .set_pathway_roles(&staff.actor, team_id(&id)?, &codes)
        .await?;
    Ok(Json(PathwayRoles { pathway_roles }).into_response())
}

/// One of a team's questionnaires.
#[derive(Serialize, ToSchema)]
struct TeamQuestionnaire<'a> {
    #[serde(flatten)]
    instrument: &'a Instrument,
    /// Offered for new responses.
    current: bool,
    /// Absent for one shipped with Cradle.
    imported: Option<Imported<'a>>,
}

/// When and by whom a questionnaire was imported.
#[derive(Serialize, ToSchema)]
struct Imported<'a> {
    id: Uuid,
    imported_by: &'a str,
    imported_at_millis: i64,
    retired_at_millis: Option<i64>,
}

/// A team's questionnaires
///
/// Team managers, for their own teams: those shipped with Cradle and the team's imports,
/// current and retired, each with its definition as loaded.
#[utoipa::path(get, path = "/teams/{id}/questionnaires", tag = TAG, params(TeamPath),
    responses(
        (status = 200, description = "Questionnaires", body = Vec<TeamQuestionnaire>),
        (status = 404, description = "No such team"),
    ))]
async fn team_questionnaires(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let instruments = state
        .app
        .questionnaires_of_team(&staff.actor, team_id(&id)?)
        .await?;
    let listed: Vec<TeamQuestionnaire> = instruments
        .entries
        .iter()
        .map(|entry| TeamQuestionnaire {
            instrument: &entry.instrument,
            current: entry.is_current(),
            imported: entry.imported.as_ref().map(|d| Imported {
                id: d.id,
                imported_by: &d.imported_by_name,
                imported_at_millis: d.imported_at_millis,
                retired_at_millis: d.retired_at_millis,
            }),
        })
        .collect();
    Ok(Json(listed).into_response())
}

/// A questionnaire definition file as a team imports it (docs/instruments/README.md): a
/// published file format, so its schema is written out with the document's other
/// hand-kept parts (`openapi.rs`), not derived from Rust types.
struct DefinitionFile;

impl utoipa::PartialSchema for DefinitionFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            "InstrumentDefinition",
        ))
    }
}

impl utoipa::ToSchema for DefinitionFile {}

/// What a team imported.
#[derive(Serialize, ToSchema)]
struct ImportedDefinition {
    id: Uuid,
    url: String,
    version: String,
    name: String,
}

/// Import a questionnaire definition
///
/// Team managers: the request body is the service's own definition file, for an instrument
/// Cradle may not ship. Every fault is named (`errors`, one each). Refused: a questionnaire
/// shipped with Cradle, a version already imported, a name another current questionnaire
/// of the team has. A new version of one already imported replaces it for new responses.
#[utoipa::path(post, path = "/teams/{id}/questionnaires", tag = TAG, params(TeamPath),
    request_body(content = inline(DefinitionFile), content_type = "application/json"),
    responses(
        (status = 201, description = "What was imported", body = ImportedDefinition),
        (status = 404, description = "No such team"),
        (status = 422, description = "The definition has faults, or is refused; nothing was saved"),
    ))]
async fn import_questionnaire(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let team = team_id(&id)?;
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(cradle_app::AppError::invalid(
            "definition",
            "The definition file must be UTF-8 text",
        )
        .into());
    };
    let imported = state
        .app
        .import_questionnaire(&staff.actor, team, text)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportedDefinition {
            id: imported.id,
            url: imported.url,
            version: imported.version,
            name: imported.name,
        }),
    )
        .into_response())
}

/// Stop offering an imported questionnaire
///
/// Team managers: no new responses use it; those recorded keep it. No body.
#[utoipa::path(post, path = "/teams/{id}/questionnaires/{definition}/retire", tag = TAG,
    params(DefinitionPath),
    responses(
        (status = 204, description = "Stopped"),
        (status = 404, description = "No such team, or not a current import of the team"),
    ))]
async fn retire_questionnaire(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path((id, definition)): Path<(String, String)>,
) -> Result<Response, Failure> {
    state
        .app
        .retire_questionnaire(&staff.actor, team_id(&id)?, record_id(&definition)?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The questionnaires Cradle can score
///
/// Each instrument's definition as Cradle loaded it, Cradle's own and each of the caller's
/// teams' current imports, each once: questions and answer options with their scores, how
/// its scores are made, its safety alerts, licence, citation, and the populations it is
/// validated for with their bands and cut-offs.
#[utoipa::path(get, path = "/questionnaires", tag = TAG,
    responses((status = 200, description = "Instruments", body = Vec<Instrument>)))]
async fn list_instruments(
    State(state): State<WebState>,
    staff: Staff<AnyStaff>,
) -> Result<Response, Failure> {
    let mut listed = cradle_app::questionnaires::instruments().to_vec();
    for team in &staff.actor.teams {
        for entry in state.app.team_instruments(*team).await?.entries {
            let instrument = &entry.instrument;
            let known = listed
                .iter()
                .any(|i| i.url == instrument.url && i.version == instrument.version);
            if entry.is_current() && !known {
                listed.push(entry.instrument);
            }
        }
    }
    let listed: Vec<&Instrument> = listed.iter().map(|i| &**i).collect();
    Ok(Json(listed).into_response())
}

/// A questionnaire a family member completed.
#[derive(Deserialize, ToSchema)]
struct ResponseRecord {
    /// The instrument's short name (see `GET /api/v1/questionnaires`), e.g. PHQ-9.
    instrument: String,
    /// One of the instrument's population codes that fits the person as recorded, or
    /// `none` when none fits (the score then carries a warning and is read against no
    /// cut-off).
    #[serde(default)]
    #[schema(required = true)]
    population: String,
    /// Not in the future.
    #[schema(format = Date)]
    completed_on: String,
    /// Each answer: `question` is the item's linkId, `code` the answer option's code.
    answers: Vec<Answer>,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

impl ApiBody for ResponseRecord {
    type Input = cradle_app::questionnaires::ResponseInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[InterpreterAnswers::RENAMED];

    fn into_input(self) -> Result<Self::Input, Failure> {
        let mut problems = Problems::default();
        let completed_on = iso_date("completed_on", &self.completed_on, &mut problems);
        let input = cradle_app::questionnaires::ResponseInput {
            instrument: self.instrument,
            population: self.population,
            completed_on,
            answers: self.answers,
            interpreter: self.interpreter.into_input(),
        };
        checked(input, problems)
    }
}

/// Record a questionnaire a family member completed
///
/// Unknown questions or answer codes, or a question answered twice, are refused by name;
/// a population that does not fit the person is refused with the reason; an incomplete form
/// is kept without a score unless the instrument allows pro-rating. Any answer that meets a
/// safety alert's rule (or a watched question left unanswered) raises an alert that stays on
/// the family until an action is recorded. Nobody marked do not contact or do not involve
/// is assessed.
#[utoipa::path(post, path = "/families/{id}/people/{person}/questionnaires", tag = TAG,
    params(MemberPath),
    request_body = ResponseRecord,
    responses(
        (status = 201, description = "The response with its scores and alerts", body = QuestionnaireResponse),
        (status = 404, description = "No such family or person"),
        (status = 422, description = "The response has problems; nothing was saved"),
    ))]
async fn record_questionnaire(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, person)): Path<(String, String)>,
    Json(body): Json<ResponseRecord>,
) -> Result<Response, Failure> {
    let person = person_id(&person)?;
    let input = body.into_input()?;
    let response = state
        .app
        .record_questionnaire(&staff.actor, &access, person, &input)
        .await
        .map_err(ResponseRecord::fields)?;
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

/// What was done about a questionnaire's safety alert.
#[derive(Deserialize, ToSchema)]
struct AlertActionRecord {
    /// The risk assessment made and its outcome.
    #[schema(max_length = 2000)]
    action: String,
}

/// Record what was done about a questionnaire's safety alert
///
/// The risk assessment made and its outcome. 409 if there is no alert waiting, or someone
/// recorded an action first.
#[utoipa::path(post, path = "/families/{id}/questionnaires/{response}/alert-action", tag = TAG,
    params(ResponsePath),
    request_body = AlertActionRecord,
    responses(
        (status = 200, description = "The response with the action", body = QuestionnaireResponse),
        (status = 404, description = "No such family or response"),
        (status = 409, description = "No alert waiting, or acted on first"),
        (status = 422, description = "No action given"),
    ))]
async fn act_on_alert(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, response)): Path<(String, String)>,
    Json(body): Json<AlertActionRecord>,
) -> Result<Response, Failure> {
    let response = record_id(&response)?;
    let acted = state
        .app
        .act_on_alert(&staff.actor, &access, response, &body.action)
        .await?;
    Ok(Json(acted).into_response())
}
