//! The analysts' cycle and body pages at the console: a year's list of bodies with filters,
//! search, pages and the XLSX export; the year's evaluation started from the page and watched
//! until it is a draft; one body's reports with their history and a diff of two revisions,
//! accepted or returned with a comment; its results with the trend chart and its warnings.
//! Body users are told these pages do not exist; a cross-site POST is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::console::*;
use pubeval_tests::*;
use serde_json::json;

fn register_bodies(pool: &pubeval::db::DbPool, first: usize, count: usize) {
    let mut conn = pool.get().unwrap();
    let ctx = pubeval::domain::Ctx::system("system:test");
    for i in first..first + count {
        pubeval::domain::bodies::create(
            &mut conn,
            &ctx,
            serde_json::from_value(json!({
                "approval_no": format!("CNCA-R-2019-{i:03}"),
                "name": format!("华信{i}认证有限公司"),
                "category": "management_system",
                "province": "上海",
                "approved_on": "2015-06-01",
            }))
            .unwrap(),
        )
        .unwrap();
    }
}

on_both_backends!(
    the_cycle_page_filters_exports_and_runs_the_evaluation,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let done = app
            .evaluated_2025(&analyst, &[("service", 150, true), ("product", 0, false)])
            .await;
        register_bodies(&app.pool, 1, 55);
        let staff = console_login(&app, "analyst1", "analyst1-password").await;

        let page = app.send(staff.get("/console/cycles/2025")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", text(&page));
        let html = text(&page);
        for words in [
            "2025 年度报送情况",
            "应报机构（共 57 家）",
            "CNCA-R-2018-001",
            "已提交",
            "未报送",
            "开始评价",
            "<label for=\"status\">报送状态</label>",
            "<th scope=\"col\">批准号</th>",
            "第 1 / 2 页",
            ">下一页</a>",
            &format!("/console/bodies/{}", done.bodies[0].0),
        ] {
            assert!(html.contains(words), "{words} in {html}");
        }
        assert!(!html.contains(">上一页</a>"), "{html}");

        let only = |path: &str| {
            let req = staff.get(path);
            let app = &app;
            async move {
                let r = app.send(req).await;
                assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
                text(&r)
            }
        };
        let missing = only("/console/cycles/2025?status=not_submitted").await;
        assert!(missing.contains("应报机构（共 55 家）"), "{missing}");
        assert!(!missing.contains("CNCA-R-2018-001"), "{missing}");
        let product = only("/console/cycles/2025?category=product").await;
        assert!(product.contains("CNCA-R-2018-002"), "{product}");
        assert!(!product.contains("CNCA-R-2018-001"), "{product}");
        let found = only("/console/cycles/2025?q=2018-001").await;
        assert!(found.contains("应报机构（共 1 家）"), "{found}");
        let shanghai = only("/console/cycles/2025?province=%E4%B8%8A%E6%B5%B7&page=2").await;
        assert!(shanghai.contains("第 2 / 2 页"), "{shanghai}");
        assert!(
            shanghai.contains("province=%E4%B8%8A%E6%B5%B7&#38;page=1\" rel=\"prev\">上一页"),
            "the filters travel with the pages: {shanghai}"
        );
        assert!(shanghai.contains("CNCA-R-2019-055"), "{shanghai}");

        let export = app
            .send(staff.get("/console/cycles/2025/export?status=submitted"))
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(export.header("content-type").contains("spreadsheetml"));
        assert!(
            export
                .header("content-disposition")
                .contains("filename*=UTF-8''2025%E5%B9%B4%E5%BA%A6"),
            "{}",
            export.header("content-disposition")
        );
        assert_eq!(&export.bytes[..2], b"PK");

        // Another site cannot start a run.
        let forged = app
            .send(staff.post("/console/cycles/2025/evaluate", "http://evil.example", &[]))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        let run = app
            .send(staff.post("/console/cycles/2025/evaluate", ORIGIN, &[]))
            .await;
        assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", text(&run));
        let progress = run.header("location").to_string();
        assert!(progress.starts_with("/console/cycles/2025/evaluations/"));
        let id = progress.rsplit('/').next().unwrap().to_string();
        let started = std::time::Instant::now();
        let finished = loop {
            let r = app.send(staff.get(&progress)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
            let html = text(&r);
            assert!(html.contains("2025 年度评价进度"), "{html}");
            if !html.contains("刷新查看进度") {
                break html;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(60));
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert!(finished.contains("草稿"), "{finished}");
        assert!(
            finished.contains(&format!("href=\"/console/evaluations/{id}\"")),
            "{finished}"
        );
        let listed = only("/console/cycles/2025").await;
        assert!(listed.contains(&progress), "{listed}");

        // A body user is told these pages do not exist.
        let body = console_login(&app, "b0", "b0-password").await;
        for path in [
            "/console/cycles/2025".to_string(),
            "/console/cycles/2025/export".to_string(),
            progress.clone(),
            format!("/console/bodies/{}", done.bodies[0].0),
        ] {
            let r = app.send(body.get(&path)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", text(&r));
            assert!(text(&r).contains("页面不存在"));
        }
        let refused = app
            .send(body.post("/console/cycles/2025/evaluate", ORIGIN, &[]))
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let unknown = app.send(staff.get("/console/cycles/1999")).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
);

on_both_backends!(
    the_body_page_shows_history_diffs_reviews_results_and_warnings,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let done = app
            .evaluated_2025(&analyst, &[("service", 150, true), ("product", 0, false)])
            .await;
        let (body_id, body_token) = done.bodies[0].clone();
        let staff = console_login(&app, "analyst1", "analyst1-password").await;
        let path = format!("/console/bodies/{body_id}");

        let page = app.send(staff.get(&path)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", text(&page));
        let html = text(&page);
        for words in [
            "机构信息",
            "CNCA-R-2018-001",
            "服务认证",
            "2025 年度报告：已提交",
            "第 2 版",
            "b0",
            "接收",
            "退回意见（必填）",
            "要情与事件",
            "历年评价结果",
            "风险警示",
        ] {
            assert!(html.contains(words), "{words} in {html}");
        }

        // Returning needs a comment: the form says so beside it.
        let review = format!("{path}/reports/2025/return");
        let empty = app
            .send(staff.post(&review, ORIGIN, &[("comment", " ")]))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text(&empty).contains("退回时须写明意见"),
            "{}",
            text(&empty)
        );
        let forged = app
            .send(staff.post(&review, "http://evil.example", &[("comment", "x")]))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let returned = app
            .send(staff.post(&review, ORIGIN, &[("comment", "请补充新闻稿件数")]))
            .await;
        assert_eq!(
            returned.status,
            StatusCode::SEE_OTHER,
            "{}",
            text(&returned)
        );
        let html = text(&app.send(staff.get(&path)).await);
        assert!(html.contains("2025 年度报告：已退回"), "{html}");
        assert!(html.contains("请补充新闻稿件数"), "{html}");
        assert!(html.contains("analyst1"), "{html}");

        // The body fixes and resubmits; the diff names the changed field in Chinese.
        let api = format!("/api/v1/bodies/{body_id}/submissions/2025");
        let mut fixed = sample_report(150, true);
        fixed["press_releases"] = json!(175);
        let put = TestRequest::put()
            .uri(&api)
            .insert_header(("Authorization", format!("Bearer {body_token}")))
            .insert_header(("If-Match", "3"))
            .set_json(json!({"payload": fixed}));
        assert_eq!(app.send(put).await.status, StatusCode::OK);
        let submitted = app
            .post(&format!("{api}/submit"), Some(&body_token), json!({}))
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
        let diff = text(
            &app.send(staff.get(&format!("{path}?year=2025&from=2&to=5")))
                .await,
        );
        assert!(diff.contains("第 2 版与第 5 版的差异"), "{diff}");
        assert!(diff.contains("新闻发布会及新闻稿件数"), "{diff}");
        assert!(diff.contains("<td>150</td><td>175</td>"), "{diff}");
        let same = text(
            &app.send(staff.get(&format!("{path}?year=2025&from=1&to=2")))
                .await,
        );
        assert!(same.contains("填报内容相同"), "{same}");

        let accepted = app
            .send(staff.post(
                &format!("{path}/reports/2025/accept"),
                ORIGIN,
                &[("comment", "")],
            ))
            .await;
        assert_eq!(
            accepted.status,
            StatusCode::SEE_OTHER,
            "{}",
            text(&accepted)
        );
        let html = text(&app.send(staff.get(&path)).await);
        assert!(html.contains("2025 年度报告：已接收"), "{html}");
        // Accepting twice: the state no longer allows it, said on the page.
        let again = app
            .send(staff.post(
                &format!("{path}/reports/2025/accept"),
                ORIGIN,
                &[("comment", "")],
            ))
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(text(&again).contains("2025 年度报告：已接收"));

        // Published, the year's result and the trend chart appear.
        let published = app
            .post(
                &format!("/api/v1/evaluations/{}/publish", done.id),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        let html = text(&app.send(staff.get(&path)).await);
        assert!(html.contains("2025 年度结果"), "{html}");
        assert!(html.contains("<svg role=\"img\""), "{html}");

        // Another body's user, and the body's own user: no such page.
        let other = console_login(&app, "b1", "b1-password").await;
        assert_eq!(
            app.send(other.get(&path)).await.status,
            StatusCode::NOT_FOUND
        );
        let own = console_login(&app, "b0", "b0-password").await;
        assert_eq!(app.send(own.get(&path)).await.status, StatusCode::NOT_FOUND);
        let refused = app
            .send(own.post(&review, ORIGIN, &[("comment", "x")]))
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let nobody = app.send(staff.get("/console/bodies/no-such-body")).await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    }
);
