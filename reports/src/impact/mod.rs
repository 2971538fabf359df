//! An impact analysis of a scheme revision (方案调整影响分析) for the meeting that approves it:
//! a workbook (a summary sheet, every body, the transitions, the indicators) and a brief laid
//! out as NOTICE.md describes, with the charts and the table of indicators. Both take their
//! sentences from here, so they cannot say different things.

mod brief;
mod sheet;
mod xlsx;

use chrono::NaiveDate;
use pubeval_scoring::Scheme;
use pubeval_scoring::impact::{BodyImpact, Impact};
use pubeval_scoring::scheme::text::format_points;

pub use brief::impact_pdf;
pub use xlsx::impact_xlsx;

/// Everything the workbook and the brief draw on.
#[derive(Debug, Clone, Copy)]
pub struct ImpactData<'a> {
    /// The year whose inputs were scored.
    pub year: i32,
    /// The draft.
    pub scheme: &'a Scheme,
    /// The scheme compared with.
    pub baseline: &'a Scheme,
    /// The comparison.
    pub impact: &'a Impact,
    /// The final evaluation whose inputs were scored.
    pub evaluation_id: &'a str,
    /// The digest of those inputs.
    pub input_digest: &'a str,
    /// The document's date.
    pub dated: NaiveDate,
}

/// Bodies named in a sentence at most; the rest are counted.
pub const NAMES_SHOWN: usize = 20;

impl ImpactData<'_> {
    /// The two schemes as a sentence names them.
    pub fn schemes_text(&self) -> (String, String) {
        let name = |s: &Scheme| format!("{}（{} 第 {} 版）", s.name, s.code, s.version);
        (name(self.baseline), name(self.scheme))
    }

    /// The document's title, in balanced lines.
    pub fn title(&self) -> [String; 2] {
        [
            format!("{}（第 {} 版）", self.scheme.name, self.scheme.version),
            "方案调整影响分析".to_string(),
        ]
    }

    /// What was scored, in one paragraph.
    pub fn basis(&self) -> String {
        let (old, new) = self.schemes_text();
        let s = &self.impact.summary;
        format!(
            "本分析以 {} 年度最终评价（编号 {}）所用的全部数据为基础——各机构的年度报告、要情与舆情事件及上一年度最终得分，数据摘要 {} 与该次评价记录的输入摘要一致——分别按现行方案{}和调整后方案{}重新评分。纳入评价的机构 {} 家，其中参与评分 {} 家。",
            self.year,
            self.evaluation_id,
            short_digest(self.input_digest),
            old,
            new,
            s.bodies,
            s.scored
        )
    }

    /// The effect on grades, ranks and warnings, one paragraph each.
    pub fn findings(&self) -> Vec<String> {
        let i = self.impact;
        let s = &i.summary;
        let r = &i.rank_shift;
        let transitions = if i.grade_transitions.is_empty() {
            "没有机构的等级发生变化".to_string()
        } else {
            let moves: Vec<String> = i
                .grade_transitions
                .iter()
                .map(|(k, n)| {
                    let (from, to) = k.split_once("->").unwrap_or((k.as_str(), ""));
                    format!("由 {from} 级变为 {to} 级的 {n} 家")
                })
                .collect();
            format!(
                "{} 家机构的等级发生变化：{}",
                s.grade_changed,
                moves.join("，")
            )
        };
        let correlation = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.4}"));
        vec![
            format!(
                "等级方面，{transitions}。总分发生变化的机构 {} 家。",
                s.total_changed
            ),
            format!(
                "排名方面，{} 家机构的名次发生变化，名次变动的中位数为 {}，第 90 百分位数为 {}，最大为 {}；调整前后两个排名的 Spearman 等级相关系数为 {}，Kendall τ-b 系数为 {}。",
                r.moved,
                r.median,
                r.p90,
                r.max,
                correlation(r.spearman),
                correlation(r.kendall)
            ),
            format!(
                "风险警示方面，{} 家机构的警示级别发生变化；新增触发风险警示的机构 {} 家{}；不再触发风险警示的机构 {} 家{}。",
                s.warning_level_changed,
                s.warnings_gained,
                self.names(&i.warnings_gained),
                s.warnings_lost,
                self.names(&i.warnings_lost)
            ),
        ]
    }

    /// Up to [`NAMES_SHOWN`] bodies by name, as a parenthesis after their count.
    fn names(&self, ids: &[String]) -> String {
        if ids.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = ids
            .iter()
            .take(NAMES_SHOWN)
            .filter_map(|id| self.body(id).map(|b| b.name.as_str()))
            .collect();
        let more = if ids.len() > NAMES_SHOWN {
            format!("等 {} 家", ids.len())
        } else {
            String::new()
        };
        format!("（{}{more}）", names.join("、"))
    }

    /// A body of the analysis.
    pub fn body(&self, id: &str) -> Option<&BodyImpact> {
        self.impact.bodies.iter().find(|b| b.body_id == id)
    }
}

/// The first 16 hexadecimal digits of a digest, as documents print it.
fn short_digest(digest: &str) -> String {
    digest.chars().take(16).collect()
}

/// A total as documents show it, "—" without one.
fn points(total: Option<f64>) -> String {
    total.map_or("—".into(), format_points)
}

/// A share as a percentage with one decimal, "—" without one.
fn share(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// The Chinese name of a warning level (0: none).
fn level_text(scheme: &Scheme, level: u8) -> String {
    if level == 0 {
        "无".into()
    } else {
        format!("{}级（{}）", level, scheme.level_name(level))
    }
}

/// A signed rank change: 上升 3, 下降 2, 不变.
fn rank_change(b: &BodyImpact) -> String {
    match (b.old.rank, b.new.rank) {
        (Some(o), Some(n)) if n < o => format!("上升 {}", o - n),
        (Some(o), Some(n)) if n > o => format!("下降 {}", n - o),
        (Some(_), Some(_)) => "不变".into(),
        _ => "—".into(),
    }
}
