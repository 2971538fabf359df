//! The console in a real browser (Debian's chromium through chromedriver): the stories of the
//! console issue, each page checked by axe-core and photographed under
//! `target/console-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use pubeval_tests::ADMIN;
use pubeval_tests::browser::Browser;

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_person_logs_in_sees_the_home_page_and_logs_out() {
    let b = Browser::start().await;
    b.goto("/").await;
    assert_eq!(b.path().await, "/console/login");
    b.check_page("login").await;

    b.login(ADMIN.0, "wrong-password").await;
    let wrong = b.text().await;
    assert!(
        wrong.contains("用户名或密码错误"),
        "{} {wrong}",
        b.path().await
    );
    b.check_page("login-wrong-password").await;

    b.login(ADMIN.0, ADMIN.1).await;
    assert_eq!(b.path().await, "/console/");
    let home = b.text().await;
    assert!(home.contains("退出登录"), "{home}");
    b.check_page("home-admin").await;

    b.goto("/console/no-such-page").await;
    assert!(b.text().await.contains("页面不存在"));
    b.check_page("not-found").await;

    b.goto("/console/").await;
    b.press("退出登录").await;
    assert_eq!(b.path().await, "/console/login");
    b.goto("/console/").await;
    assert_eq!(b.path().await, "/console/login", "the session ended");
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_cross_site_post_is_refused() {
    let b = Browser::start().await;
    b.login(ADMIN.0, ADMIN.1).await;
    assert_eq!(b.path().await, "/console/");
    // A page of another origin posts the logout form: refused, and the session survives.
    let answer = b
        .post_from_elsewhere("/console/logout", &[("csrf", "guess")])
        .await;
    assert!(answer.contains("请求被拒绝"), "{answer}");
    b.goto("/console/").await;
    assert_eq!(b.path().await, "/console/", "still logged in");
    b.stop().await;
}

/// An open cycle of this year, a body and its user (`body1` / `body1-password`).
fn open_cycle_with_a_body(b: &Browser) -> String {
    use pubeval::domain::{Ctx, Role, bodies, cycles, users};
    let ctx = Ctx::system("system:test");
    let mut conn = b.app.pool().get().unwrap();
    let now = chrono::Utc::now();
    let cycle: cycles::NewCycle = serde_json::from_value(serde_json::json!({
        "year": 2026,
        "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
        "closes_at": (now + chrono::Duration::days(30)).to_rfc3339(),
    }))
    .unwrap();
    cycles::create(&mut conn, &ctx, cycle).unwrap();
    let body: bodies::NewBody = serde_json::from_value(serde_json::json!({
        "approval_no": "CNCA-R-2015-001", "name": "北京华信认证有限公司", "category": "service",
        "province": "北京", "approved_on": "2015-03-01"
    }))
    .unwrap();
    let body = bodies::create(&mut conn, &ctx, body).unwrap();
    let hash = pubeval::auth::password::hash("body1-password").unwrap();
    users::create_user(
        &mut conn,
        &ctx,
        "body1",
        hash,
        Role::Body,
        Some(body.id.clone()),
    )
    .unwrap();
    body.id
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_body_fills_in_its_report_sees_its_errors_fixes_them_and_submits() {
    let b = Browser::start().await;
    open_cycle_with_a_body(&b);
    b.login("body1", "body1-password").await;
    assert_eq!(b.path().await, "/console/");
    assert!(b.text().await.contains("年度宣传工作报告"));
    b.check_page("home-body").await;

    b.goto("/console/report/2026").await;
    b.check_page("report-empty").await;
    b.fill("新闻发布会及新闻稿件数", "12").await;
    b.press("保存草稿").await;
    b.check_page("report-draft-saved").await;
    b.goto("/console/report/2026").await;
    let kept = b
        .client
        .find(fantoccini::Locator::Css("input[type=number]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("12"), "the draft kept what was typed");

    // Submitting an incomplete report shows every problem at once, beside its field.
    b.press("提交").await;
    let page = b.text().await;
    assert!(page.contains("新闻发布会及新闻稿件数"), "{page}");
    b.client
        .find(fantoccini::Locator::Css("#problems"))
        .await
        .expect("the problems are listed");
    b.check_page("report-problems").await;

    // Typing the missing figures and submitting again sends the report.
    let inputs = b
        .client
        .find_all(fantoccini::Locator::Css("input[type=number]"))
        .await
        .unwrap();
    assert!(inputs.len() > 5, "the form asks for every figure");
    for input in inputs {
        if input
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
            .is_empty()
        {
            let min = input.attr("min").await.unwrap().unwrap_or_default();
            let value = if min.is_empty() || min == "0" {
                "3".to_string()
            } else {
                min
            };
            input.send_keys(&value).await.unwrap();
        }
    }
    b.press("提交").await;
    let page = b.text().await;
    assert!(page.contains("报告已提交"), "{page}");
    assert!(
        b.client
            .find(fantoccini::Locator::Css("#problems"))
            .await
            .is_err(),
        "no problems are left"
    );
    b.check_page("report-submitted").await;
    b.stop().await;
}

/// A final 2025 evaluation over generated bodies, an issued warning of the first warned body,
/// an analyst (`analyst1`) and that body's user (`warned`): the ids of the evaluation, the
/// warned body and its warning.
fn a_final_year(pool: pubeval::db::DbPool) -> (String, String, String) {
    use pubeval::domain::warnings::{self, WarningQuery};
    use pubeval::domain::{Ctx, Role, evaluations, users};
    let ctx = Ctx::system("system:test");
    let run = pubeval_tests::generated_draft_evaluation(&pool, 2025, 60, 7);
    let mut conn = pool.get().unwrap();
    evaluations::publish(&mut conn, &ctx, &run, None).unwrap();
    evaluations::finalize(&mut conn, &ctx, &run).unwrap();
    let query = WarningQuery {
        evaluation: Some(run.clone()),
        status: None,
        body_id: None,
        level: None,
        overdue: None,
    };
    let (drafts, _) = warnings::list(&mut conn, &ctx, query, 0, 1).unwrap();
    let draft = drafts
        .first()
        .expect("a warned body")
        .listing
        .warning
        .clone();
    warnings::issue(&mut conn, &ctx, &draft.id, None, Some("经复核确认")).unwrap();
    for (name, role, body) in [
        ("analyst1", Role::Analyst, None),
        ("warned", Role::Body, Some(draft.body_id.clone())),
    ] {
        let hash = pubeval::auth::password::hash(&format!("{name}-password")).unwrap();
        users::create_user(&mut conn, &ctx, name, hash, role, body).unwrap();
    }
    (run, draft.body_id, draft.id)
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn every_page_passes_axe_core_for_each_role() {
    let b = Browser::start().await;
    // Scoring (polars) blocks: off the test's runtime.
    let pool = b.app.pool().clone();
    let (e, body, warning) = std::thread::spawn(move || a_final_year(pool))
        .join()
        .unwrap();
    b.login("analyst1", "analyst1-password").await;
    assert_eq!(b.path().await, "/console/");
    let staff_pages = [
        ("analyst-home", "/console/".to_string(), "2025"),
        (
            "analyst-cycle",
            "/console/cycles/2025".to_string(),
            "未报送",
        ),
        ("analyst-body", format!("/console/bodies/{body}"), "认证"),
        (
            "analyst-evaluation",
            format!("/console/evaluations/{e}"),
            "定稿",
        ),
        (
            "analyst-result",
            format!("/console/evaluations/{e}/results/{body}"),
            "D1.1",
        ),
        (
            "analyst-objections",
            "/console/objections".to_string(),
            "异议",
        ),
        (
            "analyst-incidents",
            "/console/incidents".to_string(),
            "要情",
        ),
        (
            "analyst-warnings",
            "/console/warnings".to_string(),
            "风险警示",
        ),
        (
            "analyst-warning",
            format!("/console/warnings/{warning}"),
            "认宣警",
        ),
        ("analyst-audit", "/console/audit".to_string(), "校验"),
    ];
    for (name, path, words) in &staff_pages {
        b.goto(path).await;
        let text = b.text().await;
        assert!(text.contains(words), "{path} shows {words}: {text}");
        b.check_page(name).await;
    }
    b.goto("/console/users").await;
    assert!(
        b.text().await.contains("无权访问"),
        "analysts do not manage users"
    );
    b.goto("/console/").await;
    b.press("退出登录").await;

    b.login(pubeval_tests::ADMIN.0, pubeval_tests::ADMIN.1)
        .await;
    for (name, path) in [
        ("admin-users", "/console/users"),
        ("admin-clients", "/console/clients"),
    ] {
        b.goto(path).await;
        b.check_page(name).await;
    }
    b.press("退出登录").await;

    b.login("warned", "warned-password").await;
    let body_pages = [
        ("body-home", "/console/".to_string(), "风险警示"),
        ("body-results", "/console/results".to_string(), "2025"),
        ("body-warnings", "/console/warnings".to_string(), "认宣警"),
        (
            "body-warning",
            format!("/console/warnings/{warning}"),
            "确认收到",
        ),
        (
            "body-incident-new",
            "/console/incidents/new".to_string(),
            "要情报告",
        ),
    ];
    for (name, path, words) in &body_pages {
        b.goto(path).await;
        let text = b.text().await;
        assert!(text.contains(words), "{path} shows {words}: {text}");
        b.check_page(name).await;
    }
    // Another body's page, and the analysts' pages, are not there for a body.
    b.goto(&format!(
        "/console/evaluations/{e}/results/{}",
        "00000000-0000-0000-0000-000000000000"
    ))
    .await;
    assert!(b.text().await.contains("页面不存在"));
    b.goto("/console/cycles/2025").await;
    assert!(b.text().await.contains("页面不存在"));
    b.check_page("body-not-found").await;
    b.stop().await;
}
