//! `/console/incidents/record`: an analyst records an incident learnt elsewhere — the body by
//! its approval number, kind and severity from the active scheme, when it occurred and when (if
//! ever) the body reported it, on the regulator's calendar; every problem is shown beside its
//! field, with what was typed kept.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{find_body, local_time, options, pairs, vocabulary};
use crate::console::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use crate::console::session::Session;
use crate::console::warnings_staff::kit::{
    Choice, FieldErrors, field_errors, given, require, shown_on_form,
};
use crate::domain::incidents::{self, NewIncident};
use crate::domain::policy::Staff;
use crate::domain::{self, Error};
use crate::state::AppState;

/// The form, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    csrf: String,
    body: Option<String>,
    kind: Option<String>,
    severity: Option<String>,
    occurred_at: Option<String>,
    reported_at: Option<String>,
    description: Option<String>,
    evidence: Option<String>,
}

#[derive(Template)]
#[template(path = "console/incident_record.html")]
struct RecordPage {
    nav: Option<Nav>,
    kinds: Vec<Choice>,
    severities: Vec<Choice>,
    typed: BTreeMap<&'static str, String>,
    errors: FieldErrors,
    error: String,
}

impl RecordPage {
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }

    fn problem(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

/// The page with the form as typed and the problems, if any.
async fn render(
    state: &AppState,
    session: &Session,
    form: RecordForm,
    status: StatusCode,
    refusal: Option<domain::Error>,
) -> Result<HttpResponse, ConsoleError> {
    let scheme = state.run(&session.principal, vocabulary).await?;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut errors = refusal
        .as_ref()
        .and_then(|e| field_errors(e, ""))
        .unwrap_or_default();
    if let Some(m) = errors.remove("body_id") {
        errors.insert("body".into(), m);
    }
    let error = match &refusal {
        Some(e) if errors.is_empty() => chinese_part(&e.message).to_string(),
        Some(_) => "登记未完成，请按提示修改。".to_string(),
        None => String::new(),
    };
    let page = RecordPage {
        nav: Some(Nav::of(session)),
        kinds: options(
            Some("请选择"),
            &pairs(&scheme.incident_kinds),
            &value(&form.kind),
        ),
        severities: options(
            Some("请选择"),
            &pairs(&scheme.severities),
            &value(&form.severity),
        ),
        typed: [
            ("body", value(&form.body)),
            ("occurred_at", value(&form.occurred_at)),
            ("reported_at", value(&form.reported_at)),
            ("description", value(&form.description)),
            ("evidence", value(&form.evidence)),
        ]
        .into_iter()
        .collect(),
        errors,
        error,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/incidents/record`.
pub async fn form(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    render(
        &state,
        &session,
        RecordForm::default(),
        StatusCode::OK,
        None,
    )
    .await
}

/// The problems of what the browser sent that the use case cannot be asked about: the times.
fn times(form: &RecordForm) -> Result<NewTimes, domain::Error> {
    let occurred = local_time("occurred_at", &form.occurred_at);
    let reported = local_time("reported_at", &form.reported_at);
    let mut problems = Vec::new();
    for r in [&occurred, &reported] {
        if let Err(e) = r {
            problems.extend(e.details.iter().map(|d| {
                pubeval_scoring::Problem::new(
                    d.field.clone(),
                    "format",
                    chinese_part(&d.problem).to_string(),
                    "invalid time".to_string(),
                )
            }));
        }
    }
    if let Ok(None) = occurred {
        problems.push(pubeval_scoring::Problem::new(
            "occurred_at",
            "required",
            "请填写事发时间",
            "occurred_at is required",
        ));
    }
    match (occurred, reported) {
        (Ok(Some(occurred_at)), Ok(reported_at)) if problems.is_empty() => Ok(NewTimes {
            occurred_at,
            reported_at,
        }),
        _ => Err(Error::validation(&problems)),
    }
}

struct NewTimes {
    occurred_at: chrono::DateTime<chrono::FixedOffset>,
    reported_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// `POST /console/incidents/record`: the new incident's page, or the form again.
pub async fn submit(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<RecordForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    require::<Staff>(&session)?;
    let form = form.into_inner();
    let times = match times(&form) {
        Ok(t) => t,
        Err(e) => {
            return render(
                &state,
                &session,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
            )
            .await;
        }
    };
    let sent = form.clone();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            let named = given(&sent.body).unwrap_or_default();
            let body_id = match find_body(conn, ctx, &named)? {
                Some(b) => b.id,
                None => named,
            };
            incidents::record(
                conn,
                ctx,
                NewIncident {
                    body_id,
                    kind: sent.kind.unwrap_or_default(),
                    severity: sent.severity.unwrap_or_default(),
                    occurred_at: times.occurred_at,
                    reported_at: times.reported_at,
                    description: sent.description.unwrap_or_default(),
                    evidence: sent.evidence,
                },
            )
        })
        .await;
    match outcome {
        Ok(incident) => Ok(see_other(&format!(
            "/console/incidents/{}",
            incident.row.id
        ))),
        Err(e) if shown_on_form(&e) => {
            let status =
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            render(&state, &session, form, status, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
