//! Test data for the plausibility checks: last year's report as a lightly perturbed copy of
//! this year's, and reports inflated the ways a body might inflate them (a figure ×20, the
//! budget at a fifth of revenue, original posts far beyond what the staff could write).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::payload::{FieldValue, Payload};
use crate::scheme::{FieldType, Scheme};

/// The random stream [`perturbed`] draws from, from a seed.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A copy of `report` with every number moved by a few percent (bools and sets as they are):
/// what a body that changed little would have reported the year before.
pub fn perturbed(scheme: &Scheme, report: &Payload, rng: &mut ChaCha8Rng) -> Payload {
    let mut values = report.values().to_vec();
    for (field, value) in scheme.fields.iter().zip(values.iter_mut()) {
        let factor = rng.random_range(0.85..1.18);
        *value = match (*value, field.field_type) {
            (FieldValue::Integer(i), FieldType::Integer) => {
                FieldValue::Integer(((i as f64) * factor).round() as i64)
            }
            (FieldValue::Decimal(d), FieldType::Decimal) => {
                FieldValue::Decimal(((d * factor) * 100.0).round() / 100.0)
            }
            (other, _) => other,
        };
        *value = clamp(field, *value);
    }
    keep_resolved_within_received(scheme, &mut values);
    Payload::from_values(values)
}

fn clamp(field: &crate::scheme::FieldDef, value: FieldValue) -> FieldValue {
    let lo = field.min.unwrap_or(f64::MIN);
    let hi = field.max.unwrap_or(f64::MAX);
    match value {
        FieldValue::Integer(i) => FieldValue::Integer((i as f64).clamp(lo, hi) as i64),
        FieldValue::Decimal(d) => {
            let d = d.clamp(lo, hi);
            // An exclusive minimum (revenue > 0) stays above it.
            FieldValue::Decimal(if field.min_exclusive && d <= lo {
                lo + 0.01
            } else {
                d
            })
        }
        other => other,
    }
}

/// Every `max_field` bound (resolved complaints within those received) kept after a change.
fn keep_resolved_within_received(scheme: &Scheme, values: &mut [FieldValue]) {
    for (i, field) in scheme.fields.iter().enumerate() {
        let Some(j) = field
            .max_field
            .as_deref()
            .and_then(|m| scheme.field_index(m))
        else {
            continue;
        };
        if let (FieldValue::Integer(v), FieldValue::Integer(max)) = (values[i], values[j])
            && v > max
        {
            values[i] = FieldValue::Integer(max);
        }
    }
}

/// How a report is inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inflation {
    /// A number field ×20.
    Times20(&'static str),
    /// The publicity budget set to 20% of revenue.
    BudgetShare,
    /// Original posts set to 2,500 per dedicated staff member.
    PostsPerStaff,
}

impl Inflation {
    /// The field the inflation changes.
    pub fn field(self) -> &'static str {
        match self {
            Inflation::Times20(f) => f,
            Inflation::BudgetShare => "publicity_budget_wan",
            Inflation::PostsPerStaff => "original_posts",
        }
    }
}

fn number(scheme: &Scheme, report: &Payload, name: &str) -> Option<f64> {
    report.get(scheme.field_index(name)?).as_number()
}

/// The report inflated, or `None` when the inflation would change nothing worth the name (a
/// figure too small to grow visibly, no staff to write posts, no such field).
pub fn inflate(scheme: &Scheme, report: &Payload, how: Inflation) -> Option<Payload> {
    let index = scheme.field_index(how.field())?;
    let field = &scheme.fields[index];
    let mut values = report.values().to_vec();
    let new = match how {
        Inflation::Times20(_) => {
            let v = number(scheme, report, how.field())?;
            // ×20 of a small count is no inflation to speak of (1 → 20).
            if v < 20.0 {
                return None;
            }
            v * 20.0
        }
        Inflation::BudgetShare => 0.2 * number(scheme, report, "revenue_wan")?,
        Inflation::PostsPerStaff => {
            let staff = number(scheme, report, "dedicated_staff")?;
            if staff < 1.0 {
                return None;
            }
            2500.0 * staff
        }
    };
    values[index] = clamp(
        field,
        match field.field_type {
            FieldType::Integer => FieldValue::Integer(new.round() as i64),
            _ => FieldValue::Decimal((new * 100.0).round() / 100.0),
        },
    );
    Some(Payload::from_values(values))
}
