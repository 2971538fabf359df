//! The plausibility rules: each kind's parameters present, no parameter of another kind, the
//! fields they name existing with a type the kind can read, sane limits, and a message whose
//! placeholders the kind fills.

use super::Checker;
use crate::scheme::FieldType;
use crate::scheme::plausibility::{
    PlausibilityKind, PlausibilityRule, placeholders, template_names,
};

/// Which parameters each kind takes: (name, required).
fn parameters(kind: PlausibilityKind) -> &'static [(&'static str, bool)] {
    match kind {
        PlausibilityKind::YoyRatio => {
            &[("field", true), ("max_ratio", true), ("min_change", false)]
        }
        PlausibilityKind::PeerOutlier => &[
            ("field", true),
            ("by", false),
            ("threshold", false),
            ("transform", false),
        ],
        PlausibilityKind::RatioMax => &[
            ("numerator", true),
            ("denominator", true),
            ("max", true),
            ("field", false),
        ],
        PlausibilityKind::RatioMin => &[
            ("numerator", true),
            ("denominator", true),
            ("min", true),
            ("field", false),
        ],
        PlausibilityKind::Requires => &[
            ("if_field", true),
            ("if_min", true),
            ("then_field", true),
            ("then_min", true),
        ],
    }
}

/// Which of the rule's parameters are given.
fn given(rule: &PlausibilityRule) -> [(&'static str, bool); 14] {
    [
        ("field", rule.field.is_some()),
        ("max_ratio", rule.max_ratio.is_some()),
        ("min_change", rule.min_change.is_some()),
        ("by", rule.by.is_some()),
        ("threshold", rule.threshold.is_some()),
        ("transform", rule.transform.is_some()),
        ("numerator", rule.numerator.is_some()),
        ("denominator", rule.denominator.is_some()),
        ("max", rule.max.is_some()),
        ("min", rule.min.is_some()),
        ("if_field", rule.if_field.is_some()),
        ("if_min", rule.if_min.is_some()),
        ("then_field", rule.then_field.is_some()),
        ("then_min", rule.then_min.is_some()),
    ]
}

impl<'a> Checker<'a> {
    pub(super) fn plausibility(&mut self) {
        let s = self.scheme;
        for (i, rule) in s.plausibility.iter().enumerate() {
            let path = format!("plausibility[{i}]");
            self.code(&path, &rule.code);
            self.articles(&path, &rule.articles);
            if rule.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                self.problem(
                    format!("{path}.name"),
                    "empty",
                    format!("核查规则 {} 的名称不能为空", rule.code),
                    format!("plausibility rule {}: name must not be empty", rule.code),
                );
            }
            self.rule_parameters(&path, rule);
            self.rule_fields(&path, rule);
            self.rule_limits(&path, rule);
            self.rule_message(&path, rule);
        }
    }

    fn rule_parameters(&mut self, path: &str, rule: &PlausibilityRule) {
        let kind = rule.kind.code();
        let wanted = parameters(rule.kind);
        for (name, present) in given(rule) {
            let own = wanted.iter().find(|(n, _)| *n == name);
            match own {
                None if present => self.problem(
                    format!("{path}.{name}"),
                    "unexpected_parameter",
                    format!("核查规则 {}（{kind}）不使用参数 {name}", rule.code),
                    format!("rule {} ({kind}) takes no parameter {name}", rule.code),
                ),
                Some((_, true)) if !present => self.problem(
                    format!("{path}.{name}"),
                    "missing_parameter",
                    format!("核查规则 {}（{kind}）缺少参数 {name}", rule.code),
                    format!("rule {} ({kind}) needs the parameter {name}", rule.code),
                ),
                _ => {}
            }
        }
    }

    /// One field a rule names: it exists and has a type the kind can read (`requires` reads
    /// any field; the others need numbers).
    fn rule_field(&mut self, path: &str, rule: &PlausibilityRule, key: &str, name: &str) {
        let numbers_only = rule.kind != PlausibilityKind::Requires;
        match self.scheme.field(name) {
            None => self.problem(
                format!("{path}.{key}"),
                "unknown_field",
                format!("核查规则 {} 引用了不存在的字段 {name}", rule.code),
                format!("rule {} refers to unknown field {name}", rule.code),
            ),
            Some(f)
                if numbers_only
                    && !matches!(f.field_type, FieldType::Integer | FieldType::Decimal) =>
            {
                self.problem(
                    format!("{path}.{key}"),
                    "not_a_number",
                    format!(
                        "核查规则 {}（{}）只能用于数值字段，{name} 不是",
                        rule.code,
                        rule.kind.code()
                    ),
                    format!(
                        "rule {} ({}) reads numbers; {name} is not a number field",
                        rule.code,
                        rule.kind.code()
                    ),
                );
            }
            Some(_) => {}
        }
    }

    fn rule_fields(&mut self, path: &str, rule: &PlausibilityRule) {
        let named = [
            ("field", &rule.field),
            ("numerator", &rule.numerator),
            ("denominator", &rule.denominator),
            ("if_field", &rule.if_field),
            ("then_field", &rule.then_field),
        ];
        for (key, value) in named {
            if let Some(name) = value {
                self.rule_field(path, rule, key, name);
            }
        }
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        if same(&rule.numerator, &rule.denominator) || same(&rule.if_field, &rule.then_field) {
            let key = if rule.numerator.is_some() {
                "denominator"
            } else {
                "then_field"
            };
            self.problem(
                format!("{path}.{key}"),
                "same_field",
                format!("核查规则 {} 的两个字段不能相同", rule.code),
                format!("rule {}: its two fields must differ", rule.code),
            );
        }
        if matches!(
            rule.kind,
            PlausibilityKind::RatioMax | PlausibilityKind::RatioMin
        ) && let Some(field) = &rule.field
            && Some(field) != rule.numerator.as_ref()
            && Some(field) != rule.denominator.as_ref()
        {
            self.problem(
                format!("{path}.field"),
                "unknown_field",
                format!(
                    "核查规则 {} 的 field 应为其分子或分母字段，{field} 都不是",
                    rule.code
                ),
                format!(
                    "rule {}: field must be its numerator or its denominator; {field} is neither",
                    rule.code
                ),
            );
        }
    }

    fn rule_limits(&mut self, path: &str, rule: &PlausibilityRule) {
        if let Some(r) = rule.max_ratio
            && !(r.is_finite() && r > 1.0)
        {
            self.problem(
                format!("{path}.max_ratio"),
                "out_of_range",
                format!("核查规则 {} 的 max_ratio 应大于 1，实为 {r}", rule.code),
                format!("rule {}: max_ratio must be above 1, is {r}", rule.code),
            );
        }
        for (key, value) in [("min_change", rule.min_change), ("min", rule.min)] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                self.problem(
                    format!("{path}.{key}"),
                    "out_of_range",
                    format!("核查规则 {} 的 {key} 不能为负数，实为 {v}", rule.code),
                    format!("rule {}: {key} must not be negative, is {v}", rule.code),
                );
            }
        }
        for (key, value) in [("threshold", rule.threshold), ("max", rule.max)] {
            if let Some(v) = value {
                self.positive(format!("{path}.{key}"), &format!("{}.{key}", rule.code), v);
            }
        }
        for (key, value) in [("if_min", rule.if_min), ("then_min", rule.then_min)] {
            if let Some(v) = value
                && !v.is_finite()
            {
                self.problem(
                    format!("{path}.{key}"),
                    "out_of_range",
                    format!("核查规则 {} 的 {key} 应为有限数值", rule.code),
                    format!("rule {}: {key} must be a finite number", rule.code),
                );
            }
        }
    }

    fn rule_message(&mut self, path: &str, rule: &PlausibilityRule) {
        let key = format!("{path}.message");
        if rule.message.trim().is_empty() {
            self.problem(
                key,
                "empty",
                format!("核查规则 {} 的提示语不能为空", rule.code),
                format!("rule {}: message must not be empty", rule.code),
            );
            return;
        }
        match template_names(&rule.message) {
            Err(at) => self.problem(
                key,
                "malformed_template",
                format!(
                    "核查规则 {} 的提示语在第 {} 个字节处有不成对的花括号",
                    rule.code,
                    at + 1
                ),
                format!(
                    "rule {}: the message has an unpaired brace at byte {}",
                    rule.code,
                    at + 1
                ),
            ),
            Ok(names) => {
                let known = placeholders(rule.kind);
                for name in names {
                    if !known.contains(&name) {
                        self.problem(
                            key.clone(),
                            "unknown_placeholder",
                            format!(
                                "核查规则 {}（{}）的提示语不能使用 {{{name}}}；可用：{}",
                                rule.code,
                                rule.kind.code(),
                                known.join("、")
                            ),
                            format!(
                                "rule {} ({}): the message cannot use {{{name}}}; known: {}",
                                rule.code,
                                rule.kind.code(),
                                known.join(", ")
                            ),
                        );
                    }
                }
            }
        }
    }
}
