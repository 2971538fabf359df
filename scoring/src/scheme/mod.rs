//! The evaluation scheme as data: what a body reports, how each indicator turns a report into
//! points, which incidents deduct or veto, the grade bands and the risk-warning rules.
//!
//! A scheme is a JSON document (`default.json` is the seeded default of SCHEME.md). It is
//! parsed strictly (an unknown key is an error naming its path) and then checked as a whole by
//! [`check`], which lists every problem at once so an analyst can fix a draft in one pass.

mod check;
mod incidents;
mod indicator;
pub mod plausibility;
pub mod text;
mod warnings;

use serde::{Deserialize, Serialize};

use crate::problem::Problem;

pub use incidents::{Deduction, IncidentMatch, Reporting, Veto};
pub use indicator::{Dimension, Indicator, Ratio, Rule, Tier, ValueSource, ZeroDenominator};
pub use plausibility::{PlausibilityKind, PlausibilityRule, Severity};
pub use text::{format_articles, format_points};
pub use warnings::{Trigger, WarningLevel, WarningRule};

/// The default scheme of SCHEME.md, compiled into the crate.
pub const DEFAULT_SCHEME_JSON: &str = include_str!("default.json");

/// An evaluation scheme (评价指标体系).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Stable code, e.g. `cnca-publicity`.
    pub code: String,
    /// Version of the scheme under its code, from 1.
    pub version: u32,
    /// Name shown to people.
    pub name: String,
    /// The legal basis quoted in documents.
    #[serde(default)]
    pub basis: String,
    /// The most points a body can score; the dimensions' maxima add up to it.
    pub total_max: f64,
    /// Decimal places every comparison of totals is made on (SCHEME.md §4).
    pub comparison_decimals: u32,
    /// Hours within which a major event must be reported (article 20); strictly more is late.
    pub report_limit_hours: u32,
    /// The fields of the annual report, in the order a form shows them.
    pub fields: Vec<FieldDef>,
    /// The dimensions with their indicators.
    pub dimensions: Vec<Dimension>,
    /// The incident kinds an incident may have.
    pub incident_kinds: Vec<Labelled>,
    /// The severities an incident may have.
    pub severities: Vec<Labelled>,
    /// Point deductions counted from incidents.
    pub deductions: Vec<Deduction>,
    /// Vetoes: any matching incident forces the veto grade and a warning.
    pub vetoes: Vec<Veto>,
    /// Grade bands, best first; the last starts at 0.
    pub grades: Vec<GradeBand>,
    /// The grade every vetoed body gets.
    pub veto_grade: String,
    /// The warning levels, with their names.
    pub warning_levels: Vec<WarningLevel>,
    /// The risk-warning rules, in the order notices list them.
    pub warnings: Vec<WarningRule>,
    /// Parameters of the uncertainty analysis (SCHEME.md §6).
    pub uncertainty: UncertaintyParams,
    /// Plausibility checks of the self-declared reports (合理性核查). Optional: a scheme
    /// stored before they existed has none, and loads as it did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plausibility: Vec<PlausibilityRule>,
}

/// A code with the label people read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    /// Stable code used in data.
    pub code: String,
    /// Chinese label.
    pub label: String,
    /// Articles of the guideline this item rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<u32>,
}

/// One field of the annual report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// The JSON key in a submission payload.
    pub name: String,
    /// The field's type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Chinese label.
    pub label: String,
    /// Articles of the guideline this field reports on.
    #[serde(default)]
    pub articles: Vec<u32>,
    /// Smallest allowed value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Whether `min` itself is excluded (a value must be greater).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub min_exclusive: bool,
    /// Largest allowed value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Another integer field this one may not exceed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_field: Option<String>,
    /// Unit shown beside a number, e.g. 万元.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The allowed members of a set field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Labelled>,
}

/// The type of a report field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// true or false.
    Bool,
    /// A whole number; a JSON number with a fraction (even `50.0`) is refused.
    Integer,
    /// Any finite number.
    Decimal,
    /// A list of distinct members drawn from `members`.
    Set,
}

/// A grade band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    /// The grade, e.g. `A`.
    pub grade: String,
    /// Chinese name.
    pub name: String,
    /// The lowest total (compared at `comparison_decimals`) that earns it.
    pub min: f64,
}

/// Parameters of the uncertainty analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintyParams {
    /// Default number of draws.
    pub draws: u32,
    /// Lower bound of each dimension's weight multiplier.
    pub multiplier_low: f64,
    /// Upper bound of each dimension's weight multiplier.
    pub multiplier_high: f64,
    /// Share of draws with another grade from which a body is borderline.
    pub borderline_share: f64,
}

/// A scheme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    /// The document is not JSON of the scheme's shape.
    #[error("方案格式错误 / malformed scheme at {path}: {message}")]
    Malformed {
        /// Where in the document.
        path: String,
        /// What serde said.
        message: String,
    },
    /// The document parsed but breaks the scheme's rules.
    #[error("方案有 {} 处问题 / scheme has {} problem(s): {}", .0.len(), .0.len(), crate::problem::join(.0))]
    Invalid(Vec<Problem>),
}

impl SchemeError {
    /// Every problem, as field-level problems (a malformed document gives one).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            SchemeError::Malformed { path, message } => vec![Problem::new(
                path.clone(),
                "malformed",
                format!("格式错误：{message}"),
                format!("malformed: {message}"),
            )],
            SchemeError::Invalid(problems) => problems.clone(),
        }
    }
}

impl Scheme {
    /// Parses a scheme document and checks it; every problem is listed.
    pub fn from_json(text: &str) -> Result<Scheme, SchemeError> {
        let deserializer = &mut serde_json::Deserializer::from_str(text);
        let scheme: Scheme =
            // serde quotes what it refused (an unknown variant, a string of the wrong type):
            // it is cut short so that a megabyte sent is not a megabyte answered.
            serde_path_to_error::deserialize(deserializer).map_err(|e| SchemeError::Malformed {
                path: crate::problem::shown_message(&e.path().to_string()),
                message: crate::problem::shown_message(&e.inner().to_string()),
            })?;
        let problems = check::check(&scheme);
        if problems.is_empty() {
            Ok(scheme)
        } else {
            Err(SchemeError::Invalid(problems))
        }
    }

    /// The default scheme of SCHEME.md.
    pub fn default_scheme() -> Scheme {
        // The embedded document is checked by this crate's tests; failing here is a build bug.
        #[allow(clippy::expect_used)]
        Scheme::from_json(DEFAULT_SCHEME_JSON).expect("the embedded default scheme is valid")
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The position of the field with this name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Every indicator, in scheme order, with its dimension.
    pub fn indicators(&self) -> impl Iterator<Item = (&Dimension, &Indicator)> {
        self.dimensions
            .iter()
            .flat_map(|d| d.indicators.iter().map(move |i| (d, i)))
    }

    /// The plausibility rule with this code.
    pub fn plausibility_rule(&self, code: &str) -> Option<&PlausibilityRule> {
        self.plausibility.iter().find(|r| r.code == code)
    }

    /// The deduction with this code.
    pub fn deduction(&self, code: &str) -> Option<&Deduction> {
        self.deductions.iter().find(|d| d.code == code)
    }

    /// The position of this grade among the bands (0 is the best).
    pub fn grade_index(&self, grade: &str) -> Option<usize> {
        self.grades.iter().position(|g| g.grade == grade)
    }

    /// The name of a warning level.
    pub fn level_name(&self, level: u8) -> &str {
        self.warning_levels
            .iter()
            .find(|l| l.level == level)
            .map_or("", |l| l.name.as_str())
    }

    /// The integer scale of comparisons: 10^comparison_decimals.
    pub fn comparison_scale(&self) -> f64 {
        10f64.powi(self.comparison_decimals as i32)
    }

    /// A total (or difference) as an integer at the comparison precision.
    pub fn comparison_key(&self, value: f64) -> i64 {
        (value * self.comparison_scale()).round() as i64
    }
}
