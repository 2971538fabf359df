//! Reports of an evaluation: the ranking in every format and the charts (SVG, PNG), rendered by
//! `domain::documents`, with Chinese file names in `Content-Disposition`.

use actix_web::{HttpResponse, get, web};
use pubeval_reports::charts::ChartName;
use pubeval_reports::{RankingFormat, Typesetter};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::call;
use super::evaluations::{RankingExport, RankingQuery};
use crate::db::models::evaluation::ResultFilter;
use crate::domain::documents::{Document, charts, ranking as rankings};
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

/// A download with a Chinese file name (RFC 6266 `filename*`) and an ASCII fallback, both made
/// safe by [`crate::download::disposition`].
pub fn attachment(
    bytes: Vec<u8>,
    media_type: &str,
    ascii_name: &str,
    chinese_name: &str,
    inline: bool,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(crate::download::disposition(
            ascii_name,
            chinese_name,
            inline,
        ))
        .body(bytes)
}

/// A rendered document as the response, with its file names.
pub(super) fn deliver(document: Document, media_type: &str, inline: bool) -> HttpResponse {
    attachment(
        document.bytes,
        media_type,
        &document.ascii_name,
        &document.file_name,
        inline,
    )
}

/// Renders a document through the document gate (bounded renders, no key) with the server's
/// typesetter: 503 `font_unavailable`, saying how to install one, when the server has no CJK
/// font.
pub(super) async fn typeset<F>(state: &AppState, render: F) -> Result<Document, ApiError>
where
    F: FnOnce(&Typesetter) -> crate::domain::Result<Document> + Send + 'static,
{
    let documents = state.documents.clone();
    let document = state
        .documents
        .gate
        .render(None, move || {
            let typesetter = documents.typesetter_or_503()?;
            render(&typesetter)
        })
        .await?;
    Ok(document)
}

/// The ranking of an evaluation (every body, in rank order), as JSON, CSV, XLSX or HTML.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/ranking", operation_id = "reports_ranking", tag = "reports",
    params(("id" = String, Path, description = "Evaluation id"), FormatQuery, RankingQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The ranking: application/json `{\"items\": […]}`, text/csv (UTF-8 with BOM), an XLSX workbook or an HTML page, with a Chinese file name", content(
            (RankingExport = "application/json"),
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/html"),
        )),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Body users and clients without results:read, or a filter by warning level by anyone but staff", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not final for a client", body = ErrorBody),
        (status = 409, description = "Still running (`evaluation_running`), or failed (`evaluation_failed`)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/ranking")]
pub async fn ranking(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
    format: crate::extract::Query<FormatQuery>,
    filter: crate::extract::Query<RankingQuery>,
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
    let id = id.into_inner();
    let document = state
        .document(
            &auth,
            move |conn, ctx| {
                let rows = rankings::load(conn, ctx, &id, &filter)?;
                let key = rows.key(format);
                Ok((rows, key))
            },
            move |rows| rows.render(format),
        )
        .await?;
    Ok(deliver(
        document,
        format.media_type(),
        matches!(format, RankingFormat::Json | RankingFormat::Html),
    ))
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

/// Draws the chart the caller asked for, after the access check.
async fn requested_chart(
    state: &web::Data<AppState>,
    auth: &Auth<Anyone>,
    id: String,
    name: ChartName,
    body: Option<String>,
) -> Result<charts::Chart, ApiError> {
    state.documents.gate.admit(auth)?;
    call(state, auth, move |conn, ctx| {
        charts::draw(conn, ctx, &id, name, body.as_deref())
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
        (status = 409, description = "Still running (`evaluation_running`), or failed (`evaluation_failed`)", body = ErrorBody),
        (status = 422, description = "A per-body chart without ?body=, or nothing to draw (e.g. a body without a report)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/charts/{name}.svg")]
pub async fn chart_svg(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, ChartParam)>,
    query: crate::extract::Query<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let chart = requested_chart(&state, &auth, id, name.into(), query.into_inner().body).await?;
    Ok(deliver(chart.svg_document(), "image/svg+xml", true))
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
        (status = 409, description = "Still running (`evaluation_running`), or failed (`evaluation_failed`)", body = ErrorBody),
        (status = 422, description = "A per-body chart without ?body=, or nothing to draw (e.g. a body without a report)", body = ErrorBody),
        (status = 429, description = "Too many documents asked for by this caller (`too_many_requests`); see Retry-After", body = ErrorBody),
        (status = 503, description = "No CJK font on the server: `font_unavailable`, saying how to install one", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/charts/{name}.png")]
pub async fn chart_png(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, ChartParam)>,
    query: crate::extract::Query<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let chart = requested_chart(&state, &auth, id, name.into(), query.into_inner().body).await?;
    let png = typeset(&state, move |typesetter| chart.png_document(typesetter)).await?;
    Ok(deliver(png, "image/png", true))
}
