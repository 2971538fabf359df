//! `/console/report/{year}`: a body's annual report (年度宣传工作报告) as a form generated from
//! the year's scheme. 保存草稿 keeps a partial draft; 提交 saves what changed and submits, and
//! shows every problem at once beside its field, keeping what was typed. The form names the
//! revision it edits, so a save made over someone else's is refused (412) with a way to reload.
//! Outside the window, or once submitted, the form is read-only and says why.

mod convert;
mod form;
mod workbook;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use pubeval_scoring::Completeness;
use serde::Deserialize;
use serde_json::Value;

use self::convert::{Action, Submitted};
use self::form::{Section, SummaryLine};
pub use self::workbook::{template, upload};
use super::home::china_time;
use super::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use super::session::Session;
use crate::db::DbConn;
use crate::domain::submissions::{self, Precondition, ReportForm};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, StateMachine, TextEnum, bodies, flags};
use crate::state::AppState;
use crate::states::{SubmissionAction, SubmissionStatus};

#[derive(Template)]
#[template(path = "console/report.html")]
struct ReportPage {
    nav: Option<Nav>,
    csrf: String,
    year: i32,
    body_name: String,
    status_zh: &'static str,
    window: String,
    last_saved: String,
    returned_comment: Option<String>,
    revision: i32,
    editable: bool,
    read_only_reason: String,
    notice: Option<String>,
    stale: Option<String>,
    general_error: Option<String>,
    summary: Vec<SummaryLine>,
    requests: Vec<RequestLine>,
    sections: Vec<Section>,
    /// What was wrong with an uploaded workbook: its reason, and each problem with its cell.
    upload_error: Option<String>,
    upload_problems: Vec<String>,
}

/// An analyst's request for evidence of a figure, as the body reads it above its form.
#[derive(Debug, Clone)]
struct RequestLine {
    /// `#id` of the field.
    href: String,
    /// The field's label.
    label: String,
    /// What the analyst asks.
    comment: String,
}

/// `?done=`: what the last POST did (Post/Redirect/Get).
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// What a POST of the form ended in.
enum Outcome {
    /// Saved as a draft, or submitted: back to the page.
    Done(Action),
    /// Refused: the page again, with the form as typed, editing `revision`.
    Refused { error: Error, revision: i32 },
}

/// The answer to a POST.
enum Answer {
    /// The form again, refused.
    Page(StatusCode, Box<ReportPage>),
    /// Done: back to the page (Post/Redirect/Get).
    Redirect(Action),
}

/// What the page shows beyond the form's material.
#[derive(Default)]
struct Shown {
    values: Option<Value>,
    revision: Option<i32>,
    error: Option<Error>,
    notice: Option<String>,
    /// A workbook's refusal, shown above the form rather than beside its fields.
    upload_error: Option<Error>,
}

fn own_body(ctx: &Ctx) -> Result<String> {
    // Staff read a body's report on the body's own page; this page is the body's.
    ctx.viewer()
        .own_body()
        .map(str::to_string)
        .ok_or_else(|| Error::not_found(Noun::Route))
}

/// `GET /console/report/{year}`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    year: web::Path<i32>,
    done: web::Query<Done>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let year = year.into_inner();
    let notice = match done.done.as_deref() {
        Some("saved") => Some("草稿已保存。".to_string()),
        Some("sent") => Some("报告已提交，请等待评价人员审核。".to_string()),
        Some("uploaded") => {
            Some("Excel 工作簿已上传并保存为草稿，请核对下方内容后再提交。".to_string())
        }
        _ => None,
    };
    let nav = Nav::of(&session);
    let page = state
        .run(&session.principal, move |conn, ctx| {
            let body = own_body(ctx)?;
            load(
                conn,
                ctx,
                &body,
                year,
                nav,
                Shown {
                    notice,
                    ..Shown::default()
                },
            )
        })
        .await?;
    render(StatusCode::OK, &page)
}

/// `POST /console/report/{year}`: 保存草稿 or 提交.
pub async fn post(
    state: web::Data<AppState>,
    session: Session,
    year: web::Path<i32>,
    fields: web::Form<Vec<(String, String)>>,
) -> std::result::Result<HttpResponse, ConsoleError> {
    let year = year.into_inner();
    let pairs = fields.into_inner();
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    session.check_csrf(csrf)?;
    let nav = Nav::of(&session);
    let answer = state
        .run(&session.principal, move |conn, ctx| {
            let body = own_body(ctx)?;
            let material = submissions::form(conn, ctx, &body, year)?;
            let sent = convert::read(&material.scheme, &pairs);
            Ok(match attempt(conn, ctx, &body, year, &material, &sent)? {
                Outcome::Done(action) => Answer::Redirect(action),
                Outcome::Refused { error, revision } => {
                    let status = StatusCode::from_u16(error.code.status())
                        .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                    let shown = Shown {
                        values: Some(sent.payload),
                        revision: Some(revision),
                        error: Some(error),
                        notice: None,
                        upload_error: None,
                    };
                    Answer::Page(status, Box::new(load(conn, ctx, &body, year, nav, shown)?))
                }
            })
        })
        .await?;
    match answer {
        Answer::Page(status, page) => render(status, &page),
        Answer::Redirect(Action::Submit) => {
            Ok(see_other(&format!("/console/report/{year}?done=sent")))
        }
        Answer::Redirect(Action::SaveDraft) => {
            Ok(see_other(&format!("/console/report/{year}?done=saved")))
        }
    }
}

fn render(
    status: StatusCode,
    page: &ReportPage,
) -> std::result::Result<HttpResponse, ConsoleError> {
    Ok(html_response(status, page.render()?))
}

/// Whether the page shows this refusal beside the form rather than as an error page.
fn shown_on_form(e: &Error) -> bool {
    matches!(
        e.code,
        ErrorCode::ValidationFailed
            | ErrorCode::StaleRevision
            | ErrorCode::IfMatchRequired
            | ErrorCode::WindowClosed
            | ErrorCode::InvalidTransition
            | ErrorCode::NothingToSubmit
    )
}

/// Saves (when the form changed anything) and, for 提交, submits.
fn attempt(
    conn: &mut DbConn,
    ctx: &Ctx,
    body: &str,
    year: i32,
    material: &ReportForm,
    sent: &Submitted,
) -> Result<Outcome> {
    let refused = |error: Error, revision: i32| -> Result<Outcome> {
        if shown_on_form(&error) {
            Ok(Outcome::Refused { error, revision })
        } else {
            Err(error)
        }
    };
    let stored: Option<Value> = material
        .current
        .as_ref()
        .and_then(|c| serde_json::from_str(&c.payload).ok());
    let changed = stored.as_ref() != Some(&sent.payload);
    let precondition = match sent.revision {
        0 => Precondition::Absent,
        n => Precondition::Revision(n),
    };
    let mut revision = sent.revision;
    if changed || sent.action == Action::SaveDraft {
        match submissions::save(conn, ctx, body, year, precondition, &sent.payload) {
            Ok(saved) => revision = saved.revision.revision,
            Err(e) if e.code == ErrorCode::ValidationFailed && sent.action == Action::Submit => {
                // Submitting: name what is missing as well as what is wrong, all at once.
                let all = submissions::check(conn, year, &sent.payload, Completeness::Submitted)
                    .err()
                    .unwrap_or(e);
                return refused(all, revision);
            }
            Err(e) => return refused(e, revision),
        }
    }
    if sent.action == Action::SaveDraft {
        return Ok(Outcome::Done(Action::SaveDraft));
    }
    match submissions::submit(conn, ctx, body, year, Precondition::Revision(revision)) {
        Ok(_) => Ok(Outcome::Done(Action::Submit)),
        Err(e) => refused(e, revision),
    }
}

/// The page: the form's material, with what was typed and refused when there is any.
fn load(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    nav: Nav,
    shown: Shown,
) -> Result<ReportPage> {
    let material = submissions::form(conn, ctx, body_id, year)?;
    let body = bodies::get(conn, ctx, body_id)?;
    let status = match &material.current {
        Some(c) => Some(SubmissionStatus::parse_stored(&c.status)?),
        None => None,
    };
    let cycle = &material.cycle;
    let window = format!(
        "报送期 {} 至 {}（北京时间）",
        china_time(cycle.opens_at),
        china_time(material.closes_at)
    );
    let now = ctx.now();
    let read_only_reason = if now < cycle.opens_at {
        format!(
            "{year} 年度报送期尚未开始，{} 起可以填报。",
            china_time(cycle.opens_at)
        )
    } else if !material.window_open(now) {
        format!(
            "{year} 年度报送期已于 {} 结束，报告不能再修改或提交。",
            china_time(material.closes_at)
        )
    } else {
        match status {
            Some(s) if s.next(SubmissionAction::Save).is_none() => match s {
                SubmissionStatus::Accepted => "报告已被接收，不能再修改。".to_string(),
                _ => "报告已提交，正在等待评价人员审核；如需修改，请联系评价人员退回。".to_string(),
            },
            _ => String::new(),
        }
    };
    let stored: Value = match &material.current {
        Some(c) => serde_json::from_str(&c.payload).map_err(Error::internal)?,
        None => Value::Object(Default::default()),
    };
    let mut stale = None;
    let mut general_error = None;
    let mut details = Vec::new();
    if let Some(e) = &shown.error {
        match e.code {
            ErrorCode::ValidationFailed => details = e.details.clone(),
            ErrorCode::StaleRevision | ErrorCode::IfMatchRequired => {
                stale = Some(format!(
                    "您编辑期间，报告已被他人修改（当前为第 {} 版），您的修改未保存。\
                     请重新载入最新版本，核对后再修改。",
                    material.current.as_ref().map_or(0, |c| c.revision)
                ));
            }
            _ => general_error = Some(chinese_part(&e.message).to_string()),
        }
    }
    let (upload_error, upload_problems) = match &shown.upload_error {
        None => (None, Vec::new()),
        Some(e) => {
            let problems = e
                .details
                .iter()
                .filter(|d| d.field != "workbook")
                .map(|d| match &d.cell {
                    Some(cell) => format!("{cell}：{}", chinese_part(&d.problem)),
                    None => chinese_part(&d.problem).to_string(),
                })
                .collect();
            (Some(chinese_part(&e.message).to_string()), problems)
        }
    };
    let values = shown.values.unwrap_or(stored);
    let problems = form::problems_by_field(&material.scheme, &details);
    let mut sections = form::sections(&material.scheme, &values, &problems);
    // What the analyst asked the body to explain, beside each field concerned.
    let mut requests = Vec::new();
    for flag in flags::evidence_requests(conn, ctx, body_id, year)? {
        let comment = flag.comment.unwrap_or_default();
        for field in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
            if field.name == self::convert::input_name(&flag.field) {
                if !field.request.is_empty() {
                    field.request.push('；');
                }
                field.request.push_str(&comment);
                requests.push(RequestLine {
                    href: format!("#{}", field.id),
                    label: field.label.clone(),
                    comment: comment.clone(),
                });
            }
        }
    }
    let others = problems.get("").cloned().unwrap_or_default();
    let summary = form::summary(&sections, &others);
    let returned_comment = material
        .current
        .as_ref()
        .filter(|_| status == Some(SubmissionStatus::Returned))
        .and_then(|c| c.comment.clone());
    Ok(ReportPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        year,
        body_name: body.name,
        status_zh: status.map_or("未开始填报", SubmissionStatus::label_zh),
        window,
        last_saved: material
            .current
            .as_ref()
            .map(|c| {
                format!(
                    "第 {} 版，{} 于 {} 保存",
                    c.revision,
                    c.actor.trim_start_matches("user:"),
                    china_time(c.created_at)
                )
            })
            .unwrap_or_default(),
        returned_comment,
        revision: shown
            .revision
            .unwrap_or_else(|| material.current.as_ref().map_or(0, |c| c.revision)),
        editable: read_only_reason.is_empty(),
        read_only_reason,
        notice: shown.notice,
        stale,
        general_error,
        summary,
        requests,
        sections,
        upload_error,
        upload_problems,
    })
}
