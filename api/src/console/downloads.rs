//! The documents of an evaluation, downloaded from the console with the session's cookie (the
//! JSON API's document routes need a bearer header a browser does not send): the ranking as
//! XLSX or CSV (with the page's filters), the annual report as PDF, every letter and every
//! notice in one zip, and one body's letter as HTML or PDF. They call the same
//! `domain::documents` use cases as the API, so the same access rules hold.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use pubeval_reports::{RankingFormat, Typesetter};
use serde::Deserialize;

use super::evaluations::RankingQuery;
use super::notice::disposition;
use super::page::{ConsoleError, html_response};
use super::session::Session;
use crate::domain::documents::{Document, annual, bundle, letter, notice, ranking};
use crate::domain::{self, Error, ErrorCode, evaluations};
use crate::state::AppState;

/// A bundle's format: PDF unless `?format=html` (which needs no font).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BundleQuery {
    /// `html` or `pdf` (the default).
    #[serde(default)]
    pub format: Option<String>,
}

impl BundleQuery {
    fn pdf(&self) -> Result<bool, Error> {
        match self.format.as_deref().map(str::trim) {
            None | Some("") | Some("pdf") => Ok(true),
            Some("html") => Ok(false),
            Some(_) => Err(Error::invalid_field(
                "format",
                "须为 pdf 或 html",
                "format must be pdf or html",
            )),
        }
    }
}

/// A document as a download (or shown in the browser when `inline`).
pub(super) fn deliver(document: Document, media_type: &str, inline: bool) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(disposition(&document, inline))
        .body(document.bytes)
}

/// Renders through the document gate (bounded renders off the async runtime) with the
/// server's typesetter when `needed` (a Chinese error page, 503, when the server has no CJK
/// font).
pub(super) async fn typeset<F>(
    state: &AppState,
    needed: bool,
    render: F,
) -> Result<Document, ConsoleError>
where
    F: FnOnce(Option<&Typesetter>) -> domain::Result<Document> + Send + 'static,
{
    let documents = state.documents.clone();
    let document = state
        .documents
        .gate
        .render(None, move || {
            if needed {
                let typesetter = documents.typesetter_or_503()?;
                render(Some(&typesetter))
            } else {
                render(None)
            }
        })
        .await?;
    Ok(document)
}

async fn ranking_as(
    state: web::Data<AppState>,
    session: Session,
    id: String,
    query: RankingQuery,
    format: RankingFormat,
) -> Result<HttpResponse, ConsoleError> {
    let document = state
        .document(
            &session.principal,
            move |conn, ctx| {
                let rows = ranking::load(conn, ctx, &id, &query.filter()?)?;
                let key = rows.key(format);
                Ok((rows, key))
            },
            move |rows| rows.render(format),
        )
        .await?;
    let media_type = match format {
        RankingFormat::Csv => "text/csv; charset=utf-8",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(deliver(document, media_type, false))
}

/// `GET /console/evaluations/{id}/ranking.xlsx`: the ranking (with the page's filters).
pub async fn ranking_xlsx(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<RankingQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, query) = (id.into_inner(), query.into_inner());
    ranking_as(state, session, id, query, RankingFormat::Xlsx).await
}

/// `GET /console/evaluations/{id}/ranking.csv`: the ranking (with the page's filters).
pub async fn ranking_csv(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<RankingQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, query) = (id.into_inner(), query.into_inner());
    ranking_as(state, session, id, query, RankingFormat::Csv).await
}

/// `GET /console/evaluations/{id}/report.pdf`: the annual evaluation report.
pub async fn annual_pdf(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let document = state
        .typeset_document(
            &session.principal,
            move |conn, ctx| {
                let inputs = annual::load(conn, ctx, &id)?;
                let key = inputs.key("pdf");
                Ok((inputs, key))
            },
            |inputs, typesetter| inputs.pdf(typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", false))
}

/// `GET /console/evaluations/{id}/letters.zip`: every result letter of an evaluation in public
/// notice or final, PDF (`?format=html`: HTML), in one zip.
pub async fn letters_zip(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<BundleQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let pdf = query.pdf()?;
    state.documents.gate.admit(&session.principal)?;
    let batch = state
        .run(&session.principal, move |conn, ctx| {
            bundle::all_letters(conn, ctx, &id)
        })
        .await?;
    let document = typeset(&state, pdf, move |t| bundle::letters(&batch, t)).await?;
    Ok(deliver(document, "application/zip", false))
}

/// `GET /console/evaluations/{id}/notices.zip`: every issued risk warning notice of an
/// evaluation, PDF (`?format=html`: HTML), in one zip.
pub async fn notices_zip(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<BundleQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let pdf = query.pdf()?;
    state.documents.gate.admit(&session.principal)?;
    let (year, notices) = state
        .run(&session.principal, move |conn, ctx| {
            let notices = notice::of_evaluation(conn, ctx, &id)?;
            let year = evaluations::get(conn, ctx, &id)?.year;
            if notices.is_empty() {
                return Err(Error::conflict(
                    ErrorCode::NotPublished,
                    "该评价没有已签发的风险警示通知书",
                    "the evaluation has no issued notice",
                ));
            }
            Ok((year, notices))
        })
        .await?;
    let document = typeset(&state, pdf, move |t| bundle::notices(year, &notices, t)).await?;
    Ok(deliver(document, "application/zip", false))
}

/// `GET /console/evaluations/{id}/results/{body_id}/letter.html`: the printable letter, in the
/// browser (staff any; a body's user its own).
pub async fn letter_html(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, body_id) = path.into_inner();
    let document = state
        .document(
            &session.principal,
            move |conn, ctx| {
                let (batch, index) = letter::readable(conn, ctx, &id, &body_id)?;
                let key = batch.key(index, "html");
                Ok(((batch, index), key))
            },
            |(batch, index)| batch.html(index),
        )
        .await?;
    let shown = disposition(&document, true);
    let body = String::from_utf8(document.bytes).map_err(Error::internal)?;
    let mut response = html_response(StatusCode::OK, body);
    if let Ok(value) = HeaderValue::from_str(&shown.to_string()) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /console/evaluations/{id}/results/{body_id}/letter.pdf`: the letter as PDF.
pub async fn letter_pdf(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, body_id) = path.into_inner();
    let document = state
        .typeset_document(
            &session.principal,
            move |conn, ctx| {
                let (batch, index) = letter::readable(conn, ctx, &id, &body_id)?;
                let key = batch.key(index, "pdf");
                Ok(((batch, index), key))
            },
            |(batch, index), typesetter| batch.pdf(index, typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", false))
}
