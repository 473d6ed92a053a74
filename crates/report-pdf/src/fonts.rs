//! The CJK font, found at run time: Debian's fonts-noto-cjk (never committed, never embedded).
//! Fonts are read once per process; typst parses faces lazily.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};

use crate::PdfError;

/// The family every template sets (`#set text(font: …)`).
pub const FAMILY: &str = "Noto Sans CJK SC";

/// Where fonts are looked for: `WUYU_FONT_DIR` (a deployment's `fonts` directory) first, then
/// the system's font directories.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("WUYU_FONT_DIR") {
        dirs.push(PathBuf::from(d));
    }
    dirs.push(PathBuf::from("/usr/share/fonts"));
    dirs.push(PathBuf::from("/usr/local/share/fonts"));
    dirs
}

/// The font files of the Noto Sans CJK family under `dir`, searched recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.starts_with("NotoSansCJK") && (n.ends_with(".ttc") || n.ends_with(".otf"))
        }) {
            out.push(path);
        }
    }
}

/// The loaded faces and their book.
pub struct Fonts {
    pub book: FontBook,
    pub fonts: Vec<Font>,
}

fn load() -> Result<Fonts, PdfError> {
    let dirs = font_dirs();
    let mut files = Vec::new();
    for d in &dirs {
        collect(d, &mut files);
    }
    files.sort();
    let mut fonts = Vec::new();
    for file in &files {
        let data = std::fs::read(file).map_err(|e| PdfError::FontRead {
            path: file.clone(),
            message: e.to_string(),
        })?;
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    let book = FontBook::from_fonts(&fonts);
    if !fonts.iter().any(|f| f.info().family == FAMILY) {
        return Err(PdfError::FontMissing { searched: dirs });
    }
    Ok(Fonts { book, fonts })
}

/// The fonts of this process, loaded on first use. A missing font is reported on every call
/// (so installing it does not need a restart to be noticed by the error, only to be used).
pub fn fonts() -> Result<&'static Fonts, PdfError> {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    if let Some(f) = FONTS.get() {
        return Ok(f);
    }
    let loaded = load()?;
    Ok(FONTS.get_or_init(|| loaded))
}
