//! Plausibility rules (合理性核查规则): which self-declared figures deserve a second look.
//!
//! Every figure a body reports is its own declaration, and the ranking rewards big numbers. A
//! rule compares a figure with the body's own report of the previous year (`yoy_ratio`), with
//! its peers of the year (`peer_outlier`), with another figure of the same report
//! (`ratio_max`, `ratio_min`), or requires a second figure to back the first (`requires`).
//! Rules never change points; they point analysts at the values to check.
//!
//! A rule is written flat, its kind beside its parameters, e.g.
//! `{"code": "yoy.press_releases", "kind": "yoy_ratio", "field": "press_releases",
//! "max_ratio": 10, "min_change": 20, "severity": "review", "message": "…", "articles": [15]}`;
//! the checker (`check::plausibility`) names every parameter that is missing, foreign to the
//! kind or out of range, and [`PlausibilityRule::check`] gives the typed form.

use serde::{Deserialize, Serialize};

/// How much attention a flag asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no review expected.
    Info,
    /// An analyst should look at the figure before the report is accepted.
    Review,
}

impl Severity {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Review => "review",
        }
    }

    /// The severity in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Review => "需复核",
        }
    }

    /// The severity with this code.
    pub fn from_code(code: &str) -> Option<Severity> {
        [Severity::Info, Severity::Review]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// The kind of a plausibility rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlausibilityKind {
    /// The value changed more than `max_ratio` times against the body's previous report, and
    /// by at least `min_change`.
    YoyRatio,
    /// The value's modified z-score among the year's reports of its peer group exceeds
    /// `threshold`.
    PeerOutlier,
    /// `numerator / denominator` above `max`.
    RatioMax,
    /// `numerator / denominator` below `min`.
    RatioMin,
    /// `if_field >= if_min` but `then_field < then_min`.
    Requires,
}

impl PlausibilityKind {
    /// The kind as written in a scheme.
    pub fn code(self) -> &'static str {
        match self {
            PlausibilityKind::YoyRatio => "yoy_ratio",
            PlausibilityKind::PeerOutlier => "peer_outlier",
            PlausibilityKind::RatioMax => "ratio_max",
            PlausibilityKind::RatioMin => "ratio_min",
            PlausibilityKind::Requires => "requires",
        }
    }

    /// The kind in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            PlausibilityKind::YoyRatio => "与上年相比",
            PlausibilityKind::PeerOutlier => "与同类机构相比",
            PlausibilityKind::RatioMax => "比值过高",
            PlausibilityKind::RatioMin => "比值过低",
            PlausibilityKind::Requires => "缺少相应支撑",
        }
    }
}

/// Which reports a peer comparison takes as peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerGroup {
    /// Bodies of the same category (管理体系、产品、服务认证).
    Category,
    /// Bodies of the same province.
    Province,
    /// Every body of the year.
    All,
}

/// The value a peer comparison looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// The value as reported.
    None,
    /// `ln(1 + value)`: counts and money are skewed, and a tenfold jump matters the same at 5
    /// as at 500.
    Log1p,
}

/// The modified z-score threshold of Iglewicz and Hoaglin, used when a rule names none.
pub const DEFAULT_THRESHOLD: f64 = 3.5;

/// A plausibility rule as written in a scheme: the common facts and every kind's parameters,
/// flat (see the module's documentation); only the kind's own parameters may be given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlausibilityRule {
    /// Stable code, e.g. `yoy.press_releases`; flags name it.
    pub code: String,
    /// Short Chinese name shown in lists and filters (the code when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The kind.
    pub kind: PlausibilityKind,
    /// `info` or `review`.
    pub severity: Severity,
    /// The Chinese message with `{placeholders}` for the values (see [`placeholders`]).
    pub message: String,
    /// Articles of the guideline the figure reports on.
    #[serde(default)]
    pub articles: Vec<u32>,
    /// The field looked at (`yoy_ratio`, `peer_outlier`); for a ratio, the one of its two
    /// fields the flag is placed on (default the numerator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `yoy_ratio`: how many times larger (or smaller) than last year the value may be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ratio: Option<f64>,
    /// `yoy_ratio`: the smallest absolute change that counts (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_change: Option<f64>,
    /// `peer_outlier`: the peer group (default `category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<PeerGroup>,
    /// `peer_outlier`: the modified z-score above which the value is an outlier (default 3.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// `peer_outlier`: `none` (default) or `log1p`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    /// `ratio_max`, `ratio_min`: the field on top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    /// `ratio_max`, `ratio_min`: the field below; a zero denominator fires nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// `ratio_max`: the highest plausible ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// `ratio_min`: the lowest plausible ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// `requires`: the field whose value needs backing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub if_field: Option<String>,
    /// `requires`: from which value of `if_field` the backing is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub if_min: Option<f64>,
    /// `requires`: the field that backs it (a bool counts 1 when true, a set its members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then_field: Option<String>,
    /// `requires`: the value `then_field` must reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then_min: Option<f64>,
}

/// A rule's parameters, typed by kind (defaults filled in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check<'a> {
    /// See [`PlausibilityKind::YoyRatio`].
    YoyRatio {
        /// The field.
        field: &'a str,
        /// The largest plausible ratio between this year's and last year's value.
        max_ratio: f64,
        /// The smallest absolute change that counts.
        min_change: f64,
    },
    /// See [`PlausibilityKind::PeerOutlier`].
    PeerOutlier {
        /// The field.
        field: &'a str,
        /// The peer group.
        by: PeerGroup,
        /// The modified z-score threshold.
        threshold: f64,
        /// The transform applied before comparing.
        transform: Transform,
    },
    /// See [`PlausibilityKind::RatioMax`] and [`PlausibilityKind::RatioMin`].
    Ratio {
        /// The field on top.
        numerator: &'a str,
        /// The field below.
        denominator: &'a str,
        /// The limit.
        limit: f64,
        /// Whether the limit is a maximum (`ratio_max`) or a minimum (`ratio_min`).
        upper: bool,
        /// The field the flag is placed on.
        field: &'a str,
    },
    /// See [`PlausibilityKind::Requires`].
    Requires {
        /// The field needing backing.
        if_field: &'a str,
        /// From which value.
        if_min: f64,
        /// The backing field.
        then_field: &'a str,
        /// The value it must reach.
        then_min: f64,
    },
}

impl PlausibilityRule {
    /// The short name people read.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.code)
    }

    /// The typed parameters, or `None` when a required one is missing (a scheme that passed
    /// the checker always has them).
    pub fn check(&self) -> Option<Check<'_>> {
        Some(match self.kind {
            PlausibilityKind::YoyRatio => Check::YoyRatio {
                field: self.field.as_deref()?,
                max_ratio: self.max_ratio?,
                min_change: self.min_change.unwrap_or(0.0),
            },
            PlausibilityKind::PeerOutlier => Check::PeerOutlier {
                field: self.field.as_deref()?,
                by: self.by.unwrap_or(PeerGroup::Category),
                threshold: self.threshold.unwrap_or(DEFAULT_THRESHOLD),
                transform: self.transform.unwrap_or(Transform::None),
            },
            PlausibilityKind::RatioMax | PlausibilityKind::RatioMin => {
                let numerator = self.numerator.as_deref()?;
                let upper = self.kind == PlausibilityKind::RatioMax;
                Check::Ratio {
                    numerator,
                    denominator: self.denominator.as_deref()?,
                    limit: if upper { self.max? } else { self.min? },
                    upper,
                    field: self.field.as_deref().unwrap_or(numerator),
                }
            }
            PlausibilityKind::Requires => Check::Requires {
                if_field: self.if_field.as_deref()?,
                if_min: self.if_min?,
                then_field: self.then_field.as_deref()?,
                then_min: self.then_min?,
            },
        })
    }

    /// The field a flag of this rule is placed on.
    pub fn flagged_field(&self) -> Option<&str> {
        Some(match self.check()? {
            Check::YoyRatio { field, .. }
            | Check::PeerOutlier { field, .. }
            | Check::Ratio { field, .. } => field,
            Check::Requires { if_field, .. } => if_field,
        })
    }

    /// Every field the rule reads, flagged field first.
    pub fn fields(&self) -> Vec<&str> {
        match self.check() {
            Some(Check::YoyRatio { field, .. } | Check::PeerOutlier { field, .. }) => vec![field],
            Some(Check::Ratio {
                numerator,
                denominator,
                field,
                ..
            }) => {
                let other = if field == numerator {
                    denominator
                } else {
                    numerator
                };
                vec![field, other]
            }
            Some(Check::Requires {
                if_field,
                then_field,
                ..
            }) => vec![if_field, then_field],
            None => Vec::new(),
        }
    }
}

/// The placeholders a message of this kind may use; `{label}`, `{value}` and `{reference}`
/// serve every kind (the flagged field's Chinese label, its value and the figure compared
/// against).
pub fn placeholders(kind: PlausibilityKind) -> &'static [&'static str] {
    match kind {
        PlausibilityKind::YoyRatio => &[
            "label",
            "value",
            "reference",
            "previous",
            "change",
            "ratio",
            "max_ratio",
            "min_change",
        ],
        PlausibilityKind::PeerOutlier => &[
            "label",
            "value",
            "reference",
            "median",
            "score",
            "threshold",
            "group",
            "peers",
        ],
        PlausibilityKind::RatioMax | PlausibilityKind::RatioMin => &[
            "label",
            "value",
            "reference",
            "ratio",
            "ratio_pct",
            "limit",
            "limit_pct",
            "numerator",
            "denominator",
            "numerator_label",
            "denominator_label",
        ],
        PlausibilityKind::Requires => &[
            "label",
            "value",
            "reference",
            "if_label",
            "if_value",
            "if_min",
            "then_label",
            "then_value",
            "then_min",
        ],
    }
}

/// The `{names}` of a template in order, or the byte position of a brace that opens no
/// placeholder or closes none.
pub fn template_names(template: &str) -> Result<Vec<&str>, usize> {
    let mut names = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(i) = rest.find(['{', '}']) {
        if rest.as_bytes()[i] == b'}' {
            return Err(offset + i);
        }
        let after = &rest[i + 1..];
        let Some(end) = after.find(['{', '}']) else {
            return Err(offset + i);
        };
        if after.as_bytes()[end] == b'{' {
            return Err(offset + i);
        }
        names.push(&after[..end]);
        offset += i + 1 + end + 1;
        rest = &after[end + 1..];
    }
    Ok(names)
}

/// Fills a template: each `{name}` becomes `values(name)` (unknown names stay as written).
pub fn fill_template(template: &str, values: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_placeholders_and_refuse_stray_braces() {
        assert_eq!(
            template_names("{label}为 {value}，上年 {previous}"),
            Ok(vec!["label", "value", "previous"])
        );
        assert_eq!(template_names("没有占位符"), Ok(vec![]));
        assert_eq!(template_names("a } b"), Err(2));
        assert_eq!(template_names("a {b"), Err(2));
        assert_eq!(template_names("a {b {c}"), Err(2));
    }

    #[test]
    fn templates_are_filled_with_the_values() {
        let filled = fill_template("{label}为 {value}（{unknown}）", |n| match n {
            "label" => Some("新闻稿件数".into()),
            "value" => Some("1000".into()),
            _ => None,
        });
        assert_eq!(filled, "新闻稿件数为 1000（{unknown}）");
    }
}
