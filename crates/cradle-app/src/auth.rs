//! Signing in and out, sessions and API tokens.
//!
//! Sessions live in the database so several application servers can share them. The cookie
//! carries a random token; the database keeps only its hash. A new token is made at every
//! sign-in, so a token planted before sign-in is useless afterwards.

use crate::access::FamilyLookup;
use crate::second_factor::SignInStep;
use crate::secrets::{random_token, token_hash, verify_password, DECOY_HASH};
use crate::{Actor, AppError, Cradle};
use cradle_domain::{AuditAction, AuditOutcome, FamilyId, Staff, SubjectKind};
use cradle_store::{AuditEntry, SessionRecord};

/// How long after a session was last recorded as seen it is recorded again (a write): a
/// minute's precision is plenty for a 30-minute idle limit.
pub(crate) const SEEN_EVERY_MILLIS: i64 = 60_000;

/// A session that has just begun: the token goes in the cookie and is not kept anywhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub staff: Staff,
}

/// A request's signed-in state, found from its session cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub csrf_token: String,
    pub token_hash: String,
    /// The family the request is about, looked up with the session (see [`Cradle::session`]).
    pub family: Option<FamilyLookup>,
}

impl Cradle {
    /// Checks a username and password. Unknown usernames, wrong passwords, disabled accounts
    /// and service accounts all get the same answer, after the same amount of work. A right
    /// password signs the person in, or asks for their second factor
    /// (see `second_factor.rs`).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<SignInStep, AppError> {
        let username = username.trim().to_lowercase();
        let username_for_audit: String = username.chars().take(64).collect();
        let now = self.now();
        let failures_before = self
            .refuse_if_locked(&username_for_audit, address, now)
            .await?;

        let credentials = self.store.staff_credentials(&username).await?;
        let stored_hash = credentials
            .as_ref()
            .and_then(|c| c.password_hash.clone())
            .unwrap_or_else(|| DECOY_HASH.to_string());
        let attempt = password.to_string();
        let password_ok =
            tokio::task::spawn_blocking(move || verify_password(&attempt, &stored_hash))
                .await
                .map_err(|e| AppError::Internal(format!("password check failed: {e}")))?;

        match credentials {
            Some(c) if password_ok && !c.staff.disabled && !c.staff.service_account => {
                self.after_password(c.staff, address).await
            }
            other => {
                let staff = other.as_ref().map(|c| &c.staff);
                let detail = match &other {
                    Some(c) if c.staff.disabled => "account disabled",
                    Some(c) if c.staff.service_account => {
                        "service accounts cannot sign in to pages"
                    }
                    Some(c) if c.password_hash.is_none() => "account not yet enrolled",
                    Some(_) => "wrong password",
                    None => "unknown username",
                };
                let attempt = FailedAttempt {
                    username: &username_for_audit,
                    address,
                    now,
                    staff,
                    failures_before,
                };
                self.count_failure(attempt, detail).await?;
                Err(AppError::BadCredentials)
            }
        }
    }

    /// Refuses a sign-in while its account is locked or its address paused, without trying
    /// the password (and without counting the attempt). Otherwise answers how many failed
    /// sign-ins the account has, for [`Cradle::count_failure`].
    pub(crate) async fn refuse_if_locked(
        &self,
        username: &str,
        address: &str,
        now: i64,
    ) -> Result<u32, AppError> {
        let failures = self
            .store
            .login_failures_since(
                username,
                address,
                now - self.settings.account_failure_memory_millis,
                now - self.settings.failure_window_millis,
            )
            .await?;
        let account_locked_until = failures
            .last_for_username_at_millis
            .and_then(|last| {
                self.settings
                    .account_locked_until(failures.for_username, last)
            })
            .filter(|until| *until > now);
        let address_paused = failures.for_address >= self.settings.max_failures_per_address;
        if account_locked_until.is_none() && !address_paused {
            return Ok(failures.for_username);
        }
        let until = account_locked_until.unwrap_or(now + self.settings.failure_window_millis);
        let mut entry = anonymous_entry(
            now,
            username,
            &format!("http {address}"),
            AuditAction::LoginRefusedRateLimit,
        );
        entry.detail = match account_locked_until {
            Some(_) => format!(
                "account locked for {} more minutes",
                minutes_until(now, until)
            ),
            None => "too many failed sign-ins from this address".into(),
        };
        self.store.append_audit(entry).await?;
        Err(AppError::RateLimited {
            account: account_locked_until.is_some(),
            retry_after_minutes: minutes_until(now, until),
        })
    }

    /// Records a failed sign-in (a wrong password or second-factor code), and the lockout it
    /// starts if it reaches the limit.
    pub(crate) async fn count_failure(
        &self,
        attempt: FailedAttempt<'_>,
        detail: &str,
    ) -> Result<(), AppError> {
        let FailedAttempt {
            username,
            address,
            now,
            staff,
            failures_before,
        } = attempt;
        let mut entry = anonymous_entry(
            now,
            username,
            &format!("http {address}"),
            AuditAction::LoginFailed,
        );
        if let Some(staff) = staff {
            entry.actor_id = Some(staff.id);
            entry.subject_kind = Some(SubjectKind::Staff);
            entry.subject_id = Some(staff.id.0);
        }
        entry.detail = detail.to_string();
        let mut entries = vec![entry.clone()];
        let failures_now = failures_before.saturating_add(1);
        if let Some(until) = self.settings.account_locked_until(failures_now, now) {
            entries.push(AuditEntry {
                action: AuditAction::AccountLocked,
                detail: format!(
                    "{failures_now} failed sign-ins; locked for {} minutes",
                    minutes_until(now, until)
                ),
                ..entry
            });
        }
        self.store
            .record_login_failure(username, address, now, entries)
            .await?;
        Ok(())
    }

    /// Begins a session for someone who has proved who they are.
    pub(crate) async fn start_session(
        &self,
        staff: Staff,
        address: &str,
        detail: &str,
    ) -> Result<NewSession, AppError> {
        let now = self.now();
        let source = format!("http {address}");
        let token = random_token()?;
        let csrf_token = random_token()?;
        let session = SessionRecord {
            token_hash: token_hash(&token),
            staff_id: staff.id,
            csrf_token: csrf_token.clone(),
            created_at_millis: now,
            last_seen_at_millis: now,
            source: source.clone(),
        };
        let actor = Actor::staff(&staff, source);
        let mut entry = actor.audit(
            now,
            AuditAction::LoginSucceeded,
            Some((SubjectKind::Staff, staff.id.0)),
        );
        entry.detail = detail.to_string();
        self.store.create_session(&session, entry).await?;
        self.store
            .clear_login_failures(&staff.username, None)
            .await?;
        Ok(NewSession {
            token,
            csrf_token,
            staff,
        })
    }

    /// Finds the signed-in person for a session cookie. Sessions idle for too long, older
    /// than the absolute limit, or belonging to a disabled account are ended here.
    ///
    /// A request about one family names it: its team and change count are read in the same
    /// statement as the session, for the access check that follows
    /// ([`Cradle::family_access`]), which then needs no lookup of its own.
    pub async fn session(
        &self,
        token: &str,
        address: &str,
        family: Option<FamilyId>,
    ) -> Result<SignedIn, AppError> {
        let hash = token_hash(token);
        let Some(mut record) = self.store.session_with_staff(&hash, family).await? else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.now();
        let session = &record.session;
        let idle = now - session.last_seen_at_millis > self.settings.idle_timeout_millis;
        let too_old = now - session.created_at_millis > self.settings.absolute_timeout_millis;
        if idle || too_old {
            self.store.end_session(&hash, None).await?;
            return Err(AppError::SessionExpired);
        }
        if record.staff.disabled {
            self.store.end_session(&hash, None).await?;
            return Err(AppError::Unauthenticated);
        }
        if now - session.last_seen_at_millis > SEEN_EVERY_MILLIS {
            self.store.touch_session(&hash, now).await?;
            record.session.last_seen_at_millis = now;
        }
        Ok(SignedIn {
            actor: Actor::staff(&record.staff, format!("http {address}")),
            csrf_token: record.session.csrf_token,
            token_hash: hash,
            family: family.map(|family| FamilyLookup {
                family,
                stamp: record.family,
            }),
        })
    }

    /// Ends a session at once.
    pub async fn logout(&self, signed_in: &SignedIn) -> Result<(), AppError> {
        let entry = signed_in.actor.audit(
            self.now(),
            AuditAction::Logout,
            signed_in.actor.id.map(|id| (SubjectKind::Staff, id.0)),
        );
        self.store
            .end_session(&signed_in.token_hash, Some(entry))
            .await?;
        Ok(())
    }
}

/// A failed sign-in as counted: who, from where, when, and how many failures the account had
/// before it (read by [`Cradle::refuse_if_locked`] as the attempt began).
pub(crate) struct FailedAttempt<'a> {
    pub username: &'a str,
    pub address: &'a str,
    pub now: i64,
    pub staff: Option<&'a Staff>,
    pub failures_before: u32,
}

/// Whole minutes from `now` until `until`, rounded up: "try again in 1 minute", never 0.
fn minutes_until(now: i64, until: i64) -> i64 {
    ((until - now).max(1) + 59_999) / 60_000
}

fn anonymous_entry(now: i64, username: &str, source: &str, action: AuditAction) -> AuditEntry {
    AuditEntry {
        at_millis: now,
        actor_id: None,
        actor_username: username.to_string(),
        actor_role: None,
        team_id: None,
        action,
        outcome: AuditOutcome::Denied,
        subject_kind: None,
        subject_id: None,
        source: source.to_string(),
        break_glass_reason: None,
        detail: String::new(),
    }
}
