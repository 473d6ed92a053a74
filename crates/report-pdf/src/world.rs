//! A typst `World` over embedded files only: the template as `/main.typ`, the shared styles
//! as `/wuyu.typ`, the report's data as `/data.json`. No package downloads, no disk access.
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::Fonts;

/// Styles every template imports (`#import "/wuyu.typ": *`).
const COMMON: &str = include_str!("../templates/wuyu.typ");

fn id(path: &str) -> FileId {
    // The paths are constants of this module, always valid.
    let vpath = VirtualPath::new(path).expect("valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

pub struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: &'static [Font],
    main: Source,
    common: Source,
    data: Bytes,
}

impl ReportWorld {
    pub fn new(fonts: &'static Fonts, template: &str, data_json: String) -> ReportWorld {
        let mut inputs = Dict::new();
        inputs.insert("font".into(), crate::fonts::FAMILY.into_value());
        ReportWorld {
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            book: LazyHash::new(fonts.book.clone()),
            fonts: &fonts.fonts,
            main: Source::new(id("/main.typ"), template.to_string()),
            common: Source::new(id("/wuyu.typ"), COMMON.to_string()),
            data: Bytes::from_string(data_json),
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, file: FileId) -> FileResult<Bytes> {
        if file == id("/data.json") {
            Ok(self.data.clone())
        } else if let Ok(s) = self.source(file) {
            Ok(Bytes::from_string(s.text().to_string()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    /// Reports carry their own dates in their data, so output depends on data alone.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
