//! Consent to film ([`crate::FilmingStore`]) and the video section of a family's record.
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::filming::FilmingConsent;
use cradle_domain::network::FamilyRecord;
use cradle_domain::{FamilyId, StaffId};

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
}

impl SqlStore {
    /// The family's consents to film, oldest first.
    pub(crate) async fn load_video(
        tx: &mut sqlx::Transaction<'static, Db>,
        record: &mut FamilyRecord,
    ) -> StoreResult<()> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT record FROM filming_consents WHERE family_id = $1 ORDER BY recorded_at, id",
        )
        .bind(record.family.id.0)
        .fetch_all(&mut **tx)
        .await?;
        record.filming_consents = rows
            .iter()
            .map(|(json,)| crate::care_plans::from_json(json, "consent to film"))
            .collect::<StoreResult<_>>()?;
        Ok(())
    }
}
