//! The risk warning notice holds every element NOTICE.md requires, escaped.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::NaiveDate;
use pubeval_reports::documents::{NoticeData, NoticeFinding, notice_html};

#[test]
fn the_notice_holds_every_element_and_escapes_names() {
    let data = NoticeData {
        notice_no: "认宣警〔2026〕7号".into(),
        body_name: "华信<认证>有限公司 & Co".into(),
        approval_no: "CNCA-R-2002-004".into(),
        year: 2025,
        level: 1,
        level_name: "提示".into(),
        findings: vec![NoticeFinding {
            name: "要情迟报".into(),
            summary: "本年度迟报事件 1 起".into(),
            incidents: vec!["2025年5月1日 08:00发生“要情事件”（一般），事发 60 小时后报告".into()],
            articles: "第二十条".into(),
        }],
        issued_on: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        deadline: NaiveDate::from_ymd_opt(2026, 12, 26).unwrap(),
        defence_days: 5,
    };
    let html = notice_html(&data).unwrap();
    for expected in [
        "国家认证认可监督管理委员会",
        "认宣警〔2026〕7号",
        "CNCA-R-2002-004",
        "2025年度",
        "第一级（提示）",
        "要情迟报",
        "第二十条",
        "事发 60 小时后报告",
        "第三十二条",
        "2026年12月26日前",
        "陈述、申辩",
        "五个工作日",
        "约谈",
        "2026年11月26日",
        "抄送",
        "华信&#60;认证&#62;有限公司 &#38; Co",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    assert!(!html.contains("<认证>"));
}
