//! Many documents of an evaluation in one zip — every result letter, every issued notice —
//! rendered in parallel and written in order. The command line writes the zip to a file with a
//! progress bar; the console sends it to the browser.

use std::io::{Cursor, Seek, Write};

use pubeval_reports::Typesetter;
use pubeval_reports::documents::NoticeData;
use rayon::prelude::*;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use super::file_name::safe_file_name;
use super::letter::LetterBatch;
use super::{Document, notice, rendering};
use crate::db::DbConn;
use crate::domain::{Ctx, Error, Result};

/// Documents rendered before a batch is written: enough to keep both cores busy, few enough
/// that a large evaluation never holds all its PDFs in memory.
const BATCH: usize = 64;

/// One document in a zip: its name there and its bytes.
pub type Entry = (String, Vec<u8>);

/// Renders `count` documents with `render` (called with 0..count, in parallel) into a zip
/// written to `writer`, in index order, calling `done` after each document. PDFs are stored
/// (already compressed); anything else is deflated. Entry names pass [`safe_file_name`]: a
/// body named `x/../../a` must not write outside the folder the zip is extracted to. The
/// writer is given back, finished.
pub fn write_zip<W, F>(writer: W, count: usize, render: F, done: &(dyn Fn() + Sync)) -> Result<W>
where
    W: Write + Seek,
    F: Fn(usize) -> Result<Entry> + Sync,
{
    let mut zip = zip::ZipWriter::new(writer);
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let rendered: Vec<Result<Entry>> = (start..end)
            .into_par_iter()
            .map(|i| {
                let entry = render(i);
                done();
                entry
            })
            .collect();
        for entry in rendered {
            let (name, bytes) = entry?;
            let name = safe_file_name(&name);
            let method = if name.ends_with(".pdf") {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            zip.start_file(
                name.as_str(),
                SimpleFileOptions::default().compression_method(method),
            )
            .map_err(rendering)?;
            zip.write_all(&bytes).map_err(rendering)?;
        }
    }
    zip.finish().map_err(rendering)
}

/// The letter at `index` of a batch as a zip entry: PDF with a typesetter, else HTML, named
/// after the body's approval number first (names may repeat; approval numbers do not).
pub fn letter_entry(
    batch: &LetterBatch,
    index: usize,
    typesetter: Option<&Typesetter>,
) -> Result<Entry> {
    let result = &batch.cohort[index];
    let document = match typesetter {
        Some(t) => batch.pdf(index, t),
        None => batch.html(index),
    }
    .map_err(|e| named(&result.name, e))?;
    let approval = result.approval_no.as_deref().unwrap_or(&result.body_id);
    Ok((format!("{approval}_{}", document.file_name), document.bytes))
}

/// A notice as a zip entry: PDF with a typesetter, else HTML.
pub fn notice_entry(data: &NoticeData, typesetter: Option<&Typesetter>) -> Result<Entry> {
    let document = match typesetter {
        Some(t) => notice::pdf(data, t),
        None => notice::html(data),
    }
    .map_err(|e| named(&data.notice_no, e))?;
    Ok((document.file_name, document.bytes))
}

/// The error of a document, naming the document.
fn named(document: &str, e: Error) -> Error {
    Error {
        message: format!("{document}: {}", e.message),
        ..e
    }
}

/// Every letter of an evaluation in public notice or final, for staff (403 for anyone else:
/// a body reads its own letter only).
pub fn all_letters(conn: &mut DbConn, ctx: &Ctx, evaluation_id: &str) -> Result<LetterBatch> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    super::letter::batch(conn, ctx, evaluation_id)
}

/// Every letter of a batch in one zip (PDF with a typesetter, else HTML), in memory.
pub fn letters(batch: &LetterBatch, typesetter: Option<&Typesetter>) -> Result<Document> {
    let zip = write_zip(
        Cursor::new(Vec::new()),
        batch.cohort.len(),
        |i| letter_entry(batch, i, typesetter),
        &|| {},
    )?;
    Ok(Document {
        bytes: zip.into_inner(),
        file_name: format!("{}年度宣传工作评价结果告知书.zip", batch.year),
        ascii_name: format!("letters-{}.zip", batch.year),
    })
}

/// Every given notice in one zip (PDF with a typesetter, else HTML), in memory.
pub fn notices(
    year: i32,
    notices: &[NoticeData],
    typesetter: Option<&Typesetter>,
) -> Result<Document> {
    let zip = write_zip(
        Cursor::new(Vec::new()),
        notices.len(),
        |i| notice_entry(&notices[i], typesetter),
        &|| {},
    )?;
    Ok(Document {
        bytes: zip.into_inner(),
        file_name: format!("{year}年度风险警示通知书.zip"),
        ascii_name: format!("notices-{year}.zip"),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_zip_holds_every_document_in_order_pdfs_stored() {
        let count = BATCH + 3;
        let done = std::sync::atomic::AtomicUsize::new(0);
        let zip = write_zip(
            Cursor::new(Vec::new()),
            count,
            |i| {
                let ext = if i % 2 == 0 { "pdf" } else { "html" };
                Ok((
                    format!("{i:03}.{ext}"),
                    format!("document {i}").into_bytes(),
                ))
            },
            &|| {
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
        )
        .unwrap();
        assert_eq!(done.into_inner(), count);
        let mut archive = zip::ZipArchive::new(Cursor::new(zip.into_inner())).unwrap();
        assert_eq!(archive.len(), count);
        for i in 0..count {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            assert!(name.starts_with(&format!("{i:03}.")));
            let stored = file.compression() == CompressionMethod::Stored;
            assert_eq!(stored, name.ends_with(".pdf"), "{name}");
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            assert_eq!(text, format!("document {i}"));
        }
    }

    #[test]
    fn entry_names_cannot_climb_out_of_the_zip() {
        let zip = write_zip(
            Cursor::new(Vec::new()),
            1,
            |_| Ok(("x/../../a\\b\r\n.html".to_string(), Vec::new())),
            &|| {},
        )
        .unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(zip.into_inner())).unwrap();
        let file = archive.by_index(0).unwrap();
        let name = file.name().unwrap();
        assert!(
            !name.contains(['/', '\\', '\r', '\n']) && !name.contains(".."),
            "{name}"
        );
        assert!(file.enclosed_name().is_some(), "{name}");
    }

    #[test]
    fn a_failed_document_fails_the_zip() {
        let failed = write_zip(
            Cursor::new(Vec::new()),
            3,
            |i| {
                if i == 1 {
                    Err(named("第二份", Error::bad_request("坏", "bad")))
                } else {
                    Ok((format!("{i}.html"), Vec::new()))
                }
            },
            &|| {},
        );
        let e = failed.err().unwrap();
        assert!(e.message.starts_with("第二份: "), "{}", e.message);
    }
}
