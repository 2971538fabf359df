//! The bounds on document work (issue 11, finding 5): documents render after the database
//! connection is back in the pool, at most about one per core at a time; each caller may ask
//! for so many a minute (429 with `Retry-After` beyond it); and a document that can never
//! change — of a final evaluation, whose results are immutable, for the same viewer and day —
//! is rendered once and served from memory after.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::domain::documents::Document;
use crate::domain::{Error, Principal, Result};

/// Rendered documents kept in memory, by key.
const CACHED_DOCUMENTS: usize = 256;
/// A document larger than this is not kept (a zip of every letter, say).
const LARGEST_CACHED: usize = 8 << 20;

/// Rate, concurrency and cache of the document routes of one application.
pub struct DocumentGate {
    per_caller: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
    renders: tokio::sync::Semaphore,
    cache: Mutex<lru::LruCache<String, Arc<Document>>>,
}

impl std::fmt::Debug for DocumentGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentGate")
            .field("limited", &self.per_caller.is_some())
            .field("renders", &self.renders.available_permits())
            .finish()
    }
}

impl DocumentGate {
    /// A gate admitting `per_minute` documents a minute per caller (0: no limit), with a
    /// burst of half of that (at least 10), rendering at most `renders` at once.
    pub fn new(per_minute: u32, renders: usize) -> DocumentGate {
        let per_caller = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new((per_minute / 2).max(10)).unwrap_or(rate);
            DefaultKeyedRateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        DocumentGate {
            per_caller,
            clock: DefaultClock::default(),
            renders: tokio::sync::Semaphore::new(renders.max(1)),
            cache: Mutex::new(lru::LruCache::new(
                std::num::NonZeroUsize::new(CACHED_DOCUMENTS)
                    .unwrap_or(std::num::NonZeroUsize::MIN),
            )),
        }
    }

    /// Counts a document request of the caller: 429 `too_many_requests` with the seconds to
    /// wait when it is beyond the caller's share.
    pub fn admit(&self, principal: &Principal) -> Result<()> {
        let Some(limiter) = &self.per_caller else {
            return Ok(());
        };
        match limiter.check_key(&principal.actor()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                tracing::warn!(caller = %principal.actor(), wait_ms = wait.as_millis() as u64, "文件请求过于频繁 / document requests over the rate");
                Err(Error::too_many_requests(whole_seconds(wait)))
            }
        }
    }

    /// Renders a document off the async runtime, holding one of the bounded render permits;
    /// with a key, a document rendered before under that key is served instead, and this one
    /// kept for the next caller.
    pub async fn render<F>(&self, key: Option<String>, render: F) -> Result<Document>
    where
        F: FnOnce() -> Result<Document> + Send + 'static,
    {
        if let Some(kept) = key.as_deref().and_then(|k| self.kept(k)) {
            return Ok(kept);
        }
        // The semaphore is never closed; were it, the render would run unbounded, not fail.
        let _permit = self.renders.acquire().await.ok();
        if let Some(kept) = key.as_deref().and_then(|k| self.kept(k)) {
            return Ok(kept);
        }
        let (request, span) = (
            crate::observe::current_request_id(),
            tracing::Span::current(),
        );
        let document =
            actix_web::web::block(move || crate::observe::in_request(request, &span, render))
                .await
                .map_err(Error::internal)??;
        if let Some(key) = key
            && document.bytes.len() <= LARGEST_CACHED
        {
            self.cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(key, Arc::new(document.clone()));
        }
        Ok(document)
    }

    fn kept(&self, key: &str) -> Option<Document> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map(|d| Document::clone(d))
    }

    /// Documents kept in memory.
    pub fn cached(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Whole seconds, rounded up, at least 1 (what `Retry-After` says).
fn whole_seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> Principal {
        Principal::User {
            id: id.into(),
            username: id.into(),
            role: crate::domain::Role::Analyst,
            body_id: None,
        }
    }

    #[test]
    fn a_caller_beyond_its_burst_waits_and_another_does_not() {
        let gate = DocumentGate::new(60, 2);
        for _ in 0..30 {
            gate.admit(&user("a")).expect("within the burst");
        }
        let refused = gate.admit(&user("a")).expect_err("beyond the burst");
        assert_eq!(refused.code, crate::domain::ErrorCode::TooManyRequests);
        assert!(matches!(refused.retry_after, Some(1..=2)), "{refused:?}");
        gate.admit(&user("b"))
            .expect("another caller has its own share");
    }

    #[test]
    fn no_limit_when_the_rate_is_zero() {
        let gate = DocumentGate::new(0, 1);
        for _ in 0..1000 {
            gate.admit(&user("a")).expect("unlimited");
        }
    }

    #[actix_web::test]
    async fn a_keyed_document_is_rendered_once() {
        let gate = DocumentGate::new(0, 1);
        let renders = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..3 {
            let counted = renders.clone();
            let document = gate
                .render(Some("final:letter".into()), move || {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Ok(Document {
                        bytes: b"%PDF".to_vec(),
                        file_name: "告知书.pdf".into(),
                        ascii_name: "letter.pdf".into(),
                    })
                })
                .await
                .expect("rendered");
            assert_eq!(document.bytes, b"%PDF");
        }
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(gate.cached(), 1);
    }
}
