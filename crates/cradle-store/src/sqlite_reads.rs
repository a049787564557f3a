//! The two lookups every signed-in request makes on SQLite (its session with the account,
//! and a family's team and change count for the access check), run on the request's own
//! thread through a few plain SQLite connections.
//!
//! sqlx's SQLite driver runs each statement on a thread of its own and hands the rows back
//! over a channel. For these one-row lookups by primary key, answered from SQLite's page
//! cache in microseconds, the hand-over between threads costs more than the query: a profile
//! of the audited family read spent a third of its time there, and taking the two lookups off
//! that path doubled the read's throughput (`docs/performance.md`). The statements are the
//! same SQL both backends run (`sql.rs`), on the same SQLite library sqlx links; everything
//! else (lists, whole records, every write and the audit trail) stays with sqlx.
//!
//! A connection sees what was committed when its statement starts (WAL mode), exactly as a
//! pooled sqlx connection does, so a session ended or a family changed a moment ago is seen.

use crate::rows::{SessionRow, SessionStaffRow, StaffRow};
use crate::StoreResult;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
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
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::from_secs(10))?;
        // These connections only read; SQLite refuses any write made through them.
        connection.pragma_update(None, "query_only", true)?;
        Ok(connection)
    }

    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let held = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let connection = match held {
            Some(connection) => connection,
            None => Self::connect(&self.path)?,
        };
        let result = read(&connection);
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < KEPT_OPEN {
            idle.push(connection);
        }
        Ok(result?)
    }

    /// The session's rows (one per team of its account), as `SESSION_WITH_STAFF` gives them.
    pub fn session_rows(&self, token_hash: &str) -> StoreResult<Vec<SessionStaffRow>> {
        self.with(|connection| {
            let mut statement = connection.prepare_cached(crate::sql::SESSION_WITH_STAFF)?;
            let rows = statement.query_map([token_hash], session_staff_row)?;
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
    })
}
