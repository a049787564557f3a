//! Group programmes (parenting groups, peer support): groups, enrolments and registers.

use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::groups::{AttendanceMark, Enrolment, Group, GroupRegister};
use cradle_domain::{StaffId, TeamId};
use uuid::Uuid;

#[async_trait]
pub trait GroupStore: Send + Sync {
    async fn create_group(
        &self,
        group: &Group,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Replaces a group's details and sessions; `Conflict` if its sessions changed since
    /// `previous_sessions` were read.
    async fn update_group(
        &self,
        group: &Group,
        previous_sessions: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// The groups the teams run, newest first (no members: not clinical data).
    async fn groups_of(&self, teams: &[TeamId]) -> StoreResult<Vec<Group>>;

    /// A group with everyone enrolled and every mark. Not audited here: the register names
    /// family members, so callers audit the view that shows it.
    async fn group_register(&self, group: Uuid) -> StoreResult<Option<GroupRegister>>;

    /// Enrols a family member; `Conflict` if the group is full or they are enrolled already.
    async fn enrol(
        &self,
        enrolment: &Enrolment,
        capacity: u32,
        enrolled_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Takes (or retakes) a session's register: one mark per enrolment, each written to the
    /// enrolled member's family.
    async fn take_register(
        &self,
        group: Uuid,
        marks: &[(Enrolment, AttendanceMark)],
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
}
