//! The console's stories in a real browser, each step a click or a keystroke of the person who
//! does it: a returned report resubmitted; an evaluation published, objected to, answered and
//! finalised; a risk warning issued, acknowledged, rectified and closed. Every page on the way is
//! checked by axe-core and photographed under `target/console-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use pubeval::db::DbPool;
use pubeval::domain::submissions::{self, Precondition};
use pubeval::domain::warnings::{self, WarningQuery};
use pubeval::domain::{Ctx, Principal, Role, bodies, cycles, evaluations, users};
use pubeval_tests::browser::Browser;
use serde_json::json;

fn person(pool: &DbPool, name: &str, role: Role, body: Option<&str>) {
    let mut conn = pool.get().unwrap();
    let hash = pubeval::auth::password::hash(&format!("{name}-password")).unwrap();
    users::create_user(
        &mut conn,
        &Ctx::system("system:test"),
        name,
        hash,
        role,
        body.map(str::to_string),
    )
    .unwrap();
}

/// This year's open cycle and a body whose complete report is submitted; its id.
fn a_submitted_report(pool: &DbPool) -> String {
    let ctx = Ctx::system("system:test");
    let mut conn = pool.get().unwrap();
    let now = chrono::Utc::now();
    let cycle: cycles::NewCycle = serde_json::from_value(json!({
        "year": 2026,
        "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
        "closes_at": (now + chrono::Duration::days(30)).to_rfc3339(),
    }))
    .unwrap();
    cycles::create(&mut conn, &ctx, cycle).unwrap();
    let body: bodies::NewBody = serde_json::from_value(json!({
        "approval_no": "CNCA-R-2016-008", "name": "上海正衡检测认证有限公司", "category": "product",
        "province": "上海", "approved_on": "2016-05-01"
    }))
    .unwrap();
    let body = bodies::create(&mut conn, &ctx, body).unwrap();
    drop(conn);
    person(pool, "reporter", Role::Body, Some(&body.id));
    let mut conn = pool.get().unwrap();
    let user = pubeval::db::models::user::User::by_username(&mut conn, "reporter")
        .unwrap()
        .unwrap();
    let as_body = Ctx::new(
        Principal::User {
            id: user.id,
            username: user.username,
            role: Role::Body,
            body_id: Some(body.id.clone()),
        },
        pubeval::domain::clock::system(),
    );
    let report = pubeval_tests::sample_report(20, true);
    submissions::save(
        &mut conn,
        &as_body,
        &body.id,
        2026,
        Precondition::Absent,
        &report,
    )
    .unwrap();
    submissions::submit(&mut conn, &as_body, &body.id, 2026, Precondition::Absent).unwrap();
    body.id
}

/// A 2025 evaluation over generated bodies, run to draft; its id and a body that a warning will
/// name once final.
fn a_draft_evaluation(pool: &DbPool) -> (String, String) {
    let ctx = Ctx::system("system:test");
    let run = pubeval_tests::generated_draft_evaluation(pool, 2025, 60, 11);
    let mut conn = pool.get().unwrap();
    let (rows, _) = evaluations::results(
        &mut conn,
        &ctx,
        &evaluations::RankingPages::new(),
        &run,
        pubeval::db::models::evaluation::ResultFilter::default(),
        0,
        500,
    )
    .unwrap();
    let warned = rows
        .iter()
        .find(|r| r.warning_level > 0 && r.submitted != 0)
        .expect("a warned body that reported")
        .body_id
        .clone();
    (run, warned)
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn an_analyst_returns_a_report_with_a_comment_and_the_body_resubmits() {
    let b = Browser::start().await;
    let pool = b.app.pool().clone();
    let body = std::thread::spawn(move || {
        let body = a_submitted_report(&pool);
        person(&pool, "reviewer", Role::Analyst, None);
        body
    })
    .join()
    .unwrap();

    b.login("reviewer", "reviewer-password").await;
    b.goto(&format!("/console/bodies/{body}")).await;
    b.check_page("story-review-body").await;
    b.fill("退回意见（必填）", "请补充专职宣传人员的任命文件")
        .await;
    b.press("退回").await;
    assert!(b.text().await.contains("已退回"), "{}", b.text().await);
    b.goto("/console/").await;
    b.press("退出登录").await;

    b.login("reporter", "reporter-password").await;
    b.goto("/console/report/2026").await;
    let page = b.text().await;
    assert!(
        page.contains("请补充专职宣传人员的任命文件"),
        "the body reads the comment: {page}"
    );
    b.check_page("story-review-returned").await;
    b.press("提交").await;
    let page = b.text().await;
    assert!(page.contains("已提交"), "{page}");
    b.check_page("story-review-resubmitted").await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn an_evaluation_is_published_objected_to_answered_and_finalised_then_its_warning_followed_to_closure()
 {
    let b = Browser::start().await;
    let pool = b.app.pool().clone();
    let (e, warned) = std::thread::spawn(move || {
        let made = a_draft_evaluation(&pool);
        person(&pool, "analyst2", Role::Analyst, None);
        person(&pool, "warnedbody", Role::Body, Some(&made.1));
        made
    })
    .join()
    .unwrap();

    // 公示.
    b.login("analyst2", "analyst2-password").await;
    b.goto(&format!("/console/evaluations/{e}/publish")).await;
    b.check_page("story-publish-confirm").await;
    b.click("#confirmed").await;
    b.press("公示").await;
    assert!(b.text().await.contains("公示中"), "{}", b.text().await);
    b.press("退出登录").await;

    // The body objects.
    b.login("warnedbody", "warnedbody-password").await;
    b.goto("/console/results").await;
    b.fill(
        "异议内容",
        "本机构已于当年举办两次新闻发布会，报告漏填，请复核。",
    )
    .await;
    b.press("提交异议").await;
    assert!(b.text().await.contains("待答复"), "{}", b.text().await);
    b.check_page("story-objection-filed").await;
    b.press("退出登录").await;

    // The analyst answers, then finalises.
    b.login("analyst2", "analyst2-password").await;
    b.goto("/console/objections").await;
    b.check_page("story-objections").await;
    b.click("input[type=radio][value=rejected]").await;
    b.fill(
        "书面答复",
        "经复核，报告以报送时提交的内容为准，异议不成立。",
    )
    .await;
    b.press("答复").await;
    b.goto(&format!("/console/evaluations/{e}/finalize")).await;
    b.click("#confirmed").await;
    b.press("定稿").await;
    assert!(b.text().await.contains("已定稿"), "{}", b.text().await);

    // The warning drafted at finalisation: issued.
    let pool = b.app.pool().clone();
    let (warning, review) = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        let query = WarningQuery {
            evaluation: None,
            status: None,
            body_id: Some(warned),
            level: None,
            overdue: None,
        };
        let (list, _) =
            warnings::list(&mut conn, &Ctx::system("system:test"), query, 0, 5).unwrap();
        let w = list
            .first()
            .expect("the warned body's draft")
            .listing
            .warning
            .clone();
        (w.id, w.review_required != 0)
    })
    .join()
    .unwrap();
    b.goto(&format!("/console/warnings/{warning}")).await;
    b.check_page("story-warning-draft").await;
    if review {
        b.fill("确认理由（必填）", "经复核，该机构确属宣传工作薄弱。")
            .await;
    }
    b.press("签发").await;
    assert!(
        b.text().await.contains("认宣警"),
        "numbered: {}",
        b.text().await
    );
    b.press("退出登录").await;

    // The body acknowledges and reports its rectification.
    b.login("warnedbody", "warnedbody-password").await;
    b.goto(&format!("/console/warnings/{warning}")).await;
    b.check_page("story-warning-issued").await;
    b.press("确认收到").await;
    b.goto(&format!("/console/warnings/{warning}")).await;
    b.fill(
        "整改报告",
        "已建立新闻发言人制度，配备两名专职宣传人员，完成年度宣传计划。",
    )
    .await;
    b.press("提交整改报告").await;
    assert!(
        b.text().await.contains("已提交整改报告"),
        "{}",
        b.text().await
    );
    b.press("退出登录").await;

    // The analyst closes it.
    b.login("analyst2", "analyst2-password").await;
    b.goto(&format!("/console/warnings/{warning}")).await;
    b.press("关闭").await;
    assert!(b.text().await.contains("已结案"), "{}", b.text().await);
    b.check_page("story-warning-closed").await;
    b.stop().await;
}
