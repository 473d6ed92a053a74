//! Upload limits checked before any reader runs: an XLSX is a ZIP archive, and a small archive
//! can inflate to gigabytes (a "decompression bomb") that calamine would try to hold in memory.
//! The check inflates every entry into nothing, counting bytes, and stops at the cap, so the
//! archive's own declared sizes (which a bomb can fake) are never trusted.
use std::io::{Cursor, Read};

use crate::IngestError;
use crate::table::{FileFormat, detect_format};

/// Excel's own limit on one cell; a longer "cell" is a damaged or hostile file, and refusing
/// it keeps one value from costing gigabytes.
pub const MAX_CELL_CHARS: usize = 32_767;

/// A CSV line longer than this is not a row of data (a roster row is under 1 KB). Checked before
/// parsing, so a file that is one 200 MB line is refused without being parsed.
pub const MAX_CSV_LINE_BYTES: usize = 2 * 1024 * 1024;

/// What one worksheet may expand to in memory (its text plus 4 bytes per cell). An XLSX can
/// repeat one shared string in every cell, so its text is not bounded by the file's size.
pub const MAX_SHEET_BYTES: usize = 256 * 1024 * 1024;

/// Data rows per sheet: ten times what Excel can hold; more is split by school or grade.
pub const MAX_ROWS: usize = 10_000_000;

/// The shared-string table is read whole before any sheet; its unpacked size is capped first.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 256 * 1024 * 1024;

/// What any workbook may unpack to, by the sizes its archive declares. Uploads are held to a
/// smaller cap (and their real sizes) by [`check_unpacked_size`]; this one spares a local
/// file's reader from inflating gigabytes only to refuse them row by row.
pub const MAX_DECLARED_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;

/// The sum of the entries' declared uncompressed sizes (cheap: nothing is inflated).
fn declared_size(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<u64, IngestError> {
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| IngestError::Xlsx {
            detail: e.to_string(),
        })?;
        declared = declared.saturating_add(entry.size());
    }
    Ok(declared)
}

/// The first 50 characters of a value, for error messages.
pub fn shown_start(value: &str) -> String {
    value.chars().take(50).collect()
}

/// Refuses a workbook that declares more than [`MAX_DECLARED_UNPACKED_BYTES`], or whose
/// shared-string table unpacks to more than
/// [`MAX_SHARED_STRINGS_BYTES`], or announces more strings than it could hold (the reader
/// reserves room for the announced count before reading any).
pub(crate) fn check_shared_strings(bytes: &[u8]) -> Result<(), IngestError> {
    let bad = |e: &dyn std::fmt::Display| IngestError::Xlsx {
        detail: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    if declared_size(&mut zip)? > MAX_DECLARED_UNPACKED_BYTES {
        return Err(IngestError::Unpacked {
            limit_mb: MAX_DECLARED_UNPACKED_BYTES / (1024 * 1024),
        });
    }
    let Some(index) = (0..zip.len()).find(|&i| {
        matches!(zip.name_for_index(i),
            Some(Ok(n)) if n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
    }) else {
        return Ok(());
    };
    let entry = zip.by_index(index).map_err(|e| bad(&e))?;
    let mut head = Vec::with_capacity(4096);
    let mut reader = entry.take(MAX_SHARED_STRINGS_BYTES + 1);
    (&mut reader)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| bad(&e))?;
    let rest = std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| bad(&e))?;
    let size = head.len() as u64 + rest;
    if size > MAX_SHARED_STRINGS_BYTES {
        return Err(IngestError::Unpacked {
            limit_mb: MAX_SHARED_STRINGS_BYTES / (1024 * 1024),
        });
    }
    // Each string takes at least `<si/>`, five bytes.
    let announced = announced_count(&head);
    if announced.is_some_and(|n| n > size / 5 + 1) {
        return Err(bad(&format!(
            "共享字符串表声明有 {} 个字符串，但只有 {size} 字节",
            announced.unwrap_or_default()
        )));
    }
    Ok(())
}

/// The `uniqueCount` of the `<sst>` element, if present: the reader reserves room for that many
/// strings. (`count` is the number of cells using them, which may be far more.)
fn announced_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let sst = &text[text.find("<sst")?..];
    let sst = &sst[..sst.find('>').unwrap_or(sst.len())];
    let attr = "uniqueCount=\"";
    let from = sst.find(attr)? + attr.len();
    let digits: String = sst[from..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // More digits than a u64 holds is certainly too many.
    Some(digits.parse::<u64>().unwrap_or(u64::MAX))
}

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
    if declared_size(&mut zip)? > max_unpacked {
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
