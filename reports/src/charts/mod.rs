//! Charts drawn with plotters as SVG: the SVG backend writes text as `<text>` elements, so it
//! needs no font file; the viewer's browser picks a CJK font from the family list. PNG is the
//! same SVG rasterised with the loaded CJK fonts ([`svg_to_png`]).
//!
//! Each chart is a function taking plain data and returning the SVG document.

mod distribution;
pub mod impact;
mod png;
mod profile;
mod radar;
mod trend;

use std::str::FromStr;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::ReportError;
use crate::width::display_width;

pub use distribution::{grade_distribution, score_histogram};
pub use png::{PNG_SCALE, svg_to_png};
pub use profile::{DimensionShares, dimension_profile, dimension_shares};
pub use radar::{body_radar, body_radar_against};
pub use trend::{TrendPoint, body_trend, median};

/// The charts the reports offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartName {
    /// 等级分布: the number of bodies per grade.
    GradeDistribution,
    /// 总分分布: a histogram of totals in bins of 5 points.
    ScoreHistogram,
    /// 各维度平均得分率: each category's average points per dimension, as a share of the
    /// dimension's maximum.
    DimensionProfile,
    /// 维度雷达图: one body's dimensions against its category's average.
    BodyRadar,
    /// 历年走势: one body's total over the years against the cohort's median.
    BodyTrend,
}

impl ChartName {
    /// Every chart.
    pub const ALL: [ChartName; 5] = [
        ChartName::GradeDistribution,
        ChartName::ScoreHistogram,
        ChartName::DimensionProfile,
        ChartName::BodyRadar,
        ChartName::BodyTrend,
    ];

    /// The name used in URLs, e.g. `grade_distribution`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChartName::GradeDistribution => "grade_distribution",
            ChartName::ScoreHistogram => "score_histogram",
            ChartName::DimensionProfile => "dimension_profile",
            ChartName::BodyRadar => "body_radar",
            ChartName::BodyTrend => "body_trend",
        }
    }

    /// The chart's Chinese title (a body's charts put the body's name before it).
    pub fn title(self) -> &'static str {
        match self {
            ChartName::GradeDistribution => "等级分布",
            ChartName::ScoreHistogram => "总分分布（每 5 分一组）",
            ChartName::DimensionProfile => "各维度平均得分率（按机构类别）",
            ChartName::BodyRadar => "各维度得分率与同类机构平均对比",
            ChartName::BodyTrend => "历年总分走势",
        }
    }

    /// Whether the chart is about one body (and so needs the body's id).
    pub fn needs_body(self) -> bool {
        matches!(self, ChartName::BodyRadar | ChartName::BodyTrend)
    }
}

impl FromStr for ChartName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChartName::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ChartName::ALL.iter().map(|c| c.as_str()).collect();
                format!("未知图表 / unknown chart: {s} ({})", names.join(", "))
            })
    }
}

impl std::fmt::Display for ChartName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The font families asked for, CJK first; SVG viewers take the first they have.
pub(crate) const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, \
     PingFang SC, WenQuanYi Micro Hei, sans-serif";

/// Title size (plotters divides by 1.24 for CSS pixels).
pub(crate) const TITLE_SIZE: f64 = 24.0;
/// Axis descriptions and legends.
pub(crate) const LABEL_SIZE: f64 = 16.0;
/// Tick labels and value labels.
pub(crate) const TICK_SIZE: f64 = 14.0;

/// Colours of the categories, in [`Category::ALL`](pubeval_scoring::Category::ALL) order.
pub(crate) const CATEGORY_COLOURS: [RGBColor; 3] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x2C, 0xA0, 0x2C),
];
/// The body's own series.
pub(crate) const BODY_COLOUR: RGBColor = RGBColor(0x1F, 0x5F, 0xBF);
/// A reference series (average, median).
pub(crate) const REFERENCE_COLOUR: RGBColor = RGBColor(0xE0, 0x6C, 0x00);
/// Bars that stand for bodies without a report.
pub(crate) const ABSENT_COLOUR: RGBColor = RGBColor(0x9E, 0x9E, 0x9E);
/// Grid lines.
pub(crate) const GRID_COLOUR: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Ink of text and axes.
pub(crate) const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// Colour of a grade by its place among the bands: green, blue, amber, red.
pub(crate) fn grade_colour(index: usize) -> RGBColor {
    match index {
        0 => RGBColor(0x2E, 0x7D, 0x32),
        1 => RGBColor(0x15, 0x65, 0xC0),
        2 => RGBColor(0xF9, 0xA8, 0x25),
        _ => RGBColor(0xC6, 0x28, 0x28),
    }
}

/// A text style in the chart font.
pub(crate) fn text_style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// A drawing error as a report error.
pub(crate) fn chart_err<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// Draws on a new SVG document of `size` pixels and returns it.
pub(crate) fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        draw(&root)?;
        root.present().map_err(chart_err)?;
    }
    Ok(out)
}

/// The mark beside a legend entry.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled square.
    Bar(RGBColor),
    /// A solid line with a dot.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
}

/// Height of the band a legend takes.
pub(crate) const LEGEND_HEIGHT: u32 = 30;

/// Draws a one-line legend centred in `area` (best a band of [`LEGEND_HEIGHT`]).
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> Result<(), ReportError> {
    const MARK: i32 = 24;
    const GAP: i32 = 6;
    const SPACING: i32 = 24;
    // CSS pixels of one display column: half the font's em.
    let column = LABEL_SIZE / 1.24 / 2.0;
    let text_width = |s: &str| (display_width(s) as f64 * column).ceil() as i32;
    let total: i32 = entries
        .iter()
        .map(|(label, _)| MARK + GAP + text_width(label))
        .sum::<i32>()
        + SPACING * (entries.len() as i32 - 1).max(0);
    let (w, h) = area.dim_in_pixel();
    let mut x = ((w as i32 - total) / 2).max(0);
    let y = h as i32 / 2;
    let style = text_style(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for (label, swatch) in entries {
        match *swatch {
            Swatch::Bar(colour) => area.draw(&Rectangle::new(
                [(x + 4, y - 7), (x + MARK - 4, y + 7)],
                colour.filled(),
            )),
            Swatch::Line(colour) => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + MARK, y)],
                    colour.stroke_width(2),
                ))
                .and_then(|_| area.draw(&Circle::new((x + MARK / 2, y), 3, colour.filled()))),
            Swatch::Dashed(colour) => area.draw(&DashedPathElement::new(
                vec![(x, y), (x + MARK, y)],
                5,
                3,
                colour.stroke_width(2),
            )),
        }
        .map_err(chart_err)?;
        area.draw(&Text::new(
            label.clone(),
            (x + MARK + GAP, y),
            style.clone(),
        ))
        .map_err(chart_err)?;
        x += MARK + GAP + text_width(label) + SPACING;
    }
    Ok(())
}

/// Splits a title off the top of `area` and returns the rest.
pub(crate) fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, ReportError> {
    area.titled(
        title,
        (FONT, TITLE_SIZE, FontStyle::Bold).into_font().color(&INK),
    )
    .map_err(chart_err)
}
