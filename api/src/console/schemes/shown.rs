//! An impact analysis as the scheme's page shows it: the figures, the grade and warning
//! moves, the bodies that gain or lose a warning, the changes in Chinese, the indicators and
//! two charts; and the stored summary of the last analysis as the activation shows it.

use pubeval_reports::charts::impact::{grade_transition, rank_shift_histogram};
use pubeval_scoring::impact::BodyImpact;
use pubeval_scoring::scheme::text::format_points;
use serde_json::Value;

use crate::console::warnings_staff::kit::query_string;
use crate::domain::schemes::impact::{Analysed, LastImpact};

/// Bodies listed whose grade or warning changes, at most; the workbook lists them all.
pub const MOVED_SHOWN: usize = 100;

/// An analysis on the page.
#[derive(Debug, Clone)]
pub struct ImpactShown {
    /// The year.
    pub year: i32,
    /// The baseline, named.
    pub baseline: String,
    /// The final evaluation whose inputs were scored.
    pub evaluation_id: String,
    /// The digest, shortened.
    pub digest: String,
    /// (label, value) figures.
    pub tiles: Vec<(String, String)>,
    /// Grade, bodies under the baseline, under the draft.
    pub grades: Vec<[String; 3]>,
    /// Grade changes, e.g. ("B → C", 12).
    pub grade_moves: Vec<(String, usize)>,
    /// Warning-level changes.
    pub warning_moves: Vec<(String, usize)>,
    /// Bodies that gain a warning.
    pub gained: Vec<String>,
    /// Bodies that lose their warning.
    pub lost: Vec<String>,
    /// The changes in Chinese.
    pub changes: Vec<String>,
    /// Code, name, maxima, weights, drop-one shifts.
    pub indicators: Vec<[String; 6]>,
    /// Bodies whose grade or warning changes.
    pub moved: Vec<[String; 7]>,
    /// How many such bodies there are.
    pub moved_total: usize,
    /// (title, SVG) charts.
    pub charts: Vec<(String, String)>,
    /// The query of the downloads, `?year=…`.
    pub query: String,
}

fn percent(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn named(b: &BodyImpact) -> String {
    match &b.approval_no {
        Some(no) => format!("{}（{no}）", b.name),
        None => b.name.clone(),
    }
}

fn moves(map: &std::collections::BTreeMap<String, usize>) -> Vec<(String, usize)> {
    map.iter()
        .map(|(k, n)| (k.replace("->", " → "), *n))
        .collect()
}

impl ImpactShown {
    /// The page's view of an analysis; `baseline_param` is the baseline asked for, if any.
    pub fn of(a: &Analysed, baseline_param: Option<&str>) -> ImpactShown {
        let r = &a.report;
        let i = &r.impact;
        let s = &i.summary;
        let shift = &i.rank_shift;
        let correlation = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.4}"));
        let tiles = vec![
            ("参与评分".to_string(), format!("{} 家", s.scored)),
            ("等级变化".to_string(), format!("{} 家", s.grade_changed)),
            ("名次变化".to_string(), format!("{} 家", s.rank_changed)),
            ("新增警示".to_string(), format!("{} 家", s.warnings_gained)),
            ("不再警示".to_string(), format!("{} 家", s.warnings_lost)),
            (
                "名次变动（中位数 / P90 / 最大）".to_string(),
                format!("{} / {} / {}", shift.median, shift.p90, shift.max),
            ),
            ("Spearman ρ".to_string(), correlation(shift.spearman)),
            ("Kendall τ-b".to_string(), correlation(shift.kendall)),
        ];
        let grades = a
            .scheme
            .grades
            .iter()
            .map(|g| {
                [
                    format!("{}（{}）", g.grade, g.name),
                    s.grades_old.get(&g.grade).copied().unwrap_or(0).to_string(),
                    s.grades_new.get(&g.grade).copied().unwrap_or(0).to_string(),
                ]
            })
            .collect();
        let by_id = |id: &String| i.bodies.iter().find(|b| &b.body_id == id).map(named);
        let moved_all: Vec<&BodyImpact> = i
            .bodies
            .iter()
            .filter(|b| b.old.grade != b.new.grade || b.old.warning_level != b.new.warning_level)
            .collect();
        let grade = |g: &Option<String>| g.clone().unwrap_or_else(|| "—".into());
        let moved = moved_all
            .iter()
            .take(MOVED_SHOWN)
            .map(|b| {
                [
                    named(b),
                    b.old.total.map_or("—".into(), format_points),
                    b.new.total.map_or("—".into(), format_points),
                    grade(&b.old.grade),
                    grade(&b.new.grade),
                    b.old.warning_level.to_string(),
                    b.new.warning_level.to_string(),
                ]
            })
            .collect();
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
                    percent(x.effective_weight_old),
                    percent(x.effective_weight_new),
                    x.drop_one_median_rank_shift
                        .map_or("—".into(), |n| n.to_string()),
                ]
            })
            .collect();
        let mut charts = Vec::new();
        if let Ok(svg) = grade_transition(&a.baseline, &a.scheme, i) {
            charts.push(("等级变化".to_string(), svg));
        }
        if let Ok(svg) = rank_shift_histogram(i) {
            charts.push(("名次变化分布".to_string(), svg));
        }
        ImpactShown {
            year: r.year,
            baseline: format!("{}（第 {} 版）", r.baseline.name, r.baseline.version),
            evaluation_id: r.evaluation_id.clone(),
            digest: r.input_digest.chars().take(16).collect(),
            tiles,
            grades,
            grade_moves: moves(&i.grade_transitions),
            warning_moves: moves(&i.warning_transitions),
            gained: i.warnings_gained.iter().filter_map(by_id).collect(),
            lost: i.warnings_lost.iter().filter_map(by_id).collect(),
            changes: i.changes.iter().map(|c| c.zh.clone()).collect(),
            indicators,
            moved,
            moved_total: moved_all.len(),
            charts,
            query: query_string(&[
                ("year", r.year.to_string()),
                ("baseline", baseline_param.unwrap_or_default().to_string()),
            ]),
        }
    }
}

/// The last analysis as the activation shows it.
#[derive(Debug, Clone)]
pub struct LastShown {
    /// The year.
    pub year: i32,
    /// When and by whom.
    pub when: String,
    /// (label, value) figures.
    pub tiles: Vec<(String, String)>,
    /// The changes in Chinese.
    pub changes: Vec<String>,
}

impl LastShown {
    /// The stored summary of an analysis, shown.
    pub fn of(last: &LastImpact) -> LastShown {
        let v = &last.summary;
        let count = |path: &[&str]| -> String {
            let mut at = v;
            for k in path {
                at = &at[*k];
            }
            match at {
                Value::Number(n) => n
                    .as_u64()
                    .map(|n| n.to_string())
                    .or_else(|| n.as_f64().map(|f| format!("{f:.4}")))
                    .unwrap_or_default(),
                _ => "—".into(),
            }
        };
        let when = last
            .created_at
            .and_utc()
            .with_timezone(&pubeval_scoring::incident::REGULATOR_TIMEZONE)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        LastShown {
            year: last.year,
            when: format!("{when}（{}）", last.created_by),
            tiles: vec![
                ("等级变化".into(), count(&["summary", "grade_changed"])),
                ("名次变化".into(), count(&["summary", "rank_changed"])),
                ("新增警示".into(), count(&["warnings_gained"])),
                ("不再警示".into(), count(&["warnings_lost"])),
                ("名次变动最大值".into(), count(&["rank_shift", "max"])),
                ("Kendall τ-b".into(), count(&["rank_shift", "kendall"])),
            ],
            changes: v["changes"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|x| x["zh"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}
