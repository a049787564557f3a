//! API bearer tokens for other systems (service accounts): issued with an expiry, listed,
//! revoked, and refused once revoked or expired. The token is shown once and only its hash is
//! kept; each token records when it was last used, and its first use is audited.

use crate::auth::SEEN_EVERY_MILLIS;
use crate::secrets::{random_token, token_hash};
use crate::{Actor, AppError, Cradle};
use cradle_domain::staff::parse_display_name;
use cradle_domain::{AuditAction, Permission, Staff, StaffId, SubjectKind};
use cradle_store::{ApiToken, StoreError};
use uuid::Uuid;

/// How long a token lasts unless a shorter or longer life (up to a year) is asked for.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
pub const LONGEST_TOKEN_DAYS: u32 = 365;
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A token just issued: shown once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at_millis: i64,
}

/// A token as the list shows it, with its account.
#[derive(Debug, Clone)]
pub struct TokenLine {
    pub token: ApiToken,
    pub account: Option<Staff>,
}

impl TokenLine {
    /// "Active", "Revoked" or "Expired", at `now`.
    pub fn status(&self, now: i64) -> &'static str {
        if self.token.revoked_at_millis.is_some() {
            "Revoked"
        } else if self.token.expires_at_millis <= now {
            "Expired"
        } else {
            "Active"
        }
    }
}

impl Cradle {
    /// Issues a bearer token for the API, lasting `days` (90 unless asked; 1 to 365).
    pub async fn issue_api_token(
        &self,
        actor: &Actor,
        id: StaffId,
        label: &str,
        days: Option<u32>,
    ) -> Result<IssuedToken, AppError> {
        actor.require(Permission::ManageUsers)?;
        let mut problems = cradle_domain::Problems::default();
        let label = problems.take(parse_display_name("label", "what the token is for", label));
        let days = days.unwrap_or(DEFAULT_TOKEN_DAYS);
        if !(1..=LONGEST_TOKEN_DAYS).contains(&days) {
            problems.push(cradle_domain::Invalid::new(
                "days",
                format!("A token lasts from 1 to {LONGEST_TOKEN_DAYS} days"),
            ));
        }
        let (Some(label), true) = (label, problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        if self.store.staff_by_id(id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let now = self.now();
        let token = format!("cradle_{}", random_token()?);
        let kept = ApiToken {
            id: Uuid::now_v7(),
            staff_id: id,
            label,
            created_at_millis: now,
            expires_at_millis: now + i64::from(days) * DAY_MILLIS,
            last_used_at_millis: None,
            revoked_at_millis: None,
        };
        let mut entry = actor.audit(
            now,
            AuditAction::ApiTokenIssued,
            Some((SubjectKind::Staff, id.0)),
        );
        entry.detail = format!("token {} for {days} days", kept.id);
        self.store
            .add_api_token(&kept, &token_hash(&token), entry)
            .await?;
        Ok(IssuedToken {
            token,
            expires_at_millis: kept.expires_at_millis,
        })
    }

    /// Every API token, newest first, with its account. Audited.
    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<TokenLine>, AppError> {
        actor.require(Permission::ManageUsers)?;
        let entry = actor.audit(self.now(), AuditAction::ApiTokensListed, None);
        let tokens = self.store.api_tokens(entry).await?;
        let mut lines = Vec::with_capacity(tokens.len());
        for token in tokens {
            let account = self.store.staff_by_id(token.staff_id).await?;
            lines.push(TokenLine { token, account });
        }
        Ok(lines)
    }

    /// Revokes a token at once: the next request with it is refused.
    pub async fn revoke_api_token(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::ManageUsers)?;
        let now = self.now();
        let mut entry = actor.audit(now, AuditAction::ApiTokenRevoked, None);
        entry.detail = format!("token {id}");
        self.store
            .revoke_api_token(id, now, entry)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound,
                other => AppError::Store(other),
            })
    }

    /// Finds the account an API bearer token belongs to; refuses a revoked or expired token,
    /// or a disabled account. Records the use (its first use in the audit).
    pub async fn bearer(&self, token: &str, address: &str) -> Result<Actor, AppError> {
        let Some((kept, staff)) = self.store.api_token(&token_hash(token)).await? else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.now();
        if staff.disabled || kept.revoked_at_millis.is_some() || kept.expires_at_millis <= now {
            return Err(AppError::Unauthenticated);
        }
        let actor = Actor::staff(&staff, format!("api {address}"));
        let stale = kept
            .last_used_at_millis
            .is_none_or(|last| now - last > SEEN_EVERY_MILLIS);
        if stale {
            let first_use = kept.last_used_at_millis.is_none().then(|| {
                let mut entry = actor.audit(
                    now,
                    AuditAction::ApiTokenUsedFirstTime,
                    Some((SubjectKind::Staff, staff.id.0)),
                );
                entry.detail = format!("token {}", kept.id);
                entry
            });
            self.store.touch_api_token(kept.id, now, first_use).await?;
        }
        Ok(actor)
    }
}
