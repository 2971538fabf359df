//! Plausibility flags on the console, in a real browser: the analyst finds the report that
//! needs review (需复核) on the cycle's page, reads the flag beside the field on the body's page
//! and asks for evidence; the body reads the request beside the field on its report form and
//! resubmits; the analyst, refused a clearing without a note, clears it with one. Every page on
//! the way is checked by axe-core and photographed under `target/console-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use pubeval::db::DbPool;
use pubeval::domain::submissions::{self, Precondition};
use pubeval::domain::{Ctx, Principal, Role, bodies, cycles, users};
use pubeval_tests::browser::Browser;
use serde_json::{Value, json};

const YEAR: i32 = 2026;

fn person(pool: &DbPool, name: &str, role: Role, body: Option<&str>) -> Principal {
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
    let user = pubeval::db::models::user::User::by_username(&mut conn, name)
        .unwrap()
        .unwrap();
    Principal::User {
        id: user.id,
        username: user.username,
        role,
        body_id: body.map(str::to_string),
    }
}

/// This year's open cycle and three product bodies whose reports are submitted, the first
/// with a publicity budget a fifth of its revenue; the ids, the first's user named `reporter`.
fn three_submitted_reports(pool: &DbPool) -> Vec<String> {
    let ctx = Ctx::system("system:test");
    let mut conn = pool.get().unwrap();
    let now = chrono::Utc::now();
    let cycle: cycles::NewCycle = serde_json::from_value(json!({
        "year": YEAR,
        "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
        "closes_at": (now + chrono::Duration::days(30)).to_rfc3339(),
    }))
    .unwrap();
    cycles::create(&mut conn, &ctx, cycle).unwrap();
    drop(conn);
    let mut ids = Vec::new();
    for (i, name) in [
        "上海正衡检测认证有限公司",
        "北京华信认证有限公司",
        "广州远航认证有限公司",
    ]
    .iter()
    .enumerate()
    {
        let mut conn = pool.get().unwrap();
        let body: bodies::NewBody = serde_json::from_value(json!({
            "approval_no": format!("CNCA-R-2016-00{}", i + 1), "name": name,
            "category": "product", "province": "上海", "approved_on": "2016-05-01"
        }))
        .unwrap();
        let body = bodies::create(&mut conn, &ctx, body).unwrap();
        drop(conn);
        let username = if i == 0 {
            "reporter".to_string()
        } else {
            format!("b{i}")
        };
        let user = person(pool, &username, Role::Body, Some(&body.id));
        let as_body = Ctx::new(user, pubeval::domain::clock::system());
        let mut report: Value = pubeval_tests::sample_report(20, true);
        if i == 0 {
            report["publicity_budget_wan"] = json!(2000);
            report["revenue_wan"] = json!(10000);
        }
        let mut conn = pool.get().unwrap();
        submissions::save(
            &mut conn,
            &as_body,
            &body.id,
            YEAR,
            Precondition::Absent,
            &report,
        )
        .unwrap();
        submissions::submit(&mut conn, &as_body, &body.id, YEAR, Precondition::Absent).unwrap();
        ids.push(body.id);
    }
    ids
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn an_analyst_reviews_a_flagged_figure_and_the_body_answers_the_request() {
    let b = Browser::start().await;
    let pool = b.app.pool().clone();
    let ids = std::thread::spawn(move || {
        let ids = three_submitted_reports(&pool);
        person(&pool, "reviewer", Role::Analyst, None);
        ids
    })
    .join()
    .unwrap();

    // The cycle's page: one report needs review; the filter keeps only it.
    b.login("reviewer", "reviewer-password").await;
    b.goto(&format!("/console/cycles/{YEAR}")).await;
    let page = b.text().await;
    assert!(page.contains("1 家机构的报告需复核"), "{page}");
    b.check_page("flags-cycle").await;
    b.goto(&format!("/console/cycles/{YEAR}?flags=open")).await;
    let page = b.text().await;
    assert!(page.contains("上海正衡检测认证有限公司"), "{page}");
    assert!(!page.contains("北京华信认证有限公司"), "{page}");
    assert!(page.contains("1 项"), "the count of open flags: {page}");
    let chosen = b
        .client
        .find(fantoccini::Locator::Css("#flags option[selected]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(chosen, "需复核");
    b.check_page("flags-cycle-filtered").await;

    // The body's page: the flag beside the field, with the figure compared against.
    b.click("a.flag-count").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        b.path()
            .await
            .starts_with(&format!("/console/bodies/{}", ids[0]))
    );
    let page = b.text().await;
    assert!(page.contains("年度宣传预算"), "{page}");
    assert!(
        page.contains("年度宣传预算（2000 万元）占年度认证业务收入（10000 万元）的 20%，超过 5%"),
        "{page}"
    );
    assert!(page.contains("参照：比值上限 5%"), "{page}");
    assert!(page.contains("待复核"), "{page}");
    b.check_page("flags-review").await;
    b.fill(
        "要求机构补充说明（必填，报告将退回机构）",
        "请提供年度宣传预算的批复文件",
    )
    .await;
    b.press("要求补充说明").await;
    let page = b.text().await;
    assert!(page.contains("已要求补充说明"), "{page}");
    assert!(page.contains("已退回"), "{page}");
    assert!(
        page.contains("【年度宣传预算】请提供年度宣传预算的批复文件"),
        "the return comment names the field: {page}"
    );
    b.check_page("flags-evidence-requested").await;
    b.goto("/console/").await;
    b.press("退出登录").await;

    // The body reads the request on its report form, beside the field, and resubmits.
    b.login("reporter", "reporter-password").await;
    b.goto(&format!("/console/report/{YEAR}")).await;
    let page = b.text().await;
    assert!(page.contains("评价人员要求补充说明的填报项"), "{page}");
    assert!(
        page.contains("年度宣传预算：请提供年度宣传预算的批复文件"),
        "{page}"
    );
    let beside = b
        .client
        .find(fantoccini::Locator::Id("f-publicity_budget_wan-request"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(beside.contains("请提供年度宣传预算的批复文件"), "{beside}");
    b.check_page("flags-body-request").await;
    b.press("提交").await;
    assert!(b.text().await.contains("已提交"));
    b.goto("/console/").await;
    b.press("退出登录").await;

    // The resubmission reopened the flag; clearing needs a note, then it is cleared.
    b.login("reviewer", "reviewer-password").await;
    b.goto(&format!("/console/bodies/{}", ids[0])).await;
    assert!(b.text().await.contains("待复核"));
    b.press("核实无误").await;
    let page = b.text().await;
    assert!(page.contains("核实说明须为 1 至 2000 个字符"), "{page}");
    b.check_page("flags-clear-refused").await;
    b.fill("核实说明（必填）", "含一次性专项宣传经费，已核对批复文件")
        .await;
    b.press("核实无误").await;
    let page = b.text().await;
    assert!(page.contains("已核实"), "{page}");
    assert!(
        page.contains("核实说明：含一次性专项宣传经费，已核对批复文件"),
        "{page}"
    );
    b.goto(&format!("/console/cycles/{YEAR}?flags=open")).await;
    let page = b.text().await;
    assert!(page.contains("目前没有需复核的报告"), "{page}");
    assert!(page.contains("没有符合条件的机构"), "{page}");
    b.stop().await;
}
