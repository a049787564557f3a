//! Consent to film and recordings ([`crate::FilmingStore`]), the video section of a family's
//! record.
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::filming::FilmingConsent;
use cradle_domain::network::FamilyRecord;
use cradle_domain::recordings::{Recording, RecordingState, RetentionPeriods};
use cradle_domain::{FamilyId, StaffId, TeamId};

#[async_trait::async_trait]
impl crate::FilmingStore for SqlStore {
    async fn record_filming_consent(
        &self,
        family: FamilyId,
        consent: &FilmingConsent,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO filming_consents (id, family_id, record, withdrawn, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .bind(consent.id)
        .bind(family.0)
        .bind(crate::care_plans::to_json(consent)?)
        .bind(consent.recorded_at_millis)
        .bind(recorded_by.0)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn withdraw_filming_consent(
        &self,
        family: FamilyId,
        consent: &FilmingConsent,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE filming_consents SET record = $1, withdrawn = 1 \
             WHERE id = $2 AND family_id = $3 AND withdrawn = 0",
        )
        .bind(crate::care_plans::to_json(consent)?)
        .bind(consent.id)
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

    async fn start_recording(
        &self,
        family: FamilyId,
        recording: &Recording,
        key: &crate::StoredKey,
        started_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO recordings (id, family_id, consent_id, record, state, received, \
             key_master, key_sealed, started_at, started_by) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             WHERE EXISTS (SELECT 1 FROM filming_consents WHERE id = $3 AND family_id = $2 AND withdrawn = 0)",
        )
        .bind(recording.id)
        .bind(family.0)
        .bind(recording.consent_id)
        .bind(crate::care_plans::to_json(recording)?)
        .bind(recording.state.code())
        .bind(recording.received as i64)
        .bind(&key.master)
        .bind(&key.sealed)
        .bind(recording.started_at_millis)
        .bind(started_by.0)
        .execute(&mut *tx)
        .await?;
        // The consent was withdrawn, or is another family's, since it was read.
        if inserted.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_recording(
        &self,
        family: FamilyId,
        recording: &Recording,
        (was, was_received): (RecordingState, u64),
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let deleted = recording.state == RecordingState::Deleted;
        let changed = sqlx::query(
            "UPDATE recordings SET record = $1, state = $2, received = $3, \
             key_master = CASE WHEN $4 THEN NULL ELSE key_master END, \
             key_sealed = CASE WHEN $4 THEN NULL ELSE key_sealed END \
             WHERE id = $5 AND family_id = $6 AND state = $7 AND received = $8",
        )
        .bind(crate::care_plans::to_json(recording)?)
        .bind(recording.state.code())
        .bind(recording.received as i64)
        .bind(deleted)
        .bind(recording.id)
        .bind(family.0)
        .bind(was.code())
        .bind(was_received as i64)
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

    async fn consent_withdrawn(&self, family: FamilyId, consent: uuid::Uuid) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT withdrawn FROM filming_consents WHERE id = $1 AND family_id = $2",
        )
        .bind(consent)
        .bind(family.0)
        .fetch_optional(&self.pool)
        .await?;
        // A consent that cannot be found lets nothing be viewed.
        Ok(row.is_none_or(|(withdrawn,)| withdrawn != 0))
    }

    async fn recording_retention(&self, team: TeamId) -> StoreResult<RetentionPeriods> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT recording_retention FROM teams WHERE id = $1")
                .bind(team.0)
                .fetch_optional(&self.pool)
                .await?;
        text.map(|text| RetentionPeriods::from_text(&text))
            .ok_or(StoreError::NotFound)
    }

    async fn set_recording_retention(
        &self,
        team: TeamId,
        periods: &RetentionPeriods,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let change = sqlx::query("UPDATE teams SET recording_retention = $1 WHERE id = $2")
            .bind(periods.to_text())
            .bind(team.0);
        self.change_team_setting(change, team, audit).await
    }

    async fn recordings_in_keeping(&self) -> StoreResult<Vec<crate::KeptRecording>> {
        let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String, Option<String>)> = sqlx::query_as(
            "SELECT r.family_id, f.team_id, t.recording_retention, r.record, c.record \
             FROM recordings r \
             JOIN families f ON f.id = r.family_id \
             JOIN teams t ON t.id = f.team_id \
             LEFT JOIN filming_consents c ON c.id = r.consent_id \
             WHERE r.state <> 'deleted' ORDER BY r.started_at, r.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(family, team, retention, recording, consent)| {
                Ok(crate::KeptRecording {
                    family: FamilyId(family),
                    team: cradle_domain::TeamId(team),
                    retention: RetentionPeriods::from_text(&retention),
                    recording: crate::care_plans::from_json(&recording, "recording")?,
                    consent: consent
                        .map(|c| crate::care_plans::from_json(&c, "consent to film"))
                        .transpose()?,
                })
            })
            .collect()
    }

    async fn recording_keys_not_under(&self, newest: &str) -> StoreResult<Vec<crate::KeyToRewrap>> {
        let rows: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid, String, Vec<u8>)> = sqlx::query_as(
            "SELECT r.family_id, f.team_id, r.id, r.key_master, r.key_sealed FROM recordings r \
             JOIN families f ON f.id = r.family_id \
             WHERE r.key_master IS NOT NULL AND r.key_sealed IS NOT NULL AND r.key_master <> $1 \
             ORDER BY r.started_at, r.id",
        )
        .bind(newest)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(family, team, recording, master, sealed)| crate::KeyToRewrap {
                    family: FamilyId(family),
                    team: TeamId(team),
                    recording,
                    key: crate::StoredKey { master, sealed },
                },
            )
            .collect())
    }

    async fn rewrap_recording_key(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
        was_master: &str,
        key: &crate::StoredKey,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE recordings SET key_master = $1, key_sealed = $2 \
             WHERE id = $3 AND family_id = $4 AND key_master = $5 AND key_sealed IS NOT NULL",
        )
        .bind(&key.master)
        .bind(&key.sealed)
        .bind(recording)
        .bind(family.0)
        .bind(was_master)
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

    async fn recording_key(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
    ) -> StoreResult<Option<crate::StoredKey>> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> = sqlx::query_as(
            "SELECT key_master, key_sealed FROM recordings WHERE id = $1 AND family_id = $2",
        )
        .bind(recording)
        .bind(family.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((Some(master), Some(sealed))) => Some(crate::StoredKey { master, sealed }),
            _ => None,
        })
    }

    async fn recording_to_view(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
    ) -> StoreResult<Option<crate::RecordingToView>> {
        type Row = (String, Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT r.record, c.record, r.key_master, r.key_sealed FROM recordings r \
             LEFT JOIN filming_consents c ON c.id = r.consent_id AND c.family_id = r.family_id \
             WHERE r.id = $1 AND r.family_id = $2",
        )
        .bind(recording)
        .bind(family.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some((recording, consent, master, sealed)) = row else {
            return Ok(None);
        };
        Ok(Some(crate::RecordingToView {
            recording: crate::care_plans::from_json(&recording, "recording")?,
            consent: consent
                .map(|json| crate::care_plans::from_json(&json, "consent to film"))
                .transpose()?,
            key: match (master, sealed) {
                (Some(master), Some(sealed)) => Some(crate::StoredKey { master, sealed }),
                _ => None,
            },
        }))
    }
}

impl SqlStore {
    /// The family's consents to film and recordings, each oldest first.
    pub(crate) async fn load_video(
        tx: &mut sqlx::Transaction<'static, Db>,
        record: &mut FamilyRecord,
    ) -> StoreResult<()> {
        let family = record.family.id;
        record.filming_consents = Self::family_json(
            tx,
            "SELECT record FROM filming_consents WHERE family_id = $1 ORDER BY recorded_at, id",
            family,
            "consent to film",
        )
        .await?;
        record.recordings = Self::family_json(
            tx,
            "SELECT record FROM recordings WHERE family_id = $1 ORDER BY started_at, id",
            family,
            "recording",
        )
        .await?;
        Ok(())
    }

    /// The records kept as JSON that `sql` selects for the family.
    async fn family_json<T: serde::de::DeserializeOwned>(
        tx: &mut sqlx::Transaction<'static, Db>,
        sql: &'static str,
        family: FamilyId,
        what: &'static str,
    ) -> StoreResult<Vec<T>> {
        let rows: Vec<(String,)> = sqlx::query_as(sql)
            .bind(family.0)
            .fetch_all(&mut **tx)
            .await?;
        rows.iter()
            .map(|(json,)| crate::care_plans::from_json(json, what))
            .collect()
    }
}
