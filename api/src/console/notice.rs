//! `/console/warnings/{id}/notice.html` and `/console/warnings/{id}/notice.pdf`: the notice
//! (风险警示通知书) of an issued warning in the browser, for staff and the warned body alike —
//! the domain decides who may read it (another body's, or a draft's, is a 404 page).

use actix_web::http::header::ContentDisposition;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};

use super::page::{ConsoleError, html_response};
use super::session::Session;
use crate::domain::Error;
use crate::domain::documents::{Document, notice};
use crate::state::AppState;

/// The `Content-Disposition` of a document: its Chinese file name with an ASCII fallback, made
/// safe by [`crate::download::disposition`]; `inline` opens it in the browser, else it is
/// downloaded.
pub fn disposition(document: &Document, inline: bool) -> ContentDisposition {
    crate::download::disposition(&document.ascii_name, &document.file_name, inline)
}

/// `GET /console/warnings/{id}/notice.html`: the printable notice, in the browser.
pub async fn html(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let document = state
        .document(
            &session.principal,
            move |conn, ctx| {
                let data = notice::readable(conn, ctx, &id)?;
                let key = notice::key(&data, "html");
                Ok((data, Some(key)))
            },
            |data| notice::html(&data),
        )
        .await?;
    let disposition = disposition(&document, true);
    let body = String::from_utf8(document.bytes).map_err(Error::internal)?;
    let mut response = html_response(StatusCode::OK, body);
    if let Ok(value) = header::HeaderValue::from_str(&disposition.to_string()) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /console/warnings/{id}/notice.pdf`: the notice as PDF, downloaded; a Chinese error page
/// (503) when the server has no CJK font.
pub async fn pdf(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let document = state
        .typeset_document(
            &session.principal,
            move |conn, ctx| {
                let data = notice::readable(conn, ctx, &id)?;
                let key = notice::key(&data, "pdf");
                Ok((data, Some(key)))
            },
            |data, typesetter| notice::pdf(&data, typesetter),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(disposition(&document, false))
        .body(document.bytes))
}
