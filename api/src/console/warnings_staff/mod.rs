//! The analysts' `/console/warnings` — every warning, filtered by level, status, overdue and
//! year, a page at a time — and `/console/warnings/{id}`: its findings, its notice, its history
//! and a form for each action its state allows. The dispatcher in `warnings.rs` sends staff
//! here.

mod actions;
pub(super) mod kit;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use pubeval_reports::documents::NoticeFinding;
use pubeval_scoring::Scheme;
use serde::Deserialize;

pub use self::actions::{close, escalate, issue, send_back, withdraw};
use self::kit::{Choice, FieldErrors, PER_PAGE, Pager, given, number, page_of, require};
use super::home::china_time;
use super::page::{ConsoleError, Nav, html, html_response};
use super::session::Session;
use crate::domain::documents::notice;
use crate::domain::policy::Staff;
use crate::domain::warnings::{self, Warning, WarningQuery, status_zh};
use crate::domain::{Error, Result};
use crate::state::AppState;
use crate::states::{StateMachine, TextEnum, WarningAction, WarningStatus};

/// The filters and page of the analysts' list, as the query string names them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// Level 1–3.
    pub level: Option<String>,
    /// A [`WarningStatus`] code.
    pub status: Option<String>,
    /// `true`: only overdue ones; `false`: only those not overdue.
    pub overdue: Option<String>,
    /// The evaluation year.
    pub year: Option<String>,
    /// The page, from 1.
    pub page: Option<String>,
}

/// One warning in the list.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its page.
    pub href: String,
    /// 认宣警〔YYYY〕N号, or empty for a draft.
    pub notice_no: String,
    /// The body's name.
    pub body: String,
    /// The body's approval number.
    pub approval_no: String,
    /// The evaluation year.
    pub year: i32,
    /// The level with its name.
    pub level: String,
    /// The status in Chinese.
    pub status: &'static str,
    /// The rectification deadline, or empty.
    pub deadline: String,
    /// Past the deadline while the body still owes an answer.
    pub overdue: bool,
    /// Marked for review: issuing needs a written confirmation.
    pub review: bool,
}

#[derive(Template)]
#[template(path = "console/warning_staff_list.html")]
struct ListPage {
    nav: Option<Nav>,
    rows: Vec<Row>,
    levels: Vec<Choice>,
    statuses: Vec<Choice>,
    overdue: Vec<Choice>,
    year: String,
    pager: Pager,
}

/// "2 级（警示）".
fn level_text(scheme: &Scheme, level: i32) -> String {
    let name = u8::try_from(level).map_or("", |l| scheme.level_name(l));
    if name.is_empty() {
        format!("{level} 级")
    } else {
        format!("{level} 级（{name}）")
    }
}

fn status_of(code: &Option<String>) -> Result<Option<WarningStatus>> {
    given(code)
        .map(|c| {
            WarningStatus::parse(&c)
                .ok_or_else(|| Error::invalid_field("status", "未知的状态", "unknown status"))
        })
        .transpose()
}

fn overdue_of(value: &Option<String>) -> Result<Option<bool>> {
    match given(value).as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(Error::invalid_field(
            "overdue",
            "须为“是”或“否”",
            "must be true or false",
        )),
    }
}

/// `GET /console/warnings` for staff: every warning, filtered, a page at a time.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    let q = query.into_inner();
    let level = number("level", &q.level)?;
    let status = status_of(&q.status)?;
    let overdue = overdue_of(&q.overdue)?;
    let year = number("year", &q.year)?;
    let (page, offset) = page_of(&q.page)?;
    let query = WarningQuery {
        evaluation: None,
        status,
        body_id: None,
        level,
        overdue,
    };
    let (items, total) = state
        .run(&session.principal, move |conn, ctx| {
            warnings::list_in_year(conn, ctx, query, year, offset, PER_PAGE)
        })
        .await?;
    let scheme = Scheme::default_scheme();
    let rows = items.iter().map(|w| row(&scheme, w)).collect();
    let current = |v: &Option<String>| given(v).unwrap_or_default();
    let (level_now, status_now, overdue_now) =
        (current(&q.level), current(&q.status), current(&q.overdue));
    let mut levels = vec![Choice::new("", "全部", &level_now)];
    levels.extend((1..=3).map(|l| Choice::new(l.to_string(), level_text(&scheme, l), &level_now)));
    let mut statuses = vec![Choice::new("", "全部", &status_now)];
    statuses.extend(
        <WarningStatus as TextEnum>::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), status_zh(*s), &status_now)),
    );
    let params = [
        ("level", level_now.clone()),
        ("status", status_now.clone()),
        ("overdue", overdue_now.clone()),
        ("year", current(&q.year)),
    ];
    html(&ListPage {
        nav: Some(Nav::of(&session)),
        rows,
        levels,
        statuses,
        overdue: vec![
            Choice::new("", "全部", &overdue_now),
            Choice::new("true", "已逾期", &overdue_now),
            Choice::new("false", "未逾期", &overdue_now),
        ],
        year: current(&q.year),
        pager: Pager::new("/console/warnings", &params, page, total),
    })
}

fn row(scheme: &Scheme, w: &Warning) -> Row {
    let warning = &w.listing.warning;
    Row {
        href: format!("/console/warnings/{}", warning.id),
        notice_no: warning.notice_no.clone().unwrap_or_default(),
        body: w.listing.name.clone(),
        approval_no: w.listing.approval_no.clone(),
        year: w.listing.year,
        level: level_text(scheme, warning.level),
        status: WarningStatus::parse(&warning.status).map_or("", status_zh),
        deadline: warning.deadline.map(|d| d.to_string()).unwrap_or_default(),
        overdue: w.overdue,
        review: warning.review_required != 0,
    }
}

/// One step of a warning's history.
#[derive(Debug, Clone)]
pub struct EventLine {
    /// When, on the regulator's calendar.
    pub at: String,
    /// Who.
    pub actor: String,
    /// From which status to which, in Chinese.
    pub change: String,
    /// The reason, comment, confirmation or report.
    pub text: String,
}

/// An action refused on the warning's page: what went wrong, beside the fields, and what was
/// typed, each keyed `action.field`.
#[derive(Debug, Clone)]
pub(super) struct Refusal {
    status: StatusCode,
    message: String,
    errors: FieldErrors,
    values: BTreeMap<String, String>,
}

#[derive(Template)]
#[template(path = "console/warning_staff_detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    id: String,
    notice_no: String,
    body: String,
    body_href: String,
    approval_no: String,
    year: i32,
    level: String,
    status: &'static str,
    review: bool,
    issued_on: String,
    deadline: String,
    overdue: bool,
    internal_note: String,
    findings: Vec<NoticeFinding>,
    events: Vec<EventLine>,
    published: bool,
    can_issue: bool,
    can_withdraw: bool,
    can_close: bool,
    can_send_back: bool,
    can_escalate: bool,
    error: String,
    errors: FieldErrors,
    values: BTreeMap<String, String>,
    default_deadline: String,
}

impl DetailPage {
    /// What was typed into a field of a refused form ("" otherwise).
    fn typed(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    /// The problem of a field of a refused form ("" otherwise).
    fn problem(&self, key: &str) -> &str {
        self.errors.get(key).map_or("", String::as_str)
    }
}

/// `GET /console/warnings/{id}` for staff.
pub async fn detail(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    show(&state, &session, &id.into_inner(), None).await
}

/// The warning's page, with a refused action's problems when there is one.
pub(super) async fn show(
    state: &AppState,
    session: &Session,
    id: &str,
    refusal: Option<Refusal>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.to_string();
    let (warning, (level_name, findings), today) = state
        .run(&session.principal, move |conn, ctx| {
            let w = warnings::get(conn, ctx, &id)?;
            let f = notice::findings(conn, &w.listing.warning)?;
            Ok((w, f, ctx.today()))
        })
        .await?;
    let row = &warning.listing.warning;
    let status = WarningStatus::parse_stored(&row.status).map_err(Error::from)?;
    let can = |a: WarningAction| status.next(a).is_some();
    let name = |code: &str| WarningStatus::parse(code).map_or("", status_zh);
    let events = warning
        .events
        .iter()
        .flatten()
        .map(|e| EventLine {
            at: china_time(e.at),
            actor: e.actor.clone(),
            change: format!("{} → {}", name(&e.from_status), name(&e.to_status)),
            text: e.text.clone().unwrap_or_default(),
        })
        .collect();
    let (code, error, errors, values) = match refusal {
        Some(r) => (r.status, r.message, r.errors, r.values),
        None => (
            StatusCode::OK,
            String::new(),
            FieldErrors::new(),
            BTreeMap::new(),
        ),
    };
    let level = if level_name.is_empty() {
        format!("{} 级", row.level)
    } else {
        format!("{} 级（{level_name}）", row.level)
    };
    let page = DetailPage {
        nav: Some(Nav::of(session)),
        id: row.id.clone(),
        notice_no: row.notice_no.clone().unwrap_or_default(),
        body: warning.listing.name.clone(),
        body_href: format!("/console/bodies/{}", row.body_id),
        approval_no: warning.listing.approval_no.clone(),
        year: warning.listing.year,
        level,
        status: status_zh(status),
        review: row.review_required != 0,
        issued_on: row.issued_on.map(|d| d.to_string()).unwrap_or_default(),
        deadline: row.deadline.map(|d| d.to_string()).unwrap_or_default(),
        overdue: warning.overdue,
        internal_note: row.internal_note.clone().unwrap_or_default(),
        findings,
        events,
        published: status.is_published(),
        can_issue: can(WarningAction::Issue),
        can_withdraw: can(WarningAction::Withdraw),
        can_close: can(WarningAction::Close),
        can_send_back: can(WarningAction::SendBack),
        can_escalate: can(WarningAction::Escalate),
        error,
        errors,
        values,
        default_deadline: today
            .checked_add_days(chrono::Days::new(warnings::DEFAULT_DEADLINE_DAYS))
            .map(|d| d.to_string())
            .unwrap_or_default(),
    };
    Ok(html_response(code, page.render()?))
}
