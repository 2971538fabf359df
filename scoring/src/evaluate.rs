//! An evaluation in one call: score every body, read the results back with their warnings (and
//! explanations when asked), run the uncertainty analysis (SCHEME.md §6) and attach its figures.
//! The CLI, the evaluation service and the benchmarks all go through here, so the steps happen
//! in one order everywhere.

use std::collections::HashMap;
use std::sync::Arc;

use crate::engine::view::TableView;
use crate::engine::{Engine, EngineError, ScoreInput, ScoreTable};
use crate::incident::Incident;
use crate::points::PointsMap;
use crate::result::{BodyResult, ResultOptions, sort_in_ranking_order};
use crate::uncertainty::{self, Uncertainty};
use crate::{explain, warning};

/// What an evaluation computes besides the scores. The default is the cheapest: results with
/// their warnings, no explanation, no uncertainty analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Include every result's point-by-point explanation.
    pub explain: bool,
    /// Draws of the uncertainty analysis; 0 skips it. The scheme's default is
    /// `scheme.uncertainty.draws`.
    pub draws: u32,
    /// Seed of the analysis's draws: the same seed gives the same figures.
    pub seed: u64,
}

/// A step of [`Engine::evaluate_observed`], reported as it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Scoring every body (the polars pipeline).
    Scoring,
    /// Reading the table back as results with their warnings and explanations.
    Results,
    /// The uncertainty analysis; reported even without draws, so that a progress display
    /// passes through every step.
    Uncertainty,
}

impl Engine {
    /// Scores every body and returns the results in ranking order, with their warnings, the
    /// explanations and uncertainty figures `options` ask for; borderline bodies' warnings that
    /// rest on the total alone are marked for review.
    pub fn evaluate(
        &self,
        inputs: &ScoreInput<'_>,
        options: &Options,
    ) -> Result<Vec<BodyResult>, EngineError> {
        self.evaluate_observed(inputs, options, &|_| {})
    }

    /// [`Engine::evaluate`], telling `on_step` as each step begins (for a progress display, or
    /// to say which step failed).
    pub fn evaluate_observed(
        &self,
        inputs: &ScoreInput<'_>,
        options: &Options,
        on_step: &dyn Fn(Step),
    ) -> Result<Vec<BodyResult>, EngineError> {
        on_step(Step::Scoring);
        let table = self.score(inputs)?;
        self.evaluate_table(inputs, &table, options, on_step)
    }

    /// The steps of [`Engine::evaluate_observed`] after scoring, on a table that
    /// [`Engine::score`] made from the same `inputs`: for benchmarks that time the scoring
    /// apart.
    pub fn evaluate_table(
        &self,
        inputs: &ScoreInput<'_>,
        table: &ScoreTable,
        options: &Options,
        on_step: &dyn Fn(Step),
    ) -> Result<Vec<BodyResult>, EngineError> {
        on_step(Step::Results);
        let mut results = self.results(
            inputs,
            table,
            ResultOptions {
                explain: options.explain,
            },
        )?;
        on_step(Step::Uncertainty);
        if options.draws > 0 {
            let figures = self.uncertainty(table, options.draws, options.seed)?;
            let by_body: HashMap<&str, Uncertainty> = inputs
                .bodies
                .iter()
                .zip(figures)
                .filter_map(|(b, u)| u.map(|u| (b.body_id.as_str(), u)))
                .collect();
            uncertainty::attach(&mut results, &by_body);
        }
        Ok(results)
    }

    /// Reads the table back as one result per body, in ranking order: by rank, equal ranks by
    /// approval number (or id), then the bodies without a report in the same order. No
    /// uncertainty figures: [`Engine::evaluate`] adds them.
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
