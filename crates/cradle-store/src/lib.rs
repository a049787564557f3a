//! Cradle's storage: one [`Store`] trait with two backends.
//!
//! SQLite is the embedded default; PostgreSQL is the scale-out backend. The storage is split
//! by the record's aggregates, each a trait declared in its own module (`accounts`,
//! `families`, `relationship_work`, `care_plans`, `pathway`, `groups`, `audit`) and implemented
//! once, in `backend/<aggregate>.rs`, in SQL both databases accept: `sqlite.rs` and
//! `postgres.rs` each compile those files for themselves (`#[path]`), so one text of every
//! query serves both, and the few differences are written side by side in the two modules.
//!
//! Every method that reads or changes clinical data takes the [`AuditEntry`] that records it
//! and writes it in the same transaction, so an action without its audit record cannot happen.

mod audit_chain;
mod audit_queue;
mod cache;
mod caseload_walks;
mod dedicated;
pub use cache::Copies;
pub mod accounts;
pub mod audit;
pub mod care_plans;
pub mod coding;
pub mod families;
pub mod filming;
pub mod groups;
pub mod pathway;
mod postgres;
pub mod relationship_work;
mod rows;
mod session_lookups;
mod sql;
mod sqlite;
mod sqlite_direct;

pub use accounts::AccountStore;
pub use audit::AuditStore;
pub use audit_chain::{chain_hash, verify_chain, AuditRecord, ChainFault, GENESIS_HASH};
pub use care_plans::CarePlanStore;
pub use coding::CodingStore;
pub use families::{Amendment, FamilyStore, RecordKind, RecordVersion, Sections};
pub use filming::{FilmingStore, KeptRecording, KeyToRewrap, RecordingToView, StoredKey};
pub use groups::GroupStore;
pub use pathway::PathwayStore;
pub use postgres::PostgresStore;
pub use relationship_work::RelationshipWorkStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use cradle_domain::{
    AuditAction, AuditOutcome, FamilyId, FamilySummary, Role, Staff, StaffId, SubjectKind, TeamId,
};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A value that must be unique already exists (a username, a team name).
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("record not found")]
    NotFound,
    #[error("database URL not understood: {0}")]
    BadUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From the plain SQLite connections that make each request's first lookups.
    #[error("database error: {0}")]
    Embedded(#[from] rusqlite::Error),
    /// The audit record could not be written, so the action it records did not happen.
    #[error("audit record could not be written: {0}")]
    AuditUnavailable(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A lookup made together with others' (see `session_lookups.rs`) failed.
    #[error("database error: {0}")]
    Lookup(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// One audit record to be written, without its place in the chain (the store adds that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_millis: i64,
    pub actor_id: Option<StaffId>,
    pub actor_username: String,
    pub actor_role: Option<Role>,
    pub team_id: Option<TeamId>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub subject_kind: Option<SubjectKind>,
    pub subject_id: Option<Uuid>,
    /// Where the request came from: "http 127.0.0.1", "cli", "api 10.0.0.5".
    pub source: String,
    pub break_glass_reason: Option<String>,
    /// Short, non-identifying detail ("page 2, 25 rows"). Never a password or search text.
    pub detail: String,
}

/// A staff account with what is needed to check a password.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    pub staff: Staff,
    pub password_hash: Option<String>,
}

/// A signed-in session as stored. The cookie holds a random token; only its hash is kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub staff_id: StaffId,
    pub csrf_token: String,
    pub created_at_millis: i64,
    pub last_seen_at_millis: i64,
    pub source: String,
}

/// What a signed-in request starts from: its session, the account, and, when the request
/// is about one family, that family's team and change count as read with them (`None` when
/// there is no such family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInRecord {
    pub session: SessionRecord,
    pub staff: Staff,
    /// The account's change count (raised by any change to it or its teams).
    pub staff_changes: i64,
    pub family: Option<(TeamId, i64)>,
}

/// One use of emergency access to a family's record, as a manager reviews it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassUse {
    pub grant: BreakGlassGrant,
    pub staff_name: String,
    pub staff_username: String,
    pub mother_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub id: Uuid,
    pub staff_id: StaffId,
    pub family_id: FamilyId,
    pub reason: String,
    pub granted_at_millis: i64,
    pub expires_at_millis: i64,
}

/// What a caseload search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FamilySearch {
    /// The start of the mother's name, in lower case.
    NamePrefix(String),
    /// A mother's or a baby's NHS number: ten digits.
    NhsNumber(String),
    /// A full postcode as Cradle stores it ("LS1 4AP"): the mother's or anyone's in the family.
    Postcode(String),
}

/// Where a caseload page starts. Families are listed by the mother's name; `After` and
/// `Before` continue from a family on the page before (keyset paging), which costs the same
/// however deep into the caseload it is; `Offset` is for a page number typed by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagePosition {
    Start,
    Offset(u32),
    After(FamilyId),
    Before(FamilyId),
}

/// Which families a caseload list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyQuery {
    /// Families of these teams (the teams of whoever asks).
    pub teams: Vec<TeamId>,
    /// Only the families this member of staff is key worker for ("My families").
    pub key_worker: Option<StaffId>,
    pub search: Option<FamilySearch>,
    pub position: PagePosition,
    pub limit: u32,
}

/// Searches count their matches up to this many; beyond it the list says "more than".
pub const SEARCH_COUNT_LIMIT: u64 = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyPage {
    /// Shared with the store's held copies, not copied for each page.
    pub families: Vec<std::sync::Arc<FamilySummary>>,
    /// How many families the list holds in all; at least this many when `total_is_lower_bound`.
    pub total: u64,
    pub total_is_lower_bound: bool,
    pub has_previous: bool,
    pub has_next: bool,
}

/// Counts of recent failed sign-ins, for rate limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCounts {
    pub for_username: u32,
    pub for_address: u32,
    /// When the newest of the account's counted failures happened.
    pub last_for_username_at_millis: Option<i64>,
}

/// An API bearer token as kept: never the token, only its hash (kept apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub staff_id: StaffId,
    pub label: String,
    pub created_at_millis: i64,
    pub expires_at_millis: i64,
    pub last_used_at_millis: Option<i64>,
    pub revoked_at_millis: Option<i64>,
}

/// A one-time link through which a person sets their own password. Only the hash of the
/// token in the link is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    pub token_hash: String,
    pub staff_id: StaffId,
    /// "enrol" (a new account's first password) or "reset".
    pub purpose: String,
    pub created_at_millis: i64,
    pub expires_at_millis: i64,
    pub used_at_millis: Option<i64>,
}

/// Where an account stands in enrolment, for the pages that list accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub staff_id: StaffId,
    pub created_at_millis: i64,
    pub has_password: bool,
    pub has_second_factor: bool,
    /// The newest link not yet used: its purpose and when it expires (maybe already past).
    pub open_link: Option<(String, i64)>,
}

/// An account (or a username that matches none) with failed sign-ins since its last
/// success or unlock: what administrators see of lockouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFailures {
    /// The username as typed, lower-cased.
    pub username: String,
    pub failures: u32,
    pub last_at_millis: i64,
    pub last_address: String,
}

#[async_trait]
pub trait Store:
    AccountStore
    + FamilyStore
    + RelationshipWorkStore
    + CarePlanStore
    + PathwayStore
    + GroupStore
    + FilmingStore
    + CodingStore
    + AuditStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// A cheap query that proves the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Refreshes the query planner's statistics, after a bulk import changes the tables'
    /// sizes by orders of magnitude (`ANALYZE` in both databases).
    async fn refresh_statistics(&self) -> StoreResult<()>;
}

/// Opens the store a database URL names: `sqlite://…` (the default) or `postgres://…`.
/// Migrations are applied before it is returned.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::BadUrl(
            "use sqlite://path/to/file.db or postgres://user@host/database".to_string(),
        ))
    }
}

/// Checks the whole audit trail of a store: every hash, every link and the head.
pub async fn verify_audit_trail(store: &dyn Store) -> StoreResult<Result<u64, ChainFault>> {
    let mut checked = 0u64;
    let mut previous: Option<AuditRecord> = None;
    let mut after = 0i64;
    loop {
        let batch = store.audit_records_after(after, 1000).await?;
        if batch.is_empty() {
            break;
        }
        if let Err(fault) = verify_chain(previous.as_ref(), &batch) {
            return Ok(Err(fault));
        }
        checked += batch.len() as u64;
        after = batch.last().map(|r| r.seq).unwrap_or(after);
        previous = batch.into_iter().last();
    }
    let (head_seq, head_hash) = store.audit_head().await?;
    let (last_seq, last_hash) = previous
        .map(|r| (r.seq, r.hash))
        .unwrap_or((0, GENESIS_HASH.to_string()));
    if head_seq != last_seq || head_hash != last_hash {
        let problem = if head_seq > last_seq {
            format!(
                "it says the chain has {head_seq} records, but the chain ends at record {last_seq}: records after {last_seq} have been removed, or the head was edited"
            )
        } else if head_seq < last_seq {
            format!(
                "it says the chain has {head_seq} records, but the chain goes on to record {last_seq}: the head was edited"
            )
        } else {
            format!(
                "its hash is not that of record {last_seq}, the newest record: the head was edited"
            )
        };
        return Ok(Err(ChainFault { seq: None, problem }));
    }
    Ok(Ok(checked))
}
