//! One error shape for every failure, including those actix itself produces.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::*;

on_both_backends!(actix_made_errors_have_the_one_shape, |backend| async move {
    let app = spawn(backend).await;
    let admin = app.admin().await;
    let bearer = ("Authorization", format!("Bearer {admin}"));

    let malformed = TestRequest::post()
        .uri("/api/v1/bodies")
        .insert_header(bearer.clone())
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{not json");
    assert_error(
        &app.send(malformed).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );

    assert_error(
        &app.get("/api/v1/no-such-thing", Some(&admin)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    let wrong_method = app
        .send(
            TestRequest::delete()
                .uri("/api/v1/bodies")
                .insert_header(bearer.clone()),
        )
        .await;
    assert_error(
        &wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    assert!(
        wrong_method
            .headers
            .get("allow")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("POST")
    );

    let too_large = TestRequest::post()
        .uri("/api/v1/bodies")
        .insert_header(bearer.clone())
        .insert_header(("Content-Type", "application/json"))
        .set_payload(format!("{{\"name\": \"{}\"}}", "x".repeat(200 * 1024)));
    assert_error(
        &app.send(too_large).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    let wrong_type = TestRequest::post()
        .uri("/api/v1/bodies")
        .insert_header(bearer.clone())
        .insert_header(("Content-Type", "text/plain"))
        .set_payload("approval_no=x");
    assert_error(
        &app.send(wrong_type).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    let bad_query = app.get("/api/v1/bodies?page=zero", Some(&admin)).await;
    assert_error(&bad_query, StatusCode::BAD_REQUEST, "bad_request");
});

on_both_backends!(a_wrong_field_is_named, |backend| async move {
    let app = spawn(backend).await;
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/bodies",
            Some(&admin),
            serde_json::json!({"approval_no": "CNCA-R-2010-001", "name": "x", "category": "laboratory", "province": "北京", "approved_on": "2010-01-01"}),
        )
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["error"]["details"][0]["field"], "category");
    let r = app
        .post("/api/v1/bodies", Some(&admin), serde_json::json!({"approval_no": "CNCA-R-2010-001", "name": "x", "category": "product", "province": "北京"}))
        .await;
    assert_eq!(
        r.body["error"]["details"][0]["field"], "approved_on",
        "{}",
        r.body
    );
});

#[actix_web::test]
async fn health_answers_without_a_token() {
    let app = spawn(Backend::Sqlite).await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api-docs/openapi.json", None).await.status,
        StatusCode::OK
    );
}

on_both_backends!(
    a_bad_query_parameter_is_named_in_the_error,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        for (query, parameter) in [("per_page=-1", "per_page"), ("page=first", "page")] {
            let r = app
                .get(&format!("/api/v1/bodies?{query}"), Some(&admin))
                .await;
            assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
            assert_eq!(
                r.body["error"]["details"][0]["field"], parameter,
                "{query}: {}",
                r.body
            );
        }
        let r = app.get("/api/v1/warnings?status=lost", Some(&admin)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(
            r.body["error"]["details"][0]["field"], "status",
            "{}",
            r.body
        );
    }
);
