//! Documents for one body: the risk warning notice (风险警示通知书) of an issued warning and the
//! result letter (评价结果告知书), as HTML and as PDF.

use actix_web::{HttpResponse, get, web};
use pubeval_reports::documents::{
    LetterData, LetterStage, NoticeData, NoticeFinding, letter_html, letter_pdf, notice_html,
    notice_pdf,
};
use pubeval_scoring::warning::Finding;
use pubeval_scoring::{BodyResult, Scheme};

use super::reports::attachment;
use super::with_conn;
use crate::auth::{Principal, Role, Scope};
use crate::db::DbConn;
use crate::db::models::body::Body;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::warning::{PUBLISHED, WarningRow};
use crate::domain::policy::Anyone;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// Working days a body has to state its case (陈述、申辩).
pub const DEFENCE_DAYS: u32 = 5;

/// Staff see every issued notice; a body its own; a client with `warnings:read` any issued one.
fn may_read(principal: &Principal, warning: &WarningRow) -> bool {
    match principal.role() {
        Some(Role::Admin | Role::Analyst) => true,
        Some(Role::Body) => principal.own_body() == Some(warning.body_id.as_str()),
        None => principal.has_scope(Scope::WarningsRead),
    }
}

/// What the notice says, from the stored warning, body, evaluation and scheme.
pub fn notice_data(conn: &mut DbConn, warning: &WarningRow) -> Result<NoticeData, ApiError> {
    let body = Body::by_id(conn, &warning.body_id)?
        .ok_or_else(|| ApiError::internal("warning names a missing body"))?;
    let evaluation = Evaluation::by_id(conn, &warning.evaluation_id)?
        .ok_or_else(|| ApiError::internal("warning names a missing evaluation"))?;
    let scheme = super::scheme_of(conn, &evaluation.scheme_id)?;
    let findings: Vec<Finding> =
        serde_json::from_str(&warning.findings).map_err(ApiError::internal)?;
    let findings = findings
        .iter()
        .map(|f| NoticeFinding::from_finding(&scheme, f))
        .collect();
    let (Some(notice_no), Some(issued_on), Some(deadline)) = (
        warning.notice_no.clone(),
        warning.issued_on,
        warning.deadline,
    ) else {
        return Err(ApiError::internal(
            "an issued warning lacks its notice number or dates",
        ));
    };
    let level = warning.level.clamp(1, 3) as u8;
    Ok(NoticeData {
        notice_no,
        body_name: body.name,
        approval_no: body.approval_no,
        year: evaluation.year,
        level,
        level_name: scheme.level_name(level).to_string(),
        findings,
        issued_on,
        deadline,
        defence_days: DEFENCE_DAYS,
    })
}

/// The notice of warning `id` if the caller may read it.
fn readable_notice(
    conn: &mut DbConn,
    principal: &Principal,
    id: &str,
) -> Result<NoticeData, ApiError> {
    let warning = WarningRow::by_id(conn, id)?
        .filter(|w| PUBLISHED.contains(&w.status.as_str()) && may_read(principal, w))
        .ok_or_else(|| ApiError::not_found("风险警示通知书"))?;
    notice_data(conn, &warning)
}

/// The Chinese file name of a notice.
pub fn notice_file_name(notice_no: &str, extension: &str) -> String {
    format!("风险警示通知书（{notice_no}）.{extension}")
}

/// The notice of an issued warning as a printable HTML page (GB/T 9704-2012 layout).
#[utoipa::path(get, path = "/api/v1/warnings/{id}/notice.html", operation_id = "notices_html", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "text/html: the notice, with a Chinese file name", content_type = "text/html"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such warning, not yours, or not issued (drafts and withdrawn warnings have no notice)", body = ErrorBody),
    ))]
#[get("/api/v1/warnings/{id}/notice.html")]
pub async fn notice(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.principal.clone();
    let id = id.into_inner();
    let data = with_conn(&state, move |conn| readable_notice(conn, &principal, &id)).await?;
    let html = notice_html(&data).map_err(ApiError::internal)?;
    Ok(attachment(
        html.into_bytes(),
        "text/html; charset=utf-8",
        "notice.html",
        &notice_file_name(&data.notice_no, "html"),
        true,
    ))
}

/// The notice of an issued warning as PDF (GB/T 9704-2012 layout, set by typst).
#[utoipa::path(get, path = "/api/v1/warnings/{id}/notice.pdf", operation_id = "notices_pdf", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "application/pdf: the notice, with a Chinese file name", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such warning, not yours, or not issued (drafts and withdrawn warnings have no notice)", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/warnings/{id}/notice.pdf")]
pub async fn notice_as_pdf(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.principal.clone();
    let id = id.into_inner();
    let data = with_conn(&state, move |conn| readable_notice(conn, &principal, &id)).await?;
    let documents = state.documents.clone();
    let (pdf, notice_no) = web::block(move || {
        let typesetter = documents.typesetter_or_503()?;
        let pdf = notice_pdf(&data, &typesetter).map_err(ApiError::internal)?;
        Ok::<_, ApiError>((pdf, data.notice_no))
    })
    .await??;
    Ok(attachment(
        pdf,
        "application/pdf",
        "notice.pdf",
        &notice_file_name(&notice_no, "pdf"),
        true,
    ))
}

/// Every result of an evaluation with what its letters share: the material of one letter or
/// of all of them.
pub struct LetterBatch {
    /// The scheme.
    pub scheme: Scheme,
    /// Every result, in ranking order.
    pub cohort: Vec<BodyResult>,
    /// The evaluation year.
    pub year: i32,
    /// Public notice or final.
    pub stage: LetterStage,
    /// The letters' date.
    pub dated: chrono::NaiveDate,
}

impl LetterBatch {
    /// The letters of an evaluation in public notice or final (409 otherwise).
    pub fn load(conn: &mut DbConn, evaluation: &Evaluation) -> Result<LetterBatch, ApiError> {
        let stage = match evaluation.status.as_str() {
            "final" => LetterStage::Final,
            "public_notice" => {
                let deadline = evaluation
                    .objection_deadline
                    .unwrap_or_else(crate::db::models::now);
                // The deadline is exclusive: the last day to object is the one before it ends.
                let last = (deadline - chrono::Duration::seconds(1))
                    .and_utc()
                    .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE);
                LetterStage::PublicNotice {
                    objection_deadline: last.date_naive(),
                }
            }
            _ => {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::NotPublished,
                    "评价结果尚未公示，无告知书 / the evaluation is not in public notice or final",
                ));
            }
        };
        Ok(LetterBatch {
            scheme: super::scheme_of(conn, &evaluation.scheme_id)?,
            cohort: super::reports::results_of(conn, &evaluation.id)?,
            year: evaluation.year,
            stage,
            dated: crate::db::models::today(),
        })
    }

    /// The position of a body's result.
    pub fn position(&self, body_id: &str) -> Option<usize> {
        self.cohort.iter().position(|r| r.body_id == body_id)
    }

    /// The letter of the result at `index`.
    pub fn letter(&self, index: usize) -> LetterData<'_> {
        let result = &self.cohort[index];
        LetterData {
            scheme: &self.scheme,
            result,
            cohort: &self.cohort,
            year: self.year,
            stage: self.stage,
            dated: self.dated,
        }
    }

    /// The Chinese file name of the letter at `index`.
    pub fn file_name(&self, index: usize, extension: &str) -> String {
        format!(
            "{}年度宣传工作评价结果告知书（{}）.{extension}",
            self.year, self.cohort[index].name
        )
    }
}

/// The letters a caller may read: staff any evaluation's, a body's users their own once public.
fn readable_letters(
    conn: &mut DbConn,
    principal: &Principal,
    id: &str,
    body_id: &str,
) -> Result<(LetterBatch, usize), ApiError> {
    let staff = match principal.role() {
        Some(Role::Admin | Role::Analyst) => true,
        Some(Role::Body) if principal.own_body() == Some(body_id) => false,
        Some(Role::Body) => return Err(ApiError::not_found("评价结果")),
        None => return Err(ApiError::forbidden()),
    };
    let evaluation = Evaluation::by_id(conn, id)?
        .filter(|e| staff || matches!(e.status.as_str(), "public_notice" | "final"))
        .ok_or_else(|| ApiError::not_found("评价"))?;
    let batch = LetterBatch::load(conn, &evaluation)?;
    let index = batch
        .position(body_id)
        .ok_or_else(|| ApiError::not_found("评价结果"))?;
    Ok((batch, index))
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
    ))]
#[get("/api/v1/evaluations/{id}/results/{body_id}/letter.html")]
pub async fn letter(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, body_id) = path.into_inner();
    let principal = auth.principal.clone();
    let (html, name) = with_conn(&state, move |conn| {
        let (batch, index) = readable_letters(conn, &principal, &id, &body_id)?;
        let html = letter_html(&batch.letter(index)).map_err(ApiError::internal)?;
        Ok((html, batch.file_name(index, "html")))
    })
    .await?;
    Ok(attachment(
        html.into_bytes(),
        "text/html; charset=utf-8",
        "letter.html",
        &name,
        true,
    ))
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
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/results/{body_id}/letter.pdf")]
pub async fn letter_as_pdf(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, body_id) = path.into_inner();
    let principal = auth.principal.clone();
    let (batch, index) = with_conn(&state, move |conn| {
        readable_letters(conn, &principal, &id, &body_id)
    })
    .await?;
    let documents = state.documents.clone();
    let (pdf, name) = web::block(move || {
        let typesetter = documents.typesetter_or_503()?;
        let pdf = letter_pdf(&batch.letter(index), &typesetter).map_err(ApiError::internal)?;
        Ok::<_, ApiError>((pdf, batch.file_name(index, "pdf")))
    })
    .await??;
    Ok(attachment(
        pdf,
        "application/pdf",
        "letter.pdf",
        &name,
        true,
    ))
}
