//! Activating a draft from the console: the confirmation shows the draft's last impact
//! analysis (or that there is none) and asks for the written reason the audit log records;
//! the console requires the reason, a regulator's decision to change the evaluation system
//! being nothing without one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::shown::LastShown;
use super::status_label;
use crate::console::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use crate::console::session::Session;
use crate::console::warnings_staff::kit::{given, require};
use crate::domain::policy::Staff;
use crate::domain::schemes::impact;
use crate::domain::states::SchemeStatus;
use crate::domain::{self, ErrorCode, TextEnum, schemes};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/scheme_activate.html")]
struct ActivatePage {
    nav: Option<Nav>,
    id: String,
    name: String,
    version: i32,
    status: &'static str,
    draft: bool,
    last: Option<LastShown>,
    reason: String,
    reason_error: String,
    error: String,
}

/// The activation form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn confirmation(
    state: &AppState,
    session: &Session,
    id: String,
    reason: String,
    refusal: Option<domain::Error>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(session)?;
    let (row, last) = state
        .run(&session.principal, move |conn, ctx| {
            let row = schemes::get(conn, ctx, &id)?;
            let last = impact::last_impact(conn, ctx, &row.id)?;
            Ok((row, last))
        })
        .await?;
    let (status, reason_error, error) = match &refusal {
        None => (StatusCode::OK, String::new(), String::new()),
        Some(e) => {
            let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::CONFLICT);
            match e.details.iter().find(|d| d.field == "reason") {
                Some(d) => (status, chinese_part(&d.problem).to_string(), String::new()),
                None => (status, String::new(), chinese_part(&e.message).to_string()),
            }
        }
    };
    let page = ActivatePage {
        nav: Some(Nav::of(session)),
        draft: SchemeStatus::parse(&row.status) == Some(SchemeStatus::Draft),
        status: status_label(&row),
        id: row.id,
        name: row.name,
        version: row.version,
        last: last.as_ref().map(LastShown::of),
        reason,
        reason_error,
        error,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/schemes/{id}/activate`: the confirmation.
pub async fn confirm_activate(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    confirmation(&state, &session, id.into_inner(), String::new(), None).await
}

/// `POST /console/schemes/{id}/activate`: activates the draft with the written reason, or
/// shows the confirmation again with the problem.
pub async fn activate(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ActivateForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    require::<Staff>(&session)?;
    let id = id.into_inner();
    let typed = form.reason.clone().unwrap_or_default();
    let Some(reason) = given(&form.reason) else {
        let refusal = domain::Error::invalid_field(
            "reason",
            "请写明启用理由（如审议会议及其结论）",
            "a written reason is required",
        );
        return confirmation(&state, &session, id, typed, Some(refusal)).await;
    };
    let target = id.clone();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            schemes::activate(conn, ctx, &target, Some(&reason))
        })
        .await;
    match outcome {
        Ok(row) => Ok(see_other(&format!("/console/schemes/{}", row.id))),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::ValidationFailed | ErrorCode::InvalidTransition
            ) =>
        {
            confirmation(&state, &session, id, typed, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
