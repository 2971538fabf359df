//! Pages of a finished evaluation's ranking are kept in memory once read (issue 11: the ranking
//! page at 64 connections). A kept page must still answer every caller as they may see it:
//! staff with every triggered level, a `results:read` client with none, a `warnings:read`
//! client and the body with issued warnings only (as issued *now*, not when the page was
//! kept), a body its own row only, and nobody but staff once the evaluation is superseded.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::*;
use serde_json::{Value, json};

fn level_of(page: &Value, body: &str) -> Option<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["body_id"] == body)
        .unwrap_or_else(|| panic!("{body} in {page}"))["warning_level"]
        .as_i64()
}

on_both_backends!(
    a_kept_ranking_page_answers_each_caller_as_they_may_see_it,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        // A body that never reports is warned for it; its warning starts as a draft.
        let silent = app.body("CNCA-R-2019-101", "service").await;
        let silent_user = app.user("silent", "body", Some(&silent)).await;
        let e = app
            .evaluated_2025(
                &analyst,
                &[("management_system", 10, true), ("product", 12, true)],
            )
            .await;
        app.finalize(&analyst, &e.id).await;
        let page = format!("/api/v1/evaluations/{}/results?per_page=10", e.id);

        // Staff read it twice: the second answer (from memory) is the first.
        let first = app.get(&page, Some(&analyst)).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_eq!(first.body["total_items"], 3);
        let triggered = level_of(&first.body, &silent).expect("staff see the level");
        assert!(triggered > 0, "{}", first.body);
        let again = app.get(&page, Some(&analyst)).await;
        assert_eq!(again.body, first.body);

        // A filtered page is its own page.
        let grade = first.body["items"][0]["grade"]
            .as_str()
            .unwrap()
            .to_string();
        let filtered = app
            .get(&format!("{page}&grade={grade}"), Some(&analyst))
            .await;
        assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.body);
        for item in filtered.body["items"].as_array().unwrap() {
            assert_eq!(item["grade"], grade.as_str(), "{}", filtered.body);
        }

        // An external system reading results only: no levels at all.
        let results_reader = app.client(&["results:read"]).await;
        let r = app.get(&page, Some(&results_reader)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total_items"], 3);
        for item in r.body["items"].as_array().unwrap() {
            assert!(item.get("warning_level").is_none(), "{item}");
        }

        // A reader of warnings and the body: the draft reads as none, then as issued.
        let warnings_reader = app.client(&["results:read", "warnings:read"]).await;
        let r = app.get(&page, Some(&warnings_reader)).await;
        assert_eq!(level_of(&r.body, &silent), Some(0), "{}", r.body);
        let own = app.get(&page, Some(&silent_user)).await;
        assert_eq!(
            own.body["total_items"], 1,
            "a body sees its own row: {}",
            own.body
        );
        assert_eq!(level_of(&own.body, &silent), Some(0), "{}", own.body);

        let warnings = app
            .get(
                &format!("/api/v1/warnings?evaluation={}&body_id={silent}", e.id),
                Some(&analyst),
            )
            .await;
        let warning = warnings.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app
            .post(
                &format!("/api/v1/warnings/{warning}/issue"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.get(&page, Some(&warnings_reader)).await;
        assert_eq!(level_of(&r.body, &silent), Some(triggered), "{}", r.body);
        let own = app.get(&page, Some(&silent_user)).await;
        assert_eq!(
            level_of(&own.body, &silent),
            Some(triggered),
            "{}",
            own.body
        );

        // Superseded: the kept page is staff's alone.
        let r = app
            .post(
                &format!("/api/v1/evaluations/{}/supersede", e.id),
                Some(&analyst),
                json!({"reason": "发现数据录入错误，经批准重新评价"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for token in [&results_reader, &warnings_reader, &silent_user] {
            assert_error(
                &app.get(&page, Some(token)).await,
                StatusCode::NOT_FOUND,
                "not_found",
            );
        }
        let staff = app.get(&page, Some(&analyst)).await;
        assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
        assert_eq!(
            staff.body["items"], first.body["items"],
            "its rows are as they were"
        );
    }
);
