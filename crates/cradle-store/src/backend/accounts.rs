//! Sign-in and sessions: teams, staff accounts, API tokens, sessions, failed sign-ins,
//! account links and second factors ([`crate::AccountStore`]).
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::rows::*;
use crate::sql::conflict_or;
use crate::sql::*;
use crate::*;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::{FamilyId, Staff, StaffId, Team, TeamId};
use uuid::Uuid;

impl SqlStore {
    pub(crate) async fn teams_of<'e, E>(executor: E, staff_id: Uuid) -> StoreResult<Vec<TeamId>>
    where
        E: sqlx::Executor<'e, Database = Db>,
    {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT team_id FROM staff_teams WHERE staff_id = $1 ORDER BY team_id",
        )
        .bind(staff_id)
        .fetch_all(executor)
        .await?;
        Ok(ids.into_iter().map(TeamId).collect())
    }

    pub(crate) async fn staff_where(
        &self,
        condition: &str,
        value: &str,
    ) -> StoreResult<Option<StaffCredentials>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE {condition}");
        let row: Option<StaffRow> = sqlx::query_as(&sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let teams = Self::teams_of(&self.pool, row.id).await?;
                let (staff, password_hash) = row.into_staff(teams)?;
                Ok(Some(StaffCredentials {
                    staff,
                    password_hash,
                }))
            }
        }
    }

    /// Changes one of a team's settings (`change`, an update of the team's row) and raises
    /// the team's settings count, which is part of every one of its families' stamps
    /// (`FAMILY_STAMP`), so no copy of their records or caseload rows outlives it. No
    /// family's own row is written. `NotFound` if there is no such team.
    pub(crate) async fn change_team_setting<'q>(
        &self,
        change: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
        team: TeamId,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if change.execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("UPDATE teams SET settings_changes = settings_changes + 1 WHERE id = $1")
            .bind(team.0)
            .execute(&mut *tx)
            .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl AccountStore for SqlStore {
    async fn create_team(&self, team: &Team, audit: AuditEntry) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(team.id.0)
            .bind(&team.name)
            .bind(audit.at_millis)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, "A team with this name"))?;
        Self::seed_catalogue(&mut tx, team.id, audit.at_millis).await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        let rows: Vec<TeamRow> = sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Team::from).collect())
    }

    async fn create_staff(
        &self,
        staff: &Staff,
        password_hash: Option<&str>,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO staff (id, username, display_name, role, password_hash, disabled, service_account, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(staff.id.0)
        .bind(&staff.username)
        .bind(&staff.display_name)
        .bind(staff.role.code())
        .bind(password_hash)
        .bind(staff.disabled)
        .bind(staff.service_account)
        .bind(audit.at_millis)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "An account with this username"))?;
        for team in &staff.teams {
            sqlx::query("INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)")
                .bind(staff.id.0)
                .bind(team.0)
                .execute(&mut *tx)
                .await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn staff_credentials(&self, username: &str) -> StoreResult<Option<StaffCredentials>> {
        self.staff_where("username = $1", username).await
    }

    async fn staff_by_id(&self, id: StaffId) -> StoreResult<Option<Staff>> {
        let row: Option<StaffRow> =
            sqlx::query_as(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let teams = Self::teams_of(&self.pool, row.id).await?;
                Ok(Some(row.into_staff(teams)?.0))
            }
        }
    }

    async fn staff_by_username(&self, username: &str) -> StoreResult<Option<Staff>> {
        Ok(self
            .staff_where("username = $1", username)
            .await?
            .map(|c| c.staff))
    }

    async fn list_staff(&self, audit: Option<AuditEntry>) -> StoreResult<Vec<Staff>> {
        let rows: Vec<StaffRow> = sqlx::query_as(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await?;
        let links: Vec<(Uuid, Uuid)> =
            sqlx::query_as("SELECT staff_id, team_id FROM staff_teams ORDER BY staff_id, team_id")
                .fetch_all(&self.pool)
                .await?;
        let mut staff = Vec::with_capacity(rows.len());
        for row in rows {
            let teams = links
                .iter()
                .filter(|(s, _)| *s == row.id)
                .map(|(_, t)| TeamId(*t))
                .collect();
            staff.push(row.into_staff(teams)?.0);
        }
        if let Some(audit) = audit {
            self.audit.append(audit).await?;
        }
        Ok(staff)
    }

    async fn set_staff_disabled(
        &self,
        id: StaffId,
        disabled: bool,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_staff_teams(
        &self,
        id: StaffId,
        teams: &[TeamId],
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM staff WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM staff_teams WHERE staff_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        for team in teams {
            sqlx::query("INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)")
                .bind(id.0)
                .bind(team.0)
                .execute(&mut *tx)
                .await?;
        }
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_api_token(
        &self,
        token: &ApiToken,
        token_hash: &str,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, staff_id, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.id)
        .bind(token_hash)
        .bind(token.staff_id.0)
        .bind(&token.label)
        .bind(token.created_at_millis)
        .bind(token.expires_at_millis)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, Staff)>> {
        let row: Option<ApiTokenRow> = sqlx::query_as(&format!(
            "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let token = row.into_token();
        Ok(self
            .staff_by_id(token.staff_id)
            .await?
            .map(|staff| (token, staff)))
    }

    async fn touch_api_token(
        &self,
        id: Uuid,
        at_millis: i64,
        audit: Option<AuditEntry>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at_millis)
            .execute(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            Self::write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn api_tokens(&self, audit: AuditEntry) -> StoreResult<Vec<ApiToken>> {
        let mut tx = self.begin_write().await?;
        let rows: Vec<ApiTokenRow> = sqlx::query_as(&format!(
            "SELECT {API_TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC"
        ))
        .fetch_all(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(ApiTokenRow::into_token).collect())
    }

    async fn revoke_api_token(
        &self,
        id: Uuid,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(at_millis)
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

    async fn create_session(&self, session: &SessionRecord, audit: AuditEntry) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, source) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(session.staff_id.0)
        .bind(&session.csrf_token)
        .bind(session.created_at_millis)
        .bind(session.last_seen_at_millis)
        .bind(&session.source)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT token_hash, staff_id, csrf_token, created_at, last_seen_at, source FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(SessionRecord::from))
    }

    async fn session_with_staff(
        &self,
        token_hash: &str,
        family: Option<FamilyId>,
    ) -> StoreResult<Option<SignedInRecord>> {
        SessionStaffRow::fold(self.session_rows(token_hash, family.map(|id| id.0)).await?)
    }

    async fn touch_session(&self, token_hash: &str, at_millis: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at_millis)
            .bind(token_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn end_session(&self, token_hash: &str, audit: Option<AuditEntry>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            Self::write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn remove_expired_sessions(
        &self,
        idle_before_millis: i64,
        begun_before_millis: i64,
    ) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(idle_before_millis)
                .bind(begun_before_millis)
                .execute(self.writer())
                .await?
                .rows_affected(),
        )
    }

    async fn record_login_failure(
        &self,
        username: &str,
        address: &str,
        at_millis: i64,
        audit: Vec<AuditEntry>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO login_failures (id, username, address, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7())
        .bind(username)
        .bind(address)
        .bind(at_millis)
        .execute(&mut *tx)
        .await?;
        Self::write_audits(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn login_failures_since(
        &self,
        username: &str,
        address: &str,
        account_since_millis: i64,
        address_since_millis: i64,
    ) -> StoreResult<FailureCounts> {
        let (for_username, last_at): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(at) FROM login_failures WHERE username = $1 AND at >= $2",
        )
        .bind(username)
        .bind(account_since_millis)
        .fetch_one(&self.pool)
        .await?;
        let for_address: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at >= $2",
        )
        .bind(address)
        .bind(address_since_millis)
        .fetch_one(&self.pool)
        .await?;
        Ok(FailureCounts {
            for_username: u32::try_from(for_username).unwrap_or(u32::MAX),
            for_address: u32::try_from(for_address).unwrap_or(u32::MAX),
            last_for_username_at_millis: last_at,
        })
    }

    async fn accounts_with_failures(
        &self,
        since_millis: i64,
        at_least: u32,
    ) -> StoreResult<Vec<AccountFailures>> {
        let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(
            "SELECT f.username, COUNT(*), MAX(f.at), \
                (SELECT l.address FROM login_failures l WHERE l.username = f.username \
                 ORDER BY l.at DESC LIMIT 1) \
             FROM login_failures f WHERE f.at >= $1 \
             GROUP BY f.username HAVING COUNT(*) >= $2 ORDER BY MAX(f.at) DESC",
        )
        .bind(since_millis)
        .bind(i64::from(at_least))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(username, failures, last_at, last_address)| AccountFailures {
                    username,
                    failures: u32::try_from(failures).unwrap_or(u32::MAX),
                    last_at_millis: last_at,
                    last_address,
                },
            )
            .collect())
    }

    async fn clear_login_failures(
        &self,
        username: &str,
        audit: Option<AuditEntry>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            Self::write_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn remove_login_failures_before(&self, before_millis: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(before_millis)
            .execute(self.writer())
            .await?
            .rows_affected())
    }

    async fn add_account_link(&self, link: &AccountLink, audit: AuditEntry) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM account_links WHERE staff_id = $1 AND used_at IS NULL")
            .bind(link.staff_id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO account_links (token_hash, staff_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&link.token_hash)
        .bind(link.staff_id.0)
        .bind(&link.purpose)
        .bind(link.created_at_millis)
        .bind(link.expires_at_millis)
        .execute(&mut *tx)
        .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account_link(&self, token_hash: &str) -> StoreResult<Option<AccountLink>> {
        let row: Option<(String, Uuid, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT token_hash, staff_id, purpose, created_at, expires_at, used_at \
             FROM account_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(token_hash, staff, purpose, created, expires, used)| AccountLink {
                token_hash,
                staff_id: StaffId(staff),
                purpose,
                created_at_millis: created,
                expires_at_millis: expires,
                used_at_millis: used,
            },
        ))
    }

    async fn use_account_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let staff: Option<Uuid> = sqlx::query_scalar(
            "UPDATE account_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING staff_id",
        )
        .bind(token_hash)
        .bind(now_millis)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(staff) = staff else {
            return Err(StoreError::NotFound);
        };
        sqlx::query(
            "UPDATE staff SET password_hash = $2, totp_secret = NULL, totp_last_step = NULL \
             WHERE id = $1",
        )
        .bind(staff)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM login_failures WHERE username = (SELECT username FROM staff WHERE id = $1)",
        )
        .bind(staff)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
            .bind(staff)
            .execute(&mut *tx)
            .await?;
        Self::write_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account_states(&self) -> StoreResult<Vec<AccountState>> {
        let rows: Vec<(Uuid, i64, bool, bool, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT s.id, s.created_at, s.password_hash IS NOT NULL, \
                    s.totp_secret IS NOT NULL, l.purpose, l.expires_at \
                 FROM staff s LEFT JOIN account_links l \
                   ON l.staff_id = s.id AND l.used_at IS NULL \
                 ORDER BY s.id, l.created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut states: Vec<AccountState> = Vec::with_capacity(rows.len());
        for (id, created, has_password, has_second_factor, purpose, expires) in rows {
            let open_link = purpose.zip(expires);
            match states.last_mut() {
                // Rows come in link order: the newest open link is the last one.
                Some(last) if last.staff_id.0 == id => last.open_link = open_link,
                _ => states.push(AccountState {
                    staff_id: StaffId(id),
                    created_at_millis: created,
                    has_password,
                    has_second_factor,
                    open_link,
                }),
            }
        }
        Ok(states)
    }

    async fn second_factor(&self, staff: StaffId) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar::<_, Option<String>>("SELECT totp_secret FROM staff WHERE id = $1")
                .bind(staff.0)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    async fn set_second_factor(
        &self,
        staff: StaffId,
        secret: Option<&str>,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE staff SET totp_secret = $2, totp_last_step = NULL \
             WHERE id = $1",
        )
        .bind(staff.0)
        .bind(secret)
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

    async fn accept_second_factor_step(&self, staff: StaffId, step: i64) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE staff SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(staff.0)
        .bind(step)
        .execute(self.writer())
        .await?
        .rows_affected()
            == 1)
    }

    async fn create_sign_in_challenge(
        &self,
        token_hash: &str,
        staff: StaffId,
        now_millis: i64,
        expires_at_millis: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sign_in_challenges (token_hash, staff_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(staff.0)
        .bind(now_millis)
        .bind(expires_at_millis)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn sign_in_challenge(
        &self,
        token_hash: &str,
        now_millis: i64,
    ) -> StoreResult<Option<StaffId>> {
        Ok(sqlx::query_scalar::<_, Uuid>(
            "SELECT staff_id FROM sign_in_challenges WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_millis)
        .fetch_optional(&self.pool)
        .await?
        .map(StaffId))
    }

    async fn end_sign_in_challenge(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn remove_sign_in_challenges_before(&self, before_millis: i64) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at < $1")
                .bind(before_millis)
                .execute(self.writer())
                .await?
                .rows_affected(),
        )
    }
}
