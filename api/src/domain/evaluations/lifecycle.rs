//! A draft's way to final: public notice (公示) with an objection period, finalisation once
//! every objection is answered (drafting the risk warnings its results trigger), and the
//! explicit, audited supersession of a final evaluation.

use chrono::Duration;
use serde_json::json;

use super::{existing, status_of};
use crate::db::models::evaluation::{Evaluation, EvaluationChange, Objection};
use crate::db::{DbConn, write_transaction};
use crate::domain::clock::utc;
use crate::domain::states::EvaluationAction;
use crate::domain::{Ctx, Error, ErrorCode, Result, StateMachine, audit};

/// Days objections are accepted after publication, unless stated.
pub const DEFAULT_OBJECTION_DAYS: u32 = 7;

/// Deciding on an evaluation is the staff's (403 for anyone else).
fn staff_only(ctx: &Ctx) -> Result<()> {
    if ctx.viewer().is_staff() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// Puts a draft to public notice: bodies read their own result and may object for
/// `objection_days` (1 to 90; default [`DEFAULT_OBJECTION_DAYS`]).
pub fn publish(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    objection_days: Option<u32>,
) -> Result<Evaluation> {
    staff_only(ctx)?;
    let days = objection_days.unwrap_or(DEFAULT_OBJECTION_DAYS);
    if !(1..=90).contains(&days) {
        return Err(Error::invalid_field(
            "objection_days",
            "异议期为 1 至 90 天",
            "objection_days must be within 1..=90",
        ));
    }
    write_transaction(conn, |conn| {
        let e = existing(conn, id)?;
        let from = status_of(&e)?;
        let to = from.apply(EvaluationAction::Publish, "公示")?;
        let at = ctx.now();
        let deadline = at + Duration::days(i64::from(days));
        let change = EvaluationChange {
            published_at: Some(at),
            objection_deadline: Some(deadline),
            ..EvaluationChange::to(to)
        };
        if Evaluation::change(conn, id, from, &change)? == 0 {
            return Err(Error::of(ErrorCode::Conflict));
        }
        audit::record(
            conn,
            ctx,
            "evaluation.publish",
            "evaluation",
            id,
            json!({"objection_deadline": utc(deadline)}),
        )?;
        existing(conn, id)
    })
}

/// Makes an evaluation in public notice final once every objection is answered (409
/// `objections_open` before); its results never change afterwards, and a draft risk warning
/// is created for every body whose result triggers one.
pub fn finalize(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Evaluation> {
    staff_only(ctx)?;
    write_transaction(conn, |conn| {
        let e = existing(conn, id)?;
        let from = status_of(&e)?;
        let to = from.apply(EvaluationAction::Finalize, "定稿")?;
        let open = Objection::open_count(conn, id)?;
        if open > 0 {
            return Err(Error::conflict(
                ErrorCode::ObjectionsOpen,
                format!("尚有 {open} 件异议未答复"),
                format!("{open} objection(s) still unanswered"),
            ));
        }
        let change = EvaluationChange {
            finalized_at: Some(ctx.now()),
            ..EvaluationChange::to(to)
        };
        if Evaluation::change(conn, id, from, &change)? == 0 {
            return Err(Error::of(ErrorCode::Conflict));
        }
        let drafts = crate::domain::warnings::draft_for_evaluation(conn, ctx, id)?;
        audit::record(
            conn,
            ctx,
            "evaluation.finalize",
            "evaluation",
            id,
            json!({"draft_warnings": drafts}),
        )?;
        existing(conn, id)
    })
}

/// Supersedes a final evaluation with a written reason, so that the year can be evaluated
/// again; the old one stays readable, its rows unchanged.
pub fn supersede(conn: &mut DbConn, ctx: &Ctx, id: &str, reason: &str) -> Result<Evaluation> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid_field(
            "reason",
            "撤销最终结果须写明理由",
            "a reason is required",
        ));
    }
    write_transaction(conn, |conn| {
        let e = existing(conn, id)?;
        let from = status_of(&e)?;
        let to = from.apply(EvaluationAction::Supersede, "撤销最终结果")?;
        let change = EvaluationChange {
            superseded_reason: Some(reason.to_string()),
            ..EvaluationChange::to(to)
        };
        if Evaluation::change(conn, id, from, &change)? == 0 {
            return Err(Error::of(ErrorCode::Conflict));
        }
        audit::record(
            conn,
            ctx,
            "evaluation.supersede_final",
            "evaluation",
            id,
            json!({"reason": reason}),
        )?;
        existing(conn, id)
    })
}
