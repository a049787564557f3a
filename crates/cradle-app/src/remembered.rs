//! Sign-ins and family stamps a server remembers between requests, so that a page or API
//! read need not look its session up before it starts.
//!
//! Nothing here is trusted on its own. A read served on a remembered sign-in carries a
//! [`ProvisionalSignIn`]; the transaction that writes its audit record first checks against
//! the database that the session still exists and that the account and every family it
//! relied on still have the change counts remembered (see `cradle-store`'s
//! `provisional.rs`). Where they do not, or where the request made no audit record, nothing
//! is answered until the request has been served again on a sign-in looked up afresh (the
//! web layer's `sign_in_and_csrf`). A sign-in is remembered only for the minute after its
//! session was last recorded as seen, so the idle limit is kept exactly as before.

use crate::access::FamilyLookup;
use crate::auth::SignedIn;
use crate::{Actor, Cradle};
use cradle_domain::{FamilyId, TeamId};
use cradle_store::{Bounded, ProvisionalSignIn, SignedInRecord};
use std::sync::Arc;

/// How long after a session was last recorded as seen it is recorded again (a write): a
/// minute's precision is plenty for a 30-minute idle limit. A remembered sign-in is used
/// only within this time, so every recording is made by a lookup of the session itself.
pub(crate) const SEEN_EVERY_MILLIS: i64 = 60_000;

/// The sign-ins (by token hash) and family stamps one server remembers.
#[derive(Clone)]
pub(crate) struct Remembered {
    sign_ins: Arc<Bounded<[u8; 32], Arc<SignedInRecord>>>,
    stamps: Arc<Bounded<FamilyId, (TeamId, i64)>>,
}

impl Default for Remembered {
    fn default() -> Self {
        Self {
            sign_ins: Arc::new(Bounded::new(10_000)),
            stamps: Arc::new(Bounded::new(100_000)),
        }
    }
}

/// The map's key for a session: the token hash's bytes (a hex SHA-256), or `None` for any
/// other text, which is then never remembered.
fn key(token_hash: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(token_hash, &mut key).ok()?;
    Some(key)
}

impl Remembered {
    pub fn keep_sign_in(&self, record: SignedInRecord) {
        if let Some(key) = key(&record.session.token_hash) {
            self.sign_ins.put(key, Arc::new(record));
        }
    }

    pub fn forget_sign_in(&self, token_hash: &str) {
        if let Some(key) = key(token_hash) {
            self.sign_ins.remove(&key);
        }
    }

    pub fn keep_stamp(&self, family: FamilyId, stamp: (TeamId, i64)) {
        // Change counts only rise: an older count never replaces a newer one.
        self.stamps
            .put_unless(family, stamp, |(_, held)| *held > stamp.1);
    }

    pub fn stamp(&self, family: FamilyId) -> Option<(TeamId, i64)> {
        self.stamps.get(&family)
    }

    fn sign_in(&self, token_hash: &str) -> Option<Arc<SignedInRecord>> {
        self.sign_ins.get(&key(token_hash)?)
    }
}

impl Cradle {
    /// The sign-in remembered for this session, if it may be served on now: seen within the
    /// last minute, neither idle nor too old, its account not disabled when last looked up.
    /// Its facts are still to be confirmed (see the module's comment).
    pub(crate) fn remembered_sign_in(
        &self,
        token_hash: &str,
        address: &str,
        family: Option<FamilyId>,
    ) -> Option<SignedIn> {
        let record = self.remembered.sign_in(token_hash)?;
        let session = &record.session;
        let now = self.now();
        let since_seen = now - session.last_seen_at_millis;
        if !(0..=SEEN_EVERY_MILLIS).contains(&since_seen)
            || since_seen > self.settings.idle_timeout_millis
            || now - session.created_at_millis > self.settings.absolute_timeout_millis
            || record.staff.disabled
        {
            return None;
        }
        let mut actor = Actor::staff(&record.staff, format!("http {address}"));
        actor.provisional = Some(Arc::new(ProvisionalSignIn::new(
            token_hash,
            record.staff.id,
            record.staff_changes,
        )));
        Some(SignedIn {
            actor,
            csrf_token: session.csrf_token.clone(),
            token_hash: token_hash.to_string(),
            family: family.and_then(|family| {
                self.remembered.stamp(family).map(|stamp| FamilyLookup {
                    family,
                    stamp: Some(stamp),
                })
            }),
        })
    }

    /// Checks now whether what a request served on a remembered sign-in relied on still
    /// holds, for a request that made no audit record to check it with.
    pub async fn confirm_sign_in(&self, sign_in: &ProvisionalSignIn) -> bool {
        match self.store.confirm_sign_in(sign_in).await {
            Ok(holds) => holds,
            Err(error) => {
                tracing::warn!(%error, "a remembered sign-in could not be confirmed");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_token_hash_is_a_key() {
        let hash = "ab".repeat(32);
        assert_eq!(key(&hash), Some([0xab; 32]));
        assert_eq!(key("abc"), None);
        assert_eq!(key(&"zz".repeat(32)), None);
    }
}
