//! Documents for one body: the risk warning notice (风险警示通知书) of an issued warning and the
//! result letter (评价结果告知书), as HTML and as PDF, rendered by `domain::documents`.

use actix_web::{HttpResponse, get, web};

use super::reports::deliver;
use crate::domain::documents::{letter as letters, notice as notices};
use crate::domain::policy::Anyone;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// The notice of an issued warning as a printable HTML page (GB/T 9704-2012 layout).
#[utoipa::path(get, path = "/api/v1/warnings/{id}/notice.html", operation_id = "notices_html", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "text/html: the notice, with a Chinese file name", content_type = "text/html"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such warning, not yours, or not issued (drafts and withdrawn warnings have no notice)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
    ))]
#[get("/api/v1/warnings/{id}/notice.html")]
pub async fn notice(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let document = state
        .document(
            &auth,
            move |conn, ctx| {
                let data = notices::readable(conn, ctx, &id)?;
                let key = notices::key(&data, "html");
                Ok((data, Some(key)))
            },
            |data| notices::html(&data),
        )
        .await?;
    Ok(deliver(document, "text/html; charset=utf-8", true))
}

/// The notice of an issued warning as PDF (GB/T 9704-2012 layout, set by typst).
#[utoipa::path(get, path = "/api/v1/warnings/{id}/notice.pdf", operation_id = "notices_pdf", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "application/pdf: the notice, with a Chinese file name", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such warning, not yours, or not issued (drafts and withdrawn warnings have no notice)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/warnings/{id}/notice.pdf")]
pub async fn notice_as_pdf(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let document = state
        .typeset_document(
            &auth,
            move |conn, ctx| {
                let data = notices::readable(conn, ctx, &id)?;
                let key = notices::key(&data, "pdf");
                Ok((data, Some(key)))
            },
            |data, typesetter| notices::pdf(&data, typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", true))
}

/// The result letter (评价结果告知书) of a body, for an evaluation in public notice or final: the
/// staff, and the body's own users.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results/{body_id}/letter.html", operation_id = "letters_html", tag = "evaluations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id"), ("body_id" = String, Path, description = "Body id")),
    responses(
        (status = 200, description = "text/html: the letter with its radar chart, with a Chinese file name", content_type = "text/html"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "External clients (letters go to their bodies)", body = ErrorBody),
        (status = 404, description = "No such evaluation or result, or not yours", body = ErrorBody),
        (status = 409, description = "The evaluation is not in public notice or final", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/results/{body_id}/letter.html")]
pub async fn letter(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, body_id) = path.into_inner();
    let document = state
        .document(
            &auth,
            move |conn, ctx| {
                let (batch, index) = letters::readable(conn, ctx, &id, &body_id)?;
                let key = batch.key(index, "html");
                Ok(((batch, index), key))
            },
            |(batch, index)| batch.html(index),
        )
        .await?;
    Ok(deliver(document, "text/html; charset=utf-8", true))
}

/// The result letter (评价结果告知书) of a body as PDF, under the rules of its HTML form.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results/{body_id}/letter.pdf", operation_id = "letters_pdf", tag = "evaluations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id"), ("body_id" = String, Path, description = "Body id")),
    responses(
        (status = 200, description = "application/pdf: the letter with its radar chart, with a Chinese file name", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "External clients (letters go to their bodies)", body = ErrorBody),
        (status = 404, description = "No such evaluation or result, or not yours", body = ErrorBody),
        (status = 409, description = "The evaluation is not in public notice or final", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/results/{body_id}/letter.pdf")]
pub async fn letter_as_pdf(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, body_id) = path.into_inner();
    let document = state
        .typeset_document(
            &auth,
            move |conn, ctx| {
                let (batch, index) = letters::readable(conn, ctx, &id, &body_id)?;
                let key = batch.key(index, "pdf");
                Ok(((batch, index), key))
            },
            |(batch, index), typesetter| batch.pdf(index, typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", true))
}
