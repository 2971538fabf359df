//! Server-side commands: `serve`, `migrate`, `user`, `client`, `openapi`, `audit verify` and
//! `audit checkpoint`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};

use super::error::CliError;
use crate::application::Application;
use crate::config::{Config, Overrides};
use crate::db::models::body::Body;
use crate::db::models::user::User;
use crate::db::{self, DbConn, DbPool};
use crate::domain::Role;

/// Where the configuration and database come from (shared by the server commands).
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// A TOML configuration file.
    #[arg(long, global = true, env = "PUBEVAL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://path (default sqlite://pubeval.db), a path, or postgres://…
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Directory of the generated keys: the JWT key and the audit chain's key (`audit verify`
    /// needs the server's).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
}

impl ConfigArgs {
    pub(super) fn load(&self, bind: Option<String>) -> Result<Config, CliError> {
        let overrides = Overrides {
            bind,
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
        };
        Config::load(self.config.as_deref(), &overrides)
            .map_err(|e| anyhow!("配置有误 / invalid configuration: {e}").into())
    }
}

/// `pubeval serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<String>,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `pubeval migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Revert every migration instead (drops all data).
    #[arg(long)]
    pub down: bool,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `pubeval user …`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: UserAction,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Adds a user; the password is read from standard input.
    Add {
        /// Username.
        #[arg(long)]
        username: String,
        /// admin, analyst or body.
        #[arg(long)]
        role: String,
        /// The body (id or approval number) of a body user.
        #[arg(long)]
        body: Option<String>,
        /// Read the password from standard input (required: passwords never go on the
        /// command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disables a user and ends their tokens.
    Disable {
        /// Username.
        #[arg(long)]
        username: String,
    },
    /// Sets a new password (from standard input) and ends the user's tokens.
    Passwd {
        /// Username.
        #[arg(long)]
        username: String,
        /// Read the password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// `pubeval client …`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ClientAction,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Client commands.
#[derive(Debug, Subcommand)]
pub enum ClientAction {
    /// Adds an api client and prints {"client_id", "client_secret"}.
    Add {
        /// Name of the external system.
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: results:read, bodies:read, warnings:read.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
    },
}

/// `pubeval audit …`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: AuditAction,
    /// Configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Audit commands.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Verifies the chain; names the first entry that breaks it (exit code 1).
    Verify {
        /// A checkpoint that `pubeval audit checkpoint` printed earlier: the chain must still
        /// reach that head (the newest entries cut off, or the chain rebuilt, fail).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Prints the chain's head as JSON {"seq", "hash", "at"}, to keep outside the database.
    Checkpoint,
}

/// Opens the configured database, migrated and seeded (commands other than `serve`).
pub fn open_database(args: &ConfigArgs) -> Result<DbPool, CliError> {
    open(&args.load(None)?)
}

/// Opens the database and brings its schema up to date.
fn open(config: &Config) -> Result<DbPool, CliError> {
    Ok(crate::application::open_database(config)?)
}

fn read_password() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading the password from standard input")?;
    let password = text.trim_end_matches(['\n', '\r']).to_string();
    crate::auth::password::check_strength(&password).map_err(|(zh, en)| anyhow!("{zh} / {en}"))?;
    Ok(password)
}

/// Runs `pubeval serve`.
pub fn serve(args: &ServeArgs) -> Result<(), CliError> {
    init_logging();
    let config = args.config.load(args.bind.clone())?;
    let target = db::DbTarget::parse(&config.database_url).map_err(|e| anyhow!(e))?;
    tracing::info!(bind = %config.bind, database = %target.redacted(), "pubeval 启动 / starting");
    let bind = config.bind.clone();
    let app = Application::build(config)?;
    Ok(app.serve_forever(&bind)?)
}

/// Runs `pubeval migrate`.
pub fn migrate(args: &MigrateArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let pool = db::connect(&config.database_url, 1).map_err(|e| anyhow!(e))?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    if args.down {
        let n = db::revert_all(&mut conn).map_err(|e| anyhow!(e))?;
        println!("已回退 {n} 个迁移 / reverted {n} migration(s)");
    } else {
        let n = db::migrate(&mut conn).map_err(|e| anyhow!(e))?;
        println!("已执行 {n} 个迁移 / applied {n} migration(s)");
    }
    Ok(())
}

/// Runs `pubeval user …`.
pub fn user(args: &UserArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let pool = open(&config)?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    match &args.action {
        UserAction::Add {
            username,
            role,
            body,
            ..
        } => {
            let role = Role::from_code(role).ok_or_else(|| {
                anyhow!("角色须为 admin、analyst 或 body / role must be admin, analyst or body")
            })?;
            let body_id = body
                .as_deref()
                .map(|b| resolve_body(&mut conn, b))
                .transpose()?;
            let password = read_password()?;
            crate::domain::users::check_new_user(username, &password, role, body_id.as_deref())
                .map_err(|e| anyhow!("{e}"))?;
            let hash = crate::auth::password::hash(&password).map_err(|e| anyhow!("{e}"))?;
            let user = crate::domain::users::create_user(
                &mut conn,
                &cli_ctx(),
                username,
                hash,
                role,
                body_id,
            )
            .map_err(|e| anyhow!("{e}"))?;
            println!(
                "{}",
                serde_json::json!({"id": user.id, "username": user.username, "role": user.role})
            );
        }
        UserAction::Disable { username } => {
            let user = User::by_username(&mut conn, username)
                .map_err(|e| anyhow!(e))?
                .ok_or_else(|| anyhow!("没有用户 {username} / no such user"))?;
            crate::domain::users::disable(&mut conn, &cli_ctx(), &user.id)
                .map_err(|e| anyhow!("{e}"))?;
            println!("已停用 {username} / disabled");
        }
        UserAction::Passwd { username, .. } => {
            let user = User::by_username(&mut conn, username)
                .map_err(|e| anyhow!(e))?
                .ok_or_else(|| anyhow!("没有用户 {username} / no such user"))?;
            let password = read_password()?;
            crate::domain::users::reset_password(&mut conn, &cli_ctx(), &user.id, &password)
                .map_err(|e| anyhow!("{e}"))?;
            println!("已更新 {username} 的密码 / password changed");
        }
    }
    Ok(())
}

fn resolve_body(conn: &mut DbConn, key: &str) -> Result<String, CliError> {
    let found = match Body::by_id(conn, key).map_err(|e| anyhow!(e))? {
        Some(b) => Some(b),
        None => Body::by_approval_no(conn, key).map_err(|e| anyhow!(e))?,
    };
    found.map(|b| b.id).ok_or_else(|| {
        anyhow!("没有机构 {key}（按编号或批准号）/ no body with that id or approval number").into()
    })
}

/// Runs `pubeval client …`.
pub fn client(args: &ClientArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let pool = open(&config)?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    match &args.action {
        ClientAction::Add { name, scopes } => {
            // The secret's hash is keyed by the server's signing secret: the same one `serve`
            // loads from this configuration.
            let keys = crate::auth::token::TokenKeys::load_or_generate(
                config.jwt_secret_file.as_deref(),
                &config.data_dir,
                &config.issuer,
                &config.audience,
                config.token_ttl_seconds,
            )
            .map_err(|e| anyhow!(e))?;
            let key = keys.client_secrets();
            let credentials =
                crate::domain::clients::create(&mut conn, &cli_ctx(), key, name, scopes)
                    .map_err(|e| anyhow!("{e}"))?;
            println!(
                "{}",
                serde_json::json!({"client_id": credentials.client_id, "client_secret": credentials.client_secret})
            );
        }
    }
    Ok(())
}

/// Runs `pubeval audit verify` or `pubeval audit checkpoint`.
pub fn audit(args: &AuditArgs) -> Result<(), CliError> {
    let config = args.config.load(None)?;
    let pool = open(&config)?;
    let mut conn = pool.get().map_err(|e| anyhow!(db::DbError::from(e)))?;
    match &args.action {
        AuditAction::Verify { checkpoint } => {
            let message = verify_chain(&mut conn, checkpoint.as_deref())?;
            println!("{message}");
        }
        AuditAction::Checkpoint => {
            let head = crate::domain::audit::checkpoint(&mut conn)
                .map_err(|e| anyhow!("{e}"))?
                .ok_or_else(|| anyhow!("审计日志为空 / the audit log is empty"))?;
            println!("{}", head.to_json());
        }
    }
    Ok(())
}

/// Verifies the chain of the connection's database (and that it reaches the checkpoint in
/// `checkpoint`, if given); what to print when it holds, an error naming where it breaks.
pub fn verify_chain(
    conn: &mut DbConn,
    checkpoint: Option<&std::path::Path>,
) -> Result<String, CliError> {
    let head = checkpoint
        .map(|path| -> Result<_, CliError> {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("读取检查点 / reading the checkpoint {}", path.display())
            })?;
            let head: crate::domain::audit::Checkpoint = serde_json::from_str(text.trim())
                .map_err(|e| {
                    anyhow!("检查点须为 {{\"seq\", \"hash\", \"at\"}} / not a checkpoint: {e}")
                })?;
            Ok(head)
        })
        .transpose()?;
    let v = match &head {
        Some(head) => crate::domain::audit::verify_to(conn, head),
        None => crate::domain::audit::verify(conn),
    }
    .map_err(|e| anyhow!("{e}"))?;
    if let Some(seq) = v.first_broken {
        let problem = v.problem.unwrap_or_default();
        return Err(anyhow!(
            "审计链在第 {seq} 条断开：{problem} / the chain breaks at entry {seq}"
        )
        .into());
    }
    // The chain holds: then what it vouches for must be as it says.
    let records = crate::domain::audit::verify_records(conn).map_err(|e| anyhow!("{e}"))?;
    if let Some(seq) = records.first_broken {
        let problem = records.problem.unwrap_or_default();
        return Err(anyhow!(
            "审计链第 {seq} 条所记的数据已被改动：{problem} / what entry {seq} records was changed"
        )
        .into());
    }
    let (reached_zh, reached_en) = head.map_or_else(
        || (String::new(), String::new()),
        |h| {
            (
                format!("，仍到达检查点第 {} 条", h.seq),
                format!(", reaches the checkpoint at entry {}", h.seq),
            )
        },
    );
    let (n, m) = (v.entries, records.entries);
    Ok(format!(
        "审计链完整，共 {n} 条{reached_zh}；所记的 {m} 项报告与评价结果均未改动 / the chain of {n} entries is intact{reached_en}, and the {m} reports and results it records are unchanged"
    ))
}

/// The command line acts as the platform itself (with admin rights), recorded as `system:cli`.
fn cli_ctx() -> crate::domain::Ctx {
    crate::domain::Ctx::system("system:cli")
}

fn init_logging() {
    crate::application::init_logging();
}
