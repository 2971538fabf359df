//! Logging in, and every way a token can fail (→ 401).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use jsonwebtoken::{Algorithm, Header};
use pubeval_tests::*;
use serde_json::json;

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

on_both_backends!(
    a_password_login_gives_a_working_bearer_token,
    |backend| async move {
        let app = spawn(backend).await;
        let r = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "password", "username": ADMIN.0, "password": ADMIN.1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["token_type"], "Bearer");
        assert!(r.body["expires_in"].as_u64().unwrap() > 0);
        let token = r.body["access_token"].as_str().unwrap();
        assert_eq!(
            app.get("/api/v1/users", Some(token)).await.status,
            StatusCode::OK
        );
    }
);

on_both_backends!(wrong_or_unknown_credentials_are_401, |backend| async move {
    let app = spawn(backend).await;
    for body in [
        json!({"grant_type": "password", "username": ADMIN.0, "password": "wrong-password"}),
        json!({"grant_type": "password", "username": "nobody", "password": "whatever-it-is"}),
        json!({"grant_type": "client_credentials", "client_id": "nope", "client_secret": "nope"}),
    ] {
        assert_error(
            &app.post("/api/v1/auth/token", None, body).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
    }
});

on_both_backends!(
    a_client_gets_a_token_with_its_scopes,
    |backend| async move {
        let app = spawn(backend).await;
        let token = app.client(&["bodies:read"]).await;
        assert_eq!(
            app.get("/api/v1/bodies", Some(&token)).await.status,
            StatusCode::OK
        );
        assert_error(
            &app.get("/api/v1/users", Some(&token)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let other = app.client(&["results:read"]).await;
        assert_error(
            &app.get("/api/v1/bodies", Some(&other)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }
);

on_both_backends!(
    repeated_failures_get_429_with_retry_after,
    |backend| async move {
        let app = spawn(backend).await;
        let wrong =
            json!({"grant_type": "password", "username": ADMIN.0, "password": "wrong-password"});
        for _ in 0..5 {
            assert_eq!(
                app.post("/api/v1/auth/token", None, wrong.clone())
                    .await
                    .status,
                StatusCode::UNAUTHORIZED
            );
        }
        let r = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "password", "username": ADMIN.0, "password": ADMIN.1}),
            )
            .await;
        assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        let retry: u64 = r
            .headers
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 15 * 60);
    }
);

/// Claims like the server's, signed with the server's key unless stated otherwise.
fn claims(sub: &str, exp: u64, nbf: u64, aud: &str) -> serde_json::Value {
    json!({"iss": "pubeval", "aud": aud, "sub": sub, "exp": exp, "nbf": nbf, "iat": nbf, "kind": "user", "role": "admin", "ver": 1})
}

async fn admin_id<S, B>(app: &TestApp<S>) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let token = app.admin().await;
    let users = app.get("/api/v1/users", Some(&token)).await;
    users.body["items"][0]["id"].as_str().unwrap().to_string()
}

on_both_backends!(every_token_failure_is_401, |backend| async move {
    let app = spawn(backend).await;
    let id = admin_id(&app).await;
    let header = Header::new(Algorithm::HS256);
    let sign = |c: serde_json::Value| app.keys.sign_raw(&header, &c).unwrap();
    let t = now();
    let valid = sign(claims(&id, t + 600, t, "pubeval-api"));
    assert_eq!(
        app.get("/api/v1/users", Some(&valid)).await.status,
        StatusCode::OK,
        "the forged-but-correct token works"
    );

    let expired = sign(claims(&id, t - 120, t - 600, "pubeval-api"));
    let not_yet = sign(claims(&id, t + 1200, t + 600, "pubeval-api"));
    let wrong_audience = sign(claims(&id, t + 600, t, "someone-else"));
    let other_key = pubeval::auth::token::TokenKeys::new(
        b"another-secret-that-is-32-bytes-long!!",
        "pubeval",
        "pubeval-api",
        600,
    )
    .unwrap();
    let wrong_signature = other_key
        .sign_raw(&header, &claims(&id, t + 600, t, "pubeval-api"))
        .unwrap();
    // alg "none": a header and claims with no signature.
    let none = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(
                claims(&id, t + 600, t, "pubeval-api")
                    .to_string()
                    .as_bytes()
            )
        )
    };
    let hs512 = app
        .keys
        .sign_raw(
            &Header::new(Algorithm::HS512),
            &claims(&id, t + 600, t, "pubeval-api"),
        )
        .unwrap();
    for (what, token) in [
        ("expired", expired),
        ("not yet valid", not_yet),
        ("wrong audience", wrong_audience),
        ("wrong signature", wrong_signature),
        ("alg none", none),
        ("another algorithm", hs512),
        ("garbage", "not-a-token".to_string()),
    ] {
        let r = app.get("/api/v1/users", Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.body);
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_error(
        &app.get("/api/v1/users", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
});

on_both_backends!(
    revoking_ends_every_token_already_issued,
    |backend| async move {
        let app = spawn(backend).await;
        let first = app.admin().await;
        let second = app.admin().await;
        assert_eq!(
            app.post("/api/v1/auth/revoke", Some(&first), json!({}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        for token in [&first, &second] {
            assert_error(
                &app.get("/api/v1/users", Some(token)).await,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            );
        }
        let fresh = app.admin().await;
        assert_eq!(
            app.get("/api/v1/users", Some(&fresh)).await.status,
            StatusCode::OK
        );
    }
);

on_both_backends!(
    disabling_a_user_or_changing_the_password_ends_their_tokens,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let admin = app.admin().await;
        let users = app.get("/api/v1/users", Some(&admin)).await;
        let analyst_id = users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "analyst1")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app
            .post(
                &format!("/api/v1/users/{analyst_id}/password"),
                Some(&admin),
                json!({"password": "a-brand-new-password"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_error(
            &app.get("/api/v1/bodies", Some(&analyst)).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        let again = app.login("analyst1", "a-brand-new-password").await;
        // Checked just now, so kept as a caller for up to a second (domain::principal_cache):
        // disabling must end the token at once all the same.
        assert_eq!(
            app.get("/api/v1/bodies", Some(&again)).await.status,
            StatusCode::OK
        );
        let r = app
            .post(
                &format!("/api/v1/users/{analyst_id}/disable"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["disabled"], true);
        assert_error(
            &app.get("/api/v1/bodies", Some(&again)).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        let login = app
        .post("/api/v1/auth/token", None, json!({"grant_type": "password", "username": "analyst1", "password": "a-brand-new-password"}))
        .await;
        assert_error(&login, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);

on_both_backends!(
    a_missing_or_unknown_grant_type_is_named,
    |backend| async move {
        let app = spawn(backend).await;
        for body in [
            json!({"username": "a", "password": "b"}),
            json!({"grant_type": "implicit"}),
        ] {
            let r = app.post("/api/v1/auth/token", None, body).await;
            assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(
                r.body["error"]["details"][0]["field"], "grant_type",
                "{}",
                r.body
            );
        }
        let r = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"grant_type": "password", "username": "a"}),
            )
            .await;
        assert_eq!(
            r.body["error"]["details"][0]["field"], "password",
            "{}",
            r.body
        );
    }
);
