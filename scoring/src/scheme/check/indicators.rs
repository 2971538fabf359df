//! Dimensions and indicators: codes, maxima that add up, value sources and rules.

use super::{Checker, EPSILON};
use crate::scheme::{FieldType, Rule, ValueSource};

impl<'a> Checker<'a> {
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

    pub(super) fn dimensions(&mut self) {
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
}
