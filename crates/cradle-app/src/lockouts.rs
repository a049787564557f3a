//! Accounts locked after failed sign-ins: who may see them and unlock them.
//!
//! A lockout protects an account from guessing, but whoever guesses can also use it to keep a
//! named person out of their work. So every lockout is shown to administrators (and to the
//! managers of the person's teams), each can be lifted by them, and a new password set through
//! a reset lifts it too.

use crate::{Actor, AppError, Cradle};
use cradle_domain::{AuditAction, Permission, Staff, StaffId, SubjectKind};

/// A username locked now, as a manager or administrator sees it.
#[derive(Debug, Clone)]
pub struct Lockout {
    /// As typed at sign-in, lower-cased; it may match no account (someone guessing names).
    pub username: String,
    /// The account it locks, if there is one.
    pub staff: Option<Staff>,
    pub failures: u32,
    pub last_address: String,
    pub last_failure_millis: i64,
    pub locked_until_millis: i64,
}

impl Cradle {
    /// Usernames locked now, newest first. Administrators see every one, including names
    /// that match no account; a team manager sees those of the members of their teams.
    pub async fn lockouts(&self, actor: &Actor) -> Result<Vec<Lockout>, AppError> {
        actor.require(Permission::ManageTeamAccounts)?;
        let now = self.now();
        let failing = self
            .store
            .accounts_with_failures(
                now - self.settings.account_failure_memory_millis,
                self.settings.max_failures_per_account,
            )
            .await?;
        let mut lockouts = Vec::new();
        for account in failing {
            let Some(until) = self
                .settings
                .account_locked_until(account.failures, account.last_at_millis)
                .filter(|until| *until > now)
            else {
                continue;
            };
            let staff = self.store.staff_by_username(&account.username).await?;
            let visible = actor.role.allows(Permission::ManageUsers)
                || staff.as_ref().is_some_and(|s| shares_a_team(actor, s));
            if visible {
                lockouts.push(Lockout {
                    username: account.username,
                    staff,
                    failures: account.failures,
                    last_address: account.last_address,
                    last_failure_millis: account.last_at_millis,
                    locked_until_millis: until,
                });
            }
        }
        Ok(lockouts)
    }

    /// Lifts a lockout and forgets the account's failed sign-ins, so the person can sign in
    /// at once. Audited against the account.
    pub async fn unlock_account(&self, actor: &Actor, id: StaffId) -> Result<(), AppError> {
        actor.require(Permission::ManageTeamAccounts)?;
        let staff = self
            .store
            .staff_by_id(id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.role.allows(Permission::ManageUsers) && !shares_a_team(actor, &staff) {
            return Err(AppError::NotInTeam);
        }
        let mut entry = actor.audit(
            self.now(),
            AuditAction::AccountUnlocked,
            Some((SubjectKind::Staff, staff.id.0)),
        );
        entry.detail = format!("unlocked {}", staff.username);
        self.store
            .clear_login_failures(&staff.username, Some(entry))
            .await?;
        Ok(())
    }
}

fn shares_a_team(actor: &Actor, staff: &Staff) -> bool {
    staff.teams.iter().any(|team| actor.teams.contains(team))
}

#[cfg(test)]
mod tests {
    use crate::Settings;

    const MINUTE: i64 = 60_000;

    #[test]
    fn a_lockout_doubles_with_each_failure_past_the_limit_up_to_four_hours() {
        let settings = Settings::default();
        assert_eq!(settings.account_locked_until(4, 0), None, "below the limit");
        let locks: Vec<i64> = (5..=12)
            .map(|failures| settings.account_locked_until(failures, 0).unwrap() / MINUTE)
            .collect();
        assert_eq!(locks, vec![15, 30, 60, 120, 240, 240, 240, 240]);
        assert_eq!(
            settings.account_locked_until(u32::MAX, 1_000 * MINUTE),
            Some(1_240 * MINUTE),
            "never longer than the longest, however many failures"
        );
    }
}
