//! The charts of an evaluation as SVG (and PNG, set in the server's CJK font): grade
//! distribution, score histogram, dimension profile, and a body's radar and trend.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use pubeval_reports::charts::{self, ChartName, TrendPoint};
use pubeval_reports::{RankingRow, Typesetter};
use pubeval_scoring::Scheme;

use super::{Document, ranking_row, rendering, report_of, result_rows, results_of};
use crate::db::DbConn;
use crate::db::models::evaluation::{Evaluation, ResultRow};
use crate::domain::states::EvaluationStatus;
use crate::domain::{Ctx, Error, Noun, Result};

/// A drawn chart of an evaluation.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Which chart.
    pub name: ChartName,
    /// The evaluation year.
    pub year: i32,
    /// The drawing.
    pub svg: String,
}

impl Chart {
    /// The chart as an SVG file.
    pub fn svg_document(self) -> Document {
        let (file_name, ascii_name) = self.file_names("svg");
        Document {
            bytes: self.svg.into_bytes(),
            file_name,
            ascii_name,
        }
    }

    /// The chart as a PNG file, at twice the SVG's pixels.
    pub fn png_document(&self, typesetter: &Typesetter) -> Result<Document> {
        let (file_name, ascii_name) = self.file_names("png");
        Ok(Document {
            bytes: charts::svg_to_png(&self.svg, typesetter.fonts()).map_err(rendering)?,
            file_name,
            ascii_name,
        })
    }

    fn file_names(&self, extension: &str) -> (String, String) {
        let (name, year) = (self.name, self.year);
        (
            format!("{year}年度{}.{extension}", name.title()),
            format!("{name}-{year}.{extension}"),
        )
    }
}

/// Draws a chart of an evaluation for those who read its reports; `body_radar` and
/// `body_trend` need the body (422 on `body` without it, or when it has nothing to draw).
pub fn draw(
    conn: &mut DbConn,
    ctx: &Ctx,
    evaluation_id: &str,
    name: ChartName,
    body: Option<&str>,
) -> Result<Chart> {
    if name.needs_body() && body.is_none() {
        return Err(Error::invalid_field(
            "body",
            "此图表须指明机构（?body=）",
            "this chart needs ?body=",
        ));
    }
    let (evaluation, scheme) = report_of(conn, ctx, evaluation_id)?;
    // An overview chart comes from the evaluation's kept overview, not from every result read
    // again; one with nothing to draw is not kept there, and drawing it alone says why.
    let kept = if name.needs_body() {
        None
    } else {
        overview_drawn(conn, &evaluation, &scheme)?
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.svg.clone())
    };
    let svg = match kept {
        Some(svg) => svg,
        None => svg(conn, &evaluation, &scheme, name, body)?,
    };
    Ok(Chart {
        name,
        year: evaluation.year,
        svg,
    })
}

/// Overview charts drawn lately, by evaluation id: an evaluation's results never change once
/// written, so neither do its charts, and a large evaluation's page need not read every result
/// again. Bounded; the whole map is dropped when full.
static OVERVIEWS: LazyLock<Mutex<HashMap<String, Arc<Vec<Chart>>>>> = LazyLock::new(Mutex::default);

/// How many evaluations' overview charts are kept.
const OVERVIEWS_KEPT: usize = 16;

/// The evaluation's overview charts (grade distribution, score histogram, dimension
/// profile) for those who read its reports, drawn from one read of its results; a chart with
/// nothing to draw is left out.
pub fn overview(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<Arc<Vec<Chart>>> {
    let (evaluation, scheme) = report_of(conn, ctx, evaluation_id)?;
    overview_drawn(conn, &evaluation, &scheme)
}

/// The overview charts of an evaluation the caller may read: kept from before, or drawn now
/// and kept.
fn overview_drawn(
    conn: &mut DbConn,
    evaluation: &Evaluation,
    scheme: &Scheme,
) -> Result<Arc<Vec<Chart>>> {
    let drawn_before = OVERVIEWS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&evaluation.id)
        .cloned();
    if let Some(charts) = drawn_before {
        return Ok(charts);
    }
    let stored = result_rows(conn, &evaluation.id)?;
    let rows: Vec<RankingRow> = stored.iter().map(ranking_row).collect();
    let results = super::parsed(&stored)?;
    let drawn = [
        (
            ChartName::GradeDistribution,
            charts::grade_distribution(scheme, &rows),
        ),
        (
            ChartName::ScoreHistogram,
            charts::score_histogram(scheme, &rows),
        ),
        (
            ChartName::DimensionProfile,
            charts::dimension_profile(scheme, &results),
        ),
    ];
    let mut out = Vec::new();
    for (name, svg) in drawn {
        match svg {
            Ok(svg) => out.push(Chart {
                name,
                year: evaluation.year,
                svg,
            }),
            Err(pubeval_reports::ReportError::NoData { .. }) => {}
            Err(other) => return Err(rendering(other)),
        }
    }
    let out = Arc::new(out);
    let mut kept = OVERVIEWS.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= OVERVIEWS_KEPT {
        kept.clear();
    }
    kept.insert(evaluation.id.clone(), out.clone());
    Ok(out)
}

/// 422 on `body` when the data has nothing to draw.
fn no_data(e: pubeval_reports::ReportError) -> Error {
    match e {
        pubeval_reports::ReportError::NoData { zh, en } => Error::invalid_field("body", &zh, &en),
        other => rendering(other),
    }
}

/// 404: the body has no result in the evaluation.
fn no_result() -> Error {
    Error::not_found(Noun::Result)
}

fn svg(
    conn: &mut DbConn,
    evaluation: &Evaluation,
    scheme: &Scheme,
    name: ChartName,
    body: Option<&str>,
) -> Result<String> {
    match name {
        ChartName::GradeDistribution | ChartName::ScoreHistogram => {
            let rows: Vec<RankingRow> = result_rows(conn, &evaluation.id)?
                .iter()
                .map(ranking_row)
                .collect();
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
            // The body's own result against its category's averages, figured once per
            // evaluation (as its letter's are), not from every result per request.
            let body_id = body.unwrap_or_default();
            let row = ResultRow::of_body(conn, &evaluation.id, body_id)?.ok_or_else(no_result)?;
            let own: pubeval_scoring::BodyResult =
                serde_json::from_str(&row.result).map_err(Error::internal)?;
            let figures = super::letter::cohort_figures(conn, &evaluation.id, scheme, None)?;
            charts::body_radar_against(scheme, &own, figures.category(own.category))
                .map_err(no_data)
        }
        ChartName::BodyTrend => {
            let body_id = body.unwrap_or_default();
            let own = ResultRow::of_body(conn, &evaluation.id, body_id)?.ok_or_else(no_result)?;
            let points = trend(conn, evaluation, body_id)?;
            charts::body_trend(scheme, &own.name, "全部机构", &points).map_err(no_data)
        }
    }
}

/// The body's total and the cohort's median in every year up to the evaluation's: the final
/// evaluation of earlier years, this evaluation for its own.
fn trend(conn: &mut DbConn, evaluation: &Evaluation, body_id: &str) -> Result<Vec<TrendPoint>> {
    let (finals, _) = Evaluation::page(conn, None, Some(&[EvaluationStatus::Final]), 0, i64::MAX)?;
    let mut earlier: Vec<Evaluation> = finals
        .into_iter()
        .filter(|e| e.year < evaluation.year)
        .collect();
    earlier.sort_by_key(|e| e.year);
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
