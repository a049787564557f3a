//! Routine enquiry about domestic abuse: recorded only for someone seen alone, always as
//! shared in confidence by them, and after a disclosure optionally marking the person named
//! "do not involve", all in one transaction.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::dates::long_date;
use cradle_domain::disclosures::{DisclosureAction, Outcome, SettleInput};
use cradle_domain::enquiries::{EnquiryInput, EnquiryOutcome};
use cradle_domain::entries::{Entry, EntryKind, Member};
use cradle_domain::network::{ContactRestriction, RestrictionKind};
use cradle_domain::{AuditAction, RestrictionId, SubjectKind};
use cradle_store::Sections;
use uuid::Uuid;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, message)
}

impl Cradle {
    /// Records the enquiry as a timeline entry shared in confidence by the person asked.
    pub async fn record_enquiry(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &EnquiryInput,
    ) -> Result<Entry, AppError> {
        let staff = actor.staff_changing_records()?;
        let parsed = input.parse(self.today()).map_err(AppError::Invalid)?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        if !record.has_member(parsed.asked) {
            return Err(invalid("asked", "Select someone in this family"));
        }
        let named = match parsed.named {
            Some(person) if Member::Person(person) == parsed.asked => {
                return Err(invalid(
                    "named",
                    "The person named must be someone other than the person asked",
                ))
            }
            Some(person) => Some(
                record
                    .person(person)
                    .ok_or_else(|| invalid("named", "Select someone in this family"))?,
            ),
            None => None,
        };
        let mut text = format!(
            "Routine enquiry about domestic abuse, seen alone on {}: {}.",
            long_date(parsed.on),
            parsed.outcome.label()
        );
        if let Some(person) = named {
            text.push_str(&format!(" Named {}.", person.name));
        }
        let interpreter = input
            .interpreter
            .parse_for(&record, &[parsed.asked])
            .map_err(AppError::Invalid)?;
        if let Some(interpreter) = interpreter {
            text.push_str(&format!(" {}.", interpreter.summary()));
        }
        if let Some(notes) = &parsed.notes {
            text.push(' ');
            text.push_str(notes);
        }
        let now = self.now();
        let entry = Entry {
            id: Uuid::now_v7(),
            // Staff-only: what was asked, disclosed and named never reaches a family-facing
            // output, not even the copy for the person who disclosed it.
            kind: EntryKind::AbuseEnquiry,
            about: Some(parsed.asked),
            // Always in confidence: it reaches nobody but the person asked.
            confided_by: Some(parsed.asked),
            text,
            written_at_millis: now,
            written_by: actor.display_name.clone(),
        };
        let restriction = match (named, parsed.do_not_involve, parsed.outcome) {
            (Some(person), Some(decision), EnquiryOutcome::Disclosed) => Some(ContactRestriction {
                id: RestrictionId::new(),
                person_id: person.id,
                kind: RestrictionKind::DoNotInvolve,
                decided_by: decision.decided_by,
                reason: decision.reason,
                review_on: Some(decision.review_on),
                recorded_at_millis: now,
                lifted_at_millis: None,
                lifted_by: None,
                lifted_reason: None,
                renewed_as: None,
            }),
            _ => None,
        };
        let mut audits = Vec::new();
        let mut recorded = access.audit(actor, now, AuditAction::EnquiryRecorded);
        recorded.subject_kind = Some(SubjectKind::Family);
        recorded.detail = format!("entry {} ({})", entry.id, parsed.outcome.code());
        audits.push(recorded);
        if let Some(restriction) = &restriction {
            let mut marked = access.audit(actor, now, AuditAction::RestrictionAdded);
            marked.detail = format!(
                "{} for person {} after a disclosure",
                restriction.kind.code(),
                restriction.person_id
            );
            audits.push(marked);
        }
        // A disclosure opens the steps a service takes next, each open until settled.
        let actions = if parsed.outcome == EnquiryOutcome::Disclosed {
            DisclosureAction::after_disclosure(
                entry.id,
                parsed.asked,
                now,
                restriction.as_ref().map(|_| actor.display_name.as_str()),
            )
        } else {
            Vec::new()
        };
        self.store
            .record_enquiry(
                access.family_id(),
                &entry,
                staff,
                restriction.as_ref(),
                &actions,
                audits,
            )
            .await?;
        Ok(entry)
    }

    /// Settles one step after a disclosure: done (with what was done; for a risk assessment,
    /// the form used and its result as given) or not needed (with why). Audited.
    pub async fn settle_disclosure_action(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        input: &SettleInput,
    ) -> Result<DisclosureAction, AppError> {
        actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::TIMELINE).await?;
        let mut action = record
            .disclosure_actions
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        if !action.is_open() {
            return Err(AppError::Conflict(
                "This step has already been settled. The family record shows what was recorded."
                    .to_string(),
            ));
        }
        let settlement = input
            .parse(action.step, &actor.display_name, self.now())
            .map_err(AppError::Invalid)?;
        let mut audit = access.audit(actor, self.now(), AuditAction::DisclosureActionSettled);
        audit.detail = format!(
            "{} {} for entry {}",
            action.step.code(),
            match settlement.outcome {
                Outcome::Done => "done",
                Outcome::NotNeeded => "not needed",
            },
            action.enquiry
        );
        action.settled = Some(settlement);
        self.store
            .settle_disclosure_action(access.family_id(), &action, audit)
            .await
            .map_err(|e| {
                match e {
                cradle_store::StoreError::NotFound => AppError::Conflict(
                    "This step has already been settled. The family record shows what was recorded."
                        .to_string(),
                ),
                other => AppError::Store(other),
            }
            })?;
        Ok(action)
    }
}
