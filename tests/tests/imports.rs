//! Bulk import of a past year: an analyst loads the year's reports and incidents from a CSV (in
//! UTF-8 or GB18030, as Excel on Chinese Windows saves it) or an XLSX sheet. A dry run writes
//! nothing; a real run writes every row or none; the answer is DHIS2's import summary, every
//! error by row and column; the import is one audit entry with the file's SHA-256.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::FieldType;
use pubeval_tests::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv";

async fn import<S, B>(
    app: &TestApp<S>,
    token: &str,
    what: &str,
    dry_run: bool,
    content_type: &str,
    bytes: Vec<u8>,
) -> Reply
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let path = match what {
        "reports" => "/api/v1/cycles/2024/import".to_string(),
        other => format!("/api/v1/cycles/2024/import/{other}"),
    };
    let req = TestRequest::post()
        .uri(&format!("{path}?dry_run={dry_run}"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type))
        .set_payload(bytes);
    app.send(req).await
}

/// The 2024 cycle (its window long closed: an import is history) and `n` bodies; their ids.
async fn past_year<S, B>(app: &TestApp<S>, analyst: &str, n: usize) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = app
        .post(
            "/api/v1/cycles",
            Some(analyst),
            json!({"year": 2024, "opens_at": "2025-01-01T00:00:00+08:00", "closes_at": "2025-04-01T00:00:00+08:00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(app.body(&approval(i), "product").await);
    }
    ids
}

fn approval(i: usize) -> String {
    format!("CNCA-R-2015-{:03}", i + 1)
}

/// A report's cells in scheme order: bools 是/否, sets joined by `sep` (by code, or by Chinese
/// label when `labels`).
fn cells(report: &Value, sep: &str, labels: bool) -> Vec<String> {
    let scheme = Scheme::default_scheme();
    scheme
        .fields
        .iter()
        .map(|f| match (&report[&f.name], f.field_type) {
            (Value::Bool(b), _) => if *b { "是" } else { "否" }.to_string(),
            (Value::Array(items), FieldType::Set) => items
                .iter()
                .map(|i| {
                    let code = i.as_str().unwrap();
                    if labels {
                        f.members
                            .iter()
                            .find(|m| m.code == code)
                            .unwrap()
                            .label
                            .clone()
                    } else {
                        code.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(sep),
            (Value::Null, _) => String::new(),
            (v, _) => v.to_string(),
        })
        .collect()
}

/// A CSV of reports: `approval_no` and the fields by API name, one row per (approval, report).
fn reports_csv(rows: &[(String, Value)]) -> String {
    let scheme = Scheme::default_scheme();
    let mut out = String::from("approval_no");
    for f in &scheme.fields {
        out.push(',');
        out.push_str(&f.name);
    }
    out.push_str("\r\n");
    for (approval, report) in rows {
        out.push_str(approval);
        for c in cells(report, ";", false) {
            out.push(',');
            out.push_str(&c);
        }
        out.push_str("\r\n");
    }
    out
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The audit entries of an action, newest first, with their details parsed.
async fn audit_of<S, B>(app: &TestApp<S>, token: &str, action: &str) -> Vec<Value>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = app.get("/api/v1/audit?per_page=500", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| serde_json::from_str(e["detail"].as_str().unwrap()).unwrap())
        .collect()
}

on_both_backends!(
    a_dry_run_writes_nothing_and_a_real_run_writes_every_row,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let ids = past_year(&app, &analyst, 3).await;
        let rows: Vec<(String, Value)> = (0..3)
            .map(|i| (approval(i), sample_report(10 * i as i64, i % 2 == 0)))
            .collect();
        let csv = reports_csv(&rows).into_bytes();

        let dry = import(&app, &analyst, "reports", true, CSV, csv.clone()).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
        assert_eq!(
            dry.body,
            json!({"dry_run": true, "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": []})
        );
        for id in &ids {
            let r = app
                .get(
                    &format!("/api/v1/bodies/{id}/submissions/2024"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "a dry run wrote {id}");
        }
        assert!(audit_of(&app, &analyst, "import.reports").await.is_empty());

        let real = import(&app, &analyst, "reports", false, CSV, csv.clone()).await;
        assert_eq!(real.status, StatusCode::OK, "{}", real.body);
        assert_eq!(
            real.body,
            json!({"dry_run": false, "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": []})
        );
        for (id, (_, report)) in ids.iter().zip(&rows) {
            let r = app
                .get(
                    &format!("/api/v1/bodies/{id}/submissions/2024"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["status"], "accepted");
            assert_eq!(r.body["actor"], "user:analyst1");
            assert_eq!(r.body["payload"], *report);
            assert_eq!(r.body["revision"], 1);
        }
        let list = app
            .get(
                "/api/v1/submissions?year=2024&status=accepted",
                Some(&analyst),
            )
            .await;
        assert_eq!(list.body["total_items"], 3, "{}", list.body);
        let entries = audit_of(&app, &analyst, "import.reports").await;
        assert_eq!(entries.len(), 1, "one audit entry for the import");
        assert_eq!(entries[0]["file_sha256"], sha256(&csv));
        assert_eq!(entries[0]["created"], 3);
        assert_eq!(entries[0]["rows"], 3);

        // The same file again changes nothing; a changed row is a new accepted revision.
        let again = import(&app, &analyst, "reports", false, CSV, csv).await;
        assert_eq!(
            (
                again.body["created"].clone(),
                again.body["unchanged"].clone()
            ),
            (json!(0), json!(3)),
            "{}",
            again.body
        );
        let mut changed = rows.clone();
        changed[1].1["press_releases"] = json!(77);
        let r = import(
            &app,
            &analyst,
            "reports",
            false,
            CSV,
            reports_csv(&changed).into_bytes(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.body["updated"].clone(), r.body["unchanged"].clone()),
            (json!(1), json!(2))
        );
        let r = app
            .get(
                &format!("/api/v1/bodies/{}/submissions/2024", ids[1]),
                Some(&analyst),
            )
            .await;
        assert_eq!(r.body["revision"], 2);
        assert_eq!(r.body["payload"]["press_releases"], 77);
        assert_eq!(audit_of(&app, &analyst, "import.reports").await.len(), 3);

        // A decimal that JSON reads back a hair apart from its text still matches itself.
        changed[0].1["revenue_wan"] = json!(1024.3600000000001);
        let file = reports_csv(&changed).into_bytes();
        let r = import(&app, &analyst, "reports", false, CSV, file.clone()).await;
        assert_eq!(r.body["updated"], 1, "{}", r.body);
        let r = import(&app, &analyst, "reports", false, CSV, file).await;
        assert_eq!(r.body["unchanged"], 3, "{}", r.body);
    }
);

on_both_backends!(a_failing_row_leaves_nothing_written, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let ids = past_year(&app, &analyst, 3).await;
    let mut rows: Vec<(String, Value)> = (0..3)
        .map(|i| (approval(i), sample_report(5, true)))
        .collect();
    rows[1].1["press_releases"] = json!("许多");
    let csv = reports_csv(&rows).into_bytes();
    let r = import(&app, &analyst, "reports", false, CSV, csv).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["dry_run"], false);
    assert_eq!(r.body["rows"], 3);
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    // approval_no is A and press_releases the seventh field: H; the second data row is row 3.
    assert_eq!(errors[0]["row"], 3);
    assert_eq!(errors[0]["column"], "H");
    assert_eq!(errors[0]["field"], "press_releases");
    assert!(errors[0]["problem"].as_str().unwrap().contains("整数"));
    assert_eq!(r.body["error"]["details"][0]["cell"], "H3");
    for id in &ids {
        let r = app
            .get(
                &format!("/api/v1/bodies/{id}/submissions/2024"),
                Some(&analyst),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "the good rows stay unwritten too"
        );
    }
    assert!(audit_of(&app, &analyst, "import.reports").await.is_empty());
    // A dry run of the same file answers 200 with the same errors.
    let rows_csv = reports_csv(&rows).into_bytes();
    let dry = import(&app, &analyst, "reports", true, CSV, rows_csv).await;
    assert_eq!(dry.status, StatusCode::OK);
    assert_eq!(dry.body["errors"], r.body["errors"]);
});

on_both_backends!(
    gb18030_csv_with_chinese_headers_is_read,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let ids = past_year(&app, &analyst, 1).await;
        let scheme = Scheme::default_scheme();
        let report = sample_report(40, true);
        let mut text = String::from("批准号");
        for f in &scheme.fields {
            text.push(',');
            text.push_str(&f.label);
        }
        text.push_str("\r\n");
        text.push_str(&approval(0));
        for c in cells(&report, "、", true) {
            text.push(',');
            text.push_str(&c);
        }
        text.push_str("\r\n");
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&gb).is_err(),
            "really GB18030, not UTF-8"
        );
        let r = import(&app, &analyst, "reports", false, CSV, gb.to_vec()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["created"], 1, "{}", r.body);
        let stored = app
            .get(
                &format!("/api/v1/bodies/{}/submissions/2024", ids[0]),
                Some(&analyst),
            )
            .await;
        assert_eq!(stored.body["payload"], report);
        // The same in UTF-8 with a BOM is the same report.
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let r = import(&app, &analyst, "reports", true, CSV, bom).await;
        assert_eq!(r.body["unchanged"], 1, "{}", r.body);
        // Bytes in no encoding are refused.
        let r = import(
            &app,
            &analyst,
            "reports",
            true,
            CSV,
            vec![0x61, 0xFF, 0xFE, 0xFF],
        )
        .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
);

on_both_backends!(an_xlsx_sheet_imports_like_a_csv, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let ids = past_year(&app, &analyst, 1).await;
    let scheme = Scheme::default_scheme();
    let report = sample_report(12, false);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "approval_no").unwrap();
    sheet.write_string(1, 0, approval(0)).unwrap();
    for (i, f) in scheme.fields.iter().enumerate() {
        let c = i as u16 + 1;
        sheet.write_string(0, c, &f.name).unwrap();
        match &report[&f.name] {
            Value::Number(n) => sheet.write_number(1, c, n.as_f64().unwrap()),
            Value::Bool(b) => sheet.write_boolean(1, c, *b),
            _ => sheet.write_string(1, c, cells(&report, ";", false)[i].clone()),
        }
        .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let r = import(&app, &analyst, "reports", false, XLSX, bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["created"], 1);
    let stored = app
        .get(
            &format!("/api/v1/bodies/{}/submissions/2024", ids[0]),
            Some(&analyst),
        )
        .await;
    assert_eq!(stored.body["payload"], report);
});

on_both_backends!(
    unknown_and_repeated_bodies_and_unknown_columns_are_errors_of_their_row_or_column,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        past_year(&app, &analyst, 2).await;
        let report = sample_report(5, true);
        let mut csv = reports_csv(&[
            (approval(0), report.clone()),
            ("CNCA-R-1999-999".into(), report.clone()),
            (approval(0), report.clone()),
            (approval(1), report.clone()),
        ]);
        // A column nobody knows, at the end of the header (AA: A, the 25 fields, then this).
        csv = csv.replacen("\r\n", ",备注\r\n", 1);
        let r = import(&app, &analyst, "reports", true, CSV, csv.into_bytes()).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "a dry run answers 200: {}",
            r.body
        );
        let errors = r.body["errors"].as_array().unwrap();
        let find = |row: u32| -> &Value {
            errors
                .iter()
                .find(|e| e["row"] == row)
                .unwrap_or_else(|| panic!("no error of row {row}: {errors:#?}"))
        };
        assert_eq!(find(1)["column"], "AA");
        assert_eq!(find(1)["field"], "备注");
        assert!(find(1)["problem"].as_str().unwrap().contains("未知的列"));
        assert_eq!(find(3)["column"], "A");
        assert_eq!(find(3)["field"], "approval_no");
        assert!(
            find(3)["problem"]
                .as_str()
                .unwrap()
                .contains("CNCA-R-1999-999")
        );
        assert_eq!(find(4)["column"], "A");
        assert!(find(4)["problem"].as_str().unwrap().contains("第 2 行"));
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert_eq!(r.body["created"], 2, "rows 2 and 5 would be created");
    }
);

on_both_backends!(at_most_a_hundred_errors_are_listed, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    past_year(&app, &analyst, 0).await;
    let rows: Vec<(String, Value)> = (0..150)
        .map(|i| (format!("CNCA-R-1990-{i:03}"), sample_report(1, true)))
        .collect();
    let r = import(
        &app,
        &analyst,
        "reports",
        false,
        CSV,
        reports_csv(&rows).into_bytes(),
    )
    .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[99]["row"], 101);
    assert_eq!(errors[100]["row"], Value::Null);
    assert_eq!(errors[100]["problem"], "以及另外 50 个问题 / and 50 more");
    assert!(
        r.body["error"]["message"].as_str().unwrap().contains("150"),
        "{}",
        r.body["error"]
    );
});

on_both_backends!(
    incidents_are_imported_once_and_corrected,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let ids = past_year(&app, &analyst, 2).await;
        let header = "approval_no,kind,severity,occurred_at,reported_at,description\r\n";
        let good = format!(
            "{header}{a},major_event,general,2024-05-01 08:00,2024-05-04 09:00,突发事件引发关注\r\n{b},负面舆情,重大,2024-07-01T10:00:00+08:00,,负面舆情\r\n",
            a = approval(0),
            b = approval(1)
        );
        let dry = import(
            &app,
            &analyst,
            "incidents",
            true,
            CSV,
            good.clone().into_bytes(),
        )
        .await;
        assert_eq!(
            dry.body,
            json!({"dry_run": true, "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": []})
        );
        let listed = app.get("/api/v1/incidents?year=2024", Some(&analyst)).await;
        assert_eq!(listed.body["total_items"], 0, "a dry run wrote nothing");
        let real = import(
            &app,
            &analyst,
            "incidents",
            false,
            CSV,
            good.clone().into_bytes(),
        )
        .await;
        assert_eq!(real.status, StatusCode::OK, "{}", real.body);
        assert_eq!(real.body["created"], 2);
        let listed = app.get("/api/v1/incidents?year=2024", Some(&analyst)).await;
        assert_eq!(listed.body["total_items"], 2, "{}", listed.body);
        let late = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["body_id"] == ids[0])
            .unwrap()
            .clone();
        assert_eq!(late["occurred_at"], "2024-05-01T00:00:00+00:00");
        assert_eq!(late["reporting"], "late");
        assert_eq!(late["source"], "analyst");
        let never = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["body_id"] == ids[1])
            .unwrap()
            .clone();
        assert_eq!(never["reported_at"], Value::Null);
        assert_eq!(never["severity"], "major");
        assert_eq!(audit_of(&app, &analyst, "import.incidents").await.len(), 1);

        // Again: unchanged; a severity changed: a correction.
        let again = import(
            &app,
            &analyst,
            "incidents",
            false,
            CSV,
            good.clone().into_bytes(),
        )
        .await;
        assert_eq!(again.body["unchanged"], 2, "{}", again.body);
        let corrected = good.replace("major_event,general", "major_event,major");
        let r = import(
            &app,
            &analyst,
            "incidents",
            false,
            CSV,
            corrected.into_bytes(),
        )
        .await;
        assert_eq!(
            (r.body["updated"].clone(), r.body["unchanged"].clone()),
            (json!(1), json!(1)),
            "{}",
            r.body
        );
        let one = app
            .get(
                &format!("/api/v1/incidents/{}", late["id"].as_str().unwrap()),
                Some(&analyst),
            )
            .await;
        assert_eq!(one.body["severity"], "major", "{}", one.body);

        // Rows that cannot be: another year, an unknown kind, a report before the event, a
        // report time other than the one recorded. Nothing is written.
        let bad = format!(
            "{header}{a},major_event,general,2023-12-31 23:00,,去年的事\r\n{a},rumour,general,2024-02-01 08:00,,未知类型\r\n{a},major_event,general,2024-03-01 08:00,2024-02-01 08:00,先报后发生\r\n{a},major_event,major,2024-05-01 08:00,2024-05-02 09:00,突发事件引发关注\r\n",
            a = approval(0)
        );
        let r = import(&app, &analyst, "incidents", false, CSV, bad.into_bytes()).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let errors: Vec<(u64, String)> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["column"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                (2, "D".to_string()),
                (3, "B".to_string()),
                (4, "E".to_string()),
                (5, "E".to_string())
            ],
            "{}",
            r.body
        );
        let listed = app.get("/api/v1/incidents?year=2024", Some(&analyst)).await;
        assert_eq!(listed.body["total_items"], 2);
    }
);

on_both_backends!(
    only_staff_import_and_only_tables_of_a_year_with_a_cycle,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let csv = reports_csv(&[]).into_bytes();
        let r = import(&app, &analyst, "reports", true, CSV, csv.clone()).await;
        assert_error(&r, StatusCode::CONFLICT, "no_cycle");
        let ids = past_year(&app, &analyst, 1).await;
        let body_user = app.user("body1", "body", Some(&ids[0])).await;
        let r = import(&app, &body_user, "reports", true, CSV, csv.clone()).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = import(
            &app,
            &analyst,
            "reports",
            true,
            "application/json",
            b"{}".to_vec(),
        )
        .await;
        assert_error(
            &r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
        let r = import(&app, &analyst, "reports", true, CSV, vec![b'a'; 20_000_001]).await;
        assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        let r = import(&app, &analyst, "reports", true, CSV, csv).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["rows"], 0);
        // A header without approval_no names the missing column in row 1.
        let r = import(
            &app,
            &analyst,
            "reports",
            true,
            CSV,
            b"press_releases\r\n3\r\n".to_vec(),
        )
        .await;
        let errors = r.body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["row"] == 1 && e["field"] == "approval_no"),
            "{errors:#?}"
        );
    }
);
