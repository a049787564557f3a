//! A sign-in taken from memory instead of from the database, and the facts a request served
//! on it relied on, until the database confirms them.
//!
//! A server remembers, for a minute at most, the sessions it has looked up and the team and
//! change count of the families it has read (`cradle-app`'s `remembered.rs`). A read served
//! on what it remembers carries a [`ProvisionalSignIn`] on every audit record it makes. The
//! transaction that writes such a record first checks, against the database, that the
//! session still exists, its account's change count is still the one remembered (so its
//! role, teams and disabled flag are unchanged) and every family the request relied on
//! still has the change count remembered (so its team and record are unchanged). A record
//! whose facts no longer hold is not written, and the request is refused with
//! [`StoreError::SignInChanged`](crate::StoreError::SignInChanged): the web layer then serves
//! it again on a sign-in looked up afresh. Nothing is answered on a remembered sign-in until
//! every fact it relied on has been confirmed after the request arrived.

use cradle_domain::{FamilyId, StaffId};
use std::sync::Mutex;

/// The sign-in a request is served on, taken from memory (see the module's comment).
pub struct ProvisionalSignIn {
    token_hash: String,
    staff_id: StaffId,
    staff_changes: i64,
    facts: Mutex<Facts>,
}

#[derive(Default)]
struct Facts {
    /// Families whose team and record the request relied on, with the change count it used.
    families: Vec<(FamilyId, i64)>,
    /// How many of `families` the database has confirmed, with the session; `None` until the
    /// session itself has been.
    confirmed: Option<usize>,
}

/// The facts one audit record's transaction checks.
#[derive(Clone, PartialEq, Eq)]
pub struct SignInFacts {
    pub token_hash: String,
    pub staff_id: StaffId,
    pub staff_changes: i64,
    pub families: Vec<(FamilyId, i64)>,
}

impl ProvisionalSignIn {
    pub fn new(token_hash: &str, staff_id: StaffId, staff_changes: i64) -> Self {
        Self {
            token_hash: token_hash.to_string(),
            staff_id,
            staff_changes,
            facts: Mutex::new(Facts::default()),
        }
    }

    fn facts(&self) -> std::sync::MutexGuard<'_, Facts> {
        self.facts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records that the request relied on the family's remembered change count (and so its
    /// team): the count must be confirmed before anything is answered.
    pub fn rely_on_family(&self, family: FamilyId, changes: i64) {
        let mut facts = self.facts();
        if !facts.families.contains(&(family, changes)) {
            facts.families.push((family, changes));
        }
    }

    /// What has been relied on so far, for a transaction to check.
    pub fn facts_so_far(&self) -> SignInFacts {
        SignInFacts {
            token_hash: self.token_hash.clone(),
            staff_id: self.staff_id,
            staff_changes: self.staff_changes,
            families: self.facts().families.clone(),
        }
    }

    /// Called once a transaction that checked `checked` has committed.
    pub fn confirmed(&self, checked: &SignInFacts) {
        let mut facts = self.facts();
        // The list only grows, so what was checked is its first entries.
        let upto = checked.families.len().min(facts.families.len());
        facts.confirmed = Some(facts.confirmed.unwrap_or(0).max(upto));
    }

    /// Whether everything relied on so far has been confirmed.
    pub fn is_confirmed(&self) -> bool {
        let facts = self.facts();
        facts.confirmed == Some(facts.families.len())
    }
}

/// Two audit entries carry the same sign-in only if they carry the very same one.
impl PartialEq for ProvisionalSignIn {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for ProvisionalSignIn {}

/// Shows which account, never the session's token hash.
impl std::fmt::Debug for ProvisionalSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvisionalSignIn")
            .field("staff_id", &self.staff_id)
            .field("staff_changes", &self.staff_changes)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SignInFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInFacts")
            .field("staff_id", &self.staff_id)
            .field("staff_changes", &self.staff_changes)
            .field("families", &self.families)
            .finish_non_exhaustive()
    }
}

/// The statement that checks a session and its account's change count: a row if they hold.
pub(crate) const SESSION_STANDS: &str =
    "SELECT 1 FROM sessions s JOIN staff st ON st.id = s.staff_id \
     WHERE s.token_hash = $1 AND s.staff_id = $2 AND st.changes = $3";

/// The statement that checks a family's change count: a row if it holds.
pub(crate) const FAMILY_STANDS: &str = "SELECT 1 FROM families WHERE id = $1 AND changes = $2";

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_sign_in_is_confirmed_only_once_every_fact_relied_on_has_been() {
        let sign_in = ProvisionalSignIn::new("hash", StaffId(Uuid::nil()), 3);
        assert!(
            !sign_in.is_confirmed(),
            "not even the session is confirmed yet"
        );
        let family = FamilyId(Uuid::from_u128(1));
        sign_in.rely_on_family(family, 7);
        let checked = sign_in.facts_so_far();
        assert_eq!(checked.families, vec![(family, 7)]);
        // Relied on after the check was taken: not covered by it.
        sign_in.rely_on_family(FamilyId(Uuid::from_u128(2)), 1);
        sign_in.confirmed(&checked);
        assert!(!sign_in.is_confirmed());
        sign_in.confirmed(&sign_in.facts_so_far());
        assert!(sign_in.is_confirmed());
        // An older check confirming later does not undo a newer one.
        sign_in.confirmed(&checked);
        assert!(sign_in.is_confirmed());
    }

    #[test]
    fn its_debug_text_never_shows_the_session() {
        let sign_in = ProvisionalSignIn::new("secret-hash", StaffId(Uuid::nil()), 0);
        assert!(!format!("{sign_in:?}").contains("secret-hash"));
        assert!(!format!("{:?}", sign_in.facts_so_far()).contains("secret-hash"));
    }
}
