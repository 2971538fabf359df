//! The frame the plausibility rules run over: one row per submitted report with its peer
//! groups, the value of every field a rule reads, and last year's value of every field a
//! `yoy_ratio` rule compares.

use polars::prelude::*;
use serde_json::{Map, Value};

use crate::payload::Payload;
use crate::scheme::Scheme;
use crate::scheme::plausibility::PlausibilityKind;

/// The row's position in the input.
pub const ROW: &str = "row";
/// The peer-group column of a `by` value.
pub(super) fn group_column(by: crate::scheme::plausibility::PeerGroup) -> &'static str {
    use crate::scheme::plausibility::PeerGroup;
    match by {
        PeerGroup::Category => "by.category",
        PeerGroup::Province => "by.province",
        PeerGroup::All => "by.all",
    }
}

/// The column of a field's value this year.
pub fn current_column(field: &str) -> String {
    format!("f.{field}")
}

/// The column of a field's value in the body's report of the previous year.
pub fn previous_column(field: &str) -> String {
    format!("p.{field}")
}

/// Where a report stands among its peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peers<'a> {
    /// The body's category code (e.g. `product`).
    pub category: &'a str,
    /// The body's province.
    pub province: &'a str,
}

/// A builder of the frame, fed one report at a time (with last year's report when the body
/// has one), in the order flags will name rows by.
#[derive(Debug, Clone)]
pub struct ReportFrame {
    /// The fields any rule reads: (name, index in the scheme).
    current: Vec<(String, usize)>,
    /// The fields a `yoy_ratio` rule compares with last year: (name, index in the scheme).
    previous: Vec<(String, usize)>,
    /// The names of `current` and of `previous`, as a stored payload's keys.
    current_names: Vec<String>,
    previous_names: Vec<String>,
    current_values: Vec<Vec<Option<f64>>>,
    previous_values: Vec<Vec<Option<f64>>>,
    category: Vec<String>,
    province: Vec<String>,
}

/// A JSON value as a number: numbers as they are, bools 0 or 1, a set (array) its size;
/// anything else (or nothing) has none.
pub fn json_number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Array(items) => Some(items.len() as f64),
        _ => None,
    }
}

impl ReportFrame {
    /// An empty frame for the scheme's rules, with room for `capacity` reports.
    pub fn new(scheme: &Scheme, capacity: usize) -> ReportFrame {
        let mut current: Vec<(String, usize)> = Vec::new();
        let mut previous: Vec<(String, usize)> = Vec::new();
        let add = |list: &mut Vec<(String, usize)>, name: &str| {
            if let Some(i) = scheme.field_index(name)
                && !list.iter().any(|(n, _)| n == name)
            {
                list.push((name.to_string(), i));
            }
        };
        for rule in &scheme.plausibility {
            for field in rule.fields() {
                add(&mut current, field);
                if rule.kind == PlausibilityKind::YoyRatio {
                    add(&mut previous, field);
                }
            }
        }
        ReportFrame {
            current_values: current
                .iter()
                .map(|_| Vec::with_capacity(capacity))
                .collect(),
            previous_values: previous
                .iter()
                .map(|_| Vec::with_capacity(capacity))
                .collect(),
            current_names: current.iter().map(|(n, _)| n.clone()).collect(),
            previous_names: previous.iter().map(|(n, _)| n.clone()).collect(),
            current,
            previous,
            category: Vec::with_capacity(capacity),
            province: Vec::with_capacity(capacity),
        }
    }

    /// Reports added so far.
    pub fn len(&self) -> usize {
        self.category.len()
    }

    /// Whether no report was added.
    pub fn is_empty(&self) -> bool {
        self.category.is_empty()
    }

    /// Whether any rule compares with the previous year (so that callers load last year's
    /// reports only when needed).
    pub fn reads_previous(&self) -> bool {
        !self.previous.is_empty()
    }

    fn push_groups(&mut self, peers: Peers<'_>) {
        self.category.push(peers.category.to_string());
        self.province.push(peers.province.to_string());
    }

    /// Adds a report as stored (the payload's JSON object) and the body's report of the
    /// previous year, when there is one.
    pub fn push_json(
        &mut self,
        peers: Peers<'_>,
        current: &Map<String, Value>,
        previous: Option<&Map<String, Value>>,
    ) {
        self.push_groups(peers);
        for ((name, _), column) in self.current.iter().zip(&mut self.current_values) {
            column.push(json_number(current.get(name)));
        }
        for ((name, _), column) in self.previous.iter().zip(&mut self.previous_values) {
            column.push(previous.and_then(|p| json_number(p.get(name))));
        }
    }

    /// Adds a report as stored (the payload's JSON text) and the body's report of the previous
    /// year, when there is one, reading only the fields the rules need; a text that is not
    /// JSON is an error (and nothing is added).
    pub fn push_text(
        &mut self,
        peers: Peers<'_>,
        current: &str,
        previous: Option<&str>,
    ) -> Result<(), serde_json::Error> {
        let now = super::pick::numbers(current, &self.current_names)?;
        let before = match previous {
            Some(text) if !self.previous_names.is_empty() => {
                super::pick::numbers(text, &self.previous_names)?
            }
            _ => vec![None; self.previous_names.len()],
        };
        self.push_groups(peers);
        for (column, value) in self.current_values.iter_mut().zip(now) {
            column.push(value);
        }
        for (column, value) in self.previous_values.iter_mut().zip(before) {
            column.push(value);
        }
        Ok(())
    }

    /// Adds a validated report (both payloads validated against this scheme).
    pub fn push_payload(
        &mut self,
        peers: Peers<'_>,
        current: &Payload,
        previous: Option<&Payload>,
    ) {
        self.push_groups(peers);
        for ((_, index), column) in self.current.iter().zip(&mut self.current_values) {
            column.push(current.get(*index).as_number());
        }
        for ((_, index), column) in self.previous.iter().zip(&mut self.previous_values) {
            column.push(previous.and_then(|p| p.get(*index).as_number()));
        }
    }

    /// The DataFrame: `row`, the peer groups (`by.category`, `by.province`, `by.all`), `f.<field>`
    /// and `p.<field>` columns of Float64 (null where a value is missing).
    pub fn into_frame(self) -> PolarsResult<DataFrame> {
        let n = self.len();
        let mut columns = Vec::with_capacity(4 + self.current.len() + self.previous.len());
        columns.push(Column::new(ROW.into(), (0..n as u32).collect::<Vec<u32>>()));
        columns.push(Column::new("by.category".into(), self.category));
        columns.push(Column::new("by.province".into(), self.province));
        columns.push(Column::new("by.all".into(), vec![0u8; n]));
        for ((name, _), values) in self.current.iter().zip(self.current_values) {
            columns.push(Column::new(current_column(name).into(), values));
        }
        for ((name, _), values) in self.previous.iter().zip(self.previous_values) {
            columns.push(Column::new(previous_column(name).into(), values));
        }
        DataFrame::new(n, columns)
    }
}
