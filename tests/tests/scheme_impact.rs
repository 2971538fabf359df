//! Revising the scheme with evidence (issue 14): a draft scored on a final year's inputs —
//! those the year's evaluation used, proven by its digest — against the scheme that year used.
//! An identical scheme moves nothing; raising band B to 80 moves exactly the bodies between 75
//! and 80 from B to C; the warnings gained and lost are those of scoring each scheme alone; a
//! weight moved between indicators changes SCHEME.md §7's worked example as by hand; the
//! analysis is recorded for the activation, which records its written reason.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use actix_web::http::StatusCode;
use diesel::prelude::*;
use pubeval::db::DbPool;
use pubeval::db::models::evaluation::Evaluation;
use pubeval_scoring::{BodyResult, Engine, Options, Scheme, ScoreInput};
use pubeval_tests::{assert_error, on_both_backends, spawn};
use serde_json::{Value, json};

/// Generated bodies of the two final years.
const BODIES: usize = 300;

/// 2024 and 2025 of `BODIES` generated bodies, each evaluated and made final (2025 reads
/// 2024's totals); the 2025 evaluation's id.
fn two_final_years(pool: &DbPool, seed: u64) -> String {
    pubeval_tests::generated_final_years(pool, &[2024, 2025], BODIES, seed)
}

/// The default scheme as a document, changed by `change`.
fn draft(change: impl FnOnce(&mut Value)) -> Value {
    let mut d: Value = serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap();
    d["version"] = json!(2);
    change(&mut d);
    d
}

/// The stored results of an evaluation, by body.
fn stored(pool: &DbPool, evaluation_id: &str) -> HashMap<String, BodyResult> {
    use pubeval::db::schema::evaluation_results as r;
    let mut conn = pool.get().unwrap();
    let rows: Vec<String> = r::table
        .filter(r::evaluation_id.eq(evaluation_id))
        .select(r::result)
        .load(&mut conn)
        .unwrap();
    rows.iter()
        .map(|text| {
            let result: BodyResult = serde_json::from_str(text).unwrap();
            (result.body_id.clone(), result)
        })
        .collect()
}

/// Every body of an analysis, by id.
fn bodies(impact: &Value) -> HashMap<String, Value> {
    impact["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["body_id"].as_str().unwrap().to_string(), b.clone()))
        .collect()
}

macro_rules! create_draft {
    ($app:expr, $token:expr, $document:expr) => {{
        let r = $app.post("/api/v1/schemes", Some($token), $document).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }};
}

on_both_backends!(
    an_identical_scheme_moves_nothing_and_reproduces_the_final_results,
    |backend| async move {
        let app = spawn(backend).await;
        let final_2025 = two_final_years(&app.pool, 3);
        let analyst = app.analyst().await;
        let id = create_draft!(app, &analyst, draft(|_| {}));
        let path = format!("/api/v1/schemes/{id}/impact");
        let r = app.post(&path, Some(&analyst), json!({"year": 2025})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let i = &r.body;
        let evaluation = app
            .get(&format!("/api/v1/evaluations/{final_2025}"), Some(&analyst))
            .await;
        assert_eq!(i["evaluation_id"], final_2025.as_str());
        assert_eq!(i["input_digest"], evaluation.body["input_digest"]);
        assert_eq!(i["baseline"]["id"], evaluation.body["scheme_id"]);
        assert_eq!(i["bodies"].as_array().unwrap().len(), BODIES);
        // The baseline is the final evaluation, body for body.
        let results = stored(&app.pool, &final_2025);
        for (body_id, b) in bodies(i) {
            let s = &results[&body_id];
            assert_eq!(b["old"]["total"].as_f64(), s.total, "{body_id}");
            assert_eq!(b["old"]["grade"].as_str(), s.grade.as_deref());
            assert_eq!(b["old"]["rank"].as_u64(), s.rank.map(u64::from));
            assert_eq!(b["old"]["warning_level"], s.warning_level());
            assert_eq!(b["old"], b["new"], "{body_id}");
        }
        assert_eq!(i["grade_transitions"], json!({}));
        assert_eq!(i["warning_transitions"], json!({}));
        assert_eq!(i["warnings_gained"], json!([]));
        assert_eq!(i["warnings_lost"], json!([]));
        assert_eq!(i["rank_shift"]["spearman"], 1.0);
        assert_eq!(i["rank_shift"]["kendall"], 1.0);
        assert_eq!(i["rank_shift"]["max"], 0);
        assert_eq!(
            i["changes"],
            json!([{"path": "version", "old": 1, "new": 2, "zh": "方案版本由 1 调整为 2"}])
        );
        let weights = i["indicators"].as_object().unwrap();
        assert_eq!(weights.len(), 23);
        for (code, w) in weights {
            assert_eq!(
                w["effective_weight_old"], w["effective_weight_new"],
                "{code}"
            );
            assert!(w["drop_one_median_rank_shift"].is_u64(), "{code}");
        }
        // Same inputs, same bytes.
        let again = app.post(&path, Some(&analyst), json!({"year": 2025})).await;
        assert_eq!(again.bytes, r.bytes);
    }
);

on_both_backends!(
    raising_band_b_to_80_moves_exactly_the_bodies_between_75_and_80,
    |backend| async move {
        let app = spawn(backend).await;
        let final_2025 = two_final_years(&app.pool, 5);
        let analyst = app.analyst().await;
        let id = create_draft!(app, &analyst, draft(|d| d["grades"][1]["min"] = json!(80)));
        let r = app
            .post(
                &format!("/api/v1/schemes/{id}/impact"),
                Some(&analyst),
                json!({"year": 2025}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let results = stored(&app.pool, &final_2025);
        // 75 ≤ total < 80 at 6 decimals, without a veto.
        let gap: HashSet<&str> = results
            .values()
            .filter(|s| {
                let key = s.total.map(|t| (t * 1e6).round() as i64);
                key.is_some_and(|k| (75_000_000..80_000_000).contains(&k)) && s.vetoes.is_empty()
            })
            .map(|s| s.body_id.as_str())
            .collect();
        assert!(gap.len() >= 5, "too few bodies in the gap: {}", gap.len());
        for (body_id, b) in bodies(&r.body) {
            let (old, new) = (&b["old"], &b["new"]);
            if gap.contains(body_id.as_str()) {
                assert_eq!(
                    (old["grade"].as_str(), new["grade"].as_str()),
                    (Some("B"), Some("C"))
                );
            } else {
                assert_eq!(old["grade"], new["grade"], "{body_id}");
            }
            assert_eq!(old["rank"], new["rank"], "{body_id}");
            assert_eq!(old["category_rank"], new["category_rank"], "{body_id}");
        }
        assert_eq!(r.body["grade_transitions"], json!({"B->C": gap.len()}));
        assert_eq!(r.body["rank_shift"]["max"], 0);
        assert_eq!(r.body["changes"][1]["zh"], "等级 B 的最低分由 75 调整为 80");
    }
);

on_both_backends!(
    warnings_gained_and_lost_agree_with_scoring_each_scheme_alone,
    |backend| async move {
        let app = spawn(backend).await;
        let final_2025 = two_final_years(&app.pool, 7);
        let analyst = app.analyst().await;
        // A stricter decline rule and a lower band C: some bodies gain a warning, some lose one.
        let document = draft(|d| {
            d["warnings"][5]["trigger"]["points"] = json!(5);
            d["grades"][2]["min"] = json!(55);
        });
        let id = create_draft!(app, &analyst, document.clone());
        let r = app
            .post(
                &format!("/api/v1/schemes/{id}/impact"),
                Some(&analyst),
                json!({"year": 2025}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Score the year's inputs under each scheme alone.
        let mut conn = app.pool.get().unwrap();
        let evaluation = Evaluation::by_id(&mut conn, &final_2025).unwrap().unwrap();
        let inputs = pubeval::evaluation::load_inputs(&mut conn, &evaluation).unwrap();
        let input = ScoreInput {
            year: 2025,
            bodies: &inputs.bodies,
            incidents: &inputs.incidents,
        };
        let levels = |scheme: Scheme| -> HashMap<String, u8> {
            // On a thread of its own: polars may not block the test's runtime.
            std::thread::scope(|s| {
                s.spawn(|| {
                    Engine::new(Arc::new(scheme))
                        .evaluate(&input, &Options::default())
                        .unwrap()
                        .into_iter()
                        .map(|r| (r.body_id.clone(), r.warning_level()))
                        .collect()
                })
                .join()
                .unwrap()
            })
        };
        let old = levels(inputs.scheme.clone());
        let new = levels(Scheme::from_json(&document.to_string()).unwrap());
        let expected = |from: bool| -> HashSet<String> {
            old.keys()
                .filter(|b| (old[*b] > 0) == from && (new[*b] > 0) != from)
                .cloned()
                .collect()
        };
        let listed = |key: &str| -> HashSet<String> {
            r.body[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(listed("warnings_gained"), expected(false));
        assert_eq!(listed("warnings_lost"), expected(true));
        assert!(!listed("warnings_gained").is_empty() || !listed("warnings_lost").is_empty());
        for (body_id, b) in bodies(&r.body) {
            assert_eq!(b["new"]["warning_level"], new[&body_id], "{body_id}");
        }
    }
);

on_both_backends!(
    a_moved_weight_changes_the_worked_example_as_by_hand,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        // SCHEME.md §7: one body, the worked example's report and its late major event.
        let now = chrono::Utc::now();
        app.post(
            "/api/v1/cycles",
            Some(&analyst),
            json!({"year": 2025,
            "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(),
            "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()}),
        )
        .await;
        let body = app.body("CNCA-R-2019-007", "management_system").await;
        let user = app.user("worked", "body", Some(&body)).await;
        let path = format!("/api/v1/bodies/{body}/submissions/2025");
        let put = actix_web::test::TestRequest::put()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {user}")))
            .set_json(json!({"payload": worked_example()}));
        assert_eq!(app.send(put).await.status, StatusCode::CREATED);
        let r = app
            .post(&format!("{path}/submit"), Some(&user), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                "/api/v1/incidents",
                Some(&admin),
                json!({"body_id": body,
                "kind": "major_event", "severity": "general",
                "occurred_at": "2025-05-01T00:00:00Z", "reported_at": "2025-05-03T12:00:00Z",
                "description": "要情迟报 60 小时"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let run = app
            .post(
                "/api/v1/evaluations",
                Some(&analyst),
                json!({"year": 2025, "draws": 0}),
            )
            .await;
        let evaluation = run.body["id"].as_str().unwrap().to_string();
        while app
            .get(&format!("/api/v1/evaluations/{evaluation}"), Some(&analyst))
            .await
            .body["status"]
            == "running"
        {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        app.finalize(&analyst, &evaluation).await;
        // One point from D1.1 (bool 4 → 3) to D4.3 (linear 0–16 for 2 → 3 points). By hand:
        // −1 + 3·8/16 − 2·8/16 = −0.5, so 80.757242 → 80.257242.
        let id = create_draft!(
            app,
            &analyst,
            draft(|d| {
                d["dimensions"][0]["max"] = json!(19);
                d["dimensions"][0]["indicators"][0]["rule"]["points"] = json!(3);
                d["dimensions"][0]["indicators"][0]["max"] = json!(3);
                d["dimensions"][3]["max"] = json!(16);
                d["dimensions"][3]["indicators"][2]["rule"]["max"] = json!(3);
                d["dimensions"][3]["indicators"][2]["max"] = json!(3);
            })
        );
        let r = app
            .post(
                &format!("/api/v1/schemes/{id}/impact"),
                Some(&analyst),
                json!({"year": 2025}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let b = &r.body["bodies"][0];
        assert!(
            (b["old"]["total"].as_f64().unwrap() - 80.757242).abs() < 1e-6,
            "{b}"
        );
        assert!(
            (b["new"]["total"].as_f64().unwrap() - 80.257242).abs() < 1e-6,
            "{b}"
        );
        assert_eq!(b["new"]["grade"], "B");
        assert_eq!(b["new"]["warning_rules"], json!(["W1.late_report"]));
        assert_eq!(r.body["indicators"]["D4.3"]["max_new"], 3.0);
    }
);

fn worked_example() -> Value {
    json!({
        "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
        "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
        "press_releases": 50, "media_channels": ["website", "wechat", "video"], "original_posts": 120,
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week"],
        "expert_interpretations": 3, "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards", "cert_and_mark_samples"],
        "complaints_received": 40, "complaints_resolved_on_time": 36, "media_partnerships": 2,
        "publicity_budget_wan": 30, "revenue_wan": 10000, "dedicated_staff": 2, "training_hours": 8,
        "public_welfare_activities": 6, "account_security": true, "target_responsibility": true,
        "incentive_mechanism": true, "in_annual_report": true
    })
}

on_both_backends!(
    the_inputs_are_those_the_digest_proves_or_none,
    |backend| async move {
        let app = spawn(backend).await;
        let final_2025 = two_final_years(&app.pool, 9);
        let analyst = app.analyst().await;
        let id = create_draft!(app, &analyst, draft(|_| {}));
        let path = format!("/api/v1/schemes/{id}/impact");
        // An incident voided after the year was final: the analysis still scores it, as the
        // final evaluation did.
        let incidents = app
            .get("/api/v1/incidents?per_page=500", Some(&analyst))
            .await;
        let counted = incidents.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["evaluation_year"] == 2025)
            .expect("a 2025 incident")
            .clone();
        let r = app
            .post(
                &format!("/api/v1/incidents/{}/void", counted["id"].as_str().unwrap()),
                Some(&analyst),
                json!({"reason": "重复记录"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.post(&path, Some(&analyst), json!({"year": 2025})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["rank_shift"]["kendall"], 1.0);
        let results = stored(&app.pool, &final_2025);
        for (body_id, b) in bodies(&r.body) {
            assert_eq!(b["old"]["total"].as_f64(), results[&body_id].total);
        }
        // A registry change the digest sees and nothing can undo: refused.
        let body_id = counted["body_id"].as_str().unwrap();
        let category = results[body_id].category;
        let other = if category == pubeval_scoring::Category::Product {
            "service"
        } else {
            "product"
        };
        let r = app
            .patch(
                &format!("/api/v1/bodies/{body_id}"),
                Some(&analyst),
                json!({"category": other}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_error(
            &app.post(&path, Some(&analyst), json!({"year": 2025})).await,
            StatusCode::CONFLICT,
            "inputs_changed",
        );
    }
);

on_both_backends!(
    bad_requests_are_named_and_only_staff_analyse,
    |backend| async move {
        let app = spawn(backend).await;
        two_final_years(&app.pool, 11);
        let analyst = app.analyst().await;
        let id = create_draft!(app, &analyst, draft(|_| {}));
        let path = format!("/api/v1/schemes/{id}/impact");
        assert_error(
            &app.post(&path, Some(&analyst), json!({"year": 2023})).await,
            StatusCode::CONFLICT,
            "no_final_evaluation",
        );
        assert_error(
            &app.post(
                "/api/v1/schemes/nope/impact",
                Some(&analyst),
                json!({"year": 2025}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let r = app
            .post(
                &path,
                Some(&analyst),
                json!({"year": 2025, "baseline": "nope"}),
            )
            .await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(r.body["error"]["details"][0]["field"], "baseline");
        let r = app.post(&path, Some(&analyst), json!({})).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(r.body.to_string().contains("year"), "{}", r.body);
        let r = app.get(&format!("{path}.xlsx"), Some(&analyst)).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(r.body["error"]["details"][0]["field"], "year");
        let body = app.body("CNCA-X-1999-001", "product").await;
        let body_user = app.user("b1", "body", Some(&body)).await;
        assert_error(
            &app.post(&path, Some(&body_user), json!({"year": 2025}))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        // An explicit baseline: the draft against itself moves nothing, its changes are none.
        let r = app
            .post(&path, Some(&analyst), json!({"year": 2025, "baseline": id}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["changes"], json!([]));
        assert_eq!(r.body["baseline"]["id"], id.as_str());
    }
);

on_both_backends!(
    the_workbook_lists_every_body_and_activation_records_the_reason_and_the_analysis,
    |backend| async move {
        use calamine::Reader;
        let app = spawn(backend).await;
        two_final_years(&app.pool, 13);
        let analyst = app.analyst().await;
        let id = create_draft!(app, &analyst, draft(|d| d["grades"][1]["min"] = json!(80)));
        let r = app
            .get(
                &format!("/api/v1/schemes/{id}/impact.xlsx?year=2025"),
                Some(&analyst),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.header("content-type").contains("spreadsheetml"));
        assert!(
            r.header("content-disposition")
                .contains("filename*=UTF-8''")
        );
        let mut book =
            calamine::Xlsx::new(std::io::Cursor::new(r.bytes.clone())).expect("a workbook");
        assert_eq!(
            book.sheet_names(),
            vec!["概要", "全部机构", "等级与警示变化", "指标"]
        );
        let all = book.worksheet_range("全部机构").unwrap();
        assert_eq!(all.height(), BODIES + 1);
        let summary = book.worksheet_range("概要").unwrap();
        let text: Vec<String> = summary.cells().map(|(_, _, c)| c.to_string()).collect();
        assert!(
            text.iter().any(|t| t == "等级 B 的最低分由 75 调整为 80"),
            "{text:?}"
        );

        // The analysis is recorded; the activation names it with its reason.
        let r = app
            .post(
                &format!("/api/v1/schemes/{id}/impact"),
                Some(&analyst),
                json!({"year": 2025}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let blank = app
            .post(
                &format!("/api/v1/schemes/{id}/activate"),
                Some(&analyst),
                json!({"reason": "  "}),
            )
            .await;
        assert_error(
            &blank,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let reason = "经 2025 年度数据测算，B 级门槛提高后 B 级比例更合理，经主任办公会审议通过";
        let r = app
            .post(
                &format!("/api/v1/schemes/{id}/activate"),
                Some(&analyst),
                json!({"reason": reason}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "active");
        use pubeval::db::schema::audit_log as a;
        let mut conn = app.pool.get().unwrap();
        let details: Vec<String> = a::table
            .filter(a::action.eq("scheme.activate"))
            .filter(a::entity_id.eq(&id))
            .select(a::detail)
            .load(&mut conn)
            .unwrap();
        let detail: Value = serde_json::from_str(&details[0]).unwrap();
        assert_eq!(detail["reason"], reason);
        assert_eq!(detail["last_impact"]["year"], 2025);
        let impacts: i64 = a::table
            .filter(a::action.eq("scheme.impact"))
            .filter(a::entity_id.eq(&id))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(impacts, 1, "the workbook is not recorded, the analysis is");
    }
);

pubeval_tests::on_both_backends_with_fonts!(
    the_brief_is_a_pdf_with_its_findings,
    |backend| async move {
        let app = spawn(backend).await;
        two_final_years(&app.pool, 15);
        let analyst = app.analyst().await;
        let id = create_draft!(app, &analyst, draft(|d| d["grades"][1]["min"] = json!(80)));
        let r = app
            .get(
                &format!("/api/v1/schemes/{id}/impact.pdf?year=2025"),
                Some(&analyst),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.header("content-type"), "application/pdf");
        assert!(r.bytes.starts_with(b"%PDF"));
        let text = pdf_extract::extract_text_from_mem(&r.bytes).unwrap();
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for expected in [
            "方案调整影响分析",
            "等级B的最低分由75调整为80",
            "有效权重",
            "图1等级变化",
        ] {
            assert!(
                squeezed.contains(expected),
                "{expected} missing from:\n{text}"
            );
        }
    }
);
