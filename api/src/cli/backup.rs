//! `pubeval backup` and `pubeval restore`: a consistent copy of a SQLite database taken while
//! the server runs, and putting such a copy back in place of the configured database (the
//! server stopped), after which its audit chain must verify with the data directory's key.
//! PostgreSQL is backed up with its own tools (README).

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::admin::ConfigArgs;
use super::error::CliError;
use crate::config::Config;
use crate::db::{self, DbConn, DbTarget};

/// What PostgreSQL users are told to run instead.
const PG_DUMP: &str = "pg_dump --format=custom --file=pubeval.dump \"$DATABASE_URL\"";
/// How PostgreSQL users put a dump back.
const PG_RESTORE: &str =
    "pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" pubeval.dump";

/// `pubeval backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (must not exist yet).
    #[arg(long)]
    pub out: PathBuf,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `pubeval restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file `pubeval backup` wrote. Stop the server first: the configured database is
    /// replaced (the one there is kept beside it, renamed).
    #[arg(long)]
    pub from: PathBuf,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    /// Its size in bytes.
    pub bytes: u64,
    /// Audit entries in it.
    pub audit_entries: i64,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    /// Where the database that was in place went.
    pub moved_aside: Option<PathBuf>,
    /// Audit entries that verified.
    pub audit_entries: u64,
}

#[derive(QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Runs `pubeval backup`.
pub fn backup(args: &BackupArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let summary = backup_database(&config, &args.out)?;
    println!(
        "已备份到 {}（{} 字节，审计日志 {} 条）/ backed up to {} ({} bytes, {} audit entries)",
        args.out.display(),
        summary.bytes,
        summary.audit_entries,
        args.out.display(),
        summary.bytes,
        summary.audit_entries
    );
    Ok(())
}

/// Runs `pubeval restore`.
pub fn restore(args: &RestoreArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let summary = restore_database(&config, &args.from)?;
    if let Some(old) = &summary.moved_aside {
        println!(
            "原数据库已移至 {} / the database that was in place is now {}",
            old.display(),
            old.display()
        );
    }
    println!(
        "已从 {} 恢复，审计链完整，共 {} 条 / restored from {}; the audit chain of {} entries verifies",
        args.from.display(),
        summary.audit_entries,
        args.from.display(),
        summary.audit_entries
    );
    Ok(())
}

/// The SQLite file of the configuration (PostgreSQL and in-memory databases are refused with
/// what to use instead).
fn sqlite_path(config: &Config, postgres_hint: &str) -> Result<PathBuf, CliError> {
    match DbTarget::parse(&config.database_url).map_err(|e| anyhow!(e))? {
        DbTarget::Postgres(_) => Err(anyhow!(
            "PostgreSQL 数据库请用其自带工具：{postgres_hint} / for PostgreSQL use its own tools: {postgres_hint}"
        )
        .into()),
        DbTarget::Sqlite(path) if path == ":memory:" || path.is_empty() => {
            Err(anyhow!("内存数据库无法备份或恢复 / an in-memory database cannot be backed up or restored").into())
        }
        DbTarget::Sqlite(path) => Ok(PathBuf::from(path)),
    }
}

/// A connection to a SQLite file as it is: no pragmas, no migrations, no audit key.
fn open_file(path: &Path) -> Result<DbConn, CliError> {
    let text = utf8(path)?;
    let conn = SqliteConnection::establish(text)
        .with_context(|| format!("打开 / opening {}", path.display()))?;
    Ok(DbConn::Sqlite(conn))
}

fn utf8(path: &Path) -> Result<&str, CliError> {
    path.to_str().ok_or_else(|| {
        anyhow!(
            "路径须为 UTF-8 / the path must be UTF-8: {}",
            path.display()
        )
        .into()
    })
}

/// `VACUUM INTO`: a consistent copy in one read transaction (writers go on meanwhile; the copy
/// holds every transaction committed before it began, none after), compacted.
fn vacuum_into(conn: &mut DbConn, out: &Path) -> Result<(), CliError> {
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(utf8(out)?)
        .execute(conn)
        .with_context(|| format!("写入 / writing {}", out.display()))?;
    Ok(())
}

/// Copies the configured SQLite database to `out` while the server may be running.
pub fn backup_database(config: &Config, out: &Path) -> Result<BackupSummary, CliError> {
    let path = sqlite_path(config, PG_DUMP)?;
    if !path.exists() {
        return Err(anyhow!("没有数据库 {} / no database there", path.display()).into());
    }
    if out.exists() {
        return Err(anyhow!(
            "{} 已存在，不覆盖 / {} exists; it is not overwritten",
            out.display(),
            out.display()
        )
        .into());
    }
    // The server's own settings (WAL, busy timeout): the copy waits for a writer's moment
    // rather than failing.
    let pool = db::connect(&config.database_url, 1).map_err(|e| anyhow!(e))?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    vacuum_into(&mut conn, out)?;
    drop(conn);
    let mut copy = open_file(out)?;
    check_integrity(&mut copy, out)?;
    let audit_entries = crate::db::models::audit::AuditEntry::page(&mut copy, 0, 0)
        .map_err(|e| anyhow!(e))?
        .1;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        bytes,
        audit_entries,
    })
}

/// `PRAGMA integrity_check` must answer `ok`.
fn check_integrity(conn: &mut DbConn, path: &Path) -> Result<(), CliError> {
    let rows: Vec<IntegrityRow> = diesel::sql_query("PRAGMA integrity_check")
        .load(conn)
        .with_context(|| {
            format!(
                "{} 不是 SQLite 数据库 / is not a SQLite database",
                path.display()
            )
        })?;
    match rows.as_slice() {
        [row] if row.integrity_check == "ok" => Ok(()),
        _ => Err(anyhow!(
            "{} 已损坏（integrity_check：{}）/ is damaged",
            path.display(),
            rows.iter()
                .map(|r| r.integrity_check.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
        .into()),
    }
}

/// The file must be a pubeval database this version knows: a migrations table whose every
/// version is one of ours.
fn check_pubeval(conn: &mut DbConn, path: &Path) -> Result<(), CliError> {
    let not_ours = || {
        anyhow!(
            "{} 不是 pubeval 数据库（没有迁移记录）/ is not a pubeval database (no migrations table)",
            path.display()
        )
    };
    let applied: Vec<VersionRow> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load(conn)
            .map_err(|_| not_ours())?;
    if applied.is_empty() {
        return Err(not_ours().into());
    }
    // A migration's version is its directory name before the first `_`, without dashes.
    let known: Vec<String> = db::migration_names()
        .0
        .iter()
        .map(|name| name.split('_').next().unwrap_or_default().replace('-', ""))
        .collect();
    if let Some(unknown) = applied.iter().find(|v| !known.contains(&v.version)) {
        return Err(anyhow!(
            "{} 来自更新的 pubeval（迁移 {}）/ comes from a newer pubeval (migration {})",
            path.display(),
            unknown.version,
            unknown.version
        )
        .into());
    }
    Ok(())
}

/// Puts the backup `from` in place of the configured SQLite database (the server must be
/// stopped), brings it up to date and verifies its audit chain with the data directory's key.
pub fn restore_database(config: &Config, from: &Path) -> Result<RestoreSummary, CliError> {
    let target = sqlite_path(config, PG_RESTORE)?;
    if !from.is_file() {
        return Err(anyhow!("没有备份文件 {} / no such backup file", from.display()).into());
    }
    if target.exists() && std::fs::canonicalize(&target).ok() == std::fs::canonicalize(from).ok() {
        return Err(anyhow!("备份就是当前数据库 / the backup is the configured database").into());
    }
    let mut source = open_file(from)?;
    check_integrity(&mut source, from)?;
    check_pubeval(&mut source, from)?;
    // Copied through SQLite rather than byte for byte: a backup that has a write-ahead log
    // beside it comes over whole, and the new file has none.
    let staged = sibling(&target, "restoring");
    remove_database_files(&staged)?;
    vacuum_into(&mut source, &staged)?;
    drop(source);
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("同步 / syncing {}", staged.display()))?;
    let moved_aside = if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = sibling(&target, &format!("before-restore-{stamp}"));
        move_database(&target, &aside)?;
        Some(aside)
    } else {
        None
    };
    // A log left by the database that was in place must not be replayed into the new one.
    remove_database_files(&target)?;
    std::fs::rename(&staged, &target)
        .with_context(|| format!("放置 / moving into place {}", target.display()))?;
    let pool = crate::application::open_database(config)?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    let key_file = config.data_dir.join(crate::domain::audit::KEY_FILE);
    if !key_file.exists() {
        return Err(anyhow!(
            "已恢复，但数据目录中没有审计密钥 {0}，审计链无法核验：请把做备份的服务数据目录中的 {1} 放到这里 / restored, but there is no audit key at {0} to verify the chain with: copy the {1} of the server the backup came from",
            key_file.display(),
            crate::domain::audit::KEY_FILE
        )
        .into());
    }
    let v = crate::domain::audit::verify(&mut conn).map_err(|e| anyhow!("{e}"))?;
    if let Some(seq) = v.first_broken {
        let key = config.data_dir.join(crate::domain::audit::KEY_FILE);
        return Err(anyhow!(
            "已恢复，但审计链在第 {seq} 条断开：{}。审计密钥须是做备份的服务数据目录中的 {}（当前用的是 {}）/ restored, but the audit chain breaks at entry {seq}; the audit key must be the data directory's key of the server the backup came from (this used {})",
            v.problem.unwrap_or_default(),
            crate::domain::audit::KEY_FILE,
            key.display(),
            key.display()
        )
        .into());
    }
    Ok(RestoreSummary {
        moved_aside,
        audit_entries: v.entries,
    })
}

/// `path` with `.suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

/// The database file with its `-wal` and `-shm` companions, as SQLite names them.
fn database_files(path: &Path) -> [PathBuf; 3] {
    let with = |tail: &str| {
        let mut name = path.as_os_str().to_os_string();
        name.push(tail);
        PathBuf::from(name)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

fn remove_database_files(path: &Path) -> Result<(), CliError> {
    for file in database_files(path) {
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(anyhow!(e)
                    .context(format!("删除 / removing {}", file.display()))
                    .into());
            }
            _ => {}
        }
    }
    Ok(())
}

/// Renames a database with its companions, so that the pair stays readable where it went.
fn move_database(from: &Path, to: &Path) -> Result<(), CliError> {
    for (a, b) in database_files(from).iter().zip(database_files(to).iter()) {
        if a.exists() {
            std::fs::rename(a, b)
                .with_context(|| format!("移动 / moving {} to {}", a.display(), b.display()))?;
        }
    }
    Ok(())
}
