//! Builds the engine's input DataFrames from parsed records.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use super::BodyInput;
use super::columns::{self, Columns};
use crate::incident::Incident;
use crate::scheme::{IncidentMatch, Scheme};

/// One row per body: its position, category, whether it submitted, last year's total, the
/// numeric value of every field an indicator reads (bools as 0/1, sets as member counts) and
/// its incident counts per deduction and veto.
///
/// Field values of a body without a report are 0, not null: the pipeline masks such rows once,
/// at the total, which keeps every indicator column a plain buffer built in one pass.
pub(super) fn bodies_frame(
    cols: &Columns,
    bodies: &[BodyInput],
    incident_counts: Vec<Vec<u32>>,
) -> PolarsResult<DataFrame> {
    let n = bodies.len();
    let used: Vec<(usize, &str)> = cols
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, name)| name.as_deref().map(|name| (i, name)))
        .collect();
    let mut values: Vec<Vec<f64>> = used.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut category = Vec::with_capacity(n);
    let mut submitted = Vec::with_capacity(n);
    let mut previous = Vec::with_capacity(n);
    for body in bodies {
        category.push(body.category.index());
        submitted.push(body.payload.is_some());
        previous.push(body.previous_total);
        match &body.payload {
            Some(p) => {
                for ((field, _), column) in used.iter().zip(values.iter_mut()) {
                    column.push(p.get(*field).as_number().unwrap_or(0.0));
                }
            }
            None => values.iter_mut().for_each(|column| column.push(0.0)),
        }
    }
    let mut columns = Vec::with_capacity(4 + used.len());
    columns.push(Column::new(
        columns::IDX.into(),
        (0..n as u32).collect::<Vec<u32>>(),
    ));
    columns.push(Column::new(columns::CATEGORY.into(), category));
    columns.push(Column::new(columns::SUBMITTED.into(), submitted));
    columns.push(Column::new(columns::PREVIOUS_TOTAL.into(), previous));
    for ((_, name), column) in used.iter().zip(values) {
        columns.push(Column::new((*name).into(), column));
    }
    let count_names = cols
        .deductions
        .iter()
        .map(|(n, _)| n)
        .chain(cols.vetoes.iter());
    for (name, counts) in count_names.zip(incident_counts) {
        columns.push(Column::new(name.as_str().into(), counts));
    }
    DataFrame::new(n, columns)
}

/// Per deduction, then per veto (the scheme's order), how many incidents of the year each
/// body has that the matcher counts. Matching is [`Incident::matches`], the same definition the
/// findings cite as evidence.
pub(super) fn incident_counts(
    scheme: &Scheme,
    incidents: &[Incident],
    index: &PlHashMap<&str, u32>,
    bodies: usize,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Vec<Vec<u32>> {
    let matchers: Vec<&IncidentMatch> = scheme
        .deductions
        .iter()
        .map(|d| &d.incidents)
        .chain(scheme.vetoes.iter().map(|v| &v.incidents))
        .collect();
    let mut counts = vec![vec![0u32; bodies]; matchers.len()];
    for incident in incidents {
        if incident.occurred_at < start || incident.occurred_at >= end {
            continue;
        }
        let Some(&body) = index.get(incident.body_id.as_str()) else {
            continue;
        };
        for (m, column) in matchers.iter().zip(counts.iter_mut()) {
            if incident.matches(m, scheme.report_limit_hours) {
                column[body as usize] += 1;
            }
        }
    }
    counts
}
