//! Many documents into one zip: rendered in parallel, written in order, with a progress bar.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use super::error::CliError;

/// Documents rendered before a batch is written: enough to keep both cores busy, few enough
/// that a large evaluation never holds all its PDFs in memory.
const BATCH: usize = 64;

/// One document: its name in the zip and its bytes.
pub type Entry = (String, Vec<u8>);

/// Renders `count` documents with `render` (called with 0..count, in parallel) into a zip at
/// `out`, in index order, showing `label` and a progress bar on standard error. PDFs are
/// stored (already compressed); anything else is deflated.
pub fn render_zip<F>(out: &Path, count: usize, label: &str, render: F) -> Result<(), CliError>
where
    F: Fn(usize) -> Result<Entry, String> + Sync,
{
    let written = write_zip(out, count, label, render);
    if written.is_err() {
        // A half-written zip would pass for a complete one.
        let _ = std::fs::remove_file(out);
    }
    written
}

fn write_zip<F>(out: &Path, count: usize, label: &str, render: F) -> Result<(), CliError>
where
    F: Fn(usize) -> Result<Entry, String> + Sync,
{
    let file = File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let bar = ProgressBar::new(count as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} ({elapsed}, 约剩 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let rendered: Vec<Result<Entry, String>> = (start..end)
            .into_par_iter()
            .map(|i| {
                let entry = render(i);
                bar.inc(1);
                entry
            })
            .collect();
        for entry in rendered {
            let (name, bytes) = entry.map_err(|e| anyhow!(e))?;
            let method = if name.ends_with(".pdf") {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            zip.start_file(
                name.as_str(),
                SimpleFileOptions::default().compression_method(method),
            )
            .with_context(|| format!("adding {name}"))?;
            zip.write_all(&bytes)
                .with_context(|| format!("writing {name}"))?;
        }
    }
    let mut writer = zip.finish().context("finishing the zip")?;
    writer.flush().context("writing the zip")?;
    bar.finish_and_clear();
    Ok(())
}
