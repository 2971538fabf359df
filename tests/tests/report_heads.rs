//! The current revision per report (`report_heads`) follows every revision, and the year's
//! counts and lists read from it agree with the revisions themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::NaiveDate;
use diesel::prelude::*;
use pubeval::db;
use pubeval::db::models::body::Body;
use pubeval::db::models::report_head::ReportHead;
use pubeval::db::models::submission::Revision;
use pubeval::db::schema::{report_heads, submissions};
use pubeval_tests::*;
use serde_json::json;

/// What the counts must be, from the revisions alone: each expected body's latest revision.
fn counts_from_revisions(conn: &mut db::DbConn, year: i32) -> BTreeMap<String, i64> {
    let bodies: Vec<Body> = pubeval::db::schema::bodies::table
        .select(Body::as_select())
        .load(conn)
        .unwrap();
    let revisions: Vec<Revision> = submissions::table
        .filter(submissions::year.eq(year))
        .select(Revision::as_select())
        .load(conn)
        .unwrap();
    let mut latest: BTreeMap<&str, &Revision> = BTreeMap::new();
    for r in &revisions {
        let slot = latest.entry(r.body_id.as_str()).or_insert(r);
        if r.revision > slot.revision {
            *slot = r;
        }
    }
    let mut counts = BTreeMap::new();
    for body in bodies.iter().filter(|b| b.expected_in(year)) {
        let status = latest
            .get(body.id.as_str())
            .map_or("none".to_string(), |r| r.status.clone());
        *counts.entry(status).or_insert(0) += 1;
    }
    counts
}

fn counts_from_heads(conn: &mut db::DbConn, year: i32) -> BTreeMap<String, i64> {
    ReportHead::status_counts(conn, year)
        .unwrap()
        .into_iter()
        .map(|(s, n)| (s.unwrap_or_else(|| "none".to_string()), n))
        .collect()
}

fn heads(conn: &mut db::DbConn) -> Vec<(String, i32, i32, String)> {
    report_heads::table
        .order((report_heads::body_id, report_heads::year))
        .select((
            report_heads::body_id,
            report_heads::year,
            report_heads::revision,
            report_heads::status,
        ))
        .load(conn)
        .unwrap()
}

/// A body the year 2025 does not expect, written straight to the registry, with a revision.
fn unexpected_body(conn: &mut db::DbConn, n: u32, approved_on: &str, revoked_on: Option<&str>) {
    let at = chrono::Utc::now().naive_utc();
    let id = format!("unexpected-{n}");
    Body {
        id: id.clone(),
        approval_no: format!("CNCA-R-2030-{n:03}"),
        name: format!("未纳入机构{n}"),
        category: "product".into(),
        province: "上海".into(),
        approved_on: NaiveDate::parse_from_str(approved_on, "%Y-%m-%d").unwrap(),
        status: if revoked_on.is_some() {
            "revoked"
        } else {
            "active"
        }
        .into(),
        status_changed_on: revoked_on.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
        created_at: at,
        updated_at: at,
    }
    .insert(conn)
    .unwrap();
    for (revision, status) in [(1, "draft"), (2, "submitted")] {
        Revision {
            id: format!("{id}-{revision}"),
            body_id: id.clone(),
            year: 2025,
            revision,
            status: status.into(),
            payload: "{}".into(),
            comment: None,
            actor: "user:x".into(),
            created_at: at,
        }
        .insert(conn)
        .unwrap();
    }
}

on_both_backends!(the_heads_follow_every_revision, |backend| async move {
    let app = spawn(backend).await;
    let analyst = app.analyst().await;
    let now = chrono::Utc::now();
    let cycle = app
        .post("/api/v1/cycles", Some(&analyst), json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()}))
        .await;
    assert_eq!(cycle.status, StatusCode::CREATED, "{}", cycle.body);
    // One body per state: draft, submitted, returned, accepted, resubmitted, nothing.
    let plans: [&[&str]; 6] = [
        &["save"],
        &["save", "submit"],
        &["save", "submit", "return"],
        &["save", "submit", "accept"],
        &["save", "submit", "return", "save", "submit"],
        &[],
    ];
    for (i, plan) in plans.iter().enumerate() {
        let id = app
            .body(&format!("CNCA-R-2019-{:03}", i + 1), "product")
            .await;
        let user = app.user(&format!("h{i}"), "body", Some(&id)).await;
        let path = format!("/api/v1/bodies/{id}/submissions/2025");
        for step in *plan {
            let reply = match *step {
                "save" => {
                    let current = app.get(&path, Some(&user)).await;
                    let mut put = TestRequest::put()
                        .uri(&path)
                        .insert_header(("Authorization", format!("Bearer {user}")))
                        .set_json(json!({"payload": sample_report(10, true)}));
                    if let Some(etag) = current.headers.get("etag") {
                        put = put.insert_header(("If-Match", etag.to_str().unwrap().to_string()));
                    }
                    app.send(put).await
                }
                "submit" => {
                    app.post(&format!("{path}/submit"), Some(&user), json!({}))
                        .await
                }
                "return" => {
                    app.post(
                        &format!("{path}/return"),
                        Some(&analyst),
                        json!({"comment": "请补充"}),
                    )
                    .await
                }
                _ => {
                    app.post(&format!("{path}/accept"), Some(&analyst), json!({}))
                        .await
                }
            };
            assert!(
                reply.status.is_success(),
                "{step}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
    let mut conn = app.pool.get().unwrap();
    unexpected_body(&mut conn, 1, "2027-06-01", None);
    unexpected_body(&mut conn, 2, "2012-06-01", Some("2024-05-01"));

    let expected = counts_from_revisions(&mut conn, 2025);
    assert_eq!(
        expected,
        BTreeMap::from([
            ("accepted".to_string(), 1),
            ("draft".to_string(), 1),
            ("none".to_string(), 1),
            ("returned".to_string(), 1),
            ("submitted".to_string(), 2),
        ])
    );
    assert_eq!(counts_from_heads(&mut conn, 2025), expected);

    // The list pages agree, filtered by each state.
    for (status, n) in [
        ("draft", 1),
        ("submitted", 2),
        ("returned", 1),
        ("accepted", 1),
        ("not_submitted", 1),
    ] {
        let page = app
            .get(
                &format!("/api/v1/submissions?year=2025&status={status}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.body["total_items"], n, "{status}: {}", page.body);
        assert_eq!(page.body["items"].as_array().unwrap().len(), n as usize);
    }
    let all = app
        .get("/api/v1/submissions?year=2025", Some(&analyst))
        .await;
    assert_eq!(all.body["total_items"], 6, "{}", all.body);
    let resubmitted = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["approval_no"] == "CNCA-R-2019-005")
        .unwrap();
    assert_eq!(resubmitted["revision"], 5);
    assert_eq!(resubmitted["status"], "submitted");

    // The migration that made the heads fills them from the revisions already there.
    let before = heads(&mut conn);
    assert_eq!(before.len(), 7);
    // Back to before it (and the migrations after it), then up again.
    let mut reverted = 0;
    while report_heads::table
        .count()
        .get_result::<i64>(&mut conn)
        .is_ok()
    {
        db::revert_last(&mut conn).unwrap();
        reverted += 1;
        assert!(reverted < 10, "the heads' migration was not reverted");
    }
    assert_eq!(db::migrate(&mut conn).unwrap(), reverted);
    assert_eq!(heads(&mut conn), before);
});
