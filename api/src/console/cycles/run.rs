//! Running the year's evaluation from the cycle page (开始评价), and watching it: the progress
//! page says whether it is still running — with a link to look again — until it is a draft,
//! then links to the evaluation's page.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{CycleQuery, render, year_of};
use crate::console::home::china_time;
use crate::console::page::{ConsoleError, Nav, chinese_part, html, see_other};
use crate::console::session::Session;
use crate::domain::{Error, Noun, evaluations};
use crate::state::AppState;
use crate::states::{EvaluationStatus, TextEnum};

/// The form of a state-changing button that carries nothing but the session's token.
#[derive(Debug, Deserialize)]
pub struct ButtonForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/cycles/{year}/evaluate`: starts the year's evaluation and shows its
/// progress; a refused start (a run under way, a final evaluation standing, no cycle) shows
/// the cycle page again with why.
pub async fn evaluate(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<ButtonForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let year = year_of(&path)?;
    let runs = state.runs.clone();
    let started = state
        .run(&session.principal, move |conn, ctx| {
            ctx.viewer().staff_page()?;
            evaluations::run(
                conn,
                ctx,
                runs.as_ref(),
                evaluations::RunRequest {
                    year,
                    draws: None,
                    seed: None,
                },
            )
        })
        .await;
    match started {
        Ok(e) => Ok(see_other(&format!(
            "/console/cycles/{year}/evaluations/{}",
            e.id
        ))),
        // Refusals the analyst can act on (a run under way, a final evaluation standing, a
        // full queue) are said on the cycle page; anything else is an error page.
        Err(e) if matches!(e.code.status(), 409 | 422 | 503) => {
            render(&state, &session, year, CycleQuery::default(), Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "console/cycle_run.html")]
struct ProgressPage {
    nav: Option<Nav>,
    year: i32,
    href: String,
    status_zh: &'static str,
    running: bool,
    draft_href: Option<String>,
    failure: Option<String>,
    started: String,
    finished: String,
    bodies: i32,
}

/// `GET /console/cycles/{year}/evaluations/{id}`: where the run is.
pub async fn progress(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (year, id) = path.into_inner();
    let year = year_of(&year)?;
    let e = state
        .run(&session.principal, move |conn, ctx| {
            ctx.viewer().staff_page()?;
            let e = evaluations::get(conn, ctx, &id)?;
            if e.year != year {
                return Err(Error::not_found(Noun::Evaluation));
            }
            Ok(e)
        })
        .await?;
    let status = EvaluationStatus::parse(&e.status);
    html(&ProgressPage {
        nav: Some(Nav::of(&session)),
        year,
        href: format!("/console/cycles/{year}/evaluations/{}", e.id),
        status_zh: status.map_or("", |s| s.label_zh()),
        running: status == Some(EvaluationStatus::Running),
        draft_href: (status != Some(EvaluationStatus::Running)
            && status != Some(EvaluationStatus::Failed))
        .then(|| format!("/console/evaluations/{}", e.id)),
        failure: (status == Some(EvaluationStatus::Failed))
            .then(|| chinese_part(e.failure.as_deref().unwrap_or_default()).to_string()),
        started: china_time(e.started_at),
        finished: e.finished_at.map(china_time).unwrap_or_default(),
        bodies: e.bodies,
    })
}
