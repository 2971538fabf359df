//! Objection flooding (issue 11 finding 6): each open objection blocks finalisation until it is
//! answered, so a body has at most one open objection to an evaluation. A second while one is
//! open is 409 `objection_already_open`, also when two are filed at once; once the first is
//! answered the body may object again; another body is not held up by it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::*;
use serde_json::json;

on_both_backends!(
    a_body_has_one_open_objection_at_a_time,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(
                &analyst,
                &[("management_system", 10, true), ("product", 12, true)],
            )
            .await;
        let (_, first_user) = &e.bodies[0];
        let (_, other_user) = &e.bodies[1];
        let path = format!("/api/v1/evaluations/{}", e.id);
        let r = app
            .post(&format!("{path}/publish"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let objections = format!("{path}/objections");
        let file = |token: String, text: &'static str| {
            let objections = objections.clone();
            let app = &app;
            async move {
                app.post(&objections, Some(&token), json!({"text": text}))
                    .await
            }
        };

        let first = file(first_user.clone(), "宣传投入未计入").await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let second = file(first_user.clone(), "再次提出").await;
        assert_error(&second, StatusCode::CONFLICT, "objection_already_open");
        let message = second.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("异议") && message.contains("answer"),
            "{message}"
        );
        // Another body is not held up by it.
        let other = file(other_user.clone(), "排名有误").await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);

        let mine = app.get(&objections, Some(first_user)).await;
        assert_eq!(mine.body["total_items"], 1, "{}", mine.body);

        // Answered: the body may object again.
        let id = first.body["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/objections/{id}/answer"),
                Some(&analyst),
                json!({"decision": "rejected", "answer": "已核实，不予采纳"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let again = file(first_user.clone(), "补充材料").await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        let mine = app.get(&objections, Some(first_user)).await;
        assert_eq!(mine.body["total_items"], 2, "{}", mine.body);
    }
);

on_both_backends!(
    two_filings_at_once_leave_one_open_objection,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(&analyst, &[("management_system", 10, true)])
            .await;
        let (_, user) = &e.bodies[0];
        let path = format!("/api/v1/evaluations/{}", e.id);
        let r = app
            .post(&format!("{path}/publish"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let objections = format!("{path}/objections");
        // Both requests in flight at once: their use cases run on the blocking pool together.
        let replies = tokio::join!(
            app.post(&objections, Some(user), json!({"text": "一"})),
            app.post(&objections, Some(user), json!({"text": "二"})),
        );
        let mut statuses: Vec<u16> = [&replies.0, &replies.1]
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [201, 409],
            "{} / {}",
            replies.0.body,
            replies.1.body
        );
        for r in [&replies.0, &replies.1] {
            if r.status == StatusCode::CONFLICT {
                assert_error(r, StatusCode::CONFLICT, "objection_already_open");
            }
        }
        let all = app.get(&objections, Some(&analyst)).await;
        assert_eq!(all.body["total_items"], 1, "{}", all.body);
    }
);
