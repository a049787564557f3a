//! The scale-out backend: PostgreSQL, shared by several application servers.
//!
//! Dialect differences, named: the audit head is locked with `FOR UPDATE` so concurrent
//! transactions on different servers append to the chain one after another.

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    const BACKEND: crate::Backend = crate::Backend::Postgres;
    const LOCK_AUDIT_HEAD: &'static str =
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";

    pub async fn open(url: &str) -> crate::StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> crate::StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// The pool, for tests that must reach under the store (to tamper with the audit trail).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

crate::sql::sql_store!(PostgresStore, sqlx::Postgres);
