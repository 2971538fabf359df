//! Annual reports (年度宣传工作报告): a body saves drafts (with `If-Match` so that two people
//! never overwrite each other), submits, and an analyst returns or accepts; every step is a
//! new revision.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use pubeval_scoring::{Completeness, validate_payload};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cycles::utc;
use super::{Page, PageQuery, with_conn};
use crate::auth::Principal;
use crate::db::models::audit;
use crate::db::models::body::{Body, BodyFilter};
use crate::db::models::cycle::Cycle;
use crate::db::models::submission::Revision;
use crate::db::models::{new_id, now};
use crate::db::{DbConn, write_transaction};
use crate::domain::policy::{AnyUser, BodyOrAdmin, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// A revision as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// The body.
    pub body_id: String,
    /// The evaluation year.
    pub year: i32,
    /// Revision number, from 1 (also in the `ETag` header).
    pub revision: i32,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub status: String,
    /// The report.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The analyst's comment on a return or acceptance.
    pub comment: Option<String>,
    /// Who made this revision.
    pub actor: String,
    /// When (UTC).
    pub created_at: String,
}

impl From<Revision> for RevisionView {
    fn from(r: Revision) -> RevisionView {
        RevisionView {
            payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
            body_id: r.body_id,
            year: r.year,
            revision: r.revision,
            status: r.status,
            comment: r.comment,
            actor: r.actor,
            created_at: utc(r.created_at),
        }
    }
}

/// A draft to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// The report (SCHEME.md §1); a draft may leave fields out.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// An analyst's comment.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// The comment (required to return a report).
    pub comment: Option<String>,
}

fn revision_response(status: StatusCode, r: Revision) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", format!("\"{}\"", r.revision)))
        .json(RevisionView::from(r))
}

/// The revision an `If-Match` header names (`"3"`, `W/"3"` or `3`); `*` matches any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfMatch {
    Absent,
    Any,
    Revision(i32),
    Unparsable,
}

fn if_match(req: &HttpRequest) -> IfMatch {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return IfMatch::Absent;
    };
    let Ok(text) = value.to_str() else {
        return IfMatch::Unparsable;
    };
    let text = text.trim();
    if text == "*" {
        return IfMatch::Any;
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse().map_or(IfMatch::Unparsable, IfMatch::Revision)
}

fn stale(current: i32) -> ApiError {
    ApiError::coded(
        crate::domain::ErrorCode::StaleRevision,
        format!(
            "报告已被修改，当前为第 {current} 版，请刷新后再保存 / the report changed; the current revision is {current}"
        ),
    )
}

/// A body's data is visible to staff and to its own users; anyone else gets 404.
fn check_body_access(principal: &Principal, body_id: &str) -> Result<(), ApiError> {
    if principal.may_see_body(body_id) {
        Ok(())
    } else {
        Err(ApiError::not_found("机构"))
    }
}

const CHINA: FixedOffset = pubeval_scoring::incident::REGULATOR_TIMEZONE;

fn china_time(t: NaiveDateTime) -> String {
    t.and_utc()
        .with_timezone(&CHINA)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Refuses (409) a save or submission outside the year's window and the body's exception.
fn check_window(conn: &mut DbConn, cycle: &Cycle, body_id: &str) -> Result<(), ApiError> {
    let at = now();
    let closes = match cycle.exception_for(conn, body_id)? {
        Some(e) if e.closes_at > cycle.closes_at => e.closes_at,
        _ => cycle.closes_at,
    };
    if cycle.opens_at <= at && at < closes {
        return Ok(());
    }
    Err(ApiError::conflict(
        crate::domain::ErrorCode::WindowClosed,
        format!(
            "不在报送期内：{} 年度报送期为 {} 至 {}（北京时间，截止时刻不含）/ outside the submission window {} to {} (UTC+8)",
            cycle.year,
            china_time(cycle.opens_at),
            china_time(closes),
            china_time(cycle.opens_at),
            china_time(closes),
        ),
    ))
}

/// The year's cycle and its scheme, or 409 when the year has no cycle.
fn cycle_and_scheme(
    conn: &mut DbConn,
    year: i32,
) -> Result<(Cycle, pubeval_scoring::Scheme), ApiError> {
    let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| {
        ApiError::conflict(
            crate::domain::ErrorCode::NoCycle,
            format!("{year} 年度尚未设立评价周期 / no evaluation cycle for {year}"),
        )
    })?;
    let scheme = super::scheme_of(conn, &cycle.scheme_id)?;
    Ok((cycle, scheme))
}

fn require_body(conn: &mut DbConn, body_id: &str) -> Result<Body, ApiError> {
    Body::by_id(conn, body_id)?.ok_or_else(|| ApiError::not_found("机构"))
}

/// Saves a draft (a new revision). The first save needs no `If-Match`; every later one must
/// name the revision it edits.
#[utoipa::path(put, path = "/api/v1/bodies/{id}/submissions/{year}", operation_id = "submissions_save", tag = "submissions",
    request_body = SaveRequest, security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Body id"),
        ("year" = i32, Path, description = "Evaluation year"),
        ("If-Match" = Option<String>, Header, description = "The revision being edited, e.g. \"3\"; required once a revision exists"),
    ),
    responses(
        (status = 200, description = "Saved as a new revision (ETag: the revision)", body = RevisionView),
        (status = 201, description = "The first revision (ETag: \"1\")", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Analysts and clients do not write reports", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 409, description = "Outside the window, no cycle, or already submitted", body = ErrorBody),
        (status = 412, description = "If-Match names a revision that is no longer current", body = ErrorBody),
        (status = 422, description = "Invalid fields; every problem in details", body = ErrorBody),
        (status = 428, description = "If-Match is required once a revision exists", body = ErrorBody),
    ))]
#[put("/api/v1/bodies/{id}/submissions/{year}")]
pub async fn save(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: crate::extract::Json<SaveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    check_body_access(&auth, &body_id)?;
    let precondition = if_match(&req);
    if precondition == IfMatch::Unparsable {
        return Err(ApiError::bad_request(
            "If-Match 应为修订号，如 \"3\" / If-Match must name a revision, e.g. \"3\"",
        ));
    }
    let payload = body.into_inner().payload;
    let actor = auth.actor();
    let (created, revision) = with_conn(&state, move |conn| {
        require_body(conn, &body_id)?;
        let (cycle, scheme) = cycle_and_scheme(conn, year)?;
        validate_payload(&scheme, &payload, Completeness::Draft).map_err(|p| ApiError::validation(&p))?;
        write_transaction(conn, |conn| {
            let current = Revision::current(conn, &body_id, year)?;
            match (&current, precondition) {
                (None, IfMatch::Revision(_)) => return Err(stale(0)),
                (Some(c), IfMatch::Absent) => {
                    return Err(ApiError::coded(
                        crate::domain::ErrorCode::IfMatchRequired,
                        format!("报告已有第 {} 版，保存时须带 If-Match 指明所修改的版本 / If-Match is required; the current revision is {}", c.revision, c.revision),
                    ));
                }
                (Some(c), IfMatch::Revision(n)) if n != c.revision => return Err(stale(c.revision)),
                _ => {}
            }
            if let Some(c) = &current
                && matches!(c.status.as_str(), "submitted" | "accepted")
            {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::InvalidTransition,
                    format!("报告已{}，不能再修改 / the report is {} and can no longer be edited", status_zh(&c.status), c.status),
                ));
            }
            check_window(conn, &cycle, &body_id)?;
            let revision = Revision {
                id: new_id(),
                body_id: body_id.clone(),
                year,
                revision: current.as_ref().map_or(1, |c| c.revision + 1),
                status: "draft".into(),
                payload: payload.to_string(),
                comment: None,
                actor: actor.clone(),
                created_at: now(),
            };
            revision.insert(conn)?;
            audit::record(conn, &actor, "submission.save", "submission", &revision.id,
                serde_json::json!({"body_id": body_id, "year": year, "revision": revision.revision}))?;
            Ok((current.is_none(), revision))
        })
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(revision_response(status, revision))
}

fn status_zh(status: &str) -> &'static str {
    match status {
        "draft" => "保存为草稿",
        "submitted" => "提交",
        "returned" => "退回",
        "accepted" => "接收",
        _ => "处理",
    }
}

/// Submits the current draft: the full report is validated and every problem is returned.
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/submit", operation_id = "submissions_submit", tag = "submissions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Body id"),
        ("year" = i32, Path, description = "Evaluation year"),
        ("If-Match" = Option<String>, Header, description = "When given, the revision being submitted"),
    ),
    responses(
        (status = 200, description = "Submitted (a new revision)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Analysts and clients do not submit reports", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 409, description = "Nothing saved, already submitted, outside the window, or no cycle", body = ErrorBody),
        (status = 412, description = "If-Match names a revision that is no longer current", body = ErrorBody),
        (status = 422, description = "The report is incomplete or invalid; every problem in details", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    check_body_access(&auth, &body_id)?;
    let precondition = if_match(&req);
    let actor = auth.actor();
    let revision = with_conn(&state, move |conn| {
        require_body(conn, &body_id)?;
        let (cycle, scheme) = cycle_and_scheme(conn, year)?;
        write_transaction(conn, |conn| {
            let current = Revision::current(conn, &body_id, year)?.ok_or_else(|| {
                ApiError::conflict(crate::domain::ErrorCode::NothingToSubmit, "尚未保存报告，无法提交 / save the report before submitting it")
            })?;
            if let IfMatch::Revision(n) = precondition
                && n != current.revision
            {
                return Err(stale(current.revision));
            }
            if matches!(current.status.as_str(), "submitted" | "accepted") {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::InvalidTransition,
                    format!("报告已{} / the report is already {}", status_zh(&current.status), current.status),
                ));
            }
            let payload: serde_json::Value = serde_json::from_str(&current.payload).map_err(ApiError::internal)?;
            validate_payload(&scheme, &payload, Completeness::Submitted).map_err(|p| ApiError::validation(&p))?;
            check_window(conn, &cycle, &body_id)?;
            let revision = Revision {
                id: new_id(),
                revision: current.revision + 1,
                status: "submitted".into(),
                comment: None,
                actor: actor.clone(),
                created_at: now(),
                ..current
            };
            revision.insert(conn)?;
            audit::record(conn, &actor, "submission.submit", "submission", &revision.id,
                serde_json::json!({"body_id": body_id, "year": year, "revision": revision.revision}))?;
            Ok(revision)
        })
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

async fn review(
    state: web::Data<AppState>,
    actor: String,
    body_id: String,
    year: i32,
    to: &'static str,
    comment: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let revision = with_conn(&state, move |conn| {
        require_body(conn, &body_id)?;
        write_transaction(conn, |conn| {
            let current = Revision::current(conn, &body_id, year)?.ok_or_else(|| ApiError::not_found("报告"))?;
            if current.status != "submitted" {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::InvalidTransition,
                    format!("只有已提交的报告可以{}，此报告状态为 {} / only a submitted report can be {to}; this one is {}",
                        status_zh(to), current.status, current.status),
                ));
            }
            let revision = Revision {
                id: new_id(),
                revision: current.revision + 1,
                status: to.into(),
                comment: comment.clone(),
                actor: actor.clone(),
                created_at: now(),
                ..current
            };
            revision.insert(conn)?;
            audit::record(conn, &actor, &format!("submission.{}", if to == "returned" { "return" } else { "accept" }), "submission", &revision.id,
                serde_json::json!({"body_id": body_id, "year": year, "revision": revision.revision, "comment": comment}))?;
            Ok(revision)
        })
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Returns a submitted report to its body with a comment (退回).
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/return", operation_id = "submissions_return", tag = "submissions",
    request_body = CommentRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "Returned (a new revision)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such body or report", body = ErrorBody),
        (status = 409, description = "The report is not submitted", body = ErrorBody),
        (status = 422, description = "A comment is required", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/return")]
pub async fn return_report(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    path: web::Path<(String, i32)>,
    body: crate::extract::Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let comment = body
        .into_inner()
        .comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let Some(comment) = comment else {
        return Err(ApiError::invalid_field(
            "comment",
            "退回时须写明意见",
            "a comment is required to return a report",
        ));
    };
    review(
        state,
        auth.actor(),
        body_id,
        year,
        "returned",
        Some(comment),
    )
    .await
}

/// Accepts a submitted report (接收).
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/accept", operation_id = "submissions_accept", tag = "submissions",
    request_body(content = CommentRequest, description = "An optional comment"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "Accepted (a new revision)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such body or report", body = ErrorBody),
        (status = 409, description = "The report is not submitted", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    path: web::Path<(String, i32)>,
    body: Option<crate::extract::Json<CommentRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let comment = body
        .and_then(|b| b.into_inner().comment)
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    review(state, auth.actor(), body_id, year, "accepted", comment).await
}

/// The current revision of a body's report.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/submissions/{year}", operation_id = "submissions_current", tag = "submissions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "The current revision (ETag: its number)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No report yet, no such body, or not yours", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/submissions/{year}")]
pub async fn current_report(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    check_body_access(&auth, &body_id)?;
    let revision = with_conn(&state, move |conn| {
        Revision::current(conn, &body_id, year)?.ok_or_else(|| ApiError::not_found("报告"))
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Every revision of a body's report, oldest first.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/submissions/{year}/revisions", operation_id = "submissions_revisions", tag = "submissions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year"), PageQuery),
    responses(
        (status = 200, description = "A page of revisions", body = Page<RevisionView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/submissions/{year}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    path: web::Path<(String, i32)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    check_body_access(&auth, &body_id)?;
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = with_conn(&state, move |conn| {
        require_body(conn, &body_id)?;
        Ok(Revision::page(
            conn,
            &body_id,
            year,
            offset,
            i64::from(per_page),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(RevisionView::from)
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One revision of a body's report.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/submissions/{year}/revisions/{revision}", operation_id = "submissions_revision", tag = "submissions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year"), ("revision" = i32, Path, description = "Revision number")),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such revision, body, or not yours", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/submissions/{year}/revisions/{revision}")]
pub async fn one_revision(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    path: web::Path<(String, i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year, number) = path.into_inner();
    check_body_access(&auth, &body_id)?;
    let revision = with_conn(&state, move |conn| {
        Revision::get(conn, &body_id, year, number)?.ok_or_else(|| ApiError::not_found("报告版本"))
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Filters of the cycle's submission list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionQuery {
    /// Evaluation year.
    pub year: i32,
    /// `draft`, `submitted`, `returned`, `accepted` or `not_submitted` (no revision at all).
    pub status: Option<String>,
}

/// One expected body's report status in a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionStatus {
    /// The body.
    pub body_id: String,
    /// Its approval number.
    pub approval_no: String,
    /// Its name.
    pub name: String,
    /// The current status, or `not_submitted`.
    pub status: String,
    /// The current revision, if any.
    pub revision: Option<i32>,
    /// When the current revision was made (UTC).
    pub updated_at: Option<String>,
}

/// The report status of every body the cycle expects, in approval-number order.
#[utoipa::path(get, path = "/api/v1/submissions", operation_id = "submissions_list", tag = "submissions",
    params(SubmissionQuery, PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of bodies with their report status", body = Page<SubmissionStatus>),
        (status = 400, description = "year is missing or not a number", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 422, description = "Invalid status or page", body = ErrorBody),
    ))]
#[get("/api/v1/submissions")]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<Staff>,
    filter: web::Query<SubmissionQuery>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = query.resolve()?;
    let SubmissionQuery { year, status } = filter.into_inner();
    if let Some(s) = &status
        && !matches!(
            s.as_str(),
            "draft" | "submitted" | "returned" | "accepted" | "not_submitted"
        )
    {
        return Err(ApiError::invalid_field(
            "status",
            "状态须为 draft、submitted、returned、accepted 或 not_submitted",
            "status must be draft, submitted, returned, accepted or not_submitted",
        ));
    }
    let rows = with_conn(&state, move |conn| {
        let (bodies, _) = Body::page(conn, &BodyFilter::default(), 0, i64::MAX)?;
        let current = Revision::current_of_year(conn, year)?;
        Ok((bodies, current))
    })
    .await?;
    let (bodies, current) = rows;
    let by_body: std::collections::HashMap<&str, &Revision> =
        current.iter().map(|r| (r.body_id.as_str(), r)).collect();
    let all: Vec<SubmissionStatus> = bodies
        .iter()
        .filter(|b| b.expected_in(year))
        .map(|b| {
            let r = by_body.get(b.id.as_str());
            SubmissionStatus {
                body_id: b.id.clone(),
                approval_no: b.approval_no.clone(),
                name: b.name.clone(),
                status: r.map_or_else(|| "not_submitted".to_string(), |r| r.status.clone()),
                revision: r.map(|r| r.revision),
                updated_at: r.map(|r| utc(r.created_at)),
            }
        })
        .filter(|s| status.as_ref().is_none_or(|want| &s.status == want))
        .collect();
    Ok(HttpResponse::Ok().json(Page::of(all, page, per_page)))
}
