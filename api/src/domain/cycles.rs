//! Evaluation cycles: a year's scheme and submission window, and late-entry exceptions for
//! single bodies. Staff set them up; every person reads them.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::models::body::Body;
use crate::db::models::cycle::{Cycle, LateEntryException};
use crate::db::models::new_id;
use crate::db::models::scheme::SchemeRow;
use crate::db::{DbConn, write_transaction};
use crate::domain::audit;
use crate::domain::clock::utc;
use crate::domain::states::SchemeStatus;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, TextEnum};

/// A new cycle.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    /// Evaluation year.
    pub year: i32,
    /// Window opens (RFC 3339, any offset).
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T00:00:00+08:00")]
    pub opens_at: DateTime<FixedOffset>,
    /// Window closes (exclusive).
    #[schema(value_type = String, format = DateTime, example = "2026-04-01T00:00:00+08:00")]
    pub closes_at: DateTime<FixedOffset>,
    /// The scheme; the active one when absent.
    pub scheme_id: Option<String>,
}

/// Changes to a cycle.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleChanges {
    /// Window opens.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opens_at: Option<DateTime<FixedOffset>>,
    /// Window closes (exclusive).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closes_at: Option<DateTime<FixedOffset>>,
    /// The scheme (must be active).
    pub scheme_id: Option<String>,
}

/// A late-entry exception request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewException {
    /// The body.
    pub body_id: String,
    /// Until when it may still save and submit (exclusive).
    #[schema(value_type = String, format = DateTime)]
    pub closes_at: DateTime<FixedOffset>,
    /// Why (required).
    pub reason: String,
}

/// A window must close after it opens.
pub fn check_window(opens: NaiveDateTime, closes: NaiveDateTime) -> Result<()> {
    if opens >= closes {
        return Err(Error::invalid_field(
            "closes_at",
            "截止时间须晚于开始时间",
            "closes_at must be after opens_at",
        ));
    }
    Ok(())
}

/// The scheme a cycle may use: the one asked for, or the active one when none is named; it
/// must be active (422 naming `scheme_id` otherwise).
pub fn active_scheme_id(conn: &mut DbConn, requested: Option<&str>) -> Result<String> {
    let row = match requested {
        Some(id) => SchemeRow::by_id(conn, id)?,
        None => SchemeRow::active(conn)?,
    };
    let Some(row) = row else {
        return Err(Error::invalid_field(
            "scheme_id",
            "方案不存在",
            "no such scheme",
        ));
    };
    if SchemeStatus::parse_stored(&row.status)? != SchemeStatus::Active {
        return Err(Error::invalid_field(
            "scheme_id",
            "只能使用已启用的方案",
            "the scheme must be active",
        ));
    }
    Ok(row.id)
}

fn cycle_exists(year: i32) -> Error {
    Error::conflict(
        ErrorCode::CycleExists,
        format!("{year} 年度的评价周期已存在"),
        format!("the {year} cycle exists"),
    )
}

fn window_detail(cycle: &Cycle) -> serde_json::Value {
    serde_json::json!({"scheme_id": cycle.scheme_id, "opens_at": utc(cycle.opens_at),
        "closes_at": utc(cycle.closes_at)})
}

/// Creates a year's cycle. Two creations of one year race on the unique key: the loser gets
/// 409 `cycle_exists`.
pub fn create(conn: &mut DbConn, ctx: &Ctx, new: NewCycle) -> Result<Cycle> {
    if !(2000..=2999).contains(&new.year) {
        return Err(Error::invalid_field(
            "year",
            "年度应在 2000 至 2999 之间",
            "year must be within 2000..=2999",
        ));
    }
    let (opens, closes) = (new.opens_at.naive_utc(), new.closes_at.naive_utc());
    check_window(opens, closes)?;
    write_transaction(conn, |conn| {
        if Cycle::by_year(conn, new.year)?.is_some() {
            return Err(cycle_exists(new.year));
        }
        let scheme_id = active_scheme_id(conn, new.scheme_id.as_deref())?;
        let at = ctx.now();
        let cycle = Cycle {
            id: new_id(),
            year: new.year,
            scheme_id,
            opens_at: opens,
            closes_at: closes,
            created_at: at,
            updated_at: at,
        };
        cycle
            .insert(conn)
            .map_err(|e| Error::from(e).on_unique(|| cycle_exists(new.year)))?;
        audit::record(
            conn,
            ctx,
            "cycle.create",
            "cycle",
            &cycle.id,
            serde_json::json!({"year": cycle.year, "scheme_id": cycle.scheme_id,
                "opens_at": utc(opens), "closes_at": utc(closes)}),
        )?;
        Ok(cycle)
    })
}

/// Changes a year's window or scheme (the scheme must be active).
pub fn update(conn: &mut DbConn, ctx: &Ctx, year: i32, changes: CycleChanges) -> Result<Cycle> {
    write_transaction(conn, |conn| {
        let mut cycle = Cycle::by_year(conn, year)?.ok_or_else(|| Error::not_found(Noun::Cycle))?;
        let before = window_detail(&cycle);
        if let Some(o) = changes.opens_at {
            cycle.opens_at = o.naive_utc();
        }
        if let Some(c) = changes.closes_at {
            cycle.closes_at = c.naive_utc();
        }
        check_window(cycle.opens_at, cycle.closes_at)?;
        if let Some(s) = changes.scheme_id.as_deref() {
            cycle.scheme_id = active_scheme_id(conn, Some(s))?;
        }
        cycle.updated_at = ctx.now();
        cycle.save(conn)?;
        audit::record(
            conn,
            ctx,
            "cycle.update",
            "cycle",
            &cycle.id,
            serde_json::json!({"before": before, "after": window_detail(&cycle)}),
        )?;
        Ok(cycle)
    })
}

/// A page of cycles, latest year first.
pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> Result<(Vec<Cycle>, i64)> {
    Ok(Cycle::page(conn, offset, limit)?)
}

/// The cycle of a year.
pub fn get(conn: &mut DbConn, year: i32) -> Result<Cycle> {
    Cycle::by_year(conn, year)?.ok_or_else(|| Error::not_found(Noun::Cycle))
}

/// Grants one body a late-entry exception with a reason, closing after the cycle; it replaces
/// an earlier exception of the same body.
pub fn grant_exception(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    new: NewException,
) -> Result<LateEntryException> {
    let reason = new.reason.trim().to_string();
    if reason.is_empty() {
        return Err(Error::invalid_field(
            "reason",
            "必须写明理由",
            "a reason is required",
        ));
    }
    write_transaction(conn, |conn| {
        let cycle = get(conn, year)?;
        if Body::by_id(conn, &new.body_id)?.is_none() {
            return Err(Error::invalid_field(
                "body_id",
                "机构不存在",
                "no such body",
            ));
        }
        let closes = new.closes_at.naive_utc();
        if closes <= cycle.closes_at {
            return Err(Error::invalid_field(
                "closes_at",
                "例外截止时间须晚于周期截止时间",
                "the exception must close after the cycle",
            ));
        }
        let exception = LateEntryException {
            id: new_id(),
            cycle_id: cycle.id.clone(),
            body_id: new.body_id.clone(),
            closes_at: closes,
            reason,
            created_by: ctx.actor(),
            created_at: ctx.now(),
        };
        cycle.grant(conn, &exception)?;
        audit::record(
            conn,
            ctx,
            "cycle.exception",
            "cycle",
            &cycle.id,
            serde_json::json!({"body_id": exception.body_id, "closes_at": utc(closes),
                "reason": exception.reason}),
        )?;
        Ok(exception)
    })
}

/// Every late-entry exception of a year, oldest first.
pub fn exceptions(conn: &mut DbConn, year: i32) -> Result<Vec<LateEntryException>> {
    let cycle = get(conn, year)?;
    Ok(cycle.exceptions(conn)?)
}
