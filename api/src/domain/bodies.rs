//! The body registry (认证机构名录): register, list with filters, read, update. Staff write
//! it; a body user reads only its own entry; clients with `bodies:read` read every entry.

use chrono::NaiveDate;
use pubeval_scoring::Category;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::models::body::{Body, BodyFilter};
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::audit;
use crate::domain::states::BodyStatus;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, TextEnum};

/// The longest name, in characters.
const MAX_NAME: usize = 200;
/// The longest province, in characters.
const MAX_PROVINCE: usize = 40;
/// The longest approval number, in characters.
const MAX_APPROVAL_NO: usize = 40;

/// A new body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBody {
    /// Approval number, unique (letters, digits and hyphens).
    #[schema(example = "CNCA-R-2002-001")]
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category.
    #[schema(value_type = String, example = "management_system")]
    pub category: Category,
    /// Province.
    pub province: String,
    /// Approved on.
    pub approved_on: NaiveDate,
}

/// Changes to a body; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyChanges {
    /// Name.
    pub name: Option<String>,
    /// Category.
    #[schema(value_type = Option<String>)]
    pub category: Option<Category>,
    /// Province.
    pub province: Option<String>,
    /// Approved on.
    pub approved_on: Option<NaiveDate>,
    /// Status.
    pub status: Option<BodyStatus>,
    /// When the status changed (defaults to today when the status changes).
    pub status_changed_on: Option<NaiveDate>,
}

/// What a list of bodies is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct BodySearch {
    /// Only this category.
    pub category: Option<String>,
    /// Only this province.
    pub province: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Name or approval number containing this text.
    pub text: Option<String>,
}

/// A required text: trimmed, 1 to `max` characters.
fn check_text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(Error::invalid_field(
            field,
            &format!("须为 1 至 {max} 个字符"),
            &format!("must be 1 to {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// An approval number as the registry keeps it: trimmed, letters, digits and hyphens.
pub fn check_approval_no(value: &str) -> Result<String> {
    let v = check_text("approval_no", value, MAX_APPROVAL_NO)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::invalid_field(
            "approval_no",
            "批准号只能含字母、数字和连字符，如 CNCA-R-2002-001",
            "approval_no may hold letters, digits and hyphens, e.g. CNCA-R-2002-001",
        ));
    }
    Ok(v)
}

fn approval_no_taken(approval_no: &str) -> Error {
    Error::conflict(
        ErrorCode::ApprovalNoTaken,
        format!("批准号 {approval_no} 已登记"),
        format!("approval number {approval_no} is already registered"),
    )
}

/// Registers a body, active. Two registrations of one approval number race on the unique key:
/// the loser gets 409 `approval_no_taken`, like a registration that comes later.
pub fn create(conn: &mut DbConn, ctx: &Ctx, new: NewBody) -> Result<Body> {
    let approval_no = check_approval_no(&new.approval_no)?;
    let name = check_text("name", &new.name, MAX_NAME)?;
    let province = check_text("province", &new.province, MAX_PROVINCE)?;
    write_transaction(conn, |conn| {
        if Body::by_approval_no(conn, &approval_no)?.is_some() {
            return Err(approval_no_taken(&approval_no));
        }
        let at = ctx.now();
        let body = Body {
            id: new_id(),
            approval_no: approval_no.clone(),
            name,
            category: new.category.code().to_string(),
            province,
            approved_on: new.approved_on,
            status: BodyStatus::Active.as_str().to_string(),
            status_changed_on: None,
            created_at: at,
            updated_at: at,
        };
        body.insert(conn)
            .map_err(|e| Error::from(e).on_unique(|| approval_no_taken(&approval_no)))?;
        audit::record(
            conn,
            ctx,
            "body.create",
            "body",
            &body.id,
            serde_json::json!({
                "approval_no": body.approval_no, "name": body.name, "category": body.category,
                "province": body.province, "approved_on": body.approved_on,
            }),
        )?;
        Ok(body)
    })
}

/// A page of bodies in approval-number order; a body user's list holds its own body only.
pub fn page(
    conn: &mut DbConn,
    ctx: &Ctx,
    search: BodySearch,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Body>, i64)> {
    let filter = BodyFilter {
        category: search.category,
        province: search.province,
        status: search.status,
        text: search.text.filter(|t| !t.trim().is_empty()),
        only: ctx.viewer().restricted_to_body().map(str::to_string),
    };
    Ok(Body::page(conn, &filter, offset, limit)?)
}

/// One body's registry entry (a body user only its own: another's is 404).
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Body> {
    ctx.viewer().body_entry(id)?;
    Body::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Body))
}

/// Changes a body's registry entry; a change of status is dated (today on the regulator's
/// calendar unless a date is given).
pub fn update(conn: &mut DbConn, ctx: &Ctx, id: &str, changes: BodyChanges) -> Result<Body> {
    let name = changes
        .name
        .as_deref()
        .map(|n| check_text("name", n, MAX_NAME))
        .transpose()?;
    let province = changes
        .province
        .as_deref()
        .map(|p| check_text("province", p, MAX_PROVINCE))
        .transpose()?;
    write_transaction(conn, |conn| {
        let mut body = Body::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Body))?;
        let before = serde_json::json!({"name": body.name, "category": body.category,
            "province": body.province, "approved_on": body.approved_on, "status": body.status});
        if let Some(n) = name {
            body.name = n;
        }
        if let Some(c) = changes.category {
            body.category = c.code().to_string();
        }
        if let Some(p) = province {
            body.province = p;
        }
        if let Some(d) = changes.approved_on {
            body.approved_on = d;
        }
        if let Some(s) = changes.status
            && s.as_str() != body.status
        {
            body.status = s.as_str().to_string();
            body.status_changed_on = Some(changes.status_changed_on.unwrap_or_else(|| ctx.today()));
        }
        body.updated_at = ctx.now();
        body.save(conn)?;
        audit::record(
            conn,
            ctx,
            "body.update",
            "body",
            &body.id,
            serde_json::json!({
                "before": before,
                "after": {"name": body.name, "category": body.category, "province": body.province,
                    "approved_on": body.approved_on, "status": body.status,
                    "status_changed_on": body.status_changed_on},
            }),
        )?;
        Ok(body)
    })
}
