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
async fn a_body_fills_in_its_report_sees_its_errors_and_keeps_what_it_typed() {
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
    b.stop().await;
}
