//! Many documents into one zip file, with a progress bar: the zip itself is built by
//! `domain::documents::bundle`, which the console shares.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};

use super::error::CliError;
use crate::domain::Result;
use crate::domain::documents::bundle::{Entry, write_zip};

/// Renders `count` documents with `render` (called with 0..count, in parallel) into a zip at
/// `out`, in index order, showing `label` and a progress bar on standard error. PDFs are
/// stored (already compressed); anything else is deflated.
pub fn render_zip<F>(out: &Path, count: usize, label: &str, render: F) -> Result<(), CliError>
where
    F: Fn(usize) -> Result<Entry> + Sync,
{
    let written = write_file(out, count, label, render);
    if written.is_err() {
        // A half-written zip would pass for a complete one.
        let _ = std::fs::remove_file(out);
    }
    written
}

fn write_file<F>(out: &Path, count: usize, label: &str, render: F) -> Result<(), CliError>
where
    F: Fn(usize) -> Result<Entry> + Sync,
{
    let file = File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let bar = ProgressBar::new(count as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} ({elapsed}, 约剩 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    let mut writer = write_zip(BufWriter::new(file), count, render, &|| bar.inc(1))
        .map_err(|e| anyhow!("{e}"))?;
    writer.flush().context("writing the zip")?;
    bar.finish_and_clear();
    Ok(())
}
