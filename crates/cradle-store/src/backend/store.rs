//! The [`crate::Store`] itself: which database, whether it answers, the write transaction
//! every change begins and the read transaction of a read made of several statements.
//!
//! Written once in SQL that SQLite and PostgreSQL both accept, and compiled once for each
//! backend: `sqlite.rs` and `postgres.rs` include this file with `#[path]`, each naming its
//! own `SqlStore` and `Db`.

use super::{Db, SqlStore};
use crate::StoreResult;
use crate::*;

impl SqlStore {
    pub(crate) async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, Db>> {
        Self::begin_on(self.writer()).await
    }

    /// A read transaction: every statement in it sees the database as it was at one moment
    /// (`BEGIN_READ` says how each database is asked for that).
    pub(crate) async fn begin_read(&self) -> StoreResult<sqlx::Transaction<'static, Db>> {
        Ok(self.pool.begin_with(Self::BEGIN_READ).await?)
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> crate::Backend {
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
}
