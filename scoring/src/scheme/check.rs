//! Checks a parsed scheme as a whole and lists every problem with where it is.

use std::collections::HashSet;

use super::{FieldType, IncidentMatch, Rule, Scheme, Trigger, ValueSource};
use crate::problem::Problem;

/// The guideline has 36 articles; a citation outside them is a typo.
const LAST_ARTICLE: u32 = 36;
/// Set fields are held as bit masks.
const MAX_SET_MEMBERS: usize = 64;
/// Sums of maxima are compared with this slack, so 0.1 + 0.2 adds up to 0.3.
const EPSILON: f64 = 1e-9;

/// Every problem of the scheme; empty when it is sound.
pub(super) fn check(scheme: &Scheme) -> Vec<Problem> {
    let mut c = Checker {
        scheme,
        problems: Vec::new(),
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
    c.problems
}

struct Checker<'a> {
    scheme: &'a Scheme,
    problems: Vec<Problem>,
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

    fn fields(&mut self) {
        let s = self.scheme;
        let mut names = HashSet::new();
        for (i, f) in s.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            let valid_name = !f.name.is_empty()
                && f.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !f.name.starts_with(|c: char| c.is_ascii_digit());
            if !valid_name {
                self.problem(
                    format!("{path}.name"),
                    "invalid_name",
                    format!("字段名 “{}” 只能含小写字母、数字和下划线", f.name),
                    format!("field name '{}' must be snake_case ASCII", f.name),
                );
            }
            if !names.insert(f.name.as_str()) {
                self.problem(
                    format!("{path}.name"),
                    "duplicate_field",
                    format!("字段 {} 重复", f.name),
                    format!("field {} is defined more than once", f.name),
                );
            }
            self.articles(&path, &f.articles);
            let numeric = matches!(f.field_type, FieldType::Integer | FieldType::Decimal);
            if !numeric && (f.min.is_some() || f.max.is_some() || f.min_exclusive) {
                self.problem(
                    path.clone(),
                    "bounds_on_non_number",
                    format!("字段 {} 不是数值，不能设 min/max", f.name),
                    format!("field {} is not a number and cannot have min/max", f.name),
                );
            }
            if let (Some(lo), Some(hi)) = (f.min, f.max)
                && lo > hi
            {
                self.problem(
                    format!("{path}.max"),
                    "min_above_max",
                    format!("字段 {} 的 min {lo} 大于 max {hi}", f.name),
                    format!("field {}: min {lo} is above max {hi}", f.name),
                );
            }
            if f.field_type == FieldType::Integer {
                for (key, bound) in [("min", f.min), ("max", f.max)] {
                    if let Some(b) = bound
                        && b.fract() != 0.0
                    {
                        self.problem(
                            format!("{path}.{key}"),
                            "not_integer",
                            format!("整数字段 {} 的 {key} 应为整数", f.name),
                            format!("integer field {}: {key} must be whole", f.name),
                        );
                    }
                }
            }
            if let Some(other) = &f.max_field {
                let target = s.field(other);
                if f.field_type != FieldType::Integer
                    || target.is_none_or(|t| t.field_type != FieldType::Integer)
                {
                    self.problem(
                        format!("{path}.max_field"),
                        "unknown_field",
                        format!("max_field 应指向另一个整数字段，{other} 不是"),
                        format!("max_field must name another integer field; {other} is not one"),
                    );
                }
            }
            if f.field_type == FieldType::Set {
                if f.members.is_empty() || f.members.len() > MAX_SET_MEMBERS {
                    self.problem(
                        format!("{path}.members"),
                        "out_of_range",
                        format!("集合字段 {} 应有 1 至 {MAX_SET_MEMBERS} 个成员", f.name),
                        format!("set field {} needs 1 to {MAX_SET_MEMBERS} members", f.name),
                    );
                }
                let mut seen = HashSet::new();
                for (j, m) in f.members.iter().enumerate() {
                    if !seen.insert(m.code.as_str()) {
                        self.problem(
                            format!("{path}.members[{j}].code"),
                            "duplicate_member",
                            format!("集合成员 {} 重复", m.code),
                            format!("set member {} is listed twice", m.code),
                        );
                    }
                }
            } else if !f.members.is_empty() {
                self.problem(
                    format!("{path}.members"),
                    "members_on_non_set",
                    format!("字段 {} 不是集合，不能有成员", f.name),
                    format!("field {} is not a set and cannot have members", f.name),
                );
            }
        }
    }

    /// The type of the value a source gives, or a problem when it names no usable field.
    fn source_kind(&mut self, path: &str, source: &ValueSource) -> Option<FieldType> {
        let s = self.scheme;
        let lookup = |this: &mut Self, name: &str, key: &str| -> Option<FieldType> {
            let found = s.field(name).map(|f| f.field_type);
            if found.is_none() {
                this.problem(
                    format!("{path}.value.{key}"),
                    "unknown_field",
                    format!("引用了不存在的字段 {name}"),
                    format!("refers to unknown field {name}"),
                );
            }
            found
        };
        match source {
            ValueSource::Field(name) => lookup(self, name, "field"),
            ValueSource::Count(name) => match lookup(self, name, "count")? {
                FieldType::Set => Some(FieldType::Decimal),
                _ => {
                    self.problem(
                        format!("{path}.value.count"),
                        "wrong_type",
                        format!("count 只能用于集合字段，{name} 不是"),
                        format!("count takes a set field; {name} is not one"),
                    );
                    None
                }
            },
            ValueSource::Ratio(r) => {
                let mut ok = true;
                for (key, name) in [("numerator", &r.numerator), ("denominator", &r.denominator)] {
                    match lookup(self, name, &format!("ratio.{key}")) {
                        Some(FieldType::Integer | FieldType::Decimal) => {}
                        Some(_) => {
                            ok = false;
                            self.problem(
                                format!("{path}.value.ratio.{key}"),
                                "wrong_type",
                                format!("比值只能用数值字段，{name} 不是"),
                                format!("a ratio takes numeric fields; {name} is not one"),
                            );
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(FieldType::Decimal)
            }
        }
    }

    fn dimensions(&mut self) {
        let s = self.scheme;
        if s.dimensions.is_empty() {
            self.problem(
                "dimensions",
                "empty",
                "方案至少要有一个维度".into(),
                "a scheme needs at least one dimension".into(),
            );
        }
        let dimension_sum: f64 = s.dimensions.iter().map(|d| d.max).sum();
        if (dimension_sum - s.total_max).abs() > EPSILON {
            self.problem(
                "dimensions",
                "maxima_do_not_add_up",
                format!("各维度满分之和 {dimension_sum} 不等于总分 {}", s.total_max),
                format!(
                    "dimension maxima add up to {dimension_sum}, not total_max {}",
                    s.total_max
                ),
            );
        }
        for (i, d) in s.dimensions.iter().enumerate() {
            let path = format!("dimensions[{i}]");
            self.code(&path, &d.code);
            self.articles(&path, &d.articles);
            self.positive(format!("{path}.max"), &format!("{} 的满分", d.code), d.max);
            if d.indicators.is_empty() {
                self.problem(
                    format!("{path}.indicators"),
                    "empty",
                    format!("维度 {} 没有指标", d.code),
                    format!("dimension {} has no indicators", d.code),
                );
            }
            let sum: f64 = d.indicators.iter().map(|x| x.max).sum();
            if (sum - d.max).abs() > EPSILON {
                self.problem(
                    format!("{path}.max"),
                    "maxima_do_not_add_up",
                    format!(
                        "维度 {} 各指标满分之和 {sum} 不等于维度满分 {}",
                        d.code, d.max
                    ),
                    format!(
                        "indicators of {} add up to {sum}, not the dimension's max {}",
                        d.code, d.max
                    ),
                );
            }
            for (j, ind) in d.indicators.iter().enumerate() {
                let path = format!("{path}.indicators[{j}]");
                self.code(&path, &ind.code);
                self.articles(&path, &ind.articles);
                let value_type = self.source_kind(&path, &ind.value);
                self.rule(&path, &ind.code, &ind.rule, value_type);
                let attainable = ind.rule.attainable_max();
                if (attainable - ind.max).abs() > EPSILON {
                    self.problem(
                        format!("{path}.max"),
                        "maxima_do_not_add_up",
                        format!(
                            "指标 {} 的满分 {} 与规则可得最高分 {attainable} 不符",
                            ind.code, ind.max
                        ),
                        format!(
                            "indicator {}: max {} differs from the most its rule gives, {attainable}",
                            ind.code, ind.max
                        ),
                    );
                }
            }
        }
    }

    fn rule(&mut self, path: &str, code: &str, rule: &Rule, value_type: Option<FieldType>) {
        let rpath = format!("{path}.rule");
        match (rule, value_type) {
            (Rule::Bool { .. }, Some(t)) if t != FieldType::Bool => self.problem(
                rpath.clone(),
                "wrong_type",
                format!("指标 {code} 的 bool 规则须取布尔字段"),
                format!("indicator {code}: a bool rule needs a bool field"),
            ),
            (
                Rule::PerItem { .. } | Rule::Log { .. } | Rule::Tiers { .. } | Rule::Linear { .. },
                Some(FieldType::Bool | FieldType::Set),
            ) => self.problem(
                rpath.clone(),
                "wrong_type",
                format!("指标 {code} 的数值规则须取数值（集合请用 count）"),
                format!("indicator {code}: a numeric rule needs a number (use count for a set)"),
            ),
            _ => {}
        }
        match rule {
            Rule::Bool { points } => self.positive(format!("{rpath}.points"), code, *points),
            Rule::PerItem { points, max } => {
                self.positive(format!("{rpath}.points"), code, *points);
                self.positive(format!("{rpath}.max"), code, *max);
            }
            Rule::Log { cap, max } => {
                self.positive(format!("{rpath}.cap"), code, *cap);
                self.positive(format!("{rpath}.max"), code, *max);
            }
            Rule::Linear { lo, hi, max } => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    self.problem(
                        format!("{rpath}.hi"),
                        "lo_not_below_hi",
                        format!("指标 {code} 的 linear 规则要求 lo < hi，实为 lo={lo}, hi={hi}"),
                        format!("indicator {code}: linear needs lo < hi, has lo={lo}, hi={hi}"),
                    );
                }
                self.positive(format!("{rpath}.max"), code, *max);
            }
            Rule::Tiers { tiers } => {
                if tiers.is_empty() {
                    self.problem(
                        format!("{rpath}.tiers"),
                        "empty",
                        format!("指标 {code} 的 tiers 不能为空"),
                        format!("indicator {code}: tiers must not be empty"),
                    );
                }
                for (k, t) in tiers.iter().enumerate() {
                    self.positive(format!("{rpath}.tiers[{k}].points"), code, t.points);
                    if !t.at.is_finite() {
                        self.problem(
                            format!("{rpath}.tiers[{k}].at"),
                            "not_finite",
                            format!("指标 {code} 的门槛须为有限数"),
                            format!("indicator {code}: thresholds must be finite"),
                        );
                    }
                    if k > 0 {
                        let prev = tiers[k - 1];
                        if t.at <= prev.at || t.points <= prev.points {
                            self.problem(
                                format!("{rpath}.tiers[{k}]"),
                                "tiers_not_ascending",
                                format!("指标 {code} 的门槛和分值须逐级递增"),
                                format!("indicator {code}: thresholds and points must both ascend"),
                            );
                        }
                    }
                }
            }
        }
    }

    fn incident_vocabulary(&mut self) {
        let s = self.scheme;
        for (list, key) in [
            (&s.incident_kinds, "incident_kinds"),
            (&s.severities, "severities"),
        ] {
            if list.is_empty() {
                self.problem(
                    key,
                    "empty",
                    format!("{key} 不能为空"),
                    format!("{key} must not be empty"),
                );
            }
            let mut seen = HashSet::new();
            for (i, k) in list.iter().enumerate() {
                if !seen.insert(k.code.as_str()) {
                    self.problem(
                        format!("{key}[{i}].code"),
                        "duplicate_code",
                        format!("{} 重复", k.code),
                        format!("{} is listed twice", k.code),
                    );
                }
                self.articles(&format!("{key}[{i}]"), &k.articles);
            }
        }
    }

    fn incident_match(&mut self, path: &str, m: &IncidentMatch) {
        let s = self.scheme;
        if !s.incident_kinds.iter().any(|k| k.code == m.kind) {
            self.problem(
                format!("{path}.incidents.kind"),
                "unknown_kind",
                format!("未定义的事件类型 {}", m.kind),
                format!("unknown incident kind {}", m.kind),
            );
        }
        if let Some(sev) = &m.severity
            && !s.severities.iter().any(|k| &k.code == sev)
        {
            self.problem(
                format!("{path}.incidents.severity"),
                "unknown_severity",
                format!("未定义的严重程度 {sev}"),
                format!("unknown severity {sev}"),
            );
        }
    }

    fn deductions_and_vetoes(&mut self) {
        let s = self.scheme;
        for (i, d) in s.deductions.iter().enumerate() {
            let path = format!("deductions[{i}]");
            self.code(&path, &d.code);
            self.articles(&path, &d.articles);
            self.incident_match(&path, &d.incidents);
            if !(d.points_each.is_finite() && d.points_each < 0.0) {
                self.problem(
                    format!("{path}.points_each"),
                    "not_negative",
                    format!(
                        "扣分项 {} 的每次扣分应为负数，实为 {}",
                        d.code, d.points_each
                    ),
                    format!(
                        "deduction {}: points_each must be negative, is {}",
                        d.code, d.points_each
                    ),
                );
            }
            if !(d.cap.is_finite() && d.cap < 0.0) {
                self.problem(
                    format!("{path}.cap"),
                    "not_negative",
                    format!("扣分项 {} 的封顶应为负数，实为 {}", d.code, d.cap),
                    format!("deduction {}: cap must be negative, is {}", d.code, d.cap),
                );
            } else if d.cap > d.points_each {
                self.problem(
                    format!("{path}.cap"),
                    "cap_below_one",
                    format!(
                        "扣分项 {} 的封顶 {} 小于一次扣分 {}",
                        d.code, d.cap, d.points_each
                    ),
                    format!(
                        "deduction {}: cap {} takes less than one incident's {}",
                        d.code, d.cap, d.points_each
                    ),
                );
            }
        }
        for (i, v) in s.vetoes.iter().enumerate() {
            let path = format!("vetoes[{i}]");
            self.code(&path, &v.code);
            self.articles(&path, &v.articles);
            self.incident_match(&path, &v.incidents);
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
