//! One body's dimensions against its category's average, as a radar drawn from primitives.

use std::f64::consts::PI;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use pubeval_scoring::{BodyResult, Scheme};

use super::profile::{DimensionShares, body_shares, dimension_shares};
use super::{
    BODY_COLOUR, ChartName, GRID_COLOUR, LABEL_SIZE, LEGEND_HEIGHT, REFERENCE_COLOUR, Swatch,
    TICK_SIZE, chart_err, legend, svg, text_style, titled,
};
use crate::error::ReportError;

/// Rings drawn at these percentages.
const RINGS: [f64; 5] = [20.0, 40.0, 60.0, 80.0, 100.0];

/// A radar of `body`'s points per dimension (as percentages of the maxima) against the average
/// of the bodies of its category in `cohort` (which may include `body`).
pub fn body_radar(
    scheme: &Scheme,
    body: &BodyResult,
    cohort: &[BodyResult],
) -> Result<String, ReportError> {
    let average = dimension_shares(scheme, cohort)
        .into_iter()
        .find(|g| g.category == body.category);
    body_radar_against(scheme, body, average.as_ref())
}

/// A radar of `body`'s points per dimension against its category's averages, figured
/// beforehand (`None`: no average drawn).
pub fn body_radar_against(
    scheme: &Scheme,
    body: &BodyResult,
    average: Option<&DimensionShares>,
) -> Result<String, ReportError> {
    let Some(own) = body_shares(scheme, body) else {
        return Err(ReportError::no_data(
            format!("{}未报送年度报告，没有维度得分", body.name),
            format!("body {} has no report: no dimension points", body.body_id),
        ));
    };
    if scheme.dimensions.len() < 3 {
        return Err(ReportError::no_data(
            "评价方案少于三个维度，无法绘制雷达图",
            "a radar needs at least three dimensions",
        ));
    }
    let title = format!("{}：{}", body.name, ChartName::BodyRadar.title());
    let mut entries = vec![(body.name.clone(), Swatch::Line(BODY_COLOUR))];
    if let Some(avg) = &average {
        entries.push((
            format!("{}机构平均（{} 家）", body.category.label(), avg.bodies),
            Swatch::Dashed(REFERENCE_COLOUR),
        ));
    }
    let radar = Radar {
        names: scheme.dimensions.iter().map(|d| d.name.clone()).collect(),
        own,
        average: average.map(|a| a.shares.clone()),
    };
    svg((760, 680), |root| {
        let area = titled(root, &title)?;
        let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
        legend(&legend_area, &entries)?;
        radar.draw(&area)
    })
}

struct Radar {
    names: Vec<String>,
    own: Vec<f64>,
    average: Option<Vec<f64>>,
}

impl Radar {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ReportError> {
        let (w, h) = area.dim_in_pixel();
        // Room around the figure for two lines of label.
        let radius = (f64::from(w.min(h)) / 2.0 - 72.0).max(40.0);
        let n = self.names.len();
        let angle = |k: usize| -PI / 2.0 + 2.0 * PI * k as f64 / n as f64;
        // Centre the figure's bounding box: with an odd count the bottom reaches less far.
        let (top, bottom) = (0..n)
            .map(|k| angle(k).sin())
            .fold((0.0f64, 0.0f64), |(lo, hi), s| (lo.min(s), hi.max(s)));
        let (cx, cy) = (
            f64::from(w) / 2.0,
            f64::from(h) / 2.0 - radius * (top + bottom) / 2.0,
        );
        let at = |k: usize, share: f64| {
            let r = radius * share.clamp(0.0, 100.0) / 100.0;
            (
                (cx + r * angle(k).cos()).round() as i32,
                (cy + r * angle(k).sin()).round() as i32,
            )
        };
        let closed = |shares: &dyn Fn(usize) -> f64| {
            let mut points: Vec<(i32, i32)> = (0..n).map(|k| at(k, shares(k))).collect();
            points.push(at(0, shares(0)));
            points
        };

        // Grid: rings and spokes.
        let tick = text_style(TICK_SIZE - 2.0)
            .color(&RGBColor(0x88, 0x88, 0x88))
            .pos(Pos::new(HPos::Left, VPos::Center));
        for ring in RINGS {
            let outline = closed(&|_| ring);
            area.draw(&PathElement::new(
                outline.clone(),
                GRID_COLOUR.stroke_width(1),
            ))
            .map_err(chart_err)?;
        }
        let centre = (cx.round() as i32, cy.round() as i32);
        for k in 0..n {
            let end = at(k, 100.0);
            area.draw(&PathElement::new(
                vec![centre, end],
                GRID_COLOUR.stroke_width(1),
            ))
            .map_err(chart_err)?;
        }

        // The category's average under the body's polygon.
        if let Some(avg) = &self.average {
            let share = |k: usize| avg.get(k).copied().unwrap_or(0.0);
            let outline = closed(&share);
            area.draw(&Polygon::new(
                outline[..n].to_vec(),
                REFERENCE_COLOUR.mix(0.12).filled(),
            ))
            .map_err(chart_err)?;
            area.draw(&DashedPathElement::new(
                outline.clone(),
                6,
                4,
                REFERENCE_COLOUR.stroke_width(2),
            ))
            .map_err(chart_err)?;
        }
        let own = |k: usize| self.own.get(k).copied().unwrap_or(0.0);
        let outline = closed(&own);
        area.draw(&Polygon::new(
            outline[..n].to_vec(),
            BODY_COLOUR.mix(0.25).filled(),
        ))
        .map_err(chart_err)?;
        area.draw(&PathElement::new(
            outline.clone(),
            BODY_COLOUR.stroke_width(2),
        ))
        .map_err(chart_err)?;
        for point in &outline[..n] {
            area.draw(&Circle::new(*point, 4, BODY_COLOUR.filled()))
                .map_err(chart_err)?;
        }

        // Ring values along the first spoke, over the polygons.
        for ring in RINGS {
            let (x, y) = at(0, ring);
            area.draw(&Text::new(format!("{ring:.0}%"), (x + 6, y), tick.clone()))
                .map_err(chart_err)?;
        }

        // Labels outside the rim: the dimension, then the body's share and the average.
        for (k, name) in self.names.iter().enumerate() {
            let (cos, sin) = (angle(k).cos(), angle(k).sin());
            let (x, y) = (
                (cx + (radius + 14.0) * cos).round() as i32,
                (cy + (radius + 14.0) * sin).round() as i32,
            );
            let h = if cos > 0.3 {
                HPos::Left
            } else if cos < -0.3 {
                HPos::Right
            } else {
                HPos::Center
            };
            // Two lines 18 px apart, kept clear of the rim.
            let (y1, y2) = if sin < -0.3 {
                (y - 20, y)
            } else if sin > 0.3 {
                (y + 2, y + 22)
            } else {
                (y - 10, y + 10)
            };
            let value = match &self.average {
                Some(avg) => format!(
                    "{:.0}%（平均 {:.0}%）",
                    own(k),
                    avg.get(k).copied().unwrap_or(0.0)
                ),
                None => format!("{:.0}%", own(k)),
            };
            let first = text_style(LABEL_SIZE).pos(Pos::new(h, VPos::Center));
            let second = text_style(TICK_SIZE)
                .color(&BODY_COLOUR)
                .pos(Pos::new(h, VPos::Center));
            area.draw(&Text::new(name.clone(), (x, y1), first.clone()))
                .map_err(chart_err)?;
            area.draw(&Text::new(value.clone(), (x, y2), second.clone()))
                .map_err(chart_err)?;
        }
        Ok(())
    }
}
