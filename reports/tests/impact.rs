//! The impact analysis rendered: the workbook's sheets hold every body and the transitions,
//! with CJK-wide columns and the same bytes for the same analysis; the charts are SVG with the
//! grade matrix's counts; the brief (with a CJK font) holds its title, the changes and the
//! indicator table.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use calamine::Reader;
use chrono::NaiveDate;
use pubeval_reports::charts::impact::{
    grade_matrix, grade_transition, rank_shift_histogram, total_scatter,
};
use pubeval_reports::impact::{ImpactData, impact_pdf, impact_xlsx};
use pubeval_reports::{FontSet, FontSource, Typesetter};
use pubeval_scoring::impact::{Impact, Side, compare};
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::{Engine, Scheme, ScoreInput};

const YEAR: i32 = 2025;

fn analysed(n: usize) -> (Scheme, Scheme, Impact) {
    let old = Scheme::default_scheme();
    let mut new = old.clone();
    new.version = 2;
    new.grades[1].min = 80.0;
    let population = Population::generate(n, 9);
    let previous = population.previous_totals(YEAR, 9);
    let year = population.year(&old, YEAR, 9);
    let bodies = population.inputs(year.reports, &previous);
    let input = ScoreInput {
        year: YEAR,
        bodies: &bodies,
        incidents: &year.incidents,
    };
    let (a, b) = (
        Engine::new(Arc::new(old.clone())),
        Engine::new(Arc::new(new.clone())),
    );
    let impact = compare(Side { engine: &a, input }, Side { engine: &b, input }).unwrap();
    (old, new, impact)
}

fn data<'a>(old: &'a Scheme, new: &'a Scheme, impact: &'a Impact) -> ImpactData<'a> {
    ImpactData {
        year: YEAR,
        scheme: new,
        baseline: old,
        impact,
        evaluation_id: "e-2025",
        input_digest: "0123456789abcdef0123456789abcdef",
        dated: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
    }
}

#[test]
fn the_workbook_holds_every_body_the_transitions_and_wide_chinese_columns() {
    let (old, new, impact) = analysed(200);
    let bytes = impact_xlsx(&data(&old, &new, &impact)).unwrap();
    assert_eq!(
        bytes,
        impact_xlsx(&data(&old, &new, &impact)).unwrap(),
        "same bytes"
    );
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["概要", "全部机构", "等级与警示变化", "指标"]
    );
    let bodies = book.worksheet_range("全部机构").unwrap();
    assert_eq!(bodies.height(), 201);
    assert_eq!(bodies.get_value((0, 2)).unwrap().to_string(), "机构名称");
    let moved = impact.grade_transitions.get("B->C").copied().unwrap();
    let changes = book.worksheet_range("等级与警示变化").unwrap();
    let rows: Vec<Vec<String>> = changes
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.first().map(String::as_str) == Some("B → C")
                && r.get(1) == Some(&moved.to_string())),
        "{rows:?}"
    );
    let indicators = book.worksheet_range("指标").unwrap();
    assert_eq!(indicators.height(), 24);
}

#[test]
fn the_charts_are_svg_and_the_matrix_counts_every_scored_body() {
    let (old, new, impact) = analysed(200);
    let matrix = grade_matrix(&old, &new, &impact);
    let counted: usize = matrix.iter().flatten().sum();
    assert_eq!(counted, impact.summary.scored);
    assert_eq!(matrix[1][2], impact.grade_transitions["B->C"]);
    for svg in [
        grade_transition(&old, &new, &impact).unwrap(),
        rank_shift_histogram(&impact).unwrap(),
        total_scatter(&new, &impact).unwrap(),
    ] {
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
    }
    let matrix_svg = grade_transition(&old, &new, &impact).unwrap();
    let doc = roxmltree::Document::parse(&matrix_svg).unwrap();
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(
        texts.contains(&matrix[1][2].to_string().as_str()),
        "{texts:?}"
    );
    assert!(texts.contains(&"B 级"), "{texts:?}");
}

#[test]
#[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
fn the_brief_holds_its_title_changes_and_indicators() {
    let (old, new, impact) = analysed(200);
    let fonts = FontSet::discover(&FontSource {
        path: None,
        system: true,
    })
    .unwrap();
    let pdf = impact_pdf(
        &data(&old, &new, &impact),
        &Typesetter::new(Arc::new(fonts)),
    )
    .unwrap();
    let text: String = pdf_extract::extract_text_from_mem(&pdf)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for expected in [
        "方案调整影响分析",
        "等级B的最低分由75调整为80",
        "四、各指标的有效权重",
        "D3.2",
        "2026年12月6日",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
}
