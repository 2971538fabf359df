//! The risk warning notice (风险警示通知书) of an issued warning, as HTML.

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
use crate::db::models::scheme::SchemeRow;
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
    let scheme = SchemeRow::by_id(conn, &evaluation.scheme_id)?
        .ok_or_else(|| ApiError::internal("evaluation names a missing scheme"))?
        .parsed()
        .map_err(ApiError::internal)?;
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
