//! What can go wrong in a use-case, in terms the web layer can explain to a person.

use cradle_domain::{Permission, Problems};
use cradle_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// What was submitted has problems; each names its field and says how to fix it.
    #[error("the submission has {} problem(s)", .0.0.len())]
    Invalid(Problems),
    /// Nobody is signed in, or the session has ended.
    #[error("sign in to continue")]
    Unauthenticated,
    /// The session ended because it was idle or too old.
    #[error("your session has ended")]
    SessionExpired,
    /// Signed in, but this role may not do this.
    #[error("you do not have permission to {}", .0.describe())]
    Forbidden(Permission),
    /// The role allows this, but it belongs to a team the person is not in (a group, a team's
    /// settings or catalogue). Not a family record: those answer [`AppError::OtherTeamsRecord`].
    #[error("this belongs to a team you are not in")]
    NotInTeam,
    /// The record belongs to a team the person is not in; break-glass access is possible.
    #[error("this record belongs to another team")]
    OtherTeamsRecord { break_glass_allowed: bool },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// Sign-in is paused for an account (`account`) or for the address it came from.
    #[error("too many failed sign-in attempts")]
    RateLimited {
        account: bool,
        retry_after_minutes: i64,
    },
    #[error("the username or password is not right")]
    BadCredentials,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        let mut problems = Problems::default();
        problems.push(cradle_domain::Invalid::new(field, message));
        AppError::Invalid(problems)
    }
}
