//! A body's total over the years against the cohort's median.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::format_points;
use pubeval_scoring::scheme::text::format_number;
use serde::{Deserialize, Serialize};

use super::{
    ABSENT_COLOUR, BODY_COLOUR, ChartName, GRID_COLOUR, INK, LABEL_SIZE, LEGEND_HEIGHT,
    REFERENCE_COLOUR, Swatch, TICK_SIZE, chart_err, legend, svg, text_style, titled,
};
use crate::error::ReportError;
use crate::ranking::NOT_SUBMITTED;

/// One year of a body's trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The evaluation year.
    pub year: i32,
    /// The body's total that year (`None` when it did not report or was not evaluated).
    pub total: Option<f64>,
    /// The median total of the cohort that year (`None` when nobody reported).
    pub median: Option<f64>,
}

/// The median of some values (the mean of the middle two for an even count); `None` when
/// there are none. NaNs are ignored.
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// A line chart of `body_name`'s totals over the years of `points` (in any order) against the
/// median of `cohort` (e.g. `全部机构`, `管理体系认证机构`), on the scheme's scale. Years
/// without a total break the body's line and are marked 未报送.
pub fn body_trend(
    scheme: &Scheme,
    body_name: &str,
    cohort: &str,
    points: &[TrendPoint],
) -> Result<String, ReportError> {
    if points.is_empty() {
        return Err(ReportError::no_data(
            format!("{body_name}没有历年评价结果"),
            "no year to draw",
        ));
    }
    let mut points = points.to_vec();
    points.sort_by_key(|p| p.year);
    let title = format!("{body_name}：{}", ChartName::BodyTrend.title());
    let entries = [
        (body_name.to_string(), Swatch::Line(BODY_COLOUR)),
        (format!("{cohort}中位数"), Swatch::Dashed(REFERENCE_COLOUR)),
    ];
    let max = scheme.total_max;
    svg((800, 500), |root| {
        let area = titled(root, &title)?;
        let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
        legend(&legend_area, &entries)?;
        draw(&area, max, &points)
    })
}

/// Runs of consecutive years that have a value.
fn runs(points: &[TrendPoint], value: impl Fn(&TrendPoint) -> Option<f64>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut last_year: Option<i32> = None;
    for p in points {
        match value(p) {
            Some(v) => {
                let continues = last_year.is_some_and(|y| p.year == y + 1);
                match out.last_mut() {
                    Some(run) if continues => run.push((f64::from(p.year), v)),
                    _ => out.push(vec![(f64::from(p.year), v)]),
                }
                last_year = Some(p.year);
            }
            None => last_year = None,
        }
    }
    out
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    max: f64,
    points: &[TrendPoint],
) -> Result<(), ReportError> {
    let first = points.first().map_or(0, |p| p.year);
    let last = points.last().map_or(0, |p| p.year);
    let years = (last - first + 1) as usize;
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(f64::from(first) - 0.5..f64::from(last) + 0.5, 0.0..max)
        .map_err(chart_err)?;
    let year_label = |x: &f64| {
        if (x - x.round()).abs() < 1e-9 {
            format!("{:.0}年", x)
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(INK)
        .x_labels(years.clamp(2, 21))
        .x_label_formatter(&year_label)
        .y_labels(11)
        .y_label_formatter(&|y| format_number(*y))
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("评价年度")
        .y_desc("总分（分）")
        .draw()
        .map_err(chart_err)?;

    for run in runs(points, |p| p.median) {
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                run.clone(),
                6,
                4,
                REFERENCE_COLOUR.stroke_width(2),
            )))
            .map_err(chart_err)?;
        chart
            .draw_series(
                run.iter()
                    .map(|p| Circle::new(*p, 3, REFERENCE_COLOUR.filled())),
            )
            .map_err(chart_err)?;
    }
    let value_style = text_style(TICK_SIZE - 1.0)
        .color(&BODY_COLOUR)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for run in runs(points, |p| p.total) {
        chart
            .draw_series(LineSeries::new(run.clone(), BODY_COLOUR.stroke_width(2)))
            .map_err(chart_err)?;
        chart
            .draw_series(run.iter().map(|p| {
                EmptyElement::at(*p)
                    + Circle::new((0, 0), 4, BODY_COLOUR.filled())
                    + Text::new(format_points(p.1), (0, -8), value_style.clone())
            }))
            .map_err(chart_err)?;
    }
    let absent_style = text_style(TICK_SIZE - 1.0)
        .color(&ABSENT_COLOUR)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    chart
        .draw_series(points.iter().filter(|p| p.total.is_none()).map(|p| {
            EmptyElement::at((f64::from(p.year), 0.0))
                + Text::new(NOT_SUBMITTED, (0, -6), absent_style.clone())
        }))
        .map_err(chart_err)?;
    Ok(())
}
