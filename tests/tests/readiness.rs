//! Readiness when the database goes away and comes back (issue 11, finding 10): `/readyz`
//! answers 503 `database_unavailable` in our words — not the driver's, which name roles,
//! hosts and files — within the probe's wait, and 200 again once the database answers;
//! liveness never depends on it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use diesel::RunQueryDsl;
use pubeval_tests::*;

/// Runs SQL as the server's superuser.
fn admin_sql(base: &str, sql: &str) {
    let pool = pubeval::db::connect(base, 1).unwrap();
    diesel::sql_query(sql)
        .execute(&mut pool.get().unwrap())
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (PUBEVAL_TEST_POSTGRES_URL)"]
async fn readiness_follows_the_database_and_never_shows_its_error() {
    let base = std::env::var(POSTGRES_ENV).unwrap();
    // A login role of its own, so that the test can lock the server out of the database.
    let role = format!("ready_{}", uuid::Uuid::new_v4().simple());
    admin_sql(&base, &format!("CREATE ROLE {role} LOGIN"));
    admin_sql(&base, &format!("CREATE SCHEMA {role} AUTHORIZATION {role}"));
    let url = {
        let at = base.find('@').expect("a URL with a user");
        let scheme_end = base.find("://").unwrap() + 3;
        let sep = if base.contains('?') { '&' } else { '?' };
        format!(
            "{}{role}{}{sep}options=-csearch_path%3D{role}",
            &base[..scheme_end],
            &base[at..]
        )
    };
    {
        // The app (and its pool) ends with this block, before its role is dropped.
        let app = spawn_at(Backend::Postgres, url).await;
        let ready = app.get("/readyz", None).await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);

        // The database refuses the server: its role may no longer log in, its sessions end.
        admin_sql(&base, &format!("ALTER ROLE {role} NOLOGIN"));
        admin_sql(
            &base,
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
            ),
        );
        let down = app.get("/readyz", None).await;
        assert_error(
            &down,
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
        );
        let text = down.body.to_string();
        for internal in [role.as_str(), "FATAL", "postgres", "127.0.0.1", "5432"] {
            assert!(!text.contains(internal), "{internal} in {text}");
        }
        assert!(down.body["error"]["request_id"].is_string(), "{text}");
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);

        // Back: ready again, with no restart.
        admin_sql(&base, &format!("ALTER ROLE {role} LOGIN"));
        let again = app.get("/readyz", None).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    }
    admin_sql(&base, &format!("DROP SCHEMA IF EXISTS {role} CASCADE"));
    admin_sql(&base, &format!("DROP ROLE IF EXISTS {role}"));
}
