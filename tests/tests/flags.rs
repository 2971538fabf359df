//! Plausibility flags (issue 13) through the API, on both backends: generated reports whose
//! previous year is a lightly perturbed copy, with a known set inflated (every inflated report
//! is flagged on the field that was changed; untouched ones rarely are), a body without last
//! year's report (no year-on-year flag), a peer group whose MAD is 0, and an analyst clearing
//! a flag and asking for evidence through the returned report and its resubmission.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{HashMap, HashSet};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use pubeval_scoring::synthetic::Population;
use pubeval_scoring::synthetic::perturb::{Inflation, inflate, perturbed, rng};
use pubeval_scoring::{Payload, Scheme};
use pubeval_tests::*;
use serde_json::{Value, json};

const YEAR: i32 = 2025;

/// Every flag of the year matching `query` (e.g. `status=open`), all pages.
async fn all_flags<S, B>(app: &TestApp<S>, token: &str, query: &str) -> Vec<Value>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut items = Vec::new();
    for page in 1.. {
        let r = app
            .get(
                &format!("/api/v1/cycles/{YEAR}/flags?per_page=500&page={page}&{query}"),
                Some(token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let got = r.body["items"].as_array().unwrap().clone();
        let done = got.len() < 500;
        items.extend(got);
        if done {
            break;
        }
    }
    items
}

fn number(scheme: &Scheme, report: &Payload, field: &str) -> f64 {
    report
        .get(scheme.field_index(field).unwrap())
        .as_number()
        .unwrap()
}

/// The generated year: which bodies were inflated on which field, and which reported for the
/// first time (inflated too, but with no report last year to compare with).
struct Plan {
    inflated: Vec<(usize, Inflation)>,
    newcomers: Vec<usize>,
    current: Vec<Option<Payload>>,
    previous: Vec<Option<Payload>>,
}

const WAYS: [Inflation; 4] = [
    Inflation::Times20("press_releases"),
    Inflation::BudgetShare,
    Inflation::Times20("original_posts"),
    Inflation::PostsPerStaff,
];

fn plan(scheme: &Scheme, population: &Population, seed: u64) -> Plan {
    let generated = population.year(scheme, YEAR, seed);
    let mut rng = rng(seed);
    let mut plan = Plan {
        inflated: Vec::new(),
        newcomers: Vec::new(),
        current: Vec::new(),
        previous: Vec::new(),
    };
    for (i, report) in generated.reports.into_iter().enumerate() {
        let Some(report) = report else {
            plan.current.push(None);
            plan.previous.push(None);
            continue;
        };
        let before = perturbed(scheme, &report, &mut rng);
        let times20 = Inflation::Times20("press_releases");
        if i % 37 == 3
            && let Some(big) = inflate(scheme, &report, times20)
        {
            // A figure twenty times last year's — but there was no report last year.
            plan.newcomers.push(i);
            plan.current.push(Some(big));
            plan.previous.push(None);
            continue;
        }
        let how = WAYS[(i / 13) % WAYS.len()];
        match (i % 13 == 6)
            .then(|| inflate(scheme, &report, how))
            .flatten()
        {
            Some(inflated) => {
                plan.inflated.push((i, how));
                plan.current.push(Some(inflated));
            }
            None => plan.current.push(Some(report)),
        }
        plan.previous.push(Some(before));
    }
    plan
}

on_both_backends!(
    every_inflated_report_is_flagged_on_the_changed_field_and_untouched_ones_rarely,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let seed = 13;
        let population = Population::generate(600, seed);
        let (ids, scheme, plan) = {
            let mut conn = app.pool.get().unwrap();
            let row = pubeval::db::models::scheme::SchemeRow::active(&mut conn)
                .unwrap()
                .unwrap();
            let scheme = row.parsed().unwrap();
            let plan = plan(&scheme, &population, seed);
            let ids = pubeval::demo::data::insert_bodies(&mut conn, &population).unwrap();
            for (year, reports) in [(YEAR - 1, &plan.previous), (YEAR, &plan.current)] {
                pubeval::demo::data::insert_reports(
                    &mut conn, &scheme, &row.id, &ids, year, reports,
                )
                .unwrap();
            }
            (ids, scheme, plan)
        };
        assert!(
            plan.inflated.len() >= 30,
            "{} inflated",
            plan.inflated.len()
        );
        assert!(
            plan.newcomers.len() >= 5,
            "{} newcomers",
            plan.newcomers.len()
        );
        let reports = plan.current.iter().flatten().count();

        let r = app
            .post(
                &format!("/api/v1/cycles/{YEAR}/flags/recompute"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["reports"], reports);
        assert!(r.body["raised"].as_u64().unwrap() > 0);

        let flags = all_flags(&app, &analyst, "").await;
        assert_eq!(flags.len() as u64, r.body["raised"].as_u64().unwrap());
        for f in &flags {
            for key in [
                "id",
                "body_id",
                "approval_no",
                "field",
                "rule",
                "severity",
                "value",
                "reference",
                "message",
                "status",
            ] {
                assert!(!f[key].is_null(), "{key} missing from {f}");
            }
            assert_eq!(f["status"], "open");
        }
        let index: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let on = |i: usize| -> Vec<&Value> {
            flags
                .iter()
                .filter(|f| f["body_id"] == ids[i].as_str())
                .collect()
        };

        // Every inflated report, flagged on the field that was changed.
        for (i, how) in &plan.inflated {
            let mine = on(*i);
            assert!(
                mine.iter().any(|f| f["field"] == how.field()),
                "body {i} inflated by {how:?} has only {mine:?}"
            );
            let report = plan.current[*i].as_ref().unwrap();
            let before = plan.previous[*i].as_ref().unwrap();
            match how {
                Inflation::BudgetShare => {
                    let f = mine
                        .iter()
                        .find(|f| f["rule"] == "ratio.budget_revenue")
                        .expect("the budget's share of revenue");
                    assert!((f["value"].as_f64().unwrap() - 0.2).abs() < 1e-3, "{f}");
                    assert_eq!(f["reference"], 0.05);
                    assert_eq!(f["severity"], "review");
                }
                Inflation::Times20(field) => {
                    let f = mine
                        .iter()
                        .find(|f| f["rule"] == format!("yoy.{field}"))
                        .expect("a year-on-year flag");
                    assert_eq!(f["value"].as_f64().unwrap(), number(&scheme, report, field));
                    assert_eq!(
                        f["reference"].as_f64().unwrap(),
                        number(&scheme, before, field),
                        "the reference is last year's value"
                    );
                }
                Inflation::PostsPerStaff => {
                    let f = mine
                        .iter()
                        .find(|f| f["rule"] == "ratio.posts_per_staff")
                        .expect("posts per staff member");
                    assert_eq!(f["value"], 2500.0);
                    assert_eq!(f["reference"], 1000.0);
                }
            }
        }

        // A body with no report last year gets no year-on-year flag, however its figures grew.
        for i in &plan.newcomers {
            let yoy: Vec<_> = on(*i)
                .into_iter()
                .filter(|f| f["rule"].as_str().unwrap().starts_with("yoy."))
                .collect();
            assert!(yoy.is_empty(), "newcomer {i}: {yoy:?}");
        }

        // Untouched reports: few flags, fewer that ask for review.
        let touched: HashSet<usize> = plan
            .inflated
            .iter()
            .map(|(i, _)| *i)
            .chain(plan.newcomers.iter().copied())
            .collect();
        let untouched = reports - touched.len();
        let flagged = |severity: Option<&str>| {
            flags
                .iter()
                .filter(|f| severity.is_none_or(|s| f["severity"] == s))
                .map(|f| index[f["body_id"].as_str().unwrap()])
                .filter(|i| !touched.contains(i))
                .collect::<HashSet<usize>>()
                .len() as f64
                / untouched as f64
        };
        let (any, review) = (flagged(None), flagged(Some("review")));
        eprintln!(
            "untouched reports: {untouched}; flagged {:.1}% (review {:.1}%)",
            any * 100.0,
            review * 100.0
        );
        assert!(
            any < 0.08,
            "{:.1}% of untouched reports flagged",
            any * 100.0
        );
        assert!(review < 0.04, "{:.1}% flagged for review", review * 100.0);

        // Nothing changed: a recomputation changes nothing.
        let again = app
            .post(
                &format!("/api/v1/cycles/{YEAR}/flags/recompute"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(again.body["raised"], 0, "{}", again.body);
        assert_eq!(again.body["resolved"], 0);
        assert_eq!(again.body["reopened"], 0);
        assert_eq!(again.body["open"], flags.len());

        // Filters: by rule and by body, and a page.
        let budget = all_flags(&app, &analyst, "rule=ratio.budget_revenue").await;
        assert!(budget.iter().all(|f| f["rule"] == "ratio.budget_revenue"));
        assert!(!budget.is_empty());
        let (i, _) = plan.inflated[0];
        let of_one = all_flags(&app, &analyst, &format!("body={}", ids[i])).await;
        assert_eq!(of_one.len(), on(i).len());
        let by_number = all_flags(
            &app,
            &analyst,
            &format!("body={}", population.bodies[i].approval_no),
        )
        .await;
        assert_eq!(by_number, of_one, "the approval number names the body too");
        let page = app
            .get(
                &format!("/api/v1/cycles/{YEAR}/flags?per_page=5&page=2"),
                Some(&analyst),
            )
            .await;
        assert_eq!(page.body["items"].as_array().unwrap().len(), 5);
        assert_eq!(page.body["total_items"], flags.len());
        assert_eq!(page.body["items"][0]["id"], flags[5]["id"]);
    }
);

/// A sample report with these changes.
fn report_with(changes: Value) -> Value {
    let mut r = sample_report(30, true);
    for (k, v) in changes.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

/// Opens the year's window, registers one body per report (category `category`) with a user
/// who saves and submits it; the bodies' ids and tokens.
async fn submitted<S, B>(
    app: &TestApp<S>,
    analyst: &str,
    category: &str,
    reports: &[Value],
) -> Vec<(String, String)>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let now = Utc::now();
    let r = app
        .post(
            "/api/v1/cycles",
            Some(analyst),
            json!({"year": YEAR, "opens_at": (now - Duration::days(1)).to_rfc3339(), "closes_at": (now + Duration::days(30)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut bodies = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        let id = app
            .body(&format!("CNCA-R-2016-{:03}", i + 1), category)
            .await;
        let user = app.user(&format!("body{i}"), "body", Some(&id)).await;
        save(app, &id, &user, report, None).await;
        submit(app, &id, &user).await;
        bodies.push((id, user));
    }
    bodies
}

async fn save<S, B>(app: &TestApp<S>, id: &str, user: &str, report: &Value, if_match: Option<&str>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut put = TestRequest::put()
        .uri(&format!("/api/v1/bodies/{id}/submissions/{YEAR}"))
        .insert_header(("Authorization", format!("Bearer {user}")))
        .set_json(json!({ "payload": report }));
    if let Some(m) = if_match {
        put = put.insert_header(("If-Match", m));
    }
    let r = app.send(put).await;
    assert!(r.status.is_success(), "save: {}", r.body);
}

async fn submit<S, B>(app: &TestApp<S>, id: &str, user: &str)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let r = app
        .post(
            &format!("/api/v1/bodies/{id}/submissions/{YEAR}/submit"),
            Some(user),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "submit: {}", r.body);
}

on_both_backends!(
    a_peer_group_whose_mad_is_zero_still_finds_its_outlier,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        // Twelve service bodies; eight report 120 original posts, so the median absolute
        // deviation is 0 and the mean absolute deviation stands in for it.
        let mut reports = vec![report_with(json!({"original_posts": 120})); 8];
        for posts in [110, 125, 130] {
            reports.push(report_with(json!({"original_posts": posts})));
        }
        reports.push(report_with(
            json!({"original_posts": 5000, "dedicated_staff": 10}),
        ));
        let bodies = submitted(&app, &analyst, "service", &reports).await;
        // Each submission recomputed the year: no call needed.
        let flags = all_flags(&app, &analyst, "rule=peer.original_posts").await;
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(flags[0]["body_id"], bodies[11].0.as_str());
        assert_eq!(flags[0]["value"], 5000.0);
        assert_eq!(flags[0]["reference"], 120.0, "the group's median");
        assert_eq!(flags[0]["approval_no"], "CNCA-R-2016-012");
        assert!(
            flags[0]["message"]
                .as_str()
                .unwrap()
                .contains("服务认证机构"),
            "{}",
            flags[0]["message"]
        );
        // 500 posts per staff member is within the ratio rule's limit: that rule stays silent.
        assert!(
            all_flags(&app, &analyst, "rule=ratio.posts_per_staff")
                .await
                .is_empty()
        );
    }
);

on_both_backends!(
    an_analyst_clears_a_flag_or_asks_for_evidence_through_return_and_resubmission,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let analyst = app.analyst().await;
        // Two plausible reports and one whose budget is a fifth of its revenue (three bodies: too
        // few for peer comparisons, so only the ratio rule speaks).
        let mut reports = vec![report_with(json!({})); 2];
        reports.insert(
            0,
            report_with(json!({"publicity_budget_wan": 2000, "revenue_wan": 10000})),
        );
        let bodies = submitted(&app, &analyst, "management_system", &reports).await;
        let (body, user) = bodies[0].clone();

        // Raised by the submission itself.
        let open = all_flags(&app, &analyst, "status=open").await;
        assert_eq!(open.len(), 1, "{open:?}");
        let flag = open[0].clone();
        let id = flag["id"].as_str().unwrap().to_string();
        assert_eq!(flag["body_id"], body.as_str());
        assert_eq!(flag["approval_no"], "CNCA-R-2016-001");
        assert_eq!(flag["rule"], "ratio.budget_revenue");
        assert_eq!(flag["field"], "publicity_budget_wan");
        assert_eq!(flag["severity"], "review");
        assert_eq!(flag["value"], 0.2);
        assert_eq!(flag["reference"], 0.05);
        assert!(
            flag["message"].as_str().unwrap().contains("20%"),
            "{}",
            flag["message"]
        );

        // Filters, and who may read them.
        assert!(
            all_flags(&app, &analyst, "rule=yoy.press_releases")
                .await
                .is_empty()
        );
        assert!(
            all_flags(&app, &analyst, &format!("body={}", bodies[1].0))
                .await
                .is_empty()
        );
        let bad = app
            .get(
                &format!("/api/v1/cycles/{YEAR}/flags?status=closed"),
                Some(&analyst),
            )
            .await;
        assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(bad.body["error"]["details"][0]["field"], "status");
        let r = app
            .get(&format!("/api/v1/cycles/{YEAR}/flags"), Some(&user))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app.get("/api/v1/cycles/1999/flags", Some(&analyst)).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");

        // A note is required to clear; a comment to ask for evidence.
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/clear"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(r.body["error"]["details"][0]["field"], "note");
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/request_evidence"),
                Some(&analyst),
                json!({"comment": "  "}),
            )
            .await;
        assert_eq!(
            r.body["error"]["details"][0]["field"], "comment",
            "{}",
            r.body
        );

        // Asking for evidence returns the report with a comment naming the field.
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/request_evidence"),
                Some(&analyst),
                json!({"comment": "请提供年度宣传预算的批复文件"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "evidence_requested");
        assert_eq!(r.body["comment"], "请提供年度宣传预算的批复文件");
        let report = app
            .get(
                &format!("/api/v1/bodies/{body}/submissions/{YEAR}"),
                Some(&user),
            )
            .await;
        assert_eq!(report.body["status"], "returned", "{}", report.body);
        assert_eq!(
            report.body["comment"],
            "【年度宣传预算】请提供年度宣传预算的批复文件"
        );
        for action in ["clear", "request_evidence"] {
            let r = app
                .post(
                    &format!("/api/v1/flags/{id}/{action}"),
                    Some(&analyst),
                    json!({"note": "x"}),
                )
                .await;
            assert!(r.status.is_client_error(), "{}", r.body);
        }
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/clear"),
                Some(&analyst),
                json!({"note": "已核实"}),
            )
            .await;
        assert_error(&r, StatusCode::CONFLICT, "invalid_transition");
        assert_eq!(
            all_flags(&app, &analyst, "status=evidence_requested")
                .await
                .len(),
            1
        );
        assert!(all_flags(&app, &analyst, "status=open").await.is_empty());

        // The body resubmits as it was: the flag is open again for a fresh look.
        submit(&app, &body, &user).await;
        let open = all_flags(&app, &analyst, "status=open").await;
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["id"], id.as_str(), "the same flag, reopened");
        assert_eq!(open[0]["comment"], "请提供年度宣传预算的批复文件");

        // An evaluation now counts the flagged report, and scores it as the scheme says.
        let run = app
            .post(
                "/api/v1/evaluations",
                Some(&analyst),
                json!({"year": YEAR, "draws": 0}),
            )
            .await;
        let evaluation = run.body["id"].as_str().unwrap().to_string();
        let started = std::time::Instant::now();
        let done = loop {
            let e = app
                .get(&format!("/api/v1/evaluations/{evaluation}"), Some(&analyst))
                .await;
            if e.body["status"] != "running" {
                break e;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(60));
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(done.body["status"], "draft", "{}", done.body);
        assert_eq!(done.body["summary"]["flagged_reports"], 1, "{}", done.body);
        let result = app
            .get(
                &format!("/api/v1/evaluations/{evaluation}/results/{body}"),
                Some(&analyst),
            )
            .await;
        // The same report scored alone, off the test's runtime (polars wants its own threads).
        let (alone_body, alone_report) = (body.clone(), reports[0].clone());
        let alone = std::thread::spawn(move || {
            let scheme = Scheme::default_scheme();
            let payload = pubeval_scoring::validate_payload(
                &scheme,
                &alone_report,
                pubeval_scoring::Completeness::Submitted,
            )
            .unwrap();
            pubeval_scoring::Engine::new(std::sync::Arc::new(scheme))
                .evaluate(
                    &pubeval_scoring::ScoreInput {
                        year: YEAR,
                        bodies: &[pubeval_scoring::BodyInput {
                            body_id: alone_body,
                            name: "x".into(),
                            category: pubeval_scoring::Category::ManagementSystem,
                            approval_no: None,
                            payload: Some(payload),
                            previous_total: None,
                        }],
                        incidents: &[],
                    },
                    &pubeval_scoring::Options::default(),
                )
                .unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(
            result.body["total"].as_f64().unwrap(),
            alone[0].total.unwrap(),
            "a flag changes no points"
        );

        // Cleared with a note, it stays cleared while the figure stays the same.
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/clear"),
                Some(&analyst),
                json!({"note": "含一次性专项宣传经费，已核对批复文件"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "cleared");
        assert_eq!(r.body["note"], "含一次性专项宣传经费，已核对批复文件");
        let again = app
            .post(
                &format!("/api/v1/cycles/{YEAR}/flags/recompute"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(again.body["open"], 0, "{}", again.body);
        assert_eq!(all_flags(&app, &analyst, "status=cleared").await.len(), 1);

        // Returned and resubmitted with a yet bigger budget: the note was about another figure.
        let r = app
            .post(
                &format!("/api/v1/bodies/{body}/submissions/{YEAR}/return"),
                Some(&analyst),
                json!({"comment": "请核对收入口径"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        save(
            &app,
            &body,
            &user,
            &report_with(json!({"publicity_budget_wan": 3000, "revenue_wan": 10000})),
            Some("*"),
        )
        .await;
        submit(&app, &body, &user).await;
        let open = all_flags(&app, &analyst, "status=open").await;
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["id"], id.as_str());
        assert_eq!(open[0]["value"], 0.3);

        // Evidence asked for again; the body corrects the figure: the rule no longer fires.
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/request_evidence"),
                Some(&analyst),
                json!({"comment": "预算占收入 30%，请核实"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        save(&app, &body, &user, &report_with(json!({})), Some("*")).await;
        submit(&app, &body, &user).await;
        assert!(all_flags(&app, &analyst, "status=open").await.is_empty());
        let resolved = all_flags(&app, &analyst, "status=resolved").await;
        assert_eq!(resolved.len(), 1);
        assert_eq!(resolved[0]["id"], id.as_str());

        // Every step is in the audit log.
        let audit = app.get("/api/v1/audit?per_page=500", Some(&admin)).await;
        let actions: Vec<&str> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity_id"] == id.as_str() || e["action"] == "flags.recompute")
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for action in [
            "flag.request_evidence",
            "flag.reopen",
            "flag.clear",
            "flags.recompute",
        ] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
        let returned = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "submission.return")
            .count();
        assert_eq!(
            returned, 3,
            "two requests for evidence and one plain return"
        );
    }
);

on_both_backends!(
    an_accepted_report_cannot_be_returned_for_evidence_but_its_flag_can_be_cleared,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let bodies = submitted(
            &app,
            &analyst,
            "product",
            &[report_with(
                json!({"publicity_budget_wan": 900, "revenue_wan": 1000}),
            )],
        )
        .await;
        let (body, _) = &bodies[0];
        let r = app
            .post(
                &format!("/api/v1/bodies/{body}/submissions/{YEAR}/accept"),
                Some(&analyst),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let flags = all_flags(&app, &analyst, "status=open").await;
        assert_eq!(
            flags.len(),
            1,
            "accepted reports keep their flags: {flags:?}"
        );
        let id = flags[0]["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/request_evidence"),
                Some(&analyst),
                json!({"comment": "请说明"}),
            )
            .await;
        assert_error(&r, StatusCode::CONFLICT, "invalid_transition");
        let r = app
            .post(
                &format!("/api/v1/flags/{id}/clear"),
                Some(&analyst),
                json!({"note": "经电话核实，数据无误"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                "/api/v1/flags/00000000-0000-0000-0000-000000000000/clear",
                Some(&analyst),
                json!({"note": "x"}),
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
);
