//! Several instances on one PostgreSQL database, as DESIGN.md §2 deploys them behind a load
//! balancer (issue 11, in CI): editors of one report split across two servers still make one
//! revision; twenty draft warnings issued at once through both get twenty distinct notice
//! numbers with no gap; and the audit chain both wrote verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::rc::Rc;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::*;
use serde_json::json;

/// Sends the requests at once, alternating between the two apps; each reply's status and body.
macro_rules! split_across {
    ($a:expr, $b:expr, $requests:expr) => {{
        let handles: Vec<_> = $requests
            .into_iter()
            .enumerate()
            .map(|(i, req): (usize, TestRequest)| {
                let (a, b) = (Rc::clone(&$a), Rc::clone(&$b));
                actix_web::rt::spawn(async move {
                    let r = if i % 2 == 0 {
                        a.send(req).await
                    } else {
                        b.send(req).await
                    };
                    (r.status, r.body)
                })
            })
            .collect();
        let mut replies = Vec::new();
        for h in handles {
            replies.push(h.await.expect("a request task"));
        }
        replies
    }};
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (PUBEVAL_TEST_POSTGRES_URL)"]
async fn two_servers_on_one_database_take_turns_and_keep_one_chain() {
    let (first, second) = spawn_pair(Backend::Postgres).await;
    let analyst = first.analyst().await;
    // Twenty bodies that will not report: each gets a draft warning (W2.not_submitted).
    for i in 0..20 {
        first
            .body(&format!("CNCA-R-2020-{:03}", i + 1), "service")
            .await;
    }
    let e = first
        .evaluated_2025(&analyst, &[("management_system", 10, true)])
        .await;
    // A body whose report is a draft, first saved through one server.
    let body = first.body("CNCA-R-2020-101", "product").await;
    let body_user = first.user("editor", "body", Some(&body)).await;
    let path = format!("/api/v1/bodies/{body}/submissions/2025");
    let saved = first
        .send(
            TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {body_user}")))
                .set_json(json!({"payload": {"press_releases": 1}})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let etag = saved.header("etag").to_string();
    let (first, second) = (Rc::new(first), Rc::new(second));

    // Twenty editors of that revision, half on each server: one saves, nineteen are stale.
    let requests: Vec<TestRequest> = (0..20)
        .map(|i| {
            TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {body_user}")))
                .insert_header(("If-Match", etag.clone()))
                .set_json(json!({"payload": {"press_releases": 200 + i}}))
        })
        .collect();
    let replies = split_across!(first, second, requests);
    let statuses: Vec<u16> = replies.iter().map(|(s, _)| s.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| (200..300).contains(*s)).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        19,
        "{statuses:?}"
    );

    // The evaluation to final, then every draft issued at once through both servers.
    first.finalize(&analyst, &e.id).await;
    let drafts = first
        .get(
            &format!(
                "/api/v1/warnings?evaluation={}&status=draft&per_page=100",
                e.id
            ),
            Some(&analyst),
        )
        .await;
    let ids: Vec<String> = drafts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 20, "{}", drafts.body);
    let requests: Vec<TestRequest> = ids
        .iter()
        .map(|id| {
            TestRequest::post()
                .uri(&format!("/api/v1/warnings/{id}/issue"))
                .insert_header(("Authorization", format!("Bearer {analyst}")))
                .set_json(json!({}))
        })
        .collect();
    let replies = split_across!(first, second, requests);
    let mut numbers = BTreeSet::new();
    for (status, body) in &replies {
        assert_eq!(*status, StatusCode::OK, "{body}");
        let notice = body["notice_no"].as_str().unwrap();
        let seq: u32 = notice
            .split('〕')
            .nth(1)
            .and_then(|rest| rest.strip_suffix('号'))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a notice number: {notice}"));
        numbers.insert(seq);
    }
    assert_eq!(
        numbers.into_iter().collect::<Vec<_>>(),
        (1..=20).collect::<Vec<u32>>(),
        "twenty distinct numbers from 1 with no gap"
    );

    // The one chain both servers appended to verifies, read through either.
    let admin = second.admin().await;
    for r in [
        first.get("/api/v1/audit/verify", Some(&admin)).await,
        second.get("/api/v1/audit/verify", Some(&admin)).await,
    ] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["first_broken"].is_null(), "{}", r.body);
        assert!(r.body["entries"].as_u64().unwrap() > 40, "{}", r.body);
    }
}
