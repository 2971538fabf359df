//! Reports under concurrency and at the edges: racing first saves, racing saves of one
//! revision, an acceptance's optional comment, and the staff's list paged by the database.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::rc::Rc;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use pubeval_tests::*;
use serde_json::{Value, json};

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

/// Sends every request at once; the (status, body) of each.
async fn all_at_once<S, B>(
    app: &Rc<TestApp<S>>,
    requests: Vec<TestRequest>,
) -> Vec<(StatusCode, Value)>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let handles: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let app = Rc::clone(app);
            actix_web::rt::spawn(async move {
                let r = app.send(req).await;
                (r.status, r.body)
            })
        })
        .collect();
    let mut replies = Vec::new();
    for h in handles {
        replies.push(h.await.expect("a request task"));
    }
    replies
}

/// Every refusal is 412 `stale_revision`, 428 `if_match_required` or 409 `conflict`, in the
/// one error shape; never a 5xx.
fn assert_lost_race(status: StatusCode, body: &Value) {
    let code = body["error"]["code"].as_str().unwrap_or_default();
    assert!(
        matches!(
            (status.as_u16(), code),
            (412, "stale_revision") | (428, "if_match_required") | (409, "conflict")
        ),
        "{status}: {body}"
    );
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"]["details"].is_array(), "{body}");
}

on_both_backends!(
    twenty_racing_first_saves_make_one_report,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let body_id = app.body("CNCA-R-2017-001", "product").await;
        let user = app.user("body1", "body", Some(&body_id)).await;
        open_2025(&app, &analyst).await;
        let path = format!("/api/v1/bodies/{body_id}/submissions/2025");
        let app = Rc::new(app);
        let requests = (0..20)
            .map(|i| {
                put(
                    &path,
                    &user,
                    json!({"payload": {"press_releases": i}}),
                    None,
                )
            })
            .collect();
        let replies = all_at_once(&app, requests).await;
        let created = replies
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "{replies:?}");
        for (status, body) in replies.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
            assert_lost_race(*status, body);
        }
        let revisions = app.get(&format!("{path}/revisions"), Some(&user)).await;
        assert_eq!(revisions.body["total_items"], 1, "{}", revisions.body);

        // Twenty saves of revision 1 at once: exactly one makes revision 2.
        let requests = (0..20)
            .map(|i| {
                put(
                    &path,
                    &user,
                    json!({"payload": {"press_releases": 100 + i}}),
                    Some("\"1\""),
                )
            })
            .collect();
        let replies = all_at_once(&app, requests).await;
        let saved = replies.iter().filter(|(s, _)| s.is_success()).count();
        assert_eq!(saved, 1, "{replies:?}");
        // Writers take turns, so every loser finds revision 2 and is told its copy is stale.
        for (status, body) in replies.iter().filter(|(s, _)| !s.is_success()) {
            assert_eq!(*status, StatusCode::PRECONDITION_FAILED, "{body}");
            assert_eq!(body["error"]["code"], "stale_revision", "{body}");
        }
        let current = app.get(&path, Some(&user)).await;
        assert_eq!(current.body["revision"], 2, "{}", current.body);
    }
);

on_both_backends!(
    an_acceptance_comment_is_optional_but_a_wrong_body_is_refused,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let body_id = app.body("CNCA-R-2017-002", "service").await;
        let user = app.user("body2", "body", Some(&body_id)).await;
        open_2025(&app, &analyst).await;
        let path = format!("/api/v1/bodies/{body_id}/submissions/2025");
        let r = app
            .send(put(
                &path,
                &user,
                json!({"payload": sample_report(20, true)}),
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .post(&format!("{path}/submit"), Some(&user), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // A body that is present but wrong is refused, naming the field; nothing changes.
        for (body, field) in [
            (json!({"coment": "x"}), "coment"),
            (json!({"comment": 5}), "comment"),
        ] {
            let r = app
                .post(&format!("{path}/accept"), Some(&analyst), body)
                .await;
            assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(r.body["error"]["details"][0]["field"], field, "{}", r.body);
        }
        assert_eq!(
            app.get(&path, Some(&user)).await.body["status"],
            "submitted"
        );

        // No body at all: accepted without a comment.
        let r = app
            .send(
                TestRequest::post()
                    .uri(&format!("{path}/accept"))
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "accepted");
        assert!(r.body["comment"].is_null(), "{}", r.body);
    }
);

on_both_backends!(an_acceptance_keeps_its_comment, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let body_id = app.body("CNCA-R-2017-003", "service").await;
    let user = app.user("body3", "body", Some(&body_id)).await;
    open_2025(&app, &analyst).await;
    let path = format!("/api/v1/bodies/{body_id}/submissions/2025");
    app.send(put(
        &path,
        &user,
        json!({"payload": sample_report(20, true)}),
        None,
    ))
    .await;
    app.post(&format!("{path}/submit"), Some(&user), json!({}))
        .await;
    let r = app
        .post(
            &format!("{path}/accept"),
            Some(&analyst),
            json!({"comment": "  材料齐全  "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["comment"], "材料齐全");
});

on_both_backends!(
    the_staff_list_pages_filters_and_counts_expected_bodies,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        open_2025(&app, &analyst).await;
        let mut ids = Vec::new();
        for i in 1..=5 {
            ids.push(app.body(&format!("CNCA-R-2018-{i:03}"), "product").await);
        }
        // Approved after the year: not expected, never listed.
        let r = app
            .post(
                "/api/v1/bodies",
                Some(&admin),
                json!({"approval_no": "CNCA-R-2026-001", "name": "新设认证有限公司", "category": "product", "province": "北京", "approved_on": "2026-02-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Body 2 saves a draft twice; body 4 submits.
        let user2 = app.user("b2", "body", Some(&ids[1])).await;
        let user4 = app.user("b4", "body", Some(&ids[3])).await;
        let p2 = format!("/api/v1/bodies/{}/submissions/2025", ids[1]);
        let p4 = format!("/api/v1/bodies/{}/submissions/2025", ids[3]);
        app.send(put(
            &p2,
            &user2,
            json!({"payload": {"press_releases": 1}}),
            None,
        ))
        .await;
        let r = app
            .send(put(
                &p2,
                &user2,
                json!({"payload": {"press_releases": 2}}),
                Some("\"1\""),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.send(put(
            &p4,
            &user4,
            json!({"payload": sample_report(10, false)}),
            None,
        ))
        .await;
        let r = app
            .post(&format!("{p4}/submit"), Some(&user4), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let all = app
            .get(
                "/api/v1/submissions?year=2025&per_page=2&page=1",
                Some(&analyst),
            )
            .await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        assert_eq!(all.body["total_items"], 5, "{}", all.body);
        assert_eq!(all.body["page"], 1);
        assert_eq!(all.body["per_page"], 2);
        let first = &all.body["items"][0];
        assert_eq!(first["body_id"], ids[0].as_str());
        assert_eq!(first["approval_no"], "CNCA-R-2018-001");
        assert_eq!(first["name"], "CNCA-R-2018-001 认证有限公司");
        assert_eq!(first["status"], "not_submitted");
        assert!(first["revision"].is_null() && first["updated_at"].is_null());
        let second = &all.body["items"][1];
        assert_eq!(second["status"], "draft");
        assert_eq!(second["revision"], 2);
        assert!(second["updated_at"].as_str().unwrap().ends_with("+00:00"));

        let page3 = app
            .get(
                "/api/v1/submissions?year=2025&per_page=2&page=3",
                Some(&analyst),
            )
            .await;
        let items = page3.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["approval_no"], "CNCA-R-2018-005");

        let missing = app
            .get(
                "/api/v1/submissions?year=2025&status=not_submitted",
                Some(&analyst),
            )
            .await;
        assert_eq!(missing.body["total_items"], 3, "{}", missing.body);
        let submitted = app
            .get(
                "/api/v1/submissions?year=2025&status=submitted",
                Some(&analyst),
            )
            .await;
        assert_eq!(submitted.body["total_items"], 1);
        assert_eq!(submitted.body["items"][0]["body_id"], ids[3].as_str());
        assert_eq!(submitted.body["items"][0]["revision"], 2);
        let drafts = app
            .get("/api/v1/submissions?year=2025&status=draft", Some(&analyst))
            .await;
        assert_eq!(drafts.body["total_items"], 1);
        // 2024 has no reports at all: every body approved by then is not submitted.
        let earlier = app
            .get(
                "/api/v1/submissions?year=2024&status=not_submitted",
                Some(&analyst),
            )
            .await;
        assert_eq!(earlier.body["total_items"], 5);
        let bad = app
            .get("/api/v1/submissions?year=2025&status=lost", Some(&analyst))
            .await;
        assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(bad.body["error"]["details"][0]["field"], "status");
    }
);
