//! Reports of an evaluation: the ranking in every format and the charts (SVG, PNG), rendered by
//! `pubeval-reports`, with Chinese file names in `Content-Disposition`.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpResponse, get, web};
use pubeval_reports::charts::{self, ChartName, TrendPoint};
use pubeval_reports::{Ranking, RankingFormat, RankingRow};
use pubeval_scoring::{BodyResult, Category, Scheme};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::evaluations::RankingQuery;
use super::with_conn;
use crate::auth::{Principal, Role, Scope};
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultFilter, ResultRow};
use crate::domain::policy::Anyone;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// The ranking's format.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum FormatParam {
    /// `{"items": […]}`.
    #[default]
    Json,
    /// UTF-8 with a BOM, for Excel.
    Csv,
    /// A workbook: the whole ranking, one sheet per category, the scheme.
    Xlsx,
    /// A printable page.
    Html,
}

impl From<FormatParam> for RankingFormat {
    fn from(f: FormatParam) -> RankingFormat {
        match f {
            FormatParam::Json => RankingFormat::Json,
            FormatParam::Csv => RankingFormat::Csv,
            FormatParam::Xlsx => RankingFormat::Xlsx,
            FormatParam::Html => RankingFormat::Html,
        }
    }
}

/// The format of a ranking export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// json (default), csv, xlsx or html.
    #[param(inline)]
    pub format: Option<FormatParam>,
}

/// Reports are for staff, and for clients with `results:read` on final evaluations; a body
/// gets its own letter and notices, not the ranking.
fn may_read_reports(principal: &Principal, evaluation: &Evaluation) -> Result<(), ApiError> {
    match principal.role() {
        Some(Role::Admin | Role::Analyst) => Ok(()),
        Some(Role::Body) => Err(ApiError::forbidden()),
        None if principal.has_scope(Scope::ResultsRead) && evaluation.status == "final" => Ok(()),
        None if principal.has_scope(Scope::ResultsRead) => Err(ApiError::not_found("评价")),
        None => Err(ApiError::forbidden()),
    }
}

/// The evaluation, its scheme, and whether the caller may read its reports.
pub(crate) fn load(
    conn: &mut DbConn,
    principal: &Principal,
    id: &str,
) -> Result<(Evaluation, Scheme), ApiError> {
    let evaluation = Evaluation::by_id(conn, id)?.ok_or_else(|| ApiError::not_found("评价"))?;
    may_read_reports(principal, &evaluation)?;
    with_scheme(conn, evaluation)
}

/// An evaluation with results, and its scheme (for the command line, which checks no role).
pub fn load_evaluation(conn: &mut DbConn, id: &str) -> Result<(Evaluation, Scheme), ApiError> {
    let evaluation = Evaluation::by_id(conn, id)?.ok_or_else(|| ApiError::not_found("评价"))?;
    with_scheme(conn, evaluation)
}

fn with_scheme(
    conn: &mut DbConn,
    evaluation: Evaluation,
) -> Result<(Evaluation, Scheme), ApiError> {
    if matches!(evaluation.status.as_str(), "running" | "failed") {
        return Err(ApiError::conflict(
            crate::domain::ErrorCode::EvaluationRunning,
            "评价尚无结果 / the evaluation has no results",
        ));
    }
    let scheme = super::scheme_of(conn, &evaluation.scheme_id)?;
    Ok((evaluation, scheme))
}

pub(crate) fn ranking_row(r: &ResultRow) -> RankingRow {
    RankingRow {
        body_id: r.body_id.clone(),
        approval_no: r.approval_no.clone(),
        name: r.name.clone(),
        category: Category::from_code(&r.category).unwrap_or(Category::ManagementSystem),
        province: r.province.clone(),
        total: r.total,
        grade: r.grade.clone(),
        rank: r.rank.map(|x| x as u32),
        category_rank: r.category_rank.map(|x| x as u32),
        warning_level: r.warning_level.clamp(0, u8::MAX as i32) as u8,
        submitted: r.submitted != 0,
        borderline: r.borderline != 0,
    }
}

/// A download with a Chinese file name (RFC 6266 `filename*`) and an ASCII fallback.
pub fn attachment(
    bytes: Vec<u8>,
    media_type: &str,
    ascii_name: &str,
    chinese_name: &str,
    inline: bool,
) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![
            DispositionParam::Filename(ascii_name.to_string()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: chinese_name.as_bytes().to_vec(),
            }),
        ],
    };
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(disposition)
        .body(bytes)
}

/// The ranking of an evaluation (every body, in rank order), as JSON, CSV, XLSX or HTML.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/ranking", operation_id = "reports_ranking", tag = "reports",
    params(("id" = String, Path, description = "Evaluation id"), FormatQuery, RankingQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The ranking: application/json `{\"items\": […]}`, text/csv (UTF-8 with BOM), an XLSX workbook or an HTML page, with a Chinese file name"),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not final for a client", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/ranking")]
pub async fn ranking(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
    format: web::Query<FormatQuery>,
    filter: web::Query<RankingQuery>,
) -> Result<HttpResponse, ApiError> {
    let format: RankingFormat = format.format.unwrap_or_default().into();
    let q = filter.into_inner();
    let filter = ResultFilter {
        category: q.category,
        province: q.province,
        grade: q.grade,
        warning_level: q.warning_level,
        borderline: q.borderline,
        body_id: None,
    };
    let principal = auth.principal.clone();
    let id = id.into_inner();
    let (bytes, year) = with_conn(&state, move |conn| {
        let (evaluation, scheme) = load(conn, &principal, &id)?;
        let (rows, _) = ResultRow::page(conn, &evaluation.id, &filter, 0, i64::MAX)?;
        let rows: Vec<RankingRow> = rows.iter().map(ranking_row).collect();
        let title = format!("{} 年度认证机构宣传工作评价排名", evaluation.year);
        let bytes = Ranking::new(title, &scheme, &rows)
            .render(format)
            .map_err(ApiError::internal)?;
        Ok((bytes, evaluation.year))
    })
    .await?;
    let extension = format.as_str();
    Ok(attachment(
        bytes,
        format.media_type(),
        &format!("ranking-{year}.{extension}"),
        &format!("{year}年度宣传工作评价排名.{extension}"),
        matches!(format, RankingFormat::Json | RankingFormat::Html),
    ))
}

/// The ranking of an evaluation rendered in a format.
pub fn render_ranking(
    conn: &mut DbConn,
    evaluation: &Evaluation,
    scheme: &Scheme,
    filter: &ResultFilter,
    format: RankingFormat,
) -> Result<Vec<u8>, ApiError> {
    let (rows, _) = ResultRow::page(conn, &evaluation.id, filter, 0, i64::MAX)?;
    let rows: Vec<RankingRow> = rows.iter().map(ranking_row).collect();
    let title = format!("{} 年度认证机构宣传工作评价排名", evaluation.year);
    Ranking::new(title, scheme, &rows)
        .render(format)
        .map_err(ApiError::internal)
}

/// A chart's optional body.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// The body, for `body_radar` and `body_trend`.
    pub body: Option<String>,
}

/// The charts, as named in URLs.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChartParam {
    /// 等级分布.
    GradeDistribution,
    /// 总分分布.
    ScoreHistogram,
    /// 各维度平均得分率（按机构类别）.
    DimensionProfile,
    /// A body's radar against its category (needs `?body=`).
    BodyRadar,
    /// A body's totals over the years against the cohort's median (needs `?body=`).
    BodyTrend,
}

impl From<ChartParam> for ChartName {
    fn from(p: ChartParam) -> ChartName {
        match p {
            ChartParam::GradeDistribution => ChartName::GradeDistribution,
            ChartParam::ScoreHistogram => ChartName::ScoreHistogram,
            ChartParam::DimensionProfile => ChartName::DimensionProfile,
            ChartParam::BodyRadar => ChartName::BodyRadar,
            ChartParam::BodyTrend => ChartName::BodyTrend,
        }
    }
}

/// Draws the chart the caller asked for, after the access check; with its year.
async fn requested_chart(
    state: &web::Data<AppState>,
    auth: &Auth<Anyone>,
    id: String,
    name: ChartName,
    body: Option<String>,
) -> Result<(String, i32), ApiError> {
    if name.needs_body() && body.is_none() {
        return Err(ApiError::invalid_field(
            "body",
            "此图表须指明机构（?body=）",
            "this chart needs ?body=",
        ));
    }
    let principal = auth.principal.clone();
    with_conn(state, move |conn| {
        let (evaluation, scheme) = load(conn, &principal, &id)?;
        let svg = draw(conn, &evaluation, &scheme, name, body.as_deref())?;
        Ok((svg, evaluation.year))
    })
    .await
}

/// A chart of an evaluation as SVG, with Chinese title, axes and legend; `body_radar` and
/// `body_trend` take `?body=`.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/charts/{name}.svg", operation_id = "reports_chart_svg", tag = "reports",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("name" = inline(ChartParam), Path, description = "The chart"),
        ChartQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "image/svg+xml with Chinese title, axes and legend", content_type = "image/svg+xml"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, chart or body", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
        (status = 422, description = "A per-body chart without ?body=, or nothing to draw (e.g. a body without a report)", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/charts/{name}.svg")]
pub async fn chart_svg(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, ChartParam)>,
    query: web::Query<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let name = ChartName::from(name);
    let (svg, year) = requested_chart(&state, &auth, id, name, query.into_inner().body).await?;
    Ok(attachment(
        svg.into_bytes(),
        "image/svg+xml",
        &format!("{name}-{year}.svg"),
        &format!("{year}年度{}.svg", name.title()),
        true,
    ))
}

/// A chart of an evaluation as PNG (twice the SVG's pixels, set in the server's CJK font);
/// `body_radar` and `body_trend` take `?body=`.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/charts/{name}.png", operation_id = "reports_chart_png", tag = "reports",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("name" = inline(ChartParam), Path, description = "The chart"),
        ChartQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "image/png with Chinese title, axes and legend", content_type = "image/png"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, chart or body", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
        (status = 422, description = "A per-body chart without ?body=, or nothing to draw (e.g. a body without a report)", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/charts/{name}.png")]
pub async fn chart_png(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, ChartParam)>,
    query: web::Query<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let name = ChartName::from(name);
    let (svg, year) = requested_chart(&state, &auth, id, name, query.into_inner().body).await?;
    let documents = state.documents.clone();
    let png = web::block(move || {
        let typesetter = documents.typesetter_or_503()?;
        charts::svg_to_png(&svg, typesetter.fonts()).map_err(ApiError::internal)
    })
    .await??;
    Ok(attachment(
        png,
        "image/png",
        &format!("{name}-{year}.png"),
        &format!("{year}年度{}.png", name.title()),
        true,
    ))
}

/// Every result of an evaluation, in ranking order.
pub(crate) fn results_of(
    conn: &mut DbConn,
    evaluation_id: &str,
) -> Result<Vec<BodyResult>, ApiError> {
    let (rows, _) = ResultRow::page(conn, evaluation_id, &ResultFilter::default(), 0, i64::MAX)?;
    rows.iter()
        .map(|r| serde_json::from_str(&r.result).map_err(ApiError::internal))
        .collect()
}

fn no_data(e: pubeval_reports::ReportError) -> ApiError {
    match e {
        pubeval_reports::ReportError::NoData { zh, en } => {
            ApiError::invalid_field("body", &zh, &en)
        }
        other => ApiError::internal(other),
    }
}

/// Draws one chart of an evaluation as SVG.
pub fn draw(
    conn: &mut DbConn,
    evaluation: &Evaluation,
    scheme: &Scheme,
    name: ChartName,
    body: Option<&str>,
) -> Result<String, ApiError> {
    match name {
        ChartName::GradeDistribution | ChartName::ScoreHistogram => {
            let (rows, _) =
                ResultRow::page(conn, &evaluation.id, &ResultFilter::default(), 0, i64::MAX)?;
            let rows: Vec<RankingRow> = rows.iter().map(ranking_row).collect();
            let drawn = if name == ChartName::GradeDistribution {
                charts::grade_distribution(scheme, &rows)
            } else {
                charts::score_histogram(scheme, &rows)
            };
            drawn.map_err(no_data)
        }
        ChartName::DimensionProfile => {
            charts::dimension_profile(scheme, &results_of(conn, &evaluation.id)?).map_err(no_data)
        }
        ChartName::BodyRadar => {
            let body_id = body.unwrap_or_default();
            let cohort = results_of(conn, &evaluation.id)?;
            let own = cohort
                .iter()
                .find(|r| r.body_id == body_id)
                .ok_or_else(|| ApiError::not_found("机构的评价结果"))?;
            charts::body_radar(scheme, own, &cohort).map_err(no_data)
        }
        ChartName::BodyTrend => {
            let body_id = body.unwrap_or_default();
            let own = ResultRow::of_body(conn, &evaluation.id, body_id)?
                .ok_or_else(|| ApiError::not_found("机构的评价结果"))?;
            let points = trend(conn, evaluation, body_id)?;
            charts::body_trend(scheme, &own.name, "全部机构", &points).map_err(no_data)
        }
    }
}

/// The body's total and the cohort's median in every year up to the evaluation's: the final
/// evaluation of earlier years, this evaluation for its own.
fn trend(
    conn: &mut DbConn,
    evaluation: &Evaluation,
    body_id: &str,
) -> Result<Vec<TrendPoint>, ApiError> {
    use diesel::prelude::*;

    use crate::db::schema::evaluations;
    let earlier: Vec<Evaluation> = evaluations::table
        .filter(evaluations::status.eq("final"))
        .filter(evaluations::year.lt(evaluation.year))
        .select(Evaluation::as_select())
        .load(conn)?;
    let mut points = Vec::new();
    for e in earlier.iter().chain(std::iter::once(evaluation)) {
        let totals = ResultRow::totals(conn, &e.id)?;
        let total = totals
            .iter()
            .find(|(b, _)| b == body_id)
            .and_then(|(_, t)| *t);
        let median = charts::median(totals.iter().filter_map(|(_, t)| *t));
        points.push(TrendPoint {
            year: e.year,
            total,
            median,
        });
    }
    Ok(points)
}
