//! What a browser and the caches between are told: no sniffing and no referrer on every answer,
//! nothing a credential opened kept in a cache, a content security policy on every HTML and SVG
//! document and console page; a refused token says what is wrong in our words, not the JWT
//! library's; the console, under `no-referrer`, still tells its own forms from forged ones.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use jsonwebtoken::{Algorithm, Header};
use pubeval_tests::console::*;
use pubeval_tests::*;
use serde_json::json;

/// The policy of the API's documents.
const DOCUMENT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/// The headers every answer carries.
fn assert_everywhere(r: &Reply, what: &str) {
    assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(r.header("referrer-policy"), "no-referrer", "{what}");
}

on_both_backends!(
    every_answer_says_nosniff_no_referrer_and_no_store_when_authenticated,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;

        let json = app.get("/api/v1/bodies", Some(&admin)).await;
        assert_eq!(json.status, StatusCode::OK);
        assert_everywhere(&json, "an authenticated JSON answer");
        assert_eq!(json.header("cache-control"), "no-store");
        assert!(json.header("content-security-policy").is_empty());

        // Errors too: a refused token, an unknown route, a body too large for actix.
        let refused = app.get("/api/v1/bodies", Some("not-a-token")).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_everywhere(&refused, "a 401");
        assert_eq!(refused.header("cache-control"), "no-store");
        let unknown = app.get("/api/v1/nothing-here", None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_everywhere(&unknown, "a 404");

        let health = app.get("/healthz", None).await;
        assert_everywhere(&health, "/healthz");

        // The interactive documentation runs its own scripts, and nobody else's.
        let docs = app.send(TestRequest::get().uri("/docs/")).await;
        assert_eq!(docs.status, StatusCode::OK);
        assert_everywhere(&docs, "/docs/");
        let csp = docs.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
    }
);

on_both_backends!(
    html_and_svg_documents_carry_the_document_policy,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(&analyst, &[("product", 50, true), ("service", 10, false)])
            .await;
        let id = &evaluated.id;
        for (path, media_type) in [
            (
                format!("/api/v1/evaluations/{id}/ranking?format=html"),
                "text/html",
            ),
            (format!("/api/v1/evaluations/{id}/report.html"), "text/html"),
            (
                format!("/api/v1/evaluations/{id}/charts/score_histogram.svg"),
                "image/svg+xml",
            ),
        ] {
            let r = app.get(&path, Some(&analyst)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            assert!(r.header("content-type").starts_with(media_type), "{path}");
            assert_eq!(r.header("content-security-policy"), DOCUMENT_CSP, "{path}");
            assert_eq!(r.header("cache-control"), "no-store", "{path}");
            assert_everywhere(&r, &path);
        }
    }
);

on_both_backends!(console_pages_carry_their_policy, |backend| async move {
    let app = spawn(backend).await;
    let login = app.send(TestRequest::get().uri("/console/login")).await;
    assert_everywhere(&login, "the login page");
    let staff = console_login(&app, ADMIN.0, ADMIN.1).await;
    for path in [
        "/console/",
        "/console/static/console.css",
        "/console/no-such-page",
    ] {
        let r = app.send(staff.get(path)).await;
        assert_everywhere(&r, path);
        if path.ends_with(".css") {
            continue;
        }
        let csp = r.header("content-security-policy");
        for part in [
            "default-src 'none'",
            "style-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
    }
});

on_both_backends!(a_refused_token_is_told_in_our_words, |backend| async move {
    let app = spawn(backend).await;
    let admin = app.admin().await;
    let users = app.get("/api/v1/users", Some(&admin)).await;
    let id = users.body["items"][0]["id"].as_str().unwrap().to_string();
    let t = jsonwebtoken::get_current_timestamp();
    let claims = |exp: u64, nbf: u64| {
        json!({"iss": "pubeval", "aud": "pubeval-api", "sub": id, "exp": exp, "nbf": nbf,
                   "iat": nbf, "kind": "user", "role": "admin", "ver": 1})
    };
    let header = Header::new(Algorithm::HS256);
    let other_key = pubeval::auth::token::TokenKeys::new(
        b"another-secret-that-is-32-bytes-long!!",
        "pubeval",
        "pubeval-api",
        600,
    )
    .unwrap();
    let forged = other_key.sign_raw(&header, &claims(t + 600, t)).unwrap();
    let expired = app
        .keys
        .sign_raw(&header, &claims(t - 120, t - 600))
        .unwrap();
    for (token, said) in [
        (forged.as_str(), "令牌无效"),
        ("garbage", "令牌无效"),
        (expired.as_str(), "令牌已过期"),
    ] {
        let r = app.get("/api/v1/bodies", Some(token)).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(said), "{message}");
        for leak in [
            "InvalidSignature",
            "ExpiredSignature",
            "InvalidToken",
            "Base64",
        ] {
            assert!(!message.contains(leak), "{message}");
        }
    }
});

/// A login form POST with these provenance headers.
fn login_from(headers: &[(&'static str, &'static str)]) -> TestRequest {
    let mut req = TestRequest::post()
        .uri("/console/login")
        .insert_header(("Host", HOST))
        .set_form([("username", ADMIN.0), ("password", ADMIN.1)]);
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    req
}

on_both_backends!(
    the_console_tells_its_own_forms_from_forged_ones_under_no_referrer,
    |backend| async move {
        let app = spawn(backend).await;
        // Forged: another site's origin, whatever else it claims; `null` from another site;
        // nothing at all.
        for headers in [
            vec![("Origin", "http://evil.example")],
            vec![
                ("Origin", "http://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
            vec![("Origin", "null")],
            vec![("Origin", "null"), ("Sec-Fetch-Site", "cross-site")],
            vec![("Origin", "null"), ("Sec-Fetch-Site", "same-site")],
            vec![("Sec-Fetch-Site", "none")],
            vec![],
        ] {
            let r = app.send(login_from(&headers)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
            assert!(text(&r).contains("请求被拒绝"), "{headers:?}");
        }
        // This site's own forms: its origin, or (Chromium under no-referrer) `null` or no
        // origin with the browser's `Sec-Fetch-Site: same-origin`.
        for headers in [
            vec![("Origin", ORIGIN)],
            vec![("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
            vec![("Sec-Fetch-Site", "same-origin")],
        ] {
            let r = app.send(login_from(&headers)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{headers:?}: {}", text(&r));
        }
        // A logged-in form the same way: logging out with `Origin: null`.
        let staff = console_login(&app, ADMIN.0, ADMIN.1).await;
        let forged = app
            .send(
                staff
                    .post("/console/logout", "null", &[])
                    .insert_header(("Sec-Fetch-Site", "cross-site")),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let own = app
            .send(
                staff
                    .post("/console/logout", "null", &[])
                    .insert_header(("Sec-Fetch-Site", "same-origin")),
            )
            .await;
        assert_eq!(own.status, StatusCode::SEE_OTHER, "{}", text(&own));
    }
);

on_both_backends!(the_font_503_names_no_server_path, |backend| async move {
    let empty = std::env::temp_dir().join(format!("pubeval-no-fonts-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&empty).unwrap();
    let dir = empty.clone();
    let app = spawn_with(backend, move |config| {
        config.font_path = Some(dir);
        config.system_fonts = false;
    })
    .await;
    let analyst = app.analyst().await;
    let evaluated = app.evaluated_2025(&analyst, &[("product", 50, true)]).await;
    let id = &evaluated.id;
    let r = app
        .get(
            &format!("/api/v1/evaluations/{id}/charts/score_histogram.png"),
            Some(&analyst),
        )
        .await;
    assert_error(&r, StatusCode::SERVICE_UNAVAILABLE, "font_unavailable");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("apt-get install fonts-noto-cjk"),
        "{message}"
    );
    assert!(message.contains("未安装中文字体"), "{message}");
    let path = empty.display().to_string();
    assert!(
        !message.contains(&path) && !message.contains("/tmp"),
        "{message}"
    );
    std::fs::remove_dir_all(&empty).unwrap();
});
