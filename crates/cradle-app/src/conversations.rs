//! Relationship conversations: recorded for one caregiver or several (seen together or
//! apart), saved part-done and finished later; every later save keeps the version it
//! replaces. Nobody marked "do not involve" can be recorded as taking part.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::conversations::{
    Conversation, ConversationInput, ConversationStatus, ParsedConversation,
};
use cradle_domain::entries::Member;
use cradle_domain::network::FamilyRecord;
use cradle_domain::AuditAction;
use cradle_store::{Amendment, Sections, StoreError};
use uuid::Uuid;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, message)
}

/// The checks that need the family: everyone taking part belongs to it and may be involved,
/// the baby is one of its babies, and if anyone there needs an interpreter the conversation
/// says whether one was used. Answers the interpreter recorded.
fn check_against(
    record: &FamilyRecord,
    parsed: &ParsedConversation,
    input: &ConversationInput,
) -> Result<Option<cradle_domain::interpreters::InterpreterUse>, AppError> {
    for member in &parsed.participants {
        if !record.has_member(*member) {
            return Err(invalid(
                "participants",
                "Select who took part from the people in this family",
            ));
        }
        if let Member::Person(person) = member {
            if !record.involvement(*person).may_involve {
                let name = record
                    .person(*person)
                    .map(|p| p.name.as_str())
                    .unwrap_or("This person");
                return Err(invalid(
                    "participants",
                    format!("{name} is marked “do not involve”: Cradle does not record them taking part"),
                ));
            }
        }
    }
    if let Some(baby) = parsed.baby {
        if !record.family.babies.iter().any(|b| b.id == baby) {
            return Err(invalid("baby", "Select one of this family's babies"));
        }
    }
    input
        .interpreter
        .parse_for(record, &parsed.participants)
        .map_err(AppError::Invalid)
}

impl Cradle {
    /// Records a new conversation, finished or to finish later.
    pub async fn record_conversation(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &ConversationInput,
    ) -> Result<Conversation, AppError> {
        let staff = actor.staff_changing_records()?;
        let parsed = input.parse(self.today()).map_err(AppError::Invalid)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let interpreter = check_against(&record, &parsed, input)?;
        let conversation = conversation(Uuid::now_v7(), parsed, interpreter, actor, self.now(), 1);
        let mut entry = access.audit(actor, self.now(), AuditAction::ConversationRecorded);
        entry.detail = format!(
            "conversation {} ({})",
            conversation.id,
            conversation.status.code()
        );
        self.store
            .save_conversation(access.family_id(), &conversation, staff, None, entry)
            .await?;
        Ok(conversation)
    }

    /// Saves a conversation again: a draft carried on or finished, or a finished one
    /// amended (a reason is then required). The version replaced is kept.
    pub async fn save_conversation(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &ConversationInput,
        expected_version: i64,
        reason: &str,
    ) -> Result<Conversation, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let current = record
            .conversations
            .iter()
            .find(|c| c.id == id)
            .ok_or(AppError::NotFound)?;
        let reason = reason.trim();
        let why = match current.status {
            ConversationStatus::Finished if reason.is_empty() => {
                return Err(invalid(
                    "reason",
                    "Enter the reason for changing a finished conversation",
                ))
            }
            ConversationStatus::Finished if reason.chars().count() > 500 => {
                return Err(invalid("reason", "Reason must be 500 characters or fewer"))
            }
            ConversationStatus::Finished => reason.to_string(),
            ConversationStatus::Draft => "Saved while being written".to_string(),
        };
        let parsed = input.parse(self.today()).map_err(AppError::Invalid)?;
        let interpreter = check_against(&record, &parsed, input)?;
        let saved = conversation(
            id,
            parsed,
            interpreter,
            actor,
            self.now(),
            expected_version + 1,
        );
        let change = Amendment {
            previous_snapshot: serde_json::to_string(current)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            previous_version: expected_version,
            changed_by: staff,
            at_millis: self.now(),
            reason: why,
        };
        let mut entry = access.audit(actor, self.now(), AuditAction::ConversationSaved);
        entry.detail = format!("conversation {id} ({})", saved.status.code());
        self.store
            .save_conversation(access.family_id(), &saved, staff, Some(&change), entry)
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => AppError::Conflict(
                    "Someone else saved this conversation while you were writing it. Nothing was saved: reload it to see their version, then add yours again.".to_string(),
                ),
                StoreError::NotFound => AppError::NotFound,
                other => AppError::Store(other),
            })?;
        Ok(saved)
    }
}

fn conversation(
    id: Uuid,
    parsed: ParsedConversation,
    interpreter: Option<cradle_domain::interpreters::InterpreterUse>,
    actor: &Actor,
    now: i64,
    version: i64,
) -> Conversation {
    Conversation {
        id,
        held_on: Some(parsed.held_on),
        participants: parsed.participants,
        baby: parsed.baby,
        seen: parsed.seen,
        answers: parsed.answers,
        formulation: parsed.formulation,
        status: parsed.status,
        interpreter,
        recorded_by: actor.display_name.clone(),
        saved_at_millis: now,
        version,
    }
}
