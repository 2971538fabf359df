//! Memory under hostile requests (issue 11, finding 3): no request of 1 MB or less raises the
//! server's memory by more than 20 MB while it is read, checked and answered. A global
//! allocator of this test binary counts the bytes allocated and their high-water mark since a
//! reset; the requests run one at a time (one test in this binary), so the mark is the
//! request's own (its body included).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use pubeval_tests::*;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const ONE_MB: usize = 1024 * 1024;
/// The most a request may raise memory by.
const MAX_RISE: usize = 20 * ONE_MB;
/// The largest answer.
const MAX_ANSWER: usize = 256 * 1024;

/// Sends a request of at most 1 MB and gives the high-water mark it raised memory by, and
/// the answer's status and size.
async fn rise_of<S, B>(
    app: &TestApp<S>,
    req: TestRequest,
    size: usize,
) -> (usize, StatusCode, usize)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    assert!(size <= ONE_MB, "the request is {size} bytes");
    ALLOCATOR.reset_peak_memory();
    let r = app.send(req).await;
    (ALLOCATOR.get_peak_memory(), r.status, r.bytes.len())
}

#[actix_web::test]
async fn no_request_of_a_megabyte_raises_memory_by_more_than_20_mb() {
    let app = spawn_with(Backend::Sqlite, |c| c.max_body_bytes = 2 * ONE_MB).await;
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
    let path = format!("/api/v1/bodies/{body_id}/submissions/2025");

    let fill = |unit: &str, room: usize| -> String {
        let n = room / (unit.len() + 1);
        vec![unit; n].join(",")
    };
    let bodies = [
        (
            "a set of 340,000 items",
            format!(
                r#"{{"payload":{{"media_channels":[{}]}}}}"#,
                fill(r#""""#, ONE_MB - 64)
            ),
        ),
        (
            "an array of small numbers",
            format!(
                r#"{{"payload":{{"campaigns":[{}]}}}}"#,
                fill("0", ONE_MB - 64)
            ),
        ),
        ("unknown fields", {
            // As many as a megabyte holds: three-character names, 8 bytes a field.
            let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
            let n = alphabet.len();
            let fields: Vec<String> = (0..(ONE_MB - 64) / 8)
                .map(|i| {
                    let name: String = [i / (n * n), i / n % n, i % n]
                        .iter()
                        .map(|&k| alphabet[k % n])
                        .collect();
                    format!(r#""{name}":0"#)
                })
                .collect();
            format!(r#"{{"payload":{{{}}}}}"#, fields.join(","))
        }),
        (
            "nested arrays",
            format!(
                r#"{{"payload":{{"media_channels":[{}]}}}}"#,
                fill("[]", ONE_MB - 64)
            ),
        ),
    ];
    for (what, body) in bodies {
        let size = body.len();
        let req = TestRequest::put()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body);
        let (rise, status, answer) = rise_of(&app, req, size).await;
        println!(
            "{what}: {size} bytes in, {answer} bytes out, memory rose {:.1} MB",
            rise as f64 / ONE_MB as f64
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(answer <= MAX_ANSWER, "{what}: a {answer}-byte answer");
        assert!(rise <= MAX_RISE, "{what}: memory rose by {rise} bytes");
        if what != "unknown fields" {
            // A long array is read past, not stored: the body and little more (stored, each
            // of its items costs a parsed value, 15 MB for a megabyte of them).
            assert!(rise <= 2 * ONE_MB, "{what}: memory rose by {rise} bytes");
        }
    }
}
