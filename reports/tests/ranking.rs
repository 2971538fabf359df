//! The ranking exports read back with independent readers.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use pubeval_reports::{Ranking, RankingFormat, RankingRow};
use pubeval_scoring::{Category, Scheme};

const HEADERS: [&str; 13] = [
    "排名",
    "批准号",
    "机构名称",
    "类别",
    "省份",
    "总分",
    "等级",
    "类别排名",
    "风险警示级别",
    "风险警示",
    "等级临界",
    "总分（完整精度）",
    "机构编号",
];

fn ranking<'a>(scheme: &'a Scheme, rows: &'a [RankingRow]) -> Ranking<'a> {
    let mut r = Ranking::new("2025年度认证机构宣传工作评价结果", scheme, rows);
    r.subtitle = Some("公示稿 & 征求意见".to_string());
    r
}

#[test]
fn json_round_trips_with_the_exact_field_names() {
    let scheme = Scheme::default_scheme();
    let rows = common::awkward_rows();
    let json = ranking(&scheme, &rows).to_json().unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let items = value["items"].as_array().unwrap();
    assert_eq!(items.len(), rows.len());
    let first = items[0].as_object().unwrap();
    for key in [
        "body_id",
        "approval_no",
        "name",
        "category",
        "province",
        "total",
        "grade",
        "rank",
        "category_rank",
        "warning_level",
    ] {
        assert!(first.contains_key(key), "missing {key}");
    }
    assert_eq!(first["category"], "management_system");
    // Full precision, not rounded for display.
    assert_eq!(first["total"].as_f64(), Some(93.456_789_012_3));
    assert_eq!(items[3]["total"], serde_json::Value::Null);
    assert_eq!(items[3]["rank"], serde_json::Value::Null);
    // Same order, same values.
    let back: Vec<RankingRow> = serde_json::from_value(value["items"].clone()).unwrap();
    assert_eq!(back, rows);
}

#[test]
fn csv_has_a_bom_chinese_headers_and_reads_back() {
    let scored = common::scored(300, 7);
    let bytes = ranking(&scored.scheme, &scored.rows).to_csv().unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, HEADERS);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), scored.rows.len());
    let mut absent = 0;
    for (record, row) in records.iter().zip(&scored.rows) {
        assert_eq!(&record[1], row.approval_no);
        assert_eq!(&record[2], row.name);
        assert_eq!(&record[3], row.category.label());
        assert_eq!(&record[4], row.province);
        assert_eq!(&record[12], row.body_id);
        assert_eq!(&record[8], row.warning_level.to_string());
        match row.total {
            Some(total) => {
                assert_eq!(&record[0], row.rank.unwrap().to_string());
                assert_eq!(&record[5], format!("{total:.2}"));
                assert_eq!(record[11].parse::<f64>().unwrap(), total, "full precision");
                assert_eq!(&record[6], row.grade.as_deref().unwrap());
                assert_eq!(&record[7], row.category_rank.unwrap().to_string());
            }
            None => {
                absent += 1;
                assert_eq!(&record[0], "");
                assert_eq!(&record[5], "未报送");
                assert_eq!(&record[11], "");
            }
        }
    }
    assert!(absent > 0, "the fixture has bodies without a report");
}

#[test]
fn csv_quotes_awkward_names() {
    let scheme = Scheme::default_scheme();
    let rows = common::awkward_rows();
    let mut with_comma = rows.clone();
    with_comma[0].name = "甲, \"乙\" 认证".to_string();
    let bytes = ranking(&scheme, &with_comma).to_csv().unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&records[0][2], "甲, \"乙\" 认证");
    assert_eq!(&records[1][2], rows[1].name);
    assert_eq!(&records[2][9], "警示");
    assert_eq!(&records[1][10], "是");
    assert_eq!(&records[2][5], "59.99");
}

fn cell_text(data: &Data) -> String {
    match data {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn xlsx_reads_back_with_sheets_headers_and_values() {
    let scored = common::scored(300, 11);
    let bytes = ranking(&scored.scheme, &scored.rows).to_xlsx().unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        vec![
            "全部排名",
            "管理体系认证",
            "产品认证",
            "服务认证",
            "评价指标体系"
        ]
    );

    let all = workbook.worksheet_range("全部排名").unwrap();
    assert_eq!(all.height(), scored.rows.len() + 1);
    let header: Vec<String> = (0..13)
        .map(|c| cell_text(all.get((0, c)).unwrap()))
        .collect();
    assert_eq!(header, HEADERS);
    for (i, row) in scored.rows.iter().enumerate() {
        let at = |c: usize| all.get((i + 1, c)).unwrap();
        assert_eq!(cell_text(at(2)), row.name);
        assert_eq!(cell_text(at(3)), row.category.label());
        match row.total {
            Some(total) => {
                assert_eq!(at(0), &Data::Float(f64::from(row.rank.unwrap())));
                assert_eq!(at(5), &Data::Float(total), "numbers keep full precision");
                assert_eq!(at(11), &Data::Float(total));
                assert_eq!(cell_text(at(6)), row.grade.clone().unwrap());
            }
            None => {
                assert_eq!(at(0), &Data::Empty);
                assert_eq!(cell_text(at(5)), "未报送");
            }
        }
    }

    for category in Category::ALL {
        let sheet = workbook.worksheet_range(category.label()).unwrap();
        let expected: Vec<&RankingRow> = scored
            .rows
            .iter()
            .filter(|r| r.category == category)
            .collect();
        assert_eq!(sheet.height(), expected.len() + 1, "{}", category.label());
        assert_eq!(cell_text(sheet.get((0, 0)).unwrap()), "排名");
        for (i, row) in expected.iter().enumerate() {
            assert_eq!(cell_text(sheet.get((i + 1, 12)).unwrap()), row.body_id);
        }
    }

    let scheme_sheet = workbook.worksheet_range("评价指标体系").unwrap();
    assert_eq!(cell_text(scheme_sheet.get((0, 3)).unwrap()), "指标代码");
    let first = scored.scheme.dimensions[0].indicators[0].clone();
    assert_eq!(cell_text(scheme_sheet.get((1, 3)).unwrap()), first.code);
    assert_eq!(cell_text(scheme_sheet.get((1, 4)).unwrap()), first.name);
    assert_eq!(
        cell_text(scheme_sheet.get((1, 5)).unwrap()),
        pubeval_scoring::scheme::text::describe_rule(&first.rule)
    );
    assert_eq!(
        cell_text(scheme_sheet.get((1, 7)).unwrap()),
        pubeval_scoring::scheme::format_articles(&first.articles)
    );
    let indicators = scored.scheme.indicators().count();
    assert_eq!(
        cell_text(scheme_sheet.get((indicators + 1, 0)).unwrap()),
        "合计"
    );
    assert_eq!(
        scheme_sheet.get((indicators + 1, 2)).unwrap(),
        &Data::Float(scored.scheme.total_max)
    );

    // Layout, read from the sheet's XML: frozen header row, number formats, widths.
    let sheet1 = unzip(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains(r#"<pane ySplit="1" topLeftCell="A2""#),
        "frozen header row"
    );
    assert!(sheet1.contains("<autoFilter"));
    let styles = unzip(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.00""#));
    for fill in ["FFC6EFCE", "FFDDEBF7", "FFFFEB9C", "FFFFC7CE"] {
        assert!(styles.contains(fill), "grade fill {fill}");
    }
}

/// The width the sheet gives to a column (1-based), from `<col min= max= width=>`.
fn column_width(sheet_xml: &str, column: usize) -> f64 {
    let doc = roxmltree::Document::parse(sheet_xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("col"))
        .find(|n| {
            let min: usize = n.attribute("min").unwrap().parse().unwrap();
            let max: usize = n.attribute("max").unwrap().parse().unwrap();
            (min..=max).contains(&column)
        })
        .map(|n| n.attribute("width").unwrap().parse().unwrap())
        .unwrap()
}

#[test]
fn xlsx_column_widths_count_chinese_characters_double() {
    let scheme = Scheme::default_scheme();
    let mut rows = common::awkward_rows();
    rows[0].name = "中".repeat(20);
    rows[1].name = "短名".to_string();
    let bytes = ranking(&scheme, &rows).to_xlsx().unwrap();
    let sheet1 = unzip(&bytes, "xl/worksheets/sheet1.xml");
    // Excel stores a width in characters plus about 0.71 of padding.
    let near = |column: usize, chars: f64| {
        let width = column_width(&sheet1, column);
        assert!(
            (chars + 0.5..chars + 1.0).contains(&width),
            "column {column}: {width}, expected {chars} characters"
        );
    };
    // 20 CJK characters are 40 columns wide, plus a margin of 2.
    near(3, 42.0);
    // `CNCA-R-2010-001` is 15 wide, wider than its header 批准号 (6).
    near(2, 17.0);
    // The header 总分（完整精度） is 16 wide, wider than any total.
    near(12, 18.0);
    // Very long text is capped at 60 (and wraps in the scheme sheet).
    rows[0].name = "长".repeat(50);
    let bytes = ranking(&scheme, &rows).to_xlsx().unwrap();
    let width = column_width(&unzip(&bytes, "xl/worksheets/sheet1.xml"), 3);
    assert!((62.5..63.0).contains(&width), "capped: {width}");
}

/// Decodes the entities an HTML escaper writes: named (`&amp;`) and numeric (`&#38;`).
fn unescape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').unwrap();
        let entity = &tail[1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = entity.strip_prefix('#').unwrap();
                let n = match code.strip_prefix('x') {
                    Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                    None => code.parse().unwrap(),
                };
                char::from_u32(n).unwrap()
            }
        };
        out.push(c);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn html_is_self_contained_and_escapes_names() {
    let scheme = Scheme::default_scheme();
    let rows = common::awkward_rows();
    let html = ranking(&scheme, &rows).to_html().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains(r#"<meta charset="utf-8">"#));
    assert!(html.contains("<h1>2025年度认证机构宣传工作评价结果</h1>"));
    // Escaped in the markup ...
    assert!(!html.contains("<script"), "a name must not open a script");
    assert!(!html.contains("</script>"));
    assert!(!html.contains(" & "), "a bare ampersand");
    // ... and the same text once decoded.
    let text = unescape(&html);
    assert!(text.contains("<script>alert(\"x\")</script> & 质量认证中心"));
    assert!(text.contains("公示稿 & 征求意见"));
    assert!(html.contains("华信认证有限公司"));
    assert!(html.contains("未报送"));
    assert!(html.contains("93.46"));
    assert!(html.contains("警示"));
    assert!(html.contains(r#"class="center good""#));
    assert!(html.contains(r#"class="center poor""#));
    assert!(html.contains("@media print"));
    // No external resources.
    for needle in ["http://", "https://", "<link", "src=", "url("] {
        assert!(!html.contains(needle), "external resource: {needle}");
    }
}

#[test]
fn every_format_renders_with_its_media_type() {
    let scheme = Scheme::default_scheme();
    let rows = common::awkward_rows();
    let r = ranking(&scheme, &rows);
    for format in RankingFormat::ALL {
        let bytes = r.render(format).unwrap();
        assert!(!bytes.is_empty());
        assert_eq!(format.as_str().parse::<RankingFormat>().unwrap(), format);
        assert!(!format.media_type().is_empty());
    }
    assert!(
        "pdf".parse::<RankingFormat>().is_err(),
        "PDF is not a ranking format yet"
    );
    assert_eq!(&r.render(RankingFormat::Xlsx).unwrap()[..2], b"PK");
}

#[test]
fn rows_come_from_results() {
    let scored = common::scored(50, 3);
    for (row, result) in scored.rows.iter().zip(&scored.results) {
        assert_eq!(row.body_id, result.body_id);
        assert_eq!(row.total, result.total);
        assert_eq!(row.warning_level, result.warning_level());
        assert_eq!(row.submitted, result.submitted);
        assert!(!row.province.is_empty());
    }
}
