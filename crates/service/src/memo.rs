//! Results computed once and reused while their inputs stay the same: a year's overlap
//! candidates (from its lines' texts) and a year's classifier (from its rule version and the
//! lines already classified). Each entry carries a fingerprint of everything it was computed
//! from, so a changed line or a new classification is never served a stale result.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use haibun_domain::classify::Classifier;
use haibun_domain::review::overlap::Similar;
use haibun_domain::{Compilation, Policy};

/// The fingerprint of a computation's inputs.
pub(crate) fn fingerprint(inputs: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    inputs.hash(&mut h);
    h.finish()
}

/// One result with the fingerprint of its inputs.
type Entry<T> = (u64, Arc<T>);

/// Results by key (a year, or a year and a rule version).
type Entries<K, T> = Mutex<HashMap<K, Entry<T>>>;

#[derive(Default)]
pub(crate) struct Memo {
    overlaps: Entries<i64, Vec<Similar>>,
    classifiers: Entries<(i64, Option<String>), Classifier>,
    /// A year's parsed policy, at a data version.
    policies: Entries<i64, Policy>,
    /// A year's compilation of the requests as they stand, for a reading scope, at a data version.
    compilations: Entries<(i64, Option<String>), Compilation>,
    /// The same compilations as JSON, as the API sends them.
    compilation_json: Entries<(i64, Option<String>), Vec<u8>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").finish_non_exhaustive()
    }
}

/// The entry under `key` if its fingerprint is `print`, else `compute`d and kept. The lock is
/// not held while computing; two callers racing both compute, and the last one's is kept.
fn get_or<K: Eq + Hash + Clone, T>(map: &Entries<K, T>, key: &K, print: u64, compute: impl FnOnce() -> T) -> Arc<T> {
    let lock = || map.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((p, v)) = lock().get(key)
        && *p == print
    {
        return Arc::clone(v);
    }
    let v = Arc::new(compute());
    lock().insert(key.clone(), (print, Arc::clone(&v)));
    v
}

/// The entry under `key` if its fingerprint is `print`.
fn cached<K: Eq + Hash, T>(map: &Entries<K, T>, key: &K, print: u64) -> Option<Arc<T>> {
    let lock = map.lock().unwrap_or_else(PoisonError::into_inner);
    lock.get(key).filter(|(p, _)| *p == print).map(|(_, v)| Arc::clone(v))
}

/// Keeps `value` under `key` with its fingerprint, replacing what was there.
fn keep<K: Eq + Hash, T>(map: &Entries<K, T>, key: K, print: u64, value: T) -> Arc<T> {
    let v = Arc::new(value);
    map.lock().unwrap_or_else(PoisonError::into_inner).insert(key, (print, Arc::clone(&v)));
    v
}

impl Memo {
    /// A year's policy parsed at data version `version`, if kept.
    pub(crate) fn policy(&self, year: i64, version: i64) -> Option<Arc<Policy>> {
        cached(&self.policies, &year, version as u64)
    }

    /// Keeps a year's policy parsed at data version `version`.
    pub(crate) fn keep_policy(&self, year: i64, version: i64, policy: Policy) -> Arc<Policy> {
        keep(&self.policies, year, version as u64, policy)
    }

    /// A year's compilation for a scope at data version `version`, if kept.
    pub(crate) fn compilation(&self, year: i64, scope: Option<&str>, version: i64) -> Option<Arc<Compilation>> {
        cached(&self.compilations, &(year, scope.map(str::to_string)), version as u64)
    }

    /// A year's compilation for a scope at data version `version` as JSON, if kept.
    pub(crate) fn compilation_json(&self, year: i64, scope: Option<&str>, version: i64) -> Option<Arc<Vec<u8>>> {
        cached(&self.compilation_json, &(year, scope.map(str::to_string)), version as u64)
    }

    /// Keeps a year's compilation as JSON for a scope at data version `version`.
    pub(crate) fn keep_compilation_json(
        &self,
        year: i64,
        scope: Option<&str>,
        version: i64,
        json: Vec<u8>,
    ) -> Arc<Vec<u8>> {
        keep(&self.compilation_json, (year, scope.map(str::to_string)), version as u64, json)
    }

    /// Keeps a year's compilation for a scope at data version `version`.
    pub(crate) fn keep_compilation(
        &self,
        year: i64,
        scope: Option<&str>,
        version: i64,
        c: Compilation,
    ) -> Arc<Compilation> {
        keep(&self.compilations, (year, scope.map(str::to_string)), version as u64, c)
    }

    /// A year's overlap candidates for inputs of fingerprint `print`.
    pub(crate) fn overlaps(&self, year: i64, print: u64, compute: impl FnOnce() -> Vec<Similar>) -> Arc<Vec<Similar>> {
        get_or(&self.overlaps, &year, print, compute)
    }

    /// A year's classifier under a rule version, for examples of fingerprint `print`.
    pub(crate) fn classifier(
        &self,
        year: i64,
        rules: Option<&str>,
        print: u64,
        compute: impl FnOnce() -> Classifier,
    ) -> Arc<Classifier> {
        get_or(&self.classifiers, &(year, rules.map(str::to_string)), print, compute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_reused_until_its_inputs_change() {
        let memo = Memo::default();
        let mut runs = 0;
        let mut get = |texts: &[&str]| {
            memo.overlaps(2023, fingerprint(texts), || {
                runs += 1;
                Vec::new()
            });
        };
        get(&["a", "b"]);
        get(&["a", "b"]);
        get(&["a", "c"]);
        get(&["a", "c"]);
        assert_eq!(runs, 2);
    }
}
