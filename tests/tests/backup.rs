//! `pubeval backup` and `pubeval restore` on SQLite: a copy taken while the application serves
//! (with a write under way) holds what was committed and nothing else; restored into a new
//! place it serves the same results and its audit chain verifies with the data directory's
//! key — and with another key it says so.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::test;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use pubeval::application::{Application, Options};
use pubeval::auth::token::TokenKeys;
use pubeval::build_app;
use pubeval::cli::backup::{backup_database, restore_database};
use pubeval::config::Config;
use pubeval::db::schema::bodies;
use pubeval_tests::*;
use serde_json::Value;

/// Runs a `pubeval` command line in this process; the error's text when it fails.
fn pubeval(args: &[&str]) -> Result<(), String> {
    let cli =
        pubeval::cli::Cli::try_parse_from(std::iter::once("pubeval").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
    pubeval::cli::run(cli).map_err(|e| e.to_string())
}

fn config(database: &Path, data_dir: &Path) -> Config {
    Config {
        database_url: format!("sqlite://{}", database.display()),
        data_dir: data_dir.to_path_buf(),
        pool_size: 2,
        ..Config::default()
    }
}

fn body_names(conn: &mut pubeval::db::DbConn) -> Vec<String> {
    bodies::table
        .select(bodies::name)
        .order(bodies::name.asc())
        .load(conn)
        .unwrap()
}

/// GETs `path` from a service with a bearer token; status and JSON body.
async fn get<S, B>(service: &S, path: &str, token: &str) -> (StatusCode, Value)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let res = test::call_service(service, req).await;
    let status = res.status();
    let bytes = test::read_body(res).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[actix_web::test]
async fn a_backup_taken_while_serving_restores_with_the_same_results_and_chain() {
    let data = tempdir::Guard::new();
    let (data_path, url_slot) = (data.path.clone(), Arc::new(Mutex::new(String::new())));
    let slot = url_slot.clone();
    let app = spawn_with(Backend::Sqlite, move |c| {
        c.data_dir = data_path;
        *slot.lock().unwrap() = c.database_url.clone();
    })
    .await;
    let url = url_slot.lock().unwrap().clone();
    let source = PathBuf::from(url.strip_prefix("sqlite://").unwrap());
    let admin = app.admin().await;
    let analyst = app.analyst().await;
    let run = app
        .evaluated_2025(
            &analyst,
            &[
                ("product", 30, true),
                ("service", 5, false),
                ("product", 12, true),
            ],
        )
        .await;
    let results_path = format!("/api/v1/evaluations/{}/results?per_page=100", run.id);
    let results = app.get(&results_path, Some(&analyst)).await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.body);
    let before = body_names(&mut app.pool.get().unwrap());

    // A write is under way in the application's pool while the copy is taken: the copy has
    // what was committed, not the write.
    let mut writer = app.pool.get().unwrap();
    writer
        .batch_execute("BEGIN IMMEDIATE; UPDATE bodies SET name = 'uncommitted';")
        .unwrap();
    let out_dir = tempdir::Guard::new();
    let out = out_dir.path.join("pubeval-backup.db");
    let summary = backup_database(&config(&source, &data.path), &out).unwrap();
    writer.batch_execute("ROLLBACK").unwrap();
    drop(writer);
    assert!(summary.bytes > 0 && summary.audit_entries > 0);
    // An existing file is never overwritten.
    let err = backup_database(&config(&source, &data.path), &out).unwrap_err();
    assert!(err.to_string().contains("exists"), "{err}");
    // The application goes on after the backup; that is not in the copy.
    app.body("CNCA-R-2019-999", "product").await;

    // Restored into a new place with the same data directory (the same audit key).
    let target_dir = tempdir::Guard::new();
    let target = target_dir.path.join("restored.db");
    let restored = config(&target, &data.path);
    let report = restore_database(&restored, &out).unwrap();
    assert!(report.moved_aside.is_none());
    assert_eq!(report.audit_entries, summary.audit_entries as u64);

    let application = Application::build_with(
        restored.clone(),
        Options {
            keys: Some(
                TokenKeys::new(TEST_SECRET, &restored.issuer, &restored.audience, 600).unwrap(),
            ),
            clock: None,
        },
    )
    .unwrap();
    assert_eq!(body_names(&mut application.pool().get().unwrap()), before);
    let service = test::init_service(build_app(application.state().clone())).await;
    let (status, again) = get(&service, &results_path, &analyst).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again, results.body,
        "the restored database serves the same results"
    );
    let (status, verified) = get(&service, "/api/v1/audit/verify", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(verified["first_broken"].is_null(), "{verified}");
    assert_eq!(verified["entries"], summary.audit_entries);
    let target_url = restored.database_url.clone();
    let data_dir = data.path.display().to_string();
    pubeval(&[
        "audit",
        "verify",
        "--database-url",
        &target_url,
        "--data-dir",
        &data_dir,
    ])
    .unwrap();

    // Restoring over a database keeps the one that was there, renamed beside it. (Not over
    // the one just served: its connections may still be open, and a server must be stopped
    // before a restore.)
    let again = config(&target_dir.path.join("again.db"), &data.path);
    assert!(
        restore_database(&again, &out)
            .unwrap()
            .moved_aside
            .is_none()
    );
    let report = restore_database(&again, &out).unwrap();
    let aside = report.moved_aside.unwrap();
    assert!(aside.exists(), "{}", aside.display());
    assert!(aside.display().to_string().contains("before-restore"));

    // With another data directory the key differs (or there is none): the restore says the
    // chain does not verify and why.
    let bare = tempdir::Guard::new();
    let err = restore_database(&config(&bare.path.join("restored.db"), &bare.path), &out)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("审计密钥") && err.contains("audit key"),
        "{err}"
    );
    let other = tempdir::Guard::new();
    pubeval::domain::audit::load_or_generate_key(&other.path).unwrap();
    let elsewhere = other.path.join("restored.db");
    let err = restore_database(&config(&elsewhere, &other.path), &out).unwrap_err();
    let err = err.to_string();
    assert!(
        err.contains("审计密钥") && err.contains("audit key"),
        "{err}"
    );
}

#[actix_web::test]
async fn restore_refuses_what_is_not_a_pubeval_database() {
    let dir = tempdir::Guard::new();
    let target = dir.path.join("pubeval.db");
    let cfg = config(&target, &dir.path);

    let text = dir.path.join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, but long enough to have a header",
    )
    .unwrap();
    let err = restore_database(&cfg, &text).unwrap_err().to_string();
    assert!(err.contains("not a SQLite database"), "{err}");

    // A SQLite database without pubeval's migrations.
    let foreign = dir.path.join("foreign.db");
    let mut conn = SqliteConnection::establish(foreign.to_str().unwrap()).unwrap();
    conn.batch_execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let err = restore_database(&cfg, &foreign).unwrap_err().to_string();
    assert!(err.contains("not a pubeval database"), "{err}");

    let err = restore_database(&cfg, &dir.path.join("none.db"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no such backup file"), "{err}");
    assert!(!target.exists(), "nothing was put in place");
}

#[actix_web::test]
async fn postgresql_is_backed_up_with_pg_dump() {
    let dir = tempdir::Guard::new();
    let cfg = Config {
        database_url: "postgres://pubeval@127.0.0.1:1/pubeval".into(),
        data_dir: dir.path.clone(),
        ..Config::default()
    };
    let err = backup_database(&cfg, &dir.path.join("x.db"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("pg_dump"), "{err}");
    let err = restore_database(&cfg, &dir.path.join("x.dump"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("pg_restore"), "{err}");
}
