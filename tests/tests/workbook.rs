//! The annual report by Excel workbook: a body downloads the year's template, fills it in with
//! another program, uploads it, and gets exactly the draft the JSON route would have saved —
//! or every problem named by its cell; a workbook that is not the template, or a zip bomb, is
//! refused whole and nothing is saved.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use pubeval_tests::sheets::{
    Fill, edit_entry, fill, fill_and_edit, fills_of, template_keys, zip_bomb,
};
use pubeval_tests::*;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Opens the 2025 cycle (as the analyst).
async fn open_2025<S, B>(app: &TestApp<S>, analyst: &str)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let now = Utc::now();
    let r = app
        .post(
            "/api/v1/cycles",
            Some(analyst),
            json!({"year": 2025, "opens_at": (now - Duration::days(1)).to_rfc3339(), "closes_at": (now + Duration::days(30)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

fn upload(body_id: &str, token: &str, bytes: Vec<u8>, if_match: Option<&str>) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(&format!("/api/v1/bodies/{body_id}/submissions/2025/xlsx"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", XLSX))
        .set_payload(bytes);
    if let Some(m) = if_match {
        req = req.insert_header(("If-Match", m));
    }
    req
}

/// The value cell of a key of the template, e.g. `年度宣传工作报告!E8`.
fn cell_of(template: &[u8], key: &str) -> String {
    let row = template_keys(template)[key];
    format!("年度宣传工作报告!E{}", row + 1)
}

on_both_backends!(
    a_filled_template_saves_what_the_json_route_saves,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        open_2025(&app, &analyst).await;
        let a = app.body("CNCA-R-2019-001", "product").await;
        let b = app.body("CNCA-R-2019-002", "product").await;
        let user_a = app.user("body_a", "body", Some(&a)).await;
        let user_b = app.user("body_b", "body", Some(&b)).await;

        // The template, as a body user downloads it.
        let template = app
            .get("/api/v1/cycles/2025/template.xlsx", Some(&user_a))
            .await;
        assert_eq!(template.status, StatusCode::OK, "{}", template.body);
        assert_eq!(template.header("content-type"), XLSX);
        let disposition = template.header("content-disposition");
        assert!(
            disposition.contains(
                "filename*=UTF-8''2025%E5%B9%B4%E5%BA%A6%E5%AE%A3%E4%BC%A0%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A.xlsx"
            ),
            "{disposition}"
        );
        let keys = template_keys(&template.bytes);
        assert_eq!(keys["policy_approved"], 1, "row 2 follows the header");
        assert!(keys.contains_key("media_channels:website"));

        // Filled in by another program and uploaded; the same report as JSON by another body.
        let report = sample_report(50, true);
        let filled = fill(
            &template.bytes,
            &fills_of(&template.bytes, report.as_object().unwrap()),
        );
        let saved = app.send(upload(&a, &user_a, filled.clone(), None)).await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
        assert_eq!(saved.header("etag"), "\"1\"");
        assert_eq!(saved.body["status"], "draft");
        let put = TestRequest::put()
            .uri(&format!("/api/v1/bodies/{b}/submissions/2025"))
            .insert_header(("Authorization", format!("Bearer {user_b}")))
            .set_json(json!({"payload": report}));
        assert_eq!(app.send(put).await.status, StatusCode::CREATED);
        let by_workbook = app
            .get(
                &format!("/api/v1/bodies/{a}/submissions/2025"),
                Some(&user_a),
            )
            .await;
        let by_json = app
            .get(
                &format!("/api/v1/bodies/{b}/submissions/2025"),
                Some(&user_b),
            )
            .await;
        assert_eq!(by_workbook.body["payload"], by_json.body["payload"]);
        assert_eq!(by_workbook.body["payload"], report);

        // The If-Match rules of a save.
        let again = app.send(upload(&a, &user_a, filled.clone(), None)).await;
        assert_error(
            &again,
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
        );
        let second = app
            .send(upload(&a, &user_a, filled.clone(), Some("\"1\"")))
            .await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.body);
        assert_eq!(second.header("etag"), "\"2\"");
        let stale = app.send(upload(&a, &user_a, filled, Some("\"1\""))).await;
        assert_error(&stale, StatusCode::PRECONDITION_FAILED, "stale_revision");

        // The body's template now comes pre-filled with its report; staff get a blank one.
        let prefilled = app
            .get("/api/v1/cycles/2025/template.xlsx", Some(&user_a))
            .await;
        let sheets = pubeval_tests::sheets::read_all(&prefilled.bytes);
        let report_sheet = &sheets[0].1;
        let value = |key: &str| report_sheet.get(&(keys[key], 4)).map(|v| v.to_string());
        assert_eq!(value("press_releases").as_deref(), Some("50"));
        assert_eq!(value("policy_approved").as_deref(), Some("是"));
        assert_eq!(value("media_channels:website").as_deref(), Some("是"));
        assert_eq!(value("media_channels:weibo").as_deref(), Some("否"));
        let blank = app
            .get("/api/v1/cycles/2025/template.xlsx", Some(&analyst))
            .await;
        let sheets = pubeval_tests::sheets::read_all(&blank.bytes);
        assert!(
            sheets[0].1.keys().all(|(r, c)| *c < 4 || *r == 0),
            "no values for staff"
        );

        // The uploaded draft is complete: it submits.
        let submitted = app
            .post(
                &format!("/api/v1/bodies/{a}/submissions/2025/submit"),
                Some(&user_a),
                json!({}),
            )
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    }
);

on_both_backends!(every_kind_of_error_names_its_cell, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    open_2025(&app, &analyst).await;
    let a = app.body("CNCA-R-2019-001", "product").await;
    let user = app.user("body_a", "body", Some(&a)).await;
    let template = app
        .get("/api/v1/cycles/2025/template.xlsx", Some(&user))
        .await
        .bytes;
    let text = |s: &str| Fill::Text(s.into());
    let values = vec![
        ("policy_approved".to_string(), text("也许")),
        ("press_releases".to_string(), Fill::Number(50.5)),
        ("original_posts".to_string(), Fill::Number(-1.0)),
        ("media_channels:video".to_string(), text("maybe")),
        ("complaints_received".to_string(), Fill::Number(5.0)),
        ("complaints_resolved_on_time".to_string(), Fill::Number(9.0)),
        (
            "training_hours".to_string(),
            Fill::Formula("1/0".into(), "#DIV/0!".into()),
        ),
        (
            "dedicated_staff".to_string(),
            Fill::Formula("2*3".into(), "6".into()),
        ),
        ("annual_plan".to_string(), text("是")),
    ];
    let filled = fill(&template, &values);
    // A formula saved by a program that never computed it: no cached value.
    let filled = edit_entry(&filled, "xl/worksheets/sheet1.xml", |xml| {
        let edited = xml.replace("<f>2*3</f><v>6</v>", "<f>2*3</f>");
        assert_ne!(edited, xml, "the formula's cached value is taken out");
        edited
    });
    let r = app.send(upload(&a, &user, filled, None)).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let details = r.body["error"]["details"].as_array().unwrap().clone();
    let found = |field: &str| -> Value {
        details
            .iter()
            .find(|d| d["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("no problem of {field}: {details:#?}"))
    };
    for (field, key, words) in [
        ("payload.policy_approved", "policy_approved", "布尔值"),
        ("payload.press_releases", "press_releases", "整数"),
        ("payload.original_posts", "original_posts", "不小于 0"),
        (
            "payload.media_channels:video",
            "media_channels:video",
            "“是”或“否”",
        ),
        (
            "payload.complaints_resolved_on_time",
            "complaints_resolved_on_time",
            "不能大于",
        ),
        ("payload.training_hours", "training_hours", "#DIV/0!"),
        ("payload.dedicated_staff", "dedicated_staff", "没有计算结果"),
    ] {
        let d = found(field);
        assert_eq!(d["cell"], cell_of(&template, key), "{d}");
        let problem = d["problem"].as_str().unwrap();
        assert!(problem.contains(words), "{field}: {problem}");
        assert!(problem.contains(" / "), "Chinese and English: {problem}");
    }
    assert_eq!(
        found("payload.press_releases")["cell"],
        "年度宣传工作报告!E8"
    );
    assert!(
        details.iter().all(|d| d["cell"].is_string()),
        "every problem names its cell: {details:#?}"
    );
    assert_eq!(details.len(), 7, "{details:#?}");
    // Nothing was saved.
    let current = app
        .get(&format!("/api/v1/bodies/{a}/submissions/2025"), Some(&user))
        .await;
    assert_eq!(current.status, StatusCode::NOT_FOUND);
});

on_both_backends!(a_foreign_workbook_is_refused_whole, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    open_2025(&app, &analyst).await;
    let a = app.body("CNCA-R-2019-001", "product").await;
    let user = app.user("body_a", "body", Some(&a)).await;
    let template = app
        .get("/api/v1/cycles/2025/template.xlsx", Some(&user))
        .await
        .bytes;
    let full = fills_of(&template, sample_report(50, true).as_object().unwrap());
    let scheme = pubeval_scoring::Scheme::default_scheme();

    // A workbook of someone's own, with only a Sheet1.
    let mut own = rust_xlsxwriter::Workbook::new();
    own.add_worksheet().write_string(0, 0, "宣传工作").unwrap();
    // Two rows swapped.
    let moved = fill_and_edit(&template, &full, |sheet| {
        sheet.write_string(7, 2, "media_channels:website").unwrap();
        sheet.write_string(8, 2, "press_releases").unwrap();
    });
    // Another scheme's template: one field fewer.
    let mut other = scheme.clone();
    other.fields.retain(|f| f.name != "annual_plan");
    let other_scheme =
        pubeval_reports::workbook::template(pubeval_reports::workbook::TemplateInput {
            scheme: &other,
            year: 2025,
            values: None,
        })
        .unwrap();
    // Last year's template.
    let last_year = pubeval_reports::workbook::template(pubeval_reports::workbook::TemplateInput {
        scheme: &scheme,
        year: 2024,
        values: None,
    })
    .unwrap();
    for (what, bytes, cell) in [
        ("a workbook of its own", own.save_to_buffer().unwrap(), None),
        ("a moved row", moved, Some("年度宣传工作报告!C8")),
        (
            "another scheme's template",
            other_scheme,
            Some("年度宣传工作报告!C5"),
        ),
        ("last year's template", last_year, None),
    ] {
        let r = app.send(upload(&a, &user, bytes, None)).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("不是本年度的报告模板") && message.contains("nothing was read"),
            "{what}: {message}"
        );
        let detail = &r.body["error"]["details"][0];
        assert_eq!(detail["field"], "workbook", "{what}: {detail}");
        if let Some(cell) = cell {
            assert_eq!(detail["cell"], cell, "{what}: {detail}");
        }
    }
    // Not a workbook at all, and not the workbook's content type.
    let r = app
        .send(upload(&a, &user, b"not a workbook".to_vec(), None))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let json_body = TestRequest::post()
        .uri(&format!("/api/v1/bodies/{a}/submissions/2025/xlsx"))
        .insert_header(("Authorization", format!("Bearer {user}")))
        .set_json(json!({"payload": {}}));
    assert_error(
        &app.send(json_body).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // Nothing was saved.
    let current = app
        .get(&format!("/api/v1/bodies/{a}/submissions/2025"), Some(&user))
        .await;
    assert_eq!(current.status, StatusCode::NOT_FOUND);
});

on_both_backends!(
    a_zip_bomb_and_an_oversized_upload_are_refused,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        open_2025(&app, &analyst).await;
        let a = app.body("CNCA-R-2019-001", "product").await;
        let user = app.user("body_a", "body", Some(&a)).await;
        let template = app
            .get("/api/v1/cycles/2025/template.xlsx", Some(&user))
            .await
            .bytes;
        // The sheet's XML inflates to 258 MB from about 1.6 MB: declared truly, it is refused
        // from the archive's directory; declared as 1 KB (a lie), after 1 KB of inflating.
        let repeats = 1_000_000;
        let expands = 1 + 258 * repeats as u64;
        let honest = zip_bomb(&template, repeats, expands);
        assert!(honest.len() < 2_000_000, "{} bytes", honest.len());
        let started = std::time::Instant::now();
        let r = app.send(upload(&a, &user, honest, None)).await;
        println!("honest zip bomb refused in {:?}", started.elapsed());
        assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("200 MB"),
            "{}",
            r.body
        );
        let liar = zip_bomb(&template, repeats, 1024);
        let started = std::time::Instant::now();
        let r = app.send(upload(&a, &user, liar, None)).await;
        println!("lying zip bomb refused in {:?}", started.elapsed());
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("declared"),
            "{}",
            r.body
        );
        // More than 20 MB sent.
        let r = app
            .send(upload(&a, &user, vec![b'x'; 20_000_001], None))
            .await;
        assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        let current = app
            .get(&format!("/api/v1/bodies/{a}/submissions/2025"), Some(&user))
            .await;
        assert_eq!(current.status, StatusCode::NOT_FOUND);
    }
);

on_both_backends!(
    the_template_is_for_people_and_a_year_with_a_cycle,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let none = app
            .get("/api/v1/cycles/2025/template.xlsx", Some(&analyst))
            .await;
        assert_error(&none, StatusCode::NOT_FOUND, "not_found");
        open_2025(&app, &analyst).await;
        let client = app.client(&["results:read"]).await;
        let r = app
            .get("/api/v1/cycles/2025/template.xlsx", Some(&client))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app.get("/api/v1/cycles/2025/template.xlsx", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
);
