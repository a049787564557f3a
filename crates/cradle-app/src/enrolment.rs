//! Enrolment and password resets through one-time links: a person always sets their own
//! password, and an administrator never sets or learns a clinical colleague's.
//!
//! A new account has no password. Its enrolment link (and later any reset link) is made by
//! the manager of one of the person's teams, who hands it over; an administrator may make
//! links only for accounts that read no clinical record (other administrators), so creating a
//! clinician and signing in as one is closed to them. The command line, run by whoever runs
//! the server (and so holds the database already), may make any link. A link works once,
//! expires, and a newer link cancels an older one; using it ends the account's sessions and
//! lifts any lockout. Every link made and used is audited against the account.

use crate::secrets::{hash_password, random_token, token_hash};
use crate::{Actor, AppError, Cradle};
use cradle_domain::{AuditAction, Password, Permission, Role, Staff, StaffId, SubjectKind};
use cradle_store::{AccountLink, StoreError};

/// How long a new account's enrolment link works.
pub const ENROLMENT_MILLIS: i64 = 72 * 60 * 60 * 1000;
/// How long a password reset link works.
pub const RESET_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A link just made: the token goes in the link and is kept nowhere else.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub token: String,
    pub staff: Staff,
    pub enrolment: bool,
    pub expires_at_millis: i64,
}

impl IssuedLink {
    /// The path of the link on this Cradle's web address.
    pub fn path(&self) -> String {
        format!("/password/{}", self.token)
    }
}

/// Who a link belongs to, for the page where it is used.
#[derive(Debug, Clone)]
pub struct LinkHolder {
    pub staff: Staff,
    pub enrolment: bool,
}

impl Cradle {
    /// Whether `actor` may make a sign-in link for `staff`: see the module's note.
    fn may_make_link_for(actor: &Actor, staff: &Staff) -> Result<(), AppError> {
        if actor.is_command_line() {
            return Ok(());
        }
        if staff.service_account {
            return Err(AppError::Conflict(
                "A service account has no password: it uses API tokens".into(),
            ));
        }
        if staff.role.is_clinical() {
            actor.require(Permission::EnrolClinicalStaff)?;
            if !staff.teams.iter().any(|t| actor.teams.contains(t)) {
                return Err(AppError::NotInTeam);
            }
            if actor.id == Some(staff.id) {
                return Err(AppError::Conflict(
                    "You cannot make a link for your own account: ask another manager of your team or a Cradle administrator's service desk".into(),
                ));
            }
            return Ok(());
        }
        actor.require(Permission::ManageUsers)
    }

    /// Makes a one-time link for `id`: an enrolment link if the account has no password yet,
    /// otherwise a password reset link. Cancels any earlier link of the account.
    pub async fn make_account_link(
        &self,
        actor: &Actor,
        id: StaffId,
    ) -> Result<IssuedLink, AppError> {
        let staff = self
            .store
            .staff_by_id(id)
            .await?
            .ok_or(AppError::NotFound)?;
        Self::may_make_link_for(actor, &staff)?;
        let enrolment = self
            .store
            .staff_credentials(&staff.username)
            .await?
            .is_none_or(|c| c.password_hash.is_none());
        let now = self.now();
        let token = random_token()?;
        let expires = now
            + if enrolment {
                ENROLMENT_MILLIS
            } else {
                RESET_MILLIS
            };
        let link = AccountLink {
            token_hash: token_hash(&token),
            staff_id: staff.id,
            purpose: if enrolment { "enrol" } else { "reset" }.into(),
            created_at_millis: now,
            expires_at_millis: expires,
            used_at_millis: None,
        };
        let mut entry = actor.audit(
            now,
            AuditAction::AccountLinkIssued,
            Some((SubjectKind::Staff, staff.id.0)),
        );
        entry.detail = format!(
            "{} link for {}",
            if enrolment {
                "enrolment"
            } else {
                "password reset"
            },
            staff.username
        );
        self.store.add_account_link(&link, entry).await?;
        Ok(IssuedLink {
            token,
            staff,
            enrolment,
            expires_at_millis: expires,
        })
    }

    /// Whose a link is, while it can still be used; `NotFound` once used, replaced or
    /// expired (one answer for all three, so a link reveals nothing once it is spent).
    pub async fn link_holder(&self, token: &str) -> Result<LinkHolder, AppError> {
        let link = self
            .store
            .account_link(&token_hash(token))
            .await?
            .filter(|l| l.used_at_millis.is_none() && l.expires_at_millis > self.now())
            .ok_or(AppError::NotFound)?;
        let staff = self
            .store
            .staff_by_id(link.staff_id)
            .await?
            .filter(|s| !s.disabled)
            .ok_or(AppError::NotFound)?;
        Ok(LinkHolder {
            staff,
            enrolment: link.purpose == "enrol",
        })
    }

    /// Sets the link holder's password, once: the link is spent, the account's sessions end
    /// and any lockout is lifted. The audit record is the person's own.
    pub async fn set_password_with_link(
        &self,
        token: &str,
        password: &str,
        confirmation: &str,
        address: &str,
    ) -> Result<Staff, AppError> {
        let holder = self.link_holder(token).await?;
        let password = Password::parse("password", password).map_err(|p| {
            let mut problems = cradle_domain::Problems::default();
            problems.push(p);
            AppError::Invalid(problems)
        })?;
        let lower = password.expose().to_lowercase();
        let name_parts = holder
            .staff
            .display_name
            .split_whitespace()
            .map(str::to_lowercase)
            .filter(|part| part.chars().count() >= 3);
        if lower.contains(&holder.staff.username)
            || name_parts.clone().any(|part| lower.contains(&part))
        {
            return Err(AppError::invalid(
                "password",
                "Choose a password without your name or username in it: those are the first guesses anyone tries",
            ));
        }
        if password.expose() != confirmation {
            return Err(AppError::invalid(
                "confirmation",
                "The two passwords are not the same. Type your new password again in both boxes",
            ));
        }
        let plain = password.expose().to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&plain))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        let actor = Actor::staff(&holder.staff, format!("http {address}"));
        let mut entry = actor.audit(
            self.now(),
            AuditAction::PasswordSet,
            Some((SubjectKind::Staff, holder.staff.id.0)),
        );
        entry.detail = if holder.enrolment {
            "enrolled".into()
        } else {
            "reset".into()
        };
        self.store
            .use_account_link(&token_hash(token), &hash, self.now(), entry)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound,
                other => AppError::Store(other),
            })?;
        Ok(holder.staff)
    }
}

impl Cradle {
    /// Where each account stands in enrolment, for the pages that list accounts.
    pub async fn account_states(
        &self,
        actor: &Actor,
    ) -> Result<std::collections::HashMap<StaffId, cradle_store::AccountState>, AppError> {
        actor.require(Permission::ManageTeamAccounts)?;
        Ok(self
            .store
            .account_states()
            .await?
            .into_iter()
            .map(|state| (state.staff_id, state))
            .collect())
    }
}

/// Whether an account needs its manager (not an administrator) to make its links.
pub fn link_comes_from_manager(role: Role) -> bool {
    role.is_clinical()
}
