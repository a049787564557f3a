//! Consent to film for video feedback ([`FilmingStore`]); the consents load with a family's
//! record as its video section (`Sections::VIDEO`).

use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::filming::FilmingConsent;
use cradle_domain::{FamilyId, StaffId};

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
}
