//! Rankings in every format and the SVG charts, under the access rules of the data they show.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use pubeval_tests::*;
use serde_json::json;

on_both_backends!(
    rankings_and_charts_render_for_those_who_may_see_them,
    |backend| async move {
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let evaluated = app
            .evaluated_2025(
                &analyst,
                &[
                    ("product", 50, true),
                    ("service", 10, false),
                    ("product", 30, true),
                ],
            )
            .await;
        let id = evaluated.id.clone();
        let ids = evaluated.bodies;

        // JSON: every body in rank order with the contract's fields.
        let json = app
            .get(
                &format!("/api/v1/evaluations/{id}/ranking?format=json"),
                Some(&analyst),
            )
            .await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.body);
        let items = json.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        for field in [
            "body_id",
            "approval_no",
            "name",
            "category",
            "province",
            "total",
            "grade",
            "rank",
            "category_rank",
            "warning_level",
        ] {
            assert!(items[0].get(field).is_some(), "{field}");
        }
        let ranks: Vec<u64> = items.iter().map(|i| i["rank"].as_u64().unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]));

        // CSV with its BOM and a Chinese file name; XLSX and HTML with their types.
        let csv = app
            .send(
                TestRequest::get()
                    .uri(&format!("/api/v1/evaluations/{id}/ranking?format=csv"))
                    .insert_header(("Authorization", format!("Bearer {analyst}"))),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let disposition = csv
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            disposition.contains("filename*=UTF-8''") && disposition.contains("%E6%8E%92%E5%90%8D"),
            "{disposition}"
        );
        assert!(csv.body.as_str().unwrap().starts_with('\u{feff}'));
        for (format, media) in [
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("html", "text/html"),
        ] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{id}/ranking?format={format}"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{format}");
            assert!(
                r.headers
                    .get("content-type")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(media),
                "{format}"
            );
        }
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/ranking?format=pdf"),
                Some(&analyst),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
        let products = app
            .get(
                &format!("/api/v1/evaluations/{id}/ranking?category=product"),
                Some(&analyst),
            )
            .await;
        assert_eq!(products.body["items"].as_array().unwrap().len(), 2);

        // Charts.
        for chart in ["grade_distribution", "score_histogram", "dimension_profile"] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{id}/charts/{chart}.svg"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{chart}: {}", r.body);
            assert_eq!(r.headers.get("content-type").unwrap(), "image/svg+xml");
            assert!(r.body.as_str().unwrap().contains("<svg"), "{chart}");
        }
        let body_id = &ids[0].0;
        for chart in ["body_radar", "body_trend"] {
            let r = app
                .get(
                    &format!("/api/v1/evaluations/{id}/charts/{chart}.svg?body={body_id}"),
                    Some(&analyst),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{chart}: {}", r.body);
            assert_error(
                &app.get(
                    &format!("/api/v1/evaluations/{id}/charts/{chart}.svg"),
                    Some(&analyst),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            );
        }
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/charts/pie.svg"),
                Some(&analyst),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // A body does not get the ranking; a client only once final.
        assert_error(
            &app.get(
                &format!("/api/v1/evaluations/{id}/ranking"),
                Some(&ids[0].1),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let client = app.client(&["results:read"]).await;
        assert_error(
            &app.get(&format!("/api/v1/evaluations/{id}/ranking"), Some(&client))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        app.post(
            &format!("/api/v1/evaluations/{id}/publish"),
            Some(&analyst),
            json!({}),
        )
        .await;
        assert_eq!(
            app.post(
                &format!("/api/v1/evaluations/{id}/finalize"),
                Some(&analyst),
                json!({})
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(&format!("/api/v1/evaluations/{id}/ranking"), Some(&client))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(
                &format!("/api/v1/evaluations/{id}/charts/grade_distribution.svg"),
                Some(&client)
            )
            .await
            .status,
            StatusCode::OK
        );
    }
);

/// Inserts an evaluation of 2024 in `status` directly (the runs are tested elsewhere); its id.
fn evaluation_in(
    pool: &pubeval::db::DbPool,
    status: pubeval::domain::states::EvaluationStatus,
) -> String {
    use diesel::prelude::*;
    use pubeval::db::schema::{evaluations, schemes};
    use pubeval::domain::TextEnum;
    let mut conn = pool.get().unwrap();
    let scheme_id: String = schemes::table
        .select(schemes::id)
        .first(&mut *conn)
        .unwrap();
    let id = uuid::Uuid::new_v4().to_string();
    let at = chrono::Utc::now().naive_utc();
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::id.eq(&id),
            evaluations::year.eq(2024),
            evaluations::scheme_id.eq(&scheme_id),
            evaluations::status.eq(status.as_str()),
            evaluations::draws.eq(100),
            evaluations::seed.eq(7i64),
            evaluations::bodies.eq(0),
            evaluations::failure.eq(Some("磁盘已满 / disk full")),
            evaluations::created_by.eq("user:admin"),
            evaluations::started_at.eq(at),
        ))
        .execute(&mut *conn)
        .unwrap();
    id
}

on_both_backends!(
    reports_of_a_running_or_failed_evaluation_say_which,
    |backend| async move {
        use pubeval::domain::states::EvaluationStatus;
        let app = spawn(backend).await;
        let analyst = app.analyst().await;
        let running = evaluation_in(&app.pool, EvaluationStatus::Running);
        let failed = evaluation_in(&app.pool, EvaluationStatus::Failed);
        for (id, code) in [
            (&running, "evaluation_running"),
            (&failed, "evaluation_failed"),
        ] {
            for path in [
                format!("/api/v1/evaluations/{id}/ranking?format=csv"),
                format!("/api/v1/evaluations/{id}/charts/grade_distribution.svg"),
                format!("/api/v1/evaluations/{id}/report.html"),
            ] {
                let r = app.get(&path, Some(&analyst)).await;
                assert_error(&r, StatusCode::CONFLICT, code);
            }
        }
        // A client reading final reports only is told nothing of either.
        let client = app.client(&["results:read"]).await;
        let r = app
            .get(
                &format!("/api/v1/evaluations/{failed}/ranking"),
                Some(&client),
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
);
