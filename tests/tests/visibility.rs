//! What external systems and bodies see of a final evaluation (DESIGN.md §4, issue 11 finding
//! 4): a `results:read` client gets no risk warning — no `warning`, no `warning_level`, no
//! warning column in any ranking format, no count of warned bodies — and may not filter by
//! warning level; a `warnings:read` client and the body see a warning only once issued (a
//! draft, or one analysts withdrew, reads as none); staff see every triggered warning. Staff
//! usernames (who started an evaluation, answered an objection, took a warning's step,
//! recorded an incident) reach bodies and clients as 国家认监委; staff still see them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Cursor;

use actix_web::http::StatusCode;
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use pubeval_tests::*;
use serde_json::{Value, json};

/// A final evaluation of 2025 over two bodies that reported and two that did not (`silent`
/// and `quiet`, each warned for it, their warnings still drafts); each token.
struct Final {
    id: String,
    analyst: String,
    reporting: Vec<(String, String)>,
    silent: (String, String),
    quiet: (String, String),
}

impl Final {
    fn result(&self, body: &str) -> String {
        format!("/api/v1/evaluations/{}/results/{body}", self.id)
    }
}

/// Runs, publishes and finalises the evaluation as the analyst.
async fn final_2025<S, B>(app: &TestApp<S>) -> Final
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let analyst = app.analyst().await;
    let mut absent = Vec::new();
    for (no, user) in [("CNCA-R-2019-101", "silent"), ("CNCA-R-2019-102", "quiet")] {
        let id = app.body(no, "service").await;
        let token = app.user(user, "body", Some(&id)).await;
        absent.push((id, token));
    }
    let e = app
        .evaluated_2025(
            &analyst,
            &[("management_system", 10, true), ("product", 12, true)],
        )
        .await;
    app.finalize(&analyst, &e.id).await;
    let quiet = absent.pop().unwrap();
    let silent = absent.pop().unwrap();
    Final {
        id: e.id,
        analyst,
        reporting: e.bodies,
        silent,
        quiet,
    }
}

/// The id of the body's warning from the evaluation, as staff list it.
async fn warning_of<S, B>(app: &TestApp<S>, f: &Final, body: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = app
        .get(
            &format!("/api/v1/warnings?evaluation={}&body_id={body}", f.id),
            Some(&f.analyst),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"][0]["id"]
        .as_str()
        .expect("a draft")
        .to_string()
}

/// The text of a ranking in a format (XLSX: every cell of its first sheet).
async fn ranking_text<S, B>(app: &TestApp<S>, f: &Final, token: &str, format: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = app
        .get(
            &format!("/api/v1/evaluations/{}/ranking?format={format}", f.id),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{format}: {}", r.body);
    if format != "xlsx" {
        return String::from_utf8(r.bytes).unwrap();
    }
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .flat_map(|row| row.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("\t")
}

fn item_of<'a>(page: &'a Value, body: &str) -> &'a Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["body_id"] == body)
        .unwrap_or_else(|| panic!("{body} in {page}"))
}

on_both_backends!(
    a_results_reader_gets_no_warning_anywhere,
    |backend| async move {
        let app = spawn(backend).await;
        let f = final_2025(&app).await;
        let silent = f.silent.0.clone();
        // Staff see the warning the rules triggered.
        let staff = app.get(&f.result(&silent), Some(&f.analyst)).await;
        assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
        assert!(staff.body["warning_level"].as_i64().unwrap() > 0);
        assert!(staff.body["warning"]["findings"].is_array());

        let client = app.client(&["results:read"]).await;
        for body in [&silent, &f.reporting[0].0] {
            let r = app.get(&f.result(body), Some(&client)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let obj = r.body.as_object().unwrap();
            assert!(!obj.contains_key("warning"), "{}", r.body);
            assert!(!obj.contains_key("warning_level"), "{}", r.body);
            assert!(obj.contains_key("total") && obj.contains_key("borderline"));
        }
        let list = app
            .get(
                &format!("/api/v1/evaluations/{}/results", f.id),
                Some(&client),
            )
            .await;
        assert_eq!(list.body["total_items"], 4, "{}", list.body);
        for item in list.body["items"].as_array().unwrap() {
            assert!(item.get("warning_level").is_none(), "{item}");
        }
        let history = app
            .get(&format!("/api/v1/bodies/{silent}/results"), Some(&client))
            .await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);
        assert!(history.body["items"][0].get("warning_level").is_none());
        // The summary's counts of triggered warnings are staff's.
        let e = app
            .get(&format!("/api/v1/evaluations/{}", f.id), Some(&client))
            .await;
        assert!(e.body["summary"]["grades"].is_object(), "{}", e.body);
        assert!(e.body["summary"].get("warning_levels").is_none());
        let e = app
            .get(&format!("/api/v1/evaluations/{}", f.id), Some(&f.analyst))
            .await;
        assert!(e.body["summary"]["warning_levels"].is_object());

        // Whether a body is among those warned is no filter of theirs.
        for path in ["results", "ranking"] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{}/{path}?warning_level=2", f.id),
                    Some(&client),
                )
                .await;
            assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        }

        let json = app
            .get(
                &format!("/api/v1/evaluations/{}/ranking", f.id),
                Some(&client),
            )
            .await;
        for item in json.body["items"].as_array().unwrap() {
            assert!(item.get("warning_level").is_none(), "{item}");
            assert!(item.get("total").is_some());
        }
        for format in ["csv", "html", "xlsx"] {
            let text = ranking_text(&app, &f, &client, format).await;
            assert!(text.contains("机构名称"), "{format}: {text}");
            assert!(!text.contains("风险警示"), "{format}: {text}");
            let staff = ranking_text(&app, &f, &f.analyst, format).await;
            assert!(staff.contains("风险警示"), "{format}: {staff}");
        }
    }
);

on_both_backends!(
    readers_of_warnings_and_the_body_see_issued_warnings_only,
    |backend| async move {
        let app = spawn(backend).await;
        let f = final_2025(&app).await;
        let (silent, silent_user) = f.silent.clone();
        let (quiet, quiet_user) = f.quiet.clone();
        let reader = app.client(&["results:read", "warnings:read"]).await;
        let level = |r: &Reply| r.body["warning_level"].as_i64().unwrap();

        // Drafts: as if no warning.
        for (token, body) in [
            (&reader, &silent),
            (&silent_user, &silent),
            (&quiet_user, &quiet),
        ] {
            let r = app.get(&f.result(body), Some(token)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(level(&r), 0, "{}", r.body);
            assert!(r.body["warning"].is_null(), "{}", r.body);
        }

        // One issued, one withdrawn.
        let issued = warning_of(&app, &f, &silent).await;
        let r = app
            .post(
                &format!("/api/v1/warnings/{issued}/issue"),
                Some(&f.analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let withdrawn = warning_of(&app, &f, &quiet).await;
        let r = app
            .post(
                &format!("/api/v1/warnings/{withdrawn}/withdraw"),
                Some(&f.analyst),
                json!({"reason": "报送材料已补正"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        for token in [&reader, &silent_user] {
            let r = app.get(&f.result(&silent), Some(token)).await;
            assert!(level(&r) > 0, "{}", r.body);
            assert!(r.body["warning"]["findings"].is_array(), "{}", r.body);
        }
        for token in [&reader, &quiet_user] {
            let r = app.get(&f.result(&quiet), Some(token)).await;
            assert_eq!(level(&r), 0, "{}", r.body);
            assert!(r.body["warning"].is_null(), "{}", r.body);
        }
        let staff = app.get(&f.result(&quiet), Some(&f.analyst)).await;
        assert!(level(&staff) > 0, "{}", staff.body);

        let list = app
            .get(
                &format!("/api/v1/evaluations/{}/results", f.id),
                Some(&reader),
            )
            .await;
        assert!(
            item_of(&list.body, &silent)["warning_level"]
                .as_i64()
                .unwrap()
                > 0
        );
        assert_eq!(item_of(&list.body, &quiet)["warning_level"], 0);
        let ranking = app
            .get(
                &format!("/api/v1/evaluations/{}/ranking", f.id),
                Some(&reader),
            )
            .await;
        assert!(
            item_of(&ranking.body, &silent)["warning_level"]
                .as_i64()
                .unwrap()
                > 0
        );
        assert_eq!(item_of(&ranking.body, &quiet)["warning_level"], 0);
        let staff = app
            .get(
                &format!("/api/v1/evaluations/{}/ranking", f.id),
                Some(&f.analyst),
            )
            .await;
        assert!(
            item_of(&staff.body, &quiet)["warning_level"]
                .as_i64()
                .unwrap()
                > 0
        );
        let history = app
            .get(
                &format!("/api/v1/bodies/{quiet}/results"),
                Some(&quiet_user),
            )
            .await;
        assert_eq!(history.body["items"][0]["warning_level"], 0);

        // The issued warning's history: the analyst who issued it is the regulator to the body.
        let seen = app
            .get(&format!("/api/v1/warnings/{issued}"), Some(&silent_user))
            .await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        assert_eq!(
            seen.body["events"][0]["actor"], "国家认监委",
            "{}",
            seen.body
        );
        let staff = app
            .get(&format!("/api/v1/warnings/{issued}"), Some(&f.analyst))
            .await;
        assert_eq!(staff.body["events"][0]["actor"], "user:analyst1");
    }
);

on_both_backends!(
    bodies_and_clients_see_the_regulator_not_an_analyst,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(&analyst, &[("management_system", 10, true)])
            .await;
        let (body, body_user) = e.bodies[0].clone();
        let path = format!("/api/v1/evaluations/{}", e.id);
        let r = app
            .post(&format!("{path}/publish"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let filed = app
            .post(
                &format!("{path}/objections"),
                Some(&body_user),
                json!({"text": "宣传投入未计入"}),
            )
            .await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
        let objection = filed.body["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/objections/{objection}/answer"),
                Some(&analyst),
                json!({"decision": "rejected", "answer": "已核实，不予采纳"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // The body: the evaluation started and its objection answered by the regulator; its
        // own user as it is.
        let seen = app.get(&path, Some(&body_user)).await;
        assert_eq!(seen.body["created_by"], "国家认监委", "{}", seen.body);
        let list = app
            .get(&format!("{path}/objections"), Some(&body_user))
            .await;
        let o = &list.body["items"][0];
        assert_eq!(o["answered_by"], "国家认监委", "{o}");
        assert_eq!(o["filed_by"], "user:b0", "{o}");
        assert!(!list.body.to_string().contains("analyst1"), "{}", list.body);
        let history = app
            .get(&format!("/api/v1/bodies/{body}/results"), Some(&body_user))
            .await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);

        // An incident the analyst recorded for the body.
        let r = app
            .post(
                "/api/v1/incidents",
                Some(&analyst),
                json!({"body_id": body, "kind": "major_event", "severity": "general",
                    "occurred_at": "2025-05-01T00:00:00Z", "reported_at": "2025-05-03T12:00:00Z",
                    "description": "突发事件"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let incident = r.body["id"].as_str().unwrap().to_string();
        let listed = app
            .get(
                &format!("/api/v1/bodies/{body}/incidents"),
                Some(&body_user),
            )
            .await;
        assert_eq!(
            listed.body["items"][0]["recorded_by"], "国家认监委",
            "{}",
            listed.body
        );
        let one = app
            .get(&format!("/api/v1/incidents/{incident}"), Some(&body_user))
            .await;
        assert_eq!(one.body["recorded_by"], "国家认监委", "{}", one.body);
        let one = app
            .get(&format!("/api/v1/incidents/{incident}"), Some(&analyst))
            .await;
        assert_eq!(one.body["recorded_by"], "user:analyst1");

        // Staff: the usernames.
        let staff = app.get(&path, Some(&analyst)).await;
        assert_eq!(staff.body["created_by"], "user:analyst1");
        let list = app.get(&format!("{path}/objections"), Some(&analyst)).await;
        assert_eq!(list.body["items"][0]["answered_by"], "user:analyst1");

        // A client, once final.
        let r = app
            .post(&format!("{path}/finalize"), Some(&analyst), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let client = app.client(&["results:read"]).await;
        let seen = app.get(&path, Some(&client)).await;
        assert_eq!(seen.body["created_by"], "国家认监委", "{}", seen.body);
        let listed = app.get("/api/v1/evaluations", Some(&client)).await;
        assert_eq!(listed.body["items"][0]["created_by"], "国家认监委");
        assert!(!listed.body.to_string().contains("analyst1"));
    }
);

on_both_backends!(
    letters_and_the_annual_report_show_a_warning_only_to_whom_it_may_be_shown,
    |backend| async move {
        let app = spawn(backend).await;
        let f = final_2025(&app).await;
        let (silent, silent_user) = f.silent.clone();
        let letter = format!("{}/letter.html", f.result(&silent));
        let report = format!("/api/v1/evaluations/{}/report.html", f.id);
        let text = |r: &Reply| String::from_utf8(r.bytes.clone()).unwrap();
        let results_only = app.client(&["results:read"]).await;
        let reader = app.client(&["results:read", "warnings:read"]).await;

        // The warning is a draft: the body's letter names none; staff read the same letter.
        for token in [&silent_user, &f.analyst] {
            let r = app.get(&letter, Some(token)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(
                !text(&r).contains("本年度触发"),
                "a draft is not the body's"
            );
        }
        let staff_report = text(&app.get(&report, Some(&f.analyst)).await);
        assert!(
            staff_report.contains("触发风险警示的机构"),
            "staff see the counts"
        );

        let issued = warning_of(&app, &f, &silent).await;
        let r = app
            .post(
                &format!("/api/v1/warnings/{issued}/issue"),
                Some(&f.analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let notice_no = r.body["notice_no"].as_str().unwrap().to_string();
        let r = app.get(&letter, Some(&silent_user)).await;
        assert!(
            text(&r).contains("本年度触发"),
            "issued: the letter names it"
        );

        // A client without warnings:read: no count, column or list of warnings.
        let r = app.get(&report, Some(&results_only)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let seen = text(&r);
        assert!(seen.contains("风险警示情况仅向有权查阅风险警示的用户提供"));
        for hidden in ["触发风险警示的机构", "触发警示", notice_no.as_str()] {
            assert!(
                !seen.contains(hidden),
                "{hidden} reached a results:read client"
            );
        }
        // A reader of warnings: the issued one, by its notice number.
        let seen = text(&app.get(&report, Some(&reader)).await);
        assert!(seen.contains(&notice_no), "the issued notice is listed");
        assert!(!seen.contains("风险警示情况仅向有权查阅风险警示的用户提供"));
    }
);

on_both_backends!(
    a_body_reads_its_report_history_with_the_regulator_not_an_analyst,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let now = chrono::Utc::now();
        let r = app
            .post(
                "/api/v1/cycles",
                Some(&analyst),
                json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
                    "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let body = app.body("CNCA-R-2019-201", "product").await;
        let user = app.user("reporter", "body", Some(&body)).await;
        let path = format!("/api/v1/bodies/{body}/submissions/2025");
        let put = actix_web::test::TestRequest::put()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {user}")))
            .set_json(json!({"payload": sample_report(10, true)}));
        assert_eq!(app.send(put).await.status, StatusCode::CREATED);
        let r = app
            .post(&format!("{path}/submit"), Some(&user), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                &format!("{path}/return"),
                Some(&analyst),
                json!({"comment": "请补充新闻发布会材料"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let seen = app.get(&format!("{path}/revisions"), Some(&user)).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        let actors: Vec<&str> = seen.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["actor"].as_str().unwrap())
            .collect();
        assert_eq!(actors, ["user:reporter", "user:reporter", "国家认监委"]);
        let current = app.get(&path, Some(&user)).await;
        assert_eq!(current.body["actor"], "国家认监委", "{}", current.body);
        let one = app.get(&format!("{path}/revisions/3"), Some(&user)).await;
        assert_eq!(one.body["actor"], "国家认监委", "{}", one.body);
        let staff = app.get(&format!("{path}/revisions"), Some(&analyst)).await;
        assert_eq!(staff.body["items"][2]["actor"], "user:analyst1");
    }
);
