//! 公示 (publish) and 定稿 (finalize) of an evaluation, each behind a confirmation: the box
//! 我已确认 must be ticked; a refusal (a box left unticked, objection days out of range,
//! objections still open, a state that changed meanwhile) re-renders the confirmation with
//! the reason in Chinese and what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::status_zh;
use crate::console::page::{ConsoleError, Nav, chinese_part, html, html_response, see_other};
use crate::console::session::Session;
use crate::console::warnings_staff::kit::{FieldErrors, field_errors, given, shown_on_form};
use crate::domain::{self, evaluations};
use crate::state::AppState;

/// Which decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Publish,
    Finalize,
}

impl Decision {
    fn path(self) -> &'static str {
        match self {
            Decision::Publish => "publish",
            Decision::Finalize => "finalize",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Decision::Publish => "公示",
            Decision::Finalize => "定稿",
        }
    }
}

/// The confirmation form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecideForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// Present when 我已确认 is ticked.
    #[serde(default)]
    pub confirmed: Option<String>,
    /// Days objections are accepted (publish only).
    #[serde(default)]
    pub objection_days: Option<String>,
}

#[derive(Template)]
#[template(path = "console/evaluation_confirm.html")]
struct ConfirmPage {
    nav: Option<Nav>,
    id: String,
    year: i32,
    status_zh: &'static str,
    action: &'static str,
    word: &'static str,
    publish: bool,
    objection_days: String,
    message: Option<String>,
    errors: FieldErrors,
}

impl ConfirmPage {
    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

/// Renders the confirmation of `decision`, with what was typed and the problems found.
async fn confirmation(
    state: &AppState,
    session: &Session,
    id: String,
    decision: Decision,
    form: &DecideForm,
    refusal: Option<domain::Error>,
) -> Result<HttpResponse, ConsoleError> {
    let e = state
        .run(&session.principal, move |conn, ctx| {
            evaluations::get(conn, ctx, &id)
        })
        .await?;
    let status = evaluations::status_of(&e)?;
    let (status_code, message, errors) = match &refusal {
        None => (StatusCode::OK, None, FieldErrors::new()),
        Some(r) => {
            let code = StatusCode::from_u16(r.code.status()).unwrap_or(StatusCode::CONFLICT);
            match field_errors(r, "") {
                Some(errors) => (code, Some("请更正标出的内容后再提交。".to_string()), errors),
                None => (
                    code,
                    Some(chinese_part(&r.message).to_string()),
                    FieldErrors::new(),
                ),
            }
        }
    };
    let page = ConfirmPage {
        nav: Some(Nav::of(session)),
        id: e.id.clone(),
        year: e.year,
        status_zh: status_zh(status),
        action: decision.path(),
        word: decision.word(),
        publish: decision == Decision::Publish,
        objection_days: given(&form.objection_days)
            .unwrap_or_else(|| evaluations::DEFAULT_OBJECTION_DAYS.to_string()),
        message,
        errors,
    };
    if status_code == StatusCode::OK {
        html(&page)
    } else {
        Ok(html_response(status_code, page.render()?))
    }
}

/// `GET /console/evaluations/{id}/publish`: the confirmation of 公示.
pub async fn confirm_publish(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let form = DecideForm::default();
    confirmation(
        &state,
        &session,
        id.into_inner(),
        Decision::Publish,
        &form,
        None,
    )
    .await
}

/// `GET /console/evaluations/{id}/finalize`: the confirmation of 定稿.
pub async fn confirm_finalize(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let form = DecideForm::default();
    confirmation(
        &state,
        &session,
        id.into_inner(),
        Decision::Finalize,
        &form,
        None,
    )
    .await
}

/// The refusal of a form whose 我已确认 is not ticked.
fn unconfirmed(decision: Decision) -> domain::Error {
    let zh = format!("请勾选“我已确认”后再{}", decision.word());
    domain::Error::invalid_field("confirmed", &zh, "tick the confirmation first")
}

async fn decide(
    state: web::Data<AppState>,
    session: Session,
    id: String,
    form: DecideForm,
    decision: Decision,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    if form.confirmed.is_none() {
        let refusal = Some(unconfirmed(decision));
        return confirmation(&state, &session, id, decision, &form, refusal).await;
    }
    let days = match given(&form.objection_days) {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(days) => Some(days),
            Err(_) => {
                let refusal = Some(domain::Error::invalid_field(
                    "objection_days",
                    "异议期为 1 至 90 天",
                    "objection_days must be within 1..=90",
                ));
                return confirmation(&state, &session, id, decision, &form, refusal).await;
            }
        },
    };
    let target = id.clone();
    let done = state
        .run(&session.principal, move |conn, ctx| match decision {
            Decision::Publish => evaluations::publish(conn, ctx, &target, days),
            Decision::Finalize => evaluations::finalize(conn, ctx, &target),
        })
        .await;
    match done {
        Ok(e) => Ok(see_other(&format!("/console/evaluations/{}", e.id))),
        Err(e) if shown_on_form(&e) => {
            confirmation(&state, &session, id, decision, &form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/evaluations/{id}/publish`: 公示, once confirmed.
pub async fn publish(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    decide(state, session, id.into_inner(), form, Decision::Publish).await
}

/// `POST /console/evaluations/{id}/finalize`: 定稿, once confirmed.
pub async fn finalize(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    decide(state, session, id.into_inner(), form, Decision::Finalize).await
}
