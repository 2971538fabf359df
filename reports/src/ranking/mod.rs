//! Ranking exports of an evaluation: one row per body in ranking order, rendered as JSON, CSV,
//! XLSX or a printable HTML page.

mod csv;
mod html;
mod json;
mod xlsx;

use std::str::FromStr;

use pubeval_scoring::scheme::format_points;
use pubeval_scoring::{BodyResult, Category, Scheme};
use serde::{Deserialize, Serialize};

use crate::error::ReportError;

/// One body's line in a ranking, as the evaluation stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingRow {
    /// The body's identifier.
    pub body_id: String,
    /// Its approval number (批准号), e.g. `CNCA-R-2004-017`.
    pub approval_no: String,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Its province.
    pub province: String,
    /// Total points at full precision (null without a report).
    pub total: Option<f64>,
    /// Grade (null without a report).
    pub grade: Option<String>,
    /// Competition rank overall (null without a report).
    pub rank: Option<u32>,
    /// Competition rank within the category (null without a report).
    pub category_rank: Option<u32>,
    /// Risk-warning level, 0 when no rule fires.
    pub warning_level: u8,
    /// Whether a report counted.
    pub submitted: bool,
    /// Whether the uncertainty analysis found the grade borderline.
    pub borderline: bool,
}

impl RankingRow {
    /// The row of a scored body; `province` comes from the body's record.
    pub fn from_result(result: &BodyResult, province: impl Into<String>) -> RankingRow {
        RankingRow {
            body_id: result.body_id.clone(),
            approval_no: result.approval_no.clone().unwrap_or_default(),
            name: result.name.clone(),
            category: result.category,
            province: province.into(),
            total: result.total,
            grade: result.grade.clone(),
            rank: result.rank,
            category_rank: result.category_rank,
            warning_level: result.warning_level(),
            submitted: result.submitted,
            borderline: result.uncertainty.as_ref().is_some_and(|u| u.borderline),
        }
    }
}

/// A ranking to render: the rows in ranking order with what a document says about them.
#[derive(Debug, Clone)]
pub struct Ranking<'a> {
    /// The document's title, e.g. `2025年度认证机构宣传工作评价结果`.
    pub title: String,
    /// A line under the title, e.g. the scheme and the status (公示稿).
    pub subtitle: Option<String>,
    /// The scheme the evaluation used (grade names, warning levels, the indicator sheet).
    pub scheme: &'a Scheme,
    /// The rows, in ranking order.
    pub rows: &'a [RankingRow],
    /// Whether the risk-warning level is shown (a column in CSV, XLSX and HTML, a field in
    /// JSON): a reader who may not see warnings gets a ranking without them.
    pub warnings: bool,
}

impl<'a> Ranking<'a> {
    /// A ranking with a title and no subtitle.
    pub fn new(title: impl Into<String>, scheme: &'a Scheme, rows: &'a [RankingRow]) -> Self {
        Ranking {
            title: title.into(),
            subtitle: None,
            scheme,
            rows,
            warnings: true,
        }
    }

    /// The same ranking without the risk-warning level anywhere: no column, no field, no
    /// count of warned bodies.
    pub fn without_warnings(mut self) -> Self {
        self.warnings = false;
        self
    }

    /// The table's headers, shared by CSV and XLSX: [`HEADERS`], less the warning's columns
    /// when warnings are not shown.
    pub(crate) fn headers(&self) -> Vec<&'static str> {
        self.kept(HEADERS).collect()
    }

    /// The cells of one row, in [`Ranking::headers`] order.
    pub(crate) fn cells(&self, row: &RankingRow) -> Vec<Cell> {
        self.kept(cells(self.scheme, row)).collect()
    }

    /// The columns of a full row that this ranking shows.
    fn kept<T>(&self, columns: [T; 13]) -> impl Iterator<Item = T> {
        let warnings = self.warnings;
        columns
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| warnings || !WARNING_COLUMNS.contains(i))
            .map(|(_, c)| c)
    }

    /// `{"items": [...]}` with every row's fields, totals at full precision.
    pub fn to_json(&self) -> Result<String, ReportError> {
        json::render(self.rows, self.warnings)
    }

    /// UTF-8 CSV with a byte-order mark (so Excel reads the Chinese) and Chinese headers.
    pub fn to_csv(&self) -> Result<Vec<u8>, ReportError> {
        csv::render(self)
    }

    /// An XLSX workbook: the whole ranking, one sheet per category and the scheme.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, ReportError> {
        xlsx::render(self)
    }

    /// A self-contained printable HTML page in Chinese.
    pub fn to_html(&self) -> Result<String, ReportError> {
        html::render(self)
    }

    /// The ranking in `format`, as bytes.
    pub fn render(&self, format: RankingFormat) -> Result<Vec<u8>, ReportError> {
        Ok(match format {
            RankingFormat::Json => self.to_json()?.into_bytes(),
            RankingFormat::Csv => self.to_csv()?,
            RankingFormat::Xlsx => self.to_xlsx()?,
            RankingFormat::Html => self.to_html()?.into_bytes(),
        })
    }

    /// The rows of one category, in ranking order.
    pub fn rows_of(&self, category: Category) -> impl Iterator<Item = &'a RankingRow> + 'a {
        self.rows.iter().filter(move |r| r.category == category)
    }
}

/// The formats a ranking renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RankingFormat {
    /// `{"items": [...]}`.
    Json,
    /// CSV with a BOM.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A printable page.
    Html,
}

impl RankingFormat {
    /// Every format.
    pub const ALL: [RankingFormat; 4] = [
        RankingFormat::Json,
        RankingFormat::Csv,
        RankingFormat::Xlsx,
        RankingFormat::Html,
    ];

    /// The name used in URLs, e.g. `xlsx`; also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            RankingFormat::Json => "json",
            RankingFormat::Csv => "csv",
            RankingFormat::Xlsx => "xlsx",
            RankingFormat::Html => "html",
        }
    }

    /// The media type of the rendered bytes.
    pub fn media_type(self) -> &'static str {
        match self {
            RankingFormat::Json => "application/json",
            RankingFormat::Csv => "text/csv; charset=utf-8",
            RankingFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            RankingFormat::Html => "text/html; charset=utf-8",
        }
    }
}

impl FromStr for RankingFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RankingFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("未知格式 / unknown format: {s} (json, csv, xlsx, html)"))
    }
}

impl std::fmt::Display for RankingFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a body without a report shows in place of its total.
pub(crate) const NOT_SUBMITTED: &str = "未报送";

/// The table's headers, shared by CSV and XLSX.
pub(crate) const HEADERS: [&str; 13] = [
    "排名",
    "批准号",
    "机构名称",
    "类别",
    "省份",
    "总分",
    "等级",
    "类别排名",
    "风险警示级别",
    "风险警示",
    "等级临界",
    "总分（完整精度）",
    "机构编号",
];

/// The position of the grade column in [`HEADERS`] (before the warning's columns, so the
/// same with or without them).
pub(crate) const GRADE_COLUMN: usize = 6;

/// The positions of the warning's columns (level and its name) in [`HEADERS`].
const WARNING_COLUMNS: [usize; 2] = [8, 9];

/// One cell of the table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text as is.
    Text(String),
    /// A whole number.
    Integer(u32),
    /// Points, shown with two decimals.
    Points(f64),
    /// A number at full precision.
    Exact(f64),
    /// Nothing.
    Blank,
}

impl Cell {
    /// The cell as text: what CSV holds and what a person sees.
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Points(p) => format_points(*p),
            // `Display` of f64 is the shortest text that reads back to the same number.
            Cell::Exact(x) => x.to_string(),
            Cell::Blank => String::new(),
        }
    }
}

/// The cells of one row, in [`HEADERS`] order.
pub(crate) fn cells(scheme: &Scheme, row: &RankingRow) -> [Cell; 13] {
    let opt_int = |v: Option<u32>| v.map_or(Cell::Blank, Cell::Integer);
    [
        opt_int(row.rank),
        Cell::Text(row.approval_no.clone()),
        Cell::Text(row.name.clone()),
        Cell::Text(row.category.label().to_string()),
        Cell::Text(row.province.clone()),
        match row.total {
            Some(t) if row.submitted => Cell::Points(t),
            _ => Cell::Text(NOT_SUBMITTED.to_string()),
        },
        row.grade.clone().map_or(Cell::Blank, Cell::Text),
        opt_int(row.category_rank),
        Cell::Integer(u32::from(row.warning_level)),
        Cell::Text(warning_text(scheme, row.warning_level)),
        Cell::Text(if row.borderline { "是" } else { "否" }.to_string()),
        row.total.map_or(Cell::Blank, Cell::Exact),
        Cell::Text(row.body_id.clone()),
    ]
}

/// A warning level as people read it: `无`, or the level's name (`严重警示`).
pub(crate) fn warning_text(scheme: &Scheme, level: u8) -> String {
    if level == 0 {
        return "无".to_string();
    }
    match scheme.level_name(level) {
        "" => format!("{level}级"),
        name => name.to_string(),
    }
}

/// How a grade is coloured: by its place among the scheme's bands, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// The best band (A): green.
    Good,
    /// The second band (B): blue.
    Fair,
    /// The third band (C): amber.
    Weak,
    /// Any lower band (D): red.
    Poor,
}

impl Tone {
    /// The tone of a grade, `None` when the scheme has no such band.
    pub(crate) fn of(scheme: &Scheme, grade: &str) -> Option<Tone> {
        scheme.grade_index(grade).map(|i| match i {
            0 => Tone::Good,
            1 => Tone::Fair,
            2 => Tone::Weak,
            _ => Tone::Poor,
        })
    }

    /// The CSS class and name of the tone.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Fair => "fair",
            Tone::Weak => "weak",
            Tone::Poor => "poor",
        }
    }

    /// Fill colour (RGB) of a cell in this tone.
    pub(crate) fn fill(self) -> u32 {
        match self {
            Tone::Good => 0xC6EFCE,
            Tone::Fair => 0xDDEBF7,
            Tone::Weak => 0xFFEB9C,
            Tone::Poor => 0xFFC7CE,
        }
    }

    /// Text colour (RGB) on that fill.
    pub(crate) fn ink(self) -> u32 {
        match self {
            Tone::Good => 0x006100,
            Tone::Fair => 0x1F4E78,
            Tone::Weak => 0x9C5700,
            Tone::Poor => 0x9C0006,
        }
    }
}

/// The name of a grade with its band: `A（优秀）`.
pub(crate) fn grade_label(scheme: &Scheme, grade: &str) -> String {
    match scheme.grades.iter().find(|g| g.grade == grade) {
        Some(band) if !band.name.is_empty() => format!("{grade}（{}）", band.name),
        _ => grade.to_string(),
    }
}
