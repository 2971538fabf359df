//! `pubeval bench reports`: times the documents on generated bodies, in process: one notice
//! PDF once the fonts are loaded, every result letter of an evaluation into a zip (as
//! `pubeval report letter` does), the annual report, and the resident memory after 100 and
//! after 2,000 PDFs (typst's memo cache is evicted after each document).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::Args;
use pubeval_reports::documents::{
    AnnualData, CohortFigures, IssuedWarning, LetterStage, NoticeData, NoticeFinding, annual_pdf,
    letter_pdf, notice_pdf,
};
use pubeval_reports::{FontSet, FontSource, RankingRow, Typesetter};
use pubeval_scoring::synthetic::{Population, scored_year};
use pubeval_scoring::{BodyResult, Scheme};

use super::bench::{current_rss_mb, median};
use super::bundle::render_zip;
use super::error::CliError;
use crate::domain::documents::letter::LetterBatch;

/// Arguments of `pubeval bench reports`.
#[derive(Debug, Args)]
pub struct ReportsBenchArgs {
    /// How many bodies to generate (the letters are one per body).
    #[arg(long, default_value_t = 1250)]
    pub bodies: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Timed notices after three warm-ups.
    #[arg(long, default_value_t = 50)]
    pub notices: usize,
    /// PDFs rendered in one process for the memory check.
    #[arg(long, default_value_t = 2000)]
    pub memory_pdfs: usize,
    /// A font file or directory to use instead of the system's fonts.
    #[arg(long)]
    pub font_path: Option<std::path::PathBuf>,
}

/// Runs the benchmark and prints `key: value` lines.
pub fn run(args: &ReportsBenchArgs) -> Result<(), CliError> {
    let start = Instant::now();
    let fonts = FontSet::discover(&FontSource {
        path: args.font_path.clone(),
        system: args.font_path.is_none(),
    })
    .map_err(|e| anyhow!(e))?;
    println!("font_load_ms: {:.1}", ms(start));
    println!(
        "fonts: serif={} sans={} kai={}",
        fonts.serif, fonts.sans, fonts.kai
    );
    let typesetter = Typesetter::new(Arc::new(fonts));

    let (scheme, results, rows) = scored(args.bodies, args.seed)?;
    println!("bodies: {}", results.len());
    let dated = NaiveDate::from_ymd_opt(2026, 11, 27).context("date")?;

    // Notices once the fonts are loaded, each a different warned body: typst memoises whole
    // documents, so rendering one notice again would time a cache hit.
    let notices = notices_of(&scheme, &results, dated);
    if notices.len() < 4 {
        return Err(anyhow!("too few warned bodies among the generated ones").into());
    }
    let t = Instant::now();
    notice_pdf(&notices[0], &typesetter).map_err(|e| anyhow!(e))?;
    println!(
        "notice_pdf_first_ms: {:.1} (the first document after the fonts loaded)",
        ms(t)
    );
    for notice in &notices[1..3] {
        notice_pdf(notice, &typesetter).map_err(|e| anyhow!(e))?;
    }
    let mut times = Vec::with_capacity(args.notices);
    let mut size = 0;
    for notice in notices[3..].iter().cycle().take(args.notices.max(1)) {
        let t = Instant::now();
        size = notice_pdf(notice, &typesetter)
            .map_err(|e| anyhow!(e))?
            .len();
        times.push(ms(t));
    }
    let distinct = args.notices.min(notices.len() - 3);
    println!(
        "notice_pdf_ms: {:.1} (median of {}, {distinct} distinct notices; target ≤ 50)",
        median(&mut times),
        times.len()
    );
    println!("notice_pdf_bytes: {size}");

    // Every letter into a zip, rendered on all cores as `pubeval report letter` does.
    let letters = LetterBatch {
        evaluation_id: "bench".into(),
        figures: std::sync::Arc::new(CohortFigures::of(&scheme, &results)),
        scheme: scheme.clone(),
        cohort: results,
        issued: Default::default(),
        year: 2025,
        stage: LetterStage::Final,
        dated,
    };
    let results = &letters.cohort;
    let zip_path =
        std::env::temp_dir().join(format!("pubeval-bench-letters-{}.zip", std::process::id()));
    let t = Instant::now();
    render_zip(&zip_path, results.len(), "评价结果告知书", |i| {
        letter_pdf(&letters.letter(&letters.cohort[i]), &typesetter)
            .map(|pdf| (format!("{i:05}.pdf"), pdf))
            .map_err(crate::domain::Error::internal)
    })?;
    let letters_s = t.elapsed().as_secs_f64();
    let zip_mb = std::fs::metadata(&zip_path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0);
    std::fs::remove_file(&zip_path).ok();
    println!(
        "letters_total_s: {letters_s:.1} ({} letters, {} threads, {:.1} ms each; target ≤ 60)",
        results.len(),
        rayon::current_num_threads(),
        letters_s * 1000.0 / results.len().max(1) as f64
    );
    println!("letters_zip_mb: {zip_mb:.1}");

    // The annual report.
    let warnings: Vec<IssuedWarning> = results
        .iter()
        .filter(|r| r.warning.is_some())
        .enumerate()
        .map(|(i, r)| IssuedWarning {
            notice_no: format!("认宣警〔2026〕{}号", i + 1),
            body_name: r.name.clone(),
            level: r.warning_level(),
            status: crate::domain::warnings::status_zh(
                crate::domain::states::WarningStatus::Issued,
            )
            .into(),
            deadline: Some(dated + chrono::Days::new(30)),
        })
        .collect();
    let annual = AnnualData {
        scheme: &scheme,
        year: 2025,
        draft_stage: None,
        rows: &rows,
        results,
        on_time: rows.iter().filter(|r| r.submitted).count(),
        warnings: &warnings,
        show_warnings: true,
        dated,
    };
    let mut times = Vec::new();
    for _ in 0..3 {
        // From cold caches (the fonts stay loaded): an annual report is rendered once.
        pubeval_reports::pdf::clear_cache();
        let t = Instant::now();
        size = annual_pdf(&annual, &typesetter)
            .map_err(|e| anyhow!(e))?
            .len();
        times.push(ms(t) / 1000.0);
    }
    println!(
        "annual_report_s: {:.2} (median of 3 from cold caches; target ≤ 3)",
        median(&mut times)
    );
    println!("annual_report_bytes: {size}");

    // Memory: letters and notices in turn, one after another, as a server renders them.
    let mut after_100 = f64::NAN;
    for n in 1..=args.memory_pdfs {
        let i = n % results.len();
        if n % 2 == 0 {
            notice_pdf(&notices[n / 2 % notices.len()], &typesetter).map_err(|e| anyhow!(e))?;
        } else {
            letter_pdf(&letters.letter(&letters.cohort[i]), &typesetter).map_err(|e| anyhow!(e))?;
        }
        if n == 100 {
            after_100 = current_rss_mb().unwrap_or(f64::NAN);
        }
    }
    let after_all = current_rss_mb().unwrap_or(f64::NAN);
    println!("rss_after_100_pdfs_mb: {after_100:.1}");
    println!("rss_after_{}_pdfs_mb: {after_all:.1}", args.memory_pdfs);
    println!("rss_growth_mb: {:.1} (target ≤ 50)", after_all - after_100);
    Ok(())
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Generated bodies scored as an evaluation stores them: explanations, 200 draws of the
/// robustness analysis, ranking rows.
fn scored(
    bodies: usize,
    seed: u64,
) -> Result<(Scheme, Vec<BodyResult>, Vec<RankingRow>), CliError> {
    let scheme = Scheme::default_scheme();
    let population = Population::generate(bodies, seed);
    let results = scored_year(&population, &scheme, 2025, seed, 200).context("scoring")?;
    let provinces: HashMap<&str, &str> = population
        .bodies
        .iter()
        .map(|b| (b.body_id.as_str(), b.province))
        .collect();
    let rows = results
        .iter()
        .map(|r| {
            RankingRow::from_result(r, provinces.get(r.body_id.as_str()).copied().unwrap_or(""))
        })
        .collect();
    Ok((scheme, results, rows))
}

/// A notice for every warned body, numbered in ranking order.
fn notices_of(scheme: &Scheme, results: &[BodyResult], dated: NaiveDate) -> Vec<NoticeData> {
    results
        .iter()
        .filter_map(|r| r.warning.as_ref().map(|w| (r, w)))
        .enumerate()
        .map(|(i, (result, warning))| NoticeData {
            notice_no: format!("认宣警〔2026〕{}号", i + 1),
            body_name: result.name.clone(),
            approval_no: result.approval_no.clone().unwrap_or_default(),
            year: 2025,
            level: warning.level,
            level_name: warning.level_name.clone(),
            findings: warning
                .findings
                .iter()
                .map(|f| NoticeFinding::from_finding(scheme, f))
                .collect(),
            issued_on: dated,
            deadline: dated + chrono::Days::new(30),
            defence_days: 5,
        })
        .collect()
}
