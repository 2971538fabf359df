//! Computing a year's flags afresh: every submitted report of the year (its current revision
//! submitted or accepted) with the body's report of the year before, through the scheme's
//! rules (`pubeval_scoring::plausibility`), and the stored flags brought in line with what
//! fires now.
//!
//! - A rule firing where no flag is: a new `open` flag.
//! - A flag that fires still keeps its status and takes the new figures; one that was cleared
//!   reopens when its value changed (the note was about another figure), and one that had
//!   stopped firing reopens.
//! - An open flag that no longer fires is `resolved`. Flags of reports not submitted now (a
//!   draft, a returned report) are left as they are: their figures are not in this year's
//!   data until the body submits again.
//!
//! The whole runs in one write transaction (on PostgreSQL under an advisory lock per year),
//! so two submissions never interleave their updates.

use std::collections::{HashMap, HashSet};

use pubeval_scoring::plausibility::{Hit, Peers, ReportFrame, compute};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db::models::body::Body;
use crate::db::models::cycle::Cycle;
use crate::db::models::flag::{Decision, Figures, FlagRow};
use crate::db::models::new_id;
use crate::db::models::submission::Revision;
use crate::db::{DbConn, write_transaction};
use crate::domain::states::{FlagAction, FlagStatus, SubmissionStatus};
use crate::domain::{Ctx, Error, Noun, Result, StateMachine, TextEnum, audit};

/// What a recomputation found and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Recomputed {
    /// The evaluation year.
    pub year: i32,
    /// Submitted reports looked at.
    pub reports: usize,
    /// Rules firing now, over all reports.
    pub firing: usize,
    /// Open flags after the recomputation.
    pub open: usize,
    /// Reports with open flags after the recomputation (需复核).
    pub flagged_reports: usize,
    /// New flags raised.
    pub raised: usize,
    /// Flags reopened (a cleared figure changed, or a rule firing again).
    pub reopened: usize,
    /// Open flags resolved (their rule no longer fires).
    pub resolved: usize,
}

/// Recomputes a year's flags on demand (staff): 404 when the year has no cycle.
pub fn recompute(conn: &mut DbConn, ctx: &Ctx, year: i32) -> Result<Recomputed> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    run(conn, ctx, year, true)
}

/// Recomputes a year's flags after a report changed (whoever's request changed it; the audit
/// log names the platform for the flags it raises and resolves). A year without a cycle has
/// no flags.
pub fn refresh(conn: &mut DbConn, ctx: &Ctx, year: i32) -> Result<Recomputed> {
    match run(conn, ctx, year, false) {
        Err(e) if e.code == crate::domain::ErrorCode::NotFound => Ok(Recomputed {
            year,
            ..Recomputed::default()
        }),
        other => other,
    }
}

/// The counted statuses' stored codes.
fn counted() -> Vec<&'static str> {
    <SubmissionStatus as TextEnum>::ALL
        .iter()
        .filter(|s| s.counts())
        .map(|s| s.as_str())
        .collect()
}

/// The flag's key: one flag per body, rule and field.
type Key = (String, String, String);

fn key(body: &str, rule: &str, field: &str) -> Key {
    (body.to_string(), rule.to_string(), field.to_string())
}

/// Whether two values differ beyond floating-point noise.
fn changed(a: f64, b: f64) -> bool {
    (a - b).abs() > 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn run(conn: &mut DbConn, ctx: &Ctx, year: i32, on_demand: bool) -> Result<Recomputed> {
    write_transaction(conn, |conn| {
        FlagRow::lock_year(conn, year)?;
        let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| Error::not_found(Noun::Cycle))?;
        let scheme = crate::domain::schemes::scheme_of(conn, &cycle.scheme_id)?;
        let counted = counted();
        let reports = Revision::current_payloads(conn, year, &counted)?;
        let mut frame = ReportFrame::new(&scheme, reports.len());
        let previous: HashMap<String, String> = if frame.reads_previous() {
            Revision::current_payloads(conn, year - 1, &counted)?
                .into_iter()
                .map(|(body, _, payload)| (body, payload))
                .collect()
        } else {
            HashMap::new()
        };
        let bodies: HashMap<String, (String, String)> = Body::groups(conn)?;
        let mut rows: Vec<(&str, i32)> = Vec::with_capacity(reports.len());
        for (body_id, revision, payload) in &reports {
            let (category, province) = bodies
                .get(body_id)
                .map(|(c, p)| (c.as_str(), p.as_str()))
                .unwrap_or_default();
            let before = previous.get(body_id).map(String::as_str);
            frame
                .push_text(Peers { category, province }, payload, before)
                .map_err(Error::internal)?;
            rows.push((body_id.as_str(), *revision));
        }
        // polars runs on a thread of its own: called from within an async runtime's thread
        // (the demo, a test), its executor would refuse to block.
        let hits = std::thread::scope(|s| s.spawn(|| compute(&scheme, frame)).join())
            .map_err(|_| Error::internal("the plausibility computation panicked"))?
            .map_err(Error::internal)?;
        apply(conn, ctx, year, &rows, &hits, on_demand)
    })
}

/// Brings the stored flags of the year in line with the hits.
fn apply(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    rows: &[(&str, i32)],
    hits: &[Hit],
    on_demand: bool,
) -> Result<Recomputed> {
    let at = ctx.now();
    let mut existing: HashMap<Key, FlagRow> = FlagRow::of_year(conn, year)?
        .into_iter()
        .map(|f| (key(&f.body_id, &f.rule, &f.field), f))
        .collect();
    let covered: HashSet<&str> = rows.iter().map(|(b, _)| *b).collect();
    let mut raised = Vec::new();
    let mut reopened = Vec::new();
    let mut resolved = Vec::new();
    let mut fresh = Vec::new();
    for hit in hits {
        let (body_id, revision) = rows[hit.row];
        let figures = Figures {
            severity: hit.severity.code(),
            value: hit.value,
            reference: hit.reference,
            message: &hit.message,
            revision,
        };
        match existing.remove(&key(body_id, &hit.rule, &hit.field)) {
            None => {
                let flag = FlagRow {
                    id: new_id(),
                    year,
                    body_id: body_id.to_string(),
                    rule: hit.rule.clone(),
                    field: hit.field.clone(),
                    severity: figures.severity.to_string(),
                    value: hit.value,
                    reference: hit.reference,
                    message: hit.message.clone(),
                    status: FlagStatus::Open.as_str().to_string(),
                    revision,
                    note: None,
                    comment: None,
                    decided_by: None,
                    decided_at: None,
                    created_at: at,
                    updated_at: at,
                };
                raised.push(flag.id.clone());
                fresh.push(flag);
            }
            Some(flag) => {
                let status = FlagStatus::parse_stored(&flag.status)?;
                let reopen = match status {
                    FlagStatus::Resolved => true,
                    FlagStatus::Cleared => changed(flag.value, hit.value),
                    FlagStatus::Open | FlagStatus::EvidenceRequested => false,
                };
                if reopen {
                    let to = status
                        .apply(FlagAction::Reopen, "重新复核")
                        .map_err(Error::from)?;
                    FlagRow::set_status(conn, &flag.id, status, to, &Decision::default(), at)?;
                    reopened.push(flag.id.clone());
                }
                let same = flag.severity == figures.severity
                    && !changed(flag.value, hit.value)
                    && !changed(flag.reference, hit.reference)
                    && flag.message == hit.message
                    && flag.revision == revision;
                if !same {
                    FlagRow::set_figures(conn, &flag.id, figures, at)?;
                }
            }
        }
    }
    FlagRow::insert_all(conn, &fresh)?;
    for flag in existing.into_values() {
        if flag.status == FlagStatus::Open.as_str() && covered.contains(flag.body_id.as_str()) {
            let to = FlagStatus::Open
                .apply(FlagAction::Resolve, "关闭")
                .map_err(Error::from)?;
            FlagRow::set_status(
                conn,
                &flag.id,
                FlagStatus::Open,
                to,
                &Decision::default(),
                at,
            )?;
            resolved.push(flag.id);
        }
    }
    let flagged = FlagRow::bodies_with_open(conn, year)?;
    let open = FlagRow::count_open(conn, year)?;
    let done = Recomputed {
        year,
        reports: rows.len(),
        firing: hits.len(),
        open: usize::try_from(open).unwrap_or_default(),
        flagged_reports: flagged.len(),
        raised: raised.len(),
        reopened: reopened.len(),
        resolved: resolved.len(),
    };
    let changes = !(raised.is_empty() && reopened.is_empty() && resolved.is_empty());
    if on_demand || changes {
        let detail = json!({
            "year": year,
            "reports": done.reports,
            "firing": done.firing,
            "open": done.open,
            "raised": raised,
            "reopened": reopened,
            "resolved": resolved,
        });
        let id = year.to_string();
        if on_demand {
            audit::record(conn, ctx, "flags.recompute", "cycle", &id, detail)?;
        } else {
            // Raised and resolved by the rules, whoever's submission set them off.
            audit::record_system(conn, ctx, "flags.recompute", "cycle", &id, detail)?;
        }
    }
    Ok(done)
}
