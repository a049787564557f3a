//! Sign-in and sessions: teams, staff accounts, API tokens, sessions, failed sign-ins, account
//! links and second factors.

use crate::*;
use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::{FamilyId, Staff, StaffId, Team, TeamId};
use uuid::Uuid;

#[async_trait]
pub trait AccountStore: Send + Sync {
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
    /// that family's team and change count (see [`crate::FamilyStore::family_stamp`]).
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
}
