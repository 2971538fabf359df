//! `/console/incidents/{id}` (analysts): one incident with its corrections, and the forms that
//! correct its kind or severity or void it, each with a reason. Nothing is deleted: a voided
//! incident stays, marked.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{label, options, pairs, reporting_zh, vocabulary};
use crate::console::home::china_time;
use crate::console::page::{ConsoleError, Nav, chinese_part, html_response, see_other};
use crate::console::session::Session;
use crate::console::warnings_staff::kit::{
    Choice, FieldErrors, encode, field_errors, given, require, shown_on_form,
};
use crate::domain::incidents::{self, IncidentCorrectionRequest, VoidRequest};
use crate::domain::policy::Staff;
use crate::domain::{self, bodies};
use crate::state::AppState;

/// One correction of the incident.
#[derive(Debug, Clone)]
pub struct CorrectionLine {
    /// When, on the regulator's calendar.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What changed, in Chinese.
    pub change: String,
    /// Why.
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/incident_detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    id: String,
    body: String,
    body_href: String,
    approval_no: String,
    kind: String,
    severity: String,
    occurred: String,
    reported: String,
    source: &'static str,
    reporting: &'static str,
    description: String,
    evidence: String,
    recorded_by: String,
    recorded: String,
    voided: String,
    corrections: Vec<CorrectionLine>,
    kinds: Vec<Choice>,
    severities: Vec<Choice>,
    error: String,
    errors: FieldErrors,
    typed: BTreeMap<String, String>,
}

impl DetailPage {
    fn typed(&self, key: &str) -> &str {
        self.typed.get(key).map_or("", String::as_str)
    }

    fn problem(&self, key: &str) -> &str {
        self.errors.get(key).map_or("", String::as_str)
    }
}

/// A refused correction or voiding, shown on the page.
struct Refusal {
    error: domain::Error,
    prefix: &'static str,
    typed: BTreeMap<String, String>,
    kind: Option<String>,
    severity: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    id: String,
    refusal: Option<Refusal>,
) -> Result<HttpResponse, ConsoleError> {
    let (incident, scheme, body) = state
        .run(&session.principal, move |conn, ctx| {
            let incident = incidents::get(conn, ctx, &id)?;
            let scheme = vocabulary(conn, ctx)?;
            let body = bodies::get(conn, ctx, &incident.row.body_id)?;
            Ok((incident, scheme, body))
        })
        .await?;
    let row = &incident.row;
    let kinds = &scheme.incident_kinds;
    let severities = &scheme.severities;
    let corrections = incident
        .corrections
        .iter()
        .flatten()
        .map(|c| CorrectionLine {
            at: china_time(c.created_at),
            actor: c.actor.clone(),
            change: format!(
                "类型 {} → {}；严重程度 {} → {}",
                label(kinds, &c.old_kind),
                label(kinds, &c.new_kind),
                label(severities, &c.old_severity),
                label(severities, &c.new_severity)
            ),
            reason: c.reason.clone(),
        })
        .collect();
    let (status, error, errors, typed, kind_now, severity_now) = match refusal {
        None => (
            StatusCode::OK,
            String::new(),
            FieldErrors::new(),
            BTreeMap::new(),
            row.kind.clone(),
            row.severity.clone(),
        ),
        Some(r) => (
            StatusCode::from_u16(r.error.code.status()).unwrap_or(StatusCode::BAD_REQUEST),
            chinese_part(&r.error.message).to_string(),
            field_errors(&r.error, r.prefix).unwrap_or_default(),
            r.typed,
            r.kind.unwrap_or_else(|| row.kind.clone()),
            r.severity.unwrap_or_else(|| row.severity.clone()),
        ),
    };
    let voided = match (&row.voided_at, &row.void_reason) {
        (Some(at), reason) => format!(
            "已于 {} 由 {} 作废，理由：{}",
            china_time(*at),
            row.voided_by.clone().unwrap_or_default(),
            reason.clone().unwrap_or_default()
        ),
        (None, _) => String::new(),
    };
    let page = DetailPage {
        nav: Some(Nav::of(session)),
        id: row.id.clone(),
        body: body.name,
        body_href: format!("/console/bodies/{}", body.id),
        approval_no: body.approval_no,
        kind: label(kinds, &row.kind),
        severity: label(severities, &row.severity),
        occurred: china_time(row.occurred_at),
        reported: row.reported_at.map(china_time).unwrap_or_default(),
        source: incident.source.label_zh(),
        reporting: reporting_zh(incident.reporting),
        description: row.description.clone(),
        evidence: row.evidence.clone().unwrap_or_default(),
        recorded_by: row.recorded_by.clone(),
        recorded: china_time(row.created_at),
        voided,
        corrections,
        kinds: options(None, &pairs(kinds), &kind_now),
        severities: options(None, &pairs(severities), &severity_now),
        error,
        errors,
        typed,
    };
    Ok(html_response(status, page.render()?))
}

/// `GET /console/incidents/{id}`.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    require::<Staff>(&session)?;
    render(&state, &session, id.into_inner(), None).await
}

/// The form of 更正.
#[derive(Debug, Deserialize)]
pub struct CorrectForm {
    #[serde(default)]
    csrf: String,
    kind: Option<String>,
    severity: Option<String>,
    reason: Option<String>,
}

/// The form of 作废.
#[derive(Debug, Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    csrf: String,
    reason: Option<String>,
}

async fn finish(
    state: &AppState,
    session: &Session,
    id: String,
    outcome: domain::Result<()>,
    refusal: impl FnOnce(domain::Error) -> Refusal,
) -> Result<HttpResponse, ConsoleError> {
    match outcome {
        Ok(()) => Ok(see_other(&format!("/console/incidents/{}", encode(&id)))),
        Err(e) if shown_on_form(&e) => render(state, session, id, Some(refusal(e))).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/incidents/{id}/correct`: 更正 the kind or severity, with a reason; only
/// what differs from the stored values is sent.
pub async fn correct(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<CorrectForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    require::<Staff>(&session)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (target, sent) = (id.clone(), (given(&form.kind), given(&form.severity)));
    let reason = form.reason.clone().unwrap_or_default();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            let current = incidents::get(conn, ctx, &target)?.row;
            let (kind, severity) = sent;
            let request = IncidentCorrectionRequest {
                kind: kind.filter(|k| *k != current.kind),
                severity: severity.filter(|s| *s != current.severity),
                reason,
            };
            incidents::correct(conn, ctx, &target, request).map(|_| ())
        })
        .await;
    let typed = [(
        "correct.reason".to_string(),
        form.reason.clone().unwrap_or_default(),
    )];
    finish(&state, &session, id, outcome, move |error| Refusal {
        error,
        prefix: "correct.",
        typed: typed.into_iter().collect(),
        kind: given(&form.kind),
        severity: given(&form.severity),
    })
    .await
}

/// `POST /console/incidents/{id}/void`: 作废, with a reason.
pub async fn void(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<VoidForm>,
) -> Result<HttpResponse, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    require::<Staff>(&session)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let target = id.clone();
    let reason = form.reason.clone().unwrap_or_default();
    let outcome = state
        .run(&session.principal, move |conn, ctx| {
            incidents::void(conn, ctx, &target, VoidRequest { reason }).map(|_| ())
        })
        .await;
    let typed = [("void.reason".to_string(), form.reason.unwrap_or_default())];
    finish(&state, &session, id, outcome, move |error| Refusal {
        error,
        prefix: "void.",
        typed: typed.into_iter().collect(),
        kind: None,
        severity: None,
    })
    .await
}
