//! Builds the engine's input DataFrames from parsed records.

use std::collections::HashMap;

use polars::prelude::*;

use super::BodyInput;
use super::columns::{self, Columns};
use crate::incident::Incident;
use crate::scheme::Scheme;

/// Incident columns.
pub(super) const INC_BODY: &str = "body";
pub(super) const INC_KIND: &str = "kind";
pub(super) const INC_SEVERITY: &str = "severity";
pub(super) const INC_OCCURRED_MS: &str = "occurred_ms";
pub(super) const INC_DELAY_MS: &str = "delay_ms";

/// One row per body: its position, category, whether it submitted, last year's total and the
/// numeric value of every field an indicator reads (bools as 0/1, sets as member counts).
pub(super) fn bodies_frame(
    scheme: &Scheme,
    cols: &Columns,
    bodies: &[BodyInput],
) -> PolarsResult<DataFrame> {
    let n = bodies.len();
    let mut columns = Vec::with_capacity(4 + cols.fields.len());
    columns.push(Column::new(columns::IDX.into(), (0..n as u32).collect::<Vec<u32>>()));
    columns.push(Column::new(
        columns::CATEGORY.into(),
        bodies.iter().map(|b| b.category.index()).collect::<Vec<u8>>(),
    ));
    columns.push(Column::new(
        columns::SUBMITTED.into(),
        bodies.iter().map(|b| b.payload.is_some()).collect::<Vec<bool>>(),
    ));
    columns.push(Column::new(
        columns::PREVIOUS_TOTAL.into(),
        bodies.iter().map(|b| b.previous_total).collect::<Vec<Option<f64>>>(),
    ));
    for (field_index, name) in cols.fields.iter().enumerate() {
        let Some(name) = name else { continue };
        debug_assert!(field_index < scheme.fields.len());
        let values: Vec<Option<f64>> = bodies
            .iter()
            .map(|b| b.payload.as_ref().and_then(|p| p.get(field_index).as_number()))
            .collect();
        columns.push(Column::new(name.as_str().into(), values));
    }
    DataFrame::new(n, columns)
}

/// One row per incident: the body's position, kind and severity as their positions in the
/// scheme, when it occurred and how long the body took to report it (null: never).
pub(super) fn incidents_frame(
    scheme: &Scheme,
    incidents: &[Incident],
    index: &HashMap<&str, u32>,
) -> PolarsResult<DataFrame> {
    let position = |list: &[crate::scheme::Labelled], code: &str| -> u8 {
        list.iter().position(|k| k.code == code).unwrap_or(0) as u8
    };
    let n = incidents.len();
    let mut body = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    let mut severity = Vec::with_capacity(n);
    let mut occurred = Vec::with_capacity(n);
    let mut delay = Vec::with_capacity(n);
    for incident in incidents {
        body.push(index.get(incident.body_id.as_str()).copied().unwrap_or(u32::MAX));
        kind.push(position(&scheme.incident_kinds, &incident.kind));
        severity.push(position(&scheme.severities, &incident.severity));
        occurred.push(incident.occurred_at.timestamp_millis());
        delay.push(
            incident
                .reported_at
                .map(|r| (r - incident.occurred_at).num_milliseconds()),
        );
    }
    DataFrame::new(
        n,
        vec![
            Column::new(INC_BODY.into(), body),
            Column::new(INC_KIND.into(), kind),
            Column::new(INC_SEVERITY.into(), severity),
            Column::new(INC_OCCURRED_MS.into(), occurred),
            Column::new(INC_DELAY_MS.into(), delay),
        ],
    )
}
