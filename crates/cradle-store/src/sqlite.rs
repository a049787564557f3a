//! The embedded default backend: one SQLite file under the data folder.
//!
//! Dialect differences, named: write transactions begin with `BEGIN IMMEDIATE` so a
//! read-then-write transaction never fails half-way on a lock upgrade; the audit head needs
//! no row lock because SQLite runs one write transaction at a time; a read made of several
//! statements is a deferred transaction, which in WAL mode reads one snapshot.
//! `synchronous = FULL` makes every commit (and so every audit record) durable on power
//! loss.
//!
//! Writes go through one connection of their own. SQLite allows one writer at a time, and
//! its own busy handler waits by sleeping (up to 100 ms a try), which under load gave
//! latencies of most of a second; queueing writers on the pool instead is fair and prompt.
//! Reads use a pool of their own and never wait for writers (WAL mode).

use crate::audit_queue::AuditQueue;
use crate::sqlite_direct::QuickReads;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
    /// Each request's session and access-check lookups; none for an in-memory database,
    /// which only sqlx's own connections can reach.
    quick: Option<QuickReads>,
    writer: SqlitePool,
    audit: AuditQueue,
    copies: crate::cache::FamilyCopies,
}

impl SqliteStore {
    const BACKEND: crate::Backend = crate::Backend::Sqlite;
    const LOCK_AUDIT_HEAD: &'static str = "SELECT seq, hash FROM audit_head WHERE id = 1";
    /// In WAL mode a deferred transaction reads from one snapshot, taken at its first read.
    const BEGIN_READ: &'static str = "BEGIN";
    /// After a bulk import: statistics for the planner, the row counts only. The samples of
    /// values `ANALYZE` also keeps (`sqlite_stat4`) make SQLite plan a statement again each
    /// time a value is bound to it (so on every caseload page, for its walk of the team's
    /// families); Cradle's statements are planned well from the indexes and counts alone.
    /// The last statement makes every connection load the statistics as they now are.
    const REFRESH_STATISTICS: &'static [&'static str] = &[
        "ANALYZE",
        "DELETE FROM sqlite_stat4",
        "ANALYZE sqlite_schema",
    ];

    pub async fn open(url: &str) -> crate::StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // A connection to a local file does not go stale: the liveness check sqlx makes
        // before lending a connection by default would be one more hand-over to the
        // connection's thread for every statement.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let quick = match in_memory {
            true => None,
            false => Some(QuickReads::open(options.get_filename())?),
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let audit = match in_memory {
            true => {
                let writer = writer.clone();
                AuditQueue::spawn(move |batch| {
                    let writer = writer.clone();
                    async move { Self::commit_audit_batch(&writer, &batch).await }
                })
            }
            false => crate::sqlite_direct::start_audit_writer(
                options.get_filename(),
                &writer,
                Self::LOCK_AUDIT_HEAD,
            )?,
        };
        let store = Self {
            pool,
            quick,
            writer,
            audit,
            copies: crate::cache::FamilyCopies::new(),
        };
        store.seed_missing_catalogues().await?;
        Ok(store)
    }

    async fn begin_on(
        writer: &SqlitePool,
    ) -> crate::StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Appends a batch of audit records in one transaction (the group commit), for a
    /// database in memory (a file's batches go through `sqlite_direct.rs`).
    async fn commit_audit_batch(
        writer: &SqlitePool,
        batch: &[crate::AuditEntry],
    ) -> crate::StoreResult<()> {
        let mut tx = Self::begin_on(writer).await?;
        Self::write_audits(&mut tx, batch.to_vec()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_rows(
        &self,
        token_hash: &str,
        family: Option<uuid::Uuid>,
    ) -> crate::StoreResult<Vec<crate::rows::SessionStaffRow>> {
        match &self.quick {
            Some(quick) => quick.session_rows(token_hash, family),
            None => Ok(sqlx::query_as(crate::sql::SESSION_WITH_STAFF)
                .bind(token_hash)
                .bind(family)
                .fetch_all(&self.pool)
                .await?),
        }
    }

    async fn stamp_row(&self, id: uuid::Uuid) -> crate::StoreResult<Option<(uuid::Uuid, i64)>> {
        match &self.quick {
            Some(quick) => quick.family_stamp(id),
            None => self.pooled_stamp_row(id).await,
        }
    }

    async fn caseload_keys(
        &self,
        sql: &str,
        binds: Vec<crate::sql::Bind>,
    ) -> crate::StoreResult<Vec<(String, uuid::Uuid, i64, i64)>> {
        match &self.quick {
            Some(quick) => quick.caseload_keys(sql, binds),
            None => {
                let query = crate::sql::bind_all!(
                    sqlx::query_as::<_, (String, uuid::Uuid, i64, i64)>(sql),
                    binds
                );
                Ok(query.fetch_all(&self.pool).await?)
            }
        }
    }

    /// Audit records written inside a transaction of sqlx's (a change and its record; a
    /// batch only when the database is in memory): one statement each, as the connection
    /// is local, then the chain's head moved to the newest.
    async fn append_audit_records(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        records: &[crate::AuditRecord],
    ) -> crate::StoreResult<()> {
        for r in records {
            sqlx::query(crate::audit_chain::INSERT_AUDIT_RECORD)
                .bind(r.seq)
                .bind(r.at_millis)
                .bind(r.actor_id.map(|id| id.0))
                .bind(&r.actor_username)
                .bind(&r.actor_role)
                .bind(r.team_id.map(|id| id.0))
                .bind(&r.action)
                .bind(&r.outcome)
                .bind(&r.subject_kind)
                .bind(r.subject_id)
                .bind(&r.source)
                .bind(&r.break_glass_reason)
                .bind(&r.detail)
                .bind(&r.prev_hash)
                .bind(&r.hash)
                .execute(&mut **tx)
                .await?;
        }
        if let Some(newest) = records.last() {
            sqlx::query(crate::audit_chain::MOVE_AUDIT_HEAD)
                .bind(newest.seq)
                .bind(&newest.hash)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The writing pool, for tests that must reach under the store (to tamper with the audit trail).
    pub fn raw_pool(&self) -> &SqlitePool {
        &self.writer
    }
}

/// The store the shared SQL in `backend/` is compiled for here, and its database.
type SqlStore = SqliteStore;
type Db = sqlx::Sqlite;

#[path = "backend/store.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod store;

#[path = "backend/accounts.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod accounts;

#[path = "backend/families.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod families;

#[path = "backend/relationship_work.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod relationship_work;

#[path = "backend/care_plans.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod care_plans;

#[path = "backend/pathway.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod pathway;

#[path = "backend/groups.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod groups;

#[path = "backend/filming.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod filming;

#[path = "backend/coding.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod coding;

#[path = "backend/audit.rs"]
#[allow(clippy::duplicate_mod)] // compiled once for each backend, on purpose
mod audit;
