//! Amplification (issue 11, finding 3): no request of 1 MB or less gets an answer over 256 KB.
//! A set longer than its member list is refused as one problem; at most 100 problems are
//! reported, then one "and N more"; an echoed value is cut short.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use pubeval_tests::*;
use serde_json::{Value, json};

/// The largest request these tests send.
const ONE_MB: usize = 1024 * 1024;
/// The largest answer any of them may get.
const MAX_ANSWER: usize = 256 * 1024;
/// 100 problems and the one that counts the rest.
const MAX_DETAILS: usize = 101;

/// A 1 MB body is admitted (the test apps admit 64 KB by default).
async fn big_app(
    backend: Backend,
) -> TestApp<
    impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_with(backend, |c| c.max_body_bytes = 2 * ONE_MB).await
}

/// Sends `body` as it is (already serialised), checking it is at most 1 MB.
fn raw(req: TestRequest, token: &str, body: String) -> TestRequest {
    assert!(body.len() <= ONE_MB, "the request is {} bytes", body.len());
    req.insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body)
}

/// The answer is a 422 of the one error shape, small, with at most 101 details; the details.
#[track_caller]
fn assert_small_422(r: &Reply) -> Vec<(String, String)> {
    assert!(
        r.bytes.len() <= MAX_ANSWER,
        "the answer is {} bytes",
        r.bytes.len()
    );
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let details: Vec<(String, String)> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().to_string(),
                d["problem"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        !details.is_empty() && details.len() <= MAX_DETAILS,
        "{} details",
        details.len()
    );
    details
}

/// A body user with an open 2025 cycle; the path of its report and its token.
async fn reporting_body<S, B>(app: &TestApp<S>) -> (String, String)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let analyst = app.analyst().await;
    let now = Utc::now();
    let r = app
        .post(
            "/api/v1/cycles",
            Some(&analyst),
            json!({"year": 2025, "opens_at": (now - Duration::days(1)).to_rfc3339(),
                   "closes_at": (now + Duration::days(30)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let body_id = app.body("CNCA-R-2014-001", "product").await;
    let token = app.user("body1", "body", Some(&body_id)).await;
    (format!("/api/v1/bodies/{body_id}/submissions/2025"), token)
}

fn save(path: &str, token: &str, payload: String) -> TestRequest {
    raw(
        TestRequest::put().uri(path),
        token,
        format!(r#"{{"payload":{payload}}}"#),
    )
}

on_both_backends!(a_set_of_340000_items_is_one_problem, |backend| async move {
    let app = big_app(backend).await;
    let (path, token) = reporting_body(&app).await;
    let items = vec![r#""""#; 340_000].join(",");
    let r = app
        .send(save(
            &path,
            &token,
            format!(r#"{{"media_channels":[{items}]}}"#),
        ))
        .await;
    let details = assert_small_422(&r);
    assert_eq!(details.len(), 1, "{details:?}");
    assert_eq!(details[0].0, "payload.media_channels");
    assert!(details[0].1.contains("最多"), "{details:?}");
    assert!(details[0].1.contains("at most"), "{details:?}");

    // Within the length, an unknown member and a repeated one are still named by item.
    let r = app
        .send(save(
            &path,
            &token,
            r#"{"media_channels":["website","tiktok","website"]}"#.into(),
        ))
        .await;
    let fields: Vec<String> = assert_small_422(&r).into_iter().map(|d| d.0).collect();
    assert_eq!(
        fields,
        ["payload.media_channels[1]", "payload.media_channels[2]"]
    );
});

on_both_backends!(
    fifty_thousand_unknown_fields_give_100_problems_and_one_more,
    |backend| async move {
        let app = big_app(backend).await;
        let (path, token) = reporting_body(&app).await;
        let fields: Vec<String> = (0..50_000).map(|i| format!(r#""f{i}":0"#)).collect();
        let r = app
            .send(save(&path, &token, format!("{{{}}}", fields.join(","))))
            .await;
        let details = assert_small_422(&r);
        assert_eq!(details.len(), MAX_DETAILS);
        let last = &details[100].1;
        assert!(
            last.contains("以及另外 49900 个问题") && last.contains("and 49900 more"),
            "{last}"
        );
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("50000"), "{message}");
        assert!(details[0].0.starts_with("payload.f"), "{details:?}");
    }
);

on_both_backends!(
    a_long_bad_value_is_not_echoed_in_full,
    |backend| async move {
        let app = big_app(backend).await;
        let (path, token) = reporting_body(&app).await;
        let long = "x".repeat(300_000);
        // A long unknown key, a long unknown member, a long key beside the payload.
        for payload in [
            format!(r#"{{"{long}":1}}"#),
            format!(r#"{{"media_channels":["{long}"]}}"#),
        ] {
            let r = app.send(save(&path, &token, payload)).await;
            assert_small_422(&r);
            assert!(
                r.bytes.len() < 4096,
                "the answer is {} bytes",
                r.bytes.len()
            );
        }
        let r = app
            .send(raw(
                TestRequest::put().uri(&path),
                &token,
                format!(r#"{{"payload":{{}},"{long}":1}}"#),
            ))
            .await;
        assert_small_422(&r);
        assert!(
            r.bytes.len() < 4096,
            "the answer is {} bytes",
            r.bytes.len()
        );
    }
);

fn default_scheme() -> Value {
    serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap()
}

on_both_backends!(
    a_scheme_with_many_problems_gives_100_and_one_more,
    |backend| async move {
        let app = big_app(backend).await;
        let analyst = app.analyst().await;
        let mut scheme = default_scheme();
        scheme["version"] = json!(2);
        let fields = scheme["fields"].as_array_mut().unwrap();
        // Each is badly named and defined twice: two problems each.
        for _ in 0..20_000 {
            fields.push(json!({"name": "X", "type": "bool", "label": "x"}));
        }
        let r = app
            .send(raw(
                TestRequest::post().uri("/api/v1/schemes"),
                &analyst,
                scheme.to_string(),
            ))
            .await;
        let details = assert_small_422(&r);
        assert_eq!(details.len(), MAX_DETAILS);
        assert!(details[100].1.contains("and "), "{details:?}");

        // A long unknown type is refused without echoing it in full.
        let mut scheme = default_scheme();
        scheme["version"] = json!(3);
        scheme["fields"][0]["type"] = json!("t".repeat(300_000));
        let r = app
            .send(raw(
                TestRequest::post().uri("/api/v1/schemes"),
                &analyst,
                scheme.to_string(),
            ))
            .await;
        assert_small_422(&r);
        assert!(
            r.bytes.len() < 4096,
            "the answer is {} bytes",
            r.bytes.len()
        );
    }
);
