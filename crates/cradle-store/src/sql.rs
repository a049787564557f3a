//! The one implementation of [`crate::Store`], written in SQL that SQLite and PostgreSQL both
//! accept (`$1` placeholders, `LIMIT … OFFSET …`, `ON CONFLICT`). A backend supplies its pool,
//! how it begins a write transaction and how it locks the audit chain's head; the macro
//! expands the rest for it. Keeping one text of each query means the two backends cannot
//! drift apart, and the conformance tests run the same story against both.

use crate::{FamilyQuery, FamilySearch, PagePosition, StoreError, SEARCH_COUNT_LIMIT};
use cradle_domain::TeamId;
use uuid::Uuid;

pub(crate) const FAMILY_COLUMNS: &str = "id, team_id, mother_name, mother_nhs_number, mother_date_of_birth, mother_postcode, mother_language, mother_interpreter_needed, stage, referral_date, child_protection, created_at, version";
pub(crate) const BABY_COLUMNS: &str =
    "id, family_id, name, date_of_birth, due_date, gestation_days, nhs_number";

/// Turns a unique-constraint failure into a plain conflict naming what was duplicated.
pub(crate) fn conflict_or(error: sqlx::Error, what: &'static str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(error),
    }
}

/// A value bound to a query built at run time, in placeholder order.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Id(Uuid),
    Text(String),
}

/// Binds each of a list of [`Bind`]s to a query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {
        $binds.into_iter().fold($query, |query, bind| match bind {
            $crate::sql::Bind::Id(id) => query.bind(id),
            $crate::sql::Bind::Text(text) => query.bind(text),
        })
    };
}
pub(crate) use bind_all;

/// The queries behind one caseload page, written once for both databases. Each team's
/// families are walked along the `(team_id, mother_name_lower, id)` index (or the key
/// worker's) in name order and the walk stops at the page's end, so a page costs the same at
/// 100 families and at 100,000, and at the first page and the last. On SQLite the indexes
/// also hold each family's change count, so a walk reads its index alone (see the test
/// `each_caseload_walk_reads_its_index_alone`).
pub(crate) struct CaseloadPlan<'a> {
    query: &'a FamilyQuery,
}

impl<'a> CaseloadPlan<'a> {
    pub fn new(query: &'a FamilyQuery) -> Self {
        Self { query }
    }

    /// `team_id = $1` and the key worker and search conditions, with their binds.
    fn conditions(&self, team: TeamId) -> (String, Vec<Bind>) {
        let mut sql = String::from("team_id = $1");
        let mut binds = vec![Bind::Id(team.0)];
        if let Some(key_worker) = self.query.key_worker {
            binds.push(Bind::Id(key_worker.0));
            sql.push_str(&format!(" AND key_worker = ${}", binds.len()));
        }
        match &self.query.search {
            None => {}
            Some(FamilySearch::NamePrefix(prefix)) => {
                // Every name that starts with the prefix sorts between it and the prefix
                // followed by the highest code point (names compare by their bytes).
                binds.push(Bind::Text(prefix.clone()));
                binds.push(Bind::Text(format!("{prefix}\u{10FFFF}")));
                sql.push_str(&format!(
                    " AND mother_name_lower >= ${} AND mother_name_lower < ${}",
                    binds.len() - 1,
                    binds.len()
                ));
            }
            Some(FamilySearch::NhsNumber(number)) => {
                binds.push(Bind::Text(number.clone()));
                let n = binds.len();
                sql.push_str(&format!(
                    " AND (mother_nhs_number = ${n} OR id IN (SELECT family_id FROM babies WHERE nhs_number = ${n}))"
                ));
            }
            Some(FamilySearch::Postcode(postcode)) => {
                binds.push(Bind::Text(postcode.clone()));
                let n = binds.len();
                sql.push_str(&format!(
                    " AND (mother_postcode = ${n} OR id IN (SELECT fp.family_id FROM family_people fp \
                     JOIN people p ON p.id = fp.person_id WHERE p.postcode = ${n}))"
                ));
            }
        }
        (sql, binds)
    }

    /// How many families the list holds in one team: the running count without a search,
    /// the matches (counted up to one past [`SEARCH_COUNT_LIMIT`]) with one. Written with
    /// the same placeholders as [`Self::conditions`].
    fn team_count(&self, conditions: &str) -> String {
        if self.query.search.is_none() {
            let key_worker = if self.query.key_worker.is_some() {
                " AND key_worker = $2"
            } else {
                ""
            };
            format!(
                "SELECT CAST(COALESCE(SUM(families), 0) AS BIGINT) FROM caseload_counts WHERE team_id = $1{key_worker}"
            )
        } else {
            let cap = SEARCH_COUNT_LIMIT + 1;
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM families WHERE {conditions} LIMIT {cap}) AS matches")
        }
    }

    /// One query for one team's part of the page: the mother's name, id and change count of
    /// up to a page and one more of its families from the page's position (one more tells
    /// whether another page follows), each row carrying the team's count.
    pub fn page_sql(&self, team: TeamId) -> (String, Vec<Bind>) {
        let (conditions, mut binds) = self.conditions(team);
        let count = self.team_count(&conditions);
        let mut sql = conditions;
        let cursor = match self.query.position {
            PagePosition::After(id) => Some((">", id)),
            PagePosition::Before(id) => Some(("<", id)),
            _ => None,
        };
        if let Some((direction, id)) = cursor {
            binds.push(Bind::Id(id.0));
            let n = binds.len();
            sql.push_str(&format!(
                " AND (mother_name_lower, id) {direction} ((SELECT mother_name_lower FROM families WHERE id = ${n}), ${n})"
            ));
        }
        let order = if self.backwards() { "DESC" } else { "ASC" };
        let take = u64::from(self.query.limit) + 1 + self.offset();
        (
            format!(
                "SELECT mother_name_lower, id, changes, ({count}) AS total FROM families WHERE {sql} \
                 ORDER BY mother_name_lower {order}, id {order} LIMIT {take}"
            ),
            binds,
        )
    }

    /// One team's count alone, for a page that came back empty.
    pub fn count_sql(&self, team: TeamId) -> (String, Vec<Bind>) {
        let (conditions, binds) = self.conditions(team);
        (format!("SELECT ({})", self.team_count(&conditions)), binds)
    }

    fn backwards(&self) -> bool {
        matches!(self.query.position, PagePosition::Before(_))
    }

    fn offset(&self) -> u64 {
        match self.query.position {
            PagePosition::Offset(offset) => u64::from(offset),
            _ => 0,
        }
    }

    /// Merges the teams' walks into the page: its ids in name order, and whether there are
    /// pages before and after it.
    pub fn take_page(&self, mut keys: Vec<(String, Uuid, i64)>) -> (Vec<(Uuid, i64)>, bool, bool) {
        let limit = usize::try_from(self.query.limit).unwrap_or(usize::MAX);
        keys.sort();
        let resumed = matches!(
            self.query.position,
            PagePosition::After(_) | PagePosition::Before(_)
        );
        if self.backwards() {
            // The families just before the cursor, nearest first: keep the page's worth
            // nearest to it.
            let more_before = keys.len() > limit;
            let skip = keys.len().saturating_sub(limit);
            let ids = keys
                .into_iter()
                .skip(skip)
                .map(|(_, id, changes)| (id, changes))
                .collect();
            return (ids, more_before, true);
        }
        let offset = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        let has_previous = resumed || offset > 0;
        let mut ids: Vec<(Uuid, i64)> = keys
            .into_iter()
            .skip(offset)
            .map(|(_, id, changes)| (id, changes))
            .collect();
        let has_next = ids.len() > limit;
        ids.truncate(limit);
        (ids, has_previous, has_next)
    }
}

/// The columns `SessionStaffRow` reads, in its order, from sessions `s`, staff `st`, their
/// teams `t` and the family asked about `f`: one list for the lookup of one session and of
/// many (`session_lookups.rs`).
macro_rules! session_staff_columns {
    () => {
        "s.token_hash, s.staff_id, s.csrf_token, s.created_at, s.last_seen_at, s.source, \
         st.id, st.username, st.display_name, st.role, st.password_hash, st.disabled, st.service_account, t.team_id, \
         f.team_id AS family_team_id, f.changes AS family_changes, st.changes AS staff_changes"
    };
}
pub(crate) use session_staff_columns;

/// What every signed-in request reads first: a session, its account with the account's
/// teams (a row a team), and, when the request is about one family (`$2`, else null), that
/// family's team and change count: what an access check reads, in the same statement and so
/// the same snapshot as the session.
pub(crate) const SESSION_WITH_STAFF: &str = concat!(
    "SELECT ",
    session_staff_columns!(),
    " FROM sessions s JOIN staff st ON st.id = s.staff_id LEFT JOIN staff_teams t ON t.staff_id = st.id \
     LEFT JOIN families f ON f.id = $2 \
     WHERE s.token_hash = $1 ORDER BY t.team_id"
);

/// A family's team and change count: what an access check reads.
pub(crate) const FAMILY_STAMP: &str = "SELECT team_id, changes FROM families WHERE id = $1";

macro_rules! sql_store {
    ($store:ty, $db:ty) => {
        use $crate::audit_chain::AuditRecord;
        use $crate::rows::*;
        use $crate::sql::{bind_all, conflict_or, CaseloadPlan};
        use $crate::*;
        use cradle_domain::network::FamilyRecord;
        use cradle_domain::{Baby, Family, FamilyId, Staff, StaffId, SubjectKind, Team, TeamId};
        use uuid::Uuid;

        use $crate::sql::BABY_COLUMNS;
        const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor_username, actor_role, team_id, action, outcome, subject_kind, subject_id, source, break_glass_reason, detail, prev_hash, hash";
        const API_TOKEN_COLUMNS: &str =
            "id, staff_id, label, created_at, expires_at, last_used_at, revoked_at";
        const STAFF_COLUMNS: &str = "id, username, display_name, role, password_hash, disabled, service_account";

        impl $store {
            async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, $db>> {
                Self::begin_on(self.writer()).await
            }

            /// `FAMILY_STAMP` through the pool.
            async fn pooled_stamp_row(&self, id: Uuid) -> StoreResult<Option<(Uuid, i64)>> {
                Ok(sqlx::query_as($crate::sql::FAMILY_STAMP)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            /// Appends one record to the audit chain inside the caller's transaction.
            async fn write_audit(
                tx: &mut sqlx::Transaction<'static, $db>,
                entry: AuditEntry,
            ) -> StoreResult<()> {
                Self::write_audits(tx, vec![entry]).await?;
                Ok(())
            }

            /// Appends records to the audit chain inside the caller's transaction, in order:
            /// the head is read (and, on PostgreSQL, locked) once, then the records are
            /// inserted and the head moved to the newest (each backend's
            /// `append_audit_records`). Answers the chain's newest link after them.
            async fn write_audits(
                tx: &mut sqlx::Transaction<'_, $db>,
                entries: Vec<AuditEntry>,
            ) -> StoreResult<(i64, String)> {
                let (seq, hash): (i64, String) = sqlx::query_as(Self::LOCK_AUDIT_HEAD)
                    .fetch_one(&mut **tx)
                    .await?;
                let records = $crate::audit_chain::link(seq, hash.clone(), entries);
                Self::append_audit_records(tx, &records).await?;
                Ok(records.last().map_or((seq, hash), |r| (r.seq, r.hash.clone())))
            }

            /// The family row and its babies.
            pub(crate) async fn insert_family(
                tx: &mut sqlx::Transaction<'static, $db>,
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

            async fn teams_of<'e, E>(executor: E, staff_id: Uuid) -> StoreResult<Vec<TeamId>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let ids: Vec<Uuid> = sqlx::query_scalar(
                    "SELECT team_id FROM staff_teams WHERE staff_id = $1 ORDER BY team_id",
                )
                .bind(staff_id)
                .fetch_all(executor)
                .await?;
                Ok(ids.into_iter().map(TeamId).collect())
            }

            async fn staff_where(
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
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                Self::BACKEND
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn refresh_statistics(&self) -> StoreResult<()> {
                for statement in Self::REFRESH_STATISTICS {
                    sqlx::query(statement).execute(self.writer()).await?;
                }
                Ok(())
            }

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

            async fn staff_credentials(
                &self,
                username: &str,
            ) -> StoreResult<Option<StaffCredentials>> {
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
                let links: Vec<(Uuid, Uuid)> = sqlx::query_as(
                    "SELECT staff_id, team_id FROM staff_teams ORDER BY staff_id, team_id",
                )
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

            async fn create_session(
                &self,
                session: &SessionRecord,
                audit: AuditEntry,
            ) -> StoreResult<()> {
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

            async fn end_session(
                &self,
                token_hash: &str,
                audit: Option<AuditEntry>,
            ) -> StoreResult<()> {
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
                    .map(|(username, failures, last_at, last_address)| AccountFailures {
                        username,
                        failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        last_at_millis: last_at,
                        last_address,
                    })
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

            async fn add_account_link(
                &self,
                link: &AccountLink,
                audit: AuditEntry,
            ) -> StoreResult<()> {
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
                let rows: Vec<(Uuid, i64, bool, bool, Option<String>, Option<i64>)> =
                    sqlx::query_as(
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
                Ok(sqlx::query_scalar::<_, Option<String>>(
                    "SELECT totp_secret FROM staff WHERE id = $1",
                )
                .bind(staff.0)
                .fetch_optional(&self.pool)
                .await?
                .flatten())
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

            async fn accept_second_factor_step(
                &self,
                staff: StaffId,
                step: i64,
            ) -> StoreResult<bool> {
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

            async fn remove_sign_in_challenges_before(
                &self,
                before_millis: i64,
            ) -> StoreResult<u64> {
                Ok(sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at < $1")
                    .bind(before_millis)
                    .execute(self.writer())
                    .await?
                    .rows_affected())
            }

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
                let team: Option<Uuid> =
                    sqlx::query_scalar("SELECT team_id FROM families WHERE id = $1")
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
                audit: AuditEntry,
            ) -> StoreResult<Option<std::sync::Arc<FamilyRecord>>> {
                // The change count was read (by the access check) before the record is: a
                // copy is used only at that count (see `cache.rs`).
                let loaded = self
                    .copies
                    .records
                    .get_or_load(id, changes, self.load_family_record(id))
                    .await?;
                let Some(record) = loaded else {
                    return Ok(None);
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
                    keys.extend(rows.into_iter().map(|(name, id, changes, _)| (name, id, changes)));
                }
                let (total, total_is_lower_bound) = if query.search.is_some() {
                    (counted.min(SEARCH_COUNT_LIMIT), counted > SEARCH_COUNT_LIMIT)
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
                    let q = bind_ids!(sqlx::query_as::<_, (Uuid, Uuid, String, bool, Option<String>)>(&sql));
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
                let mut pathway_steps: Vec<(Uuid, cradle_domain::PersonId, cradle_domain::pathway::PathwayStep)> = Vec::new();
                for (family, person, record) in pathway_rows {
                    let recorded: cradle_domain::pathway::RecordedStep = $crate::care::from_json(&record, "pathway step")?;
                    pathway_steps.push((family, cradle_domain::PersonId(person), recorded.step));
                }
                let mut restrictions: Vec<(FamilyId, cradle_domain::network::ContactRestriction)> = Vec::new();
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
                            let Some(summary) = loaded.get(&id) else { continue };
                            self.copies.summaries.put(id, *changes, std::sync::Arc::clone(summary));
                            std::sync::Arc::clone(summary)
                        }
                    };
                    families.push(summary);
                }
                // The list shows names, so the audit says exactly which records were shown.
                let mut audit = audit;
                let shown: Vec<String> = families.iter().map(|f| f.id.to_string()).collect();
                let more = if total_is_lower_bound { "more than " } else { "" };
                audit.detail = format!("{}; {} of {more}{} shown: {}", audit.detail, families.len(), total, shown.join(" "));
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
                let mut found: Vec<(AttentionKind, Uuid, Option<String>, String, time::Date, Settle)> = Vec::new();
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
                            $crate::care::from_json(&record, "questionnaire response")?;
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
                            format!("Raised {}: open until an action is recorded and it is closed", cradle_domain::dates::long_date(since)),
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
                            format!("{kind}: review was due {}, still in force", cradle_domain::dates::long_date(since)),
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
                    let ids = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
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
                    for (kind, family, about, detail, since, settle) in found.iter().filter(|f| chunk.contains(&f.1)) {
                        let Some((_, mother)) = mothers.iter().find(|(id, _)| id == family) else { continue };
                        let theirs: Vec<&Baby> = babies.iter().filter(|(f, _)| f.0 == *family).map(|(_, b)| b).collect();
                        let label = match theirs.as_slice() {
                            [] => format!("{mother} (no baby recorded yet)"),
                            several => several.iter().map(|b| b.label(mother)).collect::<Vec<_>>().join(" and "),
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
                audit.detail = format!("{} items: {}", items.len(), family_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(" "));
                self.audit.append(audit).await?;
                Ok(items)
            }

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
            ) -> StoreResult<Vec<$crate::BreakGlassUse>> {
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
                    for (id, staff_id, family_id, reason, granted_at, expires_at, staff_name, staff_username, mother_name) in rows {
                        uses.push($crate::BreakGlassUse {
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
                Ok(sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?)
            }
        }
    };
}

pub(crate) use sql_store;

#[cfg(test)]
mod tests {
    use super::CaseloadPlan;
    use crate::{FamilyQuery, FamilySearch, PagePosition};
    use cradle_domain::{FamilyId, StaffId, TeamId};
    use uuid::Uuid;

    /// A SQLite database with every migration applied: the migrations the store embeds and
    /// runs at start-up, in their order.
    fn migrated_sqlite() -> rusqlite::Connection {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        for migration in sqlx::migrate!("./migrations/sqlite").iter() {
            connection.execute_batch(&migration.sql).unwrap();
        }
        connection
    }

    /// How SQLite would run a statement: each step's parent and description.
    fn plan(connection: &rusqlite::Connection, sql: &str) -> Vec<(i64, String)> {
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        // Parameters left unbound are null; the plan is the same for any value.
        let mut rows = statement.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push((row.get(1).unwrap(), row.get(3).unwrap()));
        }
        steps
    }

    /// Every caseload walk (a team's families, a key worker's, from the start, from a page
    /// number, either side of a family, by the start of a name) is answered from its index
    /// alone and in the index's order: no family is fetched from the table and nothing is
    /// sorted, whatever the size of the caseload.
    #[test]
    fn each_caseload_walk_reads_its_index_alone() {
        let connection = migrated_sqlite();
        let team = TeamId(Uuid::from_u128(1));
        let family = FamilyId(Uuid::from_u128(2));
        let positions = [
            PagePosition::Start,
            PagePosition::Offset(50),
            PagePosition::After(family),
            PagePosition::Before(family),
        ];
        for key_worker in [None, Some(StaffId(Uuid::from_u128(3)))] {
            let index = if key_worker.is_some() {
                "families_by_key_worker"
            } else {
                "families_by_team"
            };
            for search in [None, Some(FamilySearch::NamePrefix("ada".into()))] {
                for position in positions {
                    let query = FamilyQuery {
                        teams: vec![team],
                        key_worker,
                        search: search.clone(),
                        position,
                        limit: 25,
                    };
                    let (sql, _) = CaseloadPlan::new(&query).page_sql(team);
                    let steps = plan(&connection, &sql);
                    let walk: Vec<&String> = steps
                        .iter()
                        .filter(|(parent, step)| *parent == 0 && step.contains(" families "))
                        .map(|(_, step)| step)
                        .collect();
                    assert_eq!(
                        walk.len(),
                        1,
                        "one walk of the families table in {steps:?} for {query:?}"
                    );
                    assert!(
                        walk[0].contains(&format!("USING COVERING INDEX {index} ")),
                        "the walk reads {index} alone, not {steps:?}, for {query:?}"
                    );
                    assert!(
                        !steps.iter().any(|(_, step)| step.contains("TEMP B-TREE")),
                        "the walk sorts nothing: {steps:?} for {query:?}"
                    );
                }
            }
        }
    }
}
