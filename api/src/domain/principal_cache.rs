//! The callers this process has recently looked up, so that a burst of requests with one token
//! reads its user (or client) once, not once per request.
//!
//! Every request with a bearer token checks that its subject still exists, is enabled and has
//! the token's version. That lookup was a trip to the blocking pool and two statements per
//! request, a third of the time of a ranking page. A checked subject is kept for
//! [`PrincipalCache::FRESH_FOR`]; anything this process does that ends tokens (disabling,
//! a new password or secret, logging out everywhere) empties the cache at once. Another
//! process changing the same database (a second server, `pubeval user disable`) is seen at the
//! latest after that long.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Principal;
use crate::auth::token::SubjectKind;
use crate::db::models::subjects_generation as generation;

type Key = (SubjectKind, String, i64);

struct Entry {
    principal: Principal,
    checked: Instant,
    generation: u64,
}

/// Recently checked callers by subject and token version.
pub struct PrincipalCache {
    entries: Mutex<lru::LruCache<Key, Entry>>,
}

impl std::fmt::Debug for PrincipalCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrincipalCache").finish_non_exhaustive()
    }
}

impl Default for PrincipalCache {
    fn default() -> Self {
        PrincipalCache::new()
    }
}

impl PrincipalCache {
    /// How long a checked caller is trusted without looking again: the longest another
    /// process's revocation can go unseen here.
    pub const FRESH_FOR: Duration = Duration::from_secs(1);

    /// Callers remembered at most (the least recently seen go first).
    const CAPACITY: usize = 10_000;

    /// An empty cache.
    pub fn new() -> PrincipalCache {
        let capacity = NonZeroUsize::new(Self::CAPACITY).unwrap_or(NonZeroUsize::MIN);
        PrincipalCache {
            entries: Mutex::new(lru::LruCache::new(capacity)),
        }
    }

    /// The caller checked for this subject and token version, if checked recently enough and
    /// nothing has ended tokens since.
    pub fn get(&self, kind: SubjectKind, subject: &str, version: i64) -> Option<Principal> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (kind, subject.to_string(), version);
        let entry = entries.get(&key)?;
        if entry.generation == generation() && entry.checked.elapsed() < Self::FRESH_FOR {
            Some(entry.principal.clone())
        } else {
            entries.pop(&key);
            None
        }
    }

    /// Remembers a caller checked against the database, read in `generation`.
    pub fn put(
        &self,
        kind: SubjectKind,
        subject: &str,
        version: i64,
        generation: u64,
        principal: &Principal,
    ) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.put(
            (kind, subject.to_string(), version),
            Entry {
                principal: principal.clone(),
                checked: Instant::now(),
                generation,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::subjects_changed;
    use crate::domain::principal::Role;

    fn analyst() -> Principal {
        Principal::User {
            id: "u1".into(),
            username: "analyst".into(),
            role: Role::Analyst,
            body_id: None,
        }
    }

    #[test]
    fn a_checked_caller_is_found_under_its_token_version_only() {
        let cache = PrincipalCache::new();
        cache.put(SubjectKind::User, "u1", 3, generation(), &analyst());
        assert_eq!(cache.get(SubjectKind::User, "u1", 3), Some(analyst()));
        assert_eq!(cache.get(SubjectKind::User, "u1", 4), None);
        assert_eq!(cache.get(SubjectKind::Client, "u1", 3), None);
    }

    #[test]
    fn ending_tokens_empties_the_cache_at_once() {
        let cache = PrincipalCache::new();
        cache.put(SubjectKind::User, "u1", 3, generation(), &analyst());
        subjects_changed();
        assert_eq!(cache.get(SubjectKind::User, "u1", 3), None);
    }

    #[test]
    fn a_lookup_overtaken_by_a_change_is_not_trusted() {
        let cache = PrincipalCache::new();
        let started = generation();
        subjects_changed();
        cache.put(SubjectKind::User, "u1", 3, started, &analyst());
        assert_eq!(cache.get(SubjectKind::User, "u1", 3), None);
    }
}
