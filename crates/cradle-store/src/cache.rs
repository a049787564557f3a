//! Copies of what families' records show, held in memory and labelled with the record's
//! stamp: the family's change count (`families.changes`, raised by triggers in the same
//! transaction as any change to the family, its babies, people, relationships, restrictions
//! or entries) plus its team's settings count (`teams.settings_changes`, raised by every
//! change to a team setting the record shows). Both only rise, so the stamp does too.
//!
//! A read first reads the stamp from the database, then uses a copy only if it carries that
//! same stamp; otherwise it loads the record and keeps the copy under the stamp it read
//! *before* loading. A copy is never shown for a record that has changed since, whichever
//! server (or command line) made the change. Access checks and audit records are made for
//! every read exactly as without the copies.

use cradle_domain::FamilyId;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

/// A map of at most `capacity` entries, shared between threads; when full, an arbitrary
/// entry makes way for a new one. What is held in memory is bounded whatever the load.
pub(crate) struct Bounded<K, V> {
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
        lock_map(&self.map)
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
}

/// Family copies, up to a fixed number; when full, an arbitrary copy makes way. Whatever is
/// made from a family's record (the record itself, a caseload row, the API's serialised
/// read) is held the same way, under the change count read before the record was.
///
/// Held by family (`K` is the family's id), or by the family and what was read of it.
pub struct Copies<T, K = FamilyId> {
    held: Bounded<K, (i64, Arc<T>)>,
    /// One turn per family being loaded, so that requests arriving together for a record not
    /// yet held (after a restart, or a change) wait for one load instead of each making it.
    loading: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

impl<T, K: Eq + Hash + Copy> Copies<T, K> {
    pub fn new(capacity: usize) -> Self {
        Self {
            held: Bounded::new(capacity),
            loading: Mutex::new(HashMap::new()),
        }
    }

    /// The copy of the family's record at exactly `changes`, if one is held.
    pub fn get(&self, id: K, changes: i64) -> Option<Arc<T>> {
        match self.held.map().get(&id) {
            Some((held, value)) if *held == changes => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Keeps a copy made after reading the count `changes`.
    pub fn put(&self, id: K, changes: i64, value: Arc<T>) {
        // Never replace a copy with an older one (two loads racing).
        self.held
            .put_unless(id, (changes, value), |(held, _)| *held > changes);
    }

    /// The copy at `changes`, loaded by `load` if none is held. Requests for the same family
    /// take turns to load, and each looks again once its turn comes, so those that arrive
    /// together share the first one's load. `None` from `load` (no such family) is not kept.
    pub async fn get_or_load<E>(
        &self,
        id: K,
        changes: i64,
        load: impl std::future::Future<Output = Result<Option<T>, E>>,
    ) -> Result<Option<Arc<T>>, E> {
        if let Some(held) = self.get(id, changes) {
            return Ok(Some(held));
        }
        let turn = LoadingTurn::take(&self.loading, id);
        let _mine = turn.lock.lock().await;
        if let Some(held) = self.get(id, changes) {
            return Ok(Some(held));
        }
        let Some(loaded) = load.await? else {
            return Ok(None);
        };
        let loaded = Arc::new(loaded);
        self.put(id, changes, Arc::clone(&loaded));
        Ok(Some(loaded))
    }
}

/// A request's place among those loading one family; the family's entry goes when the
/// last of them is done (or gave up: a request dropped while waiting cleans up the same way).
struct LoadingTurn<'a, K: Eq + Hash + Copy> {
    loading: &'a Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
    id: K,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'a, K: Eq + Hash + Copy> LoadingTurn<'a, K> {
    fn take(loading: &'a Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>, id: K) -> Self {
        let lock = Arc::clone(
            lock_map(loading)
                .entry(id)
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(()))),
        );
        Self { loading, id, lock }
    }
}

impl<K: Eq + Hash + Copy> Drop for LoadingTurn<'_, K> {
    fn drop(&mut self) {
        let mut loading = lock_map(self.loading);
        // Turns are taken and given up only under the map's lock, so the count is exact:
        // the map's reference and this one mean nobody else is waiting.
        if Arc::strong_count(&self.lock) == 2 {
            loading.remove(&self.id);
        }
    }
}

fn lock_map<K, V>(map: &Mutex<HashMap<K, V>>) -> MutexGuard<'_, HashMap<K, V>> {
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The copies one store keeps: records, by the sections read (the whole record for the
/// family page and the API read, the core and one section for a form), and caseload rows.
pub(crate) struct FamilyCopies {
    pub records: Copies<cradle_domain::network::FamilyRecord, (FamilyId, crate::Sections)>,
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

    #[tokio::test]
    async fn requests_arriving_together_share_one_load() {
        let copies = Arc::new(Copies::new(10));
        let family = FamilyId::new();
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (release, released) = tokio::sync::watch::channel(false);
        let mut readers = Vec::new();
        for _ in 0..8 {
            let (copies, loads, mut released) =
                (Arc::clone(&copies), Arc::clone(&loads), released.clone());
            readers.push(tokio::spawn(async move {
                copies
                    .get_or_load(family, 7, async {
                        loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        // Held until every reader has asked, so they all arrive mid-load.
                        released.wait_for(|go| *go).await.ok();
                        Ok::<_, ()>(Some("at 7"))
                    })
                    .await
            }));
        }
        let waiting = || {
            let loading = copies.loading.lock().unwrap();
            loading.get(&family).map(Arc::strong_count)
        };
        let all_waiting = async {
            while waiting() != Some(9) {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), all_waiting)
            .await
            .expect("every reader takes a turn on the family's load");
        release.send(true).unwrap();
        for reader in readers {
            assert_eq!(reader.await.unwrap().unwrap().as_deref(), Some(&"at 7"));
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(
            copies.loading.lock().unwrap().is_empty(),
            "nothing is left behind once the loads are done"
        );
        let missing = copies
            .get_or_load(FamilyId::new(), 1, async { Ok::<_, ()>(None) })
            .await;
        assert_eq!(missing, Ok(None));
        assert!(copies.loading.lock().unwrap().is_empty());
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
