//! Group programmes, enrolments and registers ([`crate::GroupStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::SqlStore;
use crate::care_plans::{from_json, to_json};
use crate::*;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::groups::{AttendanceMark, Enrolment, Group, GroupRegister};
use cradle_domain::{StaffId, TeamId};
use uuid::Uuid;

#[async_trait::async_trait]
impl GroupStore for SqlStore {
    async fn create_group(
        &self,
        group: &Group,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO care_groups (id, team_id, record, sessions, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(group.id)
        .bind(group.team_id.0)
        .bind(to_json(group)?)
        .bind(i64::try_from(group.sessions.len()).unwrap_or(i64::MAX))
        .bind(group.created_at_millis)
        .bind(created_by.0)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_group(
        &self,
        group: &Group,
        previous_sessions: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE care_groups SET record = $1, sessions = $2 WHERE id = $3 AND sessions = $4",
        )
        .bind(to_json(group)?)
        .bind(i64::try_from(group.sessions.len()).unwrap_or(i64::MAX))
        .bind(group.id)
        .bind(previous_sessions)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict("This group"));
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn groups_of(&self, teams: &[TeamId]) -> StoreResult<Vec<Group>> {
        let mut groups = Vec::new();
        for team in teams {
            let rows: Vec<String> = sqlx::query_scalar(
                "SELECT record FROM care_groups WHERE team_id = $1 ORDER BY created_at DESC",
            )
            .bind(team.0)
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                groups.push(from_json::<Group>(&row, "group")?);
            }
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.created_at_millis));
        Ok(groups)
    }

    async fn group_register(&self, group: Uuid) -> StoreResult<Option<GroupRegister>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT part, record FROM ( \
               SELECT CAST(0 AS BIGINT) AS part, record, created_at AS at FROM care_groups WHERE id = $1 \
               UNION ALL SELECT CAST(1 AS BIGINT), record, enrolled_at FROM group_enrolments WHERE group_id = $1 \
               UNION ALL SELECT CAST(2 AS BIGINT), record, recorded_at FROM group_attendance WHERE group_id = $1 \
             ) AS register ORDER BY part, at",
        )
        .bind(group)
        .fetch_all(&self.pool)
        .await?;
        let mut found: Option<Group> = None;
        let mut enrolments = Vec::new();
        let mut marks = Vec::new();
        for (part, record) in rows {
            match part {
                0 => found = Some(from_json(&record, "group")?),
                1 => enrolments.push(from_json(&record, "enrolment")?),
                _ => marks.push(from_json(&record, "attendance")?),
            }
        }
        let Some(group) = found else {
            return Ok(None);
        };
        Ok(Some(GroupRegister {
            group,
            enrolments,
            marks,
        }))
    }

    async fn enrol(
        &self,
        enrolment: &Enrolment,
        capacity: u32,
        enrolled_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let enrolled: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM group_enrolments WHERE group_id = $1")
                .bind(enrolment.group_id)
                .fetch_one(&mut *tx)
                .await?;
        if enrolled >= i64::from(capacity) {
            return Err(StoreError::Conflict("A place in this group"));
        }
        sqlx::query(
            "INSERT INTO group_enrolments (id, group_id, family_id, member, record, enrolled_at, enrolled_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(enrolment.id)
        .bind(enrolment.group_id)
        .bind(enrolment.family_id.0)
        .bind(enrolment.member.code())
        .bind(to_json(enrolment)?)
        .bind(audit.at_millis)
        .bind(enrolled_by.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::sql::conflict_or(e, "This enrolment"))?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn take_register(
        &self,
        group: Uuid,
        marks: &[(Enrolment, AttendanceMark)],
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for (enrolment, mark) in marks {
            sqlx::query("DELETE FROM group_attendance WHERE session_id = $1 AND enrolment_id = $2")
                .bind(mark.session)
                .bind(enrolment.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO group_attendance (id, group_id, session_id, enrolment_id, family_id, record, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(Uuid::now_v7())
            .bind(group)
            .bind(mark.session)
            .bind(enrolment.id)
            .bind(enrolment.family_id.0)
            .bind(to_json(mark)?)
            .bind(audit.at_millis)
            .bind(recorded_by.0)
            .execute(&mut *tx)
            .await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
