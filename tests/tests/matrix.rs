//! The role × route matrix of DESIGN.md §4: for each route, who is let in, who is refused
//! (403) and who must log in first (401).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::*;
use serde_json::json;

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Admin,
    Analyst,
    BodyUser,
    BodiesClient,
    ResultsClient,
}

const ALL: [Who; 6] = [
    Who::Anonymous,
    Who::Admin,
    Who::Analyst,
    Who::BodyUser,
    Who::BodiesClient,
    Who::ResultsClient,
];

on_both_backends!(every_role_gets_exactly_its_rights, |backend| async move {
    let app = spawn(backend).await;
    let own = app.body("CNCA-R-2012-001", "service").await;
    let tokens = [
        (Who::Admin, app.admin().await),
        (Who::Analyst, app.analyst().await),
        (Who::BodyUser, app.user("body1", "body", Some(&own)).await),
        (Who::BodiesClient, app.client(&["bodies:read"]).await),
        (Who::ResultsClient, app.client(&["results:read"]).await),
    ];
    let token_of = |who: Who| {
        tokens
            .iter()
            .find(|(w, _)| std::mem::discriminant(w) == std::mem::discriminant(&who))
            .map(|(_, t)| t.clone())
    };

    // (method, path, body, who may call it)
    let routes: Vec<(&str, String, serde_json::Value, Vec<&str>)> = vec![
        ("GET", "/api/v1/users".into(), json!(null), vec!["Admin"]),
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": "x-user", "password": "x-password-1", "role": "analyst"}),
            vec!["Admin"],
        ),
        ("GET", "/api/v1/clients".into(), json!(null), vec!["Admin"]),
        (
            "POST",
            "/api/v1/clients".into(),
            json!({"name": "n", "scopes": ["bodies:read"]}),
            vec!["Admin"],
        ),
        (
            "GET",
            "/api/v1/bodies".into(),
            json!(null),
            vec!["Admin", "Analyst", "BodyUser", "BodiesClient"],
        ),
        (
            "GET",
            format!("/api/v1/bodies/{own}"),
            json!(null),
            vec!["Admin", "Analyst", "BodyUser", "BodiesClient"],
        ),
        (
            "PATCH",
            format!("/api/v1/bodies/{own}"),
            json!({"province": "上海"}),
            vec!["Admin", "Analyst"],
        ),
        (
            "GET",
            "/api/v1/audit".into(),
            json!(null),
            vec!["Admin", "Analyst"],
        ),
        (
            "GET",
            "/api/v1/audit/verify".into(),
            json!(null),
            vec!["Admin"],
        ),
    ];
    for (method, path, body, allowed) in &routes {
        for who in ALL {
            let mut req = match *method {
                "GET" => TestRequest::get(),
                "POST" => TestRequest::post().set_json(body),
                "PATCH" => TestRequest::patch().set_json(body),
                "PUT" => TestRequest::put().set_json(body),
                _ => unreachable!(),
            }
            .uri(path);
            if let Some(t) = token_of(who) {
                req = req.insert_header(("Authorization", format!("Bearer {t}")));
            }
            let r = app.send(req).await;
            let name = format!("{who:?}");
            if matches!(who, Who::Anonymous) {
                assert_eq!(
                    r.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} as {name}: {}",
                    r.body
                );
            } else if allowed.contains(&name.as_str()) {
                // Let in: whatever the outcome (a conflict, a validation error), not refused.
                assert!(
                    r.status != StatusCode::UNAUTHORIZED
                        && r.status != StatusCode::FORBIDDEN
                        && r.status != StatusCode::NOT_FOUND,
                    "{method} {path} as {name} should be allowed, got {}: {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} as {name}: {}",
                    r.body
                );
            }
        }
    }
    // Revoking needs a token, any token.
    assert_eq!(
        app.post("/api/v1/auth/revoke", None, json!({}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
});
