//! The report lifecycle: draft, stale save, submit with errors, submit, return, resubmit,
//! accept, every revision kept; the submission window and its exception; schemes and cycles.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use pubeval_tests::*;
use serde_json::{Value, json};

fn full_report() -> Value {
    json!({
        "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
        "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
        "press_releases": 50, "media_channels": ["website", "wechat", "video"], "original_posts": 120,
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week"],
        "expert_interpretations": 3, "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards", "cert_and_mark_samples"],
        "complaints_received": 40, "complaints_resolved_on_time": 36, "media_partnerships": 2,
        "publicity_budget_wan": 30, "revenue_wan": 10000, "dedicated_staff": 2, "training_hours": 8,
        "public_welfare_activities": 6, "account_security": true, "target_responsibility": true,
        "incentive_mechanism": true, "in_annual_report": true
    })
}

fn window(open_days_ago: i64, closes_in_days: i64) -> (String, String) {
    let now = Utc::now();
    (
        (now - Duration::days(open_days_ago)).to_rfc3339(),
        (now + Duration::days(closes_in_days)).to_rfc3339(),
    )
}

fn put(path: &str, token: &str, body: Value, if_match: Option<&str>) -> TestRequest {
    let mut req = TestRequest::put()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .set_json(body);
    if let Some(m) = if_match {
        req = req.insert_header(("If-Match", m));
    }
    req
}

on_both_backends!(
    a_report_goes_from_draft_to_accepted_keeping_every_revision,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let body_id = app.body("CNCA-R-2014-001", "product").await;
        let body = app.user("body1", "body", Some(&body_id)).await;
        let (opens, closes) = window(1, 30);
        let r = app
            .post(
                "/api/v1/cycles",
                Some(&analyst),
                json!({"year": 2025, "opens_at": opens, "closes_at": closes}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let path = format!("/api/v1/bodies/{body_id}/submissions/2025");

        // A partial draft: the first save needs no If-Match.
        let r = app
            .send(put(
                &path,
                &body,
                json!({"payload": {"press_releases": 12}}),
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.headers.get("etag").unwrap(), "\"1\"");
        assert_eq!(r.body["revision"], 1);
        assert_eq!(r.body["status"], "draft");

        // Without If-Match once a revision exists: 428; with a stale one: 412.
        let r = app
            .send(put(
                &path,
                &body,
                json!({"payload": {"press_releases": 13}}),
                None,
            ))
            .await;
        assert_error(&r, StatusCode::PRECONDITION_REQUIRED, "if_match_required");
        let r = app
            .send(put(
                &path,
                &body,
                json!({"payload": {"press_releases": 13}}),
                Some("\"1\""),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.headers.get("etag").unwrap(), "\"2\"");
        let r = app
            .send(put(
                &path,
                &body,
                json!({"payload": {"press_releases": 14}}),
                Some("\"1\""),
            ))
            .await;
        assert_error(&r, StatusCode::PRECONDITION_FAILED, "stale_revision");

        // An invalid draft: every problem with its field.
        let r = app
        .send(put(&path, &body, json!({"payload": {"press_releases": 50.0, "media_channels": ["website", "website"], "bogus": 1}}), Some("\"2\"")))
        .await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let fields: Vec<&str> = r.body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        for f in [
            "payload.press_releases",
            "payload.media_channels[1]",
            "payload.bogus",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }

        // Submitting an incomplete report: 422 listing every missing field.
        let r = app
            .post(&format!("{path}/submit"), Some(&body), json!({}))
            .await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            r.body["error"]["details"].as_array().unwrap().len() >= 20,
            "{}",
            r.body
        );

        // Complete it and submit.
        let r = app
            .send(put(
                &path,
                &body,
                json!({"payload": full_report()}),
                Some("\"2\""),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(&format!("{path}/submit"), Some(&body), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "submitted");
        assert_eq!(r.body["revision"], 4);
        // A submitted report cannot be edited or submitted again.
        assert_error(
            &app.send(put(
                &path,
                &body,
                json!({"payload": full_report()}),
                Some("\"4\""),
            ))
            .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_error(
            &app.post(&format!("{path}/submit"), Some(&body), json!({}))
                .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );

        // The analyst returns it with a comment; a return needs one.
        assert_error(
            &app.post(&format!("{path}/return"), Some(&analyst), json!({}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let r = app
            .post(
                &format!("{path}/return"),
                Some(&analyst),
                json!({"comment": "请补充专家解读的证明材料"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "returned");
        assert_error(
            &app.post(&format!("{path}/accept"), Some(&analyst), json!({}))
                .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );

        // The body edits and resubmits; the analyst accepts.
        let mut fixed = full_report();
        fixed["expert_interpretations"] = json!(4);
        let r = app
            .send(put(&path, &body, json!({"payload": fixed}), Some("\"5\"")))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.post(&format!("{path}/submit"), Some(&body), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        let r = app
            .post(&format!("{path}/accept"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "accepted");

        // Every revision is kept.
        let revisions = app.get(&format!("{path}/revisions"), Some(&body)).await;
        let statuses: Vec<&str> = revisions.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                "draft",
                "draft",
                "draft",
                "submitted",
                "returned",
                "draft",
                "submitted",
                "accepted"
            ]
        );
        let second = app
            .get(&format!("{path}/revisions/2"), Some(&analyst))
            .await;
        assert_eq!(second.body["payload"]["press_releases"], 13);
        let current = app.get(&path, Some(&body)).await;
        assert_eq!(current.headers.get("etag").unwrap(), "\"8\"");

        // The analyst's list of the cycle.
        let list = app
            .get("/api/v1/submissions?year=2025", Some(&analyst))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(list.body["items"][0]["status"], "accepted");
        let missing = app
            .get(
                "/api/v1/submissions?year=2025&status=not_submitted",
                Some(&analyst),
            )
            .await;
        assert_eq!(missing.body["total_items"], 0);
    }
);

on_both_backends!(roles_and_other_bodies_are_kept_out, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let mine = app.body("CNCA-R-2015-001", "service").await;
    let theirs = app.body("CNCA-R-2015-002", "service").await;
    let body = app.user("body1", "body", Some(&mine)).await;
    let (opens, closes) = window(1, 30);
    app.post(
        "/api/v1/cycles",
        Some(&analyst),
        json!({"year": 2025, "opens_at": opens, "closes_at": closes}),
    )
    .await;
    // Another body's report: 404, whether saving or reading.
    let other = format!("/api/v1/bodies/{theirs}/submissions/2025");
    assert_error(
        &app.send(put(&other, &body, json!({"payload": {}}), None))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &app.get(&other, Some(&body)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Analysts read and review but do not write reports.
    let own = format!("/api/v1/bodies/{mine}/submissions/2025");
    assert_error(
        &app.send(put(&own, &analyst, json!({"payload": {}}), None))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &app.get("/api/v1/submissions?year=2025", Some(&body)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &app.post(&format!("{own}/accept"), Some(&body), json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // The list shows who has not submitted.
    let missing = app
        .get(
            "/api/v1/submissions?year=2025&status=not_submitted",
            Some(&analyst),
        )
        .await;
    assert_eq!(missing.body["total_items"], 2);
});

on_both_backends!(
    the_window_is_enforced_and_an_exception_reopens_it_for_one_body,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let late = app.body("CNCA-R-2016-001", "product").await;
        let other = app.body("CNCA-R-2016-002", "product").await;
        let late_user = app.user("late", "body", Some(&late)).await;
        let other_user = app.user("other", "body", Some(&other)).await;
        let (opens, closes) = window(60, -1);
        app.post(
            "/api/v1/cycles",
            Some(&analyst),
            json!({"year": 2025, "opens_at": opens, "closes_at": closes}),
        )
        .await;
        let r = app
            .send(put(
                &format!("/api/v1/bodies/{late}/submissions/2025"),
                &late_user,
                json!({"payload": full_report()}),
                None,
            ))
            .await;
        assert_error(&r, StatusCode::CONFLICT, "window_closed");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("报送期"),
            "{}",
            r.body
        );

        let until = (Utc::now() + Duration::days(7)).to_rfc3339();
        assert_error(
            &app.post(
                "/api/v1/cycles/2025/exceptions",
                Some(&analyst),
                json!({"body_id": late, "closes_at": until, "reason": ""}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let r = app
            .post(
                "/api/v1/cycles/2025/exceptions",
                Some(&analyst),
                json!({"body_id": late, "closes_at": until, "reason": "系统故障导致未能按时报送"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .send(put(
                &format!("/api/v1/bodies/{late}/submissions/2025"),
                &late_user,
                json!({"payload": full_report()}),
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            app.post(
                &format!("/api/v1/bodies/{late}/submissions/2025/submit"),
                Some(&late_user),
                json!({})
            )
            .await
            .status,
            StatusCode::OK
        );
        // Only that body.
        let r = app
            .send(put(
                &format!("/api/v1/bodies/{other}/submissions/2025"),
                &other_user,
                json!({"payload": full_report()}),
                None,
            ))
            .await;
        assert_error(&r, StatusCode::CONFLICT, "window_closed");
        // No cycle at all: 409.
        let r = app
            .send(put(
                &format!("/api/v1/bodies/{late}/submissions/2030"),
                &late_user,
                json!({"payload": {}}),
                None,
            ))
            .await;
        assert_error(&r, StatusCode::CONFLICT, "no_cycle");
    }
);

on_both_backends!(
    schemes_are_validated_drafted_and_activated,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let list = app.get("/api/v1/schemes", Some(&analyst)).await;
        assert_eq!(
            list.body["total_items"], 1,
            "the default scheme is seeded: {}",
            list.body
        );
        let default = &list.body["items"][0];
        assert_eq!(default["status"], "active");
        assert_eq!(default["code"], "cnca-publicity");

        let mut doc: Value =
            serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap();
        doc["dimensions"][0]["indicators"][1]["code"] = json!("D1.1");
        doc["dimensions"][1]["max"] = json!(31);
        let r = app
            .post("/api/v1/schemes", Some(&analyst), doc.clone())
            .await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let fields: Vec<&str> = r.body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert!(
            fields
                .iter()
                .any(|f| f.starts_with("dimensions[0].indicators[1]")),
            "{fields:?}"
        );
        assert!(fields.contains(&"dimensions[1].max"), "{fields:?}");

        let mut v2: Value =
            serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap();
        v2["version"] = json!(2);
        let r = app
            .post("/api/v1/schemes", Some(&analyst), v2.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["status"], "draft");
        let id = r.body["id"].as_str().unwrap().to_string();
        assert_error(
            &app.post("/api/v1/schemes", Some(&analyst), v2).await,
            StatusCode::CONFLICT,
            "scheme_exists",
        );
        let r = app
            .post(
                &format!("/api/v1/schemes/{id}/activate"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_error(
            &app.post(
                &format!("/api/v1/schemes/{id}/activate"),
                Some(&analyst),
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        let list = app.get("/api/v1/schemes", Some(&analyst)).await;
        let statuses: Vec<(i64, &str)> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["version"].as_i64().unwrap(),
                    s["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(statuses, [(2, "active"), (1, "retired")]);

        // A body user sees only the active scheme.
        let b = app.body("CNCA-R-2017-001", "product").await;
        let body = app.user("body1", "body", Some(&b)).await;
        assert_eq!(
            app.get("/api/v1/schemes", Some(&body)).await.body["total_items"],
            1
        );
    }
);

on_both_backends!(
    cycles_are_unique_per_year_and_windows_ordered,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let (opens, closes) = window(1, 30);
        assert_eq!(
            app.post(
                "/api/v1/cycles",
                Some(&analyst),
                json!({"year": 2025, "opens_at": opens, "closes_at": closes})
            )
            .await
            .status,
            StatusCode::CREATED
        );
        assert_error(
            &app.post(
                "/api/v1/cycles",
                Some(&analyst),
                json!({"year": 2025, "opens_at": opens, "closes_at": closes}),
            )
            .await,
            StatusCode::CONFLICT,
            "cycle_exists",
        );
        assert_error(
            &app.post(
                "/api/v1/cycles",
                Some(&analyst),
                json!({"year": 2026, "opens_at": closes, "closes_at": opens}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let r = app
            .patch(
                "/api/v1/cycles/2025",
                Some(&analyst),
                json!({"closes_at": "2027-04-01T00:00:00+08:00"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["closes_at"], "2027-03-31T16:00:00+00:00");
        assert_eq!(
            app.get("/api/v1/cycles/2025", Some(&analyst)).await.body["year"],
            2025
        );
        assert_error(
            &app.get("/api/v1/cycles/1999", Some(&analyst)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
);
