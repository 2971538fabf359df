//! The result letter (评价结果告知书): a body's total, grade and ranks, each dimension against
//! its maximum and its category's average, its deductions and their incidents, the indicators
//! where it lost most, a radar against its category, the robustness of its rank, and what it
//! may do next (object during public notice; the result is final afterwards).

use askama::Template;
use chrono::NaiveDate;
use pubeval_scoring::scheme::format_points;
use pubeval_scoring::{BodyResult, Scheme};
use serde::Serialize;

use super::chinese_date;
use super::notice::ISSUER;
use crate::charts::{DimensionShares, body_radar_against, dimension_shares};
use crate::error::ReportError;
use crate::pdf::{DocumentKind, Typesetter};
use pubeval_scoring::Category;

/// Indicators listed among those where the body lost most points.
const LOSSES_SHOWN: usize = 5;

/// The evaluation's stage, which decides the letter's closing paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterStage {
    /// In public notice: objections accepted until the date.
    PublicNotice {
        /// The last day to object (China Standard Time).
        objection_deadline: NaiveDate,
    },
    /// Final.
    Final,
}

/// Everything a letter says beyond the body's result.
#[derive(Debug, Clone)]
pub struct LetterData<'a> {
    /// The scheme.
    pub scheme: &'a Scheme,
    /// The body's result, with its explanation and uncertainty.
    pub result: &'a BodyResult,
    /// What the letter compares the body with: its category's averages and how many rank,
    /// figured once for every letter of an evaluation ([`CohortFigures::of`]).
    pub cohort: &'a CohortFigures,
    /// The evaluation year.
    pub year: i32,
    /// The stage.
    pub stage: LetterStage,
    /// The letter's date.
    pub dated: NaiveDate,
}

/// The figures of an evaluation's whole cohort a letter compares one body with, computed once
/// for all its letters rather than from every result per letter.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortFigures {
    /// The average share of each dimension's maximum per category with reports.
    pub shares: Vec<DimensionShares>,
    /// Bodies ranked overall.
    pub ranked: usize,
    /// Bodies ranked per category, in [`Category::ALL`] order.
    pub ranked_by_category: [usize; 3],
}

impl CohortFigures {
    /// The figures of an evaluation's results.
    pub fn of(scheme: &Scheme, results: &[BodyResult]) -> CohortFigures {
        let mut ranked_by_category = [0; 3];
        for r in results.iter().filter(|r| r.rank.is_some()) {
            if let Some(i) = Category::ALL.iter().position(|c| *c == r.category) {
                ranked_by_category[i] += 1;
            }
        }
        CohortFigures {
            shares: dimension_shares(scheme, results),
            ranked: results.iter().filter(|r| r.rank.is_some()).count(),
            ranked_by_category,
        }
    }

    /// The averages of a category, when it has bodies with a report.
    pub fn category(&self, category: Category) -> Option<&DimensionShares> {
        self.shares.iter().find(|s| s.category == category)
    }

    /// The average points of each dimension (scheme order) in a category; `None` where the
    /// category has no report.
    pub fn category_averages(&self, scheme: &Scheme, category: Category) -> Vec<Option<f64>> {
        self.category(category)
            .map(|s| {
                s.shares
                    .iter()
                    .zip(&scheme.dimensions)
                    .map(|(share, d)| Some(share / 100.0 * d.max))
                    .collect()
            })
            .unwrap_or_else(|| vec![None; scheme.dimensions.len()])
    }

    /// Bodies ranked within a category.
    pub fn ranked_in(&self, category: Category) -> usize {
        Category::ALL
            .iter()
            .position(|c| *c == category)
            .map_or(0, |i| self.ranked_by_category[i])
    }
}

#[derive(Serialize)]
struct DimensionLine {
    name: String,
    points: String,
    max: String,
    category_average: String,
}

#[derive(Serialize)]
struct LossLine {
    name: String,
    value: String,
    points: String,
    max: String,
    lost: String,
    articles: String,
}

#[derive(Serialize)]
struct DeductionLine {
    name: String,
    count: u32,
    points: String,
    articles: String,
}

/// What the letter says, every sentence settled here so that HTML and PDF cannot differ.
#[derive(Serialize)]
struct LetterView<'a> {
    issuer: &'a str,
    title: [String; 2],
    addressee: String,
    basis: String,
    /// The 一、 paragraph: total, grade and ranks, or that no report came.
    outcome: String,
    warning: String,
    dimensions: Vec<DimensionLine>,
    deductions: Vec<DeductionLine>,
    vetoes: Vec<String>,
    losses: Vec<LossLine>,
    /// The radar as SVG, inline in HTML and a file for typst.
    #[serde(skip)]
    radar: String,
    has_radar: bool,
    robustness: String,
    /// The closing section's title and paragraph: objection or finality.
    closing_title: &'static str,
    closing: String,
    dated: String,
    /// Numbered headings of the sections after the first two, which appear only when they
    /// have content: losses, deductions, robustness, and the closing one.
    headings: [String; 4],
}

#[derive(Template)]
#[template(path = "letter.html")]
struct Page<'a> {
    view: LetterView<'a>,
}

/// The letter as a self-contained HTML page with its radar inline; askama escapes every value
/// (the radar is the library's own SVG).
pub fn letter_html(data: &LetterData<'_>) -> Result<String, ReportError> {
    Page { view: view(data) }
        .render()
        .map_err(ReportError::Html)
}

/// The letter as PDF, laid out as GB/T 9704-2012 asks, the radar drawn by typst from the SVG.
pub fn letter_pdf(data: &LetterData<'_>, typesetter: &Typesetter) -> Result<Vec<u8>, ReportError> {
    let view = view(data);
    let charts: &[(&str, &str)] = if view.has_radar {
        &[("radar", view.radar.as_str())]
    } else {
        &[]
    };
    typesetter.pdf(DocumentKind::Letter, &view, charts, data.dated)
}

fn view<'a>(data: &'a LetterData<'a>) -> LetterView<'a> {
    let r = data.result;
    let scheme = data.scheme;
    let averages = data.cohort.category_averages(scheme, r.category);
    let dimensions = scheme
        .dimensions
        .iter()
        .zip(averages)
        .map(|(d, average)| DimensionLine {
            name: format!("{} {}", d.code, d.name),
            points: r
                .dimensions
                .as_ref()
                .and_then(|p| p.get(&d.code))
                .map_or("—".into(), format_points),
            max: format_points(d.max),
            category_average: average.map_or("—".into(), format_points),
        })
        .collect();
    let mut losses: Vec<LossLine> = r
        .explanation
        .as_ref()
        .map(|e| {
            e.indicators
                .iter()
                .filter(|i| i.max - i.points > 1e-9)
                .map(|i| LossLine {
                    name: format!("{} {}", i.code, i.name),
                    value: i.value_text.clone(),
                    points: format_points(i.points),
                    max: format_points(i.max),
                    lost: format_points(i.max - i.points),
                    articles: i.articles_text.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    losses.sort_by(|a, b| {
        b.lost
            .parse::<f64>()
            .unwrap_or(0.0)
            .total_cmp(&a.lost.parse::<f64>().unwrap_or(0.0))
    });
    losses.truncate(LOSSES_SHOWN);
    let deductions: Vec<DeductionLine> = r
        .explanation
        .as_ref()
        .map(|e| {
            e.deductions
                .iter()
                .map(|d| DeductionLine {
                    name: format!("{} {}", d.code, d.name),
                    count: d.incidents,
                    points: format_points(d.points),
                    articles: pubeval_scoring::scheme::format_articles(&d.articles),
                })
                .collect()
        })
        .unwrap_or_default();
    let vetoes: Vec<String> = r
        .explanation
        .as_ref()
        .map(|e| {
            e.vetoes
                .iter()
                .map(|v| format!("{} {}", v.code, v.name))
                .collect()
        })
        .unwrap_or_default();
    let radar = if r.submitted {
        body_radar_against(scheme, r, data.cohort.category(r.category)).unwrap_or_default()
    } else {
        String::new()
    };
    let robustness = match &r.uncertainty {
        Some(u) => format!(
            "在评价权重随机变动（各维度权重在 ±25% 内抽样）的稳健性分析中，你机构排名中位数为第 {} 名，90% 的情形下位于第 {} 至第 {} 名之间{}。",
            u.rank_median,
            u.rank_q05,
            u.rank_q95,
            if u.borderline {
                "；你机构的等级处于临界状态，权重稍有变化即可能改变"
            } else {
                "；等级结论稳定"
            }
        ),
        None => String::new(),
    };
    let warning = r.warning.as_ref().map_or(String::new(), |w| {
        format!(
            "你机构本年度触发{}级风险警示（{}）：{}。",
            w.level,
            w.level_name,
            w.findings
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
                .join("；")
        )
    });
    let (closing_title, closing) = match data.stage {
        LetterStage::PublicNotice { objection_deadline } => (
            "异议",
            format!(
                "本评价结果处于公示期。你机构对评价结果有异议的，可于{}前通过认证机构宣传工作评价系统提出异议，并说明理由、提供证据。逾期未提出的，视为无异议。",
                chinese_date(objection_deadline)
            ),
        ),
        LetterStage::Final => (
            "结果效力",
            "本评价结果为最终结果，将作为我委实施行政管理的参考依据。".to_string(),
        ),
    };
    // 一 and 二 are always there; the rest are numbered by which appear.
    let present = [
        !losses.is_empty(),
        !deductions.is_empty() || !vetoes.is_empty(),
        !robustness.is_empty(),
        true,
    ];
    let mut next = 3;
    let headings = present.map(|shown| {
        let n = next;
        if shown {
            next += 1;
        }
        format!("{}、", pubeval_scoring::scheme::text::chinese_number(n))
    });
    let ranked = data.cohort.ranked;
    let ranked_in_category = data.cohort.ranked_in(r.category);
    let outcome = if r.submitted {
        format!(
            "你机构评价总分 {} 分，等级为 {}；在全部认证机构中排{}，在{}机构中排{}。",
            r.total.map_or("—".into(), format_points),
            r.grade.as_deref().unwrap_or("—"),
            r.rank
                .map_or("—".into(), |x| format!("第 {x} 名（共 {ranked} 家）")),
            r.category.label(),
            r.category_rank.map_or("—".into(), |x| {
                format!("第 {x} 名（共 {ranked_in_category} 家）")
            }),
        )
    } else {
        "你机构未在报送期限内报送年度宣传工作报告，未予评分。".to_string()
    };
    LetterView {
        issuer: ISSUER,
        title: [
            format!("{}年度认证机构宣传工作", data.year),
            "评价结果告知书".into(),
        ],
        addressee: format!(
            "{}（批准号：{}）：",
            r.name,
            r.approval_no.as_deref().unwrap_or("")
        ),
        basis: format!(
            "根据《认证机构宣传工作指引》第三十二条，我委对认证机构{}年度宣传工作进行了评价。现将你机构的评价结果告知如下。",
            data.year
        ),
        outcome,
        warning,
        dimensions,
        deductions,
        vetoes,
        losses,
        has_radar: !radar.is_empty(),
        radar,
        robustness,
        closing_title,
        closing,
        dated: chinese_date(data.dated),
        headings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pubeval_scoring::synthetic;

    #[test]
    fn cohort_figures_count_the_ranked_and_average_each_category() {
        let scheme = Scheme::default_scheme();
        let population = synthetic::Population::generate(200, 5);
        let results = synthetic::scored_year(&population, &scheme, 2025, 5, 0).expect("scored");
        let figures = CohortFigures::of(&scheme, &results);
        let ranked = results.iter().filter(|r| r.rank.is_some()).count();
        assert!(
            ranked > 0 && ranked < results.len(),
            "some bodies have no report"
        );
        assert_eq!(figures.ranked, ranked);
        assert_eq!(
            figures.ranked_by_category.iter().sum::<usize>(),
            figures.ranked
        );
        assert_eq!(figures.shares, dimension_shares(&scheme, &results));
    }
}
