//! The body's report as an Excel workbook on the console: the year's template to download
//! (pre-filled with its current report) and a filled-in one to upload as a draft, refused on the
//! report page with every problem and its cell.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{ReportPage, Shown, load, own_body, render, shown_on_form};
use crate::console::page::{ConsoleError, Nav, see_other};
use crate::console::session::Session;
use crate::db::DbConn;
use crate::domain::submissions::Precondition;
use crate::domain::{Ctx, Error, ErrorCode, Result, workbooks};
use crate::extract::{Accept, Upload};
use crate::state::AppState;

/// `GET /console/report/{year}/template.xlsx`: the year's Excel template, pre-filled with the
/// body's current report (the same use case as the API's).
pub async fn template(
    state: web::Data<AppState>,
    session: Session,
    year: web::Path<i32>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let year = year.into_inner();
    let document = state
        .run(&session.principal, move |conn, ctx| {
            own_body(ctx)?;
            workbooks::template(conn, ctx, year)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(crate::extract::upload::XLSX)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(crate::download::disposition(
            &document.ascii_name,
            &document.file_name,
            false,
        ))
        .body(document.bytes))
}

/// `POST /console/report/{year}/xlsx`: a filled-in template (a multipart form with `csrf`,
/// `revision` and the file) saved as a draft, exactly as the API saves it; a refusal is shown
/// on the page with every problem and its cell.
pub async fn upload(
    state: web::Data<AppState>,
    session: Session,
    year: web::Path<i32>,
    req: HttpRequest,
    payload: web::Payload,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let year = year.into_inner();
    let nav = Nav::of(&session);
    let read = Upload::read(&req, payload, Accept::Workbook).await;
    if let Ok(upload) = &read {
        session.check_csrf(upload.field("csrf").unwrap_or(""))?;
    }
    let answer = state
        .run(&session.principal, move |conn, ctx| {
            let body = own_body(ctx)?;
            let upload = match read {
                Ok(upload) => upload,
                Err(e) => return refused_upload(conn, ctx, &body, year, nav, e),
            };
            let precondition = match upload.field("revision").and_then(|r| r.trim().parse().ok()) {
                None | Some(0) => Precondition::Absent,
                Some(n) => Precondition::Revision(n),
            };
            match workbooks::upload(conn, ctx, &body, year, precondition, &upload.bytes) {
                Ok(_) => Ok(None),
                Err(e) => refused_upload(conn, ctx, &body, year, nav, e),
            }
        })
        .await?;
    match answer {
        None => Ok(see_other(&format!("/console/report/{year}?done=uploaded"))),
        Some((status, page)) => render(status, &page),
    }
}

/// The page again with an upload's refusal above the form; refusals no page can show (404,
/// 500) stay errors.
fn refused_upload(
    conn: &mut DbConn,
    ctx: &Ctx,
    body: &str,
    year: i32,
    nav: Nav,
    error: Error,
) -> Result<Option<(StatusCode, Box<ReportPage>)>> {
    let on_page = shown_on_form(&error)
        || matches!(
            error.code,
            ErrorCode::BadRequest | ErrorCode::PayloadTooLarge | ErrorCode::UnsupportedMediaType
        );
    if !on_page {
        return Err(error);
    }
    let status =
        StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let shown = if matches!(
        error.code,
        ErrorCode::StaleRevision | ErrorCode::IfMatchRequired
    ) {
        Shown {
            error: Some(error),
            ..Shown::default()
        }
    } else {
        Shown {
            upload_error: Some(error),
            ..Shown::default()
        }
    };
    Ok(Some((
        status,
        Box::new(load(conn, ctx, body, year, nav, shown)?),
    )))
}
