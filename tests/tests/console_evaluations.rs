//! The console's evaluation pages: an analyst reads an evaluation (summary, ranking with
//! filters, charts), downloads its documents, opens a body's result, publishes it (公示) behind
//! the confirmation, answers an objection and finalizes it (定稿); a body reads its own result
//! and no other; a cross-site POST is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::console::*;
use pubeval_tests::*;
use serde_json::json;

fn assert_contains(page: &str, words: &[&str]) {
    for w in words {
        assert!(page.contains(w), "{w} not in {page}");
    }
}

on_both_backends!(
    an_analyst_reviews_publishes_answers_and_finalizes,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(&analyst, &[("service", 150, true), ("service", 0, false)])
            .await;
        let id = evaluated.id.clone();
        let (body0, body0_token) = evaluated.bodies[0].clone();
        let (body1, _) = evaluated.bodies[1].clone();
        let staff = console_login(&app, "analyst1", "analyst1-password").await;
        let page_path = format!("/console/evaluations/{id}");

        // The draft: summary, charts, ranking, the two decisions and the downloads.
        let page = app.send(staff.get(&page_path)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", text(&page));
        let html = text(&page);
        assert_contains(
            &html,
            &[
                "2025 年度评价（草稿）",
                "概况",
                "报送率 100.00%（2/2）",
                "按时报送率",
                "各等级机构数",
                "各警示级别机构数",
                "<svg role=\"img\"",
                "评价排名",
                "<th scope=\"col\" class=\"num\">排名</th>",
                "CNCA-R-2018-001",
                "我已确认",
                ">公示</button>",
                "ranking.xlsx",
                "report.pdf",
                &format!("/console/evaluations/{id}/results/{body0}"),
            ],
        );
        assert!(!html.contains(">定稿</button>"), "a draft is not finalized");
        // Totals with 2 decimals.
        assert!(
            html.split("<td class=\"num\">").skip(1).any(|cell| cell
                .split('<')
                .next()
                .unwrap()
                .contains('.')),
            "{html}"
        );

        // Filters narrow the ranking.
        let none = app
            .send(staff.get(&format!("{page_path}?category=product")))
            .await;
        assert_eq!(none.status, StatusCode::OK);
        assert_contains(&text(&none), &["没有符合条件的结果"]);
        let filtered = app
            .send(staff.get(&format!(
                "{page_path}?category=service&province=%E5%8C%97%E4%BA%AC&borderline=&grade=&warning_level="
            )))
            .await;
        assert_eq!(filtered.status, StatusCode::OK);
        assert_contains(&text(&filtered), &["CNCA-R-2018-002", "共 2 条"]);

        // Downloads through the session.
        let csv = app
            .send(staff.get(&format!("{page_path}/ranking.csv?category=service")))
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", text(&csv));
        assert!(csv.header("content-type").starts_with("text/csv"));
        assert!(csv.header("content-disposition").contains("attachment"));
        assert!(text(&csv).contains("CNCA-R-2018-001"));
        let xlsx = app
            .send(staff.get(&format!("{page_path}/ranking.xlsx")))
            .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.bytes.starts_with(b"PK"));
        // Letters exist once published.
        let early = app
            .send(staff.get(&format!("{page_path}/letters.zip?format=html")))
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        assert!(text(&early).contains("尚未公示"), "{}", text(&early));

        // One result: indicators, robustness, no letter yet.
        let result_path = format!("{page_path}/results/{body0}");
        let result = app.send(staff.get(&result_path)).await;
        assert_eq!(result.status, StatusCode::OK, "{}", text(&result));
        assert_contains(
            &text(&result),
            &[
                "各指标得分",
                "D1.1",
                "计分规则",
                "依据条款",
                "扣分与否决",
                "排名稳健性",
                "Q5–Q95",
                "评价结果公示后提供告知书",
            ],
        );

        // 公示: the confirmation is required, a foreign origin is refused.
        let publish = format!("{page_path}/publish");
        let confirm = app.send(staff.get(&publish)).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert_contains(&text(&confirm), &["我已确认", "异议期（天）"]);
        let unticked = app
            .send(staff.post(&publish, ORIGIN, &[("objection_days", "7")]))
            .await;
        assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_contains(&text(&unticked), &["请勾选“我已确认”后再公示"]);
        let too_long = app
            .send(staff.post(
                &publish,
                ORIGIN,
                &[("objection_days", "400"), ("confirmed", "yes")],
            ))
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_contains(&text(&too_long), &["异议期为 1 至 90 天", "value=\"400\""]);
        let foreign = app
            .send(staff.post(
                &publish,
                "http://evil.example",
                &[("objection_days", "7"), ("confirmed", "yes")],
            ))
            .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        let done = app
            .send(staff.post(
                &publish,
                ORIGIN,
                &[("objection_days", "7"), ("confirmed", "yes")],
            ))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text(&done));
        assert_eq!(done.header("location"), page_path);
        let published = text(&app.send(staff.get(&page_path)).await);
        assert_contains(
            &published,
            &["（公示中）", "异议截止", ">定稿</button>", "letters.zip"],
        );

        // Letters in the browser.
        let letters = app
            .send(staff.get(&format!("{page_path}/letters.zip?format=html")))
            .await;
        assert_eq!(letters.status, StatusCode::OK, "{}", text(&letters));
        assert_eq!(letters.header("content-type"), "application/zip");
        assert!(letters.bytes.starts_with(b"PK"));
        let letter = app
            .send(staff.get(&format!("{result_path}/letter.html")))
            .await;
        assert_eq!(letter.status, StatusCode::OK);
        assert!(text(&letter).contains("告知书"));
        assert_contains(
            &text(&app.send(staff.get(&result_path)).await),
            &["letter.html", "letter.pdf"],
        );

        // A body reads its own result, and no other.
        let body = console_login(&app, "b0", "b0-password").await;
        let own = app.send(body.get(&result_path)).await;
        assert_eq!(own.status, StatusCode::OK, "{}", text(&own));
        assert_contains(&text(&own), &["D1.1", "返回我的评价结果"]);
        let other = app
            .send(body.get(&format!("{page_path}/results/{body1}")))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert_contains(&text(&other), &["页面不存在"]);
        let ranking = app.send(body.get(&page_path)).await;
        assert_eq!(ranking.status, StatusCode::SEE_OTHER);
        assert_eq!(ranking.header("location"), result_path);
        let others_letter = app
            .send(body.get(&format!("{page_path}/results/{body1}/letter.html")))
            .await;
        assert_eq!(others_letter.status, StatusCode::NOT_FOUND);
        let all_letters = app
            .send(body.get(&format!("{page_path}/letters.zip?format=html")))
            .await;
        assert_eq!(all_letters.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.send(body.get("/console/objections")).await.status,
            StatusCode::FORBIDDEN
        );
        let body_publish = app
            .send(body.post(&publish, ORIGIN, &[("confirmed", "yes")]))
            .await;
        assert_eq!(body_publish.status, StatusCode::FORBIDDEN);

        // The body objects; 定稿 waits for the answer.
        let objection = app
            .post(
                &format!("/api/v1/evaluations/{id}/objections"),
                Some(&body0_token),
                json!({"text": "我机构的新闻发布数量统计有误"}),
            )
            .await;
        assert_eq!(objection.status, StatusCode::CREATED, "{}", objection.body);
        let objection_id = objection.body["id"].as_str().unwrap().to_string();
        let finalize = format!("{page_path}/finalize");
        let waiting = app
            .send(staff.post(&finalize, ORIGIN, &[("confirmed", "yes")]))
            .await;
        assert_eq!(waiting.status, StatusCode::CONFLICT);
        assert_contains(&text(&waiting), &["尚有 1 件异议未答复"]);

        // The objections page: open, then answered.
        let list = app.send(staff.get("/console/objections")).await;
        assert_eq!(list.status, StatusCode::OK, "{}", text(&list));
        assert_contains(
            &text(&list),
            &[
                "待答复的异议（1 件）",
                "我机构的新闻发布数量统计有误",
                "CNCA-R-2018-001",
                "书面答复",
                "异议成立",
                "异议不成立",
                "没有已答复的异议",
            ],
        );
        let answer = format!("/console/objections/{objection_id}/answer");
        let undecided = app
            .send(staff.post(&answer, ORIGIN, &[("answer", "经核实，统计无误")]))
            .await;
        assert_eq!(undecided.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_contains(&text(&undecided), &["请选择答复结论", "经核实，统计无误"]);
        let blank = app
            .send(staff.post(
                &answer,
                ORIGIN,
                &[("decision", "rejected"), ("answer", " ")],
            ))
            .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_contains(&text(&blank), &["须书面答复"]);
        let forged = app
            .send(staff.post(
                &answer,
                "http://evil.example",
                &[("decision", "rejected"), ("answer", "经核实，统计无误")],
            ))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let answered = app
            .send(staff.post(
                &answer,
                ORIGIN,
                &[("decision", "rejected"), ("answer", "经核实，统计无误")],
            ))
            .await;
        assert_eq!(
            answered.status,
            StatusCode::SEE_OTHER,
            "{}",
            text(&answered)
        );
        let after = text(&app.send(staff.get("/console/objections")).await);
        assert_contains(
            &after,
            &[
                "没有待答复的异议",
                "已答复的异议（1 件）",
                "不成立",
                "经核实，统计无误",
            ],
        );
        let again = app
            .send(staff.post(
                &answer,
                ORIGIN,
                &[("decision", "upheld"), ("answer", "再答一次")],
            ))
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // 定稿.
        let unticked = app.send(staff.post(&finalize, ORIGIN, &[])).await;
        assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
        let finalized = app
            .send(staff.post(&finalize, ORIGIN, &[("confirmed", "yes")]))
            .await;
        assert_eq!(
            finalized.status,
            StatusCode::SEE_OTHER,
            "{}",
            text(&finalized)
        );
        let last = text(&app.send(staff.get(&page_path)).await);
        assert_contains(&last, &["（已定稿）", "notices.zip"]);
        assert!(!last.contains(">公示</button>") && !last.contains(">定稿</button>"));
        // Warnings are drafts until issued: no notice yet.
        let notices = app
            .send(staff.get(&format!("{page_path}/notices.zip?format=html")))
            .await;
        assert_eq!(notices.status, StatusCode::CONFLICT);
        assert_contains(&text(&notices), &["没有已签发的风险警示通知书"]);
    }
);

on_both_backends_with_fonts!(the_pdfs_download_from_the_console, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let evaluated = app
        .evaluated_2025(&analyst, &[("service", 150, true), ("product", 0, false)])
        .await;
    let id = evaluated.id.clone();
    let body0 = evaluated.bodies[0].0.clone();
    let publish = app
        .post(
            &format!("/api/v1/evaluations/{id}/publish"),
            Some(&analyst),
            json!({}),
        )
        .await;
    assert_eq!(publish.status, StatusCode::OK, "{}", publish.body);
    let staff = console_login(&app, "analyst1", "analyst1-password").await;
    let report = app
        .send(staff.get(&format!("/console/evaluations/{id}/report.pdf")))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", text(&report));
    assert!(report.bytes.starts_with(b"%PDF"));
    let letter = app
        .send(staff.get(&format!(
            "/console/evaluations/{id}/results/{body0}/letter.pdf"
        )))
        .await;
    assert_eq!(letter.status, StatusCode::OK, "{}", text(&letter));
    assert!(letter.bytes.starts_with(b"%PDF"));
    let letters = app
        .send(staff.get(&format!("/console/evaluations/{id}/letters.zip")))
        .await;
    assert_eq!(letters.status, StatusCode::OK, "{}", text(&letters));
    assert!(letters.bytes.starts_with(b"PK"));
    assert!(letters.header("content-disposition").contains(".zip"));
});
