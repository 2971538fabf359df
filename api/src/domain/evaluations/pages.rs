//! Pages of the rankings of finished evaluations, kept in memory.
//!
//! An evaluation's rows are written once, in the transaction that finishes its run
//! (`run::finish`), and never changed after: publishing, finalising and superseding change the
//! evaluation, not its rows. So a page of a finished evaluation's ranking — a filter, an offset
//! and a length — read once is the same page for ever, and the rankings read most (analysts in
//! the console, external systems after publication) are served without counting and sorting
//! the rows again. Who may see the page, and which warning levels it shows, is still decided
//! per request ([`super::results`]); only staff, who see every evaluation and every level, are
//! answered from here without the database ([`super::kept_results_for_staff`]).

use std::sync::{Arc, Mutex, PoisonError};

use crate::db::models::evaluation::{ResultFilter, ResultRow};
use crate::domain::states::EvaluationStatus;

/// What a page is: an evaluation, its filter, where it starts and how long it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    evaluation: String,
    category: Option<String>,
    province: Option<String>,
    grade: Option<String>,
    warning_level: Option<i32>,
    borderline: Option<bool>,
    body_id: Option<String>,
    offset: i64,
    limit: i64,
}

impl PageKey {
    /// The key of a page of an evaluation's ranking.
    pub fn new(evaluation: &str, filter: &ResultFilter, offset: i64, limit: i64) -> PageKey {
        PageKey {
            evaluation: evaluation.to_string(),
            category: filter.category.clone(),
            province: filter.province.clone(),
            grade: filter.grade.clone(),
            warning_level: filter.warning_level,
            borderline: filter.borderline,
            body_id: filter.body_id.clone(),
            offset,
            limit,
        }
    }
}

/// A page's rows as stored (warning levels as triggered) and the filter's total.
#[derive(Debug)]
pub struct StoredPage {
    /// The rows, in rank order, without their stored results.
    pub rows: Vec<ResultRow>,
    /// How many rows the filter matches in all.
    pub total: i64,
}

/// The kept pages, least recently read evicted first once they hold too many rows.
pub struct RankingPages {
    kept: Mutex<Kept>,
}

struct Kept {
    pages: lru::LruCache<PageKey, Arc<StoredPage>>,
    rows: usize,
}

impl std::fmt::Debug for RankingPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RankingPages").finish_non_exhaustive()
    }
}

impl Default for RankingPages {
    fn default() -> Self {
        RankingPages::new()
    }
}

impl RankingPages {
    /// Rows kept at most, over all pages: a row without its result is a few hundred bytes,
    /// so this bounds the cache to a few tens of megabytes.
    pub const MAX_ROWS: usize = 100_000;

    /// No page kept yet.
    pub fn new() -> RankingPages {
        RankingPages {
            kept: Mutex::new(Kept {
                pages: lru::LruCache::unbounded(),
                rows: 0,
            }),
        }
    }

    /// Whether pages of an evaluation in this state may be kept: its run has finished, so its
    /// rows are all there and settled (a running one has none yet, a failed one none at all).
    pub fn keeps(status: EvaluationStatus) -> bool {
        !matches!(status, EvaluationStatus::Running | EvaluationStatus::Failed)
    }

    /// The kept page with this key.
    pub fn get(&self, key: &PageKey) -> Option<Arc<StoredPage>> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pages
            .get(key)
            .cloned()
    }

    /// Keeps a page of a finished evaluation (see [`RankingPages::keeps`]).
    pub fn put(&self, key: PageKey, page: Arc<StoredPage>) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.rows += page.rows.len();
        if let Some(old) = kept.pages.put(key, page) {
            kept.rows -= old.rows.len();
        }
        while kept.rows > Self::MAX_ROWS {
            match kept.pages.pop_lru() {
                Some((_, old)) => kept.rows -= old.rows.len(),
                None => break,
            }
        }
    }

    /// How many rows the kept pages hold.
    pub fn rows_kept(&self) -> usize {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: i32) -> ResultRow {
        ResultRow {
            evaluation_id: "e".into(),
            body_id: format!("b{n}"),
            position: n,
            approval_no: String::new(),
            name: String::new(),
            category: String::new(),
            province: String::new(),
            submitted: 1,
            total: None,
            grade: None,
            rank: None,
            category_rank: None,
            warning_level: 0,
            borderline: 0,
            result: String::new(),
        }
    }

    fn page(rows: i32) -> Arc<StoredPage> {
        Arc::new(StoredPage {
            rows: (0..rows).map(row).collect(),
            total: i64::from(rows),
        })
    }

    #[test]
    fn only_finished_evaluations_are_kept() {
        for finished in [
            EvaluationStatus::Draft,
            EvaluationStatus::PublicNotice,
            EvaluationStatus::Final,
            EvaluationStatus::Superseded,
        ] {
            assert!(RankingPages::keeps(finished), "{finished:?}");
        }
        assert!(!RankingPages::keeps(EvaluationStatus::Running));
        assert!(!RankingPages::keeps(EvaluationStatus::Failed));
    }

    #[test]
    fn a_page_is_found_by_its_evaluation_filter_and_window() {
        let pages = RankingPages::new();
        let filter = ResultFilter {
            grade: Some("A".into()),
            ..ResultFilter::default()
        };
        pages.put(PageKey::new("e", &filter, 0, 50), page(3));
        assert_eq!(
            pages
                .get(&PageKey::new("e", &filter, 0, 50))
                .map(|p| p.total),
            Some(3)
        );
        assert!(pages.get(&PageKey::new("e", &filter, 50, 50)).is_none());
        assert!(
            pages
                .get(&PageKey::new("e", &ResultFilter::default(), 0, 50))
                .is_none()
        );
        assert!(pages.get(&PageKey::new("f", &filter, 0, 50)).is_none());
    }

    #[test]
    fn the_least_recently_read_pages_go_once_too_many_rows_are_kept() {
        let pages = RankingPages::new();
        let per_page = 500;
        let fits = RankingPages::MAX_ROWS / per_page as usize;
        for n in 0..=fits {
            pages.put(
                PageKey::new("e", &ResultFilter::default(), n as i64, 500),
                page(per_page),
            );
        }
        assert!(pages.rows_kept() <= RankingPages::MAX_ROWS);
        assert!(
            pages
                .get(&PageKey::new("e", &ResultFilter::default(), 0, 500))
                .is_none(),
            "the oldest page made room"
        );
        assert!(
            pages
                .get(&PageKey::new(
                    "e",
                    &ResultFilter::default(),
                    fits as i64,
                    500
                ))
                .is_some()
        );
    }
}
