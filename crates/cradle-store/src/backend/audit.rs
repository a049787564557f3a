//! The audit trail: appending records to the hash chain inside a change's transaction,
//! reading it back, and emergency (break-glass) access ([`crate::AuditStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::audit_chain::AuditRecord;
use crate::rows::*;
use crate::sql::*;
use crate::*;
use crate::{AuditEntry, StoreResult};
use cradle_domain::{FamilyId, StaffId, SubjectKind, TeamId};
use uuid::Uuid;

impl SqlStore {
    /// Appends one record to the audit chain inside the caller's transaction.
    pub(crate) async fn write_audit(
        tx: &mut sqlx::Transaction<'static, Db>,
        entry: AuditEntry,
    ) -> StoreResult<()> {
        Self::write_audits(tx, vec![entry]).await?;
        Ok(())
    }

    /// Appends records to the audit chain inside the caller's transaction, in order:
    /// the head is read (and, on PostgreSQL, locked) once, then the records are
    /// inserted and the head moved to the newest (each backend's
    /// `append_audit_records`). Answers the chain's newest link after them.
    pub(crate) async fn write_audits(
        tx: &mut sqlx::Transaction<'_, Db>,
        entries: Vec<AuditEntry>,
    ) -> StoreResult<(i64, String)> {
        let (seq, hash): (i64, String) = sqlx::query_as(Self::LOCK_AUDIT_HEAD)
            .fetch_one(&mut **tx)
            .await?;
        let records = crate::audit_chain::link(seq, hash.clone(), entries);
        Self::append_audit_records(tx, &records).await?;
        Ok(records
            .last()
            .map_or((seq, hash), |r| (r.seq, r.hash.clone())))
    }
}

#[async_trait::async_trait]
impl AuditStore for SqlStore {
    async fn grant_break_glass(
        &self,
        grant: &BreakGlassGrant,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO break_glass_grants (id, staff_id, family_id, reason, granted_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(grant.id)
        .bind(grant.staff_id.0)
        .bind(grant.family_id.0)
        .bind(&grant.reason)
        .bind(grant.granted_at_millis)
        .bind(grant.expires_at_millis)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn active_break_glass(
        &self,
        staff_id: StaffId,
        family_id: FamilyId,
        now_millis: i64,
    ) -> StoreResult<Option<BreakGlassGrant>> {
        let row: Option<GrantRow> = sqlx::query_as(
            "SELECT id, staff_id, family_id, reason, granted_at, expires_at FROM break_glass_grants \
             WHERE staff_id = $1 AND family_id = $2 AND granted_at <= $3 AND expires_at > $3 \
             ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(staff_id.0)
        .bind(family_id.0)
        .bind(now_millis)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(BreakGlassGrant::from))
    }

    async fn break_glass_uses(
        &self,
        teams: &[TeamId],
        audit: AuditEntry,
    ) -> StoreResult<Vec<crate::BreakGlassUse>> {
        let mut uses = Vec::new();
        for team in teams {
            let rows: Vec<(Uuid, Uuid, Uuid, String, i64, i64, String, String, String)> = sqlx::query_as(
                "SELECT g.id, g.staff_id, g.family_id, g.reason, g.granted_at, g.expires_at, s.display_name, s.username, f.mother_name \
                 FROM break_glass_grants g JOIN families f ON f.id = g.family_id JOIN staff s ON s.id = g.staff_id \
                 WHERE f.team_id = $1 ORDER BY g.granted_at DESC, g.id LIMIT 500",
            )
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for (
                id,
                staff_id,
                family_id,
                reason,
                granted_at,
                expires_at,
                staff_name,
                staff_username,
                mother_name,
            ) in rows
            {
                uses.push(crate::BreakGlassUse {
                    grant: BreakGlassGrant {
                        id,
                        staff_id: StaffId(staff_id),
                        family_id: FamilyId(family_id),
                        reason,
                        granted_at_millis: granted_at,
                        expires_at_millis: expires_at,
                    },
                    staff_name,
                    staff_username,
                    mother_name,
                });
            }
        }
        uses.sort_by_key(|u| std::cmp::Reverse(u.grant.granted_at_millis));
        let mut audit = audit;
        audit.detail = format!("{} uses shown", uses.len());
        self.audit.append(audit).await?;
        Ok(uses)
    }

    async fn append_audit(&self, entry: AuditEntry) -> StoreResult<()> {
        self.audit.append(entry).await
    }

    async fn audit_for_subject(
        &self,
        kind: SubjectKind,
        id: Uuid,
        limit: u32,
        audit: AuditEntry,
    ) -> StoreResult<Vec<AuditRecord>> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE subject_kind = $1 AND subject_id = $2 \
             ORDER BY seq DESC LIMIT $3"
        ))
        .bind(kind.code())
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        self.audit.append(audit).await?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    async fn audit_records_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    async fn audit_head(&self) -> StoreResult<(i64, String)> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn record_export(&self, audit: AuditEntry) -> StoreResult<()> {
        self.audit.append(audit).await
    }
}
