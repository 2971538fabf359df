//! A flag's message: the rule's template filled with the figures, as people read them.

use std::collections::HashMap;

use polars::prelude::*;

use super::frame::current_column;
use crate::category::Category;
use crate::scheme::plausibility::{Check, PeerGroup, PlausibilityRule, fill_template};
use crate::scheme::{FieldType, Scheme};

/// A number as a message shows it: whole numbers as they are, others with at most two
/// decimals (more when that would read as 0); "—" for none.
pub fn show(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    if (v - v.round()).abs() < 1e-9 {
        return format!("{}", v.round() as i64);
    }
    let trim = |s: String| {
        let t = s.trim_end_matches('0').trim_end_matches('.').to_string();
        if t == "-0" { "0".to_string() } else { t }
    };
    let two = trim(format!("{v:.2}"));
    if two == "0" {
        trim(format!("{v:.6}"))
    } else {
        two
    }
}

/// A share as a percentage, e.g. 0.2 → "20%".
fn percent(v: f64) -> String {
    if v.is_finite() {
        format!("{}%", show(v * 100.0))
    } else {
        "—".to_string()
    }
}

/// What a rule found on one row, besides what the frame holds.
pub(super) struct Facts {
    pub row: usize,
    pub value: f64,
    pub reference: f64,
    pub score: Option<f64>,
    pub peers: Option<f64>,
}

/// What messages read from the frame: the peer groups and the fields' values by row.
pub(super) struct Texts<'a> {
    scheme: &'a Scheme,
    category: Vec<String>,
    province: Vec<String>,
    values: HashMap<String, Vec<f64>>,
}

impl<'a> Texts<'a> {
    pub(super) fn new(scheme: &'a Scheme, out: &DataFrame) -> PolarsResult<Texts<'a>> {
        let strings = |name: &str| -> PolarsResult<Vec<String>> {
            Ok(out
                .column(name)?
                .str()?
                .iter()
                .map(|s| s.unwrap_or_default().to_string())
                .collect())
        };
        let mut values = HashMap::new();
        for rule in &scheme.plausibility {
            for f in rule.fields() {
                if values.contains_key(f) {
                    continue;
                }
                if let Some(v) = super::floats(out, &current_column(f))? {
                    values.insert(f.to_string(), v);
                }
            }
        }
        Ok(Texts {
            scheme,
            category: strings("by.category")?,
            province: strings("by.province")?,
            values,
        })
    }

    fn label(&self, field: &str) -> String {
        self.scheme
            .field(field)
            .map_or_else(|| field.to_string(), |f| f.label.clone())
    }

    fn value_of(&self, field: &str, row: usize) -> f64 {
        self.values
            .get(field)
            .and_then(|v| v.get(row).copied())
            .unwrap_or(f64::NAN)
    }

    /// A field's value as read: 是/否 for a bool, a number otherwise.
    fn shown_value(&self, field: &str, row: usize) -> String {
        let v = self.value_of(field, row);
        match self.scheme.field(field).map(|f| f.field_type) {
            Some(FieldType::Bool) if v.is_finite() => {
                if v != 0.0 { "是" } else { "否" }.to_string()
            }
            _ => show(v),
        }
    }

    fn group(&self, by: PeerGroup, row: usize) -> String {
        match by {
            PeerGroup::Category => {
                let code = self.category.get(row).map_or("", String::as_str);
                Category::from_code(code)
                    .map_or_else(|| code.to_string(), |c| format!("{}机构", c.label()))
            }
            PeerGroup::Province => format!(
                "{}的机构",
                self.province.get(row).map_or("", String::as_str)
            ),
            PeerGroup::All => "全部机构".to_string(),
        }
    }

    /// The rule's message for this row.
    pub(super) fn message(&self, rule: &PlausibilityRule, facts: &Facts) -> String {
        let Some(check) = rule.check() else {
            return rule.message.clone();
        };
        let row = facts.row;
        let flagged = rule.flagged_field().unwrap_or_default();
        fill_template(&rule.message, |name| {
            let common = match name {
                "label" => Some(self.label(flagged)),
                "value" => Some(match check {
                    Check::Requires { if_field, .. } => self.shown_value(if_field, row),
                    _ => show(facts.value),
                }),
                "reference" => Some(match check {
                    Check::Requires { then_field, .. } => self.shown_value(then_field, row),
                    _ => show(facts.reference),
                }),
                _ => None,
            };
            if common.is_some() {
                return common;
            }
            match check {
                Check::YoyRatio {
                    max_ratio,
                    min_change,
                    ..
                } => match name {
                    "previous" => Some(show(facts.reference)),
                    "change" => Some(show(facts.value - facts.reference)),
                    "ratio" => Some(if facts.reference > 0.0 {
                        show(facts.value / facts.reference)
                    } else {
                        "—".to_string()
                    }),
                    "max_ratio" => Some(show(max_ratio)),
                    "min_change" => Some(show(min_change)),
                    _ => None,
                },
                Check::PeerOutlier { by, threshold, .. } => match name {
                    "median" => Some(show(facts.reference)),
                    "score" => Some(
                        facts
                            .score
                            .map_or_else(|| "—".into(), |z| format!("{z:.1}")),
                    ),
                    "threshold" => Some(show(threshold)),
                    "group" => Some(self.group(by, row)),
                    "peers" => Some(facts.peers.map_or_else(|| "—".into(), show)),
                    _ => None,
                },
                Check::Ratio {
                    numerator,
                    denominator,
                    limit,
                    ..
                } => match name {
                    "ratio" => Some(show(facts.value)),
                    "ratio_pct" => Some(percent(facts.value)),
                    "limit" => Some(show(limit)),
                    "limit_pct" => Some(percent(limit)),
                    "numerator" => Some(self.shown_value(numerator, row)),
                    "denominator" => Some(self.shown_value(denominator, row)),
                    "numerator_label" => Some(self.label(numerator)),
                    "denominator_label" => Some(self.label(denominator)),
                    _ => None,
                },
                Check::Requires {
                    if_field,
                    if_min,
                    then_field,
                    then_min,
                } => match name {
                    "if_label" => Some(self.label(if_field)),
                    "if_value" => Some(self.shown_value(if_field, row)),
                    "if_min" => Some(show(if_min)),
                    "then_label" => Some(self.label(then_field)),
                    "then_value" => Some(self.shown_value(then_field, row)),
                    "then_min" => Some(show(then_min)),
                    _ => None,
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn numbers_read_short() {
        assert_eq!(show(12.0), "12");
        assert_eq!(show(0.2), "0.2");
        assert_eq!(show(2.345), "2.35");
        assert_eq!(show(0.0012), "0.0012");
        assert_eq!(show(f64::NAN), "—");
        assert_eq!(show(-0.0), "0");
    }
}
