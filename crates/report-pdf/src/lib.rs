//! PDF documents from typst templates embedded in this crate and JSON data. Generic: the plan's
//! bulletins and the archive's report cards are each a template plus a serialisable read model.
//!
//! Only the `wuyu` binary's `pdf` feature pulls this crate (and typst) in.
mod fonts;
mod world;

use std::path::PathBuf;

use typst_layout::PagedDocument;

pub use fonts::FAMILY;

/// A template embedded in the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub name: &'static str,
    source: &'static str,
}

/// A titled table (`title`, `subtitle`, `columns`, `rows`): the smallest useful document.
pub const TABLE: Template = Template {
    name: "table",
    source: include_str!("../templates/table.typ"),
};

/// The plan's quarterly bulletin (通报): `wuyu_monitor::bulletin::Bulletin` as data.
pub const BULLETIN: Template = Template {
    name: "bulletin",
    source: include_str!("../templates/bulletin.typ"),
};

/// The student's report card (综合素质评价报告), one or more students per file.
pub const REPORT_CARD: Template = Template {
    name: "report_card",
    source: include_str!("../templates/report_card.typ"),
};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "未找到中文字体“{FAMILY}”：请安装 Debian 软件包 fonts-noto-cjk（apt-get install \
         fonts-noto-cjk），或把 NotoSansCJK-Regular.ttc 放进环境变量 WUYU_FONT_DIR 指向的目录。\
         已查找：{}", .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("、")
    )]
    FontMissing { searched: Vec<PathBuf> },
    #[error("读取字体文件 {} 失败：{message}", .path.display())]
    FontRead { path: PathBuf, message: String },
    #[error("报告数据无法序列化：{0}")]
    Data(#[from] serde_json::Error),
    /// A template bug: typst's own messages, for the log.
    #[error("PDF 模板“{template}”排版失败：{message}")]
    Layout {
        template: &'static str,
        message: String,
    },
}

fn messages(diags: &[typst::diag::SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lays out `template` with `data` (read by the template as `json("/data.json")`) and returns
/// the PDF's bytes.
pub fn render<T: serde::Serialize + ?Sized>(
    template: Template,
    data: &T,
) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts::fonts()?;
    let world = world::ReportWorld::new(fonts, template.source, serde_json::to_string(data)?);
    let layout = |message| PdfError::Layout {
        template: template.name,
        message,
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|d| layout(messages(&d)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|d| layout(messages(&d)))
}
