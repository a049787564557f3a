//! Consent to film for video feedback: recording it, checked against the family's people,
//! their safety marks and who holds parental responsibility, and withdrawing it.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::filming::{
    ConsentWithdrawal, FilmingConsent, FilmingConsentInput, WithdrawalInput,
};
use cradle_domain::AuditAction;
use cradle_store::{Sections, StoreError};
use uuid::Uuid;

impl Cradle {
    /// Records consent to film in the family's record.
    pub async fn record_filming_consent(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &FilmingConsentInput,
    ) -> Result<FilmingConsent, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        let parsed = input
            .parse(&record, self.today())
            .map_err(AppError::Invalid)?;
        let now = self.now();
        let consent = parsed.recorded(Uuid::now_v7(), &actor.display_name, now);
        let mut entry = access.audit(actor, now, AuditAction::FilmingConsentRecorded);
        entry.detail = format!("consent {}", consent.id);
        self.store
            .record_filming_consent(access.family_id(), &consent, staff, entry)
            .await?;
        Ok(consent)
    }

    /// Withdraws consent to film: from then on it lets nothing be filmed or viewed. The
    /// consent is kept, with the day, the reason and who recorded it.
    pub async fn withdraw_filming_consent(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &WithdrawalInput,
    ) -> Result<FilmingConsent, AppError> {
        actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::VIDEO).await?;
        let current = record
            .filming_consents
            .iter()
            .find(|c| c.id == id)
            .ok_or(AppError::NotFound)?;
        if current.withdrawn.is_some() {
            return Err(withdrawn_already());
        }
        let (on, reason) = input
            .parse(current, self.today())
            .map_err(AppError::Invalid)?;
        let now = self.now();
        let withdrawn = FilmingConsent {
            withdrawn: Some(ConsentWithdrawal {
                on,
                reason,
                recorded_by: actor.display_name.clone(),
                recorded_at_millis: now,
            }),
            ..current.clone()
        };
        let mut entry = access.audit(actor, now, AuditAction::FilmingConsentWithdrawn);
        entry.detail = format!("consent {id}");
        match self
            .store
            .withdraw_filming_consent(access.family_id(), &withdrawn, entry)
            .await
        {
            Ok(()) => Ok(withdrawn),
            // Withdrawn by someone else between the check and the change.
            Err(StoreError::NotFound) => Err(withdrawn_already()),
            Err(other) => Err(other.into()),
        }
    }
}

fn withdrawn_already() -> AppError {
    AppError::Conflict(
        "This consent has been withdrawn already: nothing more was recorded.".to_string(),
    )
}
