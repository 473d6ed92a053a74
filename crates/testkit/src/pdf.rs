//! PDFs read back as a user would copy their text: `pdftotext -layout` (Debian poppler-utils,
//! installed by scripts/test.sh), so a test checks what the document says, not how it is built.
use std::process::Command;

use crate::TempDir;

/// The text of `pdf`, laid out line by line as on the page.
pub fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let dir = TempDir::tagged("pdf-text");
    let path = dir.join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed by scripts/test.sh");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of `pdf`'s text with all spaces taken out, empty lines dropped. Typst spaces CJK
/// from Latin letters and digits (`2025 年`) and pdftotext pads table columns: a test compares
/// what the words say, not how they are spaced.
pub fn pdf_lines(pdf: &[u8]) -> Vec<String> {
    pdf_text(pdf)
        .lines()
        .map(|l| l.split_whitespace().collect::<String>())
        .filter(|l| !l.is_empty())
        .collect()
}

/// How many pages `pdf` has, from `pdfinfo`.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let dir = TempDir::tagged("pdf-info");
    let path = dir.join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports Pages")
}
