//! Storage of the family network: babies, people, relationships, restrictions and the
//! history of amended records. Like `sql.rs`, written once for both databases.

use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::network::{ChildProtectionStatus, ContactRestriction, Person, Relationship};
use cradle_domain::{Baby, FamilyId, PersonId, RestrictionId, StaffId, TeamId};
use uuid::Uuid;

/// Why and by whom a record was changed; the earlier version is kept as `previous_snapshot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    /// The earlier version as JSON, readable later by those allowed.
    pub previous_snapshot: String,
    /// The version being replaced; the change fails if someone else replaced it first.
    pub previous_version: i64,
    pub changed_by: StaffId,
    pub at_millis: i64,
    pub reason: String,
}

/// One earlier version of an amended record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVersion {
    pub version: i64,
    pub snapshot: String,
    pub replaced_at_millis: i64,
    pub replaced_by: String,
    pub reason: String,
}

/// What kind of record a history belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Person,
    Relationship,
    Baby,
    Family,
    Conversation,
    Observation,
    Note,
    Moment,
    Concern,
}

impl RecordKind {
    pub fn from_code(code: &str) -> Option<Self> {
        [
            RecordKind::Person,
            RecordKind::Relationship,
            RecordKind::Baby,
            RecordKind::Family,
            RecordKind::Conversation,
            RecordKind::Observation,
            RecordKind::Note,
            RecordKind::Moment,
            RecordKind::Concern,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Relationship => "relationship",
            RecordKind::Baby => "baby",
            RecordKind::Family => "family",
            RecordKind::Conversation => "conversation",
            RecordKind::Observation => "observation",
            RecordKind::Note => "note",
            RecordKind::Moment => "moment",
            RecordKind::Concern => "concern",
        }
    }
}

#[async_trait]
pub trait NetworkStore: Send + Sync {
    /// Creates whole families (babies, people, relationships) in one transaction, each with
    /// its own audit record in the same transaction.
    async fn import_families(
        &self,
        records: &[cradle_domain::network::FamilyRecord],
        created_by: StaffId,
        audits: Vec<AuditEntry>,
    ) -> StoreResult<()>;
    /// The family's record, read to check a change before making it. Not audited as a read:
    /// nothing of it is shown, and the change it checks is audited.
    async fn load_record_for_change(
        &self,
        family: FamilyId,
    ) -> StoreResult<Option<cradle_domain::network::FamilyRecord>>;
    /// Adds a new person and makes them a member of the family.
    async fn add_person(
        &self,
        family: FamilyId,
        person: &Person,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Makes an existing person (say, a grandparent already known to another family) a member.
    async fn link_person(
        &self,
        family: FamilyId,
        person: PersonId,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a person's details, keeping the earlier version. `NotFound` if the person is
    /// not in the family; `Conflict` if someone else changed them first.
    async fn amend_person(
        &self,
        family: FamilyId,
        person: &Person,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn add_relationship(
        &self,
        family: FamilyId,
        relationship: &Relationship,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn amend_relationship(
        &self,
        family: FamilyId,
        relationship: &Relationship,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn add_baby(
        &self,
        family: FamilyId,
        baby: &Baby,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a baby's details (recording the birth, naming the baby); the family becomes
    /// postnatal when any baby is born.
    async fn amend_baby(
        &self,
        family: FamilyId,
        baby: &Baby,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn set_child_protection(
        &self,
        family: FamilyId,
        status: ChildProtectionStatus,
        timeline: &cradle_domain::entries::Entry,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces the mother's own details (name, NHS number, date of birth, postcode) and the
    /// referral date, keeping the earlier version; `Conflict` if the family changed first.
    async fn amend_mother(
        &self,
        family: FamilyId,
        details: &cradle_domain::family::MotherDetails,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn add_restriction(
        &self,
        family: FamilyId,
        restriction: &ContactRestriction,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a decision in force by its renewal (a new review date and reason), keeping the
    /// earlier decision, closed and pointing to the renewal, in one transaction.
    async fn renew_restriction(
        &self,
        family: FamilyId,
        earlier: RestrictionId,
        renewal: &ContactRestriction,
        renewed_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn lift_restriction(
        &self,
        family: FamilyId,
        id: RestrictionId,
        lifted_by: StaffId,
        reason: &str,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn add_entry(
        &self,
        family: FamilyId,
        entry: &cradle_domain::entries::Entry,
        written_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Writes the audit record of a printout or export (the data was read with the record).
    async fn record_export(&self, audit: AuditEntry) -> StoreResult<()>;
    /// Earlier versions of one record, oldest first; the viewing is audited. A person is one
    /// record in every family they belong to, so their versions come from all of them.
    async fn record_history(
        &self,
        family: FamilyId,
        kind: RecordKind,
        id: Uuid,
        audit: AuditEntry,
    ) -> StoreResult<Vec<RecordVersion>>;
    /// People in the given teams' families whose name starts with `name_prefix` (lower
    /// case) and who are not already in family `exclude`, each with the families of those
    /// teams they belong to and the safety decisions in force about them there. Audited:
    /// it shows names from other families.
    async fn find_known_people(
        &self,
        teams: &[TeamId],
        name_prefix: &str,
        exclude: FamilyId,
        limit: u32,
        audit: AuditEntry,
    ) -> StoreResult<Vec<cradle_domain::network::KnownPerson>>;
    /// The families a person belongs to, with each family's team.
    async fn person_families(&self, person: PersonId) -> StoreResult<Vec<(FamilyId, TeamId)>>;
    /// A routine enquiry about domestic abuse, recorded as a timeline entry shared in
    /// confidence, with (after a disclosure) the "do not involve" decision about the person
    /// named, all in one transaction with one audit record each.
    async fn record_enquiry(
        &self,
        family: FamilyId,
        entry: &cradle_domain::entries::Entry,
        written_by: StaffId,
        restriction: Option<&ContactRestriction>,
        actions: &[cradle_domain::disclosures::DisclosureAction],
        audits: Vec<AuditEntry>,
    ) -> StoreResult<()>;
    /// Settles one open step after a disclosure; `NotFound` if it is not this family's or
    /// has been settled already.
    async fn settle_disclosure_action(
        &self,
        family: FamilyId,
        action: &cradle_domain::disclosures::DisclosureAction,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records an interaction observation and, when one was seen, its positive moment, in
    /// one transaction.
    async fn record_observation(
        &self,
        family: FamilyId,
        observation: &cradle_domain::observations::Observation,
        moment: Option<&cradle_domain::observations::PositiveMoment>,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces an observation's details (its positive moment stays as it was), keeping the
    /// version replaced; `Conflict` if someone else changed it first.
    async fn amend_observation(
        &self,
        family: FamilyId,
        observation: &cradle_domain::observations::Observation,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a positive moment, keeping the version replaced.
    async fn amend_moment(
        &self,
        family: FamilyId,
        moment: &cradle_domain::observations::PositiveMoment,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces what an open concern says (who, what about, description), keeping the version
    /// replaced; its actions and closing are never rewritten.
    async fn amend_concern(
        &self,
        family: FamilyId,
        concern: &cradle_domain::concerns::Concern,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Replaces a needs, strengths or confidence note, keeping the version replaced.
    async fn amend_note(
        &self,
        family: FamilyId,
        note: &cradle_domain::needs::CaregiverNote,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records a needs, strengths or confidence note.
    async fn add_note(
        &self,
        family: FamilyId,
        note: &cradle_domain::needs::CaregiverNote,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Raises a coping concern (its actions and closure come later).
    async fn raise_concern(
        &self,
        family: FamilyId,
        concern: &cradle_domain::concerns::Concern,
        raised_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records an action taken about an open concern; `NotFound` if there is no such open
    /// concern in the family.
    async fn add_concern_action(
        &self,
        family: FamilyId,
        concern: Uuid,
        action: &cradle_domain::concerns::ConcernAction,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Closes an open concern with a reason; `NotFound` if there is no such open concern.
    async fn close_concern(
        &self,
        family: FamilyId,
        concern: Uuid,
        reason: &str,
        closed_by: StaffId,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Records a relationship conversation (`change` is `None`), or saves a new version of
    /// one (`change` names the version replaced, kept with who, when and why; `Conflict` if
    /// someone else saved it first).
    async fn save_conversation(
        &self,
        family: FamilyId,
        conversation: &cradle_domain::conversations::Conversation,
        recorded_by: StaffId,
        change: Option<&Amendment>,
        audit: AuditEntry,
    ) -> StoreResult<()>;
}

macro_rules! network_sql {
    ($store:ty, $db:ty) => {
        use cradle_domain::network::{
            ChildProtectionStatus, ContactRestriction, Person, Relationship, RelationshipTarget,
        };
        use cradle_domain::{PersonId, RestrictionId};

        const PERSON_COLUMNS: &str = "p.id, p.name, p.phone, p.email, p.postcode, p.preferred_language, p.interpreter_needed, p.ethnicity, p.religion, p.cultural_notes, p.contact_consent, p.version, p.date_of_birth, p.age_band, p.sex";
        const RELATIONSHIP_COLUMNS: &str = "id, person_id, baby_id, kind, lives_with_baby, care_share, contact_frequency, nature, started_on, ended_on, end_reason, version";

        impl $store {
            pub(crate) async fn insert_baby(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                position: i64,
                baby: &Baby,
                at_millis: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO babies (id, family_id, position, name, date_of_birth, due_date, gestation_days, nhs_number, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(baby.id.0)
                .bind(family.0)
                .bind(position)
                .bind(&baby.name)
                .bind(date_text(baby.date_of_birth))
                .bind(date_text(baby.due_date))
                .bind(baby.gestation_at_birth.map(|g| g.total_days()))
                .bind(&baby.nhs_number)
                .bind(at_millis)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// The family with its babies, people, relationships and restrictions. Not audited
            /// here: callers audit the read that shows it.
            pub(crate) async fn load_family_record(&self, id: FamilyId) -> StoreResult<Option<FamilyRecord>> {
                let row: Option<FamilyRow> =
                    sqlx::query_as(&format!("SELECT {FAMILY_COLUMNS} FROM families WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let babies: Vec<BabyRow> = sqlx::query_as(&format!(
                    "SELECT {BABY_COLUMNS} FROM babies WHERE family_id = $1 ORDER BY position"
                ))
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let babies = babies
                    .into_iter()
                    .map(|b| b.into_baby().map(|(_, baby)| baby))
                    .collect::<StoreResult<Vec<_>>>()?;
                let people: Vec<PersonRow> = sqlx::query_as(&format!(
                    "SELECT {PERSON_COLUMNS} FROM people p JOIN family_people fp ON fp.person_id = p.id \
                     WHERE fp.family_id = $1 ORDER BY fp.added_at, p.id"
                ))
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let relationships: Vec<RelationshipRow> = sqlx::query_as(&format!(
                    "SELECT {RELATIONSHIP_COLUMNS} FROM relationships WHERE family_id = $1 ORDER BY created_at, id"
                ))
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let restrictions: Vec<RestrictionRow> = sqlx::query_as(
                    "SELECT r.id, r.person_id, r.kind, r.decided_by, r.reason, r.until, r.recorded_at, r.lifted_at, \
                     s.display_name AS lifted_by, r.lifted_reason, r.renewed_as \
                     FROM contact_restrictions r LEFT JOIN staff s ON s.id = r.lifted_by \
                     WHERE r.family_id = $1 ORDER BY r.recorded_at, r.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let entry_rows: Vec<(Uuid, String, Option<Uuid>, bool, Option<Uuid>, bool, String, i64, String)> = sqlx::query_as(
                    "SELECT e.id, e.kind, e.about_person, e.about_mother, e.confided_by_person, e.confided_by_mother, e.text, e.written_at, s.display_name \
                     FROM family_entries e JOIN staff s ON s.id = e.written_by WHERE e.family_id = $1 ORDER BY e.written_at, e.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let conversations: Vec<ConversationRow> = sqlx::query_as(
                    "SELECT c.id, c.held_on, c.participants, c.baby_id, c.seen, c.answers, c.formulation, c.status, \
                     s.display_name AS recorded_by, c.saved_at, c.version, c.interpreter \
                     FROM conversations c JOIN staff s ON s.id = c.recorded_by WHERE c.family_id = $1 ORDER BY c.held_on, c.saved_at, c.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let concern_rows: Vec<ConcernRow> = sqlx::query_as(
                    "SELECT c.id, c.about, c.conversation_id, c.kinds, c.description, c.raised_at, r.display_name AS raised_by, \
                     c.closed_at, s.display_name AS closed_by, c.close_reason, c.version \
                     FROM concerns c JOIN staff r ON r.id = c.raised_by LEFT JOIN staff s ON s.id = c.closed_by \
                     WHERE c.family_id = $1 ORDER BY c.raised_at, c.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let action_rows: Vec<ConcernActionRow> = sqlx::query_as(
                    "SELECT a.id, a.concern_id, a.action, a.reference, a.note, a.recorded_at, s.display_name AS recorded_by \
                     FROM concern_actions a JOIN staff s ON s.id = a.recorded_by WHERE a.family_id = $1 ORDER BY a.recorded_at, a.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let concerns = concern_rows
                    .into_iter()
                    .map(|row| row.into_concern(&action_rows))
                    .collect::<StoreResult<Vec<_>>>()?;
                let observations: Vec<ObservationRow> = sqlx::query_as(
                    "SELECT o.id, o.caregiver, o.baby_id, o.observed_on, o.setting, o.descriptors, o.tool, \
                     s.display_name AS recorded_by, o.recorded_at, o.version, o.interpreter \
                     FROM observations o JOIN staff s ON s.id = o.recorded_by WHERE o.family_id = $1 ORDER BY o.observed_on, o.recorded_at, o.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let moments: Vec<MomentRow> = sqlx::query_as(
                    "SELECT m.id, m.caregiver, m.observation_id, m.noticed_on, m.what_happened, m.baby_responses, m.fed_back, \
                     s.display_name AS recorded_by, m.recorded_at, m.version \
                     FROM positive_moments m JOIN staff s ON s.id = m.recorded_by WHERE m.family_id = $1 ORDER BY m.noticed_on, m.recorded_at, m.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let notes: Vec<NoteRow> = sqlx::query_as(
                    "SELECT n.id, n.subject, n.kind, n.text, n.noted_on, s.display_name AS recorded_by, n.recorded_at, n.version \
                     FROM caregiver_notes n JOIN staff s ON s.id = n.recorded_by WHERE n.family_id = $1 ORDER BY n.noted_on, n.recorded_at, n.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let member = |person: Option<Uuid>, mother: bool| match (person, mother) {
                    (Some(p), _) => Some(cradle_domain::entries::Member::Person(PersonId(p))),
                    (None, true) => Some(cradle_domain::entries::Member::Mother),
                    (None, false) => None,
                };
                let entries = entry_rows
                    .into_iter()
                    .map(|(entry_id, kind, about_person, about_mother, by_person, by_mother, text, written_at, written_by)| {
                        // An unknown kind is treated as staff-only: never printed by mistake.
                        let kind = cradle_domain::entries::EntryKind::from_code(&kind)
                            .unwrap_or(cradle_domain::entries::EntryKind::Safeguarding);
                        cradle_domain::entries::Entry {
                            id: entry_id,
                            kind,
                            about: member(about_person, about_mother),
                            confided_by: member(by_person, by_mother),
                            text,
                            written_at_millis: written_at,
                            written_by,
                        }
                    })
                    .collect();
                let disclosure_rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT record FROM disclosure_actions WHERE family_id = $1 ORDER BY raised_at, id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                let disclosure_actions = disclosure_rows
                    .iter()
                    .map(|(record,)| $crate::care::from_json(record, "disclosure action"))
                    .collect::<StoreResult<Vec<cradle_domain::disclosures::DisclosureAction>>>()?;
                let family = row.into_family(babies)?;
                let care = self.load_care(id, family.team_id).await?;
                Ok(Some(FamilyRecord {
                    disclosure_actions,
                    entries,
                    concerns,
                    plans: care.plans,
                    interventions: care.interventions,
                    groups: care.groups,
                    sessions_before_review: care.sessions_before_review,
                    pathways: care.pathways,
                    responses: care.responses,
                    pathway_roles: care.pathway_roles,
                    partner_assessments: care.partner_assessments,
                    notes: notes
                        .into_iter()
                        .map(NoteRow::into_note)
                        .collect::<StoreResult<_>>()?,
                    observations: observations
                        .into_iter()
                        .map(ObservationRow::into_observation)
                        .collect::<StoreResult<_>>()?,
                    moments: moments
                        .into_iter()
                        .map(MomentRow::into_moment)
                        .collect::<StoreResult<_>>()?,
                    conversations: conversations
                        .into_iter()
                        .map(ConversationRow::into_conversation)
                        .collect::<StoreResult<_>>()?,
                    family,
                    people: people.into_iter().map(PersonRow::into_person).collect::<StoreResult<_>>()?,
                    relationships: relationships
                        .into_iter()
                        .map(RelationshipRow::into_relationship)
                        .collect::<StoreResult<_>>()?,
                    restrictions: restrictions
                        .into_iter()
                        .map(RestrictionRow::into_restriction)
                        .collect::<StoreResult<_>>()?,
                }))
            }

            /// A safety decision about a member of the family, inside the caller's transaction.
            async fn insert_restriction(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                restriction: &ContactRestriction,
                recorded_by: StaffId,
            ) -> StoreResult<()> {
                Self::require_member(tx, family, restriction.person_id).await?;
                sqlx::query(
                    "INSERT INTO contact_restrictions (id, family_id, person_id, kind, decided_by, reason, until, recorded_at, recorded_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(restriction.id.0)
                .bind(family.0)
                .bind(restriction.person_id.0)
                .bind(restriction.kind.code())
                .bind(&restriction.decided_by)
                .bind(&restriction.reason)
                .bind(date_text(restriction.review_on))
                .bind(restriction.recorded_at_millis)
                .bind(recorded_by.0)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Ends a decision still in force (lifted, or replaced by `renewed_as`), inside the
            /// caller's transaction; `NotFound` if it is not this family's or is already ended.
            async fn close_restriction(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                id: RestrictionId,
                by: StaffId,
                reason: &str,
                at_millis: i64,
                renewed_as: Option<RestrictionId>,
            ) -> StoreResult<()> {
                let changed = sqlx::query(
                    "UPDATE contact_restrictions SET lifted_at = $1, lifted_by = $2, lifted_reason = $3, renewed_as = $4 \
                     WHERE id = $5 AND family_id = $6 AND lifted_at IS NULL",
                )
                .bind(at_millis)
                .bind(by.0)
                .bind(reason)
                .bind(renewed_as.map(|r| r.0))
                .bind(id.0)
                .bind(family.0)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            /// A timeline entry about members of the family, inside the caller's transaction.
            async fn insert_entry(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                entry: &cradle_domain::entries::Entry,
                written_by: StaffId,
            ) -> StoreResult<()> {
                use cradle_domain::entries::Member;
                let person = |m: Option<Member>| match m {
                    Some(Member::Person(id)) => Some(id.0),
                    _ => None,
                };
                let mother = |m: Option<Member>| m == Some(Member::Mother);
                for member in [entry.about, entry.confided_by].into_iter().flatten() {
                    if let Member::Person(id) = member {
                        Self::require_member(tx, family, id).await?;
                    }
                }
                sqlx::query(
                    "INSERT INTO family_entries (id, family_id, about_person, about_mother, confided_by_person, confided_by_mother, text, written_at, written_by, kind) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(entry.id)
                .bind(family.0)
                .bind(person(entry.about))
                .bind(mother(entry.about))
                .bind(person(entry.confided_by))
                .bind(mother(entry.confided_by))
                .bind(&entry.text)
                .bind(entry.written_at_millis)
                .bind(written_by.0)
                .bind(entry.kind.code())
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            pub(crate) async fn insert_person(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                person: &Person,
                at_millis: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO people (id, name, name_lower, phone, email, postcode, preferred_language, interpreter_needed, ethnicity, religion, cultural_notes, contact_consent, version, created_at, date_of_birth, age_band, sex) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
                )
                .bind(person.id.0)
                .bind(&person.name)
                .bind(person.name.to_lowercase())
                .bind(&person.phone)
                .bind(&person.email)
                .bind(&person.postcode)
                .bind(&person.preferred_language)
                .bind(person.interpreter_needed)
                .bind(person.ethnicity.map(|e| e.code()))
                .bind(&person.religion)
                .bind(&person.cultural_notes)
                .bind(person.contact_consent.code())
                .bind(person.version)
                .bind(at_millis)
                .bind(date_text(person.date_of_birth))
                .bind(person.age_band.map(|b| b.code()))
                .bind(person.sex.map(|s| s.code()))
                .execute(&mut **tx)
                .await?;
                sqlx::query("INSERT INTO family_people (family_id, person_id, added_at) VALUES ($1, $2, $3)")
                    .bind(family.0)
                    .bind(person.id.0)
                    .bind(at_millis)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            pub(crate) async fn insert_relationship(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                relationship: &Relationship,
                at_millis: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO relationships (id, family_id, person_id, baby_id, kind, lives_with_baby, care_share, contact_frequency, nature, started_on, ended_on, end_reason, version, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(relationship.id.0)
                .bind(family.0)
                .bind(relationship.person_id.0)
                .bind(Self::baby_of(relationship.target))
                .bind(relationship.kind.code())
                .bind(relationship.lives_with_baby)
                .bind(relationship.care_share.code())
                .bind(relationship.contact_frequency.code())
                .bind(relationship.nature.map(|n| n.code()))
                .bind(date_text(relationship.started_on))
                .bind(date_text(relationship.ended_on))
                .bind(&relationship.end_reason)
                .bind(relationship.version)
                .bind(at_millis)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Several whole families in one transaction, each with its own audit record:
            /// for importing a caseload and for the synthetic caseloads benchmarks need.
            async fn create_family_records(
                &self,
                records: &[FamilyRecord],
                created_by: StaffId,
                audits: Vec<AuditEntry>,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                for record in records {
                    Self::insert_family(&mut tx, &record.family, created_by).await?;
                    for person in &record.people {
                        Self::insert_person(&mut tx, record.family.id, person, record.family.created_at_millis).await?;
                    }
                    for relationship in &record.relationships {
                        Self::insert_relationship(&mut tx, record.family.id, relationship, record.family.created_at_millis).await?;
                    }
                    for plan in &record.plans {
                        Self::insert_care_plan(&mut tx, record.family.id, plan, created_by).await?;
                    }
                }
                Self::write_audits(&mut tx, audits).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn require_member(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                person: PersonId,
            ) -> StoreResult<()> {
                // COUNT(*) is a 64-bit integer in both databases (a bare 1 is not).
                let found: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM family_people WHERE family_id = $1 AND person_id = $2",
                )
                .bind(family.0)
                .bind(person.0)
                .fetch_one(&mut **tx)
                .await?;
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn keep_version(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                kind: RecordKind,
                id: Uuid,
                change: &Amendment,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO record_versions (id, family_id, record_kind, record_id, version, snapshot, replaced_at, replaced_by, reason) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(Uuid::now_v7())
                .bind(family.0)
                .bind(kind.code())
                .bind(id)
                .bind(change.previous_version)
                .bind(&change.previous_snapshot)
                .bind(change.at_millis)
                .bind(change.changed_by.0)
                .bind(&change.reason)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// After an update that names the version it replaces: `NotFound` when there is no
            /// such record in the family, `Conflict` when someone else replaced it first.
            async fn replaced(
                tx: &mut sqlx::Transaction<'static, $db>,
                rows: u64,
                table: &'static str,
                id: Uuid,
                family: FamilyId,
                what: &'static str,
            ) -> StoreResult<()> {
                if rows > 0 {
                    return Ok(());
                }
                let exists: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE id = $1 AND family_id = $2"
                ))
                .bind(id)
                .bind(family.0)
                .fetch_one(&mut **tx)
                .await?;
                Err(if exists == 0 {
                    StoreError::NotFound
                } else {
                    StoreError::Conflict(what)
                })
            }

            fn baby_of(target: RelationshipTarget) -> Option<Uuid> {
                match target {
                    RelationshipTarget::Baby(id) => Some(id.0),
                    RelationshipTarget::Mother => None,
                }
            }

            async fn require_baby(
                tx: &mut sqlx::Transaction<'static, $db>,
                family: FamilyId,
                target: RelationshipTarget,
            ) -> StoreResult<()> {
                if let Some(baby) = Self::baby_of(target) {
                    let found: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM babies WHERE id = $1 AND family_id = $2",
                    )
                    .bind(baby)
                    .bind(family.0)
                    .fetch_one(&mut **tx)
                    .await?;
                    if found == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl NetworkStore for $store {
            async fn load_record_for_change(&self, family: FamilyId) -> StoreResult<Option<FamilyRecord>> {
                self.load_family_record(family).await
            }

            async fn add_person(&self, family: FamilyId, person: &Person, at_millis: i64, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::insert_person(&mut tx, family, person, at_millis).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn link_person(&self, family: FamilyId, person: PersonId, at_millis: i64, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO family_people (family_id, person_id, added_at) VALUES ($1, $2, $3)")
                    .bind(family.0)
                    .bind(person.0)
                    .bind(at_millis)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, "This person in this family"))?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_person(&self, family: FamilyId, person: &Person, change: &Amendment, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::require_member(&mut tx, family, person.id).await?;
                let changed = sqlx::query(
                    "UPDATE people SET name = $1, name_lower = $2, phone = $3, email = $4, postcode = $5, preferred_language = $6, \
                     interpreter_needed = $7, ethnicity = $8, religion = $9, cultural_notes = $10, contact_consent = $11, version = $12, \
                     date_of_birth = $15, age_band = $16, sex = $17 \
                     WHERE id = $13 AND version = $14",
                )
                .bind(&person.name)
                .bind(person.name.to_lowercase())
                .bind(&person.phone)
                .bind(&person.email)
                .bind(&person.postcode)
                .bind(&person.preferred_language)
                .bind(person.interpreter_needed)
                .bind(person.ethnicity.map(|e| e.code()))
                .bind(&person.religion)
                .bind(&person.cultural_notes)
                .bind(person.contact_consent.code())
                .bind(person.version)
                .bind(person.id.0)
                .bind(change.previous_version)
                .bind(date_text(person.date_of_birth))
                .bind(person.age_band.map(|b| b.code()))
                .bind(person.sex.map(|s| s.code()))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::Conflict("A newer version of this person's details"));
                }
                Self::keep_version(&mut tx, family, RecordKind::Person, person.id.0, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn add_relationship(&self, family: FamilyId, relationship: &Relationship, at_millis: i64, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::require_member(&mut tx, family, relationship.person_id).await?;
                Self::require_baby(&mut tx, family, relationship.target).await?;
                Self::insert_relationship(&mut tx, family, relationship, at_millis).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_relationship(&self, family: FamilyId, relationship: &Relationship, change: &Amendment, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::require_baby(&mut tx, family, relationship.target).await?;
                let changed = sqlx::query(
                    "UPDATE relationships SET baby_id = $1, kind = $2, lives_with_baby = $3, care_share = $4, contact_frequency = $5, nature = $6, \
                     started_on = $7, ended_on = $8, end_reason = $9, version = $10 \
                     WHERE id = $11 AND family_id = $12 AND person_id = $13 AND version = $14",
                )
                .bind(Self::baby_of(relationship.target))
                .bind(relationship.kind.code())
                .bind(relationship.lives_with_baby)
                .bind(relationship.care_share.code())
                .bind(relationship.contact_frequency.code())
                .bind(relationship.nature.map(|n| n.code()))
                .bind(date_text(relationship.started_on))
                .bind(date_text(relationship.ended_on))
                .bind(&relationship.end_reason)
                .bind(relationship.version)
                .bind(relationship.id.0)
                .bind(family.0)
                .bind(relationship.person_id.0)
                .bind(change.previous_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::Conflict("A newer version of this relationship"));
                }
                Self::keep_version(&mut tx, family, RecordKind::Relationship, relationship.id.0, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn add_baby(&self, family: FamilyId, baby: &Baby, at_millis: i64, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM babies WHERE family_id = $1")
                    .bind(family.0)
                    .fetch_one(&mut *tx)
                    .await?;
                Self::insert_baby(&mut tx, family, position + 1, baby, at_millis).await?;
                if baby.is_born() {
                    sqlx::query("UPDATE families SET stage = 'postnatal' WHERE id = $1")
                        .bind(family.0)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_baby(&self, family: FamilyId, baby: &Baby, change: &Amendment, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE babies SET name = $1, date_of_birth = $2, due_date = $3, gestation_days = $4, nhs_number = $5 \
                     WHERE id = $6 AND family_id = $7",
                )
                .bind(&baby.name)
                .bind(date_text(baby.date_of_birth))
                .bind(date_text(baby.due_date))
                .bind(baby.gestation_at_birth.map(|g| g.total_days()))
                .bind(&baby.nhs_number)
                .bind(baby.id.0)
                .bind(family.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                if baby.is_born() {
                    sqlx::query("UPDATE families SET stage = 'postnatal' WHERE id = $1")
                        .bind(family.0)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::keep_version(&mut tx, family, RecordKind::Baby, baby.id.0, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_child_protection(&self, family: FamilyId, status: ChildProtectionStatus, timeline: &cradle_domain::entries::Entry, change: &Amendment, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE families SET child_protection = $1, version = version + 1 WHERE id = $2 AND version = $3",
                )
                .bind(status.code())
                .bind(family.0)
                .bind(change.previous_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::Conflict("A newer version of this family record"));
                }
                Self::keep_version(&mut tx, family, RecordKind::Family, family.0, change).await?;
                Self::insert_entry(&mut tx, family, timeline, change.changed_by).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_mother(&self, family: FamilyId, details: &cradle_domain::family::MotherDetails, change: &Amendment, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE families SET mother_name = $1, mother_name_lower = $2, mother_nhs_number = $3, mother_date_of_birth = $4, \
                     mother_postcode = $5, referral_date = $6, mother_language = $9, mother_interpreter_needed = $10, version = version + 1 WHERE id = $7 AND version = $8",
                )
                .bind(&details.mother_name)
                .bind(details.mother_name.to_lowercase())
                .bind(&details.mother_nhs_number)
                .bind(date_text(details.mother_date_of_birth))
                .bind(&details.mother_postcode)
                .bind(date_text(details.referral_date))
                .bind(family.0)
                .bind(change.previous_version)
                .bind(&details.mother_language.language)
                .bind(details.mother_language.interpreter_needed)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::Conflict("A newer version of this family record"));
                }
                Self::keep_version(&mut tx, family, RecordKind::Family, family.0, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn add_restriction(&self, family: FamilyId, restriction: &ContactRestriction, recorded_by: StaffId, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::insert_restriction(&mut tx, family, restriction, recorded_by).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record_enquiry(
                &self,
                family: FamilyId,
                entry: &cradle_domain::entries::Entry,
                written_by: StaffId,
                restriction: Option<&ContactRestriction>,
                actions: &[cradle_domain::disclosures::DisclosureAction],
                audits: Vec<AuditEntry>,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::insert_entry(&mut tx, family, entry, written_by).await?;
                if let Some(restriction) = restriction {
                    Self::insert_restriction(&mut tx, family, restriction, written_by).await?;
                }
                for action in actions {
                    sqlx::query(
                        "INSERT INTO disclosure_actions (id, family_id, entry_id, step, open, record, raised_at, raised_by) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(action.id)
                    .bind(family.0)
                    .bind(action.enquiry)
                    .bind(action.step.code())
                    .bind(i64::from(action.is_open()))
                    .bind($crate::care::to_json(action)?)
                    .bind(action.raised_at_millis)
                    .bind(written_by.0)
                    .execute(&mut *tx)
                    .await?;
                }
                Self::write_audits(&mut tx, audits).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn settle_disclosure_action(
                &self,
                family: FamilyId,
                action: &cradle_domain::disclosures::DisclosureAction,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE disclosure_actions SET record = $1, open = 0 WHERE id = $2 AND family_id = $3 AND open = 1",
                )
                .bind($crate::care::to_json(action)?)
                .bind(action.id)
                .bind(family.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn add_entry(&self, family: FamilyId, entry: &cradle_domain::entries::Entry, written_by: StaffId, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::insert_entry(&mut tx, family, entry, written_by).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn lift_restriction(&self, family: FamilyId, id: RestrictionId, lifted_by: StaffId, reason: &str, at_millis: i64, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::close_restriction(&mut tx, family, id, lifted_by, reason, at_millis, None).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn renew_restriction(&self, family: FamilyId, earlier: RestrictionId, renewal: &ContactRestriction, renewed_by: StaffId, audit: AuditEntry) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::insert_restriction(&mut tx, family, renewal, renewed_by).await?;
                let said = format!("Renewed: {}", renewal.reason);
                Self::close_restriction(&mut tx, family, earlier, renewed_by, &said, renewal.recorded_at_millis, Some(renewal.id)).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn import_families(&self, records: &[FamilyRecord], created_by: StaffId, audits: Vec<AuditEntry>) -> StoreResult<()> {
                self.create_family_records(records, created_by, audits).await
            }

            async fn record_export(&self, audit: AuditEntry) -> StoreResult<()> {
                self.audit.append(audit).await
            }

            async fn record_history(&self, family: FamilyId, kind: RecordKind, id: Uuid, audit: AuditEntry) -> StoreResult<Vec<RecordVersion>> {
                let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
                    "SELECT v.version, v.snapshot, v.replaced_at, s.display_name, v.reason FROM record_versions v \
                     JOIN staff s ON s.id = v.replaced_by \
                     WHERE (v.family_id = $1 OR v.record_kind = 'person') AND v.record_kind = $2 AND v.record_id = $3 \
                     ORDER BY v.replaced_at, v.version",
                )
                .bind(family.0)
                .bind(kind.code())
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                self.audit.append(audit).await?;
                Ok(rows
                    .into_iter()
                    .map(|(version, snapshot, replaced_at_millis, replaced_by, reason)| RecordVersion {
                        version,
                        snapshot,
                        replaced_at_millis,
                        replaced_by,
                        reason,
                    })
                    .collect())
            }

            async fn find_known_people(
                &self,
                teams: &[TeamId],
                name_prefix: &str,
                exclude: FamilyId,
                limit: u32,
                audit: AuditEntry,
            ) -> StoreResult<Vec<cradle_domain::network::KnownPerson>> {
                use crate::sql::Bind;
                use cradle_domain::network::{KnownFamily, KnownPerson};
                if teams.is_empty() {
                    return Ok(Vec::new());
                }
                let placeholders = |from: usize, count: usize| {
                    (from..from + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
                };
                // Teams first ($1…), then the name range and the family left out.
                let mut binds: Vec<Bind> = teams.iter().map(|t| Bind::Id(t.0)).collect();
                let team_list = placeholders(1, teams.len());
                let n = binds.len();
                binds.push(Bind::Text(name_prefix.to_string()));
                binds.push(Bind::Text(format!("{name_prefix}\u{10FFFF}")));
                binds.push(Bind::Id(exclude.0));
                let sql = format!(
                    "SELECT DISTINCT {PERSON_COLUMNS}, p.name_lower FROM people p \
                     JOIN family_people fp ON fp.person_id = p.id JOIN families f ON f.id = fp.family_id \
                     WHERE f.team_id IN ({team_list}) AND p.name_lower >= ${} AND p.name_lower < ${} \
                     AND p.id NOT IN (SELECT person_id FROM family_people WHERE family_id = ${}) \
                     ORDER BY p.name_lower, p.id LIMIT {limit}",
                    n + 1,
                    n + 2,
                    n + 3
                );
                let q = crate::sql::bind_all!(sqlx::query_as::<_, PersonRow>(&sql), binds);
                let people: Vec<Person> = q
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(PersonRow::into_person)
                    .collect::<StoreResult<_>>()?;
                let mut known: Vec<KnownPerson> = people
                    .into_iter()
                    .map(|person| KnownPerson { person, families: Vec::new() })
                    .collect();
                if !known.is_empty() {
                    // Their families in these teams, and the decisions in force there.
                    let mut binds: Vec<Bind> = teams.iter().map(|t| Bind::Id(t.0)).collect();
                    binds.extend(known.iter().map(|k| Bind::Id(k.person.id.0)));
                    let people_list = placeholders(teams.len() + 1, known.len());
                    let sql = format!(
                        "SELECT fp.person_id, f.id, f.mother_name FROM family_people fp JOIN families f ON f.id = fp.family_id \
                         WHERE f.team_id IN ({team_list}) AND fp.person_id IN ({people_list}) ORDER BY f.mother_name_lower, f.id"
                    );
                    let q = crate::sql::bind_all!(sqlx::query_as::<_, (Uuid, Uuid, String)>(&sql), binds);
                    let memberships = q.fetch_all(&self.pool).await?;
                    let binds: Vec<Bind> = known.iter().map(|k| Bind::Id(k.person.id.0)).collect();
                    let sql = format!(
                        "SELECT family_id, id, person_id, kind, decided_by, reason, until, recorded_at, lifted_at FROM contact_restrictions \
                         WHERE lifted_at IS NULL AND person_id IN ({})",
                        placeholders(1, known.len())
                    );
                    let q = crate::sql::bind_all!(sqlx::query_as::<_, RestrictionWithFamilyRow>(&sql), binds);
                    let mut restrictions = Vec::new();
                    for row in q.fetch_all(&self.pool).await? {
                        let (family, row) = row.split();
                        restrictions.push((family, row.into_restriction()?));
                    }
                    for entry in &mut known {
                        entry.families = memberships
                            .iter()
                            .filter(|(person, _, _)| *person == entry.person.id.0)
                            .map(|(_, family, mother)| KnownFamily {
                                family_id: FamilyId(*family),
                                mother_name: mother.clone(),
                                restrictions: restrictions
                                    .iter()
                                    .filter(|(f, r)| *f == *family && r.person_id == entry.person.id)
                                    .map(|(_, r)| r.clone())
                                    .collect(),
                            })
                            .collect();
                    }
                }
                let mut audit = audit;
                let shown: Vec<String> = known.iter().map(|k| k.person.id.to_string()).collect();
                audit.detail = format!("{}; {} shown: {}", audit.detail, known.len(), shown.join(" "));
                self.audit.append(audit).await?;
                Ok(known)
            }

            async fn record_observation(
                &self,
                family: FamilyId,
                observation: &cradle_domain::observations::Observation,
                moment: Option<&cradle_domain::observations::PositiveMoment>,
                recorded_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let encoded = |json: serde_json::Result<String>| {
                    json.map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
                };
                let descriptors = encoded(serde_json::to_string(&observation.descriptors))?;
                let tool = observation
                    .tool
                    .as_ref()
                    .map(|t| encoded(serde_json::to_string(t)))
                    .transpose()?;
                let interpreter = observation
                    .interpreter
                    .as_ref()
                    .map(|i| encoded(serde_json::to_string(i)))
                    .transpose()?;
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO observations (id, family_id, caregiver, baby_id, observed_on, setting, descriptors, tool, recorded_by, recorded_at, interpreter) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(observation.id)
                .bind(family.0)
                .bind(observation.caregiver.code())
                .bind(observation.baby.map(|b| b.0))
                .bind(date_text(observation.observed_on))
                .bind(observation.setting.code())
                .bind(&descriptors)
                .bind(&tool)
                .bind(recorded_by.0)
                .bind(observation.recorded_at_millis)
                .bind(&interpreter)
                .execute(&mut *tx)
                .await?;
                if let Some(moment) = moment {
                    let responses = encoded(serde_json::to_string(
                        &moment.baby_responses.iter().map(|r| r.code()).collect::<Vec<_>>(),
                    ))?;
                    sqlx::query(
                        "INSERT INTO positive_moments (id, family_id, caregiver, observation_id, noticed_on, what_happened, baby_responses, fed_back, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(moment.id)
                    .bind(family.0)
                    .bind(moment.caregiver.code())
                    .bind(moment.observation)
                    .bind(date_text(moment.noticed_on))
                    .bind(&moment.what_happened)
                    .bind(&responses)
                    .bind(&moment.fed_back)
                    .bind(recorded_by.0)
                    .bind(moment.recorded_at_millis)
                    .execute(&mut *tx)
                    .await?;
                }
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_observation(
                &self,
                family: FamilyId,
                observation: &cradle_domain::observations::Observation,
                change: &Amendment,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let encoded = |json: serde_json::Result<String>| {
                    json.map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
                };
                let descriptors = encoded(serde_json::to_string(&observation.descriptors))?;
                let tool = observation
                    .tool
                    .as_ref()
                    .map(|t| encoded(serde_json::to_string(t)))
                    .transpose()?;
                let interpreter = observation
                    .interpreter
                    .as_ref()
                    .map(|i| encoded(serde_json::to_string(i)))
                    .transpose()?;
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE observations SET caregiver = $1, baby_id = $2, observed_on = $3, setting = $4, descriptors = $5, tool = $6, version = $7, interpreter = $11 \
                     WHERE id = $8 AND family_id = $9 AND version = $10",
                )
                .bind(observation.caregiver.code())
                .bind(observation.baby.map(|b| b.0))
                .bind(date_text(observation.observed_on))
                .bind(observation.setting.code())
                .bind(&descriptors)
                .bind(&tool)
                .bind(observation.version)
                .bind(observation.id)
                .bind(family.0)
                .bind(change.previous_version)
                .bind(&interpreter)
                .execute(&mut *tx)
                .await?;
                Self::replaced(&mut tx, updated.rows_affected(), "observations", observation.id, family, "This observation").await?;
                Self::keep_version(&mut tx, family, RecordKind::Observation, observation.id, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_moment(
                &self,
                family: FamilyId,
                moment: &cradle_domain::observations::PositiveMoment,
                change: &Amendment,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let responses = serde_json::to_string(
                    &moment.baby_responses.iter().map(|r| r.code()).collect::<Vec<_>>(),
                )
                .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE positive_moments SET what_happened = $1, baby_responses = $2, fed_back = $3, noticed_on = $4, version = $5 \
                     WHERE id = $6 AND family_id = $7 AND version = $8",
                )
                .bind(&moment.what_happened)
                .bind(&responses)
                .bind(&moment.fed_back)
                .bind(date_text(moment.noticed_on))
                .bind(moment.version)
                .bind(moment.id)
                .bind(family.0)
                .bind(change.previous_version)
                .execute(&mut *tx)
                .await?;
                Self::replaced(&mut tx, updated.rows_affected(), "positive_moments", moment.id, family, "This positive moment").await?;
                Self::keep_version(&mut tx, family, RecordKind::Moment, moment.id, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_concern(
                &self,
                family: FamilyId,
                concern: &cradle_domain::concerns::Concern,
                change: &Amendment,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let kinds = serde_json::to_string(
                    &concern.kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
                )
                .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE concerns SET about = $1, kinds = $2, description = $3, version = $4 \
                     WHERE id = $5 AND family_id = $6 AND version = $7 AND closed_at IS NULL",
                )
                .bind(concern.about.code())
                .bind(&kinds)
                .bind(&concern.description)
                .bind(concern.version)
                .bind(concern.id)
                .bind(family.0)
                .bind(change.previous_version)
                .execute(&mut *tx)
                .await?;
                Self::replaced(&mut tx, updated.rows_affected(), "concerns", concern.id, family, "This concern").await?;
                Self::keep_version(&mut tx, family, RecordKind::Concern, concern.id, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn amend_note(
                &self,
                family: FamilyId,
                note: &cradle_domain::needs::CaregiverNote,
                change: &Amendment,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE caregiver_notes SET subject = $1, kind = $2, text = $3, noted_on = $4, version = $5 \
                     WHERE id = $6 AND family_id = $7 AND version = $8",
                )
                .bind(note.subject.code())
                .bind(note.kind.code())
                .bind(&note.text)
                .bind(date_text(note.noted_on))
                .bind(note.version)
                .bind(note.id)
                .bind(family.0)
                .bind(change.previous_version)
                .execute(&mut *tx)
                .await?;
                Self::replaced(&mut tx, updated.rows_affected(), "caregiver_notes", note.id, family, "This note").await?;
                Self::keep_version(&mut tx, family, RecordKind::Note, note.id, change).await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn add_note(
                &self,
                family: FamilyId,
                note: &cradle_domain::needs::CaregiverNote,
                recorded_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO caregiver_notes (id, family_id, subject, kind, text, noted_on, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(note.id)
                .bind(family.0)
                .bind(note.subject.code())
                .bind(note.kind.code())
                .bind(&note.text)
                .bind(date_text(note.noted_on))
                .bind(recorded_by.0)
                .bind(note.recorded_at_millis)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn raise_concern(
                &self,
                family: FamilyId,
                concern: &cradle_domain::concerns::Concern,
                raised_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let kinds = serde_json::to_string(
                    &concern.kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
                )
                .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO concerns (id, family_id, about, conversation_id, kinds, description, raised_at, raised_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(concern.id)
                .bind(family.0)
                .bind(concern.about.code())
                .bind(concern.conversation)
                .bind(&kinds)
                .bind(&concern.description)
                .bind(concern.raised_at_millis)
                .bind(raised_by.0)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn add_concern_action(
                &self,
                family: FamilyId,
                concern: Uuid,
                action: &cradle_domain::concerns::ConcernAction,
                recorded_by: StaffId,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let open: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM concerns WHERE id = $1 AND family_id = $2 AND closed_at IS NULL",
                )
                .bind(concern)
                .bind(family.0)
                .fetch_one(&mut *tx)
                .await?;
                if open == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(
                    "INSERT INTO concern_actions (id, concern_id, family_id, action, reference, note, recorded_at, recorded_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(action.id)
                .bind(concern)
                .bind(family.0)
                .bind(action.kind.code())
                .bind(&action.reference)
                .bind(&action.note)
                .bind(action.recorded_at_millis)
                .bind(recorded_by.0)
                .execute(&mut *tx)
                .await?;
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn close_concern(
                &self,
                family: FamilyId,
                concern: Uuid,
                reason: &str,
                closed_by: StaffId,
                at_millis: i64,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let closed = sqlx::query(
                    "UPDATE concerns SET closed_at = $1, closed_by = $2, close_reason = $3 \
                     WHERE id = $4 AND family_id = $5 AND closed_at IS NULL",
                )
                .bind(at_millis)
                .bind(closed_by.0)
                .bind(reason)
                .bind(concern)
                .bind(family.0)
                .execute(&mut *tx)
                .await?;
                if closed.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn save_conversation(
                &self,
                family: FamilyId,
                conversation: &cradle_domain::conversations::Conversation,
                recorded_by: StaffId,
                change: Option<&Amendment>,
                audit: AuditEntry,
            ) -> StoreResult<()> {
                let encoded = |json: serde_json::Result<String>| {
                    json.map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
                };
                let participants = encoded(serde_json::to_string(
                    &conversation.participants.iter().map(|m| m.code()).collect::<Vec<_>>(),
                ))?;
                let answers = encoded(serde_json::to_string(&conversation.answers))?;
                let interpreter = conversation
                    .interpreter
                    .as_ref()
                    .map(|i| encoded(serde_json::to_string(i)))
                    .transpose()?;
                let mut tx = self.begin_write().await?;
                match change {
                    None => {
                        sqlx::query(
                            "INSERT INTO conversations (id, family_id, held_on, participants, baby_id, seen, answers, formulation, status, recorded_by, saved_at, version, interpreter) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                        )
                        .bind(conversation.id)
                        .bind(family.0)
                        .bind(date_text(conversation.held_on))
                        .bind(&participants)
                        .bind(conversation.baby.map(|b| b.0))
                        .bind(conversation.seen.code())
                        .bind(&answers)
                        .bind(&conversation.formulation)
                        .bind(conversation.status.code())
                        .bind(recorded_by.0)
                        .bind(conversation.saved_at_millis)
                        .bind(conversation.version)
                        .bind(&interpreter)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Some(change) => {
                        let updated = sqlx::query(
                            "UPDATE conversations SET held_on = $1, participants = $2, baby_id = $3, seen = $4, answers = $5, \
                             formulation = $6, status = $7, recorded_by = $8, saved_at = $9, version = $10, interpreter = $14 \
                             WHERE id = $11 AND family_id = $12 AND version = $13",
                        )
                        .bind(date_text(conversation.held_on))
                        .bind(&participants)
                        .bind(conversation.baby.map(|b| b.0))
                        .bind(conversation.seen.code())
                        .bind(&answers)
                        .bind(&conversation.formulation)
                        .bind(conversation.status.code())
                        .bind(recorded_by.0)
                        .bind(conversation.saved_at_millis)
                        .bind(conversation.version)
                        .bind(conversation.id)
                        .bind(family.0)
                        .bind(change.previous_version)
                        .bind(&interpreter)
                        .execute(&mut *tx)
                        .await?;
                        if updated.rows_affected() == 0 {
                            let exists: i64 = sqlx::query_scalar(
                                "SELECT COUNT(*) FROM conversations WHERE id = $1 AND family_id = $2",
                            )
                            .bind(conversation.id)
                            .bind(family.0)
                            .fetch_one(&mut *tx)
                            .await?;
                            return Err(if exists == 0 {
                                StoreError::NotFound
                            } else {
                                StoreError::Conflict("This conversation")
                            });
                        }
                        Self::keep_version(&mut tx, family, RecordKind::Conversation, conversation.id, change).await?;
                    }
                }
                Self::write_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn person_families(&self, person: PersonId) -> StoreResult<Vec<(FamilyId, TeamId)>> {
                let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
                    "SELECT f.id, f.team_id FROM family_people fp JOIN families f ON f.id = fp.family_id WHERE fp.person_id = $1",
                )
                .bind(person.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(f, t)| (FamilyId(f), TeamId(t))).collect())
            }
        }
    };
}

pub(crate) use network_sql;
