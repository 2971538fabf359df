//! The annual evaluation report (年度宣传工作评价报告) of an evaluation, as HTML and PDF, under
//! the access rules of the ranking it summarises (`domain::documents::annual`).

use actix_web::{HttpResponse, get, web};

use super::reports::deliver;
use crate::domain::documents::annual;
use crate::domain::policy::Anyone;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// The annual evaluation report (年度宣传工作评价报告) as a printable HTML page with its charts.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/report.html", operation_id = "reports_annual_html", tag = "reports",
    params(("id" = String, Path, description = "Evaluation id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "text/html: the report, with a Chinese file name", content_type = "text/html"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not final for a client", body = ErrorBody),
        (status = 409, description = "Still running (`evaluation_running`), or failed (`evaluation_failed`)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/report.html")]
pub async fn annual_report_html(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let document = state
        .document(
            &auth,
            move |conn, ctx| {
                let inputs = annual::load(conn, ctx, &id)?;
                let key = inputs.key("html");
                Ok((inputs, key))
            },
            |inputs| inputs.html(),
        )
        .await?;
    Ok(deliver(document, "text/html; charset=utf-8", true))
}

/// The annual evaluation report (年度宣传工作评价报告) as PDF: summary, charts, categories, both
/// ends of the ranking, warnings issued, borderline bodies, and the scheme as an appendix.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/report.pdf", operation_id = "reports_annual_pdf", tag = "reports",
    params(("id" = String, Path, description = "Evaluation id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "application/pdf: the report, with a Chinese file name", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not final for a client", body = ErrorBody),
        (status = 409, description = "Still running (`evaluation_running`), or failed (`evaluation_failed`)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/report.pdf")]
pub async fn annual_report_pdf(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let document = state
        .typeset_document(
            &auth,
            move |conn, ctx| {
                let inputs = annual::load(conn, ctx, &id)?;
                let key = inputs.key("pdf");
                Ok((inputs, key))
            },
            |inputs, typesetter| inputs.pdf(typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", true))
}
