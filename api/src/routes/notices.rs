//! Documents for one body: the risk warning notice (风险警示通知书) of an issued warning and the
//! result letter (评价结果告知书), as HTML.

use actix_web::{HttpResponse, get, web};
use pubeval_reports::documents::{NoticeData, NoticeFinding, chinese_date, notice_html};
use pubeval_scoring::warning::Finding;

use super::reports::attachment;
use super::with_conn;
use crate::auth::principal::Anyone;
use crate::auth::{Auth, Principal, Role, Scope};
use crate::db::DbConn;
use crate::db::models::body::Body;
use crate::db::models::evaluation::Evaluation;
use crate::db::models::warning::{PUBLISHED, WarningRow};
use crate::error::{ApiError, ErrorBody};
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
fn notice_data(conn: &mut DbConn, warning: &WarningRow) -> Result<NoticeData, ApiError> {
    let body = Body::by_id(conn, &warning.body_id)?
        .ok_or_else(|| ApiError::internal("warning names a missing body"))?;
    let evaluation = Evaluation::by_id(conn, &warning.evaluation_id)?
        .ok_or_else(|| ApiError::internal("warning names a missing evaluation"))?;
    let scheme = super::scheme_of(conn, &evaluation.scheme_id)?;
    let findings: Vec<Finding> =
        serde_json::from_str(&warning.findings).map_err(ApiError::internal)?;
    let label = |list: &[pubeval_scoring::scheme::Labelled], code: &str| {
        list.iter()
            .find(|k| k.code == code)
            .map_or_else(|| code.to_string(), |k| k.label.clone())
    };
    let china = pubeval_scoring::incident::REGULATOR_TIMEZONE;
    let findings = findings
        .iter()
        .map(|f| NoticeFinding {
            name: f.name.clone(),
            summary: f.summary.clone(),
            articles: f.articles_text.clone(),
            incidents: f
                .incidents
                .iter()
                .map(|i| {
                    let when = i.occurred_at.with_timezone(&china);
                    let reported = match i.hours_to_report {
                        Some(h) => format!("事发 {h:.0} 小时后报告"),
                        None => "未向监管部门报告".to_string(),
                    };
                    format!(
                        "{} {}发生“{}”（{}），{reported}",
                        chinese_date(when.date_naive()),
                        when.format("%H:%M"),
                        label(&scheme.incident_kinds, &i.kind),
                        label(&scheme.severities, &i.severity),
                    )
                })
                .collect(),
        })
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
    let (html, notice_no) = with_conn(&state, move |conn| {
        let warning = WarningRow::by_id(conn, &id)?
            .filter(|w| PUBLISHED.contains(&w.status.as_str()) && may_read(&principal, w))
            .ok_or_else(|| ApiError::not_found("风险警示通知书"))?;
        let data = notice_data(conn, &warning)?;
        let html = notice_html(&data).map_err(ApiError::internal)?;
        Ok((html, data.notice_no))
    })
    .await?;
    Ok(attachment(
        html.into_bytes(),
        "text/html; charset=utf-8",
        "notice.html",
        &format!("风险警示通知书（{notice_no}）.html"),
        true,
    ))
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
    match auth.role() {
        Some(Role::Admin | Role::Analyst) => {}
        Some(Role::Body) if auth.own_body() == Some(body_id.as_str()) => {}
        Some(Role::Body) => return Err(ApiError::not_found("评价结果")),
        None => return Err(ApiError::forbidden()),
    }
    let staff = matches!(auth.role(), Some(Role::Admin | Role::Analyst));
    let (html, year, name) = with_conn(&state, move |conn| {
        let evaluation = Evaluation::by_id(conn, &id)?
            .filter(|e| staff || matches!(e.status.as_str(), "public_notice" | "final"))
            .ok_or_else(|| ApiError::not_found("评价"))?;
        let stage = match evaluation.status.as_str() {
            "final" => pubeval_reports::documents::LetterStage::Final,
            "public_notice" => {
                let deadline = evaluation
                    .objection_deadline
                    .unwrap_or_else(crate::db::models::now);
                // The deadline is exclusive: the last day to object is the one before it ends.
                let last = (deadline - chrono::Duration::seconds(1))
                    .and_utc()
                    .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE);
                pubeval_reports::documents::LetterStage::PublicNotice {
                    objection_deadline: last.date_naive(),
                }
            }
            _ => {
                return Err(ApiError::conflict(
                    "not_published",
                    "评价结果尚未公示，无告知书 / the evaluation is not in public notice or final",
                ));
            }
        };
        let scheme = super::scheme_of(conn, &evaluation.scheme_id)?;
        let cohort = super::reports::results_of(conn, &evaluation.id)?;
        let result = cohort
            .iter()
            .find(|r| r.body_id == body_id)
            .ok_or_else(|| ApiError::not_found("评价结果"))?;
        let data = pubeval_reports::documents::LetterData {
            scheme: &scheme,
            result,
            cohort: &cohort,
            year: evaluation.year,
            ranked: cohort.iter().filter(|r| r.rank.is_some()).count(),
            ranked_in_category: cohort
                .iter()
                .filter(|r| r.rank.is_some() && r.category == result.category)
                .count(),
            stage,
            dated: crate::db::models::today(),
        };
        let html = pubeval_reports::documents::letter_html(&data).map_err(ApiError::internal)?;
        Ok((html, evaluation.year, result.name.clone()))
    })
    .await?;
    Ok(attachment(
        html.into_bytes(),
        "text/html; charset=utf-8",
        "letter.html",
        &format!("{year}年度宣传工作评价结果告知书（{name}）.html"),
        true,
    ))
}
