//! The regulator's calendar (China Standard Time, UTC+8) through an injected clock: a submission
//! window closing at midnight of 1 January closes at 16:00 UTC on 31 December, and a
//! self-reported incident is recorded at the server's time, across midnight and the year's end.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{TimeDelta, TimeZone, Utc};
use pubeval::domain::clock::FixedClock;
use pubeval_tests::*;
use serde_json::json;

on_both_backends!(
    a_window_closing_at_midnight_cst_closes_at_16_utc,
    |backend| async move {
        // 23:59:30 on 31 December 2025 in Beijing.
        let clock = FixedClock::at(Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 30).unwrap());
        let app = spawn_with_clock(backend, |_| {}, Some(Arc::new(clock.clone()))).await;
        let analyst = app.analyst().await;
        let r = app
        .post("/api/v1/cycles", Some(&analyst), json!({"year": 2025, "opens_at": "2025-01-01T00:00:00+08:00", "closes_at": "2026-01-01T00:00:00+08:00"}))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let body = app.body("CNCA-R-2019-001", "service").await;
        let user = app.user("cal-body", "body", Some(&body)).await;
        let path = format!("/api/v1/bodies/{body}/submissions/2025");
        let save = |if_match: Option<&str>| {
            let mut req = TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {user}")))
                .set_json(json!({"payload": {"press_releases": 3}}));
            if let Some(m) = if_match {
                req = req.insert_header(("If-Match", m.to_string()));
            }
            req
        };
        let first = app.send(save(None)).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);

        // Midnight in Beijing: the window has closed, though it is still 31 December in UTC.
        clock.advance(TimeDelta::seconds(30));
        let late = app.send(save(Some("\"1\""))).await;
        assert_error(&late, StatusCode::CONFLICT, "window_closed");

        // The revision carries the injected time, not the machine's.
        let current = app.get(&path, Some(&user)).await;
        assert_eq!(current.status, StatusCode::OK, "{}", current.body);
        let saved_at = current.body["created_at"].as_str().unwrap();
        assert!(saved_at.starts_with("2025-12-31T15:59:30"), "{saved_at}");
    }
);

on_both_backends!(
    an_incident_is_reported_at_the_servers_time_across_the_year_end,
    |backend| async move {
        // 00:10 on 1 January 2026 in Beijing; the event happened at 23:30 on 31 December.
        let clock = FixedClock::at(Utc.with_ymd_and_hms(2025, 12, 31, 16, 10, 0).unwrap());
        let app = spawn_with_clock(backend, |_| {}, Some(Arc::new(clock))).await;
        let body = app.body("CNCA-R-2019-002", "service").await;
        let user = app.user("cal-body2", "body", Some(&body)).await;
        let r = app
        .post(&format!("/api/v1/bodies/{body}/incidents"), Some(&user), json!({"kind": "major_event", "severity": "general", "occurred_at": "2025-12-31T23:30:00+08:00", "description": "重大事项", "evidence": "记录"}))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let reported =
            chrono::DateTime::parse_from_rfc3339(r.body["reported_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            reported.with_timezone(&Utc),
            Utc.with_ymd_and_hms(2025, 12, 31, 16, 10, 0).unwrap()
        );
        // It belongs to 2025 on the regulator's calendar, and was reported within 48 hours.
        let analyst = app.analyst().await;
        let listed = app
            .get(
                &format!("/api/v1/incidents?year=2025&body_id={body}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert_eq!(listed.body["total_items"], 1, "{}", listed.body);
        let next_year = app
            .get(
                &format!("/api/v1/incidents?year=2026&body_id={body}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(next_year.body["total_items"], 0, "{}", next_year.body);
    }
);
