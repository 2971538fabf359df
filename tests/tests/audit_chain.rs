//! The audit chain against whoever can write the database: an edited entry whose chain was
//! recomputed without the key is found; cutting off the newest entries is caught by a
//! checkpoint kept elsewhere (`pubeval audit checkpoint`, `pubeval audit verify --checkpoint`);
//! report saves and evaluation results carry digests of what was stored.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::test;
use clap::Parser;
use diesel::prelude::*;
use pubeval::db::models::audit::AuditEntry;
use pubeval::db::models::evaluation::{ResultFilter, ResultRow};
use pubeval::db::schema::{audit_log, evaluation_results, submissions};
use pubeval_tests::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Runs a `pubeval` command line in this process; the error's text when it fails.
fn pubeval(args: &[&str]) -> Result<(), String> {
    let cli =
        pubeval::cli::Cli::try_parse_from(std::iter::once("pubeval").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
    pubeval::cli::run(cli).map_err(|e| e.to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The chain's hash as it was before it was keyed: SHA-256 of the length-prefixed parts, which
/// anyone who can read the code and write the database can compute.
fn unkeyed_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        e.prev_hash.as_str(),
        &e.seq.to_string(),
        &e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.detail,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every entry, oldest first.
fn entries(conn: &mut pubeval::db::DbConn) -> Vec<AuditEntry> {
    let (mut items, _) = AuditEntry::page(conn, 0, 10_000).unwrap();
    items.reverse();
    items
}

/// The audit entries of an action, their details parsed.
async fn details_of<S, B>(app: &TestApp<S>, admin: &str, action: &str) -> Vec<(String, Value)>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = app.get("/api/v1/audit?per_page=500", Some(admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| {
            (
                e["entity_id"].as_str().unwrap().to_string(),
                serde_json::from_str(e["detail"].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

on_both_backends!(
    an_edited_entry_whose_chain_was_recomputed_without_the_key_is_found,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        for i in 1..=3 {
            app.body(&format!("CNCA-R-2013-{i:03}"), "product").await;
        }
        let v = app.get("/api/v1/audit/verify", Some(&admin)).await;
        assert!(v.body["first_broken"].is_null(), "{}", v.body);

        // An intruder edits the third entry and recomputes every hash from there on, as the
        // chain used to be computed (no key).
        let mut conn = app.pool.get().unwrap();
        let mut prev = String::new();
        for mut e in entries(&mut conn) {
            if e.seq < 3 {
                prev = e.hash;
                continue;
            }
            if e.seq == 3 {
                e.actor = "user:nobody".into();
            }
            e.prev_hash = prev;
            e.hash = unkeyed_hash(&e);
            diesel::update(audit_log::table.filter(audit_log::seq.eq(e.seq)))
                .set((
                    audit_log::actor.eq(&e.actor),
                    audit_log::prev_hash.eq(&e.prev_hash),
                    audit_log::hash.eq(&e.hash),
                ))
                .execute(&mut conn)
                .unwrap();
            prev = e.hash;
        }
        // The links are all consistent now; only the key tells the edit.
        let stored = entries(&mut conn);
        assert!(stored.windows(2).all(|w| w[1].prev_hash == w[0].hash));
        let v = app.get("/api/v1/audit/verify", Some(&admin)).await;
        assert_eq!(v.status, StatusCode::OK);
        assert_eq!(v.body["first_broken"], 3, "{}", v.body);
    }
);

on_both_backends!(
    cutting_off_the_newest_entries_is_caught_by_a_checkpoint,
    |backend| async move {
        let data = tempdir::Guard::new();
        let (data_path, url_slot) = (data.path.clone(), Arc::new(Mutex::new(String::new())));
        let slot = url_slot.clone();
        let app = spawn_with(backend, move |c| {
            c.data_dir = data_path;
            *slot.lock().unwrap() = c.database_url.clone();
        })
        .await;
        let url = url_slot.lock().unwrap().clone();
        let data_dir = data.path.display().to_string();
        let common = [
            "--database-url",
            url.as_str(),
            "--data-dir",
            data_dir.as_str(),
        ];
        let run = |head: &[&str]| pubeval(&[head, &common[..]].concat());
        for i in 1..=3 {
            app.body(&format!("CNCA-R-2013-{i:03}"), "product").await;
        }

        // The key is the data directory's, 32 random bytes, readable by its owner only.
        let key = std::fs::read_to_string(data.path.join("audit.key")).unwrap();
        assert_eq!(key.trim().len(), 64, "32 bytes in hex");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.path.join("audit.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // The head, as `pubeval audit checkpoint` prints it, kept in a file elsewhere.
        run(&["audit", "checkpoint"]).unwrap();
        let mut conn = app.pool.get().unwrap();
        let head = pubeval::domain::audit::checkpoint(&mut conn)
            .unwrap()
            .unwrap();
        let printed: Value = serde_json::from_str(&head.to_json()).unwrap();
        assert_eq!(printed["seq"], head.seq);
        assert_eq!(printed["hash"], head.hash.as_str());
        let at = printed["at"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        let file = data.path.join("checkpoint.json");
        std::fs::write(&file, head.to_json()).unwrap();
        let file = file.display().to_string();

        run(&["audit", "verify"]).unwrap();
        run(&["audit", "verify", "--checkpoint", &file]).unwrap();
        // The chain grows past the checkpoint: it still reaches it.
        app.body("CNCA-R-2013-004", "product").await;
        run(&["audit", "verify", "--checkpoint", &file]).unwrap();

        // The newest entries, the checkpoint's among them, are deleted: what is left is a
        // whole chain, so only the checkpoint shows the loss.
        diesel::delete(audit_log::table.filter(audit_log::seq.ge(head.seq - 1)))
            .execute(&mut conn)
            .unwrap();
        run(&["audit", "verify"]).unwrap();
        let err = run(&["audit", "verify", "--checkpoint", &file]).unwrap_err();
        assert!(err.contains("不存在") && err.contains("missing"), "{err}");

        // New entries take the deleted positions: the checkpoint's has another hash now.
        app.body("CNCA-R-2013-005", "product").await;
        app.body("CNCA-R-2013-006", "product").await;
        run(&["audit", "verify"]).unwrap();
        let err = run(&["audit", "verify", "--checkpoint", &file]).unwrap_err();
        assert!(err.contains("another hash"), "{err}");

        // Another data directory's key does not verify this chain.
        let other = tempdir::Guard::new();
        pubeval::domain::audit::load_or_generate_key(&other.path).unwrap();
        let other_dir = other.path.display().to_string();
        let err = pubeval(&[
            "audit",
            "verify",
            "--database-url",
            &url,
            "--data-dir",
            &other_dir,
        ])
        .unwrap_err();
        assert!(err.contains("audit key"), "{err}");
        // (Installing that key re-keyed this database in this process; put the right one back.)
        run(&["audit", "verify"]).unwrap();

        let bad = data.path.join("bad.json");
        std::fs::write(&bad, "not json").unwrap();
        let err = run(&[
            "audit",
            "verify",
            "--checkpoint",
            &bad.display().to_string(),
        ])
        .unwrap_err();
        assert!(err.contains("checkpoint"), "{err}");
    }
);

on_both_backends!(
    a_report_save_carries_the_digest_of_its_payload,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let analyst = app.analyst().await;
        let now = chrono::Utc::now();
        app.post("/api/v1/cycles", Some(&analyst), json!({"year": 2025, "opens_at": (now - chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(9)).to_rfc3339()})).await;
        let body = app.body("CNCA-R-2013-001", "product").await;
        let user = app.user("b1", "body", Some(&body)).await;
        let put = test::TestRequest::put()
            .uri(&format!("/api/v1/bodies/{body}/submissions/2025"))
            .insert_header(("Authorization", format!("Bearer {user}")))
            .set_json(json!({"payload": sample_report(7, true)}));
        assert_eq!(app.send(put).await.status, StatusCode::CREATED);

        let saves = details_of(&app, &admin, "submission.save").await;
        assert_eq!(saves.len(), 1);
        let (revision_id, detail) = &saves[0];
        let mut conn = app.pool.get().unwrap();
        let stored: String = submissions::table
            .filter(submissions::id.eq(revision_id))
            .select(submissions::payload)
            .first(&mut conn)
            .unwrap();
        assert_eq!(
            detail["payload_sha256"],
            sha256_hex(stored.as_bytes()).as_str(),
            "{detail}"
        );
    }
);

on_both_backends!(
    an_evaluation_records_the_digest_of_its_stored_results,
    |backend| async move {
        let app = spawn(backend).await;
        let admin = app.admin().await;
        let analyst = app.analyst().await;
        let run = app
            .evaluated_2025(&analyst, &[("product", 30, true), ("service", 5, false)])
            .await;
        let drafts = details_of(&app, &admin, "evaluation.draft").await;
        let (_, detail) = drafts.iter().find(|(id, _)| *id == run.id).unwrap();
        let recorded = detail["results_sha256"].as_str().unwrap().to_string();
        assert_eq!(recorded.len(), 64, "{detail}");

        // The digest is that of the rows as read back from the database.
        let mut conn = app.pool.get().unwrap();
        let (rows, total) =
            ResultRow::page(&mut conn, &run.id, &ResultFilter::default(), 0, 1_000).unwrap();
        assert_eq!(total, 2);
        assert_eq!(pubeval::domain::audit::results_sha256(&rows), recorded);

        // A stored result changed behind the application's back no longer matches it.
        diesel::update(
            evaluation_results::table
                .filter(evaluation_results::evaluation_id.eq(&run.id))
                .filter(evaluation_results::position.eq(1)),
        )
        .set(evaluation_results::total.eq(99.0))
        .execute(&mut conn)
        .unwrap();
        let (rows, _) =
            ResultRow::page(&mut conn, &run.id, &ResultFilter::default(), 0, 1_000).unwrap();
        assert_ne!(pubeval::domain::audit::results_sha256(&rows), recorded);
    }
);

#[actix_web::test]
async fn a_missing_checkpoint_file_is_an_error() {
    let data = tempdir::Guard::new();
    let db = data.path.join("a.db").display().to_string();
    let dir = data.path.display().to_string();
    let missing = Path::new(&dir).join("none.json").display().to_string();
    let err = pubeval(&[
        "audit",
        "verify",
        "--checkpoint",
        &missing,
        "--database-url",
        &db,
        "--data-dir",
        &dir,
    ])
    .unwrap_err();
    assert!(err.contains("checkpoint"), "{err}");
}

on_both_backends!(
    an_edited_report_or_result_is_found_by_its_recorded_digest,
    |backend| async move {
        let data = tempdir::Guard::new();
        let (data_path, url_slot) = (data.path.clone(), Arc::new(Mutex::new(String::new())));
        let slot = url_slot.clone();
        let app = spawn_with(backend, move |c| {
            c.data_dir = data_path;
            *slot.lock().unwrap() = c.database_url.clone();
        })
        .await;
        let url = url_slot.lock().unwrap().clone();
        let data_dir = data.path.display().to_string();
        let verify = || {
            pubeval(&[
                "audit",
                "verify",
                "--database-url",
                url.as_str(),
                "--data-dir",
                data_dir.as_str(),
            ])
        };
        let analyst = app.analyst().await;
        let e = app
            .evaluated_2025(&analyst, &[("management_system", 10, true)])
            .await;
        verify().unwrap();
        let mut conn = app.pool.get().unwrap();

        // A stored report is edited, its chain untouched: the entry of its save says so.
        let (body, _) = &e.bodies[0];
        let original: String = submissions::table
            .filter(submissions::body_id.eq(body))
            .filter(submissions::revision.eq(1))
            .select(submissions::payload)
            .first(&mut conn)
            .unwrap();
        let inflated = original.replace("\"press_releases\":10", "\"press_releases\":900");
        assert_ne!(inflated, original);
        diesel::update(submissions::table.filter(submissions::body_id.eq(body)))
            .set(submissions::payload.eq(&inflated))
            .execute(&mut conn)
            .unwrap();
        let err = verify().unwrap_err();
        assert!(
            err.contains("revision 1") && err.contains("changed"),
            "{err}"
        );
        diesel::update(submissions::table.filter(submissions::body_id.eq(body)))
            .set(submissions::payload.eq(&original))
            .execute(&mut conn)
            .unwrap();
        verify().unwrap();

        // A stored result is edited: the run's entry says so.
        diesel::update(evaluation_results::table.filter(evaluation_results::body_id.eq(body)))
            .set(evaluation_results::grade.eq("A"))
            .execute(&mut conn)
            .unwrap();
        let err = verify().unwrap_err();
        assert!(err.contains(&e.id) && err.contains("digest"), "{err}");
    }
);
