//! Storage of families and the people around the baby: the family and its babies, people,
//! relationships, do not contact / do not involve decisions, the history of amended records,
//! import, the caseload, what needs attention and the search for people already known. The
//! SQL is in `backend/families.rs`.

use crate::*;
use async_trait::async_trait;
use cradle_domain::network::{ChildProtectionStatus, ContactRestriction, Person, Relationship};
use cradle_domain::Family;
use cradle_domain::{Baby, FamilyId, PersonId, RestrictionId, StaffId, TeamId};
use uuid::Uuid;

/// Which sections of a family's record a read loads besides its core. The core (the family
/// with its babies, the people around the baby, their relationships, the do not contact and
/// do not involve decisions, and the team's settings the record shows) is always loaded;
/// a section not asked for is left empty. Every part of one read comes from one snapshot
/// of the database, so a page never mixes two moments of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sections {
    /// Relationship conversations, coping concerns, observations, positive moments, and
    /// needs, strengths and confidence notes.
    pub relationship_work: bool,
    /// Care plans with their goals, sessions and reviews; interventions offered; group
    /// enrolments with attendance.
    pub care: bool,
    /// Partner pathways, questionnaire responses and partner assessments.
    pub pathway: bool,
    /// The family timeline's entries (staff-only ones included) and the actions taken on
    /// disclosures.
    pub timeline: bool,
    /// Video feedback: consents to film.
    pub video: bool,
}

impl Sections {
    /// The core alone.
    pub const CORE: Self = Self {
        relationship_work: false,
        care: false,
        pathway: false,
        timeline: false,
        video: false,
    };
    /// The whole record: what the family page and the API's read of a family show.
    pub const ALL: Self = Self {
        relationship_work: true,
        care: true,
        pathway: true,
        timeline: true,
        video: true,
    };
    pub const RELATIONSHIP_WORK: Self = Self {
        relationship_work: true,
        ..Self::CORE
    };
    pub const CARE: Self = Self {
        care: true,
        ..Self::CORE
    };
    pub const PATHWAY: Self = Self {
        pathway: true,
        ..Self::CORE
    };
    pub const TIMELINE: Self = Self {
        timeline: true,
        ..Self::CORE
    };
    pub const VIDEO: Self = Self {
        video: true,
        ..Self::CORE
    };

    /// These sections and `other`'s.
    pub const fn and(self, other: Self) -> Self {
        Self {
            relationship_work: self.relationship_work || other.relationship_work,
            care: self.care || other.care,
            pathway: self.pathway || other.pathway,
            timeline: self.timeline || other.timeline,
            video: self.video || other.video,
        }
    }
}

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

    /// The section of the family's record that holds records of this kind.
    pub fn section(self) -> Sections {
        match self {
            RecordKind::Person
            | RecordKind::Relationship
            | RecordKind::Baby
            | RecordKind::Family => Sections::CORE,
            RecordKind::Conversation
            | RecordKind::Observation
            | RecordKind::Note
            | RecordKind::Moment
            | RecordKind::Concern => Sections::RELATIONSHIP_WORK,
        }
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
pub trait FamilyStore: Send + Sync {
    // Families.
    async fn create_family(
        &self,
        family: &Family,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Which team a family belongs to: enough to decide access, without reading the record.
    async fn family_team(&self, id: FamilyId) -> StoreResult<Option<TeamId>>;

    /// The family's team and the stamp of what its record shows (raised by every change to the
    /// record and to the team settings it shows), in one lookup: what an access check reads.
    async fn family_stamp(&self, id: FamilyId) -> StoreResult<Option<(TeamId, i64)>>;

    /// The family's record, its core and the `sections` asked for, read in one snapshot and
    /// audited. `changes` is the record's stamp read by the access check just made: a copy
    /// of the record made at that stamp (of these sections, or of the whole record) is as good
    /// as reading it again, and is shared rather than copied.
    async fn read_family(
        &self,
        id: FamilyId,
        changes: i64,
        sections: Sections,
        audit: AuditEntry,
    ) -> StoreResult<Option<std::sync::Arc<cradle_domain::network::FamilyRecord>>>;

    async fn list_families(
        &self,
        query: &FamilyQuery,
        audit: AuditEntry,
    ) -> StoreResult<FamilyPage>;

    /// What needs attention across the teams' families, most urgent first: unactioned safety
    /// alerts, open coping concerns, safety decisions past their review date and care plan
    /// reviews overdue (at most 200 of each kind a team). Audited, naming every family shown.
    async fn needs_attention(
        &self,
        teams: &[TeamId],
        today: time::Date,
        audit: AuditEntry,
    ) -> StoreResult<Vec<cradle_domain::attention::AttentionItem>>;

    /// Creates whole families (babies, people, relationships) in one transaction, each with
    /// its own audit record in the same transaction.
    async fn import_families(
        &self,
        records: &[cradle_domain::network::FamilyRecord],
        created_by: StaffId,
        audits: Vec<AuditEntry>,
    ) -> StoreResult<()>;

    /// The parts of the family's record a change checks (its core and `sections`), read in
    /// one snapshot before making it. Not audited as a read: nothing of it is shown, and the
    /// change it checks is audited.
    async fn load_record_for_change(
        &self,
        family: FamilyId,
        sections: Sections,
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
}
