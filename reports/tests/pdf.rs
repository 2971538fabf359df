//! The PDFs (typst) and PNG charts, set with the system's CJK font: the text extracted from each
//! PDF holds the document's Chinese strings and figures. They need a CJK font installed
//! (`.ci/run` installs fonts-noto-cjk), so they are ignored on a machine without one.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use pubeval_reports::charts::{PNG_SCALE, grade_distribution, svg_to_png};
use pubeval_reports::documents::{
    AnnualData, CohortFigures, IssuedWarning, LetterData, LetterStage, NoticeData, NoticeFinding,
    annual_pdf, letter_pdf, notice_pdf,
};
use pubeval_reports::{FontSet, FontSource, Typesetter};
use pubeval_scoring::scheme::format_points;

fn typesetter() -> &'static Typesetter {
    static TYPESETTER: OnceLock<Typesetter> = OnceLock::new();
    TYPESETTER.get_or_init(|| {
        let fonts = FontSet::discover(&FontSource {
            path: None,
            system: true,
        })
        .expect("a CJK font: apt-get install fonts-noto-cjk");
        Typesetter::new(Arc::new(fonts))
    })
}

/// The PDF's text without the spaces and line breaks extraction puts between glyph runs.
fn text_of(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_extract::extract_text_from_mem(pdf).expect("extractable text");
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_holds(text: &str, expected: &[&str]) {
    for e in expected {
        let e: String = e.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(text.contains(&e), "{e} missing from:\n{text}");
    }
}

fn notice() -> NoticeData {
    NoticeData {
        notice_no: "认宣警〔2026〕7号".into(),
        body_name: "华信认证有限公司".into(),
        approval_no: "CNCA-R-2002-004".into(),
        year: 2025,
        level: 2,
        level_name: "警示".into(),
        findings: vec![NoticeFinding {
            name: "要情迟报".into(),
            summary: "本年度迟报事件 1 起".into(),
            incidents: vec!["2025年5月1日 08:00发生“要情事件”（一般），事发 60 小时后报告".into()],
            articles: "第二十条".into(),
        }],
        issued_on: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        deadline: NaiveDate::from_ymd_opt(2026, 12, 26).unwrap(),
        defence_days: 5,
    }
}

#[test]
#[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
fn the_notice_pdf_holds_every_element() {
    let pdf = notice_pdf(&notice(), typesetter()).unwrap();
    // GB/T 9704's roles: Song text, bold Song title, Hei headings, each embedded as a subset.
    if typesetter().fonts().serif == "Noto Serif CJK SC" {
        for face in [
            "NotoSerifCJKsc-Regular",
            "NotoSerifCJKsc-Bold",
            "NotoSansCJKsc-Regular",
        ] {
            assert!(
                pdf.windows(face.len()).any(|w| w == face.as_bytes()),
                "{face} not embedded"
            );
        }
    }
    let text = text_of(&pdf);
    assert_holds(
        &text,
        &[
            "国家认证认可监督管理委员会",
            "认宣警〔2026〕7号",
            "关于对华信认证有限公司",
            "实施宣传工作风险警示的通知",
            "华信认证有限公司（批准号：CNCA-R-2002-004）：",
            "第三十二条",
            "2025年度",
            "第二级（警示）",
            "（一）要情迟报",
            "第二十条",
            "事发 60 小时后报告",
            "2026年12月26日前",
            "五个工作日",
            "陈述、申辩",
            "约谈",
            "2026年11月26日",
            "抄送",
            "印发",
            "—1—",
        ],
    );
}

#[test]
#[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
fn the_letter_pdf_gives_the_total_ranks_and_the_objection_deadline() {
    let scored = common::scored_in_full(120, 7);
    let result = scored.results.iter().find(|r| r.rank == Some(3)).unwrap();
    let ranked = scored.results.iter().filter(|r| r.rank.is_some()).count();
    let cohort = CohortFigures::of(&scored.scheme, &scored.results);
    let data = LetterData {
        scheme: &scored.scheme,
        result,
        cohort: &cohort,
        year: 2025,
        stage: LetterStage::PublicNotice {
            objection_deadline: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        },
        dated: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    let text = text_of(&letter_pdf(&data, typesetter()).unwrap());
    let total = format_points(result.total.unwrap());
    assert_holds(
        &text,
        &[
            "2025年度认证机构宣传工作",
            "评价结果告知书",
            &result.name,
            &format!("评价总分{total}分"),
            &format!("第3名（共{ranked}家）"),
            "各维度得分",
            "同类机构平均",
            "2026年12月10日前",
            "异议",
            "2026年11月27日",
        ],
    );
    let final_letter = LetterData {
        stage: LetterStage::Final,
        ..data
    };
    let text = text_of(&letter_pdf(&final_letter, typesetter()).unwrap());
    assert_holds(&text, &["本评价结果为最终结果"]);
}

#[test]
#[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
fn the_annual_report_pdf_has_every_chapter_and_the_scheme() {
    let scored = common::scored_in_full(200, 11);
    let warnings = vec![IssuedWarning {
        notice_no: "认宣警〔2026〕1号".into(),
        body_name: scored.rows.last().unwrap().name.clone(),
        level: 2,
        status: "已签发".into(),
        deadline: NaiveDate::from_ymd_opt(2026, 12, 26),
    }];
    let data = AnnualData {
        scheme: &scored.scheme,
        year: 2025,
        draft_stage: None,
        rows: &scored.rows,
        results: &scored.results,
        on_time: scored.rows.iter().filter(|r| r.submitted).count() - 3,
        warnings: &warnings,
        show_warnings: true,
        dated: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    let text = text_of(&annual_pdf(&data, typesetter()).unwrap());
    let first = &scored.rows[0];
    assert_holds(
        &text,
        &[
            "2025年度认证机构宣传工作",
            "评价报告",
            "本年度纳入评价的认证机构共 200 家",
            "经批准逾期补报的 3 家",
            "一、总体情况",
            "二、评价结果图示",
            "三、分类别情况",
            "四、排名靠前和靠后的机构",
            "五、风险警示通知书签发情况",
            "认宣警〔2026〕1号",
            "六、排名稳健性",
            "附件",
            "评价指标体系",
            &first.name,
            &format_points(first.total.unwrap()),
        ],
    );
    for (_, indicator) in scored.scheme.indicators() {
        assert_holds(&text, &[&indicator.name]);
    }
}

#[test]
#[ignore = "needs a CJK font (apt-get install fonts-noto-cjk)"]
fn png_charts_are_the_svg_at_twice_the_size() {
    let scored = common::scored(100, 3);
    let svg = grade_distribution(&scored.scheme, &scored.rows).unwrap();
    let png = svg_to_png(&svg, typesetter().fonts()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let svg_width: f32 = svg
        .split("width=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(width as f32, svg_width * PNG_SCALE);
}

#[test]
#[ignore = "needs fonts-noto-cjk"]
fn system_fonts_prefer_noto_serif_for_text_and_noto_sans_for_headings() {
    let fonts = FontSet::discover(&FontSource {
        path: None,
        system: true,
    })
    .unwrap();
    assert_eq!(fonts.serif, "Noto Serif CJK SC");
    assert_eq!(fonts.sans, "Noto Sans CJK SC");
}

#[test]
#[ignore = "needs fonts-noto-cjk"]
fn a_configured_font_wins_over_the_system_fonts() {
    let path = std::path::PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    let fonts = FontSet::discover(&FontSource {
        path: Some(path.clone()),
        system: true,
    })
    .unwrap();
    assert_eq!(fonts.serif, "Noto Sans CJK SC");
    assert_eq!(fonts.sans, "Noto Sans CJK SC");
    // Its bold face may come from the system: the same family.
    assert_eq!(fonts.files[0], path);
}
