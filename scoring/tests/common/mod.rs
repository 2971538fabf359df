//! Builders shared by the scoring tests, so each test reads as the case it checks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use pubeval_scoring::{
    BodyInput, BodyResult, Category, Completeness, Engine, Incident, ResultOptions, Scheme,
    ScoreInput, validate_payload,
};
use serde_json::{Value, json};

pub fn scheme() -> Arc<Scheme> {
    Arc::new(Scheme::default_scheme())
}

pub fn engine() -> Engine {
    Engine::new(scheme())
}

/// The report of SCHEME.md §7's worked example.
pub fn worked_example_payload() -> Value {
    json!({
        "policy_approved": true,
        "leadership_designated": true,
        "spokesperson_system": true,
        "annual_plan": true,
        "three_reviews": true,
        "major_event_reporting_system": true,
        "press_releases": 50,
        "media_channels": ["website", "wechat", "video"],
        "original_posts": 120,
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week"],
        "expert_interpretations": 3,
        "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards", "cert_and_mark_samples"],
        "complaints_received": 40,
        "complaints_resolved_on_time": 36,
        "media_partnerships": 2,
        "publicity_budget_wan": 30,
        "revenue_wan": 10000,
        "dedicated_staff": 2,
        "training_hours": 8,
        "public_welfare_activities": 6,
        "account_security": true,
        "target_responsibility": true,
        "incentive_mechanism": true,
        "in_annual_report": true
    })
}

/// A report with every field at its best.
pub fn full_marks_payload() -> Value {
    json!({
        "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
        "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
        "press_releases": 50,
        "media_channels": ["website", "wechat", "video", "online_course"],
        "original_posts": 500,
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week", "organic_product_week", "service_cert_week"],
        "expert_interpretations": 6, "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards", "cert_and_mark_samples", "cert_status"],
        "complaints_received": 10, "complaints_resolved_on_time": 10, "media_partnerships": 5,
        "publicity_budget_wan": 50, "revenue_wan": 10000, "dedicated_staff": 3,
        "training_hours": 16, "public_welfare_activities": 6, "account_security": true,
        "target_responsibility": true, "incentive_mechanism": true, "in_annual_report": true
    })
}

/// A report that scores nothing.
pub fn empty_payload() -> Value {
    json!({
        "policy_approved": false, "leadership_designated": false, "spokesperson_system": false,
        "annual_plan": false, "three_reviews": false, "major_event_reporting_system": false,
        "press_releases": 0, "media_channels": [], "original_posts": 0, "campaigns": [],
        "expert_interpretations": 0, "opinion_monitoring": false, "disclosed_items": [],
        "complaints_received": 10, "complaints_resolved_on_time": 0, "media_partnerships": 0,
        "publicity_budget_wan": 0, "revenue_wan": 10000, "dedicated_staff": 0,
        "training_hours": 0, "public_welfare_activities": 0, "account_security": false,
        "target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false
    })
}

/// `base` with some fields replaced.
pub fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A set of bodies and incidents for one evaluation year, built step by step.
pub struct Case {
    pub year: i32,
    pub bodies: Vec<BodyInput>,
    pub incidents: Vec<Incident>,
    scheme: Arc<Scheme>,
}

impl Case {
    pub fn year(year: i32) -> Case {
        Case {
            year,
            bodies: Vec::new(),
            incidents: Vec::new(),
            scheme: scheme(),
        }
    }

    /// A body of category `management_system` with this report.
    pub fn body(self, id: &str, payload: Value) -> Case {
        self.body_in(id, Category::ManagementSystem, payload)
    }

    pub fn body_in(mut self, id: &str, category: Category, payload: Value) -> Case {
        let payload = validate_payload(&self.scheme, &payload, Completeness::Submitted)
            .unwrap_or_else(|p| panic!("test payload invalid: {p:?}"));
        self.bodies.push(BodyInput {
            body_id: id.into(),
            name: format!("{id} 认证有限公司"),
            category,
            approval_no: None,
            payload: Some(payload),
            previous_total: None,
        });
        self
    }

    pub fn silent_body(mut self, id: &str) -> Case {
        self.bodies.push(BodyInput {
            body_id: id.into(),
            name: format!("{id} 认证有限公司"),
            category: Category::ManagementSystem,
            approval_no: None,
            payload: None,
            previous_total: None,
        });
        self
    }

    pub fn previous(mut self, id: &str, total: f64) -> Case {
        self.bodies
            .iter_mut()
            .find(|b| b.body_id == id)
            .unwrap()
            .previous_total = Some(total);
        self
    }

    pub fn incident(
        mut self,
        id: &str,
        kind: &str,
        severity: &str,
        occurred: &str,
        reported: Option<&str>,
    ) -> Case {
        self.incidents.push(Incident {
            id: Some(format!("i{}", self.incidents.len() + 1)),
            body_id: id.into(),
            kind: kind.into(),
            severity: severity.into(),
            occurred_at: at(occurred),
            reported_at: reported.map(at),
        });
        self
    }

    pub fn input(&self) -> ScoreInput<'_> {
        ScoreInput {
            year: self.year,
            bodies: &self.bodies,
            incidents: &self.incidents,
        }
    }

    /// Scores the case; results in ranking order.
    pub fn score(&self) -> Vec<BodyResult> {
        let engine = Engine::new(self.scheme.clone());
        let table = engine.score(&self.input()).unwrap();
        engine
            .results(&self.input(), &table, ResultOptions { explain: true })
            .unwrap()
    }

    /// The result of one body.
    pub fn result(&self, id: &str) -> BodyResult {
        self.score().into_iter().find(|r| r.body_id == id).unwrap()
    }
}

pub fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// `full_marks_payload()` with some fields replaced.
pub fn full_with(changes: Value) -> Value {
    with(full_marks_payload(), changes)
}

/// `empty_payload()` with some fields replaced.
pub fn empty_with(changes: Value) -> Value {
    with(empty_payload(), changes)
}

/// The points one indicator gives for this report (one body, no incidents).
pub fn points(payload: Value, code: &str) -> f64 {
    let r = Case::year(2025).body("b", payload).result("b");
    let indicators = r.indicators.expect("a submitted body has indicator points");
    indicators
        .get(code)
        .unwrap_or_else(|| panic!("no indicator {code} in {indicators:?}"))
}

/// The total of this report (one body, no incidents).
pub fn total(payload: Value) -> f64 {
    Case::year(2025)
        .body("b", payload)
        .result("b")
        .total
        .expect("a submitted body has a total")
}

/// Asserts two numbers agree to 1e-6, naming what they are.
#[track_caller]
pub fn assert_approx(actual: f64, expected: f64, what: &str) {
    assert!(
        approx(actual, expected),
        "{what}: got {actual}, expected {expected}"
    );
}

impl Case {
    /// Sets a body's approval number (批准号).
    pub fn approval(mut self, id: &str, approval_no: &str) -> Case {
        self.bodies
            .iter_mut()
            .find(|b| b.body_id == id)
            .unwrap()
            .approval_no = Some(approval_no.into());
        self
    }

    /// The engine and the score table of the case.
    pub fn table(&self) -> (Engine, pubeval_scoring::ScoreTable) {
        let engine = Engine::new(self.scheme.clone());
        let table = engine.score(&self.input()).unwrap();
        (engine, table)
    }

    /// The ids of the results, in listing order.
    pub fn order(&self) -> Vec<String> {
        self.score().into_iter().map(|r| r.body_id).collect()
    }
}
