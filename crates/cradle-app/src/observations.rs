//! Interaction observations and the positive moments seen in them.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::observations::{Observation, ObservationInput, PositiveMoment};
use cradle_domain::{AuditAction, Permission};
use cradle_store::Sections;
use uuid::Uuid;

impl Cradle {
    /// Records an observation of a caregiver with the baby (the caregiver must be in the
    /// family and may be involved), and the positive moment seen, in one transaction.
    pub async fn record_observation(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &ObservationInput,
    ) -> Result<(Observation, Option<PositiveMoment>), AppError> {
        let staff = actor.staff_changing_records()?;
        let parsed = input.parse(self.today()).map_err(AppError::Invalid)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        if !record.has_member(parsed.caregiver) {
            return Err(AppError::invalid(
                "caregiver",
                "Select someone in this family",
            ));
        }
        if let cradle_domain::entries::Member::Person(person) = parsed.caregiver {
            if !record.involvement(person).may_involve {
                return Err(AppError::invalid(
                    "caregiver",
                    "This person is marked “do not involve”: Cradle does not record observations of them",
                ));
            }
        }
        if let Some(baby) = parsed.baby {
            if !record.family.babies.iter().any(|b| b.id == baby) {
                return Err(AppError::invalid(
                    "baby",
                    "Select one of this family's babies",
                ));
            }
        }
        let interpreter = input
            .interpreter
            .parse_for(&record, &[parsed.caregiver])
            .map_err(AppError::Invalid)?;
        let now = self.now();
        let observation = Observation {
            id: Uuid::now_v7(),
            caregiver: parsed.caregiver,
            baby: parsed.baby,
            observed_on: Some(parsed.observed_on),
            setting: parsed.setting,
            descriptors: parsed.descriptors,
            tool: parsed.tool,
            interpreter,
            recorded_by: actor.display_name.clone(),
            recorded_at_millis: now,
            version: 1,
        };
        let moment = parsed
            .moment
            .map(|(what_happened, baby_responses, fed_back)| PositiveMoment {
                id: Uuid::now_v7(),
                caregiver: parsed.caregiver,
                observation: Some(observation.id),
                noticed_on: Some(parsed.observed_on),
                what_happened,
                baby_responses,
                fed_back,
                recorded_by: actor.display_name.clone(),
                recorded_at_millis: now,
                version: 1,
            });
        let mut entry = access.audit(actor, now, AuditAction::ObservationRecorded);
        entry.detail = format!(
            "observation {}{}",
            observation.id,
            if moment.is_some() {
                " with a positive moment"
            } else {
                ""
            }
        );
        self.store
            .record_observation(
                access.family_id(),
                &observation,
                moment.as_ref(),
                staff,
                entry,
            )
            .await?;
        Ok((observation, moment))
    }
}

impl Cradle {
    /// Records a needs, strengths or confidence note about a caregiver (or the family's
    /// shared understanding of the baby).
    pub async fn add_note(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &cradle_domain::needs::NoteInput,
    ) -> Result<cradle_domain::needs::CaregiverNote, AppError> {
        use cradle_domain::needs::{CaregiverNote, NoteSubject};
        let staff = actor.staff_changing_records()?;
        let (subject, kind, text, noted_on) =
            input.parse(self.today()).map_err(AppError::Invalid)?;
        if let NoteSubject::Caregiver(member) = subject {
            let record = self.record_for_change(access, Sections::CORE).await?;
            if !record.has_member(member) {
                return Err(AppError::invalid(
                    "subject",
                    "Select someone in this family",
                ));
            }
        }
        let now = self.now();
        let note = CaregiverNote {
            id: Uuid::now_v7(),
            subject,
            kind,
            text,
            noted_on: Some(noted_on),
            recorded_by: actor.display_name.clone(),
            recorded_at_millis: now,
            version: 1,
        };
        let mut entry = access.audit(actor, now, AuditAction::NoteAdded);
        entry.detail = format!("{} note {} about {}", kind.code(), note.id, subject.code());
        self.store
            .add_note(access.family_id(), &note, staff, entry)
            .await?;
        Ok(note)
    }
}

/// Why a record is corrected: required, kept with the earlier version.
fn correction_reason(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Enter the reason for the change",
        ));
    }
    if text.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "Reason must be 500 characters or fewer",
        ));
    }
    Ok(text.to_string())
}

fn stale_or(error: cradle_store::StoreError) -> AppError {
    match error {
        cradle_store::StoreError::Conflict(_) => AppError::Conflict(
            "Someone else changed this record while you were editing it. Nothing was saved: reload the page to see their change, then make yours again.".to_string(),
        ),
        cradle_store::StoreError::NotFound => AppError::NotFound,
        other => AppError::Store(other),
    }
}

impl Cradle {
    fn correction(
        &self,
        actor: &Actor,
        previous: &impl serde::Serialize,
        expected_version: i64,
        reason: String,
    ) -> Result<cradle_store::Amendment, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        Ok(cradle_store::Amendment {
            previous_snapshot: serde_json::to_string(previous)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            previous_version: expected_version,
            changed_by: actor
                .id
                .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))?,
            at_millis: self.now(),
            reason,
        })
    }

    /// Corrects an observation (its positive moment stays as it was); the earlier version is
    /// kept with who, when and why.
    pub async fn amend_observation(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &ObservationInput,
        expected_version: i64,
        reason: &str,
    ) -> Result<Observation, AppError> {
        let reason = correction_reason(reason)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let current = record
            .observations
            .iter()
            .find(|o| o.id == id)
            .ok_or(AppError::NotFound)?;
        let typed = ObservationInput {
            moment: String::new(),
            baby_responses: Vec::new(),
            fed_back: String::new(),
            ..input.clone()
        };
        let parsed = typed.parse(self.today()).map_err(AppError::Invalid)?;
        if !record.has_member(parsed.caregiver) {
            return Err(AppError::invalid(
                "caregiver",
                "Select someone in this family",
            ));
        }
        let interpreter = input
            .interpreter
            .parse_for(&record, &[parsed.caregiver])
            .map_err(AppError::Invalid)?;
        let amended = Observation {
            interpreter,
            caregiver: parsed.caregiver,
            baby: parsed.baby,
            observed_on: Some(parsed.observed_on),
            setting: parsed.setting,
            descriptors: parsed.descriptors,
            tool: parsed.tool,
            version: expected_version + 1,
            ..current.clone()
        };
        let change = self.correction(actor, current, expected_version, reason)?;
        let mut entry = access.audit(actor, self.now(), AuditAction::ObservationAmended);
        entry.detail = format!("observation {id}");
        self.store
            .amend_observation(access.family_id(), &amended, &change, entry)
            .await
            .map_err(stale_or)?;
        Ok(amended)
    }

    /// Corrects a needs, strengths or confidence note; the earlier version is kept.
    pub async fn amend_note(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &cradle_domain::needs::NoteInput,
        expected_version: i64,
        reason: &str,
    ) -> Result<cradle_domain::needs::CaregiverNote, AppError> {
        let reason = correction_reason(reason)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let current = record
            .notes
            .iter()
            .find(|n| n.id == id)
            .ok_or(AppError::NotFound)?;
        let (subject, kind, text, noted_on) =
            input.parse(self.today()).map_err(AppError::Invalid)?;
        if let cradle_domain::needs::NoteSubject::Caregiver(member) = subject {
            if !record.has_member(member) {
                return Err(AppError::invalid(
                    "subject",
                    "Select someone in this family",
                ));
            }
        }
        let amended = cradle_domain::needs::CaregiverNote {
            subject,
            kind,
            text,
            noted_on: Some(noted_on),
            version: expected_version + 1,
            ..current.clone()
        };
        let change = self.correction(actor, current, expected_version, reason)?;
        let mut entry = access.audit(actor, self.now(), AuditAction::NoteAmended);
        entry.detail = format!("note {id}");
        self.store
            .amend_note(access.family_id(), &amended, &change, entry)
            .await
            .map_err(stale_or)?;
        Ok(amended)
    }
}

impl Cradle {
    /// Corrects a positive moment (what happened, the baby's response, how it was fed back);
    /// the earlier version is kept.
    pub async fn amend_moment(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &ObservationInput,
        expected_version: i64,
        reason: &str,
    ) -> Result<PositiveMoment, AppError> {
        let reason = correction_reason(reason)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let current = record
            .moments
            .iter()
            .find(|m| m.id == id)
            .ok_or(AppError::NotFound)?;
        let (noticed_on, what_happened, baby_responses, fed_back) = input
            .parse_moment(self.today())
            .map_err(AppError::Invalid)?;
        let amended = PositiveMoment {
            what_happened,
            baby_responses,
            fed_back,
            noticed_on: Some(noticed_on),
            version: expected_version + 1,
            ..current.clone()
        };
        let change = self.correction(actor, current, expected_version, reason)?;
        let mut entry = access.audit(actor, self.now(), AuditAction::MomentAmended);
        entry.detail = format!("moment {id}");
        self.store
            .amend_moment(access.family_id(), &amended, &change, entry)
            .await
            .map_err(stale_or)?;
        Ok(amended)
    }

    /// Corrects what an open concern says (who it is about, what about, the description);
    /// the earlier version is kept. Actions and closing are never rewritten.
    pub async fn amend_concern(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &cradle_domain::concerns::ConcernInput,
        expected_version: i64,
        reason: &str,
    ) -> Result<cradle_domain::concerns::Concern, AppError> {
        let reason = correction_reason(reason)?;
        let record = self
            .record_for_change(access, Sections::RELATIONSHIP_WORK)
            .await?;
        let current = record
            .concerns
            .iter()
            .find(|c| c.id == id && c.is_open())
            .ok_or(AppError::NotFound)?;
        let parsed = input.parse().map_err(AppError::Invalid)?;
        if !record.has_member(parsed.about) {
            return Err(AppError::invalid("about", "Select someone in this family"));
        }
        let amended = cradle_domain::concerns::Concern {
            about: parsed.about,
            kinds: parsed.kinds,
            description: parsed.description,
            version: expected_version + 1,
            ..current.clone()
        };
        let change = self.correction(actor, current, expected_version, reason)?;
        let mut entry = access.audit(actor, self.now(), AuditAction::ConcernAmended);
        entry.detail = format!("concern {id}");
        self.store
            .amend_concern(access.family_id(), &amended, &change, entry)
            .await
            .map_err(stale_or)?;
        Ok(amended)
    }
}
