//! Group lookup of sessions, for PostgreSQL.
//!
//! Every signed-in request starts by reading its session (and, for a read of one family,
//! that family's team and change count: `SESSION_WITH_STAFF`). On PostgreSQL each statement
//! is a round trip to a server process, and on a busy server most of its cost is the trip,
//! not the lookup. Requests therefore hand their lookups to one task, which reads whatever
//! has queued up in one statement and answers each request with its own rows.
//!
//! Nothing is kept: every request's session is read from the database after the request
//! arrived, exactly as a lookup of its own would read it, so a session ended or an account
//! disabled (on any server, or from the command line) counts on the very next request.

use crate::rows::SessionStaffRow;
use crate::StoreResult;
use sqlx::postgres::PgConnectOptions;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

type Reply = oneshot::Sender<Result<Vec<SessionStaffRow>, String>>;

/// The most lookups answered by one statement.
const MAX_GROUP: usize = 128;

/// `SESSION_WITH_STAFF` for many sessions at once: each row carries the number of the
/// lookup it answers (from 1, in the order of the arrays).
const SESSIONS_WITH_STAFF: &str = concat!(
    "SELECT q.n, ",
    crate::sql::session_staff_columns!(),
    " FROM UNNEST($1::text[], $2::uuid[]) WITH ORDINALITY AS q(token_hash, family_id, n) \
     JOIN sessions s ON s.token_hash = q.token_hash \
     JOIN staff st ON st.id = s.staff_id \
     LEFT JOIN staff_teams t ON t.staff_id = st.id \
     LEFT JOIN families f ON f.id = q.family_id \
     ORDER BY q.n, t.team_id"
);

#[derive(sqlx::FromRow)]
struct NumberedRow {
    n: i64,
    #[sqlx(flatten)]
    row: SessionStaffRow,
}

pub(crate) struct SessionLookups {
    sender: mpsc::Sender<(String, Option<Uuid>, Reply)>,
}

impl SessionLookups {
    /// Starts the task that reads queued lookups together.
    pub(crate) fn spawn(options: PgConnectOptions) -> Self {
        let (sender, mut receiver) = mpsc::channel(4 * MAX_GROUP);
        let mut connection = crate::dedicated::Dedicated::new(options);
        tokio::spawn(async move {
            while let Some(group) = crate::audit_queue::next_batch(&mut receiver, MAX_GROUP).await {
                let mut tokens = Vec::with_capacity(group.len());
                let mut families = Vec::with_capacity(group.len());
                let mut replies: Vec<Reply> = Vec::with_capacity(group.len());
                for (token, family, reply) in group {
                    tokens.push(token);
                    families.push(family);
                    replies.push(reply);
                }
                let found: Result<Vec<NumberedRow>, sqlx::Error> = connection
                    .with(async |connection| {
                        sqlx::query_as(SESSIONS_WITH_STAFF)
                            .bind(&tokens)
                            .bind(&families)
                            .fetch_all(connection)
                            .await
                    })
                    .await;
                match found {
                    Ok(rows) => {
                        let mut answers: Vec<Vec<SessionStaffRow>> =
                            replies.iter().map(|_| Vec::new()).collect();
                        for NumberedRow { n, row } in rows {
                            let index = usize::try_from(n - 1).ok();
                            if let Some(answer) = index.and_then(|i| answers.get_mut(i)) {
                                answer.push(row);
                            }
                        }
                        for (reply, answer) in replies.into_iter().zip(answers) {
                            let _ = reply.send(Ok(answer));
                        }
                    }
                    Err(error) => {
                        let message = error.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        Self { sender }
    }

    /// The session's rows (one per team of its account), as `SESSION_WITH_STAFF` gives them.
    pub(crate) async fn rows(
        &self,
        token_hash: &str,
        family: Option<Uuid>,
    ) -> StoreResult<Vec<SessionStaffRow>> {
        crate::audit_queue::ask(
            &self.sender,
            |reply| (token_hash.to_string(), family, reply),
            "session lookup",
        )
        .await
    }
}
