//! The ranking as a self-contained printable page; askama escapes every value.

use askama::Template;
use pubeval_scoring::scheme::format_points;

use super::{NOT_SUBMITTED, Ranking, Tone, grade_label, warning_text};
use crate::error::ReportError;

/// One line of the table, as text.
struct Line<'a> {
    rank: String,
    approval_no: &'a str,
    name: &'a str,
    category: &'static str,
    province: &'a str,
    total: String,
    submitted: bool,
    grade: String,
    tone: &'static str,
    category_rank: String,
    warning: String,
    warning_level: u8,
    borderline: bool,
}

/// How many bodies have one grade.
struct GradeCount {
    label: String,
    tone: &'static str,
    count: usize,
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct Page<'a> {
    title: &'a str,
    subtitle: Option<&'a str>,
    scheme_name: &'a str,
    scheme_code: &'a str,
    scheme_version: u32,
    bodies: usize,
    submitted: usize,
    warned: usize,
    borderline: usize,
    /// Whether the warning's column and count are shown.
    warnings: bool,
    grades: Vec<GradeCount>,
    lines: Vec<Line<'a>>,
}

const DASH: &str = "—";

/// The page as a string.
pub(super) fn render(ranking: &Ranking<'_>) -> Result<String, ReportError> {
    let scheme = ranking.scheme;
    let rows = ranking.rows;
    let grades = scheme
        .grades
        .iter()
        .map(|band| GradeCount {
            label: grade_label(scheme, &band.grade),
            tone: Tone::of(scheme, &band.grade).map_or("", Tone::as_str),
            count: rows
                .iter()
                .filter(|r| r.grade.as_deref() == Some(band.grade.as_str()))
                .count(),
        })
        .collect();
    let lines = rows
        .iter()
        .map(|r| Line {
            rank: r.rank.map_or_else(|| DASH.to_string(), |x| x.to_string()),
            approval_no: &r.approval_no,
            name: &r.name,
            category: r.category.label(),
            province: &r.province,
            total: match r.total {
                Some(t) if r.submitted => format_points(t),
                _ => NOT_SUBMITTED.to_string(),
            },
            submitted: r.submitted,
            grade: r.grade.clone().unwrap_or_else(|| DASH.to_string()),
            tone: r
                .grade
                .as_deref()
                .and_then(|g| Tone::of(scheme, g))
                .map_or("", Tone::as_str),
            category_rank: r
                .category_rank
                .map_or_else(|| DASH.to_string(), |x| x.to_string()),
            warning: if r.warning_level == 0 {
                DASH.to_string()
            } else {
                warning_text(scheme, r.warning_level)
            },
            warning_level: r.warning_level,
            borderline: r.borderline,
        })
        .collect();
    let page = Page {
        title: &ranking.title,
        subtitle: ranking.subtitle.as_deref(),
        scheme_name: &scheme.name,
        scheme_code: &scheme.code,
        scheme_version: scheme.version,
        bodies: rows.len(),
        submitted: rows.iter().filter(|r| r.submitted).count(),
        warned: rows.iter().filter(|r| r.warning_level > 0).count(),
        borderline: rows.iter().filter(|r| r.borderline).count(),
        warnings: ranking.warnings,
        grades,
        lines,
    };
    Ok(page.render()?)
}
