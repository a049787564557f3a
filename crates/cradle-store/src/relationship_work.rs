//! Relationship work with each family: conversations, observations, positive moments, notes,
//! concerns, and enquiries about abuse with their disclosure actions. Each change is audited in
//! its own transaction and keeps the record's history.

use crate::*;
use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::network::ContactRestriction;
use cradle_domain::{FamilyId, StaffId};
use uuid::Uuid;

#[async_trait]
pub trait RelationshipWorkStore: Send + Sync {
    async fn add_entry(
        &self,
        family: FamilyId,
        entry: &cradle_domain::entries::Entry,
        written_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

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
