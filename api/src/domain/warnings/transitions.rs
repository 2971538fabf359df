//! The transitions of a warning: each loads the row, checks the caller may see it, applies the
//! action through the transition table, writes the new state, the history row and the audit
//! entry in one write transaction.

use chrono::{Datelike, Days, NaiveDate};

use super::{Warning, optional_text, required_text, status_zh, visible};
use crate::db::models::new_id;
use crate::db::models::warning::{Issuance, WarningEvent, WarningRow, notice_no};
use crate::db::{DbConn, write_transaction};
use crate::domain::audit;
use crate::domain::states::{StateMachine, TextEnum, WarningAction, WarningStatus};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result};

/// Days a body has to rectify when the analyst names no deadline.
pub const DEFAULT_DEADLINE_DAYS: u64 = 30;
/// The longest reason, comment or confirmation, in characters.
const MAX_TEXT: usize = 2000;
/// The longest rectification report, in characters.
const MAX_REPORT: usize = 20_000;
/// How often an issue that lost a race for its notice number is tried again. The numbering is
/// serialised (an advisory lock on PostgreSQL, immediate transactions on SQLite), so a lost
/// race means something outside the platform numbered a notice meanwhile.
const ISSUE_ATTEMPTS: usize = 3;

/// The audit action's suffix.
fn code(action: WarningAction) -> &'static str {
    match action {
        WarningAction::Issue => "issue",
        WarningAction::Withdraw => "withdraw",
        WarningAction::Acknowledge => "acknowledge",
        WarningAction::SubmitRectification => "rectification",
        WarningAction::SendBack => "send_back",
        WarningAction::Close => "close",
        WarningAction::Escalate => "escalate",
    }
}

/// (Chinese, English) of what the action does to a warning, for messages.
fn words(action: WarningAction) -> (&'static str, &'static str) {
    match action {
        WarningAction::Issue => ("签发", "be issued"),
        WarningAction::Withdraw => ("撤回", "be withdrawn"),
        WarningAction::Acknowledge => ("确认收悉", "be acknowledged"),
        WarningAction::SubmitRectification => ("提交整改报告", "take a rectification report"),
        WarningAction::SendBack => ("退回整改报告", "have its rectification sent back"),
        WarningAction::Close => ("结案", "be closed"),
        WarningAction::Escalate => ("升级处理", "be escalated"),
    }
}

/// Where the action leads from `from`, or the 409 naming the current status and what was
/// refused (and that the status is final, when it is).
fn target(from: WarningStatus, action: WarningAction) -> Result<WarningStatus> {
    let (zh, en) = words(action);
    from.apply(action, zh).map_err(|_| {
        let is_final = WarningStatus::TRANSITIONS
            .iter()
            .all(|(f, _, _)| *f != from);
        let (final_zh, final_en) = if is_final {
            ("（已为终结状态）", ", a final status")
        } else {
            ("", "")
        };
        Error::conflict(
            ErrorCode::InvalidTransition,
            format!(
                "风险警示当前状态为“{}”{final_zh}，不能{zh}",
                status_zh(from)
            ),
            format!(
                "the warning is {}{final_en}, so it cannot {en}",
                from.as_str()
            ),
        )
    })
}

/// What a transition carries besides the action.
#[derive(Debug, Default)]
struct Step {
    /// The reason, comment or report, written to the history.
    text: Option<String>,
    /// For issuing: the deadline asked for.
    deadline: Option<NaiveDate>,
}

/// 422: a warning marked for review is issued only with a written confirmation.
fn confirmation_required() -> Error {
    Error::invalid_field(
        "confirmation",
        "此警示已标记为需复核（机构处于评级临界且各项规则均取决于等级或总分），签发须写明确认理由",
        "this warning is marked for review (a borderline body, every rule depends on grade or \
         total); issuing it needs a written confirmation",
    )
}

/// 422: the deadline must lie after the day of issue.
fn deadline_not_after(today: NaiveDate) -> Error {
    Error::invalid_field(
        "deadline",
        &format!("整改期限须晚于今天（{today}，北京时间）"),
        &format!("the deadline must be after today ({today}, UTC+8)"),
    )
}

/// Runs one transition in a write transaction: the status change, the history row and the
/// audit entry commit together; the warning as the caller sees it afterwards.
fn transition(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    action: WarningAction,
    step: &Step,
) -> Result<Warning> {
    let viewer = ctx.viewer();
    write_transaction(conn, |conn| {
        let row = WarningRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Warning))?;
        let from = WarningStatus::parse_stored(&row.status)?;
        if !viewer.sees_warning(&row.body_id, from) {
            return Err(Error::not_found(Noun::Warning));
        }
        let to = target(from, action)?;
        let at = ctx.now();
        let mut detail = serde_json::json!({
            "evaluation_id": row.evaluation_id,
            "body_id": row.body_id,
            "level": row.level,
            "from": from,
            "to": to,
        });
        let changed = if action == WarningAction::Issue {
            if row.review_required != 0 && step.text.is_none() {
                return Err(confirmation_required());
            }
            let issued_on = ctx.today();
            let deadline = match step.deadline {
                Some(d) if d <= issued_on => return Err(deadline_not_after(issued_on)),
                Some(d) => d,
                None => issued_on
                    .checked_add_days(Days::new(DEFAULT_DEADLINE_DAYS))
                    .ok_or_else(|| Error::internal("deadline out of range"))?,
            };
            let year = issued_on.year();
            let seq = WarningRow::next_notice_seq(conn, year)?;
            detail["notice_no"] = notice_no(year, seq).into();
            detail["issued_on"] = issued_on.to_string().into();
            detail["deadline"] = deadline.to_string().into();
            detail["confirmation"] = step.text.clone().into();
            let issuance = Issuance {
                year,
                seq,
                issued_on,
                deadline,
            };
            WarningRow::issue(conn, &row.id, &issuance, step.text.as_deref(), at)?
        } else {
            detail["text"] = step.text.clone().into();
            WarningRow::set_status(conn, &row.id, from, to, at)?
        };
        if changed == 0 {
            // Changed by someone else meanwhile (PostgreSQL; SQLite writes are serial).
            let current = match WarningRow::by_id(conn, &row.id)? {
                Some(r) => WarningStatus::parse_stored(&r.status)?,
                None => from,
            };
            return Err(target(current, action)
                .err()
                .unwrap_or_else(|| Error::of(ErrorCode::Conflict)));
        }
        WarningEvent {
            id: new_id(),
            warning_id: row.id.clone(),
            from_status: from.as_str().to_string(),
            to_status: to.as_str().to_string(),
            actor: ctx.actor(),
            text: step.text.clone(),
            at,
        }
        .insert(conn)?;
        audit::record(
            conn,
            ctx,
            &format!("warning.{}", code(action)),
            "warning",
            &row.id,
            detail,
        )?;
        visible(conn, ctx, &viewer, &row.id)
    })
}

/// Issues a draft (staff): the notice number 认宣警〔YYYY〕N号 (the year of issue in China
/// Standard Time, numbered from 1 within it, never reused), issued today, the deadline given or
/// 30 days on. A warning marked for review needs a written confirmation.
///
/// Concurrent issues are numbered one after another; one that nevertheless loses the race for
/// a number (a unique-key violation) is tried again, and answers 409 `conflict` — never 500 —
/// if it keeps losing.
pub fn issue(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    deadline: Option<NaiveDate>,
    confirmation: Option<&str>,
) -> Result<Warning> {
    let step = Step {
        text: optional_text("confirmation", confirmation, MAX_TEXT)?,
        deadline,
    };
    let mut attempt = 1;
    loop {
        match transition(conn, ctx, id, WarningAction::Issue, &step) {
            Err(e) if e.code == ErrorCode::Conflict && attempt < ISSUE_ATTEMPTS => {
                tracing::info!(warning = id, attempt, "notice number taken; issuing again");
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// Withdraws a draft (staff), with a reason; it is kept, never issued.
pub fn withdraw(conn: &mut DbConn, ctx: &Ctx, id: &str, reason: &str) -> Result<Warning> {
    let step = Step {
        text: Some(required_text("reason", Some(reason), MAX_TEXT)?),
        ..Step::default()
    };
    transition(conn, ctx, id, WarningAction::Withdraw, &step)
}

/// Acknowledges receipt of an issued warning (the body's own user, or an admin).
pub fn acknowledge(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Warning> {
    transition(conn, ctx, id, WarningAction::Acknowledge, &Step::default())
}

/// Submits the rectification report of an acknowledged warning (the body's own user, or an
/// admin).
pub fn rectification(conn: &mut DbConn, ctx: &Ctx, id: &str, report: &str) -> Result<Warning> {
    // Whether the warning is the caller's is decided before its report is judged, so that
    // another body learns nothing from a validation error.
    let row = WarningRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Warning))?;
    if !ctx
        .viewer()
        .sees_warning(&row.body_id, WarningStatus::parse_stored(&row.status)?)
    {
        return Err(Error::not_found(Noun::Warning));
    }
    let step = Step {
        text: Some(required_text("report", Some(report), MAX_REPORT)?),
        ..Step::default()
    };
    transition(conn, ctx, id, WarningAction::SubmitRectification, &step)
}

/// Sends a rectification report back to the body (staff), with a comment (required); the
/// warning is acknowledged again and awaits a new report.
pub fn send_back(conn: &mut DbConn, ctx: &Ctx, id: &str, comment: Option<&str>) -> Result<Warning> {
    let step = Step {
        text: Some(required_text("comment", comment, MAX_TEXT)?),
        ..Step::default()
    };
    transition(conn, ctx, id, WarningAction::SendBack, &step)
}

/// Closes a warning whose rectification report is accepted (staff), with an optional comment.
pub fn close(conn: &mut DbConn, ctx: &Ctx, id: &str, comment: Option<&str>) -> Result<Warning> {
    let step = Step {
        text: optional_text("comment", comment, MAX_TEXT)?,
        ..Step::default()
    };
    transition(conn, ctx, id, WarningAction::Close, &step)
}

/// Escalates an issued, acknowledged or rectifying warning (staff), with a reason: 约谈,
/// targeted checks, a record in the supervision file.
pub fn escalate(conn: &mut DbConn, ctx: &Ctx, id: &str, reason: &str) -> Result<Warning> {
    let step = Step {
        text: Some(required_text("reason", Some(reason), MAX_TEXT)?),
        ..Step::default()
    };
    transition(conn, ctx, id, WarningAction::Escalate, &step)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_transition_names_the_state_and_whether_it_is_final() {
        let e = target(WarningStatus::Draft, WarningAction::Acknowledge).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTransition);
        assert!(e.message.contains("草稿") && e.message.contains("the warning is draft"));
        let e = target(WarningStatus::Closed, WarningAction::Escalate).unwrap_err();
        assert!(e.message.contains("终结") && e.message.contains("a final status"));
        assert_eq!(
            target(WarningStatus::Issued, WarningAction::Acknowledge).unwrap(),
            WarningStatus::Acknowledged
        );
    }
}
