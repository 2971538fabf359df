//! The explanation of a body's score: every indicator's value, rule, points, maximum and
//! articles, and every deduction and veto with the incidents behind it.

use serde::{Deserialize, Serialize};

use crate::incident::Incident;
use crate::result::TableView;
use crate::scheme::text::{describe_rule, format_number};
use crate::scheme::{FieldType, Scheme, ValueSource, ZeroDenominator, format_articles};

/// Every point of one body explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// One entry per indicator, in scheme order.
    pub indicators: Vec<IndicatorPoints>,
    /// One entry per deduction that counted an incident.
    pub deductions: Vec<DeductionPoints>,
    /// One entry per veto that applies.
    pub vetoes: Vec<VetoApplied>,
}

/// How one indicator scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorPoints {
    /// Indicator code.
    pub code: String,
    /// Indicator name.
    pub name: String,
    /// Its dimension's code.
    pub dimension: String,
    /// The value used (bools 0/1, sets their count, ratios the quotient); null when a ratio's
    /// denominator is zero or there is no report.
    pub value: Option<f64>,
    /// The value in words.
    pub value_text: String,
    /// The rule in words.
    pub rule: String,
    /// Points given.
    pub points: f64,
    /// Maximum points.
    pub max: f64,
    /// Articles it rests on.
    pub articles: Vec<u32>,
    /// The articles as cited in text.
    pub articles_text: String,
}

/// How one deduction applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeductionPoints {
    /// Deduction code.
    pub code: String,
    /// Deduction name.
    pub name: String,
    /// Incidents counted.
    pub incidents: u32,
    /// Points per incident.
    pub points_each: f64,
    /// Cap.
    pub cap: f64,
    /// Points taken (negative).
    pub points: f64,
    /// Articles breached.
    pub articles: Vec<u32>,
    /// Ids of the incidents counted, where they have ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incident_ids: Vec<String>,
}

/// A veto that applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VetoApplied {
    /// Veto code.
    pub code: String,
    /// Veto name.
    pub name: String,
    /// Incidents behind it.
    pub incidents: u32,
    /// Articles breached.
    pub articles: Vec<u32>,
}

pub(crate) fn build(
    scheme: &Scheme,
    view: &TableView,
    i: usize,
    incidents: &[&Incident],
) -> Explanation {
    // A body without a report has no points to explain, only its deductions and vetoes.
    let scored = if view.submitted[i] {
        scheme.indicators().count()
    } else {
        0
    };
    let indicators = scheme
        .indicators()
        .take(scored)
        .enumerate()
        .map(|(k, (dimension, ind))| {
            let value = view.values[k][i];
            IndicatorPoints {
                code: ind.code.clone(),
                name: ind.name.clone(),
                dimension: dimension.code.clone(),
                value,
                value_text: value_text(scheme, &ind.value, value),
                rule: describe_rule(&ind.rule),
                points: view.points[k][i],
                max: ind.max,
                articles: ind.articles.clone(),
                articles_text: format_articles(&ind.articles),
            }
        })
        .collect();
    let limit = scheme.report_limit_hours;
    let deductions = scheme
        .deductions
        .iter()
        .enumerate()
        .filter(|(k, _)| view.deduction_counts[*k][i] > 0)
        .map(|(k, d)| DeductionPoints {
            code: d.code.clone(),
            name: d.name.clone(),
            incidents: view.deduction_counts[k][i],
            points_each: d.points_each,
            cap: d.cap,
            points: view.deductions[k][i],
            articles: d.articles.clone(),
            incident_ids: incidents
                .iter()
                .filter(|x| x.matches(&d.incidents, limit))
                .filter_map(|x| x.id.clone())
                .collect(),
        })
        .collect();
    let vetoes = scheme
        .vetoes
        .iter()
        .enumerate()
        .filter(|(k, _)| view.veto_counts[*k][i] > 0)
        .map(|(k, v)| VetoApplied {
            code: v.code.clone(),
            name: v.name.clone(),
            incidents: view.veto_counts[k][i],
            articles: v.articles.clone(),
        })
        .collect();
    Explanation {
        indicators,
        deductions,
        vetoes,
    }
}

fn value_text(scheme: &Scheme, source: &ValueSource, value: Option<f64>) -> String {
    match (source, value) {
        (ValueSource::Ratio(r), None) => match r.when_denominator_zero {
            ZeroDenominator::FullPoints => "分母为 0，按满分计".to_string(),
            ZeroDenominator::NoPoints => "分母为 0，不得分".to_string(),
        },
        (_, None) => "—".to_string(),
        (ValueSource::Count(_), Some(v)) => format!("{} 项", format_number(v)),
        (ValueSource::Ratio(_), Some(v)) => format!("{:.2}%", v * 100.0),
        (ValueSource::Field(name), Some(v)) => match scheme.field(name) {
            Some(f) if f.field_type == FieldType::Bool => {
                if v != 0.0 { "是" } else { "否" }.to_string()
            }
            Some(f) => match &f.unit {
                Some(unit) => format!("{} {unit}", format_number(v)),
                None => format_number(v),
            },
            None => format_number(v),
        },
    }
}
