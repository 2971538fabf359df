//! Annual reports (年度宣传工作报告): a body saves drafts — each save names the revision it edits,
//! so that two people never overwrite each other — and submits; an analyst returns or
//! accepts. Every step appends a revision; nothing is overwritten.

mod read;

use chrono::{FixedOffset, NaiveDateTime};
use pubeval_scoring::{Completeness, Scheme, validate_payload};

pub use self::read::{
    ListFilter, ListQuery, StatusCounts, current, list, revision, revisions, search, status_counts,
};
use crate::db::models::body::Body;
use crate::db::models::cycle::Cycle;
use crate::db::models::new_id;
use crate::db::models::submission::Revision;
use crate::db::{DbConn, write_transaction};
use crate::domain::states::{SubmissionAction, SubmissionStatus};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, StateMachine, TextEnum, audit};

/// What the editor believes the current revision is (the `If-Match` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// Nothing said: only a first save may do that.
    Absent,
    /// `*`: whatever the current revision is.
    Any,
    /// This revision number.
    Revision(i32),
}

/// A saved draft, and whether it is the report's first revision.
#[derive(Debug, Clone)]
pub struct Saved {
    /// Whether this save created the report.
    pub created: bool,
    /// The new revision.
    pub revision: Revision,
}

fn stale(current: i32) -> Error {
    Error::new(
        ErrorCode::StaleRevision,
        format!("报告已被修改，当前为第 {current} 版，请刷新后再保存"),
        format!("the report changed; the current revision is {current}"),
    )
}

/// The loser of two first saves (or two saves of one revision) racing for the same revision
/// number is told the report changed, exactly as if it had read the winner's revision.
fn lost_race(revision: i32) -> Error {
    stale(revision)
}

const CHINA: FixedOffset = pubeval_scoring::incident::REGULATOR_TIMEZONE;

fn china_time(t: NaiveDateTime) -> String {
    t.and_utc()
        .with_timezone(&CHINA)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The instant a body's window closes: the cycle's, or later under a late-entry exception.
fn closes_for(conn: &mut DbConn, cycle: &Cycle, body_id: &str) -> Result<NaiveDateTime> {
    Ok(match cycle.exception_for(conn, body_id)? {
        Some(e) if e.closes_at > cycle.closes_at => e.closes_at,
        _ => cycle.closes_at,
    })
}

/// Refuses (409) a save or submission outside the year's window, unless the body holds a
/// late-entry exception that closes later.
fn check_window(conn: &mut DbConn, ctx: &Ctx, cycle: &Cycle, body_id: &str) -> Result<()> {
    let at = ctx.now();
    let closes = closes_for(conn, cycle, body_id)?;
    if cycle.opens_at <= at && at < closes {
        return Ok(());
    }
    Err(Error::conflict(
        ErrorCode::WindowClosed,
        format!(
            "不在报送期内：{} 年度报送期为 {} 至 {}（北京时间，截止时刻不含）",
            cycle.year,
            china_time(cycle.opens_at),
            china_time(closes),
        ),
        format!(
            "outside the submission window {} to {} (UTC+8)",
            china_time(cycle.opens_at),
            china_time(closes),
        ),
    ))
}

/// The year's cycle and its scheme, or 409 when the year has no cycle.
pub(crate) fn cycle_and_scheme(conn: &mut DbConn, year: i32) -> Result<(Cycle, Scheme)> {
    let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| {
        Error::conflict(
            ErrorCode::NoCycle,
            format!("{year} 年度尚未设立评价周期"),
            format!("no evaluation cycle for {year}"),
        )
    })?;
    let scheme = crate::domain::schemes::scheme_of(conn, &cycle.scheme_id)?;
    Ok((cycle, scheme))
}

/// The body's data, for a viewer who may see it (404 otherwise, and when there is no body).
pub(crate) fn require_body(conn: &mut DbConn, ctx: &Ctx, body_id: &str) -> Result<Body> {
    ctx.viewer().body_data(body_id)?;
    Body::by_id(conn, body_id)?.ok_or_else(|| Error::not_found(Noun::Body))
}

/// Appends `revision`; losing a race for its number is 412 (see [`lost_race`]).
fn append(conn: &mut DbConn, revision: &Revision) -> Result<()> {
    revision
        .insert(conn)
        .map_err(|e| Error::from(e).on_unique(|| lost_race(revision.revision)))
}

fn current_state(current: &Revision) -> Result<SubmissionStatus> {
    Ok(SubmissionStatus::parse_stored(&current.status)?)
}

/// What a body's report form for a year is made of.
#[derive(Debug, Clone)]
pub struct ReportForm {
    /// The year's cycle.
    pub cycle: Cycle,
    /// Its scheme, whose fields the form shows.
    pub scheme: Scheme,
    /// When the body's window closes (a late-entry exception may close it after the cycle).
    pub closes_at: NaiveDateTime,
    /// The current revision; `None` when nothing was saved yet.
    pub current: Option<Revision>,
}

impl ReportForm {
    /// Whether saves are admitted at `at` (the window's end excluded).
    pub fn window_open(&self, at: NaiveDateTime) -> bool {
        self.cycle.opens_at <= at && at < self.closes_at
    }
}

/// The material of a body's report form for a year: 404 unless the body is the viewer's (or the
/// viewer is staff) and the year has a cycle.
pub fn form(conn: &mut DbConn, ctx: &Ctx, body_id: &str, year: i32) -> Result<ReportForm> {
    require_body(conn, ctx, body_id)?;
    let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| Error::not_found(Noun::Cycle))?;
    let scheme = crate::domain::schemes::scheme_of(conn, &cycle.scheme_id)?;
    let closes_at = closes_for(conn, &cycle, body_id)?;
    let current = Revision::current(conn, body_id, year)?;
    Ok(ReportForm {
        cycle,
        scheme,
        closes_at,
        current,
    })
}

/// Checks a payload against the year's scheme exactly as a save (`Draft`) or a submission
/// (`Submitted`) would, saving nothing: 422 listing every problem.
pub fn check(
    conn: &mut DbConn,
    year: i32,
    payload: &serde_json::Value,
    completeness: Completeness,
) -> Result<()> {
    let (_, scheme) = cycle_and_scheme(conn, year)?;
    validate_payload(&scheme, payload, completeness).map_err(|p| Error::validation(&p))?;
    Ok(())
}

/// Saves a draft as a new revision. The first save needs no precondition (it creates the
/// report); every later one must name the revision it edits (428 without, 412 when stale).
pub fn save(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    precondition: Precondition,
    payload: &serde_json::Value,
) -> Result<Saved> {
    require_body(conn, ctx, body_id)?;
    let (cycle, scheme) = cycle_and_scheme(conn, year)?;
    validate_payload(&scheme, payload, Completeness::Draft).map_err(|p| Error::validation(&p))?;
    write_transaction(conn, |conn| {
        let current = Revision::current(conn, body_id, year)?;
        let next = match (&current, precondition) {
            (None, Precondition::Revision(_)) => return Err(stale(0)),
            (None, _) => 1,
            (Some(c), Precondition::Absent) => {
                return Err(Error::new(
                    ErrorCode::IfMatchRequired,
                    format!(
                        "报告已有第 {} 版，保存时须带 If-Match 指明所修改的版本",
                        c.revision
                    ),
                    format!(
                        "If-Match is required; the current revision is {}",
                        c.revision
                    ),
                ));
            }
            (Some(c), Precondition::Revision(n)) if n != c.revision => {
                return Err(stale(c.revision));
            }
            (Some(c), _) => c.revision + 1,
        };
        // A first save has no state yet: it creates a draft.
        let status = match &current {
            Some(c) => current_state(c)?.apply(SubmissionAction::Save, "修改")?,
            None => SubmissionStatus::Draft,
        };
        check_window(conn, ctx, &cycle, body_id)?;
        let revision = Revision {
            id: new_id(),
            body_id: body_id.to_string(),
            year,
            revision: next,
            status: status.as_str().to_string(),
            payload: payload.to_string(),
            comment: None,
            actor: ctx.actor(),
            created_at: ctx.now(),
        };
        append(conn, &revision)?;
        audit::record(
            conn,
            ctx,
            "submission.save",
            "submission",
            &revision.id,
            serde_json::json!({
                "body_id": body_id,
                "year": year,
                "revision": revision.revision,
                "payload_sha256": audit::payload_sha256(&revision.payload),
            }),
        )?;
        Ok(Saved {
            created: current.is_none(),
            revision,
        })
    })
}

/// Submits the current revision: the whole report is validated and every problem returned.
/// A precondition naming another revision is 412; none (or `*`) submits the current one.
///
/// A resubmission reopens the report's plausibility flags that asked for evidence, in the
/// same transaction; once it is committed the year's flags are computed afresh (a failure
/// there is logged and leaves the submission standing: `POST …/flags/recompute` redoes it).
pub fn submit(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    precondition: Precondition,
) -> Result<Revision> {
    let revision = submit_only(conn, ctx, body_id, year, precondition)?;
    if let Err(e) = crate::domain::flags::refresh(conn, ctx, year) {
        tracing::error!(year, error = %e, "plausibility flags not recomputed after a submission");
    }
    Ok(revision)
}

/// [`submit`] without computing the year's flags afterwards: for loading many reports at
/// once (the demo), which computes them once at the end.
pub fn submit_only(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    precondition: Precondition,
) -> Result<Revision> {
    require_body(conn, ctx, body_id)?;
    let (cycle, scheme) = cycle_and_scheme(conn, year)?;
    write_transaction(conn, |conn| {
        let current = Revision::current(conn, body_id, year)?
            .ok_or_else(|| Error::of(ErrorCode::NothingToSubmit))?;
        if let Precondition::Revision(n) = precondition
            && n != current.revision
        {
            return Err(stale(current.revision));
        }
        let status = current_state(&current)?.apply(SubmissionAction::Submit, "提交")?;
        let payload: serde_json::Value =
            serde_json::from_str(&current.payload).map_err(Error::internal)?;
        validate_payload(&scheme, &payload, Completeness::Submitted)
            .map_err(|p| Error::validation(&p))?;
        check_window(conn, ctx, &cycle, body_id)?;
        let revision = Revision {
            id: new_id(),
            revision: current.revision + 1,
            status: status.as_str().to_string(),
            comment: None,
            actor: ctx.actor(),
            created_at: ctx.now(),
            ..current
        };
        append(conn, &revision)?;
        audit::record(
            conn,
            ctx,
            "submission.submit",
            "submission",
            &revision.id,
            serde_json::json!({
                "body_id": body_id,
                "year": year,
                "revision": revision.revision,
                "payload_sha256": audit::payload_sha256(&revision.payload),
            }),
        )?;
        crate::domain::flags::reopen_on_resubmission(conn, ctx, body_id, year, revision.revision)?;
        Ok(revision)
    })
}

fn tidy(comment: Option<String>) -> Option<String> {
    comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
}

/// Returns a submitted report to its body (退回); the comment saying why is required.
pub fn return_report(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    comment: Option<String>,
) -> Result<Revision> {
    let Some(comment) = tidy(comment) else {
        return Err(Error::invalid_field(
            "comment",
            "退回时须写明意见",
            "a comment is required to return a report",
        ));
    };
    review(
        conn,
        ctx,
        body_id,
        year,
        SubmissionAction::Return,
        Some(comment),
    )
}

/// Accepts a submitted report (接收), with an optional comment.
pub fn accept(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    comment: Option<String>,
) -> Result<Revision> {
    review(
        conn,
        ctx,
        body_id,
        year,
        SubmissionAction::Accept,
        tidy(comment),
    )
}

fn review(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    action: SubmissionAction,
    comment: Option<String>,
) -> Result<Revision> {
    require_body(conn, ctx, body_id)?;
    write_transaction(conn, |conn| {
        review_in(conn, ctx, body_id, year, action, comment)
    })
}

/// Returns a submitted report with a comment inside the caller's write transaction (a
/// plausibility flag's request for evidence returns the report and moves the flag together).
pub(crate) fn return_in(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    comment: String,
) -> Result<Revision> {
    review_in(
        conn,
        ctx,
        body_id,
        year,
        SubmissionAction::Return,
        Some(comment),
    )
}

fn review_in(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    action: SubmissionAction,
    comment: Option<String>,
) -> Result<Revision> {
    let (wanted_zh, audit_action) = match action {
        SubmissionAction::Return => ("退回", "submission.return"),
        _ => ("接收", "submission.accept"),
    };
    let current =
        Revision::current(conn, body_id, year)?.ok_or_else(|| Error::not_found(Noun::Report))?;
    let status = current_state(&current)?.apply(action, wanted_zh)?;
    let revision = Revision {
        id: new_id(),
        revision: current.revision + 1,
        status: status.as_str().to_string(),
        comment: comment.clone(),
        actor: ctx.actor(),
        created_at: ctx.now(),
        ..current
    };
    // Two reviews racing for one revision number: the loser gets 409 `conflict` (reload).
    revision.insert(conn)?;
    audit::record(
        conn,
        ctx,
        audit_action,
        "submission",
        &revision.id,
        serde_json::json!({
            "body_id": body_id,
            "year": year,
            "revision": revision.revision,
            "comment": comment,
            "payload_sha256": audit::payload_sha256(&revision.payload),
        }),
    )?;
    Ok(revision)
}
