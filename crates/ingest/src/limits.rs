//! Upload limits checked before any reader runs: an XLSX is a ZIP archive, and a small archive
//! can inflate to gigabytes (a "decompression bomb") that calamine would try to hold in memory.
//! The check inflates every entry into nothing, counting bytes, and stops at the cap, so the
//! archive's own declared sizes (which a bomb can fake) are never trusted.
use std::io::{Cursor, Read};

use crate::IngestError;
use crate::table::{FileFormat, detect_format};

/// Refuses an XLSX whose entries inflate to more than `max_unpacked` bytes in total. CSV and
/// other text passes (its size is the upload's size, capped by the caller).
pub fn check_unpacked_size(
    file_name: &str,
    bytes: &[u8],
    max_unpacked: u64,
) -> Result<(), IngestError> {
    if bytes.is_empty() || detect_format(file_name, bytes)? != FileFormat::Xlsx {
        return Ok(());
    }
    let too_big = || IngestError::Unpacked {
        limit_mb: max_unpacked / (1024 * 1024),
    };
    let bad = |e: &dyn std::fmt::Display| IngestError::Xlsx {
        detail: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    // The declared sizes first: an honest big file is refused without inflating anything.
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| bad(&e))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > max_unpacked {
        return Err(too_big());
    }
    let mut left = max_unpacked;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| bad(&e))?;
        let n =
            std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|e| bad(&e))?;
        if n > left {
            return Err(too_big());
        }
        left -= n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_small_workbook_passes_and_a_bomb_is_refused() {
        let small = zip_of(&[("xl/worksheets/sheet1.xml", b"<sheetData/>")]);
        assert!(check_unpacked_size("a.xlsx", &small, 1024).is_ok());
        // 8 MiB of zeros deflates to a few KiB.
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &zeros)]);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let err = check_unpacked_size("a.xlsx", &bomb, 1024 * 1024).unwrap_err();
        assert!(
            matches!(err, IngestError::Unpacked { limit_mb: 1 }),
            "{err}"
        );
        assert!(err.to_string().contains("解压后超过 1 MB"), "{err}");
    }

    #[test]
    fn csv_is_not_an_archive() {
        assert!(check_unpacked_size("a.csv", "学籍号,姓名\n".as_bytes(), 1).is_ok());
    }
}
