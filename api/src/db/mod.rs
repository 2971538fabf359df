//! Persistence: one connection type over SQLite and PostgreSQL, a pool, embedded migrations
//! per backend, and write transactions that take SQLite's write lock up front.

pub mod models;
pub mod schema;
mod writer_gate;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use connection::{DbConn, MultiBackend};

mod connection {
    // The derive generates undocumented helper items.
    #![allow(missing_docs)]

    /// A connection to either backend; queries are written once against it.
    #[derive(diesel::MultiConnection)]
    pub enum DbConn {
        /// The embedded default.
        Sqlite(diesel::SqliteConnection),
        /// The production choice for several API instances.
        Postgres(diesel::PgConnection),
    }
}

/// The pool handlers borrow connections from (through `web::block`).
pub type DbPool = r2d2::Pool<DbManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A SQLite file (or `:memory:`).
    Sqlite(String),
    /// A PostgreSQL URL.
    Postgres(String),
}

/// Something went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no backend pubeval supports.
    #[error(
        "不支持的数据库地址 “{0}”：请使用 sqlite://路径、文件路径或 postgres://… / unsupported database URL"
    )]
    UnsupportedUrl(String),
    /// The pool could not be built or a connection could not be had.
    #[error("数据库连接失败 / cannot connect to the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    /// A query failed.
    #[error("数据库错误 / database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// Migrations failed.
    #[error("数据库迁移失败 / migration failed: {0}")]
    Migration(String),
}

impl DbTarget {
    /// Picks the backend by the URL's scheme: `sqlite://path` or a bare path is SQLite,
    /// `postgres://` or `postgresql://` is PostgreSQL; anything else with a scheme is an error.
    pub fn parse(url: &str) -> Result<DbTarget, DbError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            return if path.is_empty() {
                Err(DbError::UnsupportedUrl(url.to_string()))
            } else {
                Ok(DbTarget::Sqlite(path.to_string()))
            };
        }
        if let Some(path) = url.strip_prefix("sqlite:") {
            return Ok(DbTarget::Sqlite(path.to_string()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(url.to_string()));
        }
        if url.is_empty() || url.contains("://") {
            return Err(DbError::UnsupportedUrl(url.to_string()));
        }
        Ok(DbTarget::Sqlite(url.to_string()))
    }

    /// The URL with any password hidden, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DbTarget::Sqlite(path) => format!("sqlite://{path}"),
            DbTarget::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(start), Some(at)) if at > start => {
                    let credentials = &url[start + 3..at];
                    match credentials.split_once(':') {
                        Some((user, _)) => format!("{}{user}:***{}", &url[..start + 3], &url[at..]),
                        None => url.clone(),
                    }
                }
                _ => url.clone(),
            },
        }
    }
}

/// Opens connections of the configured backend (never guessing from the URL as diesel's
/// derived `establish` would), with SQLite's pragmas set on each.
#[derive(Debug, Clone)]
pub struct DbManager {
    target: DbTarget,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.target {
            DbTarget::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers work during a write. FULL syncs every commit, so a report
                // acknowledged to a body survives a power cut; writes are few and small (an
                // evaluation stores its rows in one transaction), so the cost is slight.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
            DbTarget::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// Builds the pool for a database URL.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DbError> {
    let target = DbTarget::parse(url)?;
    // An in-memory SQLite database lives in one connection.
    let max_size = match &target {
        DbTarget::Sqlite(path) if path == ":memory:" => 1,
        _ => max_size.max(1),
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(15))
        .build(DbManager { target })?;
    Ok(pool)
}

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConn) -> Result<usize, DbError> {
    let ran = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    ran.map_err(|e| DbError::Migration(e.to_string()))
}

/// Reverts every applied migration (tests and `pubeval migrate --down`).
pub fn revert_all(conn: &mut DbConn) -> Result<usize, DbError> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Postgres(c) => c
            .revert_all_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    reverted.map_err(|e| DbError::Migration(e.to_string()))
}

/// Reverts the latest applied migration; returns its name (tests of a migration's backfill).
pub fn revert_last(conn: &mut DbConn) -> Result<String, DbError> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
    };
    reverted
        .map(|version| version.to_string())
        .map_err(|e| DbError::Migration(e.to_string()))
}

/// The names of the embedded migrations of each backend (they must be the same).
pub fn migration_names() -> (Vec<String>, Vec<String>) {
    use diesel::migration::MigrationSource;
    let names = |source: &EmbeddedMigrations| -> Vec<String> {
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(source)
            .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
            .unwrap_or_default()
    };
    (names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS))
}

/// Runs `f` in a write transaction: on SQLite `BEGIN IMMEDIATE`, so the write lock is taken
/// before anything is read and two writers never deadlock on upgrading, after this process's
/// earlier writers to the file (see `writer_gate`); on PostgreSQL an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(_) => {
            let _turn = writer_gate::wait_for_turn(conn)?;
            if let DbConn::Sqlite(inner) = conn {
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            }
            match f(conn) {
                Ok(value) => {
                    if let DbConn::Sqlite(inner) = conn {
                        AnsiTransactionManager::commit_transaction(inner)?;
                    }
                    Ok(value)
                }
                Err(err) => {
                    if let DbConn::Sqlite(inner) = conn {
                        // The original error is what the caller needs; a failed rollback leaves
                        // the connection broken and r2d2 discards it.
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                    }
                    Err(err)
                }
            }
        }
        DbConn::Postgres(_) => conn.transaction(f),
    }
}
