//! The explanation of a body's score: every indicator's value, rule, points, maximum and
//! articles, and every deduction and veto with the incidents behind it.

use crate::engine::view::TableView;
use crate::incident::Incident;
use crate::scheme::text::{describe_rule, format_number};
use crate::scheme::{FieldType, Scheme, ValueSource, ZeroDenominator, format_articles};

pub use crate::result::{DeductionPoints, Explanation, IndicatorPoints, VetoApplied};

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
