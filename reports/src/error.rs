//! The one error type of the renderers.

/// A report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// JSON serialisation failed.
    #[error("JSON 生成失败 / JSON rendering failed: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV writing failed.
    #[error("CSV 生成失败 / CSV rendering failed: {0}")]
    Csv(#[from] csv::Error),
    /// XLSX writing failed.
    #[error("XLSX 生成失败 / XLSX rendering failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The HTML template failed.
    #[error("HTML 生成失败 / HTML rendering failed: {0}")]
    Html(#[from] askama::Error),
    /// Drawing a chart failed.
    #[error("图表生成失败 / chart rendering failed: {0}")]
    Chart(String),
    /// typst could not set a document.
    #[error("PDF 生成失败 / PDF rendering failed: {0}")]
    Pdf(String),
    /// A chart could not be rasterised.
    #[error("PNG 生成失败 / PNG rendering failed: {0}")]
    Png(String),
    /// The data holds nothing to draw, e.g. the radar of a body without a report.
    #[error("{zh} / {en}")]
    NoData {
        /// What is missing, in Chinese.
        zh: String,
        /// What is missing, in English.
        en: String,
    },
}

impl ReportError {
    /// A [`ReportError::NoData`].
    pub(crate) fn no_data(zh: impl Into<String>, en: impl Into<String>) -> ReportError {
        ReportError::NoData {
            zh: zh.into(),
            en: en.into(),
        }
    }
}
