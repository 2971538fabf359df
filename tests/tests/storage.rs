//! Migrations on both backends, and the audit chain that detects an edited row.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::http::StatusCode;
use diesel::RunQueryDsl;
use pubeval::db;
use pubeval_tests::*;
use serde_json::json;

#[test]
fn both_backends_have_the_same_migrations() {
    let (sqlite, postgres) = db::migration_names();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[test]
fn database_urls_pick_their_backend() {
    use db::DbTarget;
    assert_eq!(
        DbTarget::parse("sqlite://pubeval.db").unwrap(),
        DbTarget::Sqlite("pubeval.db".into())
    );
    assert_eq!(
        DbTarget::parse("data/pubeval.db").unwrap(),
        DbTarget::Sqlite("data/pubeval.db".into())
    );
    assert!(matches!(
        DbTarget::parse("postgres://u@h/db").unwrap(),
        DbTarget::Postgres(_)
    ));
    assert!(matches!(
        DbTarget::parse("postgresql://u@h/db").unwrap(),
        DbTarget::Postgres(_)
    ));
    assert!(DbTarget::parse("mysql://u@h/db").is_err());
    assert!(DbTarget::parse("").is_err());
    assert_eq!(
        DbTarget::parse("postgres://u:secret@h/db")
            .unwrap()
            .redacted(),
        "postgres://u:***@h/db"
    );
}

fn up_down_up(backend: Backend) {
    let (url, _dir) = fresh_database(backend);
    let pool = db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let (names, _) = db::migration_names();
    assert_eq!(db::migrate(&mut conn).unwrap(), names.len());
    diesel::sql_query("SELECT COUNT(*) FROM bodies")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(db::revert_all(&mut conn).unwrap(), names.len());
    assert!(
        diesel::sql_query("SELECT COUNT(*) FROM bodies")
            .execute(&mut conn)
            .is_err()
    );
    assert_eq!(db::migrate(&mut conn).unwrap(), names.len());
    assert_eq!(db::migrate(&mut conn).unwrap(), 0);
}

#[test]
fn migrations_go_up_down_and_up_on_sqlite() {
    up_down_up(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (PUBEVAL_TEST_POSTGRES_URL)"]
fn migrations_go_up_down_and_up_on_postgres() {
    up_down_up(Backend::Postgres);
}

on_both_backends!(the_audit_chain_names_an_edited_row, |backend| async move {
    let app = spawn(backend).await;
    let admin = app.admin().await;
    for i in 1..=3 {
        app.body(&format!("CNCA-R-2013-{i:03}"), "product").await;
    }
    let v = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(v.status, StatusCode::OK);
    assert!(v.body["first_broken"].is_null(), "{}", v.body);
    let entries = v.body["entries"].as_i64().unwrap();
    assert!(entries >= 5, "seed, admin and three bodies: {}", v.body);
    let log = app.get("/api/v1/audit?per_page=500", Some(&admin)).await;
    assert_eq!(log.body["total_items"], entries);
    assert_eq!(log.body["items"][0]["action"], "body.create");

    // Someone edits the third entry behind the application's back.
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query("UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 3")
        .execute(&mut conn)
        .unwrap();
    let v = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(v.body["first_broken"], 3, "{}", v.body);
    let r = app
        .post("/api/v1/auth/revoke", Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
});
