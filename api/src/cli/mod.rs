//! The command line: `serve`, `migrate`, `user`, `client`, `openapi`, `audit`, `backup`,
//! `restore`, `score`, `import`, `scheme`, `bench`.

mod admin;
pub mod backup;
mod bench;
mod bench_console;
mod bench_evaluation;
mod bench_flags;
mod bench_http;
mod bench_http_load;
mod bench_impact;
mod bench_import;
mod bench_reports;
mod bench_submissions;
mod bundle;
mod error;
mod evaluate;
mod import;
mod input;
mod report;
mod scheme;
mod score;
mod table;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use error::CliError;

/// pubeval — 认证机构宣传工作评价平台 (CNCA publicity-work evaluation).
#[derive(Debug, Parser)]
#[command(name = "pubeval", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 启动 HTTP 服务 (serve the API).
    Serve(admin::ServeArgs),
    /// 执行数据库迁移 (apply, or with --down revert, the migrations).
    Migrate(admin::MigrateArgs),
    /// 管理用户 (add, disable, change a password).
    User(admin::UserArgs),
    /// 管理外部系统客户端 (add an api client).
    Client(admin::ClientArgs),
    /// 输出 OpenAPI 文档 (print the OpenAPI document).
    Openapi,
    /// 审计日志 (verify the audit chain, print its head as a checkpoint).
    Audit(admin::AuditArgs),
    /// 备份 SQLite 数据库，服务运行中亦可 (a consistent copy of the SQLite database).
    Backup(backup::BackupArgs),
    /// 从备份恢复 SQLite 数据库，须先停止服务 (put a backup in place; stop the server first).
    Restore(backup::RestoreArgs),
    /// 执行年度评价 (run an evaluation in the foreground, with a progress bar).
    Evaluate(evaluate::EvaluateArgs),
    /// 输出排名与图表 (write an evaluation's ranking or charts to files).
    Report(report::ReportArgs),
    /// 演示：生成约 1250 家机构三年的数据并启动服务 (build a demo database and serve it).
    Demo(crate::demo::DemoArgs),
    /// 按评价方案计算各机构得分、等级、排名和风险警示 (score bodies from JSONL files).
    Score(ScoreArgs),
    /// 批量导入往年报告或事件（CSV 或 XLSX）(bulk import a past year's reports or incidents).
    Import(import::ImportArgs),
    /// 评价方案：测算调整影响 (scheme revisions: what a scheme would change on a past year).
    Scheme(scheme::SchemeArgs),
    /// 性能基准 (benchmarks, printed as numbers).
    Bench(BenchArgs),
}

/// Arguments of `pubeval score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Evaluation year (incidents are counted on China Standard Time).
    #[arg(long)]
    pub year: i32,
    /// Bodies, one JSON object per line: {"body_id","name","category"}.
    #[arg(long)]
    pub bodies: PathBuf,
    /// Submitted reports, one per line: {"body_id","payload":{…}}; a body without a line has
    /// not submitted.
    #[arg(long)]
    pub submissions: PathBuf,
    /// Incidents, one per line: {"body_id","kind","severity","occurred_at","reported_at"}.
    #[arg(long)]
    pub incidents: Option<PathBuf>,
    /// Previous year's final totals, one per line: {"body_id","total"}.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// A scheme document (JSON); the default scheme when absent.
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    pub format: OutputFormat,
    /// Run the uncertainty analysis with this many draws.
    #[arg(long)]
    pub uncertainty: Option<u32>,
    /// Seed of the uncertainty analysis (default: the evaluation year).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Include the point-by-point explanation in each JSON line.
    #[arg(long)]
    pub explain: bool,
}

/// How `pubeval score` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per body, in ranking order.
    Jsonl,
    /// A ranking table for a person, in Chinese.
    Table,
}

/// Arguments of `pubeval bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to benchmark.
    #[command(subcommand)]
    pub target: BenchTarget,
}

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchTarget {
    /// The scoring engine and the uncertainty analysis on generated bodies.
    Scoring(bench::ScoringBenchArgs),
    /// A full evaluation over a generated SQLite database, and the first ranking page over HTTP.
    Evaluation(bench_evaluation::EvaluationBenchArgs),
    /// The documents: a notice PDF, every result letter, the annual report, memory over 2,000
    /// PDFs.
    Reports(bench_reports::ReportsBenchArgs),
    /// The staff's list of a year's reports (first page, a filtered page) and a body's history
    /// over a generated SQLite database.
    Submissions(bench_submissions::SubmissionsBenchArgs),
    /// The console's home, cycle, ranking and result pages (median and p99 server time).
    Console(bench_console::ConsoleBenchArgs),
    /// A past year's reports imported from one CSV (60,000 rows by default): dry run, import,
    /// the same file again, and the rows as an XLSX sheet.
    Import(bench_import::ImportBenchArgs),
    /// A running server over HTTP: logins, the ranking page, a body's result and report saves
    /// at 1, 16 and 64 connections, next to `/healthz`.
    Http(bench_http::HttpBenchArgs),
    /// The plausibility flags of 60,000 generated reports: in process, and through the
    /// database as a submission computes them.
    Flags(bench_flags::FlagsBenchArgs),
    /// The impact analysis of a draft scheme at 1,250 and 60,000 bodies, drop-one for every
    /// indicator included (and with `--database` the whole use case over SQLite).
    Impact(bench_impact::ImpactBenchArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => admin::serve(&args),
        Command::Migrate(args) => admin::migrate(&args),
        Command::User(args) => admin::user(&args),
        Command::Client(args) => admin::client(&args),
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(())
        }
        Command::Audit(args) => admin::audit(&args),
        Command::Backup(args) => backup::backup(&args),
        Command::Restore(args) => backup::restore(&args),
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Demo(args) => Ok(crate::demo::run(&args)?),
        Command::Report(args) => report::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Scheme(args) => scheme::run(&args),
        Command::Bench(args) => match args.target {
            BenchTarget::Scoring(args) => bench::scoring(&args),
            BenchTarget::Evaluation(args) => bench_evaluation::run(&args),
            BenchTarget::Reports(args) => bench_reports::run(&args),
            BenchTarget::Submissions(args) => bench_submissions::run(&args),
            BenchTarget::Console(args) => bench_console::run(&args),
            BenchTarget::Http(args) => bench_http::run(&args),
            BenchTarget::Import(args) => bench_import::run(&args),
            BenchTarget::Flags(args) => bench_flags::run(&args),
            BenchTarget::Impact(args) => bench_impact::run(&args),
        },
    }
}
