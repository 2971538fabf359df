//! A body's `/console/warnings`: its own issued warnings (风险警示), and
//! `/console/warnings/{id}`: the findings, the notice (previewed here, printable as HTML,
//! downloadable as PDF), 确认收到 (acknowledge) and the rectification report (整改报告), each
//! offered only when the warning's state allows it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use pubeval_reports::documents::NoticeData;
use serde::Deserialize;

use super::home::china_time;
use super::page::{ConsoleError, Nav, chinese_part, html, html_response, see_other};
use super::session::Session;
use crate::domain::documents::notice;
use crate::domain::warnings::{self, Warning, WarningQuery, status_zh};
use crate::domain::{Error, ErrorCode, Result};
use crate::state::AppState;
use crate::states::{StateMachine, TextEnum, WarningAction, WarningStatus};

/// How many warnings a page lists.
const PER_PAGE: i64 = 50;

/// The body's list has no filters (it holds a handful of warnings); only its page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// The page, from 1.
    pub page: Option<String>,
}

/// One warning in the body's list.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its page.
    pub href: String,
    /// 认宣警〔YYYY〕N号.
    pub notice_no: String,
    /// The evaluation year.
    pub year: i32,
    /// The level with its name.
    pub level: String,
    /// Its state in Chinese.
    pub status_zh: &'static str,
    /// Issued on.
    pub issued_on: String,
    /// The rectification deadline.
    pub deadline: String,
    /// Past its deadline and not yet rectified.
    pub overdue: bool,
    /// What the body has to do now, or empty.
    pub todo: &'static str,
}

#[derive(Template)]
#[template(path = "console/warning_body_list.html")]
struct ListPage {
    nav: Option<Nav>,
    rows: Vec<Row>,
    total: i64,
}

/// One step of a warning's history.
#[derive(Debug, Clone)]
pub struct Step {
    /// When (China time).
    pub at: String,
    /// The state it led to, in Chinese.
    pub to_zh: &'static str,
    /// Its text (the rectification report, a comment), if any.
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/warning_body_detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    id: String,
    row: Row,
    notice: NoticeData,
    steps: Vec<Step>,
    can_acknowledge: bool,
    can_rectify: bool,
    report: String,
    report_error: Option<String>,
    general_error: Option<String>,
    done: Option<&'static str>,
}

/// What the page's body has to do next.
fn todo_of(status: WarningStatus) -> &'static str {
    if status.next(WarningAction::Acknowledge).is_some() {
        "请确认收到"
    } else if status.next(WarningAction::SubmitRectification).is_some() {
        "请提交整改报告"
    } else {
        ""
    }
}

fn row_of(w: &Warning, level_name: &str) -> Result<Row> {
    let status = WarningStatus::parse_stored(&w.listing.warning.status)?;
    let warning = &w.listing.warning;
    Ok(Row {
        href: format!("/console/warnings/{}", warning.id),
        notice_no: warning.notice_no.clone().unwrap_or_default(),
        year: w.listing.year,
        level: format!("{} 级（{level_name}）", warning.level),
        status_zh: status_zh(status),
        issued_on: warning.issued_on.map(|d| d.to_string()).unwrap_or_default(),
        deadline: warning.deadline.map(|d| d.to_string()).unwrap_or_default(),
        overdue: w.overdue,
        todo: todo_of(status),
    })
}

fn level_name(level: i32) -> &'static str {
    match level {
        3 => "严重警示",
        2 => "警示",
        _ => "提示",
    }
}

/// `GET /console/warnings` for a body's user.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ListQuery>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let page: i64 = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .filter(|p: &i64| *p >= 1)
        .unwrap_or(1);
    let (rows, total) = state
        .run(&session.principal, move |conn, ctx| {
            let (items, total) = warnings::list(
                conn,
                ctx,
                WarningQuery::default(),
                (page - 1) * PER_PAGE,
                PER_PAGE,
            )?;
            let rows = items
                .iter()
                .map(|w| row_of(w, level_name(w.listing.warning.level)))
                .collect::<Result<Vec<_>>>()?;
            Ok((rows, total))
        })
        .await?;
    html(&ListPage {
        nav: Some(Nav::of(&session)),
        rows,
        total,
    })
}

/// `?done=`: what the last POST did.
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /console/warnings/{id}` for a body's user.
pub async fn detail(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    query: web::Query<Done>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let done = match query.done.as_deref() {
        Some("received") => Some("已确认收到。请在整改期限内提交整改报告。"),
        Some("rectified") => Some("整改报告已提交，请等待评价人员审核。"),
        _ => None,
    };
    let shown = Shown {
        done,
        ..Shown::default()
    };
    show(&state, &session, id.into_inner(), shown).await
}

/// The page of one warning, with what a refused POST left on it.
async fn show(
    state: &web::Data<AppState>,
    session: &Session,
    id: String,
    shown: Shown,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let status = shown.status;
    let nav = Nav::of(session);
    let page = state
        .run(&session.principal, move |conn, ctx| {
            let warning = warnings::get(conn, ctx, &id)?;
            let notice = notice::readable(conn, ctx, &id)?;
            let row = row_of(&warning, &notice.level_name)?;
            let state = WarningStatus::parse_stored(&warning.listing.warning.status)?;
            let steps = warning
                .events
                .unwrap_or_default()
                .iter()
                .map(|e| Step {
                    at: china_time(e.at),
                    to_zh: WarningStatus::parse(&e.to_status).map_or("", status_zh),
                    text: e.text.clone().unwrap_or_default(),
                })
                .collect();
            Ok(DetailPage {
                csrf: nav.csrf.clone(),
                nav: Some(nav),
                id,
                row,
                notice,
                steps,
                can_acknowledge: state.next(WarningAction::Acknowledge).is_some(),
                can_rectify: state.next(WarningAction::SubmitRectification).is_some(),
                report: shown.report,
                report_error: shown.report_error,
                general_error: shown.general_error,
                done: shown.done,
            })
        })
        .await?;
    Ok(html_response(
        status.unwrap_or(StatusCode::OK),
        page.render()?,
    ))
}

/// What a refused POST leaves on the page.
#[derive(Default)]
struct Shown {
    status: Option<StatusCode>,
    report: String,
    report_error: Option<String>,
    general_error: Option<String>,
    done: Option<&'static str>,
}

/// The acknowledge form.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// The rectification form.
#[derive(Debug, Deserialize)]
pub struct RectificationForm {
    csrf: String,
    #[serde(default)]
    report: String,
}

/// A refusal the page shows beside its form (a state that no longer allows the step, a report
/// too long or empty) rather than as an error page.
fn on_page(e: &Error) -> bool {
    matches!(
        e.code,
        ErrorCode::ValidationFailed | ErrorCode::InvalidTransition
    )
}

/// `POST /console/warnings/{id}/acknowledge`: 确认收到.
pub async fn acknowledge(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let id = id.into_inner();
    let target = id.clone();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            Ok(warnings::acknowledge(conn, ctx, &target))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/console/warnings/{id}?done=received"))),
        Err(e) if on_page(&e) => {
            let shown = Shown {
                status: StatusCode::from_u16(e.code.status()).ok(),
                general_error: Some(chinese_part(&e.message).to_string()),
                ..Shown::default()
            };
            show(&state, &session, id, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/warnings/{id}/rectification`: the rectification report.
pub async fn rectification(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RectificationForm>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let id = id.into_inner();
    let target = id.clone();
    let report = form.into_inner().report;
    let text = report.clone();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            Ok(warnings::rectification(conn, ctx, &target, &text))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/console/warnings/{id}?done=rectified"))),
        Err(e) if on_page(&e) => {
            let beside = e
                .details
                .iter()
                .find(|d| d.field == "report")
                .map(|d| chinese_part(&d.problem).to_string());
            let shown = Shown {
                status: StatusCode::from_u16(e.code.status()).ok(),
                general_error: beside
                    .is_none()
                    .then(|| chinese_part(&e.message).to_string()),
                report_error: beside,
                report,
                done: None,
            };
            show(&state, &session, id, shown).await
        }
        Err(e) => Err(e.into()),
    }
}
