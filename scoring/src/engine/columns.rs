//! Names of the result table's columns, derived once from the scheme.

use crate::scheme::{Scheme, ValueSource};

/// Row position in the input.
pub const IDX: &str = "idx";
/// Category as a small integer.
pub const CATEGORY: &str = "category";
/// Whether the body's report counts.
pub const SUBMITTED: &str = "submitted";
/// The previous year's final total.
pub const PREVIOUS_TOTAL: &str = "previous_total";
/// Sum of indicator points.
pub const POINTS_SUM: &str = "points_sum";
/// Sum of (negative) deductions.
pub const DEDUCTION_SUM: &str = "deduction_sum";
/// Whether any veto applies.
pub const VETOED: &str = "vetoed";
/// The total, unrounded; null without a report.
pub const TOTAL: &str = "total";
/// The total at comparison precision, as an integer.
pub const TOTAL_KEY: &str = "total_key";
/// Position of the grade in the scheme's bands (0 is the best).
pub const GRADE: &str = "grade";
/// Overall competition rank.
pub const RANK: &str = "rank";
/// Competition rank within the category.
pub const CATEGORY_RANK: &str = "category_rank";
/// The highest warning level that fires, 0 for none.
pub const LEVEL: &str = "warning_level";

/// The per-scheme columns: one set per field, indicator, dimension, deduction, veto and rule.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Input column per scheme field (`None` for fields no indicator reads).
    pub fields: Vec<Option<String>>,
    /// Per indicator in scheme order: (value column, points column). The value column of an
    /// indicator that reads a field as it is (or a set's count) is that field's own column;
    /// only ratios get a column of their own.
    pub indicators: Vec<(String, String)>,
    /// Per dimension: subtotal column.
    pub dimensions: Vec<String>,
    /// Per deduction: (incident count column, points column).
    pub deductions: Vec<(String, String)>,
    /// Per veto: incident count column.
    pub vetoes: Vec<String>,
    /// Per warning rule: whether it fires.
    pub warnings: Vec<String>,
}

impl Columns {
    /// Names every column of the scheme.
    pub fn new(scheme: &Scheme) -> Columns {
        let mut fields = vec![None; scheme.fields.len()];
        for (_, indicator) in scheme.indicators() {
            let names: Vec<&String> = match &indicator.value {
                ValueSource::Field(f) | ValueSource::Count(f) => vec![f],
                ValueSource::Ratio(r) => vec![&r.numerator, &r.denominator],
            };
            for name in names {
                if let Some(i) = scheme.field_index(name) {
                    fields[i] = Some(format!("f.{name}"));
                }
            }
        }
        Columns {
            fields,
            indicators: scheme
                .indicators()
                .map(|(_, i)| {
                    let value = match &i.value {
                        ValueSource::Field(f) | ValueSource::Count(f) => format!("f.{f}"),
                        ValueSource::Ratio(_) => format!("v.{}", i.code),
                    };
                    (value, format!("p.{}", i.code))
                })
                .collect(),
            dimensions: scheme
                .dimensions
                .iter()
                .map(|d| format!("d.{}", d.code))
                .collect(),
            deductions: scheme
                .deductions
                .iter()
                .map(|d| (format!("n.{}", d.code), format!("x.{}", d.code)))
                .collect(),
            vetoes: scheme
                .vetoes
                .iter()
                .map(|v| format!("n.{}", v.code))
                .collect(),
            warnings: scheme
                .warnings
                .iter()
                .map(|w| format!("w.{}", w.code))
                .collect(),
        }
    }

    /// The input column of the field with this name.
    pub fn field(&self, scheme: &Scheme, name: &str) -> Option<&str> {
        scheme
            .field_index(name)
            .and_then(|i| self.fields[i].as_deref())
    }
}
