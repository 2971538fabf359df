//! The charts of an impact analysis: where each grade goes (a transition matrix), how far ranks
//! move (a histogram of rank changes) and the old total against the new (a scatter).

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use pubeval_scoring::Scheme;
use pubeval_scoring::impact::Impact;
use pubeval_scoring::scheme::text::format_number;

use super::{
    BODY_COLOUR, GRID_COLOUR, INK, LABEL_SIZE, LEGEND_HEIGHT, REFERENCE_COLOUR, Swatch, TICK_SIZE,
    chart_err, legend, svg, text_style, titled,
};
use crate::error::ReportError;

/// Bodies per (baseline grade, draft grade), rows in the baseline's band order and columns in
/// the draft's; bodies without a report are left out.
pub fn grade_matrix(baseline: &Scheme, draft: &Scheme, impact: &Impact) -> Vec<Vec<usize>> {
    let mut matrix = vec![vec![0usize; draft.grades.len()]; baseline.grades.len()];
    for b in &impact.bodies {
        let (Some(o), Some(n)) = (&b.old.grade, &b.new.grade) else {
            continue;
        };
        if let (Some(i), Some(j)) = (baseline.grade_index(o), draft.grade_index(n)) {
            matrix[i][j] += 1;
        }
    }
    matrix
}

/// 等级变化矩阵: a cell per baseline grade (rows) and draft grade (columns) with the number of
/// bodies, shaded by it; cells off the diagonal are the bodies that change grade.
pub fn grade_transition(
    baseline: &Scheme,
    draft: &Scheme,
    impact: &Impact,
) -> Result<String, ReportError> {
    let matrix = grade_matrix(baseline, draft, impact);
    let rows: Vec<String> = baseline.grades.iter().map(|g| g.grade.clone()).collect();
    let columns: Vec<String> = draft.grades.iter().map(|g| g.grade.clone()).collect();
    svg((800, 560), |root| {
        draw_matrix(root, &rows, &columns, &matrix)
    })
}

fn draw_matrix<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[String],
    columns: &[String],
    matrix: &[Vec<usize>],
) -> Result<(), ReportError> {
    let area = titled(root, "等级变化（行：原方案，列：新方案）")?;
    let (nr, nc) = (rows.len().max(1) as u32, columns.len().max(1) as u32);
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d((0..nc - 1).into_segmented(), (0..nr - 1).into_segmented())
        .map_err(chart_err)?;
    // Row 0 (the best grade) at the top.
    let label = |names: &[String], v: &SegmentValue<u32>, flip: bool| match v {
        SegmentValue::CenterOf(i) => {
            let i = if flip { nr - 1 - *i } else { *i };
            names
                .get(i as usize)
                .map_or(String::new(), |g| format!("{g} 级"))
        }
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(INK)
        .x_labels(columns.len() + 1)
        .y_labels(rows.len() + 1)
        .x_label_formatter(&|x| label(columns, x, false))
        .y_label_formatter(&|y| label(rows, y, true))
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("新方案等级")
        .y_desc("原方案等级")
        .draw()
        .map_err(chart_err)?;
    let most = matrix.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let value_style = text_style(LABEL_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
    for (i, row) in matrix.iter().enumerate() {
        for (j, count) in row.iter().enumerate() {
            let (x, y) = (j as u32, nr - 1 - i as u32);
            let colour = if rows.get(i) == columns.get(j) {
                BODY_COLOUR
            } else {
                REFERENCE_COLOUR
            };
            let fill = if *count == 0 {
                WHITE.filled()
            } else {
                colour.mix(0.15 + 0.6 * (*count as f64 / most)).filled()
            };
            let corners = [
                (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
            ];
            chart
                .draw_series([
                    Rectangle::new(corners.clone(), fill),
                    Rectangle::new(corners, GRID_COLOUR.stroke_width(1)),
                ])
                .map_err(chart_err)?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)))
                        + Text::new(count.to_string(), (0, 0), value_style.clone()),
                ))
                .map_err(chart_err)?;
        }
    }
    Ok(())
}

/// Signed rank changes (old rank − new rank: positive moves up) of the bodies ranked under
/// both schemes.
pub fn rank_changes(impact: &Impact) -> Vec<i64> {
    impact
        .bodies
        .iter()
        .filter_map(|b| Some(i64::from(b.old.rank?) - i64::from(b.new.rank?)))
        .collect()
}

/// 名次变化分布: a histogram of the bodies' rank changes (positive: up), about 20 bins over
/// the range, with the bodies whose rank stays in the middle bar.
pub fn rank_shift_histogram(impact: &Impact) -> Result<String, ReportError> {
    let changes = rank_changes(impact);
    let reach = changes.iter().map(|c| c.abs()).max().unwrap_or(0);
    // Odd bin counts keep 0 in a bar of its own centre.
    let width = ((2 * reach + 1) as f64 / 21.0).ceil().max(1.0) as i64;
    let half = reach / width + 1;
    let mut counts = vec![0u32; (2 * half + 1) as usize];
    for c in &changes {
        let bin = (c + width / 2).div_euclid(width) + half;
        if let Some(slot) = counts.get_mut(bin.clamp(0, 2 * half) as usize) {
            *slot += 1;
        }
    }
    svg((800, 500), |root| {
        draw_histogram(root, &counts, half, width)
    })
}

fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    counts: &[u32],
    half: i64,
    width: i64,
) -> Result<(), ReportError> {
    let area = titled(root, "名次变化分布（正数为上升）")?;
    let top = counts.iter().copied().max().unwrap_or(0);
    let y_max = (f64::from(top) * 1.15).ceil().max(1.0) as u32;
    let lo = -(half as f64 + 0.5) * width as f64;
    let hi = (half as f64 + 0.5) * width as f64;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(lo..hi, 0..y_max)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(INK)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| y.to_string())
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("名次变化（原名次 − 新名次）")
        .y_desc("机构数（家）")
        .draw()
        .map_err(chart_err)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, count)| {
            let centre = (i as i64 - half) as f64 * width as f64;
            let (a, b) = (centre - width as f64 / 2.0, centre + width as f64 / 2.0);
            let mut bar = Rectangle::new([(a, 0), (b, *count)], BODY_COLOUR.filled());
            bar.set_margin(0, 0, 1, 1);
            bar
        }))
        .map_err(chart_err)?;
    Ok(())
}

/// 新旧总分对照: each body's total under the baseline (x) against the draft (y), on a grid
/// of half points (one mark per occupied cell, so 60,000 bodies stay a small drawing), with
/// the diagonal where a total does not change and the draft's grade boundaries.
pub fn total_scatter(draft: &Scheme, impact: &Impact) -> Result<String, ReportError> {
    let max = draft.total_max.max(1.0);
    let mut cells: Vec<(i64, i64)> = impact
        .bodies
        .iter()
        .filter_map(|b| {
            Some((
                (b.old.total? * 2.0).round() as i64,
                (b.new.total? * 2.0).round() as i64,
            ))
        })
        .collect();
    cells.sort_unstable();
    cells.dedup();
    let points: Vec<(f64, f64)> = cells
        .into_iter()
        .map(|(x, y)| (x as f64 / 2.0, y as f64 / 2.0))
        .collect();
    let bounds: Vec<(String, f64)> = draft
        .grades
        .iter()
        .filter(|g| g.min > 0.0 && g.min < max)
        .map(|g| (format!("{}≥{}", g.grade, format_number(g.min)), g.min))
        .collect();
    svg((800, 700), |root| draw_scatter(root, max, &points, &bounds))
}

fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    max: f64,
    points: &[(f64, f64)],
    bounds: &[(String, f64)],
) -> Result<(), ReportError> {
    let area = titled(root, "新旧方案总分对照")?;
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    legend(
        &legend_area,
        &[
            ("机构".to_string(), Swatch::Bar(BODY_COLOUR)),
            ("总分不变".to_string(), Swatch::Line(REFERENCE_COLOUR)),
            ("新方案等级分界线".to_string(), Swatch::Dashed(INK)),
        ],
    )?;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..max, 0.0..max)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(INK)
        .x_label_formatter(&|x| format_number(*x))
        .y_label_formatter(&|y| format_number(*y))
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("原方案总分")
        .y_desc("新方案总分")
        .draw()
        .map_err(chart_err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (max, max)],
            REFERENCE_COLOUR.stroke_width(2),
        )))
        .map_err(chart_err)?;
    for (label, at) in bounds {
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(0.0, *at), (max, *at)],
                6,
                4,
                INK.stroke_width(1),
            )))
            .map_err(chart_err)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((0.0, *at))
                    + Text::new(
                        label.clone(),
                        (4, -4),
                        text_style(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Bottom)),
                    ),
            ))
            .map_err(chart_err)?;
    }
    chart
        .draw_series(
            points
                .iter()
                .map(|p| Circle::new(*p, 3, BODY_COLOUR.mix(0.6).filled())),
        )
        .map_err(chart_err)?;
    Ok(())
}
