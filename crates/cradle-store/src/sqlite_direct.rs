//! Plain SQLite connections beside sqlx, for the two things every audited request does:
//! look up its session and the family's team and change count (the access check), and have
//! its audit record written.
//!
//! sqlx's SQLite driver runs each statement on a thread of its own and hands the rows back
//! over a channel. For one-row lookups by primary key, answered from SQLite's page cache in
//! microseconds, the hand-over between threads costs more than the query: a profile of the
//! audited family read spent a third of its time there (`docs/performance.md`). So:
//!
//! - [`QuickReads`] runs the two lookups (and the caseload's walk of a team's families,
//!   the one statement a caseload page makes when its rows are held) on the request's own
//!   thread, through a few connections that only read. A connection sees what was
//!   committed when its statement starts (WAL mode), exactly as a pooled sqlx connection
//!   does, so a session ended or a family changed a moment ago is seen.
//! - [`start_audit_writer`] writes each batch of read-audit records (the group commit, see
//!   `audit_queue.rs`) in one transaction through a plain connection, made durable before
//!   any read in the batch is answered (`synchronous = FULL`), instead of five hand-overs a
//!   batch. The queue runs on a thread of its own: the commit waits for the disk, and on one
//!   of the runtime's threads (one a processor) that wait left a single thread to serve
//!   every request (`docs/performance.md`). While it writes it holds sqlx's one writing
//!   connection unused, so writes from this process take turns in order instead of meeting
//!   on SQLite's lock, whose busy handler waits by sleeping; it keeps that turn while
//!   batches follow one another (see [`Turn`]).
//!
//! The statements are the same SQL both backends run, on the same SQLite library sqlx links;
//! everything else (lists, whole records, every other write) stays with sqlx.

use crate::audit_chain::{link, INSERT_AUDIT_RECORD, MOVE_AUDIT_HEAD};
use crate::audit_queue::AuditQueue;
use crate::rows::{SessionRow, SessionStaffRow, StaffRow};
use crate::{AuditEntry, StoreResult};
use rusqlite::{
    named_params, params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior,
};
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Connections kept open between requests; more are opened while requests overlap.
const KEPT_OPEN: usize = 8;

pub(crate) struct QuickReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl QuickReads {
    /// Opens a first connection at once, so a database that cannot be read fails at start.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let first = Self::connect(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![first]),
        })
    }

    fn connect(path: &Path) -> StoreResult<Connection> {
        let connection = connect(path)?;
        // These connections only read; SQLite refuses any write made through them.
        connection.pragma_update(None, "query_only", true)?;
        Ok(connection)
    }

    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let held = lock(&self.idle).pop();
        let connection = match held {
            Some(connection) => connection,
            None => Self::connect(&self.path)?,
        };
        let result = read(&connection);
        let mut idle = lock(&self.idle);
        if idle.len() < KEPT_OPEN {
            idle.push(connection);
        }
        Ok(result?)
    }

    /// The session's rows (one per team of its account), as `SESSION_WITH_STAFF` gives them.
    pub fn session_rows(
        &self,
        token_hash: &str,
        family: Option<Uuid>,
    ) -> StoreResult<Vec<SessionStaffRow>> {
        self.with(|connection| {
            let mut statement = connection.prepare_cached(crate::sql::SESSION_WITH_STAFF)?;
            // By name: SQLite numbers `$N` parameters in the order they first appear.
            let rows = statement.query_map(
                named_params! { "$1": token_hash, "$2": family },
                session_staff_row,
            )?;
            rows.collect()
        })
    }

    /// The family's team and change count, as `FAMILY_STAMP` gives them.
    pub fn family_stamp(&self, id: Uuid) -> StoreResult<Option<(Uuid, i64)>> {
        self.with(|connection| {
            let mut statement = connection.prepare_cached(crate::sql::FAMILY_STAMP)?;
            statement
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
    }
}

impl QuickReads {
    /// One team's caseload walk, as `CaseloadPlan::page_sql` writes it: each family's sort
    /// name, id and change count, and the team's count on every row.
    pub fn caseload_keys(
        &self,
        sql: &str,
        binds: Vec<crate::sql::Bind>,
    ) -> StoreResult<Vec<(String, Uuid, i64, i64)>> {
        self.with(|connection| {
            let mut statement = connection.prepare_cached(sql)?;
            // The SQL names its parameters `$1`, `$2`…, as sqlx binds them.
            for (number, bind) in (1..).zip(&binds) {
                let Some(index) = statement.parameter_index(&format!("${number}"))? else {
                    continue;
                };
                match bind {
                    crate::sql::Bind::Id(id) => statement.raw_bind_parameter(index, id)?,
                    crate::sql::Bind::Text(text) => statement.raw_bind_parameter(index, text)?,
                }
            }
            let mut rows = statement.raw_query();
            let mut keys = Vec::new();
            while let Some(row) = rows.next()? {
                keys.push((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?));
            }
            Ok(keys)
        })
    }
}

/// The columns in `SESSION_WITH_STAFF`'s order.
fn session_staff_row(row: &Row<'_>) -> rusqlite::Result<SessionStaffRow> {
    Ok(SessionStaffRow {
        session: SessionRow {
            token_hash: row.get(0)?,
            staff_id: row.get(1)?,
            csrf_token: row.get(2)?,
            created_at: row.get(3)?,
            last_seen_at: row.get(4)?,
            source: row.get(5)?,
        },
        staff: StaffRow {
            id: row.get(6)?,
            username: row.get(7)?,
            display_name: row.get(8)?,
            role: row.get(9)?,
            password_hash: row.get(10)?,
            disabled: row.get(11)?,
            service_account: row.get(12)?,
        },
        team_id: row.get(13)?,
        family_team_id: row.get(14)?,
        family_changes: row.get(15)?,
        staff_changes: row.get(16)?,
    })
}

fn connect(path: &Path) -> StoreResult<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(10))?;
    Ok(connection)
}

/// Starts the queue that writes read-audit batches through a plain connection of its own.
/// `lock_head` reads the chain's head inside the batch's transaction.
pub(crate) fn start_audit_writer(
    path: &Path,
    writer: &SqlitePool,
    lock_head: &'static str,
) -> StoreResult<AuditQueue> {
    let connection = connect(path)?;
    // Every commit reaches the disk before it returns: no read is answered before its audit
    // record would survive a power cut.
    connection.pragma_update(None, "synchronous", "FULL")?;
    // Only the queue's thread uses it: the lock is never waited for.
    let connection = Arc::new(Mutex::new(connection));
    let writer = writer.clone();
    let turn: Arc<Mutex<Option<Turn>>> = Arc::default();
    let idle_turn = Arc::clone(&turn);
    AuditQueue::spawn_on_thread(
        move |entries| {
            let writer = writer.clone();
            let connection = Arc::clone(&connection);
            let turn = Arc::clone(&turn);
            async move {
                // sqlx's one writing connection, held unused while the batch is written; the
                // write itself blocks this thread (the queue's own) until the disk has it.
                let kept = lock(&turn).take().filter(Turn::may_be_kept);
                let held = match kept {
                    Some(held) => held,
                    None => Turn {
                        _connection: writer.acquire().await?,
                        since: Instant::now(),
                    },
                };
                let written = append_batch(&mut lock(&connection), lock_head, &entries);
                *lock(&turn) = Some(held);
                written
            }
        },
        // Nothing waiting: sqlx's writes may have their connection back at once.
        move || drop(lock(&idle_turn).take()),
    )
}

/// The audit writer's turn on sqlx's one writing connection. Giving the connection back
/// after each batch and asking for it again waits for sqlx to return it to its pool, which
/// it does in a task of its own that runs behind every request the batch has just
/// answered: most of a batch's time went on that wait. So while batches follow one another
/// the writer keeps its turn, for at most [`TURN_KEPT_AT_MOST`]; then it gives the
/// connection back and queues for it again behind any change waiting to be written (sqlx's
/// pool lends in order of asking). It lets go at once whenever its queue is empty.
struct Turn {
    _connection: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    since: Instant,
}

/// The longest a change waits for the audit writer's turn to end (then for the batch under
/// way, if any).
const TURN_KEPT_AT_MOST: Duration = Duration::from_millis(5);

impl Turn {
    fn may_be_kept(&self) -> bool {
        self.since.elapsed() < TURN_KEPT_AT_MOST
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Appends a batch to the chain in one transaction; nothing of it is kept if any part fails.
fn append_batch(
    connection: &mut Connection,
    lock_head: &str,
    batch: &[AuditEntry],
) -> StoreResult<()> {
    // Immediate: the head read is the head the batch is linked to.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (seq, hash): (i64, String) = transaction
        .prepare_cached(lock_head)?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let records = link(seq, hash, batch.to_vec());
    {
        let mut statement = transaction.prepare_cached(INSERT_AUDIT_RECORD)?;
        for r in &records {
            statement.execute(params![
                r.seq,
                r.at_millis,
                r.actor_id.map(|id| id.0),
                r.actor_username,
                r.actor_role,
                r.team_id.map(|id| id.0),
                r.action,
                r.outcome,
                r.subject_kind,
                r.subject_id,
                r.source,
                r.break_glass_reason,
                r.detail,
                r.prev_hash,
                r.hash,
            ])?;
        }
    }
    if let Some(newest) = records.last() {
        transaction
            .prepare_cached(MOVE_AUDIT_HEAD)?
            .execute(params![newest.seq, newest.hash])?;
    }
    transaction.commit()?;
    Ok(())
}
