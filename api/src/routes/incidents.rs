//! Incidents (要情报告): a body self-reports its own (article 20: within 48 hours); analysts
//! record what they learn elsewhere, correct a kind or severity with a reason and void with a
//! reason; nothing is deleted and every change is in the audit log (DESIGN.md §2–§4,
//! SCHEME.md §3).

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, DurationRound, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use pubeval_scoring::scheme::Reporting;
use pubeval_scoring::{Problem, Scheme};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, with_conn};
use crate::db::DbConn;
use crate::db::models::audit;
use crate::db::models::body::Body;
use crate::db::models::incident::{
    IncidentCorrection, IncidentFilter, IncidentRow, SOURCE_ANALYST, SOURCE_SELF_REPORT,
};
use crate::db::models::scheme::SchemeRow;
use crate::db::models::{new_id, now};
use crate::db::write_transaction;
use crate::domain::policy::{AnyUser, BodyOrAdmin, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// How far ahead of the server's clock an occurrence may lie (clocks of other systems drift).
pub const CLOCK_SKEW_MINUTES: i64 = 5;
/// The longest description, in characters.
const MAX_DESCRIPTION: usize = 4000;
/// The longest evidence text, in characters.
const MAX_EVIDENCE: usize = 4000;
/// The longest reason of a correction or a voiding, in characters.
const MAX_REASON: usize = 1000;

/// Where an incident came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentSource {
    /// The body reported it itself through pubeval.
    SelfReport,
    /// An analyst recorded it.
    Analyst,
}

impl IncidentSource {
    fn code(self) -> &'static str {
        match self {
            IncidentSource::SelfReport => SOURCE_SELF_REPORT,
            IncidentSource::Analyst => SOURCE_ANALYST,
        }
    }

    fn from_code(code: &str) -> IncidentSource {
        if code == SOURCE_SELF_REPORT {
            IncidentSource::SelfReport
        } else {
            IncidentSource::Analyst
        }
    }
}

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

impl IncidentView {
    fn new(row: IncidentRow, limit_hours: u32) -> IncidentView {
        let reporting = row.to_scoring().reporting(limit_hours);
        IncidentView {
            evaluation_year: pubeval_scoring::incident::evaluation_year(row.occurred_at.and_utc()),
            reported_within_48h: reporting == Reporting::OnTime,
            reporting: reporting.into(),
            id: row.id,
            body_id: row.body_id,
            kind: row.kind,
            severity: row.severity,
            occurred_at: rfc3339(row.occurred_at),
            reported_at: row.reported_at.map(rfc3339),
            source: IncidentSource::from_code(&row.source),
            description: row.description,
            evidence: row.evidence,
            recorded_by: row.recorded_by,
            created_at: rfc3339(row.created_at),
            voided: row.voided_at.is_some(),
            voided_at: row.voided_at.map(rfc3339),
            voided_by: row.voided_by,
            void_reason: row.void_reason,
            corrections: None,
        }
    }

    fn with_corrections(mut self, corrections: Vec<IncidentCorrection>) -> IncidentView {
        self.corrections = Some(corrections.into_iter().map(CorrectionView::from).collect());
        self
    }
}

/// A body's report of its own incident; the server stamps `reported_at` with its clock.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReport {
    /// Incident kind, one of the active scheme's `incident_kinds`.
    #[schema(example = "major_event")]
    pub kind: String,
    /// Severity, one of the active scheme's `severities`.
    #[schema(example = "general")]
    pub severity: String,
    /// When it happened (RFC 3339, any offset; not in the future).
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T09:30:00+08:00")]
    pub occurred_at: DateTime<FixedOffset>,
    /// What happened.
    pub description: String,
    /// Evidence (references, links, file numbers).
    pub evidence: Option<String>,
}

/// An incident an analyst records about a body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// The body it concerns.
    pub body_id: String,
    /// Incident kind, one of the active scheme's `incident_kinds`.
    #[schema(example = "negative_opinion")]
    pub kind: String,
    /// Severity, one of the active scheme's `severities`.
    #[schema(example = "major")]
    pub severity: String,
    /// When it happened (RFC 3339, any offset; not in the future).
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T09:30:00+08:00")]
    pub occurred_at: DateTime<FixedOffset>,
    /// When the body reported it through another channel (RFC 3339, not before `occurred_at`),
    /// or null when it never did.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reported_at: Option<DateTime<FixedOffset>>,
    /// What happened.
    pub description: String,
    /// Evidence (references, links, file numbers).
    pub evidence: Option<String>,
}

/// A correction of an incident's kind or severity (never its times); absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentCorrectionRequest {
    /// The corrected kind.
    pub kind: Option<String>,
    /// The corrected severity.
    pub severity: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// The voiding of an incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Why (required).
    pub reason: String,
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

/// An instant in UTC at the microsecond precision both backends store.
fn stored(at: DateTime<FixedOffset>) -> NaiveDateTime {
    let utc = at.with_timezone(&Utc).naive_utc();
    utc.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(utc)
}

/// A required text field: trimmed, 1 to `max` characters.
fn required_text(problems: &mut Vec<Problem>, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        problems.push(Problem::new(
            field,
            "length",
            format!("须为 1 至 {max} 个字符"),
            format!("must be 1 to {max} characters"),
        ));
    }
    v.to_string()
}

/// An optional text field: trimmed, empty as absent, at most `max` characters.
fn optional_text(
    problems: &mut Vec<Problem>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max {
        problems.push(Problem::new(
            field,
            "length",
            format!("不得超过 {max} 个字符"),
            format!("must be at most {max} characters"),
        ));
    }
    Some(v.to_string())
}

/// An instant that must not lie in the future (beyond the allowed clock skew).
fn not_in_future(problems: &mut Vec<Problem>, field: &str, at: NaiveDateTime, now: NaiveDateTime) {
    if at > now + TimeDelta::minutes(CLOCK_SKEW_MINUTES) {
        problems.push(Problem::new(
            field,
            "in_future",
            "时间晚于当前时间",
            "must not be in the future",
        ));
    }
}

/// A reason, required.
fn reason(value: &str) -> Result<String, ApiError> {
    let mut problems = Vec::new();
    let v = required_text(&mut problems, "reason", value, MAX_REASON);
    if problems.is_empty() {
        Ok(v)
    } else {
        Err(ApiError::validation(&problems))
    }
}

/// The active scheme, whose vocabulary incidents are checked against.
fn active_scheme(conn: &mut DbConn) -> Result<Scheme, ApiError> {
    let row = SchemeRow::active(conn)?.ok_or_else(|| {
        ApiError::conflict(
            crate::domain::ErrorCode::NoActiveScheme,
            "没有生效的评价方案，无法登记事件 / no active scheme to check the incident against",
        )
    })?;
    row.parsed().map_err(ApiError::internal)
}

/// The reporting limit in hours of the active scheme (the default scheme's when none is
/// active).
fn report_limit(conn: &mut DbConn) -> Result<u32, ApiError> {
    #[derive(Deserialize)]
    struct Limit {
        report_limit_hours: u32,
    }
    match SchemeRow::active(conn)? {
        Some(row) => serde_json::from_str::<Limit>(&row.definition)
            .map(|l| l.report_limit_hours)
            .map_err(ApiError::internal),
        None => Ok(Scheme::default_scheme().report_limit_hours),
    }
}

fn audit_detail(row: &IncidentRow) -> serde_json::Value {
    serde_json::json!({
        "body_id": row.body_id,
        "kind": row.kind,
        "severity": row.severity,
        "occurred_at": rfc3339(row.occurred_at),
        "reported_at": row.reported_at.map(rfc3339),
        "source": row.source,
    })
}

fn created(row: IncidentRow, limit: u32) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/incidents/{}", row.id)))
        .json(IncidentView::new(row, limit))
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
    if !auth.may_see_body(&body_id) {
        return Err(ApiError::not_found("机构"));
    }
    let report = report.into_inner();
    let mut problems = Vec::new();
    let description = required_text(
        &mut problems,
        "description",
        &report.description,
        MAX_DESCRIPTION,
    );
    let evidence = optional_text(
        &mut problems,
        "evidence",
        report.evidence.as_deref(),
        MAX_EVIDENCE,
    );
    let occurred_at = stored(report.occurred_at);
    let actor = auth.actor();
    let (row, limit) = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            if Body::by_id(conn, &body_id)?.is_none() {
                return Err(ApiError::not_found("机构"));
            }
            let scheme = active_scheme(conn)?;
            let reported_at = now();
            let row = IncidentRow {
                id: new_id(),
                body_id,
                kind: report.kind,
                severity: report.severity,
                occurred_at,
                reported_at: Some(reported_at),
                source: SOURCE_SELF_REPORT.to_string(),
                description,
                evidence,
                recorded_by: actor.clone(),
                created_at: reported_at,
                voided_at: None,
                void_reason: None,
                voided_by: None,
            };
            // The server stamps reported_at, so only the caller's fields are checked.
            let mut incident = row.to_scoring();
            incident.reported_at = None;
            problems.extend(incident.validate(&scheme, ""));
            not_in_future(&mut problems, "occurred_at", occurred_at, reported_at);
            if !problems.is_empty() {
                return Err(ApiError::validation(&problems));
            }
            row.insert(conn)?;
            audit::record(
                conn,
                &actor,
                "incident.report",
                "incident",
                &row.id,
                audit_detail(&row),
            )?;
            Ok((row, scheme.report_limit_hours))
        })
    })
    .await?;
    Ok(created(row, limit))
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
    let mut problems = Vec::new();
    let description = required_text(
        &mut problems,
        "description",
        &new.description,
        MAX_DESCRIPTION,
    );
    let evidence = optional_text(
        &mut problems,
        "evidence",
        new.evidence.as_deref(),
        MAX_EVIDENCE,
    );
    let occurred_at = stored(new.occurred_at);
    let reported_at = new.reported_at.map(stored);
    let actor = auth.actor();
    let (row, limit) = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            if Body::by_id(conn, &new.body_id)?.is_none() {
                problems.push(Problem::new(
                    "body_id",
                    "unknown_body",
                    format!("未找到机构 {}", new.body_id),
                    format!("no body {}", new.body_id),
                ));
            }
            let scheme = active_scheme(conn)?;
            let at = now();
            let row = IncidentRow {
                id: new_id(),
                body_id: new.body_id,
                kind: new.kind,
                severity: new.severity,
                occurred_at,
                reported_at,
                source: SOURCE_ANALYST.to_string(),
                description,
                evidence,
                recorded_by: actor.clone(),
                created_at: at,
                voided_at: None,
                void_reason: None,
                voided_by: None,
            };
            problems.extend(row.to_scoring().validate(&scheme, ""));
            not_in_future(&mut problems, "occurred_at", occurred_at, at);
            if let Some(reported) = reported_at {
                not_in_future(&mut problems, "reported_at", reported, at);
            }
            if !problems.is_empty() {
                return Err(ApiError::validation(&problems));
            }
            row.insert(conn)?;
            audit::record(
                conn,
                &actor,
                "incident.record",
                "incident",
                &row.id,
                audit_detail(&row),
            )?;
            Ok((row, scheme.report_limit_hours))
        })
    })
    .await?;
    Ok(created(row, limit))
}

/// Resolves the list filters; `year` becomes the instants of that year in China Standard Time.
fn filter_of(query: IncidentQuery, body_id: Option<String>) -> Result<IncidentFilter, ApiError> {
    let occurred_within = query
        .year
        .map(|y| {
            pubeval_scoring::incident::year_bounds(y)
                .map(|(start, end)| (start.naive_utc(), end.naive_utc()))
                .ok_or_else(|| ApiError::invalid_field("year", "年份超出范围", "year out of range"))
        })
        .transpose()?;
    Ok(IncidentFilter {
        body_id,
        kind: query.kind.filter(|k| !k.trim().is_empty()),
        source: query.source.map(|s| s.code().to_string()),
        occurred_within,
        include_voided: query.include_voided.unwrap_or(false),
    })
}

async fn list_page(
    state: &AppState,
    page: PageQuery,
    filter: IncidentFilter,
    body_must_exist: bool,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.resolve()?;
    let (items, total_items, limit) = with_conn(state, move |conn| {
        if body_must_exist
            && let Some(id) = &filter.body_id
            && Body::by_id(conn, id)?.is_none()
        {
            return Err(ApiError::not_found("机构"));
        }
        let (items, total) = IncidentRow::page(conn, &filter, offset, i64::from(per_page))?;
        Ok((items, total, report_limit(conn)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(|row| IncidentView::new(row, limit))
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
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
    _auth: Auth<Staff>,
    page: web::Query<PageQuery>,
    body: web::Query<IncidentBodyQuery>,
    query: web::Query<IncidentQuery>,
) -> Result<HttpResponse, ApiError> {
    let body_id = body.into_inner().body_id.filter(|b| !b.trim().is_empty());
    let filter = filter_of(query.into_inner(), body_id)?;
    list_page(&state, page.into_inner(), filter, false).await
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
    page: web::Query<PageQuery>,
    query: web::Query<IncidentQuery>,
) -> Result<HttpResponse, ApiError> {
    let body_id = id.into_inner();
    if !auth.may_see_body(&body_id) {
        return Err(ApiError::not_found("机构"));
    }
    let filter = filter_of(query.into_inner(), Some(body_id))?;
    list_page(&state, page.into_inner(), filter, true).await
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
    let principal = auth.principal;
    let view = with_conn(&state, move |conn| {
        let row = IncidentRow::by_id(conn, &id)?
            .filter(|row| principal.may_see_body(&row.body_id))
            .ok_or_else(|| ApiError::not_found("事件"))?;
        let corrections = IncidentCorrection::of_incident(conn, &row.id)?;
        let limit = report_limit(conn)?;
        Ok(IncidentView::new(row, limit).with_corrections(corrections))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

fn voided_conflict() -> ApiError {
    ApiError::conflict(
        crate::domain::ErrorCode::IncidentVoided,
        "事件已作废，不能更正 / the incident is voided and cannot be corrected",
    )
}

fn already_voided() -> ApiError {
    ApiError::conflict(
        crate::domain::ErrorCode::AlreadyVoided,
        "事件已作废 / the incident is already voided",
    )
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
    let reason = reason(&correction.reason)?;
    let actor = auth.actor();
    let view = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let row = IncidentRow::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("事件"))?;
            if row.voided_at.is_some() {
                return Err(voided_conflict());
            }
            let scheme = active_scheme(conn)?;
            let mut corrected = row.to_scoring();
            corrected.reported_at = None;
            if let Some(kind) = &correction.kind {
                corrected.kind = kind.clone();
            }
            if let Some(severity) = &correction.severity {
                corrected.severity = severity.clone();
            }
            // Only what the caller sent is checked: a stored value stays valid even if a later
            // scheme renamed it.
            let problems: Vec<Problem> = corrected
                .validate(&scheme, "")
                .into_iter()
                .filter(|p| {
                    (p.field == "kind" && correction.kind.is_some())
                        || (p.field == "severity" && correction.severity.is_some())
                })
                .collect();
            if !problems.is_empty() {
                return Err(ApiError::validation(&problems));
            }
            if corrected.kind == row.kind && corrected.severity == row.severity {
                return Err(ApiError::validation(&[Problem::new(
                    if correction.severity.is_some() && correction.kind.is_none() {
                        "severity"
                    } else {
                        "kind"
                    },
                    "unchanged",
                    "事件类型和严重程度均未改变",
                    "neither kind nor severity changes",
                )]));
            }
            if IncidentRow::set_classification(conn, &row.id, &corrected.kind, &corrected.severity)?
                == 0
            {
                return Err(voided_conflict());
            }
            let entry = IncidentCorrection {
                id: new_id(),
                incident_id: row.id.clone(),
                old_kind: row.kind.clone(),
                new_kind: corrected.kind.clone(),
                old_severity: row.severity.clone(),
                new_severity: corrected.severity.clone(),
                reason,
                actor: actor.clone(),
                created_at: now(),
            };
            entry.insert(conn)?;
            audit::record(
                conn,
                &actor,
                "incident.correct",
                "incident",
                &row.id,
                serde_json::json!({
                    "correction_id": entry.id,
                    "before": {"kind": entry.old_kind, "severity": entry.old_severity},
                    "after": {"kind": entry.new_kind, "severity": entry.new_severity},
                    "reason": entry.reason,
                }),
            )?;
            let updated =
                IncidentRow::by_id(conn, &row.id)?.ok_or_else(|| ApiError::not_found("事件"))?;
            let corrections = IncidentCorrection::of_incident(conn, &row.id)?;
            Ok(IncidentView::new(updated, scheme.report_limit_hours).with_corrections(corrections))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
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
    let reason = reason(&request.into_inner().reason)?;
    let actor = auth.actor();
    let view = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let row = IncidentRow::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("事件"))?;
            if row.voided_at.is_some() {
                return Err(already_voided());
            }
            let at = now();
            if IncidentRow::void(conn, &row.id, at, &actor, &reason)? == 0 {
                return Err(already_voided());
            }
            audit::record(
                conn,
                &actor,
                "incident.void",
                "incident",
                &row.id,
                serde_json::json!({"body_id": row.body_id, "kind": row.kind, "severity": row.severity, "reason": reason}),
            )?;
            let updated =
                IncidentRow::by_id(conn, &row.id)?.ok_or_else(|| ApiError::not_found("事件"))?;
            let corrections = IncidentCorrection::of_incident(conn, &row.id)?;
            let limit = report_limit(conn)?;
            Ok(IncidentView::new(updated, limit).with_corrections(corrections))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
