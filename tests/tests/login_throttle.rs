//! The login throttle under attack (issue 11, findings 1 and 2): concurrent guesses, a busy
//! address behind a NAT, a name guessed from another address, `X-Forwarded-For` behind a
//! trusted proxy and from anyone else, and client secrets checked by keyed hash.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;
use std::rc::Rc;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval::db::models::client::ApiClient;
use pubeval_tests::*;
use serde_json::{Value, json};

fn password(username: &str, password: &str) -> Value {
    json!({"grant_type": "password", "username": username, "password": password})
}

/// A token request from `peer`, with `X-Forwarded-For` lines if given.
fn token_request(peer: &str, forwarded: &[&str], body: Value) -> TestRequest {
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    let mut req = TestRequest::post()
        .uri("/api/v1/auth/token")
        .peer_addr(peer)
        .set_json(body);
    for line in forwarded {
        req = req.append_header(("X-Forwarded-For", *line));
    }
    req
}

on_both_backends!(
    fifty_concurrent_wrong_passwords_get_five_answers_and_the_rest_429,
    |backend| async move {
        let app = Rc::new(spawn(backend).await);
        // Fifty at once, as fifty connections would send them: each on its own task, so that
        // they wait for the database and the password check side by side.
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let app = app.clone();
                actix_web::rt::spawn(async move {
                    let req = token_request("198.51.100.10", &[], password(ADMIN.0, "wrong-guess"));
                    app.send(req).await.status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (5, 45), "{statuses:?}");
    }
);

on_both_backends!(
    twelve_concurrent_correct_logins_of_one_name_from_one_address_all_succeed,
    |backend| async move {
        let app = Rc::new(spawn(backend).await);
        // A body's staff behind one office address, all logging in as the deadline nears: the
        // attempts beyond the free slots wait for those under way, they are not refused.
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let app = app.clone();
                actix_web::rt::spawn(async move {
                    let req = token_request("198.51.100.11", &[], password(ADMIN.0, ADMIN.1));
                    app.send(req).await.status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        assert!(
            statuses.iter().all(|s| *s == StatusCode::OK),
            "{statuses:?}"
        );
    }
);

on_both_backends!(
    twenty_failures_from_an_address_refuse_no_other_users_correct_password,
    |backend| async move {
        let app = spawn(backend).await;
        let nat = "203.0.113.20";
        for i in 0..20 {
            let r = app
                .send(token_request(
                    nat,
                    &[],
                    password(&format!("guess{i}"), "wrong-guess"),
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
        }
        // The admin, behind the same NAT and without a failure there, gets in.
        let r = app
            .send(token_request(nat, &[], password(ADMIN.0, ADMIN.1)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A name that fails once from the busy address waits before its next try.
        let r = app
            .send(token_request(nat, &[], password("guess0", "again")))
            .await;
        assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    }
);

on_both_backends!(
    a_body_guessing_an_analysts_name_locks_only_its_own_address,
    |backend| async move {
        let app = spawn(backend).await;
        app.analyst().await;
        let body_office = "203.0.113.30";
        let statuses: Vec<StatusCode> = {
            let mut out = Vec::new();
            for _ in 0..8 {
                let req = token_request(body_office, &[], password("analyst1", "a-guess"));
                out.push(app.send(req).await.status);
            }
            out
        };
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::UNAUTHORIZED)
                .count(),
            5
        );
        assert_eq!(statuses[7], StatusCode::TOO_MANY_REQUESTS);
        // From the regulator's office the analyst logs in as usual.
        let r = app
            .send(token_request(
                "198.51.100.40",
                &[],
                password("analyst1", "analyst1-password"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // From the body's address the name waits, correct password or not.
        let r = app
            .send(token_request(
                body_office,
                &[],
                password("analyst1", "analyst1-password"),
            ))
            .await;
        assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        let wait: u64 = r.header("retry-after").parse().unwrap();
        assert!((1..=15).contains(&wait), "the first wait is short: {wait}");
    }
);

on_both_backends!(
    x_forwarded_for_counts_only_behind_a_trusted_proxy_read_from_the_right,
    |backend| async move {
        let app = spawn_with(backend, |c| {
            c.trusted_proxies =
                pubeval::auth::proxies::TrustedProxies::parse("10.0.0.0/8").unwrap();
        })
        .await;
        let proxy = "10.0.0.1";
        let attacker = "203.0.113.50";
        for i in 0..5 {
            // The attacker writes an address of its own choosing first; the proxy appends the
            // one it saw, which is what counts.
            let fake = format!("198.51.100.{i}");
            let line = format!("{fake}, {attacker}");
            let r = app
                .send(token_request(
                    proxy,
                    &[&line],
                    password(ADMIN.0, "wrong-guess"),
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = app
            .send(token_request(
                proxy,
                &[attacker],
                password(ADMIN.0, ADMIN.1),
            ))
            .await;
        assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        // Another caller behind the same proxy is not the attacker.
        let r = app
            .send(token_request(
                proxy,
                &["198.51.100.60", "10.0.0.2"],
                password(ADMIN.0, ADMIN.1),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
);

on_both_backends!(
    x_forwarded_for_from_an_untrusted_peer_is_ignored,
    |backend| async move {
        let app = spawn(backend).await;
        let peer = "203.0.113.60";
        for i in 0..5 {
            let fake = format!("198.51.100.{i}");
            let r = app
                .send(token_request(
                    peer,
                    &[&fake],
                    password(ADMIN.0, "wrong-guess"),
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // A fresh forwarded address does not make the peer someone else.
        let r = app
            .send(token_request(
                peer,
                &["198.51.100.99"],
                password(ADMIN.0, ADMIN.1),
            ))
            .await;
        assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    }
);

on_both_backends!(
    client_secrets_are_stored_keyed_and_old_argon2_ones_still_work,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let made = app
            .post(
                "/api/v1/clients",
                Some(&admin),
                json!({"name": "外部系统", "scopes": ["bodies:read"]}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let id = made.body["id"].as_str().unwrap().to_string();
        let client_id = made.body["client_id"].as_str().unwrap().to_string();
        let secret = made.body["client_secret"].as_str().unwrap().to_string();
        let stored = || {
            let mut conn = app.pool.get().unwrap();
            ApiClient::by_id(&mut conn, &id)
                .unwrap()
                .unwrap()
                .secret_hash
        };
        assert!(stored().starts_with("hmac-sha256$"), "{}", stored());
        let grant = |secret: &str| json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret});
        let token = app.post("/api/v1/auth/token", None, grant(&secret)).await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.body);

        // A row from before keyed hashing holds an argon2 hash: it still signs in.
        {
            let mut conn = app.pool.get().unwrap();
            let old = pubeval::auth::password::hash(&secret).unwrap();
            let at = chrono::Utc::now().naive_utc();
            ApiClient::rotate(&mut conn, &id, &old, at).unwrap();
        }
        let token = app.post("/api/v1/auth/token", None, grant(&secret)).await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.body);
        let wrong = app
            .post("/api/v1/auth/token", None, grant("not-the-secret"))
            .await;
        assert_error(&wrong, StatusCode::UNAUTHORIZED, "unauthorized");

        // Rotating it stores the new secret keyed; the old one stops working.
        let rotated = app
            .post(
                &format!("/api/v1/clients/{id}/rotate"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
        assert!(stored().starts_with("hmac-sha256$"));
        let new_secret = rotated.body["client_secret"].as_str().unwrap();
        let token = app
            .post("/api/v1/auth/token", None, grant(new_secret))
            .await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.body);
        let old = app.post("/api/v1/auth/token", None, grant(&secret)).await;
        assert_error(&old, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);
