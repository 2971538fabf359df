//! The report by Excel workbook in a real browser: a body downloads the template from its
//! report page (with its session, as the link does), fills it in with another program,
//! uploads it through the page's form and sees its draft; a workbook with a wrong value is
//! refused on the page with the cell named. Every page is checked by axe-core and photographed
//! under `target/console-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use fantoccini::Locator;
use pubeval::db::DbPool;
use pubeval::domain::{Ctx, Role, bodies, cycles, submissions, users};
use pubeval_tests::browser::Browser;
use pubeval_tests::sheets::{Fill, fill, fills_of};
use serde_json::{Value, json};

/// This year's open cycle, a body and its user `reporter` (nothing saved yet); the body's id.
fn a_body_with_an_open_year(pool: &DbPool) -> String {
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
        "approval_no": "CNCA-R-2017-021", "name": "江苏恒信质量认证中心有限公司", "category": "management_system",
        "province": "江苏", "approved_on": "2017-03-01"
    }))
    .unwrap();
    let body = bodies::create(&mut conn, &ctx, body).unwrap();
    let hash = pubeval::auth::password::hash("reporter-password").unwrap();
    users::create_user(
        &mut conn,
        &ctx,
        "reporter",
        hash,
        Role::Body,
        Some(body.id.clone()),
    )
    .unwrap();
    body.id
}

/// Fetches a console path with the browser's session cookie, as its link would (the console's
/// content security policy lets no script fetch); the bytes.
async fn download(b: &Browser, path: &str) -> Vec<u8> {
    let cookies = b.client.get_all_cookies().await.expect("cookies");
    let cookie = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let url = format!("{}{path}", b.base);
    std::thread::spawn(move || {
        let mut response = ureq::get(&url)
            .header("Cookie", &cookie)
            .call()
            .expect("the download");
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        response.body_mut().read_to_vec().expect("bytes")
    })
    .join()
    .unwrap()
}

/// Chooses `bytes` as the upload form's file and presses 上传工作簿.
async fn upload(b: &Browser, bytes: &[u8], dir: &std::path::Path, name: &str) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    b.client
        .find(Locator::Id("workbook-file"))
        .await
        .expect("the file input")
        .send_keys(path.to_str().unwrap())
        .await
        .expect("choose the file");
    b.press("上传工作簿").await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_body_fills_in_the_excel_template_and_uploads_it_from_its_report_page() {
    let b = Browser::start().await;
    let pool = b.app.pool().clone();
    let body = std::thread::spawn(move || a_body_with_an_open_year(&pool))
        .join()
        .unwrap();
    let files = pubeval_tests::tempdir::Guard::new();

    b.login("reporter", "reporter-password").await;
    b.goto("/console/report/2026").await;
    let page = b.text().await;
    assert!(page.contains("用 Excel 填报"), "{page}");
    assert!(page.contains("下载 2026 年度报告 Excel 模板"), "{page}");
    b.check_page("workbook-report-page").await;

    // The template, as the page's link gives it.
    let link = b
        .client
        .find(Locator::LinkText("下载 2026 年度报告 Excel 模板"))
        .await
        .expect("the template link");
    let href = link.attr("href").await.unwrap().unwrap();
    assert_eq!(href, "/console/report/2026/template.xlsx");
    let template = download(&b, &href).await;
    assert_eq!(&template[..2], b"PK", "an XLSX");

    // A wrong value first: refused on the page, the cell named, nothing saved.
    let report = pubeval_tests::sample_report(20, true);
    let mut fills = fills_of(&template, report.as_object().unwrap());
    for (key, value) in fills.iter_mut() {
        if key == "press_releases" {
            *value = Fill::Number(20.5);
        }
    }
    upload(&b, &fill(&template, &fills), &files.path, "wrong.xlsx").await;
    let page = b.text().await;
    assert!(page.contains("Excel 工作簿未保存"), "{page}");
    assert!(
        page.contains("年度宣传工作报告!E8：“新闻发布会及新闻稿件数”应为整数"),
        "{page}"
    );
    b.check_page("workbook-upload-refused").await;
    let pool = b.app.pool().clone();
    let id = body.clone();
    let saved = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        submissions::current(&mut conn, &Ctx::system("system:test"), &id, 2026).ok()
    })
    .join()
    .unwrap();
    assert!(saved.is_none(), "a refused workbook saves nothing");

    // The right one: saved as a draft, shown in the form.
    let right = fill(&template, &fills_of(&template, report.as_object().unwrap()));
    upload(&b, &right, &files.path, "report.xlsx").await;
    assert!(
        b.path()
            .await
            .ends_with("/console/report/2026?done=uploaded")
    );
    let page = b.text().await;
    assert!(page.contains("Excel 工作簿已上传并保存为草稿"), "{page}");
    assert!(page.contains("草稿"), "{page}");
    let press = b
        .client
        .find(Locator::Id("f-press_releases"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(press, "20");
    b.check_page("workbook-uploaded").await;
    let pool = b.app.pool().clone();
    let stored = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        submissions::current(&mut conn, &Ctx::system("system:test"), &body, 2026).unwrap()
    })
    .join()
    .unwrap();
    let payload: Value = serde_json::from_str(&stored.payload).unwrap();
    assert_eq!(
        payload, report,
        "the draft is the report the workbook holds"
    );

    // The template now comes pre-filled, and the draft submits from the page.
    let again = download(&b, "/console/report/2026/template.xlsx").await;
    let keys = pubeval_tests::sheets::template_keys(&again);
    let sheets = pubeval_tests::sheets::read_all(&again);
    assert_eq!(
        sheets[0]
            .1
            .get(&(keys["press_releases"], 4))
            .map(|v| v.to_string()),
        Some("20".to_string())
    );
    b.press("提交").await;
    assert!(b.text().await.contains("已提交"), "{}", b.text().await);
    b.stop().await;
}
