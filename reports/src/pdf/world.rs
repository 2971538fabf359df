//! The typst world of one document: the templates compiled into the binary, the document's
//! data as `/data.json`, its charts as SVG files, and the [`FontSet`](crate::fonts::FontSet).
//! Nothing is read from disk.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// One template source, parsed once per process so that typst's caches recognise it.
pub(crate) struct Template {
    pub(crate) source: Source,
}

/// A file id in the project root. Ids are interned for the process's life, so only fixed
/// paths are used: never one per document.
pub(crate) fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| unreachable_path(path));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

#[cold]
fn unreachable_path(path: &str) -> VirtualPath {
    // Every path here is a literal of this crate; a bad one is a programming error caught by
    // the tests that render each document.
    panic!("invalid template path {path}")
}

macro_rules! template {
    ($name:ident, $path:literal) => {
        pub(crate) static $name: LazyLock<Template> = LazyLock::new(|| Template {
            source: Source::new(
                file_id(concat!("/", $path)),
                include_str!(concat!("../../templates/typst/", $path)).to_string(),
            ),
        });
    };
}

template!(COMMON, "common.typ");
template!(NOTICE, "notice.typ");
template!(LETTER, "letter.typ");
template!(ANNUAL, "annual.typ");
template!(IMPACT, "impact.typ");

/// The standard library, built once.
static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The path of the document's data.
pub(crate) const DATA_PATH: &str = "/data.json";

/// One document's world.
pub(crate) struct DocumentWorld<'a> {
    pub(crate) main: &'a Template,
    pub(crate) book: &'a LazyHash<FontBook>,
    pub(crate) fonts: &'a [Font],
    /// `/data.json` and the charts, by id.
    pub(crate) files: Vec<(FileId, Bytes)>,
    pub(crate) today: Option<Datetime>,
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book
    }

    fn main(&self) -> FileId {
        self.main.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        [&*COMMON, &*NOTICE, &*LETTER, &*ANNUAL, &*IMPACT]
            .into_iter()
            .find(|t| t.source.id() == id)
            .map(|t| t.source.clone())
            .ok_or_else(|| {
                FileError::NotFound(std::path::PathBuf::from(id.vpath().get_with_slash()))
            })
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some((_, bytes)) = self.files.iter().find(|(f, _)| *f == id) {
            return Ok(bytes.clone());
        }
        self.source(id)
            .map(|s| Bytes::from_string(s.text().to_string()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}
