//! The files pubeval writes hold what bodies typed without harm to whoever opens them: a CSV
//! cell that Excel would run as a formula is defused with `'`, a body's name cannot climb out
//! of an extracted zip, and no `Content-Disposition` names a path or breaks its header.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Cursor;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::console::*;
use pubeval_tests::*;
use serde_json::json;

/// Body names a hostile or careless registrar could type.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?x\",\"点击查看\")";
const CLIMBER: &str = "x/../../a";
const NUMBER: &str = "-3.5";
const AT: &str = "@SUM(1+1)*cmd|' /C calc'!A0";

/// Registers one body per name, each with a user who submits a report, runs an evaluation of
/// 2025 and waits for it; the evaluation's id and the body ids, in the order given.
async fn evaluated_with_names<S, B>(
    app: &TestApp<S>,
    analyst: &str,
    names: &[&str],
) -> (String, Vec<String>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let admin = app.admin().await;
    let now = chrono::Utc::now();
    let cycle = app
        .post(
            "/api/v1/cycles",
            Some(analyst),
            json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
                   "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()}),
        )
        .await;
    assert_eq!(cycle.status, StatusCode::CREATED, "{}", cycle.body);
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let r = app
            .post(
                "/api/v1/bodies",
                Some(&admin),
                json!({"approval_no": format!("CNCA-R-2018-{:03}", i + 1), "name": name,
                       "category": "product", "province": "北京", "approved_on": "2010-03-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {}", r.body);
        let id = r.body["id"].as_str().unwrap().to_string();
        let user = app.user(&format!("b{i}"), "body", Some(&id)).await;
        let path = format!("/api/v1/bodies/{id}/submissions/2025");
        let put = TestRequest::put()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {user}")))
            .set_json(json!({"payload": sample_report(20 + 10 * i as i64, true)}));
        assert_eq!(app.send(put).await.status, StatusCode::CREATED);
        let submitted = app
            .post(&format!("{path}/submit"), Some(&user), json!({}))
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
        ids.push(id);
    }
    let r = app
        .post(
            "/api/v1/evaluations",
            Some(analyst),
            json!({"year": 2025, "draws": 50}),
        )
        .await;
    let id = r.body["id"].as_str().expect("evaluation id").to_string();
    let started = std::time::Instant::now();
    while app
        .get(&format!("/api/v1/evaluations/{id}"), Some(analyst))
        .await
        .body["status"]
        == "running"
    {
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    (id, ids)
}

/// The records of a CSV with a byte-order mark.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The cell of the row whose name cell (the third) was made from `name`.
fn name_cell<'a>(rows: &'a [Vec<String>], name: &str) -> &'a str {
    rows.iter()
        .map(|r| r[2].as_str())
        .find(|cell| cell.ends_with(name))
        .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"))
}

/// A ranking CSV's name cells are text to every spreadsheet: formulas get `'`, numbers stay.
fn assert_defused(bytes: &[u8]) {
    let rows = records(bytes);
    assert_eq!(name_cell(&rows, FORMULA), format!("'{FORMULA}"));
    assert_eq!(name_cell(&rows, AT), format!("'{AT}"));
    assert_eq!(name_cell(&rows, NUMBER), NUMBER);
    assert_eq!(name_cell(&rows, CLIMBER), CLIMBER);
    for row in &rows {
        // No cell of any row starts a formula, and the totals are still plain numbers.
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "{cell:?} in {row:?}"
            );
        }
        assert!(row[5].parse::<f64>().is_ok(), "{row:?}");
    }
}

on_both_backends!(ranking_csvs_defuse_formulas, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let (id, _) = evaluated_with_names(&app, &analyst, &[FORMULA, CLIMBER, NUMBER, AT]).await;

    let api = app
        .get(
            &format!("/api/v1/evaluations/{id}/ranking?format=csv"),
            Some(&analyst),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_defused(&api.bytes);

    let staff = console_login(&app, "analyst1", "analyst1-password").await;
    let console = app
        .send(staff.get(&format!("/console/evaluations/{id}/ranking.csv")))
        .await;
    assert_eq!(console.status, StatusCode::OK, "{}", text(&console));
    assert_defused(&console.bytes);
});

on_both_backends!(
    zip_entries_and_dispositions_name_no_path,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let (id, bodies) =
            evaluated_with_names(&app, &analyst, &[CLIMBER, "..\\..\\b\r\nc", FORMULA]).await;
        let published = app
            .post(
                &format!("/api/v1/evaluations/{id}/publish"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);

        // Every letter in the zip, each named inside the folder it is extracted to.
        let staff = console_login(&app, "analyst1", "analyst1-password").await;
        let zip = app
            .send(staff.get(&format!(
                "/console/evaluations/{id}/letters.zip?format=html"
            )))
            .await;
        assert_eq!(zip.status, StatusCode::OK, "{}", text(&zip));
        let mut archive = zip::ZipArchive::new(Cursor::new(zip.bytes.clone())).unwrap();
        assert_eq!(archive.len(), 3);
        let mut names = Vec::new();
        for i in 0..archive.len() {
            let file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            assert!(
                !name.contains(['/', '\\']) && !name.chars().any(char::is_control),
                "{name:?}"
            );
            assert!(!name.split(['/', '\\']).any(|s| s == ".."), "{name:?}");
            assert!(!name.contains(".."), "{name:?}");
            assert!(file.enclosed_name().is_some(), "{name:?}");
            names.push(name);
        }
        assert!(
            names
                .iter()
                .any(|n| n.contains("（x_") && n.contains("_a）")),
            "the body's name is still recognisable: {names:?}"
        );

        // A body's own letter from the API and the console: the file name keeps no path and
        // no line break (which would end the header and start another).
        for (path, token) in [
            (
                format!("/api/v1/evaluations/{id}/results/{}/letter.html", bodies[0]),
                Some(analyst.as_str()),
            ),
            (
                format!("/api/v1/evaluations/{id}/results/{}/letter.html", bodies[1]),
                Some(analyst.as_str()),
            ),
        ] {
            let r = app.get(&path, token).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            assert_safe_disposition(r.header("content-disposition"));
        }
        let console_letter = app
            .send(staff.get(&format!(
                "/console/evaluations/{id}/results/{}/letter.html",
                bodies[1]
            )))
            .await;
        assert_eq!(console_letter.status, StatusCode::OK);
        assert_safe_disposition(console_letter.header("content-disposition"));
        assert_safe_disposition(zip.header("content-disposition"));
    }
);

/// A `Content-Disposition` whose names, decoded, hold no separator, control character or `..`.
fn assert_safe_disposition(value: &str) {
    assert!(!value.is_empty(), "a Content-Disposition");
    let decoded = percent_decode(value);
    assert!(
        !decoded.contains(['/', '\\']) && !decoded.chars().any(char::is_control),
        "{decoded:?}"
    );
    assert!(!decoded.contains(".."), "{decoded:?}");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}
