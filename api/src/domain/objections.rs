//! Objections (异议): a body objects to its result while the evaluation is in public notice,
//! before the deadline; staff answer each in writing (upheld or rejected), once. An upheld
//! objection is corrected at its source and a new run supersedes the evaluation.

use serde_json::json;

use crate::db::models::evaluation::{Evaluation, Objection, ResultRow};
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::actors::ActorNames;
use crate::domain::evaluations::{status_of, visible};
use crate::domain::states::{EvaluationStatus, ObjectionAction, ObjectionStatus};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, StateMachine, TextEnum, audit};

/// The longest objection, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// A new objection.
#[derive(Debug, Clone)]
pub struct NewObjection {
    /// What the body objects to, and why.
    pub text: String,
    /// The body (an admin filing on a body's behalf; a body user's own body otherwise).
    pub body_id: Option<String>,
}

/// Files an objection to a body's result in an evaluation in public notice, before its
/// deadline (409 `objection_period_closed` otherwise), while the body has no other objection
/// to it awaiting an answer (409 `objection_already_open` otherwise).
pub fn file(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    new: NewObjection,
) -> Result<Objection> {
    let text = new.text.trim().to_string();
    if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid_field(
            "text",
            "异议内容须为 1 至 10000 个字符",
            "text must be 1 to 10000 characters",
        ));
    }
    let body_id = match ctx.viewer().own_body() {
        Some(own) => own.to_string(),
        None => new
            .body_id
            .ok_or_else(|| Error::invalid_field("body_id", "须指明机构", "body_id is required"))?,
    };
    write_transaction(conn, |conn| {
        let e = Evaluation::by_id(conn, evaluation_id)?
            .ok_or_else(|| Error::not_found(Noun::Evaluation))?;
        let status = status_of(&e)?;
        // Objections concern published results only: before that the evaluation is unknown.
        if !matches!(
            status,
            EvaluationStatus::PublicNotice | EvaluationStatus::Final
        ) {
            return Err(Error::not_found(Noun::Evaluation));
        }
        if status != EvaluationStatus::PublicNotice
            || e.objection_deadline.is_some_and(|d| ctx.now() >= d)
        {
            return Err(Error::conflict(
                ErrorCode::ObjectionPeriodClosed,
                "不在异议期内",
                "the objection period is closed",
            ));
        }
        if ResultRow::of_body(conn, evaluation_id, &body_id)?.is_none() {
            return Err(Error::not_found(Noun::Result));
        }
        // Each open objection blocks finalisation until answered: one at a time per body keeps
        // a body from holding the year up by filing many. Checked inside the write transaction
        // (serialised on SQLite); on PostgreSQL the partial unique index `objections_one_open`
        // refuses the loser of two concurrent filings, answered alike below.
        let open = ObjectionStatus::Open.as_str();
        if Objection::of_evaluation(conn, evaluation_id, Some(&body_id))?
            .iter()
            .any(|o| o.status == open)
        {
            return Err(already_open());
        }
        let o = Objection {
            id: new_id(),
            evaluation_id: evaluation_id.to_string(),
            body_id: body_id.clone(),
            text,
            filed_by: ctx.actor(),
            filed_at: ctx.now(),
            status: ObjectionStatus::Open.as_str().to_string(),
            answer: None,
            answered_by: None,
            answered_at: None,
        };
        o.insert(conn)
            .map_err(|e| Error::from(e).on_unique(already_open))?;
        audit::record(
            conn,
            ctx,
            "objection.file",
            "objection",
            &o.id,
            json!({"evaluation_id": evaluation_id, "body_id": body_id}),
        )?;
        Ok(o)
    })
}

/// 409 `objection_already_open`: the body's earlier objection awaits its answer.
fn already_open() -> Error {
    Error::conflict(
        ErrorCode::ObjectionAlreadyOpen,
        "本机构对该评价已有一项异议尚待答复，答复后方可再次提出",
        "your earlier objection to this evaluation awaits its answer; file another once it is answered",
    )
}

/// The objections to an evaluation the caller may see, oldest first (a body user: its own,
/// with who filed and answered them named by role when staff did: 国家认监委).
pub fn list(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<Vec<Objection>> {
    let e = visible(conn, ctx, evaluation_id)?;
    let viewer = ctx.viewer();
    let only = viewer.restricted_to_body().map(str::to_string);
    let mut names = ActorNames::new(viewer);
    Objection::of_evaluation(conn, &e.id, only.as_deref())?
        .into_iter()
        .map(|mut o| {
            o.filed_by = names.name(conn, &o.filed_by)?;
            o.answered_by = names.name_opt(conn, o.answered_by.as_deref())?;
            Ok(o)
        })
        .collect()
}

/// An objection in the staff's list, with what names it.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The objection.
    pub objection: Objection,
    /// The year of its evaluation.
    pub year: i32,
    /// The body's name.
    pub body_name: String,
    /// The body's approval number.
    pub approval_no: String,
}

/// A page of the objections of every evaluation, for staff (403 for anyone else): the open
/// ones oldest first (`open = Some(true)`), the answered ones latest answer first
/// (`Some(false)`), or all.
pub fn all(
    conn: &mut DbConn,
    ctx: &Ctx,
    open: Option<bool>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Listing>, i64)> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let (rows, total) = Objection::page_all(conn, open, offset, limit)?;
    let mut items = Vec::with_capacity(rows.len());
    for objection in rows {
        let (year, body_name, approval_no) = objection
            .context(conn)?
            .ok_or_else(|| Error::internal("an objection without its evaluation's result"))?;
        items.push(Listing {
            objection,
            year,
            body_name,
            approval_no,
        });
    }
    Ok((items, total))
}

/// A staff member's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The objection is upheld.
    Upheld,
    /// The objection is rejected.
    Rejected,
}

impl Decision {
    /// The decision of its code (`upheld` or `rejected`; 422 naming `decision` otherwise).
    pub fn parse(code: &str) -> Result<Decision> {
        match ObjectionStatus::parse(code) {
            Some(ObjectionStatus::Upheld) => Ok(Decision::Upheld),
            Some(ObjectionStatus::Rejected) => Ok(Decision::Rejected),
            _ => Err(Error::invalid_field(
                "decision",
                "须为 upheld 或 rejected",
                "decision must be upheld or rejected",
            )),
        }
    }

    fn action(self) -> ObjectionAction {
        match self {
            Decision::Upheld => ObjectionAction::Uphold,
            Decision::Rejected => ObjectionAction::Reject,
        }
    }
}

/// Answers an open objection in writing (409 `invalid_transition` once answered); staff only
/// (403 for anyone else).
pub fn answer(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    decision: Decision,
    answer: &str,
) -> Result<Objection> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let answer = answer.trim();
    if answer.is_empty() {
        return Err(Error::invalid_field(
            "answer",
            "须书面答复",
            "a written answer is required",
        ));
    }
    write_transaction(conn, |conn| {
        let o = Objection::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Objection))?;
        let from = ObjectionStatus::parse_stored(&o.status)?;
        let to = from.apply(decision.action(), "再次答复")?;
        if Objection::answer(conn, id, from, to, answer, &ctx.actor(), ctx.now())? == 0 {
            return Err(Error::of(ErrorCode::Conflict));
        }
        audit::record(
            conn,
            ctx,
            "objection.answer",
            "objection",
            id,
            json!({"decision": to.as_str()}),
        )?;
        Objection::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Objection))
    })
}
