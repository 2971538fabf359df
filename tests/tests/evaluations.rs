//! The Article 32 process end to end: run, read, public notice, objection upheld and re-run,
//! finalize with draft warnings, the input digest, external read access, and that a final
//! evaluation is never rewritten.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::Utc;
use pubeval_tests::*;
use serde_json::{Value, json};

fn report(overrides: Value) -> Value {
    let mut r = json!({
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
    });
    for (k, v) in overrides.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

on_both_backends!(
    the_article_32_process_runs_end_to_end,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let a = app.body("CNCA-R-2002-004", "management_system").await;
        let b = app.body("CNCA-R-2005-031", "management_system").await;
        let c = app.body("CNCA-R-2021-014", "product").await;
        let a_user = app.user("body-a", "body", Some(&a)).await;
        let b_user = app.user("body-b", "body", Some(&b)).await;
        let now = Utc::now();
        let r = app
        .post("/api/v1/cycles", Some(&analyst), json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(30)).to_rfc3339()}))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        // A files the worked example of SCHEME.md §7; B a weak report; C nothing.
        for (id, token, payload) in [
            (&a, &a_user, report(json!({}))),
            (
                &b,
                &b_user,
                report(
                    json!({"spokesperson_system": false, "annual_plan": false, "three_reviews": false, "opinion_monitoring": false,
            "press_releases": 2, "media_channels": ["website"], "original_posts": 5, "campaigns": [], "expert_interpretations": 0,
            "disclosed_items": ["cert_fields"], "media_partnerships": 0, "dedicated_staff": 0, "public_welfare_activities": 0,
            "account_security": false, "target_responsibility": false, "incentive_mechanism": false}),
                ),
            ),
        ] {
            let path = format!("/api/v1/bodies/{id}/submissions/2025");
            let put = TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .set_json(json!({"payload": payload}));
            assert_eq!(app.send(put).await.status, StatusCode::CREATED);
            assert_eq!(
                app.post(&format!("{path}/submit"), Some(token), json!({}))
                    .await
                    .status,
                StatusCode::OK
            );
        }
        // A's major event of 1 May 2025, reported 60 hours later through another channel.
        let r = app
        .post("/api/v1/incidents", Some(&analyst), json!({"body_id": a, "kind": "major_event", "severity": "general",
            "occurred_at": "2025-05-01T00:00:00Z", "reported_at": "2025-05-03T12:00:00Z", "description": "突发事件"}))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let incident_id = r.body["id"].as_str().unwrap().to_string();

        let first = run(&app, &analyst, 2025).await;
        let summary = &first["summary"];
        assert_eq!(summary["bodies"], 3);
        assert_eq!(summary["submitted"], 2);
        assert!(first["input_digest"].as_str().unwrap().len() == 64);
        let id = first["id"].as_str().unwrap().to_string();

        // The ranking: A first; C without a report last, warned.
        let ranking = app
            .get(
                &format!("/api/v1/evaluations/{id}/results?per_page=10"),
                Some(&analyst),
            )
            .await;
        assert_eq!(ranking.body["total_items"], 3);
        let items = ranking.body["items"].as_array().unwrap();
        assert_eq!(items[0]["body_id"], a.as_str());
        assert!((items[0]["total"].as_f64().unwrap() - 80.757242).abs() < 1e-6);
        assert_eq!(items[0]["grade"], "B");
        assert_eq!(items[0]["rank"], 1);
        assert_eq!(items[0]["warning_level"], 1);
        assert_eq!(items[2]["body_id"], c.as_str());
        assert!(items[2]["total"].is_null());
        assert_eq!(items[2]["warning_level"], 2);
        let products = app
            .get(
                &format!("/api/v1/evaluations/{id}/results?category=product"),
                Some(&analyst),
            )
            .await;
        assert_eq!(products.body["total_items"], 1);

        // One body's explained result.
        let detail = app
            .get(
                &format!("/api/v1/evaluations/{id}/results/{a}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
        assert_eq!(detail.body["deductions"]["X1"], -3.0);
        assert_eq!(detail.body["warning"]["reasons"], json!(["W1.late_report"]));
        assert!((detail.body["dimensions"]["D2"].as_f64().unwrap() - 24.357242).abs() < 1e-6);
        assert_eq!(
            detail.body["explanation"]["indicators"]
                .as_array()
                .unwrap()
                .len(),
            23
        );
        assert!(detail.body["uncertainty"]["rank_median"].is_u64());

        // A draft is internal: a body sees nothing of it.
        assert_error(
            &app.get(&format!("/api/v1/evaluations/{id}"), Some(&a_user))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // Public notice: a body reads its own result only, and objects.
        let r = app
            .post(
                &format!("/api/v1/evaluations/{id}/publish"),
                Some(&analyst),
                json!({"objection_days": 5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "public_notice");
        let own = app
            .get(&format!("/api/v1/evaluations/{id}/results"), Some(&a_user))
            .await;
        assert_eq!(own.body["total_items"], 1);
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/results/{b}"),
                Some(&a_user),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        // The result letter (评价结果告知书), with how to object while in public notice.
        let letter = app
            .get(
                &format!("/api/v1/evaluations/{id}/results/{a}/letter.html"),
                Some(&a_user),
            )
            .await;
        assert_eq!(letter.status, StatusCode::OK, "{}", letter.body);
        let html = letter.body.as_str().unwrap();
        for expected in ["评价结果告知书", "CNCA-R-2002-004", "80.76", "异议", "<svg"] {
            assert!(
                html.contains(expected),
                "{expected} missing from the letter"
            );
        }
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/results/{b}/letter.html"),
                Some(&a_user),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let objection = app
            .post(
                &format!("/api/v1/evaluations/{id}/objections"),
                Some(&a_user),
                json!({"text": "该事件已于当日电话报告，不属于迟报"}),
            )
            .await;
        assert_eq!(objection.status, StatusCode::CREATED, "{}", objection.body);
        let objection_id = objection.body["id"].as_str().unwrap().to_string();
        assert_error(
            &app.post(
                &format!("/api/v1/evaluations/{id}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
            "objections_open",
        );

        // Upheld: corrected at its source (the incident is voided) and the year re-run.
        let r = app
            .post(
                &format!("/api/v1/objections/{objection_id}/answer"),
                Some(&analyst),
                json!({"decision": "upheld", "answer": "经核实，予以采纳"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.post(
                &format!("/api/v1/incidents/{incident_id}/void"),
                Some(&analyst),
                json!({"reason": "异议成立，经核实已按时报告"})
            )
            .await
            .status,
            StatusCode::OK
        );
        let second = run(&app, &analyst, 2025).await;
        let second_id = second["id"].as_str().unwrap().to_string();
        assert_ne!(
            second["input_digest"], first["input_digest"],
            "the inputs changed"
        );
        let old = app
            .get(&format!("/api/v1/evaluations/{id}"), Some(&analyst))
            .await;
        assert_eq!(old.body["status"], "superseded");
        assert_eq!(old.body["superseded_by"], second_id.as_str());
        let a_now = app
            .get(
                &format!("/api/v1/evaluations/{second_id}/results/{a}"),
                Some(&analyst),
            )
            .await;
        assert!((a_now.body["total"].as_f64().unwrap() - 83.757242).abs() < 1e-6);
        assert!(a_now.body["warning"].is_null());
        assert_eq!(a_now.body["warning_level"], 0);

        // The same inputs give the same digest.
        let third = run(&app, &analyst, 2025).await;
        assert_eq!(third["input_digest"], second["input_digest"]);
        let third_id = third["id"].as_str().unwrap().to_string();

        // Final: draft warnings for the bodies whose result triggers one.
        assert_eq!(
            app.post(
                &format!("/api/v1/evaluations/{third_id}/publish"),
                Some(&analyst),
                json!({})
            )
            .await
            .status,
            StatusCode::OK
        );
        let r = app
            .post(
                &format!("/api/v1/evaluations/{third_id}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "final");
        let letter = app
            .get(
                &format!("/api/v1/evaluations/{third_id}/results/{a}/letter.html"),
                Some(&a_user),
            )
            .await;
        let html = letter.body.as_str().unwrap();
        assert!(html.contains("最终结果"), "{html}");
        // Sections are numbered by which appear: no deductions any more, so 五 is the last.
        assert!(
            html.contains("四、排名稳健性")
                && html.contains("五、结果效力")
                && !html.contains("六、"),
            "{html}"
        );
        let client = app.client(&["results:read"]).await;
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{third_id}/results/{a}/letter.html"),
                Some(&client),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let warnings = app
            .get(
                &format!("/api/v1/warnings?evaluation={third_id}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(warnings.status, StatusCode::OK, "{}", warnings.body);
        let warned: Vec<&str> = warnings.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["body_id"].as_str().unwrap())
            .collect();
        assert!(warned.contains(&c.as_str()), "{warned:?}");
        assert!(!warned.contains(&a.as_str()), "{warned:?}");
        assert!(
            warnings.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["status"] == "draft")
        );

        // C's warning issued: its notice (风险警示通知书) as HTML.
        let c_warning = warnings.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["body_id"] == c.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_error(
            &app.get(
                &format!("/api/v1/warnings/{c_warning}/notice.html"),
                Some(&analyst),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let issued = app
            .post(
                &format!("/api/v1/warnings/{c_warning}/issue"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
        let notice_no = issued.body["notice_no"].as_str().unwrap().to_string();
        let notice = app
            .get(
                &format!("/api/v1/warnings/{c_warning}/notice.html"),
                Some(&analyst),
            )
            .await;
        assert_eq!(notice.status, StatusCode::OK);
        assert!(
            notice
                .headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = notice.body.as_str().unwrap();
        for expected in [
            notice_no.as_str(),
            "CNCA-R-2021-014",
            "国家认证认可监督管理委员会",
            "第三十二条",
            "陈述、申辩",
            "未在报送期限内报送",
        ] {
            assert!(
                html.contains(expected),
                "{expected} missing from the notice"
            );
        }
        let reader = app.client(&["warnings:read"]).await;
        assert_eq!(
            app.get(
                &format!("/api/v1/warnings/{c_warning}/notice.html"),
                Some(&reader)
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_error(
            &app.get(
                &format!("/api/v1/warnings/{c_warning}/notice.html"),
                Some(&a_user),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // A final evaluation stands: no new run, no second finalisation, rows unchanged.
        let before = app
            .get(
                &format!("/api/v1/evaluations/{third_id}/results?per_page=10"),
                Some(&analyst),
            )
            .await
            .body;
        assert_error(
            &app.post("/api/v1/evaluations", Some(&analyst), json!({"year": 2025}))
                .await,
            StatusCode::CONFLICT,
            "final_exists",
        );
        assert_error(
            &app.post(
                &format!("/api/v1/evaluations/{third_id}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_error(
            &app.post(
                &format!("/api/v1/evaluations/{third_id}/publish"),
                Some(&analyst),
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );

        // External systems read final results only.
        let client = app.client(&["results:read"]).await;
        let listed = app
            .get("/api/v1/evaluations?year=2025", Some(&client))
            .await;
        assert_eq!(listed.body["total_items"], 1);
        assert_eq!(listed.body["items"][0]["id"], third_id.as_str());
        assert_eq!(
            app.get(
                &format!("/api/v1/evaluations/{third_id}/results"),
                Some(&client)
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{second_id}/results"),
                Some(&client),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let no_scope = app.client(&["bodies:read"]).await;
        assert_error(
            &app.get("/api/v1/evaluations", Some(&no_scope)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );

        // A body's history.
        let history = app
            .get(&format!("/api/v1/bodies/{a}/results"), Some(&a_user))
            .await;
        assert_eq!(history.body["total_items"], 1);
        assert_eq!(history.body["items"][0]["year"], 2025);

        // Superseding a final evaluation needs a written reason, and leaves its rows as they were.
        assert_error(
            &app.post(
                &format!("/api/v1/evaluations/{third_id}/supersede"),
                Some(&analyst),
                json!({"reason": " "}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let r = app
            .post(
                &format!("/api/v1/evaluations/{third_id}/supersede"),
                Some(&analyst),
                json!({"reason": "发现数据录入错误，经批准重新评价"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "superseded");
        let after = app
            .get(
                &format!("/api/v1/evaluations/{third_id}/results?per_page=10"),
                Some(&analyst),
            )
            .await
            .body;
        assert_eq!(before, after);
        let audit = app
            .get("/api/v1/audit?per_page=500", Some(&app.admin().await))
            .await;
        assert!(
            audit.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "evaluation.supersede_final")
        );
    }
);

on_both_backends!(
    a_run_interrupted_by_a_restart_does_not_block_the_year,
    |backend| async move {
        use diesel::RunQueryDsl;
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let now = Utc::now();
        app.post("/api/v1/cycles", Some(&analyst), json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()})).await;
        let first = app
            .post(
                "/api/v1/evaluations",
                Some(&analyst),
                json!({"year": 2025, "draws": 10}),
            )
            .await;
        let first_id = first.body["id"].as_str().unwrap().to_string();
        // Wait for it, then make it look like a run the server died in two hours ago.
        let started = Instant::now();
        while app
            .get(&format!("/api/v1/evaluations/{first_id}"), Some(&analyst))
            .await
            .body["status"]
            == "running"
        {
            assert!(started.elapsed() < Duration::from_secs(60));
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let mut conn = app.pool.get().unwrap();
        let two_hours_ago = (Utc::now() - chrono::Duration::hours(2)).naive_utc();
        diesel::sql_query(format!(
            "UPDATE evaluations SET status = 'running', started_at = '{}' WHERE id = '{first_id}'",
            two_hours_ago.format("%Y-%m-%d %H:%M:%S")
        ))
        .execute(&mut conn)
        .unwrap();
        let second = run(&app, &analyst, 2025).await;
        assert_ne!(second["id"], first_id.as_str());
        let first = app
            .get(&format!("/api/v1/evaluations/{first_id}"), Some(&analyst))
            .await;
        assert_eq!(first.body["status"], "failed");
        assert!(
            first.body["failure"]
                .as_str()
                .unwrap()
                .contains("interrupted")
        );
    }
);

on_both_backends!(
    publish_refuses_a_wrong_body_and_defaults_without_one,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(&analyst, &[("management_system", 10, true)])
            .await;
        let path = format!("/api/v1/evaluations/{}/publish", e.id);
        // Days as a fraction, and a misspelt field: refused, naming the field, not published.
        for (body, field) in [
            (json!({"objection_days": 5.0}), "objection_days"),
            (json!({"objection_dayz": 5}), "objection_dayz"),
        ] {
            let r = app.post(&path, Some(&analyst), body).await;
            assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(r.body["error"]["details"][0]["field"], field, "{}", r.body);
        }
        let still = app
            .get(&format!("/api/v1/evaluations/{}", e.id), Some(&analyst))
            .await;
        assert_eq!(still.body["status"], "draft");
        // No body at all: public notice with the default 7 days.
        let r = app
            .send(
                TestRequest::post()
                    .uri(&path)
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "public_notice");
        let at =
            |k: &str| chrono::DateTime::parse_from_rfc3339(r.body[k].as_str().unwrap()).unwrap();
        assert_eq!(
            at("objection_deadline") - at("published_at"),
            chrono::Duration::days(7)
        );
    }
);

on_both_backends!(
    a_restart_fails_the_runs_it_interrupted,
    |backend| async move {
        use pubeval::application::{Application, Options};
        use pubeval::db::models::evaluation::Evaluation;
        use pubeval::domain::TextEnum;
        let (url, _db) = fresh_database(backend);
        let data = tempdir::Guard::new();
        let config = pubeval::config::Config {
            database_url: url,
            data_dir: data.path.clone(),
            pool_size: 2,
            ..pubeval::config::Config::default()
        };
        let first = Application::build_with(config.clone(), Options::default()).unwrap();
        let mut conn = first.pool().get().unwrap();
        let scheme = pubeval::db::models::scheme::SchemeRow::active(&mut conn)
            .unwrap()
            .unwrap();
        // A run under way when the server stopped.
        let running = Evaluation {
            id: "interrupted-run".into(),
            year: 2025,
            scheme_id: scheme.id,
            status: pubeval::domain::states::EvaluationStatus::Running
                .as_str()
                .into(),
            input_digest: None,
            draws: 10,
            seed: 1,
            bodies: 0,
            summary: None,
            failure: None,
            created_by: "user:analyst1".into(),
            started_at: Utc::now().naive_utc(),
            finished_at: None,
            published_at: None,
            objection_deadline: None,
            finalized_at: None,
            superseded_by: None,
            superseded_reason: None,
        };
        running.insert(&mut conn).unwrap();
        drop(conn);
        first.state().runs.shutdown();
        drop(first);

        let second = Application::build_with(config, Options::default()).unwrap();
        let mut conn = second.pool().get().unwrap();
        let e = Evaluation::by_id(&mut conn, "interrupted-run")
            .unwrap()
            .unwrap();
        assert_eq!(e.status, "failed");
        let failure = e.failure.unwrap();
        assert!(failure.contains("interrupted by restart"), "{failure}");
        assert!(failure.contains("服务重启"), "{failure}");
        assert!(e.finished_at.is_some());
        let (entries, _) = pubeval::db::models::audit::AuditEntry::page(&mut conn, 0, 100).unwrap();
        assert!(
            entries
                .iter()
                .any(|a| a.action == "evaluation.fail" && a.entity_id == "interrupted-run"),
            "no audit entry for the failure"
        );
        second.state().runs.shutdown();
    }
);

/// Polls two futures together until both are done (the tests have no executor helpers).
async fn both<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    use std::task::Poll;
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

on_both_backends!(
    one_run_per_year_goes_through_the_queue,
    |backend| async move {
        let app = spawn_with(backend, |c| c.evaluation_workers = 2).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(&analyst, &[("management_system", 10, true)])
            .await;
        let done = app
            .get(&format!("/api/v1/evaluations/{}", e.id), Some(&analyst))
            .await;
        assert_eq!(done.body["status"], "draft", "{}", done.body);

        // Two requests for the same year at once: one runs, the other names it.
        let request = || {
            app.post(
                "/api/v1/evaluations",
                Some(&analyst),
                json!({"year": 2025, "draws": 100}),
            )
        };
        let (r1, r2) = both(request(), request()).await;
        let (started, refused) = if r1.status == StatusCode::ACCEPTED {
            (r1, r2)
        } else {
            (r2, r1)
        };
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
        assert_error(&refused, StatusCode::CONFLICT, "already_running");
        let id = started.body["id"].as_str().unwrap().to_string();
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&id), "{message} does not name {id}");

        // The queue runs it to draft; it replaces the earlier draft.
        let began = Instant::now();
        loop {
            let r = app
                .get(&format!("/api/v1/evaluations/{id}"), Some(&analyst))
                .await;
            match r.body["status"].as_str().unwrap() {
                "running" => {
                    assert!(began.elapsed() < Duration::from_secs(60), "never finished");
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                }
                "draft" => break,
                other => panic!("the run ended {other}: {}", r.body),
            }
        }
        let old = app
            .get(&format!("/api/v1/evaluations/{}", e.id), Some(&analyst))
            .await;
        assert_eq!(old.body["status"], "superseded");
        assert_eq!(old.body["superseded_by"], id.as_str());
    }
);

/// Starts a run and waits until it leaves `running`; the evaluation.
async fn run<S, B>(app: &TestApp<S>, token: &str, year: i32) -> Value
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
            "/api/v1/evaluations",
            Some(token),
            json!({"year": year, "draws": 200}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["status"], "running");
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.headers.get("location").unwrap().to_str().unwrap(),
        format!("/api/v1/evaluations/{id}")
    );
    let started = Instant::now();
    loop {
        let e = app
            .get(&format!("/api/v1/evaluations/{id}"), Some(token))
            .await;
        match e.body["status"].as_str().unwrap() {
            "running" => {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "the run did not finish"
                );
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            }
            "draft" => return e.body,
            other => panic!("the run ended {other}: {}", e.body),
        }
    }
}
