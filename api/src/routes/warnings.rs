//! Risk warnings (风险警示, SCHEME.md §5): drafts come from a final evaluation; analysts issue
//! them with a notice number (认宣警〔YYYY〕N号, NOTICE.md) and a deadline, or withdraw them with
//! a reason; the body acknowledges and submits its rectification report; analysts send it back,
//! close or escalate. Every transition is in the warning's history and the audit log
//! (DESIGN.md §3, §4).
//!
//! Who sees what: staff everything; a body user its own issued warnings (drafts and withdrawn
//! drafts are internal, and so is the staff note); an external client with `warnings:read`
//! issued warnings without the staff note and without their history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use pubeval_scoring::Problem;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, with_conn};
use crate::auth::{Principal, Role};
use crate::db::models::audit;
use crate::db::models::warning::{
    ACKNOWLEDGED, CLOSED, DRAFT, ESCALATED, ISSUED, Issuance, PUBLISHED, RECTIFICATION_SUBMITTED,
    WITHDRAWN, WarningEvent, WarningFilter, WarningListing, WarningRow,
};
use crate::db::models::{new_id, now};
use crate::db::{DbConn, write_transaction};
use crate::domain::Scope;
use crate::domain::policy::{Anyone, BodyOrAdmin, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// Days a body has to rectify when the analyst names no deadline.
pub const DEFAULT_DEADLINE_DAYS: u64 = 30;
/// The longest reason, comment or confirmation, in characters.
const MAX_TEXT: usize = 2000;
/// The longest rectification report, in characters.
const MAX_REPORT: usize = 20_000;

/// The status of a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    /// Drafted from a final evaluation; internal until issued.
    Draft,
    /// Issued to the body with a notice number and a deadline.
    Issued,
    /// The body acknowledged receipt.
    Acknowledged,
    /// The body submitted its rectification report.
    RectificationSubmitted,
    /// Rectified and closed (final).
    Closed,
    /// Withdrawn before issue, with a reason (final).
    Withdrawn,
    /// Escalated to further measures: 约谈, targeted checks (final).
    Escalated,
}

impl WarningStatus {
    fn code(self) -> &'static str {
        match self {
            WarningStatus::Draft => DRAFT,
            WarningStatus::Issued => ISSUED,
            WarningStatus::Acknowledged => ACKNOWLEDGED,
            WarningStatus::RectificationSubmitted => RECTIFICATION_SUBMITTED,
            WarningStatus::Closed => CLOSED,
            WarningStatus::Withdrawn => WITHDRAWN,
            WarningStatus::Escalated => ESCALATED,
        }
    }
}

/// The Chinese name of a status.
pub(crate) fn status_zh(status: &str) -> &'static str {
    match status {
        DRAFT => "草稿",
        ISSUED => "已签发",
        ACKNOWLEDGED => "已确认收悉",
        RECTIFICATION_SUBMITTED => "已提交整改报告",
        CLOSED => "已结案",
        WITHDRAWN => "已撤回",
        ESCALATED => "已升级处理",
        _ => "未知",
    }
}

fn is_final(status: &str) -> bool {
    matches!(status, CLOSED | WITHDRAWN | ESCALATED)
}

/// What may be done to a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Issue,
    Withdraw,
    Acknowledge,
    Rectification,
    SendBack,
    Close,
    Escalate,
}

impl Action {
    /// The status the action leads to from `from`, or `None` when it is not allowed there.
    fn target(self, from: &str) -> Option<&'static str> {
        match (self, from) {
            (Action::Issue, DRAFT) => Some(ISSUED),
            (Action::Withdraw, DRAFT) => Some(WITHDRAWN),
            (Action::Acknowledge, ISSUED) => Some(ACKNOWLEDGED),
            (Action::Rectification, ACKNOWLEDGED) => Some(RECTIFICATION_SUBMITTED),
            (Action::SendBack, RECTIFICATION_SUBMITTED) => Some(ACKNOWLEDGED),
            (Action::Close, RECTIFICATION_SUBMITTED) => Some(CLOSED),
            (Action::Escalate, ISSUED | ACKNOWLEDGED | RECTIFICATION_SUBMITTED) => Some(ESCALATED),
            _ => None,
        }
    }

    /// The audit action's suffix.
    fn code(self) -> &'static str {
        match self {
            Action::Issue => "issue",
            Action::Withdraw => "withdraw",
            Action::Acknowledge => "acknowledge",
            Action::Rectification => "rectification",
            Action::SendBack => "send_back",
            Action::Close => "close",
            Action::Escalate => "escalate",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Action::Issue => "签发",
            Action::Withdraw => "撤回",
            Action::Acknowledge => "确认收悉",
            Action::Rectification => "提交整改报告",
            Action::SendBack => "退回整改报告",
            Action::Close => "结案",
            Action::Escalate => "升级处理",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Action::Issue => "be issued",
            Action::Withdraw => "be withdrawn",
            Action::Acknowledge => "be acknowledged",
            Action::Rectification => "take a rectification report",
            Action::SendBack => "have its rectification sent back",
            Action::Close => "be closed",
            Action::Escalate => "be escalated",
        }
    }
}

/// 409 naming the current status and what was refused.
fn invalid_transition(status: &str, action: Action) -> ApiError {
    let (final_zh, final_en) = if is_final(status) {
        ("（已为终结状态）", ", a final status")
    } else {
        ("", "")
    };
    ApiError::conflict(
        crate::domain::ErrorCode::InvalidTransition,
        format!(
            "风险警示当前状态为“{}”{final_zh}，不能{} / the warning is {status}{final_en}, so it cannot {}",
            status_zh(status),
            action.zh(),
            action.en(),
        ),
    )
}

/// Who is looking, and so what they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Viewer {
    /// Admins and analysts: everything.
    Staff,
    /// A body user: its own body's issued warnings (`None` when bound to no body: nothing).
    Body(Option<String>),
    /// An external client with `warnings:read`: issued warnings, no note, no history.
    Client,
}

impl Viewer {
    /// The viewer a principal is; 403 for a client without `warnings:read`.
    fn of(principal: &Principal) -> Result<Viewer, ApiError> {
        match principal.role() {
            Some(Role::Admin | Role::Analyst) => Ok(Viewer::Staff),
            Some(Role::Body) => Ok(Viewer::Body(principal.own_body().map(str::to_string))),
            None if principal.has_scope(Scope::WarningsRead) => Ok(Viewer::Client),
            None => Err(ApiError::forbidden()),
        }
    }

    fn may_see(&self, row: &WarningRow) -> bool {
        let published = PUBLISHED.contains(&row.status.as_str());
        match self {
            Viewer::Staff => true,
            Viewer::Body(own) => published && own.as_deref() == Some(row.body_id.as_str()),
            Viewer::Client => published,
        }
    }
}

/// One step of a warning's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningEventView {
    /// Id.
    pub id: String,
    /// Status before.
    #[schema(value_type = WarningStatus)]
    pub from_status: String,
    /// Status after.
    #[schema(value_type = WarningStatus)]
    pub to_status: String,
    /// Who: `user:<username>`.
    pub actor: String,
    /// The reason, comment or rectification report; null when none was given, and for a body
    /// user on the issuing step (whose text is the analyst's internal confirmation).
    pub text: Option<String>,
    /// When (UTC).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A warning as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// Id.
    pub id: String,
    /// The evaluation it comes from.
    pub evaluation_id: String,
    /// The evaluation year.
    pub year: i32,
    /// The body warned.
    pub body_id: String,
    /// The body's approval number (批准号).
    #[schema(example = "CNCA-R-2002-001")]
    pub approval_no: String,
    /// The body's name.
    pub name: String,
    /// 1 提示, 2 警示, 3 严重警示.
    #[schema(minimum = 1, maximum = 3)]
    pub level: i32,
    /// The rules triggered, in SCHEME.md §5 order.
    #[schema(example = json!(["W1.late_report"]))]
    pub reasons: Vec<String>,
    /// The findings, with evidence and articles, as the evaluation stored them.
    #[schema(value_type = Vec<Object>)]
    pub findings: serde_json::Value,
    /// Status.
    #[schema(value_type = WarningStatus)]
    pub status: String,
    /// Every rule depends on grade or total and the body is borderline: issuing needs a
    /// written confirmation (SCHEME.md §6).
    pub review_required: bool,
    /// The notice number, e.g. 认宣警〔2026〕7号; null until issued.
    #[schema(example = "认宣警〔2026〕7号")]
    pub notice_no: Option<String>,
    /// Issued on (China Standard Time); null until issued.
    pub issued_on: Option<NaiveDate>,
    /// Rectification deadline; null until issued.
    pub deadline: Option<NaiveDate>,
    /// Issued or acknowledged, and today (China Standard Time) is after the deadline.
    pub overdue: bool,
    /// Staff-only note (the confirmation of a warning issued after review); absent for others
    /// and when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Created (UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last changed (UTC).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The history, oldest first: in the view of one warning, for staff and the body (absent
    /// from lists and for external clients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<WarningEventView>>,
}

impl WarningView {
    fn new(listing: WarningListing, viewer: &Viewer, today: NaiveDate) -> WarningView {
        let w = listing.warning;
        WarningView {
            reasons: w.reason_codes(),
            overdue: w.is_overdue(today),
            findings: serde_json::from_str(&w.findings).unwrap_or(serde_json::Value::Null),
            review_required: w.review_required != 0,
            internal_note: w.internal_note.filter(|_| *viewer == Viewer::Staff),
            created_at: rfc3339(w.created_at),
            updated_at: rfc3339(w.updated_at),
            id: w.id,
            evaluation_id: w.evaluation_id,
            year: listing.year,
            body_id: w.body_id,
            approval_no: listing.approval_no,
            name: listing.name,
            level: w.level,
            status: w.status,
            notice_no: w.notice_no,
            issued_on: w.issued_on,
            deadline: w.deadline,
            events: None,
        }
    }

    fn with_events(mut self, events: Vec<WarningEvent>, viewer: &Viewer) -> WarningView {
        self.events = match viewer {
            Viewer::Client => None,
            Viewer::Staff | Viewer::Body(_) => Some(
                events
                    .into_iter()
                    .map(|e| WarningEventView {
                        text: e
                            .text
                            .filter(|_| *viewer == Viewer::Staff || e.from_status != DRAFT),
                        id: e.id,
                        from_status: e.from_status,
                        to_status: e.to_status,
                        actor: e.actor,
                        at: rfc3339(e.at),
                    })
                    .collect(),
            ),
        };
        self
    }
}

/// Filters of the warning list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    /// Only warnings of this evaluation.
    pub evaluation: Option<String>,
    /// Only this status.
    pub status: Option<WarningStatus>,
    /// Only this body (a body user may name only its own).
    pub body_id: Option<String>,
    /// Only this level (1–3).
    pub level: Option<i32>,
    /// `true`: only overdue warnings; `false`: only those not overdue.
    pub overdue: Option<bool>,
}

/// The issuing of a draft.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Rectification deadline, after today (China Standard Time); default 30 days after issue.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-26")]
    pub deadline: Option<NaiveDate>,
    /// The analyst's written confirmation; required when the warning is marked for review
    /// (its body is borderline and every rule depends on grade or total).
    pub confirmation: Option<String>,
}

/// A reason (withdrawal, escalation).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningReasonRequest {
    /// Why (required).
    pub reason: String,
}

/// The body's rectification report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectificationRequest {
    /// What the body did to rectify (required).
    pub report: String,
}

/// An analyst's comment on a rectification report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningCommentRequest {
    /// The comment (required to send a report back).
    pub comment: Option<String>,
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

/// A required text: trimmed, 1 to `max` characters, else 422 on `field`.
fn required_text(field: &str, value: Option<&str>, max: usize) -> Result<String, ApiError> {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() || v.chars().count() > max {
        return Err(ApiError::validation(&[Problem::new(
            field,
            "length",
            format!("须为 1 至 {max} 个字符"),
            format!("must be 1 to {max} characters"),
        )]));
    }
    Ok(v.to_string())
}

/// An optional text: trimmed, empty as absent, at most `max` characters, else 422 on `field`.
fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, Some(v), max).map(Some),
    }
}

/// An optional JSON body: none, only white space or `null` is the default; one that is present
/// must be JSON of the right shape (415, 400 or 422 otherwise), so that a mistyped field is never
/// silently ignored.
fn optional_json<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    bytes: &web::Bytes,
) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let is_json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
    if !is_json {
        return Err(ApiError::coded(
            crate::domain::ErrorCode::UnsupportedMediaType,
            "请求体须为 application/json / the body must be application/json",
        ));
    }
    crate::extract::parse::<Option<T>>(bytes).map(Option::unwrap_or_default)
}

/// One warning as `viewer` may see it, with its history; 404 when not visible.
fn visible_view(conn: &mut DbConn, id: &str, viewer: &Viewer) -> Result<WarningView, ApiError> {
    let listing = WarningRow::listing_by_id(conn, id)?
        .filter(|l| viewer.may_see(&l.warning))
        .ok_or_else(|| ApiError::not_found("风险警示"))?;
    let events = WarningEvent::of_warning(conn, &listing.warning.id)?;
    Ok(WarningView::new(listing, viewer, crate::db::models::today()).with_events(events, viewer))
}

/// Lists warnings: staff all; a body user its own issued ones; a client with `warnings:read`
/// the issued ones (statuses issued, acknowledged, rectification_submitted, closed,
/// escalated). Latest evaluation year first, then highest level, then approval number.
#[utoipa::path(operation_id = "warnings_list", get, path = "/api/v1/warnings", tag = "warnings", params(PageQuery, WarningQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the warnings the caller may see", body = Page<WarningView>),
        (status = 400, description = "Malformed query (e.g. an unknown status)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without the warnings:read scope", body = ErrorBody),
        (status = 404, description = "A body user naming another body", body = ErrorBody),
        (status = 422, description = "Invalid page or level", body = ErrorBody),
    ))]
#[get("/api/v1/warnings")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    page: web::Query<PageQuery>,
    query: web::Query<WarningQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(&auth)?;
    let (page, per_page, offset) = page.into_inner().resolve()?;
    let query = query.into_inner();
    if let Some(level) = query.level
        && !(1..=3).contains(&level)
    {
        return Err(ApiError::invalid_field(
            "level",
            "级别须为 1 至 3",
            "level must be 1 to 3",
        ));
    }
    let named_body = query.body_id.filter(|b| !b.trim().is_empty());
    let body_id = match &viewer {
        Viewer::Body(own) => {
            if named_body.is_some() && named_body != *own {
                return Err(ApiError::not_found("机构"));
            }
            Some(own.clone().unwrap_or_default())
        }
        Viewer::Staff | Viewer::Client => named_body,
    };
    let today = crate::db::models::today();
    let filter = WarningFilter {
        evaluation_id: query.evaluation.filter(|e| !e.trim().is_empty()),
        body_id,
        status: query.status.map(|s| s.code().to_string()),
        level: query.level,
        visible: (viewer != Viewer::Staff).then(|| PUBLISHED.to_vec()),
        overdue: query.overdue.map(|o| (o, today)),
    };
    let (items, total_items) = with_conn(&state, move |conn| {
        Ok(WarningRow::page(
            conn,
            &filter,
            offset,
            i64::from(per_page),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(|l| WarningView::new(l, &viewer, today))
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One warning with its history, under the visibility rules of the list (404 when the caller
/// may not see it); external clients get no history.
#[utoipa::path(operation_id = "warnings_get", get, path = "/api/v1/warnings/{id}", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "The warning, with its history", body = WarningView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without the warnings:read scope", body = ErrorBody),
        (status = 404, description = "No such warning, or not visible to the caller", body = ErrorBody),
    ))]
#[get("/api/v1/warnings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(&auth)?;
    let id = id.into_inner();
    let view = with_conn(&state, move |conn| visible_view(conn, &id, &viewer)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// 422: a warning marked for review is issued only with a written confirmation.
fn confirmation_required() -> ApiError {
    ApiError::invalid_field(
        "confirmation",
        "此警示已标记为需复核（机构处于评级临界且各项规则均取决于等级或总分），签发须写明确认理由",
        "this warning is marked for review (a borderline body, every rule depends on grade or \
         total); issuing it needs a written confirmation",
    )
}

/// 422: the deadline must lie after the day of issue.
fn deadline_not_after(today: NaiveDate) -> ApiError {
    ApiError::invalid_field(
        "deadline",
        &format!("整改期限须晚于今天（{today}，北京时间）"),
        &format!("the deadline must be after today ({today}, UTC+8)"),
    )
}

/// What a transition carries besides the action.
#[derive(Debug, Default)]
struct Step {
    /// The reason, comment or report, written to the history.
    text: Option<String>,
    /// For issuing: the deadline asked for.
    deadline: Option<NaiveDate>,
}

/// Runs one transition in a write transaction: the status change, the history row and the
/// audit entry commit together; the warning as the caller sees it afterwards.
async fn transition(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    action: Action,
    step: Step,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(&principal)?;
    let actor = principal.actor();
    let view = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let row = WarningRow::by_id(conn, &id)?
                .filter(|row| viewer.may_see(row))
                .ok_or_else(|| ApiError::not_found("风险警示"))?;
            let to = action
                .target(&row.status)
                .ok_or_else(|| invalid_transition(&row.status, action))?;
            let at = now();
            let mut detail = serde_json::json!({
                "evaluation_id": row.evaluation_id,
                "body_id": row.body_id,
                "level": row.level,
                "from": row.status,
                "to": to,
            });
            let changed = if action == Action::Issue {
                if row.review_required != 0 && step.text.is_none() {
                    return Err(confirmation_required());
                }
                let issued_on = crate::db::models::today();
                let deadline = match step.deadline {
                    Some(d) if d <= issued_on => return Err(deadline_not_after(issued_on)),
                    Some(d) => d,
                    None => issued_on
                        .checked_add_days(Days::new(DEFAULT_DEADLINE_DAYS))
                        .ok_or_else(|| ApiError::internal("deadline out of range"))?,
                };
                let year = issued_on.year();
                let seq = WarningRow::next_notice_seq(conn, year)?;
                let notice_no = crate::db::models::warning::notice_no(year, seq);
                detail["notice_no"] = notice_no.into();
                detail["issued_on"] = issued_on.to_string().into();
                detail["deadline"] = deadline.to_string().into();
                detail["confirmation"] = step.text.clone().into();
                let issuance = Issuance {
                    year,
                    seq,
                    issued_on,
                    deadline,
                };
                WarningRow::issue(conn, &row.id, &issuance, step.text.as_deref(), at)?
            } else {
                detail["text"] = step.text.clone().into();
                WarningRow::set_status(conn, &row.id, &row.status, to, at)?
            };
            if changed == 0 {
                // Changed by someone else meanwhile (PostgreSQL; SQLite writes are serial).
                let current = WarningRow::by_id(conn, &row.id)?.map_or(row.status, |r| r.status);
                return Err(invalid_transition(&current, action));
            }
            WarningEvent {
                id: new_id(),
                warning_id: row.id.clone(),
                from_status: row.status.clone(),
                to_status: to.to_string(),
                actor: actor.clone(),
                text: step.text.clone(),
                at,
            }
            .insert(conn)?;
            audit::record(
                conn,
                &actor,
                &format!("warning.{}", action.code()),
                "warning",
                &row.id,
                detail,
            )?;
            visible_view(conn, &row.id, &viewer)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Issues a draft (staff): the notice number 认宣警〔YYYY〕N号 (the year of issue in China
/// Standard Time, numbered from 1 within it, never reused), issued today, the deadline given or
/// 30 days on. A warning marked for review needs a written confirmation.
#[utoipa::path(operation_id = "warnings_issue", post, path = "/api/v1/warnings/{id}/issue", tag = "warnings",
    request_body(content = Option<IssueRequest>, description = "Optional deadline and confirmation; the body may be omitted"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Issued; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "The warning is not a draft (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A deadline not after today, or no confirmation for a warning marked for review", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/issue")]
pub async fn issue(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: IssueRequest = optional_json(&req, &body)?;
    let step = Step {
        text: optional_text("confirmation", request.confirmation.as_deref(), MAX_TEXT)?,
        deadline: request.deadline,
    };
    transition(state, auth.principal, id.into_inner(), Action::Issue, step).await
}

/// Withdraws a draft (staff), with a reason; it is kept, never issued.
#[utoipa::path(operation_id = "warnings_withdraw", post, path = "/api/v1/warnings/{id}/withdraw", tag = "warnings",
    request_body = WarningReasonRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Withdrawn; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "The warning is not a draft (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: crate::extract::Json<WarningReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = required_text("reason", Some(&request.into_inner().reason), MAX_TEXT)?;
    let step = Step {
        text: Some(reason),
        ..Step::default()
    };
    transition(
        state,
        auth.principal,
        id.into_inner(),
        Action::Withdraw,
        step,
    )
    .await
}

/// Acknowledges receipt of an issued warning (the body's own user, or an admin).
#[utoipa::path(operation_id = "warnings_acknowledge", post, path = "/api/v1/warnings/{id}/acknowledge", tag = "warnings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Acknowledged; the warning with its history", body = WarningView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor body user", body = ErrorBody),
        (status = 404, description = "No such warning, or not your body's issued warning", body = ErrorBody),
        (status = 409, description = "The warning is not issued (invalid_transition)", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    transition(
        state,
        auth.principal,
        id.into_inner(),
        Action::Acknowledge,
        Step::default(),
    )
    .await
}

/// Submits the rectification report of an acknowledged warning (the body's own user, or an
/// admin).
#[utoipa::path(operation_id = "warnings_rectification", post, path = "/api/v1/warnings/{id}/rectification", tag = "warnings",
    request_body = RectificationRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Submitted; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor body user", body = ErrorBody),
        (status = 404, description = "No such warning, or not your body's issued warning", body = ErrorBody),
        (status = 409, description = "The warning is not acknowledged (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No report", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/rectification")]
pub async fn rectification(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    id: web::Path<String>,
    request: crate::extract::Json<RectificationRequest>,
) -> Result<HttpResponse, ApiError> {
    let report = required_text("report", Some(&request.into_inner().report), MAX_REPORT)?;
    let step = Step {
        text: Some(report),
        ..Step::default()
    };
    transition(
        state,
        auth.principal,
        id.into_inner(),
        Action::Rectification,
        step,
    )
    .await
}

/// Sends a rectification report back to the body (staff), with a comment; the warning is
/// acknowledged again and awaits a new report.
#[utoipa::path(operation_id = "warnings_send_back", post, path = "/api/v1/warnings/{id}/send_back", tag = "warnings",
    request_body = WarningCommentRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Sent back; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "No rectification report awaits review (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No comment", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/send_back")]
pub async fn send_back(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: crate::extract::Json<WarningCommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let comment = required_text("comment", request.into_inner().comment.as_deref(), MAX_TEXT)?;
    let step = Step {
        text: Some(comment),
        ..Step::default()
    };
    transition(
        state,
        auth.principal,
        id.into_inner(),
        Action::SendBack,
        step,
    )
    .await
}

/// Closes a warning whose rectification report is accepted (staff), with an optional comment.
#[utoipa::path(operation_id = "warnings_close", post, path = "/api/v1/warnings/{id}/close", tag = "warnings",
    request_body(content = Option<WarningCommentRequest>, description = "An optional comment; the body may be omitted"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Closed; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "No rectification report awaits review (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A comment too long", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let comment = optional_json::<WarningCommentRequest>(&req, &body)?.comment;
    let step = Step {
        text: optional_text("comment", comment.as_deref(), MAX_TEXT)?,
        ..Step::default()
    };
    transition(state, auth.principal, id.into_inner(), Action::Close, step).await
}

/// Escalates an issued, acknowledged or rectifying warning (staff), with a reason: 约谈,
/// targeted checks, a record in the supervision file.
#[utoipa::path(operation_id = "warnings_escalate", post, path = "/api/v1/warnings/{id}/escalate", tag = "warnings",
    request_body = WarningReasonRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Escalated; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "The warning is a draft or already final (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/escalate")]
pub async fn escalate(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: crate::extract::Json<WarningReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = required_text("reason", Some(&request.into_inner().reason), MAX_TEXT)?;
    let step = Step {
        text: Some(reason),
        ..Step::default()
    };
    transition(
        state,
        auth.principal,
        id.into_inner(),
        Action::Escalate,
        step,
    )
    .await
}
