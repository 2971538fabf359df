//! What a scheme would change on a past year (`domain::schemes::impact`): the analysis as
//! JSON, as a workbook and as a brief for the meeting that approves the revision.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::call;
use super::reports::deliver;
use crate::domain::documents::impact;
use crate::domain::policy::Staff;
use crate::domain::schemes::impact::{ImpactRequest, impact as analyse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, Json};
use crate::state::AppState;

/// What to analyse.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactBody {
    /// The year whose final evaluation's inputs are scored.
    pub year: i32,
    /// The scheme compared with (its id); default: the scheme of that final evaluation.
    pub baseline: Option<String>,
}

/// The year (and baseline) of a workbook or brief.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// The year whose final evaluation's inputs are scored (required).
    pub year: Option<i32>,
    /// The scheme compared with (its id); default: the scheme of that final evaluation.
    pub baseline: Option<String>,
}

impl ImpactQuery {
    fn request(&self) -> Result<ImpactRequest, ApiError> {
        let year = self.year.ok_or_else(|| {
            ApiError::invalid_field("year", "须指明测算所用的年度", "year is required")
        })?;
        Ok(ImpactRequest {
            year,
            baseline: self.baseline.clone(),
        })
    }
}

/// A scheme as an analysis names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeRefDoc {
    /// Id.
    pub id: Option<String>,
    /// Code.
    pub code: String,
    /// Version.
    pub version: u32,
    /// Name.
    pub name: String,
}

/// A body's standing under one scheme.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingDoc {
    /// Total, unrounded (null without a report).
    pub total: Option<f64>,
    /// Grade.
    pub grade: Option<String>,
    /// Overall competition rank.
    pub rank: Option<u32>,
    /// Rank in the category.
    pub category_rank: Option<u32>,
    /// Highest warning level triggered, 0 for none.
    pub warning_level: u8,
    /// The warning rules that fire, in the scheme's order.
    pub warning_rules: Vec<String>,
}

/// One body under both schemes.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyImpactDoc {
    /// Body id.
    pub body_id: String,
    /// Approval number.
    pub approval_no: Option<String>,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Whether its report counted.
    pub submitted: bool,
    /// Under the baseline.
    pub old: StandingDoc,
    /// Under the draft.
    pub new: StandingDoc,
}

/// How far ranks move.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankShiftDoc {
    /// Bodies ranked under both schemes.
    pub bodies: usize,
    /// Bodies whose rank changes.
    pub moved: usize,
    /// Median |Δrank| (nearest rank).
    pub median: u32,
    /// 90th percentile of |Δrank|.
    pub p90: u32,
    /// Largest |Δrank|.
    pub max: u32,
    /// Spearman's ρ between the rankings.
    pub spearman: Option<f64>,
    /// Kendall's τ-b between the rankings.
    pub kendall: Option<f64>,
}

/// One indicator under both schemes.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorImpactDoc {
    /// Name.
    pub name: String,
    /// Maximum in the baseline.
    pub max_old: Option<f64>,
    /// Maximum in the draft.
    pub max_new: Option<f64>,
    /// Share of the variance of the total under the baseline (Cov(points, total)/Var(total)).
    pub effective_weight_old: Option<f64>,
    /// The same under the draft.
    pub effective_weight_new: Option<f64>,
    /// Median |Δrank| when the draft gives this indicator no points.
    pub drop_one_median_rank_shift: Option<u32>,
    /// Largest such |Δrank|.
    pub drop_one_max_rank_shift: Option<u32>,
}

/// One difference between the schemes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDoc {
    /// Where, e.g. `grades[1].min`.
    pub path: String,
    /// Before (null when added).
    #[schema(value_type = Object)]
    pub old: serde_json::Value,
    /// After (null when removed).
    #[schema(value_type = Object)]
    pub new: serde_json::Value,
    /// The change in Chinese, e.g. 等级 B 的最低分由 75 调整为 80.
    pub zh: String,
}

/// An impact analysis.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactDoc {
    /// The year.
    pub year: i32,
    /// The final evaluation whose inputs were scored.
    pub evaluation_id: String,
    /// Their digest, equal to the evaluation's `input_digest`.
    pub input_digest: String,
    /// The draft.
    pub scheme: SchemeRefDoc,
    /// The baseline.
    pub baseline: SchemeRefDoc,
    /// Counts: bodies, scored, grade_changed, rank_changed, total_changed,
    /// warning_level_changed, warnings_gained, warnings_lost, grades_old/new,
    /// warning_levels_old/new.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// Every body, in the baseline's ranking order.
    pub bodies: Vec<BodyImpactDoc>,
    /// Bodies per grade change, e.g. {"B->C": 12}.
    pub grade_transitions: BTreeMap<String, usize>,
    /// Bodies per warning-level change, e.g. {"0->1": 3}.
    pub warning_transitions: BTreeMap<String, usize>,
    /// Bodies that gain a warning.
    pub warnings_gained: Vec<String>,
    /// Bodies that lose their warning.
    pub warnings_lost: Vec<String>,
    /// How far ranks move.
    pub rank_shift: RankShiftDoc,
    /// Per indicator code.
    pub indicators: BTreeMap<String, IndicatorImpactDoc>,
    /// The differences between the schemes.
    pub changes: Vec<ChangeDoc>,
}

/// Scores a past year's inputs under this scheme and a baseline and shows what would change
/// (grades, ranks, warnings, indicator weights, the differences); recorded for the scheme's
/// activation.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/impact", operation_id = "schemes_impact", tag = "schemes", security(("bearer" = [])),
    params(("id" = String, Path, description = "Scheme id (usually a draft)")),
    request_body(content = ImpactBody, description = "The year whose final evaluation's inputs are scored, and optionally the baseline scheme"),
    responses(
        (status = 200, description = "The analysis; the same inputs give the same bytes", body = ImpactDoc),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such scheme", body = ErrorBody),
        (status = 409, description = "The year has no final evaluation (`no_final_evaluation`), or its inputs can no longer be rebuilt as its digest records them (`inputs_changed`)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No year, an unknown baseline, or a scheme whose report fields or incident kinds do not fit the year's data; every problem in details", body = ErrorBody),
    ))]
#[post("/api/v1/schemes/{id}/impact")]
pub async fn impact_json(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: Json<ImpactBody>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let request = ImpactRequest {
        year: body.year,
        baseline: body.baseline,
    };
    let analysed = call(&state, &auth, move |conn, ctx| {
        analyse(conn, ctx, &id, &request)
    })
    .await?;
    Ok(HttpResponse::Ok().json(analysed.report))
}

/// The analysis as an Excel workbook: a summary sheet, every body under both schemes, the
/// grade and warning transitions, the indicators.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/impact.xlsx", operation_id = "schemes_impact_xlsx", tag = "schemes", security(("bearer" = [])),
    params(("id" = String, Path, description = "Scheme id"), ImpactQuery),
    responses(
        (status = 200, description = "The workbook, with a Chinese file name", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "A year that is not a number", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such scheme", body = ErrorBody),
        (status = 409, description = "`no_final_evaluation` or `inputs_changed`", body = ErrorBody),
        (status = 422, description = "No year, an unknown baseline, or a scheme that does not fit the year's data", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
    ))]
#[get("/api/v1/schemes/{id}/impact.xlsx")]
pub async fn impact_xlsx(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    query: crate::extract::Query<ImpactQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = query.request()?;
    let id = id.into_inner();
    let document = state
        .document(
            &auth,
            move |conn, ctx| Ok((impact::load(conn, ctx, &id, &request)?, None)),
            |loaded| loaded.xlsx(),
        )
        .await?;
    Ok(deliver(
        document,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        false,
    ))
}

/// The analysis as a brief (方案调整影响分析, PDF): what changed, how many bodies move grade and
/// which gain or lose a warning, the charts and the table of indicators.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/impact.pdf", operation_id = "schemes_impact_pdf", tag = "schemes", security(("bearer" = [])),
    params(("id" = String, Path, description = "Scheme id"), ImpactQuery),
    responses(
        (status = 200, description = "application/pdf: the brief, with a Chinese file name", content_type = "application/pdf"),
        (status = 400, description = "A year that is not a number", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such scheme", body = ErrorBody),
        (status = 409, description = "`no_final_evaluation` or `inputs_changed`", body = ErrorBody),
        (status = 422, description = "No year, an unknown baseline, or a scheme that does not fit the year's data", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/schemes/{id}/impact.pdf")]
pub async fn impact_pdf(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    query: crate::extract::Query<ImpactQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = query.request()?;
    let id = id.into_inner();
    let document = state
        .typeset_document(
            &auth,
            move |conn, ctx| Ok((impact::load(conn, ctx, &id, &request)?, None)),
            |loaded, typesetter| loaded.pdf(typesetter),
        )
        .await?;
    Ok(deliver(document, "application/pdf", true))
}
