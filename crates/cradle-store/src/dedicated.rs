//! A PostgreSQL connection kept by one task, for the tasks that send one statement after
//! another all day (the read-audit writer, the grouped session lookups).
//!
//! sqlx tests a pooled connection with a round trip of its own (a `Sync` and its answer)
//! each time one is given back, so a statement through the pool costs two round trips. A
//! task that only ever runs one statement at a time has no need to give its connection
//! back: it keeps one, and opens a fresh one after any failure, since a failed statement
//! may have left the old one mid-conversation.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::Connection;

pub(crate) struct Dedicated {
    options: PgConnectOptions,
    open: Option<PgConnection>,
}

impl Dedicated {
    /// Connects lazily, on the first statement.
    pub(crate) fn new(options: PgConnectOptions) -> Self {
        Self {
            options,
            open: None,
        }
    }

    /// Runs `work` on the kept connection (opened if need be); if it fails, the connection
    /// is closed, and the next work opens another.
    pub(crate) async fn with<T, E>(
        &mut self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<sqlx::Error>,
    {
        let connection = match &mut self.open {
            Some(connection) => connection,
            None => self
                .open
                .insert(PgConnection::connect_with(&self.options).await?),
        };
        let done = work(connection).await;
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
