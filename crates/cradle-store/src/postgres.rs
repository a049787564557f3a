//! The scale-out backend: PostgreSQL, shared by several application servers.
//!
//! Dialect differences, named: the audit head is locked with `FOR UPDATE` so concurrent
//! transactions on different servers append to the chain one after another.

use crate::audit_queue::AuditQueue;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

pub struct PostgresStore {
    pool: PgPool,
    audit: AuditQueue,
    copies: crate::cache::FamilyCopies,
}

impl PostgresStore {
    const BACKEND: crate::Backend = crate::Backend::Postgres;
    const LOCK_AUDIT_HEAD: &'static str =
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
    /// After a bulk import: statistics for the planner, and the new rows marked visible so
    /// autovacuum does not start on them under the first load.
    const REFRESH_STATISTICS: &'static str = "VACUUM ANALYZE";

    pub async fn open(url: &str) -> crate::StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let audit = Self::start_audit_queue(&pool);
        let store = Self {
            pool,
            audit,
            copies: crate::cache::FamilyCopies::new(),
        };
        store.seed_missing_catalogues().await?;
        Ok(store)
    }

    async fn begin_on(
        pool: &PgPool,
    ) -> crate::StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(pool.begin().await?)
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// The pool, for tests that must reach under the store (to tamper with the audit trail).
    pub fn raw_pool(&self) -> &PgPool {
        &self.pool
    }
}

crate::sql::sql_store!(PostgresStore, sqlx::Postgres);

impl PostgresStore {
    async fn session_rows(
        &self,
        token_hash: &str,
    ) -> crate::StoreResult<Vec<crate::rows::SessionStaffRow>> {
        self.pooled_session_rows(token_hash).await
    }

    async fn stamp_row(&self, id: uuid::Uuid) -> crate::StoreResult<Option<(uuid::Uuid, i64)>> {
        self.pooled_stamp_row(id).await
    }
}

mod network_impl {
    use super::PostgresStore;
    use crate::rows::*;
    use crate::sql::conflict_or;
    use crate::*;
    use cradle_domain::network::FamilyRecord;
    use cradle_domain::{Baby, FamilyId, StaffId};
    use uuid::Uuid;
    const FAMILY_COLUMNS: &str = crate::sql::FAMILY_COLUMNS;
    const BABY_COLUMNS: &str = crate::sql::BABY_COLUMNS;
    crate::network::network_sql!(PostgresStore, sqlx::Postgres);
}

mod care_impl {
    use super::PostgresStore;
    crate::care::care_sql!(PostgresStore, sqlx::Postgres);
}
