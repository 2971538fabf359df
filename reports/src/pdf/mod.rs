//! PDFs through typst used as a library: the templates are compiled in, each document's data
//! goes in as JSON, its charts as SVG, and typst's memo cache is evicted after every document
//! so that a server rendering thousands of them keeps a steady footprint.

mod world;

use std::sync::Arc;

use chrono::Datelike;
use serde::Serialize;
use typst::diag::SourceDiagnostic;
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Datetime};
use typst_layout::PagedDocument;

use crate::error::ReportError;
use crate::fonts::FontSet;
use world::{DocumentWorld, Template};

/// How many evictions a memoised result survives without being used again. Small, because
/// each document differs: what helps the next one is the templates and the fonts' layout of
/// common characters, which are hit every time and so stay young.
const CACHE_MAX_AGE: usize = 5;

/// The documents typst sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// 风险警示通知书.
    Notice,
    /// 评价结果告知书.
    Letter,
    /// 年度宣传工作评价报告.
    AnnualReport,
    /// 方案调整影响分析.
    ImpactBrief,
}

impl DocumentKind {
    fn template(self) -> &'static Template {
        match self {
            DocumentKind::Notice => &world::NOTICE,
            DocumentKind::Letter => &world::LETTER,
            DocumentKind::AnnualReport => &world::ANNUAL,
            DocumentKind::ImpactBrief => &world::IMPACT,
        }
    }
}

/// The families a template sets its text in.
#[derive(Debug, Serialize)]
struct Families<'a> {
    serif: &'a str,
    sans: &'a str,
    kai: &'a str,
}

#[derive(Debug, Serialize)]
struct Input<'a, T: Serialize> {
    fonts: Families<'a>,
    doc: &'a T,
}

/// Sets documents as PDF with one [`FontSet`]. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Typesetter {
    fonts: Arc<FontSet>,
}

impl Typesetter {
    /// A typesetter over loaded fonts.
    pub fn new(fonts: Arc<FontSet>) -> Typesetter {
        Typesetter { fonts }
    }

    /// The fonts, for PNG charts.
    pub fn fonts(&self) -> &Arc<FontSet> {
        &self.fonts
    }

    /// Sets one document: `doc` becomes `data.doc` in the template, each `(name, svg)` of
    /// `charts` the file `/charts/{name}.svg`. `dated` is the document's date (typst's today).
    pub fn pdf<T: Serialize>(
        &self,
        kind: DocumentKind,
        doc: &T,
        charts: &[(&str, &str)],
        dated: chrono::NaiveDate,
    ) -> Result<Vec<u8>, ReportError> {
        let input = Input {
            fonts: Families {
                serif: &self.fonts.serif,
                sans: &self.fonts.sans,
                kai: &self.fonts.kai,
            },
            doc,
        };
        let json = serde_json::to_vec(&input)?;
        let mut files = vec![(world::file_id(world::DATA_PATH), Bytes::new(json))];
        for (name, svg) in charts {
            files.push((
                world::file_id(&format!("/charts/{name}.svg")),
                Bytes::from_string(svg.to_string()),
            ));
        }
        let (book, fonts) = self.fonts.typst_fonts();
        let world = DocumentWorld {
            main: kind.template(),
            book,
            fonts,
            files,
            today: Datetime::from_ymd(dated.year(), dated.month() as u8, dated.day() as u8),
        };
        let result = typst::compile::<PagedDocument>(&world)
            .output
            .and_then(|document| typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()));
        typst::comemo::evict(CACHE_MAX_AGE);
        result.map_err(|errors| ReportError::Pdf(describe(&errors)))
    }
}

/// Empties typst's memo cache (the fonts stay loaded): for timing a document from cold.
pub fn clear_cache() {
    typst::comemo::evict(0);
}

fn describe(errors: &EcoVec<SourceDiagnostic>) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
