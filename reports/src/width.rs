//! Display width of text in a fixed-pitch grid, as spreadsheets and terminals lay it out:
//! CJK ideographs, kana, hangul and full-width forms take two columns, everything else one.

/// Whether a character is drawn two columns wide (East Asian Wide or Fullwidth).
pub fn is_wide(c: char) -> bool {
    matches!(
        c as u32,
        0x1100..=0x115F          // Hangul Jamo initials
            | 0x2E80..=0x303E    // CJK radicals, Kangxi, CJK symbols and punctuation
            | 0x3041..=0x33FF    // kana, bopomofo, CJK compatibility
            | 0x3400..=0x4DBF    // CJK extension A
            | 0x4E00..=0x9FFF    // CJK unified ideographs
            | 0xA000..=0xA4CF    // Yi
            | 0xAC00..=0xD7A3    // Hangul syllables
            | 0xF900..=0xFAFF    // CJK compatibility ideographs
            | 0xFE30..=0xFE4F    // CJK compatibility forms
            | 0xFF00..=0xFF60    // full-width forms (，（）：)
            | 0xFFE0..=0xFFE6    // full-width signs
            | 0x20000..=0x3FFFD // CJK extensions B and later
    )
}

/// The display width of a string: the sum of its characters' widths.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("机构名称"), 8);
        assert_eq!(display_width("总分（完整精度）"), 16);
        assert_eq!(display_width("CNCA-R-2004-017"), 15);
        assert_eq!(display_width("第三十二条、第二十条"), 20);
    }
}
