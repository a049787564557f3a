//! Cradle's storage: one [`Store`] trait with two backends.
//!
//! SQLite is the embedded default; PostgreSQL is the scale-out backend. Both are implemented
//! by the same code (the `sql_store!` macro in `sql.rs`) because the SQL is written once in the
//! dialect both databases accept; the few differences are named in each backend's module.
//!
//! Every method that reads or changes clinical data takes the [`AuditEntry`] that records it
//! and writes it in the same transaction, so an action without its audit record cannot happen.

mod audit_chain;
mod audit_queue;
mod cache;
mod caseload_walks;
mod dedicated;
pub use cache::{Bounded, Copies};
pub mod care;
pub mod network;
mod postgres;
mod rows;
mod session_lookups;
mod sql;
mod sqlite;
mod sqlite_direct;

pub use audit_chain::{chain_hash, verify_chain, AuditRecord, ChainFault, GENESIS_HASH};
pub use care::CareStore;
pub use network::{Amendment, NetworkStore, RecordKind, RecordVersion};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use cradle_domain::{
    AuditAction, AuditOutcome, Family, FamilyId, FamilySummary, Role, Staff, StaffId, SubjectKind,
    Team, TeamId,
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
pub trait Store: NetworkStore + CareStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// A cheap query that proves the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Refreshes the query planner's statistics, after a bulk import changes the tables'
    /// sizes by orders of magnitude (`ANALYZE` in both databases).
    async fn refresh_statistics(&self) -> StoreResult<()>;

    // Teams and staff.
    async fn create_team(&self, team: &Team, audit: AuditEntry) -> StoreResult<()>;
    async fn list_teams(&self) -> StoreResult<Vec<Team>>;
    async fn create_staff(
        &self,
        staff: &Staff,
        password_hash: Option<&str>,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn staff_credentials(&self, username: &str) -> StoreResult<Option<StaffCredentials>>;
    async fn staff_by_id(&self, id: StaffId) -> StoreResult<Option<Staff>>;
    async fn staff_by_username(&self, username: &str) -> StoreResult<Option<Staff>>;
    async fn list_staff(&self, audit: Option<AuditEntry>) -> StoreResult<Vec<Staff>>;
    /// Disabling also ends every session of the account, in the same transaction.
    async fn set_staff_disabled(
        &self,
        id: StaffId,
        disabled: bool,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn set_staff_teams(
        &self,
        id: StaffId,
        teams: &[TeamId],
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn add_api_token(
        &self,
        token: &ApiToken,
        token_hash: &str,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// The token a bearer token's hash belongs to, and its account, whatever the token's
    /// state (the caller checks expiry and revocation).
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, Staff)>>;
    /// Records a token's use; with `audit` (its first use) in the same transaction.
    async fn touch_api_token(
        &self,
        id: Uuid,
        at_millis: i64,
        audit: Option<AuditEntry>,
    ) -> StoreResult<()>;
    /// Every token, newest first.
    async fn api_tokens(&self, audit: AuditEntry) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token at once; `NotFound` if there is none, or it is revoked already.
    async fn revoke_api_token(
        &self,
        id: Uuid,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    // Sessions and sign-in.
    async fn create_session(&self, session: &SessionRecord, audit: AuditEntry) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// A session and its account (with the account's teams), in one query: every signed-in
    /// request starts here. A request about one family names it, and the same query reads
    /// that family's team and change count (see [`Store::family_stamp`]).
    async fn session_with_staff(
        &self,
        token_hash: &str,
        family: Option<FamilyId>,
    ) -> StoreResult<Option<SignedInRecord>>;
    async fn touch_session(&self, token_hash: &str, at_millis: i64) -> StoreResult<()>;
    async fn end_session(&self, token_hash: &str, audit: Option<AuditEntry>) -> StoreResult<()>;
    /// Housekeeping: removes sessions last seen before `idle_before_millis` or begun before
    /// `begun_before_millis`.
    async fn remove_expired_sessions(
        &self,
        idle_before_millis: i64,
        begun_before_millis: i64,
    ) -> StoreResult<u64>;
    /// Records a failed sign-in with its audit records (the failure, and the lockout it
    /// starts, if it starts one), in one transaction.
    async fn record_login_failure(
        &self,
        username: &str,
        address: &str,
        at_millis: i64,
        audit: Vec<AuditEntry>,
    ) -> StoreResult<()>;
    /// Failures for a username since `account_since_millis`, and from an address since
    /// `address_since_millis`.
    async fn login_failures_since(
        &self,
        username: &str,
        address: &str,
        account_since_millis: i64,
        address_since_millis: i64,
    ) -> StoreResult<FailureCounts>;
    /// Usernames with at least `at_least` failures since `since_millis`, newest first.
    async fn accounts_with_failures(
        &self,
        since_millis: i64,
        at_least: u32,
    ) -> StoreResult<Vec<AccountFailures>>;
    /// Forgets a username's failures: after a sign-in, or an unlock (audited with it).
    async fn clear_login_failures(
        &self,
        username: &str,
        audit: Option<AuditEntry>,
    ) -> StoreResult<()>;
    /// Housekeeping: forgets failures too old to count towards any limit.
    async fn remove_login_failures_before(&self, before_millis: i64) -> StoreResult<u64>;

    // Enrolment, password resets and the second factor.
    /// Keeps a new link, and cancels any earlier link of the account not yet used.
    async fn add_account_link(&self, link: &AccountLink, audit: AuditEntry) -> StoreResult<()>;
    async fn account_link(&self, token_hash: &str) -> StoreResult<Option<AccountLink>>;
    /// Uses a link once, in one transaction: the link is marked used (`NotFound` if it is
    /// used, cancelled or expired at `now_millis`), the account's password is set, its
    /// second factor removed (a lost phone is the usual reason for a reset; it is set up
    /// again at the next sign-in where required), its failed sign-ins are forgotten and its
    /// sessions end.
    async fn use_account_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    async fn account_states(&self) -> StoreResult<Vec<AccountState>>;
    /// The account's second-factor secret (base32), if it has one.
    async fn second_factor(&self, staff: StaffId) -> StoreResult<Option<String>>;
    /// Sets (or, with `None`, removes) the account's second factor.
    async fn set_second_factor(
        &self,
        staff: StaffId,
        secret: Option<&str>,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Accepts a code's time step once: false when that step, or a later one, was accepted
    /// already (a code seen over someone's shoulder cannot be used again).
    async fn accept_second_factor_step(&self, staff: StaffId, step: i64) -> StoreResult<bool>;
    /// A sign-in whose password was right, waiting for its second factor.
    async fn create_sign_in_challenge(
        &self,
        token_hash: &str,
        staff: StaffId,
        now_millis: i64,
        expires_at_millis: i64,
    ) -> StoreResult<()>;
    /// The account a sign-in challenge belongs to, while it has not expired.
    async fn sign_in_challenge(
        &self,
        token_hash: &str,
        now_millis: i64,
    ) -> StoreResult<Option<StaffId>>;
    async fn end_sign_in_challenge(&self, token_hash: &str) -> StoreResult<()>;
    /// Housekeeping: removes challenges that have expired.
    async fn remove_sign_in_challenges_before(&self, before_millis: i64) -> StoreResult<u64>;

    // Families.
    async fn create_family(
        &self,
        family: &Family,
        created_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Which team a family belongs to: enough to decide access, without reading the record.
    async fn family_team(&self, id: FamilyId) -> StoreResult<Option<TeamId>>;
    /// The family's team and its change count (raised by every change to what its record
    /// shows), in one lookup: what an access check reads.
    async fn family_stamp(&self, id: FamilyId) -> StoreResult<Option<(TeamId, i64)>>;
    /// The family's whole record (babies, people, relationships, restrictions), audited.
    /// `changes` is the family's change count read by the access check just made: a copy of
    /// the record made at that count is as good as reading it again, and is shared rather
    /// than copied.
    async fn read_family(
        &self,
        id: FamilyId,
        changes: i64,
        audit: AuditEntry,
    ) -> StoreResult<Option<std::sync::Arc<cradle_domain::network::FamilyRecord>>>;
    async fn list_families(
        &self,
        query: &FamilyQuery,
        audit: AuditEntry,
    ) -> StoreResult<FamilyPage>;
    /// What needs attention across the teams' families, most urgent first: unactioned safety
    /// alerts, open coping concerns, safety decisions past their review date and care plan
    /// reviews overdue (at most 200 of each kind a team). Audited, naming every family shown.
    async fn needs_attention(
        &self,
        teams: &[TeamId],
        today: time::Date,
        audit: AuditEntry,
    ) -> StoreResult<Vec<cradle_domain::attention::AttentionItem>>;
    async fn grant_break_glass(
        &self,
        grant: &BreakGlassGrant,
        audit: AuditEntry,
    ) -> StoreResult<()>;
    /// Every use of emergency access to the teams' families, newest first (at most 500 a
    /// team); the viewing is audited.
    async fn break_glass_uses(
        &self,
        teams: &[TeamId],
        audit: AuditEntry,
    ) -> StoreResult<Vec<BreakGlassUse>>;
    async fn active_break_glass(
        &self,
        staff_id: StaffId,
        family_id: FamilyId,
        now_millis: i64,
    ) -> StoreResult<Option<BreakGlassGrant>>;

    // The audit trail.
    /// Writes an audit record on its own, for events that change nothing else (a denial).
    async fn append_audit(&self, entry: AuditEntry) -> StoreResult<()>;
    /// Who accessed one record, newest first; the viewing itself is audited.
    async fn audit_for_subject(
        &self,
        kind: SubjectKind,
        id: Uuid,
        limit: u32,
        audit: AuditEntry,
    ) -> StoreResult<Vec<AuditRecord>>;
    /// Records in chain order from `after_seq`, for verification.
    async fn audit_records_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>>;
    /// The newest link of the chain: (sequence number, hash).
    async fn audit_head(&self) -> StoreResult<(i64, String)>;
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
