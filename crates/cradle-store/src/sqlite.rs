//! The embedded default backend: one SQLite file under the data folder.
//!
//! Dialect differences, named: write transactions begin with `BEGIN IMMEDIATE` so a
//! read-then-write transaction never fails half-way on a lock upgrade; the audit head needs
//! no row lock because SQLite runs one write transaction at a time. `synchronous = FULL`
//! makes every commit (and so every audit record) durable on power loss.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    const BACKEND: crate::Backend = crate::Backend::Sqlite;
    const LOCK_AUDIT_HEAD: &'static str = "SELECT seq, hash FROM audit_head WHERE id = 1";

    pub async fn open(url: &str) -> crate::StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> crate::StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The pool, for tests that must reach under the store (to tamper with the audit trail).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

crate::sql::sql_store!(SqliteStore, sqlx::Sqlite);
