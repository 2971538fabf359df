//! PNG export of a chart: the same plotters drawing as the SVG, rasterised by resvg with the
//! loaded CJK fonts, so the two exports cannot differ in anything but pixels.

use resvg::{tiny_skia, usvg};

use crate::error::ReportError;
use crate::fonts::FontSet;

/// Pixels per SVG pixel: twice the SVG's size, sharp enough to print and to paste into slides.
pub const PNG_SCALE: f32 = 2.0;

/// Rasterises a chart's SVG as PNG at [`PNG_SCALE`].
pub fn svg_to_png(svg: &str, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    let options = usvg::Options {
        fontdb: fonts.svg_fonts(),
        font_family: fonts.sans.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| ReportError::Png(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(PNG_SCALE)
        .ok_or_else(|| ReportError::Png("chart has no size".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ReportError::Png("chart too large".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Png(e.to_string()))
}
