//! `Engine::evaluate`: the whole evaluation in one call gives exactly what scoring, reading the
//! results back, the uncertainty analysis and attaching its figures give step by step.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use std::cell::RefCell;
use std::collections::HashMap;

use common::*;
use pubeval_scoring::{
    BodyResult, EngineError, Options, ResultOptions, Step, Uncertainty, uncertainty,
};

/// Bodies on both sides of the grade edges, a silent one, a vetoed one and a late report.
fn case() -> Case {
    Case::year(2025)
        .body("full", full_marks_payload())
        .body(
            "edge",
            full_with(serde_json::json!({
                "publicity_budget_wan": 0, "dedicated_staff": 0, "training_hours": 0,
                "public_welfare_activities": 0, "account_security": false,
                "target_responsibility": false, "incentive_mechanism": false,
                "in_annual_report": false
            })),
        )
        .previous("edge", 90.0)
        .silent_body("silent")
        .body("vetoed", full_marks_payload())
        .body("zero", empty_payload())
        .incident(
            "vetoed",
            "secret_leak",
            "general",
            "2025-03-01T00:00:00Z",
            None,
        )
        .incident(
            "full",
            "major_event",
            "general",
            "2025-03-01T00:00:00Z",
            Some("2025-03-05T00:00:00Z"),
        )
}

/// The steps as the callers used to run them.
fn step_by_step(case: &Case, explain: bool, draws: u32, seed: u64) -> Vec<BodyResult> {
    let (engine, table) = case.table();
    let mut results = engine
        .results(&case.input(), &table, ResultOptions { explain })
        .unwrap();
    if draws > 0 {
        let figures = engine.uncertainty(&table, draws, seed).unwrap();
        let by_body: HashMap<&str, Uncertainty> = case
            .bodies
            .iter()
            .zip(figures)
            .filter_map(|(b, u)| u.map(|u| (b.body_id.as_str(), u)))
            .collect();
        uncertainty::attach(&mut results, &by_body);
    }
    results
}

fn json_lines(results: &[BodyResult]) -> String {
    results
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect()
}

#[test]
fn evaluate_gives_the_same_bytes_as_the_steps() {
    let case = case();
    let engine = case.table().0;
    for (explain, draws, seed) in [(false, 0, 0), (true, 0, 0), (true, 300, 7), (false, 50, 1)] {
        let options = Options {
            explain,
            draws,
            seed,
        };
        let one_call = engine.evaluate(&case.input(), &options).unwrap();
        assert_eq!(
            json_lines(&one_call),
            json_lines(&step_by_step(&case, explain, draws, seed)),
            "{options:?}"
        );
    }
}

#[test]
fn the_default_options_give_results_without_explanation_or_figures() {
    let case = case();
    let results = case
        .table()
        .0
        .evaluate(&case.input(), &Options::default())
        .unwrap();
    assert_eq!(results.len(), case.bodies.len());
    assert!(results.iter().all(|r| r.explanation.is_none()));
    assert!(results.iter().all(|r| r.uncertainty.is_none()));
    assert!(results.iter().any(|r| r.warning.is_some()));
}

#[test]
fn explanations_and_figures_come_as_asked() {
    let case = case();
    let options = Options {
        explain: true,
        draws: 100,
        seed: 3,
    };
    let results = case.table().0.evaluate(&case.input(), &options).unwrap();
    assert!(results.iter().all(|r| r.explanation.is_some()));
    for r in &results {
        assert_eq!(r.uncertainty.is_some(), r.submitted, "{}", r.body_id);
    }
}

#[test]
fn every_step_is_reported_in_order_even_without_draws() {
    let case = case();
    let engine = case.table().0;
    for draws in [0, 20] {
        let steps = RefCell::new(Vec::new());
        let options = Options {
            draws,
            ..Options::default()
        };
        engine
            .evaluate_observed(&case.input(), &options, &|s| steps.borrow_mut().push(s))
            .unwrap();
        assert_eq!(
            steps.into_inner(),
            vec![Step::Scoring, Step::Results, Step::Uncertainty],
            "{draws} draws"
        );
    }
}

#[test]
fn evaluating_a_scored_table_gives_what_one_call_gives() {
    let case = case();
    let (engine, table) = case.table();
    let options = Options {
        explain: true,
        draws: 40,
        seed: 11,
    };
    let steps = RefCell::new(Vec::new());
    let from_table = engine
        .evaluate_table(&case.input(), &table, &options, &|s| {
            steps.borrow_mut().push(s)
        })
        .unwrap();
    assert_eq!(
        json_lines(&from_table),
        json_lines(&engine.evaluate(&case.input(), &options).unwrap())
    );
    assert_eq!(steps.into_inner(), vec![Step::Results, Step::Uncertainty]);
}

#[test]
fn a_failure_while_scoring_stops_before_the_other_steps() {
    let case = case().body("full", full_marks_payload());
    let steps = RefCell::new(Vec::new());
    let options = Options {
        draws: 10,
        ..Options::default()
    };
    let err = engine()
        .evaluate_observed(&case.input(), &options, &|s| steps.borrow_mut().push(s))
        .unwrap_err();
    assert!(matches!(err, EngineError::Input(_)), "{err}");
    assert_eq!(steps.into_inner(), vec![Step::Scoring]);
}
