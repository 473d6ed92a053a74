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

/// What a CSV's table may take in memory (its text plus 4 bytes per cell). A CSV's text is
/// bounded by the file, but its cells are not: a file of commas is four times its size in cell
/// offsets. A 1,000,000-row fitness file of 51 columns takes about 280 MB.
pub const MAX_CSV_TABLE_BYTES: usize = 1024 * 1024 * 1024;

/// The limits in effect: the defaults above, each replaceable by an environment variable for a
/// deployment that needs more (or less):
///
/// | variable | limit | default |
/// |---|---|---|
/// | `WUYU_MAX_CELL_CHARS` | characters in one cell | 32,767 |
/// | `WUYU_MAX_LINE_KB` | one CSV line | 2,048 KB |
/// | `WUYU_MAX_ROWS` | data rows per sheet | 10,000,000 |
/// | `WUYU_MAX_SHEET_MB` | one worksheet of an XLSX in memory | 256 MB |
/// | `WUYU_MAX_CSV_MB` | one CSV's table in memory | 1,024 MB |
/// | `WUYU_MAX_UNPACKED_MB` | an XLSX's declared unpacked size; its shared strings get a quarter | 1,024 MB |
///
/// Uploads through the import centre are further held to their own size and unpacked caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_cell_chars: usize,
    pub max_csv_line_bytes: usize,
    pub max_rows: usize,
    pub max_sheet_bytes: usize,
    pub max_csv_table_bytes: usize,
    pub max_shared_strings_bytes: u64,
    pub max_declared_unpacked_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cell_chars: MAX_CELL_CHARS,
            max_csv_line_bytes: MAX_CSV_LINE_BYTES,
            max_rows: MAX_ROWS,
            max_sheet_bytes: MAX_SHEET_BYTES,
            max_csv_table_bytes: MAX_CSV_TABLE_BYTES,
            max_shared_strings_bytes: MAX_SHARED_STRINGS_BYTES,
            max_declared_unpacked_bytes: MAX_DECLARED_UNPACKED_BYTES,
        }
    }
}

impl Limits {
    /// The defaults with the variables of `var` applied; a variable that is not a positive
    /// whole number is ignored (and says so on stderr, once).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let mut l = Limits::default();
        let get = |name: &str, unit: usize| -> Option<usize> {
            let v = var(name)?;
            match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => Some(n.saturating_mul(unit)),
                _ => {
                    eprintln!("忽略环境变量 {name}={v}：应为正整数，使用默认值");
                    None
                }
            }
        };
        const MB: usize = 1024 * 1024;
        if let Some(n) = get("WUYU_MAX_CELL_CHARS", 1) {
            l.max_cell_chars = n;
        }
        if let Some(n) = get("WUYU_MAX_LINE_KB", 1024) {
            l.max_csv_line_bytes = n;
        }
        if let Some(n) = get("WUYU_MAX_ROWS", 1) {
            l.max_rows = n;
        }
        if let Some(n) = get("WUYU_MAX_SHEET_MB", MB) {
            l.max_sheet_bytes = n;
        }
        if let Some(n) = get("WUYU_MAX_CSV_MB", MB) {
            l.max_csv_table_bytes = n;
        }
        if let Some(n) = get("WUYU_MAX_UNPACKED_MB", MB) {
            l.max_declared_unpacked_bytes = n as u64;
            l.max_shared_strings_bytes = (n / 4) as u64;
        }
        l
    }
}

/// The limits of this process, read from the environment once ([`Limits`]).
pub fn limits() -> &'static Limits {
    static LIMITS: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();
    LIMITS.get_or_init(|| Limits::from_vars(|name| std::env::var(name).ok()))
}

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
/// shared-string table unpacks to more than [`MAX_SHARED_STRINGS_BYTES`] (with 32 bytes counted
/// per string for the reader's own cost), or announces more strings than it could hold (the reader
/// reserves room for the announced count before reading any).
pub(crate) fn check_shared_strings(bytes: &[u8]) -> Result<(), IngestError> {
    let bad = |e: &dyn std::fmt::Display| IngestError::Xlsx {
        detail: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let max_declared = limits().max_declared_unpacked_bytes;
    if declared_size(&mut zip)? > max_declared {
        return Err(IngestError::Unpacked {
            limit_mb: max_declared / (1024 * 1024),
        });
    }
    let max_strings = limits().max_shared_strings_bytes;
    let Some(index) = (0..zip.len()).find(|&i| {
        matches!(zip.name_for_index(i),
            Some(Ok(n)) if n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
    }) else {
        return Ok(());
    };
    let entry = zip.by_index(index).map_err(|e| bad(&e))?;
    let mut head = Vec::with_capacity(4096);
    let mut reader = entry.take(max_strings + 1);
    (&mut reader)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| bad(&e))?;
    let mut counter = StringCounter::default();
    counter.count(&head);
    let rest = std::io::copy(&mut reader, &mut counter).map_err(|e| bad(&e))?;
    let size = head.len() as u64 + rest;
    if size > max_strings {
        return Err(IngestError::Unpacked {
            limit_mb: max_strings / (1024 * 1024),
        });
    }
    // Each string costs the reader a string header besides its text: 40 million `<si/>` in
    // 200 MB of XML would take a gigabyte.
    let held = size.saturating_add(STRING_OVERHEAD.saturating_mul(counter.strings));
    if held > max_strings {
        return Err(bad(&format!(
            "共享字符串表有 {} 个字符串，读入后约 {} MB，超过 {} MB 的上限",
            counter.strings,
            held / (1024 * 1024),
            max_strings / (1024 * 1024)
        )));
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

/// Bytes a shared string costs the reader beyond its text (a `String` and its allocation).
const STRING_OVERHEAD: u64 = 32;

/// Counts `<si` openings in a stream of XML, across the stream's buffer boundaries.
#[derive(Default)]
struct StringCounter {
    strings: u64,
    /// The last two bytes seen, for a `<si` cut by a buffer boundary.
    tail: [u8; 2],
}

impl StringCounter {
    fn count(&mut self, buf: &[u8]) {
        let mut joined = [0u8; 4];
        let head = buf.len().min(2);
        joined[..2].copy_from_slice(&self.tail);
        joined[2..2 + head].copy_from_slice(&buf[..head]);
        // Matches that start in the tail (and end in this buffer).
        self.strings += memchr::memmem::find_iter(&joined[..2 + head], b"<si")
            .filter(|&i| i < 2)
            .count() as u64;
        self.strings += memchr::memmem::find_iter(buf, b"<si").count() as u64;
        match buf.len() {
            0 => {}
            1 => self.tail = [self.tail[1], buf[0]],
            n => self.tail = [buf[n - 2], buf[n - 1]],
        }
    }
}

impl std::io::Write for StringCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.count(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    fn strings_are_counted_across_buffer_boundaries() {
        let xml = b"<sst><si><t>a</t></si><si/><si><t>b</t></si></sst>";
        for step in 1..xml.len() {
            let mut c = StringCounter::default();
            for piece in xml.chunks(step) {
                c.count(piece);
            }
            assert_eq!(c.strings, 3, "pieces of {step}");
        }
    }

    #[test]
    fn a_table_of_millions_of_empty_strings_is_refused() {
        // 8 million `<si/>`: 40 MB of XML, well under the size cap, but ~300 MB once read.
        let mut sst = String::from(r#"<sst xmlns="x" uniqueCount="8000000">"#);
        sst.push_str(&"<si/>".repeat(8_000_000));
        sst.push_str("</sst>");
        let file = zip_of(&[("xl/sharedStrings.xml", sst.as_bytes())]);
        let err = check_shared_strings(&file).unwrap_err();
        assert!(err.to_string().contains("8000000 个字符串"), "{err}");
        // A million strings is an ordinary big workbook.
        let mut sst = String::from(r#"<sst xmlns="x">"#);
        sst.push_str(&"<si><t>G0123456789</t></si>".repeat(1_000_000));
        sst.push_str("</sst>");
        let file = zip_of(&[("xl/sharedStrings.xml", sst.as_bytes())]);
        check_shared_strings(&file).unwrap();
    }

    #[test]
    fn limits_come_from_the_environment_with_defaults() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Limits::from_vars(vars(&[])), Limits::default());
        let l = Limits::from_vars(vars(&[
            ("WUYU_MAX_ROWS", "2000000"),
            ("WUYU_MAX_LINE_KB", "64"),
            ("WUYU_MAX_UNPACKED_MB", "400"),
            ("WUYU_MAX_CELL_CHARS", "0"),
            ("WUYU_MAX_SHEET_MB", "很多"),
        ]));
        assert_eq!(l.max_rows, 2_000_000);
        assert_eq!(l.max_csv_line_bytes, 64 * 1024);
        assert_eq!(l.max_declared_unpacked_bytes, 400 * 1024 * 1024);
        assert_eq!(l.max_shared_strings_bytes, 100 * 1024 * 1024);
        // Not positive numbers: the defaults stay.
        assert_eq!(l.max_cell_chars, MAX_CELL_CHARS);
        assert_eq!(l.max_sheet_bytes, MAX_SHEET_BYTES);
    }

    #[test]
    fn csv_is_not_an_archive() {
        assert!(check_unpacked_size("a.csv", "学籍号,姓名\n".as_bytes(), 1).is_ok());
    }
}
