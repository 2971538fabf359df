//! Warning levels and risk-warning rules with their triggers (SCHEME.md §5).

use serde::{Deserialize, Serialize};

/// A warning level with its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningLevel {
    /// 1 (lowest) upwards.
    pub level: u8,
    /// Chinese name, e.g. 严重警示.
    pub name: String,
}

/// A risk-warning rule (SCHEME.md §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRule {
    /// Code, e.g. `W1.late_report`.
    pub code: String,
    /// The level it triggers.
    pub level: u8,
    /// Chinese name of the finding.
    pub name: String,
    /// When it fires.
    pub trigger: Trigger,
    /// Articles it rests on.
    #[serde(default)]
    pub articles: Vec<u32>,
}

/// What fires a warning rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Any veto.
    Veto,
    /// At least `at_least` incidents counted by a deduction (before its cap).
    Incidents {
        /// The deduction's code.
        deduction: String,
        /// How many incidents it takes.
        at_least: u32,
    },
    /// A submitted body with this grade.
    Grade {
        /// The grade.
        grade: String,
        /// Only when the body has no veto.
        #[serde(default)]
        without_veto: bool,
    },
    /// No report submitted.
    NotSubmitted,
    /// This grade and a total at least `points` below the previous year's final total.
    Decline {
        /// The grade.
        grade: String,
        /// The fall in points.
        points: f64,
    },
}

impl Trigger {
    /// Whether the rule rests only on the total or the grade (and so on the weighting), which
    /// makes a borderline body's warning need review (SCHEME.md §6).
    pub fn depends_on_total(&self) -> bool {
        matches!(self, Trigger::Grade { .. } | Trigger::Decline { .. })
    }
}
