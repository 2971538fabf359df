//! `/console/objections`: the objections of every evaluation for analysts — the open ones,
//! oldest first, each with its answer form (成立 or 不成立, in writing), and the answered ones,
//! latest answer first. A refused answer re-renders the page with the problem beside its
//! field and what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::home::china_time;
use super::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use super::session::Session;
use super::warnings_staff::kit::{
    FieldErrors, PER_PAGE, Pager, field_errors, given, page_of, shown_on_form,
};
use crate::db::DbConn;
use crate::domain::objections::{self, Decision, Listing};
use crate::domain::states::ObjectionStatus;
use crate::domain::{self, Ctx, TextEnum};
use crate::state::AppState;

/// The pages of the two lists.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectionsQuery {
    /// The page of open objections, from 1.
    #[serde(default)]
    pub page: Option<String>,
    /// The page of answered objections, from 1.
    #[serde(default)]
    pub answered_page: Option<String>,
}

/// An answer as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// `upheld` or `rejected`.
    #[serde(default)]
    pub decision: Option<String>,
    /// The written answer.
    #[serde(default)]
    pub answer: String,
}

/// One objection as the page shows it.
#[derive(Debug, Clone)]
pub struct ObjectionLine {
    /// Its id.
    pub id: String,
    /// The evaluation year.
    pub year: i32,
    /// The body's name.
    pub body_name: String,
    /// The body's approval number.
    pub approval_no: String,
    /// The body's result page.
    pub result_href: String,
    /// Filed, on the regulator's calendar.
    pub filed_at: String,
    /// Who filed it.
    pub filed_by: String,
    /// What the body objects to.
    pub text: String,
    /// Its state in Chinese.
    pub status_zh: &'static str,
    /// The written answer.
    pub answer: String,
    /// Who answered, and when.
    pub answered: String,
}

impl ObjectionLine {
    fn of(l: Listing) -> ObjectionLine {
        let o = l.objection;
        ObjectionLine {
            result_href: format!(
                "/console/evaluations/{}/results/{}",
                o.evaluation_id, o.body_id
            ),
            status_zh: ObjectionStatus::parse(&o.status).map_or("", |s| s.label_zh()),
            answered: match (&o.answered_by, o.answered_at) {
                (Some(by), Some(at)) => format!("{by}，{}", china_time(at)),
                _ => String::new(),
            },
            answer: o.answer.unwrap_or_default(),
            filed_at: china_time(o.filed_at),
            filed_by: o.filed_by,
            text: o.text,
            id: o.id,
            year: l.year,
            body_name: l.body_name,
            approval_no: l.approval_no,
        }
    }
}

#[derive(Template)]
#[template(path = "console/objections.html")]
struct ObjectionsPage {
    nav: Option<Nav>,
    open: Vec<ObjectionLine>,
    open_pager: Pager,
    answered: Vec<ObjectionLine>,
    answered_pager: Pager,
    upheld: &'static str,
    upheld_zh: &'static str,
    rejected: &'static str,
    rejected_zh: &'static str,
    /// The objection whose answer was refused, what was typed, and the problems.
    failed: Option<(String, AnswerForm, Option<String>, FieldErrors)>,
}

impl ObjectionsPage {
    /// The refused form's problem with a field of this objection ("" when none).
    fn error(&self, id: &str, field: &str) -> String {
        match &self.failed {
            Some((failed, _, _, errors)) if failed == id => {
                errors.get(field).cloned().unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    /// The refused form's general message for this objection ("" when none).
    fn message(&self, id: &str) -> String {
        match &self.failed {
            Some((failed, _, Some(message), _)) if failed == id => message.clone(),
            _ => String::new(),
        }
    }

    /// What was typed as the answer to this objection.
    fn typed(&self, id: &str) -> String {
        match &self.failed {
            Some((failed, form, _, _)) if failed == id => form.answer.clone(),
            _ => String::new(),
        }
    }

    /// Whether this decision was chosen in the refused form of this objection.
    fn chose(&self, id: &str, decision: &str) -> bool {
        matches!(&self.failed, Some((failed, form, _, _))
            if failed == id && form.decision.as_deref() == Some(decision))
    }
}

fn load(conn: &mut DbConn, ctx: &Ctx, query: &ObjectionsQuery) -> domain::Result<ObjectionsPage> {
    let (open_no, open_offset) = page_of(&query.page)?;
    let (answered_no, answered_offset) = page_of(&query.answered_page)?;
    let (open, open_total) = objections::all(conn, ctx, Some(true), open_offset, PER_PAGE)?;
    let (answered, answered_total) =
        objections::all(conn, ctx, Some(false), answered_offset, PER_PAGE)?;
    let answered_page = given(&query.answered_page).unwrap_or_default();
    let open_page = given(&query.page).unwrap_or_default();
    Ok(ObjectionsPage {
        nav: None,
        open: open.into_iter().map(ObjectionLine::of).collect(),
        open_pager: Pager::new(
            "/console/objections",
            &[("answered_page", answered_page)],
            open_no,
            open_total,
        ),
        answered: answered.into_iter().map(ObjectionLine::of).collect(),
        answered_pager: answered_pager(&open_page, answered_no, answered_total),
        upheld: ObjectionStatus::Upheld.as_str(),
        upheld_zh: ObjectionStatus::Upheld.label_zh(),
        rejected: ObjectionStatus::Rejected.as_str(),
        rejected_zh: ObjectionStatus::Rejected.label_zh(),
        failed: None,
    })
}

/// The pager of the answered list, whose page parameter is `answered_page`.
fn answered_pager(open_page: &str, page: i64, total: i64) -> Pager {
    let mut pager = Pager::new(
        "/console/objections",
        &[("page", open_page.to_string())],
        page,
        total,
    );
    let rename = |link: Option<String>| {
        link.map(|l| {
            // The shared pager names its parameter `page`; this list's is `answered_page`.
            match l.rfind("page=") {
                Some(at) => format!("{}answered_page={}", &l[..at], &l[at + 5..]),
                None => l,
            }
        })
    };
    pager.prev = rename(pager.prev.take());
    pager.next = rename(pager.next.take());
    pager
}

async fn render(
    state: &AppState,
    session: &Session,
    query: ObjectionsQuery,
    status: StatusCode,
    failed: Option<(String, AnswerForm, Option<String>, FieldErrors)>,
) -> Result<HttpResponse, ConsoleError> {
    let page = state
        .run(&session.principal, move |conn, ctx| load(conn, ctx, &query))
        .await?;
    let page = ObjectionsPage {
        nav: Some(Nav::of(session)),
        failed,
        ..page
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/objections`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ObjectionsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    render(&state, &session, query.into_inner(), StatusCode::OK, None).await
}

/// `POST /console/objections/{id}/answer`: answers an open objection in writing.
pub async fn answer(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let id = id.into_inner();
    let form = form.into_inner();
    let target = id.clone();
    let (decision, text) = (form.decision.clone(), form.answer.clone());
    let done = state
        .run(&session.principal, move |conn, ctx| {
            let decision = Decision::parse(decision.as_deref().unwrap_or_default())?;
            objections::answer(conn, ctx, &target, decision, &text)
        })
        .await;
    match done {
        Ok(_) => Ok(see_other("/console/objections")),
        Err(e) if shown_on_form(&e) => {
            let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::CONFLICT);
            let (message, errors) = match field_errors(&e, "") {
                Some(mut errors) => {
                    if let Some(problem) = errors.get_mut("decision") {
                        *problem = "请选择答复结论：成立或不成立".to_string();
                    }
                    (None, errors)
                }
                None => (
                    Some(chinese_part(&e.message).to_string()),
                    FieldErrors::new(),
                ),
            };
            let failed = Some((id, form, message, errors));
            render(&state, &session, ObjectionsQuery::default(), status, failed).await
        }
        Err(e) => Err(e.into()),
    }
}
