//! Video feedback coding ([`crate::CodingStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::SqlStore;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::coded_events::CodedEvent;
use cradle_domain::coding::CodingScheme;
use cradle_domain::{FamilyId, TeamId};

#[async_trait::async_trait]
impl crate::CodingStore for SqlStore {
    async fn coding_schemes(&self, team: TeamId) -> StoreResult<Vec<CodingScheme>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT s.record FROM coding_schemes s \
             WHERE s.team_id = $1 AND s.version = \
                 (SELECT MAX(v.version) FROM coding_schemes v WHERE v.team_id = s.team_id AND v.id = s.id) \
             ORDER BY (SELECT MIN(f.changed_at) FROM coding_schemes f WHERE f.team_id = s.team_id AND f.id = s.id), s.id",
        )
        .bind(team.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|(json,)| crate::care_plans::from_json(json, "coding scheme"))
            .collect()
    }

    async fn coding_scheme(
        &self,
        team: TeamId,
        scheme: uuid::Uuid,
        version: Option<u32>,
    ) -> StoreResult<Option<CodingScheme>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT record FROM coding_schemes WHERE team_id = $1 AND id = $2 \
             AND ($3 < 0 OR version = $3) ORDER BY version DESC LIMIT 1",
        )
        .bind(team.0)
        .bind(scheme)
        .bind(version.map_or(-1, i64::from))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(json,)| crate::care_plans::from_json(&json, "coding scheme"))
            .transpose()
    }

    async fn add_starting_schemes(
        &self,
        team: TeamId,
        schemes: &[CodingScheme],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for scheme in schemes {
            sqlx::query(
                "INSERT INTO coding_schemes (team_id, id, version, record, changed_at) \
                 SELECT $1, $2, $3, $4, $5 \
                 WHERE NOT EXISTS (SELECT 1 FROM coding_schemes WHERE team_id = $1 AND id = $2)",
            )
            .bind(team.0)
            .bind(scheme.id)
            .bind(i64::from(scheme.version))
            .bind(crate::care_plans::to_json(scheme)?)
            .bind(scheme.changed_at_millis)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn save_coding_scheme(
        &self,
        team: TeamId,
        scheme: &CodingScheme,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO coding_schemes (team_id, id, version, record, changed_at) \
             SELECT $1, $2, $3, $4, $5 \
             WHERE (SELECT MAX(version) FROM coding_schemes WHERE team_id = $1 AND id = $2) = $3 - 1",
        )
        .bind(team.0)
        .bind(scheme.id)
        .bind(i64::from(scheme.version))
        .bind(crate::care_plans::to_json(scheme)?)
        .bind(scheme.changed_at_millis)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "A newer version of this coding scheme",
            ));
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn coded_events(
        &self,
        family: FamilyId,
        recording: uuid::Uuid,
    ) -> StoreResult<Vec<CodedEvent>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT record FROM coded_events WHERE recording_id = $1 AND family_id = $2 \
             ORDER BY start_millis, coded_at, id",
        )
        .bind(recording)
        .bind(family.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|(json,)| crate::care_plans::from_json(json, "coded event"))
            .collect()
    }

    async fn add_coded_event(
        &self,
        family: FamilyId,
        event: &CodedEvent,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        self.add_coded_events(family, std::slice::from_ref(event), audit)
            .await
    }

    async fn add_coded_events(
        &self,
        family: FamilyId,
        events: &[CodedEvent],
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for event in events {
            let inserted = sqlx::query(
                "INSERT INTO coded_events (id, family_id, recording_id, coder, record, version, start_millis, coded_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
                 WHERE EXISTS (SELECT 1 FROM recordings WHERE id = $3 AND family_id = $2)",
            )
            .bind(event.id)
            .bind(family.0)
            .bind(event.recording_id)
            .bind(event.coder_id)
            .bind(crate::care_plans::to_json(event)?)
            .bind(i64::from(event.version))
            .bind(event.content.start_millis as i64)
            .bind(event.coded_at_millis)
            .execute(&mut *tx)
            .await?;
            // Not the family's recording: nothing of the batch is kept.
            if inserted.rows_affected() != 1 {
                return Err(StoreError::NotFound);
            }
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn correct_coded_event(
        &self,
        family: FamilyId,
        event: &CodedEvent,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE coded_events SET record = $1, version = $2, start_millis = $3 \
             WHERE id = $4 AND family_id = $5 AND version = $2 - 1",
        )
        .bind(crate::care_plans::to_json(event)?)
        .bind(i64::from(event.version))
        .bind(event.content.start_millis as i64)
        .bind(event.id)
        .bind(family.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
