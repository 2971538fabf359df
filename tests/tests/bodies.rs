//! The body registry: registering, listing with filters and pages, reading, updating; a body
//! user sees only its own body.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::*;
use serde_json::json;

on_both_backends!(
    bodies_are_registered_listed_and_updated,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let new = json!({"approval_no": "CNCA-R-2002-001", "name": "中联质量认证有限公司", "category": "management_system", "province": "北京", "approved_on": "2002-05-01"});
        let r = app
            .post("/api/v1/bodies", Some(&analyst), new.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["status"], "active");
        assert_error(
            &app.post("/api/v1/bodies", Some(&analyst), new).await,
            StatusCode::CONFLICT,
            "approval_no_taken",
        );

        for (i, category) in ["product", "service", "product"].iter().enumerate() {
            app.body(&format!("CNCA-R-2010-{:03}", i + 1), category)
                .await;
        }
        let all = app.get("/api/v1/bodies?per_page=2", Some(&analyst)).await;
        assert_eq!(all.body["total_items"], 4);
        assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(all.body["page"], 1);
        assert_eq!(all.body["per_page"], 2);
        let second = app
            .get("/api/v1/bodies?per_page=2&page=2", Some(&analyst))
            .await;
        assert_eq!(second.body["items"][0]["approval_no"], "CNCA-R-2010-002");
        let products = app
            .get("/api/v1/bodies?category=product", Some(&analyst))
            .await;
        assert_eq!(products.body["total_items"], 2);
        let text = app
            .get("/api/v1/bodies?q=%E4%B8%AD%E8%81%94", Some(&analyst))
            .await;
        assert_eq!(text.body["total_items"], 1, "{}", text.body);
        assert_error(
            &app.get("/api/v1/bodies?per_page=501", Some(&analyst)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );

        let r = app
            .patch(
                &format!("/api/v1/bodies/{id}"),
                Some(&analyst),
                json!({"status": "suspended", "status_changed_on": "2025-06-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "suspended");
        assert_eq!(r.body["status_changed_on"], "2025-06-01");
        assert_eq!(
            app.get(&format!("/api/v1/bodies/{id}"), Some(&analyst))
                .await
                .body["status"],
            "suspended"
        );
    }
);

on_both_backends!(a_body_user_sees_only_its_own_body, |backend| async move {
    let app = spawn(backend).await;
    let mine = app.body("CNCA-R-2011-001", "product").await;
    let theirs = app.body("CNCA-R-2011-002", "product").await;
    let body_user = app.user("body1", "body", Some(&mine)).await;
    let list = app.get("/api/v1/bodies", Some(&body_user)).await;
    assert_eq!(list.body["total_items"], 1);
    assert_eq!(list.body["items"][0]["id"], mine.as_str());
    assert_eq!(
        app.get(&format!("/api/v1/bodies/{mine}"), Some(&body_user))
            .await
            .status,
        StatusCode::OK
    );
    // Another body's data is not found, not forbidden: its existence is not revealed.
    assert_error(
        &app.get(&format!("/api/v1/bodies/{theirs}"), Some(&body_user))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &app.get("/api/v1/bodies/no-such-id", Some(&body_user)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &app.patch(
            &format!("/api/v1/bodies/{mine}"),
            Some(&body_user),
            json!({"name": "改名"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
});

/// Runs futures concurrently on this task and collects their outputs in order.
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    done.into_iter().map(Option::unwrap).collect()
}

on_both_backends!(
    two_concurrent_registrations_of_one_approval_number_are_one_201_and_one_409,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        for round in 0..5 {
            let new = json!({"approval_no": format!("CNCA-R-2030-{round:03}"), "name": "同号机构",
                "category": "product", "province": "上海", "approved_on": "2020-01-01"});
            let replies = join_all(vec![
                app.post("/api/v1/bodies", Some(&analyst), new.clone()),
                app.post("/api/v1/bodies", Some(&analyst), new.clone()),
            ])
            .await;
            let mut statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
            statuses.sort();
            assert_eq!(
                statuses,
                vec![StatusCode::CREATED, StatusCode::CONFLICT],
                "{} / {}",
                replies[0].body,
                replies[1].body
            );
            let loser = replies
                .iter()
                .find(|r| r.status == StatusCode::CONFLICT)
                .unwrap();
            assert_error(loser, StatusCode::CONFLICT, "approval_no_taken");
        }
        let all = app.get("/api/v1/bodies", Some(&analyst)).await;
        assert_eq!(all.body["total_items"], 5, "{}", all.body);
    }
);
