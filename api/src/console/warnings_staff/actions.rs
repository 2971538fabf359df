//! The analysts' actions on a warning, each a POST from its form on the warning's page: 签发
//! (issue, with the written confirmation a warning marked for review needs), 撤回 (withdraw,
//! with a reason), 关闭 (close), 退回整改 (send back, with a comment) and 升级处理 (escalate,
//! with a reason). A success leads back to the page; a refusal shows the page again with the
//! problem beside its field and what was typed.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::kit::{encode, field_errors, given, require, shown_on_form};
use super::{Refusal, show};
use crate::console::page::{ConsoleError, chinese_part, see_other};
use crate::console::session::Session;
use crate::domain::policy::Staff;
use crate::domain::{self, Error, warnings};
use crate::state::AppState;

/// The form of 签发.
#[derive(Debug, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    csrf: String,
    /// The rectification deadline (`YYYY-MM-DD`); empty: 30 days on.
    deadline: Option<String>,
    /// The written confirmation of a warning marked for review.
    confirmation: Option<String>,
}

/// The form of 撤回 and 升级处理.
#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    csrf: String,
    reason: Option<String>,
}

/// The form of 关闭 and 退回整改.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    comment: Option<String>,
}

/// The checks every action passes first: the request carries the session's token and the person is
/// staff (its Origin is checked for every console POST by `session::refuse_cross_site`).
fn admitted(session: &Session, csrf: &str) -> Result<(), ConsoleError> {
    session.check_csrf(csrf)?;
    require::<Staff>(session)
}

fn date_of(value: &Option<String>) -> domain::Result<Option<NaiveDate>> {
    given(value)
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                Error::invalid_field(
                    "deadline",
                    "日期格式应为 年-月-日，如 2026-05-01",
                    "a date is YYYY-MM-DD",
                )
            })
        })
        .transpose()
}

/// Back to the page after a success; the page again with the problem after a refusal.
async fn finish(
    state: &AppState,
    session: &Session,
    id: &str,
    action: &str,
    outcome: domain::Result<()>,
    typed: &[(&str, &Option<String>)],
) -> Result<HttpResponse, ConsoleError> {
    let e = match outcome {
        Ok(()) => return Ok(see_other(&format!("/console/warnings/{}", encode(id)))),
        Err(e) if shown_on_form(&e) => e,
        Err(e) => return Err(e.into()),
    };
    let values: BTreeMap<String, String> = typed
        .iter()
        .map(|(field, v)| {
            (
                format!("{action}.{field}"),
                v.as_deref().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let refusal = Refusal {
        status: StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST),
        errors: field_errors(&e, &format!("{action}.")).unwrap_or_default(),
        message: chinese_part(&e.message).to_string(),
        values,
    };
    show(state, session, id, Some(refusal)).await
}

/// `POST /console/warnings/{id}/issue`: 签发.
pub async fn issue(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<IssueForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let id = id.into_inner();
    let form = form.into_inner();
    let outcome = match date_of(&form.deadline) {
        Err(e) => Err(e),
        Ok(deadline) => {
            let (id, confirmation) = (id.clone(), form.confirmation.clone());
            state
                .run(&session.principal, move |conn, ctx| {
                    warnings::issue(conn, ctx, &id, deadline, confirmation.as_deref()).map(|_| ())
                })
                .await
        }
    };
    let typed = [
        ("deadline", &form.deadline),
        ("confirmation", &form.confirmation),
    ];
    finish(&state, &session, &id, "issue", outcome, &typed).await
}

/// `POST /console/warnings/{id}/withdraw`: 撤回, with a reason.
pub async fn withdraw(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (target, reason) = (id.clone(), form.reason.clone().unwrap_or_default());
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            warnings::withdraw(conn, ctx, &target, &reason).map(|_| ())
        })
        .await;
    let typed = [("reason", &form.reason)];
    finish(&state, &session, &id, "withdraw", outcome, &typed).await
}

/// `POST /console/warnings/{id}/close`: 关闭, with an optional comment.
pub async fn close(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (target, comment) = (id.clone(), form.comment.clone());
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            warnings::close(conn, ctx, &target, comment.as_deref()).map(|_| ())
        })
        .await;
    let typed = [("comment", &form.comment)];
    finish(&state, &session, &id, "close", outcome, &typed).await
}

/// `POST /console/warnings/{id}/send-back`: 退回整改, with a comment.
pub async fn send_back(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (target, comment) = (id.clone(), form.comment.clone());
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            warnings::send_back(conn, ctx, &target, comment.as_deref()).map(|_| ())
        })
        .await;
    let typed = [("comment", &form.comment)];
    finish(&state, &session, &id, "send_back", outcome, &typed).await
}

/// `POST /console/warnings/{id}/escalate`: 升级处理, with a reason.
pub async fn escalate(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, ConsoleError> {
    admitted(&session, &form.csrf)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (target, reason) = (id.clone(), form.reason.clone().unwrap_or_default());
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            warnings::escalate(conn, ctx, &target, &reason).map(|_| ())
        })
        .await;
    let typed = [("reason", &form.reason)];
    finish(&state, &session, &id, "escalate", outcome, &typed).await
}
