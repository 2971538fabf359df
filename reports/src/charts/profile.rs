//! Each category's average points per dimension, as a share of the dimension's maximum.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use pubeval_scoring::{BodyResult, Category, Scheme};
use serde::Serialize;

use super::{
    CATEGORY_COLOURS, ChartName, GRID_COLOUR, INK, LABEL_SIZE, LEGEND_HEIGHT, Swatch, TICK_SIZE,
    chart_err, legend, svg, text_style, titled,
};
use crate::error::ReportError;

/// One category's average dimension points, each as a percentage of the dimension's maximum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionShares {
    /// The category.
    pub category: Category,
    /// How many bodies with a report the averages are over.
    pub bodies: usize,
    /// Per dimension, in scheme order: the average points as a percentage (0–100) of the
    /// dimension's maximum.
    pub shares: Vec<f64>,
}

/// A body's points per dimension as percentages of the maxima, `None` without a report.
pub(crate) fn body_shares(scheme: &Scheme, result: &BodyResult) -> Option<Vec<f64>> {
    let points = result.dimensions.as_ref().filter(|_| result.submitted)?;
    Some(
        scheme
            .dimensions
            .iter()
            .map(|d| {
                let got = points.get(&d.code).unwrap_or(0.0);
                if d.max > 0.0 {
                    100.0 * got / d.max
                } else {
                    0.0
                }
            })
            .collect(),
    )
}

/// The averages of every category that has bodies with a report, in
/// [`Category::ALL`] order.
pub fn dimension_shares(scheme: &Scheme, results: &[BodyResult]) -> Vec<DimensionShares> {
    Category::ALL
        .into_iter()
        .filter_map(|category| {
            let mut sums = vec![0.0; scheme.dimensions.len()];
            let mut bodies = 0usize;
            for shares in results
                .iter()
                .filter(|r| r.category == category)
                .filter_map(|r| body_shares(scheme, r))
            {
                bodies += 1;
                for (sum, share) in sums.iter_mut().zip(shares) {
                    *sum += share;
                }
            }
            (bodies > 0).then(|| DimensionShares {
                category,
                bodies,
                shares: sums.into_iter().map(|s| s / bodies as f64).collect(),
            })
        })
        .collect()
}

/// Grouped bars: per dimension, one bar per category with its average share of the
/// dimension's maximum.
pub fn dimension_profile(scheme: &Scheme, results: &[BodyResult]) -> Result<String, ReportError> {
    let groups = dimension_shares(scheme, results);
    if groups.is_empty() {
        return Err(ReportError::no_data(
            "没有已报送的机构，无法计算维度得分率",
            "no body with a report: no dimension shares to draw",
        ));
    }
    let names: Vec<String> = scheme.dimensions.iter().map(|d| d.name.clone()).collect();
    svg((960, 540), |root| draw(root, &names, &groups))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    names: &[String],
    groups: &[DimensionShares],
) -> Result<(), ReportError> {
    let area = titled(root, ChartName::DimensionProfile.title())?;
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    let entries: Vec<(String, Swatch)> = groups
        .iter()
        .map(|g| {
            (
                format!("{}（{} 家）", g.category.label(), g.bodies),
                Swatch::Bar(category_colour(g.category)),
            )
        })
        .collect();
    legend(&legend_area, &entries)?;
    let n = names.len() as u32;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0.0..100.0)
        .map_err(chart_err)?;
    let label = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(INK)
        .x_labels(names.len() + 1)
        .x_label_formatter(&label)
        .y_labels(11)
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .label_style(text_style(TICK_SIZE))
        .axis_desc_style(text_style(LABEL_SIZE))
        .x_desc("评价维度")
        .y_desc("平均得分率（%）")
        .draw()
        .map_err(chart_err)?;

    // The segmented axis places the dimensions; the bars of a group are laid out in pixels
    // inside each segment and drawn on the root area, whose coordinates are the backend's.
    let k = groups.len() as i32;
    let value_style = text_style(TICK_SIZE - 2.0).pos(Pos::new(HPos::Center, VPos::Bottom));
    for d in 0..n {
        let (left, base) = chart.backend_coord(&(SegmentValue::Exact(d), 0.0));
        let (right, _) = chart.backend_coord(&(SegmentValue::Exact(d + 1), 0.0));
        let inner = (right - left) as f64 * 0.8;
        let bar = inner / f64::from(k);
        let start = left as f64 + (right - left) as f64 * 0.1;
        for (j, group) in groups.iter().enumerate() {
            let share = group.shares.get(d as usize).copied().unwrap_or(0.0);
            let (_, top) = chart.backend_coord(&(SegmentValue::Exact(d), share.clamp(0.0, 100.0)));
            let x0 = (start + bar * j as f64).round() as i32;
            let x1 = (start + bar * (j as f64 + 1.0)).round() as i32 - 2;
            root.draw(&Rectangle::new(
                [(x0, top), (x1, base)],
                category_colour(group.category).filled(),
            ))
            .map_err(chart_err)?;
            root.draw(&Text::new(
                format!("{share:.0}"),
                ((x0 + x1) / 2, top - 2),
                value_style.clone(),
            ))
            .map_err(chart_err)?;
        }
    }
    Ok(())
}

/// The colour of a category.
pub(crate) fn category_colour(category: Category) -> RGBColor {
    let i = Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(0);
    CATEGORY_COLOURS[i % CATEGORY_COLOURS.len()]
}
