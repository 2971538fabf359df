//! Per-body results read back from the engine's table, in ranking order.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::category::Category;
use crate::engine::{Engine, EngineError, ScoreInput, ScoreTable, columns as c};
use crate::explain::{self, Explanation};
use crate::incident::Incident;
use crate::points::PointsMap;
use crate::uncertainty::Uncertainty;
use crate::warning::{self, Warning};

/// One body's result, as `pubeval score` prints it and the API stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyResult {
    /// The body's identifier.
    pub body_id: String,
    /// The body's name.
    pub name: String,
    /// Its approval number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_no: Option<String>,
    /// Its category.
    pub category: Category,
    /// Whether a report counted.
    pub submitted: bool,
    /// Total points, unrounded (null without a report).
    pub total: Option<f64>,
    /// Grade (null without a report).
    pub grade: Option<String>,
    /// Competition rank overall (null without a report).
    pub rank: Option<u32>,
    /// Competition rank within the category (null without a report).
    pub category_rank: Option<u32>,
    /// Points per dimension (null without a report).
    pub dimensions: Option<PointsMap>,
    /// Points per indicator (null without a report).
    pub indicators: Option<PointsMap>,
    /// The deductions that apply, as negative points.
    pub deductions: IndexMap<String, f64>,
    /// The vetoes that apply.
    pub vetoes: Vec<String>,
    /// The total in the previous year's final evaluation.
    pub previous_total: Option<f64>,
    /// The risk warning, when a rule fires.
    pub warning: Option<Warning>,
    /// The uncertainty analysis (SCHEME.md §6), when it was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Uncertainty>,
    /// Every point explained, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

impl BodyResult {
    /// The warning level, 0 when no rule fires.
    pub fn warning_level(&self) -> u8 {
        self.warning.as_ref().map_or(0, |w| w.level)
    }
}

/// The columns of the table, extracted once.
pub(crate) struct TableView {
    pub submitted: Vec<bool>,
    pub total: Vec<Option<f64>>,
    pub grade: Vec<Option<u8>>,
    pub rank: Vec<Option<u32>>,
    pub category_rank: Vec<Option<u32>>,
    pub vetoed: Vec<bool>,
    pub deduction_sum: Vec<f64>,
    pub values: Vec<Vec<Option<f64>>>,
    pub points: Vec<Vec<f64>>,
    pub dimensions: Vec<Vec<f64>>,
    pub deduction_counts: Vec<Vec<u32>>,
    pub deductions: Vec<Vec<f64>>,
    pub veto_counts: Vec<Vec<u32>>,
    pub warnings: Vec<Vec<bool>>,
    pub level: Vec<u8>,
}

fn floats(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(frame.column(name)?.f64()?.iter().collect())
}

/// A column without nulls (or whose nulls mean 0).
fn dense(frame: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let column = frame.column(name)?.f64()?;
    Ok(match column.cont_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => column.iter().map(|v| v.unwrap_or(0.0)).collect(),
    })
}

fn counts(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    Ok(frame
        .column(name)?
        .u32()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn flags(frame: &DataFrame, name: &str) -> PolarsResult<Vec<bool>> {
    Ok(frame
        .column(name)?
        .bool()?
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect())
}

impl TableView {
    pub(crate) fn new(engine: &Engine, table: &ScoreTable) -> PolarsResult<TableView> {
        let f = &table.frame;
        let cols = engine.columns();
        Ok(TableView {
            submitted: flags(f, c::SUBMITTED)?,
            total: floats(f, c::TOTAL)?,
            grade: f.column(c::GRADE)?.u8()?.iter().collect(),
            rank: f.column(c::RANK)?.u32()?.iter().collect(),
            category_rank: f.column(c::CATEGORY_RANK)?.u32()?.iter().collect(),
            vetoed: flags(f, c::VETOED)?,
            deduction_sum: dense(f, c::DEDUCTION_SUM)?,
            values: cols
                .indicators
                .iter()
                .map(|(v, _)| floats(f, v))
                .collect::<PolarsResult<_>>()?,
            points: cols
                .indicators
                .iter()
                .map(|(_, p)| dense(f, p))
                .collect::<PolarsResult<_>>()?,
            dimensions: cols
                .dimensions
                .iter()
                .map(|d| dense(f, d))
                .collect::<PolarsResult<_>>()?,
            deduction_counts: cols
                .deductions
                .iter()
                .map(|(n, _)| counts(f, n))
                .collect::<PolarsResult<_>>()?,
            deductions: cols
                .deductions
                .iter()
                .map(|(_, x)| dense(f, x))
                .collect::<PolarsResult<_>>()?,
            veto_counts: cols
                .vetoes
                .iter()
                .map(|n| counts(f, n))
                .collect::<PolarsResult<_>>()?,
            warnings: cols
                .warnings
                .iter()
                .map(|n| flags(f, n))
                .collect::<PolarsResult<_>>()?,
            level: f
                .column(c::LEVEL)?
                .u8()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect(),
        })
    }
}

/// How much of each result to build.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResultOptions {
    /// Include the point-by-point explanation.
    pub explain: bool,
}

impl Engine {
    /// Reads the table back as one result per body, in ranking order: by rank, equal ranks by
    /// approval number (or id), then the bodies without a report in the same order.
    pub fn results(
        &self,
        input: &ScoreInput<'_>,
        table: &ScoreTable,
        options: ResultOptions,
    ) -> Result<Vec<BodyResult>, EngineError> {
        let scheme = self.scheme();
        let view = TableView::new(self, table)?;
        let incidents = incidents_of_year(input);
        let no_incidents: Vec<&Incident> = Vec::new();
        let dimension_codes: Arc<[String]> =
            scheme.dimensions.iter().map(|d| d.code.clone()).collect();
        let indicator_codes: Arc<[String]> =
            scheme.indicators().map(|(_, x)| x.code.clone()).collect();
        let mut out = Vec::with_capacity(input.bodies.len());
        for (i, body) in input.bodies.iter().enumerate() {
            let submitted = view.submitted[i];
            let body_incidents = incidents
                .get(body.body_id.as_str())
                .unwrap_or(&no_incidents);
            let row =
                |columns: &Vec<Vec<f64>>| -> Vec<f64> { columns.iter().map(|c| c[i]).collect() };
            let deductions = scheme
                .deductions
                .iter()
                .zip(&view.deductions)
                .filter(|(_, col)| col[i] != 0.0)
                .map(|(d, col)| (d.code.clone(), col[i]))
                .collect();
            let vetoes = scheme
                .vetoes
                .iter()
                .zip(&view.veto_counts)
                .filter(|(_, col)| col[i] > 0)
                .map(|(v, _)| v.code.clone())
                .collect();
            let mut result = BodyResult {
                body_id: body.body_id.clone(),
                name: body.name.clone(),
                approval_no: body.approval_no.clone(),
                category: body.category,
                submitted,
                total: view.total[i],
                grade: view.grade[i].map(|g| scheme.grades[g as usize].grade.clone()),
                rank: view.rank[i],
                category_rank: view.category_rank[i],
                dimensions: submitted
                    .then(|| PointsMap::new(dimension_codes.clone(), row(&view.dimensions))),
                indicators: submitted
                    .then(|| PointsMap::new(indicator_codes.clone(), row(&view.points))),
                deductions,
                vetoes,
                previous_total: body.previous_total,
                warning: None,
                uncertainty: None,
                explanation: None,
            };
            result.warning = warning::build(scheme, &view, i, &result, body_incidents);
            if options.explain {
                result.explanation = Some(explain::build(scheme, &view, i, body_incidents));
            }
            out.push(result);
        }
        sort_in_ranking_order(&mut out);
        Ok(out)
    }
}

/// Incidents of the evaluation year, by body.
fn incidents_of_year<'a>(input: &ScoreInput<'a>) -> HashMap<&'a str, Vec<&'a Incident>> {
    let mut map: HashMap<&str, Vec<&Incident>> = HashMap::new();
    if let Some((start, end)) = crate::incident::year_bounds(input.year) {
        for incident in input.incidents {
            if incident.occurred_at >= start && incident.occurred_at < end {
                map.entry(incident.body_id.as_str())
                    .or_default()
                    .push(incident);
            }
        }
    }
    for list in map.values_mut() {
        list.sort_by_key(|i| i.occurred_at);
    }
    map
}

/// SCHEME.md §4: rank order, equal ranks in approval-number order, bodies without a report
/// last.
pub fn sort_in_ranking_order(results: &mut [BodyResult]) {
    results.sort_by(|a, b| {
        let key = |r: &BodyResult| (r.rank.is_none(), r.rank.unwrap_or(u32::MAX));
        key(a)
            .cmp(&key(b))
            .then_with(|| listing_key(a).cmp(listing_key(b)))
    });
}

fn listing_key(r: &BodyResult) -> &str {
    r.approval_no.as_deref().unwrap_or(&r.body_id)
}
