//! Checks a parsed scheme as a whole and lists every problem with where it is.

mod fields;
mod incidents;
mod indicators;
mod plausibility;

use std::collections::HashSet;

use super::{Scheme, Trigger};
use crate::problem::{Problem, Problems};

/// The guideline has 36 articles; a citation outside them is a typo.
const LAST_ARTICLE: u32 = 36;
/// Set fields are held as bit masks.
const MAX_SET_MEMBERS: usize = 64;
/// The path of the whole document, where "and N more" is reported.
const SCHEME_ROOT: &str = ".";
/// Sums of maxima are compared with this slack, so 0.1 + 0.2 adds up to 0.3.
const EPSILON: f64 = 1e-9;

/// Every problem of the scheme (the first hundred, then how many more); empty when it is sound.
pub(super) fn check(scheme: &Scheme) -> Vec<Problem> {
    let mut c = Checker {
        scheme,
        problems: Problems::new(),
        codes: HashSet::new(),
    };
    c.header();
    c.fields();
    c.dimensions();
    c.incident_vocabulary();
    c.deductions_and_vetoes();
    c.grades();
    c.warnings();
    c.uncertainty();
    c.plausibility();
    c.problems.into_vec(SCHEME_ROOT)
}

struct Checker<'a> {
    scheme: &'a Scheme,
    /// The first hundred problems, and how many more (a document of 1 MB may hold 40,000).
    problems: Problems,
    /// Every code of dimensions, indicators, deductions, vetoes and warning rules: one namespace,
    /// since explanations and notices name them side by side.
    codes: HashSet<&'a str>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, path: impl Into<String>, code: &'static str, zh: String, en: String) {
        self.problems.push(Problem::new(path, code, zh, en));
    }

    fn code(&mut self, path: &str, code: &'a str) {
        if code.trim().is_empty() {
            self.problem(
                format!("{path}.code"),
                "empty",
                "代码不能为空".into(),
                "code must not be empty".into(),
            );
        } else if !self.codes.insert(code) {
            self.problem(
                format!("{path}.code"),
                "duplicate_code",
                format!("代码 {code} 重复"),
                format!("code {code} is used more than once"),
            );
        }
    }

    fn articles(&mut self, path: &str, articles: &[u32]) {
        for (i, a) in articles.iter().enumerate() {
            if *a == 0 || *a > LAST_ARTICLE {
                self.problem(
                    format!("{path}.articles[{i}]"),
                    "unknown_article",
                    format!("《指引》没有第 {a} 条（共 {LAST_ARTICLE} 条）"),
                    format!("the guideline has no article {a} (it has {LAST_ARTICLE})"),
                );
            }
        }
    }

    fn positive(&mut self, path: String, what: &str, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.problem(
                path,
                "not_positive",
                format!("{what} 应为正数，实为 {value}"),
                format!("{what} must be positive, is {value}"),
            );
        }
    }

    fn header(&mut self) {
        let s = self.scheme;
        if s.code.trim().is_empty() {
            self.problem(
                "code",
                "empty",
                "方案代码不能为空".into(),
                "scheme code must not be empty".into(),
            );
        }
        if s.version == 0 {
            self.problem(
                "version",
                "out_of_range",
                "版本号从 1 开始".into(),
                "version starts at 1".into(),
            );
        }
        self.positive("total_max".into(), "total_max", s.total_max);
        if s.comparison_decimals > 9 {
            self.problem(
                "comparison_decimals",
                "out_of_range",
                "比较精度最多 9 位小数".into(),
                "comparison_decimals must be at most 9".into(),
            );
        }
        if s.report_limit_hours == 0 {
            self.problem(
                "report_limit_hours",
                "out_of_range",
                "报告时限应大于 0 小时".into(),
                "report_limit_hours must be greater than 0".into(),
            );
        }
    }

    fn grades(&mut self) {
        let s = self.scheme;
        if s.grades.is_empty() {
            self.problem(
                "grades",
                "empty",
                "至少要有一个等级".into(),
                "a scheme needs at least one grade".into(),
            );
            return;
        }
        let mut seen = HashSet::new();
        for (i, g) in s.grades.iter().enumerate() {
            if !seen.insert(g.grade.as_str()) {
                self.problem(
                    format!("grades[{i}].grade"),
                    "duplicate_code",
                    format!("等级 {} 重复", g.grade),
                    format!("grade {} is listed twice", g.grade),
                );
            }
            if !(0.0..=s.total_max).contains(&g.min) {
                self.problem(
                    format!("grades[{i}].min"),
                    "out_of_range",
                    format!(
                        "等级 {} 的下限 {} 应在 0 至 {} 之间",
                        g.grade, g.min, s.total_max
                    ),
                    format!(
                        "grade {}: min {} must be within 0..={}",
                        g.grade, g.min, s.total_max
                    ),
                );
            }
            if i > 0 && g.min >= s.grades[i - 1].min {
                self.problem(
                    format!("grades[{i}].min"),
                    "grades_not_descending",
                    "等级须从高到低排列，下限逐级递减".into(),
                    "grades must be listed best first with descending minima".into(),
                );
            }
        }
        if let Some(last) = s.grades.last()
            && last.min != 0.0
        {
            self.problem(
                format!("grades[{}].min", s.grades.len() - 1),
                "lowest_grade_not_zero",
                "最低等级的下限应为 0，使每个总分都有等级".into(),
                "the lowest grade must start at 0 so that every total has a grade".into(),
            );
        }
        if s.grade_index(&s.veto_grade).is_none() {
            self.problem(
                "veto_grade",
                "unknown_grade",
                format!("否决等级 {} 不在等级表中", s.veto_grade),
                format!("veto_grade {} is not a grade", s.veto_grade),
            );
        }
    }

    fn warnings(&mut self) {
        let s = self.scheme;
        let mut levels = HashSet::new();
        for (i, l) in s.warning_levels.iter().enumerate() {
            if l.level == 0 || !levels.insert(l.level) {
                self.problem(
                    format!("warning_levels[{i}].level"),
                    "duplicate_code",
                    format!("警示级别 {} 重复或为 0", l.level),
                    format!("warning level {} is zero or listed twice", l.level),
                );
            }
        }
        for (i, w) in s.warnings.iter().enumerate() {
            let path = format!("warnings[{i}]");
            self.code(&path, &w.code);
            self.articles(&path, &w.articles);
            if !levels.contains(&w.level) {
                self.problem(
                    format!("{path}.level"),
                    "unknown_level",
                    format!("规则 {} 的级别 {} 未定义", w.code, w.level),
                    format!("rule {}: level {} is not defined", w.code, w.level),
                );
            }
            match &w.trigger {
                Trigger::Incidents {
                    deduction,
                    at_least,
                } => {
                    if s.deduction(deduction).is_none() {
                        self.problem(
                            format!("{path}.trigger.deduction"),
                            "unknown_deduction",
                            format!("规则 {} 引用了不存在的扣分项 {deduction}", w.code),
                            format!("rule {} refers to unknown deduction {deduction}", w.code),
                        );
                    }
                    if *at_least == 0 {
                        self.problem(
                            format!("{path}.trigger.at_least"),
                            "out_of_range",
                            format!("规则 {} 的 at_least 应至少为 1", w.code),
                            format!("rule {}: at_least must be at least 1", w.code),
                        );
                    }
                }
                Trigger::Grade { grade, .. } | Trigger::Decline { grade, .. } => {
                    if s.grade_index(grade).is_none() {
                        self.problem(
                            format!("{path}.trigger.grade"),
                            "unknown_grade",
                            format!("规则 {} 引用了不存在的等级 {grade}", w.code),
                            format!("rule {} refers to unknown grade {grade}", w.code),
                        );
                    }
                    if let Trigger::Decline { points, .. } = &w.trigger {
                        self.positive(format!("{path}.trigger.points"), &w.code, *points);
                    }
                }
                Trigger::Veto | Trigger::NotSubmitted => {}
            }
        }
    }

    fn uncertainty(&mut self) {
        let u = &self.scheme.uncertainty;
        if u.draws == 0 {
            self.problem(
                "uncertainty.draws",
                "out_of_range",
                "抽样次数应至少为 1".into(),
                "draws must be at least 1".into(),
            );
        }
        if !(u.multiplier_low > 0.0
            && u.multiplier_low < u.multiplier_high
            && u.multiplier_high.is_finite())
        {
            self.problem(
                "uncertainty.multiplier_high",
                "lo_not_below_hi",
                format!(
                    "权重乘数须满足 0 < low < high，实为 {} 与 {}",
                    u.multiplier_low, u.multiplier_high
                ),
                format!(
                    "multipliers need 0 < low < high, have {} and {}",
                    u.multiplier_low, u.multiplier_high
                ),
            );
        }
        if !(u.borderline_share > 0.0 && u.borderline_share <= 1.0) {
            self.problem(
                "uncertainty.borderline_share",
                "out_of_range",
                "临界比例应在 (0, 1] 之间".into(),
                "borderline_share must be within (0, 1]".into(),
            );
        }
    }
}
