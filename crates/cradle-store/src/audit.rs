//! The audit trail as stored: appending, reading back, the chain's head, and emergency
//! (break-glass) access grants.

use crate::*;
use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::{FamilyId, StaffId, SubjectKind, TeamId};
use uuid::Uuid;

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn grant_break_glass(
        &self,
        grant: &BreakGlassGrant,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Every use of emergency access to the teams' families, newest first (at most 500 a
    /// team); the viewing is audited.
    async fn break_glass_uses(
        &self,
        teams: &[TeamId],
        audit: AuditEntry,
    ) -> StoreResult<Vec<BreakGlassUse>>;

    async fn active_break_glass(
        &self,
        staff_id: StaffId,
        family_id: FamilyId,
        now_millis: i64,
    ) -> StoreResult<Option<BreakGlassGrant>>;

    // The audit trail.
    /// Writes an audit record on its own, for events that change nothing else (a denial).
    async fn append_audit(&self, entry: AuditEntry) -> StoreResult<()>;

    /// Who accessed one record, newest first; the viewing itself is audited.
    async fn audit_for_subject(
        &self,
        kind: SubjectKind,
        id: Uuid,
        limit: u32,
        audit: AuditEntry,
    ) -> StoreResult<Vec<AuditRecord>>;

    /// Records in chain order from `after_seq`, for verification.
    async fn audit_records_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>>;

    /// The newest link of the chain: (sequence number, hash).
    async fn audit_head(&self) -> StoreResult<(i64, String)>;

    /// Writes the audit record of a printout or export (the data was read with the record).
    async fn record_export(&self, audit: AuditEntry) -> StoreResult<()>;
}
