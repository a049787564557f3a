//! Caseload walks shared, for PostgreSQL.
//!
//! A caseload page walks its team's families in name order along an index, in one statement
//! (`CaseloadPlan::page_sql`). The members of a team mostly open the same page (the first,
//! unsearched), and on PostgreSQL each statement is a round trip to a server process. So
//! requests hand their walk to one task, which takes whatever has queued up, runs each
//! different walk once, and answers every request that asked for it.
//!
//! As with the session lookups (`session_lookups.rs`), every statement starts after each
//! request it answers had arrived: a family added, renamed or moved before a request arrived
//! is in that request's answer, whichever server made the change.
//!
//! The first walk of each gathering runs on a connection the task keeps (see `dedicated.rs`:
//! the pool tests every connection given back with a round trip of its own); any other walks
//! gathered with it run at the same time on connections of the pool.

use crate::sql::{bind_all, Bind};
use crate::StoreResult;
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// One team's walk: each family's sort name, id and change count, and the team's count.
type Keys = Vec<(String, Uuid, i64, i64)>;
type Reply = oneshot::Sender<Result<Keys, String>>;

/// The most requests answered from one gathering.
const MAX_GROUP: usize = 128;

pub(crate) struct CaseloadWalks {
    sender: mpsc::Sender<(String, Vec<Bind>, Reply)>,
}

impl CaseloadWalks {
    /// Starts the task that runs queued walks, each different one once.
    pub(crate) fn spawn(pool: PgPool, options: PgConnectOptions) -> Self {
        let (sender, mut receiver) = mpsc::channel::<(String, Vec<Bind>, Reply)>(4 * MAX_GROUP);
        let mut kept = crate::dedicated::Dedicated::new(options);
        tokio::spawn(async move {
            while let Some(group) = crate::audit_queue::next_batch(&mut receiver, MAX_GROUP).await {
                let mut walks: Vec<(String, Vec<Bind>, Vec<Reply>)> = Vec::new();
                for (sql, binds, reply) in group {
                    match walks
                        .iter_mut()
                        .find(|(same_sql, same_binds, _)| *same_sql == sql && *same_binds == binds)
                    {
                        Some((_, _, replies)) => replies.push(reply),
                        None => walks.push((sql, binds, vec![reply])),
                    }
                }
                // Different walks run at once: the first on the kept connection, each other
                // on a connection of the pool.
                let mut walks = walks.into_iter();
                let first = walks.next();
                let mut running = tokio::task::JoinSet::new();
                for (sql, binds, replies) in walks {
                    let pool = pool.clone();
                    running.spawn(async move {
                        answer(replies, walk(&sql, binds).fetch_all(&pool).await);
                    });
                }
                if let Some((sql, binds, replies)) = first {
                    let found = kept
                        .with(async |connection| walk(&sql, binds).fetch_all(connection).await)
                        .await;
                    answer(replies, found);
                }
                while running.join_next().await.is_some() {}
            }
        });
        Self { sender }
    }

    /// The walk `sql` writes with `binds`, read with any identical walks queued meanwhile.
    pub(crate) async fn keys(&self, sql: &str, binds: Vec<Bind>) -> StoreResult<Keys> {
        crate::audit_queue::ask(
            &self.sender,
            |reply| (sql.to_string(), binds, reply),
            "caseload walk",
        )
        .await
    }
}

/// The walk `sql` with its values bound.
fn walk(
    sql: &str,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'_, sqlx::Postgres, (String, Uuid, i64, i64), sqlx::postgres::PgArguments>
{
    bind_all!(sqlx::query_as(sql), binds)
}

/// Gives every request that asked for a walk its answer.
fn answer(replies: Vec<Reply>, found: Result<Keys, sqlx::Error>) {
    let found = found.map_err(|e| e.to_string());
    for reply in replies {
        let _ = reply.send(found.clone());
    }
}
