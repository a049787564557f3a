//! Families and the people around the baby: the family and its babies, people,
//! relationships, do not contact / do not involve decisions, record history, import and the
//! caseload ([`crate::FamilyStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::rows::date_text;
use crate::rows::*;
use crate::sql::*;
use crate::sql::{bind_all, conflict_or, CaseloadPlan, BABY_COLUMNS};
use crate::*;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::network::{
    ChildProtectionStatus, ContactRestriction, FamilyRecord, Person, Relationship,
    RelationshipTarget,
};
use cradle_domain::{Baby, Family, FamilyId, PersonId, RestrictionId, StaffId, TeamId};
use uuid::Uuid;

/// A family entry as `load_timeline` reads it: id, kind, about whom, who confided it,
/// text, when written and by whom.
type EntryRow = (
    Uuid,
    String,
    Option<Uuid>,
    bool,
    Option<Uuid>,
    bool,
    String,
    i64,
    String,
);

impl SqlStore {
    /// `FAMILY_STAMP` through the pool.
    pub(crate) async fn pooled_stamp_row(&self, id: Uuid) -> StoreResult<Option<(Uuid, i64)>> {
        Ok(sqlx::query_as(crate::sql::FAMILY_STAMP)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The family row and its babies.
    pub(crate) async fn insert_family(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: &Family,
        created_by: StaffId,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO families (id, team_id, mother_name, mother_name_lower, mother_nhs_number, stage, referral_date, child_protection, created_at, created_by, key_worker, mother_date_of_birth, mother_postcode, mother_language, mother_interpreter_needed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14)",
        )
        .bind(family.id.0)
        .bind(family.team_id.0)
        .bind(&family.mother_name)
        .bind(family.mother_name.to_lowercase())
        .bind(&family.mother_nhs_number)
        .bind(family.stage.code())
        .bind(date_text(family.referral_date))
        .bind(family.child_protection.code())
        .bind(family.created_at_millis)
        .bind(created_by.0)
        .bind(date_text(family.mother_date_of_birth))
        .bind(&family.mother_postcode)
        .bind(&family.mother_language.language)
        .bind(family.mother_language.interpreter_needed)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO caseload_counts (team_id, key_worker, families) VALUES ($1, $2, 1) \
             ON CONFLICT (team_id, key_worker) DO UPDATE SET families = caseload_counts.families + 1",
        )
        .bind(family.team_id.0)
        .bind(created_by.0)
        .execute(&mut **tx)
        .await?;
        for (position, baby) in (1i64..).zip(&family.babies) {
            Self::insert_baby(tx, family.id, position, baby, family.created_at_millis).await?;
        }
        Ok(())
    }

    pub(crate) async fn insert_baby(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        position: i64,
        baby: &Baby,
        at_millis: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO babies (id, family_id, position, name, date_of_birth, due_date, gestation_days, nhs_number, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(baby.id.0)
        .bind(family.0)
        .bind(position)
        .bind(&baby.name)
        .bind(date_text(baby.date_of_birth))
        .bind(date_text(baby.due_date))
        .bind(baby.gestation_at_birth.map(|g| g.total_days()))
        .bind(&baby.nhs_number)
        .bind(at_millis)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The family's core and the `sections` asked for, all read in one read transaction so
    /// that nothing in it comes from a different moment. Not audited here: callers audit the
    /// read that shows it.
    pub(crate) async fn load_family_record(
        &self,
        id: FamilyId,
        sections: Sections,
    ) -> StoreResult<Option<FamilyRecord>> {
        let mut tx = self.begin_read().await?;
        let Some(mut record) = Self::load_core(&mut tx, id).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        if sections.relationship_work {
            Self::load_relationship_work(&mut tx, &mut record).await?;
        }
        if sections.timeline {
            Self::load_timeline(&mut tx, &mut record).await?;
        }
        if sections.video {
            Self::load_video(&mut tx, &mut record).await?;
        }
        if sections.care || sections.pathway {
            Self::load_care(&mut tx, sections, &mut record).await?;
        }
        tx.commit().await?;
        Ok(Some(record))
    }

    /// The family with its babies, people, relationships and restrictions, and the team's
    /// settings the record shows.
    async fn load_core(
        tx: &mut sqlx::Transaction<'static, Db>,
        id: FamilyId,
    ) -> StoreResult<Option<FamilyRecord>> {
        let row: Option<FamilyWithTeamRow> = sqlx::query_as(&format!(
            "SELECT {FAMILY_COLUMNS}, \
             (SELECT CAST(t.sessions_before_review AS BIGINT) FROM teams t WHERE t.id = families.team_id) AS team_sessions_before_review, \
             (SELECT t.pathway_roles FROM teams t WHERE t.id = families.team_id) AS team_pathway_roles, \
             (SELECT t.recording_retention FROM teams t WHERE t.id = families.team_id) AS team_recording_retention \
             FROM families WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(FamilyWithTeamRow {
            family: row,
            team_sessions_before_review,
            team_pathway_roles,
            team_recording_retention,
        }) = row
        else {
            return Ok(None);
        };
        let babies: Vec<BabyRow> = sqlx::query_as(&format!(
            "SELECT {BABY_COLUMNS} FROM babies WHERE family_id = $1 ORDER BY position"
        ))
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let babies = babies
            .into_iter()
            .map(|b| b.into_baby().map(|(_, baby)| baby))
            .collect::<StoreResult<Vec<_>>>()?;
        let people: Vec<PersonRow> = sqlx::query_as(&format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN family_people fp ON fp.person_id = p.id \
             WHERE fp.family_id = $1 ORDER BY fp.added_at, p.id"
        ))
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let relationships: Vec<RelationshipRow> = sqlx::query_as(&format!(
            "SELECT {RELATIONSHIP_COLUMNS} FROM relationships WHERE family_id = $1 ORDER BY created_at, id"
        ))
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let restrictions: Vec<RestrictionRow> = sqlx::query_as(
            "SELECT r.id, r.person_id, r.kind, r.decided_by, r.reason, r.until, r.recorded_at, r.lifted_at, \
             s.display_name AS lifted_by, r.lifted_reason, r.renewed_as \
             FROM contact_restrictions r LEFT JOIN staff s ON s.id = r.lifted_by \
             WHERE r.family_id = $1 ORDER BY r.recorded_at, r.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let mut record = FamilyRecord::new(row.into_family(babies)?);
        record.people = people
            .into_iter()
            .map(PersonRow::into_person)
            .collect::<StoreResult<_>>()?;
        record.relationships = relationships
            .into_iter()
            .map(RelationshipRow::into_relationship)
            .collect::<StoreResult<_>>()?;
        record.restrictions = restrictions
            .into_iter()
            .map(RestrictionRow::into_restriction)
            .collect::<StoreResult<_>>()?;
        record.sessions_before_review = u32::try_from(team_sessions_before_review.unwrap_or(0))
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(cradle_domain::care_plans::DEFAULT_SESSIONS_BEFORE_REVIEW);
        record.pathway_roles =
            cradle_domain::pathway::roles_from_text(team_pathway_roles.as_deref().unwrap_or(""));
        record.recording_retention = cradle_domain::recordings::RetentionPeriods::from_text(
            team_recording_retention.as_deref().unwrap_or(""),
        );
        Ok(Some(record))
    }

    /// Relationship conversations, coping concerns with their actions, observations,
    /// positive moments and caregiver notes.
    async fn load_relationship_work(
        tx: &mut sqlx::Transaction<'static, Db>,
        record: &mut FamilyRecord,
    ) -> StoreResult<()> {
        let id = record.family.id;
        let conversations: Vec<ConversationRow> = sqlx::query_as(
            "SELECT c.id, c.held_on, c.participants, c.baby_id, c.seen, c.answers, c.formulation, c.status, \
             s.display_name AS recorded_by, c.saved_at, c.version, c.interpreter \
             FROM conversations c JOIN staff s ON s.id = c.recorded_by WHERE c.family_id = $1 ORDER BY c.held_on, c.saved_at, c.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let concern_rows: Vec<ConcernRow> = sqlx::query_as(
            "SELECT c.id, c.about, c.conversation_id, c.kinds, c.description, c.raised_at, r.display_name AS raised_by, \
             c.closed_at, s.display_name AS closed_by, c.close_reason, c.version \
             FROM concerns c JOIN staff r ON r.id = c.raised_by LEFT JOIN staff s ON s.id = c.closed_by \
             WHERE c.family_id = $1 ORDER BY c.raised_at, c.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let action_rows: Vec<ConcernActionRow> = sqlx::query_as(
            "SELECT a.id, a.concern_id, a.action, a.reference, a.note, a.recorded_at, s.display_name AS recorded_by \
             FROM concern_actions a JOIN staff s ON s.id = a.recorded_by WHERE a.family_id = $1 ORDER BY a.recorded_at, a.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let observations: Vec<ObservationRow> = sqlx::query_as(
            "SELECT o.id, o.caregiver, o.baby_id, o.observed_on, o.setting, o.descriptors, o.tool, \
             s.display_name AS recorded_by, o.recorded_at, o.version, o.interpreter \
             FROM observations o JOIN staff s ON s.id = o.recorded_by WHERE o.family_id = $1 ORDER BY o.observed_on, o.recorded_at, o.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let moments: Vec<MomentRow> = sqlx::query_as(
            "SELECT m.id, m.caregiver, m.observation_id, m.noticed_on, m.what_happened, m.baby_responses, m.fed_back, \
             s.display_name AS recorded_by, m.recorded_at, m.version \
             FROM positive_moments m JOIN staff s ON s.id = m.recorded_by WHERE m.family_id = $1 ORDER BY m.noticed_on, m.recorded_at, m.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let notes: Vec<NoteRow> = sqlx::query_as(
            "SELECT n.id, n.subject, n.kind, n.text, n.noted_on, s.display_name AS recorded_by, n.recorded_at, n.version \
             FROM caregiver_notes n JOIN staff s ON s.id = n.recorded_by WHERE n.family_id = $1 ORDER BY n.noted_on, n.recorded_at, n.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        record.conversations = conversations
            .into_iter()
            .map(ConversationRow::into_conversation)
            .collect::<StoreResult<_>>()?;
        record.concerns = concern_rows
            .into_iter()
            .map(|row| row.into_concern(&action_rows))
            .collect::<StoreResult<_>>()?;
        record.observations = observations
            .into_iter()
            .map(ObservationRow::into_observation)
            .collect::<StoreResult<_>>()?;
        record.moments = moments
            .into_iter()
            .map(MomentRow::into_moment)
            .collect::<StoreResult<_>>()?;
        record.notes = notes
            .into_iter()
            .map(NoteRow::into_note)
            .collect::<StoreResult<_>>()?;
        Ok(())
    }

    /// The timeline's entries and the actions taken on disclosures.
    async fn load_timeline(
        tx: &mut sqlx::Transaction<'static, Db>,
        record: &mut FamilyRecord,
    ) -> StoreResult<()> {
        let id = record.family.id;
        let entry_rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT e.id, e.kind, e.about_person, e.about_mother, e.confided_by_person, e.confided_by_mother, e.text, e.written_at, s.display_name \
             FROM family_entries e JOIN staff s ON s.id = e.written_by WHERE e.family_id = $1 ORDER BY e.written_at, e.id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let disclosure_rows: Vec<(String,)> = sqlx::query_as(
            "SELECT record FROM disclosure_actions WHERE family_id = $1 ORDER BY raised_at, id",
        )
        .bind(id.0)
        .fetch_all(&mut **tx)
        .await?;
        let member = |person: Option<Uuid>, mother: bool| match (person, mother) {
            (Some(p), _) => Some(cradle_domain::entries::Member::Person(PersonId(p))),
            (None, true) => Some(cradle_domain::entries::Member::Mother),
            (None, false) => None,
        };
        record.entries = entry_rows
            .into_iter()
            .map(
                |(
                    entry_id,
                    kind,
                    about_person,
                    about_mother,
                    by_person,
                    by_mother,
                    text,
                    written_at,
                    written_by,
                )| {
                    // An unknown kind is treated as staff-only: never printed by mistake.
                    let kind = cradle_domain::entries::EntryKind::from_code(&kind)
                        .unwrap_or(cradle_domain::entries::EntryKind::Safeguarding);
                    cradle_domain::entries::Entry {
                        id: entry_id,
                        kind,
                        about: member(about_person, about_mother),
                        confided_by: member(by_person, by_mother),
                        text,
                        written_at_millis: written_at,
                        written_by,
                    }
                },
            )
            .collect();
        record.disclosure_actions = disclosure_rows
            .iter()
            .map(|(record,)| crate::care_plans::from_json(record, "disclosure action"))
            .collect::<StoreResult<_>>()?;
        Ok(())
    }

    /// A safety decision about a member of the family, inside the caller's transaction.
    pub(crate) async fn insert_restriction(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        restriction: &ContactRestriction,
        recorded_by: StaffId,
    ) -> StoreResult<()> {
        Self::require_member(tx, family, restriction.person_id).await?;
        sqlx::query(
            "INSERT INTO contact_restrictions (id, family_id, person_id, kind, decided_by, reason, until, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(restriction.id.0)
        .bind(family.0)
        .bind(restriction.person_id.0)
        .bind(restriction.kind.code())
        .bind(&restriction.decided_by)
        .bind(&restriction.reason)
        .bind(date_text(restriction.review_on))
        .bind(restriction.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Ends a decision still in force (lifted, or replaced by `renewed_as`), inside the
    /// caller's transaction; `NotFound` if it is not this family's or is already ended.
    pub(crate) async fn close_restriction(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        id: RestrictionId,
        by: StaffId,
        reason: &str,
        at_millis: i64,
        renewed_as: Option<RestrictionId>,
    ) -> StoreResult<()> {
        let changed = sqlx::query(
            "UPDATE contact_restrictions SET lifted_at = $1, lifted_by = $2, lifted_reason = $3, renewed_as = $4 \
             WHERE id = $5 AND family_id = $6 AND lifted_at IS NULL",
        )
        .bind(at_millis)
        .bind(by.0)
        .bind(reason)
        .bind(renewed_as.map(|r| r.0))
        .bind(id.0)
        .bind(family.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// A timeline entry about members of the family, inside the caller's transaction.
    pub(crate) async fn insert_entry(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        entry: &cradle_domain::entries::Entry,
        written_by: StaffId,
    ) -> StoreResult<()> {
        use cradle_domain::entries::Member;
        let person = |m: Option<Member>| match m {
            Some(Member::Person(id)) => Some(id.0),
            _ => None,
        };
        let mother = |m: Option<Member>| m == Some(Member::Mother);
        for member in [entry.about, entry.confided_by].into_iter().flatten() {
            if let Member::Person(id) = member {
                Self::require_member(tx, family, id).await?;
            }
        }
        sqlx::query(
            "INSERT INTO family_entries (id, family_id, about_person, about_mother, confided_by_person, confided_by_mother, text, written_at, written_by, kind) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(entry.id)
        .bind(family.0)
        .bind(person(entry.about))
        .bind(mother(entry.about))
        .bind(person(entry.confided_by))
        .bind(mother(entry.confided_by))
        .bind(&entry.text)
        .bind(entry.written_at_millis)
        .bind(written_by.0)
        .bind(entry.kind.code())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(crate) async fn insert_person(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        person: &Person,
        at_millis: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO people (id, name, name_lower, phone, email, postcode, preferred_language, interpreter_needed, ethnicity, religion, cultural_notes, contact_consent, version, created_at, date_of_birth, age_band, sex) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(person.id.0)
        .bind(&person.name)
        .bind(person.name.to_lowercase())
        .bind(&person.phone)
        .bind(&person.email)
        .bind(&person.postcode)
        .bind(&person.preferred_language)
        .bind(person.interpreter_needed)
        .bind(person.ethnicity.map(|e| e.code()))
        .bind(&person.religion)
        .bind(&person.cultural_notes)
        .bind(person.contact_consent.code())
        .bind(person.version)
        .bind(at_millis)
        .bind(date_text(person.date_of_birth))
        .bind(person.age_band.map(|b| b.code()))
        .bind(person.sex.map(|s| s.code()))
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO family_people (family_id, person_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(family.0)
        .bind(person.id.0)
        .bind(at_millis)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(crate) async fn insert_relationship(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        relationship: &Relationship,
        at_millis: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO relationships (id, family_id, person_id, baby_id, kind, lives_with_baby, care_share, contact_frequency, nature, started_on, ended_on, end_reason, version, created_at, parental_responsibility) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(relationship.id.0)
        .bind(family.0)
        .bind(relationship.person_id.0)
        .bind(Self::baby_of(relationship.target))
        .bind(relationship.kind.code())
        .bind(relationship.lives_with_baby)
        .bind(relationship.care_share.code())
        .bind(relationship.contact_frequency.code())
        .bind(relationship.nature.map(|n| n.code()))
        .bind(date_text(relationship.started_on))
        .bind(date_text(relationship.ended_on))
        .bind(&relationship.end_reason)
        .bind(relationship.version)
        .bind(at_millis)
        .bind(relationship.parental_responsibility.code())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Several whole families in one transaction, each with its own audit record:
    /// for importing a caseload and for the synthetic caseloads benchmarks need.
    pub(crate) async fn create_family_records(
        &self,
        records: &[FamilyRecord],
        created_by: StaffId,
        audits: Vec<AuditEntry>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for record in records {
            Self::insert_family(&mut tx, &record.family, created_by).await?;
            for person in &record.people {
                Self::insert_person(
                    &mut tx,
                    record.family.id,
                    person,
                    record.family.created_at_millis,
                )
                .await?;
            }
            for relationship in &record.relationships {
                Self::insert_relationship(
                    &mut tx,
                    record.family.id,
                    relationship,
                    record.family.created_at_millis,
                )
                .await?;
            }
            for plan in &record.plans {
                Self::insert_care_plan(&mut tx, record.family.id, plan, created_by).await?;
            }
        }
        Self::write_audits(&mut tx, audits).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn require_member(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        person: PersonId,
    ) -> StoreResult<()> {
        // COUNT(*) is a 64-bit integer in both databases (a bare 1 is not).
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM family_people WHERE family_id = $1 AND person_id = $2",
        )
        .bind(family.0)
        .bind(person.0)
        .fetch_one(&mut **tx)
        .await?;
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn keep_version(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        kind: RecordKind,
        id: Uuid,
        change: &Amendment,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO record_versions (id, family_id, record_kind, record_id, version, snapshot, replaced_at, replaced_by, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(family.0)
        .bind(kind.code())
        .bind(id)
        .bind(change.previous_version)
        .bind(&change.previous_snapshot)
        .bind(change.at_millis)
        .bind(change.changed_by.0)
        .bind(&change.reason)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// After an update that names the version it replaces: `NotFound` when there is no
    /// such record in the family, `Conflict` when someone else replaced it first.
    pub(crate) async fn replaced(
        tx: &mut sqlx::Transaction<'static, Db>,
        rows: u64,
        table: &'static str,
        id: Uuid,
        family: FamilyId,
        what: &'static str,
    ) -> StoreResult<()> {
        if rows > 0 {
            return Ok(());
        }
        let exists: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE id = $1 AND family_id = $2"
        ))
        .bind(id)
        .bind(family.0)
        .fetch_one(&mut **tx)
        .await?;
        Err(if exists == 0 {
            StoreError::NotFound
        } else {
            StoreError::Conflict(what)
        })
    }

    pub(crate) fn baby_of(target: RelationshipTarget) -> Option<Uuid> {
        match target {
            RelationshipTarget::Baby(id) => Some(id.0),
            RelationshipTarget::Mother => None,
        }
    }

    pub(crate) async fn require_baby(
        tx: &mut sqlx::Transaction<'static, Db>,
        family: FamilyId,
        target: RelationshipTarget,
    ) -> StoreResult<()> {
        if let Some(baby) = Self::baby_of(target) {
            let found: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM babies WHERE id = $1 AND family_id = $2")
                    .bind(baby)
                    .bind(family.0)
                    .fetch_one(&mut **tx)
                    .await?;
            if found == 0 {
                return Err(StoreError::NotFound);
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl FamilyStore for SqlStore {
    async fn create_family(
        &self,
        family: &Family,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_family(&mut tx, family, created_by).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn family_team(&self, id: FamilyId) -> StoreResult<Option<TeamId>> {
        let team: Option<Uuid> = sqlx::query_scalar("SELECT team_id FROM families WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(team.map(TeamId))
    }

    async fn family_stamp(&self, id: FamilyId) -> StoreResult<Option<(TeamId, i64)>> {
        let row = self.stamp_row(id.0).await?;
        Ok(row.map(|(team, changes)| (TeamId(team), changes)))
    }

    async fn read_family(
        &self,
        id: FamilyId,
        changes: i64,
        sections: Sections,
        audit: AuditEntry,
    ) -> StoreResult<Option<std::sync::Arc<FamilyRecord>>> {
        // The stamp was read (by the access check) before the record is: a copy is used
        // only at that stamp (see `cache.rs`). A copy of the whole record serves a read of
        // fewer sections.
        let records = &self.copies.records;
        let record = match records.get((id, Sections::ALL), changes) {
            Some(whole) => whole,
            None => {
                let loaded = records
                    .get_or_load(
                        (id, sections),
                        changes,
                        self.load_family_record(id, sections),
                    )
                    .await?;
                let Some(record) = loaded else {
                    return Ok(None);
                };
                record
            }
        };
        // Nothing is returned until the read's audit record is committed.
        self.audit.append(audit).await?;
        Ok(Some(record))
    }

    async fn list_families(
        &self,
        query: &FamilyQuery,
        audit: AuditEntry,
    ) -> StoreResult<FamilyPage> {
        let plan = CaseloadPlan::new(query);
        // Each team's families are walked in name order along its index and stop at
        // the page's end, in one query that also brings the team's count; a member of
        // several teams gets the teams' pages merged.
        let mut keys: Vec<(String, Uuid, i64)> = Vec::new();
        let mut counted = 0u64;
        for team in &query.teams {
            let (sql, binds) = plan.page_sql(*team);
            let rows = self.caseload_keys(&sql, binds).await?;
            let count = match rows.first() {
                Some(row) => row.3,
                None => {
                    let (sql, binds) = plan.count_sql(*team);
                    let q = bind_all!(sqlx::query_scalar::<_, i64>(&sql), binds);
                    q.fetch_one(&self.pool).await?
                }
            };
            counted += u64::try_from(count).unwrap_or(0);
            keys.extend(
                rows.into_iter()
                    .map(|(name, id, changes, _)| (name, id, changes)),
            );
        }
        let (total, total_is_lower_bound) = if query.search.is_some() {
            (
                counted.min(SEARCH_COUNT_LIMIT),
                counted > SEARCH_COUNT_LIMIT,
            )
        } else {
            (counted, false)
        };
        let (page, has_previous, has_next) = plan.take_page(keys);
        // Caseload rows held at the count just read are used as they are; the rest
        // are loaded together.
        let held: Vec<Option<std::sync::Arc<FamilySummary>>> = page
            .iter()
            .map(|(id, changes)| self.copies.summaries.get(FamilyId(*id), *changes))
            .collect();
        let page_ids: Vec<Uuid> = page
            .iter()
            .zip(&held)
            .filter(|(_, held)| held.is_none())
            .map(|((id, _), _)| *id)
            .collect();
        // One `$N` placeholder per id: both databases read them the same way.
        let ids = (1..=page_ids.len().max(1))
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        // Binds every id on the page, in order, to a query written with `{ids}`.
        macro_rules! bind_ids {
            ($query:expr) => {
                page_ids.iter().fold($query, |query, id| query.bind(*id))
            };
        }
        let mut rows: Vec<FamilySummaryRow> = Vec::new();
        let mut baby_rows: Vec<BabyRow> = Vec::new();
        let mut people: Vec<(Uuid, Uuid, String, bool, Option<String>)> = Vec::new();
        let mut restriction_rows: Vec<(Uuid, RestrictionRow)> = Vec::new();
        let mut open_concerns: Vec<(Uuid, i64)> = Vec::new();
        let mut open_alerts: Vec<(Uuid, i64)> = Vec::new();
        let mut open_disclosure_actions: Vec<(Uuid, i64)> = Vec::new();
        let mut pathway_rows: Vec<(Uuid, Uuid, String)> = Vec::new();
        if !page_ids.is_empty() {
            let sql = format!(
                "SELECT id, team_id, mother_name, mother_language, mother_interpreter_needed, stage, CAST(open_plans AS BIGINT) AS open_plans, \
                 CAST(review_sessions AS BIGINT) AS review_sessions, next_contact_on, last_plan_closed_on, \
                 (SELECT CAST(t.sessions_before_review AS BIGINT) FROM teams t WHERE t.id = families.team_id) AS sessions_before_review \
                 FROM families WHERE id IN ({ids}) ORDER BY mother_name_lower, id"
            );
            let q = bind_ids!(sqlx::query_as::<_, FamilySummaryRow>(&sql));
            rows = q.fetch_all(&self.pool).await?;
            let sql = format!("SELECT {BABY_COLUMNS} FROM babies WHERE family_id IN ({ids}) ORDER BY family_id, position");
            let q = bind_ids!(sqlx::query_as::<_, BabyRow>(&sql));
            baby_rows = q.fetch_all(&self.pool).await?;
            let sql = format!(
                "SELECT fp.family_id, p.id, p.name, p.interpreter_needed, p.preferred_language FROM family_people fp JOIN people p ON p.id = fp.person_id \
                 WHERE fp.family_id IN ({ids}) ORDER BY fp.added_at, p.id"
            );
            let q = bind_ids!(sqlx::query_as::<
                _,
                (Uuid, Uuid, String, bool, Option<String>),
            >(&sql));
            people = q.fetch_all(&self.pool).await?;
            let sql = format!(
                "SELECT family_id, id, person_id, kind, decided_by, reason, until, recorded_at, lifted_at FROM contact_restrictions \
                 WHERE lifted_at IS NULL AND family_id IN ({ids})"
            );
            let q = bind_ids!(sqlx::query_as::<_, RestrictionWithFamilyRow>(&sql));
            restriction_rows = q
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(RestrictionWithFamilyRow::split)
                .collect();
            let sql = format!(
                "SELECT family_id, COUNT(*) FROM concerns WHERE closed_at IS NULL AND family_id IN ({ids}) GROUP BY family_id"
            );
            let q = bind_ids!(sqlx::query_as::<_, (Uuid, i64)>(&sql));
            open_concerns = q.fetch_all(&self.pool).await?;
            let sql = format!(
                "SELECT family_id, COUNT(*) FROM questionnaire_responses WHERE alert_open = 1 AND family_id IN ({ids}) GROUP BY family_id"
            );
            let q = bind_ids!(sqlx::query_as::<_, (Uuid, i64)>(&sql));
            open_alerts = q.fetch_all(&self.pool).await?;
            let sql = format!(
                "SELECT family_id, COUNT(*) FROM disclosure_actions WHERE open = 1 AND family_id IN ({ids}) GROUP BY family_id"
            );
            let q = bind_ids!(sqlx::query_as::<_, (Uuid, i64)>(&sql));
            open_disclosure_actions = q.fetch_all(&self.pool).await?;
            // Each person's current pathway step: the one at their highest position.
            let sql = format!(
                "SELECT ps.family_id, ps.person_id, ps.record FROM pathway_steps ps WHERE ps.family_id IN ({ids}) \
                 AND ps.position = (SELECT MAX(p2.position) FROM pathway_steps p2 WHERE p2.family_id = ps.family_id AND p2.person_id = ps.person_id)"
            );
            let q = bind_ids!(sqlx::query_as::<_, (Uuid, Uuid, String)>(&sql));
            pathway_rows = q.fetch_all(&self.pool).await?;
        }
        let mut pathway_steps: Vec<(
            Uuid,
            cradle_domain::PersonId,
            cradle_domain::pathway::PathwayStep,
        )> = Vec::new();
        for (family, person, record) in pathway_rows {
            let recorded: cradle_domain::pathway::RecordedStep =
                crate::care_plans::from_json(&record, "pathway step")?;
            pathway_steps.push((family, cradle_domain::PersonId(person), recorded.step));
        }
        let mut restrictions: Vec<(FamilyId, cradle_domain::network::ContactRestriction)> =
            Vec::new();
        for (family, row) in restriction_rows {
            restrictions.push((FamilyId(family), row.into_restriction()?));
        }
        let babies: Vec<(FamilyId, Baby)> = baby_rows
            .into_iter()
            .map(BabyRow::into_baby)
            .collect::<StoreResult<_>>()?;
        let loaded = rows
            .into_iter()
            .map(|row| {
                let id = FamilyId(row.id);
                let mine = babies
                    .iter()
                    .filter(|(f, _)| *f == id)
                    .map(|(_, b)| b.clone())
                    .collect();
                let mut summary = row.into_summary(mine)?;
                summary.involved = people
                    .iter()
                    .filter(|(f, ..)| *f == id.0)
                    .map(|(_, person, name, ..)| (cradle_domain::PersonId(*person), name.clone()))
                    .collect();
                summary.interpreters = people
                    .iter()
                    .filter(|(f, ..)| *f == id.0)
                    .filter_map(|(_, person, _, needed, language)| {
                        cradle_domain::network::interpreter_note(*needed, language.as_deref())
                            .map(|note| (cradle_domain::PersonId(*person), note))
                    })
                    .collect();
                summary.open_concerns = open_concerns
                    .iter()
                    .find(|(f, _)| *f == id.0)
                    .map(|(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
                    .unwrap_or(0);
                summary.open_alerts = open_alerts
                    .iter()
                    .find(|(f, _)| *f == id.0)
                    .map(|(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
                    .unwrap_or(0);
                summary.open_disclosure_actions = open_disclosure_actions
                    .iter()
                    .find(|(f, _)| *f == id.0)
                    .map(|(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
                    .unwrap_or(0);
                summary.restrictions = restrictions
                    .iter()
                    .filter(|(f, _)| *f == id)
                    .map(|(_, r)| r.clone())
                    .collect();
                summary.pathway_steps = pathway_steps
                    .iter()
                    .filter(|(f, _, _)| *f == id.0)
                    .map(|(_, person, step)| (*person, step.clone()))
                    .collect();
                Ok((summary.id, std::sync::Arc::new(summary)))
            })
            .collect::<StoreResult<std::collections::HashMap<_, _>>>()?;
        let mut families = Vec::with_capacity(page.len());
        for ((id, changes), held) in page.iter().zip(held) {
            let id = FamilyId(*id);
            let summary = match held {
                Some(summary) => summary,
                None => {
                    // A family that has gone between the two queries is left out.
                    let Some(summary) = loaded.get(&id) else {
                        continue;
                    };
                    self.copies
                        .summaries
                        .put(id, *changes, std::sync::Arc::clone(summary));
                    std::sync::Arc::clone(summary)
                }
            };
            families.push(summary);
        }
        // The list shows names, so the audit says exactly which records were shown.
        let mut audit = audit;
        let shown: Vec<String> = families.iter().map(|f| f.id.to_string()).collect();
        let more = if total_is_lower_bound {
            "more than "
        } else {
            ""
        };
        audit.detail = format!(
            "{}; {} of {more}{} shown: {}",
            audit.detail,
            families.len(),
            total,
            shown.join(" ")
        );
        self.audit.append(audit).await?;
        Ok(FamilyPage {
            families,
            total,
            total_is_lower_bound,
            has_previous,
            has_next,
        })
    }

    async fn needs_attention(
        &self,
        teams: &[TeamId],
        today: time::Date,
        audit: AuditEntry,
    ) -> StoreResult<Vec<cradle_domain::attention::AttentionItem>> {
        use cradle_domain::attention::{AttentionItem, AttentionKind, Settle};
        // (kind, family, person named by id or "mother", detail, since, settled on)
        let mut found: Vec<(
            AttentionKind,
            Uuid,
            Option<String>,
            String,
            time::Date,
            Settle,
        )> = Vec::new();
        let day = |text: String| -> StoreResult<time::Date> {
            Ok(crate::rows::parse_date_text(Some(text))?.unwrap_or(today))
        };
        for team in teams {
            // Each query is bounded: a team's list shows at most this many of a kind.
            let alerts: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT q.family_id, q.record FROM questionnaire_responses q \
                 JOIN families f ON f.id = q.family_id WHERE q.alert_open = 1 AND f.team_id = $1 \
                 ORDER BY q.completed_on, q.id LIMIT 200",
            )
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for (family, record) in alerts {
                let response: cradle_domain::questionnaires::QuestionnaireResponse =
                    crate::care_plans::from_json(&record, "questionnaire response")?;
                let raised = response
                    .scored
                    .alerts
                    .iter()
                    .map(|a| a.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                found.push((
                    AttentionKind::SafetyAlert,
                    family,
                    Some(response.person_id.to_string()),
                    format!(
                        "{} completed {}: {raised} No action recorded yet.",
                        response.instrument_name,
                        cradle_domain::dates::long_date(response.completed_on)
                    ),
                    response.completed_on,
                    Settle::AlertAction(response.id),
                ));
            }
            let concerns: Vec<(Uuid, Uuid, String, i64)> = sqlx::query_as(
                "SELECT c.id, c.family_id, c.about, c.raised_at FROM concerns c \
                 JOIN families f ON f.id = c.family_id WHERE c.closed_at IS NULL AND f.team_id = $1 \
                 ORDER BY c.raised_at, c.id LIMIT 200",
            )
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for (concern, family, about, raised_at) in concerns {
                let since = cradle_domain::dates::uk_date(raised_at);
                found.push((
                    AttentionKind::CopingConcern,
                    family,
                    Some(about),
                    format!(
                        "Raised {}: open until an action is recorded and it is closed",
                        cradle_domain::dates::long_date(since)
                    ),
                    since,
                    Settle::ConcernAction(concern),
                ));
            }
            let disclosures: Vec<(Uuid, Uuid, i64, i64)> = sqlx::query_as(
                "SELECT d.family_id, d.entry_id, MIN(d.raised_at), COUNT(*) FROM disclosure_actions d \
                 JOIN families f ON f.id = d.family_id WHERE d.open = 1 AND f.team_id = $1 \
                 GROUP BY d.family_id, d.entry_id ORDER BY MIN(d.raised_at), d.entry_id LIMIT 200",
            )
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for (family, _, raised_at, open) in disclosures {
                let since = cradle_domain::dates::uk_date(raised_at);
                found.push((
                    AttentionKind::DisclosureActions,
                    family,
                    None,
                    format!(
                        "Abuse disclosed {}: {open} of the steps that follow still to settle",
                        cradle_domain::dates::long_date(since)
                    ),
                    since,
                    Settle::DisclosureActions,
                ));
            }
            let reviews: Vec<(Uuid, Uuid, Uuid, String, String)> = sqlx::query_as(
                "SELECT r.id, r.family_id, r.person_id, r.kind, r.until FROM contact_restrictions r \
                 JOIN families f ON f.id = r.family_id \
                 WHERE r.lifted_at IS NULL AND r.until < $1 AND f.team_id = $2 \
                 ORDER BY r.until, r.id LIMIT 200",
            )
            .bind(crate::rows::date_text(Some(today)))
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for (restriction, family, person, kind, until) in reviews {
                let since = day(until)?;
                let kind = cradle_domain::network::RestrictionKind::from_code(&kind)
                    .map(|k| k.label().to_string())
                    .unwrap_or_default();
                found.push((
                    AttentionKind::RestrictionReviewOverdue,
                    family,
                    Some(person.to_string()),
                    format!(
                        "{kind}: review was due {}, still in force",
                        cradle_domain::dates::long_date(since)
                    ),
                    since,
                    Settle::RestrictionReview(restriction),
                ));
            }
            // Walked along the team's families with open plans by sessions since review.
            let plans: Vec<(Uuid, i64, i64)> = sqlx::query_as(
                "SELECT f.id, CAST(f.review_sessions AS BIGINT), CAST(t.sessions_before_review AS BIGINT) FROM families f \
                 JOIN teams t ON t.id = f.team_id \
                 WHERE f.team_id = $1 AND f.open_plans > 0 AND f.review_sessions > t.sessions_before_review \
                 ORDER BY f.review_sessions DESC, f.id LIMIT 200",
            )
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for (family, attended, of) in plans {
                found.push((
                    AttentionKind::CarePlanReviewOverdue,
                    family,
                    None,
                    format!("{attended} sessions attended since the last review; the team reviews after {of}"),
                    today,
                    Settle::CarePlans,
                ));
            }
        }
        // Name each family after its baby, and each person named.
        let mut family_ids: Vec<Uuid> = found.iter().map(|f| f.1).collect();
        family_ids.sort();
        family_ids.dedup();
        let mut items = Vec::with_capacity(found.len());
        for chunk in family_ids.chunks(500) {
            let ids = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT id, mother_name FROM families WHERE id IN ({ids})");
            let mothers: Vec<(Uuid, String)> = chunk
                .iter()
                .fold(sqlx::query_as(&sql), |q, id| q.bind(*id))
                .fetch_all(&self.pool)
                .await?;
            let sql = format!("SELECT {BABY_COLUMNS} FROM babies WHERE family_id IN ({ids}) ORDER BY family_id, position");
            let babies: Vec<(FamilyId, Baby)> = chunk
                .iter()
                .fold(sqlx::query_as::<_, BabyRow>(&sql), |q, id| q.bind(*id))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(BabyRow::into_baby)
                .collect::<StoreResult<_>>()?;
            let sql = format!(
                "SELECT fp.family_id, p.id, p.name FROM family_people fp JOIN people p ON p.id = fp.person_id WHERE fp.family_id IN ({ids})"
            );
            let people: Vec<(Uuid, Uuid, String)> = chunk
                .iter()
                .fold(sqlx::query_as(&sql), |q, id| q.bind(*id))
                .fetch_all(&self.pool)
                .await?;
            for (kind, family, about, detail, since, settle) in
                found.iter().filter(|f| chunk.contains(&f.1))
            {
                let Some((_, mother)) = mothers.iter().find(|(id, _)| id == family) else {
                    continue;
                };
                let theirs: Vec<&Baby> = babies
                    .iter()
                    .filter(|(f, _)| f.0 == *family)
                    .map(|(_, b)| b)
                    .collect();
                let label = match theirs.as_slice() {
                    [] => format!("{mother} (no baby recorded yet)"),
                    several => several
                        .iter()
                        .map(|b| b.label(mother))
                        .collect::<Vec<_>>()
                        .join(" and "),
                };
                let person = about.as_deref().and_then(cradle_domain::PersonId::parse);
                let named = match (about.as_deref(), person) {
                    (Some("mother"), _) => Some(mother.clone()),
                    (_, Some(person)) => people
                        .iter()
                        .find(|(f, p, _)| f == family && *p == person.0)
                        .map(|(_, _, name)| name.clone()),
                    _ => None,
                };
                items.push(AttentionItem {
                    kind: *kind,
                    family_id: FamilyId(*family),
                    family: label,
                    about: named,
                    person_id: person,
                    detail: detail.clone(),
                    since: *since,
                    settle: *settle,
                });
            }
        }
        cradle_domain::attention::most_urgent_first(&mut items);
        // The list shows names, so the audit says exactly which families were shown.
        let mut audit = audit;
        audit.detail = format!(
            "{} items: {}",
            items.len(),
            family_ids
                .iter()
                .map(|id| id.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        self.audit.append(audit).await?;
        Ok(items)
    }

    async fn load_record_for_change(
        &self,
        family: FamilyId,
        sections: Sections,
    ) -> StoreResult<Option<FamilyRecord>> {
        self.load_family_record(family, sections).await
    }

    async fn add_person(
        &self,
        family: FamilyId,
        person: &Person,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_person(&mut tx, family, person, at_millis).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn link_person(
        &self,
        family: FamilyId,
        person: PersonId,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO family_people (family_id, person_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(family.0)
        .bind(person.0)
        .bind(at_millis)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "This person in this family"))?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_person(
        &self,
        family: FamilyId,
        person: &Person,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::require_member(&mut tx, family, person.id).await?;
        let changed = sqlx::query(
            "UPDATE people SET name = $1, name_lower = $2, phone = $3, email = $4, postcode = $5, preferred_language = $6, \
             interpreter_needed = $7, ethnicity = $8, religion = $9, cultural_notes = $10, contact_consent = $11, version = $12, \
             date_of_birth = $15, age_band = $16, sex = $17 \
             WHERE id = $13 AND version = $14",
        )
        .bind(&person.name)
        .bind(person.name.to_lowercase())
        .bind(&person.phone)
        .bind(&person.email)
        .bind(&person.postcode)
        .bind(&person.preferred_language)
        .bind(person.interpreter_needed)
        .bind(person.ethnicity.map(|e| e.code()))
        .bind(&person.religion)
        .bind(&person.cultural_notes)
        .bind(person.contact_consent.code())
        .bind(person.version)
        .bind(person.id.0)
        .bind(change.previous_version)
        .bind(date_text(person.date_of_birth))
        .bind(person.age_band.map(|b| b.code()))
        .bind(person.sex.map(|s| s.code()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(
                "A newer version of this person's details",
            ));
        }
        Self::keep_version(&mut tx, family, RecordKind::Person, person.id.0, change).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_relationship(
        &self,
        family: FamilyId,
        relationship: &Relationship,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::require_member(&mut tx, family, relationship.person_id).await?;
        Self::require_baby(&mut tx, family, relationship.target).await?;
        Self::insert_relationship(&mut tx, family, relationship, at_millis).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_relationship(
        &self,
        family: FamilyId,
        relationship: &Relationship,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::require_baby(&mut tx, family, relationship.target).await?;
        let changed = sqlx::query(
            "UPDATE relationships SET baby_id = $1, kind = $2, lives_with_baby = $3, care_share = $4, contact_frequency = $5, nature = $6, \
             started_on = $7, ended_on = $8, end_reason = $9, version = $10, parental_responsibility = $15 \
             WHERE id = $11 AND family_id = $12 AND person_id = $13 AND version = $14",
        )
        .bind(Self::baby_of(relationship.target))
        .bind(relationship.kind.code())
        .bind(relationship.lives_with_baby)
        .bind(relationship.care_share.code())
        .bind(relationship.contact_frequency.code())
        .bind(relationship.nature.map(|n| n.code()))
        .bind(date_text(relationship.started_on))
        .bind(date_text(relationship.ended_on))
        .bind(&relationship.end_reason)
        .bind(relationship.version)
        .bind(relationship.id.0)
        .bind(family.0)
        .bind(relationship.person_id.0)
        .bind(change.previous_version)
        .bind(relationship.parental_responsibility.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict("A newer version of this relationship"));
        }
        Self::keep_version(
            &mut tx,
            family,
            RecordKind::Relationship,
            relationship.id.0,
            change,
        )
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_baby(
        &self,
        family: FamilyId,
        baby: &Baby,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM babies WHERE family_id = $1")
            .bind(family.0)
            .fetch_one(&mut *tx)
            .await?;
        Self::insert_baby(&mut tx, family, position + 1, baby, at_millis).await?;
        if baby.is_born() {
            sqlx::query("UPDATE families SET stage = 'postnatal' WHERE id = $1")
                .bind(family.0)
                .execute(&mut *tx)
                .await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_baby(
        &self,
        family: FamilyId,
        baby: &Baby,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE babies SET name = $1, date_of_birth = $2, due_date = $3, gestation_days = $4, nhs_number = $5 \
             WHERE id = $6 AND family_id = $7",
        )
        .bind(&baby.name)
        .bind(date_text(baby.date_of_birth))
        .bind(date_text(baby.due_date))
        .bind(baby.gestation_at_birth.map(|g| g.total_days()))
        .bind(&baby.nhs_number)
        .bind(baby.id.0)
        .bind(family.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        if baby.is_born() {
            sqlx::query("UPDATE families SET stage = 'postnatal' WHERE id = $1")
                .bind(family.0)
                .execute(&mut *tx)
                .await?;
        }
        Self::keep_version(&mut tx, family, RecordKind::Baby, baby.id.0, change).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_child_protection(
        &self,
        family: FamilyId,
        status: ChildProtectionStatus,
        timeline: &cradle_domain::entries::Entry,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE families SET child_protection = $1, version = version + 1 WHERE id = $2 AND version = $3",
        )
        .bind(status.code())
        .bind(family.0)
        .bind(change.previous_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(
                "A newer version of this family record",
            ));
        }
        Self::keep_version(&mut tx, family, RecordKind::Family, family.0, change).await?;
        Self::insert_entry(&mut tx, family, timeline, change.changed_by).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn amend_mother(
        &self,
        family: FamilyId,
        details: &cradle_domain::family::MotherDetails,
        change: &Amendment,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE families SET mother_name = $1, mother_name_lower = $2, mother_nhs_number = $3, mother_date_of_birth = $4, \
             mother_postcode = $5, referral_date = $6, mother_language = $9, mother_interpreter_needed = $10, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(&details.mother_name)
        .bind(details.mother_name.to_lowercase())
        .bind(&details.mother_nhs_number)
        .bind(date_text(details.mother_date_of_birth))
        .bind(&details.mother_postcode)
        .bind(date_text(details.referral_date))
        .bind(family.0)
        .bind(change.previous_version)
        .bind(&details.mother_language.language)
        .bind(details.mother_language.interpreter_needed)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(
                "A newer version of this family record",
            ));
        }
        Self::keep_version(&mut tx, family, RecordKind::Family, family.0, change).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_restriction(
        &self,
        family: FamilyId,
        restriction: &ContactRestriction,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_restriction(&mut tx, family, restriction, recorded_by).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn lift_restriction(
        &self,
        family: FamilyId,
        id: RestrictionId,
        lifted_by: StaffId,
        reason: &str,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::close_restriction(&mut tx, family, id, lifted_by, reason, at_millis, None).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn renew_restriction(
        &self,
        family: FamilyId,
        earlier: RestrictionId,
        renewal: &ContactRestriction,
        renewed_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_restriction(&mut tx, family, renewal, renewed_by).await?;
        let said = format!("Renewed: {}", renewal.reason);
        Self::close_restriction(
            &mut tx,
            family,
            earlier,
            renewed_by,
            &said,
            renewal.recorded_at_millis,
            Some(renewal.id),
        )
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_families(
        &self,
        records: &[FamilyRecord],
        created_by: StaffId,
        audits: Vec<AuditEntry>,
    ) -> StoreResult<()> {
        self.create_family_records(records, created_by, audits)
            .await
    }

    async fn record_history(
        &self,
        family: FamilyId,
        kind: RecordKind,
        id: Uuid,
        audit: AuditEntry,
    ) -> StoreResult<Vec<RecordVersion>> {
        let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT v.version, v.snapshot, v.replaced_at, s.display_name, v.reason FROM record_versions v \
             JOIN staff s ON s.id = v.replaced_by \
             WHERE (v.family_id = $1 OR v.record_kind = 'person') AND v.record_kind = $2 AND v.record_id = $3 \
             ORDER BY v.replaced_at, v.version",
        )
        .bind(family.0)
        .bind(kind.code())
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        self.audit.append(audit).await?;
        Ok(rows
            .into_iter()
            .map(
                |(version, snapshot, replaced_at_millis, replaced_by, reason)| RecordVersion {
                    version,
                    snapshot,
                    replaced_at_millis,
                    replaced_by,
                    reason,
                },
            )
            .collect())
    }

    async fn find_known_people(
        &self,
        teams: &[TeamId],
        name_prefix: &str,
        exclude: FamilyId,
        limit: u32,
        audit: AuditEntry,
    ) -> StoreResult<Vec<cradle_domain::network::KnownPerson>> {
        use crate::sql::Bind;
        use cradle_domain::network::{KnownFamily, KnownPerson};
        if teams.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = |from: usize, count: usize| {
            (from..from + count)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Teams first ($1…), then the name range and the family left out.
        let mut binds: Vec<Bind> = teams.iter().map(|t| Bind::Id(t.0)).collect();
        let team_list = placeholders(1, teams.len());
        let n = binds.len();
        binds.push(Bind::Text(name_prefix.to_string()));
        binds.push(Bind::Text(format!("{name_prefix}\u{10FFFF}")));
        binds.push(Bind::Id(exclude.0));
        let sql = format!(
            "SELECT DISTINCT {PERSON_COLUMNS}, p.name_lower FROM people p \
             JOIN family_people fp ON fp.person_id = p.id JOIN families f ON f.id = fp.family_id \
             WHERE f.team_id IN ({team_list}) AND p.name_lower >= ${} AND p.name_lower < ${} \
             AND p.id NOT IN (SELECT person_id FROM family_people WHERE family_id = ${}) \
             ORDER BY p.name_lower, p.id LIMIT {limit}",
            n + 1,
            n + 2,
            n + 3
        );
        let q = crate::sql::bind_all!(sqlx::query_as::<_, PersonRow>(&sql), binds);
        let people: Vec<Person> = q
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(PersonRow::into_person)
            .collect::<StoreResult<_>>()?;
        let mut known: Vec<KnownPerson> = people
            .into_iter()
            .map(|person| KnownPerson {
                person,
                families: Vec::new(),
            })
            .collect();
        if !known.is_empty() {
            // Their families in these teams, and the decisions in force there.
            let mut binds: Vec<Bind> = teams.iter().map(|t| Bind::Id(t.0)).collect();
            binds.extend(known.iter().map(|k| Bind::Id(k.person.id.0)));
            let people_list = placeholders(teams.len() + 1, known.len());
            let sql = format!(
                "SELECT fp.person_id, f.id, f.mother_name FROM family_people fp JOIN families f ON f.id = fp.family_id \
                 WHERE f.team_id IN ({team_list}) AND fp.person_id IN ({people_list}) ORDER BY f.mother_name_lower, f.id"
            );
            let q = crate::sql::bind_all!(sqlx::query_as::<_, (Uuid, Uuid, String)>(&sql), binds);
            let memberships = q.fetch_all(&self.pool).await?;
            let binds: Vec<Bind> = known.iter().map(|k| Bind::Id(k.person.id.0)).collect();
            let sql = format!(
                "SELECT family_id, id, person_id, kind, decided_by, reason, until, recorded_at, lifted_at FROM contact_restrictions \
                 WHERE lifted_at IS NULL AND person_id IN ({})",
                placeholders(1, known.len())
            );
            let q =
                crate::sql::bind_all!(sqlx::query_as::<_, RestrictionWithFamilyRow>(&sql), binds);
            let mut restrictions = Vec::new();
            for row in q.fetch_all(&self.pool).await? {
                let (family, row) = row.split();
                restrictions.push((family, row.into_restriction()?));
            }
            for entry in &mut known {
                entry.families = memberships
                    .iter()
                    .filter(|(person, _, _)| *person == entry.person.id.0)
                    .map(|(_, family, mother)| KnownFamily {
                        family_id: FamilyId(*family),
                        mother_name: mother.clone(),
                        restrictions: restrictions
                            .iter()
                            .filter(|(f, r)| *f == *family && r.person_id == entry.person.id)
                            .map(|(_, r)| r.clone())
                            .collect(),
                    })
                    .collect();
            }
        }
        let mut audit = audit;
        let shown: Vec<String> = known.iter().map(|k| k.person.id.to_string()).collect();
        audit.detail = format!(
            "{}; {} shown: {}",
            audit.detail,
            known.len(),
            shown.join(" ")
        );
        self.audit.append(audit).await?;
        Ok(known)
    }

    async fn person_families(&self, person: PersonId) -> StoreResult<Vec<(FamilyId, TeamId)>> {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT f.id, f.team_id FROM family_people fp JOIN families f ON f.id = fp.family_id WHERE fp.person_id = $1",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(f, t)| (FamilyId(f), TeamId(t)))
            .collect())
    }
}
