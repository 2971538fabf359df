//! File names made from what people typed (a body's name, an approval number), safe wherever
//! they land: an entry of a zip that someone extracts, a `Content-Disposition` a browser saves
//! under, a file on a Windows desktop.

/// The name with every character a file system or an extractor could read as structure
/// replaced by `_`: path separators (`/`, `\`), control characters (CR, LF, tab, NUL, …), the
/// characters Windows refuses in a name (`: * ? " < > |`), and `..` (no parent segment even
/// where a separator slipped through); leading dots and spaces and trailing dots and spaces
/// (which Windows drops) go too. An empty result becomes `_`.
pub fn safe_file_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let mut safe = replaced;
    while safe.contains("..") {
        safe = safe.replace("..", "_");
    }
    let safe = safe
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if safe.is_empty() {
        "_".to_string()
    } else {
        safe.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_name_climbs_out_of_its_folder() {
        for name in [
            "x/../../a",
            "..\\..\\a",
            "../a",
            "a/..",
            "..",
            "/etc/passwd",
        ] {
            let safe = safe_file_name(name);
            assert!(!safe.contains(['/', '\\']), "{name} → {safe}");
            assert!(!safe.contains(".."), "{name} → {safe}");
            assert!(!safe.starts_with('.'), "{name} → {safe}");
        }
        assert_eq!(safe_file_name("x/../../a.pdf"), "x_____a.pdf");
    }

    #[test]
    fn control_characters_and_windows_reserved_ones_go() {
        assert_eq!(safe_file_name("a\r\nb\tc\0d"), "a__b_c_d");
        assert_eq!(safe_file_name("a:b*c?\"<>|"), "a_b_c_____");
        assert_eq!(safe_file_name(" . "), "_");
    }

    #[test]
    fn ordinary_chinese_names_stay_as_they_are() {
        let name = "2025年度宣传工作评价结果告知书（北京某认证有限公司）.pdf";
        assert_eq!(safe_file_name(name), name);
        assert_eq!(
            safe_file_name("CNCA-R-2018-001_a.b.pdf"),
            "CNCA-R-2018-001_a.b.pdf"
        );
    }
}
