//! Reading and verifying the audit log.

use actix_web::{HttpResponse, get, web};

use super::{Page, PageQuery, call};
use crate::domain::audit::{self, AuditEntry, Verification};
use crate::domain::policy::{AdminOnly, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// The audit log, newest first.
#[utoipa::path(operation_id = "audit_list", get, path = "/api/v1/audit", tag = "audit", params(PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of entries, newest first", body = Page<AuditEntry>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/audit")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = call(&state, &auth, move |conn, _| {
        audit::page(conn, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total_items,
        page,
        per_page,
    }))
}

/// Verifies the whole chain and names the first entry that breaks it.
#[utoipa::path(operation_id = "audit_verify", get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses(
        (status = 200, description = "The verification (first_broken is null when the chain is intact)", body = Verification),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
#[get("/api/v1/audit/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
) -> Result<HttpResponse, ApiError> {
    let result = call(&state, &auth, |conn, _| audit::verify(conn)).await?;
    Ok(HttpResponse::Ok().json(result))
}
