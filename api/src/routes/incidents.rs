//! Incidents (要情报告): a body self-reports its own (article 20: within 48 hours); analysts
//! record what they learn elsewhere, correct a kind or severity with a reason and void with a
//! reason; nothing is deleted and every change is in the audit log (DESIGN.md §2–§4,
//! SCHEME.md §3).

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use pubeval_scoring::scheme::Reporting;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, call};
use crate::db::models::incident::IncidentCorrection;
use crate::domain::incidents::{
    self, Incident, IncidentCorrectionRequest, IncidentSearch, NewIncident, SelfReport, VoidRequest,
};
use crate::domain::policy::{AnyUser, BodyOrAdmin, Staff};
use crate::domain::states::IncidentSource;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// How the body reported an incident, relative to the scheme's limit (48 h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportingStatus {
    /// Within the limit (exactly at the limit is within).
    OnTime,
    /// Strictly after the limit.
    Late,
    /// Never reported by the body.
    Never,
}

impl From<Reporting> for ReportingStatus {
    fn from(r: Reporting) -> ReportingStatus {
        match r {
            Reporting::OnTime => ReportingStatus::OnTime,
            Reporting::Late => ReportingStatus::Late,
            Reporting::Never => ReportingStatus::Never,
        }
    }
}

/// A correction of an incident's kind or severity.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionView {
    /// Id.
    pub id: String,
    /// Kind before.
    pub old_kind: String,
    /// Kind after.
    pub new_kind: String,
    /// Severity before.
    pub old_severity: String,
    /// Severity after.
    pub new_severity: String,
    /// Why it was corrected.
    pub reason: String,
    /// Who corrected it.
    pub actor: String,
    /// When (UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<IncidentCorrection> for CorrectionView {
    fn from(c: IncidentCorrection) -> CorrectionView {
        CorrectionView {
            id: c.id,
            old_kind: c.old_kind,
            new_kind: c.new_kind,
            old_severity: c.old_severity,
            new_severity: c.new_severity,
            reason: c.reason,
            actor: c.actor,
            created_at: rfc3339(c.created_at),
        }
    }
}

/// An incident as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentView {
    /// Id.
    pub id: String,
    /// The body it concerns.
    pub body_id: String,
    /// Incident kind, one of the active scheme's `incident_kinds`.
    #[schema(example = "major_event")]
    pub kind: String,
    /// Severity, one of the active scheme's `severities`.
    #[schema(example = "general")]
    pub severity: String,
    /// When it happened (UTC).
    #[schema(format = DateTime)]
    pub occurred_at: String,
    /// When the body reported it (UTC): the server's clock for a self-report; null when the
    /// body never reported it.
    #[schema(format = DateTime)]
    pub reported_at: Option<String>,
    /// Where it came from.
    pub source: IncidentSource,
    /// What happened.
    pub description: String,
    /// Evidence (references, links, file numbers).
    pub evidence: Option<String>,
    /// Whether the body reported it within the scheme's limit (48 h; exactly 48 h is within).
    pub reported_within_48h: bool,
    /// How the body reported it: on time, late or never.
    pub reporting: ReportingStatus,
    /// The evaluation year it counts toward (China Standard Time).
    pub evaluation_year: i32,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded (UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Whether it is voided (voided incidents count for nothing).
    pub voided: bool,
    /// When it was voided (UTC).
    #[schema(format = DateTime)]
    pub voided_at: Option<String>,
    /// Who voided it.
    pub voided_by: Option<String>,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// Its corrections, oldest first (in the view of one incident; absent from lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrections: Option<Vec<CorrectionView>>,
}

impl From<Incident> for IncidentView {
    fn from(incident: Incident) -> IncidentView {
        let Incident {
            row,
            source,
            reporting,
            evaluation_year,
            corrections,
        } = incident;
        IncidentView {
            evaluation_year,
            reported_within_48h: reporting == Reporting::OnTime,
            reporting: reporting.into(),
            id: row.id,
            body_id: row.body_id,
            kind: row.kind,
            severity: row.severity,
            occurred_at: rfc3339(row.occurred_at),
            reported_at: row.reported_at.map(rfc3339),
            source,
            description: row.description,
            evidence: row.evidence,
            recorded_by: row.recorded_by,
            created_at: rfc3339(row.created_at),
            voided: row.voided_at.is_some(),
            voided_at: row.voided_at.map(rfc3339),
            voided_by: row.voided_by,
            void_reason: row.void_reason,
            corrections: corrections.map(|c| c.into_iter().map(CorrectionView::from).collect()),
        }
    }
}

/// Filters of the incident lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only incidents that occurred in this evaluation year (China Standard Time).
    pub year: Option<i32>,
    /// Only this source.
    pub source: Option<IncidentSource>,
    /// Voided incidents too (default false).
    pub include_voided: Option<bool>,
}

/// The body filter of the list of all incidents.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentBodyQuery {
    /// Only this body.
    pub body_id: Option<String>,
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

impl IncidentQuery {
    fn search(self) -> IncidentSearch {
        IncidentSearch {
            kind: self.kind,
            year: self.year,
            source: self.source,
            include_voided: self.include_voided.unwrap_or(false),
        }
    }
}

fn created(incident: Incident) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/incidents/{}", incident.row.id)))
        .json(IncidentView::from(incident))
}

fn page_of(items: Vec<Incident>, total_items: i64, page: u32, per_page: u32) -> HttpResponse {
    HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(IncidentView::from)
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    })
}

/// Reports an incident of the caller's own body (自报要情); `reported_at` is the server's clock.
#[utoipa::path(operation_id = "incidents_self_report", post, path = "/api/v1/bodies/{id}/incidents", tag = "incidents", request_body = SelfReport, security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id")),
    responses(
        (status = 201, description = "Reported", body = IncidentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor body user (analysts record incidents through POST /api/v1/incidents)", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 409, description = "No active scheme", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field (unknown kind or severity, occurred_at in the future, empty description)", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/incidents")]
pub async fn self_report(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    id: web::Path<String>,
    report: crate::extract::Json<SelfReport>,
) -> Result<HttpResponse, ApiError> {
    let body_id = id.into_inner();
    let report = report.into_inner();
    let incident = call(&state, &auth, move |conn, ctx| {
        incidents::self_report(conn, ctx, &body_id, report)
    })
    .await?;
    Ok(created(incident))
}

/// Records an incident about a body (analyst), with the time the body reported it, if ever.
#[utoipa::path(operation_id = "incidents_record", post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncident, security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = IncidentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "No active scheme", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field (unknown body, kind or severity; a time in the future; reported_at before occurred_at)", body = ErrorBody),
    ))]
#[post("/api/v1/incidents")]
pub async fn record(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    incident: crate::extract::Json<NewIncident>,
) -> Result<HttpResponse, ApiError> {
    let new = incident.into_inner();
    let incident = call(&state, &auth, move |conn, ctx| {
        incidents::record(conn, ctx, new)
    })
    .await?;
    Ok(created(incident))
}

/// Lists incidents (staff), latest occurrence first; voided ones only when asked for.
#[utoipa::path(operation_id = "incidents_list", get, path = "/api/v1/incidents", tag = "incidents", params(PageQuery, IncidentBodyQuery, IncidentQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of incidents, latest occurrence first", body = Page<IncidentView>),
        (status = 400, description = "Malformed query (e.g. an unknown source)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 422, description = "Invalid page or year", body = ErrorBody),
    ))]
#[get("/api/v1/incidents")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    page: crate::extract::Query<PageQuery>,
    body: crate::extract::Query<IncidentBodyQuery>,
    query: crate::extract::Query<IncidentQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.resolve()?;
    let body_id = body.into_inner().body_id;
    let search = query.into_inner().search();
    let (items, total_items) = call(&state, &auth, move |conn, _| {
        incidents::page(conn, body_id, search, offset, i64::from(per_page))
    })
    .await?;
    Ok(page_of(items, total_items, page, per_page))
}

/// Lists one body's incidents (staff, or the body's own user), latest occurrence first.
#[utoipa::path(operation_id = "incidents_list_of_body", get, path = "/api/v1/bodies/{id}/incidents", tag = "incidents", params(("id" = String, Path, description = "Body id"), PageQuery, IncidentQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the body's incidents, latest occurrence first", body = Page<IncidentView>),
        (status = 400, description = "Malformed query (e.g. an unknown source)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 422, description = "Invalid page or year", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/incidents")]
pub async fn list_of_body(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    id: web::Path<String>,
    page: crate::extract::Query<PageQuery>,
    query: crate::extract::Query<IncidentQuery>,
) -> Result<HttpResponse, ApiError> {
    let body_id = id.into_inner();
    let (page, per_page, offset) = page.resolve()?;
    let search = query.into_inner().search();
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        incidents::page_of_body(conn, ctx, &body_id, search, offset, i64::from(per_page))
    })
    .await?;
    Ok(page_of(items, total_items, page, per_page))
}

/// One incident with its corrections (staff, or the user of the body it concerns).
#[utoipa::path(operation_id = "incidents_get", get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, description = "Incident id")),
    responses(
        (status = 200, description = "The incident, with its corrections", body = IncidentView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such incident, or not your body's", body = ErrorBody),
    ))]
#[get("/api/v1/incidents/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let incident = call(&state, &auth, move |conn, ctx| {
        incidents::get(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentView::from(incident)))
}

/// Corrects an incident's kind or severity (staff), with a reason; its times never change.
#[utoipa::path(operation_id = "incidents_correct", post, path = "/api/v1/incidents/{id}/correct", tag = "incidents", request_body = IncidentCorrectionRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Incident id")),
    responses(
        (status = 200, description = "Corrected; the incident with its corrections", body = IncidentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "The incident is voided, or no scheme is active", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No reason, an unknown kind or severity, nothing changed, or a field that cannot be corrected (such as reported_at)", body = ErrorBody),
    ))]
#[post("/api/v1/incidents/{id}/correct")]
pub async fn correct(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    correction: crate::extract::Json<IncidentCorrectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let correction = correction.into_inner();
    let incident = call(&state, &auth, move |conn, ctx| {
        incidents::correct(conn, ctx, &id, correction)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentView::from(incident)))
}

/// Voids an incident (staff), with a reason; it is kept, marked, and counts for nothing.
#[utoipa::path(operation_id = "incidents_void", post, path = "/api/v1/incidents/{id}/void", tag = "incidents", request_body = VoidRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Incident id")),
    responses(
        (status = 200, description = "Voided; the incident", body = IncidentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
        (status = 409, description = "Already voided", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/api/v1/incidents/{id}/void")]
pub async fn void(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: crate::extract::Json<VoidRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = request.into_inner();
    let incident = call(&state, &auth, move |conn, ctx| {
        incidents::void(conn, ctx, &id, request)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentView::from(incident)))
}
