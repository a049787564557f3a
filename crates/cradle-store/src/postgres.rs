//! The scale-out backend: PostgreSQL, shared by several application servers.
//!
//! Dialect differences, named: the audit head is locked with `FOR UPDATE` so concurrent
//! transactions on different servers append to the chain one after another; a read made of
//! several statements asks for a repeatable read transaction to see one snapshot.

use crate::audit_queue::AuditQueue;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

pub struct PostgresStore {
    pool: PgPool,
    audit: AuditQueue,
    lookups: crate::session_lookups::SessionLookups,
    walks: crate::caseload_walks::CaseloadWalks,
    copies: crate::cache::FamilyCopies,
}

impl PostgresStore {
    const BACKEND: crate::Backend = crate::Backend::Postgres;
    const LOCK_AUDIT_HEAD: &'static str =
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
    /// Under the default isolation each statement would see its own moment; a repeatable
    /// read transaction gives every statement in it the snapshot of its first.
    const BEGIN_READ: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    /// After a bulk import: statistics for the planner, and the new rows marked visible so
    /// autovacuum does not start on them under the first load.
    const REFRESH_STATISTICS: &'static [&'static str] = &["VACUUM ANALYZE"];

    pub async fn open(url: &str) -> crate::StoreResult<Self> {
        // sqlx checks a connection with a round trip before lending it, by default; that
        // doubled the round trips of every query. So only a connection that has sat idle for
        // a while is checked (see `dedicated.rs`): the server may have dropped it meanwhile.
        // A connection that fails mid-use is closed by sqlx, and the next one opened fresh.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .before_acquire(|connection, idle| {
                Box::pin(async move {
                    if idle.idle_for >= crate::dedicated::CHECK_AFTER_IDLE {
                        sqlx::Connection::ping(connection).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Self::migrate(&pool).await?;
        // The statements made for many requests at once (sessions looked up together, audit
        // batches) never change shape, but take arrays, which PostgreSQL would otherwise plan
        // afresh for every batch: their connections keep one plan for each. Each of the two
        // tasks that send them keeps a connection of its own, outside the pool, which tests
        // every connection given back to it with a round trip (see `dedicated.rs`).
        let options = PgConnectOptions::from_str(url)?;
        let batches = options
            .clone()
            .options([("plan_cache_mode", "force_generic_plan")]);
        let audit = Self::start_optimistic_audit_queue(crate::dedicated::shared(batches.clone()));
        let lookups = crate::session_lookups::SessionLookups::spawn(batches);
        let walks = crate::caseload_walks::CaseloadWalks::spawn(pool.clone(), options);
        let store = Self {
            pool,
            audit,
            lookups,
            walks,
            copies: crate::cache::FamilyCopies::new(),
        };
        store.seed_missing_catalogues().await?;
        Ok(store)
    }

    /// Applies the migrations. A server running as a role that may not change the schema
    /// (see [`PostgresStore::grant_app_role`]) is refused; it goes on if every migration was
    /// applied already (by the owner, with `cradle migrate`), and otherwise says so.
    async fn migrate(pool: &PgPool) -> crate::StoreResult<()> {
        let migrator = sqlx::migrate!("./migrations/postgres");
        let mut connection = pool.acquire().await?;
        let ran = migrator.run(&mut *connection).await;
        if ran.is_err() {
            // A refused run keeps the migrations' advisory lock on its connection: let it go,
            // so that other servers (and the owner's `cradle migrate`) are not kept waiting.
            sqlx::query("SELECT pg_advisory_unlock_all()")
                .execute(&mut *connection)
                .await?;
        }
        drop(connection);
        match ran {
            Ok(()) => Ok(()),
            Err(sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(refusal)))
                if refusal.code().as_deref() == Some("42501") =>
            {
                let applied: Vec<i64> =
                    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                        .fetch_all(pool)
                        .await?;
                if migrator.iter().all(|m| applied.contains(&m.version)) {
                    Ok(())
                } else {
                    Err(crate::StoreError::BadUrl(
                        "the database needs migrating, and this role may not change it: run `cradle migrate` as the tables' owner first".into(),
                    ))
                }
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn begin_on(
        pool: &PgPool,
    ) -> crate::StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(pool.begin().await?)
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// Gives `role` what Cradle needs to serve, and no more: it may read and write every
    /// table but may never change, remove or empty an audit record (with the triggers of
    /// migration 0033, which refuse even the tables' owner). Run as the tables' owner
    /// (`cradle database grant <role>`); serve as `role`.
    pub async fn grant_app_role(&self, role: &str) -> crate::StoreResult<()> {
        let plain = role
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && role.len() <= 63;
        if !plain {
            return Err(crate::StoreError::BadUrl(format!(
                "\"{role}\" is not a plain role name (lower-case letters, digits and underscores)"
            )));
        }
        let database: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&self.pool)
            .await?;
        let statements = [
            format!("GRANT CONNECT ON DATABASE \"{database}\" TO {role}"),
            format!("GRANT USAGE ON SCHEMA public TO {role}"),
            format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            ),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
            format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role}"),
            format!("REVOKE DELETE, TRUNCATE ON audit_head FROM {role}"),
            format!("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM {role}"),
        ];
        let mut tx = self.pool.begin().await?;
        for statement in statements {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The pool, for tests that must reach under the store (to tamper with the audit trail).
    pub fn raw_pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The store the shared SQL in `backend/` is compiled for here, and its database.
type SqlStore = PostgresStore;
type Db = sqlx::Postgres;

impl PostgresStore {
    async fn session_rows(
        &self,
        token_hash: &str,
        family: Option<uuid::Uuid>,
    ) -> crate::StoreResult<Vec<crate::rows::SessionStaffRow>> {
        // Read together with the lookups of other requests arriving meanwhile.
        self.lookups.rows(token_hash, family).await
    }

    /// The queue of read-audit batches. A batch is first tried as one statement, on the
    /// chain's head as this server last left it ([`Self::append_on_known_head`]); only when
    /// that head has moved (another server, or a change's own record, appended since) is it
    /// appended the long way: a transaction that locks the head, inserts and commits.
    fn start_optimistic_audit_queue(connection: crate::dedicated::Shared) -> AuditQueue {
        let known: std::sync::Arc<std::sync::Mutex<Option<(i64, String)>>> = Default::default();
        AuditQueue::spawn(move |batch| {
            let connection = std::sync::Arc::clone(&connection);
            let known = std::sync::Arc::clone(&known);
            async move {
                let last = known
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take();
                let mut connection = connection.lock().await;
                let newest = connection
                    .with(async |connection| {
                        if let Some(head) = last {
                            let quick =
                                Self::append_on_known_head(connection, head, &batch).await?;
                            if let Some(newest) = quick {
                                return Ok(newest);
                            }
                        }
                        let mut tx = sqlx::Connection::begin(connection).await?;
                        let newest = Self::write_audits(&mut tx, batch.to_vec()).await?;
                        tx.commit().await?;
                        crate::StoreResult::Ok(newest)
                    })
                    .await?;
                *known
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(newest);
                Ok(())
            }
        })
    }

    /// Appends a whole batch in one statement (its own transaction: one round trip and one
    /// commit), linked to `head`, the newest link as this server last wrote it, if the
    /// chain's head is still exactly that; the head is locked and checked in the same
    /// statement, so the chain cannot fork. Answers
    /// the new newest link, or `None` (nothing written) when the batch must be appended the
    /// long way.
    async fn append_on_known_head(
        connection: &mut sqlx::PgConnection,
        head: (i64, String),
        batch: &[crate::AuditEntry],
    ) -> crate::StoreResult<Option<(i64, String)>> {
        let records = crate::audit_chain::link(head.0, head.1.clone(), batch.to_vec());
        let Some(newest) = records.last() else {
            return Ok(Some(head));
        };
        fn column<'a, T>(
            records: &'a [crate::AuditRecord],
            field: impl Fn(&'a crate::AuditRecord) -> T,
        ) -> Vec<T> {
            records.iter().map(field).collect()
        }
        let appended: Option<(i64,)> = sqlx::query_as(
            "WITH head AS (SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE), \
             go AS (SELECT 1 FROM head WHERE head.seq = $18 AND head.hash = $19), \
             appended AS (INSERT INTO audit_events (seq, at, actor_id, actor_username, actor_role, team_id, action, outcome, subject_kind, subject_id, source, break_glass_reason, detail, prev_hash, hash) \
               SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]) \
               WHERE EXISTS (SELECT 1 FROM go)) \
             UPDATE audit_head SET seq = $16, hash = $17 WHERE id = 1 AND EXISTS (SELECT 1 FROM go) RETURNING seq",
        )
        .bind(column(&records, |r| r.seq))
        .bind(column(&records, |r| r.at_millis))
        .bind(column(&records, |r| r.actor_id.map(|id| id.0)))
        .bind(column(&records, |r| r.actor_username.as_str()))
        .bind(column(&records, |r| r.actor_role.as_deref()))
        .bind(column(&records, |r| r.team_id.map(|id| id.0)))
        .bind(column(&records, |r| r.action.as_str()))
        .bind(column(&records, |r| r.outcome.as_str()))
        .bind(column(&records, |r| r.subject_kind.as_deref()))
        .bind(column(&records, |r| r.subject_id))
        .bind(column(&records, |r| r.source.as_str()))
        .bind(column(&records, |r| r.break_glass_reason.as_deref()))
        .bind(column(&records, |r| r.detail.as_str()))
        .bind(column(&records, |r| r.prev_hash.as_str()))
        .bind(column(&records, |r| r.hash.as_str()))
        .bind(newest.seq)
        .bind(newest.hash.as_str())
        .bind(head.0)
        .bind(head.1.as_str())
        .fetch_optional(&mut *connection)
        .await?;
        Ok(appended.map(|_| (newest.seq, newest.hash.clone())))
    }

    async fn stamp_row(&self, id: uuid::Uuid) -> crate::StoreResult<Option<(uuid::Uuid, i64)>> {
        self.pooled_stamp_row(id).await
    }

    /// Inserts a batch of audit records and moves the chain's head to the newest, in one
    /// statement (one round trip) whose text is the same for any number of records (one
    /// array a column), so it is planned once per connection; a `VALUES` list written for
    /// each batch's size was planned afresh for most batches.
    async fn append_audit_records(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        records: &[crate::AuditRecord],
    ) -> crate::StoreResult<()> {
        let Some(newest) = records.last() else {
            return Ok(());
        };
        fn column<'a, T>(
            records: &'a [crate::AuditRecord],
            field: impl Fn(&'a crate::AuditRecord) -> T,
        ) -> Vec<T> {
            records.iter().map(field).collect()
        }
        // A data-modifying `WITH` runs to completion whether or not the rest reads it.
        sqlx::query(
            "WITH appended AS (INSERT INTO audit_events (seq, at, actor_id, actor_username, actor_role, team_id, action, outcome, subject_kind, subject_id, source, break_glass_reason, detail, prev_hash, hash) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])) \
             UPDATE audit_head SET seq = $16, hash = $17 WHERE id = 1",
        )
        .bind(column(records, |r| r.seq))
        .bind(column(records, |r| r.at_millis))
        .bind(column(records, |r| r.actor_id.map(|id| id.0)))
        .bind(column(records, |r| r.actor_username.as_str()))
        .bind(column(records, |r| r.actor_role.as_deref()))
        .bind(column(records, |r| r.team_id.map(|id| id.0)))
        .bind(column(records, |r| r.action.as_str()))
        .bind(column(records, |r| r.outcome.as_str()))
        .bind(column(records, |r| r.subject_kind.as_deref()))
        .bind(column(records, |r| r.subject_id))
        .bind(column(records, |r| r.source.as_str()))
        .bind(column(records, |r| r.break_glass_reason.as_deref()))
        .bind(column(records, |r| r.detail.as_str()))
        .bind(column(records, |r| r.prev_hash.as_str()))
        .bind(column(records, |r| r.hash.as_str()))
        .bind(newest.seq)
        .bind(newest.hash.as_str())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn caseload_keys(
        &self,
        sql: &str,
        binds: Vec<crate::sql::Bind>,
    ) -> crate::StoreResult<Vec<(String, uuid::Uuid, i64, i64)>> {
        // Read with any identical walks queued meanwhile (see `caseload_walks.rs`).
        self.walks.keys(sql, binds).await
    }
}

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
