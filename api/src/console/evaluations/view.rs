//! How an evaluation's figures read on its pages: the summary, a ranking line, a chart.

use pubeval_scoring::{Category, Scheme};
use serde_json::Value;

use crate::db::models::evaluation::ResultRow;
use crate::domain::documents::charts::Chart;
use crate::domain::states::EvaluationStatus;

/// An evaluation's state in Chinese.
pub fn status_zh(status: EvaluationStatus) -> &'static str {
    status.label_zh()
}

/// A warning level's name (0: none).
pub fn level_label(scheme: &Scheme, level: u8) -> String {
    match scheme.level_name(level) {
        "" if level == 0 => "无警示".to_string(),
        "" => format!("{level} 级"),
        name => name.to_string(),
    }
}

/// A category's Chinese name (the code itself when unknown).
pub fn category_label(code: &str) -> String {
    Category::from_code(code).map_or_else(|| code.to_string(), |c| c.label().to_string())
}

/// A share (0 to 1) as a percentage with 2 decimals.
pub fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// A total with 2 decimals, as the documents show it.
pub fn total_text(total: Option<f64>) -> String {
    total.map_or_else(|| "—".to_string(), |t| format!("{t:.2}"))
}

/// One count of the summary.
#[derive(Debug, Clone)]
pub struct Count {
    /// What is counted.
    pub label: String,
    /// How many.
    pub count: u64,
}

/// The evaluation's stored summary, as its page shows it.
#[derive(Debug, Clone)]
pub struct SummaryView {
    /// Bodies expected.
    pub bodies: u64,
    /// Reports that counted.
    pub submitted: u64,
    /// Bodies without a report.
    pub not_submitted: u64,
    /// The submission rate.
    pub submission_rate: String,
    /// Reports within the general window.
    pub on_time: u64,
    /// The on-time rate.
    pub on_time_rate: String,
    /// Bodies per grade.
    pub grades: Vec<Count>,
    /// Bodies per warning level.
    pub levels: Vec<Count>,
    /// Borderline bodies.
    pub borderline: u64,
    /// Incidents counted.
    pub incidents: u64,
    /// Reports with open plausibility flags at the time of the run (需复核).
    pub flagged_reports: u64,
}

/// The stored summary's figures (written by the evaluation service).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Stored {
    bodies: u64,
    submitted: u64,
    not_submitted: u64,
    submission_rate: f64,
    on_time: u64,
    on_time_rate: f64,
    grades: serde_json::Map<String, Value>,
    warning_levels: serde_json::Map<String, Value>,
    borderline: u64,
    incidents: u64,
    flagged_reports: u64,
}

impl SummaryView {
    /// The summary of its stored JSON (`None` when there is none to read).
    pub fn parse(stored: &str, scheme: &Scheme) -> Option<SummaryView> {
        let v: Stored = serde_json::from_str(stored).ok()?;
        let count_of = |map: &serde_json::Map<String, Value>, key: &str| {
            map.get(key).and_then(Value::as_u64).unwrap_or(0)
        };
        Some(SummaryView {
            bodies: v.bodies,
            submitted: v.submitted,
            not_submitted: v.not_submitted,
            submission_rate: percent(v.submission_rate),
            on_time: v.on_time,
            on_time_rate: percent(v.on_time_rate),
            grades: scheme
                .grades
                .iter()
                .map(|g| Count {
                    label: format!("{}（{}）", g.grade, g.name),
                    count: count_of(&v.grades, &g.grade),
                })
                .collect(),
            levels: (0..=3u8)
                .map(|l| Count {
                    label: level_label(scheme, l),
                    count: count_of(&v.warning_levels, &l.to_string()),
                })
                .collect(),
            borderline: v.borderline,
            incidents: v.incidents,
            flagged_reports: v.flagged_reports,
        })
    }
}

/// One line of the ranking.
#[derive(Debug, Clone)]
pub struct RankLine {
    /// The overall rank ("—" without a report).
    pub rank: String,
    /// The approval number.
    pub approval_no: String,
    /// The body's name.
    pub name: String,
    /// The body's result page.
    pub href: String,
    /// The category in Chinese.
    pub category: String,
    /// The province.
    pub province: String,
    /// The total with 2 decimals ("—" without a report).
    pub total: String,
    /// The grade ("—" without a report).
    pub grade: String,
    /// The warning level's name.
    pub level: String,
    /// "是" when borderline.
    pub borderline: &'static str,
}

impl RankLine {
    /// The line of a stored result.
    pub fn of(r: &ResultRow, scheme: &Scheme, evaluation_id: &str) -> RankLine {
        RankLine {
            rank: r.rank.map_or_else(|| "—".to_string(), |x| x.to_string()),
            approval_no: r.approval_no.clone(),
            name: r.name.clone(),
            href: format!("/console/evaluations/{evaluation_id}/results/{}", r.body_id),
            category: category_label(&r.category),
            province: r.province.clone(),
            total: if r.submitted != 0 {
                total_text(r.total)
            } else {
                "未报送".to_string()
            },
            grade: r.grade.clone().unwrap_or_else(|| "—".to_string()),
            level: level_label(scheme, r.warning_level.clamp(0, 3) as u8),
            borderline: if r.borderline != 0 { "是" } else { "" },
        }
    }
}

/// A chart drawn inline.
#[derive(Debug, Clone)]
pub struct ChartView {
    /// Its Chinese title.
    pub title: &'static str,
    /// The SVG element, named for assistive technology, without an XML prolog.
    pub svg: String,
}

impl ChartView {
    /// The inline form of a chart.
    pub fn of(chart: &Chart) -> ChartView {
        let title = chart.name.title();
        let svg = match chart.svg.find("<svg") {
            Some(start) => &chart.svg[start..],
            None => chart.svg.as_str(),
        };
        let svg = svg.replacen(
            "<svg",
            &format!("<svg role=\"img\" aria-label=\"{title}\" focusable=\"false\""),
            1,
        );
        ChartView { title, svg }
    }
}
