//! Risk warnings (风险警示): drafts created for a final evaluation go draft → issued →
//! acknowledged → rectification_submitted → closed, with the send-back loop and escalation;
//! every other transition is 409; notice numbers 认宣警〔YYYY〕N号 count from 1 within the year
//! and are never reused; deadlines default to 30 days; overdue warnings are listed; a body sees
//! only its own issued warnings and a client with `warnings:read` only issued ones, without the
//! staff note or the history.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Datelike, Days, NaiveDate, Utc};
use diesel::prelude::*;
use pubeval::db::schema::{evaluations, schemes, warnings};
use pubeval::domain::Ctx;
use pubeval::domain::warnings::{NewDraft, create_drafts};
use pubeval_tests::*;
use serde_json::{Value, json};

/// Today in China Standard Time.
fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}

/// Inserts a final evaluation of `year` directly (the evaluation routes are tested elsewhere);
/// its id.
fn final_evaluation(pool: &pubeval::db::DbPool, year: i32) -> String {
    let mut conn = pool.get().unwrap();
    let scheme_id: String = schemes::table
        .select(schemes::id)
        .first(&mut *conn)
        .unwrap();
    let id = uuid::Uuid::new_v4().to_string();
    let at = Utc::now().naive_utc();
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::id.eq(&id),
            evaluations::year.eq(year),
            evaluations::scheme_id.eq(&scheme_id),
            evaluations::status.eq("final"),
            evaluations::draws.eq(100),
            evaluations::seed.eq(7i64),
            evaluations::bodies.eq(2),
            evaluations::created_by.eq("user:admin"),
            evaluations::started_at.eq(at),
            evaluations::finished_at.eq(Some(at)),
            evaluations::finalized_at.eq(Some(at)),
        ))
        .execute(&mut *conn)
        .unwrap();
    id
}

/// Creates one draft through `domain::warnings::create_drafts` (as finalisation does) in a
/// write transaction; its id.
fn draft(
    pool: &pubeval::db::DbPool,
    evaluation_id: &str,
    body_id: &str,
    level: i32,
    review_required: bool,
) -> String {
    let mut conn = pool.get().unwrap();
    let reasons: Vec<String> = match level {
        3 => vec!["W3.veto".into()],
        2 => vec!["W2.grade_d".into()],
        _ => vec!["W1.late_report".into(), "W1.unauthorized_release".into()],
    };
    let drafts = [NewDraft {
        body_id: body_id.to_string(),
        level,
        reasons: reasons.clone(),
        findings: json!([{"rule": reasons[0], "article": "20", "evidence": "2025-05-01 重大事项 60 小时后报告"}]),
        review_required,
    }];
    let ctx = Ctx::system("system");
    let n = pubeval::db::write_transaction(&mut conn, |c| {
        create_drafts(c, &ctx, evaluation_id, &drafts)
    })
    .unwrap();
    assert_eq!(n, 1);
    warnings::table
        .filter(warnings::evaluation_id.eq(evaluation_id))
        .filter(warnings::body_id.eq(body_id))
        .order(warnings::created_at.desc())
        .select(warnings::id)
        .first(&mut *conn)
        .unwrap()
}

/// Sets a warning's status and deadline directly (for overdue cases).
fn force(pool: &pubeval::db::DbPool, id: &str, status: &str, deadline: NaiveDate) {
    let mut conn = pool.get().unwrap();
    diesel::update(warnings::table.filter(warnings::id.eq(id)))
        .set((
            warnings::status.eq(status),
            warnings::deadline.eq(Some(deadline)),
            warnings::issued_on.eq(Some(deadline - Days::new(30))),
        ))
        .execute(&mut *conn)
        .unwrap();
}

fn w(id: &str, action: &str) -> String {
    format!("/api/v1/warnings/{id}/{action}")
}

/// The fields of a 422.
fn problem_fields(reply: &Reply) -> Vec<String> {
    assert_error(reply, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

fn ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut ids: Vec<String> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// (from, to, text) of the history.
fn history(view: &Value) -> Vec<(String, String, Value)> {
    view["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events: {view}"))
        .iter()
        .map(|e| {
            (
                e["from_status"].as_str().unwrap().to_string(),
                e["to_status"].as_str().unwrap().to_string(),
                e["text"].clone(),
            )
        })
        .collect()
}

/// The audit log entries (action, entity id, detail), oldest first.
async fn audit_entries<S, B>(app: &TestApp<S>, admin: &str) -> Vec<(String, String, Value)>
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
    let mut entries: Vec<(String, String, Value)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["entity_id"].as_str().unwrap().to_string(),
                serde_json::from_str(e["detail"].as_str().unwrap()).unwrap(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

on_both_backends!(
    a_warning_goes_from_draft_to_closed_with_its_history_and_audit,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-001", "management_system").await;
        let body_user = app.user("body1", "body", Some(&body)).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let id = draft(&app.pool, &evaluation, &body, 1, false);

        // A draft: staff see it with everything the list promises; the body does not.
        let r = app
            .get(
                &format!("/api/v1/warnings?evaluation={evaluation}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total_items"], 1);
        assert_eq!(r.body["page"], 1);
        assert_eq!(r.body["per_page"], 50);
        let item = &r.body["items"][0];
        assert_eq!(item["id"], id.as_str());
        assert_eq!(item["evaluation_id"], evaluation.as_str());
        assert_eq!(item["body_id"], body.as_str());
        assert_eq!(item["approval_no"], "CNCA-R-2021-001");
        assert_eq!(item["name"], "CNCA-R-2021-001 认证有限公司");
        assert_eq!(item["year"], 2025);
        assert_eq!(item["level"], 1);
        assert_eq!(
            item["reasons"],
            json!(["W1.late_report", "W1.unauthorized_release"])
        );
        assert_eq!(item["findings"][0]["rule"], "W1.late_report");
        assert_eq!(item["status"], "draft");
        assert!(item["notice_no"].is_null());
        assert!(item["issued_on"].is_null());
        assert!(item["deadline"].is_null());
        assert_eq!(item["overdue"], false);
        assert_eq!(item["review_required"], false);
        assert!(item.get("events").is_none(), "lists carry no history");
        let created_updated_at = item["updated_at"].clone();
        let r = app.get("/api/v1/warnings", Some(&body_user)).await;
        assert_eq!(ids(&r), Vec::<String>::new());
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&body_user))
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");

        // Issue, with no body at all: notice 1 of this year, issued today, 30 days to rectify.
        let r = app
            .send(
                TestRequest::post()
                    .uri(&w(&id, "issue"))
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let year = today().year();
        assert_eq!(r.body["status"], "issued");
        assert_eq!(r.body["notice_no"], format!("认宣警〔{year}〕1号"));
        assert_eq!(r.body["issued_on"], today().to_string());
        assert_eq!(r.body["deadline"], (today() + Days::new(30)).to_string());
        assert_eq!(r.body["overdue"], false);
        assert_ne!(r.body["updated_at"], created_updated_at);
        assert_eq!(history(&r.body).len(), 1);

        // The body sees it now, acknowledges and reports; an empty report is refused.
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&body_user))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "issued");
        let r = app
            .send(
                TestRequest::post()
                    .uri(&w(&id, "acknowledge"))
                    .insert_header(("Authorization", format!("Bearer {body_user}"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "acknowledged");
        let r = app
            .post(
                &w(&id, "rectification"),
                Some(&body_user),
                json!({"report": "  "}),
            )
            .await;
        assert_eq!(problem_fields(&r), ["report"]);
        let r = app
            .post(&w(&id, "rectification"), Some(&body_user), json!({}))
            .await;
        assert_eq!(problem_fields(&r), ["report"]);
        let r = app
            .post(
                &w(&id, "rectification"),
                Some(&body_user),
                json!({"report": "已建立重大事项 48 小时报告制度，并对相关人员进行培训。"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "rectification_submitted");

        // The analyst closes it with a comment; the body cannot close.
        let r = app
            .post(
                &w(&id, "close"),
                Some(&body_user),
                json!({"comment": "自行结案"}),
            )
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app
            .post(
                &w(&id, "close"),
                Some(&analyst),
                json!({"comment": "整改到位"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "closed");
        assert_eq!(r.body["notice_no"], format!("认宣警〔{year}〕1号"));
        assert_eq!(
            history(&r.body),
            vec![
                ("draft".into(), "issued".into(), Value::Null),
                ("issued".into(), "acknowledged".into(), Value::Null),
                (
                    "acknowledged".into(),
                    "rectification_submitted".into(),
                    json!("已建立重大事项 48 小时报告制度，并对相关人员进行培训。")
                ),
                (
                    "rectification_submitted".into(),
                    "closed".into(),
                    json!("整改到位")
                ),
            ]
        );
        let actors: Vec<&str> = r.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["actor"].as_str().unwrap())
            .collect();
        assert_eq!(
            actors,
            ["user:analyst1", "user:body1", "user:body1", "user:analyst1"]
        );

        // Every step is in the audit log, against the warning.
        let entries = audit_entries(&app, &admin).await;
        let actions: Vec<&str> = entries
            .iter()
            .filter(|(_, entity, _)| entity == &id)
            .map(|(a, _, _)| a.as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "warning.draft",
                "warning.issue",
                "warning.acknowledge",
                "warning.rectification",
                "warning.close"
            ]
        );
        let (_, _, issue) = entries
            .iter()
            .find(|(a, e, _)| a == "warning.issue" && e == &id)
            .unwrap();
        assert_eq!(issue["notice_no"], format!("认宣警〔{year}〕1号"));
        let verified = app.get("/api/v1/audit/verify", Some(&admin)).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        assert!(verified.body["first_broken"].is_null(), "{}", verified.body);
    }
);

on_both_backends!(
    a_rectification_report_is_sent_back_until_it_is_good_enough,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-002", "product").await;
        let body_user = app.user("body1", "body", Some(&body)).await;
        let analyst = app.analyst().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let id = draft(&app.pool, &evaluation, &body, 2, false);
        let r = app.post(&w(&id, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(&w(&id, "acknowledge"), Some(&body_user), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for round in 1..=2 {
            let r = app
                .post(
                    &w(&id, "rectification"),
                    Some(&body_user),
                    json!({"report": format!("整改报告第 {round} 稿")}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["status"], "rectification_submitted");
            // A send-back needs a comment.
            let r = app
                .post(&w(&id, "send_back"), Some(&analyst), json!({}))
                .await;
            assert_eq!(problem_fields(&r), ["comment"]);
            let r = app
                .post(&w(&id, "send_back"), Some(&analyst), json!({"comment": ""}))
                .await;
            assert_eq!(problem_fields(&r), ["comment"]);
            let r = app
                .post(
                    &w(&id, "send_back"),
                    Some(&analyst),
                    json!({"comment": format!("第 {round} 稿未说明培训记录，请补充")}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["status"], "acknowledged");
        }
        let r = app
            .post(
                &w(&id, "rectification"),
                Some(&body_user),
                json!({"report": "整改报告第 3 稿，附培训记录"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Close with no body at all.
        let r = app
            .send(
                TestRequest::post()
                    .uri(&w(&id, "close"))
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "closed");

        // The body reads the whole loop, with the analyst's comments.
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&body_user))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let steps: Vec<(String, String)> = history(&r.body)
            .into_iter()
            .map(|(f, t, _)| (f, t))
            .collect();
        let pair = |f: &str, t: &str| (f.to_string(), t.to_string());
        assert_eq!(
            steps,
            vec![
                pair("draft", "issued"),
                pair("issued", "acknowledged"),
                pair("acknowledged", "rectification_submitted"),
                pair("rectification_submitted", "acknowledged"),
                pair("acknowledged", "rectification_submitted"),
                pair("rectification_submitted", "acknowledged"),
                pair("acknowledged", "rectification_submitted"),
                pair("rectification_submitted", "closed"),
            ]
        );
        assert_eq!(
            history(&r.body)[3].2,
            json!("第 1 稿未说明培训记录，请补充")
        );
        assert!(history(&r.body)[7].2.is_null());
    }
);

on_both_backends!(
    a_warning_is_escalated_from_each_state_that_allows_it,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-003", "service").await;
        let body_user = app.user("body1", "body", Some(&body)).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let issued = draft(&app.pool, &evaluation, &body, 3, false);
        let acknowledged = draft(&app.pool, &evaluation, &body, 3, false);
        let rectifying = draft(&app.pool, &evaluation, &body, 3, false);
        for id in [&issued, &acknowledged, &rectifying] {
            let r = app.post(&w(id, "issue"), Some(&analyst), json!({})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        for id in [&acknowledged, &rectifying] {
            let r = app
                .post(&w(id, "acknowledge"), Some(&admin), json!({}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let r = app
            .post(
                &w(&rectifying, "rectification"),
                Some(&body_user),
                json!({"report": "整改报告"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        for (id, from) in [
            (&issued, "issued"),
            (&acknowledged, "acknowledged"),
            (&rectifying, "rectification_submitted"),
        ] {
            // A reason is required.
            let r = app
                .post(&w(id, "escalate"), Some(&analyst), json!({}))
                .await;
            assert_eq!(problem_fields(&r), ["reason"]);
            let r = app
                .post(&w(id, "escalate"), Some(&analyst), json!({"reason": " "}))
                .await;
            assert_eq!(problem_fields(&r), ["reason"]);
            // The body cannot escalate its own warning.
            let r = app
                .post(&w(id, "escalate"), Some(&body_user), json!({"reason": "x"}))
                .await;
            assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
            let r = app
                .post(
                    &w(id, "escalate"),
                    Some(&analyst),
                    json!({"reason": "逾期未整改，转约谈"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["status"], "escalated");
            let last = history(&r.body).pop().unwrap();
            assert_eq!(
                last,
                (
                    from.to_string(),
                    "escalated".to_string(),
                    json!("逾期未整改，转约谈")
                )
            );
        }
        let escalations = audit_entries(&app, &admin)
            .await
            .into_iter()
            .filter(|(a, _, _)| a == "warning.escalate")
            .count();
        assert_eq!(escalations, 3);
    }
);

on_both_backends!(
    every_other_transition_is_refused_with_409,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-004", "management_system").await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let all = [
            ("issue", json!({})),
            ("withdraw", json!({"reason": "理由"})),
            ("acknowledge", json!({})),
            ("rectification", json!({"report": "报告"})),
            ("send_back", json!({"comment": "意见"})),
            ("close", json!({"comment": "意见"})),
            ("escalate", json!({"reason": "理由"})),
        ];
        // Admin may take every action, so only the state machine refuses.
        let refused = |status: &'static str, allowed: &'static [&'static str]| {
            all.iter()
                .filter(move |(a, _)| !allowed.contains(a))
                .map(move |(a, b)| (status, *a, b.clone()))
        };
        let check = |id: String, status: &'static str, allowed: &'static [&'static str]| {
            let cases: Vec<_> = refused(status, allowed).collect();
            (id, cases)
        };

        // A draft: only issue and withdraw.
        let d = draft(&app.pool, &evaluation, &body, 1, false);
        let mut plans = vec![check(d.clone(), "draft", &["issue", "withdraw"])];
        // Issued: acknowledge and escalate.
        let i = draft(&app.pool, &evaluation, &body, 1, false);
        assert_eq!(
            app.post(&w(&i, "issue"), Some(&analyst), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        plans.push(check(i.clone(), "issued", &["acknowledge", "escalate"]));
        // Acknowledged: rectification and escalate.
        let a = draft(&app.pool, &evaluation, &body, 1, false);
        assert_eq!(
            app.post(&w(&a, "issue"), Some(&analyst), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.post(&w(&a, "acknowledge"), Some(&admin), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        plans.push(check(
            a.clone(),
            "acknowledged",
            &["rectification", "escalate"],
        ));
        // Rectification submitted: close, send back, escalate.
        let r = draft(&app.pool, &evaluation, &body, 1, false);
        assert_eq!(
            app.post(&w(&r, "issue"), Some(&analyst), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.post(&w(&r, "acknowledge"), Some(&admin), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.post(
                &w(&r, "rectification"),
                Some(&admin),
                json!({"report": "报告"})
            )
            .await
            .status,
            StatusCode::OK
        );
        plans.push(check(
            r.clone(),
            "rectification_submitted",
            &["close", "send_back", "escalate"],
        ));
        // The final states: nothing.
        let c = draft(&app.pool, &evaluation, &body, 1, false);
        for (action, body) in [
            ("issue", json!({})),
            ("acknowledge", json!({})),
            ("rectification", json!({"report": "报告"})),
            ("close", json!({})),
        ] {
            let reply = app.post(&w(&c, action), Some(&admin), body).await;
            assert_eq!(reply.status, StatusCode::OK, "{action}: {}", reply.body);
        }
        plans.push(check(c.clone(), "closed", &[]));
        let wd = draft(&app.pool, &evaluation, &body, 1, false);
        assert_eq!(
            app.post(
                &w(&wd, "withdraw"),
                Some(&analyst),
                json!({"reason": "证据不足"})
            )
            .await
            .status,
            StatusCode::OK
        );
        plans.push(check(wd.clone(), "withdrawn", &[]));
        let e = draft(&app.pool, &evaluation, &body, 1, false);
        assert_eq!(
            app.post(&w(&e, "issue"), Some(&analyst), json!({}))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.post(
                &w(&e, "escalate"),
                Some(&analyst),
                json!({"reason": "拒不整改"})
            )
            .await
            .status,
            StatusCode::OK
        );
        plans.push(check(e.clone(), "escalated", &[]));

        for (id, cases) in plans {
            let before = app
                .get(&format!("/api/v1/warnings/{id}"), Some(&admin))
                .await
                .body;
            for (status, action, body) in cases {
                let reply = app.post(&w(&id, action), Some(&admin), body).await;
                assert_error(&reply, StatusCode::CONFLICT, "invalid_transition");
                let message = reply.body["error"]["message"].as_str().unwrap();
                assert!(
                    message.contains(&format!("the warning is {status}")),
                    "{action} from {status}: {message}"
                );
                assert!(message.contains(" / "), "{message}");
            }
            // Nothing changed.
            let after = app
                .get(&format!("/api/v1/warnings/{id}"), Some(&admin))
                .await
                .body;
            assert_eq!(before, after);
        }

        // The examples the brief names, with their messages.
        let reply = app
            .post(&w(&d, "acknowledge"), Some(&admin), json!({}))
            .await;
        assert_error(&reply, StatusCode::CONFLICT, "invalid_transition");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("草稿"),
            "{}",
            reply.body
        );
        let reply = app.post(&w(&i, "issue"), Some(&analyst), json!({})).await;
        assert_error(&reply, StatusCode::CONFLICT, "invalid_transition");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("已签发"),
            "{}",
            reply.body
        );
        let reply = app.post(&w(&i, "close"), Some(&analyst), json!({})).await;
        assert_error(&reply, StatusCode::CONFLICT, "invalid_transition");
        let reply = app
            .post(&w(&c, "escalate"), Some(&analyst), json!({"reason": "x"}))
            .await;
        assert_error(&reply, StatusCode::CONFLICT, "invalid_transition");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("终结"),
            "{}",
            reply.body
        );

        // Withdrawing needs a reason; a missing warning is 404.
        let reply = app
            .post(&w(&d, "withdraw"), Some(&analyst), json!({}))
            .await;
        assert_eq!(problem_fields(&reply), ["reason"]);
        let reply = app
            .post(&w(&d, "withdraw"), Some(&analyst), json!({"reason": "  "}))
            .await;
        assert_eq!(problem_fields(&reply), ["reason"]);
        let reply = app
            .post(
                &w(&d, "withdraw"),
                Some(&analyst),
                json!({"reason": "证据不足", "extra": 1}),
            )
            .await;
        assert_error(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let reply = app
            .post(
                &w(&d, "withdraw"),
                Some(&analyst),
                json!({"reason": "证据不足"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["status"], "withdrawn");
        assert_eq!(
            history(&reply.body),
            vec![("draft".into(), "withdrawn".into(), json!("证据不足"))]
        );
        let reply = app
            .post(&w("no-such-warning", "issue"), Some(&analyst), json!({}))
            .await;
        assert_error(&reply, StatusCode::NOT_FOUND, "not_found");
    }
);

on_both_backends!(
    a_warning_marked_for_review_is_issued_only_with_a_written_confirmation,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-005", "product").await;
        let body_user = app.user("body1", "body", Some(&body)).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let client = app.client(&["warnings:read"]).await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let id = draft(&app.pool, &evaluation, &body, 2, true);
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&analyst))
            .await;
        assert_eq!(r.body["review_required"], true);

        let r = app.post(&w(&id, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(problem_fields(&r), ["confirmation"]);
        let r = app
            .post(
                &w(&id, "issue"),
                Some(&analyst),
                json!({"confirmation": "   "}),
            )
            .await;
        assert_eq!(problem_fields(&r), ["confirmation"]);
        let r = app
            .send(
                TestRequest::post()
                    .uri(&w(&id, "issue"))
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(problem_fields(&r), ["confirmation"]);
        // Refused attempts consume no number and change nothing.
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&analyst))
            .await;
        assert_eq!(r.body["status"], "draft");

        let confirmation = "经复核，该机构 D 级结论在各权重下均稳定（D 级占 82%），维持警示";
        let r = app
            .post(
                &w(&id, "issue"),
                Some(&analyst),
                json!({"confirmation": confirmation}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "issued");
        assert_eq!(
            r.body["notice_no"],
            format!("认宣警〔{}〕1号", today().year())
        );
        assert_eq!(r.body["internal_note"], confirmation);
        assert_eq!(history(&r.body)[0].2, json!(confirmation));
        let entries = audit_entries(&app, &admin).await;
        let (_, _, detail) = entries
            .iter()
            .find(|(a, e, _)| a == "warning.issue" && e == &id)
            .unwrap();
        assert_eq!(detail["confirmation"], confirmation);

        // The confirmation is internal: the body sees neither the note nor the text.
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&body_user))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.get("internal_note").is_none(), "{}", r.body);
        assert!(history(&r.body)[0].2.is_null(), "{}", r.body);
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&client))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.get("internal_note").is_none(), "{}", r.body);
        assert!(r.body.get("events").is_none(), "{}", r.body);
        assert!(!r.body.to_string().contains("经复核"), "{}", r.body);
    }
);

on_both_backends!(
    notice_numbers_count_from_one_within_the_year_and_are_never_reused,
    |backend| async move {
        let app = spawn(backend).await;
        let one = app.body("CNCA-R-2021-006", "service").await;
        let two = app.body("CNCA-R-2021-007", "service").await;
        let analyst = app.analyst().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let year = today().year();
        let no = |n: u32| json!(format!("认宣警〔{year}〕{n}号"));
        let a = draft(&app.pool, &evaluation, &one, 1, false);
        let b = draft(&app.pool, &evaluation, &two, 2, false);
        let c = draft(&app.pool, &evaluation, &one, 3, false);
        let d = draft(&app.pool, &evaluation, &two, 1, false);
        let e = draft(&app.pool, &evaluation, &one, 2, false);

        let r = app.post(&w(&a, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(r.body["notice_no"], no(1), "{}", r.body);
        let r = app.post(&w(&b, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(r.body["notice_no"], no(2), "{}", r.body);
        // A withdrawn draft never had a number; the next issue is 3.
        let r = app
            .post(
                &w(&c, "withdraw"),
                Some(&analyst),
                json!({"reason": "重复"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["notice_no"].is_null());
        let r = app.post(&w(&d, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(r.body["notice_no"], no(3), "{}", r.body);
        // A refused second issue takes no number.
        let r = app.post(&w(&d, "issue"), Some(&analyst), json!({})).await;
        assert_error(&r, StatusCode::CONFLICT, "invalid_transition");
        // The holder of number 1 is escalated (final): its number stays its own.
        let r = app
            .post(
                &w(&a, "escalate"),
                Some(&analyst),
                json!({"reason": "拒不整改"}),
            )
            .await;
        assert_eq!(r.body["notice_no"], no(1), "{}", r.body);
        let r = app.post(&w(&e, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(r.body["notice_no"], no(4), "{}", r.body);

        // A number of an earlier year does not count toward this year's.
        {
            let old = draft(&app.pool, &evaluation, &two, 1, false);
            let mut conn = app.pool.get().unwrap();
            diesel::update(warnings::table.filter(warnings::id.eq(&old)))
                .set((
                    warnings::status.eq("closed"),
                    warnings::notice_no.eq(Some(format!("认宣警〔{}〕9号", year - 1))),
                    warnings::notice_year.eq(Some(year - 1)),
                    warnings::notice_seq.eq(Some(9)),
                ))
                .execute(&mut *conn)
                .unwrap();
        }
        let f = draft(&app.pool, &evaluation, &two, 3, false);
        let r = app.post(&w(&f, "issue"), Some(&analyst), json!({})).await;
        assert_eq!(r.body["notice_no"], no(5), "{}", r.body);
    }
);

on_both_backends!(
    the_deadline_defaults_to_30_days_and_must_lie_after_today,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-008", "product").await;
        let analyst = app.analyst().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let id = draft(&app.pool, &evaluation, &body, 2, false);

        for bad in [(today() - Days::new(1)).to_string(), today().to_string()] {
            let r = app
                .post(&w(&id, "issue"), Some(&analyst), json!({"deadline": bad}))
                .await;
            assert_eq!(problem_fields(&r), ["deadline"], "{bad}");
        }
        for malformed in [json!("2026-13-40"), json!(20261226), json!("26/12/2026")] {
            let r = app
                .post(
                    &w(&id, "issue"),
                    Some(&analyst),
                    json!({"deadline": malformed}),
                )
                .await;
            assert_eq!(problem_fields(&r), ["deadline"], "{malformed}");
        }
        let r = app
            .post(
                &w(&id, "issue"),
                Some(&analyst),
                json!({"dead_line": "2099-01-01"}),
            )
            .await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let r = app
            .send(
                TestRequest::post()
                    .uri(&w(&id, "issue"))
                    .insert_header(("Authorization", format!("Bearer {analyst}")))
                    .insert_header(("Content-Type", "text/plain"))
                    .set_payload("deadline=2099-01-01"),
            )
            .await;
        assert_error(
            &r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
        let r = app
            .get(&format!("/api/v1/warnings/{id}"), Some(&analyst))
            .await;
        assert_eq!(r.body["status"], "draft");

        let tomorrow = today() + Days::new(1);
        let r = app
            .post(
                &w(&id, "issue"),
                Some(&analyst),
                json!({"deadline": tomorrow.to_string()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["deadline"], tomorrow.to_string());
        assert_eq!(r.body["issued_on"], today().to_string());

        // A JSON null body is no body.
        let other = draft(&app.pool, &evaluation, &body, 1, false);
        let r = app
            .post(&w(&other, "issue"), Some(&analyst), json!(null))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["deadline"], (today() + Days::new(30)).to_string());
    }
);

on_both_backends!(
    overdue_warnings_are_those_awaiting_the_body_past_their_deadline,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-009", "service").await;
        let body_user = app.user("body1", "body", Some(&body)).await;
        let analyst = app.analyst().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let past = today() - Days::new(1);
        let issued_late = draft(&app.pool, &evaluation, &body, 1, false);
        force(&app.pool, &issued_late, "issued", past);
        let acknowledged_late = draft(&app.pool, &evaluation, &body, 2, false);
        force(
            &app.pool,
            &acknowledged_late,
            "acknowledged",
            today() - Days::new(40),
        );
        // Reported, closed or escalated past the deadline: not overdue.
        let reported = draft(&app.pool, &evaluation, &body, 3, false);
        force(&app.pool, &reported, "rectification_submitted", past);
        let closed = draft(&app.pool, &evaluation, &body, 1, false);
        force(&app.pool, &closed, "closed", past);
        // Due today: not yet overdue.
        let due_today = draft(&app.pool, &evaluation, &body, 1, false);
        force(&app.pool, &due_today, "issued", today());
        let on_time = draft(&app.pool, &evaluation, &body, 1, false);
        let r = app
            .post(&w(&on_time, "issue"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let still_draft = draft(&app.pool, &evaluation, &body, 1, false);

        let r = app
            .get("/api/v1/warnings?overdue=true", Some(&analyst))
            .await;
        assert_eq!(
            ids(&r),
            sorted(vec![issued_late.clone(), acknowledged_late.clone()])
        );
        assert!(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["overdue"] == true)
        );
        let r = app
            .get("/api/v1/warnings?overdue=false", Some(&analyst))
            .await;
        assert_eq!(
            ids(&r),
            sorted(vec![
                reported.clone(),
                closed.clone(),
                due_today.clone(),
                on_time.clone(),
                still_draft.clone()
            ])
        );
        assert!(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["overdue"] == false)
        );
        let r = app
            .get(&format!("/api/v1/warnings/{issued_late}"), Some(&analyst))
            .await;
        assert_eq!(r.body["overdue"], true);
        // Combined with other filters, and for the body.
        let r = app
            .get(
                "/api/v1/warnings?overdue=true&status=acknowledged",
                Some(&analyst),
            )
            .await;
        assert_eq!(ids(&r), vec![acknowledged_late.clone()]);
        let r = app
            .get("/api/v1/warnings?overdue=true", Some(&body_user))
            .await;
        assert_eq!(
            ids(&r),
            sorted(vec![issued_late.clone(), acknowledged_late.clone()])
        );
        // Acknowledging an overdue warning keeps it overdue; a report ends that.
        let r = app
            .post(&w(&issued_late, "acknowledge"), Some(&body_user), json!({}))
            .await;
        assert_eq!(r.body["overdue"], true, "{}", r.body);
        let r = app
            .post(
                &w(&issued_late, "rectification"),
                Some(&body_user),
                json!({"report": "迟交的整改报告"}),
            )
            .await;
        assert_eq!(r.body["overdue"], false, "{}", r.body);
    }
);

on_both_backends!(
    each_caller_sees_exactly_the_warnings_it_may,
    |backend| async move {
        let app = spawn(backend).await;
        let mine = app.body("CNCA-R-2021-010", "management_system").await;
        let theirs = app.body("CNCA-R-2021-011", "product").await;
        let body_user = app.user("body1", "body", Some(&mine)).await;
        let analyst = app.analyst().await;
        let reader = app.client(&["warnings:read"]).await;
        let other_client = app.client(&["bodies:read", "results:read"]).await;
        let e2024 = final_evaluation(&app.pool, 2024);
        let e2025 = final_evaluation(&app.pool, 2025);

        let my_issued = draft(&app.pool, &e2025, &mine, 2, true);
        let my_draft = draft(&app.pool, &e2025, &mine, 1, false);
        let my_withdrawn = draft(&app.pool, &e2024, &mine, 1, false);
        let their_issued = draft(&app.pool, &e2025, &theirs, 3, false);
        let their_draft = draft(&app.pool, &e2024, &theirs, 1, false);
        let r = app
            .post(
                &w(&my_issued, "issue"),
                Some(&analyst),
                json!({"confirmation": "复核后维持"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(&w(&their_issued, "issue"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                &w(&my_withdrawn, "withdraw"),
                Some(&analyst),
                json!({"reason": "数据有误"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Staff: everything, filtered as asked.
        let r = app.get("/api/v1/warnings", Some(&analyst)).await;
        assert_eq!(
            ids(&r),
            sorted(vec![
                my_issued.clone(),
                my_draft.clone(),
                my_withdrawn.clone(),
                their_issued.clone(),
                their_draft.clone()
            ])
        );
        assert_eq!(r.body["items"][0]["year"], 2025, "latest year first");
        assert_eq!(r.body["items"][0]["level"], 3, "highest level first");
        let r = app
            .get(
                &format!("/api/v1/warnings?evaluation={e2024}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(
            ids(&r),
            sorted(vec![my_withdrawn.clone(), their_draft.clone()])
        );
        let r = app
            .get("/api/v1/warnings?status=draft", Some(&analyst))
            .await;
        assert_eq!(ids(&r), sorted(vec![my_draft.clone(), their_draft.clone()]));
        let r = app
            .get(
                &format!("/api/v1/warnings?body_id={theirs}"),
                Some(&analyst),
            )
            .await;
        assert_eq!(
            ids(&r),
            sorted(vec![their_issued.clone(), their_draft.clone()])
        );
        let r = app.get("/api/v1/warnings?level=2", Some(&analyst)).await;
        assert_eq!(ids(&r), vec![my_issued.clone()]);
        let r = app
            .get("/api/v1/warnings?per_page=2&page=2", Some(&analyst))
            .await;
        assert_eq!(r.body["total_items"], 5);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
        let r = app
            .get("/api/v1/warnings?status=bogus", Some(&analyst))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        let r = app.get("/api/v1/warnings?level=4", Some(&analyst)).await;
        assert_eq!(problem_fields(&r), ["level"]);
        let r = app
            .get("/api/v1/warnings?per_page=501", Some(&analyst))
            .await;
        assert_eq!(problem_fields(&r), ["per_page"]);
        let r = app
            .get(&format!("/api/v1/warnings/{my_issued}"), Some(&analyst))
            .await;
        assert_eq!(r.body["internal_note"], "复核后维持");

        // The body: its own issued warning only; everything else is 404.
        let r = app.get("/api/v1/warnings", Some(&body_user)).await;
        assert_eq!(ids(&r), vec![my_issued.clone()]);
        assert!(
            r.body["items"][0].get("internal_note").is_none(),
            "{}",
            r.body
        );
        let r = app
            .get("/api/v1/warnings?status=draft", Some(&body_user))
            .await;
        assert_eq!(ids(&r), Vec::<String>::new());
        let r = app
            .get(
                &format!("/api/v1/warnings?body_id={mine}"),
                Some(&body_user),
            )
            .await;
        assert_eq!(ids(&r), vec![my_issued.clone()]);
        let r = app
            .get(
                &format!("/api/v1/warnings?body_id={theirs}"),
                Some(&body_user),
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = app
            .get(&format!("/api/v1/warnings/{my_issued}"), Some(&body_user))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(history(&r.body).len(), 1);
        for hidden in [&my_draft, &my_withdrawn, &their_issued, &their_draft] {
            let r = app
                .get(&format!("/api/v1/warnings/{hidden}"), Some(&body_user))
                .await;
            assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        }
        let r = app
            .post(
                &w(&their_issued, "acknowledge"),
                Some(&body_user),
                json!({}),
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = app
            .post(
                &w(&their_issued, "rectification"),
                Some(&body_user),
                json!({"report": "x"}),
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        let r = app
            .post(&w(&my_draft, "acknowledge"), Some(&body_user), json!({}))
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        // Staff-only actions are 403 for the body, the body's actions 403 for an analyst.
        let r = app
            .post(&w(&my_draft, "issue"), Some(&body_user), json!({}))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app
            .post(
                &w(&my_draft, "withdraw"),
                Some(&body_user),
                json!({"reason": "x"}),
            )
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app
            .post(&w(&my_issued, "acknowledge"), Some(&analyst), json!({}))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

        // A client with warnings:read: issued ones, no staff note, no history.
        let r = app.get("/api/v1/warnings", Some(&reader)).await;
        assert_eq!(
            ids(&r),
            sorted(vec![my_issued.clone(), their_issued.clone()])
        );
        for item in r.body["items"].as_array().unwrap() {
            assert!(item.get("internal_note").is_none(), "{item}");
            assert!(item.get("events").is_none(), "{item}");
            assert!(item["notice_no"].is_string(), "{item}");
        }
        let r = app
            .get("/api/v1/warnings?status=withdrawn", Some(&reader))
            .await;
        assert_eq!(ids(&r), Vec::<String>::new());
        let r = app
            .get(&format!("/api/v1/warnings/{my_issued}"), Some(&reader))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.get("internal_note").is_none(), "{}", r.body);
        assert!(r.body.get("events").is_none(), "{}", r.body);
        assert!(!r.body.to_string().contains("复核后维持"), "{}", r.body);
        for hidden in [&my_draft, &my_withdrawn, &their_draft] {
            let r = app
                .get(&format!("/api/v1/warnings/{hidden}"), Some(&reader))
                .await;
            assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        }
        let r = app
            .post(&w(&my_issued, "acknowledge"), Some(&reader), json!({}))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

        // A client without the scope, and nobody at all.
        let r = app.get("/api/v1/warnings", Some(&other_client)).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app
            .get(
                &format!("/api/v1/warnings/{my_issued}"),
                Some(&other_client),
            )
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app.get("/api/v1/warnings", None).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        let r = app.post(&w(&my_draft, "issue"), None, json!({})).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);

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
    concurrent_issues_get_distinct_consecutive_numbers,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-012", "service").await;
        let analyst = app.analyst().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let drafts: Vec<String> = (0..8)
            .map(|_| draft(&app.pool, &evaluation, &body, 1, false))
            .collect();
        let paths: Vec<String> = drafts.iter().map(|id| w(id, "issue")).collect();
        let replies = join_all(
            paths
                .iter()
                .map(|path| app.post(path, Some(&analyst), json!({})))
                .collect(),
        )
        .await;
        let year = today().year();
        let mut numbers: Vec<String> = replies
            .iter()
            .map(|r| {
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.body["notice_no"].as_str().unwrap().to_string()
            })
            .collect();
        numbers.sort_by_key(|n| {
            n.trim_start_matches(&format!("认宣警〔{year}〕"))
                .trim_end_matches('号')
                .parse::<u32>()
                .unwrap()
        });
        let expected: Vec<String> = (1..=8).map(|n| format!("认宣警〔{year}〕{n}号")).collect();
        assert_eq!(numbers, expected);
    }
);

on_both_backends!(
    racing_issues_of_one_draft_number_it_once_and_never_answer_500,
    |backend| async move {
        let app = spawn(backend).await;
        let body = app.body("CNCA-R-2021-013", "service").await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let evaluation = final_evaluation(&app.pool, 2025);
        let contested = draft(&app.pool, &evaluation, &body, 2, false);
        let others: Vec<String> = (0..4)
            .map(|_| draft(&app.pool, &evaluation, &body, 1, false))
            .collect();
        // The same draft issued six times at once, beside four other drafts.
        let mut paths: Vec<String> = (0..6).map(|_| w(&contested, "issue")).collect();
        paths.extend(others.iter().map(|id| w(id, "issue")));
        let replies = join_all(
            paths
                .iter()
                .enumerate()
                .map(|(i, path)| {
                    let token = if i % 2 == 0 { &analyst } else { &admin };
                    app.post(path, Some(token), json!({}))
                })
                .collect(),
        )
        .await;
        for r in &replies {
            assert!(!r.status.is_server_error(), "{} {}", r.status, r.body);
        }
        let (contested_replies, other_replies) = replies.split_at(6);
        let won: Vec<&Reply> = contested_replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .collect();
        assert_eq!(won.len(), 1, "exactly one issue of the draft wins");
        for r in contested_replies
            .iter()
            .filter(|r| r.status != StatusCode::OK)
        {
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
            let code = r.body["error"]["code"].as_str().unwrap();
            assert!(
                ["invalid_transition", "conflict"].contains(&code),
                "{}",
                r.body
            );
        }
        let mut numbers: Vec<String> = std::iter::once(won[0])
            .chain(other_replies.iter())
            .map(|r| {
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.body["notice_no"].as_str().unwrap().to_string()
            })
            .collect();
        let year = today().year();
        numbers.sort_by_key(|n| {
            n.trim_start_matches(&format!("认宣警〔{year}〕"))
                .trim_end_matches('号')
                .parse::<u32>()
                .unwrap()
        });
        // Distinct and consecutive: the losers consumed no number.
        let expected: Vec<String> = (1..=5).map(|n| format!("认宣警〔{year}〕{n}号")).collect();
        assert_eq!(numbers, expected);
        // One issue in the history and the audit log.
        let r = app
            .get(&format!("/api/v1/warnings/{contested}"), Some(&analyst))
            .await;
        assert_eq!(r.body["status"], "issued");
        assert_eq!(history(&r.body).len(), 1, "{}", r.body);
        let issues = audit_entries(&app, &admin)
            .await
            .into_iter()
            .filter(|(action, id, _)| action == "warning.issue" && *id == contested)
            .count();
        assert_eq!(issues, 1);
    }
);
