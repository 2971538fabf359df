//! The queue this process's SQLite writers wait in.
//!
//! SQLite admits one writer at a time. A `BEGIN IMMEDIATE` that finds the lock taken waits in
//! SQLite's busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between tries: under a dozen
//! concurrent saves the lock sat idle while its next writer slept, and saves at 16 connections
//! went from 283 to 457 per second between two runs. Writers of one process queue on a mutex
//! per database file instead, and the next starts the moment the last one commits. Other
//! processes (the CLI, a second server on the same file) still meet the busy handler.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use super::DbConn;

/// One mutex per SQLite file this process writes to (the tests open many). A gate lives as
/// long as the process, so each is leaked once: the leak is one mutex per file ever opened.
static GATES: LazyLock<Mutex<HashMap<String, &'static Mutex<()>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

thread_local! {
    /// The files whose turn this thread holds: a write inside a write (which SQLite refuses
    /// with an error) must reach SQLite and fail there, not wait on itself forever.
    static HELD: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A writer's turn at its database; dropping it lets the next writer in.
pub(super) struct WriterTurn {
    identity: String,
    _guard: MutexGuard<'static, ()>,
}

impl Drop for WriterTurn {
    fn drop(&mut self) {
        HELD.with_borrow_mut(|held| held.retain(|h| *h != self.identity));
    }
}

/// Waits for this process's turn to write to the connection's database. `None` for
/// PostgreSQL (which locks rows, not the database) and for an in-memory SQLite database (it
/// has one connection).
pub(super) fn wait_for_turn(conn: &mut DbConn) -> diesel::QueryResult<Option<WriterTurn>> {
    if !matches!(conn, DbConn::Sqlite(_)) {
        return Ok(None);
    }
    let identity = super::models::audit::database_identity(conn)?;
    if identity == "sqlite:" || HELD.with_borrow(|held| held.contains(&identity)) {
        return Ok(None);
    }
    let gate: &'static Mutex<()> = GATES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(identity.clone())
        .or_insert_with(|| Box::leak(Box::new(Mutex::new(()))));
    // A writer that panicked had its transaction rolled back (or its connection discarded):
    // the gate holds no state that could be left half-done.
    let guard = gate.lock().unwrap_or_else(PoisonError::into_inner);
    HELD.with_borrow_mut(|held| held.push(identity.clone()));
    Ok(Some(WriterTurn {
        identity,
        _guard: guard,
    }))
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    use crate::db::{DbPool, connect, write_transaction};

    fn file_pool(name: &str) -> (DbPool, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "pubeval-writer-gate-{name}-{}.sqlite",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        let pool = connect(&path.to_string_lossy(), 8).expect("pool");
        pool.get()
            .expect("connection")
            .batch_execute(
                "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);",
            )
            .expect("schema");
        (pool, path)
    }

    #[test]
    fn concurrent_writers_each_get_their_turn() {
        let (pool, path) = file_pool("turns");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().expect("connection");
                    for _ in 0..25 {
                        write_transaction(&mut conn, |c| {
                            diesel::sql_query("UPDATE counter SET n = n + 1").execute(c)
                        })
                        .expect("write");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("writer thread");
        }
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            n: i32,
        }
        let n: N = diesel::sql_query("SELECT n FROM counter")
            .get_result(&mut pool.get().expect("connection"))
            .expect("read");
        assert_eq!(n.n, 200, "every write of every thread committed");
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_write_inside_a_write_fails_instead_of_waiting_on_itself() {
        let (pool, path) = file_pool("nested");
        let mut conn = pool.get().expect("connection");
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let outcome = write_transaction(&mut conn, |c| {
                write_transaction(c, |c| {
                    diesel::sql_query("UPDATE counter SET n = 1").execute(c)
                })
            });
            let _ = done.send(outcome.is_err());
        });
        let refused = finished
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the nested write returned rather than waiting on its own turn");
        assert!(refused, "SQLite refuses a transaction inside a transaction");
        let _ = std::fs::remove_file(path);
    }
}
