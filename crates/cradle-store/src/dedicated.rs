//! A PostgreSQL connection kept by one task, for the tasks that send one statement after
//! another all day (the read-audit writer, the grouped session lookups).
//!
//! sqlx tests a pooled connection with a round trip of its own (a `Sync` and its answer)
//! each time one is given back, so a statement through the pool costs two round trips. A
//! task that only ever runs one statement at a time has no need to give its connection
//! back: it keeps one, and opens a fresh one after any failure, since a failed statement
//! may have left the old one mid-conversation.
//!
//! A connection that has sat unused for a while may have been dropped by the server
//! meanwhile (PostgreSQL restarted or failed over, an idle timeout on the way), and the
//! first statement sent on it would fail. So a connection unused for [`CHECK_AFTER_IDLE`]
//! is checked with a round trip before it is used, here and in the pool, and replaced if
//! the check fails: after a quiet spell, no request meets a connection the server has gone
//! from. A busy connection is never checked, so this costs nothing under load.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::Connection;
use std::time::{Duration, Instant};

/// How long a connection may sit unused before it is checked again before use.
pub(crate) const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);

pub(crate) struct Dedicated {
    options: PgConnectOptions,
    open: Option<PgConnection>,
    last_used: Instant,
}

impl Dedicated {
    /// Connects lazily, on the first statement.
    pub(crate) fn new(options: PgConnectOptions) -> Self {
        Self {
            options,
            open: None,
            last_used: Instant::now(),
        }
    }

    /// Runs `work` on the kept connection (opened if need be, and checked first if it has
    /// been unused for [`CHECK_AFTER_IDLE`]); if it fails, the connection is closed, and the
    /// next work opens another.
    pub(crate) async fn with<T, E>(
        &mut self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<sqlx::Error>,
    {
        if self.last_used.elapsed() >= CHECK_AFTER_IDLE {
            if let Some(connection) = &mut self.open {
                if connection.ping().await.is_err() {
                    self.open = None;
                }
            }
        }
        let connection = match &mut self.open {
            Some(connection) => connection,
            None => self
                .open
                .insert(PgConnection::connect_with(&self.options).await?),
        };
        let done = work(connection).await;
        self.last_used = Instant::now();
        if done.is_err() {
            self.open = None;
        }
        done
    }
}

/// A [`Dedicated`] connection shared by the futures of a writer that runs one at a time.
pub(crate) type Shared = std::sync::Arc<tokio::sync::Mutex<Dedicated>>;

pub(crate) fn shared(options: PgConnectOptions) -> Shared {
    std::sync::Arc::new(tokio::sync::Mutex::new(Dedicated::new(options)))
}
