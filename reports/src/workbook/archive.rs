//! The check every XLSX passes before calamine opens it. An XLSX is a zip archive, and a few
//! kilobytes of zip can expand to gigabytes of sheet XML (a zip bomb); calamine would expand
//! it all into memory. So the archive's central directory is read first and refused when its
//! entries declare more than [`MAX_EXPANDED_BYTES`] in all; then each entry is expanded into
//! nothing, counting, and refused the moment it yields more than it declared (an archive that
//! lies about its sizes). Nothing is kept: memory stays at a buffer's size, and time at what
//! the declared sizes allow.

use std::io::{Cursor, Read};

/// The most an XLSX may expand to, all its entries together (200 MiB): far above any report
/// or a 60,000-row import (about 70 MiB of sheet XML), far below what would exhaust memory.
pub const MAX_EXPANDED_BYTES: u64 = 200 * 1024 * 1024;
/// The most entries an XLSX may hold (a workbook has a few dozen).
const MAX_ENTRIES: usize = 10_000;

/// Why an archive was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// Not a zip archive (so not an XLSX), or a damaged one.
    #[error("不是有效的 XLSX 工作簿（无法作为 zip 读取）/ not a valid XLSX workbook: {0}")]
    NotZip(String),
    /// It would expand past the limit (a zip bomb, or simply too much).
    #[error(
        "工作簿解压后超过 {} MB，已拒绝 / the workbook expands past {} MB and was refused",
        MAX_EXPANDED_BYTES / 1024 / 1024,
        MAX_EXPANDED_BYTES / 1024 / 1024
    )]
    TooLarge,
    /// An entry is encrypted, or yields more than it declares.
    #[error("工作簿已损坏或被加密 / the workbook is damaged or encrypted: {0}")]
    Damaged(String),
}

/// Checks that `bytes` is a zip archive that expands to at most [`MAX_EXPANDED_BYTES`], without
/// keeping what it expands to.
pub fn check(bytes: &[u8]) -> Result<(), ArchiveError> {
    check_with_limit(bytes, MAX_EXPANDED_BYTES)
}

/// [`check`] with another limit (tests).
pub fn check_with_limit(bytes: &[u8], limit: u64) -> Result<(), ArchiveError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(ArchiveError::TooLarge);
    }
    // First what the central directory declares: a bomb that tells the truth is refused here,
    // having expanded nothing.
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        if entry.encrypted() {
            return Err(ArchiveError::Damaged(format!(
                "{} is encrypted",
                entry.name().unwrap_or_default()
            )));
        }
        declared = declared.saturating_add(entry.size());
        if declared > limit {
            return Err(ArchiveError::TooLarge);
        }
    }
    // Then what each entry really yields, never more than it declared plus one byte.
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        let size = entry.size();
        let name = entry.name().unwrap_or_default().to_string();
        let mut bounded = (&mut entry).take(size.saturating_add(1));
        let mut yielded: u64 = 0;
        loop {
            let n = bounded
                .read(&mut buffer)
                .map_err(|e| ArchiveError::Damaged(format!("{name}: {e}")))?;
            if n == 0 {
                break;
            }
            yielded += n as u64;
            if yielded > size {
                return Err(ArchiveError::Damaged(format!(
                    "{name} expands past its declared {size} bytes"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_small_archive_passes() {
        let bytes = zip_of(&[("a.xml", b"<a/>"), ("b.xml", &[b'x'; 10_000])]);
        assert_eq!(check(&bytes), Ok(()));
    }

    #[test]
    fn an_archive_declaring_too_much_is_refused_before_expanding() {
        let bytes = zip_of(&[("a.xml", &[b' '; 50_000]), ("b.xml", &[b' '; 60_000])]);
        assert_eq!(
            check_with_limit(&bytes, 100_000),
            Err(ArchiveError::TooLarge)
        );
        assert_eq!(check_with_limit(&bytes, 110_000), Ok(()));
    }

    #[test]
    fn an_archive_lying_about_its_size_is_refused() {
        // The same entry, its declared size in the local header and the central directory
        // rewritten from 100,000 to 100.
        let data = vec![b'z'; 100_000];
        let mut bytes = zip_of(&[("x.xml", &data)]);
        let real = 100_000u32.to_le_bytes();
        let fake = 100u32.to_le_bytes();
        let mut i = 0;
        while i + 4 <= bytes.len() {
            if bytes[i..i + 4] == real {
                bytes[i..i + 4].copy_from_slice(&fake);
            }
            i += 1;
        }
        assert!(
            matches!(check(&bytes), Err(ArchiveError::Damaged(_))),
            "{:?}",
            check(&bytes)
        );
    }

    #[test]
    fn garbage_is_not_a_zip() {
        assert!(matches!(
            check(b"hello, this is not a workbook"),
            Err(ArchiveError::NotZip(_))
        ));
    }
}
