//! What a viewer sees of stored results: the risk warning beside a result (its `warning` with
//! level and findings, and `warning_level`) only as DESIGN.md §4 allows — staff every warning
//! the rules triggered; the body and `warnings:read` clients only an issued one (a draft, or a
//! draft analysts withdrew, reads as none); a client with `results:read` alone no warning at
//! all, not even the level. The staff's usernames in an evaluation are named by role
//! (`domain::actors`), and so are the summary's warning counts, which count every triggered
//! warning, kept to staff.

use std::collections::HashSet;

use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultRow};
use crate::db::models::warning::WarningRow;
use crate::domain::actors::ActorNames;
use crate::domain::policy::{ResultWarnings, Viewer};
use crate::domain::states::WarningStatus;
use crate::domain::{Ctx, Error, Result, TextEnum};

/// The summary's key holding the count of results per triggered warning level.
const SUMMARY_WARNING_LEVELS: &str = "warning_levels";
/// The summary's key holding the count of reports with open plausibility flags (staff's
/// review work, not a finding about any body).
const SUMMARY_FLAGGED_REPORTS: &str = "flagged_reports";

/// How one viewer sees the warnings beside one evaluation's results.
#[derive(Debug, Clone)]
pub struct WarningLens {
    mode: ResultWarnings,
    /// The bodies whose warning from this evaluation is issued (or later) and visible to the
    /// viewer, when the viewer sees issued warnings only.
    issued: HashSet<String>,
}

impl WarningLens {
    /// The lens of `viewer` on the results of the evaluation with this id.
    pub fn of(conn: &mut DbConn, viewer: &Viewer, evaluation_id: &str) -> Result<WarningLens> {
        let mode = viewer.result_warnings();
        let mut issued = HashSet::new();
        if mode == ResultWarnings::Issued {
            for (body_id, status) in
                WarningRow::published_bodies_of_evaluation(conn, evaluation_id)?
            {
                if viewer.sees_warning(&body_id, WarningStatus::parse_stored(&status)?) {
                    issued.insert(body_id);
                }
            }
        }
        Ok(WarningLens { mode, issued })
    }

    /// What decides the warnings this lens shows, as text for a cache key: the mode, and for
    /// issued-only readers which bodies' warnings are issued (two readers with equal
    /// fingerprints see the same warnings).
    pub fn fingerprint(&self) -> String {
        match self.mode {
            ResultWarnings::All => "all".into(),
            ResultWarnings::None => "none".into(),
            ResultWarnings::Issued => {
                use sha2::{Digest, Sha256};
                let mut issued: Vec<&String> = self.issued.iter().collect();
                issued.sort();
                let mut hash = Sha256::new();
                for body in issued {
                    hash.update(body.as_bytes());
                    hash.update([0]);
                }
                format!("issued-{}", hex::encode(hash.finalize()))
            }
        }
    }

    /// Whether the results carry a warning level at all (`false`: the field is left out).
    pub fn levels_shown(&self) -> bool {
        self.mode != ResultWarnings::None
    }

    /// The warning level of a row as the viewer sees it: the triggered level for staff, the
    /// issued one (0 when none is issued) for the body and `warnings:read` clients, `None`
    /// for anyone else.
    pub fn level(&self, row: &ResultRow) -> Option<i32> {
        match self.mode {
            ResultWarnings::All => Some(row.warning_level),
            ResultWarnings::Issued if self.issued.contains(&row.body_id) => Some(row.warning_level),
            ResultWarnings::Issued => Some(0),
            ResultWarnings::None => None,
        }
    }

    /// The row as the viewer sees it: a warning not shown is gone from its `warning_level`
    /// (0) and from its stored result (`warning` removed), so that whoever reads the row —
    /// the API, the console, a document — cannot show it by mistake.
    pub fn apply(&self, mut row: ResultRow) -> Result<ResultRow> {
        let shown = self.level(&row).unwrap_or(0);
        if shown != row.warning_level {
            row.warning_level = shown;
            row.result = without_warning(&row.result)?;
        }
        Ok(row)
    }

    /// One body's result as the API answers it: the stored result (as `pubeval score` prints
    /// it) with its evaluation, province, warning level and borderline flag; the `warning`
    /// and `warning_level` only when the viewer sees them.
    pub fn result_document(&self, row: ResultRow) -> Result<serde_json::Value> {
        let level = self.level(&row);
        let row = self.apply(row)?;
        let mut value: serde_json::Value =
            serde_json::from_str(&row.result).map_err(Error::internal)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("evaluation_id".into(), row.evaluation_id.clone().into());
            obj.insert("province".into(), row.province.clone().into());
            match level {
                Some(level) => {
                    obj.insert("warning_level".into(), level.into());
                    obj.entry("warning").or_insert(serde_json::Value::Null);
                }
                None => {
                    obj.remove("warning");
                }
            }
            obj.insert("borderline".into(), (row.borderline != 0).into());
        }
        Ok(value)
    }
}

/// A stored result without its `warning`.
fn without_warning(result: &str) -> Result<String> {
    let mut value: serde_json::Value = serde_json::from_str(result).map_err(Error::internal)?;
    if let Some(obj) = value.as_object_mut() {
        obj.remove("warning");
    }
    Ok(value.to_string())
}

/// An evaluation as the caller may see it: for anyone but staff, who started it is named by
/// role (国家认监委) and the summary has no counts of triggered warnings nor of flagged
/// reports.
pub(super) fn evaluation_seen(
    conn: &mut DbConn,
    ctx: &Ctx,
    names: &mut ActorNames,
    mut e: Evaluation,
) -> Result<Evaluation> {
    e.created_by = names.name(conn, &e.created_by)?;
    if !ctx.viewer().is_staff()
        && let Some(summary) = e.summary.as_deref()
        && let Ok(mut value) = serde_json::from_str::<serde_json::Value>(summary)
        && let Some(obj) = value.as_object_mut()
        && (obj.remove(SUMMARY_WARNING_LEVELS).is_some()
            | obj.remove(SUMMARY_FLAGGED_REPORTS).is_some())
    {
        e.summary = Some(value.to_string());
    }
    Ok(e)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(body: &str, level: i32) -> ResultRow {
        let warning = if level > 0 {
            format!("{{\"level\":{level},\"findings\":[]}}")
        } else {
            "null".to_string()
        };
        ResultRow {
            evaluation_id: "e".into(),
            body_id: body.into(),
            position: 0,
            approval_no: "CNCA-R-2018-001".into(),
            name: "n".into(),
            category: "management_system".into(),
            province: "北京".into(),
            submitted: 1,
            total: Some(80.0),
            grade: Some("B".into()),
            rank: Some(1),
            category_rank: Some(1),
            warning_level: level,
            borderline: 0,
            result: format!("{{\"body_id\":\"{body}\",\"warning\":{warning}}}"),
        }
    }

    fn lens(mode: ResultWarnings, issued: &[&str]) -> WarningLens {
        WarningLens {
            mode,
            issued: issued.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_warning_not_issued_reads_as_none_and_without_issued_ones_there_is_no_level() {
        let issued = lens(ResultWarnings::Issued, &["a"]);
        assert_eq!(issued.level(&row("a", 2)), Some(2));
        assert_eq!(issued.level(&row("b", 2)), Some(0));
        let hidden = issued.apply(row("b", 2)).unwrap();
        assert_eq!(hidden.warning_level, 0);
        assert!(!hidden.result.contains("warning"));
        let doc = lens(ResultWarnings::None, &[])
            .result_document(row("a", 2))
            .unwrap();
        assert!(doc.get("warning").is_none() && doc.get("warning_level").is_none());
        let doc = lens(ResultWarnings::All, &[])
            .result_document(row("a", 2))
            .unwrap();
        assert_eq!(doc["warning"]["level"], 2);
        assert_eq!(doc["warning_level"], 2);
    }
}
