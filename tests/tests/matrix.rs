//! The role × route matrix of DESIGN.md §4, generated from the OpenAPI document: every operation
//! the API serves is called as each kind of caller — admin, analyst, the body's own user, another
//! body's user, a client with each scope, and anonymous — and must answer exactly the status its
//! entry below names. An operation without an entry fails the test, and so does a 5xx, a 2xx where
//! the entry expects a refusal, or a status the operation does not document.
//!
//! The requests are probes chosen so that an admitted caller meets a deterministic answer that
//! changes nothing (a refused transition, a validation error, a read), so the callers can run one
//! after another against one database.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;

use actix_web::test::TestRequest;
use pubeval_tests::*;
use serde_json::{Value, json};

/// The callers, in the order each operation is called.
const CALLERS: [&str; 8] = [
    "admin",
    "analyst",
    "own_body",
    "other_body",
    "client_results",
    "client_bodies",
    "client_warnings",
    "anonymous",
];

/// One operation's probe: the request, and the status each caller (in [`CALLERS`] order) gets.
struct Probe {
    method: &'static str,
    path: String,
    body: Option<Value>,
    expect: [u16; 8],
}

/// The fixtures the probes name.
struct World {
    own: String,
    other: String,
    evaluation: String,
    warning: String,
    objection: String,
    incident: String,
    scheme: String,
}

fn probe(method: &'static str, path: String, body: Option<Value>, expect: [u16; 8]) -> Probe {
    Probe {
        method,
        path,
        body,
        expect,
    }
}

/// Every operation's entry, keyed by its operationId.
fn probes(w: &World) -> BTreeMap<&'static str, Probe> {
    let World {
        own,
        other,
        evaluation: e,
        warning: wn,
        objection: o,
        incident: i,
        scheme: s,
    } = w;
    let none = "00000000-0000-0000-0000-000000000000";
    let reason = Some(json!({"reason": ""}));
    let mut m = BTreeMap::new();
    // admin analyst own other c_results c_bodies c_warnings anonymous
    m.insert(
        "health_healthz",
        probe(
            "GET",
            "/healthz".into(),
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
    );
    m.insert(
        "health_readyz",
        probe(
            "GET",
            "/readyz".into(),
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
    );
    // The matrix's app configures no scrape token: no metrics for anyone.
    m.insert(
        "metrics",
        probe(
            "GET",
            "/metrics".into(),
            None,
            [404, 404, 404, 404, 404, 404, 404, 404],
        ),
    );
    m.insert(
        "auth_token",
        probe(
            "POST",
            "/api/v1/auth/token".into(),
            Some(json!({"grant_type": "nope"})),
            [422, 422, 422, 422, 422, 422, 422, 422],
        ),
    );
    m.insert(
        "users_list",
        probe(
            "GET",
            "/api/v1/users".into(),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "users_create",
        probe(
            "POST",
            "/api/v1/users".into(),
            Some(json!({"username": "bad name", "password": "long-enough-1", "role": "analyst"})),
            [422, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "users_disable",
        probe(
            "POST",
            format!("/api/v1/users/{none}/disable"),
            None,
            [404, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "users_reset_password",
        probe(
            "POST",
            format!("/api/v1/users/{none}/password"),
            Some(json!({"password": "long-enough-1"})),
            [404, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "clients_list",
        probe(
            "GET",
            "/api/v1/clients".into(),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "clients_create",
        probe(
            "POST",
            "/api/v1/clients".into(),
            Some(json!({"name": "x", "scopes": []})),
            [422, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "clients_disable",
        probe(
            "POST",
            format!("/api/v1/clients/{none}/disable"),
            None,
            [404, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "clients_rotate",
        probe(
            "POST",
            format!("/api/v1/clients/{none}/rotate"),
            None,
            [404, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "bodies_list",
        probe(
            "GET",
            "/api/v1/bodies".into(),
            None,
            [200, 200, 200, 200, 403, 200, 403, 401],
        ),
    );
    m.insert("bodies_create", probe("POST", "/api/v1/bodies".into(), Some(json!({"approval_no": "", "name": "x", "category": "service", "province": "北京", "approved_on": "2010-03-01"})), [422, 422, 403, 403, 403, 403, 403, 401]));
    m.insert(
        "bodies_get",
        probe(
            "GET",
            format!("/api/v1/bodies/{own}"),
            None,
            [200, 200, 200, 404, 403, 200, 403, 401],
        ),
    );
    m.insert(
        "bodies_update",
        probe(
            "PATCH",
            format!("/api/v1/bodies/{own}"),
            Some(json!({"name": ""})),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "incidents_list_of_body",
        probe(
            "GET",
            format!("/api/v1/bodies/{own}/incidents"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert("incidents_self_report", probe("POST", format!("/api/v1/bodies/{own}/incidents"), Some(json!({"kind": "negative_opinion", "severity": "general", "occurred_at": "2025-03-01T08:00:00+08:00", "description": ""})), [422, 403, 422, 404, 403, 403, 403, 401]));
    m.insert(
        "evaluations_body_history",
        probe(
            "GET",
            format!("/api/v1/bodies/{own}/results"),
            None,
            [200, 200, 200, 404, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_current",
        probe(
            "GET",
            format!("/api/v1/bodies/{own}/submissions/2025"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_save",
        probe(
            "PUT",
            format!("/api/v1/bodies/{own}/submissions/2025"),
            Some(json!({"payload": {}})),
            [428, 403, 428, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_submit",
        probe(
            "POST",
            format!("/api/v1/bodies/{own}/submissions/2025/submit"),
            None,
            [409, 403, 409, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_accept",
        probe(
            "POST",
            format!("/api/v1/bodies/{own}/submissions/2024/accept"),
            None,
            [404, 404, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_return",
        probe(
            "POST",
            format!("/api/v1/bodies/{own}/submissions/2024/return"),
            Some(json!({"comment": "请补充"})),
            [404, 404, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_revisions",
        probe(
            "GET",
            format!("/api/v1/bodies/{own}/submissions/2025/revisions"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_revision",
        probe(
            "GET",
            format!("/api/v1/bodies/{own}/submissions/2025/revisions/1"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_list",
        probe(
            "GET",
            "/api/v1/submissions?year=2025".into(),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "cycles_list",
        probe(
            "GET",
            "/api/v1/cycles".into(),
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
    );
    m.insert("cycles_create", probe("POST", "/api/v1/cycles".into(), Some(json!({"year": 2025, "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2026-03-31T00:00:00Z"})), [409, 409, 403, 403, 403, 403, 403, 401]));
    m.insert(
        "cycles_get",
        probe(
            "GET",
            "/api/v1/cycles/2025".into(),
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "cycles_update",
        probe(
            "PATCH",
            "/api/v1/cycles/2025".into(),
            Some(json!({"opens_at": "2026-03-31T00:00:00Z", "closes_at": "2026-01-01T00:00:00Z"})),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "flags_list",
        probe(
            "GET",
            "/api/v1/cycles/2025/flags".into(),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "flags_recompute",
        probe(
            "POST",
            "/api/v1/cycles/1999/flags/recompute".into(),
            None,
            [404, 404, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "flags_clear",
        probe(
            "POST",
            format!("/api/v1/flags/{none}/clear"),
            Some(json!({"note": ""})),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "flags_request_evidence",
        probe(
            "POST",
            format!("/api/v1/flags/{none}/request_evidence"),
            Some(json!({"comment": ""})),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "cycles_list_exceptions",
        probe(
            "GET",
            "/api/v1/cycles/2025/exceptions".into(),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "cycles_grant_exception",
        probe(
            "POST",
            "/api/v1/cycles/2025/exceptions".into(),
            Some(json!({"body_id": own, "closes_at": "2020-01-01T00:00:00Z", "reason": ""})),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "schemes_list",
        probe(
            "GET",
            "/api/v1/schemes".into(),
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "schemes_get",
        probe(
            "GET",
            format!("/api/v1/schemes/{s}"),
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "schemes_create",
        probe(
            "POST",
            "/api/v1/schemes".into(),
            Some(json!({"definition": {}})),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "schemes_activate",
        probe(
            "POST",
            format!("/api/v1/schemes/{s}/activate"),
            None,
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    // An analysis of a year without a final evaluation: refused before anything is recorded.
    m.insert(
        "schemes_impact",
        probe(
            "POST",
            format!("/api/v1/schemes/{s}/impact"),
            Some(json!({"year": 2024})),
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "schemes_impact_xlsx",
        probe(
            "GET",
            format!("/api/v1/schemes/{s}/impact.xlsx?year=2025"),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "schemes_impact_pdf",
        probe(
            "GET",
            format!("/api/v1/schemes/{s}/impact.pdf?year=2025"),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "incidents_list",
        probe(
            "GET",
            "/api/v1/incidents".into(),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert("incidents_record", probe("POST", "/api/v1/incidents".into(), Some(json!({"body_id": own, "kind": "", "severity": "general", "occurred_at": "2025-03-01T08:00:00+08:00", "description": ""})), [422, 422, 403, 403, 403, 403, 403, 401]));
    m.insert(
        "incidents_get",
        probe(
            "GET",
            format!("/api/v1/incidents/{i}"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "incidents_correct",
        probe(
            "POST",
            format!("/api/v1/incidents/{i}/correct"),
            reason.clone(),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "incidents_void",
        probe(
            "POST",
            format!("/api/v1/incidents/{i}/void"),
            reason.clone(),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_list",
        probe(
            "GET",
            "/api/v1/evaluations".into(),
            None,
            [200, 200, 200, 200, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_run",
        probe(
            "POST",
            "/api/v1/evaluations".into(),
            Some(json!({"year": 2025})),
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_get",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}"),
            None,
            [200, 200, 200, 200, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_results",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/results"),
            None,
            [200, 200, 200, 200, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_result",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/results/{own}"),
            None,
            [200, 200, 200, 404, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_publish",
        probe(
            "POST",
            format!("/api/v1/evaluations/{e}/publish"),
            None,
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_finalize",
        probe(
            "POST",
            format!("/api/v1/evaluations/{e}/finalize"),
            None,
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "evaluations_supersede",
        probe(
            "POST",
            format!("/api/v1/evaluations/{e}/supersede"),
            reason.clone(),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "objections_file",
        probe(
            "POST",
            format!("/api/v1/evaluations/{e}/objections"),
            Some(json!({"text": "异议", "body_id": own})),
            [409, 403, 409, 409, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "objections_list",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/objections"),
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "objections_answer",
        probe(
            "POST",
            format!("/api/v1/objections/{o}/answer"),
            Some(json!({"decision": "rejected", "answer": "理由"})),
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "reports_ranking",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/ranking?format=csv"),
            None,
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "reports_chart_svg",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/charts/grade_distribution.svg"),
            None,
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "reports_chart_png",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/charts/grade_distribution.png?body={other}"),
            None,
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "reports_annual_html",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/report.html"),
            None,
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "reports_annual_pdf",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/report.pdf"),
            None,
            [200, 200, 403, 403, 200, 403, 403, 401],
        ),
    );
    m.insert(
        "letters_html",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/results/{own}/letter.html"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "letters_pdf",
        probe(
            "GET",
            format!("/api/v1/evaluations/{e}/results/{own}/letter.pdf"),
            None,
            [200, 200, 200, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_list",
        probe(
            "GET",
            "/api/v1/warnings".into(),
            None,
            [200, 200, 200, 200, 403, 403, 200, 401],
        ),
    );
    m.insert(
        "warnings_get",
        probe(
            "GET",
            format!("/api/v1/warnings/{wn}"),
            None,
            [200, 200, 200, 404, 403, 403, 200, 401],
        ),
    );
    m.insert(
        "warnings_issue",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/issue"),
            None,
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_withdraw",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/withdraw"),
            reason.clone(),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_acknowledge",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/acknowledge"),
            None,
            [409, 403, 409, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_rectification",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/rectification"),
            Some(json!({"report": ""})),
            [422, 403, 422, 404, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_send_back",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/send_back"),
            Some(json!({"comment": "请补充"})),
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_close",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/close"),
            None,
            [409, 409, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "warnings_escalate",
        probe(
            "POST",
            format!("/api/v1/warnings/{wn}/escalate"),
            reason.clone(),
            [422, 422, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "notices_html",
        probe(
            "GET",
            format!("/api/v1/warnings/{wn}/notice.html"),
            None,
            [200, 200, 200, 404, 404, 404, 200, 401],
        ),
    );
    m.insert(
        "notices_pdf",
        probe(
            "GET",
            format!("/api/v1/warnings/{wn}/notice.pdf"),
            None,
            [200, 200, 200, 404, 404, 404, 200, 401],
        ),
    );
    // The workbook and the imports: a JSON body is no workbook or table (415) for whoever
    // passes the route's policy; the content type is read before the body's ownership.
    m.insert(
        "cycles_template",
        probe(
            "GET",
            "/api/v1/cycles/2025/template.xlsx".into(),
            None,
            [200, 200, 200, 200, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "submissions_upload_xlsx",
        probe(
            "POST",
            format!("/api/v1/bodies/{own}/submissions/2025/xlsx"),
            Some(json!({})),
            [415, 403, 415, 415, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "imports_reports",
        probe(
            "POST",
            "/api/v1/cycles/2025/import?dry_run=true".into(),
            Some(json!({})),
            [415, 415, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "imports_incidents",
        probe(
            "POST",
            "/api/v1/cycles/2025/import/incidents?dry_run=true".into(),
            Some(json!({})),
            [415, 415, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "audit_list",
        probe(
            "GET",
            "/api/v1/audit".into(),
            None,
            [200, 200, 403, 403, 403, 403, 403, 401],
        ),
    );
    m.insert(
        "audit_verify",
        probe(
            "GET",
            "/api/v1/audit/verify".into(),
            None,
            [200, 403, 403, 403, 403, 403, 403, 401],
        ),
    );
    // Last: it revokes the caller's own tokens.
    m.insert(
        "auth_revoke",
        probe(
            "POST",
            "/api/v1/auth/revoke".into(),
            None,
            [204, 204, 204, 204, 204, 204, 204, 401],
        ),
    );
    m
}

/// Every (operationId, method, path template, documented statuses) of the served document.
fn operations() -> Vec<(String, String, String, Vec<u16>)> {
    let doc: Value = serde_json::from_str(&pubeval::openapi::document_json()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let statuses = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|s| s.parse().unwrap())
                .collect();
            ops.push((
                op["operationId"].as_str().unwrap().to_string(),
                method.to_uppercase(),
                path.clone(),
                statuses,
            ));
        }
    }
    ops
}

on_both_backends_with_fonts!(
    every_caller_gets_exactly_its_rights_on_every_route,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        // A strong body and a weak one that a risk warning names.
        let evaluated = app
            .evaluated_2025(&analyst, &[("service", 150, true), ("service", 0, false)])
            .await;
        let e = evaluated.id.clone();
        let (other, other_user) = evaluated.bodies[0].clone();
        let (own, own_user) = evaluated.bodies[1].clone();
        let ok = |r: &Reply, what: &str| {
            assert!(r.status.is_success(), "{what}: {} {}", r.status, r.body)
        };

        // An incident of the own body.
        let incident = app
        .post("/api/v1/incidents", Some(&analyst), json!({"body_id": own, "kind": "negative_opinion", "severity": "general", "occurred_at": "2025-03-01T08:00:00+08:00", "description": "夸大宣传", "evidence": "截图"}))
        .await;
        ok(&incident, "record an incident");
        // Public notice, an objection answered, final.
        ok(
            &app.post(
                &format!("/api/v1/evaluations/{e}/publish"),
                Some(&analyst),
                json!({}),
            )
            .await,
            "publish",
        );
        let objection = app
            .post(
                &format!("/api/v1/evaluations/{e}/objections"),
                Some(&own_user),
                json!({"text": "对得分有异议"}),
            )
            .await;
        ok(&objection, "file an objection");
        let objection = objection.body["id"].as_str().unwrap().to_string();
        ok(
            &app.post(
                &format!("/api/v1/objections/{objection}/answer"),
                Some(&analyst),
                json!({"decision": "rejected", "answer": "经复核，得分无误"}),
            )
            .await,
            "answer",
        );
        ok(
            &app.post(
                &format!("/api/v1/evaluations/{e}/finalize"),
                Some(&analyst),
                json!({}),
            )
            .await,
            "finalize",
        );
        // The own body's warning, issued and acknowledged.
        let warnings = app
            .get(&format!("/api/v1/warnings?body_id={own}"), Some(&analyst))
            .await;
        ok(&warnings, "list warnings");
        let warning = warnings.body["items"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("the weak body is warned: {}", warnings.body))
            .to_string();
        ok(
            &app.post(
                &format!("/api/v1/warnings/{warning}/issue"),
                Some(&analyst),
                json!({"confirmation": "经复核确认"}),
            )
            .await,
            "issue",
        );
        ok(
            &app.post(
                &format!("/api/v1/warnings/{warning}/acknowledge"),
                Some(&own_user),
                json!({}),
            )
            .await,
            "acknowledge",
        );
        let schemes = app.get("/api/v1/schemes", Some(&analyst)).await;
        let world = World {
            own: own.clone(),
            other,
            evaluation: e,
            warning,
            objection,
            incident: incident.body["id"].as_str().unwrap().to_string(),
            scheme: schemes.body["items"][0]["id"].as_str().unwrap().to_string(),
        };

        let admin = app.admin().await;
        let client_results = app.client(&["results:read"]).await;
        let client_bodies = app.client(&["bodies:read"]).await;
        let client_warnings = app.client(&["warnings:read"]).await;
        let tokens: [Option<&str>; 8] = [
            Some(&admin),
            Some(&analyst),
            Some(&own_user),
            Some(&other_user),
            Some(&client_results),
            Some(&client_bodies),
            Some(&client_warnings),
            None,
        ];

        let mut table = probes(&world);
        let mut failures = Vec::new();
        let mut operations = operations();
        // Revoking comes last: it ends the callers' tokens.
        operations.sort_by_key(|(id, ..)| id == "auth_revoke");
        for (id, method, template, documented) in operations {
            let Some(p) = table.remove(id.as_str()) else {
                failures.push(format!(
                    "{id} ({method} {template}) has no entry in the matrix"
                ));
                continue;
            };
            assert_eq!(p.method, method, "{id}: the entry's method");
            for (caller, (token, expected)) in CALLERS.iter().zip(tokens.iter().zip(p.expect)) {
                let mut req = match p.method {
                    "GET" => TestRequest::get(),
                    "POST" => TestRequest::post(),
                    "PUT" => TestRequest::put(),
                    "PATCH" => TestRequest::patch(),
                    other => panic!("{other}"),
                }
                .uri(&p.path);
                if let Some(body) = &p.body {
                    req = req.set_json(body);
                }
                if let Some(t) = token {
                    req = req.insert_header(("Authorization", format!("Bearer {t}")));
                }
                let r = app.send(req).await;
                let got = r.status.as_u16();
                if got != expected {
                    failures.push(format!(
                        "{id} {} {} as {caller}: expected {expected}, got {got}: {}",
                        p.method, p.path, r.body
                    ));
                } else if !documented.contains(&got) {
                    failures.push(format!(
                        "{id} answers {got} as {caller}, which its document does not list"
                    ));
                }
            }
        }
        for id in table.keys() {
            failures.push(format!(
                "the matrix names {id}, which the API does not serve"
            ));
        }
        assert!(
            failures.is_empty(),
            "{} failure(s):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
);
