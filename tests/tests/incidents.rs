//! Incidents (要情报告): a body self-reports and the 48-hour rule is read from the times; an
//! analyst records, corrects (never the times) and voids (never deletes); lists filter by body,
//! kind, year on China Standard Time, source and voided state; a body sees only its own; every
//! change is in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use pubeval_tests::*;
use serde_json::{Value, json};

/// An instant `d` before now, in RFC 3339 on China Standard Time (any offset is accepted).
fn ago(d: Duration) -> String {
    (Utc::now() - d)
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339_opts(SecondsFormat::Micros, false)
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

fn self_report(kind: &str, severity: &str, occurred_at: &str) -> Value {
    json!({"kind": kind, "severity": severity, "occurred_at": occurred_at, "description": "网络舆情：某证书被质疑", "evidence": "https://example.org/post/1"})
}

/// The one problem's field of a 422.
fn problem_fields(reply: &Reply) -> Vec<String> {
    assert_error(reply, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

/// The actions of the audit log, oldest first.
async fn audit_actions<S, B>(app: &TestApp<S>, admin: &str) -> Vec<(String, String)>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = app.get("/api/v1/audit?per_page=500", Some(admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut entries: Vec<(String, String)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["entity_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

on_both_backends!(
    a_body_self_reports_and_the_48_hour_rule_is_read_from_the_times,
    |backend| async move {
        let app = spawn(backend).await;
        let mine = app.body("CNCA-R-2020-001", "management_system").await;
        let theirs = app.body("CNCA-R-2020-002", "product").await;
        let body_user = app.user("body1", "body", Some(&mine)).await;
        let path = format!("/api/v1/bodies/{mine}/incidents");

        // On time: an event an hour ago, given on China Standard Time, written back in UTC.
        let occurred = ago(Duration::hours(1));
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("major_event", "general", &occurred),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(
            r.headers.get("Location").unwrap().to_str().unwrap(),
            format!("/api/v1/incidents/{id}")
        );
        assert_eq!(r.body["body_id"], mine.as_str());
        assert_eq!(r.body["kind"], "major_event");
        assert_eq!(r.body["severity"], "general");
        assert_eq!(r.body["source"], "self_report");
        assert_eq!(r.body["reported_within_48h"], true);
        assert_eq!(r.body["reporting"], "on_time");
        assert_eq!(r.body["voided"], false);
        assert!(r.body["voided_at"].is_null());
        assert_eq!(r.body["evidence"], "https://example.org/post/1");
        let written = r.body["occurred_at"].as_str().unwrap();
        assert!(
            written.ends_with("+00:00") || written.ends_with('Z'),
            "{written}"
        );
        assert_eq!(instant(&r.body["occurred_at"]), instant(&json!(occurred)));
        let reported = instant(&r.body["reported_at"]);
        assert!(
            (Utc::now() - reported).num_seconds().abs() < 60,
            "{reported}"
        );

        // 49 hours ago: late.
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("major_event", "general", &ago(Duration::hours(49))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["reported_within_48h"], false);
        assert_eq!(r.body["reporting"], "late");

        // 48 hours ago: the server stamps reported_at when the request arrives, a moment after
        // the test computed "now", so the event is placed a few seconds inside the limit; the
        // exact boundary is checked through reported_at an analyst gives, below.
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report(
                    "major_event",
                    "general",
                    &ago(Duration::hours(48) - Duration::seconds(5)),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["reported_within_48h"], true, "{}", r.body);
        let admin = app.admin().await;
        let exactly = json!({"body_id": mine, "kind": "major_event", "severity": "general",
            "occurred_at": "2026-03-01T10:00:00+08:00", "reported_at": "2026-03-03T02:00:00Z",
            "description": "按时报告（恰好 48 小时）"});
        let r = app
            .post("/api/v1/incidents", Some(&admin), exactly.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            r.body["reported_within_48h"], true,
            "exactly 48 h is within"
        );
        let mut one_second_more = exactly;
        one_second_more["reported_at"] = json!("2026-03-03T10:00:01+08:00");
        let r = app
            .post("/api/v1/incidents", Some(&admin), one_second_more)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["reported_within_48h"], false);

        // A minute ahead of the server's clock is tolerated (clock skew); an hour is not.
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("negative_opinion", "general", &ago(-Duration::minutes(1))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("negative_opinion", "general", &ago(-Duration::hours(1))),
            )
            .await;
        assert_eq!(problem_fields(&r), ["occurred_at"]);

        // Unknown vocabulary: the field is named and the allowed values listed.
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("rumour", "general", &ago(Duration::hours(2))),
            )
            .await;
        assert_eq!(problem_fields(&r), ["kind"]);
        let problem = r.body["error"]["details"][0]["problem"].as_str().unwrap();
        assert!(problem.contains("未知的事件类型"), "{problem}");
        assert!(
            problem.contains("major_event") && problem.contains("paid_deletion"),
            "{problem}"
        );
        assert!(problem.contains(" / "), "{problem}");
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("major_event", "critical", &ago(Duration::hours(2))),
            )
            .await;
        assert_eq!(problem_fields(&r), ["severity"]);
        let problem = r.body["error"]["details"][0]["problem"].as_str().unwrap();
        assert!(
            problem.contains("general") && problem.contains("major"),
            "{problem}"
        );
        // Several problems at once, each named.
        let mut bad = self_report("rumour", "critical", &ago(Duration::hours(2)));
        bad["description"] = json!("   ");
        let fields = problem_fields(&app.post(&path, Some(&body_user), bad).await);
        for f in ["kind", "severity", "description"] {
            assert!(fields.iter().any(|x| x == f), "{fields:?}");
        }
        // A time without an offset is not RFC 3339.
        let r = app
            .post(
                &path,
                Some(&body_user),
                self_report("major_event", "general", "2026-01-01T10:00:00"),
            )
            .await;
        assert_eq!(problem_fields(&r), ["occurred_at"]);
        // The server stamps reported_at; a body cannot give it.
        let mut with_time = self_report("major_event", "general", &ago(Duration::hours(3)));
        with_time["reported_at"] = json!(ago(Duration::hours(2)));
        assert_eq!(
            problem_fields(&app.post(&path, Some(&body_user), with_time).await),
            ["reported_at"]
        );

        // Who may self-report: the body for itself and an admin; not an analyst, not another
        // body (404: its existence is not revealed), not an external client.
        let analyst = app.analyst().await;
        let report = self_report("major_event", "general", &ago(Duration::hours(1)));
        assert_error(
            &app.post(&path, Some(&analyst), report.clone()).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.post(
                &format!("/api/v1/bodies/{theirs}/incidents"),
                Some(&body_user),
                report.clone(),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.post(
                "/api/v1/bodies/no-such-body/incidents",
                Some(&admin),
                report.clone(),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let r = app
            .post(
                &format!("/api/v1/bodies/{theirs}/incidents"),
                Some(&admin),
                report.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["source"], "self_report");
        let client = app.client(&["bodies:read", "results:read"]).await;
        assert_error(
            &app.post(&path, Some(&client), report.clone()).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.post(&path, None, report).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );

        let actions = audit_actions(&app, &admin).await;
        assert!(actions.contains(&("incident.report".to_string(), id)));
        assert_eq!(
            actions
                .iter()
                .filter(|(a, _)| a == "incident.record")
                .count(),
            2
        );
    }
);

on_both_backends!(
    analysts_record_incidents_and_bodies_read_only_their_own,
    |backend| async move {
        let app = spawn(backend).await;
        let mine = app.body("CNCA-R-2021-001", "service").await;
        let theirs = app.body("CNCA-R-2021-002", "service").await;
        let analyst = app.analyst().await;
        let body_user = app.user("body1", "body", Some(&mine)).await;
        let other_user = app.user("body2", "body", Some(&theirs)).await;

        // Never reported by the body.
        let r = app
            .post(
                "/api/v1/incidents",
                Some(&analyst),
                json!({"body_id": mine, "kind": "major_event", "severity": "major",
                    "occurred_at": "2026-05-10T08:00:00+08:00", "reported_at": null,
                    "description": "媒体报道的突发事件，机构未报告"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let never = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["source"], "analyst");
        assert!(r.body["reported_at"].is_null());
        assert!(r.body["evidence"].is_null());
        assert_eq!(r.body["reported_within_48h"], false);
        assert_eq!(r.body["reporting"], "never");
        assert_eq!(r.body["occurred_at"], "2026-05-10T00:00:00+00:00");
        assert_eq!(r.body["evaluation_year"], 2026);
        assert_eq!(r.body["recorded_by"], "user:analyst1");
        // Reported through another channel, 30 hours after; reported_at may also be left out.
        let r = app
            .post(
                "/api/v1/incidents",
                Some(&analyst),
                json!({"body_id": theirs, "kind": "administrative_penalty", "severity": "general",
                    "occurred_at": "2026-04-01T00:00:00Z", "reported_at": "2026-04-02T14:00:00+08:00",
                    "description": "行政处罚决定书", "evidence": "国市监处〔2026〕12号"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let other = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["reported_at"], "2026-04-02T06:00:00+00:00");
        assert_eq!(r.body["reported_within_48h"], true);
        let r = app
            .post(
                "/api/v1/incidents",
                Some(&analyst),
                json!({"body_id": mine, "kind": "unauthorized_release", "severity": "general",
                    "occurred_at": "2026-04-01T00:00:00Z", "description": "擅自发布"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(r.body["reported_at"].is_null());

        // Validation names the field.
        let base = json!({"body_id": mine, "kind": "major_event", "severity": "general",
            "occurred_at": "2026-04-01T10:00:00+08:00", "reported_at": "2026-04-01T09:00:00+08:00",
            "description": "报告早于发生"});
        assert_eq!(
            problem_fields(
                &app.post("/api/v1/incidents", Some(&analyst), base.clone())
                    .await
            ),
            ["reported_at"]
        );
        let mut unknown_body = base.clone();
        unknown_body["body_id"] = json!("no-such-body");
        unknown_body["reported_at"] = json!(null);
        assert_eq!(
            problem_fields(
                &app.post("/api/v1/incidents", Some(&analyst), unknown_body)
                    .await
            ),
            ["body_id"]
        );
        let mut future = base.clone();
        future["occurred_at"] = json!(ago(-Duration::days(2)));
        future["reported_at"] = json!(ago(-Duration::days(3)));
        let fields = problem_fields(&app.post("/api/v1/incidents", Some(&analyst), future).await);
        assert!(fields.contains(&"occurred_at".to_string()), "{fields:?}");
        assert!(fields.contains(&"reported_at".to_string()), "{fields:?}");
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("kind");
        assert_eq!(
            problem_fields(&app.post("/api/v1/incidents", Some(&analyst), missing).await),
            ["kind"]
        );
        let mut source_given = base;
        source_given["source"] = json!("self_report");
        source_given["reported_at"] = json!(null);
        assert_eq!(
            problem_fields(
                &app.post("/api/v1/incidents", Some(&analyst), source_given)
                    .await
            ),
            ["source"]
        );

        // A body user cannot record, nor list every incident.
        let record = json!({"body_id": mine, "kind": "major_event", "severity": "general",
            "occurred_at": "2026-04-01T00:00:00Z", "reported_at": null, "description": "x"});
        assert_error(
            &app.post("/api/v1/incidents", Some(&body_user), record.clone())
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.get("/api/v1/incidents", Some(&body_user)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let client = app.client(&["bodies:read", "results:read"]).await;
        assert_error(
            &app.post("/api/v1/incidents", Some(&client), record).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.get(&format!("/api/v1/bodies/{mine}/incidents"), Some(&client))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.get(&format!("/api/v1/incidents/{never}"), Some(&client))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );

        // A body reads its own incidents, including those an analyst recorded, and nothing
        // else: another body's list and incidents are not found.
        let own = app
            .get(
                &format!("/api/v1/bodies/{mine}/incidents"),
                Some(&body_user),
            )
            .await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        assert_eq!(own.body["total_items"], 2);
        assert!(
            own.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["body_id"] == mine.as_str())
        );
        assert_error(
            &app.get(
                &format!("/api/v1/bodies/{theirs}/incidents"),
                Some(&body_user),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let r = app
            .get(&format!("/api/v1/incidents/{never}"), Some(&body_user))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["corrections"], json!([]));
        assert_error(
            &app.get(&format!("/api/v1/incidents/{other}"), Some(&body_user))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.get(&format!("/api/v1/incidents/{never}"), Some(&other_user))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.get("/api/v1/incidents/no-such-incident", Some(&analyst))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.get("/api/v1/bodies/no-such-body/incidents", Some(&analyst))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        // Staff read every body's.
        let r = app
            .get(
                &format!("/api/v1/bodies/{theirs}/incidents"),
                Some(&analyst),
            )
            .await;
        assert_eq!(r.body["total_items"], 1, "{}", r.body);
        assert_eq!(
            app.get(&format!("/api/v1/incidents/{other}"), Some(&analyst))
                .await
                .status,
            StatusCode::OK
        );
        // Corrections and voiding are for staff only.
        assert_error(
            &app.post(
                &format!("/api/v1/incidents/{never}/correct"),
                Some(&body_user),
                json!({"severity": "general", "reason": "不同意"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.post(
                &format!("/api/v1/incidents/{never}/void"),
                Some(&body_user),
                json!({"reason": "不同意"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }
);

on_both_backends!(
    a_correction_changes_kind_or_severity_never_the_times,
    |backend| async move {
        let app = spawn(backend).await;
        let mine = app.body("CNCA-R-2022-001", "product").await;
        let body_user = app.user("body1", "body", Some(&mine)).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let r = app
            .post(
                &format!("/api/v1/bodies/{mine}/incidents"),
                Some(&body_user),
                self_report("negative_opinion", "general", &ago(Duration::hours(50))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_string();
        let original = r.body.clone();
        let path = format!("/api/v1/incidents/{id}/correct");

        // A reason is required; something must change; the times cannot be corrected.
        assert_eq!(
            problem_fields(
                &app.post(
                    &path,
                    Some(&analyst),
                    json!({"severity": "major", "reason": " "})
                )
                .await
            ),
            ["reason"]
        );
        assert_eq!(
            problem_fields(
                &app.post(&path, Some(&analyst), json!({"severity": "major"}))
                    .await
            ),
            ["reason"]
        );
        assert_eq!(
            problem_fields(
                &app.post(
                    &path,
                    Some(&analyst),
                    json!({"severity": "general", "reason": "复核"})
                )
                .await
            ),
            ["severity"]
        );
        assert_eq!(
            problem_fields(
                &app.post(&path, Some(&analyst), json!({"reason": "复核"}))
                    .await
            ),
            ["kind"]
        );
        assert_eq!(
            problem_fields(
                &app.post(
                    &path,
                    Some(&analyst),
                    json!({"reported_at": ago(Duration::hours(49)), "reason": "改成按时"})
                )
                .await
            ),
            ["reported_at"]
        );
        assert_eq!(
            problem_fields(
                &app.post(
                    &path,
                    Some(&analyst),
                    json!({"occurred_at": ago(Duration::hours(1)), "reason": "改时间"})
                )
                .await
            ),
            ["occurred_at"]
        );
        assert_eq!(
            problem_fields(
                &app.post(
                    &path,
                    Some(&analyst),
                    json!({"kind": "rumour", "reason": "复核"})
                )
                .await
            ),
            ["kind"]
        );
        assert_error(
            &app.post(
                "/api/v1/incidents/no-such-incident/correct",
                Some(&analyst),
                json!({"kind": "major_event", "reason": "复核"}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // The self-reported negative opinion was in fact a major event with major effect.
        let r = app
            .post(
                &path,
                Some(&analyst),
                json!({"severity": "major", "reason": "经核实影响重大 / verified as major"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["severity"], "major");
        assert_eq!(r.body["kind"], "negative_opinion");
        let r = app
            .post(
                &path,
                Some(&admin),
                json!({"kind": "major_event", "reason": "属于突发事件"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["kind"], "major_event");
        assert_eq!(r.body["severity"], "major");
        for field in [
            "occurred_at",
            "reported_at",
            "source",
            "description",
            "recorded_by",
            "created_at",
            "reported_within_48h",
        ] {
            assert_eq!(r.body[field], original[field], "{field} changed");
        }
        assert_eq!(r.body["reported_within_48h"], false);
        let corrections = r.body["corrections"].as_array().unwrap();
        assert_eq!(corrections.len(), 2);
        assert_eq!(corrections[0]["old_severity"], "general");
        assert_eq!(corrections[0]["new_severity"], "major");
        assert_eq!(corrections[0]["old_kind"], "negative_opinion");
        assert_eq!(corrections[0]["new_kind"], "negative_opinion");
        assert_eq!(
            corrections[0]["reason"],
            "经核实影响重大 / verified as major"
        );
        assert_eq!(corrections[0]["actor"], "user:analyst1");
        assert_eq!(corrections[1]["new_kind"], "major_event");
        assert_eq!(corrections[1]["actor"], "user:admin");

        // The body sees the correction of its report.
        let r = app
            .get(&format!("/api/v1/incidents/{id}"), Some(&body_user))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["kind"], "major_event");
        assert_eq!(r.body["corrections"].as_array().unwrap().len(), 2);
        assert_eq!(r.body["reported_at"], original["reported_at"]);

        let actions = audit_actions(&app, &admin).await;
        let for_incident: Vec<&str> = actions
            .iter()
            .filter(|(_, e)| *e == id)
            .map(|(a, _)| a.as_str())
            .collect();
        assert_eq!(
            for_incident,
            ["incident.report", "incident.correct", "incident.correct"]
        );
        let verify = app.get("/api/v1/audit/verify", Some(&admin)).await;
        assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
        assert!(verify.body["first_broken"].is_null(), "{}", verify.body);
    }
);

on_both_backends!(
    voiding_keeps_the_incident_and_hides_it_from_lists,
    |backend| async move {
        let app = spawn(backend).await;
        let mine = app.body("CNCA-R-2023-001", "product").await;
        let body_user = app.user("body1", "body", Some(&mine)).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let mut ids = Vec::new();
        for (i, kind) in ["secret_leak", "paid_deletion"].iter().enumerate() {
            let r = app
                .post(
                    "/api/v1/incidents",
                    Some(&analyst),
                    json!({"body_id": mine, "kind": kind, "severity": "major",
                        "occurred_at": format!("2026-0{}-01T00:00:00Z", i + 2), "reported_at": null,
                        "description": "记录"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            ids.push(r.body["id"].as_str().unwrap().to_string());
        }
        let path = format!("/api/v1/incidents/{}/void", ids[0]);

        assert_eq!(
            problem_fields(&app.post(&path, Some(&analyst), json!({})).await),
            ["reason"]
        );
        assert_eq!(
            problem_fields(
                &app.post(&path, Some(&analyst), json!({"reason": "  "}))
                    .await
            ),
            ["reason"]
        );
        assert_error(
            &app.post(
                "/api/v1/incidents/no-such-incident/void",
                Some(&analyst),
                json!({"reason": "重复登记"}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let r = app
            .post(
                &path,
                Some(&analyst),
                json!({"reason": "重复登记 / recorded twice"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["voided"], true);
        assert_eq!(r.body["void_reason"], "重复登记 / recorded twice");
        assert_eq!(r.body["voided_by"], "user:analyst1");
        assert!(
            (Utc::now() - instant(&r.body["voided_at"]))
                .num_seconds()
                .abs()
                < 60
        );
        assert_eq!(r.body["kind"], "secret_leak");

        // Voiding again, or correcting a voided incident, is a conflict.
        assert_error(
            &app.post(&path, Some(&admin), json!({"reason": "再次作废"}))
                .await,
            StatusCode::CONFLICT,
            "already_voided",
        );
        assert_error(
            &app.post(
                &format!("/api/v1/incidents/{}/correct", ids[0]),
                Some(&analyst),
                json!({"severity": "general", "reason": "复核"}),
            )
            .await,
            StatusCode::CONFLICT,
            "incident_voided",
        );

        // Hidden from lists unless asked for; still there by id, for staff and the body.
        for (list, token) in [
            ("/api/v1/incidents".to_string(), &analyst),
            (format!("/api/v1/bodies/{mine}/incidents"), &analyst),
            (format!("/api/v1/bodies/{mine}/incidents"), &body_user),
        ] {
            let r = app.get(&list, Some(token)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["total_items"], 1, "{list}: {}", r.body);
            assert_eq!(r.body["items"][0]["id"], ids[1].as_str());
            let r = app
                .get(&format!("{list}?include_voided=true"), Some(token))
                .await;
            assert_eq!(r.body["total_items"], 2, "{list}: {}", r.body);
            assert_eq!(r.body["items"][1]["voided"], true);
            let r = app
                .get(&format!("{list}?include_voided=false"), Some(token))
                .await;
            assert_eq!(r.body["total_items"], 1, "{list}: {}", r.body);
        }
        for token in [&analyst, &body_user] {
            let r = app
                .get(&format!("/api/v1/incidents/{}", ids[0]), Some(token))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["voided"], true);
            assert_eq!(r.body["void_reason"], "重复登记 / recorded twice");
        }

        let actions = audit_actions(&app, &admin).await;
        let voids: Vec<&str> = actions
            .iter()
            .filter(|(a, _)| a == "incident.void")
            .map(|(_, e)| e.as_str())
            .collect();
        assert_eq!(voids, [ids[0].as_str()]);
    }
);

on_both_backends!(
    incident_lists_filter_by_body_kind_year_and_source_and_paginate,
    |backend| async move {
        let app = spawn(backend).await;
        let a = app.body("CNCA-R-2024-001", "management_system").await;
        let b = app.body("CNCA-R-2024-002", "product").await;
        let body_a = app.user("body-a", "body", Some(&a)).await;
        let analyst = app.analyst().await;
        // (body, kind, occurred_at): the first is 2026 on China Standard Time though 2025 in
        // UTC; the second is the last second of 2025 there, the last its first second.
        let recorded = [
            (&a, "negative_opinion", "2025-12-31T17:00:00Z"),
            (&a, "major_event", "2025-12-31T15:59:59Z"),
            (&a, "major_event", "2025-06-01T00:00:00+08:00"),
            (&b, "administrative_penalty", "2025-03-01T00:00:00+08:00"),
            (&b, "major_event", "2024-12-31T16:00:00Z"),
        ];
        for (body, kind, at) in recorded {
            let r = app
                .post(
                    "/api/v1/incidents",
                    Some(&analyst),
                    json!({"body_id": body, "kind": kind, "severity": "general",
                        "occurred_at": at, "reported_at": null, "description": "记录"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let r = app
            .post(
                &format!("/api/v1/bodies/{a}/incidents"),
                Some(&body_a),
                self_report("major_event", "general", &ago(Duration::hours(3))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let this_year = pubeval_scoring::incident::evaluation_year(Utc::now());

        let count = |r: &Reply| r.body["total_items"].as_i64().unwrap();
        let get = |q: &str| {
            let uri = format!("/api/v1/incidents{q}");
            let token = analyst.clone();
            let app = &app;
            async move {
                let r = app.get(&uri, Some(&token)).await;
                assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
                r
            }
        };
        assert_eq!(count(&get("").await), 6);
        assert_eq!(count(&get(&format!("?body_id={a}")).await), 4);
        assert_eq!(count(&get(&format!("?body_id={b}")).await), 2);
        assert_eq!(count(&get("?kind=major_event").await), 4);
        assert_eq!(count(&get("?kind=no_such_kind").await), 0);
        assert_eq!(count(&get("?source=self_report").await), 1);
        assert_eq!(count(&get("?source=analyst").await), 5);
        let y2025 = get("?year=2025").await;
        // 2024-12-31T16:00:00Z is midnight of 1 January 2025 in Beijing: 2025's first instant.
        assert_eq!(count(&y2025), 4, "{}", y2025.body);
        assert!(
            y2025.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["evaluation_year"] == 2025)
        );
        let y2026 = count(&get("?year=2026").await);
        assert_eq!(y2026, if this_year == 2026 { 2 } else { 1 });
        assert_eq!(
            count(&get(&format!("?year=2025&body_id={a}&kind=major_event")).await),
            2
        );
        assert_eq!(count(&get("?year=2024").await), 0);

        // Pages, latest occurrence first.
        let first = get("?per_page=2").await;
        assert_eq!(first.body["total_items"], 6);
        assert_eq!(first.body["page"], 1);
        assert_eq!(first.body["per_page"], 2);
        assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(first.body["items"][0]["source"], "self_report");
        assert_eq!(
            first.body["items"][1]["occurred_at"],
            "2025-12-31T17:00:00+00:00"
        );
        let third = get("?per_page=2&page=3").await;
        assert_eq!(third.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            third.body["items"][1]["occurred_at"],
            "2024-12-31T16:00:00+00:00"
        );
        assert_eq!(third.body["items"][1]["evaluation_year"], 2025);
        let beyond = get("?per_page=2&page=4").await;
        assert_eq!(beyond.body["items"], json!([]));
        assert_eq!(beyond.body["total_items"], 6);

        // A body's own list takes the same filters.
        let r = app
            .get(
                &format!("/api/v1/bodies/{a}/incidents?year=2025&per_page=1"),
                Some(&body_a),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total_items"], 2);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            r.body["items"][0]["occurred_at"],
            "2025-12-31T15:59:59+00:00"
        );

        // Bad parameters.
        for q in ["?per_page=501", "?page=0"] {
            assert_error(
                &app.get(&format!("/api/v1/incidents{q}"), Some(&analyst))
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            );
        }
        assert_error(
            &app.get("/api/v1/incidents?year=999999999", Some(&analyst))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        for q in ["?source=rumour", "?year=abc", "?include_voided=maybe"] {
            assert_error(
                &app.get(&format!("/api/v1/incidents{q}"), Some(&analyst))
                    .await,
                StatusCode::BAD_REQUEST,
                "bad_request",
            );
        }
    }
);

on_both_backends!(
    incident_routes_admit_exactly_their_roles,
    |backend| async move {
        let app = spawn(backend).await;
        let own = app.body("CNCA-R-2025-001", "service").await;
        let admin = app.admin().await;
        let analyst = app.analyst().await;
        let body_user = app.user("body1", "body", Some(&own)).await;
        let client = app
            .client(&["bodies:read", "results:read", "warnings:read"])
            .await;
        let tokens = [
            ("Admin", Some(admin.clone())),
            ("Analyst", Some(analyst)),
            ("BodyUser", Some(body_user)),
            ("Client", Some(client)),
            ("Anonymous", None),
        ];
        // An incident per state-changing call, so that each call has something to change.
        let mut fresh = Vec::new();
        for _ in 0..6 {
            let r = app
            .post(
                "/api/v1/incidents",
                Some(&admin),
                json!({"body_id": own, "kind": "major_event", "severity": "general",
                    "occurred_at": "2026-01-05T00:00:00Z", "reported_at": null, "description": "记录"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            fresh.push(r.body["id"].as_str().unwrap().to_string());
        }
        let occurred = ago(Duration::hours(1));
        for (who, token) in &tokens {
            let mut next = fresh.clone().into_iter();
            let routes: Vec<(&str, String, Value, &[&str])> = vec![
                (
                    "POST",
                    format!("/api/v1/bodies/{own}/incidents"),
                    self_report("major_event", "general", &occurred),
                    &["Admin", "BodyUser"],
                ),
                (
                    "POST",
                    "/api/v1/incidents".into(),
                    json!({"body_id": own, "kind": "major_event", "severity": "general",
                    "occurred_at": occurred, "reported_at": null, "description": "记录"}),
                    &["Admin", "Analyst"],
                ),
                (
                    "GET",
                    "/api/v1/incidents".into(),
                    Value::Null,
                    &["Admin", "Analyst"],
                ),
                (
                    "GET",
                    format!("/api/v1/bodies/{own}/incidents"),
                    Value::Null,
                    &["Admin", "Analyst", "BodyUser"],
                ),
                (
                    "GET",
                    format!("/api/v1/incidents/{}", fresh[0]),
                    Value::Null,
                    &["Admin", "Analyst", "BodyUser"],
                ),
                (
                    "POST",
                    format!("/api/v1/incidents/{}/correct", next.next().unwrap()),
                    json!({"severity": "major", "reason": "复核"}),
                    &["Admin", "Analyst"],
                ),
                (
                    "POST",
                    format!("/api/v1/incidents/{}/void", next.next().unwrap()),
                    json!({"reason": "重复"}),
                    &["Admin", "Analyst"],
                ),
            ];
            for (method, path, body, allowed) in routes {
                let mut req = match method {
                    "GET" => TestRequest::get(),
                    _ => TestRequest::post().set_json(&body),
                }
                .uri(&path);
                if let Some(t) = token {
                    req = req.insert_header(("Authorization", format!("Bearer {t}")));
                }
                let r = app.send(req).await;
                if *who == "Anonymous" {
                    assert_eq!(
                        r.status,
                        StatusCode::UNAUTHORIZED,
                        "{method} {path} as {who}"
                    );
                } else if allowed.contains(who) {
                    assert!(
                        r.status.is_success(),
                        "{method} {path} as {who} should be allowed, got {}: {}",
                        r.status,
                        r.body
                    );
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{method} {path} as {who}: {}",
                        r.body
                    );
                }
            }
            // Each role that may change them used up one incident for correcting and one for
            // voiding; the next role gets fresh ones.
            if allowed_to_change(who) {
                fresh.drain(..2);
            }
        }
    }
);

fn allowed_to_change(who: &str) -> bool {
    matches!(who, "Admin" | "Analyst")
}
