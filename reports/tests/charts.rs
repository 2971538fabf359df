//! Every chart is well-formed SVG with its Chinese title, axis labels and legend.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use pubeval_reports::charts::{self, TrendPoint, median};
use pubeval_reports::{ChartName, ReportError};
use pubeval_scoring::{Category, Scheme};

/// The document's text nodes, trimmed, after checking that it parses as SVG.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

fn has(texts: &[String], wanted: &str) {
    assert!(
        texts.iter().any(|t| t == wanted),
        "no text {wanted:?} in {texts:?}"
    );
}

/// Rectangles filled with a colour (plotters writes `fill="#RRGGBB"`).
fn rects_filled(svg: &str, fill: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
        .count()
}

#[test]
fn grade_distribution_counts_every_grade() {
    let scored = common::scored(400, 5);
    let svg = charts::grade_distribution(&scored.scheme, &scored.rows).unwrap();
    let t = texts(&svg);
    has(&t, "等级分布");
    has(&t, "等级");
    has(&t, "机构数（家）");
    for label in ["A（优秀）", "B（良好）", "C（一般）", "D（较差）", "未报送"] {
        has(&t, label);
    }
    for band in &scored.scheme.grades {
        let count = scored
            .rows
            .iter()
            .filter(|r| r.grade.as_deref() == Some(band.grade.as_str()))
            .count();
        has(&t, &count.to_string());
    }
    let absent = scored.rows.iter().filter(|r| !r.submitted).count();
    assert!(absent > 0);
    has(&t, &absent.to_string());
}

#[test]
fn score_histogram_has_bins_of_five_points() {
    let scored = common::scored(400, 5);
    let svg = charts::score_histogram(&scored.scheme, &scored.rows).unwrap();
    let t = texts(&svg);
    has(&t, "总分分布（每 5 分一组）");
    has(&t, "总分（分）");
    has(&t, "机构数（家）");
    has(&t, "机构数");
    has(&t, "等级分界线");
    has(&t, "A≥90");
    has(&t, "C≥60");
    // 100 points in bins of 5, plus the legend's swatch.
    assert_eq!(rects_filled(&svg, "#1F5FBF"), 20 + 1);
}

#[test]
fn dimension_profile_groups_bars_by_category() {
    let scored = common::scored(400, 5);
    let svg = charts::dimension_profile(&scored.scheme, &scored.results).unwrap();
    let t = texts(&svg);
    has(&t, "各维度平均得分率（按机构类别）");
    has(&t, "评价维度");
    has(&t, "平均得分率（%）");
    for d in &scored.scheme.dimensions {
        has(&t, &d.name);
    }
    let shares = charts::dimension_shares(&scored.scheme, &scored.results);
    assert_eq!(shares.len(), 3, "every category has reports");
    for group in &shares {
        has(
            &t,
            &format!("{}（{} 家）", group.category.label(), group.bodies),
        );
        let expected = scored
            .results
            .iter()
            .filter(|r| r.category == group.category && r.submitted)
            .count();
        assert_eq!(group.bodies, expected);
        assert!(group.shares.iter().all(|s| (0.0..=100.0).contains(s)));
    }
    // Five dimensions times three categories, plus three legend swatches.
    assert_eq!(rects_filled(&svg, "#1F77B4"), 5 + 1);
    assert_eq!(rects_filled(&svg, "#FF7F0E"), 5 + 1);
    assert_eq!(rects_filled(&svg, "#2CA02C"), 5 + 1);
}

#[test]
fn dimension_shares_are_averages_of_body_shares() {
    let scored = common::scored(200, 9);
    let shares = charts::dimension_shares(&scored.scheme, &scored.results);
    let service = shares
        .iter()
        .find(|g| g.category == Category::Service)
        .unwrap();
    let d = &scored.scheme.dimensions[1];
    let bodies: Vec<f64> = scored
        .results
        .iter()
        .filter(|r| r.category == Category::Service && r.submitted)
        .map(|r| 100.0 * r.dimensions.as_ref().unwrap()[d.code.as_str()] / d.max)
        .collect();
    let mean = bodies.iter().sum::<f64>() / bodies.len() as f64;
    assert!((service.shares[1] - mean).abs() < 1e-9);
}

#[test]
fn radar_compares_a_body_with_its_category() {
    let scored = common::scored(300, 5);
    let mut body = scored
        .results
        .iter()
        .find(|r| r.submitted && r.category == Category::Product)
        .unwrap()
        .clone();
    body.name = "<甲&乙> 认证".to_string();
    let svg = charts::body_radar(&scored.scheme, &body, &scored.results).unwrap();
    let t = texts(&svg);
    has(&t, "<甲&乙> 认证：各维度得分率与同类机构平均对比");
    has(&t, "<甲&乙> 认证");
    let bodies = scored
        .results
        .iter()
        .filter(|r| r.category == Category::Product && r.submitted)
        .count();
    has(&t, &format!("产品认证机构平均（{bodies} 家）"));
    for d in &scored.scheme.dimensions {
        has(&t, &d.name);
    }
    has(&t, "100%");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let polygons = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon"))
        .count();
    assert_eq!(polygons, 2, "the body and the average");

    let absent = scored.results.iter().find(|r| !r.submitted).unwrap();
    match charts::body_radar(&scored.scheme, absent, &scored.results) {
        Err(ReportError::NoData { zh, .. }) => assert!(zh.contains("未报送")),
        other => panic!("expected NoData, got {other:?}"),
    }
}

#[test]
fn trend_shows_the_years_the_body_and_the_median() {
    let scheme = Scheme::default_scheme();
    let points = [
        TrendPoint {
            year: 2024,
            total: Some(82.5),
            median: Some(78.0),
        },
        TrendPoint {
            year: 2022,
            total: Some(70.25),
            median: Some(75.5),
        },
        TrendPoint {
            year: 2023,
            total: None,
            median: Some(77.0),
        },
        TrendPoint {
            year: 2025,
            total: Some(91.0),
            median: Some(80.0),
        },
    ];
    let svg = charts::body_trend(&scheme, "华信 & <认证>", "管理体系认证机构", &points).unwrap();
    let t = texts(&svg);
    has(&t, "华信 & <认证>：历年总分走势");
    has(&t, "华信 & <认证>");
    has(&t, "管理体系认证机构中位数");
    has(&t, "评价年度");
    has(&t, "总分（分）");
    for year in ["2022年", "2023年", "2024年", "2025年"] {
        has(&t, year);
    }
    has(&t, "未报送");
    for value in ["70.25", "82.50", "91.00"] {
        has(&t, value);
    }
    assert!(!t.iter().any(|s| s == "2022.5年" || s == "2021年"));

    assert!(matches!(
        charts::body_trend(&scheme, "x", "全部机构", &[]),
        Err(ReportError::NoData { .. })
    ));
}

#[test]
fn a_single_year_trend_draws() {
    let scheme = Scheme::default_scheme();
    let svg = charts::body_trend(
        &scheme,
        "华信认证有限公司",
        "全部机构",
        &[TrendPoint {
            year: 2025,
            total: Some(88.0),
            median: Some(80.0),
        }],
    )
    .unwrap();
    let t = texts(&svg);
    has(&t, "2025年");
    has(&t, "88.00");
}

#[test]
fn charts_of_nothing() {
    let scheme = Scheme::default_scheme();
    // Empty counts still draw: an evaluation of no bodies has a distribution of zeros.
    texts(&charts::grade_distribution(&scheme, &[]).unwrap());
    texts(&charts::score_histogram(&scheme, &[]).unwrap());
    assert!(matches!(
        charts::dimension_profile(&scheme, &[]),
        Err(ReportError::NoData { .. })
    ));
}

#[test]
fn chart_names() {
    for chart in ChartName::ALL {
        assert_eq!(chart.as_str().parse::<ChartName>().unwrap(), chart);
        assert_eq!(chart.to_string(), chart.as_str());
        assert!(!chart.title().is_empty());
    }
    assert_eq!(ChartName::GradeDistribution.as_str(), "grade_distribution");
    assert_eq!(ChartName::ScoreHistogram.as_str(), "score_histogram");
    assert_eq!(ChartName::DimensionProfile.as_str(), "dimension_profile");
    assert_eq!(ChartName::BodyRadar.as_str(), "body_radar");
    assert_eq!(ChartName::BodyTrend.as_str(), "body_trend");
    let needing: Vec<ChartName> = ChartName::ALL
        .into_iter()
        .filter(|c| c.needs_body())
        .collect();
    assert_eq!(needing, [ChartName::BodyRadar, ChartName::BodyTrend]);
    assert!("pie".parse::<ChartName>().is_err());
}

#[test]
fn medians() {
    assert_eq!(median([]), None);
    assert_eq!(median([3.0]), Some(3.0));
    assert_eq!(median([5.0, 1.0, 3.0]), Some(3.0));
    assert_eq!(median([4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median([f64::NAN, 2.0]), Some(2.0));
}
