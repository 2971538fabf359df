//! An analyst's review of a plausibility flag on a body's page: 核实无误 clears it with a note,
//! 要求补充说明 returns the report to the body with a comment naming the field. A refusal
//! shows the body page again with the reason beside the form and what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::reports::FlagRefused;
use super::{BodyQuery, Refusal, render};
use crate::console::page::{ConsoleError, chinese_part, see_other};
use crate::console::session::Session;
use crate::domain::{ErrorCode, flags};
use crate::state::AppState;

/// The form of either action.
#[derive(Debug, Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    csrf: String,
    /// The clearing note.
    #[serde(default)]
    note: String,
    /// The request for evidence.
    #[serde(default)]
    comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Clear,
    RequestEvidence,
}

/// `POST /console/flags/{id}/clear`.
pub async fn clear_flag(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<FlagForm>,
) -> Result<HttpResponse, ConsoleError> {
    act(
        state,
        session,
        path.into_inner(),
        form.into_inner(),
        Step::Clear,
    )
    .await
}

/// `POST /console/flags/{id}/request_evidence`.
pub async fn request_evidence(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<FlagForm>,
) -> Result<HttpResponse, ConsoleError> {
    act(
        state,
        session,
        path.into_inner(),
        form.into_inner(),
        Step::RequestEvidence,
    )
    .await
}

async fn act(
    state: web::Data<AppState>,
    session: Session,
    id: String,
    form: FlagForm,
    step: Step,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let typed = match step {
        Step::Clear => form.note,
        Step::RequestEvidence => form.comment,
    };
    let (flag_id, text) = (id.clone(), typed.clone());
    let done = state
        .run(&session.principal, move |conn, ctx| {
            // The flag's body and year, for the way back (404 for anyone but staff).
            let flag = flags::get(conn, ctx, &flag_id)?;
            let outcome = match step {
                Step::Clear => flags::clear(conn, ctx, &flag_id, Some(&text)),
                Step::RequestEvidence => flags::request_evidence(conn, ctx, &flag_id, Some(&text)),
            };
            Ok((flag.flag.body_id, flag.flag.year, outcome))
        })
        .await?;
    let (body_id, year, outcome) = done;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/console/bodies/{body_id}#report-{year}"
        ))),
        // No text, or a flag no longer open (someone was quicker): say so beside the form,
        // keeping what was typed.
        Err(e)
            if matches!(
                e.code,
                ErrorCode::ValidationFailed | ErrorCode::InvalidTransition | ErrorCode::Conflict
            ) =>
        {
            let status =
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let message = match e.details.first() {
                Some(d) => chinese_part(&d.problem).to_string(),
                None => chinese_part(&e.message).to_string(),
            };
            let refused = FlagRefused {
                flag_id: id,
                form: match step {
                    Step::Clear => "clear",
                    Step::RequestEvidence => "evidence",
                },
                typed,
                message,
            };
            render(
                &state,
                &session,
                body_id,
                BodyQuery::default(),
                Some((status, Refusal::Flag(refused))),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
