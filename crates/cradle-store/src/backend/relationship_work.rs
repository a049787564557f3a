//! Relationship work: conversations, observations, positive moments, notes,
//! concerns, enquiries about abuse and their disclosure actions ([`crate::RelationshipWorkStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::SqlStore;
use crate::rows::date_text;
use crate::*;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::network::ContactRestriction;
use cradle_domain::{FamilyId, StaffId};
use uuid::Uuid;

#[async_trait::async_trait]
impl RelationshipWorkStore for SqlStore {
    async fn record_enquiry(
        &self,
        family: FamilyId,
        entry: &cradle_domain::entries::Entry,
        written_by: StaffId,
        restriction: Option<&ContactRestriction>,
        actions: &[cradle_domain::disclosures::DisclosureAction],
        audits: Vec<AuditEntry>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_entry(&mut tx, family, entry, written_by).await?;
        if let Some(restriction) = restriction {
            Self::insert_restriction(&mut tx, family, restriction, written_by).await?;
        }
        for action in actions {
            sqlx::query(
                "INSERT INTO disclosure_actions (id, family_id, entry_id, step, open, record, raised_at, raised_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(action.id)
            .bind(family.0)
            .bind(action.enquiry)
            .bind(action.step.code())
            .bind(i64::from(action.is_open()))
            .bind(crate::care_plans::to_json(action)?)
            .bind(action.raised_at_millis)
            .bind(written_by.0)
            .execute(&mut *tx)
            .await?;
        }
        Self::write_audits(&mut tx, audits).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn settle_disclosure_action(
        &self,
        family: FamilyId,
        action: &cradle_domain::disclosures::DisclosureAction,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE disclosure_actions SET record = $1, open = 0 WHERE id = $2 AND family_id = $3 AND open = 1",
        )
        .bind(crate::care_plans::to_json(action)?)
        .bind(action.id)
        .bind(family.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_entry(
        &self,
        family: FamilyId,
        entry: &cradle_domain::entries::Entry,
        written_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_entry(&mut tx, family, entry, written_by).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_observation(
        &self,
        family: FamilyId,
        observation: &cradle_domain::observations::Observation,
        moment: Option<&cradle_domain::observations::PositiveMoment>,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let encoded = |json: serde_json::Result<String>| {
            json.map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
        };
        let descriptors = encoded(serde_json::to_string(&observation.descriptors))?;
        let tool = observation
            .tool
            .as_ref()
            .map(|t| encoded(serde_json::to_string(t)))
            .transpose()?;
        let interpreter = observation
            .interpreter
            .as_ref()
            .map(|i| encoded(serde_json::to_string(i)))
            .transpose()?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO observations (id, family_id, caregiver, baby_id, observed_on, setting, descriptors, tool, recorded_by, recorded_at, interpreter) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(observation.id)
        .bind(family.0)
        .bind(observation.caregiver.code())
        .bind(observation.baby.map(|b| b.0))
        .bind(date_text(observation.observed_on))
        .bind(observation.setting.code())
        .bind(&descriptors)
        .bind(&tool)
        .bind(recorded_by.0)
        .bind(observation.recorded_at_millis)
        .bind(&interpreter)
        .execute(&mut *tx)
        .await?;
        if let Some(moment) = moment {
            let responses = encoded(serde_json::to_string(
                &moment
                    .baby_responses
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>(),
            ))?;
            sqlx::query(
                "INSERT INTO positive_moments (id, family_id, caregiver, observation_id, noticed_on, what_happened, baby_responses, fed_back, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(moment.id)
            .bind(family.0)
            .bind(moment.caregiver.code())
            .bind(moment.observation)
            .bind(date_text(moment.noticed_on))
            .bind(&moment.what_happened)
            .bind(&responses)
            .bind(&moment.fed_back)
            .bind(recorded_by.0)
            .bind(moment.recorded_at_millis)
            .execute(&mut *tx)
            .await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_observation(
        &self,
        family: FamilyId,
        observation: &cradle_domain::observations::Observation,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let encoded = |json: serde_json::Result<String>| {
            json.map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
        };
        let descriptors = encoded(serde_json::to_string(&observation.descriptors))?;
        let tool = observation
            .tool
            .as_ref()
            .map(|t| encoded(serde_json::to_string(t)))
            .transpose()?;
        let interpreter = observation
            .interpreter
            .as_ref()
            .map(|i| encoded(serde_json::to_string(i)))
            .transpose()?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE observations SET caregiver = $1, baby_id = $2, observed_on = $3, setting = $4, descriptors = $5, tool = $6, version = $7, interpreter = $11 \
             WHERE id = $8 AND family_id = $9 AND version = $10",
        )
        .bind(observation.caregiver.code())
        .bind(observation.baby.map(|b| b.0))
        .bind(date_text(observation.observed_on))
        .bind(observation.setting.code())
        .bind(&descriptors)
        .bind(&tool)
        .bind(observation.version)
        .bind(observation.id)
        .bind(family.0)
        .bind(change.previous_version)
        .bind(&interpreter)
        .execute(&mut *tx)
        .await?;
        Self::replaced(
            &mut tx,
            updated.rows_affected(),
            "observations",
            observation.id,
            family,
            "This observation",
        )
        .await?;
        Self::keep_version(
            &mut tx,
            family,
            RecordKind::Observation,
            observation.id,
            change,
        )
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_moment(
        &self,
        family: FamilyId,
        moment: &cradle_domain::observations::PositiveMoment,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let responses = serde_json::to_string(
            &moment
                .baby_responses
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>(),
        )
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE positive_moments SET what_happened = $1, baby_responses = $2, fed_back = $3, noticed_on = $4, version = $5 \
             WHERE id = $6 AND family_id = $7 AND version = $8",
        )
        .bind(&moment.what_happened)
        .bind(&responses)
        .bind(&moment.fed_back)
        .bind(date_text(moment.noticed_on))
        .bind(moment.version)
        .bind(moment.id)
        .bind(family.0)
        .bind(change.previous_version)
        .execute(&mut *tx)
        .await?;
        Self::replaced(
            &mut tx,
            updated.rows_affected(),
            "positive_moments",
            moment.id,
            family,
            "This positive moment",
        )
        .await?;
        Self::keep_version(&mut tx, family, RecordKind::Moment, moment.id, change).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_concern(
        &self,
        family: FamilyId,
        concern: &cradle_domain::concerns::Concern,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let kinds =
            serde_json::to_string(&concern.kinds.iter().map(|k| k.code()).collect::<Vec<_>>())
                .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE concerns SET about = $1, kinds = $2, description = $3, version = $4 \
             WHERE id = $5 AND family_id = $6 AND version = $7 AND closed_at IS NULL",
        )
        .bind(concern.about.code())
        .bind(&kinds)
        .bind(&concern.description)
        .bind(concern.version)
        .bind(concern.id)
        .bind(family.0)
        .bind(change.previous_version)
        .execute(&mut *tx)
        .await?;
        Self::replaced(
            &mut tx,
            updated.rows_affected(),
            "concerns",
            concern.id,
            family,
            "This concern",
        )
        .await?;
        Self::keep_version(&mut tx, family, RecordKind::Concern, concern.id, change).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_note(
        &self,
        family: FamilyId,
        note: &cradle_domain::needs::CaregiverNote,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE caregiver_notes SET subject = $1, kind = $2, text = $3, noted_on = $4, version = $5 \
             WHERE id = $6 AND family_id = $7 AND version = $8",
        )
        .bind(note.subject.code())
        .bind(note.kind.code())
        .bind(&note.text)
        .bind(date_text(note.noted_on))
        .bind(note.version)
        .bind(note.id)
        .bind(family.0)
        .bind(change.previous_version)
        .execute(&mut *tx)
        .await?;
        Self::replaced(
            &mut tx,
            updated.rows_affected(),
            "caregiver_notes",
            note.id,
            family,
            "This note",
        )
        .await?;
        Self::keep_version(&mut tx, family, RecordKind::Note, note.id, change).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_note(
        &self,
        family: FamilyId,
        note: &cradle_domain::needs::CaregiverNote,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO caregiver_notes (id, family_id, subject, kind, text, noted_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(note.id)
        .bind(family.0)
        .bind(note.subject.code())
        .bind(note.kind.code())
        .bind(&note.text)
        .bind(date_text(note.noted_on))
        .bind(recorded_by.0)
        .bind(note.recorded_at_millis)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn raise_concern(
        &self,
        family: FamilyId,
        concern: &cradle_domain::concerns::Concern,
        raised_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let kinds =
            serde_json::to_string(&concern.kinds.iter().map(|k| k.code()).collect::<Vec<_>>())
                .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO concerns (id, family_id, about, conversation_id, kinds, description, raised_at, raised_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(concern.id)
        .bind(family.0)
        .bind(concern.about.code())
        .bind(concern.conversation)
        .bind(&kinds)
        .bind(&concern.description)
        .bind(concern.raised_at_millis)
        .bind(raised_by.0)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_concern_action(
        &self,
        family: FamilyId,
        concern: Uuid,
        action: &cradle_domain::concerns::ConcernAction,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM concerns WHERE id = $1 AND family_id = $2 AND closed_at IS NULL",
        )
        .bind(concern)
        .bind(family.0)
        .fetch_one(&mut *tx)
        .await?;
        if open == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO concern_actions (id, concern_id, family_id, action, reference, note, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(action.id)
        .bind(concern)
        .bind(family.0)
        .bind(action.kind.code())
        .bind(&action.reference)
        .bind(&action.note)
        .bind(action.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn close_concern(
        &self,
        family: FamilyId,
        concern: Uuid,
        reason: &str,
        closed_by: StaffId,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let closed = sqlx::query(
            "UPDATE concerns SET closed_at = $1, closed_by = $2, close_reason = $3 \
             WHERE id = $4 AND family_id = $5 AND closed_at IS NULL",
        )
        .bind(at_millis)
        .bind(closed_by.0)
        .bind(reason)
        .bind(concern)
        .bind(family.0)
        .execute(&mut *tx)
        .await?;
        if closed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn save_conversation(
        &self,
        family: FamilyId,
        conversation: &cradle_domain::conversations::Conversation,
        recorded_by: StaffId,
        change: Option<&Amendment>,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let encoded = |json: serde_json::Result<String>| {
            json.map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
        };
        let participants = encoded(serde_json::to_string(
            &conversation
                .participants
                .iter()
                .map(|m| m.code())
                .collect::<Vec<_>>(),
        ))?;
        let answers = encoded(serde_json::to_string(&conversation.answers))?;
        let interpreter = conversation
            .interpreter
            .as_ref()
            .map(|i| encoded(serde_json::to_string(i)))
            .transpose()?;
        let mut tx = self.begin_write().await?;
        match change {
            None => {
                sqlx::query(
                    "INSERT INTO conversations (id, family_id, held_on, participants, baby_id, seen, answers, formulation, status, recorded_by, saved_at, version, interpreter) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(conversation.id)
                .bind(family.0)
                .bind(date_text(conversation.held_on))
                .bind(&participants)
                .bind(conversation.baby.map(|b| b.0))
                .bind(conversation.seen.code())
                .bind(&answers)
                .bind(&conversation.formulation)
                .bind(conversation.status.code())
                .bind(recorded_by.0)
                .bind(conversation.saved_at_millis)
                .bind(conversation.version)
                .bind(&interpreter)
                .execute(&mut *tx)
                .await?;
            }
            Some(change) => {
                let updated = sqlx::query(
                    "UPDATE conversations SET held_on = $1, participants = $2, baby_id = $3, seen = $4, answers = $5, \
                     formulation = $6, status = $7, recorded_by = $8, saved_at = $9, version = $10, interpreter = $14 \
                     WHERE id = $11 AND family_id = $12 AND version = $13",
                )
                .bind(date_text(conversation.held_on))
                .bind(&participants)
                .bind(conversation.baby.map(|b| b.0))
                .bind(conversation.seen.code())
                .bind(&answers)
                .bind(&conversation.formulation)
                .bind(conversation.status.code())
                .bind(recorded_by.0)
                .bind(conversation.saved_at_millis)
                .bind(conversation.version)
                .bind(conversation.id)
                .bind(family.0)
                .bind(change.previous_version)
                .bind(&interpreter)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    let exists: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM conversations WHERE id = $1 AND family_id = $2",
                    )
                    .bind(conversation.id)
                    .bind(family.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    return Err(if exists == 0 {
                        StoreError::NotFound
                    } else {
                        StoreError::Conflict("This conversation")
                    });
                }
                Self::keep_version(
                    &mut tx,
                    family,
                    RecordKind::Conversation,
                    conversation.id,
                    change,
                )
                .await?;
            }
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
