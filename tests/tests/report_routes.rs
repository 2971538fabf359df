//! Rankings in every format and the SVG charts, under the access rules of the data they show.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::Utc;
use pubeval_tests::*;
use serde_json::{Value, json};

fn report(press_releases: i64, bools: bool) -> Value {
    json!({
        "policy_approved": true, "leadership_designated": bools, "spokesperson_system": bools,
        "annual_plan": true, "three_reviews": bools, "major_event_reporting_system": true,
        "press_releases": press_releases, "media_channels": ["website", "wechat"], "original_posts": 120,
        "campaigns": ["quality_cert_week"], "expert_interpretations": 3, "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules"],
        "complaints_received": 10, "complaints_resolved_on_time": 9, "media_partnerships": 2,
        "publicity_budget_wan": 30, "revenue_wan": 10000, "dedicated_staff": 2, "training_hours": 8,
        "public_welfare_activities": 3, "account_security": true, "target_responsibility": bools,
        "incentive_mechanism": true, "in_annual_report": true
    })
}

on_both_backends!(
    rankings_and_charts_render_for_those_who_may_see_them,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let now = Utc::now();
        app.post("/api/v1/cycles", Some(&analyst), json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()})).await;
        let mut ids = Vec::new();
        for (i, (category, press, bools)) in [
            ("product", 50, true),
            ("service", 10, false),
            ("product", 30, true),
        ]
        .iter()
        .enumerate()
        {
            let id = app
                .body(&format!("CNCA-R-2018-{:03}", i + 1), category)
                .await;
            let user = app.user(&format!("b{i}"), "body", Some(&id)).await;
            let path = format!("/api/v1/bodies/{id}/submissions/2025");
            let put = TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {user}")))
                .set_json(json!({"payload": report(*press, *bools)}));
            assert_eq!(app.send(put).await.status, StatusCode::CREATED);
            assert_eq!(
                app.post(&format!("{path}/submit"), Some(&user), json!({}))
                    .await
                    .status,
                StatusCode::OK
            );
            ids.push((id, user));
        }
        let r = app
            .post(
                "/api/v1/evaluations",
                Some(&analyst),
                json!({"year": 2025, "draws": 50}),
            )
            .await;
        let id = r.body["id"].as_str().unwrap().to_string();
        let started = Instant::now();
        while app
            .get(&format!("/api/v1/evaluations/{id}"), Some(&analyst))
            .await
            .body["status"]
            == "running"
        {
            assert!(started.elapsed() < Duration::from_secs(60));
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }

        // JSON: every body in rank order with the contract's fields.
        let json = app
            .get(
                &format!("/api/v1/evaluations/{id}/ranking?format=json"),
                Some(&analyst),
            )
            .await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.body);
        let items = json.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        for field in [
            "body_id",
            "approval_no",
            "name",
            "category",
            "province",
            "total",
            "grade",
            "rank",
            "category_rank",
            "warning_level",
        ] {
            assert!(items[0].get(field).is_some(), "{field}");
        }
        let ranks: Vec<u64> = items.iter().map(|i| i["rank"].as_u64().unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]));

        // CSV with its BOM and a Chinese file name; XLSX and HTML with their types.
        let csv = app
            .send(
                TestRequest::get()
                    .uri(&format!("/api/v1/evaluations/{id}/ranking?format=csv"))
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let disposition = csv
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            disposition.contains("filename*=UTF-8''") && disposition.contains("%E6%8E%92%E5%90%8D"),
            "{disposition}"
        );
        assert!(csv.body.as_str().unwrap().starts_with('\u{feff}'));
        for (format, media) in [
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("html", "text/html"),
        ] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{id}/ranking?format={format}"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{format}");
            assert!(
                r.headers
                    .get("content-type")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(media),
                "{format}"
            );
        }
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/ranking?format=pdf"),
                Some(&analyst),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
        let products = app
            .get(
                &format!("/api/v1/evaluations/{id}/ranking?category=product"),
                Some(&analyst),
            )
            .await;
        assert_eq!(products.body["items"].as_array().unwrap().len(), 2);

        // Charts.
        for chart in ["grade_distribution", "score_histogram", "dimension_profile"] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{id}/charts/{chart}.svg"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{chart}: {}", r.body);
            assert_eq!(r.headers.get("content-type").unwrap(), "image/svg+xml");
            assert!(r.body.as_str().unwrap().contains("<svg"), "{chart}");
        }
        let body_id = &ids[0].0;
        for chart in ["body_radar", "body_trend"] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{id}/charts/{chart}.svg?body={body_id}"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{chart}: {}", r.body);
            assert_error(
                &app.get(
                    &format!("/api/v1/evaluations/{id}/charts/{chart}.svg"),
                    Some(&analyst),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            );
        }
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/charts/pie.svg"),
                Some(&analyst),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // A body does not get the ranking; a client only once final.
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/ranking"),
                Some(&ids[0].1),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let client = app.client(&["results:read"]).await;
        assert_error(
            &app.get(&format!("/api/v1/evaluations/{id}/ranking"), Some(&client))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        app.post(
            &format!("/api/v1/evaluations/{id}/publish"),
            Some(&analyst),
            json!({}),
        )
        .await;
        assert_eq!(
            app.post(
                &format!("/api/v1/evaluations/{id}/finalize"),
                Some(&analyst),
                json!({})
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(&format!("/api/v1/evaluations/{id}/ranking"), Some(&client))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(
                &format!("/api/v1/evaluations/{id}/charts/grade_distribution.svg"),
                Some(&client)
            )
            .await
            .status,
            StatusCode::OK
        );
    }
);
