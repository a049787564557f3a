//! Copies of what families' records show, held in memory and labelled with the family's
//! change count (`families.changes`, raised by triggers in the same transaction as any change
//! to the family, its babies, people, relationships, restrictions or entries).
//!
//! A read first reads the family's change count from the database, then uses a copy only if
//! it carries that same count; otherwise it loads the record and keeps the copy under the
//! count it read *before* loading. Counts only rise, so a copy is never shown for a record
//! that has changed since, whichever server (or command line) made the change. Access checks
//! and audit records are made for every read exactly as without the copies.

use cradle_domain::FamilyId;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

/// A map of at most `capacity` entries, shared between threads; when full, an arbitrary
/// entry makes way for a new one. What is held in memory is bounded whatever the load.
pub struct Bounded<K, V> {
    map: Mutex<HashMap<K, V>>,
    capacity: usize,
}

impl<K: Eq + Hash + Copy, V: Clone> Bounded<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::with_capacity(capacity.min(4_096))),
            capacity,
        }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<K, V>> {
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.map().get(key).cloned()
    }

    /// Keeps `value` under `key`, unless `keep_held` says the value already held is to stay.
    pub fn put_unless(&self, key: K, value: V, keep_held: impl FnOnce(&V) -> bool) {
        let mut map = self.map();
        match map.get(&key) {
            Some(held) if keep_held(held) => {}
            Some(_) => {
                map.insert(key, value);
            }
            None => {
                if map.len() >= self.capacity {
                    if let Some(evicted) = map.keys().next().copied() {
                        map.remove(&evicted);
                    }
                }
                map.insert(key, value);
            }
        }
    }

    pub fn put(&self, key: K, value: V) {
        self.put_unless(key, value, |_| false);
    }

    pub fn remove(&self, key: &K) {
        self.map().remove(key);
    }
}

/// Family copies, up to a fixed number; when full, an arbitrary copy makes way. Whatever is
/// made from a family's record (the record itself, a caseload row, the API's serialised
/// read) is held the same way, under the change count read before the record was.
pub struct Copies<T>(Bounded<FamilyId, (i64, Arc<T>)>);

impl<T> Copies<T> {
    pub fn new(capacity: usize) -> Self {
        Self(Bounded::new(capacity))
    }

    /// The copy of the family's record at exactly `changes`, if one is held.
    pub fn get(&self, id: FamilyId, changes: i64) -> Option<Arc<T>> {
        match self.0.map().get(&id) {
            Some((held, value)) if *held == changes => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Keeps a copy made after reading the count `changes`.
    pub fn put(&self, id: FamilyId, changes: i64, value: Arc<T>) {
        // Never replace a copy with an older one (two loads racing).
        self.0
            .put_unless(id, (changes, value), |(held, _)| *held > changes);
    }
}

/// The copies one store keeps: whole records (family page, API read) and caseload rows.
pub(crate) struct FamilyCopies {
    pub records: Copies<cradle_domain::network::FamilyRecord>,
    pub summaries: Copies<cradle_domain::FamilySummary>,
}

impl FamilyCopies {
    pub fn new() -> Self {
        Self {
            records: Copies::new(10_000),
            summaries: Copies::new(50_000),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_used_only_at_the_count_it_was_made_at() {
        let copies = Copies::new(2);
        let family = FamilyId::new();
        copies.put(family, 3, Arc::new("at 3"));
        assert_eq!(copies.get(family, 3).as_deref(), Some(&"at 3"));
        assert_eq!(
            copies.get(family, 4),
            None,
            "a changed record is loaded again"
        );
        copies.put(family, 5, Arc::new("at 5"));
        copies.put(family, 4, Arc::new("at 4"));
        assert_eq!(
            copies.get(family, 5).as_deref(),
            Some(&"at 5"),
            "an older load never replaces a newer copy"
        );
    }

    #[test]
    fn copies_are_bounded() {
        let copies = Copies::new(3);
        let families: Vec<FamilyId> = (0..10).map(|_| FamilyId::new()).collect();
        for family in &families {
            copies.put(*family, 1, Arc::new(()));
        }
        let held = families
            .iter()
            .filter(|f| copies.get(**f, 1).is_some())
            .count();
        assert_eq!(held, 3);
    }
}
