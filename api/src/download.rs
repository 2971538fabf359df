//! The one `Content-Disposition` of every download, API and console alike: a Chinese file name
//! (RFC 6266 `filename*`) with an ASCII fallback, both made safe to save under.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};

use crate::domain::documents::file_name::safe_file_name;

/// The disposition of a file named `chinese_name` (`ascii_name` for clients that cannot read
/// it); `inline` shows it in the browser, else it is downloaded. Both names lose path
/// separators, control characters and `..` ([`safe_file_name`]): a body's name is typed by
/// people, and a browser or a download tool may save under it as is.
pub fn disposition(ascii_name: &str, chinese_name: &str, inline: bool) -> ContentDisposition {
    let ascii: String = safe_file_name(ascii_name)
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: safe_file_name(chinese_name).into_bytes(),
            }),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disposition_names_no_path_and_breaks_no_header() {
        let d = disposition(
            "a/../b\r\n.pdf",
            "告知书（x/../../a\r\nSet-Cookie: y）.pdf",
            false,
        );
        let text = d.to_string();
        assert!(text.starts_with("attachment; "), "{text}");
        assert!(!text.contains(['\r', '\n', '/', '\\']), "{text}");
        assert!(!text.contains("..") && !text.contains("%2F"), "{text}");
        assert!(text.contains("filename=\"a___b__.pdf\""), "{text}");
        assert!(
            disposition("a", "b", true)
                .to_string()
                .starts_with("inline; ")
        );
    }
}
