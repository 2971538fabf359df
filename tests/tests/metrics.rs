//! `/metrics` for the operator's scraper, and the request id every answer carries.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::*;

const SCRAPE: &str = "scrape-token-0123456789abcdef";

on_both_backends!(
    metrics_need_the_scrape_token_and_count_by_route,
    |backend| async move {
        let app = spawn_with(backend, |c| c.metrics_token = Some(SCRAPE.to_string())).await;
        let admin = app.admin().await;
        let id = app.body("CNCA-R-2011-001", "product").await;
        let body = app.get(&format!("/api/v1/bodies/{id}"), Some(&admin)).await;
        assert_eq!(body.status, StatusCode::OK);
        let failed = app
        .post(
            "/api/v1/auth/token",
            None,
            serde_json::json!({"grant_type": "password", "username": "admin", "password": "wrong-password"}),
        )
        .await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED);

        assert_eq!(
            app.get("/metrics", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("/metrics", Some("not-the-token")).await.status,
            StatusCode::UNAUTHORIZED
        );
        // An analyst's or an admin's token is not the scrape token either.
        assert_eq!(
            app.get("/metrics", Some(&admin)).await.status,
            StatusCode::UNAUTHORIZED
        );

        let scraped = app
            .send(
                TestRequest::get()
                    .uri("/metrics")
                    .insert_header(("Authorization", format!("Bearer {SCRAPE}"))),
            )
            .await;
        assert_eq!(scraped.status, StatusCode::OK);
        assert!(
            scraped.header("content-type").starts_with("text/plain"),
            "{}",
            scraped.header("content-type")
        );
        let text = String::from_utf8(scraped.bytes.clone()).unwrap();
        // Counted by the route's template, never the raw path (whose ids would grow the label set).
        assert!(
        text.contains(r#"pubeval_http_requests_total{method="GET",route="/api/v1/bodies/{id}",status="200"} 1"#),
        "{text}"
    );
        assert!(!text.contains(&id), "a raw id in a label: {text}");
        assert!(
            text.contains("pubeval_http_request_duration_seconds_bucket"),
            "{text}"
        );
        assert!(text.contains("pubeval_login_failures_total 1"), "{text}");
        assert!(text.contains("pubeval_db_pool_max_connections 4"), "{text}");
        assert!(text.contains("pubeval_evaluation_runs"), "{text}");
    }
);

on_both_backends!(
    without_a_scrape_token_there_are_no_metrics,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        assert_error(
            &app.get("/metrics", Some(&admin)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
);

on_both_backends!(every_answer_carries_a_request_id, |backend| async move {
    let app = spawn(backend).await;
    let a = app.get("/healthz", None).await;
    let b = app.get("/healthz", None).await;
    let (a, b) = (
        a.header("x-request-id").to_string(),
        b.header("x-request-id").to_string(),
    );
    assert!(a.len() >= 32 && b.len() >= 32, "{a} {b}");
    assert_ne!(a, b);
    // Errors too, and a caller's plausible correlation id is kept.
    let kept = app
        .send(
            TestRequest::get()
                .uri("/api/v1/nowhere")
                .insert_header(("X-Request-Id", "proxy-7f3a9b21")),
        )
        .await;
    assert_eq!(kept.status, StatusCode::NOT_FOUND);
    assert_eq!(kept.header("x-request-id"), "proxy-7f3a9b21");
    let replaced = app
        .send(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("X-Request-Id", "<script>")),
        )
        .await;
    assert_ne!(replaced.header("x-request-id"), "<script>");
});
