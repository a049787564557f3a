//! Video feedback coding ([`CodingStore`]): each team's coding schemes, every version kept,
//! and the moments coded on a family's recordings.

use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::coded_events::CodedEvent;
use cradle_domain::coding::CodingScheme;
use cradle_domain::{FamilyId, TeamId};

#[async_trait]
pub trait CodingStore: Send + Sync {
    /// The newest version of each of the team's schemes, in the order they were first made.
    async fn coding_schemes(&self, team: TeamId) -> StoreResult<Vec<CodingScheme>>;

    /// One version of one of the team's schemes (the newest when `version` is none).
    async fn coding_scheme(
        &self,
        team: TeamId,
        scheme: uuid::Uuid,
        version: Option<u32>,
    ) -> StoreResult<Option<CodingScheme>>;

    /// Keeps the schemes a team starts with, each as its first version, where the team does
    /// not have them yet (a scheme already there is left as it is).
    async fn add_starting_schemes(&self, team: TeamId, schemes: &[CodingScheme])
        -> StoreResult<()>;

    /// Keeps the next version of a scheme, if the newest kept is still the one before it
    /// (`Conflict` if someone else changed it first).
    async fn save_coding_scheme(
        &self,
        team: TeamId,
        scheme: &CodingScheme,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Every event coded on a recording of the family, by every coder, removed ones
    /// included, in time order.
    async fn coded_events(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
    ) -> StoreResult<Vec<CodedEvent>>;

    /// Keeps a newly coded event (`NotFound` if the recording is not the family's).
    async fn add_coded_event(
        &self,
        family: FamilyId,
        event: &CodedEvent,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Keeps events imported together: all of them, or none (`NotFound` if the recording is
    /// not the family's), with one audit entry.
    async fn add_coded_events(
        &self,
        family: FamilyId,
        events: &[CodedEvent],
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Keeps a correction of an event, if it is still at the version before it (`NotFound`
    /// if not: someone corrected it first, or it is not this family's).
    async fn correct_coded_event(
        &self,
        family: FamilyId,
        event: &CodedEvent,
        audit: AuditEntry,
    ) -> StoreResult<()>;
}
