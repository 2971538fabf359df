//! The brief for the meeting that approves a revision (方案调整影响分析), laid out as NOTICE.md
//! describes: the basis, what changed, how many bodies move grade and which gain or lose a
//! warning, the charts (grade transitions, rank changes, old against new totals) and the
//! table of indicators.

use serde::Serialize;

use super::{ImpactData, level_text, points, share};
use crate::charts::impact::{grade_transition, rank_shift_histogram, total_scatter};
use crate::documents::{ISSUER, chinese_date};
use crate::error::ReportError;
use crate::pdf::{DocumentKind, Typesetter};

/// Bodies listed in the brief's warning table at most; the workbook lists them all.
pub const WARNED_SHOWN: usize = 50;

#[derive(Debug, Serialize)]
struct Figure {
    name: &'static str,
    title: &'static str,
    #[serde(skip)]
    svg: String,
}

#[derive(Debug, Serialize)]
struct BriefView {
    issuer: &'static str,
    title: [String; 2],
    basis: String,
    changes: Vec<String>,
    findings: Vec<String>,
    grade_rows: Vec<[String; 3]>,
    figures: Vec<Figure>,
    warned_note: String,
    warned: Vec<[String; 5]>,
    indicator_note: String,
    indicators: Vec<[String; 7]>,
    dated: String,
}

fn view(data: &ImpactData<'_>) -> Result<BriefView, ReportError> {
    let i = data.impact;
    let s = &i.summary;
    let grade_rows = data
        .scheme
        .grades
        .iter()
        .map(|band| {
            [
                format!("{}（{}）", band.grade, band.name),
                s.grades_old
                    .get(&band.grade)
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
                s.grades_new
                    .get(&band.grade)
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
            ]
        })
        .collect();
    let figures = vec![
        Figure {
            name: "grade_transition",
            title: "图1 等级变化",
            svg: grade_transition(data.baseline, data.scheme, i)?,
        },
        Figure {
            name: "rank_shift",
            title: "图2 名次变化分布",
            svg: rank_shift_histogram(i)?,
        },
        Figure {
            name: "total_scatter",
            title: "图3 新旧方案总分对照",
            svg: total_scatter(data.scheme, i)?,
        },
    ];
    let warned_ids: Vec<(&str, &String)> = i
        .warnings_gained
        .iter()
        .map(|id| ("新增", id))
        .chain(i.warnings_lost.iter().map(|id| ("不再触发", id)))
        .collect();
    let warned: Vec<[String; 5]> = warned_ids
        .iter()
        .take(WARNED_SHOWN)
        .filter_map(|(what, id)| data.body(id).map(|b| (what, b)))
        .map(|(what, b)| {
            [
                what.to_string(),
                b.name.clone(),
                format!("{} / {}", points(b.old.total), points(b.new.total)),
                level_text(data.baseline, b.old.warning_level),
                level_text(data.scheme, b.new.warning_level),
            ]
        })
        .collect();
    let warned_note = if warned_ids.is_empty() {
        "调整后，没有机构新增或不再触发风险警示。".to_string()
    } else if warned_ids.len() > WARNED_SHOWN {
        format!(
            "新增或不再触发风险警示的机构共 {} 家，下表列出前 {WARNED_SHOWN} 家，全部名单见分析工作簿。",
            warned_ids.len()
        )
    } else {
        format!(
            "新增或不再触发风险警示的机构共 {} 家，如下表。",
            warned_ids.len()
        )
    };
    let number =
        |v: Option<f64>| v.map_or("—".into(), pubeval_scoring::scheme::text::format_number);
    let indicators = i
        .indicators
        .iter()
        .map(|(code, x)| {
            [
                code.clone(),
                x.name.clone(),
                format!("{} / {}", number(x.max_old), number(x.max_new)),
                share(x.effective_weight_old),
                share(x.effective_weight_new),
                x.drop_one_median_rank_shift
                    .map_or("—".into(), |n| n.to_string()),
                x.drop_one_max_rank_shift
                    .map_or("—".into(), |n| n.to_string()),
            ]
        })
        .collect();
    Ok(BriefView {
        issuer: ISSUER,
        title: data.title(),
        basis: data.basis(),
        changes: i.changes.iter().map(|c| c.zh.clone()).collect(),
        findings: data.findings(),
        grade_rows,
        figures,
        warned_note,
        warned,
        indicator_note: "有效权重为各指标得分对总分方差的贡献比例（Cov(指标得分, 总分) / Var(总分)，经济合作与发展组织与欧盟联合研究中心《综合指标编制手册》的度量方法），反映指标在实际排序中的分量，与名义分值未必一致；剔除影响为将该指标得分置零后，调整后方案下各机构名次变动的中位数和最大值。".to_string(),
        indicators,
        dated: chinese_date(data.dated),
    })
}

/// The brief as PDF.
pub fn impact_pdf(data: &ImpactData<'_>, typesetter: &Typesetter) -> Result<Vec<u8>, ReportError> {
    let view = view(data)?;
    let charts: Vec<(&str, &str)> = view
        .figures
        .iter()
        .map(|f| (f.name, f.svg.as_str()))
        .collect();
    typesetter.pdf(DocumentKind::ImpactBrief, &view, &charts, data.dated)
}
