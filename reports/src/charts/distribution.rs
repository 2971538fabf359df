//! How the bodies spread: the number per grade, and a histogram of totals.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::text::format_number;

use super::{
    ABSENT_COLOUR, BODY_COLOUR, ChartName, GRID_COLOUR, INK, LABEL_SIZE, LEGEND_HEIGHT, Swatch,
    TICK_SIZE, chart_err, grade_colour, legend, svg, text_style, titled,
};
use crate::error::ReportError;
use crate::ranking::{NOT_SUBMITTED, RankingRow, grade_label};

/// Width of a histogram bin, in points.
pub const BIN_POINTS: f64 = 5.0;

/// A bar chart of the number of bodies per grade, best grade first, with a grey bar for the
/// bodies without a report when there are any.
pub fn grade_distribution(scheme: &Scheme, rows: &[RankingRow]) -> Result<String, ReportError> {
    let mut bars: Vec<(String, u32, RGBColor)> = scheme
        .grades
        .iter()
        .enumerate()
        .map(|(i, band)| {
            let count = rows
                .iter()
                .filter(|r| r.grade.as_deref() == Some(band.grade.as_str()))
                .count() as u32;
            (grade_label(scheme, &band.grade), count, grade_colour(i))
        })
        .collect();
    let absent = rows.iter().filter(|r| !r.submitted).count() as u32;
    if absent > 0 {
        bars.push((NOT_SUBMITTED.to_string(), absent, ABSENT_COLOUR));
    }
    svg((800, 500), |root| draw_grades(root, &bars))
}

fn draw_grades<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[(String, u32, RGBColor)],
) -> Result<(), ReportError> {
    let area = titled(root, ChartName::GradeDistribution.title())?;
    let n = bars.len() as u32;
    let top = bars.iter().map(|b| b.1).max().unwrap_or(0);
    let y_max = (f64::from(top) * 1.15).ceil().max(1.0) as u32;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0..y_max)
        .map_err(chart_err)?;
    let label = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) => bars.get(*i as usize).map_or(String::new(), |b| b.0.clone()),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(INK)
        .x_labels(bars.len() + 1)
        .x_label_formatter(&label)
        .y_label_formatter(&|y| y.to_string())
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("等级")
        .y_desc("机构数（家）")
        .draw()
        .map_err(chart_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, count, colour))| {
            let i = i as u32;
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0),
                    (SegmentValue::Exact(i + 1), *count),
                ],
                colour.filled(),
            );
            bar.set_margin(0, 0, 18, 18);
            bar
        }))
        .map_err(chart_err)?;
    let value_style = text_style(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, count, _))| {
            EmptyElement::at((SegmentValue::CenterOf(i as u32), *count))
                + Text::new(count.to_string(), (0, -4), value_style.clone())
        }))
        .map_err(chart_err)?;
    Ok(())
}

/// A histogram of the totals of the bodies with a report, in bins of 5 points from 0 to the
/// scheme's maximum (a bin holds its lower bound; the maximum falls in the last bin), with the
/// grade boundaries as dashed lines.
pub fn score_histogram(scheme: &Scheme, rows: &[RankingRow]) -> Result<String, ReportError> {
    let max = scheme.total_max.max(BIN_POINTS);
    let bins = (max / BIN_POINTS).ceil() as usize;
    let mut counts = vec![0u32; bins];
    for total in rows.iter().filter(|r| r.submitted).filter_map(|r| r.total) {
        let bin = ((total / BIN_POINTS).floor().max(0.0) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let boundaries: Vec<(String, f64)> = scheme
        .grades
        .iter()
        .filter(|g| g.min > 0.0 && g.min < max)
        .map(|g| (format!("{}≥{}", g.grade, format_number(g.min)), g.min))
        .collect();
    svg((800, 500), |root| {
        draw_histogram(root, max, &counts, &boundaries)
    })
}

fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    max: f64,
    counts: &[u32],
    boundaries: &[(String, f64)],
) -> Result<(), ReportError> {
    let area = titled(root, ChartName::ScoreHistogram.title())?;
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    legend(
        &legend_area,
        &[
            ("机构数".to_string(), Swatch::Bar(BODY_COLOUR)),
            ("等级分界线".to_string(), Swatch::Dashed(INK)),
        ],
    )?;
    let top = counts.iter().copied().max().unwrap_or(0);
    let y_max = (f64::from(top) * 1.15).ceil().max(1.0) as u32;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..max, 0..y_max)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(INK)
        .x_labels((max / 10.0).ceil() as usize + 1)
        .x_label_formatter(&|x| format_number(*x))
        .y_label_formatter(&|y| y.to_string())
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("总分（分）")
        .y_desc("机构数（家）")
        .draw()
        .map_err(chart_err)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, count)| {
            let lo = i as f64 * BIN_POINTS;
            let hi = (lo + BIN_POINTS).min(max);
            let mut bar = Rectangle::new([(lo, 0), (hi, *count)], BODY_COLOUR.filled());
            bar.set_margin(0, 0, 1, 1);
            bar
        }))
        .map_err(chart_err)?;
    let dash = INK.stroke_width(1);
    let label_style = text_style(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Top));
    for (label, at) in boundaries {
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(*at, 0), (*at, y_max)],
                6,
                4,
                dash,
            )))
            .map_err(chart_err)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((*at, y_max))
                    + Text::new(label.clone(), (4, 4), label_style.clone()),
            ))
            .map_err(chart_err)?;
    }
    Ok(())
}
