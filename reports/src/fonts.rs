//! The CJK fonts the PDFs and PNG charts are set in: found among the system's fonts (Noto
//! Serif/Sans CJK SC first, then WenQuanYi, then any face that covers the documents' text) or
//! named in configuration. SVG and HTML need none: the viewer picks a font.
//!
//! The chosen files are read once into memory and shared by typst and resvg; nothing else of
//! the system's fonts is kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fontdb::{Database, Family, Query, Source, Style, Weight};
use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// Text every document needs: if a face lacks any of these it cannot set the notices.
const PROBE: &str =
    "国家认证认可监督管理委员会风险警示通知书评价结果告知书〔〕（）：、。第一二三年月日分名";

/// Song (serif) faces for 小标宋 and 仿宋, best first.
const SERIF: &[&str] = &[
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Serif SC",
    "FangSong",
    "SimSun",
];
/// Hei (sans) faces for 黑体 and tables, best first.
const SANS: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
];
/// Kai faces for 楷体, used only when present.
const KAI: &[&str] = &["AR PL UKai CN", "KaiTi", "STKaiti"];

/// What to look through for fonts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FontSource {
    /// A font file or a directory of fonts named in configuration, searched first.
    pub path: Option<PathBuf>,
    /// Whether to search the system's font directories (fontconfig's list on Linux).
    pub system: bool,
}

/// No usable CJK font.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    /// Nothing found that covers Chinese text.
    #[error(
        "未找到可用的中文字体，无法生成 PDF 和 PNG。请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk 或 fonts-wqy-microhei；麒麟、统信 UOS 系统自带中文字体），或在配置项 font_path（环境变量 PUBEVAL_FONT_PATH）中指明字体文件或目录。/ No CJK font found, so PDFs and PNG charts cannot be rendered: install one (apt-get install fonts-noto-cjk or fonts-wqy-microhei) or name a font file or directory in font_path (PUBEVAL_FONT_PATH). Searched: {searched}"
    )]
    Missing {
        /// Where we looked.
        searched: String,
    },
    /// A chosen font file could not be read.
    #[error("字体文件无法读取 / cannot read font file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl FontError {
    /// What a caller of the API is told: that the server has no usable CJK font and how an
    /// operator installs one, without the server's paths (those are in [`Display`], for the
    /// log and the command line).
    ///
    /// [`Display`]: std::fmt::Display
    pub fn public_message(&self) -> String {
        let (zh, en) = match self {
            FontError::Missing { .. } => (
                "服务器未安装中文字体，无法生成 PDF 和 PNG。",
                "No CJK font is installed on the server, so PDFs and PNG charts cannot be rendered.",
            ),
            FontError::Unreadable { .. } => (
                "服务器上配置的中文字体文件无法读取，无法生成 PDF 和 PNG。",
                "The CJK font configured on the server cannot be read, so PDFs and PNG charts \
                 cannot be rendered.",
            ),
        };
        format!(
            "{zh}请管理员安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk；麒麟、统信 UOS \
             系统自带中文字体），或在配置项 font_path（环境变量 PUBEVAL_FONT_PATH）中指明字体文件或目录；\
             HTML 和 SVG 格式不需要字体。/ {en} Ask the administrator to install one (apt-get install \
             fonts-noto-cjk) or to name a font file or directory in font_path (PUBEVAL_FONT_PATH); \
             HTML and SVG need no font."
        )
    }
}

/// The loaded fonts and the family names the documents use.
pub struct FontSet {
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
    svg_fonts: Arc<Database>,
    /// The Song (serif) family: body text and titles.
    pub serif: String,
    /// The Hei (sans) family: first-level headings, tables and charts.
    pub sans: String,
    /// The Kai family for second-level headings (the serif family when no Kai face exists).
    pub kai: String,
    /// The files loaded.
    pub files: Vec<PathBuf>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("serif", &self.serif)
            .field("sans", &self.sans)
            .field("kai", &self.kai)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl FontSet {
    /// Finds and loads the fonts: the configured path first, then the system's fonts.
    pub fn discover(source: &FontSource) -> Result<FontSet, FontError> {
        let mut searched = Vec::new();
        let mut db = Database::new();
        if let Some(path) = &source.path {
            searched.push(path.display().to_string());
            load_path(&mut db, path);
        }
        let configured = db.len();
        if source.system {
            searched.push("system fonts".into());
            db.load_system_fonts();
        }
        let missing = || FontError::Missing {
            searched: if searched.is_empty() {
                "nothing (no font_path, system fonts off)".into()
            } else {
                searched.join(", ")
            },
        };
        // A configured font wins over the system's: the best of its faces that covers the text.
        let configured_ids: Vec<fontdb::ID> = db.faces().take(configured).map(|f| f.id).collect();
        let configured_face = preferred_among(&db, &configured_ids, SERIF)
            .or_else(|| preferred_among(&db, &configured_ids, SANS))
            .or_else(|| any_covering(&db, &configured_ids));
        let all_ids: Vec<fontdb::ID> = db.faces().map(|f| f.id).collect();
        let sans = configured_face
            .clone()
            .or_else(|| preferred_among(&db, &all_ids, SANS))
            .or_else(|| preferred_among(&db, &all_ids, SERIF))
            .or_else(|| any_covering(&db, &all_ids))
            .ok_or_else(missing)?;
        let serif = configured_face
            .clone()
            .or_else(|| preferred_among(&db, &all_ids, SERIF))
            .unwrap_or_else(|| sans.clone());
        let kai = if configured_face.is_some() {
            serif.clone()
        } else {
            preferred_among(&db, &all_ids, KAI).unwrap_or_else(|| serif.clone())
        };
        // Regular faces of each family, and the bold Song for titles.
        let mut wanted: Vec<(PathBuf, u32)> = Vec::new();
        for (family, weight) in [
            (&serif, Weight::NORMAL),
            (&serif, Weight::BOLD),
            (&sans, Weight::NORMAL),
            (&kai, Weight::NORMAL),
        ] {
            let query = Query {
                families: &[Family::Name(family)],
                weight,
                style: Style::Normal,
                ..Query::default()
            };
            let face = db
                .query(&query)
                .and_then(|id| db.face_source(id))
                .and_then(|(source, index)| Some((source_path(&source)?.to_path_buf(), index)));
            if let Some(face) = face
                && !wanted.contains(&face)
            {
                wanted.push(face);
            }
        }
        if wanted.is_empty() {
            return Err(missing());
        }
        let mut files: Vec<PathBuf> = Vec::new();
        let mut data: Vec<Bytes> = Vec::new();
        let mut fonts = Vec::new();
        for (path, index) in &wanted {
            let position = match files.iter().position(|p| p == path) {
                Some(p) => p,
                None => {
                    let bytes = std::fs::read(path).map_err(|e| FontError::Unreadable {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                    files.push(path.clone());
                    data.push(Bytes::new(bytes));
                    files.len() - 1
                }
            };
            let font =
                Font::new(data[position].clone(), *index).ok_or_else(|| FontError::Unreadable {
                    path: path.clone(),
                    reason: format!("face {index} is not a usable font"),
                })?;
            fonts.push(font);
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        let mut svg_db = Database::new();
        for bytes in &data {
            svg_db.load_font_source(Source::Binary(Arc::new(bytes.clone())));
        }
        svg_db.set_sans_serif_family(sans.clone());
        svg_db.set_serif_family(serif.clone());
        Ok(FontSet {
            fonts,
            book,
            svg_fonts: Arc::new(svg_db),
            serif,
            sans,
            kai,
            files,
        })
    }

    /// The fonts as typst sees them.
    pub(crate) fn typst_fonts(&self) -> (&LazyHash<FontBook>, &[Font]) {
        (&self.book, &self.fonts)
    }

    /// The fonts as resvg sees them, with `sans-serif` and `serif` mapped to ours.
    pub(crate) fn svg_fonts(&self) -> Arc<Database> {
        self.svg_fonts.clone()
    }
}

fn load_path(db: &mut Database, path: &Path) {
    if path.is_dir() {
        db.load_fonts_dir(path);
    } else {
        // An unreadable file is reported by `Missing`, which names the path searched.
        let _ = db.load_font_file(path);
    }
}

fn source_path(source: &Source) -> Option<&Path> {
    match source {
        Source::File(path) | Source::SharedFile(path, _) => Some(path),
        Source::Binary(_) => None,
    }
}

/// A face's English family name (the first one fontdb lists).
fn family_of(face: &fontdb::FaceInfo) -> &str {
    face.families.first().map_or("", |(name, _)| name.as_str())
}

/// The first family of `names` with a face among `ids` covering the probe text.
fn preferred_among(db: &Database, ids: &[fontdb::ID], names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        ids.iter()
            .filter_map(|id| db.face(*id))
            .find(|f| f.families.iter().any(|(n, _)| n == name) && covers(db, f.id))
            .map(|_| (*name).to_string())
    })
}

/// Any family among `ids` with a regular face covering the probe text; a Simplified Chinese
/// variant first (a collection lists its Japanese or Korean faces too, whose glyphs differ).
fn any_covering(db: &Database, ids: &[fontdb::ID]) -> Option<String> {
    let simplified = |name: &str| ["SC", "CN", "GB", "Hans"].iter().any(|m| name.contains(m));
    let candidates: Vec<&fontdb::FaceInfo> = ids
        .iter()
        .filter_map(|id| db.face(*id))
        .filter(|f| f.style == Style::Normal)
        .collect();
    candidates
        .iter()
        .filter(|f| simplified(family_of(f)))
        .chain(candidates.iter())
        .find(|f| covers(db, f.id))
        .map(|f| family_of(f).to_string())
}

fn covers(db: &Database, id: fontdb::ID) -> bool {
    db.with_face_data(id, |data, index| {
        ttf_parser::Face::parse(data, index)
            .is_ok_and(|face| PROBE.chars().all(|c| face.glyph_index(c).is_some()))
    })
    .unwrap_or(false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_search_is_a_missing_font_with_an_install_hint() {
        let e = FontSet::discover(&FontSource::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("fonts-noto-cjk"), "{text}");
        assert!(text.contains("font_path"), "{text}");
    }

    #[test]
    fn a_directory_without_cjk_fonts_is_missing() {
        let dir = std::env::temp_dir().join(format!("pubeval-nofonts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = FontSet::discover(&FontSource {
            path: Some(dir.clone()),
            system: false,
        })
        .unwrap_err();
        assert!(matches!(e, FontError::Missing { .. }));
        assert!(e.to_string().contains(&dir.display().to_string()));
        // What a caller is told names no path of the server.
        let told = e.public_message();
        assert!(!told.contains(&dir.display().to_string()), "{told}");
        assert!(told.contains("apt-get install fonts-noto-cjk"), "{told}");
        let unreadable = FontError::Unreadable {
            path: "/usr/share/fonts/x.otf".into(),
            reason: "denied".into(),
        };
        assert!(!unreadable.public_message().contains("/usr/share"));
    }
}
