//! The scoring engine: one polars pipeline over all bodies at once (SCHEME.md §2–§5).
//!
//! [`Engine::score`] turns the inputs into a [`ScoreTable`], a DataFrame with one row per body
//! in input order: the value and points of every indicator, dimension subtotals, incident counts
//! and deductions, vetoes, total, grade, ranks and the warning rules that fire.
//! [`Engine::results`] reads it back as [`crate::BodyResult`]s in ranking order, each able to
//! explain every point; [`Engine::evaluate`] does both and the uncertainty analysis in one call.

pub mod columns;
mod exprs;
mod frame;
mod pipeline;
pub(crate) mod view;

use std::sync::Arc;

use polars::prelude::{DataFrame, PlHashMap, PlHashSet};

use crate::category::Category;
use crate::incident::Incident;
use crate::payload::Payload;
use crate::problem::Problem;
use crate::scheme::Scheme;

pub use columns::Columns;

/// One body as the engine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyInput {
    /// The body's identifier.
    pub body_id: String,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Its approval number (批准号), which orders equal ranks; the id stands in when absent.
    pub approval_no: Option<String>,
    /// Its report when one counts for the evaluation (validated as submitted), else `None`.
    pub payload: Option<Payload>,
    /// Its total in the previous year's final evaluation.
    pub previous_total: Option<f64>,
}

/// Everything an evaluation reads.
#[derive(Debug, Clone, Copy)]
pub struct ScoreInput<'a> {
    /// The evaluation year.
    pub year: i32,
    /// Every body the year expects.
    pub bodies: &'a [BodyInput],
    /// Incidents of any year; those outside `year` (China Standard Time) are ignored.
    pub incidents: &'a [Incident],
}

/// The inputs are inconsistent, or polars failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Inputs that cannot be scored, each named.
    #[error("输入有误 / invalid input: {}", crate::problem::join(.0))]
    Input(Vec<Problem>),
    /// The year has no bounds on the calendar.
    #[error("评价年度 {0} 无效 / invalid evaluation year {0}")]
    Year(i32),
    /// A polars error (a bug in the pipeline, not in the data).
    #[error("计算引擎错误 / engine error: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
}

/// A scheme prepared for scoring.
#[derive(Debug, Clone)]
pub struct Engine {
    scheme: Arc<Scheme>,
    columns: Columns,
}

/// The engine's result: the table and what is needed to read it.
#[derive(Debug, Clone)]
pub struct ScoreTable {
    /// One row per body, in input order.
    pub frame: DataFrame,
    /// The evaluation year.
    pub year: i32,
}

impl ScoreTable {
    /// Every body's total in input order (null without a report): what next year's
    /// evaluation reads as the previous totals.
    pub fn totals(&self) -> Result<Vec<Option<f64>>, EngineError> {
        Ok(self.frame.column(columns::TOTAL)?.f64()?.iter().collect())
    }
}

impl Engine {
    /// Prepares a (valid) scheme.
    pub fn new(scheme: Arc<Scheme>) -> Engine {
        let columns = Columns::new(&scheme);
        Engine { scheme, columns }
    }

    /// The scheme.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The column names of the result table.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Scores every body: the whole pipeline from parsed records to the result table.
    pub fn score(&self, input: &ScoreInput<'_>) -> Result<ScoreTable, EngineError> {
        let index = self.check_input(input)?;
        let bounds =
            crate::incident::year_bounds(input.year).ok_or(EngineError::Year(input.year))?;
        let counts = frame::incident_counts(
            &self.scheme,
            input.incidents,
            &index,
            input.bodies.len(),
            bounds,
        );
        let bodies = frame::bodies_frame(&self.columns, input.bodies, counts)?;
        let frame = pipeline::run(&self.scheme, &self.columns, bodies)?;
        Ok(ScoreTable {
            frame,
            year: input.year,
        })
    }

    /// Checks that bodies are unique, payloads fit the scheme and incidents name known bodies
    /// with known kinds; returns the body index by id.
    fn check_input<'a>(
        &self,
        input: &ScoreInput<'a>,
    ) -> Result<PlHashMap<&'a str, u32>, EngineError> {
        let mut problems = Vec::new();
        let mut index = PlHashMap::with_capacity_and_hasher(input.bodies.len(), Default::default());
        for (i, body) in input.bodies.iter().enumerate() {
            if index.insert(body.body_id.as_str(), i as u32).is_some() {
                problems.push(Problem::new(
                    format!("bodies[{i}].body_id"),
                    "duplicate_body",
                    format!("机构 {} 重复", body.body_id),
                    format!("body {} is listed twice", body.body_id),
                ));
            }
            if let Some(p) = &body.payload
                && p.values().len() != self.scheme.fields.len()
            {
                problems.push(Problem::new(
                    format!("bodies[{i}].payload"),
                    "scheme_mismatch",
                    "报告不是按本方案校验的",
                    "the payload was not validated against this scheme",
                ));
            }
        }
        let kinds: PlHashSet<&str> = self
            .scheme
            .incident_kinds
            .iter()
            .map(|k| k.code.as_str())
            .collect();
        let severities: PlHashSet<&str> = self
            .scheme
            .severities
            .iter()
            .map(|k| k.code.as_str())
            .collect();
        for (i, incident) in input.incidents.iter().enumerate() {
            if !index.contains_key(incident.body_id.as_str()) {
                problems.push(Problem::new(
                    format!("incidents[{i}].body_id"),
                    "unknown_body",
                    format!("事件所属机构 {} 不在机构名单中", incident.body_id),
                    format!("incident names unknown body {}", incident.body_id),
                ));
            }
            let plausible = kinds.contains(incident.kind.as_str())
                && severities.contains(incident.severity.as_str())
                && incident
                    .reported_at
                    .is_none_or(|r| r >= incident.occurred_at);
            if !plausible {
                problems.extend(incident.validate(&self.scheme, &format!("incidents[{i}].")));
            }
        }
        if problems.is_empty() {
            Ok(index)
        } else {
            Err(EngineError::Input(problems))
        }
    }
}
