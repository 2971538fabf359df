//! Revising the scheme in the console, in a real browser: an analyst starts a draft from the
//! active scheme, sees the validation's problems beside the fields that cause them, raises
//! grade band B to 80, measures the draft on the last final year, finds the workbook and the
//! brief, and activates it with a written reason after reading the last analysis. Every page
//! on the way is checked by axe-core and photographed under `target/console-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use fantoccini::Locator;
use pubeval::db::DbPool;
use pubeval::domain::{Ctx, Role, users};
use pubeval_tests::browser::Browser;

fn analyst(pool: &DbPool) {
    let mut conn = pool.get().unwrap();
    let hash = pubeval::auth::password::hash("planner-password").unwrap();
    users::create_user(
        &mut conn,
        &Ctx::system("system:test"),
        "planner",
        hash,
        Role::Analyst,
        None,
    )
    .unwrap();
}

/// Replaces the value of the form field with this id.
async fn set(b: &Browser, id: &str, value: &str) {
    let input = b
        .client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("field {id}: {e}"));
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// Whether an element with this id is on the page, and its text.
async fn text_of(b: &Browser, id: &str) -> Option<String> {
    match b.client.find(Locator::Id(id)).await {
        Ok(e) => Some(e.text().await.unwrap()),
        Err(_) => None,
    }
}

/// Fetches a link of the page with the browser's session cookie (the console's CSP lets no
/// script fetch): the status line and the content type.
async fn fetched(b: &Browser, href: &str) -> (String, String) {
    use std::io::{Read, Write};
    let cookie = b
        .client
        .get_named_cookie(pubeval::console::session::COOKIE)
        .await
        .unwrap();
    let address = b.base.trim_start_matches("http://").to_string();
    let request = format!(
        "GET {href} HTTP/1.1\r\nHost: {address}\r\nCookie: {}={}\r\nConnection: close\r\n\r\n",
        cookie.name(),
        cookie.value()
    );
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    })
    .await
    .unwrap();
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..head_end]).to_string();
    let status = head.lines().next().unwrap_or("").to_string();
    let content_type = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-type:"))
        .unwrap_or("")
        .to_string();
    (status, content_type)
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn an_analyst_drafts_a_revision_measures_it_on_a_past_year_and_activates_it_with_a_reason() {
    let b = Browser::start().await;
    let pool = b.app.pool().clone();
    pubeval_tests::generated_final_years(&pool, &[2024, 2025], 80, 21);
    analyst(&pool);

    b.login("planner", "planner-password").await;
    b.goto("/console/schemes").await;
    b.check_page("schemes-list").await;
    b.press("以现行方案为基础新建草稿").await;
    let draft = b.path().await;
    assert!(draft.starts_with("/console/schemes/"), "{draft}");
    let page = b.text().await;
    assert!(page.contains("第 2 版") && page.contains("草稿"), "{page}");
    b.check_page("scheme-draft").await;

    // A weight changed alone: the validation's problems stand beside the fields.
    set(&b, "f-dimensions-0--indicators-0--max", "5").await;
    b.press("保存草稿").await;
    let beside = text_of(&b, "f-dimensions-0--indicators-0--max-error").await;
    assert!(
        beside.as_deref().is_some_and(|t| t.contains("满分")),
        "no problem beside D1.1's maximum: {beside:?}\n{}",
        b.text().await
    );
    let dimension = text_of(&b, "f-dimensions-0--max-error").await;
    assert!(
        dimension.as_deref().is_some_and(|t| t.contains("之和")),
        "{dimension:?}"
    );
    b.check_page("scheme-invalid").await;

    // Band B raised to 80, the weight back: saved.
    set(&b, "f-dimensions-0--indicators-0--max", "4").await;
    set(&b, "f-grades-1--min", "80").await;
    b.press("保存草稿").await;
    assert!(b.text().await.contains("草稿已保存"), "{}", b.text().await);

    // Measured on 2025, the last final year.
    b.press("测算影响").await;
    let page = b.text().await;
    assert!(page.contains("2025 年度数据测算结果"), "{page}");
    assert!(page.contains("等级 B 的最低分由 75 调整为 80"), "{page}");
    assert!(page.contains("B → C"), "{page}");
    b.check_page("scheme-impact").await;
    for (text, media) in [
        ("下载分析工作簿（XLSX）", "spreadsheetml"),
        ("下载影响分析简报（PDF）", "application/pdf"),
    ] {
        let link = b
            .client
            .find(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let href = link.attr("href").await.unwrap().unwrap();
        let (status, content_type) = fetched(&b, &href).await;
        assert!(status.contains(" 200 "), "{text}: {status}");
        assert!(content_type.contains(media), "{text}: {content_type}");
    }

    // Activation: the last analysis is shown, and a reason is required.
    b.click("a[href$='/activate']").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let page = b.text().await;
    assert!(
        page.contains("最近一次影响测算") && page.contains("2025 年度数据"),
        "{page}"
    );
    b.check_page("scheme-activate").await;
    b.client
        .execute(
            "document.getElementById('reason').removeAttribute('required');",
            vec![],
        )
        .await
        .unwrap();
    b.press("启用").await;
    assert!(
        b.text().await.contains("请写明启用理由"),
        "{}",
        b.text().await
    );
    b.fill(
        "启用理由（如审议会议、文号及结论）",
        "经 2025 年度数据测算并提交主任办公会审议通过",
    )
    .await;
    b.press("启用").await;
    let page = b.text().await;
    assert!(page.contains("状态：启用"), "{page}");
    assert!(
        !page.contains("保存草稿"),
        "an active scheme has no form to save: {page}"
    );
    b.check_page("scheme-active").await;
    b.stop().await;
}
