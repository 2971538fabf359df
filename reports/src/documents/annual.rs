//! The annual evaluation report (年度宣传工作评价报告): summary figures, the charts, a table per
//! category, the top and the bottom of the ranking, the warnings issued, the borderline
//! bodies, and the scheme as an appendix. Chapters use the heading levels of GB/T 9704.

use askama::Template;
use chrono::NaiveDate;
use pubeval_scoring::scheme::text::{describe_grade_band, describe_rule, format_number};
use pubeval_scoring::scheme::{format_articles, format_points};
use pubeval_scoring::{BodyResult, Category, Scheme};
use serde::Serialize;

use super::chinese_date;
use super::notice::ISSUER;
use crate::charts::{self, median};
use crate::error::ReportError;
use crate::pdf::{DocumentKind, Typesetter};
use crate::ranking::RankingRow;

/// Bodies listed at each end of the ranking.
pub const ENDS_SHOWN: usize = 10;

/// A warning issued for the evaluation, as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedWarning {
    /// 认宣警〔YYYY〕N号.
    pub notice_no: String,
    /// The body's name.
    pub body_name: String,
    /// Level 1–3.
    pub level: u8,
    /// Where it stands, in Chinese (已签发, 已整改销号, …).
    pub status: String,
    /// Rectification deadline.
    pub deadline: Option<NaiveDate>,
}

/// Everything the annual report draws on.
#[derive(Debug, Clone)]
pub struct AnnualData<'a> {
    /// The scheme.
    pub scheme: &'a Scheme,
    /// The evaluation year.
    pub year: i32,
    /// The evaluation's stage in Chinese when it is not final (e.g. 公示稿), else `None`.
    pub draft_stage: Option<String>,
    /// Every body's row, in ranking order.
    pub rows: &'a [RankingRow],
    /// Every body's result, in ranking order.
    pub results: &'a [BodyResult],
    /// Bodies whose report came within the general window (not through a late-entry
    /// exception).
    pub on_time: usize,
    /// The warnings issued, in notice-number order.
    pub warnings: &'a [IssuedWarning],
    /// Whether the reader may see risk warnings at all: `false` leaves out every warning
    /// count, column and list, with a note where they would stand (a reader without
    /// `warnings:read`, DESIGN.md §4).
    pub show_warnings: bool,
    /// The report's date.
    pub dated: NaiveDate,
}

#[derive(Debug, Serialize)]
struct Figure {
    name: &'static str,
    title: &'static str,
    #[serde(skip)]
    svg: String,
}

#[derive(Debug, Serialize)]
struct AnnualView<'a> {
    issuer: &'a str,
    title: [String; 2],
    stage: String,
    summary: Vec<String>,
    grade_rows: Vec<[String; 4]>,
    level_rows: Vec<[String; 4]>,
    show_warnings: bool,
    /// What stands in place of the warnings for a reader who may not see them.
    withheld_note: &'static str,
    figures: Vec<Figure>,
    category_rows: Vec<Vec<String>>,
    category_headers: Vec<String>,
    dimension_headers: Vec<String>,
    dimension_rows: Vec<Vec<String>>,
    top: Vec<[String; 7]>,
    bottom: Vec<[String; 7]>,
    ends_note: String,
    warnings_note: String,
    warnings: Vec<[String; 5]>,
    borderline_note: String,
    borderline: Vec<[String; 6]>,
    scheme_name: String,
    indicators: Vec<[String; 6]>,
    deductions: Vec<[String; 4]>,
    vetoes: Vec<[String; 4]>,
    grades: Vec<[String; 3]>,
    dated: String,
}

#[derive(Template)]
#[template(path = "annual.html")]
struct Page<'a> {
    view: AnnualView<'a>,
}

/// The annual report as a self-contained HTML page with its charts inline.
pub fn annual_html(data: &AnnualData<'_>) -> Result<String, ReportError> {
    Page { view: view(data)? }
        .render()
        .map_err(ReportError::Html)
}

/// The annual report as PDF.
pub fn annual_pdf(data: &AnnualData<'_>, typesetter: &Typesetter) -> Result<Vec<u8>, ReportError> {
    let view = view(data)?;
    let charts: Vec<(&str, &str)> = view
        .figures
        .iter()
        .map(|f| (f.name, f.svg.as_str()))
        .collect();
    typesetter.pdf(DocumentKind::AnnualReport, &view, &charts, data.dated)
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn points_or_dash(v: Option<f64>) -> String {
    v.map_or("—".into(), format_points)
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn row_of(r: &RankingRow) -> [String; 7] {
    [
        r.rank.map_or("—".into(), |x| x.to_string()),
        r.name.clone(),
        r.approval_no.clone(),
        r.category.label().to_string(),
        r.province.clone(),
        points_or_dash(r.total),
        r.grade.clone().unwrap_or_else(|| "—".into()),
    ]
}

fn view<'a>(data: &'a AnnualData<'a>) -> Result<AnnualView<'a>, ReportError> {
    let scheme = data.scheme;
    let rows = data.rows;
    let evaluated = rows.len();
    let submitted = rows.iter().filter(|r| r.submitted).count();
    let late = submitted.saturating_sub(data.on_time);
    let totals: Vec<f64> = rows.iter().filter_map(|r| r.total).collect();
    let ranked = rows.iter().filter(|r| r.rank.is_some()).count();
    let triggered = |level: u8| rows.iter().filter(|r| r.warning_level == level).count();
    let issued = |level: u8| data.warnings.iter().filter(|w| w.level == level).count();
    let extreme = |pick: fn(f64, f64) -> f64| totals.iter().copied().reduce(pick);
    let mut summary = vec![
        format!(
            "本年度纳入评价的认证机构共 {evaluated} 家。按期报送年度宣传工作报告的 {} 家，按期报送率 {}；经批准逾期补报的 {late} 家；未报送的 {} 家。报送率 {}。",
            data.on_time,
            percent(data.on_time, evaluated),
            evaluated - submitted,
            percent(submitted, evaluated),
        ),
        format!(
            "参与排名的机构 {ranked} 家，平均分 {}，中位数 {}，最高分 {}，最低分 {}。",
            points_or_dash(mean(&totals)),
            points_or_dash(median(totals.iter().copied())),
            points_or_dash(extreme(f64::max)),
            points_or_dash(extreme(f64::min)),
        ),
    ];
    if data.show_warnings {
        summary.push(format!(
            "依据评价结果，触发风险警示的机构 {} 家，其中{}；已签发风险警示通知书 {} 份。",
            rows.iter().filter(|r| r.warning_level > 0).count(),
            scheme
                .warning_levels
                .iter()
                .map(|l| format!("{}级（{}）{} 家", l.level, l.name, triggered(l.level)))
                .collect::<Vec<_>>()
                .join("、"),
            data.warnings.len(),
        ));
    }
    let grade_rows = scheme
        .grades
        .iter()
        .enumerate()
        .map(|(i, band)| {
            let count = rows
                .iter()
                .filter(|r| r.grade.as_deref() == Some(band.grade.as_str()))
                .count();
            [
                format!("{}（{}）", band.grade, band.name),
                describe_grade_band(scheme, i),
                count.to_string(),
                percent(count, submitted),
            ]
        })
        .collect();
    let level_rows = scheme
        .warning_levels
        .iter()
        .map(|l| {
            [
                format!("{}级", l.level),
                l.name.clone(),
                triggered(l.level).to_string(),
                issued(l.level).to_string(),
            ]
        })
        .collect();
    let figures = vec![
        Figure {
            name: "grade_distribution",
            title: "图1 等级分布",
            svg: charts::grade_distribution(scheme, rows)?,
        },
        Figure {
            name: "score_histogram",
            title: "图2 总分分布",
            svg: charts::score_histogram(scheme, rows)?,
        },
        Figure {
            name: "dimension_profile",
            title: "图3 各维度平均得分率（按机构类别）",
            svg: charts::dimension_profile(scheme, data.results)?,
        },
    ];
    let mut category_headers: Vec<String> = ["类别", "机构数", "报送数", "平均分", "中位数"]
        .map(String::from)
        .to_vec();
    category_headers.extend(scheme.grades.iter().map(|g| format!("{}级", g.grade)));
    if data.show_warnings {
        category_headers.push("触发警示".into());
    }
    let category_rows = Category::ALL
        .into_iter()
        .map(|category| {
            let of: Vec<&RankingRow> = rows.iter().filter(|r| r.category == category).collect();
            let totals: Vec<f64> = of.iter().filter_map(|r| r.total).collect();
            let mut line = vec![
                category.label().to_string(),
                of.len().to_string(),
                of.iter().filter(|r| r.submitted).count().to_string(),
                points_or_dash(mean(&totals)),
                points_or_dash(median(totals.iter().copied())),
            ];
            line.extend(scheme.grades.iter().map(|g| {
                of.iter()
                    .filter(|r| r.grade.as_deref() == Some(g.grade.as_str()))
                    .count()
                    .to_string()
            }));
            if data.show_warnings {
                line.push(
                    of.iter()
                        .filter(|r| r.warning_level > 0)
                        .count()
                        .to_string(),
                );
            }
            line
        })
        .collect();
    let shares = charts::dimension_shares(scheme, data.results);
    let mut dimension_headers = vec!["维度（满分）".to_string()];
    dimension_headers.extend(shares.iter().map(|s| s.category.label().to_string()));
    let dimension_rows = scheme
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut line = vec![format!("{} {}（{}）", d.code, d.name, format_points(d.max))];
            line.extend(shares.iter().map(|s| {
                let share = s.shares.get(i).copied().unwrap_or(0.0);
                format!("{}（{share:.1}%）", format_points(share / 100.0 * d.max))
            }));
            line
        })
        .collect();
    let ranked_rows: Vec<&RankingRow> = rows.iter().filter(|r| r.rank.is_some()).collect();
    let top = ranked_rows
        .iter()
        .take(ENDS_SHOWN)
        .map(|r| row_of(r))
        .collect();
    let bottom_start = ranked_rows
        .len()
        .saturating_sub(ENDS_SHOWN)
        .max(ENDS_SHOWN.min(ranked_rows.len()));
    let bottom = ranked_rows[bottom_start..]
        .iter()
        .map(|r| row_of(r))
        .collect();
    let warnings = data
        .warnings
        .iter()
        .map(|w| {
            [
                w.notice_no.clone(),
                w.body_name.clone(),
                format!("{}级（{}）", w.level, scheme.level_name(w.level)),
                w.deadline.map_or("—".into(), chinese_date),
                w.status.clone(),
            ]
        })
        .collect();
    let borderline: Vec<[String; 6]> = data
        .results
        .iter()
        .filter_map(|r| {
            r.uncertainty
                .as_ref()
                .filter(|u| u.borderline)
                .map(|u| (r, u))
        })
        .map(|(r, u)| {
            [
                r.rank.map_or("—".into(), |x| x.to_string()),
                r.name.clone(),
                points_or_dash(r.total),
                r.grade.clone().unwrap_or_else(|| "—".into()),
                format!("{}–{}", u.rank_q05, u.rank_q95),
                u.grade_shares
                    .iter()
                    .filter(|(_, share)| **share > 0.0)
                    .map(|(g, share)| format!("{g} {:.0}%", share * 100.0))
                    .collect::<Vec<_>>()
                    .join("，"),
            ]
        })
        .collect();
    let borderline_note = format!(
        "在评价权重随机变动（各维度权重在 ±25% 内抽样）的稳健性分析中，{} 家机构的等级处于临界状态，权重稍有变化即可能改变，在使用其等级时宜审慎。",
        borderline.len()
    );
    let indicators = scheme
        .indicators()
        .map(|(d, i)| {
            [
                format!("{} {}", d.code, d.name),
                i.code.clone(),
                i.name.clone(),
                describe_rule(&i.rule),
                format_number(i.max),
                format_articles(&i.articles),
            ]
        })
        .collect();
    let deductions = scheme
        .deductions
        .iter()
        .map(|d| {
            [
                d.code.clone(),
                d.name.clone(),
                format!(
                    "每起扣 {} 分，最多扣 {} 分",
                    format_number(-d.points_each),
                    format_number(-d.cap)
                ),
                format_articles(&d.articles),
            ]
        })
        .collect();
    let vetoes = scheme
        .vetoes
        .iter()
        .map(|v| {
            [
                v.code.clone(),
                v.name.clone(),
                format!("存在即评为 {} 级", scheme.veto_grade),
                format_articles(&v.articles),
            ]
        })
        .collect();
    let grades = scheme
        .grades
        .iter()
        .enumerate()
        .map(|(i, b)| {
            [
                b.grade.clone(),
                b.name.clone(),
                describe_grade_band(scheme, i),
            ]
        })
        .collect();
    Ok(AnnualView {
        issuer: ISSUER,
        title: [
            format!("{}年度认证机构宣传工作", data.year),
            "评价报告".into(),
        ],
        stage: data
            .draft_stage
            .as_ref()
            .map_or(String::new(), |s| format!("（{s}，以最终发布的结果为准）")),
        summary,
        grade_rows,
        level_rows: if data.show_warnings {
            level_rows
        } else {
            Vec::new()
        },
        show_warnings: data.show_warnings,
        withheld_note: "风险警示情况仅向有权查阅风险警示的用户提供。",
        figures,
        category_rows,
        category_headers,
        dimension_headers,
        dimension_rows,
        ends_note: format!(
            "参与排名的机构中总分前 {ENDS_SHOWN} 名和后 {ENDS_SHOWN} 名如下（并列者按批准号排列）。"
        ),
        top,
        bottom,
        warnings_note: if !data.show_warnings {
            String::new()
        } else if data.warnings.is_empty() {
            "本年度尚未签发风险警示通知书。".into()
        } else {
            format!(
                "本年度已签发风险警示通知书 {} 份，情况如下。",
                data.warnings.len()
            )
        },
        warnings: if data.show_warnings {
            warnings
        } else {
            Vec::new()
        },
        borderline_note,
        borderline,
        scheme_name: format!("{}（第 {} 版）", scheme.name, scheme.version),
        indicators,
        deductions,
        vetoes,
        grades,
        dated: chinese_date(data.dated),
    })
}
