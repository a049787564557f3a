//! Rows as both databases return them, and their conversion into domain types.

use crate::{AuditRecord, BreakGlassGrant, SessionRecord, SignedInRecord, StoreError, StoreResult};
use cradle_domain::baby::Gestation;
use cradle_domain::network::{
    CareShare, ChildProtectionStatus, ContactConsent, ContactFrequency, ContactRestriction,
    ParentalResponsibility, Person, Relationship, RelationshipKind, RelationshipNature,
    RelationshipTarget, RestrictionKind,
};
use cradle_domain::person::EthnicCategory;
use cradle_domain::{
    Baby, BabyId, Family, FamilyId, FamilySummary, PerinatalStage, PersonId, RelationshipId,
    RestrictionId, Role, Staff, StaffId, Team, TeamId,
};
use time::{macros::format_description, Date};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct TeamRow {
    pub id: Uuid,
    pub name: String,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Team {
            id: TeamId(row.id),
            name: row.name,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub label: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiTokenRow {
    pub fn into_token(self) -> crate::ApiToken {
        crate::ApiToken {
            id: self.id,
            staff_id: StaffId(self.staff_id),
            label: self.label,
            created_at_millis: self.created_at,
            expires_at_millis: self.expires_at,
            last_used_at_millis: self.last_used_at,
            revoked_at_millis: self.revoked_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub service_account: bool,
}

impl StaffRow {
    pub fn into_staff(self, teams: Vec<TeamId>) -> StoreResult<(Staff, Option<String>)> {
        let role = Role::parse("role", &self.role)
            .map_err(|_| StoreError::Database(sqlx::Error::Decode("unknown role code".into())))?;
        Ok((
            Staff {
                id: StaffId(self.id),
                username: self.username,
                display_name: self.display_name,
                role,
                teams,
                disabled: self.disabled,
                service_account: self.service_account,
            },
            self.password_hash,
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub token_hash: String,
    pub staff_id: Uuid,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub source: String,
}

impl From<SessionRow> for SessionRecord {
    fn from(row: SessionRow) -> Self {
        SessionRecord {
            token_hash: row.token_hash,
            staff_id: StaffId(row.staff_id),
            csrf_token: row.csrf_token,
            created_at_millis: row.created_at,
            last_seen_at_millis: row.last_seen_at,
            source: row.source,
        }
    }
}

/// A session joined to its account and one of the account's teams (a row per team).
#[derive(sqlx::FromRow)]
pub(crate) struct SessionStaffRow {
    #[sqlx(flatten)]
    pub session: SessionRow,
    #[sqlx(flatten)]
    pub staff: StaffRow,
    pub team_id: Option<Uuid>,
    pub family_team_id: Option<Uuid>,
    pub family_changes: Option<i64>,
    pub staff_changes: i64,
}

impl SessionStaffRow {
    /// Folds the rows of one session (one per team) into the session, its account and the
    /// asked-for family's team and change count.
    pub fn fold(rows: Vec<SessionStaffRow>) -> StoreResult<Option<SignedInRecord>> {
        let teams: Vec<TeamId> = rows.iter().filter_map(|r| r.team_id.map(TeamId)).collect();
        let Some(first) = rows.into_iter().next() else {
            return Ok(None);
        };
        let family = first
            .family_team_id
            .zip(first.family_changes)
            .map(|(team, changes)| (TeamId(team), changes));
        let staff_changes = first.staff_changes;
        let (staff, _) = first.staff.into_staff(teams)?;
        Ok(Some(SignedInRecord {
            session: first.session.into(),
            staff,
            staff_changes,
            family,
        }))
    }
}

pub(crate) fn date_text(date: Option<Date>) -> Option<String> {
    date.and_then(|d| d.format(format_description!("[year]-[month]-[day]")).ok())
}

pub(crate) fn parse_date_text(text: Option<String>) -> StoreResult<Option<Date>> {
    match text {
        None => Ok(None),
        Some(text) => Date::parse(&text, format_description!("[year]-[month]-[day]"))
            .map(Some)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e)))),
    }
}

fn parse_stage(code: &str) -> StoreResult<PerinatalStage> {
    PerinatalStage::from_code(code)
        .ok_or_else(|| StoreError::Database(sqlx::Error::Decode("unknown perinatal stage".into())))
}

fn decode_error(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("unknown {what} code").into()))
}

fn code<T>(parsed: Option<T>, what: &str) -> StoreResult<T> {
    parsed.ok_or_else(|| decode_error(what))
}

#[derive(sqlx::FromRow)]
pub(crate) struct FamilyRow {
    pub id: Uuid,
    pub team_id: Uuid,
    pub mother_name: String,
    pub mother_nhs_number: Option<String>,
    pub mother_date_of_birth: Option<String>,
    pub mother_postcode: Option<String>,
    pub mother_language: Option<String>,
    pub mother_interpreter_needed: bool,
    pub stage: String,
    pub referral_date: Option<String>,
    pub child_protection: String,
    pub created_at: i64,
    pub version: i64,
}

impl FamilyRow {
    pub fn into_family(self, babies: Vec<Baby>) -> StoreResult<Family> {
        Ok(Family {
            id: FamilyId(self.id),
            team_id: TeamId(self.team_id),
            mother_name: self.mother_name,
            mother_nhs_number: self.mother_nhs_number,
            mother_date_of_birth: parse_date_text(self.mother_date_of_birth)?,
            mother_postcode: self.mother_postcode,
            mother_language: cradle_domain::family::MotherLanguage {
                language: self.mother_language,
                interpreter_needed: self.mother_interpreter_needed,
            },
            stage: parse_stage(&self.stage)?,
            referral_date: parse_date_text(self.referral_date)?,
            child_protection: code(
                ChildProtectionStatus::from_code(&self.child_protection),
                "child protection",
            )?,
            babies,
            created_at_millis: self.created_at,
            version: self.version,
        })
    }
}

/// The family's row with its team's settings the record shows.
#[derive(sqlx::FromRow)]
pub(crate) struct FamilyWithTeamRow {
    #[sqlx(flatten)]
    pub family: FamilyRow,
    pub team_sessions_before_review: Option<i64>,
    pub team_pathway_roles: Option<String>,
    pub team_recording_retention: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct FamilySummaryRow {
    pub id: Uuid,
    pub team_id: Uuid,
    pub mother_name: String,
    pub mother_language: Option<String>,
    pub mother_interpreter_needed: bool,
    pub stage: String,
    pub open_plans: i64,
    pub review_sessions: i64,
    pub next_contact_on: Option<String>,
    pub last_plan_closed_on: Option<String>,
    pub sessions_before_review: Option<i64>,
}

impl FamilySummaryRow {
    pub fn into_summary(self, babies: Vec<Baby>) -> StoreResult<FamilySummary> {
        Ok(FamilySummary {
            id: FamilyId(self.id),
            team_id: TeamId(self.team_id),
            mother_name: self.mother_name,
            stage: parse_stage(&self.stage)?,
            babies,
            involved: Vec::new(),
            restrictions: Vec::new(),
            open_concerns: 0,
            interpreters: Vec::new(),
            mother_interpreter: cradle_domain::network::interpreter_note(
                self.mother_interpreter_needed,
                self.mother_language.as_deref(),
            ),
            open_alerts: 0,
            open_disclosure_actions: 0,
            pathway_steps: Vec::new(),
            care: cradle_domain::family::CareCounts {
                open_plans: u32::try_from(self.open_plans).unwrap_or(0),
                attended_since_review: u32::try_from(self.review_sessions).unwrap_or(0),
                next_contact: parse_date_text(self.next_contact_on)?,
                last_plan_ended: parse_date_text(self.last_plan_closed_on)?,
                sessions_before_review: self
                    .sessions_before_review
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(cradle_domain::care_plans::DEFAULT_SESSIONS_BEFORE_REVIEW),
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BabyRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub name: Option<String>,
    pub date_of_birth: Option<String>,
    pub due_date: Option<String>,
    pub gestation_days: Option<i64>,
    pub nhs_number: Option<String>,
}

impl BabyRow {
    pub fn into_baby(self) -> StoreResult<(FamilyId, Baby)> {
        let gestation_at_birth = self.gestation_days.map(|days| Gestation {
            weeks: u8::try_from(days / 7).unwrap_or(0),
            days: u8::try_from(days % 7).unwrap_or(0),
        });
        Ok((
            FamilyId(self.family_id),
            Baby {
                id: BabyId(self.id),
                name: self.name,
                date_of_birth: parse_date_text(self.date_of_birth)?,
                due_date: parse_date_text(self.due_date)?,
                gestation_at_birth,
                nhs_number: self.nhs_number,
            },
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub postcode: Option<String>,
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub cultural_notes: Option<String>,
    pub contact_consent: String,
    pub version: i64,
    pub date_of_birth: Option<String>,
    pub age_band: Option<String>,
    pub sex: Option<String>,
}

impl PersonRow {
    pub fn into_person(self) -> StoreResult<Person> {
        Ok(Person {
            id: PersonId(self.id),
            name: self.name,
            phone: self.phone,
            email: self.email,
            postcode: self.postcode,
            preferred_language: self.preferred_language,
            interpreter_needed: self.interpreter_needed,
            ethnicity: match self.ethnicity {
                Some(c) => Some(code(EthnicCategory::from_code(&c), "ethnicity")?),
                None => None,
            },
            religion: self.religion,
            cultural_notes: self.cultural_notes,
            contact_consent: code(ContactConsent::from_code(&self.contact_consent), "consent")?,
            version: self.version,
            date_of_birth: parse_date_text(self.date_of_birth)?,
            age_band: match self.age_band {
                Some(band) => Some(code(
                    cradle_domain::network::AgeBand::from_code(&band),
                    "age band",
                )?),
                None => None,
            },
            sex: match self.sex {
                Some(sex) => Some(code(cradle_domain::network::Sex::from_code(&sex), "sex")?),
                None => None,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RelationshipRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub baby_id: Option<Uuid>,
    pub kind: String,
    pub lives_with_baby: bool,
    pub care_share: String,
    pub contact_frequency: String,
    pub nature: Option<String>,
    pub parental_responsibility: String,
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
    pub version: i64,
}

impl RelationshipRow {
    pub fn into_relationship(self) -> StoreResult<Relationship> {
        Ok(Relationship {
            id: RelationshipId(self.id),
            person_id: PersonId(self.person_id),
            target: match self.baby_id {
                Some(id) => RelationshipTarget::Baby(BabyId(id)),
                None => RelationshipTarget::Mother,
            },
            kind: code(RelationshipKind::from_code(&self.kind), "relationship")?,
            lives_with_baby: self.lives_with_baby,
            care_share: code(CareShare::from_code(&self.care_share), "care share")?,
            contact_frequency: code(
                ContactFrequency::from_code(&self.contact_frequency),
                "contact frequency",
            )?,
            nature: match self.nature {
                Some(n) => Some(code(RelationshipNature::from_code(&n), "nature")?),
                None => None,
            },
            parental_responsibility: code(
                ParentalResponsibility::from_code(&self.parental_responsibility),
                "parental responsibility",
            )?,
            started_on: parse_date_text(self.started_on)?,
            ended_on: parse_date_text(self.ended_on)?,
            end_reason: self.end_reason,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RestrictionRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub kind: String,
    pub decided_by: String,
    pub reason: String,
    pub until: Option<String>,
    pub recorded_at: i64,
    pub lifted_at: Option<i64>,
    /// Read only with the family's whole record, where a decision's history is shown.
    #[sqlx(default)]
    pub lifted_by: Option<String>,
    #[sqlx(default)]
    pub lifted_reason: Option<String>,
    #[sqlx(default)]
    pub renewed_as: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RestrictionWithFamilyRow {
    pub family_id: Uuid,
    #[sqlx(flatten)]
    pub restriction: RestrictionRow,
}

impl RestrictionWithFamilyRow {
    pub fn split(self) -> (Uuid, RestrictionRow) {
        (self.family_id, self.restriction)
    }
}

impl RestrictionRow {
    pub fn into_restriction(self) -> StoreResult<ContactRestriction> {
        Ok(ContactRestriction {
            id: RestrictionId(self.id),
            person_id: PersonId(self.person_id),
            kind: code(RestrictionKind::from_code(&self.kind), "restriction")?,
            decided_by: self.decided_by,
            reason: self.reason,
            review_on: parse_date_text(self.until)?,
            recorded_at_millis: self.recorded_at,
            lifted_at_millis: self.lifted_at,
            lifted_by: self.lifted_by,
            lifted_reason: self.lifted_reason,
            renewed_as: self.renewed_as.map(RestrictionId),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub family_id: Uuid,
    pub reason: String,
    pub granted_at: i64,
    pub expires_at: i64,
}

impl From<GrantRow> for BreakGlassGrant {
    fn from(row: GrantRow) -> Self {
        BreakGlassGrant {
            id: row.id,
            staff_id: StaffId(row.staff_id),
            family_id: FamilyId(row.family_id),
            reason: row.reason,
            granted_at_millis: row.granted_at,
            expires_at_millis: row.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<Uuid>,
    pub actor_username: String,
    pub actor_role: Option<String>,
    pub team_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<Uuid>,
    pub source: String,
    pub break_glass_reason: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        AuditRecord {
            seq: row.seq,
            at_millis: row.at,
            actor_id: row.actor_id.map(StaffId),
            actor_username: row.actor_username,
            actor_role: row.actor_role,
            team_id: row.team_id.map(TeamId),
            action: row.action,
            outcome: row.outcome,
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            source: row.source,
            break_glass_reason: row.break_glass_reason,
            detail: row.detail,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConversationRow {
    pub id: Uuid,
    pub held_on: Option<String>,
    pub participants: String,
    pub baby_id: Option<Uuid>,
    pub seen: String,
    pub answers: String,
    pub formulation: Option<String>,
    pub status: String,
    pub recorded_by: String,
    pub saved_at: i64,
    pub version: i64,
    pub interpreter: Option<String>,
}

impl ConversationRow {
    pub fn into_conversation(self) -> StoreResult<cradle_domain::conversations::Conversation> {
        use cradle_domain::conversations::{Conversation, ConversationStatus, Seen};
        let json = |what: &str, e: serde_json::Error| {
            StoreError::Database(sqlx::Error::Decode(format!("{what}: {e}").into()))
        };
        let participants: Vec<String> =
            serde_json::from_str(&self.participants).map_err(|e| json("participants", e))?;
        Ok(Conversation {
            id: self.id,
            held_on: parse_date_text(self.held_on)?,
            participants: participants
                .iter()
                .map(|p| code(cradle_domain::entries::Member::parse(p), "participant"))
                .collect::<StoreResult<_>>()?,
            baby: self.baby_id.map(cradle_domain::BabyId),
            seen: code(Seen::from_code(&self.seen), "seen")?,
            answers: serde_json::from_str(&self.answers).map_err(|e| json("answers", e))?,
            interpreter: match &self.interpreter {
                Some(text) => Some(serde_json::from_str(text).map_err(|e| json("interpreter", e))?),
                None => None,
            },
            formulation: self.formulation,
            status: code(
                ConversationStatus::from_code(&self.status),
                "conversation status",
            )?,
            recorded_by: self.recorded_by,
            saved_at_millis: self.saved_at,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConcernRow {
    pub id: Uuid,
    pub about: String,
    pub conversation_id: Option<Uuid>,
    pub kinds: String,
    pub description: String,
    pub raised_at: i64,
    pub raised_by: String,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConcernActionRow {
    pub id: Uuid,
    pub concern_id: Uuid,
    pub action: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub recorded_at: i64,
    pub recorded_by: String,
}

impl ConcernRow {
    pub fn into_concern(
        self,
        actions: &[ConcernActionRow],
    ) -> StoreResult<cradle_domain::concerns::Concern> {
        use cradle_domain::concerns::{ActionKind, Closure, Concern, ConcernAction, ConcernKind};
        let kinds: Vec<String> = serde_json::from_str(&self.kinds).map_err(|e| {
            StoreError::Database(sqlx::Error::Decode(format!("concern kinds: {e}").into()))
        })?;
        Ok(Concern {
            id: self.id,
            about: code(
                cradle_domain::entries::Member::parse(&self.about),
                "concern subject",
            )?,
            conversation: self.conversation_id,
            kinds: kinds
                .iter()
                .map(|k| code(ConcernKind::from_code(k), "concern kind"))
                .collect::<StoreResult<_>>()?,
            description: self.description,
            raised_at_millis: self.raised_at,
            raised_by: self.raised_by,
            actions: actions
                .iter()
                .filter(|a| a.concern_id == self.id)
                .map(|a| {
                    Ok(ConcernAction {
                        id: a.id,
                        kind: code(ActionKind::from_code(&a.action), "concern action")?,
                        reference: a.reference.clone(),
                        note: a.note.clone(),
                        recorded_at_millis: a.recorded_at,
                        recorded_by: a.recorded_by.clone(),
                    })
                })
                .collect::<StoreResult<_>>()?,
            closure: match (self.closed_at, self.closed_by, self.close_reason) {
                (Some(at), Some(by), Some(reason)) => Some(Closure {
                    reason,
                    closed_at_millis: at,
                    closed_by: by,
                }),
                _ => None,
            },
            version: self.version,
        })
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("{what}: {e}").into())))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ObservationRow {
    pub id: Uuid,
    pub caregiver: String,
    pub baby_id: Option<Uuid>,
    pub observed_on: Option<String>,
    pub setting: String,
    pub descriptors: String,
    pub tool: Option<String>,
    pub recorded_by: String,
    pub recorded_at: i64,
    pub version: i64,
    pub interpreter: Option<String>,
}

impl ObservationRow {
    pub fn into_observation(self) -> StoreResult<cradle_domain::observations::Observation> {
        use cradle_domain::observations::{Observation, Setting};
        Ok(Observation {
            id: self.id,
            caregiver: code(
                cradle_domain::entries::Member::parse(&self.caregiver),
                "caregiver",
            )?,
            baby: self.baby_id.map(cradle_domain::BabyId),
            observed_on: parse_date_text(self.observed_on)?,
            setting: code(Setting::from_code(&self.setting), "setting")?,
            descriptors: decode_json("descriptors", &self.descriptors)?,
            tool: self
                .tool
                .as_deref()
                .map(|t| decode_json("tool", t))
                .transpose()?,
            interpreter: self
                .interpreter
                .as_deref()
                .map(|i| decode_json("interpreter", i))
                .transpose()?,
            recorded_by: self.recorded_by,
            recorded_at_millis: self.recorded_at,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MomentRow {
    pub id: Uuid,
    pub caregiver: String,
    pub observation_id: Option<Uuid>,
    pub noticed_on: Option<String>,
    pub what_happened: String,
    pub baby_responses: String,
    pub fed_back: String,
    pub recorded_by: String,
    pub recorded_at: i64,
    pub version: i64,
}

impl MomentRow {
    pub fn into_moment(self) -> StoreResult<cradle_domain::observations::PositiveMoment> {
        use cradle_domain::observations::{BabyResponse, PositiveMoment};
        let responses: Vec<String> = decode_json("baby responses", &self.baby_responses)?;
        Ok(PositiveMoment {
            id: self.id,
            caregiver: code(
                cradle_domain::entries::Member::parse(&self.caregiver),
                "caregiver",
            )?,
            observation: self.observation_id,
            noticed_on: parse_date_text(self.noticed_on)?,
            what_happened: self.what_happened,
            baby_responses: responses
                .iter()
                .map(|r| code(BabyResponse::from_code(r), "baby response"))
                .collect::<StoreResult<_>>()?,
            fed_back: self.fed_back,
            recorded_by: self.recorded_by,
            recorded_at_millis: self.recorded_at,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoteRow {
    pub id: Uuid,
    pub subject: String,
    pub kind: String,
    pub text: String,
    pub noted_on: Option<String>,
    pub recorded_by: String,
    pub recorded_at: i64,
    pub version: i64,
}

impl NoteRow {
    pub fn into_note(self) -> StoreResult<cradle_domain::needs::CaregiverNote> {
        use cradle_domain::needs::{CaregiverNote, NoteKind, NoteSubject};
        Ok(CaregiverNote {
            id: self.id,
            subject: code(NoteSubject::parse(&self.subject), "note subject")?,
            kind: code(NoteKind::from_code(&self.kind), "note kind")?,
            text: self.text,
            noted_on: parse_date_text(self.noted_on)?,
            recorded_by: self.recorded_by,
            recorded_at_millis: self.recorded_at,
            version: self.version,
        })
    }
}
