//! Expensive routes under a flood (issue 11, finding 5): each caller may ask for so many
//! documents a minute — beyond it 429 `too_many_requests` with `Retry-After`, while another
//! caller is still served — and a final evaluation's documents, rendered once, come back the
//! same.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use pubeval_tests::*;

on_both_backends!(
    a_caller_asking_for_documents_too_fast_waits_and_others_are_served,
    |backend| async move {
        let app = spawn_with(backend, |c| c.documents_per_minute = 20).await;
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(
                &analyst,
                &[("management_system", 10, true), ("product", 3, false)],
            )
            .await;
        app.finalize(&analyst, &e.id).await;
        let (body, body_user) = e.bodies[0].clone();
        let letter = format!("/api/v1/evaluations/{}/results/{body}/letter.html", e.id);
        let ranking = format!("/api/v1/evaluations/{}/ranking?format=csv", e.id);

        // A burst of half the minute's share (10) is served; the same bytes each time.
        let first = app.get(&ranking, Some(&analyst)).await;
        assert_eq!(first.status, StatusCode::OK);
        for _ in 1..10 {
            let again = app.get(&ranking, Some(&analyst)).await;
            assert_eq!(again.status, StatusCode::OK, "{}", again.body);
            assert_eq!(again.bytes, first.bytes, "a final ranking never changes");
        }
        let refused = app.get(&letter, Some(&analyst)).await;
        assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
        let wait: u64 = refused.header("retry-after").parse().unwrap();
        assert!(
            (1..=6).contains(&wait),
            "about one share's interval: {wait}"
        );

        // The body, another caller, is not held back by the analyst's flood.
        let r = app.get(&letter, Some(&body_user)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // JSON reads are not documents: the analyst still reads the evaluation.
        let r = app
            .get(&format!("/api/v1/evaluations/{}", e.id), Some(&analyst))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
);
