//! Accepting (接收) or returning (退回) a body's submitted report, with a comment — required
//! to return. A refusal shows the body page again with the reason beside the comment and what
//! was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{BodyQuery, Refusal, Refused, render};
use crate::console::page::{ConsoleError, chinese_part, see_other};
use crate::console::session::Session;
use crate::domain::{Error, ErrorCode, submissions};
use crate::state::AppState;

/// The review form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

#[derive(Debug, Clone, Copy)]
enum Verdict {
    Accept,
    Return,
}

/// `POST /console/bodies/{id}/reports/{year}/accept`.
pub async fn accept(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, ConsoleError> {
    review(state, session, path, form, Verdict::Accept).await
}

/// `POST /console/bodies/{id}/reports/{year}/return`.
pub async fn return_report(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, ConsoleError> {
    review(state, session, path, form, Verdict::Return).await
}

async fn review(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    form: web::Form<ReviewForm>,
    verdict: Verdict,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let (id, year) = path.into_inner();
    let year: i32 = year
        .parse()
        .map_err(|_| Error::not_found(crate::domain::Noun::Report))?;
    let comment = form.into_inner().comment;
    let (body, typed) = (id.clone(), comment.clone());
    let done = state
        .run(&session.principal, move |conn, ctx| {
            ctx.viewer().staff_page()?;
            let comment = Some(comment);
            match verdict {
                Verdict::Accept => submissions::accept(conn, ctx, &body, year, comment),
                Verdict::Return => submissions::return_report(conn, ctx, &body, year, comment),
            }
        })
        .await;
    match done {
        Ok(_) => Ok(see_other(&format!("/console/bodies/{id}#report-{year}"))),
        // A missing comment, or a report no longer awaiting review (someone was quicker): say
        // so beside the form, keeping what was typed.
        Err(e)
            if matches!(
                e.code,
                ErrorCode::ValidationFailed | ErrorCode::InvalidTransition | ErrorCode::Conflict
            ) =>
        {
            let status =
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let message = match e.details.first() {
                Some(d) if d.field == "comment" => chinese_part(&d.problem).to_string(),
                _ => chinese_part(&e.message).to_string(),
            };
            let refused = Refused {
                year,
                comment: typed,
                message,
            };
            render(
                &state,
                &session,
                id,
                BodyQuery::default(),
                Some((status, Refusal::Review(refused))),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
