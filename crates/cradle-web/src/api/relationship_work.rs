//! Relationship work in the API: conversations, interaction observations with positive
//! moments, needs and strengths notes, coping concerns, routine enquiry about domestic abuse
//! and the steps after a disclosure, and corrections of each.

use super::input::path_ids;
use super::input::{
    checked, code, date_boxes, yes_no, yes_or_blank, ApiBody, FamilyPath, InterpreterAnswers,
};
use super::record_id;
use crate::auth::{ChangeRecords, FamilyScoped};
use crate::error::Failure;
use crate::json::Json;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cradle_domain::concerns::{
    ActionInput, ActionKind, Concern, ConcernAction, ConcernInput, ConcernKind,
};
use cradle_domain::conversations::{Conversation, ConversationInput, Seen};
use cradle_domain::disclosures::{DisclosureAction, SettleInput};
use cradle_domain::enquiries::{EnquiryInput, EnquiryOutcome};
use cradle_domain::entries::Entry;
use cradle_domain::needs::{CaregiverNote, NoteInput, NoteKind};
use cradle_domain::observations::{BabyResponse, Observation, ObservationInput, PositiveMoment};
use cradle_domain::{BabyId, PersonId, Problems};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(record_conversation))
        .routes(routes!(save_conversation))
        .routes(routes!(record_observation))
        .routes(routes!(amend_observation))
        .routes(routes!(amend_moment))
        .routes(routes!(add_note))
        .routes(routes!(amend_note))
        .routes(routes!(raise_concern))
        .routes(routes!(amend_concern))
        .routes(routes!(record_concern_action))
        .routes(routes!(close_concern))
        .routes(routes!(record_enquiry))
        .routes(routes!(settle_disclosure_action))
}

const TAG: &str = "Relationship work";

path_ids!(
    /// One of the family's records.
    ConversationPath {
        /// The family's id.
        id,
        /// The conversation's id.
        conversation,
    }
);
path_ids!(
    /// One of the family's records.
    ObservationPath {
        /// The family's id.
        id,
        /// The observation's id.
        observation,
    }
);
path_ids!(
    /// One of the family's records.
    MomentPath {
        /// The family's id.
        id,
        /// The positive moment's id.
        moment,
    }
);
path_ids!(
    /// One of the family's records.
    NotePath {
        /// The family's id.
        id,
        /// The note's id.
        note,
    }
);
path_ids!(
    /// One of the family's records.
    ConcernPath {
        /// The family's id.
        id,
        /// The concern's id.
        concern,
    }
);
path_ids!(
    /// One of the family's records.
    ActionPath {
        /// The family's id.
        id,
        /// The step's id.
        action,
    }
);

/// A record as it should read now, with the version it replaces and why.
#[derive(Deserialize, ToSchema)]
struct Corrected<T> {
    #[serde(flatten)]
    record: T,
    /// The version being replaced: 409 if someone else changed it first.
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    version: i64,
    /// Why it is corrected (required once a record is finished); kept with the earlier
    /// version.
    #[serde(default)]
    reason: String,
}

impl<T: ApiBody> ApiBody for Corrected<T> {
    type Input = (T::Input, i64, String);
    const RENAMED: &'static [(&'static str, &'static str)] = T::RENAMED;

    fn into_input(self) -> Result<Self::Input, Failure> {
        Ok((self.record.into_input()?, self.version, self.reason))
    }
}

/// A relationship conversation with the mother and/or people around the baby.
#[derive(Deserialize, ToSchema)]
struct ConversationRecord {
    /// When it was held: not in the future.
    #[serde(default)]
    #[schema(format = Date, required = true)]
    held_on: String,
    /// Who took part: "mother" or people's ids (not anyone marked do not involve).
    #[serde(default)]
    participants: Vec<String>,
    /// The baby it was about, when the family has several; left out for all of them.
    #[serde(default)]
    baby: Option<BabyId>,
    /// Whether they were seen together or apart; required when more than one took part.
    #[serde(default)]
    seen: Option<Seen>,
    /// Their relationship with the baby, in their words.
    #[serde(default)]
    #[schema(max_length = 10000)]
    relationship: String,
    /// Who else matters to the baby.
    #[serde(default)]
    #[schema(max_length = 10000)]
    who_matters: String,
    /// What becoming a parent (or grandparent) has been like.
    #[serde(default)]
    #[schema(max_length = 10000)]
    experience: String,
    /// What they enjoy doing with the baby, and what the baby enjoys.
    #[serde(default)]
    #[schema(max_length = 10000)]
    enjoy: String,
    /// How looking after the baby is shared.
    #[serde(default)]
    #[schema(max_length = 10000)]
    sharing_care: String,
    /// What feels confident or enjoyable, and what feels hard.
    #[serde(default)]
    #[schema(max_length = 10000)]
    confidence: String,
    /// How they cope when they are at the end of their tether.
    #[serde(default)]
    #[schema(max_length = 10000)]
    coping: String,
    /// The clinician's formulation.
    #[serde(default)]
    #[schema(max_length = 10000)]
    formulation: String,
    /// Finish it now; otherwise it is kept to finish later.
    #[serde(default)]
    finish: bool,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

impl ApiBody for ConversationRecord {
    type Input = ConversationInput;
    const RENAMED: &'static [(&'static str, &'static str)] =
        &[("held", "held_on"), InterpreterAnswers::RENAMED];

    fn into_input(self) -> Result<ConversationInput, Failure> {
        let mut problems = Problems::default();
        let (held_day, held_month, held_year) = date_boxes("held_on", &self.held_on, &mut problems);
        let input = ConversationInput {
            held_day,
            held_month,
            held_year,
            participants: self.participants,
            baby: self.baby.map(|baby| baby.to_string()).unwrap_or_default(),
            seen: code(self.seen, Seen::code),
            relationship: self.relationship,
            who_matters: self.who_matters,
            experience: self.experience,
            enjoy: self.enjoy,
            sharing_care: self.sharing_care,
            confidence: self.confidence,
            coping: self.coping,
            formulation: self.formulation,
            finish: yes_or_blank(self.finish),
            interpreter: self.interpreter.into_input(),
        };
        checked(input, problems)
    }
}

/// Record a relationship conversation
///
/// With the mother and/or people around the baby (not anyone marked do not involve), seen
/// together or separately. Every section is optional free text; `finish` finishes it,
/// otherwise it is kept to finish later. Cradle never scores a relationship.
#[utoipa::path(post, path = "/families/{id}/conversations", tag = TAG, params(FamilyPath),
    request_body = ConversationRecord,
    responses(
        (status = 201, description = "The conversation", body = Conversation),
        (status = 404, description = "No such family"),
        (status = 422, description = "The conversation has problems; nothing was saved"),
    ))]
async fn record_conversation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<ConversationRecord>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let saved = state
        .app
        .record_conversation(&staff.actor, &access, &input)
        .await
        .map_err(ConversationRecord::fields)?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// Save a relationship conversation again
///
/// Carries on or finishes a draft, or changes a finished conversation (`reason` required).
/// `version` must be the version being replaced: 409 if someone else saved it first. The
/// earlier version is kept.
#[utoipa::path(post, path = "/families/{id}/conversations/{conversation}", tag = TAG,
    params(ConversationPath),
    request_body = Corrected<ConversationRecord>,
    responses(
        (status = 200, description = "The conversation", body = Conversation),
        (status = 404, description = "No such family or conversation"),
        (status = 409, description = "Saved by someone else first"),
        (status = 422, description = "The conversation has problems; nothing was saved"),
    ))]
async fn save_conversation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, conversation)): Path<(String, String)>,
    Json(body): Json<Corrected<ConversationRecord>>,
) -> Result<Response, Failure> {
    let conversation = record_id(&conversation)?;
    let (input, version, reason) = body.into_input()?;
    let saved = state
        .app
        .save_conversation(
            &staff.actor,
            &access,
            conversation,
            &input,
            version,
            &reason,
        )
        .await
        .map_err(Corrected::<ConversationRecord>::fields)?;
    Ok(Json(saved).into_response())
}

/// An interaction observation of one caregiver with the baby.
#[derive(Deserialize, ToSchema)]
struct ObservationRecord {
    /// "mother" or a person's id (not anyone marked do not involve).
    caregiver: String,
    /// The baby observed, when the family has several; left out for all of them.
    #[serde(default)]
    baby: Option<BabyId>,
    /// When: not in the future.
    #[schema(format = Date)]
    observed_on: String,
    setting: cradle_domain::observations::Setting,
    /// What was seen.
    #[serde(default)]
    #[schema(max_length = 10000)]
    seen: String,
    /// The caregiver's sensitivity.
    #[serde(default)]
    #[schema(max_length = 10000)]
    sensitivity: String,
    /// Responding to the baby's cues.
    #[serde(default)]
    #[schema(max_length = 10000)]
    responsiveness: String,
    /// Holding the baby's needs and feelings in mind.
    #[serde(default)]
    #[schema(max_length = 10000)]
    mind: String,
    /// What the caregiver believes about the baby's behaviour.
    #[serde(default)]
    #[schema(max_length = 10000)]
    beliefs: String,
    /// A formal observational tool, with `tool_version`, `tool_result` and `trained_user`:
    /// all four or none.
    #[serde(default)]
    #[schema(max_length = 2000)]
    tool: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    tool_version: String,
    /// Exactly as the tool gives it; Cradle computes no score.
    #[serde(default)]
    #[schema(max_length = 2000)]
    tool_result: String,
    /// Who is trained to use the tool.
    #[serde(default)]
    #[schema(max_length = 2000)]
    trained_user: String,
    /// A positive moment seen during the observation (when recording, not correcting).
    #[serde(default)]
    #[schema(max_length = 10000)]
    moment: String,
    /// How the baby responded in the moment.
    #[serde(default)]
    baby_responses: Vec<BabyResponse>,
    /// How the moment was highlighted to the caregiver; required with a moment.
    #[serde(default)]
    #[schema(max_length = 2000)]
    fed_back: String,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

impl ApiBody for ObservationRecord {
    type Input = ObservationInput;
    const RENAMED: &'static [(&'static str, &'static str)] =
        &[("observed", "observed_on"), InterpreterAnswers::RENAMED];

    fn into_input(self) -> Result<ObservationInput, Failure> {
        let mut problems = Problems::default();
        let (observed_day, observed_month, observed_year) =
            date_boxes("observed_on", &self.observed_on, &mut problems);
        let input = ObservationInput {
            caregiver: self.caregiver,
            baby: self.baby.map(|baby| baby.to_string()).unwrap_or_default(),
            observed_day,
            observed_month,
            observed_year,
            setting: self.setting.code().to_string(),
            seen: self.seen,
            sensitivity: self.sensitivity,
            responsiveness: self.responsiveness,
            mind: self.mind,
            beliefs: self.beliefs,
            tool: self.tool,
            tool_version: self.tool_version,
            tool_result: self.tool_result,
            trained_user: self.trained_user,
            moment: self.moment,
            baby_responses: self
                .baby_responses
                .iter()
                .map(|response| response.code().to_string())
                .collect(),
            fed_back: self.fed_back,
            interpreter: self.interpreter.into_input(),
        };
        checked(input, problems)
    }
}

/// An observation recorded, with the positive moment written with it.
#[derive(Serialize, ToSchema)]
struct ObservationRecorded {
    observation: Observation,
    moment: Option<PositiveMoment>,
}

/// Record an interaction observation
///
/// Of one caregiver (not anyone marked do not involve) with the baby: the setting,
/// descriptive text (`seen`, `sensitivity`, `responsiveness`, `mind`, `beliefs`), a formal
/// tool's result exactly as given (`tool`, `tool_version`, `tool_result`, `trained_user`,
/// all or none), and an optional positive moment (`moment`, `baby_responses`, `fed_back`).
/// Cradle computes no score.
#[utoipa::path(post, path = "/families/{id}/observations", tag = TAG, params(FamilyPath),
    request_body = ObservationRecord,
    responses(
        (status = 201, description = "The observation and its positive moment", body = ObservationRecorded),
        (status = 404, description = "No such family"),
        (status = 422, description = "The observation has problems; nothing was saved"),
    ))]
async fn record_observation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<ObservationRecord>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let (observation, moment) = state
        .app
        .record_observation(&staff.actor, &access, &input)
        .await
        .map_err(ObservationRecord::fields)?;
    Ok((
        StatusCode::CREATED,
        Json(ObservationRecorded {
            observation,
            moment,
        }),
    )
        .into_response())
}

/// Correct an interaction observation
///
/// The whole observation as it should read (its positive moment stays as it was), with
/// `version` and `reason`. The earlier version is kept.
#[utoipa::path(post, path = "/families/{id}/observations/{observation}", tag = TAG,
    params(ObservationPath),
    request_body = Corrected<ObservationRecord>,
    responses(
        (status = 200, description = "The observation", body = Observation),
        (status = 404, description = "No such family or observation"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The observation has problems"),
    ))]
async fn amend_observation(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, observation)): Path<(String, String)>,
    Json(body): Json<Corrected<ObservationRecord>>,
) -> Result<Response, Failure> {
    let observation = record_id(&observation)?;
    let (input, version, reason) = body.into_input()?;
    let amended = state
        .app
        .amend_observation(&staff.actor, &access, observation, &input, version, &reason)
        .await
        .map_err(Corrected::<ObservationRecord>::fields)?;
    Ok(Json(amended).into_response())
}

/// A positive moment as it should read.
#[derive(Deserialize, ToSchema)]
struct MomentRecord {
    /// When it was noticed: not in the future.
    #[schema(format = Date)]
    noticed_on: String,
    /// What happened.
    #[schema(max_length = 10000)]
    moment: String,
    /// How the baby responded.
    #[serde(default)]
    baby_responses: Vec<BabyResponse>,
    /// How it was highlighted to the caregiver.
    #[schema(max_length = 2000)]
    fed_back: String,
}

impl ApiBody for MomentRecord {
    type Input = ObservationInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("observed", "noticed_on")];

    fn into_input(self) -> Result<Self::Input, Failure> {
        let mut problems = Problems::default();
        let (observed_day, observed_month, observed_year) =
            date_boxes("noticed_on", &self.noticed_on, &mut problems);
        let input = ObservationInput {
            observed_day,
            observed_month,
            observed_year,
            moment: self.moment,
            baby_responses: self
                .baby_responses
                .iter()
                .map(|response| response.code().to_string())
                .collect(),
            fed_back: self.fed_back,
            ..ObservationInput::default()
        };
        checked(input, problems)
    }
}

/// Correct a positive moment
///
/// What happened, how the baby responded, how it was fed back and the date, as they should
/// read, with `version` and `reason`. The earlier version is kept.
#[utoipa::path(post, path = "/families/{id}/moments/{moment}", tag = TAG, params(MomentPath),
    request_body = Corrected<MomentRecord>,
    responses(
        (status = 200, description = "The positive moment", body = PositiveMoment),
        (status = 404, description = "No such family or moment"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The moment has problems"),
    ))]
async fn amend_moment(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, moment)): Path<(String, String)>,
    Json(body): Json<Corrected<MomentRecord>>,
) -> Result<Response, Failure> {
    let moment = record_id(&moment)?;
    let (input, version, reason) = body.into_input()?;
    let amended = state
        .app
        .amend_moment(&staff.actor, &access, moment, &input, version, &reason)
        .await
        .map_err(Corrected::<MomentRecord>::fields)?;
    Ok(Json(amended).into_response())
}

/// A note of a family member's needs, strengths or confidence.
#[derive(Deserialize, ToSchema)]
struct NoteRecord {
    /// "mother", a person's id, or "family" (only for a shared understanding).
    subject: String,
    kind: NoteKind,
    #[schema(max_length = 5000)]
    text: String,
    /// When it was noted: not in the future.
    #[schema(format = Date)]
    noted_on: String,
}

impl ApiBody for NoteRecord {
    type Input = NoteInput;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("noted", "noted_on")];

    fn into_input(self) -> Result<NoteInput, Failure> {
        let mut problems = Problems::default();
        let (noted_day, noted_month, noted_year) =
            date_boxes("noted_on", &self.noted_on, &mut problems);
        let input = NoteInput {
            subject: self.subject,
            kind: self.kind.code().to_string(),
            text: self.text,
            noted_day,
            noted_month,
            noted_year,
        };
        checked(input, problems)
    }
}

/// Record a needs, strengths or confidence note
///
/// About the mother, a person in the family, or the family as a whole (only for the
/// family's shared understanding of the baby).
#[utoipa::path(post, path = "/families/{id}/notes", tag = TAG, params(FamilyPath),
    request_body = NoteRecord,
    responses(
        (status = 201, description = "The note", body = CaregiverNote),
        (status = 404, description = "No such family"),
        (status = 422, description = "The note has problems; nothing was saved"),
    ))]
async fn add_note(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<NoteRecord>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let note = state
        .app
        .add_note(&staff.actor, &access, &input)
        .await
        .map_err(NoteRecord::fields)?;
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

/// Correct a needs, strengths or confidence note
///
/// The whole note as it should read, with `version` (the version replaced: 409 if someone
/// else changed it first) and `reason` (required). The earlier version is kept.
#[utoipa::path(post, path = "/families/{id}/notes/{note}", tag = TAG, params(NotePath),
    request_body = Corrected<NoteRecord>,
    responses(
        (status = 200, description = "The note", body = CaregiverNote),
        (status = 404, description = "No such family or note"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The note has problems"),
    ))]
async fn amend_note(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, note)): Path<(String, String)>,
    Json(body): Json<Corrected<NoteRecord>>,
) -> Result<Response, Failure> {
    let note = record_id(&note)?;
    let (input, version, reason) = body.into_input()?;
    let amended = state
        .app
        .amend_note(&staff.actor, &access, note, &input, version, &reason)
        .await
        .map_err(Corrected::<NoteRecord>::fields)?;
    Ok(Json(amended).into_response())
}

/// A coping concern about one family member.
#[derive(Deserialize, ToSchema)]
struct ConcernRecord {
    /// "mother" or a person's id.
    about: String,
    /// What it is about.
    kinds: Vec<ConcernKind>,
    /// What worries the clinician.
    #[schema(max_length = 5000)]
    description: String,
    /// The conversation it came up in (when raising).
    #[serde(default)]
    conversation: Option<Uuid>,
}

impl ApiBody for ConcernRecord {
    type Input = ConcernInput;

    fn into_input(self) -> Result<ConcernInput, Failure> {
        Ok(ConcernInput {
            about: self.about,
            kinds: self
                .kinds
                .iter()
                .map(|kind| kind.code().to_string())
                .collect(),
            description: self.description,
            conversation: self
                .conversation
                .map(|conversation| conversation.to_string())
                .unwrap_or_default(),
        })
    }
}

/// Raise a coping concern
///
/// About one family member, with what it is about and what worries the clinician;
/// optionally the conversation it came up in. The family and caseload are flagged until it
/// is closed.
#[utoipa::path(post, path = "/families/{id}/concerns", tag = TAG, params(FamilyPath),
    request_body = ConcernRecord,
    responses(
        (status = 201, description = "The concern", body = Concern),
        (status = 404, description = "No such family"),
        (status = 422, description = "The concern has problems; nothing was saved"),
    ))]
async fn raise_concern(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<ConcernRecord>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let concern = state
        .app
        .raise_concern(&staff.actor, &access, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(concern)).into_response())
}

/// Correct what an open concern says
///
/// Who it is about, its kinds and description as they should read, with `version` and
/// `reason`; actions and closing are never rewritten. The earlier version is kept.
#[utoipa::path(post, path = "/families/{id}/concerns/{concern}", tag = TAG, params(ConcernPath),
    request_body = Corrected<ConcernRecord>,
    responses(
        (status = 200, description = "The concern", body = Concern),
        (status = 404, description = "No such family or open concern"),
        (status = 409, description = "Changed by someone else first"),
        (status = 422, description = "The concern has problems"),
    ))]
async fn amend_concern(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Json(body): Json<Corrected<ConcernRecord>>,
) -> Result<Response, Failure> {
    let concern = record_id(&concern)?;
    let (input, version, reason) = body.into_input()?;
    let amended = state
        .app
        .amend_concern(&staff.actor, &access, concern, &input, version, &reason)
        .await?;
    Ok(Json(amended).into_response())
}

/// What was done about a concern.
#[derive(Deserialize, ToSchema)]
struct ConcernActionRecord {
    action: ActionKind,
    /// The referral's reference; required for a safeguarding referral.
    #[serde(default)]
    #[schema(max_length = 100)]
    reference: String,
    /// Required for another action.
    #[serde(default)]
    #[schema(max_length = 5000)]
    note: String,
}

/// Record the action taken about a concern
///
/// A safety plan, information on coping with crying, a safeguarding referral (with its
/// `reference`), a discussion with a supervisor, or another action (with a `note`).
#[utoipa::path(post, path = "/families/{id}/concerns/{concern}/actions", tag = TAG,
    params(ConcernPath),
    request_body = ConcernActionRecord,
    responses(
        (status = 201, description = "The action", body = ConcernAction),
        (status = 404, description = "No such family"),
        (status = 409, description = "The concern is closed"),
        (status = 422, description = "The action has problems"),
    ))]
async fn record_concern_action(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Json(body): Json<ConcernActionRecord>,
) -> Result<Response, Failure> {
    let concern = record_id(&concern)?;
    let input = ActionInput {
        action: body.action.code().to_string(),
        reference: body.reference,
        note: body.note,
    };
    let action = state
        .app
        .record_concern_action(&staff.actor, &access, concern, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(action)).into_response())
}

/// Why a concern is closed.
#[derive(Deserialize, ToSchema)]
struct ConcernClosing {
    #[schema(max_length = 1000)]
    reason: String,
}

/// Close a concern
///
/// With a reason, once at least one action has been recorded.
#[utoipa::path(post, path = "/families/{id}/concerns/{concern}/close", tag = TAG,
    params(ConcernPath),
    request_body = ConcernClosing,
    responses(
        (status = 204, description = "Closed"),
        (status = 404, description = "No such family"),
        (status = 409, description = "The concern is already closed"),
        (status = 422, description = "No reason, or no action recorded yet"),
    ))]
async fn close_concern(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, concern)): Path<(String, String)>,
    Json(body): Json<ConcernClosing>,
) -> Result<Response, Failure> {
    let concern = record_id(&concern)?;
    state
        .app
        .close_concern(&staff.actor, &access, concern, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A routine enquiry about domestic abuse.
#[derive(Deserialize, ToSchema)]
struct EnquiryRecord {
    /// Who was asked: "mother" or a person's id.
    asked: String,
    /// Whether they were seen alone: only someone seen alone may be asked (422 otherwise).
    seen_alone: bool,
    /// When: not in the future.
    #[schema(format = Date)]
    asked_on: String,
    outcome: EnquiryOutcome,
    #[serde(default)]
    #[schema(max_length = 5000)]
    notes: String,
    /// After a disclosure: the person in the family they named, if any.
    #[serde(default)]
    named: Option<PersonId>,
    /// Mark the person named "do not involve", with `decided_by`, `reason` and `review_on`.
    #[serde(default)]
    do_not_involve: bool,
    /// Who decided (up to 200 characters): with `do_not_involve`.
    #[serde(default)]
    decided_by: String,
    /// Why (up to 1,000 characters): with `do_not_involve`.
    #[serde(default)]
    reason: String,
    /// When the decision is next to be reviewed: today or later.
    #[serde(default)]
    #[schema(format = Date)]
    review_on: Option<String>,
    #[serde(flatten)]
    interpreter: InterpreterAnswers,
}

impl ApiBody for EnquiryRecord {
    type Input = EnquiryInput;
    const RENAMED: &'static [(&'static str, &'static str)] =
        &[("review", "review_on"), InterpreterAnswers::RENAMED];

    fn into_input(self) -> Result<EnquiryInput, Failure> {
        let mut problems = Problems::default();
        let (asked_day, asked_month, asked_year) =
            date_boxes("asked_on", &self.asked_on, &mut problems);
        let (review_day, review_month, review_year) = date_boxes(
            "review_on",
            self.review_on.as_deref().unwrap_or_default(),
            &mut problems,
        );
        let input = EnquiryInput {
            asked: self.asked,
            seen_alone: yes_no(Some(self.seen_alone)),
            asked_day,
            asked_month,
            asked_year,
            outcome: self.outcome.code().to_string(),
            notes: self.notes,
            named: self
                .named
                .map(|named| named.to_string())
                .unwrap_or_default(),
            do_not_involve: yes_no(Some(self.do_not_involve)),
            decided_by: self.decided_by,
            reason: self.reason,
            review_day,
            review_month,
            review_year,
            interpreter: self.interpreter.into_input(),
        };
        checked(input, problems)
    }
}

/// Record a routine enquiry about domestic abuse
///
/// Only for someone seen alone. Recorded as a staff-only timeline entry: it reaches no
/// family-facing output, the asked person's own included. After a disclosure, the person
/// named can be marked do not involve in the same transaction (`do_not_involve` with
/// `decided_by`, `reason` and `review_on`), and the steps that follow a disclosure are
/// opened (see the family read's `disclosure_actions`).
#[utoipa::path(post, path = "/families/{id}/enquiries", tag = TAG, params(FamilyPath),
    request_body = EnquiryRecord,
    responses(
        (status = 201, description = "The timeline entry", body = Entry),
        (status = 404, description = "No such family"),
        (status = 422, description = "The enquiry has problems; nothing was saved"),
    ))]
async fn record_enquiry(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Json(body): Json<EnquiryRecord>,
) -> Result<Response, Failure> {
    let input = body.into_input()?;
    let entry = state
        .app
        .record_enquiry(&staff.actor, &access, &input)
        .await
        .map_err(EnquiryRecord::fields)?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// How a step after a disclosure was settled.
#[derive(Deserialize, ToSchema)]
struct DisclosureSettling {
    outcome: cradle_domain::disclosures::Outcome,
    /// For a risk assessment done: the form the service used ("SafeLives DASH RIC").
    #[serde(default)]
    #[schema(max_length = 200)]
    form_name: String,
    /// What was done (when done; for a risk assessment, its result as given).
    #[serde(default)]
    #[schema(max_length = 2000)]
    detail: String,
    /// Why it was not needed (when not needed).
    #[serde(default)]
    #[schema(max_length = 2000)]
    reason: String,
}

/// Settle a step after an abuse disclosure
///
/// Done, with what was done (`detail`; for a risk assessment, also `form_name`), or not
/// needed, with `reason`. Open steps show on the family page, the caseload and the home
/// page until settled.
#[utoipa::path(post, path = "/families/{id}/disclosure-actions/{action}", tag = TAG,
    params(ActionPath),
    request_body = DisclosureSettling,
    responses(
        (status = 200, description = "The settled step", body = DisclosureAction),
        (status = 404, description = "No such step in this family"),
        (status = 409, description = "The step was already settled"),
        (status = 422, description = "The settling has problems"),
    ))]
async fn settle_disclosure_action(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, action)): Path<(String, String)>,
    Json(body): Json<DisclosureSettling>,
) -> Result<Response, Failure> {
    let action = record_id(&action)?;
    let input = SettleInput {
        outcome: match body.outcome {
            cradle_domain::disclosures::Outcome::Done => "done",
            cradle_domain::disclosures::Outcome::NotNeeded => "not_needed",
        }
        .to_string(),
        form_name: body.form_name,
        detail: body.detail,
        reason: body.reason,
    };
    let settled = state
        .app
        .settle_disclosure_action(&staff.actor, &access, action, &input)
        .await?;
    Ok(Json(settled).into_response())
}
