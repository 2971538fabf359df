//! Evaluation schemes: the published evaluation system as data, versioned; an active scheme
//! never changes. Staff create drafts and activate them; body users read the active one.

pub mod impact;

use pubeval_scoring::Scheme;

use crate::db::models::new_id;
use crate::db::models::scheme::SchemeRow;
use crate::db::models::scheme_impact::SchemeImpactRow;
use crate::db::{DbConn, write_transaction};
use crate::domain::audit;
use crate::domain::states::SchemeStatus;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, TextEnum};

/// The parsed scheme with this id. A cycle or evaluation names it, so its absence, or a
/// document that no longer parses, is a fault of the data (500), not of the request.
pub fn scheme_of(conn: &mut DbConn, scheme_id: &str) -> Result<Scheme> {
    SchemeRow::by_id(conn, scheme_id)?
        .ok_or_else(|| Error::internal(format!("missing scheme {scheme_id}")))?
        .parsed()
        .map_err(Error::internal)
}

fn status_of(row: &SchemeRow) -> Result<SchemeStatus> {
    Ok(SchemeStatus::parse_stored(&row.status)?)
}

/// Every scheme the caller may see (a body user only the active one), by code, newest version
/// first.
pub fn list(conn: &mut DbConn, ctx: &Ctx) -> Result<Vec<SchemeRow>> {
    let viewer = ctx.viewer();
    let mut visible = Vec::new();
    for row in SchemeRow::all(conn)? {
        if viewer.sees_scheme(status_of(&row)?) {
            visible.push(row);
        }
    }
    Ok(visible)
}

/// One scheme with its document (for a body user, only the active one: any other is 404).
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<SchemeRow> {
    let row = SchemeRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Scheme))?;
    if !ctx.viewer().sees_scheme(status_of(&row)?) {
        return Err(Error::not_found(Noun::Scheme));
    }
    Ok(row)
}

fn scheme_exists(scheme: &Scheme) -> Error {
    Error::conflict(
        ErrorCode::SchemeExists,
        format!("方案 {} 第 {} 版已存在", scheme.code, scheme.version),
        format!("scheme {} version {} exists", scheme.code, scheme.version),
    )
}

/// Creates a draft from a scheme document (SCHEME.md's format), validated with every problem
/// reported at once (422). A code and version exist once: a second is 409, also when two
/// creations race.
pub fn create(conn: &mut DbConn, ctx: &Ctx, document: String) -> Result<SchemeRow> {
    let scheme = Scheme::from_json(&document).map_err(|e| Error::validation(&e.problems()))?;
    let version = i32::try_from(scheme.version)
        .map_err(|_| Error::invalid_field("version", "版本号过大", "version is too large"))?;
    write_transaction(conn, |conn| {
        if SchemeRow::exists(conn, &scheme.code, version)? {
            return Err(scheme_exists(&scheme));
        }
        let row = SchemeRow {
            id: new_id(),
            code: scheme.code.clone(),
            version,
            name: scheme.name.clone(),
            definition: document,
            status: SchemeStatus::Draft.as_str().to_string(),
            created_at: ctx.now(),
            activated_at: None,
        };
        row.insert(conn)
            .map_err(|e| Error::from(e).on_unique(|| scheme_exists(&scheme)))?;
        audit::record(
            conn,
            ctx,
            "scheme.create",
            "scheme",
            &row.id,
            serde_json::json!({"code": row.code, "version": row.version}),
        )?;
        Ok(row)
    })
}

/// Activates a draft; the version of the same code that was active is retired. Only a draft
/// can be activated (409 otherwise), so an active scheme never changes.
///
/// `reason` is the written reason for the revision. The audit entry records it with the
/// scheme's last impact analysis (the year, the grades and warnings it moves), so that the log
/// shows on what evidence the evaluation system changed. The console requires a reason; the
/// API accepts an activation without one (recorded as none) so that existing integrations
/// keep working, but a reason given must not be blank, and more than 2,000 characters is
/// refused (422 `reason`).
pub fn activate(conn: &mut DbConn, ctx: &Ctx, id: &str, reason: Option<&str>) -> Result<SchemeRow> {
    let reason = match reason.map(str::trim) {
        None => None,
        Some("") => {
            return Err(Error::invalid_field(
                "reason",
                "启用理由不能为空",
                "the reason must not be blank",
            ));
        }
        Some(r) if r.chars().count() > MAX_REASON_CHARS => {
            return Err(Error::invalid_field(
                "reason",
                "启用理由最多 2000 字",
                "the reason has at most 2000 characters",
            ));
        }
        Some(r) => Some(r.to_string()),
    };
    write_transaction(conn, |conn| {
        let row = SchemeRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Scheme))?;
        if status_of(&row)? != SchemeStatus::Draft {
            return Err(Error::conflict(
                ErrorCode::InvalidTransition,
                format!("只有草稿方案可以启用，此方案状态为 {}", row.status),
                format!("only a draft can be activated; this one is {}", row.status),
            ));
        }
        let retired = SchemeRow::active_of_code(conn, &row.code)?.map(|a| a.id);
        let last = SchemeImpactRow::last_of(conn, id)?;
        row.activate(conn, ctx.now())?;
        audit::record(
            conn,
            ctx,
            "scheme.activate",
            "scheme",
            id,
            serde_json::json!({
                "code": row.code,
                "version": row.version,
                "reason": reason,
                "retired": retired,
                "last_impact": last.map(|i| serde_json::json!({
                    "id": i.id,
                    "year": i.year,
                    "baseline_id": i.baseline_id,
                    "at": crate::domain::clock::utc(i.created_at),
                })),
            }),
        )?;
        SchemeRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Scheme))
    })
}

/// The longest activation reason accepted.
pub const MAX_REASON_CHARS: usize = 2000;

/// A new draft for staff: a copy of the active scheme (of `cnca-publicity` when several codes
/// are active, the newest activated) numbered one above the highest version of its code, to
/// be edited and analysed before it is activated. 409 `no_active_scheme` when none is active.
pub fn draft_from_active(conn: &mut DbConn, ctx: &Ctx) -> Result<SchemeRow> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let active = SchemeRow::active(conn)?.ok_or_else(|| Error::of(ErrorCode::NoActiveScheme))?;
    let mut document: serde_json::Value =
        serde_json::from_str(&active.definition).map_err(Error::internal)?;
    let next = SchemeRow::highest_version(conn, &active.code)?.unwrap_or(active.version) + 1;
    document["version"] = serde_json::json!(next);
    create(conn, ctx, document.to_string())
}

/// Replaces a draft's document (validated as on creation, every problem at once: 422). Only a
/// draft changes (409 `invalid_transition` otherwise); its code and version stay (422 when the
/// document names others).
pub fn update_draft(conn: &mut DbConn, ctx: &Ctx, id: &str, document: String) -> Result<SchemeRow> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let scheme = Scheme::from_json(&document).map_err(|e| Error::validation(&e.problems()))?;
    write_transaction(conn, |conn| {
        let row = SchemeRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Scheme))?;
        if status_of(&row)? != SchemeStatus::Draft {
            return Err(Error::conflict(
                ErrorCode::InvalidTransition,
                format!("只有草稿方案可以修改，此方案状态为 {}", row.status),
                format!("only a draft can be changed; this one is {}", row.status),
            ));
        }
        if scheme.code != row.code || i64::from(scheme.version) != i64::from(row.version) {
            return Err(Error::invalid_field(
                "version",
                "修改草稿时不能改变方案代码和版本号",
                "a draft keeps its code and version",
            ));
        }
        SchemeRow::update_definition(conn, id, &scheme.name, &document)?;
        audit::record(
            conn,
            ctx,
            "scheme.update",
            "scheme",
            id,
            serde_json::json!({"code": row.code, "version": row.version}),
        )?;
        SchemeRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Scheme))
    })
}
