//! Plausible certification bodies, reports and incidents, seeded and reproducible: the input of
//! benchmarks and the demo.
//!
//! A [`Population`] holds bodies with a latent diligence that persists across years; each
//! [`Population::year`] draws that year's reports and incidents from it, so a body that did well
//! last year tends to do well again, and a few decline.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal};

use crate::category::Category;
use crate::engine::BodyInput;
use crate::incident::{Incident, REGULATOR_TIMEZONE};
use crate::payload::{FieldValue, Payload};
use crate::scheme::{FieldType, Scheme};

mod names;
pub mod perturb;

/// The 31 provincial-level regions of the mainland.
pub const PROVINCES: [&str; 31] = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
];

/// Provinces weighted roughly by where certification bodies are registered.
const PROVINCE_WEIGHTS: [u32; 31] = [
    22, 4, 3, 2, 1, 3, 1, 1, 12, 8, 7, 3, 3, 1, 6, 3, 3, 2, 12, 1, 1, 2, 3, 1, 1, 1, 2, 1, 1, 1, 1,
];

/// A generated certification body.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticBody {
    /// Identifier.
    pub body_id: String,
    /// Name, unique and registry-like, e.g. 北京华信认证有限公司 or 苏州远航技术检测认证有限公司.
    pub name: String,
    /// Approval number, e.g. CNCA-R-2004-017.
    pub approval_no: String,
    /// Category.
    pub category: Category,
    /// Province.
    pub province: &'static str,
    /// Date of approval.
    pub approved_on: NaiveDate,
    /// Latent diligence in [0, 1]: how well it does its publicity work.
    pub diligence: f64,
}

/// A population of bodies.
#[derive(Debug, Clone)]
pub struct Population {
    /// The bodies.
    pub bodies: Vec<SyntheticBody>,
}

/// One year of generated data for a population.
#[derive(Debug, Clone)]
pub struct SyntheticYear {
    /// The evaluation year.
    pub year: i32,
    /// Per body (same order as the population): its report, or `None` when it did not submit.
    pub reports: Vec<Option<Payload>>,
    /// The year's incidents.
    pub incidents: Vec<Incident>,
}

impl Population {
    /// `n` bodies from `seed`.
    pub fn generate(n: usize, seed: u64) -> Population {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let province_total: u32 = PROVINCE_WEIGHTS.iter().sum();
        let mut per_year_seq = std::collections::HashMap::<i32, u32>::new();
        let mut taken = std::collections::HashSet::new();
        // Names draw from a stream of their own, so that their parts never shift the rest.
        let mut name_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4E41_4D45);
        let bodies = (0..n)
            .map(|i| {
                let mut pick = rng.random_range(0..province_total);
                let mut p = 0;
                while pick >= PROVINCE_WEIGHTS[p] {
                    pick -= PROVINCE_WEIGHTS[p];
                    p += 1;
                }
                let province = PROVINCES[p];
                let category = match rng.random_range(0..100) {
                    0..70 => Category::ManagementSystem,
                    70..92 => Category::Product,
                    _ => Category::Service,
                };
                let approval_year = rng.random_range(2002..=2023);
                let seq = per_year_seq.entry(approval_year).or_insert(0);
                *seq += 1;
                let approved_on = NaiveDate::from_ymd_opt(approval_year, 1, 1).unwrap_or_default()
                    + Duration::days(rng.random_range(0..365));
                let trade = rng.random_range(0..names::TRADE_NAMES.len());
                let kind = rng.random_range(0..names::NAME_SUFFIXES.len());
                let name = names::body_name(p, trade, kind, &mut name_rng, &mut taken);
                // Skewed towards diligent: most bodies do reasonable work, a tail does little.
                let diligence = rng.random::<f64>().powf(0.4);
                SyntheticBody {
                    body_id: format!("body-{:05}", i + 1),
                    name,
                    approval_no: format!("CNCA-R-{approval_year}-{seq:03}"),
                    category,
                    province,
                    approved_on,
                    diligence,
                }
            })
            .collect();
        Population { bodies }
    }

    /// The reports and incidents of `year`, from `seed`.
    pub fn year(&self, scheme: &Scheme, year: i32, seed: u64) -> SyntheticYear {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (year as u64).wrapping_mul(0x9E37_79B9));
        let dists = Dists::new();
        let mut reports = Vec::with_capacity(self.bodies.len());
        let mut incidents = Vec::new();
        for body in &self.bodies {
            let q = (body.diligence + dists.drift.sample(&mut rng)).clamp(0.0, 1.0);
            let submits = rng.random::<f64>() > 0.015 + 0.04 * (1.0 - q);
            reports.push(submits.then(|| report(scheme, q, &dists, &mut rng)));
            incidents_for(body, q, year, &mut rng, &mut incidents);
        }
        SyntheticYear {
            year,
            reports,
            incidents,
        }
    }

    /// The engine's input for one year: the bodies with `reports` (moved in, same order) and
    /// last year's totals where given.
    pub fn inputs(
        &self,
        reports: Vec<Option<Payload>>,
        previous: &[Option<f64>],
    ) -> Vec<BodyInput> {
        self.bodies
            .iter()
            .zip(reports)
            .enumerate()
            .map(|(i, (b, payload))| BodyInput {
                body_id: b.body_id.clone(),
                name: b.name.clone(),
                category: b.category,
                approval_no: Some(b.approval_no.clone()),
                payload,
                previous_total: previous.get(i).copied().flatten(),
            })
            .collect()
    }

    /// Plausible final totals of the year before `year`, without scoring it: most bodies have
    /// one, near what their diligence earns; bodies approved that year or later have none.
    pub fn previous_totals(&self, year: i32, seed: u64) -> Vec<Option<f64>> {
        use chrono::Datelike;
        let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(year as u64));
        let noise = Dists::new().previous;
        self.bodies
            .iter()
            .map(|b| {
                let had_result = b.approved_on.year() < year - 1 && rng.random::<f64>() < 0.97;
                had_result
                    .then(|| (35.0 + 60.0 * b.diligence + noise.sample(&mut rng)).clamp(0.0, 100.0))
            })
            .collect()
    }
}

/// A generated year scored as an evaluation stores it, for benchmarks and tests of what reads
/// results: every result in ranking order with its explanation and, with `draws` > 0, the
/// robustness analysis.
pub fn scored_year(
    population: &Population,
    scheme: &Scheme,
    year: i32,
    seed: u64,
    draws: u32,
) -> Result<Vec<crate::BodyResult>, crate::EngineError> {
    use std::sync::Arc;
    let synthetic = population.year(scheme, year, seed);
    let previous = population.previous_totals(year, seed);
    let bodies = population.inputs(synthetic.reports, &previous);
    let engine = crate::Engine::new(Arc::new(scheme.clone()));
    let input = crate::ScoreInput {
        year,
        bodies: &bodies,
        incidents: &synthetic.incidents,
    };
    let options = crate::Options {
        explain: true,
        draws,
        seed,
    };
    engine.evaluate(&input, &options)
}

/// The distributions values are drawn from.
struct Dists {
    /// A body's diligence moves a little from year to year.
    drift: Normal<f64>,
    /// Last year's total around what a body's diligence earns.
    previous: Normal<f64>,
    /// Multiplicative noise on counts.
    noise: LogNormal<f64>,
    /// Complaints received.
    complaints: LogNormal<f64>,
    /// Revenue in 万元 (median about 1,800).
    revenue: LogNormal<f64>,
}

impl Dists {
    #[allow(clippy::expect_used)] // constant parameters that are valid
    fn new() -> Dists {
        Dists {
            drift: Normal::new(0.0, 0.08).expect("valid parameters"),
            previous: Normal::new(0.0, 6.0).expect("valid parameters"),
            noise: LogNormal::new(0.0, 0.6).expect("valid parameters"),
            complaints: LogNormal::new(2.5, 1.2).expect("valid parameters"),
            revenue: LogNormal::new(7.5, 1.3).expect("valid parameters"),
        }
    }
}

/// A report of a body of diligence `q`: realistic values for the default scheme's fields, and
/// values within range for any other field.
fn report(scheme: &Scheme, q: f64, dists: &Dists, rng: &mut ChaCha8Rng) -> Payload {
    let mut values = Vec::with_capacity(scheme.fields.len());
    // Complaints are drawn first so that the resolved count can stay within them.
    let received = dists.complaints.sample(rng) as i64;
    for field in &scheme.fields {
        let count = |scale: f64, rng: &mut ChaCha8Rng| -> f64 {
            let noise = dists.noise.sample(rng);
            (scale * q.sqrt() * noise).floor()
        };
        let value = match (field.name.as_str(), field.field_type) {
            (_, FieldType::Bool) => FieldValue::Bool(rng.random::<f64>() < 0.45 + 0.54 * q),
            ("press_releases", _) => FieldValue::Integer(count(45.0, rng) as i64),
            ("original_posts", _) => FieldValue::Integer(count(380.0, rng) as i64),
            ("expert_interpretations", _) => FieldValue::Integer(count(5.0, rng) as i64),
            ("media_partnerships", _) => FieldValue::Integer(count(4.5, rng) as i64),
            ("dedicated_staff", _) => FieldValue::Integer(count(3.0, rng) as i64),
            ("public_welfare_activities", _) => FieldValue::Integer(count(6.0, rng) as i64),
            ("complaints_received", _) => FieldValue::Integer(received),
            ("complaints_resolved_on_time", _) => {
                let share = (0.45 + 0.55 * q + rng.random_range(-0.1..0.1)).clamp(0.0, 1.0);
                FieldValue::Integer(((received as f64) * share).round() as i64)
            }
            ("revenue_wan", _) => {
                FieldValue::Decimal((dists.revenue.sample(rng) * 100.0).round() / 100.0 + 1.0)
            }
            ("publicity_budget_wan", _) => {
                // Set relative to revenue below; a placeholder keeps the index.
                FieldValue::Decimal(0.0)
            }
            ("training_hours", _) => {
                FieldValue::Decimal(((20.0 * q * rng.random_range(0.5..1.4)) * 10.0).round() / 10.0)
            }
            (_, FieldType::Set) => {
                let mut bits = 0u64;
                for m in 0..field.members.len() {
                    if rng.random::<f64>() < 0.3 + 0.68 * q {
                        bits |= 1 << m;
                    }
                }
                FieldValue::Set(bits)
            }
            (_, FieldType::Integer) => {
                let hi = field.max.unwrap_or(100.0).min(100.0);
                FieldValue::Integer((hi * q * rng.random::<f64>()).floor() as i64)
            }
            (_, FieldType::Decimal) => {
                let lo = field.min.unwrap_or(0.0);
                FieldValue::Decimal(lo + 1.0 + 10.0 * q * rng.random::<f64>())
            }
        };
        let value = clamp_to_field(field, value);
        values.push(value);
    }
    if let (Some(b), Some(r)) = (
        scheme.field_index("publicity_budget_wan"),
        scheme.field_index("revenue_wan"),
    ) && let FieldValue::Decimal(revenue) = values[r]
    {
        let share = 0.007 * q * rng.random_range(0.3..1.3);
        values[b] = FieldValue::Decimal((revenue * share * 100.0).round() / 100.0);
    }
    Payload::from_values(values)
}

fn clamp_to_field(field: &crate::scheme::FieldDef, value: FieldValue) -> FieldValue {
    let lo = field.min.unwrap_or(f64::MIN);
    let hi = field.max.unwrap_or(f64::MAX);
    match value {
        FieldValue::Integer(i) => FieldValue::Integer((i as f64).clamp(lo, hi) as i64),
        FieldValue::Decimal(d) => FieldValue::Decimal(d.clamp(lo, hi)),
        other => other,
    }
}

/// Incidents of a body in `year`: rarer for diligent bodies; kinds in plausible proportions.
fn incidents_for(
    body: &SyntheticBody,
    q: f64,
    year: i32,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<Incident>,
) {
    let expected = 0.04 + 0.25 * (1.0 - q);
    let mut n = 0;
    while rng.random::<f64>() < expected / (1.0 + n as f64) {
        n += 1;
    }
    let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return;
    };
    for _ in 0..n {
        let (kind, severity) = match rng.random_range(0..1000) {
            0..480 => ("major_event", "general"),
            480..560 => ("major_event", "major"),
            560..700 => ("negative_opinion", "general"),
            700..770 => ("negative_opinion", "major"),
            770..850 => ("unauthorized_release", "general"),
            850..955 => ("administrative_penalty", "general"),
            955..970 => ("secret_leak", "major"),
            970..990 => ("false_publicity", "major"),
            _ => ("paid_deletion", "major"),
        };
        let local = start + Duration::minutes(rng.random_range(0..365 * 24 * 60));
        let occurred_at = REGULATOR_TIMEZONE
            .from_local_datetime(&local)
            .single()
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        let roll = rng.random::<f64>();
        let reported_at = if roll < 0.08 + 0.1 * (1.0 - q) {
            None
        } else if roll < 0.2 + 0.2 * (1.0 - q) {
            Some(occurred_at + Duration::minutes(rng.random_range(48 * 60 + 1..240 * 60)))
        } else {
            Some(occurred_at + Duration::minutes(rng.random_range(30..=48 * 60)))
        };
        out.push(Incident {
            id: Some(format!("{}-{year}-{}", body.body_id, out.len() + 1)),
            body_id: body.body_id.clone(),
            kind: kind.to_string(),
            severity: severity.to_string(),
            occurred_at,
            reported_at,
        });
    }
}
