//! The family network: adding and amending people, their relationships to the baby, births,
//! child protection status and "do not contact" / "do not involve" decisions. Every change
//! is audited in its own transaction; amendments keep the earlier version with who, when and
//! why.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::family_facing::{FamilyFacing, Withheld};
use cradle_domain::network::{
    BirthInput, ChildProtectionStatus, FamilyRecord, KnownPerson, Person, PersonInput,
    Relationship, RelationshipInput, RelationshipTarget, RestrictionInput,
};
use cradle_domain::{
    AuditAction, Baby, BabyId, Permission, PersonId, Problems, RelationshipId, RestrictionId,
    SubjectKind,
};
use cradle_store::{Amendment, AuditEntry, RecordKind, RecordVersion, Sections, StoreError};

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, message)
}

/// Why a record is being amended: required, so the history says why.
fn reason(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("reason", "Enter the reason for the change"));
    }
    if text.chars().count() > 500 {
        return Err(invalid("reason", "Reason must be 500 characters or fewer"));
    }
    Ok(text.to_string())
}

fn snapshot<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// A change as parsed and the reason for it, or every problem with either at once.
fn with_reason<T>(parsed: Result<T, Problems>, why: &str) -> Result<(T, String), AppError> {
    match (parsed, reason(why)) {
        (Ok(parsed), Ok(why)) => Ok((parsed, why)),
        (parsed, why) => {
            let mut problems = parsed.err().unwrap_or_default();
            match why {
                Err(AppError::Invalid(found)) => problems.0.extend(found.0),
                Err(other) => return Err(other),
                Ok(_) => {}
            }
            Err(AppError::Invalid(problems))
        }
    }
}

fn stale(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::Conflict(
            "Someone else changed this record while you were editing it. Nothing was saved: reload the page to see their change, then make yours again.".to_string(),
        ),
        StoreError::NotFound => AppError::NotFound,
        other => AppError::Store(other),
    }
}

impl Cradle {
    fn change_entry(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        action: AuditAction,
        detail: String,
    ) -> Result<AuditEntry, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let mut entry = access.audit(actor, self.now(), action);
        entry.detail = detail;
        Ok(entry)
    }

    fn amendment(
        &self,
        actor: &Actor,
        previous: String,
        previous_version: i64,
        why: String,
    ) -> Result<Amendment, AppError> {
        let changed_by = actor
            .id
            .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))?;
        Ok(Amendment {
            previous_snapshot: previous,
            previous_version,
            changed_by,
            at_millis: self.now(),
            reason: why,
        })
    }

    /// Loads what a change checks (the record's core and `sections`), without auditing a
    /// read: the change itself is audited.
    pub(crate) async fn record_for_change(
        &self,
        access: &FamilyAccess,
        sections: Sections,
    ) -> Result<FamilyRecord, AppError> {
        self.store
            .load_record_for_change(access.family_id(), sections)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Adds a person who matters to the baby. A second person with the same name in the same
    /// family is refused: it is almost always the same person entered twice.
    pub async fn add_person(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &PersonInput,
    ) -> Result<Person, AppError> {
        let person = input
            .parse(PersonId::new(), 1, self.today())
            .map_err(AppError::Invalid)?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        if record
            .people
            .iter()
            .any(|p| p.name.to_lowercase() == person.name.to_lowercase())
            || record.family.mother_name.to_lowercase() == person.name.to_lowercase()
        {
            return Err(invalid(
                "name",
                format!("{} is already in this family. Open their details to change them instead of adding them again", person.name),
            ));
        }
        let mut entry =
            self.change_entry(actor, access, AuditAction::PersonAdded, String::new())?;
        entry.subject_kind = Some(SubjectKind::Family);
        if input.different_person.trim() != "yes" {
            let namesakes = self
                .known_people_named(actor, access, &person.name, "duplicate check")
                .await?;
            if let Some(known) = namesakes.first() {
                let family = known
                    .families
                    .first()
                    .map(|f| format!("the family of {}", f.mother_name))
                    .unwrap_or_else(|| "another family".to_string());
                return Err(invalid(
                    "different_person",
                    format!(
                        "Someone called {} is already known to your team, in {family}. If this is the same person, add them from “Already known to your team” so they keep one record; if not, confirm they are a different person",
                        known.person.name
                    ),
                ));
            }
        }
        self.store
            .add_person(access.family_id(), &person, self.now(), entry)
            .await?;
        Ok(person)
    }

    /// People already known to the actor's teams whose name starts with `text`, who are not
    /// in this family yet: to add someone (a grandparent of two babies) without a second
    /// record. The search is audited, since it shows names from other families.
    pub async fn known_people(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        text: &str,
    ) -> Result<Vec<KnownPerson>, AppError> {
        let text = text.trim();
        if text.chars().count() < 2 {
            return Err(invalid(
                "q",
                "Enter at least the first 2 letters of their name",
            ));
        }
        if text.chars().count() > 100 {
            return Err(invalid("q", "Name must be 100 characters or fewer"));
        }
        self.find_known(actor, access, text, 20, "search").await
    }

    /// Those known to the team with exactly this name (any case).
    async fn known_people_named(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        name: &str,
        why: &str,
    ) -> Result<Vec<KnownPerson>, AppError> {
        let lower = name.to_lowercase();
        Ok(self
            .find_known(actor, access, name, 20, why)
            .await?
            .into_iter()
            .filter(|k| k.person.name.to_lowercase() == lower)
            .collect())
    }

    async fn find_known(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        text: &str,
        limit: u32,
        why: &str,
    ) -> Result<Vec<KnownPerson>, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        let mut entry = access.audit(actor, self.now(), AuditAction::KnownPeopleSearched);
        entry.detail = why.to_string();
        Ok(self
            .store
            .find_known_people(
                &actor.teams,
                &text.to_lowercase(),
                access.family_id(),
                limit,
                entry,
            )
            .await?)
    }

    /// Adds someone already recorded in another of the team's families (one person, one
    /// record, several families). Someone known only to another team cannot be linked.
    pub async fn link_person(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person_id: PersonId,
    ) -> Result<Person, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let families = self.store.person_families(person_id).await?;
        if families.iter().any(|(f, _)| *f == access.family_id()) {
            return Err(invalid(
                "person_id",
                "This person is already in this family",
            ));
        }
        let Some((source, _)) = families
            .iter()
            .find(|(_, team)| actor.teams.contains(team))
            .copied()
        else {
            return Err(invalid(
                "person_id",
                "This person is not in any of your team's families, so they cannot be linked here. Add them as a new person if they matter to this baby",
            ));
        };
        let person = self
            .store
            .load_record_for_change(source, Sections::CORE)
            .await?
            .and_then(|record| record.people.into_iter().find(|p| p.id == person_id))
            .ok_or(AppError::NotFound)?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::PersonLinked,
            format!("person {person_id}, already in family {source}"),
        )?;
        self.store
            .link_person(access.family_id(), person_id, self.now(), entry)
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => {
                    invalid("person_id", "This person is already in this family")
                }
                other => AppError::Store(other),
            })?;
        Ok(person)
    }

    /// Replaces a person's details; the earlier version is kept. `expected_version` is the
    /// version the form showed, so two people editing at once cannot overwrite each other.
    pub async fn amend_person(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person_id: PersonId,
        input: &PersonInput,
        expected_version: i64,
        why: &str,
    ) -> Result<Person, AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        let current = record.person(person_id).ok_or(AppError::NotFound)?.clone();
        let (updated, why) = with_reason(
            input.parse(person_id, expected_version + 1, self.today()),
            why,
        )?;
        let change = self.amendment(actor, snapshot(&current)?, expected_version, why)?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::PersonAmended,
            format!("person {person_id} to version {}", updated.version),
        )?;
        self.store
            .amend_person(access.family_id(), &updated, &change, entry)
            .await
            .map_err(stale)?;
        Ok(updated)
    }

    /// Records how a person relates to a baby (or to the mother). The person and the baby
    /// must both belong to this family.
    pub async fn add_relationship(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &RelationshipInput,
    ) -> Result<Relationship, AppError> {
        let relationship = input
            .parse(RelationshipId::new(), self.today())
            .map_err(AppError::Invalid)?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        if record.person(relationship.person_id).is_none() {
            return Err(invalid("person_id", "Select a person from this family"));
        }
        if let RelationshipTarget::Baby(baby) = relationship.target {
            if !record.family.babies.iter().any(|b| b.id == baby) {
                return Err(invalid(
                    "target",
                    "Select one of this family's babies, or the mother",
                ));
            }
        }
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::RelationshipAdded,
            format!("person {}", relationship.person_id),
        )?;
        self.store
            .add_relationship(access.family_id(), &relationship, self.now(), entry)
            .await
            .map_err(stale)?;
        Ok(relationship)
    }

    /// Changes what a relationship records (how much care they share, how often they see
    /// the baby, parental responsibility once it is checked), keeping the earlier version
    /// and why. Who it is between stays as it is: a different person or baby is another
    /// relationship. An ended relationship is not changed.
    pub async fn amend_relationship(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: RelationshipId,
        input: &RelationshipInput,
        expected_version: i64,
        why: &str,
    ) -> Result<Relationship, AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        let current = record
            .relationships
            .iter()
            .find(|r| r.id == id)
            .ok_or(AppError::NotFound)?
            .clone();
        if current.ended_on.is_some() {
            return Err(AppError::Conflict(
                "This relationship has ended, so it is kept as it was. Record a new relationship if they are part of the baby's life again.".to_string(),
            ));
        }
        let typed = RelationshipInput {
            person_id: current.person_id.to_string(),
            target: match current.target {
                RelationshipTarget::Mother => "mother".to_string(),
                RelationshipTarget::Baby(baby) => baby.to_string(),
            },
            ..input.clone()
        };
        let (parsed, why) = with_reason(typed.parse(id, self.today()), why)?;
        let updated = Relationship {
            version: expected_version + 1,
            ..parsed
        };
        let change = self.amendment(actor, snapshot(&current)?, expected_version, why)?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::RelationshipAmended,
            format!("relationship {id} to version {}", updated.version),
        )?;
        self.store
            .amend_relationship(access.family_id(), &updated, &change, entry)
            .await
            .map_err(stale)?;
        Ok(updated)
    }

    /// Ends a relationship (separation, bereavement) without deleting its history.
    pub async fn end_relationship(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: RelationshipId,
        ended: (&str, &str, &str),
        why: &str,
    ) -> Result<Relationship, AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        let current = record
            .relationships
            .iter()
            .find(|r| r.id == id)
            .ok_or(AppError::NotFound)?
            .clone();
        let today = self.today();
        let ended_on = cradle_domain::dates::parse_date_parts(
            "ended",
            "Date it ended",
            ended.0,
            ended.1,
            ended.2,
        )
        .map_err(|p| AppError::invalid(p.field, p.message))?;
        if ended_on > today {
            return Err(invalid(
                "ended",
                "Date it ended must be today or in the past",
            ));
        }
        if current.started_on.is_some_and(|started| ended_on < started) {
            return Err(invalid(
                "ended",
                "Date it ended must be after the date it started",
            ));
        }
        let why = reason(why)?;
        let mut updated = current.clone();
        updated.ended_on = Some(ended_on);
        updated.end_reason = Some(why.clone());
        updated.version = current.version + 1;
        let change = self.amendment(actor, snapshot(&current)?, current.version, why)?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::RelationshipAmended,
            format!("relationship {id} ended"),
        )?;
        self.store
            .amend_relationship(access.family_id(), &updated, &change, entry)
            .await
            .map_err(stale)?;
        Ok(updated)
    }

    /// Records a birth on the pregnancy's own record, so nothing is typed twice; the family
    /// becomes postnatal.
    pub async fn record_birth(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        baby_id: BabyId,
        input: &BirthInput,
    ) -> Result<Baby, AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        let current = record
            .family
            .babies
            .iter()
            .find(|b| b.id == baby_id)
            .ok_or(AppError::NotFound)?
            .clone();
        if current.is_born() {
            return Err(AppError::Conflict(
                "This baby's birth is already recorded. To correct it, amend the baby's details"
                    .to_string(),
            ));
        }
        let born = input
            .apply(&current, self.today())
            .map_err(AppError::Invalid)?;
        if let (Some(baby), Some(mother)) = (born.date_of_birth, record.family.mother_date_of_birth)
        {
            if baby <= mother {
                return Err(invalid(
                    "born",
                    format!(
                        "Date of birth is before the mother's date of birth ({}): check both dates",
                        cradle_domain::dates::long_date(mother)
                    ),
                ));
            }
        }
        let change = self.amendment(actor, snapshot(&current)?, 1, "Birth recorded".to_string())?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::BabyAmended,
            format!("birth recorded for baby {baby_id}"),
        )?;
        self.store
            .amend_baby(access.family_id(), &born, &change, entry)
            .await
            .map_err(stale)?;
        Ok(born)
    }

    /// Adds another baby or pregnancy (a second pregnancy, a twin recorded later).
    pub async fn add_baby(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        baby: Baby,
    ) -> Result<Baby, AppError> {
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::BabyAdded,
            format!("baby {}", baby.id),
        )?;
        self.store
            .add_baby(access.family_id(), &baby, self.now(), entry)
            .await?;
        Ok(baby)
    }

    pub async fn set_child_protection(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        status: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<(), AppError> {
        let status = ChildProtectionStatus::from_code(status)
            .ok_or_else(|| invalid("status", "Select the child protection status"))?;
        let why = reason(why)?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        let change = self.amendment(
            actor,
            snapshot(
                &serde_json::json!({"child_protection": record.family.child_protection.code()}),
            )?,
            expected_version,
            why,
        )?;
        // The change also goes on the timeline, staff-only, so the record's story is whole.
        let timeline = cradle_domain::entries::Entry {
            id: uuid::Uuid::now_v7(),
            kind: cradle_domain::entries::EntryKind::ChildProtection,
            about: None,
            confided_by: None,
            text: format!(
                "Child protection status: {} (was {}). {}",
                status.label(),
                record.family.child_protection.label().to_lowercase(),
                change.reason
            ),
            written_at_millis: self.now(),
            written_by: actor.display_name.clone(),
        };
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::ChildProtectionChanged,
            format!("now {}", status.code()),
        )?;
        self.store
            .set_child_protection(access.family_id(), status, &timeline, &change, entry)
            .await
            .map_err(stale)
    }

    /// Corrects or fills in the mother's own details and the referral date, keeping the
    /// earlier version (viewable with the family's history) and why it changed.
    pub async fn amend_mother(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &cradle_domain::family::MotherInput,
    ) -> Result<cradle_domain::family::MotherDetails, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let why = reason(&input.reason);
        // The referral date is checked against the first care plan's.
        let record = self.record_for_change(access, Sections::CARE).await?;
        let details = input.parse(&record, self.today());
        let (details, why) = match (details, why) {
            (Ok(details), Ok(why)) => (details, why),
            (Err(mut problems), Err(AppError::Invalid(more))) => {
                problems.0.extend(more.0);
                return Err(AppError::Invalid(problems));
            }
            (Err(problems), _) => return Err(AppError::Invalid(problems)),
            (_, Err(e)) => return Err(e),
        };
        let mut previous =
            serde_json::to_value(cradle_domain::family::MotherDetails::of(&record.family))
                .map_err(|e| AppError::Internal(e.to_string()))?;
        previous["child_protection"] = record.family.child_protection.code().into();
        let change = self.amendment(actor, snapshot(&previous)?, input.version, why)?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::MotherDetailsAmended,
            "mother's details".to_string(),
        )?;
        self.store
            .amend_mother(access.family_id(), &details, &change, entry)
            .await
            .map_err(stale)?;
        Ok(details)
    }

    /// Records that a person must not be contacted, or not involved at all. Cradle will not
    /// offer contact, information, assessments or bookings for them while it stands.
    pub async fn restrict_contact(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person_id: PersonId,
        input: &RestrictionInput,
    ) -> Result<cradle_domain::network::ContactRestriction, AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        if record.person(person_id).is_none() {
            return Err(AppError::NotFound);
        }
        let restriction = input
            .parse(RestrictionId::new(), person_id, self.today(), self.now())
            .map_err(AppError::Invalid)?;
        let recorded_by = actor
            .id
            .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::RestrictionAdded,
            format!("{} for person {person_id}", restriction.kind.code()),
        )?;
        self.store
            .add_restriction(access.family_id(), &restriction, recorded_by, entry)
            .await?;
        Ok(restriction)
    }

    /// Lifts a decision in force: who lifted it, when and why are kept with it.
    pub async fn lift_restriction(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: RestrictionId,
        why: &str,
    ) -> Result<(), AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        let earlier = Self::restriction_in_force(&record, id)?;
        let why = reason(why)?;
        let lifted_by = actor
            .id
            .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::RestrictionLifted,
            format!(
                "{} for person {} (restriction {id})",
                earlier.kind.code(),
                earlier.person_id
            ),
        )?;
        self.store
            .lift_restriction(access.family_id(), id, lifted_by, &why, self.now(), entry)
            .await
            .map_err(stale)
    }

    /// Renews a decision in force after its review: a new decision of the same kind about
    /// the same person, with who decided, why and the next review date, replacing the
    /// earlier one (which is kept, closed, in the record).
    pub async fn renew_restriction(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: RestrictionId,
        input: &RestrictionInput,
    ) -> Result<cradle_domain::network::ContactRestriction, AppError> {
        let record = self.record_for_change(access, Sections::CORE).await?;
        let earlier = Self::restriction_in_force(&record, id)?;
        let renewal = RestrictionInput {
            kind: earlier.kind.code().to_string(),
            ..input.clone()
        }
        .parse(
            RestrictionId::new(),
            earlier.person_id,
            self.today(),
            self.now(),
        )
        .map_err(AppError::Invalid)?;
        let renewed_by = actor
            .id
            .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))?;
        let entry = self.change_entry(
            actor,
            access,
            AuditAction::RestrictionRenewed,
            format!(
                "{} for person {} (restriction {id} renewed as {})",
                renewal.kind.code(),
                renewal.person_id,
                renewal.id
            ),
        )?;
        self.store
            .renew_restriction(access.family_id(), id, &renewal, renewed_by, entry)
            .await
            .map_err(stale)?;
        Ok(renewal)
    }

    fn restriction_in_force(
        record: &FamilyRecord,
        id: RestrictionId,
    ) -> Result<cradle_domain::network::ContactRestriction, AppError> {
        let restriction = record
            .restrictions
            .iter()
            .find(|r| r.id == id)
            .ok_or(AppError::NotFound)?;
        if !restriction.in_force() {
            return Err(AppError::Conflict(
                "This decision has already been lifted or renewed. The family record shows the decision in force now.".to_string(),
            ));
        }
        Ok(restriction.clone())
    }

    /// Earlier versions of a person's details, for those allowed to see the family.
    pub async fn person_history(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person_id: PersonId,
    ) -> Result<Vec<RecordVersion>, AppError> {
        self.record_history(actor, access, RecordKind::Person, person_id.0)
            .await
    }

    /// Earlier versions of one of the family's records (a person, a relationship, a baby, or
    /// the family's own details such as child protection status), oldest first. The record
    /// must belong to this family; the viewing is audited.
    pub async fn record_history(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        kind: RecordKind,
        id: uuid::Uuid,
    ) -> Result<Vec<RecordVersion>, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        let record = self.record_for_change(access, kind.section()).await?;
        let belongs = match kind {
            RecordKind::Person => record.people.iter().any(|p| p.id.0 == id),
            RecordKind::Relationship => record.relationships.iter().any(|r| r.id.0 == id),
            RecordKind::Baby => record.family.babies.iter().any(|b| b.id.0 == id),
            RecordKind::Family => record.family.id.0 == id,
            RecordKind::Conversation => record.conversations.iter().any(|c| c.id == id),
            RecordKind::Observation => record.observations.iter().any(|o| o.id == id),
            RecordKind::Note => record.notes.iter().any(|n| n.id == id),
            RecordKind::Moment => record.moments.iter().any(|m| m.id == id),
            RecordKind::Concern => record.concerns.iter().any(|c| c.id == id),
        };
        if !belongs {
            return Err(AppError::NotFound);
        }
        let mut entry = access.audit(actor, self.now(), AuditAction::HistoryViewed);
        entry.detail = format!("{} {id}", kind.code());
        Ok(self
            .store
            .record_history(access.family_id(), kind, id, entry)
            .await?)
    }
}

impl Cradle {
    /// Adds an entry to the family timeline, about the family or one member, and marks it
    /// shared in confidence by that member when they asked.
    pub async fn add_entry(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &cradle_domain::entries::EntryInput,
    ) -> Result<cradle_domain::entries::Entry, AppError> {
        let (about, confided_by, text) = input.parse().map_err(AppError::Invalid)?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        if about.is_some_and(|member| !record.has_member(member)) {
            return Err(invalid("about", "Select someone in this family"));
        }
        let written_by = actor
            .id
            .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))?;
        let entry = cradle_domain::entries::Entry {
            id: uuid::Uuid::now_v7(),
            kind: input.kind(),
            about,
            confided_by,
            text,
            written_at_millis: self.now(),
            written_by: actor.display_name.clone(),
        };
        let entry_audit = self.change_entry(
            actor,
            access,
            AuditAction::EntryAdded,
            [
                (entry.kind.is_staff_only(), "staff only"),
                (confided_by.is_some(), "shared in confidence"),
            ]
            .into_iter()
            .filter_map(|(applies, words)| applies.then_some(words))
            .collect::<Vec<_>>()
            .join(", "),
        )?;
        self.store
            .add_entry(access.family_id(), &entry, written_by, entry_audit)
            .await
            .map_err(stale)?;
        Ok(entry)
    }

    /// The version of the family's own details, for a form that amends them.
    pub async fn family_version(&self, access: &FamilyAccess) -> Result<i64, AppError> {
        Ok(self
            .record_for_change(access, Sections::CORE)
            .await?
            .family
            .version)
    }

    /// The one gate for family-facing outputs: the view of the record that `recipients`
    /// may be given, or a refusal in words the screen may show with the family present.
    /// Every printout, summary, pack or export is built from what this returns, never from
    /// the record itself; making it is audited as an export (`what` says which output).
    pub async fn family_facing(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recipients: &[cradle_domain::entries::Member],
        what: &str,
    ) -> Result<FamilyFacing, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        let record = self.record_for_change(access, Sections::ALL).await?;
        let view = FamilyFacing::build(&record, recipients, self.today()).map_err(|withheld| {
            match withheld {
                Withheld::NoOne => invalid("present", "Select everyone who is in the session"),
                Withheld::NotInFamily => AppError::NotFound,
                // Not naming anyone: with several people in the room, the screen may be
                // seen by the family, and the decision itself must not be.
                Withheld::Child => AppError::Conflict(
                    "Cradle's printed summaries are written for adults, and this person is recorded as a child (under 16, or the baby's brother or sister with no age recorded).".to_string(),
                ),
                Withheld::Restricted if recipients.len() == 1 => AppError::Conflict(
                    "This person is marked do not contact or do not involve, so Cradle does not produce information for them.".to_string(),
                ),
                Withheld::Restricted => AppError::Conflict(
                    "Cradle does not make this summary: someone selected may not be given information. The family record says who and why.".to_string(),
                ),
            }
        })?;
        let mut entry = access.audit(actor, self.now(), AuditAction::PrintoutMade);
        entry.detail = format!(
            "{what} for {} ({} entries, {} goals, {} moments)",
            view.recipients
                .iter()
                .map(|member| member.code())
                .collect::<Vec<_>>()
                .join(", "),
            view.entries.len(),
            view.goals.len(),
            view.moments.len()
        );
        self.store.record_export(entry).await?;
        Ok(view)
    }
}
