//! Fixtures: a scored synthetic population, and hand-made rows with awkward names.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use pubeval_reports::RankingRow;
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::{BodyResult, Category, Scheme};

/// A scored evaluation of a synthetic population.
pub struct Scored {
    /// The default scheme.
    pub scheme: Scheme,
    /// Results in ranking order.
    pub results: Vec<BodyResult>,
    /// The ranking rows, with provinces.
    pub rows: Vec<RankingRow>,
}

/// Scores `n` synthetic bodies for 2025, with explanations.
pub fn scored(n: usize, seed: u64) -> Scored {
    scored_with_draws(n, seed, 0)
}

/// A scored evaluation with explanations and the robustness analysis, as stored results are.
pub fn scored_in_full(n: usize, seed: u64) -> Scored {
    scored_with_draws(n, seed, 200)
}

fn scored_with_draws(n: usize, seed: u64, draws: u32) -> Scored {
    let scheme = Scheme::default_scheme();
    let population = Population::generate(n, seed);
    let results =
        pubeval_scoring::synthetic::scored_year(&population, &scheme, 2025, seed, draws).unwrap();
    let rows = results
        .iter()
        .map(|r| {
            let province = population
                .bodies
                .iter()
                .find(|b| b.body_id == r.body_id)
                .map(|b| b.province)
                .unwrap();
            RankingRow::from_result(r, province)
        })
        .collect();
    Scored {
        scheme,
        results,
        rows,
    }
}

/// Four hand-made rows in ranking order: one per grade band of interest, a name that needs
/// escaping, and a body without a report.
pub fn awkward_rows() -> Vec<RankingRow> {
    let row =
        |id: &str, name: &str, category, total: Option<f64>, grade: Option<&str>| RankingRow {
            body_id: id.to_string(),
            approval_no: format!("CNCA-R-2010-{}", &id[id.len() - 3..]),
            name: name.to_string(),
            category,
            province: "北京".to_string(),
            total,
            grade: grade.map(str::to_string),
            rank: None,
            category_rank: None,
            warning_level: 0,
            submitted: total.is_some(),
            borderline: false,
        };
    let mut rows = vec![
        row(
            "body-001",
            "华信认证有限公司",
            Category::ManagementSystem,
            Some(93.456_789_012_3),
            Some("A"),
        ),
        row(
            "body-002",
            "<script>alert(\"x\")</script> & 质量认证中心",
            Category::Product,
            Some(80.125),
            Some("B"),
        ),
        row(
            "body-003",
            "中启服务认证有限公司",
            Category::Service,
            Some(59.994),
            Some("D"),
        ),
        row(
            "body-004",
            "北方检测认证有限公司",
            Category::Product,
            None,
            None,
        ),
    ];
    for (i, r) in rows.iter_mut().enumerate().take(3) {
        r.rank = Some(i as u32 + 1);
        r.category_rank = Some(1);
    }
    rows[1].category_rank = Some(1);
    rows[1].borderline = true;
    rows[2].warning_level = 2;
    rows[3].warning_level = 1;
    rows
}
