//! Consent to film and recordings for video feedback ([`FilmingStore`]); both load with a
//! family's record as its video section (`Sections::VIDEO`). A recording's film is not here:
//! it rests sealed in blob storage, and only its wrapped key is kept beside it.

use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::filming::FilmingConsent;
use cradle_domain::recordings::{Recording, RecordingState, RetentionPeriods};
use cradle_domain::{FamilyId, StaffId, TeamId};

#[async_trait]
pub trait FilmingStore: Send + Sync {
    /// Records consent to film in the family's record, with its audit entry.
    async fn record_filming_consent(
        &self,
        family: FamilyId,
        consent: &FilmingConsent,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Keeps `consent` as withdrawn; `NotFound` if it is not this family's or was withdrawn
    /// already (so two withdrawals cannot both be recorded).
    async fn withdraw_filming_consent(
        &self,
        family: FamilyId,
        consent: &FilmingConsent,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Keeps a new recording, its upload begun, with its data key wrapped.
    async fn start_recording(
        &self,
        family: FamilyId,
        recording: &Recording,
        key: &StoredKey,
        started_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Keeps `recording` as it now is, if it was still in state `was` with `was_received`
    /// bytes (`NotFound` if not: another request moved it on, or it is not this family's).
    /// A recording now deleted loses its wrapped key, so its film can never be opened again.
    async fn update_recording(
        &self,
        family: FamilyId,
        recording: &Recording,
        was: (RecordingState, u64),
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Whether the family's consent `consent` has been withdrawn (read afresh, not from any
    /// held copy of the record: a viewing in progress asks this as it goes).
    async fn consent_withdrawn(&self, family: FamilyId, consent: uuid::Uuid) -> StoreResult<bool>;

    /// How long the team keeps recordings for each purpose (`NotFound` for no such team).
    async fn recording_retention(&self, team: TeamId) -> StoreResult<RetentionPeriods>;

    /// Changes those periods, with the audit entry of the change.
    async fn set_recording_retention(
        &self,
        team: TeamId,
        periods: &RetentionPeriods,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Every recording not deleted, with its family's team, that team's retention periods
    /// and its consent: for the job that deletes what may no longer be kept.
    async fn recordings_in_keeping(&self) -> StoreResult<Vec<KeptRecording>>;

    /// Every recording's wrapped key not yet wrapped under master key `newest`, with its
    /// family and team: for bringing in a new master key.
    async fn recording_keys_not_under(&self, newest: &str) -> StoreResult<Vec<KeyToRewrap>>;

    /// Replaces a recording's wrapped key with `key`, if it is still wrapped under
    /// `was_master` (`NotFound` if not: deleted, or wrapped again meanwhile).
    async fn rewrap_recording_key(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
        was_master: &str,
        key: &StoredKey,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// The wrapped key of a recording of the family; none once it is deleted.
    async fn recording_key(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
    ) -> StoreResult<Option<StoredKey>>;

    /// One recording of the family with its consent and its wrapped key, read together: what
    /// a viewing checks before each range of the film, and nothing else of the family's record
    /// (`None` for no such recording in the family).
    async fn recording_to_view(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
    ) -> StoreResult<Option<RecordingToView>>;
}

/// A recording as a viewing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingToView {
    pub recording: Recording,
    /// The consent it was filmed under, as it now stands (withdrawn or not).
    pub consent: Option<FilmingConsent>,
    /// None once the recording is deleted.
    pub key: Option<StoredKey>,
}

/// A recording kept, with what decides whether it may still be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRecording {
    pub family: FamilyId,
    pub team: cradle_domain::TeamId,
    pub retention: RetentionPeriods,
    pub recording: Recording,
    pub consent: Option<FilmingConsent>,
}

/// A recording's key to be wrapped again under the newest master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyToRewrap {
    pub family: FamilyId,
    pub team: TeamId,
    pub recording: uuid::Uuid,
    pub key: StoredKey,
}

/// A recording's data key, wrapped by a master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The master key's name.
    pub master: String,
    pub sealed: Vec<u8>,
}
