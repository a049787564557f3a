//! Coping concerns: raised about a family member (often from what they said about coping in
//! a relationship conversation), flagged on the family and the caseload, with the actions
//! taken, until a clinician closes them with a reason. Every step is audited.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::concerns::{
    parse_close_reason, ActionInput, Concern, ConcernAction, ConcernInput,
};
use cradle_domain::AuditAction;
use cradle_store::Sections;
use cradle_store::StoreError;
use uuid::Uuid;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, message)
}

fn gone(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => AppError::Conflict(
            "This concern has been closed (or is not in this family), so nothing was saved. Reload the family to see it.".to_string(),
        ),
        other => AppError::Store(other),
    }
}

impl Cradle {
    /// Raises a coping concern about a family member.
    pub async fn raise_concern(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &ConcernInput,
    ) -> Result<Concern, AppError> {
        let staff = actor.staff_changing_records()?;
        let parsed = input.parse().map_err(AppError::Invalid)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        if !record.has_member(parsed.about) {
            return Err(invalid("about", "Select someone in this family"));
        }
        if let Some(conversation) = parsed.conversation {
            if !record.conversations.iter().any(|c| c.id == conversation) {
                return Err(invalid(
                    "conversation",
                    "That conversation is not in this family",
                ));
            }
        }
        let concern = Concern {
            id: Uuid::now_v7(),
            about: parsed.about,
            conversation: parsed.conversation,
            kinds: parsed.kinds,
            description: parsed.description,
            raised_at_millis: self.now(),
            raised_by: actor.display_name.clone(),
            actions: Vec::new(),
            closure: None,
            version: 1,
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::ConcernRaised,
            format!("concern {} about {}", concern.id, concern.about.code()),
        );
        self.store
            .raise_concern(access.family_id(), &concern, staff, entry)
            .await?;
        Ok(concern)
    }

    /// Records an action taken about an open concern.
    pub async fn record_concern_action(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        concern: Uuid,
        input: &ActionInput,
    ) -> Result<ConcernAction, AppError> {
        let staff = actor.staff_changing_records()?;
        let (kind, reference, note) = input.parse().map_err(AppError::Invalid)?;
        let action = ConcernAction {
            id: Uuid::now_v7(),
            kind,
            reference,
            note,
            recorded_at_millis: self.now(),
            recorded_by: actor.display_name.clone(),
        };
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::ConcernActionRecorded,
            format!("concern {concern}: {}", kind.code()),
        );
        self.store
            .add_concern_action(access.family_id(), concern, &action, staff, entry)
            .await
            .map_err(gone)?;
        Ok(action)
    }

    /// Closes an open concern with a reason, once the action taken has been recorded.
    pub async fn close_concern(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        concern: Uuid,
        reason: &str,
    ) -> Result<(), AppError> {
        let staff = actor.staff_changing_records()?;
        let reason = parse_close_reason(reason).map_err(AppError::Invalid)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let open = record
            .concerns
            .iter()
            .find(|c| c.id == concern && c.is_open())
            // Closed already, or not this family's: nothing here to close.
            .ok_or(AppError::NotFound)?;
        if open.actions.is_empty() {
            return Err(invalid(
                "reason",
                "Record the action taken before closing the concern",
            ));
        }
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::ConcernClosed,
            format!("concern {concern}"),
        );
        self.store
            .close_concern(
                access.family_id(),
                concern,
                &reason,
                staff,
                self.now(),
                entry,
            )
            .await
            .map_err(gone)
    }
}
