//! Writes every ranking format and chart of a synthetic evaluation into a folder, to look at:
//! `cargo run -p pubeval-reports --example samples -- /tmp/pubeval-samples [bodies]`.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use pubeval_reports::charts::{self, TrendPoint, median};
use pubeval_reports::{Ranking, RankingFormat, RankingRow};
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::{Engine, ResultOptions, Scheme, ScoreInput};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "pubeval-samples".to_string()));
    let n: usize = args.next().map_or(Ok(2000), |s| s.parse())?;
    std::fs::create_dir_all(&dir)?;

    let scheme = Scheme::default_scheme();
    let engine = Engine::new(Arc::new(scheme.clone()));
    let population = Population::generate(n, 42);
    let mut previous = population.previous_totals(2021, 42);
    let mut years = Vec::new();
    for year in 2021..=2025 {
        let data = population.year(&scheme, year, 42);
        let bodies = population.inputs(data.reports, &previous);
        let input = ScoreInput {
            year,
            bodies: &bodies,
            incidents: &data.incidents,
        };
        let table = engine.score(&input)?;
        previous = table.totals()?;
        years.push((
            year,
            engine.results(&input, &table, ResultOptions::default())?,
        ));
    }
    let (year, results) = years.last().ok_or("no year")?;
    let rows: Vec<RankingRow> = results
        .iter()
        .map(|r| {
            let province = population
                .bodies
                .iter()
                .find(|b| b.body_id == r.body_id)
                .map_or("", |b| b.province);
            RankingRow::from_result(r, province)
        })
        .collect();
    let mut ranking = Ranking::new(
        format!("{year}年度认证机构宣传工作评价结果"),
        &scheme,
        &rows,
    );
    ranking.subtitle = Some(format!(
        "（公示稿）评价方案：{} 第 {} 版",
        scheme.code, scheme.version
    ));
    for format in RankingFormat::ALL {
        let path = dir.join(format!("ranking.{}", format.as_str()));
        std::fs::write(&path, ranking.render(format)?)?;
        println!("{}", path.display());
    }

    let body = results.iter().find(|r| r.submitted).ok_or("no body")?;
    let trend: Vec<TrendPoint> = years
        .iter()
        .map(|(year, results)| TrendPoint {
            year: *year,
            total: results
                .iter()
                .find(|r| r.body_id == body.body_id)
                .and_then(|r| r.total),
            median: median(results.iter().filter_map(|r| r.total)),
        })
        .collect();
    let charts = [
        (
            "grade_distribution",
            charts::grade_distribution(&scheme, &rows)?,
        ),
        ("score_histogram", charts::score_histogram(&scheme, &rows)?),
        (
            "dimension_profile",
            charts::dimension_profile(&scheme, results)?,
        ),
        ("body_radar", charts::body_radar(&scheme, body, results)?),
        (
            "body_trend",
            charts::body_trend(&scheme, &body.name, "全部机构", &trend)?,
        ),
    ];
    for (name, svg) in charts {
        let path = dir.join(format!("{name}.svg"));
        std::fs::write(&path, svg)?;
        println!("{}", path.display());
    }
    Ok(())
}
